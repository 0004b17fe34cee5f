package fakediscord

import (
	"bytes"
	"encoding/json"
	"slices"
)

// handleFrameLocked applies one client payload, closing with Discord's
// close codes for anything Discord would refuse.
func (s *Server) handleFrameLocked(c *gwConn, data []byte) {
	if c.closing {
		return
	}
	var p struct {
		Op *int            `json:"op"`
		D  json.RawMessage `json:"d"`
	}
	if json.Unmarshal(data, &p) != nil || p.Op == nil {
		c.closeWith(4002, "Error while decoding payload.")
		return
	}
	switch *p.Op {
	case 1:
		s.gw.stats.Heartbeats++
		c.enqueue(opFrame(11, nil))
	case 2:
		s.identifyLocked(c, p.D)
	case 6:
		s.resumeLocked(c, p.D)
	case 3, 4, 8: // presence, voice state, request members: accepted, not simulated
		if c.sess == nil {
			c.closeWith(4003, "Not authenticated.")
		}
	default:
		c.closeWith(4001, "Unknown opcode.")
	}
}

// tokenOK accepts the token as discordgo sends it in IDENTIFY and RESUME
// ("Bot <token>", the string given to discordgo.New) or bare.
func (s *Server) tokenOK(tok string) bool {
	return tok == "Bot "+s.cfg.token || tok == s.cfg.token
}

type identifyData struct {
	Token      string         `json:"token"`
	Intents    *int64         `json:"intents"`
	Properties map[string]any `json:"properties"`
	Shard      []int          `json:"shard"`
}

func (s *Server) identifyLocked(c *gwConn, raw json.RawMessage) {
	if c.sess != nil {
		c.closeWith(4005, "Already authenticated.")
		return
	}
	var d identifyData
	if json.Unmarshal(raw, &d) != nil || d.Properties == nil {
		c.closeWith(4002, "Error while decoding payload.")
		return
	}
	if code, text := s.checkIdentify(d); code != 0 {
		c.closeWith(code, text)
		return
	}
	sess := &gwSession{id: randHex(16), intents: *d.Intents, conn: c}
	c.sess, s.gw.sess = sess, sess
	s.gw.stats.Identifies++
	s.dispatchLocked(event{name: "READY", data: s.readyJSON(sess, d.Shard)})
	for _, g := range s.sortedGuilds() {
		s.dispatchLocked(event{name: "GUILD_CREATE", data: s.guildJSON(g), intents: IntentGuilds})
	}
	pending := s.gw.pending
	s.gw.pending = nil
	for _, ev := range pending {
		s.dispatchLocked(ev)
	}
}

func (s *Server) checkIdentify(d identifyData) (int, string) {
	switch {
	case !s.tokenOK(d.Token):
		return 4004, "Authentication failed."
	case d.Intents == nil || *d.Intents < 0 || *d.Intents&^validIntents != 0:
		return 4013, "Invalid intent(s)."
	case *d.Intents&privilegedIntents&^s.cfg.privileged != 0:
		return 4014, "Disallowed intent(s)."
	case d.Shard != nil && (len(d.Shard) != 2 || d.Shard[0] < 0 || d.Shard[0] >= d.Shard[1]):
		return 4010, "Invalid shard."
	}
	return 0, ""
}

func (s *Server) resumeLocked(c *gwConn, raw json.RawMessage) {
	if c.sess != nil {
		c.closeWith(4005, "Already authenticated.")
		return
	}
	var d struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	if json.Unmarshal(raw, &d) != nil {
		c.closeWith(4002, "Error while decoding payload.")
		return
	}
	if !s.tokenOK(d.Token) {
		c.closeWith(4004, "Authentication failed.")
		return
	}
	sess := s.gw.sess
	if sess == nil || sess.id != d.SessionID || !sess.canReplayFrom(d.Seq) {
		s.gw.stats.InvalidSessions++
		c.enqueue(opFrame(9, false))
		return
	}
	if d.Seq > sess.seq {
		c.closeWith(4007, "Invalid seq.")
		return
	}
	s.attachLocked(c, sess, d.Seq)
}

// attachLocked moves the session onto c, replays what the client missed
// and confirms with RESUMED, all in order ahead of any new dispatch.
func (s *Server) attachLocked(c *gwConn, sess *gwSession, from int64) {
	if old := sess.conn; old != nil && old != c {
		old.kill() // Discord ends the superseded connection
	}
	sess.conn, c.sess = c, sess
	for _, f := range sess.backlog {
		if f.seq > from {
			c.enqueue(frame{data: f.data})
		}
	}
	s.gw.stats.Resumes++
	s.dispatchLocked(event{name: "RESUMED", data: map[string]any{"_trace": []string{"fakediscord"}}})
}

// canReplayFrom tells whether every dispatch after seq is still kept.
func (g *gwSession) canReplayFrom(seq int64) bool {
	if len(g.backlog) == 0 {
		return seq == g.seq
	}
	return seq >= g.backlog[0].seq-1
}

func (s *Server) readyJSON(sess *gwSession, shard []int) map[string]any {
	guilds := []any{}
	for _, g := range s.sortedGuilds() {
		guilds = append(guilds, map[string]any{"id": g, "unavailable": true})
	}
	user := userJSON(s.cfg.botUserID, s.cfg.botName, true)
	user["verified"], user["mfa_enabled"], user["flags"] = true, false, 0
	d := map[string]any{
		"v": 10, "user": user, "guilds": guilds, "session_id": sess.id,
		"resume_gateway_url": s.GatewayURL(), "session_type": "normal",
		"application":      map[string]any{"id": s.cfg.appID, "flags": s.appFlags()},
		"private_channels": []any{}, "relationships": []any{}, "presences": []any{},
		"guild_join_requests": []any{}, "geo_ordered_rtc_regions": []any{},
		"user_settings": map[string]any{}, "auth": map[string]any{}, "_trace": []string{"fakediscord"},
	}
	if shard != nil {
		d["shard"] = shard
	}
	return d
}

// appFlags reports the privileged intents switched on, as the *_LIMITED
// application flags an unverified bot has.
func (s *Server) appFlags() int64 {
	var f int64
	if s.cfg.privileged&IntentGuildPresences != 0 {
		f |= 1 << 13
	}
	if s.cfg.privileged&IntentGuildMembers != 0 {
		f |= 1 << 15
	}
	if s.cfg.privileged&IntentMessageContent != 0 {
		f |= 1 << 19
	}
	return f
}

func (s *Server) sortedGuilds() []string {
	var gs []string
	for g := range s.guilds {
		gs = append(gs, g)
	}
	slices.Sort(gs)
	return gs
}

func (s *Server) guildJSON(g string) map[string]any {
	channels := []any{}
	for ch, gid := range s.channels {
		if gid == g {
			channels = append(channels, map[string]any{
				"id": ch, "type": 0, "guild_id": g, "name": "channel-" + ch,
				"position": 0, "permission_overwrites": []any{},
			})
		}
	}
	slices.SortFunc(channels, func(a, b any) int {
		return bytes.Compare([]byte(a.(map[string]any)["id"].(string)), []byte(b.(map[string]any)["id"].(string)))
	})
	everyone := map[string]any{
		"id": g, "name": "@everyone", "permissions": "1071698660929", "position": 0,
		"color": 0, "hoist": false, "managed": false, "mentionable": false, "flags": 0,
	}
	return map[string]any{
		"id": g, "name": "Guild " + g, "unavailable": false, "owner_id": "1",
		"member_count": 2, "large": false, "joined_at": s.now().UTC().Format(discordTime),
		"roles": []any{everyone}, "channels": channels, "members": []any{}, "threads": []any{},
		"voice_states": []any{}, "presences": []any{}, "emojis": []any{}, "stickers": []any{},
		"features": []any{}, "preferred_locale": "en-US", "stage_instances": []any{},
		"guild_scheduled_events": []any{},
	}
}

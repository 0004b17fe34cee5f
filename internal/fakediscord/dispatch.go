package fakediscord

import (
	"encoding/json"
	"testing"
)

// event is one dispatch on its way to the session.
type event struct {
	name    string
	data    map[string]any
	intents int64 // the session needs one of these to receive it; 0 = always
	content bool  // message content, blanked without MESSAGE_CONTENT
}

// GatewayStats counts what happened on the gateway, for tests to wait on.
type GatewayStats struct {
	Connections     int  // websocket connections accepted
	Identifies      int  // successful IDENTIFYs (each answered READY)
	Resumes         int  // successful RESUMEs (each answered RESUMED)
	Heartbeats      int  // op 1 received
	InvalidSessions int  // op 9 sent for a RESUME that could not continue
	Reconnects      int  // op 7 sent by SendReconnect
	Drops           int  // DropGateway calls
	Dispatched      int  // dispatches sequenced (delivered or kept for RESUME)
	Live            bool // a connection currently carries the session
	SessionID       string
	Seq             int64 // last sequence number used
	Intents         int64 // intents of the current session
}

// dispatchLocked sequences an event for the session and sends it if a
// connection is up; otherwise it waits in the backlog for RESUME. Events
// before the first IDENTIFY wait for READY.
func (s *Server) dispatchLocked(ev event) {
	sess := s.gw.sess
	if sess == nil {
		if len(s.gw.pending) < backlogMax {
			s.gw.pending = append(s.gw.pending, ev)
		}
		return
	}
	if ev.intents != 0 && sess.intents&ev.intents == 0 {
		return // Discord does not send events the bot did not subscribe to
	}
	data := ev.data
	if ev.content && sess.intents&IntentMessageContent == 0 {
		data = withoutContent(data)
	}
	sess.seq++
	b, _ := json.Marshal(map[string]any{"op": 0, "t": ev.name, "s": sess.seq, "d": data})
	sess.backlog = append(sess.backlog, seqFrame{seq: sess.seq, data: b})
	if len(sess.backlog) > backlogMax {
		sess.backlog = sess.backlog[len(sess.backlog)-backlogMax:]
	}
	if sess.conn != nil {
		sess.conn.enqueue(frame{data: b})
	}
	s.gw.stats.Dispatched++
	s.changedLocked()
}

// withoutContent is what a bot without MESSAGE_CONTENT sees of a message.
func withoutContent(d map[string]any) map[string]any {
	out := make(map[string]any, len(d))
	for k, v := range d {
		out[k] = v
	}
	out["content"], out["embeds"], out["attachments"], out["components"] = "", []any{}, []any{}, []any{}
	delete(out, "poll")
	return out
}

// DispatchEvent sends any gateway event as is (after READY), for events
// the helpers below do not cover. It is delivered whatever the intents.
func (s *Server) DispatchEvent(name string, data map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dispatchLocked(event{name: name, data: data})
}

// UserMessage is a message a person posts, for DispatchMessageCreate.
type UserMessage struct {
	GuildID     string // "" for a DM
	ChannelID   string
	AuthorID    string
	Username    string
	Roles       []string
	Content     string
	MentionsBot bool // the bot is mentioned, so it sees content even without MESSAGE_CONTENT
}

// DispatchMessageCreate stores a user's message and sends MESSAGE_CREATE,
// filtered by intents as Discord does: guild messages need GUILD_MESSAGES,
// DMs DIRECT_MESSAGES, and the text needs MESSAGE_CONTENT unless it is a
// DM or mentions the bot.
func (s *Server) DispatchMessageCreate(m UserMessage) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.channels[m.ChannelID]; !ok {
		s.channels[m.ChannelID] = m.GuildID
	}
	name := m.Username
	if name == "" {
		name = "user" + m.AuthorID
	}
	st := s.newMessageLocked(m.ChannelID, map[string]any{"content": m.Content}, nil)
	st.pub.AuthorID, st.pub.GuildID, st.authorName, st.authorBot = m.AuthorID, m.GuildID, name, false
	data := s.messageJSON(st)
	ev := event{name: "MESSAGE_CREATE", data: data, intents: IntentDirectMessages}
	if m.GuildID != "" {
		data["guild_id"] = m.GuildID
		data["member"] = memberJSON(m.Roles, s.now())
		ev.intents, ev.content = IntentGuildMessages, !m.MentionsBot
	}
	if m.MentionsBot {
		data["mentions"] = []any{userJSON(s.cfg.botUserID, s.cfg.botName, true)}
	}
	s.dispatchLocked(ev)
	return st.pub
}

// DropGateway cuts every gateway connection without a close frame, as a
// network failure would, so the client must reconnect and RESUME.
func (s *Server) DropGateway() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.gw.conns {
		c.kill()
	}
	if s.gw.sess != nil {
		s.gw.sess.conn = nil
	}
	s.gw.stats.Drops++
	s.changedLocked()
}

// SendReconnect sends op 7 RECONNECT on the live connection; it reports
// false when no connection is up.
func (s *Server) SendReconnect() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gw.sess == nil || s.gw.sess.conn == nil {
		return false
	}
	s.gw.sess.conn.enqueue(opFrame(7, nil))
	s.gw.stats.Reconnects++
	s.changedLocked()
	return true
}

// GatewayStats returns the gateway counters now.
func (s *Server) GatewayStats() GatewayStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.statsLocked()
}

func (s *Server) statsLocked() GatewayStats {
	st := s.gw.stats
	if sess := s.gw.sess; sess != nil {
		st.Live, st.SessionID, st.Seq, st.Intents = sess.conn != nil, sess.id, sess.seq, sess.intents
	}
	return st
}

// WaitGateway waits until cond holds for the gateway counters.
func (s *Server) WaitGateway(t testing.TB, cond func(GatewayStats) bool) GatewayStats {
	t.Helper()
	var st GatewayStats
	s.waitFor(t, waitTimeout, "a gateway condition", func() bool {
		st = s.statsLocked()
		return cond(st)
	})
	return st
}

// WaitReady waits until a client has identified and its connection is up.
func (s *Server) WaitReady(t testing.TB) GatewayStats {
	t.Helper()
	return s.WaitGateway(t, func(g GatewayStats) bool { return g.Identifies > 0 && g.Live })
}

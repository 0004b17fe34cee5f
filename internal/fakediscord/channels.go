package fakediscord

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

// discordTime is the timestamp layout Discord uses in payloads.
const discordTime = "2006-01-02T15:04:05.000000+00:00"

func (s *Server) postChannelMessage(c *call) reply {
	if _, ok := s.channels[c.args[0]]; !ok {
		return errUnknownChannel
	}
	body, bad := c.object()
	if bad != nil {
		return *bad
	}
	var k checker
	s.checkMessageLocked(&k, nil, body, channelFlags)
	if big := checkFilesUpTo(&k, c.files, s.uploadLimitLocked(c.args[0])); big != nil {
		return *big
	}
	if !k.ok() {
		return k.reply()
	}
	if emptyMessage(body, len(c.files)) {
		return errEmptyMessage
	}
	m := s.newMessageLocked(c.args[0], body, c.files)
	s.echoLocked(m)
	return reply{status: http.StatusOK, body: s.messageJSON(m)}
}

// channelMessage finds a live message in the channel of the route.
func (s *Server) channelMessage(c *call) (*storedMsg, *reply) {
	if _, ok := s.channels[c.args[0]]; !ok {
		return nil, &errUnknownChannel
	}
	m, ok := s.messages[c.args[1]]
	// Ephemeral messages live only in their interaction: the channel
	// routes do not see them, as on Discord.
	if !ok || m.pub.Deleted || m.pub.ChannelID != c.args[0] || m.pub.Ephemeral() {
		return nil, &errUnknownMessage
	}
	return m, nil
}

func (s *Server) getChannelMessage(c *call) reply {
	m, bad := s.channelMessage(c)
	if bad != nil {
		return *bad
	}
	return reply{status: http.StatusOK, body: s.messageJSON(m)}
}

func (s *Server) patchChannelMessage(c *call) reply {
	m, bad := s.channelMessage(c)
	if bad != nil {
		return *bad
	}
	if m.pub.AuthorID != s.cfg.botUserID {
		return errNotAuthor
	}
	return s.editLocked(c, m, nil, channelFlags)
}

func (s *Server) deleteChannelMessage(c *call) reply {
	m, bad := s.channelMessage(c)
	if bad != nil {
		return *bad
	}
	m.pub.Deleted = true
	return reply{status: http.StatusNoContent}
}

// editLocked validates and applies a message edit at base (nil for REST
// edits, ["data"] for an update-message callback) and answers the message.
func (s *Server) editLocked(c *call, m *storedMsg, base []string, flags int64) reply {
	edit, bad := c.object()
	if bad != nil {
		return *bad
	}
	if base != nil {
		edit, _ = edit["data"].(map[string]any)
	}
	var k checker
	s.checkMessageLocked(&k, base, edit, flags)
	checkVisibilityKept(&k, base, edit, m)
	if big := checkFiles(&k, c.files); big != nil {
		return *big
	}
	if !k.ok() {
		return k.reply()
	}
	if emptyMessage(m.editedFields(edit), len(m.keptFiles(edit))+len(c.files)) {
		return errEmptyMessage
	}
	s.applyEditLocked(m, edit, c.files)
	return reply{status: http.StatusOK, body: s.messageJSON(m)}
}

// checkMessageLocked is checkMessage plus the rules the test chose with
// options (WithPingsRefused).
func (s *Server) checkMessageLocked(k *checker, base []string, m map[string]any, allowedFlags int64) {
	checkMessage(k, base, m, allowedFlags)
	if s.cfg.refusePings {
		checkNoPings(k, base, m, s.cfg.pingRole)
	}
}

// checkVisibilityKept refuses an edit whose flags would make a message
// ephemeral or public: Discord fixes that when the message (or the deferral
// it fills) is created and never changes it, so a bot that tries believes
// something false about who sees its answer.
func checkVisibilityKept(k *checker, base []string, edit map[string]any, m *storedMsg) {
	flags, ok := edit["flags"].(json.Number)
	if !ok {
		return
	}
	n, err := flags.Int64()
	if err == nil && n&FlagEphemeral != int64(m.pub.Flags&FlagEphemeral) {
		k.add(sub(base, "flags"), "MESSAGE_FLAGS_INVALID", "The ephemeral flag cannot be changed once the message exists.")
	}
}

// messageJSON renders a stored message the way Discord's REST API does.
func (s *Server) messageJSON(m *storedMsg) map[string]any {
	out := map[string]any{
		"id": m.pub.ID, "type": m.kind, "channel_id": m.pub.ChannelID,
		"author":  userJSON(m.pub.AuthorID, m.authorName, m.authorBot),
		"content": "", "timestamp": m.pub.Time.UTC().Format(discordTime),
		"edited_timestamp": nil, "tts": false, "mention_everyone": false,
		"mentions": []any{}, "mention_roles": []any{}, "attachments": s.attachmentsJSON(m),
		"embeds": []any{}, "components": []any{}, "pinned": false, "flags": 0,
	}
	for _, k := range []string{"content", "embeds", "components", "flags", "tts", "poll", "message_reference"} {
		if v, ok := m.fields[k]; ok && v != nil {
			out[k] = v
		}
	}
	if !m.edited.IsZero() {
		out["edited_timestamp"] = m.edited.UTC().Format(discordTime)
	}
	if m.webhook {
		out["webhook_id"], out["application_id"] = s.cfg.appID, s.cfg.appID
	}
	return out
}

func (s *Server) attachmentsJSON(m *storedMsg) []any {
	out := []any{}
	for i, f := range m.pub.Files {
		id := m.attachIDs[i]
		url := "https://cdn.discordapp.com/attachments/" + m.pub.ChannelID + "/" + id + "/" + f.Name
		out = append(out, map[string]any{
			"id": id, "filename": f.Name, "size": len(f.Data), "url": url, "proxy_url": url,
			"content_type": f.ContentType,
		})
	}
	return out
}

// userJSON is a partial user object as Discord embeds it in payloads.
func userJSON(id, name string, bot bool) map[string]any {
	u := map[string]any{
		"id": id, "username": name, "discriminator": "0", "global_name": nil,
		"avatar": nil, "public_flags": 0,
	}
	if bot {
		u["bot"] = true
	}
	return u
}

// echoLocked sends MESSAGE_CREATE for a message the bot posted, as Discord
// does: a relay that reads its channel sees its own messages and must
// ignore them.
func (s *Server) echoLocked(m *storedMsg) {
	data := s.messageJSON(m)
	ev := event{name: "MESSAGE_CREATE", data: data, intents: IntentDirectMessages}
	if m.pub.GuildID != "" {
		data["guild_id"] = m.pub.GuildID
		ev.intents = IntentGuildMessages
	}
	s.dispatchLocked(ev)
}

// expired reports whether more than d passed since then on the fake clock.
func expired(now, then time.Time, d time.Duration) bool { return now.Sub(then) > d }

// putOwnReaction adds the bot's reaction. Discord answers 204, and 10014
// Unknown Emoji for an empty or malformed one.
func (s *Server) putOwnReaction(c *call) reply {
	m, bad := s.channelMessage(c)
	if bad != nil {
		return *bad
	}
	emoji := c.args[2]
	if emoji == "" || strings.ContainsAny(emoji, " /") {
		return errReply(http.StatusBadRequest, 10014, "Unknown Emoji")
	}
	if !slices.Contains(m.pub.Reactions, emoji) {
		m.pub.Reactions = append(m.pub.Reactions, emoji)
	}
	return reply{status: http.StatusNoContent}
}

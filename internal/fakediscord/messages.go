package fakediscord

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Message is a message as the fake holds it: what the bot (or a dispatched
// user) posted, after every edit. Slices are shared with the store: read,
// don't modify.
type Message struct {
	ID            string
	ChannelID     string
	GuildID       string // "" in DMs
	AuthorID      string // the bot's user ID for everything the bot sent
	InteractionID string // set for interaction responses and follow-ups
	Content       string
	Flags         int
	Embeds        []*discordgo.MessageEmbed
	Components    []discordgo.MessageComponent
	// AllowedMentions is nil when the bot sent none: then Discord pings
	// whoever the text mentions.
	AllowedMentions *discordgo.MessageAllowedMentions
	Files           []File
	Edits           int
	Deleted         bool
	// Reactions lists the emoji the bot reacted with, in order.
	Reactions []string
	Payload   json.RawMessage // the message fields as last set, as JSON
	Time      time.Time       // fake clock at creation
}

// Ephemeral tells whether only the interaction's user sees the message.
func (m Message) Ephemeral() bool { return m.Flags&FlagEphemeral != 0 }

// PingsNobody tells whether the message was sent with allowed_mentions
// that suppress every ping ({"parse": []} and no user or role IDs).
func (m Message) PingsNobody() bool {
	a := m.AllowedMentions
	return a != nil && len(a.Parse) == 0 && len(a.Users) == 0 && len(a.Roles) == 0 && !a.RepliedUser
}

// PingsOnlyRole tells whether the message's allowed_mentions let it ping
// role and nothing else ({"parse": [], "roles": [role]}).
func (m Message) PingsOnlyRole(role string) bool {
	a := m.AllowedMentions
	return a != nil && len(a.Parse) == 0 && len(a.Users) == 0 && !a.RepliedUser &&
		len(a.Roles) == 1 && a.Roles[0] == role
}

// CustomIDs lists the custom IDs of the message's buttons and menus.
func (m Message) CustomIDs() []string {
	var ids []string
	for id := range rawComponents(m.Payload) {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// msgKeys are the fields a bot may set on a message; anything else in a
// body (discordgo sends "ID" and "Channel" on edits) is ignored, as Discord
// ignores it.
var msgKeys = []string{"content", "embeds", "components", "flags", "allowed_mentions", "tts", "poll", "sticker_ids", "message_reference"}

// storedMsg is the store's record: the public view plus what rendering
// the message back as Discord JSON needs.
type storedMsg struct {
	pub        Message
	fields     map[string]any
	attachIDs  []string // parallel to pub.Files
	kind       int      // Discord message type: 0 default, 20 chat input command
	webhook    bool     // sent through an interaction webhook
	authorName string
	authorBot  bool
	edited     time.Time
}

// newMessageLocked stores a message the bot sends.
func (s *Server) newMessageLocked(channelID string, body map[string]any, files []File) *storedMsg {
	m := &storedMsg{fields: map[string]any{}, authorName: s.cfg.botName, authorBot: true}
	m.pub.ID = s.snowflakeLocked()
	m.pub.ChannelID = channelID
	m.pub.GuildID = s.channels[channelID]
	m.pub.AuthorID = s.cfg.botUserID
	m.pub.Time = s.now()
	for _, k := range msgKeys {
		if v, ok := body[k]; ok {
			m.fields[k] = v
		}
	}
	s.addFilesLocked(m, files)
	m.refresh()
	if s.cfg.noBodies {
		m.fields, m.pub.Payload, m.pub.Content = map[string]any{}, nil, ""
		for i := range m.pub.Files {
			m.pub.Files[i].Data = nil
		}
	}
	s.messages[m.pub.ID] = m
	s.order = append(s.order, m.pub.ID)
	if s.cfg.noBodies && len(s.order) > keptWithoutBodies {
		delete(s.messages, s.order[0])
		s.order = s.order[1:]
	}
	return m
}

// keptWithoutBodies is how many messages WithoutBodies keeps, newest.
const keptWithoutBodies = 1000

func (s *Server) addFilesLocked(m *storedMsg, files []File) {
	for _, f := range files {
		m.pub.Files = append(m.pub.Files, f)
		m.attachIDs = append(m.attachIDs, s.snowflakeLocked())
	}
}

// editedFields returns the fields after applying edit, without storing.
// allowed_mentions is not kept from earlier requests: Discord reads it from
// each request, and an edit without it parses mentions by default.
func (m *storedMsg) editedFields(edit map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m.fields {
		out[k] = v
	}
	delete(out, "allowed_mentions")
	for _, k := range msgKeys {
		if v, ok := edit[k]; ok {
			out[k] = v
		}
	}
	return out
}

// keptFiles counts the attachments an edit keeps: with an "attachments"
// list only those named, otherwise all.
func (m *storedMsg) keptFiles(edit map[string]any) []int {
	list, ok := edit["attachments"].([]any)
	keep := []int{}
	for i, id := range m.attachIDs {
		if !ok || listsID(list, id) {
			keep = append(keep, i)
		}
	}
	return keep
}

func listsID(list []any, id string) bool {
	for _, a := range list {
		if o, _ := a.(map[string]any); o != nil && o["id"] == id {
			return true
		}
	}
	return false
}

// applyEditLocked stores a validated edit.
func (s *Server) applyEditLocked(m *storedMsg, edit map[string]any, files []File) {
	keep := m.keptFiles(edit)
	var ids []string
	var kept []File
	for _, i := range keep {
		ids, kept = append(ids, m.attachIDs[i]), append(kept, m.pub.Files[i])
	}
	m.attachIDs, m.pub.Files = ids, kept
	m.fields = m.editedFields(edit)
	s.addFilesLocked(m, files)
	m.pub.Edits++
	m.edited = s.now()
	m.refresh()
}

// refresh rebuilds the typed view from the raw fields, letting discordgo
// decode embeds and components exactly as a bot would read them back.
func (m *storedMsg) refresh() {
	raw, _ := json.Marshal(m.fields)
	m.pub.Payload = raw
	var dm discordgo.Message
	_ = json.Unmarshal(raw, &dm)
	m.pub.Content, m.pub.Flags = dm.Content, int(dm.Flags)
	m.pub.Embeds, m.pub.Components = dm.Embeds, dm.Components
	m.pub.AllowedMentions = nil
	if am, ok := m.fields["allowed_mentions"]; ok && am != nil {
		b, _ := json.Marshal(am)
		m.pub.AllowedMentions = &discordgo.MessageAllowedMentions{}
		_ = json.Unmarshal(b, m.pub.AllowedMentions)
	}
}

// rawComponents maps custom_id to its component object, walking rows.
func rawComponents(payload json.RawMessage) map[string]map[string]any {
	var v struct {
		Components []struct {
			Components []map[string]any `json:"components"`
		} `json:"components"`
	}
	_ = json.Unmarshal(payload, &v)
	out := map[string]map[string]any{}
	for _, row := range v.Components {
		for _, c := range row.Components {
			if id, _ := c["custom_id"].(string); id != "" {
				out[id] = c
			}
		}
	}
	return out
}

// Messages returns the channel's messages that are not deleted, oldest
// first: what the bot posted there and what tests dispatched as users.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, id := range s.order {
		if m := s.messages[id]; m.pub.ChannelID == channelID && !m.pub.Deleted {
			out = append(out, m.pub)
		}
	}
	return out
}

// Message returns one message by ID, deleted ones included.
func (s *Server) Message(id string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[id]
	if !ok {
		return Message{}, false
	}
	return m.pub, true
}

// WaitMessages waits until the channel holds at least n live messages and
// returns them.
func (s *Server) WaitMessages(t testing.TB, channelID string, n int) []Message {
	t.Helper()
	s.waitFor(t, waitTimeout, "messages in channel "+channelID, func() bool {
		count := 0
		for _, id := range s.order {
			if m := s.messages[id]; m.pub.ChannelID == channelID && !m.pub.Deleted {
				count++
			}
		}
		return count >= n
	})
	return s.Messages(channelID)
}

// DeleteMessage deletes a message as a moderator would in the client: the
// bot hears nothing, and its next edit of it gets 404 Unknown Message. It
// reports whether there was a live message to delete.
func (s *Server) DeleteMessage(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[id]
	if !ok || m.pub.Deleted {
		return false
	}
	m.pub.Deleted = true
	s.changedLocked()
	return true
}

package fakediscord

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

const (
	callbackDeadline = 3 * time.Second
	tokenLifetime    = 15 * time.Minute
	flagLoading      = 1 << 7 // Discord marks a deferred response "thinking"
)

// allowedCallbacks lists the callback types Discord accepts per
// interaction type.
var allowedCallbacks = map[discordgo.InteractionType][]int64{
	discordgo.InteractionApplicationCommand:             {4, 5, 9},
	discordgo.InteractionMessageComponent:               {4, 5, 6, 7, 9},
	discordgo.InteractionApplicationCommandAutocomplete: {8},
	discordgo.InteractionModalSubmit:                    {4, 5, 6, 7},
}

// postCallback is the one initial response: known interaction, matching
// token, within 3 seconds, once, of an allowed type, with a valid body.
func (s *Server) postCallback(c *call) reply {
	in := s.interactions[c.args[0]]
	if in == nil || in.token != c.args[1] || expired(c.now, in.created, callbackDeadline) {
		return errUnknownInter
	}
	if in.acked {
		return errAlreadyAcked
	}
	body, bad := c.object()
	if bad != nil {
		return *bad
	}
	var k checker
	typ, _ := integer(&k, []string{"type"}, body["type"])
	if k.ok() && !slices.Contains(allowedCallbacks[in.typ], typ) {
		k.add([]string{"type"}, "INTERACTION_CALLBACK_TYPE_INVALID", "Value must be one of "+fmtTypes(allowedCallbacks[in.typ])+" for this interaction.")
	}
	if !k.ok() {
		return k.reply()
	}
	rep := s.callbackLocked(c, in, typ, body)
	if rep.status >= 300 {
		return rep
	}
	in.acked, in.ackType = true, typ
	return reply{status: http.StatusNoContent}
}

func fmtTypes(ts []int64) string {
	out := "("
	for i, t := range ts {
		if i > 0 {
			out += ", "
		}
		out += strconv.FormatInt(t, 10)
	}
	return out + ")"
}

func (s *Server) callbackLocked(c *call, in *interaction, typ int64, body map[string]any) reply {
	data, _ := body["data"].(map[string]any)
	switch typ {
	case 4:
		return s.respondMessageLocked(c, in, data)
	case 5:
		return s.deferLocked(in, data)
	case 6:
		if rep := checkDeferredUpdate(data); rep.status != 0 {
			return rep
		}
		in.originalID = in.messageID
	case 7:
		m := s.messages[in.messageID]
		if m == nil || m.pub.Deleted {
			return errUnknownMessage
		}
		in.originalID = in.messageID
		return s.editLocked(c, m, []string{"data"}, interactionFlags)
	case 8:
		return checkAutocomplete(data)
	case 9:
		return checkModal(data)
	}
	return reply{status: http.StatusNoContent}
}

// respondMessageLocked creates the original response message.
func (s *Server) respondMessageLocked(c *call, in *interaction, data map[string]any) reply {
	var k checker
	if data == nil {
		data = map[string]any{}
	}
	s.checkMessageLocked(&k, []string{"data"}, data, interactionFlags)
	if big := checkFiles(&k, c.files); big != nil {
		return *big
	}
	if !k.ok() {
		return k.reply()
	}
	if emptyMessage(data, len(c.files)) {
		return errEmptyMessage
	}
	m := s.interactionMessageLocked(in, data, c.files)
	in.originalID = m.pub.ID
	if !m.pub.Ephemeral() {
		s.echoLocked(m)
	}
	return reply{status: http.StatusNoContent}
}

// interactionMessageLocked stores a message sent through the interaction.
func (s *Server) interactionMessageLocked(in *interaction, data map[string]any, files []File) *storedMsg {
	m := s.newMessageLocked(in.channelID, data, files)
	m.pub.InteractionID, m.webhook = in.id, true
	if in.typ == discordgo.InteractionApplicationCommand {
		m.kind = 20 // CHAT_INPUT_COMMAND
	}
	return m
}

// deferLocked shows "thinking": a placeholder original that the first
// follow-up or an edit of @original fills. Only the ephemeral flag counts.
func (s *Server) deferLocked(in *interaction, data map[string]any) reply {
	var k checker
	flags, _ := integer(&k, []string{"data", "flags"}, data["flags"])
	if flags&^(FlagEphemeral|FlagSuppressNotifications) != 0 {
		k.add([]string{"data", "flags"}, "MESSAGE_FLAGS_INVALID", "Invalid flags")
	}
	if !k.ok() {
		return k.reply()
	}
	m := s.interactionMessageLocked(in, map[string]any{"flags": flags | flagLoading}, nil)
	in.originalID, in.deferred = m.pub.ID, true
	return reply{status: http.StatusNoContent}
}

// checkDeferredUpdate refuses an ephemeral flag on a type 6: the clicked
// message is updated later as it is, public or not, and Discord ignores the
// flag, so a bot sending it believes its answer is private when it is not.
func checkDeferredUpdate(data map[string]any) reply {
	var k checker
	flags, _ := integer(&k, []string{"data", "flags"}, data["flags"])
	if flags&FlagEphemeral != 0 {
		k.add([]string{"data", "flags"}, "MESSAGE_FLAGS_INVALID", "A deferred update cannot be ephemeral: it keeps the clicked message's visibility.")
	}
	if !k.ok() {
		return k.reply()
	}
	return reply{}
}

func checkAutocomplete(data map[string]any) reply {
	var k checker
	choices := maxItems(&k, []string{"data", "choices"}, data["choices"], 25)
	for i, c := range choices {
		cp := []string{"data", "choices", strconv.Itoa(i)}
		o, ok := object(&k, cp, c)
		if !ok {
			continue
		}
		between(&k, sub(cp, "name"), o["name"], 1, 100)
		switch v := o["value"].(type) {
		case string:
			maxLen(&k, sub(cp, "value"), v, 100)
		case nil:
			k.add(sub(cp, "value"), "BASE_TYPE_REQUIRED", "This field is required")
		}
	}
	if data["choices"] == nil {
		k.add([]string{"data", "choices"}, "BASE_TYPE_REQUIRED", "This field is required")
	}
	if !k.ok() {
		return k.reply()
	}
	return reply{status: http.StatusNoContent}
}

func checkModal(data map[string]any) reply {
	var k checker
	between(&k, []string{"data", "custom_id"}, data["custom_id"], 1, 100)
	between(&k, []string{"data", "title"}, data["title"], 1, 45)
	rows, _ := array(&k, []string{"data", "components"}, data["components"])
	if len(rows) < 1 || len(rows) > 5 {
		k.add([]string{"data", "components"}, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
	}
	if !k.ok() {
		return k.reply()
	}
	return reply{status: http.StatusNoContent}
}

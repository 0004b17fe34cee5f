package fakediscord

import (
	"net/http"
	"slices"
	"testing"

	"github.com/bwmarrin/discordgo"
)

// webhookInteraction authenticates an interaction webhook route: our
// application, a known token younger than 15 minutes, already answered.
func (s *Server) webhookInteraction(c *call) (*interaction, *reply) {
	if c.args[0] != s.cfg.appID {
		return nil, &errUnknownWebhook
	}
	in := s.byToken[c.args[1]]
	if in == nil || expired(c.now, in.created, tokenLifetime) {
		return nil, &errWebhookToken
	}
	// An autocomplete answer is not a message: its token has nothing to
	// follow up or edit.
	if !in.acked || in.typ == discordgo.InteractionApplicationCommandAutocomplete {
		return nil, &errUnknownWebhook
	}
	return in, nil
}

// postFollowup sends a follow-up. Right after a deferred response the
// first follow-up fills the "thinking" original instead, as Discord does.
func (s *Server) postFollowup(c *call) reply {
	in, bad := s.webhookInteraction(c)
	if bad != nil {
		return *bad
	}
	body, bad := c.object()
	if bad != nil {
		return *bad
	}
	if in.deferred {
		return s.fillOriginalLocked(c, in)
	}
	var k checker
	s.checkMessageLocked(&k, nil, body, interactionFlags)
	if big := checkFiles(&k, c.files); big != nil {
		return *big
	}
	if !k.ok() {
		return k.reply()
	}
	if emptyMessage(body, len(c.files)) {
		return errEmptyMessage
	}
	m := s.interactionMessageLocked(in, body, c.files)
	in.followups = append(in.followups, m.pub.ID)
	if !m.pub.Ephemeral() {
		s.echoLocked(m)
	}
	return reply{status: http.StatusOK, body: s.messageJSON(m)}
}

// fillOriginalLocked puts the first content into the "thinking" original:
// the loading flag goes and the ephemeral choice made when deferring stays.
func (s *Server) fillOriginalLocked(c *call, in *interaction) reply {
	m := s.messages[in.originalID]
	before := m.pub.Flags
	rep := s.editLocked(c, m, nil, interactionFlags)
	if rep.status != http.StatusOK {
		return rep
	}
	m.fields["flags"] = before&FlagEphemeral | m.pub.Flags&^(FlagEphemeral|flagLoading)
	m.refresh()
	in.deferred = false
	if c.req.Method == http.MethodPost {
		in.followups = append(in.followups, m.pub.ID)
	}
	return reply{status: http.StatusOK, header: rep.header, body: s.messageJSON(m)}
}

// webhookTarget resolves @original or a follow-up ID of the interaction.
func (s *Server) webhookTarget(c *call) (*interaction, *storedMsg, *reply) {
	in, bad := s.webhookInteraction(c)
	if bad != nil {
		return nil, nil, bad
	}
	id := c.args[2]
	if id == "@original" {
		id = in.originalID
	} else if id != in.originalID && !slices.Contains(in.followups, id) {
		return nil, nil, &errUnknownMessage
	}
	m := s.messages[id]
	if m == nil || m.pub.Deleted {
		return nil, nil, &errUnknownMessage
	}
	return in, m, nil
}

func (s *Server) getWebhookMessage(c *call) reply {
	_, m, bad := s.webhookTarget(c)
	if bad != nil {
		return *bad
	}
	return reply{status: http.StatusOK, body: s.messageJSON(m)}
}

func (s *Server) patchWebhookMessage(c *call) reply {
	in, m, bad := s.webhookTarget(c)
	if bad != nil {
		return *bad
	}
	if in.deferred && m.pub.ID == in.originalID {
		return s.fillOriginalLocked(c, in)
	}
	return s.editLocked(c, m, nil, interactionFlags)
}

func (s *Server) deleteWebhookMessage(c *call) reply {
	in, m, bad := s.webhookTarget(c)
	if bad != nil {
		return *bad
	}
	m.pub.Deleted = true
	if m.pub.ID == in.originalID {
		in.deferred = false
	}
	return reply{status: http.StatusNoContent}
}

// Pending is a dispatched interaction, for waiting on the bot's answers.
type Pending struct {
	s     *Server
	ID    string
	Token string
}

// Response waits for the bot's first callback for this interaction
// (whatever status the fake answered) and returns it.
func (p *Pending) Response(t testing.TB) Request {
	t.Helper()
	prefix := "/interactions/" + p.ID + "/"
	return p.s.WaitRequest(t, waitTimeout, func(r Request) bool {
		return r.Route == "/interactions/{}/{}/callback" && len(r.Path) > len(prefix) && r.Path[:len(prefix)] == prefix
	})
}

// Acknowledged tells whether a callback was accepted, and its type.
func (p *Pending) Acknowledged() (bool, int) {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	in := p.s.interactions[p.ID]
	return in.acked, int(in.ackType)
}

// Original returns the message @original refers to: the response message,
// the "thinking" placeholder, or for type 6/7 the clicked message.
func (p *Pending) Original() (Message, bool) {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	m := p.s.messages[p.s.interactions[p.ID].originalID]
	if m == nil {
		return Message{}, false
	}
	return m.pub, true
}

// Followups returns the follow-up messages in order; after a deferred
// response the first one is the filled original.
func (p *Pending) Followups() []Message {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	var out []Message
	for _, id := range p.s.interactions[p.ID].followups {
		out = append(out, p.s.messages[id].pub)
	}
	return out
}

// WaitOriginal waits until @original exists and cond accepts it.
func (p *Pending) WaitOriginal(t testing.TB, cond func(Message) bool) Message {
	t.Helper()
	var got Message
	p.s.waitFor(t, waitTimeout, "the original response of interaction "+p.ID, func() bool {
		m := p.s.messages[p.s.interactions[p.ID].originalID]
		if m == nil || !cond(m.pub) {
			return false
		}
		got = m.pub
		return true
	})
	return got
}

// WaitFollowups waits until at least n follow-ups exist and returns them.
func (p *Pending) WaitFollowups(t testing.TB, n int) []Message {
	t.Helper()
	p.s.waitFor(t, waitTimeout, "follow-ups of interaction "+p.ID, func() bool {
		return len(p.s.interactions[p.ID].followups) >= n
	})
	return p.Followups()
}

package fakediscord

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Actor is who triggers an interaction and where. With GuildID set the
// payload carries member (user, roles, permissions); with GuildID empty it
// is a DM and carries user only, like Discord's.
type Actor struct {
	GuildID     string
	ChannelID   string
	UserID      string
	Username    string   // default "user<UserID>"
	Roles       []string // role IDs, guild only
	Permissions int64    // the member's permissions in the channel, guild only
}

// Arg is one option the user filled in, checked against the registered
// command when dispatched; the option type comes from the registration.
type Arg struct {
	Name    string
	Value   any   // string, int, int64, float64, bool; snowflake strings for users, channels, roles
	Focused bool  // the option being typed, for Autocomplete
	Args    []Arg // for a sub-command or group
}

// Value fills option name with v.
func Value(name string, v any) Arg { return Arg{Name: name, Value: v} }

// Focus marks option name as being typed, with what was typed so far.
func Focus(name, partial string) Arg { return Arg{Name: name, Value: partial, Focused: true} }

// Sub picks a sub-command (or group) with its own options.
func Sub(name string, args ...Arg) Arg { return Arg{Name: name, Args: args} }

// Interaction is a built but not yet dispatched interaction. ID and Token
// are fixed at build time so tests can refer to them.
type Interaction struct {
	ID     string
	Token  string
	Type   discordgo.InteractionType
	Actor  Actor
	Locale string // the user's client locale, default "en-US"

	name      string
	args      []Arg
	messageID string
	customID  string
	values    []string
}

func (s *Server) newInteraction(t discordgo.InteractionType, a Actor) *Interaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a.Username == "" {
		a.Username = "user" + a.UserID
	}
	return &Interaction{ID: s.snowflakeLocked(), Token: "aW50ZXJhY3Rpb246" + randHex(32), Type: t, Actor: a, Locale: "en-US"}
}

// Command builds a slash-command interaction for the registered command name.
func (s *Server) Command(a Actor, name string, args ...Arg) *Interaction {
	i := s.newInteraction(discordgo.InteractionApplicationCommand, a)
	i.name, i.args = name, args
	return i
}

// Autocomplete builds an autocomplete interaction; exactly one Arg must be
// Focus()ed on an option registered with autocomplete.
func (s *Server) Autocomplete(a Actor, name string, args ...Arg) *Interaction {
	i := s.newInteraction(discordgo.InteractionApplicationCommandAutocomplete, a)
	i.name, i.args = name, args
	return i
}

// Button builds a click on the button customID of message messageID, which
// must exist, carry that enabled button and be visible to the actor.
func (s *Server) Button(a Actor, messageID, customID string) *Interaction {
	i := s.newInteraction(discordgo.InteractionMessageComponent, a)
	i.messageID, i.customID = messageID, customID
	return i
}

// Select builds a choice in the select menu customID of message messageID.
func (s *Server) Select(a Actor, messageID, customID string, values ...string) *Interaction {
	i := s.Button(a, messageID, customID)
	i.values = append([]string{}, values...)
	return i
}

// interaction is the server's record of a dispatched interaction.
type interaction struct {
	id, token  string
	typ        discordgo.InteractionType
	created    time.Time
	channelID  string
	userID     string
	messageID  string // the clicked message, for components
	acked      bool
	ackType    int64
	originalID string
	deferred   bool // acked with type 5 and the original not filled yet
	followups  []string
}

// Dispatch validates i as Discord would (registered command, option
// types, required options, default_member_permissions, clickable button)
// and sends INTERACTION_CREATE, failing t if Discord could never send it.
func (s *Server) Dispatch(t testing.TB, i *Interaction) *Pending {
	t.Helper()
	s.mu.Lock()
	payload, err := s.interactionPayloadLocked(i)
	if err != nil {
		s.mu.Unlock()
		t.Fatalf("fakediscord: Discord would not send this interaction: %v", err)
		return nil
	}
	rec := &interaction{id: i.ID, token: i.Token, typ: i.Type, created: s.now(),
		channelID: payload["channel_id"].(string), userID: i.Actor.UserID, messageID: i.messageID}
	s.interactions[i.ID], s.byToken[i.Token] = rec, rec
	s.dispatchLocked(event{name: "INTERACTION_CREATE", data: payload})
	s.mu.Unlock()
	return &Pending{s: s, ID: i.ID, Token: i.Token}
}

func (s *Server) interactionPayloadLocked(i *Interaction) (map[string]any, error) {
	if _, dup := s.interactions[i.ID]; dup {
		return nil, fmt.Errorf("interaction %s was already dispatched; build a new one", i.ID)
	}
	if i.Actor.UserID == "" {
		return nil, fmt.Errorf("Actor.UserID is empty")
	}
	if i.Type == discordgo.InteractionMessageComponent {
		return s.componentPayloadLocked(i)
	}
	return s.commandPayloadLocked(i)
}

// basePayload holds the fields every interaction carries.
func (s *Server) basePayload(i *Interaction, guildID, channelID string) (map[string]any, error) {
	if guildID != "" && !s.guilds[guildID] {
		return nil, fmt.Errorf("the bot is not in guild %s (use WithGuild)", guildID)
	}
	if channelID == "" {
		return nil, fmt.Errorf("no channel: set Actor.ChannelID")
	}
	if _, ok := s.channels[channelID]; !ok {
		s.channels[channelID] = guildID
	}
	a := i.Actor
	p := map[string]any{
		"id": i.ID, "application_id": s.cfg.appID, "type": int(i.Type), "token": i.Token,
		"version": 1, "locale": i.Locale, "channel_id": channelID,
		"app_permissions": "1126174785006577", "entitlements": []any{}, "attachment_size_limit": maxAttachBytes,
	}
	if guildID == "" {
		p["user"] = userJSON(a.UserID, a.Username, false)
		p["context"], p["authorizing_integration_owners"] = 1, map[string]any{"0": a.UserID}
		p["channel"] = map[string]any{"id": channelID, "type": 1}
		return p, nil
	}
	member := memberJSON(a.Roles, s.now())
	member["user"] = userJSON(a.UserID, a.Username, false)
	member["permissions"] = fmt.Sprint(a.Permissions)
	p["member"], p["guild_id"], p["guild_locale"] = member, guildID, "en-US"
	p["guild"] = map[string]any{"id": guildID, "locale": "en-US", "features": []any{}}
	p["context"], p["authorizing_integration_owners"] = 0, map[string]any{"0": guildID}
	p["channel"] = map[string]any{"id": channelID, "type": 0, "guild_id": guildID, "name": "channel-" + channelID}
	return p, nil
}

// memberJSON is a guild member object without its user.
func memberJSON(roles []string, now time.Time) map[string]any {
	rs := []any{}
	for _, r := range roles {
		rs = append(rs, r)
	}
	return map[string]any{
		"roles": rs, "joined_at": now.Add(-24 * time.Hour).UTC().Format(discordTime),
		"deaf": false, "mute": false, "flags": 0, "pending": false, "nick": nil, "avatar": nil,
		"premium_since": nil, "communication_disabled_until": nil,
	}
}

// componentPayloadLocked checks the clicked component exists, is enabled
// and visible to the actor, and builds the payload with the message.
func (s *Server) componentPayloadLocked(i *Interaction) (map[string]any, error) {
	m, ok := s.messages[i.messageID]
	if !ok || m.pub.Deleted {
		return nil, fmt.Errorf("message %s does not exist", i.messageID)
	}
	if err := s.checkClickable(i, m); err != nil {
		return nil, err
	}
	if (i.Actor.ChannelID != "" && i.Actor.ChannelID != m.pub.ChannelID) || (i.Actor.GuildID != "" && i.Actor.GuildID != m.pub.GuildID) {
		return nil, fmt.Errorf("message %s is in channel %s, not where the actor is", m.pub.ID, m.pub.ChannelID)
	}
	p, err := s.basePayload(i, m.pub.GuildID, m.pub.ChannelID)
	if err != nil {
		return nil, err
	}
	comp := rawComponents(m.pub.Payload)[i.customID]
	data := map[string]any{"custom_id": i.customID, "component_type": comp["type"]}
	if i.values != nil {
		data["values"] = i.values
	}
	p["data"], p["message"] = data, s.messageJSON(m)
	return p, nil
}

func (s *Server) checkClickable(i *Interaction, m *storedMsg) error {
	comp, ok := rawComponents(m.pub.Payload)[i.customID]
	if !ok {
		return fmt.Errorf("message %s has no component with custom_id %q (has %s)", m.pub.ID, i.customID, strings.Join(m.pub.CustomIDs(), ", "))
	}
	if d, _ := comp["disabled"].(bool); d {
		return fmt.Errorf("component %q is disabled", i.customID)
	}
	isButton := fmt.Sprint(comp["type"]) == "2"
	if isButton != (i.values == nil) {
		return fmt.Errorf("component %q is not a %s", i.customID, map[bool]string{true: "select menu", false: "button"}[isButton])
	}
	if in := s.interactions[m.pub.InteractionID]; m.pub.Ephemeral() && in != nil && in.userID != i.Actor.UserID {
		return fmt.Errorf("message %s is ephemeral: only user %s sees it", m.pub.ID, in.userID)
	}
	if !isButton {
		return checkSelectValues(comp, i.values)
	}
	return nil
}

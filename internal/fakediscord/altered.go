package fakediscord

import "testing"

// DispatchAltered builds the payload as Dispatch does, lets alter change it,
// and sends it; the interaction stays answerable. It stands for what Discord
// would not send today but a bot must still refuse cleanly: a forged or
// stale custom ID, a command used in a DM under an old registration, a
// payload missing its member.
func (s *Server) DispatchAltered(t testing.TB, i *Interaction, alter func(payload map[string]any)) *Pending {
	t.Helper()
	s.mu.Lock()
	payload, err := s.interactionPayloadLocked(i)
	if err != nil {
		s.mu.Unlock()
		t.Fatalf("fakediscord: cannot build the interaction to alter: %v", err)
		return nil
	}
	alter(payload)
	channelID, _ := payload["channel_id"].(string)
	rec := &interaction{id: i.ID, token: i.Token, typ: i.Type, created: s.now(),
		channelID: channelID, userID: i.Actor.UserID, messageID: i.messageID}
	s.interactions[i.ID], s.byToken[i.Token] = rec, rec
	s.dispatchLocked(event{name: "INTERACTION_CREATE", data: payload})
	s.mu.Unlock()
	return &Pending{s: s, ID: i.ID, Token: i.Token}
}

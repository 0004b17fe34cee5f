package fakediscord

import (
	"net/http"
	"slices"
)

// SetMember makes userID a member of guildID with roles (replacing the
// roles it had), as GET /guilds/{guild}/members/{user} will report it.
// Tests call it again to take a role away.
func (s *Server) SetMember(guildID, userID string, roles ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.members[guildID+"/"+userID] = slices.Clone(roles)
	s.changedLocked()
}

// RemoveMember makes userID leave guildID.
func (s *Server) RemoveMember(guildID, userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.members, guildID+"/"+userID)
	s.changedLocked()
}

// getMember is GET /guilds/{guild}/members/{user}: a guild the bot is in,
// a snowflake user, a member SetMember made; Discord's 10004 and 10007
// otherwise.
func (s *Server) getMember(c *call) reply {
	guildID, userID := c.args[0], c.args[1]
	if !s.guilds[guildID] {
		return errReply(http.StatusNotFound, 10004, "Unknown Guild")
	}
	if !snowflakeRE.MatchString(userID) {
		return errReply(http.StatusBadRequest, 50035, "Invalid Form Body")
	}
	roles, ok := s.members[guildID+"/"+userID]
	if !ok {
		return errReply(http.StatusNotFound, 10007, "Unknown Member")
	}
	return reply{status: http.StatusOK, body: map[string]any{
		"user":      map[string]any{"id": userID, "username": "user-" + userID},
		"roles":     append([]string{}, roles...),
		"joined_at": "2025-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false,
	}}
}

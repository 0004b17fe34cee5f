package fakediscord

import "net/http"

// getGateway answers GET /gateway; discordgo appends "/?v=9&encoding=json".
func (s *Server) getGateway(*call) reply {
	return reply{status: http.StatusOK, body: map[string]any{"url": s.GatewayURL()}}
}

func (s *Server) getGatewayBot(*call) reply {
	return reply{status: http.StatusOK, body: map[string]any{
		"url": s.GatewayURL(), "shards": 1,
		"session_start_limit": map[string]any{"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1},
	}}
}

func (s *Server) getMe(*call) reply {
	u := userJSON(s.cfg.botUserID, s.cfg.botName, true)
	u["verified"], u["mfa_enabled"], u["flags"], u["email"] = true, false, 0, nil
	return reply{status: http.StatusOK, body: u}
}

func (s *Server) getApplication(*call) reply {
	return reply{status: http.StatusOK, body: map[string]any{
		"id": s.cfg.appID, "name": s.cfg.botName, "description": "", "icon": nil,
		"bot_public": false, "bot_require_code_grant": false, "flags": s.appFlags(),
		"verify_key": "0000000000000000000000000000000000000000000000000000000000000000",
		"owner":      userJSON("1", "owner", false), "team": nil,
		"bot": userJSON(s.cfg.botUserID, s.cfg.botName, true),
	}}
}

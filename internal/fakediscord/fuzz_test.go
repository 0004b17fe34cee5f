package fakediscord

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzMessageBody posts arbitrary bodies to the message, callback and
// command routes: the fake must answer, never panic, and only accept
// JSON objects/arrays.
func FuzzMessageBody(f *testing.F) {
	seeds := []string{
		`{"content":"hi"}`,
		`{"embeds":[{"title":"t","fields":[{"name":"a","value":"b"}],"footer":{"text":"f"}}]}`,
		`{"components":[{"type":1,"components":[{"type":2,"style":1,"label":"x","custom_id":"a"}]}]}`,
		`{"components":[{"type":1,"components":[{"type":3,"custom_id":"s","options":[{"label":"a","value":"a"}],"max_values":2}]}]}`,
		`{"allowed_mentions":{"parse":["users"],"users":["1"]},"flags":4096}`,
		`{"type":4,"data":{"content":"x","flags":64}}`,
		`[{"name":"status","description":"d","options":[{"type":1,"name":"s","description":"d","options":[{"type":3,"name":"x","description":"d","choices":[{"name":"a","value":"a"}]}]}]}]`,
		`{"embeds":"x","components":[1,null,{}],"content":5}`,
		`null`, `[]`, `{`, ``,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s := New(t, WithGuild(testGuild), WithChannel(testGuild, testChannel), WithChannelBucket(1<<30, 1))
		for _, path := range []string{
			"/api/v10/channels/" + testChannel + "/messages",
			"/api/v10/applications/" + s.AppID() + "/guilds/" + testGuild + "/commands",
		} {
			method := http.MethodPost
			if bytes.HasPrefix(bytes.TrimSpace(body), []byte("[")) {
				method = http.MethodPut
			}
			req := httptest.NewRequest(method, path, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bot "+s.Token())
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			s.serve(w, req)
			if w.Code >= 500 {
				t.Fatalf("%s %s: status %d for %q", method, path, w.Code, body)
			}
		}
	})
}

// FuzzGatewayFrame feeds arbitrary client payloads to the gateway state
// machine: it must close or answer, never panic.
func FuzzGatewayFrame(f *testing.F) {
	for _, s := range []string{
		`{"op":1,"d":null}`,
		`{"op":2,"d":{"token":"Bot fake.bot.token-0123456789","intents":513,"properties":{}}}`,
		`{"op":2,"d":{"token":"x","intents":-1,"properties":{},"shard":[1,1]}}`,
		`{"op":6,"d":{"token":"Bot fake.bot.token-0123456789","session_id":"x","seq":"1"}}`,
		`{"op":3,"d":{}}`, `{"op":"2"}`, `[]`, `{`, `{"op":null}`,
	} {
		f.Add([]byte(s), []byte(`{"op":1}`))
	}
	f.Fuzz(func(t *testing.T, first, second []byte) {
		s := New(t, WithGuild(testGuild))
		c := &gwConn{out: make(chan frame, sendQueue), done: make(chan struct{})}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.handleFrameLocked(c, first)
		s.handleFrameLocked(c, second)
		s.dispatchLocked(event{name: "X", data: map[string]any{}})
		if len(c.out) == 0 && !c.closing {
			// Only heartbeats-free silence is allowed: op 3/4/8 after auth.
			if c.sess == nil {
				t.Fatalf("no answer to %q then %q", first, second)
			}
		}
	})
}

package shardlyn

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/jwtclaims"
	"github.com/panelbot/panelbot/internal/panel"
)

func jwtWith(payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256"}`)) + "." + enc([]byte(payload)) + ".sig"
}

func TestTokenLifetime(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	for _, tc := range []struct {
		name string
		tr   tokenResponse
		want time.Duration
	}{
		{"expires_in", tokenResponse{AccessToken: "opaque", ExpiresIn: 900}, 15 * time.Minute},
		{"jwt shorter wins", tokenResponse{AccessToken: jwtWith(`{"iat":1700000000,"exp":1700000600}`), ExpiresIn: 900}, 10 * time.Minute},
		{"jwt exp only", tokenResponse{AccessToken: jwtWith(`{"exp":1700000300}`)}, 5 * time.Minute},
		{"jwt exp without iat does not override expires_in", tokenResponse{AccessToken: jwtWith(`{"exp":1800000000}`), ExpiresIn: 60}, time.Minute},
	} {
		got, err := tokenLifetime(tc.tr, now)
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.want, got, tc.name)
	}
	_, err := tokenLifetime(tokenResponse{AccessToken: "opaque"}, now)
	assert.ErrorIs(t, err, panel.ErrBadResponse, "no lifetime at all is refused, not guessed")
}

func TestDecodeStatsAliases(t *testing.T) {
	r, err := decodeStats([]byte(`{"stats":{"cpu_usage":"55.5","memory":{"usage":100,"limit":200},"network":{"rx":1,"tx":2},"uptime":61}}`))
	require.NoError(t, err)
	assert.Equal(t, panel.Resources{CPUPercent: 55.5, MemoryBytes: 100, MemoryLimitBytes: 200, NetworkRxBytes: 1, NetworkTxBytes: 2, Uptime: 61 * time.Second}, r)
	r, err = decodeStats([]byte(`{"cpu_percent":-3,"memory_bytes":1e300,"uptime_seconds":1706745600000}`))
	require.NoError(t, err)
	assert.Zero(t, r.CPUPercent)
	assert.Positive(t, r.MemoryBytes)
	assert.Zero(t, r.Uptime, "a timestamp is not an uptime")
}

func TestMapStatus(t *testing.T) {
	for in, want := range map[string]panel.State{
		"running": panel.StateRunning, "Stopped": panel.StateOffline, "starting": panel.StateStarting,
		"stopping": panel.StateStopping, "installing": panel.StateOffline, "weird": panel.StateUnknown,
	} {
		got, _, _ := mapStatus(in)
		assert.Equal(t, want, got, in)
	}
	_, unusable, _ := mapStatus("installing")
	assert.Equal(t, "installing", unusable)
	_, unusable, suspended := mapStatus("suspended")
	assert.True(t, suspended)
	assert.Equal(t, "suspended", unusable)
}

// TestInstanceTextsAreBounded: names come from the panel and go to
// Discord: one line, bounded, like every other panel kind's.
func TestInstanceTextsAreBounded(t *testing.T) {
	long := strings.Repeat("é", 5000)
	in, err := decodeInstance([]byte(`{"id":"i-1","name":"line one\nline two` + long + `","description":"` + long +
		`","node_name":"` + long + `","status":"running"}`))
	require.NoError(t, err)
	s := in.server()
	assert.True(t, strings.HasPrefix(s.Name, "line one line two"), s.Name[:20])
	assert.LessOrEqual(t, len([]rune(s.Name)), 101)
	assert.LessOrEqual(t, len([]rune(s.Description)), 501)
	assert.LessOrEqual(t, len([]rune(s.Node)), 101)
}

// FuzzDecodeAnswers feeds arbitrary bytes to every decoder of panel
// answers: none may panic, and what they return must be sane.
func FuzzDecodeAnswers(f *testing.F) {
	for _, seed := range []string{
		`[{"id":"a","name":"x","status":"running"}]`, `{"instances":[{"id":1}]}`, `{"data":null}`,
		`{"cpu_percent":1,"memory":{"usage":"2"}}`, `{"stats":[]}`, `{"error":{"message":"x"}}`,
		`{"access_token":"eyJ.eyJ.x","expires_in":"900"}`, `null`, `[`, `{"id":{}}`, "\x00",
		`{"error":"token eyJabc.eyJdef.ghi for shardlyn_api_zzz"}`,
	} {
		f.Add([]byte(seed))
	}
	c := &Client{auth: Password("bot@example.com", "hunter22")}
	f.Fuzz(func(t *testing.T, body []byte) {
		if items, err := decodeList(body); err == nil {
			for _, item := range items {
				if in, err := decodeInstance(item); err == nil {
					assert.NotEmpty(t, in.server().ID)
				}
			}
		}
		if r, err := decodeStats(body); err == nil {
			assert.GreaterOrEqual(t, r.CPUPercent, 0.0)
			assert.GreaterOrEqual(t, r.MemoryBytes, int64(0))
			assert.GreaterOrEqual(t, r.Uptime, time.Duration(0))
		}
		d := c.detail(body)
		assert.LessOrEqual(t, len([]rune(d)), maxDetail+1)
		assert.NotContains(t, d, "hunter22")
		assert.NotContains(t, d, "shardlyn_api_")
		assert.False(t, strings.ContainsAny(d, "\n\r\x00"))
	})
}

// FuzzJWTTimes: any string may arrive as an access token.
func FuzzJWTTimes(f *testing.F) {
	f.Add(jwtWith(`{"iat":1,"exp":2}`))
	f.Add(jwtWith(`{"exp":"1700000000"}`))
	f.Add("a.b.c")
	f.Add("....")
	f.Add(jwtWith(`{"exp":1e308}`))
	f.Fuzz(func(t *testing.T, tok string) {
		jt, ok := jwtclaims.Read(tok)
		if ok {
			assert.True(t, jt.Expires.Unix() > 0)
			assert.True(t, jt.IssuedAt.IsZero() || jt.IssuedAt.Unix() > 0)
		}
		life, err := tokenLifetime(tokenResponse{AccessToken: tok}, time.Unix(1_700_000_000, 0))
		if err == nil {
			assert.Positive(t, life)
		}
	})
}

// FuzzRateHeaders: the limit headers are outside input too.
func FuzzRateHeaders(f *testing.F) {
	f.Add("0", "1706745600", "")
	f.Add("5", "30", "2")
	f.Add("x", "-1", "Wed, 21 Oct 2015 07:28:00 GMT")
	f.Add("0", "99999999999999999999", "1e9")
	f.Fuzz(func(t *testing.T, remaining, reset, retry string) {
		now := time.Unix(1_706_745_000, 0)
		h := http.Header{}
		h.Set("X-RateLimit-Remaining", remaining)
		h.Set("X-RateLimit-Reset", reset)
		h.Set("Retry-After", retry)
		d := retryAfter(h, now)
		assert.True(t, d >= 0 && d <= maxHeaderWait, "retry after %v", d)
		for _, status := range []int{http.StatusTooManyRequests, http.StatusOK} {
			p := pause(status, h, now) // what the bucket is paused for
			assert.True(t, p >= 0 && p <= maxHeaderWait, "%d: pause %v", status, p)
		}
	})
}

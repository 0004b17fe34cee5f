package simkit

import (
	"cmp"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type entry struct {
	Path   string
	Status int
}

func newLog() *Log[entry] { return NewLog(func(e *entry) *int { return &e.Status }) }

// serve records each request in log, then lets h answer through the
// recording writer (raw is the writer the server gave).
func serve(t *testing.T, log *Log[entry], h func(w, raw http.ResponseWriter, r *http.Request)) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(raw http.ResponseWriter, r *http.Request) {
		h(log.Record(raw, entry{Path: r.URL.Path}), raw, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestLogRecordsTheFirstStatus(t *testing.T) {
	log := newLog()
	up := websocket.Upgrader{}
	srv := serve(t, log, func(w, raw http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/teapot":
			w.WriteHeader(http.StatusTeapot)
			_, _ = io.WriteString(w, "the body does not make it a 200")
		case "/write":
			_, _ = io.WriteString(w, "implicit 200")
		case "/drop":
			HangUp(raw)
		case "/ws":
			if c, err := up.Upgrade(w, r, nil); err == nil {
				_ = c.Close()
			}
		}
	})
	for _, p := range []string{"/teapot", "/write", "/drop"} {
		resp, err := http.Get(srv.URL + p)
		if err == nil {
			resp.Body.Close()
		}
	}
	c, _, err := websocket.DefaultDialer.Dial("ws"+srv.URL[len("http"):]+"/ws", nil)
	require.NoError(t, err)
	_ = c.Close()

	assert.Equal(t, []entry{{"/teapot", 418}, {"/write", 200}, {"/drop", 0}, {"/ws", 101}}, log.All())
	assert.Equal(t, 1, log.Count(func(e entry) bool { return e.Status == 0 }), "a dropped connection has no status")

	all := log.All()
	all[0].Path = "changed"
	assert.Equal(t, "/teapot", log.All()[0].Path, "All returns a copy")
}

func TestHangUpIsAFailureForTheClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { HangUp(w) }))
	defer srv.Close()
	_, err := http.Get(srv.URL)
	assert.Error(t, err)

	rec := httptest.NewRecorder() // cannot be hijacked
	HangUp(rec)
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
}

func TestFaultsAreServedInOrderAndSpent(t *testing.T) {
	var f Faults
	f.Add("/list", 500, "", 2)
	f.Add("", 429, "slow down", 1)
	f.Add("/x", 400, "", 0) // nothing to inject
	got, ok := f.Take("/start")
	require.True(t, ok)
	assert.Equal(t, 429, got.Status)
	assert.Equal(t, "slow down", got.Message)
	for range 2 {
		got, ok = f.Take("/list")
		require.True(t, ok)
		assert.Equal(t, 500, got.Status)
	}
	_, ok = f.Take("/list")
	assert.False(t, ok, "spent")
	_, ok = f.Take("/x")
	assert.False(t, ok, "n < 1 injects nothing")
	assert.Empty(t, f.list, "spent faults are forgotten")
}

func TestWindowIsSliding(t *testing.T) {
	var w Window
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		_, ok := w.Admit(t0.Add(time.Duration(i)*time.Second), 3, 10*time.Second)
		require.True(t, ok)
	}
	wait, ok := w.Admit(t0.Add(5*time.Second), 3, 10*time.Second)
	assert.False(t, ok)
	assert.Equal(t, 5*time.Second, wait, "until the first request leaves the window")
	_, ok = w.Admit(t0.Add(10*time.Second+time.Nanosecond), 3, 10*time.Second)
	assert.True(t, ok, "a refused request is not counted, and the oldest has left")
	_, ok = w.Admit(t0.Add(10*time.Second+2*time.Nanosecond), 3, 10*time.Second)
	assert.False(t, ok)
	assert.Equal(t, "2", RetryAfter(1001*time.Millisecond))
	assert.Equal(t, "0", RetryAfter(0))
}

func TestClock(t *testing.T) {
	start := time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC)
	c := NewClock(start)
	assert.Equal(t, start, c.Now())
	c.Advance(time.Minute)
	require.NoError(t, c.Sleep(context.Background(), time.Second))
	require.NoError(t, c.Sleep(context.Background(), -time.Second))
	assert.Equal(t, start.Add(time.Minute+time.Second), c.Now())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, c.Sleep(ctx, time.Hour), context.Canceled)
	assert.Equal(t, start.Add(time.Minute+time.Second), c.Now(), "a cancelled sleep does not move the clock")
}

func TestServerRecordsAndDropsWhileDown(t *testing.T) {
	s := NewServer(func(e *entry) *int { return &e.Status })
	s.Start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Serve(w, r, 4, func(r *http.Request, body []byte) entry { return entry{Path: r.URL.Path + string(body)} },
			func(w http.ResponseWriter, _ *http.Request, _ []byte) { w.WriteHeader(http.StatusNoContent) })
	}))
	c := s.Controls()
	// A fresh connection each time: net/http would send a GET again that
	// failed on a reused one.
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := hc.Get(c.URL() + "/a")
	require.NoError(t, err)
	resp.Body.Close()
	c.SetDown(true)
	assert.True(t, s.Down())
	_, err = hc.Get(c.URL() + "/b")
	assert.Error(t, err, "a down simulator drops the connection")
	c.SetDown(false)
	resp, err = hc.Post(c.URL()+"/c", "text/plain", strings.NewReader("?body"))
	require.NoError(t, err)
	resp.Body.Close()

	assert.Equal(t, []entry{{"/a", 204}, {"/b", 0}, {"/c?bod", 204}}, c.Requests())
	assert.Equal(t, 2, c.CountStatus(http.StatusNoContent))
	assert.Equal(t, 1, c.CountStatus(0), "dropped while down")
	s.Close()
	s.Close() // twice, then again at cleanup
}

func TestWriteJSON(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteJSON(rec, "application/json; charset=utf-8", http.StatusTeapot, map[string]any{"a": "<b>"})
	assert.Equal(t, http.StatusTeapot, rec.Code)
	assert.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Equal(t, `{"a":"\u003cb\u003e"}`, rec.Body.String(), "escaped as the frameworks do, no trailing newline")
	assert.Panics(t, func() { WriteJSON(httptest.NewRecorder(), "application/json", 200, func() {}) })
}

func TestRandomHex(t *testing.T) {
	a, b := RandomHex(41), RandomHex(41)
	assert.Len(t, a, 41)
	assert.Regexp(t, `^[0-9a-f]+$`, a)
	assert.NotEqual(t, a, b)
}

func TestLocked(t *testing.T) {
	var mu sync.Mutex
	m := map[int]*string{1: new(string)}
	set := func(id int, v string) (found bool) {
		Locked(&mu, m, id, func(p *string) { found, *p = true, v })
		return found
	}
	assert.True(t, set(1, "a"))
	assert.False(t, set(2, "b"))
	assert.Equal(t, "a", *m[1])
	assert.True(t, mu.TryLock(), "released")
}

func TestRecorder(t *testing.T) {
	at := time.Date(2026, 5, 3, 12, 0, 0, 0, time.UTC)
	r := httptest.NewRequest(http.MethodPost, "/start?x=1", nil)
	r.Header.Set("Authorization", "Bearer k")
	r.Header.Set("Accept", "application/json")
	got := Recorder(NewClock(at))(r, []byte(`{"server":1}`))
	assert.Equal(t, Request{Method: "POST", Path: "/start", Auth: "Bearer k", Accept: "application/json",
		Body: `{"server":1}`, At: at}, got)
	*RequestStatus(&got) = 204
	assert.Equal(t, 204, got.Status)
}

func TestIndexAndSorted(t *testing.T) {
	type srv struct {
		ID    int64
		State string
	}
	in := []srv{{ID: 3}, {ID: 1, State: "running"}, {ID: 2}}
	m := Index(in, func(s *srv) int64 { return s.ID }, func(s *srv) { s.State = cmp.Or(s.State, "offline") })
	require.Len(t, m, 3)
	m[3].State = "changed"
	assert.Empty(t, in[0].State, "copies: the test's list is untouched")
	assert.Equal(t, []srv{{1, "running"}, {3, "changed"}}, Sorted(m, func(s *srv) bool { return s.ID != 2 }))
	assert.Equal(t, []srv{{2, "offline"}}, Sorted(m, func(s *srv) bool { return s.State == "offline" }))
	assert.Nil(t, Sorted(m, func(*srv) bool { return false }))
}

func TestLaravelTexts(t *testing.T) {
	assert.Equal(t, "The route api/x could not be found.", LaravelRouteNotFound("/api/x"))
	assert.Equal(t, "The POST method is not supported for route api/x. Supported methods: GET, HEAD.",
		LaravelMethodNotAllowed("POST", "/api/x", "GET, HEAD"))
}

func TestHS256(t *testing.T) {
	key := []byte("secret")
	tok := SignHS256(key, `{"typ":"JWT","alg":"HS256"}`, map[string]any{"sub": "me", "exp": 42})
	assert.Equal(t, "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9", strings.Split(tok, ".")[0], "the header exactly as given")
	var got struct {
		Sub string `json:"sub"`
		Exp int64  `json:"exp"`
	}
	require.NoError(t, VerifyHS256(key, tok, &got))
	assert.Equal(t, "me", got.Sub)
	assert.EqualValues(t, 42, got.Exp)

	parts := strings.Split(tok, ".")
	forged := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"you","exp":42}`))
	for name, bad := range map[string]string{
		"other key":             SignHS256([]byte("other"), `{"alg":"HS256"}`, got),
		"two parts":             parts[0] + "." + parts[1],
		"changed claims":        parts[0] + "." + forged + "." + parts[2],
		"signature not base64":  parts[0] + "." + parts[1] + ".!!",
		"payload not an object": SignHS256(key, "{}", "x"),
	} {
		assert.Error(t, VerifyHS256(key, bad, &got), name)
	}
}

package pterosim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel/internal/simkit"
)

// newClock is a hand-moved clock for the state machine.
func newClock() *simkit.Clock { return simkit.NewClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)) }

// answer is a response as the tests look at it.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// envelope decodes the panel's error envelope, failing the test otherwise.
func (a answer) envelope(t *testing.T) apiError {
	t.Helper()
	var env struct {
		Errors []apiError `json:"errors"`
	}
	require.NoError(t, json.Unmarshal(a.body, &env), "body: %s", a.body)
	require.NotEmpty(t, env.Errors)
	require.Equal(t, fmt.Sprint(a.status), env.Errors[0].Status)
	return env.Errors[0]
}

func (a answer) json(t *testing.T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(a.body, v), "body: %s", a.body)
}

type reqOpt func(*http.Request)

func header(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }

func noHeader(k string) reqOpt { return func(r *http.Request) { r.Header.Del(k) } }

// call sends a well-formed client API request (key, JSON Accept, JSON body)
// that opts may spoil.
func call(t *testing.T, s *Sim, method, path, body string, opts ...reqOpt) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = bytes.NewBufferString(body)
	}
	req, err := http.NewRequest(method, s.URL()+path, rd)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+s.APIKey())
	req.Header.Set("Accept", "Application/vnd.pterodactyl.v1+json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

// fatalTB captures a Fatalf from New, which must stop the goroutine.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Cleanup(func()) {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// newFails runs New with a fake TB and returns what it complained about.
func newFails(t *testing.T, opts ...Option) string {
	f := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s := New(f, opts...)
		s.Close()
	}()
	<-done
	return f.msg
}

// recorder is a Node that records what the sim tells it.
type recorder struct {
	mu       sync.Mutex
	states   []string
	commands []string
	token    string
	socket   string
	err      error
}

func (r *recorder) Credentials(uuid string) (string, string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.token, r.socket + uuid, r.err
}

func (r *recorder) StateChanged(uuid, state string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.states = append(r.states, uuid[:8]+":"+state)
}

func (r *recorder) Command(uuid, command string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.commands = append(r.commands, uuid[:8]+":"+command)
}

func (r *recorder) seen() ([]string, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.states...), append([]string(nil), r.commands...)
}

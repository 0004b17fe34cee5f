package panel_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/paneltest"
)

func lister(calls *atomic.Int32, servers ...panel.Server) *paneltest.Client {
	return &paneltest.Client{ServersFn: func(context.Context) ([]panel.Server, error) {
		calls.Add(1)
		return servers, nil
	}}
}

func TestResolve(t *testing.T) {
	var calls atomic.Int32
	r := panel.NewRegistry()
	require.NoError(t, r.Add("main", lister(&calls,
		panel.Server{ID: "abcd1234", Name: "Survival"},
		panel.Server{ID: "ef567890", Name: "Creative"},
	), map[string]string{"smp": "abcd1234"}))
	require.NoError(t, r.Add("other", lister(&calls,
		panel.Server{ID: "42", Name: "Creative"},
		panel.Server{ID: "43", Name: "Lobby"},
	), nil))

	cases := []struct {
		ref, wantKey string
		wantErr      error
	}{
		{"abcd1234", "main/abcd1234", nil},
		{"ABCD1234", "main/abcd1234", nil},
		{"survival", "main/abcd1234", nil},
		{"SMP", "main/abcd1234", nil},
		{"main/abcd1234", "main/abcd1234", nil},
		{"other/creative", "other/42", nil},
		{"lobby", "other/43", nil},
		{"Creative", "", panel.ErrAmbiguous},
		{"nether", "", panel.ErrNotFound},
		{"  ", "", panel.ErrNotFound},
		{"main/lobby", "", panel.ErrNotFound},
	}
	for _, c := range cases {
		t.Run(c.ref, func(t *testing.T) {
			got, err := r.Resolve(context.Background(), c.ref)
			if c.wantErr != nil {
				require.ErrorIs(t, err, c.wantErr)
				assert.NotEmpty(t, panel.UserMessage(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.wantKey, got.Key())
		})
	}
}

func TestResolveAmbiguousNamesBothPanels(t *testing.T) {
	var calls atomic.Int32
	r := panel.NewRegistry()
	require.NoError(t, r.Add("a", lister(&calls, panel.Server{ID: "1", Name: "Hub"}), nil))
	require.NoError(t, r.Add("b", lister(&calls, panel.Server{ID: "2", Name: "hub"}), nil))
	_, err := r.Resolve(context.Background(), "hub")
	require.ErrorIs(t, err, panel.ErrAmbiguous)
	assert.Contains(t, panel.UserMessage(err), "a/Hub")
	assert.Contains(t, panel.UserMessage(err), "b/hub")
}

func TestTargetsCachedUntilTTL(t *testing.T) {
	var calls atomic.Int32
	now := time.Unix(1000, 0)
	r := panel.NewRegistry(panel.WithListTTL(10*time.Second), panel.WithClock(func() time.Time { return now }))
	require.NoError(t, r.Add("main", lister(&calls, panel.Server{ID: "x", Name: "X"}), nil))

	for range 3 {
		_, err := r.Targets(context.Background())
		require.NoError(t, err)
	}
	assert.EqualValues(t, 1, calls.Load())
	now = now.Add(11 * time.Second)
	_, err := r.Targets(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, 2, calls.Load())
}

func TestResolveRefreshesOnceForNewServer(t *testing.T) {
	var calls atomic.Int32
	servers := []panel.Server{{ID: "old", Name: "Old"}}
	c := &paneltest.Client{ServersFn: func(context.Context) ([]panel.Server, error) {
		calls.Add(1)
		return servers, nil
	}}
	r := panel.NewRegistry()
	require.NoError(t, r.Add("main", c, nil))
	_, err := r.Targets(context.Background())
	require.NoError(t, err)

	servers = append(servers, panel.Server{ID: "new", Name: "New"})
	got, err := r.Resolve(context.Background(), "new")
	require.NoError(t, err)
	assert.Equal(t, "main/new", got.Key())
	assert.EqualValues(t, 2, calls.Load())
}

func TestTargetsPartialFailure(t *testing.T) {
	var calls atomic.Int32
	down := &paneltest.Client{ServersFn: func(context.Context) ([]panel.Server, error) {
		return nil, &panel.Error{Class: panel.ErrUnavailable, Status: 502}
	}}
	r := panel.NewRegistry()
	require.NoError(t, r.Add("up", lister(&calls, panel.Server{ID: "1", Name: "One"}), nil))
	require.NoError(t, r.Add("down", down, nil))

	ts, err := r.Targets(context.Background())
	require.Len(t, ts, 1)
	var pe *panel.PartialError
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, panel.ErrUnavailable)

	got, err := r.Resolve(context.Background(), "one")
	require.NoError(t, err)
	assert.Equal(t, "up/1", got.Key())

	_, err = r.Resolve(context.Background(), "missing")
	assert.ErrorIs(t, err, panel.ErrNotFound)
}

func TestTargetsAllDownIsAnError(t *testing.T) {
	down := &paneltest.Client{ServersFn: func(context.Context) ([]panel.Server, error) {
		return nil, &panel.Error{Class: panel.ErrUnavailable}
	}}
	r := panel.NewRegistry()
	require.NoError(t, r.Add("down", down, nil))
	_, err := r.Resolve(context.Background(), "x")
	assert.ErrorIs(t, err, panel.ErrUnavailable)
}

func TestTargetsSharesOneFetch(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	c := &paneltest.Client{ServersFn: func(context.Context) ([]panel.Server, error) {
		calls.Add(1)
		<-release
		return []panel.Server{{ID: "1"}}, nil
	}}
	r := panel.NewRegistry()
	require.NoError(t, r.Add("main", c, nil))

	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ts, err := r.Targets(context.Background())
			assert.NoError(t, err)
			assert.Len(t, ts, 1)
		}()
	}
	require.Eventually(t, func() bool { return calls.Load() == 1 }, time.Second, time.Millisecond)
	close(release)
	wg.Wait()
	assert.EqualValues(t, 1, calls.Load())
}

func TestAddRejectsBadNames(t *testing.T) {
	r := panel.NewRegistry()
	require.Error(t, r.Add("", &paneltest.Client{}, nil))
	require.Error(t, r.Add("a/b", &paneltest.Client{}, nil))
	require.NoError(t, r.Add("main", &paneltest.Client{}, nil))
	require.Error(t, r.Add("MAIN", &paneltest.Client{}, nil))
}

func TestUserMessageHidesInternals(t *testing.T) {
	err := &panel.Error{Class: panel.ErrUnavailable, Op: "list", Status: 500, Detail: "SQLSTATE secret-ish", Err: errors.New("dial tcp 10.0.0.1:443")}
	msg := panel.UserMessage(err)
	assert.NotContains(t, msg, "10.0.0.1")
	assert.NotContains(t, msg, "SQLSTATE")
	assert.Contains(t, err.Error(), "HTTP 500")
}

func TestCachedOutlivesInvalidate(t *testing.T) {
	var calls atomic.Int32
	r := panel.NewRegistry()
	require.Nil(t, r.Cached())
	require.NoError(t, r.Add("main", lister(&calls, panel.Server{ID: "1"}), nil))
	_, err := r.Targets(context.Background())
	require.NoError(t, err)
	r.Invalidate()
	assert.Len(t, r.Cached(), 1, "a stale list is still there for autocomplete")
	_, err = r.Targets(context.Background())
	require.NoError(t, err)
	assert.EqualValues(t, 2, calls.Load(), "but lookups ask the panel again")
}

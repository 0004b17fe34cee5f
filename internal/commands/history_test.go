package commands

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/chart"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/paneltest"
	"github.com/panelbot/panelbot/internal/store"
)

// fakeHistory is a History whose answers the test decides; it records the
// queries it was asked.
type fakeHistory struct {
	FindSamplesFn func(ctx context.Context, server string, from, to time.Time, res store.Resolution) ([]store.Sample, error)

	mu      sync.Mutex
	queries []historyQuery
}

type historyQuery struct {
	server   string
	from, to time.Time
	res      store.Resolution
}

func (f *fakeHistory) FindSamples(ctx context.Context, server string, from, to time.Time, res store.Resolution) ([]store.Sample, error) {
	f.mu.Lock()
	f.queries = append(f.queries, historyQuery{server, from, to, res})
	f.mu.Unlock()
	if f.FindSamplesFn == nil {
		return nil, nil
	}
	return f.FindSamplesFn(ctx, server, from, to, res)
}

func (f *fakeHistory) asked() []historyQuery {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]historyQuery(nil), f.queries...)
}

// withHistory gives the router h as its store.
func withHistory(h History) func(*Config, *paneltest.Client) {
	return func(c *Config, _ *paneltest.Client) { c.History = h }
}

// raw is n raw samples ending at end, every 30 s, with CPU and memory
// following f.
func raw(end time.Time, n int, f func(i int) (float64, int64)) []store.Sample {
	out := make([]store.Sample, 0, n)
	for i := range n {
		cpu, mem := f(i)
		out = append(out, store.Sample{At: end.Add(-time.Duration(n-1-i) * 30 * time.Second), Count: 1, Running: 1, Live: 1,
			State: panel.StateRunning, CPUPercent: cpu, MemoryBytes: mem})
	}
	return out
}

// pngOf returns the single attachment of a direct answer, checking it is a
// PNG of the chart's size.
func pngOf(t *testing.T, c call) (name string, data []byte) {
	t.Helper()
	require.NotNil(t, c.resp, c.method)
	require.Len(t, c.resp.Data.Files, 1)
	f := c.resp.Data.Files[0]
	assert.Equal(t, "image/png", f.ContentType)
	data, err := io.ReadAll(f.Reader)
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	assert.Equal(t, chart.Width, img.Bounds().Dx())
	assert.Equal(t, chart.Height, img.Bounds().Dy())
	return f.Name, data
}

func TestHistoryCommandRendersTheData(t *testing.T) {
	render := func(f func(i int) (float64, int64)) (call, *fakeHistory) {
		h := &fakeHistory{}
		e := setup(t, withHistory(h))
		h.FindSamplesFn = func(context.Context, string, time.Time, time.Time, store.Resolution) ([]store.Sample, error) {
			return raw(e.clock.Now(), 120, f), nil
		}
		e.handle(slash(viewer(), cmdHistory, opt(optServer, "survival"), opt(optRange, "1h")))
		return only(t, e.sess), h
	}
	c1, h := render(func(i int) (float64, int64) { return float64(i % 50), int64(i) << 22 })
	c2, _ := render(func(i int) (float64, int64) { return 150 - float64(i%30), 1 << 30 })
	name, a := pngOf(t, c1)
	_, b := pngOf(t, c2)
	assert.Equal(t, "history-survival-1h.png", name)
	assert.NotEqual(t, a, b, "different data, different chart")
	assert.Zero(t, c1.resp.Data.Flags&discordgo.MessageFlagsEphemeral, "/history is public like /status")
	assert.Contains(t, text(t, c1), `**Survival \(abc123\)**: CPU and memory, last hour.`)

	q := h.asked()
	require.Len(t, q, 1)
	now := time.Unix(1_700_000_000, 0)
	assert.Equal(t, historyQuery{"main/abc123", now.Add(-time.Hour), now.Add(time.Second), store.Raw}, q[0])
}

func TestHistoryResolutionPerRange(t *testing.T) {
	for rng, want := range map[string]store.Resolution{"1h": store.Raw, "24h": store.Raw, "7d": store.Buckets} {
		h := &fakeHistory{}
		e := setup(t, withHistory(h))
		e.handle(slash(viewer(), cmdHistory, opt(optServer, "abc123"), opt(optRange, rng)))
		name, _ := pngOf(t, only(t, e.sess))
		assert.Equal(t, "history-survival-"+rng+".png", name)
		assert.Contains(t, text(t, only(t, e.sess)), "No samples yet")
		q := h.asked()
		require.Len(t, q, 1, rng)
		assert.Equal(t, want, q[0].res, rng)
		r, err := chart.ParseRange(rng)
		require.NoError(t, err)
		assert.Equal(t, r.Duration()+time.Second, q[0].to.Sub(q[0].from), rng)
	}
}

func TestHistoryRefusals(t *testing.T) {
	t.Run("no store", func(t *testing.T) {
		e := setup(t)
		e.handle(slash(viewer(), cmdHistory, opt(optServer, "survival"), opt(optRange, "24h")))
		c := only(t, e.sess)
		assert.Equal(t, msgNoHistory, text(t, c))
		assertEphemeral(t, c)
	})
	t.Run("store fails", func(t *testing.T) {
		h := &fakeHistory{FindSamplesFn: func(context.Context, string, time.Time, time.Time, store.Resolution) ([]store.Sample, error) {
			return nil, errors.New("database is locked")
		}}
		e := setup(t, withHistory(h))
		e.handle(slash(viewer(), cmdHistory, opt(optServer, "survival"), opt(optRange, "24h")))
		c := only(t, e.sess)
		assert.Equal(t, msgHistoryFailed, text(t, c))
		assertEphemeral(t, c)
		assert.Contains(t, e.logs.String(), "database is locked", "the log gets the chain")
	})
	t.Run("outdated range", func(t *testing.T) {
		e := setup(t, withHistory(&fakeHistory{}))
		e.handle(slash(viewer(), cmdHistory, opt(optServer, "survival"), opt(optRange, "2d")))
		assert.Equal(t, msgBadRange, text(t, only(t, e.sess)))
	})
	t.Run("not a viewer", func(t *testing.T) {
		h := &fakeHistory{}
		e := setup(t, withHistory(h))
		e.handle(slash(memberOf(userNobody), cmdHistory, opt(optServer, "survival"), opt(optRange, "24h")))
		c := only(t, e.sess)
		assertEphemeral(t, c)
		assert.Contains(t, text(t, c), "viewer")
		assert.Empty(t, h.asked())
	})
}

func TestHistoryButton(t *testing.T) {
	h := &fakeHistory{}
	e := setup(t, withHistory(h))
	e.handle(slash(viewer(), cmdStatus, opt(optServer, "survival")))
	ids := buttons(only(t, e.sess).resp.Data.Components)
	require.Contains(t, ids, "history/main%2Fabc123/24h")

	e.sess = &fakeSession{}
	e.handle(click(viewer(), "history/main%2Fabc123/24h", false))
	c := only(t, e.sess)
	assertEphemeral(t, c)
	name, _ := pngOf(t, c)
	assert.Equal(t, "history-survival-24h.png", name)
	q := h.asked()
	require.Len(t, q, 2) // the uptime line, then the chart
	assert.Equal(t, store.Raw, q[1].res)
	assert.Equal(t, 24*time.Hour+time.Second, q[1].to.Sub(q[1].from))

	e.sess = &fakeSession{}
	e.handle(click(memberOf(userNobody), "history/main%2Fabc123/24h", false))
	c = only(t, e.sess)
	assertEphemeral(t, c)
	assert.Contains(t, text(t, c), "viewer")
	assert.Empty(t, c.resp.Data.Files)
	assert.Len(t, h.asked(), 2, "a refused click never reads the history")
}

func TestHistoryButtonForgedRange(t *testing.T) {
	h := &fakeHistory{}
	e := setup(t, withHistory(h))
	e.handle(click(viewer(), "history/main%2Fabc123/30d", false))
	assert.Equal(t, msgOutdatedButton, text(t, only(t, e.sess)))
	assert.Empty(t, h.asked())
}

func TestPoints(t *testing.T) {
	at := time.Unix(1_700_000_000, 0)
	pts := points([]store.Sample{
		{At: at, Count: 1, Live: 1, Running: 1, State: panel.StateRunning, CPUPercent: 40, MemoryBytes: 1 << 30},
		{At: at.Add(30 * time.Second), Count: 1, State: panel.StateRunning}, // no figures: a gap
		{At: at.Add(time.Minute), Count: 1, State: panel.StateOffline},      // offline: kept, to be shaded
		{At: at.Add(time.Hour), Span: store.BucketSpan, Count: 10, Live: 10, State: panel.StateRunning, CPUPercent: 5},
	}, 2<<30)
	require.Len(t, pts, 3)
	assert.Equal(t, chart.Point{Time: at, State: panel.StateRunning, CPUPercent: 40, MemoryBytes: 1 << 30, MemoryLimitBytes: 2 << 30}, pts[0])
	assert.Equal(t, panel.StateOffline, pts[1].State)
	assert.Equal(t, at.Add(time.Hour+store.BucketSpan/2), pts[2].Time, "a bucket sits at its middle")
}

func TestChartText(t *testing.T) {
	tg := panel.Target{Panel: "main", Server: panel.Server{ID: "a1", Name: "*Bold*"}}
	assert.Equal(t, `**\*Bold\* \(a1\)**: CPU and memory, last 7 days. No samples yet: the bot records the server while it runs.`,
		chartText(tg, chart.Week, 0, 0))
	assert.Contains(t, chartText(tg, chart.Hour, 3, 0), "no live figures")
	assert.Contains(t, chartText(tg, chart.Hour, 3, 3), "Gaps are times without figures.")
}

func TestChartFileName(t *testing.T) {
	for name, want := range map[string]string{
		"Survival":              "history-survival-24h.png",
		"  My *Cool* Server!! ": "history-my-cool-server-24h.png",
		"🎮":                     "history-abc-1-24h.png",
		"":                      "history-abc-1-24h.png",
	} {
		got := chartFileName(panel.Target{Panel: "main", Server: panel.Server{ID: "abc/1", Name: name}}, chart.Day)
		assert.Equal(t, want, got, name)
	}
}

// TestHistoryDeferred: a slow store makes the router defer; the chart then
// comes with the edit of the original answer.
func TestHistoryDeferred(t *testing.T) {
	release := make(chan struct{})
	h := &fakeHistory{FindSamplesFn: func(context.Context, string, time.Time, time.Time, store.Resolution) ([]store.Sample, error) {
		<-release
		return nil, nil
	}}
	e := setup(t, withHistory(h), func(c *Config, _ *paneltest.Client) { c.DeferAfter = time.Millisecond })
	e.sess.notify = make(chan string, 4)
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.handle(slash(viewer(), cmdHistory, opt(optServer, "survival"), opt(optRange, "7d")))
	}()
	require.Equal(t, "respond", <-e.sess.notify, "the deferral")
	close(release)
	<-done
	as := e.sess.answers()
	require.Len(t, as, 2, "answers: %v", e.sess.methods())
	assert.Equal(t, deferredNewMessage, as[0].resp.Type)
	require.NotNil(t, as[1].edit)
	require.Len(t, as[1].edit.Files, 1)
	assert.Equal(t, "history-survival-7d.png", as[1].edit.Files[0].Name)
	data, err := io.ReadAll(as[1].edit.Files[0].Reader)
	require.NoError(t, err)
	_, err = png.Decode(bytes.NewReader(data))
	require.NoError(t, err)
}

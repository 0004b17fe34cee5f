package dashboard

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/store/sqlite"
	"github.com/panelbot/panelbot/internal/watch"
)

// fakeSession records what the updater sends; deleted messages answer 404.
type fakeSession struct {
	mu      sync.Mutex
	next    int
	live    map[string]bool
	posts   int
	edits   map[string]int
	deletes int
}

func newFakeSession() *fakeSession {
	return &fakeSession{live: map[string]bool{}, edits: map[string]int{}}
}

func notFound() error {
	return &discordgo.RESTError{Response: &http.Response{StatusCode: http.StatusNotFound}}
}

func (f *fakeSession) ChannelMessageSendComplex(ch string, m *discordgo.MessageSend, _ ...discordgo.RequestOption) (*discordgo.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil {
		return nil, fmt.Errorf("a dashboard could ping")
	}
	f.next++
	id := fmt.Sprint(1000 + f.next)
	f.live[id], f.posts = true, f.posts+1
	return &discordgo.Message{ID: id, ChannelID: ch}, nil
}

func (f *fakeSession) ChannelMessageEditComplex(m *discordgo.MessageEdit, _ ...discordgo.RequestOption) (*discordgo.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.live[m.ID] {
		return nil, notFound()
	}
	if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil {
		return nil, fmt.Errorf("a dashboard could ping")
	}
	f.edits[m.ID]++
	return &discordgo.Message{ID: m.ID}, nil
}

func (f *fakeSession) ChannelMessageDelete(_, id string, _ ...discordgo.RequestOption) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.live[id] {
		return notFound()
	}
	delete(f.live, id)
	f.deletes++
	return nil
}

func (f *fakeSession) userDeletes(id string) { f.mu.Lock(); delete(f.live, id); f.mu.Unlock() }

type lastRound struct{ round []watch.Snapshot }

func (l *lastRound) Last() []watch.Snapshot { return l.round }

type env struct {
	u    *Updater
	s    *fakeSession
	st   *sqlite.Store
	last *lastRound
	logs *bytes.Buffer
}

func newEnv(t *testing.T) *env {
	st, err := sqlite.Open(context.Background(), t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	e := &env{s: newFakeSession(), st: st, last: &lastRound{round: fleet(3)}, logs: &bytes.Buffer{}}
	log := slog.New(slog.NewTextHandler(e.logs, nil))
	e.u, err = New(e.s, st, e.last, 30*time.Second, log, time.Now)
	require.NoError(t, err)
	return e
}

func TestUpdaterEditsInPlaceOnlyWhatChanged(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	d, err := e.u.Create(ctx, "1", "10", nil)
	require.NoError(t, err)
	require.Len(t, d.MessageIDs, 1)
	id := d.MessageIDs[0]

	e.u.Observe(ctx, e.last.round)
	assert.Zero(t, e.s.edits[id], "same content: no edit")
	changed := fleet(3)
	changed[0].Res.CPUPercent = 5
	e.u.Observe(ctx, changed)
	e.u.Observe(ctx, changed)
	assert.Equal(t, 1, e.s.edits[id], "one edit for one change")
	assert.Equal(t, 1, e.s.posts, "never a new message")
	for range resendAfter {
		e.u.Observe(ctx, changed)
	}
	assert.Equal(t, 2, e.s.edits[id], "sent again after a while, to notice a deletion")
}

func TestUpdaterGrowsAndShrinks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.u.Create(ctx, "1", "10", nil)
	require.NoError(t, err)
	e.u.Observe(ctx, fleet(200))
	ds, err := e.st.FindDashboards(ctx)
	require.NoError(t, err)
	grown := ds[0].MessageIDs
	require.Greater(t, len(grown), 1)
	assert.Equal(t, len(grown), e.s.posts)

	e.u.Observe(ctx, fleet(2))
	ds, err = e.st.FindDashboards(ctx)
	require.NoError(t, err)
	assert.Equal(t, grown[:1], ds[0].MessageIDs, "the first message stays, the rest are deleted")
	assert.Equal(t, len(grown)-1, e.s.deletes)
}

func TestUpdaterForgetsADeletedDashboard(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	d, err := e.u.Create(ctx, "1", "10", nil)
	require.NoError(t, err)
	other, err := e.u.Create(ctx, "1", "11", []string{"main/s001"})
	require.NoError(t, err)
	e.s.userDeletes(d.MessageIDs[0])
	changed := fleet(3)
	changed[1].Res.CPUPercent = 1
	e.u.Observe(ctx, changed)
	e.u.Observe(ctx, fleet(4))

	ds, err := e.st.FindDashboards(ctx)
	require.NoError(t, err)
	require.Len(t, ds, 1)
	assert.Equal(t, other.ID, ds[0].ID, "the other dashboard lives on")
	assert.Equal(t, 2, e.s.posts, "never reposted by itself")
	assert.Equal(t, 1, bytes.Count(e.logs.Bytes(), []byte("deleted in Discord")), e.logs.String())
}

func TestUpdaterRemoveDeletesTheChannelsDashboards(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, ch := range []string{"10", "10", "11"} {
		_, err := e.u.Create(ctx, "1", ch, nil)
		require.NoError(t, err)
	}
	n, err := e.u.Remove(ctx, "10")
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, 2, e.s.deletes)
	ds, err := e.st.FindDashboards(ctx)
	require.NoError(t, err)
	require.Len(t, ds, 1)
	assert.Equal(t, "11", ds[0].ChannelID)
}

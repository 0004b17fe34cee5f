package dashboard

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/store"
	"github.com/panelbot/panelbot/internal/watch"
)

// resendAfter is how many unchanged rounds a message goes without an edit:
// an edit is how a message deleted in Discord is noticed (404), so even a
// dashboard of idle servers is sent again now and then (every 5 minutes at
// 30 s), which still costs at most one edit per message per round.
const resendAfter = 10

// roundTimeout bounds one round's Discord calls, so a stalled Discord
// delays the watcher's next round by at most this much.
const roundTimeout = 20 * time.Second

// Session is the part of *discordgo.Session the updater uses, with
// discordgo's signatures: its calls wait on Discord's rate-limit headers
// like every other post of the bot.
type Session interface {
	ChannelMessageSendComplex(channelID string, data *discordgo.MessageSend, options ...discordgo.RequestOption) (*discordgo.Message, error)
	ChannelMessageEditComplex(m *discordgo.MessageEdit, options ...discordgo.RequestOption) (*discordgo.Message, error)
	ChannelMessageDelete(channelID, messageID string, options ...discordgo.RequestOption) error
}

// Rounds gives the watcher's latest round; *watch.Watcher implements it.
type Rounds interface {
	Last() []watch.Snapshot
}

// Updater keeps every stored dashboard up to date. Subscribe it to the
// watcher: it never asks a panel itself.
type Updater struct {
	session  Session
	store    store.Dashboards
	rounds   Rounds
	interval time.Duration
	log      *slog.Logger
	now      func() time.Time
	players  PlayerCounter // nil: no player counts

	// mu makes a round's edits, a create and a remove take turns, so a
	// removed dashboard is never edited back to life.
	mu sync.Mutex
	// shown is what each message showed after its last post or edit; an
	// unchanged rendering is not sent again.
	shown map[string]shown
}

// shown is what a message shows and for how many rounds it was not sent.
type shown struct {
	sum     [sha256.Size]byte
	skipped int
}

// New returns an updater; interval is the watcher's, shown in footers.
func New(s Session, st store.Dashboards, rounds Rounds, interval time.Duration, log *slog.Logger, now func() time.Time,
	opts ...Option) (*Updater, error) {
	if s == nil || st == nil || rounds == nil || log == nil || now == nil {
		return nil, errors.New("dashboard: session, store, rounds, logger and clock must be set")
	}
	u := &Updater{session: s, store: st, rounds: rounds, interval: interval, log: log, now: now,
		shown: map[string]shown{}}
	for _, o := range opts {
		o(u)
	}
	return u, nil
}

var _ watch.Observer = (*Updater)(nil)

// Observe refreshes every dashboard from the round.
func (u *Updater) Observe(ctx context.Context, round []watch.Snapshot) {
	u.mu.Lock()
	defer u.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, roundTimeout)
	defer cancel()
	ds, err := u.store.FindDashboards(ctx)
	if err != nil {
		u.log.Warn("dashboards: cannot read them from the store; trying next round", "err", err)
		return
	}
	counts := u.counts(ctx, round)
	for _, d := range ds {
		u.refresh(ctx, d, round, counts)
	}
}

// Create posts a dashboard of servers (none: every server) in a channel
// from the latest round, and stores it.
func (u *Updater) Create(ctx context.Context, guildID, channelID string, servers []string) (store.Dashboard, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	d, err := u.store.CreateDashboard(ctx, store.Dashboard{GuildID: guildID, ChannelID: channelID,
		Servers: servers, CreatedAt: u.now()})
	if err != nil {
		return store.Dashboard{}, err
	}
	round := u.rounds.Last()
	for _, m := range Render(u.header(d), withPlayers(Rows(round, servers), u.counts(ctx, round))) {
		id, err := u.post(ctx, channelID, m)
		if err != nil {
			u.discard(ctx, d, d.MessageIDs)
			return store.Dashboard{}, errors.Join(err, u.store.DeleteDashboard(ctx, d.ID))
		}
		d.MessageIDs = append(d.MessageIDs, id)
	}
	return d, u.store.UpdateDashboard(ctx, d)
}

// Remove deletes the dashboards of a channel, messages and all, and says
// how many there were.
func (u *Updater) Remove(ctx context.Context, channelID string) (int, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	ds, err := u.store.FindDashboards(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range ds {
		if d.ChannelID != channelID {
			continue
		}
		u.discard(ctx, d, d.MessageIDs)
		if err := u.store.DeleteDashboard(ctx, d.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return n, err
		}
		n++
	}
	return n, nil
}

func (u *Updater) header(d store.Dashboard) Header { return Header{ID: d.ID, Interval: u.interval} }

// refresh edits d's messages in place, posts one more when the fleet grew
// and deletes the surplus when it shrank.
func (u *Updater) refresh(ctx context.Context, d store.Dashboard, round []watch.Snapshot, counts map[string]*Players) {
	msgs := Render(u.header(d), withPlayers(Rows(round, d.Servers), counts))
	ids := slices.Clone(d.MessageIDs)
	for i, m := range msgs {
		if i < len(ids) {
			if err := u.edit(ctx, d.ChannelID, ids[i], m); err != nil {
				u.failed(ctx, d, ids[i], err)
				return
			}
			continue
		}
		id, err := u.post(ctx, d.ChannelID, m)
		if err != nil {
			u.log.Warn("dashboard: cannot post its next message; trying next round", "dashboard", d.ID, "err", err)
			break
		}
		ids = append(ids, id)
	}
	if len(ids) > len(msgs) {
		u.discard(ctx, d, ids[len(msgs):])
		ids = ids[:len(msgs)]
	}
	u.keep(ctx, d, ids)
}

// keep stores d's message ids when they changed.
func (u *Updater) keep(ctx context.Context, d store.Dashboard, ids []string) {
	if slices.Equal(ids, d.MessageIDs) {
		return
	}
	d.MessageIDs = ids
	if err := u.store.UpdateDashboard(ctx, d); err != nil {
		u.log.Warn("dashboard: its messages not kept", "dashboard", d.ID, "err", err)
	}
}

// failed handles an edit Discord refused: a deleted message (404) forgets
// the dashboard, with one log line, and it is never posted again by
// itself; anything else waits for the next round.
func (u *Updater) failed(ctx context.Context, d store.Dashboard, id string, err error) {
	if !gone(err) {
		u.log.Warn("dashboard: edit failed; trying next round", "dashboard", d.ID, "channel", d.ChannelID, "err", err)
		return
	}
	u.discard(ctx, d, d.MessageIDs)
	if err := u.store.DeleteDashboard(ctx, d.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		u.log.Warn("dashboard: cannot forget it", "dashboard", d.ID, "err", err)
		return
	}
	u.log.Info("dashboard: its message was deleted in Discord, so it is forgotten; /dashboard create posts a new one",
		"dashboard", d.ID, "channel", d.ChannelID, "message", id)
}

// edit sends m in place of message id, unless it shows that already.
func (u *Updater) edit(ctx context.Context, channelID, id string, m Message) error {
	sum := digest(m)
	if was, ok := u.shown[id]; ok && was.sum == sum && was.skipped < resendAfter {
		u.shown[id] = shown{sum: sum, skipped: was.skipped + 1}
		return nil
	}
	_, err := u.session.ChannelMessageEditComplex(&discordgo.MessageEdit{ID: id, Channel: channelID,
		Embeds: &m.Embeds, AllowedMentions: noMentions()}, discordgo.WithContext(ctx))
	if err != nil {
		return err
	}
	u.shown[id] = shown{sum: sum}
	return nil
}

// post sends m as a new message and returns its id.
func (u *Updater) post(ctx context.Context, channelID string, m Message) (string, error) {
	msg, err := u.session.ChannelMessageSendComplex(channelID, &discordgo.MessageSend{Embeds: m.Embeds,
		AllowedMentions: noMentions()}, discordgo.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("post dashboard message in %s: %w", channelID, err)
	}
	u.shown[msg.ID] = shown{sum: digest(m)}
	return msg.ID, nil
}

// discard deletes messages, best effort: one already gone is what was
// wanted, and a failure leaves a stale message, not a wrong state.
func (u *Updater) discard(ctx context.Context, d store.Dashboard, ids []string) {
	for _, id := range ids {
		delete(u.shown, id)
		if err := u.session.ChannelMessageDelete(d.ChannelID, id, discordgo.WithContext(ctx)); err != nil && !gone(err) {
			u.log.Warn("dashboard: cannot delete a message", "dashboard", d.ID, "message", id, "err", err)
		}
	}
}

// noMentions pings nobody, whatever a server's name says; Parse is empty,
// not nil, so the JSON says "parse": [].
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// gone tells whether Discord answered 404: the message (or its channel)
// no longer exists.
func gone(err error) bool {
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusNotFound
}

func digest(m Message) [sha256.Size]byte {
	b, _ := json.Marshal(m.Embeds) // embeds always marshal
	return sha256.Sum256(b)
}

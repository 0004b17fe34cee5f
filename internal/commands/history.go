package commands

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/acl"
	"github.com/panelbot/panelbot/internal/chart"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/store"
)

// History is what the router needs from the bot's store: a server's
// sampled history. *sqlite.Store satisfies it. Servers are named by their
// key ("<panel>/<id>"), as the watcher samples them.
type History interface {
	FindSamples(ctx context.Context, server string, from, to time.Time, res store.Resolution) ([]store.Sample, error)
}

const (
	msgNoHistory     = "This bot keeps no history, so there is no chart to show."
	msgHistoryFailed = "The bot could not read its history just now. Try again in a minute; the bot's log has the details for its owner."
	msgBadRange      = "Pick the range from the list: 1h, 24h or 7d."
	// maxFileSlug bounds the server's name in the attachment's file name.
	maxFileSlug = 40
)

// historyCommand is /history server:<…> range:<1h|24h|7d>.
func (r *Router) historyCommand(ctx context.Context, rq *request) (reply, error) {
	ref, err := stringOption(rq, optServer)
	if err != nil {
		return reply{}, err
	}
	raw, err := stringOption(rq, optRange)
	if err != nil {
		return reply{}, err
	}
	rng, err := chart.ParseRange(raw)
	if err != nil {
		// Only an outdated command registration sends another value.
		return reply{}, &userError{msg: msgBadRange, cause: err}
	}
	t, err := r.target(ctx, rq, ref, acl.View)
	if err != nil {
		return reply{}, err
	}
	return r.chartReply(ctx, t, rng, false)
}

// historyButton is a click on History under /status: the same chart, for
// the clicker only, after checking the clicker may view that server.
func (r *Router) historyButton(ctx context.Context, rq *request, id customID) (reply, error) {
	t, err := r.targetByKey(ctx, rq, id.key, acl.View)
	if err != nil {
		return reply{}, err
	}
	return r.chartReply(ctx, t, id.rng, true)
}

// chartReply reads t's history over rng and answers with it as a PNG.
func (r *Router) chartReply(ctx context.Context, t panel.Target, rng chart.Range, ephemeral bool) (reply, error) {
	if r.history == nil {
		return reply{}, &userError{msg: msgNoHistory, cause: fmt.Errorf("no store configured")}
	}
	now := r.now()
	samples, res, err := r.samples(ctx, t.Key(), rng, now)
	if err != nil {
		return reply{}, err
	}
	c := chart.Chart{Name: t.Label(), Range: rng, End: now, Points: points(samples, megabytes(t.Server.Limits.MemoryMB))}
	if res == store.Buckets {
		c.Interval = store.BucketSpan
	}
	png, err := chart.Render(c)
	if err != nil {
		return reply{}, &userError{msg: msgInternal, cause: err}
	}
	rep := reply{content: chartText(t, rng, len(samples), len(c.Points)), ephemeral: ephemeral}
	rep.files = []attachment{{name: chartFileName(t, rng), contentType: "image/png", data: png}}
	return rep, nil
}

// samples reads a server's history over the range ending now: the raw
// samples for the ranges they cover (the last 24 hours), 5-minute buckets
// for the week.
func (r *Router) samples(ctx context.Context, key string, rng chart.Range, now time.Time) ([]store.Sample, store.Resolution, error) {
	res := store.Raw
	if rng.Duration() > store.RawRetention {
		res = store.Buckets
	}
	// to is exclusive and the store keeps whole seconds: a sample taken
	// this very second is included.
	samples, err := r.history.FindSamples(ctx, key, now.Add(-rng.Duration()), now.Add(time.Second), res)
	if err != nil {
		return nil, res, &userError{msg: msgHistoryFailed, cause: err}
	}
	return samples, res, nil
}

// historyRow is the row with the History button under /status; none
// without a store, or for a key too long for a custom ID.
func (r *Router) historyRow(key string) []discordgo.MessageComponent {
	id, err := customID{verb: verbHistory, key: key, rng: chart.Day}.encode()
	if r.history == nil || err != nil {
		return nil
	}
	btn := discordgo.Button{Label: "History", Style: discordgo.SecondaryButton, CustomID: id, Emoji: &discordgo.ComponentEmoji{Name: "📈"}}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{btn}}}
}

// points turns store samples into what the chart draws. A sample without
// live figures is left out, so it shows as a gap, unless it found the
// server offline: the chart shades offline time, and an offline server has
// no usage to draw anyway. A bucket is placed at its middle. The store
// keeps no memory limit, so the server's listed one (0: none) is used.
func points(samples []store.Sample, memLimit int64) []chart.Point {
	pts := make([]chart.Point, 0, len(samples))
	for _, s := range samples {
		if s.Live == 0 && s.State != panel.StateOffline {
			continue
		}
		pts = append(pts, chart.Point{
			Time: s.At.Add(s.Span / 2), State: s.State, CPUPercent: s.CPUPercent,
			MemoryBytes: s.MemoryBytes, MemoryLimitBytes: memLimit,
		})
	}
	return pts
}

// chartText is the line above the chart, saying why it may be empty.
func chartText(t panel.Target, rng chart.Range, samples, points int) string {
	s := fmt.Sprintf("**%s**: CPU and memory, %s.", escape(t.Label(), 200), rng.Phrase())
	switch {
	case samples == 0:
		return s + " No samples yet: the bot records the server while it runs."
	case points == 0:
		return s + " The panel gave no live figures for this server over that time."
	default:
		return s + " Gaps are times without figures."
	}
}

// chartFileName is "history-<server>-<range>.png", with the server's name
// reduced to letters, digits and dashes, since Discord rewrites other
// characters in file names anyway.
func chartFileName(t panel.Target, rng chart.Range) string {
	slug := slugify(t.Server.Name)
	if slug == "" {
		slug = slugify(t.Server.ID)
	}
	if slug == "" {
		slug = "server"
	}
	return "history-" + slug + "-" + string(rng) + ".png"
}

// slugify lower-cases s and keeps ASCII letters and digits, turning each
// run of anything else into one dash, cut to maxFileSlug.
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(c)
			dash = false
		default:
			dash = true
		}
		if b.Len() >= maxFileSlug {
			break
		}
	}
	return b.String()
}

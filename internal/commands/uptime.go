package commands

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/store"
)

const (
	uptimeName    = "Uptime history"
	noHistoryYet  = "not enough history yet"
	uptimeDay     = 24 * time.Hour
	uptimeWeek    = 7 * 24 * time.Hour
	uptimeTimeout = 2 * time.Second
)

// uptimeField is /status's line on how often the bot's samples found the
// server running over the last 24 hours and 7 days; nil without a store.
// Only sampled time counts: while the bot was not running nothing is known,
// so the line also says how much time the samples cover. A store that
// cannot be read costs the line, never the whole /status.
func (r *Router) uptimeField(ctx context.Context, t panel.Target) *discordgo.MessageEmbedField {
	if r.history == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, uptimeTimeout)
	defer cancel()
	now := r.now()
	// One query of 5-minute buckets serves both windows.
	samples, err := r.history.FindSamples(ctx, t.Key(), now.Add(-uptimeWeek), now.Add(time.Second), store.Buckets)
	if err != nil {
		r.log.Warn("uptime: history not read", "server", t.Key(), "error", err.Error())
		return uptime(unavailable)
	}
	return uptime(uptimeText(samples, now))
}

func uptime(value string) *discordgo.MessageEmbedField {
	f := field(uptimeName, value)
	f.Inline = false
	return f
}

// tally counts the samples of one window.
type tally struct {
	running, count int
	sampled        time.Duration // buckets holding a sample, as time
}

func (t *tally) add(s store.Sample) {
	t.running += s.Running
	t.count += s.Count
	if s.Count > 0 {
		t.sampled += store.BucketSpan
	}
}

// uptimeText is the line's value. A bucket counts for the day when any of
// it falls inside, so the day's figure may reach back up to 5 minutes more.
func uptimeText(samples []store.Sample, now time.Time) string {
	var day, week tally
	for _, s := range samples {
		week.add(s)
		if s.At.Add(store.BucketSpan).After(now.Add(-uptimeDay)) {
			day.add(s)
		}
	}
	if week.count == 0 {
		return noHistoryYet
	}
	return day.line("24 h", uptimeDay) + "\n" + week.line("7 d", uptimeWeek)
}

// line is one window's figure: "24 h: 99.5 % running (23h 50m sampled)".
func (t tally) line(name string, window time.Duration) string {
	if t.count == 0 {
		return name + ": no samples"
	}
	return fmt.Sprintf("%s: %s running (%s sampled)", name, share(t.running, t.count), duration(min(t.sampled, window)))
}

// share is running/count as a percentage, rounded down so that a server
// that was ever found down never reads 100 %.
func share(running, count int) string {
	if running >= count {
		return "100 %"
	}
	return fmt.Sprintf("%.1f %%", math.Floor(1000*float64(running)/float64(count))/10)
}

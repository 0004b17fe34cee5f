package app_test

import (
	"slices"
	"testing"
	"time"

	"github.com/panelbot/panelbot/internal/fakediscord"
)

// BenchmarkInteractionToFirstCallback measures the bot's own overhead as
// Discord sees it: from the moment the fake Discord sends INTERACTION_CREATE
// to the moment the bot's first callback reaches it, through the real
// discordgo session, router, ACL and (cached) panel layer. It reports the
// 50th and 99th percentiles; the target is p99 ≤ 50 ms.
//
//	go test -run '^$' -bench InteractionToFirstCallback -benchtime 300x ./internal/app
func BenchmarkInteractionToFirstCallback(b *testing.B) {
	for _, c := range []struct {
		name string
		make func(bt *bot) *fakediscord.Interaction
	}{
		{"status", func(bt *bot) *fakediscord.Interaction {
			return bt.dc.Command(viewer, "status", fakediscord.Value("server", survivalID))
		}},
		{"autocomplete", func(bt *bot) *fakediscord.Interaction {
			return bt.dc.Autocomplete(viewer, "status", fakediscord.Focus("server", "sur"))
		}},
		{"refused", func(bt *bot) *fakediscord.Interaction {
			return bt.dc.Command(viewer, "power", fakediscord.Value("server", survivalID), fakediscord.Value("action", "kill"))
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			bt := startBot(b)
			bt.dispatch(b, c.make(bt)) // warm the caches
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				p := bt.dc.Dispatch(b, c.make(bt))
				lat = append(lat, p.Response(b).Time.Sub(start))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[(len(lat)*99)/100].Microseconds())/1000, "p99-ms")
		})
	}
}

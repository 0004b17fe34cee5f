package wings

import (
	"context"
	"time"

	"golang.org/x/time/rate"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/clock"
)

// limits mirror Pelican's inbound limits for one connection (§7), with
// headroom: 80 % of the rate and one token less of burst, so that network
// jitter bunching our frames together cannot push the node over. `auth` has
// no bucket of its own: it is sent once per connection and once per token,
// and a renewal must never wait behind a limit while the token runs out
// (the node's `throttled` answer is handled instead).
type limits struct {
	global *rate.Limiter // every frame: node 5/s burst 10
	logs   *rate.Limiter // node 1 per 5 s burst 2
	other  *rate.Limiter // node 1/s burst 4
}

func newLimits() *limits {
	return &limits{
		global: rate.NewLimiter(4, 9),
		logs:   rate.NewLimiter(rate.Every(time.Second*25/4), 1),
		other:  rate.NewLimiter(0.8, 3),
	}
}

// forEvent is the event's own bucket; commands are limited per stream in
// Send, before they reach the connection.
func (l *limits) forEvent(event string) *rate.Limiter {
	switch event {
	case "send logs":
		return l.logs
	case "auth", "send command":
		return nil
	default:
		return l.other
	}
}

// waitLimit takes one token from every limiter, waiting on the clock for the
// longest of their delays; on cancellation the tokens are given back.
func waitLimit(ctx context.Context, clk clock.Clock, lims ...*rate.Limiter) error {
	now := clk.Now()
	var delay time.Duration
	var rs []*rate.Reservation
	for _, l := range lims {
		if l == nil {
			continue
		}
		r := l.ReserveN(now, 1)
		rs = append(rs, r)
		delay = max(delay, r.DelayFrom(now))
	}
	if err := backoff.Sleep(ctx, clk, delay); err != nil {
		for _, r := range rs {
			r.CancelAt(clk.Now())
		}
		return err
	}
	return nil
}

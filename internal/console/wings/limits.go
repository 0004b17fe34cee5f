package wings

import (
	"context"
	"time"

	"golang.org/x/time/rate"
)

// limits mirror the node's inbound limits for one connection (section 7),
// with headroom: 80 % of the rate and one token less of burst, so that
// network jitter bunching our frames together cannot push the node over.
type limits struct {
	global *rate.Limiter // every frame: node 5/s burst 10
	auth   *rate.Limiter // node 1 per 5 s burst 2
	logs   *rate.Limiter // node 1 per 5 s burst 2
	other  *rate.Limiter // node 1/s burst 4
}

func newLimits() *limits {
	return &limits{
		global: rate.NewLimiter(4, 9),
		auth:   rate.NewLimiter(rate.Every(time.Second*25/4), 1),
		logs:   rate.NewLimiter(rate.Every(time.Second*25/4), 1),
		other:  rate.NewLimiter(0.8, 3),
	}
}

// forEvent is the event's own bucket; commands are limited per stream in
// Send, before they reach the connection.
func (l *limits) forEvent(event string) *rate.Limiter {
	switch event {
	case "auth":
		return l.auth
	case "send logs":
		return l.logs
	case "send command":
		return nil
	default:
		return l.other
	}
}

// waitLimit takes one token from every limiter, waiting on the clock for the
// longest of their delays; on cancellation the tokens are given back.
func waitLimit(ctx context.Context, clock Clock, lims ...*rate.Limiter) error {
	now := clock.Now()
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
	if err := sleep(ctx, clock, delay); err != nil {
		for _, r := range rs {
			r.CancelAt(clock.Now())
		}
		return err
	}
	return nil
}

// sleep waits d on the clock, or until ctx is done.
func sleep(ctx context.Context, clock Clock, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	select {
	case <-clock.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

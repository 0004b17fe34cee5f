package wingssim

import (
	"time"

	"golang.org/x/time/rate"
)

// Inbound limits of recent Wings and Pelican, per connection (section 7 of
// docs/wings-websocket.md).
const (
	globalKey = "global"
	otherKey  = "_default"
)

// limiter holds one connection's token buckets and the "already told the
// client" flag of each throttling episode.
type limiter struct {
	global    *rate.Limiter
	buckets   map[string]*rate.Limiter
	throttled map[string]bool
}

func newLimiter() *limiter {
	return &limiter{
		global: rate.NewLimiter(rate.Every(time.Second/5), 10),
		buckets: map[string]*rate.Limiter{
			"auth":         rate.NewLimiter(rate.Every(5*time.Second), 2),
			"send logs":    rate.NewLimiter(rate.Every(5*time.Second), 2),
			"send command": rate.NewLimiter(rate.Every(time.Second), 10),
			otherKey:       rate.NewLimiter(rate.Every(time.Second), 4),
		},
		throttled: make(map[string]bool),
	}
}

// allowGlobal spends a token of the per-connection bucket. notify is true
// for the first refusal of an episode, when Wings sends `throttled`.
func (l *limiter) allowGlobal(now time.Time) (ok, notify bool) {
	return l.spend(globalKey, l.global, now)
}

// allowEvent spends a token of the event's own bucket; the episode is keyed
// by the event name, which is also what `throttled` carries.
func (l *limiter) allowEvent(event string, now time.Time) (ok, notify bool) {
	b, found := l.buckets[event]
	if !found {
		b = l.buckets[otherKey]
	}
	return l.spend(event, b, now)
}

func (l *limiter) spend(key string, b *rate.Limiter, now time.Time) (ok, notify bool) {
	if b.AllowN(now, 1) {
		l.throttled[key] = false
		return true, false
	}
	notify = !l.throttled[key]
	l.throttled[key] = true
	return false, notify
}

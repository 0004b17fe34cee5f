package console

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"golang.org/x/time/rate"

	"github.com/panelbot/panelbot/internal/backoff"
	"github.com/panelbot/panelbot/internal/clock"
)

// paceBurst is how many requests may leave together after a lull: with the
// default 45/s, no second holds more than 48, under Discord's 50.
const paceBurst = 3

// pace is the hub's global limiter: every request of every channel takes a
// token from it just before it leaves, so many busy channels stay under
// Discord's global limit instead of meeting 429s. It reads the injected
// clock, never the wall clock, so tests can drive it.
type pace struct {
	clk clock.Clock

	mu    sync.Mutex
	lim   *rate.Limiter
	until time.Time // no request before this: a global 429 said so
}

func newPace(clk clock.Clock, perSecond float64) *pace {
	return &pace{clk: clk, lim: rate.NewLimiter(rate.Limit(perSecond), paceBurst)}
}

// wait blocks until the request may leave, or ctx ends.
func (p *pace) wait(ctx context.Context) error {
	p.mu.Lock()
	now := p.clk.Now()
	hold := p.until.Sub(now)
	r := p.lim.ReserveN(now.Add(max(hold, 0)), 1)
	d := r.DelayFrom(now)
	p.mu.Unlock()
	if err := backoff.Sleep(ctx, p.clk, d); err != nil {
		r.CancelAt(p.clk.Now())
		return err
	}
	return nil
}

// observe takes a global 429's Retry-After in: nobody sends before it ends.
func (p *pace) observe(retryAfter time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t := p.clk.Now().Add(retryAfter); t.After(p.until) {
		p.until = t
	}
}

// attempt is what one request saw on its way, beyond discordgo's error:
// discordgo turns a 502 into a plain error and hides the 429's scope.
type attempt struct {
	mu      sync.Mutex
	unsent  bool // the pace wait ended first, or the connection was refused
	status  int
	global  bool
	reached bool // the transport was called
}

func (a *attempt) note(f func(a *attempt)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f(a)
}

// option is the discordgo request option that paces a request and watches
// its answer. discordgo applies options after waiting for the channel's
// bucket and just before the request leaves, which is the moment the global
// token must be taken: taken earlier, 50 channels waiting for their buckets
// would all leave together when the buckets reset.
func (p *pace) option(a *attempt) discordgo.RequestOption {
	return func(cfg *discordgo.RequestConfig) {
		if err := p.wait(cfg.Request.Context()); err != nil {
			a.note(func(a *attempt) { a.unsent = true })
			return // the request fails at once on the same context
		}
		if cfg.Client == nil {
			return // not discordgo's session (a test fake): nothing to watch
		}
		c := *cfg.Client
		c.Transport = &watcher{next: c.Transport, pace: p, a: a}
		cfg.Client = &c
	}
}

// watcher is the transport of one paced request: it tells a refused
// connection (never reached Discord) from a failure after sending, and
// feeds a global 429's Retry-After to the pace.
type watcher struct {
	next http.RoundTripper
	pace *pace
	a    *attempt
}

func (w *watcher) RoundTrip(req *http.Request) (*http.Response, error) {
	next := w.next
	if next == nil {
		next = http.DefaultTransport
	}
	w.a.note(func(a *attempt) { a.reached = true })
	resp, err := next.RoundTrip(req)
	if err != nil {
		w.a.note(func(a *attempt) { a.unsent = dialFailed(err) })
		return nil, err
	}
	global := resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("X-RateLimit-Global") != ""
	w.a.note(func(a *attempt) { a.status, a.global = resp.StatusCode, global })
	if global {
		w.pace.observe(retryAfter(resp.Header))
	}
	return resp, nil
}

// dialFailed reports an error that happened before any byte of the request
// was sent: the connection was refused or could not be made.
func dialFailed(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// retryAfter reads a 429's Retry-After header (seconds), at least
// minRetryAfter so a "retry now" does not become a tight loop.
func retryAfter(h http.Header) time.Duration {
	f, err := strconv.ParseFloat(h.Get("Retry-After"), 64)
	if err != nil {
		return time.Second
	}
	return max(time.Duration(f*float64(time.Second)), minRetryAfter)
}

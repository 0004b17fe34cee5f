package shardsim

import (
	"strconv"
	"time"

	"github.com/panelbot/panelbot/internal/clock"
)

// Option configures a Sim.
type Option func(*config)

type config struct {
	clock        clock.Clock
	accessTTL    time.Duration
	refreshTTL   time.Duration
	mfa          []string
	instances    []Instance
	rateLimit    int
	rateWindow   time.Duration
	lockFailures int
	lockFor      time.Duration
	replay       int
	transition   time.Duration
	maxSockets   int
}

func defaults() config {
	return config{
		clock: clock.Real{}, accessTTL: AccessTokenTTL, refreshTTL: 7 * 24 * time.Hour,
		// The document's example headers show a limit of 100.
		rateLimit: 100, rateWindow: time.Second,
		lockFailures: 5, lockFor: 15 * time.Minute,
		replay: 100, transition: 0, maxSockets: 5,
	}
}

// WithClock injects the clock that ages tokens, counts rate-limit windows
// and moves instances between states (default the wall clock).
func WithClock(clk clock.Clock) Option { return func(c *config) { c.clock = clk } }

// WithAccessTokenTTL changes the access-token lifetime (documented: 15 min).
func WithAccessTokenTTL(d time.Duration) Option { return func(c *config) { c.accessTTL = d } }

// WithRefreshTokenTTL changes the refresh-token lifetime (default 7 days;
// the document does not say).
func WithRefreshTokenTTL(d time.Duration) Option { return func(c *config) { c.refreshTTL = d } }

// WithMFA enables MFA on the account with this email (created with the
// default password if it is not the default account).
func WithMFA(email string) Option { return func(c *config) { c.mfa = append(c.mfa, email) } }

// WithInstances adds instances owned by the default account.
func WithInstances(in ...Instance) Option {
	return func(c *config) { c.instances = append(c.instances, in...) }
}

// WithRateLimit sets the general limit: limit requests per fixed window
// of the injected clock (default 100 per second).
func WithRateLimit(limit int, window time.Duration) Option {
	return func(c *config) { c.rateLimit, c.rateWindow = limit, window }
}

// WithLoginLockout sets after how many failed logins an account is locked
// and for how long (default 5, 15 minutes).
func WithLoginLockout(failures int, d time.Duration) Option {
	return func(c *config) { c.lockFailures, c.lockFor = failures, d }
}

// WithReplay sets how many recent lines the log websocket sends on connect
// before the live ones (default 100; 0 sends none).
func WithReplay(lines int) Option { return func(c *config) { c.replay = lines } }

// WithTransition sets how long starting and stopping last on the injected
// clock (default 0: the next read shows the final state).
func WithTransition(d time.Duration) Option { return func(c *config) { c.transition = d } }

// WithMaxSockets sets how many log websockets one instance accepts at once
// (default 5); the document says connections are limited.
func WithMaxSockets(n int) Option { return func(c *config) { c.maxSockets = n } }

func itoa(n int) string { return strconv.Itoa(n) }

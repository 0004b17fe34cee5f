// Package store is what the bot remembers across restarts: the dashboard
// messages it keeps up to date, the state of its alerts, the history of each
// watched server's resources, and the last console lines it relayed for each
// server, so that a restart relays only what is new.
//
// The package holds the types and one small interface per kind of memory;
// the implementations live in subpackages named after the database
// (sqlite), so that a later one (PostgreSQL, for hosts that run several bot
// processes) is a new package, not a rewrite. storetest holds the contract
// every implementation passes.
//
// Servers are named everywhere by their key, panel.Target.Key()
// ("panel/id"). Times are kept to the second; every method takes the times
// it needs as arguments and never reads the clock, so tests move time by
// hand.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned when the dashboard or alert asked for is not kept.
var ErrNotFound = errors.New("not found")

// Dashboard is the messages the bot keeps up to date with the state of a
// list of servers: a large fleet spans several messages.
type Dashboard struct {
	// ID is assigned by the store when the dashboard is created, and
	// never reused for another.
	ID        int64
	GuildID   string
	ChannelID string
	// MessageIDs are the dashboard's messages, in the order shown.
	MessageIDs []string
	// Servers are the keys of the servers shown, in the order shown; none
	// means every server the bot can see.
	Servers   []string
	CreatedAt time.Time
}

// Dashboards keeps the dashboard messages.
type Dashboards interface {
	// CreateDashboard stores d and returns it with its ID.
	CreateDashboard(ctx context.Context, d Dashboard) (Dashboard, error)
	// UpdateDashboard replaces the message ids and the server list of the
	// dashboard d.ID (the fleet grew or shrank); ErrNotFound when there is
	// none.
	UpdateDashboard(ctx context.Context, d Dashboard) error
	// FindDashboards lists every dashboard, oldest first.
	FindDashboards(ctx context.Context) ([]Dashboard, error)
	// DeleteDashboard forgets a dashboard; ErrNotFound when there is none.
	DeleteDashboard(ctx context.Context, id int64) error
}

// AlertCondition names what an alert watches ("offline", "memory", …); the
// alerting code defines the conditions, the store only keeps them apart.
type AlertCondition string

// Alert is the latest episode of one condition on one server.
type Alert struct {
	Server    string
	Condition AlertCondition
	// Since is when the episode began.
	Since time.Time
	// Notified is when the channel was last told; zero if not yet.
	Notified time.Time
	// Recovered is when the episode ended; zero while it is open.
	Recovered time.Time
}

// Open reports whether the episode is still going on.
func (a Alert) Open() bool { return a.Recovered.IsZero() }

// Alerts keeps the state of alerts, one episode per server and condition, so that
// a restart neither repeats a notification nor forgets an open episode.
type Alerts interface {
	// FindAlert returns the latest episode; ErrNotFound when there is none.
	FindAlert(ctx context.Context, server string, cond AlertCondition) (Alert, error)
	// FindAlerts lists the kept episodes, open and recovered, by server and
	// condition.
	FindAlerts(ctx context.Context) ([]Alert, error)
	// PutAlert stores a's episode in place of the one kept for its server
	// and condition.
	PutAlert(ctx context.Context, a Alert) error
}

// ConsoleTails keeps, per relayed server, the last console lines relayed:
// what replay.Aligner.Tail returns and Seed takes back after a restart.
type ConsoleTails interface {
	// FindConsoleTail returns the kept lines, oldest first; none when
	// nothing was kept.
	FindConsoleTail(ctx context.Context, server string) ([]string, error)
	// ReplaceConsoleTail replaces the kept lines in one step, keeping at
	// most the store's limit of the newest ones. Each call is a commit
	// (and an fsync): call it every few seconds while lines flow and at
	// shutdown, not per line; a crash then costs only the lines relayed
	// since the last call, posted again after the restart.
	ReplaceConsoleTail(ctx context.Context, server string, lines []string, at time.Time) error
}

// Maintainer is the housekeeping the bot runs periodically (every few
// minutes): samples older than RawRetention are merged into 5-minute
// buckets, and what is older than History is deleted.
type Maintainer interface {
	Maintain(ctx context.Context, now time.Time) (Maintenance, error)
}

// Maintenance tells what one Maintain call did, for the log.
type Maintenance struct {
	Downsampled   int // raw samples merged into buckets
	PrunedBuckets int // buckets older than History deleted
	PrunedAlerts  int // episodes recovered before History deleted
}

// Store is everything the bot keeps, in one database.
type Store interface {
	Dashboards
	Alerts
	Samples
	ConsoleTails
	Schedules
	Maintainer
	Close() error
}

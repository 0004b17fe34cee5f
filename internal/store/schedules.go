package store

import (
	"context"
	"time"
)

// Schedule is a power action or console command the bot runs at set times
// on a server, on behalf of the member who created it.
type Schedule struct {
	// ID is assigned by the store and never reused, so a Cancel button
	// naming a removed schedule cannot reach a newer one.
	ID        int64
	GuildID   string
	ChannelID string // where it was created
	Server    string // the target key
	// Action is "start", "stop", "restart", "kill" or "command".
	Action  string
	Command string // the console command, for "command"
	// When is the canonical spelling of when it runs ("daily 04:00").
	When string
	// Warnings are the countdown points before each run, longest first.
	Warnings  []time.Duration
	CreatorID string
	CreatedAt time.Time
	// LastRun is the last run done, skipped or missed; zero if none yet.
	LastRun time.Time
}

// Schedules keeps the schedules, so that they survive restarts.
type Schedules interface {
	// CreateSchedule stores s and returns it with its ID.
	CreateSchedule(ctx context.Context, s Schedule) (Schedule, error)
	// FindSchedules lists every schedule, oldest first.
	FindSchedules(ctx context.Context) ([]Schedule, error)
	// DeleteSchedule forgets a schedule; ErrNotFound when there is none.
	DeleteSchedule(ctx context.Context, id int64) error
	// RecordScheduleRun notes the run due at at as handled (run, skipped
	// or missed); ErrNotFound when the schedule is gone.
	RecordScheduleRun(ctx context.Context, id int64, at time.Time) error
}

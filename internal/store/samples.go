package store

import (
	"context"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
)

// The history's resolutions and how long each is kept.
const (
	// RawInterval is how often the bot samples a watched server.
	RawInterval = 30 * time.Second
	// RawRetention is how long samples are kept as they were taken.
	RawRetention = 24 * time.Hour
	// BucketSpan is the span older samples are merged into.
	BucketSpan = 5 * time.Minute
	// History is how long buckets are kept.
	History = 30 * 24 * time.Hour
)

// Resolution is the granularity a history query answers at.
type Resolution int

const (
	// Raw answers with the samples as taken (only the last RawRetention
	// has them).
	Raw Resolution = iota
	// Buckets answers with one Sample per BucketSpan over the whole
	// History, merging recent raw samples on the fly.
	Buckets
)

// Reading is one server's resources at one moment, as the bot polled them.
// Of the resources, the state and the figures (CPU, memory, disk, network)
// are kept; without Live the figures are unknown and kept as such.
type Reading struct {
	Server    string
	At        time.Time
	Resources panel.Resources
}

// Sample is a server's history over one span: a raw sample (Span 0, Count
// 1) or a bucket of BucketSpan. A bucket keeps the mean and the peak of CPU
// and memory (a chart shows the mean, an alert's evidence the peak), the
// largest disk and network figures (network figures are counters since the
// server started, so the largest is the bucket's last), how many samples
// found the server running (its uptime over the span) and the state of the
// latest sample.
type Sample struct {
	At      time.Time     // when taken; for a bucket, when it begins
	Span    time.Duration // 0 for a raw sample, BucketSpan for a bucket
	Count   int           // samples merged (1 for a raw sample)
	Running int           // of them, how many found the server running
	Live    int           // of them, how many had figures; none: figures are zero
	State   panel.State   // the latest sample's state

	CPUPercent      float64 // mean, to 0.1 %
	CPUPeakPercent  float64
	MemoryBytes     int64 // mean
	MemoryPeakBytes int64
	DiskBytes       int64 // the largest
	NetworkRxBytes  int64 // the largest
	NetworkTxBytes  int64 // the largest
}

// Samples keeps the resource history of watched servers.
type Samples interface {
	// AppendSamples records one poll of several servers in one step. A
	// second reading of a server at the same second replaces the first.
	AppendSamples(ctx context.Context, rs []Reading) error
	// FindSamples returns a server's history with At in [from, to), oldest
	// first, at the given resolution. With Buckets, from is rounded down
	// to a bucket's start, so the bucket holding from is included.
	FindSamples(ctx context.Context, server string, from, to time.Time, res Resolution) ([]Sample, error)
}

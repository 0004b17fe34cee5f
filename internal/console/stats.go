package console

// Stats counts what a channel's sender did with the lines it was given.
// Lines split because they exceed a message count once per piece. Every
// line is in exactly one of Posted, Folded, Dropped, Unconfirmed, Failed,
// Pending or OnDisk:
//
//	Lines == Posted + Folded + Dropped + Unconfirmed + Failed + Pending + OnDisk
type Stats struct {
	Lines       int // accepted from relays
	Posted      int // shown in code blocks Discord accepted
	Folded      int // in .log attachments Discord accepted
	Dropped     int // dropped past the disk bound (or the memory cap with no DATA_DIR), or left at shutdown
	Unconfirmed int // in messages that may or may not be posted (timeout or reset after sending, 5xx but 502)
	Failed      int // in messages Discord refused (4xx) or kept rate limiting
	Pending     int // in memory, or in a message in flight (from memory or disk)
	OnDisk      int // waiting in the spill file
	Spilled     int // ever written to the spill file (not a bucket: they end up in one of the above)
	Messages    int // messages Discord accepted
	Attachments int // .log files Discord accepted
	CodeChars   int // characters of code blocks, fences included, in accepted messages
	RateLimited int // 429 answers met
	Retried     int // attempts that never reached Discord or met a 502, sent again after a pause
}

// Add sums two snapshots, for totals over channels.
func (a Stats) Add(b Stats) Stats {
	return Stats{
		Lines: a.Lines + b.Lines, Posted: a.Posted + b.Posted, Folded: a.Folded + b.Folded,
		Dropped: a.Dropped + b.Dropped, Unconfirmed: a.Unconfirmed + b.Unconfirmed,
		Failed: a.Failed + b.Failed, Pending: a.Pending + b.Pending, OnDisk: a.OnDisk + b.OnDisk,
		Spilled: a.Spilled + b.Spilled, Messages: a.Messages + b.Messages, Attachments: a.Attachments + b.Attachments,
		CodeChars: a.CodeChars + b.CodeChars, RateLimited: a.RateLimited + b.RateLimited, Retried: a.Retried + b.Retried,
	}
}

// Accounted is the number of lines in a final bucket or still held: it
// equals Lines whenever the sender's books are right.
func (a Stats) Accounted() int {
	return a.Posted + a.Folded + a.Dropped + a.Unconfirmed + a.Failed + a.Pending + a.OnDisk
}

package shardlynlog

import (
	"context"
	"github.com/panelbot/panelbot/internal/console/wsconn"
	"sync"
	"time"

	"github.com/panelbot/panelbot/internal/console/replay"
)

// session is one connection, owned by one goroutine (the Stream's): it
// holds the replay state and hands lines to the sink, which never blocks.
//
// On a connection opened after lines were relayed, the socket's first lines
// (its replay, then live ones) are held in replayed for the hold. If they
// reach back to what was relayed, they go through the aligner as the
// replay. If not (or there were none), the history is read; lines that
// come meanwhile are held in during; then the aligner takes the lines held
// during the read, then the history's last window lines, and decides. The
// history is the same log the socket reads, read after the lines in
// replayed arrived, so it holds them: they are dropped for it.
type session struct {
	r       *run
	c       *wsconn.Conn[string]
	ctx     context.Context
	cancel  context.CancelFunc
	fetches sync.WaitGroup

	probing   bool     // holding the socket's first lines
	replayed  []string // held while probing
	during    []string // held while the history is read
	holdT     *time.Timer
	histC     <-chan history // set while the history is read
	delivered bool
}

type history struct {
	lines []string
	err   error
}

// session runs one connection from dial to end.
func (r *run) session(ctx context.Context) outcome {
	sock, err := r.s.sock.LogSocket(ctx, r.s.id)
	if err != nil {
		return socketFailure(err)
	}
	ws, resp, err := r.s.dialer.DialContext(ctx, sock.URL, sock.Header())
	if err != nil {
		return r.handshakeFailure(sock, resp, err)
	}
	r.back()
	ss := &session{r: r, c: newConn(ws)}
	ss.ctx, ss.cancel = context.WithCancel(ctx)
	defer ss.end()
	if r.al.HasTail() {
		ss.probing, ss.holdT = true, time.NewTimer(r.s.hold)
	}
	o := ss.loop()
	if o.renew {
		r.s.sock.SocketRefused(sock)
	}
	return o
}

func (ss *session) loop() outcome {
	for {
		select {
		case <-ss.ctx.Done():
			ss.shutdown()
			return outcome{err: ss.ctx.Err()}
		case line, ok := <-ss.c.In():
			if !ok {
				ss.abandon()
				return closeOutcome(ss.c.Err(), ss.delivered)
			}
			ss.line(line)
		case <-timerC(ss.holdT):
			ss.holdT = nil
			ss.probe()
		case h := <-ss.histC:
			ss.histC = nil
			ss.filled(h)
		}
	}
}

// end closes the connection and joins the history read.
func (ss *session) end() {
	ss.cancel()
	if ss.holdT != nil {
		ss.holdT.Stop()
	}
	ss.c.Close(false)
	ss.fetches.Wait()
}

func (ss *session) line(text string) {
	ss.delivered = true
	switch {
	case ss.probing:
		ss.replayed = append(ss.replayed, text)
		if len(ss.replayed) >= ss.r.s.window+2*replay.Slack {
			ss.holdT.Stop()
			ss.holdT = nil
			ss.probe() // the whole replay and a margin are in
		}
	case ss.histC != nil:
		ss.during = append(ss.during, text)
		if len(ss.during) >= ss.r.s.window+2*replay.Slack {
			ss.histC = nil // a flood: decide without the history
			ss.decide(ss.replayed, ss.during)
		}
	default:
		ss.add(text)
	}
}

// probe ends the hold: the socket's replay is aligned if it reaches back,
// the history is read otherwise.
func (ss *session) probe() {
	ss.probing = false
	if len(ss.replayed) > 0 && reachesBack(ss.r.al.Tail(), ss.r.s.window, ss.replayed) {
		ss.decide(ss.replayed)
		return
	}
	ch := make(chan history, 1)
	ss.histC = ch
	ss.fetches.Add(1)
	go func() {
		defer ss.fetches.Done()
		lines, err := ss.r.s.sock.LogHistory(ss.ctx, ss.r.s.id)
		ch <- history{lines: lines, err: err}
	}()
}

// filled aligns the history once it is read. Without it (an error, or an
// empty history that cannot hold the socket's lines), the socket's lines
// are aligned as they are, and a gap is reported if they do not reach back.
func (ss *session) filled(h history) {
	if h.err != nil || len(h.lines) == 0 {
		if h.err != nil {
			ss.r.s.log.Warn("could not read the console history", "instance", ss.r.s.id, "err", h.err)
		}
		ss.decide(ss.replayed, ss.during)
		return
	}
	var lines []string
	for _, e := range h.lines {
		lines = append(lines, splitLines(e)...)
	}
	ss.decide(ss.during, lines[max(0, len(lines)-ss.r.s.window):])
}

// decide runs one hold of the aligner over the lines given, in order, and
// tells the channel if they did not reach back to what was relayed.
func (ss *session) decide(parts ...[]string) {
	ss.replayed, ss.during = nil, nil
	al := ss.r.al
	ss.gap(al.Expect(ss.r.sink.Line))
	for _, p := range parts {
		for _, l := range p {
			ss.add(l)
		}
	}
	ss.gap(al.Decide(ss.r.sink.Line))
}

// add passes one line through the aligner.
func (ss *session) add(line string) {
	if decided, gap := ss.r.al.Add(line, ss.r.sink.Line); decided {
		ss.gap(gap)
	}
}

func (ss *session) gap(gap bool) {
	if gap {
		ss.r.sink.Notice(noticeGap)
	}
}

// abandon ends a hold because the connection ended: lines that only
// replay what was relayed are dropped, the rest relayed.
func (ss *session) abandon() {
	if !ss.probing && ss.histC == nil {
		return
	}
	ss.probing, ss.histC = false, nil
	al := ss.r.al
	al.Expect(ss.r.sink.Line)
	for _, l := range append(ss.replayed, ss.during...) {
		ss.add(l)
	}
	ss.replayed, ss.during = nil, nil
	ss.gap(al.Abandon(ss.r.sink.Line))
}

// shutdown relays what the reader had already decoded, then closes the
// socket normally: the relay is stopping, not failing.
func (ss *session) shutdown() {
drain:
	for {
		select {
		case line, ok := <-ss.c.In():
			if !ok {
				break drain
			}
			ss.line(line)
		default:
			break drain
		}
	}
	if ss.probing || ss.histC != nil {
		ss.probing, ss.histC = false, nil
		ss.decide(ss.replayed, ss.during)
	}
	ss.c.Close(true)
}

// reachesBack asks a scratch aligner, seeded with what was relayed,
// whether lines a socket replayed overlap it: the rule the real hold uses.
func reachesBack(tail []string, window int, lines []string) bool {
	a := replay.New(window)
	a.Seed(tail)
	discard := func(string) {}
	a.Expect(discard)
	for _, l := range lines {
		if decided, gap := a.Add(l, discard); decided {
			return !gap
		}
	}
	return !a.Decide(discard)
}

func timerC(t *time.Timer) <-chan time.Time {
	if t == nil {
		return nil
	}
	return t.C
}

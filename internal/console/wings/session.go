package wings

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
)

// Notices about lines.
const (
	noticeGap      = "The console reconnected, but some lines from while it was interrupted may be missing."
	noticeNoReplay = "Some console lines may be missing: the node would not replay its recent lines just now."
)

var (
	errAuthTimeout  = errors.New("the node did not confirm authentication in time")
	errSocketMoved  = errors.New("the panel handed out a different socket URL (server transferred?)")
	errTokenRefused = errors.New("the node refused a freshly fetched token")
	errWrongServer  = errors.New("the node says the panel's token is for another server")
)

// session is one connection, owned by one goroutine (the Stream's): it
// holds the token, the authentication state and the replay hold, reacts to
// the frames the reader decoded, and never waits on the network. It ends
// on any failure, so that the run loop reconnects.
type session struct {
	r      *run
	s      *Stream
	c      *conn
	ctx    context.Context
	cancel context.CancelFunc
	emit   func(string)
	cmds   chan cmdReq
	done   chan struct{}
	fetchs sync.WaitGroup

	token     string // the token last sent in `auth`
	authed    bool   // the node accepted a token on this socket
	authWait  bool   // an auth is in flight
	authFresh bool   // its token was fetched for it
	lost      bool   // the node replaced events with jwt errors since the last auth success
	resync    bool   // take the power state from the next stats
	streaming bool   // the node's stream reached us: the session was healthy
	state     panel.State

	fetchC <-chan fetchResult // set while a token fetch is in flight
	renewC <-chan time.Time
	authT  *time.Timer
	holdC  <-chan time.Time // the replay hold's deadline, on the stream's clock
}

type cmdReq struct {
	command string
	reply   chan error
}

type fetchResult struct {
	creds panel.SocketCredentials
	fresh bool
	err   error
}

// session runs one connection from dial to end and reports whether it was
// healthy (the node's stream reached us), which resets the backoff.
func (r *run) session(ctx context.Context) (bool, error) {
	creds, fresh, err := r.s.tok.get(ctx, false)
	if err != nil {
		return false, err
	}
	ws, err := r.s.dial(ctx, creds.URL)
	if err != nil {
		return false, err
	}
	ss := &session{r: r, s: r.s, c: newConn(ws, creds.URL, r.s.clock), cmds: make(chan cmdReq), done: make(chan struct{})}
	ss.ctx, ss.cancel = context.WithCancel(ctx)
	ss.emit = r.sink.Line
	defer ss.end()
	if err := ss.authenticate(creds.Token, fresh); err != nil {
		return false, err
	}
	err = ss.loop()
	return ss.streaming, err
}

func (ss *session) loop() error {
	for {
		select {
		case <-ss.ctx.Done():
			ss.shutdown()
			return ss.ctx.Err()
		case f, ok := <-ss.c.In():
			if !ok {
				ss.gap(ss.r.al.Abandon(ss.emit))
				return ss.c.Err()
			}
			if err := ss.handle(f); err != nil {
				return err
			}
		case res := <-ss.fetchC:
			ss.fetchC = nil
			if err := ss.onFetched(res); err != nil {
				return err
			}
		case <-ss.renewC:
			ss.renewC = nil
			ss.renew()
		case <-timerC(ss.authT):
			ss.s.tok.invalidate() // a node that never answers may be refusing the token itself
			return errAuthTimeout
		case <-ss.holdC:
			ss.holdC = nil
			ss.gap(ss.r.al.Decide(ss.emit))
		case req := <-ss.cmds:
			req.reply <- ss.sendCommand(req.command)
		}
	}
}

// shutdown relays what the reader had already decoded, then closes the
// socket normally: the relay is stopping, not failing.
func (ss *session) shutdown() {
drain:
	for {
		select {
		case f, ok := <-ss.c.In():
			if !ok {
				break drain
			}
			_ = ss.handle(f)
		default:
			break drain
		}
	}
	ss.r.al.Decide(ss.emit)
	ss.c.Close(true)
}

// end closes the connection and joins its goroutines.
func (ss *session) end() {
	ss.s.cur.CompareAndSwap(ss, nil)
	close(ss.done)
	ss.cancel()
	stopTimer(ss.authT)
	ss.c.Close(false)
	ss.fetchs.Wait()
}

// gap tells the channel that a replay did not reach back to what it saw.
func (ss *session) gap(gap bool) {
	if gap {
		ss.r.sink.Notice(noticeGap)
	}
}

func (ss *session) handle(f frame) error {
	switch f.Event {
	case "console output":
		ss.line(f.arg())
	case "auth success":
		ss.onAuthOK()
	case "status":
		ss.onStatus(f.arg())
	case "stats":
		ss.onStats(f.arg())
	case "token expiring", "token expired":
		ss.renew()
	case "jwt error":
		return ss.onJWTError(f.arg())
	case "daemon error":
		return ss.onDaemonError(f.arg())
	case "throttled":
		ss.onThrottled(f.arg())
	default:
		ss.other(f)
	}
	return nil
}

// line passes a console line through the replay aligner.
func (ss *session) line(text string) {
	ss.markStreaming()
	if decided, gap := ss.r.al.Add(text, ss.emit); decided {
		ss.holdC = nil
		ss.gap(gap)
	}
}

func (ss *session) markStreaming() {
	if !ss.streaming {
		ss.streaming = true
		ss.r.streaming()
	}
}

// onAuthOK: on a new socket, a replay is asked for when something was
// relayed before (nothing can have been missed otherwise); after a renewal,
// only when jwt errors took the place of events.
func (ss *session) onAuthOK() {
	first := !ss.authed
	ss.authed, ss.authWait = true, false
	stopTimer(ss.authT)
	ss.authT = nil
	ss.scheduleRenew()
	if first {
		ss.s.cur.Store(ss)
		if ss.r.al.HasTail() {
			ss.requestReplay()
		}
		return
	}
	if ss.lost {
		ss.lost, ss.resync = false, true
		ss.requestReplay()
		_ = ss.c.send("send stats") // a status may have been among the lost events
	}
}

// requestReplay sends `send logs` and holds lines until the replay is in.
func (ss *session) requestReplay() {
	if ss.c.send("send logs") != nil {
		ss.r.sink.Notice(noticeNoReplay)
		return
	}
	ss.gap(ss.r.al.Expect(ss.emit))
	ss.holdC = ss.s.clock.After(ss.s.hold)
}

// sendCommand hands a command typed in Discord to the node.
func (ss *session) sendCommand(command string) error {
	op := "console command on " + ss.s.serverID
	switch {
	case ss.state == panel.StateOffline:
		return &panel.Error{Class: panel.ErrOffline, Op: op}
	case ss.lost || !ss.authed:
		// The node would drop it without a word while the token is renewed.
		return &panel.Error{Class: panel.ErrUnavailable, Op: op, Message: "The live console is renewing its access to the node. Try again in a moment."}
	}
	if ss.c.send("send command", command) != nil {
		return &panel.Error{Class: panel.ErrUnavailable, Op: op, Message: "The console connection is busy. Try again in a moment."}
	}
	return nil
}

// command asks the owner to send a command and waits for its answer.
func (ss *session) command(ctx context.Context, op, command string) error {
	req := cmdReq{command: command, reply: make(chan error, 1)}
	select {
	case ss.cmds <- req:
	case <-ss.done:
		return errNotConnected(op)
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-req.reply // the owner answers at once
}

func timerC(t *time.Timer) <-chan time.Time {
	if t == nil {
		return nil
	}
	return t.C
}

func stopTimer(t *time.Timer) {
	if t != nil {
		t.Stop()
	}
}

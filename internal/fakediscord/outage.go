package fakediscord

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"syscall"
	"time"
)

// outage is what the fake does instead of answering, for tests of how the
// bot rides out Discord's bad moments.
type outage struct {
	badGatewayUntil time.Time // answer 502 to REST requests until then (fake clock)
	refusing        bool      // the port is closed: connections are refused
}

// BadGatewayUntil makes every REST request answer 502 Bad Gateway, with the
// HTML body Discord's edge sends, until the fake clock reaches t. Discord
// documents 502 as "no gateway was available to process your request":
// nothing was processed, and the client should wait and retry.
func (s *Server) BadGatewayUntil(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.out.badGatewayUntil = t
}

// badGatewayLocked answers 502 while BadGatewayUntil says so.
func (s *Server) badGatewayLocked(now time.Time) bool {
	return now.Before(s.out.badGatewayUntil)
}

func writeBadGateway(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusBadGateway)
	_, _ = io.WriteString(w, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>")
}

// RefuseConnections closes the fake's port and every open connection:
// new connections are refused (a dial error: the request never reached
// Discord) until AcceptConnections. The gateway's websockets are closed too.
// A client that reuses a kept-alive connection sees that one fail as a
// reset (EOF) unless it closes its idle connections first, as after a real
// outage.
func (s *Server) RefuseConnections() {
	s.mu.Lock()
	if s.out.refusing {
		s.mu.Unlock()
		return
	}
	s.out.refusing = true
	for c := range s.gw.conns {
		c.kill()
	}
	s.mu.Unlock()
	s.ln.pause()
	s.srv.CloseClientConnections()
}

// AcceptConnections opens the port again after RefuseConnections.
func (s *Server) AcceptConnections() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.out.refusing {
		return nil
	}
	if err := s.ln.resume(); err != nil {
		return err
	}
	s.out.refusing = false
	return nil
}

// relistener is the fake's listener: pause closes the port, so that
// connecting is refused, and resume listens on the same address again,
// while the HTTP server keeps one listener throughout.
type relistener struct {
	addr net.Addr

	mu     sync.Mutex
	ln     net.Listener  // nil while paused
	ready  chan struct{} // closed by resume
	closed bool
}

func (r *relistener) Accept() (net.Conn, error) {
	for {
		r.mu.Lock()
		ln, ready, closed := r.ln, r.ready, r.closed
		r.mu.Unlock()
		switch {
		case closed:
			return nil, net.ErrClosed
		case ln == nil:
			<-ready
			continue
		}
		c, err := ln.Accept()
		if err == nil {
			return c, nil
		}
		r.mu.Lock()
		paused := r.ln != ln && !r.closed
		r.mu.Unlock()
		if !paused {
			return nil, err
		}
	}
}

func (r *relistener) pause() {
	r.mu.Lock()
	ln := r.ln
	r.ln, r.ready = nil, make(chan struct{})
	r.mu.Unlock()
	if ln != nil {
		_ = ln.Close()
	}
}

func (r *relistener) resume() error {
	ln, err := net.Listen(r.addr.Network(), r.addr.String())
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ln = ln
	close(r.ready)
	return nil
}

func (r *relistener) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	if r.ln == nil {
		close(r.ready) // wake a paused Accept
		return nil
	}
	return r.ln.Close()
}

func (r *relistener) Addr() net.Addr { return r.addr }

// Transport is an http.RoundTripper that hands requests to the fake
// without a socket, for tests inside a testing/synctest bubble, where
// sockets would stall the bubble's clock. Requests for discord.com's
// /api/v9 or /api/v10 reach the REST API as through APIBase; while
// RefuseConnections is in force they fail with a dial error.
func (s *Server) Transport() http.RoundTripper { return inProcess{s} }

type inProcess struct{ s *Server }

func (p inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	p.s.mu.Lock()
	refusing := p.s.out.refusing
	p.s.mu.Unlock()
	if refusing {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}
	if req.Body != nil {
		// The handler reads a body that the client may still be writing:
		// take it whole first, as a socket would.
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.ContentLength = int64(len(b))
	}
	rec := httptest.NewRecorder()
	p.s.serve(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

package fakediscord

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"syscall"
	"time"
)

// outage is what the fake does instead of answering, for tests of how the
// bot rides out Discord's bad moments.
type outage struct {
	badGatewayUntil time.Time // answer 502 to REST requests until then (fake clock)
	refusing        bool      // no listener: connections are refused
	addr            string    // where to listen again
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

// RefuseConnections closes the fake's listener and every open connection:
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
	s.out.refusing, s.out.addr = true, s.srv.Listener.Addr().String()
	for c := range s.gw.conns {
		c.kill()
	}
	s.mu.Unlock()
	_ = s.srv.Listener.Close()
	s.srv.CloseClientConnections()
}

// AcceptConnections listens again on the same address after
// RefuseConnections.
func (s *Server) AcceptConnections() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.out.refusing {
		return nil
	}
	ln, err := net.Listen("tcp", s.out.addr)
	if err != nil {
		return err
	}
	s.out.refusing = false
	s.srv.Listener = ln
	go func() { _ = s.srv.Config.Serve(ln) }()
	return nil
}

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

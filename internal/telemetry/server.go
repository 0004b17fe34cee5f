package telemetry

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Bounds of the listener: it serves a scraper and a health probe, never a
// slow client for long.
const (
	readHeaderTimeout = 5 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 60 * time.Second
	// pingTimeout bounds the store check of one /healthz.
	pingTimeout = 2 * time.Second
)

// Pinger checks a store is usable (reachable and writable).
type Pinger interface {
	Ping(ctx context.Context) error
}

// Health is what /healthz answers with.
type Health struct {
	Status  string `json:"status"`  // "ok" or "unhealthy"
	Gateway string `json:"gateway"` // "connected" or "disconnected"
	Store   string `json:"store"`   // "ok", "failing" or "none" (no store configured)
	// Problem says what is wrong, when something is.
	Problem string `json:"problem,omitempty"`
}

// Handler serves GET /healthz and GET /metrics. store may be nil while the
// bot keeps no store; /healthz then reports "none" for it.
func (m *Metrics) Handler(store Pinger) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		h := m.health(r.Context(), store)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if h.Status != "ok" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(h)
	})
	return mux
}

// health checks the gateway and the store.
func (m *Metrics) health(ctx context.Context, store Pinger) Health {
	h := Health{Status: "ok", Gateway: "connected", Store: "none"}
	var problems []error
	if !m.GatewayConnected() {
		h.Gateway = "disconnected"
		problems = append(problems, errors.New("the Discord gateway is not connected"))
	}
	if store != nil {
		ctx, cancel := context.WithTimeout(ctx, pingTimeout)
		defer cancel()
		h.Store = "ok"
		if err := store.Ping(ctx); err != nil {
			h.Store = "failing"
			problems = append(problems, errors.New("the store is not usable: "+err.Error()))
		}
	}
	if len(problems) > 0 {
		h.Status = "unhealthy"
		h.Problem = errors.Join(problems...).Error()
	}
	return h
}

// Server is the HTTP listener of /healthz and /metrics.
type Server struct {
	srv  *http.Server
	ln   net.Listener
	done chan struct{}
}

// Listen binds addr (host:port) and serves h in the background. Binding
// here, not in a goroutine, lets a port in use stop the bot at start.
func Listen(addr string, h http.Handler, log *slog.Logger) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, done: make(chan struct{}), srv: &http.Server{
		Handler: h, ReadHeaderTimeout: readHeaderTimeout, WriteTimeout: writeTimeout, IdleTimeout: idleTimeout,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("health and metrics listener stopped", "err", err)
		}
	}()
	return s, nil
}

// Addr is the address the listener is bound to (the port chosen when addr
// asked for port 0).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Shutdown stops taking connections and waits, within ctx, for the
// requests in flight.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	<-s.done
	return err
}

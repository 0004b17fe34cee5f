// Package players is the domain of player counts: how many players a game
// server has online, out of how many slots, and their names when the game
// says them. The wire protocols live in subpackages (minecraft, a2s); this
// package holds the types, the Querier interface and a cache that bounds
// every query in time.
package players

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Count is what a game server says about its players.
type Count struct {
	Online, Max int
	// Names are the players the server named; it may name only some
	// (Minecraft's sample) or none.
	Names []string
}

// Querier asks one game server, at address (host:port), for its players.
// It must return promptly when ctx is done.
type Querier interface {
	Query(ctx context.Context, address string) (Count, error)
}

// QuerierFunc is a Querier made of a function.
type QuerierFunc func(ctx context.Context, address string) (Count, error)

// Query calls f.
func (f QuerierFunc) Query(ctx context.Context, address string) (Count, error) {
	return f(ctx, address)
}

// Protocol names a query protocol.
type Protocol string

// The protocols the bot speaks. Auto tries each and keeps the first answer,
// for servers whose game the bot does not know.
const (
	Minecraft Protocol = "minecraft"
	A2S       Protocol = "a2s"
	Auto      Protocol = "auto"
)

// ParseProtocol validates a protocol name from the config file.
func ParseProtocol(s string) (Protocol, error) {
	switch p := Protocol(strings.ToLower(strings.TrimSpace(s))); p {
	case Minecraft, A2S, Auto:
		return p, nil
	default:
		return "", fmt.Errorf("unknown query protocol %q: use minecraft, a2s or auto", s)
	}
}

// Target is where and how to ask a server for its players.
type Target struct {
	Protocol Protocol
	Address  string // host:port
}

// ErrNoAddress is returned for a target without an address.
var ErrNoAddress = errors.New("players: no address to query")

// ErrUnknownProtocol is returned for a protocol that has no Querier.
var ErrUnknownProtocol = errors.New("players: no querier for this protocol")

// Any is a Querier that asks every querier at once and returns the first
// answer, cancelling the others; it fails only when all of them fail.
type Any []Querier

// Query implements Querier.
func (a Any) Query(ctx context.Context, address string) (Count, error) {
	if len(a) == 0 {
		return Count{}, ErrUnknownProtocol
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		c   Count
		err error
	}
	results := make(chan result, len(a))
	for _, q := range a {
		go func() {
			c, err := q.Query(ctx, address)
			results <- result{c, err}
		}()
	}
	var errs []error
	for range a {
		r := <-results
		if r.err == nil {
			return r.c, nil
		}
		errs = append(errs, r.err)
	}
	return Count{}, errors.Join(errs...)
}

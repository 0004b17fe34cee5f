package wingssim

// auth is the `auth` event. The first success registers the socket for the
// server's live events and starts its 30-s expiry ticker, answers `auth
// success`, then `status` (and `stats` when offline) through the token
// check, and only then lets its listeners write, so that live events queued
// meanwhile follow the status. A later success replaces the token and
// answers `auth success` only.
func (sock *socket) auth(token string) {
	n := sock.n
	c, err := parseJWT(n.secret, token)
	n.mu.Lock()
	if err == nil {
		err = n.admissibleLocked(c)
	}
	if err != nil {
		n.mu.Unlock()
		sock.sendError(err)
		return
	}
	first := sock.token == nil
	sock.token = c
	sock.srv.stats.auths++
	if first {
		sock.listenLocked()
	}
	state, stats := sock.srv.state, sock.srv.statsJSON(n.clk.Now())
	n.mu.Unlock()
	sock.write(frame{event: "auth success"})
	if first {
		sock.greet(state, stats)
	}
}

// greet sends the first auth's `status` (and `stats` when offline), then
// lets the listeners write.
func (sock *socket) greet(state, stats string) {
	sock.sendJSON("status", []string{state}, kindOther)
	if state == "offline" {
		sock.sendJSON("stats", []string{stats}, kindOther)
	}
	close(sock.ready)
}

// listenLocked registers the socket for the server's live events and
// starts its token ticker. Caller holds Node.mu.
func (sock *socket) listenLocked() {
	if sock.closed {
		return
	}
	sock.listening = true
	sock.stopTick = sock.n.schedule(tickEvery, sock.tick)
}

// tick is Wings' ListenForExpiration. The outgoing frame is judged at the
// tick's own time: `token expired` survives the token check only when the
// tick lands in the very second of exp; later it is a `jwt error`.
func (sock *socket) tick() {
	n := sock.n
	n.mu.Lock()
	defer n.mu.Unlock()
	if sock.closed || n.closing {
		return
	}
	sock.stopTick = n.schedule(tickEvery, sock.tick)
	left := sock.token.Expires - n.clk.Now().Unix()
	event := "token expiring"
	switch {
	case left <= 0:
		event = "token expired"
	case left > expiringWindow:
		return
	}
	if f, ok := sock.checkedLocked(event, nil, kindOther); ok {
		sock.queueEvent(outEvent{checked: &f})
	}
}

// admissibleLocked is Wings' NewTokenPayload once the signature holds:
// expiry, denylist, connect permission (and Pelican's scope).
func (n *Node) admissibleLocked(c *claims) error {
	switch {
	case c.expired(n.clk.Now()):
		return errExpired
	case c.denylisted(n.boot):
		return errDenylisted
	case !c.can("websocket.connect"), n.cfg.pelican && c.Scope != "websocket":
		return errNoConnect
	}
	return nil
}

// tokenErrLocked is Wings' TokenValid, checked before every outgoing event
// and every inbound one but auth.
func (sock *socket) tokenErrLocked() error {
	if sock.token == nil {
		return errNoJWT
	}
	if err := sock.n.admissibleLocked(sock.token); err != nil {
		return err
	}
	if sock.token.ServerUUID != sock.srv.uuid {
		return errUUIDMismatch
	}
	return nil
}

// sendError is Wings' SendErrorJson for a failed `auth`: jwt errors keep
// their text, others become the generic text unless the token on the socket
// grants admin.websocket.errors; both carry the "Error Event [uuid]" prefix.
func (sock *socket) sendError(err error) {
	n := sock.n
	n.mu.Lock()
	verbose := sock.token != nil && sock.token.can("admin.websocket.errors")
	n.mu.Unlock()
	event, text := "daemon error", genericError
	if isJWTError(err) {
		event, text = "jwt error", err.Error()
	} else if verbose {
		text = err.Error()
	}
	sock.write(frame{event: event, args: []string{"Error Event [" + sock.srv.uuid + "]: " + text}})
}

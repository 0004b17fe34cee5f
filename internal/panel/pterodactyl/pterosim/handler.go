package pterosim

import (
	"crypto/subtle"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRequestBody bounds what the sim reads of a request body.
const maxRequestBody = 1 << 20

// The panel's texts, as its code writes them.
const (
	detailNotFound    = "The requested resource does not exist on this server."
	detailUnauth      = "Unauthenticated."
	detailAppKey      = "You are attempting to use an application API key on an endpoint that requires a client API key."
	detailThrottle    = "Too Many Attempts."
	detailUnexpected  = "An unexpected error was encountered while processing this request, please try again."
	detailDaemon      = "Could not establish a connection to the machine running this server. Please try again."
	detailOffline     = "Server must be online in order to send commands."
	detailUnauthorize = "This action is unauthorized."
)

// window is a Laravel rate-limit window: a fixed minute that opens at the
// first request and counts every request let through.
type window struct {
	start time.Time
	hits  int
}

// hit counts a request; when the window is spent it reports how long until
// it reopens instead.
func (w *window) hit(now time.Time, limit int) (remaining int, retry time.Duration, ok bool) {
	if w.hits == 0 || now.Sub(w.start) >= time.Minute {
		*w = window{start: now}
	}
	if w.hits >= limit {
		return 0, w.start.Add(time.Minute).Sub(now), false
	}
	w.hits++
	return limit - w.hits, 0, true
}

// ServeHTTP answers like the panel: injected failures first, then the
// Accept check, authentication, the rate limit and the route.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
	h := r.Header.Clone()
	h.Del("Authorization")
	rec := s.http.Log.Record(w, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: h, Body: body})
	s.serve(rec, r, body)
}

func (s *Sim) serve(w http.ResponseWriter, r *http.Request, body []byte) {
	switch {
	case s.injectedFailure(w, r):
	case !strings.HasPrefix(r.URL.Path, "/api/"):
		writeHTML(w, http.StatusNotFound, notFoundPage)
	case !acceptsJSON(r.Header.Values("Accept")):
		s.redirectToLogin(w)
	case !s.authenticate(w, r):
	case !s.throttle(w):
	default:
		s.route(w, r, body)
	}
}

// injectedFailure answers SetDown and FailNext.
func (s *Sim) injectedFailure(w http.ResponseWriter, r *http.Request) bool {
	if s.http.Down() {
		writeHTML(w, http.StatusInternalServerError, serverErrorPage)
		return true
	}
	if f, ok := s.faults.Take(r.URL.Path); ok {
		s.writeFailure(w, f.Status)
		return true
	}
	return false
}

func (s *Sim) writeFailure(w http.ResponseWriter, status int) {
	code, detail := "HttpException", http.StatusText(status)
	switch status {
	case http.StatusTooManyRequests:
		code, detail = "ThrottleRequestsException", detailThrottle
		w.Header().Set("Retry-After", "1")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(s.now().Add(time.Second).Unix(), 10))
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		code, detail = "DaemonConnectionException", detailDaemon
	case http.StatusInternalServerError:
		detail = detailUnexpected
	case http.StatusUnauthorized:
		code, detail = "AuthenticationException", detailUnauth
	case http.StatusForbidden:
		code, detail = "AccessDeniedHttpException", detailUnauthorize
	case http.StatusNotFound:
		code, detail = "NotFoundHttpException", detailNotFound
	}
	writeError(w, status, code, detail)
}

// acceptsJSON is Laravel's wantsJson: some accepted type is JSON.
func acceptsJSON(values []string) bool {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			mt, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(part)), ";")
			if strings.HasSuffix(mt, "/json") || strings.HasSuffix(mt, "+json") {
				return true
			}
		}
	}
	return false
}

func (s *Sim) redirectToLogin(w http.ResponseWriter) {
	login := s.URL() + "/auth/login"
	w.Header().Set("Location", login)
	writeHTML(w, http.StatusFound, strings.ReplaceAll(redirectPage, "%URL%", login))
}

// authenticate checks the bearer key: none or a wrong one is 401, an
// application key (ptla_) is 403.
func (s *Sim) authenticate(w http.ResponseWriter, r *http.Request) bool {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	switch {
	case !strings.EqualFold(scheme, "Bearer") || token == "":
		writeError(w, http.StatusUnauthorized, "AuthenticationException", detailUnauth)
	case strings.HasPrefix(token, "ptla_"):
		writeError(w, http.StatusForbidden, "AccessDeniedHttpException", detailAppKey)
	case subtle.ConstantTimeCompare([]byte(token), []byte(s.key)) != 1:
		writeError(w, http.StatusUnauthorized, "AuthenticationException", detailUnauth)
	default:
		return true
	}
	return false
}

// throttle applies the account's rate limit and sets its headers, which
// every answer past this point carries.
func (s *Sim) throttle(w http.ResponseWriter) bool {
	s.mu.Lock()
	now := s.now()
	remaining, retry, ok := s.window.hit(now, s.limit)
	s.mu.Unlock()
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	if !ok {
		writeThrottled(w, now, retry)
	}
	return ok
}

func writeThrottled(w http.ResponseWriter, now time.Time, retry time.Duration) {
	secs := max(int64(math.Ceil(retry.Seconds())), 1)
	w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(now.Unix()+secs, 10))
	writeError(w, http.StatusTooManyRequests, "ThrottleRequestsException", detailThrottle)
}

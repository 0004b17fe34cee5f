package fakediscord

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"time"
)

// maxBody caps what the fake reads from one request: above the largest
// upload limit (100 MiB, boost tier 3) so that limit is reported as Discord
// reports it.
const maxBody = 101 << 20

// route is one REST endpoint. open routes are authenticated by the token in
// their path (interaction callbacks, webhooks) or not at all (/gateway).
type route struct {
	method  string
	pattern string // "/channels/{}/messages"
	open    bool
	handle  func(c *call) reply
}

// call is one request on its way through the funnel.
type call struct {
	req     Request
	args    []string // the {} segments, in order
	now     time.Time
	payload any // JSON part decoded with json.Number; nil when absent
	files   []File
	bodyErr *reply
}

func (s *Server) routeTable() []route {
	return []route{
		{http.MethodGet, "/gateway", true, s.getGateway},
		{http.MethodGet, "/gateway/bot", false, s.getGatewayBot},
		{http.MethodGet, "/users/@me", false, s.getMe},
		{http.MethodGet, "/oauth2/applications/@me", false, s.getApplication},
		{http.MethodGet, "/applications/@me", false, s.getApplication},
		{http.MethodGet, "/applications/{}/commands", false, s.listCommands},
		{http.MethodPut, "/applications/{}/commands", false, s.putCommands},
		{http.MethodPost, "/applications/{}/commands", false, s.postCommand},
		{http.MethodGet, "/applications/{}/guilds/{}/commands", false, s.listCommands},
		{http.MethodPut, "/applications/{}/guilds/{}/commands", false, s.putCommands},
		{http.MethodPost, "/applications/{}/guilds/{}/commands", false, s.postCommand},
		{http.MethodPost, "/interactions/{}/{}/callback", true, s.postCallback},
		{http.MethodPost, "/webhooks/{}/{}", true, s.postFollowup},
		{http.MethodGet, "/webhooks/{}/{}/messages/{}", true, s.getWebhookMessage},
		{http.MethodPatch, "/webhooks/{}/{}/messages/{}", true, s.patchWebhookMessage},
		{http.MethodDelete, "/webhooks/{}/{}/messages/{}", true, s.deleteWebhookMessage},
		{http.MethodGet, "/channels/{}", false, s.getChannel},
		{http.MethodGet, "/guilds/{}", false, s.getGuild},
		{http.MethodGet, "/guilds/{}/members/{}", false, s.getMember},
		{http.MethodPost, "/channels/{}/messages", false, s.postChannelMessage},
		{http.MethodGet, "/channels/{}/messages/{}", false, s.getChannelMessage},
		{http.MethodPatch, "/channels/{}/messages/{}", false, s.patchChannelMessage},
		{http.MethodDelete, "/channels/{}/messages/{}", false, s.deleteChannelMessage},
		{http.MethodPut, "/channels/{}/messages/{}/reactions/{}/@me", false, s.putOwnReaction},
	}
}

// serveREST is the one funnel: read, authenticate, rate-limit, handle,
// add rate-limit headers, record, answer.
func (s *Server) serveREST(w http.ResponseWriter, r *http.Request, path string) {
	c := readCall(r, path)
	s.mu.Lock()
	if c.now = s.now(); s.badGatewayLocked(c.now) {
		s.recordLocked(c, reply{status: http.StatusBadGateway})
		s.mu.Unlock()
		writeBadGateway(w)
		return
	}
	rep := s.handleLocked(r, c)
	s.recordLocked(c, rep)
	s.mu.Unlock()
	writeJSON(w, rep)
}

func (s *Server) handleLocked(r *http.Request, c *call) reply {
	c.now = s.now()
	rt, args, pathKnown := s.match(r.Method, c.req.Path)
	if rt == nil {
		if pathKnown {
			return errMethod
		}
		return errNotFound
	}
	c.args = args
	c.req.Route = rt.pattern
	if !rt.open && r.Header.Get("Authorization") != "Bot "+s.cfg.token {
		return errUnauthorized
	}
	if rep, limited := s.globalLocked(rt, c.now); limited {
		return rep
	}
	b := s.bucketLocked(rt, args)
	if rep, limited := s.limitLocked(c, b); limited {
		return rep
	}
	rep := c.parsed(rt.handle)
	b.setHeaders(&rep, c.now)
	return rep
}

// parsed runs h unless the body could not be read or decoded.
func (c *call) parsed(h func(*call) reply) reply {
	if c.bodyErr != nil {
		return *c.bodyErr
	}
	return h(c)
}

// match finds the route for method and path; pathKnown tells 405 from 404.
func (s *Server) match(method, path string) (rt *route, args []string, pathKnown bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i := range s.routes {
		a, ok := matchPattern(s.routes[i].pattern, segs)
		if !ok {
			continue
		}
		pathKnown = true
		if s.routes[i].method == method {
			return &s.routes[i], a, true
		}
	}
	return nil, nil, pathKnown
}

func matchPattern(pattern string, segs []string) ([]string, bool) {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	if len(ps) != len(segs) {
		return nil, false
	}
	var args []string
	for i, p := range ps {
		switch {
		case p == "{}" && segs[i] != "":
			args = append(args, segs[i])
		case p != segs[i]:
			return nil, false
		}
	}
	return args, true
}

// readCall reads and decodes the body outside the lock; failures are kept
// for the funnel so auth and rate limits are still checked first.
func readCall(r *http.Request, path string) *call {
	c := &call{req: Request{
		Method: r.Method,
		Path:   path,
		Query:  r.URL.Query(),
		Header: r.Header.Clone(),
	}}
	c.req.Header.Del("Authorization")
	body, err := readBody(r)
	c.req.Body = body
	if err != nil {
		c.fail(errTooLarge)
		return c
	}
	if len(body) == 0 {
		return c
	}
	c.decodeBody(r.Header.Get("Content-Type"), body)
	return c
}

func (c *call) fail(r reply) { c.bodyErr = &r }

// readBody reads at most maxBody bytes, sized up front when the length is
// known so a 10 MiB upload is not copied over and over while growing.
func readBody(r *http.Request) ([]byte, error) {
	var buf bytes.Buffer
	if r.ContentLength > 0 && r.ContentLength <= maxBody {
		buf.Grow(int(r.ContentLength) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, maxBody))
	return buf.Bytes(), err
}

func (c *call) decodeBody(contentType string, body []byte) {
	mt, params, _ := mime.ParseMediaType(contentType)
	payload := body
	if mt == "multipart/form-data" {
		var err error
		payload, c.files, err = readMultipart(body, params["boundary"])
		if err != nil {
			c.fail(errReply(http.StatusBadRequest, 50035, "Invalid Form Body"))
			return
		}
		c.req.Files = c.files
	}
	if len(payload) == 0 {
		return
	}
	v, err := decodeJSON(payload)
	if err != nil {
		c.fail(errBadJSON)
		return
	}
	c.payload = v
	c.req.Payload = append(json.RawMessage(nil), payload...)
	_ = json.Unmarshal(payload, &c.req.JSON)
}

// readMultipart returns payload_json and every part carrying a file name,
// which is how discordgo (and Discord) send attachments: files[n].
func readMultipart(body []byte, boundary string) ([]byte, []File, error) {
	if boundary == "" {
		return nil, nil, errors.New("no boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	var payload []byte
	var files []File
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return payload, files, nil
		}
		if err != nil {
			return nil, nil, err
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case p.FormName() == "payload_json":
			payload = data
		case p.FileName() != "":
			files = append(files, File{Field: p.FormName(), Name: p.FileName(), ContentType: p.Header.Get("Content-Type"), Data: data})
		}
	}
}

// decodeJSON decodes one JSON value keeping numbers exact, so integer
// fields can be told from floats as Discord does.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after JSON value")
	}
	return v, nil
}

// object returns the payload as a JSON object, or the form error Discord
// gives for anything else.
func (c *call) object() (map[string]any, *reply) {
	m, ok := c.payload.(map[string]any)
	if !ok {
		var k checker
		k.add(nil, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
		r := k.reply()
		return nil, &r
	}
	return m, nil
}

// recordLocked appends the finished request to the log and counts the
// answers Discord counts against a bot.
func (s *Server) recordLocked(c *call, rep reply) {
	c.req.Status = rep.status
	c.req.Time = c.now
	if rep.body != nil {
		c.req.Response, _ = json.Marshal(rep.body)
	}
	switch rep.status {
	case http.StatusTooManyRequests:
		s.rateLimited++
		s.invalid++
		if rep.header.Get("X-RateLimit-Global") != "" {
			s.globalLimited++
		}
	case http.StatusUnauthorized, http.StatusForbidden:
		s.invalid++
	}
	if s.cfg.noBodies {
		c.req.forgetBody()
	}
	s.records = append(s.records, c.req)
	if len(s.records) > maxRecorded {
		s.records = s.records[len(s.records)-maxRecorded:]
	}
	s.changedLocked()
}

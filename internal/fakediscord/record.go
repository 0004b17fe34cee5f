package fakediscord

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// Request is one REST call as the fake received and answered it, so tests
// can assert on what the bot actually sent.
type Request struct {
	Method   string
	Path     string          // without the API base, e.g. "/channels/1/messages"
	Route    string          // matched template, e.g. "/channels/{}/messages"; "" if none
	Query    url.Values      // query string
	Header   http.Header     // request headers without Authorization
	Body     []byte          // raw body as sent (multipart too)
	Payload  json.RawMessage // the JSON document: the body, or payload_json of a multipart body
	JSON     any             // Payload decoded with encoding/json defaults; nil if none
	Files    []File          // multipart file parts
	Status   int             // the status the fake answered
	Response json.RawMessage // the body the fake answered, if any
	Time     time.Time       // the fake clock when it arrived
}

// File is one uploaded attachment.
type File struct {
	Field       string // form field, e.g. "files[0]"
	Name        string // file name
	ContentType string
	Data        []byte
}

// Decode unmarshals the request's JSON document into v (e.g. a
// *discordgo.InteractionResponse), so tests assert on typed values.
func (r Request) Decode(v any) error {
	if len(r.Payload) == 0 {
		return errors.New("fakediscord: request has no JSON payload")
	}
	return json.Unmarshal(r.Payload, v)
}

// forgetBody keeps a request's metadata only (see WithoutBodies).
func (r *Request) forgetBody() {
	r.Body, r.Payload, r.JSON, r.Response = nil, nil, nil, nil
	for i := range r.Files {
		r.Files[i].Data = nil
	}
}

// Requests returns a copy of every request recorded so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.records...)
}

// WaitRequest returns the first recorded request (past or future) that
// match accepts, failing t if none arrives within timeout.
func (s *Server) WaitRequest(t testing.TB, timeout time.Duration, match func(Request) bool) Request {
	t.Helper()
	var found Request
	s.waitFor(t, timeout, "a matching request", func() bool {
		for _, r := range s.records {
			if match(r) {
				found = r
				return true
			}
		}
		return false
	})
	return found
}

// Route returns a matcher for WaitRequest: method and route template,
// e.g. Route("POST", "/channels/{}/messages").
func Route(method, pattern string) func(Request) bool {
	return func(r Request) bool { return r.Method == method && r.Route == pattern }
}

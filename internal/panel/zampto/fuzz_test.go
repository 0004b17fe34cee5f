package zampto

import (
	"net/http"
	"testing"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
	"github.com/panelbot/panelbot/internal/panel/internal/testkit"
)

func FuzzDecodeList(f *testing.F) {
	f.Add([]byte(`{"success":true,"message":"Success","data":[{"id":1,"name":"Minecraft Server","memory":4096,"disk":51200,"cpu":4,"backups":3,"allocations":1,"creation_timestamp":"2026-01-15T10:30:00.000Z","uuid":"a1b2c3d4-e5f6-7890-abcd-ef1234567890","identifier":"abc123def456","main_allocation_port":25565,"node_id":1,"created_by":42}]}`))
	f.Add([]byte(`{"success":true,"data":[{"id":"7","name":"","memory":-1,"cpu":1e300,"uuid":"","extra":{"x":[1]}}]}`))
	f.Add([]byte(`{"success":true,"data":[{"id":1.5}]}`))
	f.Add([]byte(`{"success":true,"data":[{"id":"12a"}]}`))
	f.Add([]byte(`{"success":false,"message":"Internal server error"}`))
	f.Add([]byte(`{"data":null}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`<html>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		servers, err := decodeList(body)
		if err != nil {
			return
		}
		for _, s := range servers {
			if _, ok := httpapi.ParseNumericID(s.ID); !ok || s.Name == "" || len(s.Name) > 110 {
				t.Fatalf("bad server from a successful decode: %+v", s)
			}
			if s.Limits.MemoryMB < 0 || s.Limits.DiskMB < 0 || s.Limits.CPUPercent < 0 {
				t.Fatalf("negative limits: %+v", s.Limits)
			}
		}
		_ = decodeAck(body)
		_, _ = decodeHealth(body)
	})
}

func FuzzStatusError(f *testing.F) {
	const key = "fuzz-secret-key-0123456789"
	f.Add(400, []byte(`{"success":false,"message":"Invalid token"}`), "")
	f.Add(429, []byte(`{"success":false,"message":"Too many requests, please try again later."}`), "7")
	f.Add(429, []byte(``), "Wed, 21 Oct 2015 07:28:00 GMT")
	f.Add(500, []byte(`{"message":"`+key+`"}`), "-1")
	f.Add(302, []byte(`<html>`), "x")
	f.Add(0, []byte(`{"message":"\u0000\n"}`), "99999999999999999999")
	c, err := New("", key)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, body []byte, retry string) {
		h := http.Header{}
		h.Set("Retry-After", retry)
		e := c.statusError(&httpapi.Request{Op: "list servers"}, &http.Response{StatusCode: status, Header: h}, body)
		testkit.CheckError(t, e, key, maxDetail, panel.ErrUnauthorized, panel.ErrForbidden, panel.ErrNotFound, panel.ErrConflict,
			panel.ErrInvalid, panel.ErrRateLimited, panel.ErrUnavailable, panel.ErrBadResponse, panel.ErrConfig)
	})
}

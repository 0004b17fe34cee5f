package serverprism

import (
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/panel/internal/httpapi"
	"github.com/panelbot/panelbot/internal/panel/internal/testkit"
)

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"data":[{"id":1234,"product":"Minecraft 4 GB","service_status":"active"},{"id":"1290","product":"Palworld 8 GB","service_status":"suspended"}]}`))
	f.Add([]byte(`{"data":{"id":1234,"name":"Fred's Minecraft","service_status":"active","limits":{"memory_mb":4096,"disk_mb":25600,"cpu_percent":200},"resources":{"current_state":"running","memory_bytes":2147483648,"cpu_absolute":18.5,"disk_bytes":7300000000,"network_rx_bytes":12345678,"network_tx_bytes":87654321}}}`))
	f.Add([]byte(`{"data":{"name":"x","limits":null,"resources":null}}`))
	f.Add([]byte(`{"data":{"resources":{"cpu_absolute":-1e308,"memory_bytes":1e300}}}`))
	f.Add([]byte(`{"data":{"signal":"restart","sent":true}}`))
	f.Add([]byte(`{"data":[{"id":-1}]}`))
	f.Add([]byte(`{"data":null}`))
	f.Add([]byte(`<html>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if items, err := decodeList(body); err == nil {
			for _, it := range items {
				if it.id == "" || strings.Trim(it.id, "0123456789") != "" {
					t.Fatalf("bad id from a successful decode: %q", it.id)
				}
			}
		}
		if d, err := decodeDetails(body); err == nil {
			r := d.res
			if r.MemoryBytes < 0 || r.DiskBytes < 0 || r.CPUPercent < 0 || math.IsNaN(r.CPUPercent) || r.MemoryLimitBytes < 0 {
				t.Fatalf("negative figures: %+v", r)
			}
			if !r.Live && r.State != panel.StateUnknown {
				t.Fatalf("a state without live data: %+v", r)
			}
		}
		_, _ = decodeSent(body)
	})
}

func FuzzStatusError(f *testing.F) {
	const token = "9|fuzz-secret-token-0123456789"
	f.Add(403, []byte(`{"message":"This token does not include the servers:control scope."}`), "", true)
	f.Add(422, []byte(`{"message":"x","errors":{"b":["1"],"a":["2",""]}}`), "", true)
	f.Add(429, []byte(`{"message":"Too Many Attempts."}`), "Wed, 21 Oct 2015 07:28:00 GMT", false)
	f.Add(412, []byte(``), "-5", true)
	f.Add(500, []byte(`{"message":"`+token+`"}`), "1e9", false)
	f.Add(0, []byte(`{"errors":{"x":[null]}}`), "", true)
	c, err := New("", token)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, body []byte, retry string, write bool) {
		r := &httpapi.Request{Op: "status 1", Method: http.MethodGet, Path: "/servers/1"}
		if write {
			r.Method = http.MethodPost // needs the servers:control scope
		}
		h := http.Header{}
		h.Set("Retry-After", retry)
		e := c.statusError(r, &http.Response{StatusCode: status, Header: h}, body)
		testkit.CheckError(t, e, token, maxDetail, panel.ErrUnauthorized, panel.ErrForbidden, panel.ErrNotFound, panel.ErrOffline,
			panel.ErrInvalid, panel.ErrRateLimited, panel.ErrUnavailable, panel.ErrBadResponse, panel.ErrConfig)
	})
}

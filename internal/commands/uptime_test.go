package commands

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/store"
)

// buckets is n 5-minute buckets of 10 samples, the newest ending hoursAgo
// before now, each with running samples found running.
func buckets(now time.Time, hoursAgo, n, running int) []store.Sample {
	var out []store.Sample
	end := now.Add(-time.Duration(hoursAgo) * time.Hour)
	for i := n; i > 0; i-- {
		out = append(out, store.Sample{At: end.Add(-time.Duration(i) * store.BucketSpan), Span: store.BucketSpan,
			Count: 10, Running: running, Live: 10})
	}
	return out
}

func TestStatusUptime(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name    string
		samples []store.Sample
		err     error
		want    string
	}{
		{name: "no samples", want: noHistoryYet},
		{name: "all running in the last hour", samples: buckets(now, 0, 12, 10),
			want: "24 h: 100 % running (1h 0m sampled)\n7 d: 100 % running (1h 0m sampled)"},
		{name: "down two days ago", samples: append(buckets(now, 48, 12, 0), buckets(now, 0, 12, 10)...),
			want: "24 h: 100 % running (1h 0m sampled)\n7 d: 50.0 % running (2h 0m sampled)"},
		{name: "a little down today", samples: buckets(now, 1, 36, 9),
			want: "24 h: 90.0 % running (3h 0m sampled)\n7 d: 90.0 % running (3h 0m sampled)"},
		{name: "never quite 100", samples: append(buckets(now, 0, 287, 10), store.Sample{At: now, Count: 10, Running: 9}),
			want: "24 h: 99.9 % running (1d 0h sampled)\n7 d: 99.9 % running (1d 0h sampled)"},
		{name: "only older than a day", samples: buckets(now, 72, 6, 5),
			want: "24 h: no samples\n7 d: 50.0 % running (30m 0s sampled)"},
		{name: "store fails", err: errors.New("disk I/O error"), want: unavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &fakeHistory{FindSamplesFn: func(context.Context, string, time.Time, time.Time, store.Resolution) ([]store.Sample, error) {
				return tt.samples, tt.err
			}}
			e := setup(t, withHistory(h))
			e.handle(slash(viewer(), cmdStatus, opt(optServer, "survival")))
			c := only(t, e.sess)
			require.Len(t, c.resp.Data.Embeds, 1)
			assert.Equal(t, tt.want, fieldMap(c.resp.Data.Embeds[0])[uptimeName])
			q := h.asked()
			require.Len(t, q, 1)
			assert.Equal(t, historyQuery{"main/abc123", now.Add(-7 * 24 * time.Hour), now.Add(time.Second), store.Buckets}, q[0])
		})
	}
}

func TestStatusWithoutStore(t *testing.T) {
	e := setup(t)
	e.handle(slash(viewer(), cmdStatus, opt(optServer, "survival")))
	c := only(t, e.sess)
	assert.NotContains(t, fieldMap(c.resp.Data.Embeds[0]), uptimeName)
	assert.NotContains(t, buttons(c.resp.Data.Components), "history/main%2Fabc123/24h")
}

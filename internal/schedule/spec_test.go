package schedule

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSpecNext(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	at := func(loc *time.Location, s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		require.NoError(t, err)
		return v
	}
	tests := []struct {
		in, canon string
		loc       *time.Location
		from      string
		want      string
	}{
		{"daily 04:00", "daily 04:00", time.UTC, "2026-03-01 03:59", "2026-03-01 04:00"},
		{"daily 04:00", "daily 04:00", time.UTC, "2026-03-01 04:00", "2026-03-02 04:00"},
		{"  DAILY   4:05 ", "daily 04:05", berlin, "2026-03-01 12:00", "2026-03-02 04:05"},
		{"daily 02:30", "daily 02:30", berlin, "2026-03-28 12:00", "2026-03-29 03:30"}, // skipped by DST
		{"every 6h", "every 6h", time.UTC, "2026-03-01 05:59", "2026-03-01 06:00"},
		{"every 6h", "every 6h", time.UTC, "2026-03-01 18:00", "2026-03-02 00:00"},
		{"every 90m", "every 1h30m", berlin, "2026-03-01 23:59", "2026-03-02 00:00"},
		{"every 7h", "every 7h", time.UTC, "2026-03-01 21:00", "2026-03-02 00:00"},
		{"every 1m", "every 1m", time.UTC, "2026-03-01 10:00", "2026-03-01 10:01"},
		{"30 4 * * 1", "30 4 * * 1", time.UTC, "2026-03-01 00:00", "2026-03-02 04:30"},
		{"0 4 * * *", "0 4 * * *", berlin, "2026-03-01 04:00", "2026-03-02 04:00"},
	}
	for _, tt := range tests {
		t.Run(tt.in+" from "+tt.from, func(t *testing.T) {
			s, err := ParseSpec(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.canon, s.String())
			got := s.Next(at(tt.loc, tt.from), tt.loc)
			assert.True(t, at(tt.loc, tt.want).Equal(got), "got %v", got)
			again, err := ParseSpec(s.String())
			require.NoError(t, err)
			assert.Equal(t, s.String(), again.String(), "canonical form reads back")
		})
	}
}

func TestParseSpecRefuses(t *testing.T) {
	for _, in := range []string{
		"", "daily", "daily 24:00", "daily 4:60", "daily 4:5", "daily -1:00", "daily 04:00 extra",
		"every", "every 30s", "every 0m", "every -6h", "every 90s", "every 200h", "every banana",
		"@daily", "TZ=UTC 0 4 * * *", "0 4 * *", "0 0 4 * * *", "61 4 * * *", "0 0 30 2 *",
		"weekly", string(make([]byte, 200)),
	} {
		t.Run(in, func(t *testing.T) {
			_, err := ParseSpec(in)
			assert.ErrorIs(t, err, ErrBadSpec)
		})
	}
}

func TestParseWarnings(t *testing.T) {
	tests := []struct {
		in   string
		want []time.Duration
		bad  bool
	}{
		{in: "10m,5m,1m", want: []time.Duration{10 * time.Minute, 5 * time.Minute, time.Minute}},
		{in: " 1m , 30s,1m,2m", want: []time.Duration{2 * time.Minute, time.Minute, 30 * time.Second}},
		{in: "none"},
		{in: "", bad: true},
		{in: "0s", bad: true},
		{in: "2h", bad: true},
		{in: "1500ms", bad: true},
		{in: "1m,2m,3m,4m,5m,6m,7m", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseWarnings(tt.in)
			if tt.bad {
				assert.ErrorIs(t, err, ErrBadSpec)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			back, err := ParseWarnings(FormatWarnings(got))
			require.NoError(t, err)
			assert.Equal(t, got, back)
		})
	}
}

func TestParseAction(t *testing.T) {
	a, err := ParseAction("restart", "")
	require.NoError(t, err)
	assert.Equal(t, "restart", a.Name())
	assert.Len(t, DefaultWarnings(a), 3)
	a, err = ParseAction("command", "save-all")
	require.NoError(t, err)
	assert.Equal(t, Action{Command: "save-all"}, a)
	assert.Empty(t, DefaultWarnings(a))
	_, err = ParseAction("command", "")
	assert.ErrorIs(t, err, ErrBadSpec)
	_, err = ParseAction("stop", "say hi")
	assert.ErrorIs(t, err, ErrBadSpec)
	_, err = ParseAction("explode", "")
	assert.ErrorIs(t, err, ErrBadSpec)
}

// FuzzParseSpec: the parser never panics, and what it accepts it spells
// canonically, reads back the same, and runs strictly later than asked.
func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"daily 04:00", "every 6h", "*/5 * * * *", "0 4 * * 1-5", "every 1h30m", "0 0 29 2 *"} {
		f.Add(s)
	}
	from := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSpec(in)
		if err != nil {
			return
		}
		again, err := ParseSpec(s.String())
		if err != nil || again.String() != s.String() {
			t.Fatalf("%q spelled %q does not read back: %v", in, s.String(), err)
		}
		if n := s.Next(from, time.UTC); !n.After(from) {
			t.Fatalf("%q: next %v not after %v", in, n, from)
		}
	})
}

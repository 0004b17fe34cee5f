package chart

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRange(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Range
		ok   bool
	}{
		{"1h", Hour, true},
		{"24h", Day, true},
		{"7d", Week, true},
		{" 7D ", Week, true},
		{"24H", Day, true},
		{"", "", false},
		{"1d", "", false},
		{"2h", "", false},
		{"24", "", false},
		{"7 d", "", false},
		{"1w", "", false},
		{"week", "", false},
		{"1h; drop table", "", false},
	} {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseRange(c.in)
			if !c.ok {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "type 1h, 24h or 7d")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}

func TestRangeFacts(t *testing.T) {
	assert.Equal(t, []Range{Hour, Day, Week}, Ranges())
	for r, want := range map[Range]struct {
		d      time.Duration
		phrase string
	}{
		Hour: {time.Hour, "last hour"},
		Day:  {24 * time.Hour, "last 24 hours"},
		Week: {7 * 24 * time.Hour, "last 7 days"},
	} {
		assert.True(t, r.Valid())
		assert.Equal(t, want.d, r.Duration())
		assert.Equal(t, want.phrase, r.Phrase())
	}
	assert.False(t, Range("2h").Valid())
	assert.Zero(t, Range("2h").Duration())
}

// TestTickLabelsDoNotOverlap measures each range's labelled ticks in the
// tick font against the room between them on the narrowest data area the
// layout gives (the card minus margins and the y axis).
func TestTickLabelsDoNotOverlap(t *testing.T) {
	const dataWidth = Width*72/dpi - 2*margin - 60 // 60 points: the y axis
	sty := textStyle(tickSize, false)
	for _, r := range Ranges() {
		t.Run(string(r), func(t *testing.T) {
			lo, hi := unix(end.Add(-r.Duration())), unix(end)
			var labels []float64
			var widest float64
			for _, tk := range timeTicker(r).Ticks(lo, hi) {
				if tk.Label != "" {
					labels = append(labels, tk.Value)
					widest = max(widest, float64(sty.Width(tk.Label)))
				}
			}
			require.GreaterOrEqual(t, len(labels), 4, "too few labels to read the axis")
			room := float64(dataWidth) * (labels[1] - labels[0]) / (hi - lo)
			assert.Less(t, widest+6, room, "labels %.0fpt wide, %.0fpt apart", widest, room)
		})
	}
}

func TestTickLabelsAreUTC(t *testing.T) {
	lo, hi := unix(end.Add(-24*time.Hour)), unix(end)
	var got []string
	for _, tk := range timeTicker(Day).Ticks(lo, hi) {
		if tk.Label != "" {
			got = append(got, tk.Label)
		}
	}
	// end is 15:09 UTC on 14 March: the day's ticks run from 18:00 on the
	// 13th, through midnight shown as the date, to 15:00.
	assert.Equal(t, "18:00 21:00 14 Mar 03:00 06:00 09:00 12:00 15:00", strings.Join(got, " "))
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"1h", "24h", "7d", " 7D", "", "1d", "\x00", "２４h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRange(s)
		if err != nil {
			if r != "" || !strings.Contains(err.Error(), "type 1h, 24h or 7d") {
				t.Fatalf("ParseRange(%q) = %q, %v", s, r, err)
			}
			return
		}
		if !r.Valid() || r.Duration() <= 0 {
			t.Fatalf("ParseRange(%q) accepted invalid %q", s, r)
		}
		if again, err := ParseRange(string(r)); err != nil || again != r {
			t.Fatalf("%q does not parse back: %q, %v", r, again, err)
		}
	})
}

func TestPlainTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   string
	}{
		{0, 540, "0 250 500"},
		{0, 4.3, "0 2 4"},
		{0, 1.62, "0 0.5 1 1.5"},
	} {
		var got []string
		for _, tk := range (plainTicks{}).Ticks(c.lo, c.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		assert.Equal(t, c.want, strings.Join(got, " "), "%v to %v", c.lo, c.hi)
	}
}

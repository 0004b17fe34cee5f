package chart

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRenderSize(t *testing.T) {
	for _, c := range []struct {
		name string
		r    Range
		pts  []Point
	}{
		{"hour", Hour, samples(120, 30*time.Second, 0)},
		{"day", Day, samples(2880, 30*time.Second, 0)},
		{"week", Week, samples(20160, 30*time.Second, 0)},
		{"empty", Day, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			img := decode(t, Chart{Name: "Survival SMP", Range: c.r, End: end, Points: c.pts})
			assert.Equal(t, Width, img.Bounds().Dx())
			assert.Equal(t, Height, img.Bounds().Dy())
		})
	}
}

package dashboard

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/discordtext"
	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/watch"
)

// fleet is n servers of every state, some with hostile names as long as a
// label may be.
func fleet(n int) []watch.Snapshot {
	states := []panel.State{panel.StateRunning, panel.StateOffline, panel.StateStarting, panel.StateUnknown}
	out := make([]watch.Snapshot, n)
	for i := range out {
		name := fmt.Sprintf("server %d", i)
		if i%3 == 0 {
			name = strings.Repeat("@*_é", 40) // escaping doubles most of it
		}
		out[i] = watch.Snapshot{
			Target: panel.Target{Panel: "main", Server: panel.Server{ID: fmt.Sprintf("s%03d", i), Name: name,
				Limits: panel.Limits{MemoryMB: 4096, CPUPercent: 200}}},
			Res: panel.Resources{State: states[i%len(states)], Live: true, CPUPercent: 123.4,
				MemoryBytes: 3 << 30, Uptime: 49 * time.Hour},
		}
	}
	return out
}

func TestRenderStaysWithinDiscordsLimits(t *testing.T) {
	for _, n := range []int{0, 1, 10, 200} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			msgs := Render(Header{ID: 7, Interval: 30 * time.Second}, Rows(fleet(n), nil))
			require.NotEmpty(t, msgs)
			var names []string
			for _, m := range msgs {
				assert.LessOrEqual(t, len(m.Embeds), 10)
				chars := 0
				for _, e := range m.Embeds {
					checkEmbed(t, e)
					chars += embedChars(e)
					for _, f := range e.Fields {
						names = append(names, f.Name)
					}
				}
				assert.LessOrEqual(t, chars, 6000)
				assert.NotNil(t, m.Embeds[len(m.Embeds)-1].Footer, "each message says which dashboard it is")
			}
			assert.Len(t, names, n, "every server once, in order")
			if n == 200 {
				assert.LessOrEqual(t, len(msgs), 8, "packed, so a refresh costs few edits")
			}
		})
	}
}

func checkEmbed(t *testing.T, e *discordgo.MessageEmbed) {
	t.Helper()
	runes := utf8.RuneCountInString
	assert.LessOrEqual(t, runes(e.Title), 256)
	assert.LessOrEqual(t, runes(e.Description), 4096)
	assert.LessOrEqual(t, len(e.Fields), 25)
	for _, f := range e.Fields {
		assert.LessOrEqual(t, runes(f.Name), 256)
		assert.LessOrEqual(t, runes(f.Value), 1024)
		assert.True(t, utf8.ValidString(f.Name))
	}
	if e.Footer != nil {
		assert.LessOrEqual(t, runes(e.Footer.Text), 2048)
	}
}

func TestRenderColoursByTheWorstState(t *testing.T) {
	row := func(s panel.State) Row { return Row{Label: string(s), Res: panel.Resources{State: s}} }
	for _, tc := range []struct {
		states []panel.State
		colour int
	}{
		{[]panel.State{panel.StateRunning, panel.StateRunning}, discordtext.ColourRunning},
		{[]panel.State{panel.StateRunning, panel.StateStarting}, discordtext.ColourAmber},
		{[]panel.State{panel.StateStopping, panel.StateOffline}, discordtext.ColourOffline},
		{[]panel.State{panel.StateRunning, "weird"}, discordtext.ColourUnknown},
	} {
		var rows []Row
		for _, s := range tc.states {
			rows = append(rows, row(s))
		}
		e := Render(Header{}, rows)[0].Embeds[0]
		assert.Equal(t, tc.colour, e.Color, "%v", tc.states)
	}
	f := rowField(row(panel.StateOffline))
	assert.True(t, strings.HasPrefix(f.Name, "🔴 "), f.Name)
}

func TestRenderShowsUnknownFiguresAsSuch(t *testing.T) {
	round := []watch.Snapshot{
		{Target: panel.Target{Panel: "z", Server: panel.Server{ID: "1"}}, Res: panel.Resources{State: panel.StateOffline}},
		{Target: panel.Target{Panel: "p", Server: panel.Server{ID: "2"}}, Err: &panel.Error{Class: panel.ErrUnavailable}},
		{Target: panel.Target{Panel: "p", Server: panel.Server{ID: "3", Name: "Lobby"}},
			Res: panel.Resources{State: panel.StateRunning, Live: true, Uptime: 90 * time.Second}},
	}
	rows := Rows(round, []string{"z/1", "p/2", "p/3", "p/gone"})
	values := []string{}
	for _, r := range rows {
		values = append(values, rowField(r).Value)
	}
	assert.Equal(t, "Offline\nfigures unavailable", values[0])
	assert.Equal(t, "the panel did not answer; figures unavailable", values[1])
	assert.Equal(t, "Running\nCPU 0.0 %\nRAM 0 B\nup 1m 30s", values[2], "measured zeros are real zeros")
	assert.Equal(t, "no longer on its panel", values[3])
	assert.NotContains(t, values[0]+values[1], "0 B")
	assert.NotContains(t, values[2], "players", "no player count until one is known")
	rows[2].Players = &Players{Online: 3, Max: 20}
	assert.Contains(t, rowField(rows[2]).Value, "players: 3/20")
}

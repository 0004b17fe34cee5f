package app_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/fakediscord"
	"github.com/panelbot/panelbot/internal/panel/zampto/zamptosim"
)

// TestZamptoUnderLoad sends 200 /status and 50 /power at once to a bot whose
// only panel is zampto, at zampto's real limit of 5 requests per 10 s. The
// simulator must never answer 429, and every user must get an answer inside
// Discord's window: a power signal that cannot be sent in time is refused
// with a sentence that says when to retry, not left hanging.
// Not parallel: 250 interactions must each be answered inside Discord's
// 3-second window, which the package's other bots would compete for.
func TestZamptoUnderLoad(t *testing.T) {
	var servers []zamptosim.Server
	for i := range 5 {
		servers = append(servers, zamptosim.Server{ID: int64(7000 + i), Name: fmt.Sprintf("Node %d", i),
			UUID: fmt.Sprintf("5d0c1a2b-0000-4000-8000-00000000000%d", i), State: "running"})
	}
	zs := zamptosim.New(t, zamptosim.WithServers(servers...))
	file := filepath.Join(t.TempDir(), "bot.yaml")
	require.NoError(t, os.WriteFile(file, []byte(fmt.Sprintf(
		"panels:\n  - name: zam\n    kind: zampto\n    url: %s\n    api_key_env: ZAMPTO_KEY\n", zs.URL())), 0o600))
	b := startBot(t, func(s *setup) {
		s.env["CONFIG_FILE"], s.env["ZAMPTO_KEY"] = file, zs.Token()
		s.env["PANEL_URL"], s.env["PANEL_API_KEY"], s.env["PANEL_RATE_LIMIT"] = "", "", ""
	})

	var pending []*fakediscord.Pending
	for i := range 250 {
		ref := fmt.Sprintf("zam/%d", 7000+i%5)
		var in *fakediscord.Interaction
		if i%5 == 4 {
			in = b.dc.Command(admin, "power", fakediscord.Value("server", ref), fakediscord.Value("action", "restart"))
		} else {
			in = b.dc.Command(viewer, "status", fakediscord.Value("server", ref))
		}
		pending = append(pending, b.dc.Dispatch(t, in))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	refused := 0
	for _, p := range pending {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := b.replyWithin(t, p, 30*time.Second) // zampto's 5 per 10 s queues the slowest
			ok, _ := p.Acknowledged()
			assert.True(t, ok, "answered inside the 3-second window")
			if strings.Contains(text(m), "try again in") {
				mu.Lock()
				refused++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Zero(t, zs.CountStatus(429), "the bot never pushed zampto past its limit")
	restarts := zs.Count("POST", "/restart")
	assert.Positive(t, restarts)
	assert.LessOrEqual(t, restarts, 5)
	assert.Equal(t, 50, restarts+refused, "each power request was sent or refused with a time to retry")
	t.Logf("restarts sent: %d, refused with a retry time: %d, zampto requests: %d", restarts, refused, len(zs.Requests()))
}

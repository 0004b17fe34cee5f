package console

import (
	"golang.org/x/sync/semaphore"

	"context"
	"fmt"
	"sync"

	"github.com/bwmarrin/discordgo"
)

// Poster posts a message to a Discord channel. *discordgo.Session
// satisfies it; tests pass a function-field fake. A Poster that can also
// look channels and guilds up (see guildLooker) gets bigger attachments in
// boosted guilds.
type Poster interface {
	ChannelMessageSendComplex(channelID string, data *discordgo.MessageSend, options ...discordgo.RequestOption) (*discordgo.Message, error)
}

// Hub owns one sender per Discord channel, so that relays aimed at the same
// channel share its pace and its memory cap instead of racing each other
// into 429s, and one global pace that keeps all channels together under
// Discord's global limit. A channel's sender starts with its first running
// relay and drains and stops after its last.
type Hub struct {
	post     Poster
	cfg      config
	pace     *pace
	spillDir string // "" when overflow is dropped rather than spilled

	mu       sync.Mutex
	senders  map[string]*hubEntry
	draining map[*sender]bool // released, still posting what they hold
	done     map[string]Stats // totals of senders that have stopped
	uploads  map[string]int64 // upload limit per channel, looked up once
	spills   uint64           // names spill files uniquely
	wg       sync.WaitGroup

	uploadMem *semaphore.Weighted // bytes of attachments being uploaded
}

type hubEntry struct {
	s      *sender
	refs   int
	cancel context.CancelFunc
}

// NewHub returns a hub posting through p (usually the bot's
// *discordgo.Session). With WithDataDir, it checks the directory is
// writable and removes spill files a crashed run left there.
func NewHub(p Poster, opts ...Option) (*Hub, error) {
	if p == nil {
		return nil, fmt.Errorf("console hub: no Discord session given")
	}
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	h := &Hub{post: p, cfg: cfg, pace: newPace(cfg.clock, cfg.globalRate), senders: make(map[string]*hubEntry),
		draining: make(map[*sender]bool), done: make(map[string]Stats), uploads: make(map[string]int64),
		uploadMem: semaphore.NewWeighted(cfg.uploadBudget)}
	if cfg.dataDir != "" {
		dir, err := spillDir(cfg.dataDir)
		if err != nil {
			return nil, err
		}
		if n, size := clearSpills(dir); n > 0 {
			cfg.log.Warn("console spill files from an earlier run removed unread: they cannot be proven intact",
				"files", n, "bytes", size)
		}
		h.spillDir = dir
	}
	return h, nil
}

// Stats reports what the channel's senders did so far, across restarts.
func (h *Hub) Stats(channelID string) Stats {
	h.mu.Lock()
	st := h.done[channelID]
	live := make([]*sender, 0, 2)
	if e := h.senders[channelID]; e != nil {
		live = append(live, e.s)
	}
	for s := range h.draining {
		if s.channelID == channelID {
			live = append(live, s)
		}
	}
	h.mu.Unlock()
	for _, s := range live {
		st = st.Add(s.Stats())
	}
	return st
}

// Wait blocks until every sender has drained and stopped, for a clean
// shutdown after the relays' contexts are cancelled.
func (h *Hub) Wait() { h.wg.Wait() }

// acquire returns the channel's sender, starting it if needed.
func (h *Hub) acquire(channelID string) *sender {
	h.mu.Lock()
	defer h.mu.Unlock()
	e := h.senders[channelID]
	if e == nil {
		// The sender's life is counted by its relays, not by one caller's
		// context: release cancels it when the last relay leaves.
		ctx, cancel := context.WithCancel(context.Background())
		e = &hubEntry{s: newSender(channelID, h, h.spillPathLocked(channelID)), cancel: cancel}
		h.senders[channelID] = e
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			e.s.run(ctx)
			h.retire(e.s)
		}()
	}
	e.refs++
	return e.s
}

func (h *Hub) spillPathLocked(channelID string) string {
	if h.spillDir == "" {
		return ""
	}
	h.spills++
	return spillName(h.spillDir, channelID, h.spills)
}

// release gives the sender back; the last release makes it drain and stop.
func (h *Hub) release(s *sender) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e := h.senders[s.channelID]
	if e == nil || e.s != s {
		return
	}
	if e.refs--; e.refs == 0 {
		delete(h.senders, s.channelID)
		h.draining[s] = true
		e.cancel()
	}
}

func (h *Hub) retire(s *sender) {
	h.mu.Lock()
	delete(h.draining, s)
	h.done[s.channelID] = h.done[s.channelID].Add(s.Stats())
	h.mu.Unlock()
}

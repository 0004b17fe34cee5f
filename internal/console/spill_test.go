package console

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// spillSender is a hub-less sender spilling into a fresh temporary
// directory, with a 64 KiB memory cap.
func spillSender(t *testing.T, spillCap int64) (*sender, string) {
	t.Helper()
	dir, err := spillDir(t.TempDir())
	require.NoError(t, err)
	cfg := testConfig(newTestClock())
	cfg.maxBytes, cfg.spillCap = 64<<10, spillCap
	s := testSender(cfg)
	s.spillPath = spillName(dir, testChannel, 1)
	t.Cleanup(func() {
		if s.disk != nil {
			s.disk.close()
		}
	})
	return s, dir
}

func floodLine(i int) string { return fmt.Sprintf("line %06d %s", i, strings.Repeat("x", 58)) }

// shownItem is one line of what the channel shows: a console line (from
// an attachment or a code block) or a paragraph of text.
type shownItem struct {
	text string
	code bool
}

// drainShown composes and settles every message as if Discord accepted
// it, reading each attachment before settling frees its part of the
// spill file, and returns what the channel shows, in order.
func drainShown(t *testing.T, s *sender) (items []shownItem, msgs int) {
	t.Helper()
	for m := s.compose(false); m != nil; m = s.compose(false) {
		if m.file != nil {
			for _, l := range strings.Split(strings.TrimSuffix(readAll(t, m.file), "\n"), "\n") {
				items = append(items, shownItem{l, true})
			}
		}
		blocks(t, m.content) // checks the structure
		in := false
		for _, l := range strings.Split(m.content, "\n") {
			switch {
			case l == "```":
				in = !in
			default:
				items = append(items, shownItem{l, in})
			}
		}
		s.settle(m, sent, "")
		msgs++
	}
	return items, msgs
}

// collect splits drainShown's items into console lines and text.
func collect(t *testing.T, s *sender) (lines, text []string) {
	items, _ := drainShown(t, s)
	for _, it := range items {
		if it.code {
			lines = append(lines, it.text)
		} else {
			text = append(text, it.text)
		}
	}
	return lines, text
}

func TestSpillUnderFloodKeepsEveryLineInOrder(t *testing.T) {
	s, dir := spillSender(t, DefaultSpillCap)
	const n = 20_000
	for i := range n {
		s.addLine(floodLine(i))
	}
	st := s.Stats()
	require.Positive(t, st.OnDisk, "past the memory cap, lines went to disk")
	assert.Equal(t, st.OnDisk, st.Spilled)
	assert.Zero(t, st.Dropped)
	assert.Equal(t, n, st.Accounted())
	fi, err := os.Stat(s.spillPath)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	di, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), di.Mode().Perm())

	lines, text := collect(t, s)
	require.Len(t, lines, n, "every line once")
	for i, l := range lines {
		require.Equal(t, floodLine(i), l, "line %d out of order", i)
	}
	for _, tx := range text {
		assert.NotContains(t, tx, "dropped")
	}
	st = s.Stats()
	assert.Equal(t, n, st.Posted+st.Folded)
	assert.Zero(t, st.OnDisk+st.Pending)
	fi, err = os.Stat(s.spillPath)
	require.NoError(t, err)
	assert.Zero(t, fi.Size(), "the drained spill file is truncated")
}

// A message's attachment holds lines older than its text lines, and no
// later message holds lines older than an earlier one's.
func TestSpilledLinesGoBeforeTheTextBesideThem(t *testing.T) {
	s, _ := spillSender(t, DefaultSpillCap)
	for i := range 3000 {
		s.addLine(floodLine(i))
	}
	require.Positive(t, s.Stats().OnDisk)
	s.addNotice("🔴 Server is offline")
	s.addLine(floodLine(3000))
	items, msgs := drainShown(t, s)
	require.Greater(t, msgs, 1)
	newest, noticeAfter := -1, -2
	for _, it := range items {
		switch {
		case it.code:
			k := lineNo(t, it.text)
			require.Equal(t, newest+1, k, "lines arrive in order, attachments first")
			newest = k
		case strings.Contains(it.text, "Server is offline"):
			noticeAfter = newest
		}
	}
	assert.Equal(t, 3000, newest)
	assert.Equal(t, 2999, noticeAfter, "the notice comes after every line before it, spilled ones included")
}

func TestDiskBoundDropsAndTells(t *testing.T) {
	s, _ := spillSender(t, 1<<20)
	const n = 40_000 // about 2.8 MB: the memory cap and 1 MiB of disk overflow
	for i := range n {
		s.addLine(floodLine(i))
	}
	st := s.Stats()
	require.Positive(t, st.Dropped)
	assert.Equal(t, n, st.Accounted())
	lines, text := collect(t, s)
	told := 0
	for _, tx := range text {
		var k int
		if _, err := fmt.Sscanf(tx, "⚠ %d console lines were dropped", &k); err == nil {
			told += k
		}
	}
	st = s.Stats()
	assert.Equal(t, st.Dropped, told, "the channel is told how many")
	assert.Equal(t, n, len(lines)+st.Dropped)
	assert.Equal(t, floodLine(0), lines[0], "the oldest lines were kept on disk")
	assert.Equal(t, floodLine(n-1), lines[len(lines)-1], "and the newest in memory")
}

func TestUnwritableDataDirIsAClearError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	_, err := NewHub(&recorder{}, WithDataDir(file))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "DATA_DIR")
	assert.Contains(t, err.Error(), "not writable")
	_, err = NewHub(&recorder{}, WithDataDir(t.TempDir()), WithSpillCap(1000))
	assert.ErrorContains(t, err, "RELAY_DISK_CAP_MB")
}

func TestLeftoverSpillFilesAreNotTrusted(t *testing.T) {
	data := t.TempDir()
	dir := filepath.Join(data, spillDirName)
	require.NoError(t, os.MkdirAll(dir, 0o700))
	left := filepath.Join(dir, testChannel+"-1.spill")
	require.NoError(t, os.WriteFile(left, []byte("half a li"), 0o600))
	_, err := NewHub(&recorder{}, WithDataDir(data))
	require.NoError(t, err)
	assert.NoFileExists(t, left, "a crash's spill file cannot be proven intact: removed")
}

func TestBoostedGuildTakesBiggerAttachments(t *testing.T) {
	s, _ := spillSender(t, 64<<20)
	s.upload = uploadTier2
	long := strings.Repeat("y", 1000)
	const n = 12_000 // about 12 MB on disk
	for range n {
		s.addLine(long)
	}
	m := s.compose(false)
	require.NotNil(t, m.file)
	assert.Greater(t, m.file.size(), int64(10<<20), "one attachment past 10 MiB")
	assert.LessOrEqual(t, m.file.size(), int64(uploadTier2-uploadRoom))
	s.settle(m, sent, "")

	s2, _ := spillSender(t, 64<<20)
	for range n {
		s2.addLine(long)
	}
	m = s2.compose(false)
	require.NotNil(t, m.file)
	assert.LessOrEqual(t, m.file.size(), int64(uploadDefault-uploadRoom), "10 MiB when the tier is unknown")
}

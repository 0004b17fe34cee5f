package sqlite_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/store"
	"github.com/panelbot/panelbot/internal/store/sqlite"
	"github.com/panelbot/panelbot/internal/store/storetest"
)

// The writer that TestKillNineAtAnyMoment kills: each step is one bucket
// of samples for crashServers servers (one transaction), a Maintain that
// merges the step before into buckets (one transaction), a console tail
// naming the step and an alert notified at it, then "committed <step>" on
// standard output.
const (
	crashEnv     = "PANELBOT_STORE_CRASH_DIR"
	crashServers = 20
	crashTail    = 30
	perBucket    = int(store.BucketSpan / store.RawInterval)
)

// crashAt is when step i's bucket begins.
func crashAt(i int) time.Time { return storetest.T0.Add(time.Duration(i) * store.BucketSpan) }

// TestCrashWriter is not a test on its own: TestKillNineAtAnyMoment runs
// the test binary on it in a child process and kills it with SIGKILL.
func TestCrashWriter(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("the child process of TestKillNineAtAnyMoment")
	}
	ctx := context.Background()
	s, err := sqlite.Open(ctx, dir, sqlite.WithTailLines(crashTail))
	require.NoError(t, err)
	tail, err := s.FindConsoleTail(ctx, "main/s0")
	require.NoError(t, err)
	for i := lastStep(t, tail) + 1; i < 100_000; i++ {
		require.NoError(t, crashStep(ctx, s, i))
		fmt.Printf("committed %d\n", i)
	}
	t.Fatal("not killed") // the parent kills long before
}

// crashStep writes step i.
func crashStep(ctx context.Context, s *sqlite.Store, i int) error {
	var rs []store.Reading
	for k := range perBucket {
		for n := range crashServers {
			rs = append(rs, store.Reading{Server: fmt.Sprintf("main/s%d", n), At: crashAt(i).Add(time.Duration(k) * store.RawInterval),
				Resources: panel.Resources{State: panel.StateRunning, Live: true, CPUPercent: float64(k), MemoryBytes: int64(i)}})
		}
	}
	if err := s.AppendSamples(ctx, rs); err != nil {
		return err
	}
	if _, err := s.Maintain(ctx, crashAt(i).Add(store.RawRetention)); err != nil {
		return err
	}
	lines := make([]string, 0, i+1)
	for j := max(0, i-crashTail+1); j <= i; j++ {
		lines = append(lines, strconv.Itoa(j))
	}
	if err := s.ReplaceConsoleTail(ctx, "main/s0", lines, crashAt(i)); err != nil {
		return err
	}
	return s.PutAlert(ctx, store.Alert{Server: "main/s0", Condition: "offline", Since: storetest.T0, Notified: crashAt(i)})
}

// lastStep is the step a tail names, -1 for none.
func lastStep(t *testing.T, tail []string) int {
	if len(tail) == 0 {
		return -1
	}
	n, err := strconv.Atoi(tail[len(tail)-1])
	require.NoError(t, err)
	return n
}

// TestKillNineAtAnyMoment runs the writer in a child process, kills it
// with SIGKILL after a random number of steps (so mid-transaction,
// mid-maintenance or mid-checkpoint, wherever it happens to be), reopens
// the file and checks that it is sound and holds every step the child
// reported committed — and no step twice. Several rounds, each resuming
// on the file the last kill left.
func TestKillNineAtAnyMoment(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	dir := t.TempDir()
	for round := range 4 {
		committed := runAndKill(t, dir, 3+rand.IntN(25))
		wal, err := os.Stat(filepath.Join(dir, sqlite.FileName+"-wal"))
		require.NoError(t, err, "the kill left the WAL to recover")
		t.Logf("round %d: killed after step %d, WAL %d bytes", round, committed, wal.Size())
		verifyCrash(t, dir, committed)
	}
}

// runAndKill starts the writer, kills it after n more committed steps and
// returns the last step it reported.
func runAndKill(t *testing.T, dir string, n int) int {
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestCrashWriter$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	last, seen := -1, 0
	sc := bufio.NewScanner(out)
	for seen < n && sc.Scan() {
		if step, ok := strings.CutPrefix(sc.Text(), "committed "); ok {
			last, seen = must(strconv.Atoi(step)), seen+1
		}
	}
	require.NoError(t, cmd.Process.Kill()) // SIGKILL
	_ = cmd.Wait()
	require.Equal(t, n, seen, "the writer stopped by itself: %s", stderr.String())
	return last
}

// verifyCrash reopens the store after a kill and checks it against the
// last step reported committed: that step is there, the next one may be
// (it may have committed before the report), nothing beyond, and every
// bucket holds its samples exactly once whether merged or not.
func verifyCrash(t *testing.T, dir string, committed int) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, dir, sqlite.WithTailLines(crashTail))
	require.NoError(t, err, "reopens after kill -9")
	defer func() { require.NoError(t, s.Close()) }()
	for n := range crashServers {
		bs, err := s.FindSamples(ctx, fmt.Sprintf("main/s%d", n), storetest.T0, crashAt(committed+10), store.Buckets)
		require.NoError(t, err)
		require.GreaterOrEqual(t, len(bs), committed+1, "server %d lost committed samples", n)
		require.LessOrEqual(t, len(bs), committed+2)
		for i, b := range bs {
			require.Equal(t, crashAt(i), b.At)
			require.Equal(t, perBucket, b.Count, "bucket %d of server %d counted once", i, n)
		}
	}
	tail, err := s.FindConsoleTail(ctx, "main/s0")
	require.NoError(t, err)
	last := lastStep(t, tail)
	assert.Contains(t, []int{committed, committed + 1}, last)
	assert.Len(t, tail, min(last+1, crashTail))
	a, err := s.FindAlert(ctx, "main/s0", "offline")
	require.NoError(t, err)
	assert.Contains(t, []time.Time{crashAt(committed), crashAt(committed + 1)}, a.Notified)
	integrityCheck(t, s.Path())
}

// integrityCheck runs the full PRAGMA integrity_check (Open runs the
// quicker quick_check).
func integrityCheck(t *testing.T, path string) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	var res string
	require.NoError(t, db.QueryRow("PRAGMA integrity_check").Scan(&res))
	assert.Equal(t, "ok", res)
}

// TestUncleanCloseReopens is the same without a process: a store that is
// never closed, its files copied as a kill would leave them (the last
// commits only in the WAL), reopens intact.
func TestUncleanCloseReopens(t *testing.T) {
	ctx := context.Background()
	dir, crashed := t.TempDir(), t.TempDir()
	s, err := sqlite.Open(ctx, dir, sqlite.WithTailLines(crashTail))
	require.NoError(t, err)
	defer s.Close()
	for i := range 3 {
		require.NoError(t, crashStep(ctx, s, i))
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(s.Path() + suffix)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(crashed, sqlite.FileName+suffix), b, 0o600))
	}
	verifyCrash(t, crashed, 2)
}

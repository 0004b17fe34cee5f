package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// version reads the schema version and whether table exists.
func version(t *testing.T, s *Store, table string) (int, bool) {
	var v, n int
	require.NoError(t, s.db.QueryRow("PRAGMA user_version").Scan(&v))
	require.NoError(t, s.db.QueryRow("SELECT count(*) FROM sqlite_schema WHERE name = ?", table).Scan(&n))
	return v, n == 1
}

// TestMigrateStepByStep: later versions apply on top of the first, each
// in its own transaction, so a failing step leaves the version before it
// whole, and a second run changes nothing.
func TestMigrateStepByStep(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	require.NoError(t, err)
	defer s.Close()

	broken := append(append([]string(nil), migrations...),
		"CREATE TABLE two (x INTEGER)",
		"CREATE TABLE three (x INTEGER); INSERT INTO nowhere VALUES (1)")
	require.Error(t, migrate(ctx, s.db, broken))
	v, three := version(t, s, "three")
	assert.Equal(t, len(migrations)+1, v, "the good step is kept")
	assert.False(t, three, "the failed step is rolled back whole")

	fixed := append(broken[:len(broken)-1:len(broken)-1], "CREATE TABLE three (x INTEGER)")
	require.NoError(t, migrate(ctx, s.db, fixed))
	require.NoError(t, migrate(ctx, s.db, fixed))
	v, three = version(t, s, "three")
	assert.Equal(t, len(migrations)+2, v)
	assert.True(t, three)

	require.Error(t, migrate(ctx, s.db, migrations), "a newer file is not migrated down")
	_, err = Check(ctx, filepath.Dir(s.Path()))
	assert.ErrorContains(t, err, "newer panelbot")
}

// TestMigrateKeepsADashboardsMessage: a file from before migration 3
// (one message per dashboard) keeps its dashboard, the message at
// position 0.
func TestMigrateKeepsADashboardsMessage(t *testing.T) {
	ctx := context.Background()
	db, err := openDB(filepath.Join(t.TempDir(), "panelbot.db"), "rwc")
	require.NoError(t, err)
	s := &Store{db: db}
	defer s.Close()
	require.NoError(t, migrate(ctx, db, migrations[:2]))
	_, err = db.Exec(`INSERT INTO dashboards (guild_id, channel_id, message_id, created_at) VALUES ('1', '10', '100', 0)`)
	require.NoError(t, err)
	require.NoError(t, migrate(ctx, db, migrations))
	got, err := s.FindDashboards(ctx)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, []string{"100"}, got[0].MessageIDs)
}

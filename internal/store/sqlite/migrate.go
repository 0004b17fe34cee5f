package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// applicationID marks the file as panelbot's (PRAGMA application_id,
// "pbot"), so that another program's database is refused, not migrated.
const applicationID = 0x70626f74

// migrations are the schema's versions: migrations[i] takes a database at
// version i (PRAGMA user_version) to i+1, in one transaction. Append only:
// a released migration is never edited, since files in the field ran it.
//
// Times are unix seconds; a NULL time is "not yet". Servers are interned in
// servers, so the history's rows carry a small integer, not the key.
// samples.state and buckets.state are codes (see stateCodes), fixed forever.
var migrations = []string{
	// 1: the first schema.
	`PRAGMA application_id = 1885499252; -- applicationID

	CREATE TABLE servers (
		id  INTEGER PRIMARY KEY,
		key TEXT NOT NULL UNIQUE -- panel.Target.Key(): "panel/id"
	);

	-- AUTOINCREMENT: an id is never reused, so a button naming a deleted
	-- dashboard cannot reach a newer one.
	CREATE TABLE dashboards (
		id         INTEGER PRIMARY KEY AUTOINCREMENT,
		guild_id   TEXT NOT NULL,
		channel_id TEXT NOT NULL,
		message_id TEXT NOT NULL,
		created_at INTEGER NOT NULL
	);

	CREATE TABLE dashboard_servers (
		dashboard_id INTEGER NOT NULL REFERENCES dashboards (id) ON DELETE CASCADE,
		pos          INTEGER NOT NULL, -- order shown
		server_id    INTEGER NOT NULL REFERENCES servers (id),
		PRIMARY KEY (dashboard_id, pos)
	) WITHOUT ROWID;

	CREATE TABLE alerts (
		server_id INTEGER NOT NULL REFERENCES servers (id),
		kind      TEXT NOT NULL,
		since     INTEGER NOT NULL,
		notified  INTEGER,
		recovered INTEGER, -- NULL while the episode is open
		PRIMARY KEY (server_id, kind)
	) WITHOUT ROWID;

	-- Raw 30-s samples of the last 24 h. Figures are NULL when the panel
	-- gave none; cpu is in tenths of a percent.
	CREATE TABLE samples (
		server_id INTEGER NOT NULL REFERENCES servers (id),
		at        INTEGER NOT NULL,
		state     INTEGER NOT NULL,
		cpu       INTEGER,
		mem       INTEGER,
		disk      INTEGER,
		rx        INTEGER,
		tx        INTEGER,
		PRIMARY KEY (server_id, at)
	) WITHOUT ROWID;

	-- 5-minute buckets of older samples, 30 days. n samples, of which
	-- running found the server running and live had figures; state is
	-- the state of the latest one (taken at last_at).
	CREATE TABLE buckets (
		server_id INTEGER NOT NULL REFERENCES servers (id),
		bucket    INTEGER NOT NULL, -- start, a multiple of 300
		n         INTEGER NOT NULL,
		running   INTEGER NOT NULL,
		live      INTEGER NOT NULL,
		last_at   INTEGER NOT NULL,
		state     INTEGER NOT NULL,
		cpu_avg   INTEGER,
		cpu_max   INTEGER,
		mem_avg   INTEGER,
		mem_max   INTEGER,
		disk      INTEGER,
		rx        INTEGER,
		tx        INTEGER,
		PRIMARY KEY (server_id, bucket)
	) WITHOUT ROWID;

	-- The last relayed console lines per server: a JSON array, oldest first.
	CREATE TABLE console_tails (
		server_id  INTEGER PRIMARY KEY REFERENCES servers (id),
		lines      TEXT NOT NULL,
		updated_at INTEGER NOT NULL
	);`,
	// 2: one row that /healthz rewrites to prove the file takes writes.
	`CREATE TABLE health (
		id INTEGER PRIMARY KEY CHECK (id = 1),
		at INTEGER NOT NULL
	);`,
	// 3: a dashboard spans several messages (a large fleet outgrows one
	// message's 10 embeds); the one id each kept moves to position 0.
	`CREATE TABLE dashboard_messages (
		dashboard_id INTEGER NOT NULL REFERENCES dashboards (id) ON DELETE CASCADE,
		pos          INTEGER NOT NULL, -- order shown
		message_id   TEXT NOT NULL,
		PRIMARY KEY (dashboard_id, pos)
	) WITHOUT ROWID;
	INSERT INTO dashboard_messages (dashboard_id, pos, message_id)
		SELECT id, 0, message_id FROM dashboards WHERE message_id <> '';
	ALTER TABLE dashboards DROP COLUMN message_id;`,
	// 4: scheduled power actions and commands. AUTOINCREMENT for the same
	// reason as dashboards: a Cancel button never reaches a newer one.
	// warnings is a JSON array of seconds, longest first.
	`CREATE TABLE schedules (
		id         INTEGER PRIMARY KEY AUTOINCREMENT,
		guild_id   TEXT NOT NULL,
		channel_id TEXT NOT NULL,
		server_id  INTEGER NOT NULL REFERENCES servers (id),
		action     TEXT NOT NULL,
		command    TEXT NOT NULL,
		spec       TEXT NOT NULL,
		warnings   TEXT NOT NULL,
		creator_id TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		last_run   INTEGER -- NULL until the first run is handled
	);`,
}

// migrate brings the schema up to len(steps) (the bot passes migrations),
// one version per transaction: a step that fails leaves the version before
// it. Each step reads the version under the write lock, so two processes
// opening the same new file do not both apply a step.
func migrate(ctx context.Context, db *sql.DB, steps []string) error {
	for {
		done, err := migrateStep(ctx, db, steps)
		if err != nil || done {
			return err
		}
	}
}

// migrateStep applies the next migration, if any.
func migrateStep(ctx context.Context, db *sql.DB, steps []string) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("begin migration: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return false, fmt.Errorf("read schema version: %w", err)
	}
	switch {
	case v == len(steps):
		return true, nil
	case v > len(steps):
		return false, fmt.Errorf("schema version %d is newer than this binary's %d", v, len(steps))
	}
	if _, err := tx.ExecContext(ctx, steps[v]); err != nil {
		return false, fmt.Errorf("migrate to schema version %d: %w", v+1, err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
		return false, fmt.Errorf("set schema version %d: %w", v+1, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit schema version %d: %w", v+1, err)
	}
	return false, nil
}

// SchemaVersion is the schema this binary writes: the number of migrations.
func SchemaVersion() int { return len(migrations) }

package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/panelbot/panelbot/internal/store"
)

// CreateSchedule stores sc and returns it with its ID, its times kept to
// the second.
func (s *Store) CreateSchedule(ctx context.Context, sc store.Schedule) (store.Schedule, error) {
	sc.CreatedAt, sc.LastRun = fromUnix(unix(sc.CreatedAt)), fromUnix(unix(sc.LastRun))
	warn, err := json.Marshal(warningSeconds(sc.Warnings))
	if err != nil {
		return store.Schedule{}, fmt.Errorf("create schedule: %w", err)
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := ensureServers(ctx, tx, sc.Server); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO schedules (guild_id, channel_id, server_id, action,
			command, spec, warnings, creator_id, created_at, last_run)
			VALUES (?, ?, `+serverID+`, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			sc.GuildID, sc.ChannelID, sc.Server, sc.Action, sc.Command, sc.When, string(warn),
			sc.CreatorID, unix(sc.CreatedAt), unix(sc.LastRun)).Scan(&sc.ID)
	})
	if err != nil {
		return store.Schedule{}, fmt.Errorf("create schedule on %s: %w", sc.Server, err)
	}
	return sc, nil
}

// FindSchedules lists every schedule, oldest first.
func (s *Store) FindSchedules(ctx context.Context) ([]store.Schedule, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT sc.id, sc.guild_id, sc.channel_id, sv.key, sc.action,
		sc.command, sc.spec, sc.warnings, sc.creator_id, sc.created_at, sc.last_run
		FROM schedules sc JOIN servers sv ON sv.id = sc.server_id ORDER BY sc.id`)
	if err != nil {
		return nil, fmt.Errorf("find schedules: %w", err)
	}
	defer rows.Close()
	var out []store.Schedule
	for rows.Next() {
		sc, err := scanSchedule(rows)
		if err != nil {
			return nil, fmt.Errorf("find schedules: %w", err)
		}
		out = append(out, sc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find schedules: %w", err)
	}
	return out, nil
}

func scanSchedule(rows *sql.Rows) (store.Schedule, error) {
	var sc store.Schedule
	var warn string
	var created, last sql.NullInt64
	if err := rows.Scan(&sc.ID, &sc.GuildID, &sc.ChannelID, &sc.Server, &sc.Action, &sc.Command,
		&sc.When, &warn, &sc.CreatorID, &created, &last); err != nil {
		return sc, err
	}
	var secs []int64
	if err := json.Unmarshal([]byte(warn), &secs); err != nil {
		return sc, fmt.Errorf("schedule %d warnings: %w", sc.ID, err)
	}
	for _, n := range secs {
		sc.Warnings = append(sc.Warnings, time.Duration(n)*time.Second)
	}
	sc.CreatedAt, sc.LastRun = fromUnix(created), fromUnix(last)
	return sc, nil
}

// warningSeconds is the stored form of a countdown; never null.
func warningSeconds(ws []time.Duration) []int64 {
	out := make([]int64, 0, len(ws))
	for _, w := range ws {
		out = append(out, int64(w/time.Second))
	}
	return out
}

// DeleteSchedule forgets a schedule.
func (s *Store) DeleteSchedule(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, "DELETE FROM schedules WHERE id = ?", id)
	if err := affected(res, err); err != nil {
		return fmt.Errorf("delete schedule %d: %w", id, err)
	}
	return nil
}

// RecordScheduleRun notes the run due at at as handled.
func (s *Store) RecordScheduleRun(ctx context.Context, id int64, at time.Time) error {
	res, err := s.db.ExecContext(ctx, "UPDATE schedules SET last_run = ? WHERE id = ?", unix(at), id)
	if err := affected(res, err); err != nil {
		return fmt.Errorf("record run of schedule %d: %w", id, err)
	}
	return nil
}

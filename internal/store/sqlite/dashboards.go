package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/panelbot/panelbot/internal/store"
)

// CreateDashboard stores d and returns it with its ID, its time kept to the
// second.
func (s *Store) CreateDashboard(ctx context.Context, d store.Dashboard) (store.Dashboard, error) {
	d.CreatedAt = fromUnix(unix(d.CreatedAt))
	err := s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO dashboards (guild_id, channel_id, created_at)
			VALUES (?, ?, ?) RETURNING id`, d.GuildID, d.ChannelID, unix(d.CreatedAt)).Scan(&d.ID)
		if err != nil {
			return err
		}
		return putDashboardLists(ctx, tx, d)
	})
	if err != nil {
		return store.Dashboard{}, fmt.Errorf("create dashboard in %s: %w", d.ChannelID, err)
	}
	return d, nil
}

// UpdateDashboard replaces a dashboard's message ids and server list.
func (s *Store) UpdateDashboard(ctx context.Context, d store.Dashboard) error {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE dashboards SET guild_id = ?, channel_id = ?
			WHERE id = ?`, d.GuildID, d.ChannelID, d.ID)
		if err := affected(res, err); err != nil {
			return err
		}
		for _, table := range []string{"dashboard_servers", "dashboard_messages"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE dashboard_id = ?", d.ID); err != nil {
				return err
			}
		}
		return putDashboardLists(ctx, tx, d)
	})
	if err != nil {
		return fmt.Errorf("update dashboard %d: %w", d.ID, err)
	}
	return nil
}

// putDashboardLists writes d's message ids and server list, in order.
func putDashboardLists(ctx context.Context, tx *sql.Tx, d store.Dashboard) error {
	for i, id := range d.MessageIDs {
		_, err := tx.ExecContext(ctx, `INSERT INTO dashboard_messages (dashboard_id, pos, message_id)
			VALUES (?, ?, ?)`, d.ID, i, id)
		if err != nil {
			return fmt.Errorf("add message %q: %w", id, err)
		}
	}
	if err := ensureServers(ctx, tx, d.Servers...); err != nil {
		return err
	}
	for i, k := range d.Servers {
		_, err := tx.ExecContext(ctx, `INSERT INTO dashboard_servers (dashboard_id, pos, server_id)
			VALUES (?, ?, `+serverID+`)`, d.ID, i, k)
		if err != nil {
			return fmt.Errorf("add server %q: %w", k, err)
		}
	}
	return nil
}

// FindDashboards lists every dashboard, oldest first.
func (s *Store) FindDashboards(ctx context.Context) ([]store.Dashboard, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT d.id, d.guild_id, d.channel_id, d.created_at, s.key
		FROM dashboards d
		LEFT JOIN dashboard_servers ds ON ds.dashboard_id = d.id
		LEFT JOIN servers s ON s.id = ds.server_id
		ORDER BY d.id, ds.pos`)
	if err != nil {
		return nil, fmt.Errorf("find dashboards: %w", err)
	}
	defer rows.Close()
	out, err := scanDashboards(rows)
	if err == nil {
		err = s.addDashboardMessages(ctx, out)
	}
	if err != nil {
		return nil, fmt.Errorf("find dashboards: %w", err)
	}
	return out, nil
}

// addDashboardMessages fills in the message ids of ds, which are ordered by
// id. A second query rather than a second join keeps the rows from
// multiplying (servers × messages).
func (s *Store) addDashboardMessages(ctx context.Context, ds []store.Dashboard) error {
	rows, err := s.db.QueryContext(ctx, `SELECT dashboard_id, message_id FROM dashboard_messages
		ORDER BY dashboard_id, pos`)
	if err != nil {
		return err
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var id int64
		var msg string
		if err := rows.Scan(&id, &msg); err != nil {
			return err
		}
		for i < len(ds) && ds[i].ID < id {
			i++
		}
		if i < len(ds) && ds[i].ID == id {
			ds[i].MessageIDs = append(ds[i].MessageIDs, msg)
		}
	}
	return rows.Err()
}

// scanDashboards folds the rows, one per dashboard and server, into
// dashboards.
func scanDashboards(rows *sql.Rows) ([]store.Dashboard, error) {
	var out []store.Dashboard
	for rows.Next() {
		var d store.Dashboard
		var created sql.NullInt64
		var key sql.NullString
		if err := rows.Scan(&d.ID, &d.GuildID, &d.ChannelID, &created, &key); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].ID != d.ID {
			d.CreatedAt = fromUnix(created)
			out = append(out, d)
		}
		if key.Valid {
			last := &out[len(out)-1]
			last.Servers = append(last.Servers, key.String)
		}
	}
	return out, rows.Err()
}

// DeleteDashboard forgets a dashboard, its messages and its server list.
func (s *Store) DeleteDashboard(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, "DELETE FROM dashboards WHERE id = ?", id)
	if err := affected(res, err); err != nil {
		return fmt.Errorf("delete dashboard %d: %w", id, err)
	}
	return nil
}

// affected turns a statement that touched no row into store.ErrNotFound.
func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

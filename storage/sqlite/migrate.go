package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/isgkit/gateway/storage/internal/migrations"
)

// applicationID marks the file as ours in the SQLite header ("ISGK"), so that tools such as
// file(1) and our own Open can tell an isg store from another application's database.
const applicationID = 0x4953474B

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one schema step (see migrations.Step).
type migration = migrations.Step

// loadMigrations reads the embedded steps; a malformed set is a build mistake, reported at Open.
func loadMigrations() ([]migration, error) {
	steps, err := migrations.Load(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return steps, nil
}

// inspect decides whether the file at db is an empty database, one of our stores, or something
// else, without writing to it: a foreign file must be left exactly as it was found.
func inspect(ctx context.Context, db *sql.DB, file string, known []migration) (applied int, err error) {
	var appID int64
	if err := db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return 0, classify(file, err)
	}
	rows, err := db.QueryContext(ctx, "SELECT name FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
	if err != nil {
		return 0, classify(file, err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return 0, classify(file, err)
		}
		names = append(names, n)
	}
	if err := rows.Close(); err != nil {
		return 0, classify(file, err)
	}
	if err := rows.Err(); err != nil {
		return 0, classify(file, err)
	}
	ours := false
	for _, n := range names {
		ours = ours || n == "isg_migrations"
	}
	switch {
	case appID != 0 && appID != applicationID:
		return 0, fmt.Errorf("%w: %s belongs to another application (application_id %#x)", ErrNotStore, file, appID)
	case !ours && len(names) > 0:
		return 0, fmt.Errorf("%w: %s is an SQLite database of another application (tables but no isg_migrations)", ErrNotStore, file)
	case !ours:
		return 0, nil
	}
	applied, err = appliedVersion(ctx, db, known)
	if err != nil {
		return 0, classify(file, err)
	}
	return applied, nil
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// appliedVersion reads the migrations table and checks it against the known steps: every step the
// file has must be one of ours under the same name, or the file comes from newer code.
func appliedVersion(ctx context.Context, q queryer, known []migration) (int, error) {
	rows, err := q.QueryContext(ctx, "SELECT version, name FROM isg_migrations ORDER BY version")
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var applied []migrations.Applied
	for rows.Next() {
		var a migrations.Applied
		if err := rows.Scan(&a.Version, &a.Name); err != nil {
			return 0, err
		}
		applied = append(applied, a)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return migrations.Check(known, applied, ErrNotStore, ErrSchemaTooNew)
}

// migrate applies the steps after the file's version up to target, each in its own IMMEDIATE
// transaction with its row in isg_migrations, so a crash leaves the file at a whole step and two
// processes opening one file at once apply each step once.
func migrate(ctx context.Context, db *sql.DB, known []migration, target int) error {
	for _, m := range known[:target] {
		if err := func() error {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			applied := 0
			var exists int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE name = 'isg_migrations'").Scan(&exists); err != nil {
				return err
			}
			if exists == 1 {
				if applied, err = appliedVersion(ctx, tx, known); err != nil {
					return err
				}
			}
			if applied >= m.Version {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO isg_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.Version, m.Name, time.Now().UTC().Format(time.RFC3339)); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			return tx.Commit()
		}(); err != nil {
			return err
		}
	}
	return nil
}

// classify turns the driver's "not a database" and corruption errors into ErrNotStore.
func classify(file string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("%w: %s is not an SQLite database or is damaged: %v", ErrNotStore, file, err)
		}
	}
	return fmt.Errorf("sqlite: %s: %w", file, err)
}

package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock is the advisory lock (in the two-key space, apart from the one-key space the
// commits lock records in) that makes concurrent Opens apply each migration once.
const migrationLock, migrationLockID = 0x4953474B, 1 // "ISGK"

// migration is one schema step. Versions are dense from 1; a step, once released, never changes:
// its name is recorded with its version and checked on every Open.
type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v != len(out)+1 {
			return nil, fmt.Errorf("postgres: migration %s is out of sequence", e.Name())
		}
		body, err := fs.ReadFile(migrationFiles, path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: strings.TrimSuffix(e.Name(), ".sql"), sql: string(body)})
	}
	return out, nil
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// sqlTablesExist looks our two tables up in the schema unqualified names are created in, in one
// statement and so under one snapshot: checked in two, a concurrent Open committing the first
// migration in between would show isg_records without isg_migrations, which is how a foreign
// table looks. It reads pg_class under the statement's own snapshot: to_regclass would consult
// the catalog cache, which taking an advisory lock does not refresh, and miss a table another
// Open just committed.
const sqlTablesExist = `SELECT
	EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relname = 'isg_migrations' AND n.nspname = current_schema()),
	EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relname = 'isg_records' AND n.nspname = current_schema())`

// appliedVersion reads the migrations table (0 when there is none) and checks it against the
// known steps: every step the database has must be one of ours under the same name.
func appliedVersion(ctx context.Context, q querier, known []migration) (int, error) {
	var ours, records bool
	if err := q.QueryRow(ctx, sqlTablesExist).Scan(&ours, &records); err != nil {
		return 0, err
	}
	if !ours {
		if records {
			return 0, fmt.Errorf("%w: an isg_records table exists without isg_migrations", ErrNotStore)
		}
		return 0, nil
	}
	rows, err := q.Query(ctx, "SELECT version, name FROM isg_migrations ORDER BY version")
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	applied := 0
	for rows.Next() {
		var v int
		var name string
		if err := rows.Scan(&v, &name); err != nil {
			return 0, err
		}
		if v > len(known) {
			return 0, fmt.Errorf("%w: schema version %d, this code knows up to %d; upgrade the library", ErrSchemaTooNew, v, len(known))
		}
		if v != applied+1 || known[v-1].name != name {
			return 0, fmt.Errorf("%w: migration %d is %q, expected %q", ErrNotStore, v, name, known[v-1].name)
		}
		applied = v
	}
	return applied, rows.Err()
}

// migrate applies the steps after the database's version up to target, each in its own
// transaction with its row in isg_migrations (PostgreSQL's DDL is transactional, so a failed
// step leaves nothing behind), under an advisory lock so concurrent Opens apply each step once.
func migrate(ctx context.Context, pool *pgxpool.Pool, known []migration, target int) error {
	for _, m := range known[:target] {
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, $2)", int32(migrationLock), int32(migrationLockID)); err != nil {
				return err
			}
			applied, err := appliedVersion(ctx, tx, known)
			if err != nil || applied >= m.version {
				return err
			}
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			_, err = tx.Exec(ctx, "INSERT INTO isg_migrations (version, name) VALUES ($1, $2)", m.version, m.name)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// errNotMigrated reports a database behind the code when migrations are off.
var errNotMigrated = errors.New("postgres: schema is older than this code and WithoutMigrations is set; run Open once with migrations on")

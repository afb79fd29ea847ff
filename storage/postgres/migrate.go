package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/isgkit/gateway/storage/internal/migrations"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock is the advisory lock (in the two-key space, apart from the one-key space the
// commits lock records in) that makes concurrent Opens apply each migration once.
const migrationLock, migrationLockID = 0x4953474B, 1 // "ISGK"

// migration is one schema step (see migrations.Step).
type migration = migrations.Step

func loadMigrations() ([]migration, error) {
	steps, err := migrations.Load(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return steps, nil
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
			if err != nil || applied >= m.Version {
				return err
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			_, err = tx.Exec(ctx, "INSERT INTO isg_migrations (version, name) VALUES ($1, $2)", m.Version, m.Name)
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

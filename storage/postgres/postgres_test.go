package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/postgres"
	"github.com/isgkit/gateway/storage/postgres/pgtest"
	"github.com/isgkit/gateway/storage/storagetest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var pg pgtest.Cluster

// TestMain starts the PostgreSQL cluster, except in a child process of TestGatewayTwoProcesses,
// which does its role's work against the parent's database and exits without running any test.
func TestMain(m *testing.M) {
	if role := os.Getenv(envRole); role != "" {
		os.Exit(runChild(role))
	}
	os.Exit(pg.Main(m))
}

func open(t testing.TB, connString string, opts ...postgres.Option) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), connString, opts...)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) isg.Store { return open(t, pg.NewSchema(t)) })
}

// TestConformanceTwoPools runs the record-level cases on two Stores, each with its own pool, on
// one database: a unit on one lists what a unit on the other changes.
func TestConformanceTwoPools(t *testing.T) {
	storagetest.RunShared(t, func(t *testing.T) (isg.Store, isg.Store) {
		db := pg.NewSchema(t)
		return open(t, db), open(t, db)
	})
}

// TestGateway runs the Gateway-level suite on a fresh schema per case.
func TestGateway(t *testing.T) {
	storagetest.RunGateway(t, func(t *testing.T) isg.Store { return open(t, pg.NewSchema(t)) })
}

func TestScenarios(t *testing.T) {
	storagetest.RunScenarios(t, "../../testdata/scenarios", func(t *testing.T) isg.Store { return open(t, pg.NewSchema(t)) })
}

func put(ctx context.Context, s isg.Store, recs ...isg.Record) error {
	return s.Update(ctx, func(tx isg.Tx) error {
		for _, r := range recs {
			if _, err := tx.Put(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
}

func get(ctx context.Context, s isg.Store, kind isg.Kind, id string) (isg.Record, error) {
	var r isg.Record
	err := s.View(ctx, func(tx isg.Tx) error {
		var err error
		r, err = tx.Get(ctx, kind, id)
		return err
	})
	return r, err
}

// TestTwoPools has two Stores, each with its own pool, as two application servers would,
// race on the same records: conflicts are decided by version and no update is lost.
func TestTwoPools(t *testing.T) {
	ctx := context.Background()
	db := pg.NewSchema(t)
	stores := []*postgres.Store{open(t, db), open(t, db)}
	const records, workers, rounds = 3, 8, 25
	for i := range records {
		require.NoError(t, put(ctx, stores[0], isg.Record{Kind: "counter", ID: fmt.Sprint(i), Body: []byte("0")}))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := make([]int, records)
	var errs []error
	for w := range workers {
		s := stores[w%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range rounds {
				id := (w + n) % records
				// Each unit reads two records and increments one: the other is in its read set,
				// so a commit to it in between is a conflict too.
				err := s.Update(ctx, func(tx isg.Tx) error {
					other, err := tx.Get(ctx, "counter", fmt.Sprint((id+1)%records))
					if err != nil {
						return err
					}
					_ = other
					r, err := tx.Get(ctx, "counter", fmt.Sprint(id))
					if err != nil {
						return err
					}
					var v int
					fmt.Sscan(string(r.Body), &v)
					r.Body = []byte(fmt.Sprint(v + 1))
					_, err = tx.Put(ctx, r)
					return err
				})
				mu.Lock()
				switch {
				case err == nil:
					wins[id]++
				case !errors.Is(err, isg.ErrConflict):
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	require.Empty(t, errs)
	total := 0
	for i := range records {
		r, err := get(ctx, stores[(i+1)%2], "counter", fmt.Sprint(i))
		require.NoError(t, err)
		assert.Equal(t, int64(1+wins[i]), r.Version, "record %d: one version per successful update", i)
		assert.Equal(t, fmt.Sprint(wins[i]), string(r.Body), "record %d: no increment lost", i)
		total += wins[i]
	}
	assert.Positive(t, total)
}

// TestUpgradeInPlace makes a database of the first schema, fills it as code of that version
// wrote it, and opens it with the current code, which must migrate it and keep every record. The
// first schema's isg_claim stays callable, for servers of an older version still running.
func TestUpgradeInPlace(t *testing.T) {
	ctx := context.Background()
	require.Greater(t, postgres.KnownVersion(), 1, "needs a migration after the first")
	db := pg.NewSchema(t)
	old, err := postgres.Open(ctx, db, postgres.MigrateTo(1))
	require.NoError(t, err)
	old.Close()
	exec(t, db, `INSERT INTO isg_records (kind, id, version, body, keys) VALUES
		('user', 'u1', 1, '{"n":1}', '[{"name":"email","value":"dpo@example.org","unique":true},{"name":"org","value":"o1"}]'),
		('user', 'u2', 1, '{"n":2}', '[{"name":"org","value":"o1"}]')`)
	exec(t, db, `INSERT INTO isg_index_keys (kind, name, value, id, uniq) VALUES
		('user', 'email', 'dpo@example.org', 'u1', true), ('user', 'org', 'o1', 'u1', false), ('user', 'org', 'o1', 'u2', false)`)
	assert.Equal(t, []int{1}, migrationVersions(t, db))

	_, err = postgres.Open(ctx, db, postgres.WithoutMigrations())
	require.Error(t, err, "an old schema with migrations off is refused")

	s := open(t, db)
	want := make([]int, postgres.KnownVersion())
	for i := range want {
		want[i] = i + 1
	}
	assert.Equal(t, want, migrationVersions(t, db))
	for _, id := range []string{"u1", "u2"} {
		r, err := get(ctx, s, "user", id)
		require.NoError(t, err)
		assert.Equal(t, int64(1), r.Version)
	}
	email := isg.IndexKey{Name: "email", Value: "dpo@example.org", Unique: true}
	require.ErrorIs(t, put(ctx, s, isg.Record{Kind: "user", ID: "u3", Body: []byte(`{"n":3}`), Keys: []isg.IndexKey{email}}), isg.ErrConflict)
	require.NoError(t, s.View(ctx, func(tx isg.Tx) error {
		n, err := tx.Count(ctx, "user", isg.IndexKey{Name: "org", Value: "o1"})
		if err == nil && n != 2 {
			err = fmt.Errorf("count %d, want 2", n)
		}
		return err
	}))
	exec(t, db, "SELECT isg_claim('{}', '{}', '{}', '{}', '{}')")
	open(t, db, postgres.WithoutMigrations())
}

func migrationVersions(t *testing.T, db string) []int {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db)
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT version FROM isg_migrations ORDER BY version")
	require.NoError(t, err)
	out, err := pgx.CollectRows(rows, pgx.RowTo[int])
	require.NoError(t, err)
	return out
}

func exec(t *testing.T, db, sql string, args ...any) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql, args...)
	require.NoError(t, err)
}

func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	newer := pg.NewSchema(t)
	open(t, newer).Close()
	exec(t, newer, "INSERT INTO isg_migrations (version, name) VALUES ($1, '9999_future')", postgres.KnownVersion()+1)

	renamed := pg.NewSchema(t)
	open(t, renamed).Close()
	exec(t, renamed, "UPDATE isg_migrations SET name = '0001_something_else' WHERE version = 1")

	foreign := pg.NewSchema(t)
	exec(t, foreign, "CREATE TABLE isg_records (x int)")

	tests := []struct {
		name string
		db   string
		want error
	}{
		{"schema newer than the code", newer, postgres.ErrSchemaTooNew},
		{"different migration history", renamed, postgres.ErrNotStore},
		{"foreign isg_records table", foreign, postgres.ErrNotStore},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := postgres.Open(ctx, tt.db)
			if err == nil {
				s.Close()
			}
			require.ErrorIs(t, err, tt.want)
		})
	}
	_, err := postgres.Open(ctx, "host=/nonexistent/socket/dir dbname=x connect_timeout=2")
	assert.Error(t, err)
	_, err = postgres.Open(ctx, "this is not = a connection string '")
	assert.Error(t, err)
}

// TestConcurrentOpen has several Stores open one new database at once: the advisory lock makes
// each migration run exactly once.
func TestConcurrentOpen(t *testing.T) {
	ctx := context.Background()
	db := pg.NewSchema(t)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := postgres.Open(ctx, db)
			if err == nil {
				s.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	want := make([]int, postgres.KnownVersion())
	for i := range want {
		want[i] = i + 1
	}
	assert.Equal(t, want, migrationVersions(t, db))
}

// TestNewKeepsHostPool checks that a Store on a host's pool leaves the pool open on Close.
func TestNewKeepsHostPool(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pg.NewSchema(t))
	require.NoError(t, err)
	defer pool.Close()
	s, err := postgres.New(ctx, pool)
	require.NoError(t, err)
	require.NoError(t, put(ctx, s, isg.Record{Kind: "org", ID: "a", Body: []byte(`{}`)}))
	s.Close()
	require.NoError(t, pool.Ping(ctx))
}

// TestUnstorableStrings covers what PostgreSQL text cannot hold: Put refuses it as invalid input,
// reads treat it as absent.
func TestUnstorableStrings(t *testing.T) {
	ctx := context.Background()
	s := open(t, pg.NewSchema(t))
	for _, r := range []isg.Record{
		{Kind: "org", ID: "nul\x00id", Body: []byte("{}")},
		{Kind: "org", ID: "bad\xffutf8", Body: []byte("{}")},
		{Kind: "org", ID: "ok", Body: []byte("{}"), Keys: []isg.IndexKey{{Name: "k", Value: "v\x00"}}},
	} {
		require.ErrorIs(t, put(ctx, s, r), isg.ErrInvalid, "%q", r.ID)
	}
	_, err := get(ctx, s, "org", "nul\x00id")
	require.ErrorIs(t, err, isg.ErrNotFound)
	require.NoError(t, s.View(ctx, func(tx isg.Tx) error {
		n, err := tx.Count(ctx, "org", isg.IndexKey{Name: "k", Value: "v\x00"})
		if err == nil && n != 0 {
			err = fmt.Errorf("count %d", n)
		}
		return err
	}))
}

// TestDefaultSerializable checks that the adapter does not depend on the server's default
// isolation level: with default_transaction_isolation = serializable on every connection, the
// suite still passes.
func TestDefaultSerializable(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) isg.Store {
		cs := pg.NewSchema(t) + " default_transaction_isolation=serializable"
		conn, err := pgx.Connect(context.Background(), cs)
		require.NoError(t, err)
		var level string
		require.NoError(t, conn.QueryRow(context.Background(), "SHOW default_transaction_isolation").Scan(&level))
		conn.Close(context.Background())
		require.Equal(t, "serializable", level)
		return open(t, cs)
	})
}

// TestViewSnapshot checks that a View sees one state of the database: a commit landing while it
// runs changes nothing it reads, by Get, Find or Count.
func TestViewSnapshot(t *testing.T) {
	ctx := context.Background()
	s := open(t, pg.NewSchema(t))
	k := isg.IndexKey{Name: "member", Value: "o1"}
	require.NoError(t, put(ctx, s,
		isg.Record{Kind: "org", ID: "x", Body: []byte("0"), Keys: []isg.IndexKey{k}},
		isg.Record{Kind: "org", ID: "y", Body: []byte("0")}))
	var seen []string
	err := s.View(ctx, func(tx isg.Tx) error {
		x, err := tx.Get(ctx, "org", "x")
		if err != nil {
			return err
		}
		if err := put(ctx, s,
			isg.Record{Kind: "org", ID: "x", Version: 1, Body: []byte("1")},
			isg.Record{Kind: "org", ID: "y", Version: 1, Body: []byte("1"), Keys: []isg.IndexKey{k}},
			isg.Record{Kind: "org", ID: "z", Body: []byte("1"), Keys: []isg.IndexKey{k}}); err != nil {
			return err
		}
		y, err := tx.Get(ctx, "org", "y")
		if err != nil {
			return err
		}
		found, err := tx.Find(ctx, "org", k, isg.Page{})
		if err != nil {
			return err
		}
		n, err := tx.Count(ctx, "org", k)
		seen = append(seen, string(x.Body), string(y.Body), fmt.Sprint(len(found)), fmt.Sprint(n))
		return err
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"0", "0", "1", "1"}, seen, "the View saw part of a commit that landed while it ran")
}

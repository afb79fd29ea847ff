package sqlite_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/sqlite"
	"github.com/isgkit/gateway/storage/storagetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// open opens a store for a test. Tests run under -race beside other packages on two cores, where
// a writer of a second Store on the same file can wait for SQLite's write lock longer than the
// 5 s default; the wait, not its length, is what these tests are about, so they allow 60 s.
func open(t testing.TB, path string, opts ...sqlite.Option) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(path, append([]sqlite.Option{sqlite.WithBusyTimeout(60 * time.Second)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	return s
}

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) isg.Store {
		return open(t, filepath.Join(t.TempDir(), "isg.db"))
	})
}

func TestConformanceSyncNormal(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) isg.Store {
		return open(t, filepath.Join(t.TempDir(), "isg.db"), sqlite.WithSyncMode(sqlite.SyncNormal), sqlite.WithReadConns(2))
	})
}

// TestConformanceTwoStores runs the record-level cases on two Stores on one file, as two
// processes on one machine would have it: a unit on one lists what a unit on the other changes.
func TestConformanceTwoStores(t *testing.T) {
	storagetest.RunShared(t, func(t *testing.T) (isg.Store, isg.Store) {
		path := filepath.Join(t.TempDir(), "isg.db")
		return open(t, path), open(t, path)
	})
}

// TestGateway runs the Gateway-level suite on a fresh file per case.
func TestGateway(t *testing.T) {
	storagetest.RunGateway(t, func(t *testing.T) isg.Store {
		return open(t, filepath.Join(t.TempDir(), "isg.db"))
	})
}

// TestGatewayTwoStores runs the shared cases with two Stores on one file, as two processes on one
// machine would have it: their commits meet at SQLite's write lock, not at one Store's connection.
func TestGatewayTwoStores(t *testing.T) {
	storagetest.RunGatewayShared(t, func(t *testing.T) (isg.Store, isg.Store) {
		path := filepath.Join(t.TempDir(), "isg.db")
		return open(t, path), open(t, path)
	})
}

func TestScenarios(t *testing.T) {
	storagetest.RunScenarios(t, "../../testdata/scenarios", func(t *testing.T) isg.Store {
		return open(t, filepath.Join(t.TempDir(), "isg.db"))
	})
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

// TestReopen checks that what one Store committed is in the file for the next.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a dir with spaces?and%marks", "isg.db")
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	s, err := sqlite.Open(path)
	require.NoError(t, err)
	require.NoError(t, put(ctx, s, isg.Record{Kind: "org", ID: "a", Body: []byte(`{"v":1}`),
		Keys: []isg.IndexKey{{Name: "ods", Value: "RR8", Unique: true}}}))
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "Close twice")
	// Close checkpoints the WAL: the file alone holds the data.
	_, err = os.Stat(path + "-wal")
	assert.ErrorIs(t, err, os.ErrNotExist)

	s = open(t, path)
	r, err := get(ctx, s, "org", "a")
	require.NoError(t, err)
	assert.Equal(t, int64(1), r.Version)
	assert.Equal(t, `{"v":1}`, string(r.Body))
	assert.ErrorIs(t, put(ctx, s, isg.Record{Kind: "org", ID: "b", Body: []byte(`{}`), Keys: []isg.IndexKey{{Name: "ods", Value: "RR8", Unique: true}}}), isg.ErrConflict)
}

// TestOpenRefuses covers files Open must not take: each gives a clear error, never a panic, and
// the file is left byte for byte as it was.
func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	randomBytes := make([]byte, 64<<10)
	_, _ = rand.Read(randomBytes)

	foreign := filepath.Join(dir, "foreign.db")
	db, err := sql.Open("sqlite", foreign)
	require.NoError(t, err)
	_, err = db.Exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('Ada')")
	require.NoError(t, err)
	require.NoError(t, db.Close())

	appOnly := filepath.Join(dir, "app.db")
	db, err = sql.Open("sqlite", appOnly)
	require.NoError(t, err)
	_, err = db.Exec("PRAGMA application_id = 42")
	require.NoError(t, err)
	require.NoError(t, db.Close())

	newer := filepath.Join(dir, "newer.db")
	s, err := sqlite.Open(newer)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	db, err = sql.Open("sqlite", newer)
	require.NoError(t, err)
	_, err = db.Exec("INSERT INTO isg_migrations (version, name, applied_at) VALUES (?, '9999_future', '2031-01-01T00:00:00Z')", sqlite.KnownVersion()+1)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	renamed := filepath.Join(dir, "renamed.db")
	s, err = sqlite.Open(renamed)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	db, err = sql.Open("sqlite", renamed)
	require.NoError(t, err)
	_, err = db.Exec("UPDATE isg_migrations SET name = '0001_something_else' WHERE version = 1")
	require.NoError(t, err)
	require.NoError(t, db.Close())

	// A real store whose header survives but whose table pages are overwritten.
	damaged := filepath.Join(dir, "damaged.db")
	s, err = sqlite.Open(damaged)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	raw, err := os.ReadFile(damaged)
	require.NoError(t, err)
	copy(raw[4096:], randomBytes[:len(raw)-4096])
	require.NoError(t, os.WriteFile(damaged, raw, 0o600))

	tests := []struct {
		name    string
		path    string
		content []byte // written to path first, if not nil
		want    error
	}{
		{"random bytes", filepath.Join(dir, "random.db"), randomBytes, sqlite.ErrNotStore},
		{"text file", filepath.Join(dir, "notes.txt"), []byte("minutes of the IG board, March\n"), sqlite.ErrNotStore},
		{"another application's database", foreign, nil, sqlite.ErrNotStore},
		{"another application's id", appOnly, nil, sqlite.ErrNotStore},
		{"schema newer than the code", newer, nil, sqlite.ErrSchemaTooNew},
		{"different migration history", renamed, nil, sqlite.ErrNotStore},
		{"damaged pages", damaged, nil, sqlite.ErrNotStore},
		{"a directory", dir, nil, sqlite.ErrNotStore},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.content != nil {
				require.NoError(t, os.WriteFile(tt.path, tt.content, 0o600))
			}
			before := readIfFile(t, tt.path)
			s, err := sqlite.Open(tt.path)
			if err == nil {
				s.Close()
			}
			require.ErrorIs(t, err, tt.want)
			assert.Contains(t, err.Error(), tt.path, "the error names the file")
			assert.Equal(t, before, readIfFile(t, tt.path), "the file is unchanged")
		})
	}
}

func readIfFile(t *testing.T, path string) []byte {
	fi, err := os.Stat(path)
	require.NoError(t, err)
	if fi.IsDir() {
		return nil
	}
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

// TestUpgradeInPlace makes a store of the first schema, fills it, and opens it with the current
// code, which must migrate it and keep every record.
func TestUpgradeInPlace(t *testing.T) {
	ctx := context.Background()
	require.Greater(t, sqlite.KnownVersion(), 1, "needs a migration after the first")
	path := filepath.Join(t.TempDir(), "old.db")
	email := isg.IndexKey{Name: "email", Value: "dpo@example.org", Unique: true}
	// Written as the code of schema 1 wrote them (BLOB bodies): this code writes JSON text,
	// which a schema-1 file's STRICT BLOB column refuses.
	writeOld(t, path, 1, []isg.Record{
		{Kind: "user", ID: "u1", Version: 1, Body: []byte(`{"n":1}`), Keys: []isg.IndexKey{email, {Name: "org", Value: "o1"}}},
		{Kind: "user", ID: "u2", Version: 1, Body: []byte(`{"n":2}`), Keys: []isg.IndexKey{{Name: "org", Value: "o1"}}},
	})
	assert.Equal(t, []int{1}, migrationVersions(t, path))

	s := open(t, path)
	assert.Equal(t, []int{1, 2}, migrationVersions(t, path)[:2])
	for _, id := range []string{"u1", "u2"} {
		r, err := get(ctx, s, "user", id)
		require.NoError(t, err)
		assert.Equal(t, int64(1), r.Version)
	}
	// The unique index migration 2 added is in force.
	require.ErrorIs(t, put(ctx, s, isg.Record{Kind: "user", ID: "u3", Body: []byte(`{"n":3}`), Keys: []isg.IndexKey{email}}), isg.ErrConflict)
	var n int
	require.NoError(t, s.View(ctx, func(tx isg.Tx) error {
		var err error
		n, err = tx.Count(ctx, "user", isg.IndexKey{Name: "org", Value: "o1"})
		return err
	}))
	assert.Equal(t, 2, n)
}

func migrationVersions(t *testing.T, path string) []int {
	db, err := sql.Open("sqlite", path+"?_pragma=query_only(1)")
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Query("SELECT version FROM isg_migrations ORDER BY version")
	require.NoError(t, err)
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		require.NoError(t, rows.Scan(&v))
		out = append(out, v)
	}
	return out
}

// TestConcurrentOpen has several Stores (as several processes would) open one new file at once:
// each migration must be applied exactly once.
func TestConcurrentOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "isg.db")
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := sqlite.Open(path)
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	want := make([]int, sqlite.KnownVersion())
	for i := range want {
		want[i] = i + 1
	}
	assert.Equal(t, want, migrationVersions(t, path))
}

// TestTwoStoresOneFile stands for two processes on one file: their commits contend for SQLite's
// write lock rather than for one Store's write connection, and must still neither fail with
// SQLITE_BUSY nor lose an update.
func TestTwoStoresOneFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "isg.db")
	stores := []*sqlite.Store{open(t, path), open(t, path)}
	const writersPerStore, updates = 4, 25
	require.NoError(t, put(ctx, stores[0], isg.Record{Kind: "counter", ID: "shared", Body: []byte("0")}))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	wins := 0
	for i := range 2 * writersPerStore {
		s := stores[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range updates {
				// Each writer bumps its own record and tries the shared one.
				own := fmt.Sprintf("w%d", i)
				err := s.Update(ctx, func(tx isg.Tx) error {
					r, err := tx.Get(ctx, "counter", own)
					if err != nil && !errors.Is(err, isg.ErrNotFound) {
						return err
					}
					_, err = tx.Put(ctx, isg.Record{Kind: "counter", ID: own, Version: r.Version, Body: fmt.Appendf(nil, "%d", n+1)})
					return err
				})
				errShared := s.Update(ctx, func(tx isg.Tx) error {
					r, err := tx.Get(ctx, "counter", "shared")
					if err != nil {
						return err
					}
					_, err = tx.Put(ctx, isg.Record{Kind: "counter", ID: "shared", Version: r.Version, Body: []byte("0")})
					return err
				})
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				}
				switch {
				case errShared == nil:
					wins++
				case !errors.Is(errShared, isg.ErrConflict):
					errs = append(errs, errShared)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	require.Empty(t, errs, "no busy, locked or other errors")
	for i := range 2 * writersPerStore {
		r, err := get(ctx, stores[(i+1)%2], "counter", fmt.Sprintf("w%d", i))
		require.NoError(t, err)
		assert.Equal(t, int64(updates), r.Version)
	}
	r, err := get(ctx, stores[1], "counter", "shared")
	require.NoError(t, err)
	assert.Equal(t, int64(1+wins), r.Version, "every successful update of the shared record counted once")
}

func TestOpenOptions(t *testing.T) {
	dir := t.TempDir()
	_, err := sqlite.Open(filepath.Join(dir, "a.db"), sqlite.WithSyncMode("SOMETIMES"))
	assert.Error(t, err)
	_, err = sqlite.Open(filepath.Join(dir, "b.db"), sqlite.WithReadConns(0))
	assert.Error(t, err)
	_, err = sqlite.Open("")
	assert.Error(t, err)
	_, err = sqlite.Open(filepath.Join(dir, "missing", "dir", "c.db"))
	assert.Error(t, err)
}

func TestTxAfterUnit(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "isg.db"))
	var kept isg.Tx
	require.NoError(t, s.Update(ctx, func(tx isg.Tx) error { kept = tx; return nil }))
	_, err := kept.Put(ctx, isg.Record{Kind: "org", ID: "late", Body: []byte("{}")})
	assert.Error(t, err, "a unit of work cannot be written after it ended")
	_, err = get(ctx, s, "org", "late")
	assert.ErrorIs(t, err, isg.ErrNotFound)
}

// TestPutEncodedNonJSONFailsTheCommit: PutEncoded skips the adapter's own check that a body is
// JSON, but the column's json_valid CHECK still holds, so a caller's broken promise fails the
// whole commit rather than storing text a host's SQL could not read as JSON.
func TestPutEncodedNonJSONFailsTheCommit(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "isg.db"))
	var putErr error
	err := s.Update(ctx, func(tx isg.Tx) error {
		if _, err := tx.Put(ctx, isg.Record{Kind: "org", ID: "good", Body: []byte(`{}`)}); err != nil {
			return err
		}
		_, putErr = tx.(isg.EncodedPutter).PutEncoded(ctx, isg.Record{Kind: "org", ID: "bad", Body: []byte(`{"a":`)})
		return nil
	})
	require.NoError(t, putErr, "staged on the caller's word")
	require.Error(t, err, "the commit fails")
	for _, id := range []string{"good", "bad"} {
		_, err = get(ctx, s, "org", id)
		assert.ErrorIs(t, err, isg.ErrNotFound, "%s: nothing of the unit is stored", id)
	}
}

// TestViewSnapshot checks that a View sees one state of the file: a commit landing while it runs
// changes nothing it reads, by Get, Find or Count.
func TestViewSnapshot(t *testing.T) {
	viewSnapshot(t, open(t, filepath.Join(t.TempDir(), "isg.db")))
}

func viewSnapshot(t *testing.T, s isg.Store) {
	ctx := context.Background()
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

// TestEightWritersNoBusy is the load that fails with database/sql's defaults (a pool of
// connections each beginning deferred transactions, whose upgrade to write fails with SQLITE_BUSY
// without waiting): eight goroutines committing as fast as they can through one Store, on their
// own records and on one shared record. The only errors allowed are isg.ErrConflict on the shared
// record. TestTwoStoresOneFile covers commits from separate connections, where BEGIN IMMEDIATE
// and the busy timeout are what prevent SQLITE_BUSY.
func TestEightWritersNoBusy(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "isg.db"))
	require.NoError(t, put(ctx, s, isg.Record{Kind: "counter", ID: "shared", Body: []byte("0")}))
	const writers, units = 8, 60
	var wg sync.WaitGroup
	errs := make(chan error, writers*units)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range units {
				id := fmt.Sprintf("w%d", w)
				if n%3 == 0 {
					id = "shared"
				}
				err := s.Update(ctx, func(tx isg.Tx) error {
					r, err := tx.Get(ctx, "counter", id)
					if err != nil && !errors.Is(err, isg.ErrNotFound) {
						return err
					}
					_, err = tx.Put(ctx, isg.Record{Kind: "counter", ID: id, Version: r.Version, Body: []byte("0")})
					return err
				})
				if err != nil && !(id == "shared" && errors.Is(err, isg.ErrConflict)) {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
}

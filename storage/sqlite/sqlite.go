package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/internal/records"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var (
	// ErrNotStore reports a file that is not an isg store: not an SQLite database at all, damaged,
	// or another application's database. Open leaves such a file as it found it.
	ErrNotStore = errors.New("sqlite: not an isg store")
	// ErrSchemaTooNew reports a store written by a newer version of this library, whose schema
	// this code does not know; opening it could lose data, so Open refuses.
	ErrSchemaTooNew = errors.New("sqlite: store schema is newer than this code")
)

// SyncMode is SQLite's synchronous setting for commits; see WithSyncMode.
type SyncMode string

const (
	// SyncFull makes every committed unit of work durable before Update returns: it survives a
	// power cut. The default.
	SyncFull SyncMode = "FULL"
	// SyncNormal skips the sync on commit; the file stays consistent after a power cut, but the
	// last units of work committed before it may be lost (a crash of the process alone loses
	// nothing). Several times faster on disks with slow flushes.
	SyncNormal SyncMode = "NORMAL"
)

// Option configures Open.
type Option func(*config)

type config struct {
	sync        SyncMode
	busyTimeout time.Duration
	readConns   int
	// migrateTo stops migrations at a version; 0 means the latest. Tests only.
	migrateTo int
}

// WithSyncMode sets the durability of commits; the default is SyncFull.
func WithSyncMode(m SyncMode) Option { return func(c *config) { c.sync = m } }

// WithBusyTimeout sets how long a commit waits for another process holding the file's write lock
// before it fails; the default is 5 s. Within one process commits queue on the Store's single
// write connection and never see the lock busy.
func WithBusyTimeout(d time.Duration) Option { return func(c *config) { c.busyTimeout = d } }

// WithReadConns sets how many connections serve reads concurrently; the default is
// max(4, GOMAXPROCS). A View holds one for as long as its fn runs, so at most this many Views
// run at once and further reads wait for one to end.
func WithReadConns(n int) Option { return func(c *config) { c.readConns = n } }

// Store is an isg.Store in one SQLite file. It is safe for concurrent use. Close it when done.
type Store struct {
	path string
	// wdb has exactly one connection, and every transaction on it begins IMMEDIATE: commits
	// queue in Go for that connection instead of contending for SQLite's write lock.
	wdb *sql.DB
	// rdb serves the reads of units of work, which in WAL mode never wait for the writer.
	rdb *sql.DB

	get, version, find, count, holds     *sql.Stmt // on rdb
	wVersion, wDelKeys, wPut, wKey, wDel *sql.Stmt // on wdb
	wCount, wFindIDs                     *sql.Stmt // on wdb
}

var _ isg.Store = (*Store)(nil)

// Open opens the store in the file at path, creating the file if it does not exist, and brings
// its schema up to date. It returns an error matching ErrNotStore for a file that is not an isg
// store, and ErrSchemaTooNew for one written by a newer version of this library.
func Open(path string, opts ...Option) (*Store, error) {
	cfg := config{sync: SyncFull, busyTimeout: 5 * time.Second, readConns: max(4, runtime.GOMAXPROCS(0))}
	for _, o := range opts {
		o(&cfg)
	}
	switch {
	case cfg.sync != SyncFull && cfg.sync != SyncNormal:
		return nil, fmt.Errorf("sqlite: unknown sync mode %q", cfg.sync)
	case cfg.readConns < 1:
		return nil, fmt.Errorf("sqlite: %d read connections", cfg.readConns)
	case path == "":
		return nil, errors.New("sqlite: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	if fi, err := os.Stat(abs); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrNotStore, abs)
	}
	known, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	target := len(known)
	if cfg.migrateTo > 0 {
		target = cfg.migrateTo
	}

	// A file: URI, so that SQLite rather than the driver parses the name and a path holding
	// '?' or '%' still names the right file.
	uri := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
	busy := fmt.Sprintf("_pragma=busy_timeout(%d)", cfg.busyTimeout.Milliseconds())
	s := &Store{path: abs}
	s.wdb, err = sql.Open("sqlite", uri+"?"+busy+"&_pragma=synchronous("+string(cfg.sync)+")&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	s.wdb.SetMaxOpenConns(1)
	s.wdb.SetMaxIdleConns(1)
	s.wdb.SetConnMaxLifetime(0)
	s.wdb.SetConnMaxIdleTime(0)
	if err := s.setUp(known, target, uri, busy, cfg.readConns); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) setUp(known []migration, target int, uri, busy string, readConns int) error {
	ctx := context.Background()
	applied, err := inspect(ctx, s.wdb, s.path, known)
	if err != nil {
		return err
	}
	// Only now, knowing the file is ours or empty, change it. WAL lets readers run beside the
	// one writer; the mode is persistent, so other processes opening the file get it too.
	var mode string
	if err := s.wdb.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
		return classify(s.path, err)
	}
	if mode != "wal" {
		return fmt.Errorf("sqlite: %s: cannot use WAL mode (got %q); is the file on a network or read-only file system?", s.path, mode)
	}
	if applied < target {
		if err := migrate(ctx, s.wdb, known, target); err != nil {
			return fmt.Errorf("sqlite: %s: %w", s.path, err)
		}
	}

	s.rdb, err = sql.Open("sqlite", uri+"?"+busy+"&_pragma=query_only(1)")
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	s.rdb.SetMaxOpenConns(readConns)
	s.rdb.SetMaxIdleConns(readConns)
	s.rdb.SetConnMaxLifetime(0)
	s.rdb.SetConnMaxIdleTime(0)

	prepare := func(db *sql.DB, dst **sql.Stmt, q string) {
		if err == nil {
			*dst, err = db.PrepareContext(ctx, q)
		}
	}
	prepare(s.rdb, &s.get, "SELECT version, body, keys FROM isg_records WHERE kind = ? AND id = ?")
	prepare(s.rdb, &s.version, "SELECT version FROM isg_records WHERE kind = ? AND id = ?")
	prepare(s.rdb, &s.find, `SELECT r.id, r.version, r.body, r.keys
		FROM isg_index_keys k JOIN isg_records r ON r.kind = k.kind AND r.id = k.id
		WHERE k.kind = ? AND k.name = ? AND k.value = ? AND k.id > ?
		ORDER BY k.id LIMIT ?`)
	prepare(s.rdb, &s.count, "SELECT count(*) FROM isg_index_keys WHERE kind = ? AND name = ? AND value = ?")
	prepare(s.rdb, &s.holds, "SELECT count(*) FROM isg_index_keys WHERE kind = ? AND name = ? AND value = ? AND id = ?")
	prepare(s.wdb, &s.wVersion, "SELECT version FROM isg_records WHERE kind = ? AND id = ?")
	// INDEXED BY because SQLite's planner otherwise deletes from this WITHOUT ROWID table by
	// scanning its primary key over the whole kind: measured, a Put then cost O(records of kind).
	prepare(s.wdb, &s.wDelKeys, "DELETE FROM isg_index_keys INDEXED BY isg_index_keys_by_record WHERE kind = ? AND id = ?")
	// The body is bound as bytes (no copy into a Go string) and cast to TEXT, which the JSON
	// column of migration 3 holds: a STRICT table refuses a BLOB there.
	prepare(s.wdb, &s.wPut, `INSERT INTO isg_records (kind, id, version, body, keys) VALUES (?, ?, ?, CAST(? AS TEXT), ?)
		ON CONFLICT (kind, id) DO UPDATE SET version = excluded.version, body = excluded.body, keys = excluded.keys`)
	prepare(s.wdb, &s.wKey, "INSERT INTO isg_index_keys (kind, name, value, id, uniq) VALUES (?, ?, ?, ?, ?)")
	prepare(s.wdb, &s.wDel, "DELETE FROM isg_records WHERE kind = ? AND id = ?")
	// The commit's re-run of a unit's listings: Count's statement, and Find's without the join to
	// isg_records, which adds nothing to the IDs (every key row has its record).
	prepare(s.wdb, &s.wCount, "SELECT count(*) FROM isg_index_keys WHERE kind = ? AND name = ? AND value = ?")
	prepare(s.wdb, &s.wFindIDs, `SELECT id FROM isg_index_keys
		WHERE kind = ? AND name = ? AND value = ? AND id > ? ORDER BY id LIMIT ?`)
	if err != nil {
		return classify(s.path, err)
	}
	return nil
}

// Close closes the file. Units of work must not be running. It is safe to call more than once.
func (s *Store) Close() error {
	var errs []error
	for _, st := range []*sql.Stmt{s.get, s.version, s.find, s.count, s.holds, s.wVersion, s.wDelKeys, s.wPut, s.wKey, s.wDel, s.wCount, s.wFindIDs} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	if s.rdb != nil {
		errs = append(errs, s.rdb.Close())
	}
	if s.wdb != nil {
		// The last connection to close checkpoints the WAL into the file and removes it.
		errs = append(errs, s.wdb.Close())
	}
	return errors.Join(errs...)
}

// Update implements isg.Store. fn's reads run on the read connections without holding any lock;
// its writes are staged in memory. At commit one IMMEDIATE transaction re-reads the version of
// every record the unit read or wrote and re-runs every listing it made (Find and Count), fails
// with isg.ErrConflict if any answer differs, and otherwise writes the staged records and their
// index keys. A unit that wrote nothing but read something is checked the same way.
func (s *Store) Update(ctx context.Context, fn func(isg.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := newTx(s, poolReader{}, true)
	defer t.end()
	if err := fn(t); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if t.writes.Len()+t.reads.Len()+len(t.counts)+len(t.finds) == 0 {
		return nil
	}
	return s.commit(ctx, t)
}

// View implements isg.Store. fn runs in one read transaction, so it sees a single consistent
// state of the file however long it runs and whatever commits meanwhile.
func (s *Store) View(ctx context.Context, fn func(isg.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	rtx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	// Rollback also when fn panics: the connection returns to the pool either way.
	defer rtx.Rollback()
	t := newTx(s, rtx, false)
	defer t.end()
	return fn(t)
}

func (s *Store) commit(ctx context.Context, t *tx) (err error) {
	wtx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer func() {
		if err != nil {
			wtx.Rollback()
		}
	}()
	version := wtx.StmtContext(ctx, s.wVersion)
	for k, seen := range t.reads.All() {
		var current int64
		if err := version.QueryRowContext(ctx, string(k.Kind), k.ID).Scan(&current); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: %w", err)
		}
		if current != seen {
			return fmt.Errorf("sqlite: %s %s is at version %d, read at %d: %w", k.Kind, k.ID, current, seen, isg.ErrConflict)
		}
	}
	if err := s.checkListings(ctx, wtx, t); err != nil {
		return err
	}
	if t.writes.Len() == 0 {
		if err := wtx.Commit(); err != nil {
			return fmt.Errorf("sqlite: commit: %w", err)
		}
		return nil // nothing to write: the unit's reads held
	}
	// Every old key goes before any new one is added, so a unique key can move between records
	// written in the same unit.
	delKeys := wtx.StmtContext(ctx, s.wDelKeys)
	for _, k := range t.order {
		if _, err := delKeys.ExecContext(ctx, string(k.Kind), k.ID); err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
	}
	put, addKey := wtx.StmtContext(ctx, s.wPut), wtx.StmtContext(ctx, s.wKey)
	var del *sql.Stmt // bound only when the unit deletes: binding costs allocations
	for _, k := range t.order {
		if t.deleted[k] {
			if del == nil {
				del = wtx.StmtContext(ctx, s.wDel)
			}
			if _, err := del.ExecContext(ctx, string(k.Kind), k.ID); err != nil {
				return fmt.Errorf("sqlite: %w", err)
			}
			continue
		}
		r, _ := t.writes.Get(k)
		body := r.Body
		if body == nil {
			body = []byte{}
		}
		if _, err := put.ExecContext(ctx, string(r.Kind), r.ID, r.Version, body, encodeKeys(r.Keys)); err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
		for _, ik := range records.DedupKeys(r.Keys) {
			if _, err := addKey.ExecContext(ctx, string(r.Kind), ik.Name, ik.Value, r.ID, ik.Unique); err != nil {
				if isConstraint(err) {
					return fmt.Errorf("sqlite: unique %s %q of %s is held by another record: %w", ik.Name, ik.Value, r.Kind, isg.ErrConflict)
				}
				return fmt.Errorf("sqlite: %w", err)
			}
		}
	}
	if err := wtx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// checkListings re-runs, inside the commit's write transaction, every listing the unit made, as
// the stored query it ran then, and fails with isg.ErrConflict if one answers otherwise now: a
// record entered or left the key (within the page a Find read). Versions need no check here;
// the records a Find returned are in the read set. The transaction holds SQLite's write lock, so
// no commit of this or another process can change the answers before this one commits.
func (s *Store) checkListings(ctx context.Context, wtx *sql.Tx, t *tx) error {
	if len(t.counts) > 0 {
		count := wtx.StmtContext(ctx, s.wCount)
		for l, seen := range t.counts {
			var n int
			if err := count.QueryRowContext(ctx, string(l.kind), l.name, l.value).Scan(&n); err != nil {
				return fmt.Errorf("sqlite: %w", err)
			}
			if n != seen {
				return fmt.Errorf("sqlite: %d %s hold index key %s=%q, counted %d: %w", n, l.kind, l.name, l.value, seen, isg.ErrConflict)
			}
		}
	}
	if len(t.finds) > 0 {
		find := wtx.StmtContext(ctx, s.wFindIDs)
		for l, seen := range t.finds {
			same, err := sameIDs(ctx, find, l, seen)
			if err != nil {
				return fmt.Errorf("sqlite: %w", err)
			}
			if !same {
				return fmt.Errorf("sqlite: a %s entered or left index key %s=%q since it was listed: %w", l.kind, l.name, l.value, isg.ErrConflict)
			}
		}
	}
	return nil
}

// sameIDs re-runs a Find's stored query and reports whether it returns exactly seen.
func sameIDs(ctx context.Context, find *sql.Stmt, l findListing, seen []string) (bool, error) {
	rows, err := find.QueryContext(ctx, string(l.kind), l.name, l.value, l.after, l.limit)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return false, err
		}
		if i >= len(seen) || seen[i] != id {
			return false, nil
		}
		i++
	}
	return i == len(seen), rows.Err()
}

func isConstraint(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}

var _ isg.VersionReader = (*Store)(nil)

// Version implements isg.VersionReader: the committed version of a record, 0 when absent, read
// from the read pool without loading the record.
func (s *Store) Version(ctx context.Context, kind isg.Kind, id string) (int64, error) {
	var v int64
	err := s.version.QueryRowContext(ctx, string(kind), id).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: version of %s %s: %w", kind, id, err)
	}
	return v, nil
}

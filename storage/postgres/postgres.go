package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/internal/records"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

var (
	// ErrNotStore reports a database whose isg tables are not ours: an isg_records table without
	// our migrations table, or a migration history this code did not write.
	ErrNotStore = errors.New("postgres: not an isg store")
	// ErrSchemaTooNew reports a database migrated by a newer version of this library, whose
	// schema this code does not know; using it could lose data, so New refuses.
	ErrSchemaTooNew = errors.New("postgres: store schema is newer than this code")
)

// Option configures Open and New.
type Option func(*config)

type config struct {
	migrate bool
	// migrateTo stops migrations at a version; 0 means the latest. Tests only.
	migrateTo int
}

// WithoutMigrations makes Open and New only check that the schema is the one this code knows,
// never change it: for deployments where the application's role may not run DDL and a deploy
// step, run with a role that may, opens the store once with migrations on.
func WithoutMigrations() Option { return func(c *config) { c.migrate = false } }

// Store is an isg.Store in a PostgreSQL database, through a pgx connection pool. It is safe for
// concurrent use.
type Store struct {
	pool  *pgxpool.Pool
	owned bool
}

var _ isg.Store = (*Store)(nil)

// Open connects to the database connString names (a libpq keyword/value string or a
// postgres:// URL; pool settings such as pool_max_conns are read from it), brings its schema up
// to date, and returns a Store that owns the pool. It returns an error matching ErrNotStore or
// ErrSchemaTooNew for a database it must not use.
func Open(ctx context.Context, connString string, opts ...Option) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s, err := New(ctx, pool, opts...)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

// New returns a Store on a pool the host made and still owns: Close leaves it open. Like Open it
// brings the schema up to date first.
func New(ctx context.Context, pool *pgxpool.Pool, opts ...Option) (*Store, error) {
	cfg := config{migrate: true}
	for _, o := range opts {
		o(&cfg)
	}
	known, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	target := len(known)
	if cfg.migrateTo > 0 {
		target = cfg.migrateTo
	}
	applied, err := appliedVersion(ctx, pool, known)
	switch {
	case err != nil:
		return nil, fmt.Errorf("postgres: %w", err)
	case applied < target && !cfg.migrate:
		return nil, fmt.Errorf("%w (database at %d, code at %d)", errNotMigrated, applied, target)
	case applied < target:
		if err := migrate(ctx, pool, known, target); err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
	}
	return &Store{pool: pool}, nil
}

// Close closes the pool if Open made it. Units of work must not be running.
func (s *Store) Close() {
	if s.owned {
		s.pool.Close()
	}
}

// Update implements isg.Store. fn's reads go to the pool one statement at a time, holding no
// connection or lock while fn runs; its writes are staged in memory. The commit is one round
// trip: a READ COMMITTED transaction whose first statement takes advisory locks on every record
// the unit touched and every index key it listed or changed, checks the records' versions and
// re-runs the listings (isg.ErrConflict if any answer differs), then the writes. A unit that
// wrote nothing but read something is checked the same way.
func (s *Store) Update(ctx context.Context, fn func(isg.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := newTx(s.pool, true)
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

// View implements isg.Store. fn runs in one REPEATABLE READ, READ ONLY transaction: it sees one
// snapshot of the database however long it runs, and holds one pool connection meanwhile.
func (s *Store) View(ctx context.Context, fn func(isg.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ptx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	// Also when fn panics, and even if ctx is done by then, so the connection goes back clean.
	defer ptx.Rollback(context.WithoutCancel(ctx))
	t := newTx(ptx, false)
	defer t.end()
	return fn(t)
}

const (
	// One statement per record rather than a join with the arrays, for the reason isg_claim
	// gives: a scalar key lookup is planned as an index scan whatever the table's statistics.
	sqlDeleteKeys   = "DELETE FROM isg_index_keys WHERE kind = $1 AND id = $2"
	sqlDeleteRecord = "DELETE FROM isg_records WHERE kind = $1 AND id = $2"
	sqlPutRecords   = `INSERT INTO isg_records (kind, id, version, body, keys)
		SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::jsonb[], $5::jsonb[])
		ON CONFLICT (kind, id) DO UPDATE SET version = excluded.version, body = excluded.body, keys = excluded.keys`
	sqlPutKeys = `INSERT INTO isg_index_keys (kind, name, value, id, uniq)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bool[])`
	sqlClaim = "SELECT isg_claim($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
)

func (s *Store) commit(ctx context.Context, t *tx) error {
	// Lock every touched record, exclusively if written, and every index key the unit listed
	// (exclusively) or made a record enter or leave (shared, so that units adding to one key
	// never wait for each other, only for its listers); sorted so that no two commits wait for
	// each other in a cycle. A lock key standing for several things is taken in the strongest
	// mode any of them needs.
	locks := map[int64]bool{}
	lock := func(key int64, exclusive bool) { locks[key] = locks[key] || exclusive }
	for k := range t.reads.Keys() {
		_, written := t.writes.Get(k)
		lock(lockKey(k), written)
	}
	for k, w := range t.writes.All() {
		records.MembershipChanges(t.keys[k], w.Keys, func(ik isg.IndexKey) { lock(indexLockKey(k.Kind, ik.Name, ik.Value), false) })
	}
	var cKinds, cNames, cValues []string
	var cCounts []int64
	for l, n := range t.counts {
		lock(indexLockKey(l.kind, l.name, l.value), true)
		cKinds, cNames, cValues, cCounts = append(cKinds, string(l.kind)), append(cNames, l.name), append(cValues, l.value), append(cCounts, n)
	}
	var fKinds, fNames, fValues, fAfter, fSums []string
	var fLimits []int32
	for l, sum := range t.finds {
		lock(indexLockKey(l.kind, l.name, l.value), true)
		fKinds, fNames, fValues, fAfter = append(fKinds, string(l.kind)), append(fNames, l.name), append(fValues, l.value), append(fAfter, l.after)
		fLimits, fSums = append(fLimits, l.limit), append(fSums, sum)
	}
	lockKeys := slices.Sorted(maps.Keys(locks))
	exclusive := make([]bool, len(lockKeys))
	for i, k := range lockKeys {
		exclusive[i] = locks[k]
	}
	read := slices.SortedFunc(t.reads.Keys(), compareKeys)
	rKinds, rIDs, rVersions := make([]string, len(read)), make([]string, len(read)), make([]int64, len(read))
	for i, k := range read {
		seen, _ := t.reads.Get(k)
		rKinds[i], rIDs[i], rVersions[i] = string(k.Kind), k.ID, seen
	}

	// Rows in key order too, so that commits contending for a unique key meet at the first one.
	written := slices.SortedFunc(t.writes.Keys(), compareKeys)
	var wKinds, wIDs []string
	var wVersions []int64
	var wBodies, wKeys [][]byte
	type keyRow struct {
		kind, name, value, id string
		unique                bool
	}
	var keyRows []keyRow
	for _, k := range written {
		if t.deleted[k] {
			continue
		}
		r, _ := t.writes.Get(k)
		body := r.Body // Put checked it is JSON
		wKinds, wIDs, wVersions, wBodies = append(wKinds, string(k.Kind)), append(wIDs, k.ID), append(wVersions, r.Version), append(wBodies, body)
		wKeys = append(wKeys, encodeKeys(r.Keys))
		for _, ik := range records.DedupKeys(r.Keys) {
			keyRows = append(keyRows, keyRow{string(k.Kind), ik.Name, ik.Value, k.ID, ik.Unique})
		}
	}
	slices.SortFunc(keyRows, func(a, b keyRow) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.name, b.name), cmp.Compare(a.value, b.value), cmp.Compare(a.id, b.id))
	})
	kKinds, kNames, kValues, kIDs, kUnique := make([]string, len(keyRows)), make([]string, len(keyRows)),
		make([]string, len(keyRows)), make([]string, len(keyRows)), make([]bool, len(keyRows))
	for i, r := range keyRows {
		kKinds[i], kNames[i], kValues[i], kIDs[i], kUnique[i] = r.kind, r.name, r.value, r.id, r.unique
	}

	b := &pgx.Batch{}
	// Explicitly READ COMMITTED, whatever default_transaction_isolation says: isg_claim's check
	// must see what was committed while it waited for its locks.
	b.Queue("BEGIN ISOLATION LEVEL READ COMMITTED")
	// Left to choose, the server re-plans the statements below on every commit (measured:
	// planning was most of a commit's server time). Their generic plans are right at any table
	// size: each is a key lookup, an index range or an insert of unnested rows, never a join or
	// a scan.
	b.Queue("SET LOCAL plan_cache_mode = force_generic_plan")
	b.Queue(sqlClaim, lockKeys, exclusive, rKinds, rIDs, rVersions,
		cKinds, cNames, cValues, cCounts, fKinds, fNames, fValues, fAfter, fLimits, fSums)
	for _, k := range written {
		b.Queue(sqlDeleteKeys, string(k.Kind), k.ID)
		if t.deleted[k] {
			b.Queue(sqlDeleteRecord, string(k.Kind), k.ID)
		}
	}
	if len(wKinds) > 0 {
		b.Queue(sqlPutRecords, wKinds, wIDs, wVersions, wBodies, wKeys)
	}
	if len(keyRows) > 0 {
		b.Queue(sqlPutKeys, kKinds, kNames, kValues, kIDs, kUnique)
	}
	b.Queue("COMMIT")

	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer conn.Release()
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		// After an error the server skipped the rest of the batch, COMMIT included, and the
		// transaction is aborted: end it so the connection goes back to the pool usable.
		if pc := conn.Conn().PgConn(); !pc.IsClosed() && pc.TxStatus() != 'I' {
			if _, rerr := conn.Exec(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
				_ = conn.Conn().Close(context.WithoutCancel(ctx))
			}
		}
		return mapError("commit", err)
	}
	return nil
}

// mapError gives conflicts their sentinel: serialization failures (our version check among
// them), deadlocks between commits, and unique keys another record holds.
func mapError(op string, err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "40001", "40P01":
			return fmt.Errorf("postgres: %s: %w: %w", op, err, isg.ErrConflict)
		case "23505":
			return fmt.Errorf("postgres: %s: a unique index key is held by another record: %w: %w", op, err, isg.ErrConflict)
		}
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// lockKey is the advisory lock of a record: a hash, since the lock space is 64-bit integers.
// Two records sharing a hash only make their commits wait for each other.
func lockKey(k rkey) int64 {
	h := fnv.New64a()
	h.Write([]byte(k.Kind))
	h.Write([]byte{0})
	h.Write([]byte(k.ID))
	return int64(h.Sum64())
}

// indexLockKey is the advisory lock of an index key of a kind. A tag byte that no record's lock
// key starts with the same way keeps the two domains apart, and NULs (which PostgreSQL text never
// holds) separate the parts; a collision, in or across domains, only makes commits wait.
func indexLockKey(kind isg.Kind, name, value string) int64 {
	h := fnv.New64a()
	h.Write([]byte{0, 'k', 0})
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write([]byte(value))
	return int64(h.Sum64())
}

func compareKeys(a, b rkey) int { return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.ID, b.ID)) }

// keyJSON is a stored index key in the keys column: readable in psql, exact for any string the
// adapter accepts (valid UTF-8 without NUL, which is what PostgreSQL text holds).
type keyJSON struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Unique bool   `json:"unique,omitempty"`
}

func encodeKeys(keys []isg.IndexKey) []byte {
	out := make([]keyJSON, len(keys))
	for i, k := range keys {
		out[i] = keyJSON(k)
	}
	b, err := json.Marshal(out)
	if err != nil {
		panic(err) // strings and bools always encode
	}
	return b
}

func decodeKeys(b []byte) ([]isg.IndexKey, error) {
	var in []keyJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, fmt.Errorf("damaged index keys column: %w", err)
	}
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]isg.IndexKey, len(in))
	for i, k := range in {
		out[i] = isg.IndexKey(k)
	}
	return out, nil
}

var _ isg.VersionReader = (*Store)(nil)

// Version implements isg.VersionReader: the committed version of a record, 0 when absent, read
// without loading the record.
func (s *Store) Version(ctx context.Context, kind isg.Kind, id string) (int64, error) {
	var v int64
	err := s.pool.QueryRow(ctx, sqlVersion, string(kind), id).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("postgres: version of %s %s: %w", kind, id, err)
	}
	return v, nil
}

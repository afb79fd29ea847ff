// Package postgres is an isg.Store in a PostgreSQL database, through jackc/pgx/v5 and its
// connection pool: the store for hosts that run several application servers against one
// database, or keep their own data in PostgreSQL already.
//
//	store, err := postgres.Open(ctx, "postgres://isg@db.internal/trust?pool_max_conns=20")
//	if err != nil {
//		return err
//	}
//	defer store.Close()
//	gw, err := isg.New(store /*, options… */)
//
// New wraps a pool the host already has (and leaves it open on Close).
//
// # Schema
//
// Open and New bring the schema to the version this code knows, from versioned SQL migrations
// embedded in the package and recorded in the isg_migrations table; each step is one transaction
// (PostgreSQL's DDL is transactional) taken under an advisory lock, so servers starting together
// apply it once. Tables are created unqualified, in the first schema of the connection's
// search_path: put search_path=isg in the connection string to keep them apart from the host's
// own. Records live in isg_records (kind, id, version, body jsonb, keys jsonb) and index keys in
// isg_index_keys (kind, name, value, id), whose primary key is the order Find lists in; a partial
// unique index enforces unique keys. Every text column compares in byte order (COLLATE "C"), so
// Find's order is the same on every server whatever its locale. WithoutMigrations only checks the
// schema, for roles that may not run DDL. A database migrated by a newer version of this library
// is refused (ErrSchemaTooNew).
//
// Kinds, IDs and index keys must be valid UTF-8 without NUL bytes, as PostgreSQL text is; Put
// refuses others with isg.ErrInvalid. A body is stored as jsonb (migration 4), so a host can
// query it with PostgreSQL's JSON operators (docs/sql.md; the shape of each kind's body is in
// docs/schemas). Put refuses a body that is not one JSON value, or whose strings hold a \u0000
// escape (jsonb's strings are text), with isg.ErrInvalid. A body is returned as the same JSON
// value, re-encoded by the server: whitespace, key order and duplicate keys are not kept (see
// isg.Record). Migration 4 converts the bytea bodies of a schema-3 database in place; a body
// jsonb cannot hold stops it, leaving the database at schema 3.
//
// # Durability
//
// A unit of work is committed when Update returns; how durable that is follows the server's
// settings (synchronous_commit, replication), which this package does not change.
//
// # Concurrency
//
// A Store is safe for concurrent use, and so are several Stores, in one process or many, on one
// database. Units of work are optimistic, and an Update is serializable as the isg.Store contract
// asks. In Update, fn's reads run one statement at a time on pool connections and its writes are
// staged in memory, so no connection, row lock or transaction is held while fn runs and units on
// different records never wait for each other. The unit remembers the version and index keys of
// every record it read (by Get, or returned by Find) or writes over, and the answer of every
// listing it made: a Count's number, a fingerprint of the IDs a Find's query got.
//
// The commit is one round trip (a pipelined batch): a READ COMMITTED transaction whose first
// statement, isg_claim, takes transaction-level advisory locks in one global order — on every
// record the unit touched (exclusive for those it writes, shared for those it only read), on
// every index key it listed (exclusive), and on every index key its writes make a record enter or
// leave (shared: units adding to one key never wait for each other, only for the key's listers).
// Holding them, it checks each record is still at the version the unit saw and re-runs each
// listing; if one differs, the commit fails with isg.ErrConflict. Then it writes the records and
// their keys and commits. A commit that changes a listed key therefore either finished before the
// lister's check, which sees it, or waits for the lister to commit. Units are serializable,
// including for records a unit found absent and keys it found empty, which neither REPEATABLE
// READ nor SERIALIZABLE alone would give across units that hold no transaction while they run. A
// listing is compared as the page it read, so a change outside that page is no conflict; an
// Update that wrote nothing is checked the same way. Serialization failures, deadlocks and unique
// violations from the server also come back as isg.ErrConflict; fn is never re-run, the Gateway
// retries conflicts itself. The Tx implements isg.Deleter and isg.EncodedPutter.
//
// View runs fn in one REPEATABLE READ, READ ONLY transaction: a single consistent snapshot,
// holding one pool connection while fn runs, so at most pool_max_conns Views run at once.
//
// Advisory locks count against the server's lock table (max_locks_per_transaction ×
// max_connections): a unit touching many thousands of records or index keys needs it raised.
//
// Migration 3 gave isg_claim its listing arguments; the first version stays for servers of an
// older version still running during an upgrade. Those take no index-key locks, so the listing
// rule holds once every server runs this version.
package postgres

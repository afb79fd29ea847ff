// Package sqlite is an isg.Store in one SQLite file, through modernc.org/sqlite (pure Go, no cgo):
// the store for a host that runs as one server, or a few processes on one machine, and wants
// its governance records on disk without a database server.
//
//	store, err := sqlite.Open("/var/lib/myapp/isg.db")
//	if err != nil {
//		return err
//	}
//	defer store.Close()
//	gw, err := isg.New(store /*, options… */)
//
// # Schema
//
// Open creates the file if needed and brings its schema to the version this code knows, from
// versioned SQL migrations embedded in the package and recorded in the isg_migrations table;
// each step is one transaction. Records live in isg_records (kind, id, version, body, keys) and
// their index keys in isg_index_keys (kind, name, value, id), whose primary key is the order
// Find lists in; a partial unique index enforces unique keys. The file's header carries the
// application ID "ISGK".
//
// A body is JSON text (migration 3: TEXT with CHECK (json_valid(body))), kept and returned byte
// for byte, so a host can query it with SQLite's JSON functions (docs/sql.md; the shape of each
// kind's body is in docs/schemas). Put refuses a body that is not one JSON value with
// isg.ErrInvalid. Migration 3 rebuilds isg_records from a file of schema 2, keeping every
// body's bytes; a body that is not JSON stops it, leaving the file at schema 2.
//
// Open refuses, with an error and without changing the file, anything that is not an isg store
// (ErrNotStore: random bytes, a damaged header, another application's database) and a store
// written by a newer version of this library (ErrSchemaTooNew).
//
// # Options and durability
//
// The file is in WAL mode. By default (WithSyncMode(SyncFull)) a unit of work is on disk when
// Update returns and survives a power cut; SyncNormal trades the last few commits before a power
// cut for speed, never the file's consistency. WithBusyTimeout bounds how long a commit waits for
// another process's write lock (default 5 s); WithReadConns sizes the read pool.
//
// # Concurrency
//
// A Store is safe for concurrent use. Units of work are optimistic, and an Update is serializable
// as the isg.Store contract asks: fn's reads run on a pool of read connections, its writes are
// staged in memory, and no lock is held while fn runs, so units on different records never wait
// for each other. The unit remembers the version of every record it read (by Get, or returned by
// Find) or wrote, and the stored answer of every listing it made: the number a Count got, the IDs
// a Find's query got (before the unit's own writes were merged in). At commit the Store takes its
// one write connection and begins an IMMEDIATE transaction (SQLite's write lock taken up front: a
// deferred transaction that upgrades from read to write fails with SQLITE_BUSY without waiting),
// re-reads every version and re-runs every listing as the same query, and fails with
// isg.ErrConflict if any answer differs; otherwise it writes and commits. Holding the write lock,
// no other commit — of this process or another — can change an answer in between. A listing is
// compared as the page it read, so a record entering or leaving the key outside that page is no
// conflict; adding a record to a key no unit listed conflicts with nothing. An Update that wrote
// nothing is checked the same way. View runs in one read transaction and sees a single consistent
// state however long fn takes; nothing is checked when it ends.
//
// The Tx implements isg.EncodedPutter, and isg.Deleter: a delete is staged like a Put and
// removes the record and its index keys at commit.
//
// Commits from one process queue for the write connection and never meet a busy lock; commits
// from several processes on one file wait for each other under the busy timeout. The file must
// be on a local file system (WAL needs shared memory between the processes).
package sqlite

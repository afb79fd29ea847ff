-- The store's first schema: versioned records and their secondary-index keys.
--
-- isg_records holds one row per record. keys is the record's index keys exactly as last Put
-- (encoded by the adapter), so a Get returns them without touching isg_index_keys.
-- isg_index_keys is what Find and Count read: its primary key (kind, name, value, id) is the
-- listing order, so a page is one range scan. isg_index_keys_by_record serves the delete of a
-- record's old keys on every Put.
PRAGMA application_id = 1230194507;

CREATE TABLE isg_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at TEXT NOT NULL
) STRICT;

CREATE TABLE isg_records (
	kind    TEXT NOT NULL,
	id      TEXT NOT NULL,
	version INTEGER NOT NULL CHECK (version > 0),
	body    BLOB NOT NULL,
	keys    BLOB NOT NULL,
	PRIMARY KEY (kind, id)
) STRICT;

CREATE TABLE isg_index_keys (
	kind  TEXT NOT NULL,
	name  TEXT NOT NULL,
	value TEXT NOT NULL,
	id    TEXT NOT NULL,
	uniq  INTEGER NOT NULL,
	PRIMARY KEY (kind, name, value, id)
) STRICT, WITHOUT ROWID;

CREATE INDEX isg_index_keys_by_record ON isg_index_keys (kind, id);

-- Record bodies as JSON text, so that a host can query its governance data with SQLite's JSON
-- functions (json_extract, ->, ->>; see docs/sql.md). The CHECK keeps anything else out, whoever
-- writes: json_valid with no flags accepts RFC 8259 JSON only, not JSON5 or SQLite's JSONB.
--
-- A STRICT table's column type cannot be altered, so the table is rebuilt: a new table, every
-- row copied (the old BLOB bodies are the Gateway's UTF-8 JSON, cast to TEXT unchanged), the old
-- table dropped and the new one renamed. The bytes are kept as they were: SQLite returns JSON
-- text exactly as stored. isg_records has no index or trigger of its own to re-create (its
-- primary key comes with the table), and no other table refers to it.
CREATE TABLE isg_records_json (
	kind    TEXT NOT NULL,
	id      TEXT NOT NULL,
	version INTEGER NOT NULL CHECK (version > 0),
	body    TEXT NOT NULL CHECK (json_valid(body)),
	keys    BLOB NOT NULL,
	PRIMARY KEY (kind, id)
) STRICT;

INSERT INTO isg_records_json (kind, id, version, body, keys)
	SELECT kind, id, version, CAST(body AS TEXT), keys FROM isg_records;

DROP TABLE isg_records;

ALTER TABLE isg_records_json RENAME TO isg_records;

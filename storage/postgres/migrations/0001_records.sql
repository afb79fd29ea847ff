-- The store's first schema: versioned records, their secondary-index keys, and the commit check.
--
-- Every text column compares in byte order (COLLATE "C") whatever the database's default
-- collation: Find lists records in ascending byte order of ID, as every isg.Store must, and
-- index lookups must match values exactly.
--
-- isg_records holds one row per record; keys is the record's index keys as last Put, so a Get
-- returns them without touching isg_index_keys. isg_index_keys is what Find and Count read: its
-- primary key (kind, name, value, id) is the listing order, so a page is one index range scan.
-- isg_index_keys_by_record serves the delete of a record's old keys on every Put.
CREATE TABLE isg_migrations (
	version    integer PRIMARY KEY,
	name       text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE isg_records (
	kind    text COLLATE "C" NOT NULL,
	id      text COLLATE "C" NOT NULL,
	version bigint NOT NULL CHECK (version > 0),
	body    bytea NOT NULL,
	keys    jsonb NOT NULL,
	PRIMARY KEY (kind, id)
);

CREATE TABLE isg_index_keys (
	kind  text COLLATE "C" NOT NULL,
	name  text COLLATE "C" NOT NULL,
	value text COLLATE "C" NOT NULL,
	id    text COLLATE "C" NOT NULL,
	uniq  boolean NOT NULL,
	PRIMARY KEY (kind, name, value, id)
);

CREATE INDEX isg_index_keys_by_record ON isg_index_keys (kind, id);

-- isg_claim is the first statement of every commit. It takes a transaction-level advisory lock
-- on each record the unit of work touched — exclusive for records it writes, shared for records
-- it only read — in the ascending order the caller sorted them in, so two commits never wait on
-- each other in a cycle. Holding them, it checks that every record is still at the version the
-- unit saw (0: absent) and raises serialization_failure if not. The check runs under READ
-- COMMITTED, where each statement sees everything committed before it started, so it sees the
-- work of the commit that held a lock before us. It looks records up one primary key at a time
-- rather than joining the arrays to isg_records: a join's cached plan, made while the table was
-- small, can stay a full scan as it grows. Its search_path is the one it was created with, so it
-- reads the isg_records beside it whatever the caller's path.
CREATE FUNCTION isg_claim(lock_keys bigint[], exclusive boolean[], kinds text[], ids text[], versions bigint[])
RETURNS void LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
	i       integer;
	current bigint;
BEGIN
	FOR i IN 1 .. coalesce(array_length(lock_keys, 1), 0) LOOP
		IF exclusive[i] THEN
			PERFORM pg_advisory_xact_lock(lock_keys[i]);
		ELSE
			PERFORM pg_advisory_xact_lock_shared(lock_keys[i]);
		END IF;
	END LOOP;
	FOR i IN 1 .. coalesce(array_length(kinds, 1), 0) LOOP
		SELECT r.version INTO current FROM isg_records r WHERE r.kind = kinds[i] AND r.id = ids[i];
		IF coalesce(current, 0) <> versions[i] THEN
			RAISE EXCEPTION 'isg: % % is at version %, read at %', kinds[i], ids[i], coalesce(current, 0), versions[i]
				USING ERRCODE = 'serialization_failure';
		END IF;
	END LOOP;
END
$$;

-- Serializable listings: isg_claim also locks index keys and re-runs a unit of work's listings.
--
-- A unit of work commits only if no record entered or left an index key it listed (Find) or
-- counted (Count) since it did. The adapter passes, besides the record locks and read versions of
-- 0001, the listings the unit made with the answers it got, and lock keys for index keys (a domain
-- of their own, see indexLockKey in postgres.go) sorted into the one array with the record locks:
--
--   - a key the unit listed is locked exclusive: the check below then runs after every commit
--     that was changing the key's members has committed, and no such commit starts before this
--     one ends;
--   - a key the unit makes a record enter or leave (created, deleted, or re-keyed; a rewrite
--     that keeps the record's keys is no change) is locked shared: changers of one key — say the
--     outbox's pending key, which every command adds to — never wait for each other, only for its
--     listers.
--
-- Holding the locks, under READ COMMITTED (each statement sees everything committed before it
-- started), the function re-runs each Count and compares the number, and re-runs each Find's
-- stored query (key, After, and the limit as sent) and compares a fingerprint of the IDs: MD5
-- over each ID as a 4-byte big-endian length and its UTF-8 bytes, computed the same way in Go
-- (pageSum). A difference raises serialization_failure, which the adapter reports as
-- isg.ErrConflict. The versions of the records a Find returned are checked with the other reads.
--
-- The five-argument isg_claim of 0001 stays for servers of the previous version still running
-- during an upgrade; they do not lock index keys, so listings hold once every server runs this
-- version.
CREATE FUNCTION isg_claim(lock_keys bigint[], exclusive boolean[], kinds text[], ids text[], versions bigint[],
	c_kinds text[], c_names text[], c_values text[], c_counts bigint[],
	f_kinds text[], f_names text[], f_values text[], f_after text[], f_limits integer[], f_sums text[])
RETURNS void LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
	i         integer;
	current   bigint;
	got_count bigint;
	got_sum   text;
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
	FOR i IN 1 .. coalesce(array_length(c_kinds, 1), 0) LOOP
		SELECT count(*) INTO got_count FROM isg_index_keys k
			WHERE k.kind = c_kinds[i] AND k.name = c_names[i] AND k.value = c_values[i];
		IF got_count <> c_counts[i] THEN
			RAISE EXCEPTION 'isg: % % hold index key %=%, counted %', got_count, c_kinds[i], c_names[i], c_values[i], c_counts[i]
				USING ERRCODE = 'serialization_failure';
		END IF;
	END LOOP;
	FOR i IN 1 .. coalesce(array_length(f_kinds, 1), 0) LOOP
		SELECT md5(coalesce(string_agg(int4send(octet_length(p.b)) || p.b, ''::bytea ORDER BY p.id), ''::bytea)) INTO got_sum
			FROM (SELECT k.id, convert_to(k.id, 'UTF8') AS b FROM isg_index_keys k
				WHERE k.kind = f_kinds[i] AND k.name = f_names[i] AND k.value = f_values[i] AND k.id > f_after[i]
				ORDER BY k.id LIMIT CASE WHEN f_limits[i] > 0 THEN f_limits[i] END) p;
		IF got_sum <> f_sums[i] THEN
			RAISE EXCEPTION 'isg: a % entered or left index key %=% since it was listed', f_kinds[i], f_names[i], f_values[i]
				USING ERRCODE = 'serialization_failure';
		END IF;
	END LOOP;
END
$$;

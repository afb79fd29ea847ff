package postgres

import (
	"cmp"
	"context"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/internal/records"
	"github.com/jackc/pgx/v5"
)

// rkey names a record.
type rkey = records.Key

// tx is one unit of work. Writes are staged in writes (deletes as tombstones, named in deleted)
// and applied by Store.commit. reads holds the version of every record read or written as first
// seen (0: absent) and keys the index keys it had then, from which the commit knows which keys
// the unit's writes make records enter or leave; counts and finds hold the stored answer of
// every listing as first seen. The commit re-checks versions and answers.
type tx struct {
	q        querier // the pool in Update, a snapshot transaction in View
	writable bool
	done     bool
	reads    records.Map[int64]
	keys     map[rkey][]isg.IndexKey
	writes   records.Map[*isg.Record]
	deleted  map[rkey]bool
	counts   map[countListing]int64
	finds    map[findListing]string
}

// countListing is a Count a unit made: the key it counted.
type countListing struct {
	kind        isg.Kind
	name, value string
}

// findListing is the stored query a Find ran: the key, and the page as sent to the database
// (the limit enlarged for the unit's staged writes, 0 for none). Its answer is pageSum of the IDs
// it got, before the unit's writes were merged in.
type findListing struct {
	kind               isg.Kind
	name, value, after string
	limit              int32
}

var (
	_           isg.Deleter       = (*tx)(nil)
	_           isg.EncodedPutter = (*tx)(nil)
	errReadOnly                   = fmt.Errorf("postgres: write in a read-only unit of work: %w", isg.ErrInvalid)
	errDone                       = errors.New("postgres: unit of work used after it ended")
)

func newTx(q querier, writable bool) *tx {
	return &tx{q: q, writable: writable}
}

func (t *tx) end() { t.done = true }

// observe records a read of the record k names, at version with keys, unless the unit read it
// before: the first read is what the commit checks.
func (t *tx) observe(k rkey, version int64, keys []isg.IndexKey) {
	if _, seen := t.reads.Get(k); !seen {
		t.reads.Set(k, version)
		// A copy: the caller owns the record it was given and may change its keys.
		t.setKeys(k, slices.Clone(keys))
	}
}

// setKeys records the index keys the record k names held when the unit first read it.
func (t *tx) setKeys(k rkey, keys []isg.IndexKey) {
	if t.keys == nil {
		t.keys = map[rkey][]isg.IndexKey{}
	}
	t.keys[k] = keys
}

// storable reports whether PostgreSQL text can hold s: valid UTF-8 without NUL.
func storable(s string) bool { return utf8.ValidString(s) && !strings.Contains(s, "\x00") }

const (
	sqlGet     = "SELECT version, body, keys FROM isg_records WHERE kind = $1 AND id = $2"
	sqlVersion = "SELECT version FROM isg_records WHERE kind = $1 AND id = $2"
	// What a Put or Delete of a record the unit has not read needs: the version to check, and
	// the keys the record holds, which the write may make it leave.
	sqlVersionKeys = "SELECT version, keys FROM isg_records WHERE kind = $1 AND id = $2"
	// The page of IDs first, then each record by primary key: OFFSET 0 keeps the planner from
	// flattening the lookup into a join that, on a table without statistics yet, it would run as
	// a scan of the whole kind.
	sqlFind = `SELECT k.id, r.version, r.body, r.keys
		FROM (SELECT id FROM isg_index_keys
			WHERE kind = $1 AND name = $2 AND value = $3 AND id > $4
			ORDER BY id LIMIT $5) k
		CROSS JOIN LATERAL (SELECT version, body, keys FROM isg_records
			WHERE kind = $1 AND id = k.id OFFSET 0) r
		ORDER BY k.id`
	sqlCount = "SELECT count(*) FROM isg_index_keys WHERE kind = $1 AND name = $2 AND value = $3"
	sqlHolds = "SELECT id FROM isg_index_keys WHERE kind = $1 AND name = $2 AND value = $3 AND id = ANY($4)"
)

// Get implements isg.Tx.
func (t *tx) Get(ctx context.Context, kind isg.Kind, id string) (isg.Record, error) {
	if t.done {
		return isg.Record{}, errDone
	}
	k := rkey{Kind: kind, ID: id}
	if w, ok := t.writes.Get(k); ok {
		if t.deleted[k] {
			return isg.Record{}, fmt.Errorf("postgres: %s %s is deleted in this unit of work: %w", kind, id, isg.ErrNotFound)
		}
		return records.Clone(*w), nil
	}
	if !storable(string(kind)) || !storable(id) {
		// No such record can have been stored.
		return isg.Record{}, fmt.Errorf("postgres: %q %q: %w", kind, id, isg.ErrNotFound)
	}
	rec := isg.Record{Kind: kind, ID: id}
	var keys []byte
	err := t.q.QueryRow(ctx, sqlGet, string(kind), id).Scan(&rec.Version, &rec.Body, &keys)
	found := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return isg.Record{}, mapError("get", err)
	}
	if found {
		if rec.Keys, err = decodeKeys(keys); err != nil {
			return isg.Record{}, fmt.Errorf("postgres: %s %s: %w", kind, id, err)
		}
	}
	if t.writable {
		t.observe(k, rec.Version, rec.Keys)
	}
	if !found {
		return isg.Record{}, fmt.Errorf("postgres: %s %s: %w", kind, id, isg.ErrNotFound)
	}
	return rec, nil
}

// Put implements isg.Tx. It checks rec.Version against what the unit knows — its own earlier
// Put, its read, or else the stored version — and the commit checks it again. Kinds, IDs and
// index keys must be valid UTF-8 without NUL bytes, and the body one JSON value whose strings
// hold no \u0000 escape, as jsonb does (isg.ErrInvalid otherwise).
func (t *tx) Put(ctx context.Context, rec isg.Record) (int64, error) {
	return t.put(ctx, rec, true)
}

// PutEncoded implements isg.EncodedPutter: Put without the check that the body is JSON. A
// \u0000 escape is refused all the same, as jsonb cannot hold it.
func (t *tx) PutEncoded(ctx context.Context, rec isg.Record) (int64, error) {
	return t.put(ctx, rec, false)
}

// put is Put, checking that the body is JSON only if checkBody is set.
func (t *tx) put(ctx context.Context, rec isg.Record, checkBody bool) (int64, error) {
	switch {
	case t.done:
		return 0, errDone
	case !t.writable:
		return 0, errReadOnly
	case rec.Kind == "" || rec.ID == "":
		return 0, fmt.Errorf("postgres: Put needs a kind and an ID: %w", isg.ErrInvalid)
	case !storable(string(rec.Kind)) || !storable(rec.ID):
		return 0, fmt.Errorf("postgres: kind and ID must be UTF-8 without NUL: %w", isg.ErrInvalid)
	}
	for _, k := range rec.Keys {
		if !storable(k.Name) || !storable(k.Value) {
			return 0, fmt.Errorf("postgres: index key %q must be UTF-8 without NUL: %w", k.Name, isg.ErrInvalid)
		}
	}
	if checkBody {
		if err := records.CheckBody("postgres", rec); err != nil {
			return 0, err
		}
	}
	// Checked here rather than left to the server, which would refuse the whole commit later.
	if records.HasNULEscape(rec.Body) {
		return 0, fmt.Errorf("postgres: body of %s %s holds a \\u0000 escape, which jsonb cannot hold: %w", rec.Kind, rec.ID, isg.ErrInvalid)
	}
	return records.Stage("postgres", &t.reads, &t.writes, t.deleted, rec, t.stored(ctx, "put", rkey{Kind: rec.Kind, ID: rec.ID}))
}

// Delete implements isg.Deleter: the version is checked as Put checks it, and again at commit.
func (t *tx) Delete(ctx context.Context, kind isg.Kind, id string, version int64) error {
	switch {
	case t.done:
		return errDone
	case !t.writable:
		return errReadOnly
	case !storable(string(kind)) || !storable(id):
		return fmt.Errorf("postgres: delete %q %q: %w", kind, id, isg.ErrNotFound)
	}
	if t.deleted == nil {
		t.deleted = map[rkey]bool{}
	}
	k := rkey{Kind: kind, ID: id}
	return records.StageDelete("postgres", &t.reads, &t.writes, t.deleted, k, version, t.stored(ctx, "delete", k))
}

// stored reads the committed version of the record k names, for records.Stage, and records the
// keys the record holds beside the read Stage records.
func (t *tx) stored(ctx context.Context, op string, k rkey) func() (int64, error) {
	return func() (int64, error) {
		var v int64
		var keys []byte
		err := t.q.QueryRow(ctx, sqlVersionKeys, string(k.Kind), k.ID).Scan(&v, &keys)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return 0, nil
		case err != nil:
			return 0, mapError(op, err)
		}
		decoded, err := decodeKeys(keys)
		if err != nil {
			return 0, fmt.Errorf("postgres: %s %s: %w", k.Kind, k.ID, err)
		}
		t.setKeys(k, decoded)
		return v, nil
	}
}

// Find implements isg.Tx, merging the unit's staged writes into the stored page.
func (t *tx) Find(ctx context.Context, kind isg.Kind, key isg.IndexKey, page isg.Page) ([]isg.Record, error) {
	if t.done {
		return nil, errDone
	}
	if page.Limit < 0 || !storable(page.After) {
		return nil, fmt.Errorf("postgres: bad page %+v: %w", page, isg.ErrInvalid)
	}
	staged := records.Staged(&t.writes, kind)
	var out []isg.Record
	if storable(string(kind)) && storable(key.Name) && storable(key.Value) {
		// Staged writes can hide stored records from the page, so read enough to fill it after.
		var limit *int
		if page.Limit > 0 {
			n := page.Limit + len(staged)
			limit = &n
		}
		rows, err := t.q.Query(ctx, sqlFind, string(kind), key.Name, key.Value, page.After, limit)
		if err != nil {
			return nil, mapError("find", err)
		}
		var sum pageSum
		for rows.Next() {
			r := isg.Record{Kind: kind}
			var keys []byte
			if err := rows.Scan(&r.ID, &r.Version, &r.Body, &keys); err != nil {
				rows.Close()
				return nil, mapError("find", err)
			}
			if t.writable {
				sum.add(r.ID)
			}
			if _, over := staged[r.ID]; over {
				continue
			}
			if r.Keys, err = decodeKeys(keys); err != nil {
				rows.Close()
				return nil, fmt.Errorf("postgres: %s %s: %w", kind, r.ID, err)
			}
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, mapError("find", err)
		}
		if t.writable {
			l := findListing{kind: kind, name: key.Name, value: key.Value, after: page.After}
			if limit != nil {
				l.limit = int32(*limit)
			}
			if _, seen := t.finds[l]; !seen {
				if t.finds == nil {
					t.finds = map[findListing]string{}
				}
				t.finds[l] = sum.String()
			}
		}
	}
	if len(staged) > 0 {
		for id, w := range staged {
			if id > page.After && records.HoldsKey(w.Keys, key) {
				out = append(out, records.Clone(*w))
			}
		}
		slices.SortFunc(out, func(a, b isg.Record) int { return cmp.Compare(a.ID, b.ID) })
	}
	if page.Limit > 0 && len(out) > page.Limit {
		out = out[:page.Limit]
	}
	if t.writable {
		for _, r := range out {
			// The unit's own writes are in its read set already, at the version it read.
			t.observe(rkey{Kind: kind, ID: r.ID}, r.Version, r.Keys)
		}
	}
	return out, nil
}

// Count implements isg.Tx, adjusting the stored count by the unit's staged writes.
func (t *tx) Count(ctx context.Context, kind isg.Kind, key isg.IndexKey) (int, error) {
	if t.done {
		return 0, errDone
	}
	if !storable(string(kind)) || !storable(key.Name) || !storable(key.Value) {
		return 0, nil
	}
	var n int
	if err := t.q.QueryRow(ctx, sqlCount, string(kind), key.Name, key.Value).Scan(&n); err != nil {
		return 0, mapError("count", err)
	}
	if t.writable {
		l := countListing{kind: kind, name: key.Name, value: key.Value}
		if _, seen := t.counts[l]; !seen {
			if t.counts == nil {
				t.counts = map[countListing]int64{}
			}
			t.counts[l] = int64(n)
		}
	}
	staged := records.Staged(&t.writes, kind)
	if len(staged) == 0 {
		return n, nil
	}
	ids := make([]string, 0, len(staged))
	for id := range staged {
		ids = append(ids, id)
	}
	rows, err := t.q.Query(ctx, sqlHolds, string(kind), key.Name, key.Value, ids)
	if err != nil {
		return 0, mapError("count", err)
	}
	held, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, mapError("count", err)
	}
	for id, w := range staged {
		was, now := slices.Contains(held, id), records.HoldsKey(w.Keys, key)
		switch {
		case now && !was:
			n++
		case !now && was:
			n--
		}
	}
	return n, nil
}

// pageSum is the fingerprint of a page of IDs that the commit compares a listing's answer by: the
// hex MD5 of each ID, in order, as a 4-byte big-endian length and its UTF-8 bytes. isg_claim
// computes the same over the IDs it lists again. A fingerprint rather than the IDs keeps the
// commit's message small whatever the page's size; MD5 is no defence against IDs chosen to
// collide, which the Gateway's random UUIDs are not.
type pageSum struct{ h hash.Hash }

func (p *pageSum) add(id string) {
	if p.h == nil {
		p.h = md5.New()
	}
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(id)))
	p.h.Write(n[:])
	p.h.Write([]byte(id))
}

func (p *pageSum) String() string {
	if p.h == nil {
		p.h = md5.New()
	}
	return hex.EncodeToString(p.h.Sum(nil))
}

package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/internal/records"
)

// rkey names a record.
type rkey = records.Key

// reader is what a unit reads through: the read pool in Update, a read transaction in View.
type reader interface {
	StmtContext(ctx context.Context, stmt *sql.Stmt) *sql.Stmt
}

// poolReader reads through the pool's statements as they are.
type poolReader struct{}

func (poolReader) StmtContext(_ context.Context, stmt *sql.Stmt) *sql.Stmt { return stmt }

// tx is one unit of work. Writes are staged in writes (deletes as tombstones, named in deleted)
// and applied by Store.commit; reads holds the version of every record read or written as first
// seen (0: absent), and counts and finds the stored answer of every listing as first seen: the
// commit re-checks them all.
type tx struct {
	s        *Store
	r        reader
	writable bool
	done     bool
	reads    records.Map[int64]
	writes   records.Map[*isg.Record]
	deleted  map[rkey]bool
	order    []rkey // writes in first-write order, so commits are deterministic
	counts   map[countListing]int
	finds    map[findListing][]string
}

// countListing is a Count a unit made: the key it counted.
type countListing struct {
	kind        isg.Kind
	name, value string
}

// findListing is the stored query a Find ran: the key, and the page as sent to the database
// (the limit enlarged for the unit's staged writes, -1 for none). Its answer is the IDs it got,
// before the unit's writes were merged in.
type findListing struct {
	kind               isg.Kind
	name, value, after string
	limit              int
}

var (
	_           isg.Deleter       = (*tx)(nil)
	_           isg.EncodedPutter = (*tx)(nil)
	errReadOnly                   = fmt.Errorf("sqlite: write in a read-only unit of work: %w", isg.ErrInvalid)
	errDone                       = errors.New("sqlite: unit of work used after it ended")
)

func newTx(s *Store, r reader, writable bool) *tx {
	return &tx{s: s, r: r, writable: writable}
}

func (t *tx) end() { t.done = true }

// Get implements isg.Tx.
func (t *tx) Get(ctx context.Context, kind isg.Kind, id string) (isg.Record, error) {
	if t.done {
		return isg.Record{}, errDone
	}
	k := rkey{Kind: kind, ID: id}
	if w, ok := t.writes.Get(k); ok {
		if t.deleted[k] {
			return isg.Record{}, fmt.Errorf("sqlite: %s %s is deleted in this unit of work: %w", kind, id, isg.ErrNotFound)
		}
		return records.Clone(*w), nil
	}
	rec := isg.Record{Kind: kind, ID: id}
	var keys []byte
	err := t.r.StmtContext(ctx, t.s.get).QueryRowContext(ctx, string(kind), id).Scan(&rec.Version, &rec.Body, &keys)
	found := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return isg.Record{}, fmt.Errorf("sqlite: get %s %s: %w", kind, id, err)
	}
	if found {
		if rec.Keys, err = decodeKeys(keys); err != nil {
			return isg.Record{}, fmt.Errorf("sqlite: %s %s: %w", kind, id, err)
		}
	}
	records.Observe(&t.reads, k, rec.Version)
	if !found {
		return isg.Record{}, fmt.Errorf("sqlite: %s %s: %w", kind, id, isg.ErrNotFound)
	}
	return rec, nil
}

// Put implements isg.Tx. It checks rec.Version against what the unit knows — its own earlier
// Put, its read, or else the stored version — and the commit checks it again. The body must be
// one JSON value (isg.ErrInvalid otherwise): it is kept as JSON text a host can query.
func (t *tx) Put(ctx context.Context, rec isg.Record) (int64, error) {
	return t.put(ctx, rec, true)
}

// PutEncoded implements isg.EncodedPutter: Put without the check that the body is JSON. The
// column's CHECK (json_valid(body)) still refuses one that is not, failing the commit.
func (t *tx) PutEncoded(ctx context.Context, rec isg.Record) (int64, error) {
	return t.put(ctx, rec, false)
}

// put is Put, checking the body only if checkBody is set.
func (t *tx) put(ctx context.Context, rec isg.Record, checkBody bool) (int64, error) {
	switch {
	case t.done:
		return 0, errDone
	case !t.writable:
		return 0, errReadOnly
	case rec.Kind == "" || rec.ID == "":
		return 0, fmt.Errorf("sqlite: Put needs a kind and an ID: %w", isg.ErrInvalid)
	}
	if checkBody {
		if err := records.CheckBody("sqlite", rec); err != nil {
			return 0, err
		}
	}
	k := rkey{Kind: rec.Kind, ID: rec.ID}
	_, written := t.writes.Get(k)
	v, err := records.Stage("sqlite", &t.reads, &t.writes, t.deleted, rec, t.stored(ctx, k))
	if err == nil && !written {
		t.order = append(t.order, k)
	}
	return v, err
}

// Delete implements isg.Deleter: the version is checked as Put checks it, and again at commit.
func (t *tx) Delete(ctx context.Context, kind isg.Kind, id string, version int64) error {
	switch {
	case t.done:
		return errDone
	case !t.writable:
		return errReadOnly
	}
	if t.deleted == nil {
		t.deleted = map[rkey]bool{}
	}
	k := rkey{Kind: kind, ID: id}
	if err := records.StageDelete("sqlite", &t.reads, &t.writes, t.deleted, k, version, t.stored(ctx, k)); err != nil {
		return err
	}
	t.order = append(t.order, k)
	return nil
}

// stored reads the committed version of the record k names, for records.Stage.
func (t *tx) stored(ctx context.Context, k rkey) func() (int64, error) {
	return func() (int64, error) {
		var v int64
		err := t.r.StmtContext(ctx, t.s.version).QueryRowContext(ctx, string(k.Kind), k.ID).Scan(&v)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("sqlite: version of %s %s: %w", k.Kind, k.ID, err)
		}
		return v, nil
	}
}

// Find implements isg.Tx, merging the unit's staged writes into the stored page. In Update, the
// records it returns join the unit's read set and the stored answer joins its listings: both are
// checked at commit.
func (t *tx) Find(ctx context.Context, kind isg.Kind, key isg.IndexKey, page isg.Page) ([]isg.Record, error) {
	if t.done {
		return nil, errDone
	}
	if page.Limit < 0 {
		return nil, fmt.Errorf("sqlite: negative page limit: %w", isg.ErrInvalid)
	}
	staged := records.Staged(&t.writes, kind)
	// Staged writes can hide stored records from the page, so read enough to fill it after.
	limit := -1
	if page.Limit > 0 {
		limit = page.Limit + len(staged)
	}
	rows, err := t.r.StmtContext(ctx, t.s.find).QueryContext(ctx, string(kind), key.Name, key.Value, page.After, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: find: %w", err)
	}
	defer rows.Close()
	var out []isg.Record
	var ids []string // the stored answer, for the commit's check
	for rows.Next() {
		r := isg.Record{Kind: kind}
		var keys []byte
		if err := rows.Scan(&r.ID, &r.Version, &r.Body, &keys); err != nil {
			return nil, fmt.Errorf("sqlite: find: %w", err)
		}
		ids = append(ids, r.ID)
		if _, over := staged[r.ID]; over {
			continue
		}
		if r.Keys, err = decodeKeys(keys); err != nil {
			return nil, fmt.Errorf("sqlite: %s %s: %w", kind, r.ID, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: find: %w", err)
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
		l := findListing{kind: kind, name: key.Name, value: key.Value, after: page.After, limit: limit}
		if _, seen := t.finds[l]; !seen {
			if t.finds == nil {
				t.finds = map[findListing][]string{}
			}
			t.finds[l] = ids
		}
		for _, r := range out {
			// The unit's own writes are in its read set already, at the version it read.
			records.Observe(&t.reads, rkey{Kind: kind, ID: r.ID}, r.Version)
		}
	}
	return out, nil
}

// Count implements isg.Tx, adjusting the stored count by the unit's staged writes. In Update the
// stored count joins the unit's listings, checked at commit.
func (t *tx) Count(ctx context.Context, kind isg.Kind, key isg.IndexKey) (int, error) {
	if t.done {
		return 0, errDone
	}
	var n int
	if err := t.r.StmtContext(ctx, t.s.count).QueryRowContext(ctx, string(kind), key.Name, key.Value).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count: %w", err)
	}
	if t.writable {
		l := countListing{kind: kind, name: key.Name, value: key.Value}
		if _, seen := t.counts[l]; !seen {
			if t.counts == nil {
				t.counts = map[countListing]int{}
			}
			t.counts[l] = n
		}
	}
	for id, w := range records.Staged(&t.writes, kind) {
		var was int
		if err := t.r.StmtContext(ctx, t.s.holds).QueryRowContext(ctx, string(kind), key.Name, key.Value, id).Scan(&was); err != nil {
			return 0, fmt.Errorf("sqlite: count: %w", err)
		}
		switch now := records.HoldsKey(w.Keys, key); {
		case now && was == 0:
			n++
		case !now && was > 0:
			n--
		}
	}
	return n, nil
}

// The keys column holds a record's index keys exactly as Put, in order and with duplicates:
// a format byte, then per key the name and value each as uvarint length and bytes, then a
// unique flag. Binary rather than JSON because JSON cannot carry every Go string unchanged.
const keysFormat = 1

func encodeKeys(keys []isg.IndexKey) []byte {
	n := 1
	for _, k := range keys {
		n += 2*binary.MaxVarintLen64 + len(k.Name) + len(k.Value) + 1
	}
	b := make([]byte, 1, n)
	b[0] = keysFormat
	for _, k := range keys {
		b = binary.AppendUvarint(b, uint64(len(k.Name)))
		b = append(b, k.Name...)
		b = binary.AppendUvarint(b, uint64(len(k.Value)))
		b = append(b, k.Value...)
		flag := byte(0)
		if k.Unique {
			flag = 1
		}
		b = append(b, flag)
	}
	return b
}

var errDamagedKeys = errors.New("damaged index keys column")

func decodeKeys(b []byte) ([]isg.IndexKey, error) {
	if len(b) == 0 || b[0] != keysFormat {
		return nil, errDamagedKeys
	}
	b = b[1:]
	var out []isg.IndexKey
	str := func() (string, bool) {
		n, w := binary.Uvarint(b)
		if w <= 0 || n > uint64(len(b)-w) {
			return "", false
		}
		s := string(b[w : w+int(n)])
		b = b[w+int(n):]
		return s, true
	}
	for len(b) > 0 {
		name, ok1 := str()
		value, ok2 := str()
		if !ok1 || !ok2 || len(b) == 0 || b[0] > 1 {
			return nil, errDamagedKeys
		}
		out = append(out, isg.IndexKey{Name: name, Value: value, Unique: b[0] == 1})
		b = b[1:]
	}
	return out, nil
}

package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/internal/records"
	"github.com/jackc/pgx/v5"
)

// rkey names a record.
type rkey = records.Key

// tx is one unit of work. Writes are staged in writes and applied by Store.commit; reads records
// the version of every record read or written (0: absent), which the commit re-checks.
type tx struct {
	q        querier // the pool in Update, a snapshot transaction in View
	writable bool
	done     bool
	reads    map[rkey]int64
	writes   map[rkey]*isg.Record
}

var (
	errReadOnly = errors.New("postgres: Put in a read-only unit of work")
	errDone     = errors.New("postgres: unit of work used after it ended")
)

func newTx(q querier, writable bool) *tx {
	return &tx{q: q, writable: writable, reads: map[rkey]int64{}, writes: map[rkey]*isg.Record{}}
}

func (t *tx) end() { t.done = true }

// storable reports whether PostgreSQL text can hold s: valid UTF-8 without NUL.
func storable(s string) bool { return utf8.ValidString(s) && !strings.Contains(s, "\x00") }

const (
	sqlGet     = "SELECT version, body, keys FROM isg_records WHERE kind = $1 AND id = $2"
	sqlVersion = "SELECT version FROM isg_records WHERE kind = $1 AND id = $2"
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
	if w, ok := t.writes[k]; ok {
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
	records.Observe(t.reads, k, rec.Version)
	if !found {
		return isg.Record{}, fmt.Errorf("postgres: %s %s: %w", kind, id, isg.ErrNotFound)
	}
	return rec, nil
}

// Put implements isg.Tx. It checks rec.Version against what the unit knows — its own earlier
// Put, its read, or else the stored version — and the commit checks it again. Kinds, IDs and
// index keys must be valid UTF-8 without NUL bytes (isg.ErrInvalid otherwise).
func (t *tx) Put(ctx context.Context, rec isg.Record) (int64, error) {
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
	return records.Stage("postgres", t.reads, t.writes, rec, func() (int64, error) {
		var v int64
		err := t.q.QueryRow(ctx, sqlVersion, string(rec.Kind), rec.ID).Scan(&v)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return 0, mapError("put", err)
		}
		return v, nil
	})
}

// Find implements isg.Tx, merging the unit's staged writes into the stored page.
func (t *tx) Find(ctx context.Context, kind isg.Kind, key isg.IndexKey, page isg.Page) ([]isg.Record, error) {
	if t.done {
		return nil, errDone
	}
	if page.Limit < 0 || !storable(page.After) {
		return nil, fmt.Errorf("postgres: bad page %+v: %w", page, isg.ErrInvalid)
	}
	staged := records.Staged(t.writes, kind)
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
		for rows.Next() {
			r := isg.Record{Kind: kind}
			var keys []byte
			if err := rows.Scan(&r.ID, &r.Version, &r.Body, &keys); err != nil {
				rows.Close()
				return nil, mapError("find", err)
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
	staged := records.Staged(t.writes, kind)
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

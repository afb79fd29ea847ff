// Package memory is the embedded default Store: every record in process memory, nothing on disk.
//
// It is complete and concurrency-safe, and its units of work are real transactions: a unit stages
// its writes privately and commits them all at once, or none. Concurrency control is optimistic:
// a unit records the version of every record it reads or writes, and at commit fails with
// isg.ErrConflict if any of them changed meanwhile, so units are serializable with respect to the
// records they touch. Find results are not re-validated: a record added to, changed in or removed
// from an index after a unit listed it is not a conflict, so a rule over a listing must also write
// a record that every competing change writes (the Gateway writes the organisation when roles
// change there). No lock is held while a unit runs, so units never wait for each other; the price
// is that a View is not a snapshot: each read sees the latest commit, so two reads in one View
// may straddle a commit. Commands, which must be consistent, run in Update and are validated.
//
// Use it for tests, examples, sandboxes and hosts that keep state elsewhere; data is lost when the
// process ends. Index lookups (Find, Count) cost O(log n) in the records of the kind plus the page.
package memory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/internal/records"
)

// Store is an in-memory isg.Store. The zero value is not usable; call New.
type Store struct {
	mu    sync.RWMutex
	kinds map[isg.Kind]*table
}

var _ isg.Store = (*Store)(nil)

type stored struct {
	version int64
	body    []byte
	keys    []isg.IndexKey
}

type table struct {
	recs   map[string]*stored
	index  map[string][]string // indexKey → sorted IDs
	unique map[string]string   // indexKey → ID
}

// New returns an empty store.
func New() *Store { return &Store{kinds: map[isg.Kind]*table{}} }

func keyOf(k isg.IndexKey) string { return k.Name + "\x00" + k.Value }

// table returns the table for kind, creating it; callers hold the write lock.
func (s *Store) table(kind isg.Kind) *table {
	t := s.kinds[kind]
	if t == nil {
		t = &table{recs: map[string]*stored{}, index: map[string][]string{}, unique: map[string]string{}}
		s.kinds[kind] = t
	}
	return t
}

// Update implements isg.Store.
func (s *Store) Update(ctx context.Context, fn func(isg.Tx) error) error {
	return s.run(ctx, true, fn)
}

// View implements isg.Store.
func (s *Store) View(ctx context.Context, fn func(isg.Tx) error) error {
	return s.run(ctx, false, fn)
}

func (s *Store) run(ctx context.Context, writable bool, fn func(isg.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := &tx{s: s, writable: writable, reads: map[rkey]int64{}, writes: map[rkey]*isg.Record{}}
	// A panic in fn propagates before commit, so nothing staged is ever applied.
	if err := fn(t); err != nil {
		return err
	}
	if !writable || len(t.writes) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.commit(t)
}

// rkey names a record.
type rkey = records.Key

func (s *Store) commit(t *tx) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, seen := range t.reads {
		if s.versionLocked(k) != seen {
			return fmt.Errorf("memory: %s %s changed since read: %w", k.Kind, k.ID, isg.ErrConflict)
		}
	}
	// Unique keys: no other record may hold a key a written record claims, unless that other
	// record is itself rewritten in this unit without it.
	claimed := map[rkey]map[string]string{}
	for k, rec := range t.writes {
		for _, ik := range rec.Keys {
			if !ik.Unique {
				continue
			}
			uk := keyOf(ik)
			byKind := claimed[rkey{Kind: k.Kind}]
			if byKind == nil {
				byKind = map[string]string{}
				claimed[rkey{Kind: k.Kind}] = byKind
			}
			if other, dup := byKind[uk]; dup && other != k.ID {
				return fmt.Errorf("memory: unique %s %q claimed twice: %w", ik.Name, ik.Value, isg.ErrConflict)
			}
			byKind[uk] = k.ID
			if tb := s.kinds[k.Kind]; tb != nil {
				if holder, ok := tb.unique[uk]; ok && holder != k.ID {
					if w, rewritten := t.writes[rkey{Kind: k.Kind, ID: holder}]; !rewritten || records.HoldsKey(w.Keys, ik) {
						return fmt.Errorf("memory: unique %s %q is held by %s: %w", ik.Name, ik.Value, holder, isg.ErrConflict)
					}
				}
			}
		}
	}
	for k, rec := range t.writes {
		tb := s.table(k.Kind)
		if old := tb.recs[k.ID]; old != nil {
			for _, ik := range old.keys {
				tb.unindex(ik, k.ID)
			}
		}
		tb.recs[k.ID] = &stored{version: rec.Version, body: rec.Body, keys: rec.Keys}
		for _, ik := range rec.Keys {
			tb.addIndex(ik, k.ID)
		}
	}
	return nil
}

func (tb *table) addIndex(k isg.IndexKey, id string) {
	ik := keyOf(k)
	ids := tb.index[ik]
	i, found := slices.BinarySearch(ids, id)
	if !found {
		tb.index[ik] = slices.Insert(ids, i, id)
	}
	if k.Unique {
		tb.unique[ik] = id
	}
}

func (tb *table) unindex(k isg.IndexKey, id string) {
	ik := keyOf(k)
	ids := tb.index[ik]
	if i, found := slices.BinarySearch(ids, id); found {
		ids = slices.Delete(ids, i, i+1)
		if len(ids) == 0 {
			delete(tb.index, ik)
		} else {
			tb.index[ik] = ids
		}
	}
	if k.Unique && tb.unique[ik] == id {
		delete(tb.unique, ik)
	}
}

// versionLocked returns the committed version of a record, 0 when absent; callers hold a lock.
func (s *Store) versionLocked(k rkey) int64 {
	if tb := s.kinds[k.Kind]; tb != nil {
		if r := tb.recs[k.ID]; r != nil {
			return r.version
		}
	}
	return 0
}

type tx struct {
	s        *Store
	writable bool
	reads    map[rkey]int64
	writes   map[rkey]*isg.Record
}

var errReadOnly = errors.New("memory: Put in a read-only unit of work")

func (t *tx) Get(ctx context.Context, kind isg.Kind, id string) (isg.Record, error) {
	k := rkey{Kind: kind, ID: id}
	if w, ok := t.writes[k]; ok {
		return records.Clone(*w), nil
	}
	t.s.mu.RLock()
	var rec isg.Record
	var found bool
	if tb := t.s.kinds[kind]; tb != nil {
		if r := tb.recs[id]; r != nil {
			rec, found = isg.Record{Kind: kind, ID: id, Version: r.version, Body: slices.Clone(r.body), Keys: slices.Clone(r.keys)}, true
		}
	}
	t.s.mu.RUnlock()
	if _, seen := t.reads[k]; !seen {
		t.reads[k] = rec.Version
	}
	if !found {
		return isg.Record{}, fmt.Errorf("memory: %s %s: %w", kind, id, isg.ErrNotFound)
	}
	return rec, nil
}

func (t *tx) Put(ctx context.Context, rec isg.Record) (int64, error) {
	if !t.writable {
		return 0, errReadOnly
	}
	if rec.Kind == "" || rec.ID == "" {
		return 0, fmt.Errorf("memory: Put needs a kind and an ID: %w", isg.ErrInvalid)
	}
	k := rkey{Kind: rec.Kind, ID: rec.ID}
	var current int64
	if w, ok := t.writes[k]; ok {
		current = w.Version
	} else {
		t.s.mu.RLock()
		current = t.s.versionLocked(k)
		t.s.mu.RUnlock()
		if seen, ok := t.reads[k]; ok && seen != current {
			return 0, fmt.Errorf("memory: %s %s changed since read: %w", rec.Kind, rec.ID, isg.ErrConflict)
		}
		t.reads[k] = current
	}
	if rec.Version != current {
		return 0, fmt.Errorf("memory: %s %s is at version %d, not %d: %w", rec.Kind, rec.ID, current, rec.Version, isg.ErrConflict)
	}
	staged := records.Clone(rec)
	staged.Version = current + 1
	t.writes[k] = &staged
	return staged.Version, nil
}

func (t *tx) Find(ctx context.Context, kind isg.Kind, key isg.IndexKey, page isg.Page) ([]isg.Record, error) {
	if page.Limit < 0 {
		return nil, fmt.Errorf("memory: negative page limit: %w", isg.ErrInvalid)
	}
	staged := records.Staged(t.writes, kind)
	ik := keyOf(key)
	t.s.mu.RLock()
	var ids []string
	var bodies []isg.Record
	if tb := t.s.kinds[kind]; tb != nil {
		all := tb.index[ik]
		start := sort.SearchStrings(all, page.After)
		if start < len(all) && all[start] == page.After {
			start++
		}
		// Staged writes can both add and hide IDs, so take enough committed IDs to fill the page
		// after the merge.
		end := len(all)
		if page.Limit > 0 && start+page.Limit+len(staged) < end {
			end = start + page.Limit + len(staged)
		}
		ids = all[start:end]
		bodies = make([]isg.Record, 0, len(ids))
		for _, id := range ids {
			if _, over := staged[id]; over {
				continue
			}
			r := tb.recs[id]
			bodies = append(bodies, isg.Record{Kind: kind, ID: id, Version: r.version, Body: slices.Clone(r.body), Keys: slices.Clone(r.keys)})
		}
	}
	t.s.mu.RUnlock()
	if len(staged) > 0 {
		for id, w := range staged {
			if id > page.After && records.HoldsKey(w.Keys, key) {
				bodies = append(bodies, records.Clone(*w))
			}
		}
		slices.SortFunc(bodies, func(a, b isg.Record) int {
			switch {
			case a.ID < b.ID:
				return -1
			case a.ID > b.ID:
				return 1
			}
			return 0
		})
	}
	if page.Limit > 0 && len(bodies) > page.Limit {
		bodies = bodies[:page.Limit]
	}
	return bodies, nil
}

func (t *tx) Count(ctx context.Context, kind isg.Kind, key isg.IndexKey) (int, error) {
	staged := records.Staged(t.writes, kind)
	ik := keyOf(key)
	t.s.mu.RLock()
	n := 0
	var committed []string
	if tb := t.s.kinds[kind]; tb != nil {
		committed = tb.index[ik]
		n = len(committed)
	}
	for id, w := range staged {
		_, was := slices.BinarySearch(committed, id)
		switch now := records.HoldsKey(w.Keys, key); {
		case now && !was:
			n++
		case !now && was:
			n--
		}
	}
	t.s.mu.RUnlock()
	return n, nil
}

// Dump returns a copy of every committed record, by kind and ID: for tests that compare a whole
// store before and after, and for debugging.
func (s *Store) Dump() map[isg.Kind]map[string]isg.Record {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[isg.Kind]map[string]isg.Record, len(s.kinds))
	for kind, tb := range s.kinds {
		m := make(map[string]isg.Record, len(tb.recs))
		for id, r := range tb.recs {
			m[id] = isg.Record{Kind: kind, ID: id, Version: r.version, Body: slices.Clone(r.body), Keys: slices.Clone(r.keys)}
		}
		out[kind] = m
	}
	return out
}

var _ isg.VersionReader = (*Store)(nil)

// Version implements isg.VersionReader: the committed version of a record, 0 when absent.
func (s *Store) Version(_ context.Context, kind isg.Kind, id string) (int64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.versionLocked(rkey{Kind: kind, ID: id}), nil
}

// Package memory is the embedded default Store: every record in process memory, nothing on disk.
//
// It is complete and concurrency-safe, and its units of work are real transactions: a unit stages
// its writes privately and commits them all at once, or none. Concurrency control is optimistic,
// and an Update is serializable as the isg.Store contract asks: a unit records the version of
// every record it reads (by Get, or returned by Find) or writes, and for every index key it lists
// (Find) or counts (Count) the number of the last commit that made a record enter or leave that
// key, as it saw it. At commit, under the store's write lock, it fails with isg.ErrConflict if any
// of them changed meanwhile; an Update that wrote nothing is checked the same way, under the read
// lock. The check of a listing is by key, not by page: a record entering or leaving a listed key
// is a conflict even outside the page a Find read, which is conservative, never wrong. Adding a
// record to a key no unit listed conflicts with nothing, and a rewrite that keeps a record's keys
// is no change to them.
//
// No lock is held while a unit runs, so units never wait for each other; the price is that a View
// is not a snapshot: each read sees the latest commit, so two reads in one View may straddle a
// commit, and nothing is checked when a View ends. Commands, which must be consistent, run in
// Update and are checked.
//
// The Store implements isg.VersionReader and isg.ChangeCounter; the Tx implements isg.Deleter,
// isg.VersionFinder and isg.EncodedPutter. Use the store for tests, examples, sandboxes and hosts
// that keep state elsewhere; data is lost when the process ends. Index lookups (Find, Count) cost
// O(log n) in the records of the kind plus the page.
package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/internal/records"
)

// Store is an in-memory isg.Store. The zero value is not usable; call New.
type Store struct {
	mu    sync.RWMutex
	kinds map[isg.Kind]*table
	// commits counts the commits that wrote something. Every index key carries the count at the
	// last commit that changed its membership, which is how a unit that listed the key knows at
	// commit whether it still answers the same. It moves only under the write lock, before the
	// commit's writes are applied, and is atomic so that Changes (isg.ChangeCounter) reads it
	// without the lock: the writes become readable only when the lock is let go.
	commits atomic.Uint64
}

var _ isg.Store = (*Store)(nil)

type table struct {
	// recs holds each record as the unit that wrote it staged it: the store owns a staged
	// record's body and keys (records.Stage copied them) and nothing changes one once staged,
	// so a commit keeps the staged record itself rather than copying it again.
	recs   map[string]*isg.Record
	index  map[indexKey]*posting // its members, by key
	unique map[indexKey]string   // the holder of a unique key
}

// posting is the members of one index key of one kind. It exists only while the key has members:
// a key without any has no posting, and reads as changed at commit 0.
type posting struct {
	ids []string // sorted
	// changed is Store.commits as of the commit that last made a record enter or leave the key.
	// Commit numbers are never reused, so a unit that saw changed = n (n > 0) and finds it n
	// still has seen the same members, even if the key emptied and filled again meanwhile; and
	// a unit that saw no posting (0) and finds none saw no members and there are none.
	changed uint64
}

// New returns an empty store.
func New() *Store { return &Store{kinds: map[isg.Kind]*table{}} }

// indexKey is an index key's name and value, uniqueness aside: a map key built without
// allocating, which a concatenated string was not (one allocation per key of every read and
// written record).
type indexKey struct{ name, value string }

func keyOf(k isg.IndexKey) indexKey { return indexKey{k.Name, k.Value} }

// table returns the table for kind, creating it; callers hold the write lock.
func (s *Store) table(kind isg.Kind) *table {
	t := s.kinds[kind]
	if t == nil {
		t = &table{recs: map[string]*isg.Record{}, index: map[indexKey]*posting{}, unique: map[indexKey]string{}}
		s.kinds[kind] = t
	}
	return t
}

// Update implements isg.Store. fn runs without any lock held; at commit, under the store's write
// lock, the unit fails with an error matching isg.ErrConflict if a record it read or wrote is no
// longer at the version it saw, or a record entered or left an index key it listed; otherwise its
// writes are applied. A unit that wrote nothing is checked the same way, under the read lock.
func (s *Store) Update(ctx context.Context, fn func(isg.Tx) error) error {
	return s.run(ctx, true, fn)
}

// View implements isg.Store. fn reads the latest committed state at each call; nothing is checked
// when it ends, so two reads may straddle a commit.
func (s *Store) View(ctx context.Context, fn func(isg.Tx) error) error {
	return s.run(ctx, false, fn)
}

func (s *Store) run(ctx context.Context, writable bool, fn func(isg.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := &tx{s: s, writable: writable}
	// A panic in fn propagates before commit, so nothing staged is ever applied.
	if err := fn(t); err != nil {
		return err
	}
	if !writable || t.writes.Len()+t.reads.Len()+len(t.listed) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if t.writes.Len() == 0 {
		s.mu.RLock()
		defer s.mu.RUnlock()
		return s.validateLocked(t)
	}
	return s.commit(t)
}

// rkey names a record.
type rkey = records.Key

// listing names an index key of a kind that a unit listed.
type listing struct {
	kind isg.Kind
	key  indexKey
}

// validateLocked checks that everything t read is as it saw it; callers hold a lock.
func (s *Store) validateLocked(t *tx) error {
	for k, seen := range t.reads.All() {
		if s.versionLocked(k) != seen {
			return fmt.Errorf("memory: %s %s changed since read: %w", k.Kind, k.ID, isg.ErrConflict)
		}
	}
	for l, seen := range t.listed {
		if s.changedLocked(l) != seen {
			return fmt.Errorf("memory: a %s entered or left index key %s=%q since it was listed: %w", l.kind, l.key.name, l.key.value, isg.ErrConflict)
		}
	}
	return nil
}

func (s *Store) commit(t *tx) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.validateLocked(t); err != nil {
		return err
	}
	// Unique keys: no other record may hold a key a written record claims, unless that other
	// record is itself rewritten (or deleted) in this unit without it.
	var claimed map[rkey]map[indexKey]string // most units claim no unique key: made on the first
	for k, rec := range t.writes.All() {
		for _, ik := range rec.Keys {
			if !ik.Unique {
				continue
			}
			if claimed == nil {
				claimed = map[rkey]map[indexKey]string{}
			}
			uk := keyOf(ik)
			byKind := claimed[rkey{Kind: k.Kind}]
			if byKind == nil {
				byKind = map[indexKey]string{}
				claimed[rkey{Kind: k.Kind}] = byKind
			}
			if other, dup := byKind[uk]; dup && other != k.ID {
				return fmt.Errorf("memory: unique %s %q claimed twice: %w", ik.Name, ik.Value, isg.ErrConflict)
			}
			byKind[uk] = k.ID
			if tb := s.kinds[k.Kind]; tb != nil {
				if holder, ok := tb.unique[uk]; ok && holder != k.ID {
					if w, rewritten := t.writes.Get(rkey{Kind: k.Kind, ID: holder}); !rewritten || records.HoldsKey(w.Keys, ik) {
						return fmt.Errorf("memory: unique %s %q is held by %s: %w", ik.Name, ik.Value, holder, isg.ErrConflict)
					}
				}
			}
		}
	}
	commit := s.commits.Add(1)
	// Every old key goes before any new one is added, so that a unique key can move between
	// records written in the same unit.
	for k, rec := range t.writes.All() {
		tb := s.table(k.Kind)
		if old := tb.recs[k.ID]; old != nil {
			for _, ik := range old.Keys {
				if !records.HoldsKey(rec.Keys, ik) {
					tb.unindex(ik, k.ID, commit)
				} else if ik.Unique && tb.unique[keyOf(ik)] == k.ID {
					delete(tb.unique, keyOf(ik)) // kept as a key, perhaps no longer unique
				}
			}
		}
	}
	for k, rec := range t.writes.All() {
		tb := s.table(k.Kind)
		if t.deleted[k] {
			delete(tb.recs, k.ID)
			continue
		}
		var oldKeys []isg.IndexKey
		if old := tb.recs[k.ID]; old != nil {
			oldKeys = old.Keys
		}
		tb.recs[k.ID] = rec
		for _, ik := range rec.Keys {
			tb.addIndex(ik, k.ID, !records.HoldsKey(oldKeys, ik), commit)
		}
	}
	return nil
}

// addIndex makes id a member of k, marking the key changed at commit when id enters it; it
// records a unique key's holder either way.
func (tb *table) addIndex(k isg.IndexKey, id string, enters bool, commit uint64) {
	ik := keyOf(k)
	if enters {
		p := tb.index[ik]
		if p == nil {
			p = &posting{}
			tb.index[ik] = p
		}
		switch n := len(p.ids); {
		case n == 0 || p.ids[n-1] < id:
			// Past the last: IDs are time-ordered (UUIDv7, a log's sequence), so a new record's
			// usually is, and one comparison does for a search of the whole posting.
			p.ids = append(p.ids, id)
			p.changed = commit
		default:
			if i, found := slices.BinarySearch(p.ids, id); !found {
				p.ids = slices.Insert(p.ids, i, id)
				p.changed = commit
			}
		}
	}
	if k.Unique {
		tb.unique[ik] = id
	}
}

// unindex removes id from k, marking the key changed at commit; a key left without members
// loses its posting (see posting).
func (tb *table) unindex(k isg.IndexKey, id string, commit uint64) {
	ik := keyOf(k)
	if p := tb.index[ik]; p != nil {
		if i, found := slices.BinarySearch(p.ids, id); found {
			p.ids = slices.Delete(p.ids, i, i+1)
			p.changed = commit
			if len(p.ids) == 0 {
				delete(tb.index, ik)
			}
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
			return r.Version
		}
	}
	return 0
}

// changedLocked returns the commit that last changed the members of a listed key, 0 when it has
// none; callers hold a lock.
func (s *Store) changedLocked(l listing) uint64 {
	if tb := s.kinds[l.kind]; tb != nil {
		if p := tb.index[l.key]; p != nil {
			return p.changed
		}
	}
	return 0
}

// tx is one unit of work: reads holds the version of every record read or written as first seen
// (0: absent), listed the change mark of every index key listed as first seen, writes the staged
// records, deleted the staged deletes among them.
type tx struct {
	s        *Store
	writable bool
	reads    records.Map[int64]
	listed   map[listing]uint64
	writes   records.Map[*isg.Record]
	deleted  map[rkey]bool
}

var (
	_           isg.Deleter       = (*tx)(nil)
	_           isg.EncodedPutter = (*tx)(nil)
	errReadOnly                   = fmt.Errorf("memory: write in a read-only unit of work: %w", isg.ErrInvalid)
)

// observeListing records the change mark of the key a Find or Count listed, unless the unit
// listed it before; callers hold the read lock.
func (t *tx) observeListing(tb *table, kind isg.Kind, ik indexKey) {
	if !t.writable {
		return // a View is never checked
	}
	l := listing{kind: kind, key: ik}
	if _, seen := t.listed[l]; seen {
		return
	}
	var changed uint64
	if tb != nil {
		if p := tb.index[ik]; p != nil {
			changed = p.changed
		}
	}
	if t.listed == nil {
		t.listed = map[listing]uint64{}
	}
	t.listed[l] = changed
}

// Get implements isg.Tx.
func (t *tx) Get(ctx context.Context, kind isg.Kind, id string) (isg.Record, error) {
	k := rkey{Kind: kind, ID: id}
	if w, ok := t.writes.Get(k); ok {
		if t.deleted[k] {
			return isg.Record{}, fmt.Errorf("memory: %s %s is deleted in this unit of work: %w", kind, id, isg.ErrNotFound)
		}
		return records.Clone(*w), nil
	}
	t.s.mu.RLock()
	var rec isg.Record
	var found bool
	if tb := t.s.kinds[kind]; tb != nil {
		if r := tb.recs[id]; r != nil {
			rec, found = records.Clone(*r), true
		}
	}
	t.s.mu.RUnlock()
	records.Observe(&t.reads, k, rec.Version)
	if !found {
		return isg.Record{}, fmt.Errorf("memory: %s %s: %w", kind, id, isg.ErrNotFound)
	}
	return rec, nil
}

// Put implements isg.Tx. The body must be one JSON value (isg.ErrInvalid otherwise), as for the
// SQL adapters, so that code tested on memory behaves the same on them.
func (t *tx) Put(ctx context.Context, rec isg.Record) (int64, error) {
	if err := t.writableFor(rec); err != nil {
		return 0, err
	}
	if err := records.CheckBody("memory", rec); err != nil {
		return 0, err
	}
	return t.stage(rec)
}

// PutEncoded implements isg.EncodedPutter: Put without the check that the body is JSON.
func (t *tx) PutEncoded(ctx context.Context, rec isg.Record) (int64, error) {
	if err := t.writableFor(rec); err != nil {
		return 0, err
	}
	return t.stage(rec)
}

// writableFor refuses a Put in a View and one of a record without a kind or an ID.
func (t *tx) writableFor(rec isg.Record) error {
	if !t.writable {
		return errReadOnly
	}
	if rec.Kind == "" || rec.ID == "" {
		return fmt.Errorf("memory: Put needs a kind and an ID: %w", isg.ErrInvalid)
	}
	return nil
}

// stage checks rec's version against what the unit knows and stages a copy of it.
func (t *tx) stage(rec isg.Record) (int64, error) {
	return records.Stage("memory", &t.reads, &t.writes, t.deleted, rec, t.stored(rkey{Kind: rec.Kind, ID: rec.ID}))
}

// Delete implements isg.Deleter.
func (t *tx) Delete(ctx context.Context, kind isg.Kind, id string, version int64) error {
	if !t.writable {
		return errReadOnly
	}
	if t.deleted == nil {
		t.deleted = map[rkey]bool{}
	}
	k := rkey{Kind: kind, ID: id}
	return records.StageDelete("memory", &t.reads, &t.writes, t.deleted, k, version, t.stored(k))
}

// stored returns the committed version of the record k names, for records.Stage.
func (t *tx) stored(k rkey) func() (int64, error) {
	return func() (int64, error) {
		t.s.mu.RLock()
		defer t.s.mu.RUnlock()
		return t.s.versionLocked(k), nil
	}
}

// Find implements isg.Tx. The records it returns join the unit's read set, and the key joins its
// listings: both are checked at commit.
func (t *tx) Find(ctx context.Context, kind isg.Kind, key isg.IndexKey, page isg.Page) ([]isg.Record, error) {
	return find(t, kind, key, page, func(id string, version int64, body []byte, keys []isg.IndexKey) isg.Record {
		return isg.Record{Kind: kind, ID: id, Version: version, Body: slices.Clone(body), Keys: slices.Clone(keys)}
	}, func(r isg.Record) (string, int64) { return r.ID, r.Version })
}

var _ isg.VersionFinder = (*tx)(nil)

// FindVersions implements isg.VersionFinder: Find without copying bodies or keys, which is most
// of a Find's cost and allocation for a caller that has decoded the records before.
func (t *tx) FindVersions(ctx context.Context, kind isg.Kind, key isg.IndexKey, page isg.Page) ([]isg.RecordVersion, error) {
	return find(t, kind, key, page, func(id string, version int64, _ []byte, _ []isg.IndexKey) isg.RecordVersion {
		return isg.RecordVersion{ID: id, Version: version}
	}, func(r isg.RecordVersion) (string, int64) { return r.ID, r.Version })
}

// find answers Find and FindVersions alike: answer makes what each caller returns of a record (the
// committed one's body and keys are the store's: answer copies what it keeps), and named reads
// its ID and version back.
func find[T any](t *tx, kind isg.Kind, key isg.IndexKey, page isg.Page,
	answer func(id string, version int64, body []byte, keys []isg.IndexKey) T, named func(T) (string, int64)) ([]T, error) {
	if page.Limit < 0 {
		return nil, fmt.Errorf("memory: negative page limit: %w", isg.ErrInvalid)
	}
	staged := records.Staged(&t.writes, kind)
	ik := keyOf(key)
	t.s.mu.RLock()
	var out []T
	tb := t.s.kinds[kind]
	t.observeListing(tb, kind, ik)
	if tb != nil {
		var all []string
		if p := tb.index[ik]; p != nil {
			all = p.ids
		}
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
		ids := all[start:end]
		out = make([]T, 0, len(ids))
		for _, id := range ids {
			if _, over := staged[id]; over {
				continue
			}
			r := tb.recs[id]
			out = append(out, answer(id, r.Version, r.Body, r.Keys))
		}
	}
	t.s.mu.RUnlock()
	if len(staged) > 0 {
		for id, w := range staged {
			if id > page.After && records.HoldsKey(w.Keys, key) {
				out = append(out, answer(id, w.Version, w.Body, w.Keys))
			}
		}
		slices.SortFunc(out, func(a, b T) int {
			ia, _ := named(a)
			ib, _ := named(b)
			return cmp.Compare(ia, ib)
		})
	}
	if page.Limit > 0 && len(out) > page.Limit {
		out = out[:page.Limit]
	}
	if t.writable {
		for _, r := range out {
			// The unit's own writes are in its read set already, at the version it read.
			id, version := named(r)
			records.Observe(&t.reads, rkey{Kind: kind, ID: id}, version)
		}
	}
	return out, nil
}

// Count implements isg.Tx. The key joins the unit's listings, checked at commit.
func (t *tx) Count(ctx context.Context, kind isg.Kind, key isg.IndexKey) (int, error) {
	staged := records.Staged(&t.writes, kind)
	ik := keyOf(key)
	t.s.mu.RLock()
	n := 0
	var committed []string
	tb := t.s.kinds[kind]
	t.observeListing(tb, kind, ik)
	if tb != nil {
		if p := tb.index[ik]; p != nil {
			committed = p.ids
		}
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
			m[id] = records.Clone(*r)
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

var _ isg.ChangeCounter = (*Store)(nil)

// Changes implements isg.ChangeCounter: the number of commits that wrote something, which the
// Gateway's Can compares to skip asking again for versions it confirmed when nothing has
// committed since.
func (s *Store) Changes() uint64 { return s.commits.Load() }

var _ isg.VersionReader = (*tx)(nil)

// Version implements isg.VersionReader inside a unit of work: the version of the record as the
// unit sees it (its own staged write's, else the committed one; 0 when absent or deleted), which
// joins the unit's read set like a Get but copies nothing. The Gateway's permission check and its
// decoded-record caches use it to skip records they have decoded before.
func (t *tx) Version(_ context.Context, kind isg.Kind, id string) (int64, error) {
	k := rkey{Kind: kind, ID: id}
	if w, ok := t.writes.Get(k); ok {
		if t.deleted[k] {
			return 0, nil
		}
		return w.Version, nil
	}
	t.s.mu.RLock()
	v := t.s.versionLocked(k)
	t.s.mu.RUnlock()
	records.Observe(&t.reads, k, v)
	return v, nil
}

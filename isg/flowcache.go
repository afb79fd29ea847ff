package isg

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg/directory"
)

// decodedCache keeps records already decoded, each with the store version it was decoded from
// and, for logged aggregates, the snapshot the transaction log diffs against. A record at a
// version never changes, so a unit that reads a version it has seen skips decoding (most of a
// command's cost) and a diff against it skips encoding the old value. Callers get deep copies,
// so nothing they do reaches the cache, except readers that take the shared value itself (peek).
// An entry is never changed once stored (put stores a new one), so a shared value stays what it
// was after the entry is replaced.
type decodedCache[T any] struct {
	mu      sync.RWMutex
	entries map[string]*decoded[T]
	clone   func(T) T
}

type decoded[T any] struct {
	version  int64
	value    T
	snapshot agreement.Snapshot
	hasSnap  bool
	// Where an entry a unit wrote goes once the unit commits (committed), set by saveLogged.
	cache *decodedCache[T]
	id    string
}

// committed caches an entry its unit wrote, now that the unit has committed.
func (e *decoded[T]) committed() { e.cache.store(e.id, e, nil) }

// decodedCacheCap bounds each cache; past it, it starts afresh, which costs only re-decoding.
const decodedCacheCap = 50_000

func newDecodedCache[T any](clone func(T) T) *decodedCache[T] {
	return &decodedCache[T]{entries: map[string]*decoded[T]{}, clone: clone}
}

// get returns a copy of the value decoded from the given version of the record.
func (c *decodedCache[T]) get(id string, version int64) (T, bool) {
	c.mu.RLock()
	e, ok := c.entries[id]
	c.mu.RUnlock()
	if !ok || e.version != version {
		var zero T
		return zero, false
	}
	return c.clone(e.value), true
}

// peek returns the value decoded from the given version itself, not a copy: only for a caller
// that never changes it (nor anything it points to).
func (c *decodedCache[T]) peek(id string, version int64) (*T, bool) {
	c.mu.RLock()
	e, ok := c.entries[id]
	c.mu.RUnlock()
	if !ok || e.version != version {
		return nil, false
	}
	return &e.value, true
}

// snapshot returns the log snapshot of the given version of the record, if one was kept.
func (c *decodedCache[T]) snapshot(id string, version int64) (agreement.Snapshot, bool) {
	c.mu.RLock()
	e, ok := c.entries[id]
	c.mu.RUnlock()
	if !ok || e.version != version || !e.hasSnap {
		return agreement.Snapshot{}, false
	}
	return e.snapshot, true
}

// put remembers v as the record's value at version, with its log snapshot when snap is set. An
// older version never replaces a newer one.
func (c *decodedCache[T]) put(id string, version int64, v T, snap *agreement.Snapshot) {
	c.store(id, &decoded[T]{version: version, value: c.clone(v)}, snap)
}

// store keeps e, a value no caller holds, unless the cache has a newer version.
func (c *decodedCache[T]) store(id string, e *decoded[T], snap *agreement.Snapshot) *decoded[T] {
	if snap != nil {
		e.snapshot, e.hasSnap = *snap, true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= decodedCacheCap {
		c.entries = map[string]*decoded[T]{}
	}
	if old, ok := c.entries[id]; !ok || old.version <= e.version {
		c.entries[id] = e
	}
	return e
}

// decode decodes a record, reusing the value decoded before from the same version.
func (c *decodedCache[T]) decode(r Record) (T, error) {
	if v, ok := c.get(r.ID, r.Version); ok {
		return v, nil
	}
	var v T
	if err := json.Unmarshal(r.Body, &v); err != nil {
		return v, fmt.Errorf("isg: decoding %s %s: %w", r.Kind, r.ID, err)
	}
	c.put(r.ID, r.Version, v, nil)
	return v, nil
}

// decodeShared is decode for a caller that takes the shared value (see peek): a version not
// decoded before is decoded into the entry the cache keeps, with no copy.
func (c *decodedCache[T]) decodeShared(r Record) (*T, error) {
	if v, ok := c.peek(r.ID, r.Version); ok {
		return v, nil
	}
	e := &decoded[T]{version: r.Version}
	if err := json.Unmarshal(r.Body, &e.value); err != nil {
		return nil, fmt.Errorf("isg: decoding %s %s: %w", r.Kind, r.ID, err)
	}
	return &c.store(r.ID, e, nil).value, nil
}

// loadCached reads a record through the unit and decodes it through the cache. Where the unit can
// read versions (VersionReader on the Tx), a version seen before is not even read from the store.
func loadCached[T any](u *uow, c *decodedCache[T], kind Kind, id string) (T, int64, error) {
	x, v, found, err := lookupCached(u, c, kind, id, false)
	if err == nil && !found {
		err = notFound(kind, id)
	}
	return x, v, err
}

// lookupCached is loadCached for a record that may well not exist: found is false, with no
// error, when it does not. With shared set a cached value is returned itself, not a copy: only for
// a caller that neither changes nor keeps it.
func lookupCached[T any](u *uow, c *decodedCache[T], kind Kind, id string, shared bool) (T, int64, bool, error) {
	get := c.get
	if shared {
		get = func(id string, version int64) (T, bool) {
			if p, ok := c.peek(id, version); ok {
				return *p, true
			}
			var zero T
			return zero, false
		}
	}
	var zero T
	// Not for a record the unit wrote: the version it reads may be its own staged one, which a
	// cached value of another unit's commit could share.
	if vr, ok := u.tx.(VersionReader); ok && !u.wrote(kind, id) {
		v, err := vr.Version(u.ctx, kind, id)
		if err != nil {
			return zero, 0, false, err
		}
		if v == 0 {
			return zero, 0, false, nil
		}
		if x, ok := get(id, v); ok {
			return x, v, true, nil
		}
	}
	rec, err := u.tx.Get(u.ctx, kind, id)
	if err != nil {
		if isNotFound(err) {
			return zero, 0, false, nil
		}
		return zero, 0, false, err
	}
	if u.wrote(kind, id) {
		// The unit is reading its own uncommitted write: use the cache, never fill it.
		if x, ok := c.get(id, rec.Version); ok {
			return x, rec.Version, true, nil
		}
		var x T
		if err := json.Unmarshal(rec.Body, &x); err != nil {
			return x, 0, false, fmt.Errorf("isg: decoding %s %s: %w", kind, id, err)
		}
		return x, rec.Version, true, nil
	}
	x, err := c.decode(rec)
	return x, rec.Version, err == nil, err
}

func notFound(kind Kind, id string) error { return directory.NotFound(string(kind), id) }

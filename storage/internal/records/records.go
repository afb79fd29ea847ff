// Package records holds what every store adapter of the module does the same way with a unit of
// work's staged records: naming them, finding those of a kind, comparing index keys and copying
// records so that callers never share memory with the store.
package records

import (
	"fmt"
	"slices"

	"github.com/isgkit/gateway/isg"
)

// Key names a record: its kind and ID.
type Key struct {
	Kind isg.Kind
	ID   string
}

// Staged returns the staged records of one kind, by ID, or nil when there are none.
func Staged(writes map[Key]*isg.Record, kind isg.Kind) map[string]*isg.Record {
	var out map[string]*isg.Record
	for k, w := range writes {
		if k.Kind == kind {
			if out == nil {
				out = map[string]*isg.Record{}
			}
			out[k.ID] = w
		}
	}
	return out
}

// HoldsKey reports whether keys hold k's name and value (uniqueness aside).
func HoldsKey(keys []isg.IndexKey, k isg.IndexKey) bool {
	return slices.ContainsFunc(keys, func(x isg.IndexKey) bool { return x.Name == k.Name && x.Value == k.Value })
}

// Clone copies a record's body and keys.
func Clone(r isg.Record) isg.Record {
	r.Body = slices.Clone(r.Body)
	r.Keys = slices.Clone(r.Keys)
	return r
}

// DedupKeys returns the distinct (name, value) pairs of keys in order, each unique if any of its
// copies is: a record listing a key twice holds it once.
func DedupKeys(keys []isg.IndexKey) []isg.IndexKey {
	out := make([]isg.IndexKey, 0, len(keys))
	for _, k := range keys {
		if i := slices.IndexFunc(out, func(x isg.IndexKey) bool { return x.Name == k.Name && x.Value == k.Value }); i >= 0 {
			out[i].Unique = out[i].Unique || k.Unique
			continue
		}
		out = append(out, k)
	}
	return out
}

// Observe records the version a unit's read saw, unless the unit read the record before: the
// first read is what the commit checks.
func Observe(reads map[Key]int64, k Key, version int64) {
	if _, seen := reads[k]; !seen {
		reads[k] = version
	}
}

// Stage stages rec in writes at the version after the one the unit knows for the record — its
// own earlier Put, else its read, else stored(), which is then recorded as a read — and returns
// that new version. A rec.Version other than the known one fails with an error matching
// isg.ErrConflict, named by adapter; the commit checks the version again.
func Stage(adapter string, reads map[Key]int64, writes map[Key]*isg.Record, rec isg.Record, stored func() (int64, error)) (int64, error) {
	k := Key{Kind: rec.Kind, ID: rec.ID}
	var current int64
	if w, ok := writes[k]; ok {
		current = w.Version
	} else if seen, ok := reads[k]; ok {
		current = seen
	} else {
		v, err := stored()
		if err != nil {
			return 0, err
		}
		current = v
		reads[k] = current
	}
	if rec.Version != current {
		return 0, fmt.Errorf("%s: %s %s is at version %d, not %d: %w", adapter, rec.Kind, rec.ID, current, rec.Version, isg.ErrConflict)
	}
	staged := Clone(rec)
	staged.Version = current + 1
	writes[k] = &staged
	return staged.Version, nil
}

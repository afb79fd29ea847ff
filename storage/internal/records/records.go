// Package records holds what every store adapter of the module does the same way with a unit of
// work's staged records: naming them, finding those of a kind, comparing index keys and copying
// records so that callers never share memory with the store.
package records

import (
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

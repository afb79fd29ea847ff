// Package records holds what every store adapter of the module does the same way with a unit of
// work's staged records: naming them, finding those of a kind, comparing index keys and copying
// records so that callers never share memory with the store.
package records

import (
	"bytes"
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
func Staged(writes *Map[*isg.Record], kind isg.Kind) map[string]*isg.Record {
	var out map[string]*isg.Record
	for k, w := range writes.All() {
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
func Observe(reads *Map[int64], k Key, version int64) {
	if _, seen := reads.Get(k); !seen {
		reads.Set(k, version)
	}
}

// Stage stages rec in writes at the version after the one the unit knows for the record — its
// own earlier Put, else its read, else stored(), which is then recorded as a read — and returns
// that new version. A rec.Version other than the known one fails with an error matching
// isg.ErrConflict, named by adapter; the commit checks the version again. A record the unit
// deleted (in deleted, which may be nil) cannot be Put again: isg.ErrInvalid.
func Stage(adapter string, reads *Map[int64], writes *Map[*isg.Record], deleted map[Key]bool, rec isg.Record, stored func() (int64, error)) (int64, error) {
	k := Key{Kind: rec.Kind, ID: rec.ID}
	if deleted[k] {
		return 0, fmt.Errorf("%s: %s %s is deleted in this unit of work and cannot be Put: %w", adapter, rec.Kind, rec.ID, isg.ErrInvalid)
	}
	current, err := known(reads, writes, k, stored)
	if err != nil {
		return 0, err
	}
	if rec.Version != current {
		return 0, fmt.Errorf("%s: %s %s is at version %d, not %d: %w", adapter, rec.Kind, rec.ID, current, rec.Version, isg.ErrConflict)
	}
	staged := stage(rec)
	staged.Version = current + 1
	writes.Set(k, staged)
	return staged.Version, nil
}

// stage returns a copy of rec for a unit's writes, with its keys in the record's own allocation
// when they are few (a log entry's one, a flow's handful): a write staged costs its body's copy
// and one allocation more, not two. A store keeps the staged record as it is, so a record with
// fewer keys than its room keeps the rest of the room (at most 7 keys, 280 bytes) unused.
func stage(rec isg.Record) *isg.Record {
	switch n := len(rec.Keys); {
	case n == 0 || n > len(withKeys8{}.keys):
		r := Clone(rec)
		return &r
	case n <= len(withKeys2{}.keys):
		w := &withKeys2{rec: rec}
		w.rec.Body, w.rec.Keys = slices.Clone(rec.Body), w.keys[:copy(w.keys[:], rec.Keys):n]
		return &w.rec
	default:
		w := &withKeys8{rec: rec}
		w.rec.Body, w.rec.Keys = slices.Clone(rec.Body), w.keys[:copy(w.keys[:], rec.Keys):n]
		return &w.rec
	}
}

// withKeys2 and withKeys8 are a staged record and the room for its keys.
type (
	withKeys2 struct {
		rec  isg.Record
		keys [2]isg.IndexKey
	}
	withKeys8 struct {
		rec  isg.Record
		keys [8]isg.IndexKey
	}
)

// StageDelete stages the delete of the record k names, which the caller read at version: in
// writes as a tombstone (the record with no keys and no body, so that listings merging the
// unit's writes leave it out) and in deleted. The version is checked as Stage checks it, against
// what the unit knows or else stored(), recorded as a read, so the commit checks it again. It
// fails with isg.ErrInvalid when the unit already wrote the record (Put or Delete), with
// isg.ErrNotFound when the record does not exist, and with isg.ErrConflict when it is not at
// version.
func StageDelete(adapter string, reads *Map[int64], writes *Map[*isg.Record], deleted map[Key]bool, k Key, version int64, stored func() (int64, error)) error {
	if _, written := writes.Get(k); written {
		return fmt.Errorf("%s: %s %s is already written in this unit of work and cannot be deleted: %w", adapter, k.Kind, k.ID, isg.ErrInvalid)
	}
	current, err := known(reads, writes, k, stored)
	switch {
	case err != nil:
		return err
	case current == 0:
		return fmt.Errorf("%s: delete %s %s: %w", adapter, k.Kind, k.ID, isg.ErrNotFound)
	case version != current:
		return fmt.Errorf("%s: delete %s %s: at version %d, not %d: %w", adapter, k.Kind, k.ID, current, version, isg.ErrConflict)
	}
	writes.Set(k, &isg.Record{Kind: k.Kind, ID: k.ID, Version: current})
	deleted[k] = true
	return nil
}

// known returns the version the unit knows of k: its own staged write's, else its read's, else
// stored(), which is then recorded as a read.
func known(reads *Map[int64], writes *Map[*isg.Record], k Key, stored func() (int64, error)) (int64, error) {
	if w, ok := writes.Get(k); ok {
		return w.Version, nil
	}
	if seen, ok := reads.Get(k); ok {
		return seen, nil
	}
	v, err := stored()
	if err != nil {
		return 0, err
	}
	reads.Set(k, v)
	return v, nil
}

// MembershipChanges calls f for every index key (name and value; Unique false) that a record
// enters or leaves when its keys go from old to new: the symmetric difference of the two sets.
// A key both hold, uniqueness aside, is no change, however often either lists it.
func MembershipChanges(old, new []isg.IndexKey, f func(k isg.IndexKey)) {
	for i, k := range old {
		if !HoldsKey(new, k) && !HoldsKey(old[:i], k) {
			f(isg.IndexKey{Name: k.Name, Value: k.Value})
		}
	}
	for i, k := range new {
		if !HoldsKey(old, k) && !HoldsKey(new[:i], k) {
			f(isg.IndexKey{Name: k.Name, Value: k.Value})
		}
	}
}

// CheckBody refuses, with an error matching isg.ErrInvalid named by adapter, a body that is not
// exactly one JSON value in UTF-8 (RFC 8259; surrounding whitespace allowed). Every adapter refuses the
// same bodies, so a host that tests on one store is not surprised by another: the SQL adapters
// keep bodies in JSON columns a host queries, and the memory store refuses them too for one
// contract. Valid UTF-8 too: encoding/json passes other bytes in strings, which PostgreSQL
// refuses.
func CheckBody(adapter string, rec isg.Record) error {
	if !validJSON(rec.Body) {
		return fmt.Errorf("%s: body of %s %s is not a JSON value: %w", adapter, rec.Kind, rec.ID, isg.ErrInvalid)
	}
	return nil
}

// HasNULEscape reports whether a valid JSON text holds a string with the escape \u0000, which a
// PostgreSQL jsonb value cannot hold (its strings are text, and text has no NUL). Only an escape
// preceded by an even number of backslashes is one: `\\u0000` is a backslash and "u0000".
func HasNULEscape(body []byte) bool {
	for i := 0; ; {
		j := bytes.Index(body[i:], []byte(`\u0000`))
		if j < 0 {
			return false
		}
		j += i
		n := 0
		for k := j - 1; k >= 0 && body[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return true
		}
		i = j + 1
	}
}

package storagetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/isgkit/gateway/isg"
)

// ErrInjected is the error a Faulty store returns from the store call it was told to fail.
var ErrInjected = errors.New("storagetest: injected store fault")

// Faulty wraps a Store and fails one chosen store call: the nth call of Get, Put (or
// PutEncoded), Find, Count or Delete after FailAt(n), counted across units of work. The failing
// call never reaches the wrapped store; it returns an error matching ErrInjected, as a dropped
// connection or a full disk would surface in the middle of a unit. Everything else passes
// through unchanged.
//
// RunGateway uses it to fail every store call of a Gateway command in turn and check that the
// command leaves nothing behind; it is exported so that a host can do the same to its own code
// built on a Gateway. A Faulty also remembers every record and index key ever written through it
// (attempted, committed or not; a deleted record counts as written): RunGateway's all-or-nothing
// check reads exactly those back.
//
// A Faulty is an isg.Store and nothing more: optional capabilities of the wrapped store (such as
// isg.VersionReader) are hidden, so the Gateway takes the paths that go through units of work,
// which are what it counts and fails. Of the optional capabilities of a unit of work, isg.Deleter
// is offered exactly when the wrapped store's Tx offers it, so that the Gateway deletes through it
// and its Deletes are counted and failed too; isg.EncodedPutter is always offered, so that the
// Gateway writes as it does on a real adapter, and each PutEncoded counts and fails as a Put
// (reaching the wrapped Tx's PutEncoded, or its Put where it has none). It is safe for
// concurrent use, but counting "the nth call" is only meaningful when one goroutine drives it.
type Faulty struct {
	store  isg.Store
	calls  atomic.Int64
	failAt atomic.Int64
	fired  atomic.Bool
	// firedOp is the operation (Get, Put, Find, Count, Delete) of the failed call.
	firedOp atomic.Value

	mu sync.Mutex
	// written and indexed hold every record and index key ever Put (or record Deleted) through
	// the Faulty; the attempt sets hold those since the last FailAt.
	written, attemptWritten map[ref]bool
	indexed, attemptIndexed map[indexRef]bool
}

var _ isg.Store = (*Faulty)(nil)

// ref names one record.
type ref struct {
	kind isg.Kind
	id   string
}

// indexRef names one index key of one kind.
type indexRef struct {
	kind        isg.Kind
	name, value string
}

// NewFaulty wraps s. It fails nothing until FailAt is called.
func NewFaulty(s isg.Store) *Faulty {
	return &Faulty{store: s, written: map[ref]bool{}, attemptWritten: map[ref]bool{},
		indexed: map[indexRef]bool{}, attemptIndexed: map[indexRef]bool{}}
}

// FailAt makes the nth store call from now fail with ErrInjected; 0 fails nothing. It restarts
// the count, clears Fired and starts a new attempt: the records and keys written from now on.
func (f *Faulty) FailAt(n int) {
	f.calls.Store(0)
	f.failAt.Store(int64(n))
	f.fired.Store(false)
	f.mu.Lock()
	f.attemptWritten, f.attemptIndexed = map[ref]bool{}, map[indexRef]bool{}
	f.mu.Unlock()
}

// Fired reports whether the call chosen by FailAt has been made (and failed) since.
func (f *Faulty) Fired() bool { return f.fired.Load() }

// firedAt returns the operation of the call that failed, "" if none did.
func (f *Faulty) firedAt() string {
	op, _ := f.firedOp.Load().(string)
	if !f.Fired() {
		return ""
	}
	return op
}

// Calls reports how many store calls were made since the last FailAt.
func (f *Faulty) Calls() int { return int(f.calls.Load()) }

// Update implements isg.Store: the wrapped store's Update, with fn's Tx counted and failed.
func (f *Faulty) Update(ctx context.Context, fn func(isg.Tx) error) error {
	return f.store.Update(ctx, func(tx isg.Tx) error { return fn(f.wrap(tx)) })
}

// View implements isg.Store: the wrapped store's View, with fn's Tx counted and failed.
func (f *Faulty) View(ctx context.Context, fn func(isg.Tx) error) error {
	return f.store.View(ctx, func(tx isg.Tx) error { return fn(f.wrap(tx)) })
}

// wrap returns tx counted and failed, an isg.Deleter when tx is one.
func (f *Faulty) wrap(tx isg.Tx) isg.Tx {
	ft := &faultyTx{Tx: tx, f: f}
	if d, ok := tx.(isg.Deleter); ok {
		return &faultyDeleterTx{faultyTx: ft, d: d}
	}
	return ft
}

type faultyTx struct {
	isg.Tx
	f *Faulty
}

// faultyDeleterTx is a faultyTx over a Tx that can delete.
type faultyDeleterTx struct {
	*faultyTx
	d isg.Deleter
}

var _ isg.Deleter = (*faultyDeleterTx)(nil)

// Delete implements isg.Deleter. The record is remembered as written even when the call fails.
func (t *faultyDeleterTx) Delete(ctx context.Context, kind isg.Kind, id string, version int64) error {
	t.f.remember(isg.Record{Kind: kind, ID: id})
	if err := t.tick("Delete"); err != nil {
		return err
	}
	return t.d.Delete(ctx, kind, id, version)
}

func (t *faultyTx) tick(op string) error {
	n := t.f.calls.Add(1)
	if at := t.f.failAt.Load(); at != 0 && n == at {
		t.f.fired.Store(true)
		t.f.firedOp.Store(op)
		return fmt.Errorf("%s, store call %d: %w", op, n, ErrInjected)
	}
	return nil
}

// Get implements isg.Tx.
func (t *faultyTx) Get(ctx context.Context, kind isg.Kind, id string) (isg.Record, error) {
	if err := t.tick("Get"); err != nil {
		return isg.Record{}, err
	}
	return t.Tx.Get(ctx, kind, id)
}

// Put implements isg.Tx. The record and its keys are remembered even when the call fails: a
// store must not keep any of them then either.
func (t *faultyTx) Put(ctx context.Context, rec isg.Record) (int64, error) {
	if err := t.write(rec); err != nil {
		return 0, err
	}
	return t.Tx.Put(ctx, rec)
}

// PutEncoded implements isg.EncodedPutter: a Put, counted and failed as one.
func (t *faultyTx) PutEncoded(ctx context.Context, rec isg.Record) (int64, error) {
	if err := t.write(rec); err != nil {
		return 0, err
	}
	return putEncoded(ctx, t.Tx, rec)
}

// write remembers rec as written and counts its Put, failing it when it is the chosen call.
func (t *faultyTx) write(rec isg.Record) error {
	t.f.remember(rec)
	return t.tick("Put")
}

// putEncoded is tx's PutEncoded, or its Put where it offers no isg.EncodedPutter.
func putEncoded(ctx context.Context, tx isg.Tx, rec isg.Record) (int64, error) {
	if p, ok := tx.(isg.EncodedPutter); ok {
		return p.PutEncoded(ctx, rec)
	}
	return tx.Put(ctx, rec)
}

// Find implements isg.Tx.
func (t *faultyTx) Find(ctx context.Context, kind isg.Kind, key isg.IndexKey, page isg.Page) ([]isg.Record, error) {
	if err := t.tick("Find"); err != nil {
		return nil, err
	}
	return t.Tx.Find(ctx, kind, key, page)
}

// Count implements isg.Tx.
func (t *faultyTx) Count(ctx context.Context, kind isg.Kind, key isg.IndexKey) (int, error) {
	if err := t.tick("Count"); err != nil {
		return 0, err
	}
	return t.Tx.Count(ctx, kind, key)
}

func (f *Faulty) remember(rec isg.Record) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := ref{rec.Kind, rec.ID}
	f.written[r], f.attemptWritten[r] = true, true
	for _, k := range rec.Keys {
		ik := indexRef{rec.Kind, k.Name, k.Value}
		f.indexed[ik], f.attemptIndexed[ik] = true, true
	}
}

// writtenOf returns the records of kind written since the last FailAt, in ID order.
func (f *Faulty) writtenOf(kind isg.Kind) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for r := range f.attemptWritten {
		if r.kind == kind {
			ids = append(ids, r.id)
		}
	}
	slices.Sort(ids)
	return ids
}

// universe returns every record and index key ever written (all), or those written since the
// last FailAt.
func (f *Faulty) universe(all bool) (map[ref]bool, map[indexRef]bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if all {
		return maps.Clone(f.written), maps.Clone(f.indexed)
	}
	return maps.Clone(f.attemptWritten), maps.Clone(f.attemptIndexed)
}

// state is what a store holds of some records and index keys, read through its public interface:
// each record asked for whole (absent ones are missing from recs), and each index key's listing
// and count.
type state struct {
	asked  map[ref]bool
	recs   map[ref]isg.Record
	finds  map[indexRef][]isg.Record
	counts map[indexRef]int
}

// read reads the records and index keys named, in one View of the wrapped store (not counted).
// The index keys the records hold are read too, so an index entry a failed unit added or removed
// under a key the record itself still holds is seen.
func (f *Faulty) read(ctx context.Context, recs map[ref]bool, keys map[indexRef]bool) (state, error) {
	st := state{asked: recs, recs: map[ref]isg.Record{}, finds: map[indexRef][]isg.Record{}, counts: map[indexRef]int{}}
	keys = maps.Clone(keys)
	err := f.store.View(ctx, func(tx isg.Tx) error {
		for r := range recs {
			got, err := tx.Get(ctx, r.kind, r.id)
			switch {
			case errors.Is(err, isg.ErrNotFound):
				continue
			case err != nil:
				return err
			}
			st.recs[r] = got
			for _, k := range got.Keys {
				keys[indexRef{r.kind, k.Name, k.Value}] = true
			}
		}
		for k := range keys {
			ik := isg.IndexKey{Name: k.name, Value: k.value}
			found, err := tx.Find(ctx, k.kind, ik, isg.Page{})
			if err != nil {
				return err
			}
			n, err := tx.Count(ctx, k.kind, ik)
			if err != nil {
				return err
			}
			st.finds[k], st.counts[k] = found, n
		}
		return nil
	})
	return st, err
}

// diff describes how now differs from before over what now was read for; "" when it does not. A
// record or index key before was not read for had never been written when before was read (before
// covers everything written until then), so it must be absent, or list nothing, now.
func (before state) diff(now state) string {
	var out []string
	for r := range now.asked {
		want, had := before.recs[r]
		got, has := now.recs[r]
		switch {
		case !had && has:
			out = append(out, fmt.Sprintf("%s %s exists (version %d), and did not before", r.kind, r.id, got.Version))
		case had && !has:
			out = append(out, fmt.Sprintf("%s %s (version %d) is gone", r.kind, r.id, want.Version))
		case had && !sameRecord(want, got):
			out = append(out, fmt.Sprintf("%s %s changed: version %d → %d", r.kind, r.id, want.Version, got.Version))
		}
	}
	for k, got := range now.finds {
		want := before.finds[k]
		if !slices.EqualFunc(want, got, sameRecord) || before.counts[k] != now.counts[k] {
			out = append(out, fmt.Sprintf("index %s %s=%q lists %v (count %d), not %v (count %d)",
				k.kind, k.name, k.value, idsOf(got), now.counts[k], idsOf(want), before.counts[k]))
		}
	}
	slices.Sort(out)
	if len(out) > 12 {
		out = append(out[:12], fmt.Sprintf("… and %d more", len(out)-12))
	}
	if len(out) == 0 {
		return ""
	}
	return fmt.Sprint(out)
}

func sameRecord(a, b isg.Record) bool {
	return a.Kind == b.Kind && a.ID == b.ID && a.Version == b.Version && SameJSON(a.Body, b.Body) &&
		slices.EqualFunc(sortedKeys(a.Keys), sortedKeys(b.Keys), func(x, y isg.IndexKey) bool { return x == y })
}

func sortedKeys(ks []isg.IndexKey) []isg.IndexKey {
	ks = slices.Clone(ks)
	slices.SortFunc(ks, func(x, y isg.IndexKey) int {
		return cmp.Or(strings.Compare(x.Name, y.Name), strings.Compare(x.Value, y.Value), compareBool(x.Unique, y.Unique))
	})
	return ks
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

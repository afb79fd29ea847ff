package storagetest

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/isgkit/gateway/isg"
)

// Recording is a Store that keeps a copy of the latest version of every record its committed
// units of work wrote, so that a test can see everything a Gateway stored without a query of its
// own: to copy the records into a database of an older schema and migrate it, to validate every
// body against its kind's JSON Schema, or to work out in Go what an SQL query must answer.
type Recording struct {
	store isg.Store
	mu    sync.Mutex
	recs  map[recKey]isg.Record
}

type recKey struct {
	kind isg.Kind
	id   string
}

// NewRecording wraps s. Units of work run on s as before; a Tx keeps s's Tx's isg.Deleter and
// isg.VersionReader, when it has them, and offers isg.EncodedPutter (s's Tx's, or its Put where
// it has none), so a Gateway over a Recording behaves as over s.
func NewRecording(s isg.Store) *Recording { return &Recording{store: s, recs: map[recKey]isg.Record{}} }

// Update implements isg.Store: s's Update, remembering what the unit wrote once it commits.
func (r *Recording) Update(ctx context.Context, fn func(isg.Tx) error) error {
	var staged []isg.Record
	err := r.store.Update(ctx, func(tx isg.Tx) error {
		staged = staged[:0] // a unit the store runs again starts afresh
		return fn(wrapRecording(tx, &staged))
	})
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rec := range staged {
		k := recKey{rec.Kind, rec.ID}
		if rec.Body == nil { // deleted
			delete(r.recs, k)
			continue
		}
		r.recs[k] = rec
	}
	return nil
}

// View implements isg.Store.
func (r *Recording) View(ctx context.Context, fn func(isg.Tx) error) error {
	return r.store.View(ctx, fn)
}

// Records returns the records committed so far, by kind and then ID, at their stored versions.
func (r *Recording) Records() []isg.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]isg.Record, 0, len(r.recs))
	for _, rec := range r.recs {
		out = append(out, isg.Record{Kind: rec.Kind, ID: rec.ID, Version: rec.Version,
			Body: slices.Clone(rec.Body), Keys: slices.Clone(rec.Keys)})
	}
	slices.SortFunc(out, func(a, b isg.Record) int { return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.ID, b.ID)) })
	return out
}

type recordingTx struct {
	isg.Tx
	staged *[]isg.Record
}

func (t *recordingTx) Put(ctx context.Context, rec isg.Record) (int64, error) {
	v, err := t.Tx.Put(ctx, rec)
	t.keep(rec, v, err)
	return v, err
}

func (t *recordingTx) PutEncoded(ctx context.Context, rec isg.Record) (int64, error) {
	v, err := putEncoded(ctx, t.Tx, rec)
	t.keep(rec, v, err)
	return v, err
}

// keep stages a copy of rec, at version v, when its Put succeeded (err is nil).
func (t *recordingTx) keep(rec isg.Record, v int64, err error) {
	if err == nil {
		*t.staged = append(*t.staged, isg.Record{Kind: rec.Kind, ID: rec.ID, Version: v,
			Body: slices.Clone(rec.Body), Keys: slices.Clone(rec.Keys)})
	}
}

type recordingDeleterTx struct {
	*recordingTx
	d isg.Deleter
}

func (t *recordingDeleterTx) Delete(ctx context.Context, kind isg.Kind, id string, version int64) error {
	err := t.d.Delete(ctx, kind, id, version)
	if err == nil {
		*t.staged = append(*t.staged, isg.Record{Kind: kind, ID: id})
	}
	return err
}

type recordingVersionTx struct {
	*recordingDeleterTx
	vr isg.VersionReader
}

func (t *recordingVersionTx) Version(ctx context.Context, kind isg.Kind, id string) (int64, error) {
	return t.vr.Version(ctx, kind, id)
}

// wrapRecording keeps the optional interfaces of tx that the Gateway looks for. Every adapter
// of the module offers both; a Tx with VersionReader but no Deleter is not wrapped as one.
func wrapRecording(tx isg.Tx, staged *[]isg.Record) isg.Tx {
	rt := &recordingTx{Tx: tx, staged: staged}
	d, ok := tx.(isg.Deleter)
	if !ok {
		return rt
	}
	dt := &recordingDeleterTx{recordingTx: rt, d: d}
	if vr, ok := tx.(isg.VersionReader); ok {
		return &recordingVersionTx{recordingDeleterTx: dt, vr: vr}
	}
	return dt
}

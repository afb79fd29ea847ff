package storagetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
)

// testEncodedPutter checks the optional isg.EncodedPutter where the store's Tx offers it: with
// every Put made through PutEncoded instead, Put's cases pass unchanged — copies, versions,
// conflicts, unique keys, all or nothing, a unit's own writes, index replacement, counts and the
// refusal in a View — and a \u0000 escape, the one string a store may refuse in valid JSON, is
// kept or refused exactly as Put keeps or refuses it. Only JSONBodies' refusals are left out: a
// body PutEncoded is given is JSON by its caller's word. The cases share the store, each under
// kinds of its own.
func testEncodedPutter(t *testing.T, s isg.Store) {
	if !offers[isg.EncodedPutter](t, s) {
		t.Log("the store's Tx does not offer the optional isg.EncodedPutter; nothing to check")
		return
	}
	for _, c := range []testCase{
		{"RoundTrip", testRoundTrip},
		{"PutCopies", testPutCopies},
		{"PutVersions", testPutVersions},
		{"UniqueKeys", testUniqueKeys},
		{"AllOrNothing", testAllOrNothing},
		{"OwnWrites", testOwnWrites},
		{"IndexReplacement", testIndexReplacement},
		{"Count", testCount},
		{"ViewRejectsPut", testViewRejectsPut},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, viaPutEncoded{s: s, prefix: isg.Kind("encoded-" + c.name + "-")}) })
	}

	t.Run("NULEscape", func(t *testing.T) {
		ctx := context.Background()
		nul := rec("value", "nul", 0, `{"s":"a\u0000b"}`)
		outcome := func(put func(isg.Tx, isg.Record) (int64, error), kind isg.Kind) error {
			r := nul
			r.Kind = kind
			return s.Update(ctx, func(tx isg.Tx) error {
				_, err := put(tx, r)
				return err
			})
		}
		byPut := outcome(func(tx isg.Tx, r isg.Record) (int64, error) { return tx.Put(ctx, r) }, "encoded-nul-put")
		byEncoded := outcome(func(tx isg.Tx, r isg.Record) (int64, error) { return tx.(isg.EncodedPutter).PutEncoded(ctx, r) }, "encoded-nul")
		assert.Equal(t, byPut == nil, byEncoded == nil, "Put: %v; PutEncoded: %v", byPut, byEncoded)
		if byEncoded != nil {
			require.ErrorIs(t, byEncoded, isg.ErrInvalid)
			requireAbsent(t, s, "encoded-nul", "nul")
		} else {
			got := mustGet(t, s, "encoded-nul", "nul")
			assert.True(t, SameJSON(nul.Body, got.Body), "kept as the same value: %s", got.Body)
		}
	})
}

// viaPutEncoded is s with every Put made through PutEncoded, and every kind prefixed: records
// named alike by two cases stay apart in the one store.
type viaPutEncoded struct {
	s      isg.Store
	prefix isg.Kind
}

func (v viaPutEncoded) Update(ctx context.Context, fn func(isg.Tx) error) error {
	return v.s.Update(ctx, func(tx isg.Tx) error { return fn(encodedTx{tx, v.prefix}) })
}

func (v viaPutEncoded) View(ctx context.Context, fn func(isg.Tx) error) error {
	return v.s.View(ctx, func(tx isg.Tx) error { return fn(encodedTx{tx, v.prefix}) })
}

type encodedTx struct {
	tx     isg.Tx
	prefix isg.Kind
}

func (t encodedTx) Get(ctx context.Context, kind isg.Kind, id string) (isg.Record, error) {
	r, err := t.tx.Get(ctx, t.prefix+kind, id)
	return t.unprefixed(r), err
}

func (t encodedTx) Put(ctx context.Context, rec isg.Record) (int64, error) {
	p, ok := t.tx.(isg.EncodedPutter)
	if !ok {
		return 0, errors.New("storagetest: the Tx stopped offering isg.EncodedPutter")
	}
	if rec.Kind != "" {
		rec.Kind = t.prefix + rec.Kind
	}
	return p.PutEncoded(ctx, rec)
}

func (t encodedTx) Find(ctx context.Context, kind isg.Kind, key isg.IndexKey, page isg.Page) ([]isg.Record, error) {
	recs, err := t.tx.Find(ctx, t.prefix+kind, key, page)
	for i := range recs {
		recs[i] = t.unprefixed(recs[i])
	}
	return recs, err
}

func (t encodedTx) Count(ctx context.Context, kind isg.Kind, key isg.IndexKey) (int, error) {
	return t.tx.Count(ctx, t.prefix+kind, key)
}

func (t encodedTx) unprefixed(r isg.Record) isg.Record {
	r.Kind = isg.Kind(strings.TrimPrefix(string(r.Kind), string(t.prefix)))
	return r
}

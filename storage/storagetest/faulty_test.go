package storagetest

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/memory"
)

// leakyStore breaks the Store contract the way the all-or-nothing case exists to catch: when fn
// fails, it commits the Puts fn made before failing instead of none.
type leakyStore struct{ *memory.Store }

func (s leakyStore) Update(ctx context.Context, fn func(isg.Tx) error) error {
	var failed error
	err := s.Store.Update(ctx, func(tx isg.Tx) error {
		failed = fn(tx)
		return nil
	})
	if err != nil {
		return err
	}
	return failed
}

// TestFaultyCatchesPartialWrites checks the checker: on a store that keeps half a unit of work,
// the comparison the all-or-nothing case makes after an injected failure reports the records
// written before it; on a correct store it reports nothing.
func TestFaultyCatchesPartialWrites(t *testing.T) {
	tests := []struct {
		name  string
		store isg.Store
		leaks bool
	}{
		{"leaky", leakyStore{memory.New()}, true},
		{"correct", memory.New(), false},
	}
	register := func(w *world, a isg.UserID) error {
		_, err := w.g.RegisterOrganisation(w.ctx, isg.Actor{User: a}, isg.RegisterOrganisationInput{Name: "X", Category: isg.CategoryCharity,
			Address: isg.Address{Line1: "1", Town: "T", Postcode: "LS1 1AA"}, ContactEmail: "x@x.org", ODSCode: "X12"})
		return err
	}
	// RegisterOrganisation's last store call is the Put of the user with the new role, after the
	// organisation was staged. Count the calls on a world of its own, to fail the last one below.
	probe := NewFaulty(memory.New())
	pw := newWorld(t, probe)
	pa := pw.user("a@north.gov.uk")
	probe.FailAt(0)
	require.NoError(t, register(pw, pa))
	last := probe.Calls()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFaulty(tt.store)
			w := newWorld(t, f)
			a := w.user("a@north.gov.uk")
			all, keys := f.universe(true)
			before, err := f.read(w.ctx, all, keys)
			require.NoError(t, err)
			f.FailAt(last)
			require.ErrorIs(t, register(w, a), ErrInjected)
			require.Equal(t, "Put", f.firedAt())
			recs, keys := f.universe(false)
			after, err := f.read(w.ctx, recs, keys)
			require.NoError(t, err)
			if tt.leaks {
				require.Contains(t, before.diff(after), "organisation")
				require.Contains(t, before.diff(after), "index organisation ods=\"X12\"")
			} else {
				require.Empty(t, before.diff(after))
			}
		})
	}
}

// plainStore is a Store whose units of work offer nothing beyond isg.Tx.
type plainStore struct{ isg.Store }

type plainTx struct{ isg.Tx }

func (s plainStore) Update(ctx context.Context, fn func(isg.Tx) error) error {
	return s.Store.Update(ctx, func(tx isg.Tx) error { return fn(plainTx{tx}) })
}

// TestFaultyDelete checks that a Faulty offers isg.Deleter exactly when the wrapped store's Tx
// does, and that a Delete is a store call like any other: counted, failed when chosen, and its
// record remembered as written.
func TestFaultyDelete(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	putAll(t, s, rec("msg", "m1", 0, `{}`, key("status", "sent")))
	f := NewFaulty(s)
	deleteM1 := func() error {
		return f.Update(ctx, func(tx isg.Tx) error {
			r, err := tx.Get(ctx, "msg", "m1")
			if err != nil {
				return err
			}
			return deleteIn(ctx, tx, "msg", "m1", r.Version)
		})
	}
	f.FailAt(2)
	require.ErrorIs(t, deleteM1(), ErrInjected)
	require.Equal(t, "Delete", f.firedAt())
	require.Equal(t, []string{"m1"}, f.writtenOf("msg"))
	mustGet(t, s, "msg", "m1")
	f.FailAt(0)
	require.NoError(t, deleteM1())
	require.Equal(t, 2, f.Calls())
	requireAbsent(t, s, "msg", "m1")

	require.NoError(t, NewFaulty(plainStore{s}).Update(ctx, func(tx isg.Tx) error {
		if _, ok := tx.(isg.Deleter); ok {
			return errors.New("a Faulty over a Tx without Delete offers Delete")
		}
		return nil
	}))
}

// plainTxStore is a memory store whose units offer nothing beyond isg.Tx.
type plainTxStore struct{ *memory.Store }

func (s plainTxStore) Update(ctx context.Context, fn func(isg.Tx) error) error {
	return s.Store.Update(ctx, func(tx isg.Tx) error { return fn(struct{ isg.Tx }{tx}) })
}

// TestFaultyCountsPutEncodedAsAPut: the Gateway writes through PutEncoded wherever a Tx offers
// it, so a Faulty offers it too and counts and fails each one as a Put; over a Tx without it, the
// call is the wrapped Tx's Put, which checks the body.
func TestFaultyCountsPutEncodedAsAPut(t *testing.T) {
	ctx := context.Background()
	putEncoded := func(f *Faulty, body string) error {
		return f.Update(ctx, func(tx isg.Tx) error {
			_, err := tx.(isg.EncodedPutter).PutEncoded(ctx, isg.Record{Kind: "org", ID: "a", Body: []byte(body)})
			return err
		})
	}
	f := NewFaulty(memory.New())
	f.FailAt(1)
	require.ErrorIs(t, putEncoded(f, `{}`), ErrInjected)
	require.Equal(t, "Put", f.firedAt())
	require.Equal(t, []string{"a"}, f.writtenOf("org"), "the record is remembered as written")
	f.FailAt(0)
	require.NoError(t, putEncoded(f, `{}`))
	require.Equal(t, 1, f.Calls())

	plain := NewFaulty(plainTxStore{memory.New()})
	require.ErrorIs(t, putEncoded(plain, `{"a":`), isg.ErrInvalid, "Put's check, as the wrapped Tx has no PutEncoded")
	require.NoError(t, putEncoded(plain, `{}`))
}

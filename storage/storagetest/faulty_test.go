package storagetest

import (
	"context"
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
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFaulty(tt.store)
			w := newWorld(t, f)
			a := w.user("a@north.gov.uk")
			all, keys := f.universe(true)
			before, err := f.read(w.ctx, all, keys)
			require.NoError(t, err)
			// RegisterOrganisation: Get the user, Count the ODS code, Put the organisation, Put
			// the user with the new role. Fail the last: the organisation was already staged.
			f.FailAt(4)
			_, err = w.g.RegisterOrganisation(w.ctx, isg.Actor{User: a}, isg.RegisterOrganisationInput{Name: "X", Category: isg.CategoryCharity,
				Address: isg.Address{Line1: "1", Town: "T", Postcode: "LS1 1AA"}, ContactEmail: "x@x.org", ODSCode: "X12"})
			require.ErrorIs(t, err, ErrInjected)
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

package licensing_test

import (
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	"github.com/isgkit/gateway/licensing"
)

// LIC-1: whatever sequence of allocations and revocations a contract sees, no more than its
// capacity are ever active, an allocation is refused for capacity exactly when the contract is
// full, and a refused command leaves the contract as it was.
func TestProperty_LIC1_CapacityNeverExceeded(t *testing.T) {
	rules := licensing.NewRules()
	rapid.Check(t, func(t *rapid.T) {
		c, _, err := licensing.NewContract(licensing.ContractInput{
			Org: org(0), Group: "g", Term: licensing.Period{Start: year(0), End: year(1)}, Price: decimal.New(100, 0),
			Capacity: rapid.IntRange(1, 8).Draw(t, "capacity"),
		}, contractID(1), t0)
		if err != nil {
			t.Fatal(err)
		}
		nextID := 1
		steps := rapid.IntRange(1, 60).Draw(t, "steps")
		for range steps {
			before := c
			if len(c.Licences) > 0 && rapid.Bool().Draw(t, "revoke") {
				l := c.Licences[rapid.IntRange(0, len(c.Licences)-1).Draw(t, "which")]
				c, _, err = rules.Revoke(c, l.ID, t0)
				if (err == nil) != (l.Status == licensing.LicenceActive) {
					t.Fatalf("revoke of a %s licence: err = %v", l.Status, err)
				}
			} else {
				o := org(rapid.IntRange(1, 12).Draw(t, "org"))
				kind := rapid.SampledFrom([]licensing.Kind{licensing.Group, licensing.DPIA}).Draw(t, "kind")
				full := c.InUse() >= c.Capacity
				c, _, _, err = rules.Allocate(c, o, kind, false, t0, licID(nextID))
				nextID++
				var e *licensing.Error
				if full && err == nil {
					t.Fatalf("allocated into a full contract (%d of %d)", before.InUse(), before.Capacity)
				}
				if errors.As(err, &e) && e.Code == licensing.CodeAllocationLimit && !full {
					t.Fatalf("refused for capacity with %d of %d in use", before.InUse(), before.Capacity)
				}
			}
			if err != nil && len(c.Licences) != len(before.Licences) {
				t.Fatalf("a refused command changed the contract")
			}
			if c.InUse() > c.Capacity {
				t.Fatalf("LIC-1: %d licences active, capacity %d", c.InUse(), c.Capacity)
			}
		}
	})
}

// LIC-6: a renewal is accepted exactly when its price is at most the previous price × 1.05
// rounded half-up to pence. The oracle works in integer pence, independent of decimal.
func TestProperty_LIC6_RenewalCap(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		prevPence := rapid.Int64Range(0, 100_000_000_000).Draw(t, "prev_pence")
		capPence := (prevPence*105 + 50) / 100 // half-up on non-negative integers
		nextPence := rapid.OneOf(
			rapid.Int64Range(0, 2*capPence+2),
			rapid.Int64Range(capPence-1, capPence+1).Filter(func(p int64) bool { return p >= 0 }),
		).Draw(t, "next_pence")
		prev, next := decimal.New(prevPence, -2), decimal.New(nextPence, -2)

		if got := licensing.MaxRenewalPrice(prev); !got.Equal(decimal.New(capPence, -2)) {
			t.Fatalf("MaxRenewalPrice(%s) = %s, want %d pence", prev, got, capPence)
		}
		c, _, err := licensing.NewContract(licensing.ContractInput{
			Org: org(0), Group: "g", Term: licensing.Period{Start: year(0), End: year(1)}, Price: prev,
		}, contractID(1), t0)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = c.Renew(next, licensing.Period{Start: year(1), End: year(2)}, t0)
		overLimit := next.GreaterThan(decimal.New(1_000_000_000, 0))
		switch {
		case overLimit:
			if !errors.Is(err, licensing.ErrInvalid) {
				t.Fatalf("price %s beyond the range: err = %v", next, err)
			}
		case nextPence <= capPence && err != nil:
			t.Fatalf("renewal %s after %s refused: %v", next, prev, err)
		case nextPence > capPence && !errors.Is(err, licensing.ErrRule):
			t.Fatalf("renewal %s after %s (cap %d pence) accepted or mis-refused: %v", next, prev, capPence, err)
		}
	})
}

// LIC-5: an entitlement never outlives its contract: at any moment outside every active term it
// is Free, whatever was allocated.
func TestProperty_LIC5_NoEntitlementOutsideActiveContract(t *testing.T) {
	rules := licensing.NewRules()
	rapid.Check(t, func(t *rapid.T) {
		c, _, err := licensing.NewContract(licensing.ContractInput{
			Org: org(0), Group: "g", Term: licensing.Period{Start: year(0), End: year(1)}, Price: decimal.New(1, 0),
		}, contractID(1), t0)
		if err != nil {
			t.Fatal(err)
		}
		for i := range rapid.IntRange(0, 5).Draw(t, "licences") {
			kind := rapid.SampledFrom([]licensing.Kind{licensing.Group, licensing.DPIA}).Draw(t, "kind")
			if next, _, _, err := rules.Allocate(c, org(1), kind, false, t0, licID(i+1)); err == nil {
				c = next
			}
		}
		if rapid.Bool().Draw(t, "end") {
			if next, _, err := c.End(t0.Add(time.Duration(rapid.IntRange(1, 300).Draw(t, "end_day")) * 24 * time.Hour)); err == nil {
				c = next
			}
		}
		at := t0.Add(time.Duration(rapid.IntRange(-400, 800).Draw(t, "day")) * 24 * time.Hour)
		if ent := licensing.EntitlementFor(org(1), []licensing.Contract{c}, at); !c.Active(at) && ent != licensing.Free {
			t.Fatalf("LIC-5: contract %s at %s but entitlement %s", c.Status(at), at, ent)
		}
	})
}

package licensing_test

import (
	"errors"
	"testing"

	"github.com/isgkit/gateway/licensing"
)

// FuzzRenewalPrice feeds arbitrary text through the path a renewal form takes: ParsePrice for
// both prices, a contract at the first, a renewal at the second. It must never panic or stall;
// every refusal is the module's typed error; an accepted renewal is within the LIC-6 cap and a
// refused valid price is above it.
func FuzzRenewalPrice(f *testing.F) {
	for _, seed := range [][2]string{
		{"100", "105"}, {"100", "105.01"}, {"10.10", "10.61"}, {"10.10", "10.62"}, {"0", "0"}, {"0", "0.01"},
		{"999999999.99", "1000000000"}, {"1e3", "1050"}, {"-1", "1"}, {"1.005", "1"}, {"1e-9999", "1e9999"},
		{"", "x"}, {"£5", "5"}, {"0.000000000000000000001", "1"}, {"10.500000", "11.03"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, prevText, nextText string) {
		prev, perr := licensing.ParsePrice(prevText)
		next, nerr := licensing.ParsePrice(nextText)
		for _, err := range []error{perr, nerr} {
			var e *licensing.Error
			if err != nil && (!errors.As(err, &e) || !errors.Is(err, licensing.ErrInvalid)) {
				t.Fatalf("untyped parse error %T: %v", err, err)
			}
		}
		if perr != nil || nerr != nil {
			return
		}
		c, _, err := licensing.NewContract(licensing.ContractInput{
			Org: org(0), Group: "g", Term: licensing.Period{Start: year(0), End: year(1)}, Price: prev,
		}, contractID(1), t0)
		if err != nil {
			t.Fatalf("a parsed price %q is not a valid contract price: %v", prevText, err)
		}
		_, _, err = c.Renew(next, licensing.Period{Start: year(1), End: year(2)}, t0)
		limit := licensing.MaxRenewalPrice(prev)
		switch {
		case err == nil && next.GreaterThan(limit):
			t.Fatalf("LIC-6: renewal %s accepted above the cap %s", next, limit)
		case err != nil && !next.GreaterThan(limit):
			t.Fatalf("renewal %s within the cap %s refused: %v", next, limit, err)
		case err != nil && !errors.Is(err, licensing.ErrRule):
			t.Fatalf("wrong kind of refusal: %v", err)
		}
	})
}

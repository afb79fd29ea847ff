package licensing

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/isgkit/gateway/isg/violation"
)

// Bounds on a price's representation. A decimal carries an arbitrary exponent, and rounding or
// comparing one with an exponent in the millions builds a power of ten that large: a form field of
// "1e-999999999" would stall the process. These bounds are far beyond any real contract price.
const (
	minPriceExponent = -20
	maxPriceExponent = 12
	maxPriceText     = 64
	maxPricePounds   = 1_000_000_000
)

// ParsePrice parses a price in pounds (e.g. "4250.00") as the Gateway receives it from a form or
// API. It returns ErrInvalid with a field error on "price" for text that is not a decimal number,
// is negative, exceeds £1,000,000,000 or is not a whole number of pence. It never panics and its
// cost is bounded whatever the input.
func ParsePrice(s string) (decimal.Decimal, error) {
	if len(s) > maxPriceText {
		return decimal.Decimal{}, violation.Field("price", "format", "", "is too long to be a price")
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, violation.Field("price", "format", "", "must be a decimal number of pounds, e.g. 4250.00")
	}
	if fields := checkPrice("price", d); fields != nil {
		return decimal.Decimal{}, violation.Invalid(fields...)
	}
	return d, nil
}

// checkPrice returns field errors unless d is a usable price: not negative, at most
// maxPricePounds, whole pence. The exponent is checked first so no later step does unbounded work.
func checkPrice(field string, d decimal.Decimal) []FieldError {
	if d.IsZero() {
		return nil
	}
	if exp := d.Exponent(); exp < minPriceExponent || exp > maxPriceExponent {
		return []FieldError{{Field: field, Code: "format", Message: "is not a price in pounds and pence"}}
	}
	switch {
	case d.IsNegative():
		return []FieldError{{Field: field, Code: "dec_gte0", Message: "must not be negative"}}
	case d.GreaterThan(decimal.New(maxPricePounds, 0)):
		return []FieldError{{Field: field, Code: "lte", Message: "must be at most 1000000000"}}
	case !d.Equal(d.Round(2)):
		return []FieldError{{Field: field, Code: "pence", Message: "must be a whole number of pence"}}
	}
	return nil
}

// MaxRenewalPrice returns the highest price a renewal may have after a term priced prev (LIC-6):
// prev × 1.05 rounded to pence, half-up. decimal's Round(2) rounds half away from zero, which is
// half-up for the non-negative prices a contract holds: 10.10 × 1.05 = 10.605 gives 10.61. prev
// is expected to be a valid price (from ParsePrice or a contract); the arithmetic is exact, never
// float.
func MaxRenewalPrice(prev decimal.Decimal) decimal.Decimal {
	return prev.Mul(decimal.New(105, -2)).Round(2)
}

// Renew adds the next term at newPrice (LIC-6). The new term must start when the last one ends
// or later, so a contract is never repriced during a term; a gap between them leaves the contract
// expired (its organisations on the free model) until the new term starts. It returns:
//   - ErrInvalidTransition (CodeContractEnded) if the contract was ended early;
//   - ErrInvalid with field errors for a bad price ("price") or term ("term.start", "term.end");
//   - ErrRule (CodeRenewalOverlap, LIC-6; field "term.start") if the term starts before the last
//     one ends;
//   - ErrRule (CodeRenewalPriceCap, LIC-6; field "price") if newPrice exceeds MaxRenewalPrice of
//     the last term's price.
func (c Contract) Renew(newPrice decimal.Decimal, term Period, now time.Time) (Contract, []Event, error) {
	if !c.EndedAt.IsZero() {
		return c, nil, violation.New(ErrInvalidTransition, CodeContractEnded, "LIC-5", "a contract that was ended cannot be renewed")
	}
	last, ok := c.LastTerm()
	if !ok {
		return c, nil, violation.Field("terms", "required", "", "the contract has no term to renew")
	}
	fields := append(checkPrice("price", newPrice), checkPeriod("term", term)...)
	if len(fields) > 0 {
		return c, nil, violation.Invalid(fields...)
	}
	if term.Start.Before(last.End) {
		msg := "must not be before the current term ends (" + last.End.Format(time.RFC3339) + "): a contract is not repriced during its term"
		return c, nil, &Error{Kind: ErrRule, Code: CodeRenewalOverlap, Rule: "LIC-6", Message: "the renewal term overlaps the current term",
			Fields: []FieldError{{Field: "term.start", Code: "after_current_term", Rule: "LIC-6", Message: msg}}}
	}
	if maxPrice := MaxRenewalPrice(last.Price); newPrice.GreaterThan(maxPrice) {
		msg := "must be at most " + maxPrice.StringFixed(2) + " (previous price " + last.Price.StringFixed(2) + " × 1.05, rounded to pence)"
		return c, nil, &Error{Kind: ErrRule, Code: CodeRenewalPriceCap, Rule: "LIC-6", Message: "the renewal price exceeds the cap",
			Fields: []FieldError{{Field: "price", Code: "max_renewal_price", Rule: "LIC-6", Message: msg}}}
	}
	c.Terms = appendCopy(c.Terms, Term{Period: term, Price: newPrice})
	return c, []Event{{Type: EventContractRenewed, At: now, Contract: c.ID, Org: c.Org}}, nil
}

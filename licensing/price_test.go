package licensing_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/licensing"
)

// LIC-6: the cap is the previous price × 1.05, rounded to pence half-up.
func TestMaxRenewalPrice_LIC6(t *testing.T) {
	tests := []struct{ prev, want string }{
		{"100", "105.00"},
		{"4250.00", "4462.50"},
		{"10.10", "10.61"}, // 10.605: the half-penny rounds up
		{"10.30", "10.82"}, // 10.815
		{"0.10", "0.11"},   // 0.105
		{"0.01", "0.01"},   // 0.0105 rounds down
		{"1234.56", "1296.29"},
		{"0", "0.00"},
		{"999999999.99", "1049999999.99"},
	}
	for _, tt := range tests {
		t.Run(tt.prev, func(t *testing.T) {
			assert.Equal(t, tt.want, licensing.MaxRenewalPrice(price(tt.prev)).StringFixed(2))
		})
	}
}

// LIC-6: renewal price is at most the previous price × 1.05; existing terms are not repriced.
func TestRenew_LIC6(t *testing.T) {
	next := licensing.Period{Start: year(1), End: year(2)}
	tests := []struct {
		name   string
		prev   string
		price  string
		term   licensing.Period
		kind   error
		code   string
		fields []string
	}{
		{name: "exactly 5 % more", prev: "100", price: "105.00", term: next},
		{name: "LIC-6 5 % + 1p is refused", prev: "100", price: "105.01", term: next,
			kind: licensing.ErrRule, code: licensing.CodeRenewalPriceCap, fields: []string{"price"}},
		{name: "the half-penny cap rounds up: 10.10 → 10.61", prev: "10.10", price: "10.61", term: next},
		{name: "LIC-6 10.10 → 10.62 is refused", prev: "10.10", price: "10.62", term: next,
			kind: licensing.ErrRule, code: licensing.CodeRenewalPriceCap, fields: []string{"price"}},
		{name: "a cheaper renewal", prev: "100", price: "80", term: next},
		{name: "a free renewal", prev: "100", price: "0", term: next},
		{name: "after a gap", prev: "100", price: "105", term: licensing.Period{Start: year(2), End: year(3)}},
		{name: "LIC-6 a term overlapping the current one would reprice it", prev: "100", price: "100",
			term: licensing.Period{Start: year(1).Add(-time.Second), End: year(2)},
			kind: licensing.ErrRule, code: licensing.CodeRenewalOverlap, fields: []string{"term.start"}},
		{name: "a term ending before it starts", prev: "100", price: "100",
			term: licensing.Period{Start: year(2), End: year(1)}, kind: licensing.ErrInvalid, code: "invalid_input", fields: []string{"term.end"}},
		{name: "a missing term", prev: "100", price: "100",
			kind: licensing.ErrInvalid, code: "invalid_input", fields: []string{"term.start", "term.end"}},
		{name: "fractions of a penny", prev: "100", price: "100.001", term: next,
			kind: licensing.ErrInvalid, code: "invalid_input", fields: []string{"price"}},
		{name: "a negative price", prev: "100", price: "-1", term: next,
			kind: licensing.ErrInvalid, code: "invalid_input", fields: []string{"price"}},
		{name: "an absurd exponent is refused cheaply", prev: "100", price: "1e-9999", term: next,
			kind: licensing.ErrInvalid, code: "invalid_input", fields: []string{"price"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newContract(t, tt.prev)
			got, events, err := c.Renew(price(tt.price), tt.term, year(1).Add(-time.Hour))
			if tt.kind != nil {
				e := asError(t, err)
				assert.ErrorIs(t, err, tt.kind)
				assert.Equal(t, tt.code, e.Code)
				assert.Equal(t, tt.fields, fieldNames(e))
				if tt.code == licensing.CodeRenewalPriceCap || tt.code == licensing.CodeRenewalOverlap {
					assert.Equal(t, "LIC-6", e.Rule)
					assert.Equal(t, "LIC-6", e.Fields[0].Rule)
				}
				assert.Equal(t, c, got)
				assert.Nil(t, events)
				return
			}
			require.NoError(t, err)
			require.Len(t, got.Terms, 2)
			assert.True(t, got.Terms[0].Price.Equal(price(tt.prev)), "LIC-6: the current term keeps its price")
			assert.True(t, got.Terms[1].Price.Equal(price(tt.price)))
			assert.Len(t, c.Terms, 1, "the receiver is unchanged")
			assert.Equal(t, []licensing.Event{{Type: licensing.EventContractRenewed, At: year(1).Add(-time.Hour), Contract: c.ID, Org: c.Org}}, events)
			during, ok := got.TermAt(year(1).Add(-time.Hour))
			require.True(t, ok)
			assert.True(t, during.Price.Equal(price(tt.prev)), "LIC-6: not repriced during its term")
		})
	}
}

// LIC-6: each renewal is capped against the latest term, not the first.
func TestRenew_LIC6_CapsAgainstLastTerm(t *testing.T) {
	c := newContract(t, "100")
	c, _, err := c.Renew(price("105"), licensing.Period{Start: year(1), End: year(2)}, t0)
	require.NoError(t, err)
	_, _, err = c.Renew(price("110.25"), licensing.Period{Start: year(2), End: year(3)}, t0)
	assert.NoError(t, err, "105 × 1.05 = 110.25")
	_, _, err = c.Renew(price("110.26"), licensing.Period{Start: year(2), End: year(3)}, t0)
	assert.Equal(t, licensing.CodeRenewalPriceCap, asError(t, err).Code)
	_, _, err = c.Renew(price("110"), licensing.Period{Start: year(1).AddDate(0, 6, 0), End: year(3)}, t0)
	assert.Equal(t, licensing.CodeRenewalOverlap, asError(t, err).Code, "must start after the renewal term too")
}

// An exponent no text form can reach is refused before any arithmetic: rounding it would build a
// power of ten with billions of digits.
func TestRenew_ExtremeExponents(t *testing.T) {
	c := newContract(t, "100")
	for _, d := range []decimal.Decimal{decimal.New(1, math.MinInt32), decimal.New(1, math.MaxInt32), decimal.New(-1, math.MinInt32)} {
		_, _, err := c.Renew(d, licensing.Period{Start: year(1), End: year(2)}, t0)
		assert.Equal(t, []string{"price"}, fieldNames(asError(t, err)))
	}
}

func TestRenew_EndedContract(t *testing.T) {
	c := newContract(t, "100")
	ended, _, err := c.End(t0.Add(time.Hour))
	require.NoError(t, err)
	_, _, err = ended.Renew(price("100"), licensing.Period{Start: year(1), End: year(2)}, year(1))
	assert.ErrorIs(t, err, licensing.ErrInvalidTransition)
	assert.Equal(t, licensing.CodeContractEnded, asError(t, err).Code)

	_, _, err = licensing.Contract{}.Renew(price("1"), licensing.Period{Start: year(1), End: year(2)}, t0)
	assert.ErrorIs(t, err, licensing.ErrInvalid, "a zero contract has nothing to renew")
}

func TestParsePrice(t *testing.T) {
	tests := []struct {
		in   string
		want string
		code string
	}{
		{"4250.00", "4250.00", ""},
		{"4250.5", "4250.50", ""},
		{"0", "0.00", ""},
		{"1e3", "1000.00", ""},
		{"10.500000", "10.50", ""},
		{"1000000000", "1000000000.00", ""},
		{"1000000000.01", "", "lte"},
		{"10.005", "", "pence"},
		{"-0.01", "", "dec_gte0"},
		{"", "", "format"},
		{"£10", "", "format"},
		{"ten", "", "format"},
		{"1e-999999999", "", "format"},
		{"1e999999999", "", "format"},
		{"0.000000000000000000000001", "", "format"},
		{strings.Repeat("9", 65), "", "format"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := licensing.ParsePrice(tt.in)
			if tt.code == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got.StringFixed(2))
				return
			}
			e := asError(t, err)
			assert.ErrorIs(t, err, licensing.ErrInvalid)
			require.Len(t, e.Fields, 1)
			assert.Equal(t, "price", e.Fields[0].Field)
			assert.Equal(t, tt.code, e.Fields[0].Code)
		})
	}
}

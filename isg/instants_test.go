package isg_test

import (
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/licensing"
)

// TestFarInstantsAreFieldErrors: every instant a Go caller passes is range-checked (years 1–9999
// in UTC) and refused with a field error naming it, never an untyped internal error or
// log.unencodable (ASR-1, LIC-1, LIC-6, ROLE-5).
func TestFarInstantsAreFieldErrors(t *testing.T) {
	w := newLicensingWorld(t)
	now := w.g.Now()
	year := func(y int) time.Time { return time.Date(y, 6, 1, 0, 0, 0, 0, time.UTC) }
	lastSecond := time.Date(9999, 12, 31, 23, 59, 59, 0, time.FixedZone("-01:00", -3600))
	ca := isg.Actor{User: w.ca}
	lee := isg.Actor{User: w.lee, Org: w.icb}
	tests := []struct {
		name, field string
		run         func() error
	}{
		{"ASR-1: ICO expiry in year 10000", "ico_expires_at", func() error {
			a := significant()
			a.ICOExpiresAt = year(10000)
			_, err := w.g.SubmitAssurance(ctx, lee, a)
			return err
		}},
		{"ASR-1: ICO expiry in year -1", "ico_expires_at", func() error {
			a := significant()
			a.ICOExpiresAt = year(-1)
			_, err := w.g.SubmitAssurance(ctx, lee, a)
			return err
		}},
		{"LIC-1: contract starting in year -1", "term.start", func() error {
			_, err := w.g.CreateContract(ctx, ca, licensing.ContractInput{Org: w.other, Group: "X",
				Term: licensing.Period{Start: year(-1), End: now}, Price: decimal.RequireFromString("10.00")})
			return err
		}},
		{"LIC-1: contract ending in year 10000", "term.end", func() error {
			_, err := w.g.CreateContract(ctx, ca, licensing.ContractInput{Org: w.other, Group: "X",
				Term: licensing.Period{Start: now, End: year(10000)}, Price: decimal.RequireFromString("10.00")})
			return err
		}},
		{"LIC-6: renewal ending in year 10000", "term.end", func() error {
			last, _ := w.contract.LastTerm()
			_, err := w.g.RenewContract(ctx, ca, isg.RenewInput{Contract: w.contract.ID, Price: decimal.RequireFromString("1000.00"),
				Term: licensing.Period{Start: last.End, End: year(10000)}})
			return err
		}},
		{"ROLE-5: delegation ending 9999-12-31T23:59:59-01:00", "ends", func() error {
			_, err := w.g.Delegate(ctx, lee, isg.DelegateInput{To: w.ca, Ends: lastSecond})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			require.Error(t, err)
			var e *isg.Error
			require.True(t, errors.As(err, &e), "a typed error: %v", err)
			assert.True(t, errors.Is(err, isg.ErrInvalid), "%v", err)
			require.NotEmpty(t, e.Fields, "%v", err)
			assert.Equal(t, tt.field, e.Fields[0].Field)
			assert.Equal(t, "instant", e.Fields[0].Code)
		})
	}
}

// TestPureRulesRangeCheckInstants: the pure packages refuse far instants that Go callers build,
// without the Gateway's validation in front of them (LIC-6, ROLE-5).
func TestPureRulesRangeCheckInstants(t *testing.T) {
	w := newLicensingWorld(t)
	last, _ := w.contract.LastTerm()
	_, _, err := w.contract.Renew(decimal.RequireFromString("1000.00"), licensing.Period{Start: last.End, End: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, w.g.Now())
	var e *isg.Error
	require.True(t, errors.As(err, &e), "%v", err)
	require.NotEmpty(t, e.Fields)
	assert.Equal(t, "term.end", e.Fields[0].Field)
	assert.Equal(t, "instant", e.Fields[0].Code)
}

package licensing_test

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/licensing"
)

// t0 is the start of every test contract's first term; terms run for a year.
var t0 = time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)

func year(n int) time.Time { return t0.AddDate(n, 0, 0) }

// uid returns a fixed, non-nil UUID per n so that failures are reproducible.
func uid(n int) uuid.UUID {
	var u uuid.UUID
	u[0] = 0x01
	binary.BigEndian.PutUint64(u[8:], uint64(n))
	return u
}

func org(n int) licensing.OrgID             { return licensing.OrgID{UUID: uid(1_000_000 + n)} }
func user(n int) licensing.UserID           { return licensing.UserID{UUID: uid(2_000_000 + n)} }
func licID(n int) licensing.LicenceID       { return licensing.LicenceID{UUID: uid(3_000_000 + n)} }
func reqID(n int) licensing.RequestID       { return licensing.RequestID{UUID: uid(4_000_000 + n)} }
func contractID(n int) licensing.ContractID { return licensing.ContractID{UUID: uid(5_000_000 + n)} }

func price(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// newContract returns a standard contract for the year from t0 at the given price.
func newContract(t testing.TB, p string) licensing.Contract {
	t.Helper()
	c, _, err := licensing.NewContract(licensing.ContractInput{
		Org:   org(0),
		Group: "North West",
		Term:  licensing.Period{Start: year(0), End: year(1)},
		Price: price(p),
	}, contractID(1), t0)
	require.NoError(t, err)
	return c
}

// asError asserts err is the module's *Error and returns it.
func asError(t testing.TB, err error) *licensing.Error {
	t.Helper()
	require.Error(t, err)
	var e *licensing.Error
	require.True(t, errors.As(err, &e), "want *licensing.Error, got %T: %v", err, err)
	return e
}

// fieldNames lists the fields an error names.
func fieldNames(e *licensing.Error) []string {
	var names []string
	for _, f := range e.Fields {
		names = append(names, f.Field)
	}
	return names
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	require.NoError(t, err)
	return at
}

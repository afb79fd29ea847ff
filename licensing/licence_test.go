package licensing_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/licensing"
)

// fill allocates n group licences to organisations 1..n.
func fill(t testing.TB, rules *licensing.Rules, c licensing.Contract, n int) licensing.Contract {
	t.Helper()
	for i := 1; i <= n; i++ {
		var err error
		c, _, _, err = rules.Allocate(c, org(i), licensing.Group, false, t0, licID(i))
		require.NoError(t, err, "licence %d", i)
	}
	return c
}

// LIC-1: a standard contract gives 100 licences; allocating a 101st is refused.
func TestAllocate_LIC1_101stRefused(t *testing.T) {
	rules := licensing.NewRules()
	c := fill(t, rules, newContract(t, "100"), licensing.StandardCapacity)
	require.Equal(t, 100, c.InUse())

	got, l, events, err := rules.Allocate(c, org(101), licensing.Group, false, t0, licID(101))
	e := asError(t, err)
	assert.ErrorIs(t, err, licensing.ErrLicence)
	assert.Equal(t, licensing.CodeAllocationLimit, e.Code)
	assert.Equal(t, "LIC-1", e.Rule)
	assert.Equal(t, c, got, "a refused allocation changes nothing")
	assert.Zero(t, l)
	assert.Nil(t, events)

	t.Run("a DPIA licence takes a slot too", func(t *testing.T) {
		_, _, _, err := rules.Allocate(c, org(1), licensing.DPIA, false, t0, licID(101))
		assert.Equal(t, licensing.CodeAllocationLimit, asError(t, err).Code)
	})
	t.Run("revoking one frees its slot", func(t *testing.T) {
		revoked, _, err := rules.Revoke(c, licID(50), t0)
		require.NoError(t, err)
		assert.Equal(t, 99, revoked.InUse())
		next, _, _, err := rules.Allocate(revoked, org(101), licensing.Group, false, t0, licID(101))
		require.NoError(t, err)
		assert.Equal(t, 100, next.InUse())
		_, _, _, err = rules.Allocate(next, org(102), licensing.Group, false, t0, licID(102))
		assert.Equal(t, "LIC-1", asError(t, err).Rule, "the 101st active licence is refused again")
	})
}

func TestAllocate(t *testing.T) {
	rules := licensing.NewRules()
	base := newContract(t, "100")
	held, _, _, err := rules.Allocate(base, org(1), licensing.Group, false, t0, licID(1))
	require.NoError(t, err)
	ended, _, err := held.End(t0.Add(time.Hour))
	require.NoError(t, err)
	small := base
	small.Capacity = 1
	small = fill(t, rules, small, 1)

	tests := []struct {
		name    string
		c       licensing.Contract
		org     licensing.OrgID
		kind    licensing.Kind
		private bool
		at      time.Time
		id      licensing.LicenceID
		kindErr error
		code    string
		rule    string
		fields  []string
	}{
		{name: "group licence", c: base, org: org(1), kind: licensing.Group, at: t0, id: licID(1)},
		{name: "DPIA licence beside a group one", c: held, org: org(1), kind: licensing.DPIA, at: t0, id: licID(2)},
		{name: "LIC-7 a private organisation still gets one, with a warning", c: base, org: org(1), kind: licensing.Group, private: true, at: t0, id: licID(1)},
		{name: "LIC-1 custom capacity is honoured", c: small, org: org(2), kind: licensing.Group, at: t0, id: licID(2),
			kindErr: licensing.ErrLicence, code: licensing.CodeAllocationLimit, rule: "LIC-1"},
		{name: "LIC-5 not before the term", c: base, org: org(1), kind: licensing.Group, at: t0.Add(-time.Second), id: licID(1),
			kindErr: licensing.ErrLicence, code: licensing.CodeContractInactive, rule: "LIC-5"},
		{name: "LIC-5 not after the term", c: base, org: org(1), kind: licensing.Group, at: year(1), id: licID(1),
			kindErr: licensing.ErrLicence, code: licensing.CodeContractInactive, rule: "LIC-5"},
		{name: "LIC-5 not under an ended contract", c: ended, org: org(2), kind: licensing.Group, at: t0.Add(2 * time.Hour), id: licID(2),
			kindErr: licensing.ErrLicence, code: licensing.CodeContractInactive, rule: "LIC-5"},
		{name: "the same kind twice is a conflict", c: held, org: org(1), kind: licensing.Group, at: t0, id: licID(2),
			kindErr: licensing.ErrConflict, code: licensing.CodeAlreadyHeld},
		{name: "bad input", c: base, kind: "gold", at: t0,
			kindErr: licensing.ErrInvalid, code: "invalid_input", fields: []string{"licence_id", "org_id", "kind"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, l, events, err := rules.Allocate(tt.c, tt.org, tt.kind, tt.private, tt.at, tt.id)
			if tt.kindErr != nil {
				e := asError(t, err)
				assert.ErrorIs(t, err, tt.kindErr)
				assert.Equal(t, tt.code, e.Code)
				if tt.rule != "" {
					assert.Equal(t, tt.rule, e.Rule)
				}
				if tt.fields != nil {
					assert.Equal(t, tt.fields, fieldNames(e))
				}
				assert.Equal(t, tt.c, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, licensing.LicenceActive, l.Status)
			assert.Equal(t, tt.id, l.ID)
			assert.Equal(t, tt.at, l.AllocatedAt)
			assert.Equal(t, l, got.Licences[len(got.Licences)-1])
			assert.Len(t, got.Licences, len(tt.c.Licences)+1)
			require.Len(t, events, 1)
			ev := events[0]
			assert.Equal(t, licensing.EventLicenceAllocated, ev.Type)
			assert.Equal(t, tt.c.ID, ev.Contract)
			assert.Equal(t, tt.org, ev.Org)
			assert.Equal(t, tt.id, ev.Licence)
			assert.Equal(t, tt.kind, ev.Kind)
			if tt.private {
				assert.Equal(t, licensing.PrivateOrgWarning, l.Warning, "LIC-7: warning on the licence")
				assert.Equal(t, licensing.PrivateOrgWarning, ev.Warning, "LIC-7: warning in the event")
				assert.Contains(t, ev.Warning, "public-sector")
			} else {
				assert.Empty(t, l.Warning)
				assert.Empty(t, ev.Warning)
			}
		})
	}
}

// Values never share a written backing array: allocating twice from the same contract value
// gives two independent results.
func TestAllocate_DoesNotWriteIntoSharedSlices(t *testing.T) {
	rules := licensing.NewRules()
	c := fill(t, rules, newContract(t, "1"), 3) // append growth leaves spare capacity
	a, _, _, err := rules.Allocate(c, org(10), licensing.Group, false, t0, licID(10))
	require.NoError(t, err)
	b, _, _, err := rules.Allocate(c, org(11), licensing.Group, false, t0, licID(11))
	require.NoError(t, err)
	assert.Equal(t, org(10), a.Licences[3].Org)
	assert.Equal(t, org(11), b.Licences[3].Org)
	assert.Len(t, c.Licences, 3)

	r, _, err := rules.Revoke(a, licID(1), t0)
	require.NoError(t, err)
	assert.Equal(t, licensing.LicenceRevoked, r.Licences[0].Status)
	assert.Equal(t, licensing.LicenceActive, a.Licences[0].Status, "Revoke copies before it changes")
}

func TestRevoke(t *testing.T) {
	rules := licensing.NewRules()
	c := fill(t, rules, newContract(t, "1"), 2)
	at := t0.Add(time.Hour)
	revoked, events, err := rules.Revoke(c, licID(1), at)
	require.NoError(t, err)
	assert.Equal(t, licensing.LicenceRevoked, revoked.Licences[0].Status)
	assert.Equal(t, at, revoked.Licences[0].RevokedAt)
	require.Len(t, events, 1)
	assert.Equal(t, licensing.EventLicenceRevoked, events[0].Type)
	assert.Equal(t, org(1), events[0].Org)

	assert.Equal(t, licensing.Free, licensing.EntitlementFor(org(1), []licensing.Contract{revoked}, at))
	assert.Equal(t, licensing.NewEntitlement(licensing.Group), licensing.EntitlementFor(org(1), []licensing.Contract{revoked}, at.Add(-1)),
		"an entitlement asked for before the revocation still sees the licence")

	tests := []struct {
		name string
		c    licensing.Contract
		id   licensing.LicenceID
		kind error
		code string
	}{
		{"revoking twice", revoked, licID(1), licensing.ErrInvalidTransition, licensing.CodeInvalidTransition},
		{"unknown licence", c, licID(99), licensing.ErrNotFound, licensing.CodeLicenceNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, events, err := rules.Revoke(tt.c, tt.id, at)
			assert.ErrorIs(t, err, tt.kind)
			assert.Equal(t, tt.code, asError(t, err).Code)
			assert.Equal(t, tt.c, got)
			assert.Nil(t, events)
		})
	}

	t.Run("a corrupt stored status is refused, not adopted", func(t *testing.T) {
		bad := c
		bad.Licences = append([]licensing.Licence(nil), c.Licences...)
		bad.Licences[0].Status = "frozen"
		_, _, err := rules.Revoke(bad, licID(1), at)
		assert.ErrorIs(t, err, licensing.ErrInvalid)
		assert.Equal(t, []string{"status"}, fieldNames(asError(t, err)))
	})
}

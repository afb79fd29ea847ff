package licensing_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/licensing"
)

func TestNewContract_Validation(t *testing.T) {
	valid := func() licensing.ContractInput {
		return licensing.ContractInput{
			Org: org(0), Group: "North West", Term: licensing.Period{Start: year(0), End: year(1)},
			Price: price("4250.00"), SuperAdmins: []licensing.UserID{user(1), user(2), user(3)},
		}
	}
	tests := []struct {
		name   string
		change func(*licensing.ContractInput)
		noID   bool
		fields []string
		rule   string
	}{
		{name: "valid with 3 super admins (LIC-2)", change: func(*licensing.ContractInput) {}},
		{name: "LIC-2 a 4th super admin is refused", change: func(in *licensing.ContractInput) {
			in.SuperAdmins = append(in.SuperAdmins, user(4))
		}, fields: []string{"super_admins"}, rule: "LIC-2"},
		{name: "LIC-2 a user named twice", change: func(in *licensing.ContractInput) {
			in.SuperAdmins = []licensing.UserID{user(1), user(1)}
		}, fields: []string{"super_admins"}, rule: "LIC-2"},
		{name: "zero super admin", change: func(in *licensing.ContractInput) {
			in.SuperAdmins = []licensing.UserID{user(1), {}}
		}, fields: []string{"super_admins[1]"}, rule: "LIC-2"},
		{name: "missing org and group", change: func(in *licensing.ContractInput) {
			in.Org, in.Group = licensing.OrgID{}, ""
		}, fields: []string{"org_id", "group"}},
		{name: "missing id", noID: true, change: func(*licensing.ContractInput) {}, fields: []string{"id"}},
		{name: "term ends before it starts", change: func(in *licensing.ContractInput) {
			in.Term.End = in.Term.Start
		}, fields: []string{"term.end"}},
		{name: "missing term", change: func(in *licensing.ContractInput) {
			in.Term = licensing.Period{}
		}, fields: []string{"term.start", "term.end"}},
		{name: "price below a penny", change: func(in *licensing.ContractInput) {
			in.Price = price("10.005")
		}, fields: []string{"price"}},
		{name: "negative price", change: func(in *licensing.ContractInput) {
			in.Price = price("-1")
		}, fields: []string{"price"}},
		{name: "negative capacity", change: func(in *licensing.ContractInput) {
			in.Capacity = -1
		}, fields: []string{"capacity"}, rule: "LIC-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := valid()
			tt.change(&in)
			id := contractID(1)
			if tt.noID {
				id = licensing.ContractID{}
			}
			c, events, err := licensing.NewContract(in, id, t0)
			if tt.fields == nil {
				require.NoError(t, err)
				assert.Equal(t, licensing.StandardCapacity, c.Capacity, "LIC-1: a standard contract has 100 licences")
				assert.Equal(t, in.SuperAdmins, c.SuperAdmins)
				require.Len(t, events, 1)
				assert.Equal(t, licensing.EventContractCreated, events[0].Type)
				return
			}
			e := asError(t, err)
			assert.ErrorIs(t, err, licensing.ErrInvalid)
			assert.ElementsMatch(t, tt.fields, fieldNames(e))
			if tt.rule != "" {
				assert.Equal(t, tt.rule, e.Rule)
			}
		})
	}
}

func TestNewContract_CopiesSuperAdmins(t *testing.T) {
	admins := []licensing.UserID{user(1)}
	c, _, err := licensing.NewContract(licensing.ContractInput{Org: org(0), Group: "g",
		Term: licensing.Period{Start: year(0), End: year(1)}, Price: price("1"), SuperAdmins: admins}, contractID(1), t0)
	require.NoError(t, err)
	admins[0] = user(9)
	assert.Equal(t, []licensing.UserID{user(1)}, c.SuperAdmins)
}

// LIC-2: a contract names at most 3 Super Administrators.
func TestSuperAdmins_LIC2(t *testing.T) {
	c := newContract(t, "100")
	for i := 1; i <= licensing.MaxSuperAdmins; i++ {
		next, events, err := c.AddSuperAdmin(user(i), t0)
		require.NoError(t, err, "super admin %d", i)
		require.Len(t, events, 1)
		assert.Equal(t, licensing.EventSuperAdminAdded, events[0].Type)
		assert.Equal(t, user(i), events[0].User)
		assert.Len(t, c.SuperAdmins, i-1, "the receiver is unchanged")
		c = next
	}

	tests := []struct {
		name string
		op   func(licensing.Contract) (licensing.Contract, []licensing.Event, error)
		kind error
		code string
	}{
		{"LIC-2 a 4th super admin is refused", func(c licensing.Contract) (licensing.Contract, []licensing.Event, error) {
			return c.AddSuperAdmin(user(4), t0)
		}, licensing.ErrRule, licensing.CodeSuperAdminLimit},
		{"naming one twice is a conflict", func(c licensing.Contract) (licensing.Contract, []licensing.Event, error) {
			return c.AddSuperAdmin(user(2), t0)
		}, licensing.ErrConflict, licensing.CodeSuperAdminExists},
		{"a zero user is invalid", func(c licensing.Contract) (licensing.Contract, []licensing.Event, error) {
			return c.AddSuperAdmin(licensing.UserID{}, t0)
		}, licensing.ErrInvalid, "invalid_input"},
		{"removing a stranger is not found", func(c licensing.Contract) (licensing.Contract, []licensing.Event, error) {
			return c.RemoveSuperAdmin(user(9), t0)
		}, licensing.ErrNotFound, licensing.CodeSuperAdminNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, events, err := tt.op(c)
			e := asError(t, err)
			assert.ErrorIs(t, err, tt.kind)
			assert.Equal(t, tt.code, e.Code)
			assert.Nil(t, events)
			assert.Equal(t, c, got, "a refused command changes nothing")
		})
	}

	t.Run("LIC-2 removing one makes room for another", func(t *testing.T) {
		removed, events, err := c.RemoveSuperAdmin(user(2), t0)
		require.NoError(t, err)
		assert.Equal(t, licensing.EventSuperAdminRemoved, events[0].Type)
		assert.Equal(t, []licensing.UserID{user(1), user(3)}, removed.SuperAdmins)
		assert.Equal(t, []licensing.UserID{user(1), user(2), user(3)}, c.SuperAdmins, "the receiver is unchanged")
		assert.False(t, removed.IsSuperAdmin(user(2)))
		added, _, err := removed.AddSuperAdmin(user(4), t0)
		require.NoError(t, err)
		assert.True(t, added.IsSuperAdmin(user(4)))
		assert.Len(t, added.SuperAdmins, licensing.MaxSuperAdmins)
	})
}

func TestContractStatus(t *testing.T) {
	c := newContract(t, "100")
	ended, _, err := c.End(year(0).AddDate(0, 6, 0))
	require.NoError(t, err)
	tests := []struct {
		name string
		c    licensing.Contract
		at   string
		want licensing.ContractStatus
	}{
		{"before the term", c, "2025-03-31T23:59:59Z", licensing.ContractNotStarted},
		{"first instant of the term", c, "2025-04-01T00:00:00Z", licensing.ContractActive},
		{"last instant of the term", c, "2026-03-31T23:59:59Z", licensing.ContractActive},
		{"the term is half-open: its end is outside", c, "2026-04-01T00:00:00Z", licensing.ContractExpired},
		{"LIC-5 ended early: active before the end", ended, "2025-09-30T23:59:59Z", licensing.ContractActive},
		{"LIC-5 ended early: ended from the end", ended, "2025-10-01T00:00:00Z", licensing.ContractEnded},
		{"LIC-5 ended early: ended after the term too", ended, "2027-01-01T00:00:00Z", licensing.ContractEnded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := mustTime(t, tt.at)
			assert.Equal(t, tt.want, tt.c.Status(at))
			assert.Equal(t, tt.want == licensing.ContractActive, tt.c.Active(at))
		})
	}
}

// LIC-5: when a contract ends its organisations fall back to the free model and lose no data.
func TestEnd_LIC5_FallsBackToFreeModel(t *testing.T) {
	rules := licensing.NewRules()
	c := newContract(t, "100")
	mid := year(0).AddDate(0, 6, 0)
	var err error
	c, _, _, err = rules.Allocate(c, org(1), licensing.Group, false, t0, licID(1))
	require.NoError(t, err)
	c, _, _, err = rules.Allocate(c, org(1), licensing.DPIA, false, t0, licID(2))
	require.NoError(t, err)
	c, _, _, err = rules.Allocate(c, org(2), licensing.Group, false, t0, licID(3))
	require.NoError(t, err)
	c, _, err = rules.Revoke(c, licID(3), t0.Add(1))
	require.NoError(t, err)
	before := c.Licences

	require.Equal(t, licensing.NewEntitlement(licensing.Group, licensing.DPIA),
		licensing.EntitlementFor(org(1), []licensing.Contract{c}, mid))

	ended, events, err := c.End(mid)
	require.NoError(t, err)

	assert.Equal(t, licensing.Free, licensing.EntitlementFor(org(1), []licensing.Contract{ended}, mid),
		"LIC-5: after the end the organisation is on the free model")
	assert.Equal(t, licensing.NewEntitlement(licensing.Group, licensing.DPIA),
		licensing.EntitlementFor(org(1), []licensing.Contract{ended}, mid.Add(-1)),
		"the entitlement before the end is unchanged")
	assert.Equal(t, before, ended.Licences, "LIC-5: no licence is deleted or changed")
	assert.True(t, c.EndedAt.IsZero(), "the receiver is unchanged")

	types := make([]licensing.EventType, 0, len(events))
	for _, e := range events {
		types = append(types, e.Type)
	}
	assert.Equal(t, []licensing.EventType{licensing.EventContractEnded, licensing.EventLicenceLapsed, licensing.EventLicenceLapsed}, types,
		"one lapse per licence valid at the end; the revoked one does not lapse")
	assert.Equal(t, licID(1), events[1].Licence)
	assert.Equal(t, org(1), events[1].Org)

	t.Run("ending twice is refused", func(t *testing.T) {
		_, _, err := ended.End(mid.Add(1))
		assert.ErrorIs(t, err, licensing.ErrInvalidTransition)
		assert.Equal(t, licensing.CodeContractEnded, asError(t, err).Code)
	})
	t.Run("ending a contract that ran out is refused", func(t *testing.T) {
		_, _, err := c.End(year(1))
		assert.ErrorIs(t, err, licensing.ErrInvalidTransition)
	})
	t.Run("LIC-5 an ended contract allocates no licence", func(t *testing.T) {
		_, _, _, err := rules.Allocate(ended, org(5), licensing.Group, false, mid, licID(9))
		assert.ErrorIs(t, err, licensing.ErrLicence)
		assert.Equal(t, "LIC-5", asError(t, err).Rule)
	})
	t.Run("ending before the term starts raises no lapses", func(t *testing.T) {
		_, events, err := c.End(t0.Add(-1))
		require.NoError(t, err)
		assert.Len(t, events, 1)
	})
}

// LIC-5: a licence is valid while its contract is active; an expired term drops it, a renewal
// brings it back.
func TestExpiry_LIC5_RenewalRestores(t *testing.T) {
	rules := licensing.NewRules()
	c, _, _, err := rules.Allocate(newContract(t, "100"), org(1), licensing.Group, false, t0, licID(1))
	require.NoError(t, err)
	g := licensing.NewEntitlement(licensing.Group)

	assert.Equal(t, g, licensing.EntitlementFor(org(1), []licensing.Contract{c}, year(1).Add(-1)))
	assert.Equal(t, licensing.Free, licensing.EntitlementFor(org(1), []licensing.Contract{c}, year(1)), "LIC-5: expired → free model")

	renewed, _, err := c.Renew(price("105"), licensing.Period{Start: year(1).AddDate(0, 1, 0), End: year(2)}, year(1))
	require.NoError(t, err)
	assert.Equal(t, licensing.Free, licensing.EntitlementFor(org(1), []licensing.Contract{renewed}, year(1)), "in the gap before the renewal")
	assert.Equal(t, licensing.ContractExpired, renewed.Status(year(1)))
	assert.Equal(t, g, licensing.EntitlementFor(org(1), []licensing.Contract{renewed}, year(1).AddDate(0, 1, 0)), "the renewal restores the licence")
}

func TestContract_JSONRoundTrip(t *testing.T) {
	rules := licensing.NewRules()
	c := newContract(t, "4250.50")
	c, _, _ = c.AddSuperAdmin(user(1), t0)
	c, _, _, err := rules.Allocate(c, org(1), licensing.Group, true, t0, licID(1))
	require.NoError(t, err)
	c, _, err = rules.Revoke(c, licID(1), t0.Add(1))
	require.NoError(t, err)

	data, err := json.Marshal(c)
	require.NoError(t, err)
	for _, key := range []string{`"org_id"`, `"super_admins"`, `"licences"`, `"terms"`, `"price":"4250.5"`, `"revoked_at"`, `"warning"`} {
		assert.Contains(t, string(data), key)
	}
	assert.NotContains(t, string(data), `"ended_at"`, "zero times are left out")
	var back licensing.Contract
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, c.ID, back.ID)
	assert.Equal(t, c.Licences, back.Licences)
	assert.True(t, c.Terms[0].Price.Equal(back.Terms[0].Price))
	assert.Equal(t, c.Terms[0].Period, back.Terms[0].Period)
	assert.Equal(t, c.SuperAdmins, back.SuperAdmins)
}

func TestLicensedOrgs(t *testing.T) {
	rules := licensing.NewRules()
	c := newContract(t, "1")
	var err error
	for i, o := range []int{1, 2, 1} {
		kind := licensing.Group
		if i == 2 {
			kind = licensing.DPIA
		}
		c, _, _, err = rules.Allocate(c, org(o), kind, false, t0, licID(i+1))
		require.NoError(t, err)
	}
	c, _, err = rules.Revoke(c, licID(2), t0)
	require.NoError(t, err)
	assert.Equal(t, []licensing.OrgID{org(1)}, c.LicensedOrgs())
	assert.Equal(t, 2, c.InUse())
}

package licensing_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/licensing"
)

// entitlements are the cases of the capability table. "ended contract" is computed the way the
// Gateway computes it, from a contract whose group and DPIA licences were valid until it ended
// (LIC-5), so the table proves the fall-back, not just the bitset.
func entitlements(t *testing.T) map[string]licensing.Entitlement {
	rules := licensing.NewRules()
	c := newContract(t, "100")
	var err error
	c, _, _, err = rules.Allocate(c, org(1), licensing.Group, false, t0, licID(1))
	require.NoError(t, err)
	c, _, _, err = rules.Allocate(c, org(1), licensing.DPIA, false, t0, licID(2))
	require.NoError(t, err)
	mid := year(0).AddDate(0, 6, 0)
	ended, _, err := c.End(mid)
	require.NoError(t, err)
	require.Equal(t, licensing.NewEntitlement(licensing.Group, licensing.DPIA), licensing.EntitlementFor(org(1), []licensing.Contract{c}, mid))
	return map[string]licensing.Entitlement{
		"free":           licensing.Free,
		"group":          licensing.NewEntitlement(licensing.Group),
		"dpia":           licensing.NewEntitlement(licensing.DPIA),
		"group+dpia":     licensing.NewEntitlement(licensing.Group, licensing.DPIA),
		"ended contract": licensing.EntitlementFor(org(1), []licensing.Contract{ended}, mid),
	}
}

// LIC-3 and LIC-4: every capability × entitlement pair has an expected answer.
func TestCapabilities_LIC3_LIC4(t *testing.T) {
	const Y, N = true, false
	// columns: free, group, dpia, group+dpia, ended contract
	columns := []string{"free", "group", "dpia", "group+dpia", "ended contract"}
	table := []struct {
		c    licensing.Capability
		rule string
		want [5]bool
	}{
		{licensing.NamedInDataShares, "LIC-3", [5]bool{Y, Y, Y, Y, Y}},
		{licensing.SignOffFlows, "LIC-3", [5]bool{Y, Y, Y, Y, Y}},
		{licensing.UploadDocuments, "LIC-3", [5]bool{N, Y, N, Y, N}},
		{licensing.UseReports, "LIC-3", [5]bool{N, Y, N, Y, N}},
		{licensing.ExportPDF, "LIC-3", [5]bool{N, Y, N, Y, N}},
		{licensing.CentralSupport, "LIC-3", [5]bool{N, Y, N, Y, N}},
		{licensing.ExtraUsers, "LIC-3", [5]bool{N, Y, N, Y, N}},
		{licensing.GuaranteedDataReturn, "LIC-3", [5]bool{N, Y, N, Y, N}},
		{licensing.CreateActivity, "LIC-4", [5]bool{N, N, Y, Y, N}},
	}
	all := licensing.Capabilities()
	require.Len(t, table, len(all), "every capability has a row")
	ents := entitlements(t)
	for i, row := range table {
		require.Equal(t, all[i], row.c, "rows follow Capabilities()")
		for j, col := range columns {
			ent, want := ents[col], row.want[j]
			t.Run(row.c.String()+"/"+col, func(t *testing.T) {
				assert.Equal(t, want, ent.Allows(row.c))
				assert.Equal(t, row.rule, row.c.Rule())
				err := licensing.Check(ent, row.c)
				if want {
					assert.NoError(t, err)
					return
				}
				e := asError(t, err)
				assert.ErrorIs(t, err, licensing.ErrLicence)
				assert.Equal(t, licensing.CodeCapabilityDenied, e.Code)
				assert.Equal(t, row.rule, e.Rule)
				require.Len(t, e.Fields, 1)
				assert.Equal(t, "capability", e.Fields[0].Field)
				assert.Equal(t, row.c.String(), e.Fields[0].Code, "the refusal names the capability")
				assert.NotEmpty(t, e.Message)
			})
		}
	}
}

func TestCheck_MessageNamesCapability(t *testing.T) {
	err := licensing.Check(licensing.Free, licensing.UploadDocuments)
	assert.EqualError(t, err, "licence.capability_denied [LIC-3]: the organisation's licence (free) does not allow it to upload documents: "+
		"capability: needs a group licence (LIC-3)")
	err = licensing.Check(licensing.NewEntitlement(licensing.Group), licensing.CreateActivity)
	assert.EqualError(t, err, "licence.capability_denied [LIC-4]: the organisation's licence (group) does not allow it to create an activity or DPIA: "+
		"capability: needs a dpia licence (LIC-4)")
}

func TestCheck_UnknownCapability(t *testing.T) {
	for _, c := range []licensing.Capability{0, 200} {
		all := licensing.NewEntitlement(licensing.Group, licensing.DPIA)
		assert.False(t, all.Allows(c))
		err := licensing.Check(all, c)
		assert.ErrorIs(t, err, licensing.ErrInvalid)
		assert.NotErrorIs(t, err, licensing.ErrLicence)
		assert.Empty(t, c.Rule())
	}
}

// LIC-3: the free model has at most 3 organisation users.
func TestCheckUserCount_LIC3(t *testing.T) {
	free, group, dpia := licensing.Free, licensing.NewEntitlement(licensing.Group), licensing.NewEntitlement(licensing.DPIA)
	tests := []struct {
		name    string
		ent     licensing.Entitlement
		current int
		code    string
	}{
		{"free: 1st user", free, 0, ""},
		{"free: 3rd user", free, 2, ""},
		{"LIC-3 free: 4th user refused", free, 3, licensing.CodeUserLimit},
		{"LIC-3 free: 11th user refused", free, 10, licensing.CodeUserLimit},
		{"LIC-3 a DPIA licence alone does not lift the limit", dpia, 3, licensing.CodeUserLimit},
		{"group: 4th user", group, 3, ""},
		{"group: 500th user", group, 499, ""},
		{"negative count is invalid", group, -1, "invalid_input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := licensing.CheckUserCount(tt.ent, tt.current)
			if tt.code == "" {
				assert.NoError(t, err)
				return
			}
			e := asError(t, err)
			assert.Equal(t, tt.code, e.Code)
			if tt.code == licensing.CodeUserLimit {
				assert.ErrorIs(t, err, licensing.ErrLicence)
				assert.Equal(t, "LIC-3", e.Rule)
			}
		})
	}
}

// LIC-5: only licences valid at the moment, of the organisation asked about, under contracts
// active at that moment, count.
func TestEntitlementFor_LIC5(t *testing.T) {
	rules := licensing.NewRules()
	a := newContract(t, "100")
	b := a
	b.ID = contractID(2)
	b.Terms = []licensing.Term{{Period: licensing.Period{Start: year(1), End: year(2)}, Price: price("100")}}
	later := t0.AddDate(0, 1, 0)
	var err error
	a, _, _, err = rules.Allocate(a, org(1), licensing.Group, false, t0, licID(1))
	require.NoError(t, err)
	a, _, _, err = rules.Allocate(a, org(2), licensing.DPIA, false, t0, licID(2))
	require.NoError(t, err)
	a, _, _, err = rules.Allocate(a, org(3), licensing.Group, false, later, licID(3))
	require.NoError(t, err)
	b, _, _, err = rules.Allocate(b, org(1), licensing.DPIA, false, year(1), licID(4))
	require.NoError(t, err)
	both := []licensing.Contract{a, b}

	tests := []struct {
		name string
		org  licensing.OrgID
		at   string
		want licensing.Entitlement
	}{
		{"org 1 in year 0 holds only a's group licence", org(1), "2025-06-01T00:00:00Z", licensing.NewEntitlement(licensing.Group)},
		{"org 1 in year 1: a ran out, b's DPIA licence counts", org(1), "2026-06-01T00:00:00Z", licensing.NewEntitlement(licensing.DPIA)},
		{"org 2 holds only its own licence", org(2), "2025-06-01T00:00:00Z", licensing.NewEntitlement(licensing.DPIA)},
		{"org 3 before its allocation", org(3), "2025-04-15T00:00:00Z", licensing.Free},
		{"org 3 after its allocation", org(3), "2025-05-01T00:00:00Z", licensing.NewEntitlement(licensing.Group)},
		{"a stranger", org(9), "2025-06-01T00:00:00Z", licensing.Free},
		{"LIC-5 after every contract", org(1), "2030-01-01T00:00:00Z", licensing.Free},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, licensing.EntitlementFor(tt.org, both, mustTime(t, tt.at)))
		})
	}
	assert.Equal(t, licensing.Free, licensing.EntitlementFor(org(1), nil, t0), "no contracts: free model")
}

func TestEntitlement_String(t *testing.T) {
	assert.Equal(t, "free", licensing.Free.String())
	assert.Equal(t, "group+dpia", licensing.NewEntitlement(licensing.DPIA, licensing.Group).String())
	assert.Equal(t, "dpia", licensing.NewEntitlement(licensing.DPIA, "gold").String())
	assert.True(t, licensing.NewEntitlement(licensing.Group).Has(licensing.Group))
	assert.False(t, licensing.NewEntitlement(licensing.Group).Has("gold"))
	assert.Equal(t, "upload_documents", licensing.UploadDocuments.String())
	assert.Equal(t, "capability(0)", licensing.Capability(0).String())
}

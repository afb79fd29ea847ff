package directory_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/isgkit/gateway/isg/directory"
	"github.com/isgkit/gateway/isg/violation"
)

func holder(ico string, status directory.OrgStatus) directory.Organisation {
	return directory.Organisation{ID: orgID(), Name: "Holder", ICONumber: ico, Status: status}
}

// TestPlaceholderIDIsTheNumbersORG11: ORG-11 — one placeholder per ICO number: its ID is derived
// from the number alone (case ignored), differs between numbers, is never a time-ordered ID the
// Gateway would give an organisation, and so says nothing of who named it or when.
func TestPlaceholderIDIsTheNumbersORG11(t *testing.T) {
	a := directory.PlaceholderID("Z1234567")
	assert.Equal(t, a, directory.PlaceholderID("z1234567"))
	assert.NotEqual(t, a, directory.PlaceholderID("Z1234568"))
	assert.EqualValues(t, 5, a.Version(), "name-based, not time-ordered")
	// The stored format: this value must never change, or stored agreements lose their placeholder.
	assert.Equal(t, "189d2e07-981e-51b6-ab57-9977013a156b", directory.PlaceholderID("Z1234567").String())
	rapid.Check(t, func(rt *rapid.T) {
		x := rapid.StringMatching(`[A-Z][A-Z0-9]{7}`).Draw(rt, "x")
		y := rapid.StringMatching(`[A-Z][A-Z0-9]{7}`).Draw(rt, "y")
		if (x == y) != (directory.PlaceholderID(x) == directory.PlaceholderID(y)) {
			rt.Fatalf("%s and %s: IDs equal %v", x, y, x == y)
		}
	})
}

// TestNameByICONumberORG11: ORG-11 — what naming a number comes to: the one active organisation
// holding it; refused when several hold it or only closed or merged ones do (ORG-7); otherwise the
// placeholder — new, the pending one as it is, or a joined one named again once its organisation
// no longer holds the number, with the earlier join kept.
func TestNameByICONumberORG11(t *testing.T) {
	by, byOrg := userID(), orgID()
	active := holder("Z1234567", directory.OrgActive)

	t.Run("one active holder is named", func(t *testing.T) {
		n, err := directory.NameByICONumber("z1234567", "Any name", []directory.Organisation{holder("Z1234567", directory.OrgClosed), active}, nil, by, byOrg, t0)
		require.NoError(t, err)
		assert.Equal(t, directory.ICONaming{Org: active.ID, Registered: true}, n)
	})
	for _, tc := range []struct {
		name    string
		holders []directory.Organisation
		code    string
		rule    string
	}{
		{"several active holders are ambiguous", []directory.Organisation{active, holder("Z1234567", directory.OrgActive)}, directory.FieldCodeICOAmbiguous, "ORG-11"},
		{"only a closed holder", []directory.Organisation{holder("Z1234567", directory.OrgClosed)}, directory.FieldCodeICOClosed, "ORG-7"},
		{"only a merged holder", []directory.Organisation{holder("Z1234567", directory.OrgMerged)}, directory.FieldCodeICOClosed, "ORG-7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := directory.NameByICONumber("Z1234567", "X", tc.holders, nil, by, byOrg, t0)
			require.ErrorIs(t, err, violation.ErrInvalid)
			e := err.(*violation.Error)
			require.Len(t, e.Fields, 1)
			assert.Equal(t, "ico_number", e.Fields[0].Field)
			assert.Equal(t, tc.code, e.Fields[0].Code)
			assert.Equal(t, tc.rule, e.Rule)
		})
	}
	t.Run("none: a new placeholder", func(t *testing.T) {
		n, err := directory.NameByICONumber("z1234567", "Leeds Mind", nil, nil, by, byOrg, t0)
		require.NoError(t, err)
		assert.True(t, n.Save)
		assert.False(t, n.Registered)
		assert.Equal(t, directory.PlaceholderID("Z1234567"), n.Org)
		assert.Equal(t, directory.Placeholder{ID: n.Org, ICONumber: "Z1234567", Name: "Leeds Mind", State: directory.PlaceholderPending,
			NamedBy: by, NamedByOrg: byOrg, NamedAt: t0}, n.Placeholder)
	})
	t.Run("none: the pending placeholder as it is", func(t *testing.T) {
		first, _ := directory.NameByICONumber("Z1234567", "Leeds Mind", nil, nil, by, byOrg, t0)
		p := first.Placeholder
		p.Version = 3
		n, err := directory.NameByICONumber("Z1234567", "Mind", nil, &p, userID(), orgID(), t0.Add(1))
		require.NoError(t, err)
		assert.False(t, n.Save, "nothing to save: the first namer's record stays")
		assert.Equal(t, p, n.Placeholder)
	})
	t.Run("none: a joined placeholder named again keeps its history", func(t *testing.T) {
		first, _ := directory.NameByICONumber("Z1234567", "Leeds Mind", nil, nil, by, byOrg, t0)
		j, ok := first.Placeholder.Join(active, by, t0.Add(1))
		require.True(t, ok)
		j.Version = 2
		n, err := directory.NameByICONumber("Z1234567", "Leeds Mind", nil, &j, by, byOrg, t0.Add(2))
		require.NoError(t, err)
		assert.True(t, n.Save)
		assert.Equal(t, directory.PlaceholderPending, n.Placeholder.State)
		assert.Nil(t, n.Placeholder.Joined)
		assert.Equal(t, []directory.PlaceholderJoin{*j.Joined}, n.Placeholder.Earlier)
		assert.Equal(t, int64(2), n.Placeholder.Version, "saved over the version read")
	})
}

// TestPlaceholderJoinORG11: ORG-11 — a pending placeholder joins an open organisation holding its
// number, once; a closed organisation, one with another number, or a second join changes nothing.
func TestPlaceholderJoinORG11(t *testing.T) {
	n, _ := directory.NameByICONumber("Z1234567", "Leeds Mind", nil, nil, userID(), orgID(), t0)
	p := n.Placeholder
	org := holder("z1234567", directory.OrgActive)
	by := userID()

	for _, o := range []directory.Organisation{holder("Z1234567", directory.OrgClosed), holder("Z7654321", directory.OrgActive), holder("", directory.OrgActive)} {
		same, ok := p.Join(o, by, t0)
		assert.False(t, ok)
		assert.Equal(t, p, same)
	}
	j, ok := p.Join(org, by, t0.Add(1))
	require.True(t, ok)
	assert.Equal(t, directory.PlaceholderJoined, j.State)
	assert.Equal(t, &directory.PlaceholderJoin{Org: org.ID, By: by, At: t0.Add(1)}, j.Joined)
	assert.Equal(t, directory.PlaceholderPending, p.State, "the receiver is unchanged")
	_, again := j.Join(holder("Z1234567", directory.OrgActive), by, t0.Add(2))
	assert.False(t, again, "a placeholder joins once")
}

// TestUnregisteredJoinedTellsBothSidesORG11: ORG-11, NOTE-1 — a join tells the joining
// organisation's Administrators which summary they joined, and the summary's creating
// organisation which registered organisation took the name it gave; never a placeholder, and not
// the creator twice when it is the one joining.
func TestUnregisteredJoinedTellsBothSidesORG11(t *testing.T) {
	n, _ := directory.NameByICONumber("Z1234567", "Leeds Mind", nil, nil, userID(), orgID(), t0)
	org := holder("Z1234567", directory.OrgActive)
	org.Name = "Mind in Leeds"
	creator := orgID()
	evs := directory.UnregisteredJoined(n.Placeholder, org, directory.JoinedSummary{ID: "s1", Creator: creator, NamedAs: "Leeds Mind", Flows: 2})
	require.Len(t, evs, 2)
	assert.Equal(t, directory.Event{Type: directory.EventUnregisteredJoined, Org: org.ID,
		Data: map[string]string{"summary": "s1", "ico_number": "Z1234567", "flows": "2"},
		To:   directory.Audience{Roles: directory.Of(directory.Administrator), RolesAt: []directory.OrgID{org.ID}}}, evs[0])
	assert.Equal(t, directory.Event{Type: directory.EventUnregisteredJoined, Org: creator,
		Data: map[string]string{"summary": "s1", "ico_number": "Z1234567", "named_as": "Leeds Mind", "org": org.ID.String(), "org_name": "Mind in Leeds"},
		To:   directory.Audience{Roles: directory.Of(directory.Administrator, directory.SeniorOfficer, directory.IGOfficer), RolesAt: []directory.OrgID{creator}}}, evs[1])
	for _, e := range evs {
		assert.NotContains(t, e.To.RolesAt, n.Placeholder.ID)
	}
	assert.Len(t, directory.UnregisteredJoined(n.Placeholder, org, directory.JoinedSummary{ID: "s1", Creator: org.ID}), 1)
}

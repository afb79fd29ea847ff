package isg

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg/directory"
)

// TestFlowNoticesSkipUnregisteredORG11: ORG-11 — a party not registered yet is never notified:
// the notices of a flow step name no placeholder in their audience, whatever roles they address,
// and a notice left with nobody to tell is dropped, while the registered parties' notices stay.
// (A placeholder has no users, so this is the rule stated where the audience is chosen, not only
// an empty role index.)
func TestFlowNoticesSkipUnregisteredORG11(t *testing.T) {
	north := OrgID{UUID: uuid.Must(uuid.NewV7())}
	p := directory.PlaceholderID("Z9876543")
	s := agreement.Summary{SummaryTerms: agreement.SummaryTerms{Organisations: []OrgID{north, p}},
		Unregistered: []agreement.UnregisteredParty{{Org: p, ICONumber: "Z9876543", Name: "Leeds Mind"}}}
	for _, typ := range []agreement.EventType{agreement.EventFinalised, agreement.EventPartyAdded} {
		all := flowNotices(agreement.Event{Type: typ, Parties: []OrgID{north, p}})
		assert.Len(t, all, 2, "flowNotices addresses every party; the filter is what keeps the placeholder out")
		kept := withoutUnregistered(s, all)
		if assert.Len(t, kept, 1, typ) {
			assert.Equal(t, []OrgID{north}, kept[0].To.RolesAt)
			assert.Equal(t, north, kept[0].Org)
		}
		for _, e := range kept {
			assert.NotContains(t, e.To.RolesAt, p)
		}
		assert.Len(t, all, 2, "the input is left as it was")
		assert.Equal(t, all, withoutUnregistered(agreement.Summary{}, all), "no placeholder: nothing changes")
	}
	mixed := []directory.Event{{Type: "x", Org: p, To: directory.Audience{Users: []UserID{{UUID: uuid.Must(uuid.NewV7())}}, RolesAt: []OrgID{p}}}}
	kept := withoutUnregistered(s, mixed)
	if assert.Len(t, kept, 1, "a notice to named users stays") {
		assert.Empty(t, kept[0].To.RolesAt)
	}
}

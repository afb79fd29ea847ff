package isg_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg"
)

func summaryTerms(orgs ...isg.OrgID) agreement.SummaryTerms {
	return agreement.SummaryTerms{Title: "Safeguarding", Organisations: orgs, DataAsset: "Records", Purpose: "Safeguarding children",
		Benefits: "Earlier help", Format: "Electronic", ReviewCycleMonths: 12, InformationShared: []agreement.InfoCategory{agreement.InfoPersonal}}
}

func flowTerms(from, to isg.OrgID) agreement.FlowTerms {
	return agreement.FlowTerms{Name: "Referrals", Parties: []isg.OrgID{from, to}, Direction: agreement.OneWay, From: []isg.OrgID{from}, To: []isg.OrgID{to},
		Frequency: agreement.Daily, TransferMode: agreement.SecureEmail, Controls: []string{"Encrypted"}, PersonalData: true,
		LegalBases: []agreement.LegalBasis{{Basis: agreement.Art6PublicTask, Instrument: "Children Act 1989 s.47"}}}
}

// TestMergeMovesAgreements: ORG-6 — when a merge completes, the summaries and flows naming the
// merged organisation move to the survivor; their history stays and their logs still verify.
func TestMergeMovesAgreements(t *testing.T) {
	w := newWorld(t)
	a, b, c := w.user("a@north.gov.uk"), w.user("b@south.gov.uk"), w.user("c@police.uk")
	north, south, police := w.org(a, "North"), w.org(b, "South"), w.org(c, "Police")
	southAdmin := isg.Actor{User: b, Org: south}
	s, err := w.g.SaveSummary(ctx, southAdmin, isg.SummaryInput{SummaryTerms: summaryTerms(south, police)})
	require.NoError(t, err)
	f, err := w.g.CreateFlow(ctx, southAdmin, isg.CreateFlowInput{Summary: s.ID, FlowTerms: flowTerms(south, police)})
	require.NoError(t, err)
	before, err := w.g.FlowLog(ctx, southAdmin, isg.ByID[agreement.FlowID]{ID: f.ID})
	require.NoError(t, err)

	m, err := w.g.RequestMerge(ctx, isg.Actor{User: a, Org: north}, isg.RequestMergeInput{Merging: []isg.OrgID{south}, Reason: "reorganisation", DisclaimerAcknowledged: true})
	require.NoError(t, err)
	_, err = w.g.AnswerMerge(ctx, southAdmin, isg.AnswerMergeInput{Merge: m.ID, Approve: true})
	require.NoError(t, err)

	// Ben's roles moved to North, so he now acts for North.
	northActor := isg.Actor{User: b, Org: north}
	got, err := w.g.Flow(ctx, northActor, isg.ByID[agreement.FlowID]{ID: f.ID})
	require.NoError(t, err)
	assert.Equal(t, []isg.OrgID{north, police}, got.Parties)
	assert.Equal(t, north, got.CreatedByOrg)
	assert.Equal(t, []isg.OrgID{north}, got.From)
	sum, err := w.g.Summary(ctx, northActor, isg.ByID[agreement.SummaryID]{ID: s.ID})
	require.NoError(t, err)
	assert.Equal(t, []isg.OrgID{north, police}, sum.Organisations)

	after, err := w.g.FlowLog(ctx, northActor, isg.ByID[agreement.FlowID]{ID: f.ID})
	require.NoError(t, err)
	assert.True(t, after.Verified, after.Problem)
	require.Greater(t, len(after.Entries), len(before.Entries), "the move is logged")
	assert.Equal(t, before.Entries, after.Entries[:len(before.Entries)], "history is unchanged")
	assert.Equal(t, b, after.Entries[len(after.Entries)-1].User, "the move is logged in the approver's name")

	list, err := w.g.Flows(ctx, northActor, isg.ListPage{})
	require.NoError(t, err)
	assert.Equal(t, 1, list.Total)
	// The police still see it.
	_, err = w.g.Flow(ctx, isg.Actor{User: c, Org: police}, isg.ByID[agreement.FlowID]{ID: f.ID})
	require.NoError(t, err)
}

// TestFlowListingCountsOnlyVisible: SUM-3 — listing counts include only what the caller sees.
func TestFlowListingCountsOnlyVisible(t *testing.T) {
	w := newWorld(t)
	a, b, c := w.user("a@north.gov.uk"), w.user("b@south.gov.uk"), w.user("c@police.uk")
	north, south, police := w.org(a, "North"), w.org(b, "South"), w.org(c, "Police")
	na := isg.Actor{User: a, Org: north}
	s, err := w.g.SaveSummary(ctx, na, isg.SummaryInput{SummaryTerms: summaryTerms(north, south, police)})
	require.NoError(t, err)
	for range 3 {
		_, err = w.g.CreateFlow(ctx, na, isg.CreateFlowInput{Summary: s.ID, FlowTerms: flowTerms(north, south)})
		require.NoError(t, err)
	}
	_, err = w.g.CreateFlow(ctx, na, isg.CreateFlowInput{Summary: s.ID, FlowTerms: flowTerms(north, police)})
	require.NoError(t, err)

	for _, tc := range []struct {
		actor isg.Actor
		want  int
	}{{na, 4}, {isg.Actor{User: b, Org: south}, 3}, {isg.Actor{User: c, Org: police}, 1}} {
		l, err := w.g.Flows(ctx, tc.actor, isg.ListPage{Limit: 2})
		require.NoError(t, err)
		assert.Equal(t, tc.want, l.Total)
		assert.Len(t, l.Items, min(2, tc.want))
		of, err := w.g.FlowsOfSummary(ctx, tc.actor, isg.ByID[agreement.SummaryID]{ID: s.ID})
		require.NoError(t, err)
		assert.Len(t, of, tc.want)
		if l.Next != "" {
			rest, err := w.g.Flows(ctx, tc.actor, isg.ListPage{After: l.Next, Limit: 10})
			require.NoError(t, err)
			assert.Len(t, rest.Items, tc.want-2, "paging continues after the cursor")
		}
	}
}

// TestFlowListingReflectsEditsAndIsolatesCallers: listings reuse flows already decoded only at the
// same stored version, and what a caller does to a listed flow never reaches the next caller.
func TestFlowListingReflectsEditsAndIsolatesCallers(t *testing.T) {
	w := newWorld(t)
	a, b := w.user("a@north.gov.uk"), w.user("b@south.gov.uk")
	north, south := w.org(a, "North"), w.org(b, "South")
	na := isg.Actor{User: a, Org: north}
	s, err := w.g.SaveSummary(ctx, na, isg.SummaryInput{SummaryTerms: summaryTerms(north, south)})
	require.NoError(t, err)
	terms := flowTerms(north, south)
	f, err := w.g.CreateFlow(ctx, na, isg.CreateFlowInput{Summary: s.ID, FlowTerms: terms})
	require.NoError(t, err)

	l, err := w.g.Flows(ctx, na, isg.ListPage{})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	l.Items[0].Parties[0] = south // a careless caller
	l.Items[0].Controls = append(l.Items[0].Controls[:0], "tampered")

	terms.Name = "Renamed"
	_, err = w.g.EditFlow(ctx, na, isg.FlowStep[agreement.FlowTerms]{Flow: f.ID, Input: terms})
	require.NoError(t, err)
	l, err = w.g.Flows(ctx, na, isg.ListPage{})
	require.NoError(t, err)
	assert.Equal(t, "Renamed", l.Items[0].Name, "an edit is seen at once")
	assert.Equal(t, []isg.OrgID{north, south}, l.Items[0].Parties)
	assert.Equal(t, []string{"Encrypted"}, l.Items[0].Controls)

	l.Items[0].Controls[0] = "tampered again"
	l, err = w.g.Flows(ctx, isg.Actor{User: b, Org: south}, isg.ListPage{})
	require.NoError(t, err)
	assert.Equal(t, []string{"Encrypted"}, l.Items[0].Controls, "a cached flow is never shared with a caller")
}

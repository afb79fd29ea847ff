package directory_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg/directory"
	"github.com/isgkit/gateway/isg/violation"
)

func mergeOf(t *testing.T, mm *directory.MergeMachine, survivor directory.Organisation, merging ...directory.Organisation) directory.MergeRequest {
	t.Helper()
	m, events, err := mm.Request(directory.MergeInput{ID: directory.MergeID{UUID: uuid.Must(uuid.NewV7())}, Survivor: survivor, Merging: merging,
		Reason: "reorganisation", RequestedBy: userID()}, t0)
	require.NoError(t, err)
	require.Len(t, events, 1+len(merging), "ORG-6: every organisation involved is told, in its own name")
	for i, o := range m.Involved() {
		assert.Equal(t, o, events[i].Org)
		assert.Equal(t, []directory.OrgID{o}, events[i].To.RolesAt)
	}
	return m
}

// ORG-6: only active, distinct organisations take part.
func TestRequestMergeORG6(t *testing.T) {
	mm := directory.NewMergeMachine()
	north, south := org(t), org(t)
	closed := org(t)
	closed.Status = directory.OrgClosed
	tests := []struct {
		name    string
		merging []directory.Organisation
		code    string
	}{
		{"the survivor itself", []directory.Organisation{north}, directory.CodeMergeInvalidParty},
		{"named twice", []directory.Organisation{south, south}, directory.CodeMergeInvalidParty},
		{"a closed organisation (ORG-7)", []directory.Organisation{closed}, directory.CodeOrganisationClosed},
		{"an active one", []directory.Organisation{south}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := mm.Request(directory.MergeInput{Survivor: north, Merging: tt.merging}, t0)
			assert.Equal(t, tt.code, violation.Code(err))
		})
	}
}

// ORG-6: each merging organisation answers once; the survivor does not answer; an organisation
// not involved is told the request does not exist; any rejection ends it; the last approval
// completes it.
func TestAnswerMergeORG6(t *testing.T) {
	mm := directory.NewMergeMachine()
	north, south, east := org(t), org(t), org(t)
	m := mergeOf(t, mm, north, south, east)
	now := directory.MergeParties{Orgs: []directory.Organisation{north, south, east}}

	_, err := mm.Answer(m, now, orgID(), true, t0)
	assert.ErrorIs(t, err, directory.ErrNotFound)
	_, err = mm.Answer(m, now, north.ID, true, t0)
	assert.ErrorIs(t, err, directory.ErrForbidden)

	a, err := mm.Answer(m, now, south.ID, true, t0)
	require.NoError(t, err)
	assert.False(t, a.Completed)
	assert.Equal(t, directory.EventMergeApproved, a.Events[0].Type)
	assert.Empty(t, m.Approvals, "the input is unchanged")
	_, err = mm.Answer(a.Request, now, south.ID, true, t0)
	assert.Equal(t, directory.CodeMergeAlreadyAnswered, violation.Code(err))

	done, err := mm.Answer(a.Request, now, east.ID, true, t0)
	require.NoError(t, err)
	assert.True(t, done.Completed)
	assert.Equal(t, directory.MergeCompleted, done.Request.State)
	assert.Equal(t, t0, done.Request.CompletedAt)

	rejected, err := mm.Answer(a.Request, now, east.ID, false, t0)
	require.NoError(t, err)
	assert.Equal(t, directory.MergeRejected, rejected.Request.State)
	assert.Equal(t, east.ID, rejected.Request.RejectedBy)
	_, err = mm.Answer(rejected.Request, now, south.ID, true, t0)
	assert.Equal(t, directory.CodeMergeInvalidTransition, violation.Code(err))
}

// ORG-6: a completed merge moves roles and marks the merged organisation.
func TestMergeMovesMembers(t *testing.T) {
	north, south := orgID(), orgID()
	x := directory.User{ID: userID()}.WithRoles(north, directory.Of(directory.IGOfficer)).WithRoles(south, directory.Of(directory.Administrator))
	moved := directory.MoveMember(x, south, north)
	assert.Zero(t, moved.RolesAt(south))
	assert.Equal(t, directory.Of(directory.IGOfficer, directory.Administrator), moved.RolesAt(north))
	assert.Equal(t, directory.Of(directory.Administrator), x.RolesAt(south), "the input is unchanged")
	o := directory.MergedInto(directory.Organisation{ID: south, Status: directory.OrgActive}, north)
	assert.Equal(t, directory.OrgMerged, o.Status)
	assert.Equal(t, north, o.MergedInto)
}

// ORG-7: one open request at a time; close, decline, restore by the machine alone.
func TestClosureORG7(t *testing.T) {
	cm := directory.NewClosureMachine()
	o := org(t)
	c, events, err := cm.Request(directory.ClosureID{UUID: uuid.Must(uuid.NewV7())}, o, "decommissioned", userID(), nil, t0)
	require.NoError(t, err)
	assert.True(t, events[0].To.CentralAdmins)
	assert.Equal(t, []directory.OrgID{o.ID}, events[0].To.SuperAdminsOf)
	_, _, err = cm.Request(directory.ClosureID{}, o, "again", userID(), []directory.ClosureRequest{c}, t0)
	assert.Equal(t, directory.CodeClosurePending, violation.Code(err))
	assert.Equal(t, []directory.Decision{directory.DecisionClose, directory.DecisionDecline}, cm.Next(c))

	d, err := cm.Decide(c, o, directory.DecisionClose, userID(), t0)
	require.NoError(t, err)
	assert.Equal(t, directory.OrgClosed, d.Org.Status)
	assert.Equal(t, directory.OrgActive, o.Status, "the input is unchanged")
	_, _, err = cm.Request(directory.ClosureID{}, d.Org, "again", userID(), nil, t0)
	assert.Equal(t, directory.CodeOrganisationClosed, violation.Code(err))

	r, err := cm.Decide(d.Request, d.Org, directory.DecisionRestore, userID(), t0)
	require.NoError(t, err)
	assert.Equal(t, directory.OrgActive, r.Org.Status)
	_, err = cm.Decide(r.Request, r.Org, directory.DecisionClose, userID(), t0)
	assert.Equal(t, directory.CodeClosureInvalidTransition, violation.Code(err))

	declined, err := cm.Decide(c, o, directory.DecisionDecline, userID(), t0)
	require.NoError(t, err)
	assert.False(t, declined.OrgChanged)
	assert.Empty(t, declined.Events)
}

// ORG-6, LIC-3: an approval is refused while any organisation involved is no longer active (so
// none is merged twice, nor into a closed survivor), and the completing one when the survivor's
// licence does not allow the users it would have.
func TestAnswerMergeNeedsActivePartiesAndSeatsORG6(t *testing.T) {
	mm := directory.NewMergeMachine()
	north, south, east := org(t), org(t), org(t)
	m := mergeOf(t, mm, north, south, east)
	merged := directory.MergedInto(south, orgID())
	closed := north
	closed.Status = directory.OrgClosed
	full := &violation.Error{Kind: violation.ErrLicence, Code: "licence.user_limit", Rule: "LIC-3"}
	tests := []struct {
		name    string
		parties directory.MergeParties
		by      directory.OrgID
		code    string
	}{
		{"a merging organisation merged since", directory.MergeParties{Orgs: []directory.Organisation{north, merged, east}}, east.ID, directory.CodeOrganisationClosed},
		{"a survivor closed since", directory.MergeParties{Orgs: []directory.Organisation{closed, south, east}}, south.ID, directory.CodeOrganisationClosed},
		{"an organisation not given", directory.MergeParties{Orgs: []directory.Organisation{north, south}}, south.ID, "organisation.not_found"},
		{"seats are not asked before the last approval", directory.MergeParties{Orgs: []directory.Organisation{north, south, east}, Seats: full}, south.ID, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mm.Answer(m, tt.parties, tt.by, true, t0)
			assert.Equal(t, tt.code, violation.Code(err))
		})
	}
	now := directory.MergeParties{Orgs: []directory.Organisation{north, south, east}, Seats: full}
	a, err := mm.Answer(m, now, south.ID, true, t0)
	require.NoError(t, err)
	_, err = mm.Answer(a.Request, now, east.ID, true, t0)
	assert.Equal(t, "licence.user_limit", violation.Code(err), "the completing approval needs the seats")
	rejected, err := mm.Answer(a.Request, directory.MergeParties{}, east.ID, false, t0)
	require.NoError(t, err, "a rejection needs nothing of the parties")
	assert.Equal(t, directory.MergeRejected, rejected.Request.State)

	_, _, err = mm.Request(directory.MergeInput{Survivor: north, Merging: []directory.Organisation{south}, Seats: full}, t0)
	assert.Equal(t, "licence.user_limit", violation.Code(err), "LIC-3: refused when requested")
}

// ORG-6, ORG-7: a pending closure request ends with its organisation's merge and takes no
// decision after; a request no longer pending is left as it is; a merged organisation is neither
// closed nor restored, whatever its request's state.
func TestClosureEndsWithTheMergeORG7(t *testing.T) {
	cm := directory.NewClosureMachine()
	o := org(t)
	c, _, err := cm.Request(directory.ClosureID{UUID: uuid.Must(uuid.NewV7())}, o, "r", userID(), nil, t0)
	require.NoError(t, err)
	mid := directory.MergeID{UUID: uuid.Must(uuid.NewV7())}
	ended, ok := cm.EndWithMerge(c, mid, t0)
	require.True(t, ok)
	assert.Equal(t, directory.ClosureEnded, ended.State)
	assert.Equal(t, mid, ended.EndedByMerge)
	assert.False(t, cm.Pending(ended))
	assert.Empty(t, cm.Next(ended))
	assert.Equal(t, directory.ClosureRequested, c.State, "the input is unchanged")
	assert.Equal(t, []directory.Decision{directory.DecisionClose, directory.DecisionDecline}, cm.Next(c), "ending is no decision")
	for _, d := range []directory.Decision{directory.DecisionClose, directory.DecisionDecline, directory.DecisionRestore} {
		_, err := cm.Decide(ended, o, d, userID(), t0)
		assert.Equal(t, directory.CodeClosureInvalidTransition, violation.Code(err), d)
	}
	_, err = cm.Decide(c, o, "merge", userID(), t0)
	assert.Equal(t, directory.CodeClosureInvalidTransition, violation.Code(err), "the merge's trigger is not a decision")

	d, err := cm.Decide(c, o, directory.DecisionDecline, userID(), t0)
	require.NoError(t, err)
	same, ok := cm.EndWithMerge(d.Request, mid, t0)
	assert.False(t, ok)
	assert.Equal(t, directory.ClosureDeclined, same.State)

	merged := directory.MergedInto(o, orgID())
	_, err = cm.Decide(c, merged, directory.DecisionClose, userID(), t0)
	assert.Equal(t, directory.CodeOrganisationClosed, violation.Code(err))
}

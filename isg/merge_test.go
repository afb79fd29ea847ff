package isg_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/directory"
)

// mergeWorld is three active organisations, each with its own Administrator and Senior Officer.
type mergeWorld struct {
	*world
	north, south, east    isg.OrgID
	amy, bob, cat         isg.UserID
	asNorth, asSouth, asE isg.Actor
}

func newMergeWorld(t *testing.T) mergeWorld {
	w := newWorld(t)
	m := mergeWorld{world: w, amy: w.user("amy@north.gov.uk"), bob: w.user("bob@south.gov.uk"), cat: w.user("cat@east.gov.uk")}
	m.north, m.south, m.east = w.org(m.amy, "North"), w.org(m.bob, "South"), w.org(m.cat, "East")
	m.asNorth, m.asSouth, m.asE = isg.Actor{User: m.amy, Org: m.north}, isg.Actor{User: m.bob, Org: m.south}, isg.Actor{User: m.cat, Org: m.east}
	return m
}

func (m mergeWorld) request(t *testing.T, by isg.Actor, merging ...isg.OrgID) (isg.MergeRequest, error) {
	t.Helper()
	return m.g.RequestMerge(ctx, by, isg.RequestMergeInput{Merging: merging, Reason: "reorganisation", DisclaimerAcknowledged: true})
}

func (m mergeWorld) approve(by isg.Actor, id isg.MergeID) (isg.MergeRequest, error) {
	return m.g.AnswerMerge(ctx, by, isg.AnswerMergeInput{Merge: id, Approve: true})
}

func (m mergeWorld) status(t *testing.T, org isg.OrgID) isg.Organisation {
	t.Helper()
	o, err := m.g.GetOrganisation(ctx, isg.Actor{User: m.ca}, isg.OrgRef{Org: org})
	require.NoError(t, err)
	return o
}

// TestMergeTakesOnlyActiveOrganisationsORG6: ORG-6 — only active organisations take part, checked
// when the merge completes as well as when it is requested: an organisation is never merged twice
// (its merged_into repointed away from where its data went), and nothing completes into a survivor
// closed since the request.
func TestMergeTakesOnlyActiveOrganisationsORG6(t *testing.T) {
	t.Run("merged twice", func(t *testing.T) {
		m := newMergeWorld(t)
		dee := m.user("dee@west.gov.uk")
		west := m.org(dee, "West")
		intoNorth, err := m.request(t, m.asNorth, m.south, west)
		require.NoError(t, err)
		intoEast, err := m.request(t, m.asE, m.south)
		require.NoError(t, err, "both requested while South was active")
		_, err = m.approve(m.asSouth, intoNorth.ID)
		require.NoError(t, err, "South approves North's merge, which waits for West")
		done, err := m.approve(m.asSouth, intoEast.ID)
		require.NoError(t, err)
		require.Equal(t, isg.MergeCompleted, done.State, "South merged into East")

		_, err = m.approve(isg.Actor{User: dee, Org: west}, intoNorth.ID)
		assert.Equal(t, "organisation.closed", isg.ErrorCode(err), "North's merge cannot complete: South was merged since")
		assert.Equal(t, m.east, m.status(t, m.south).MergedInto, "South stays merged into East, where its data went")
		assert.Equal(t, isg.OrgActive, m.status(t, west).Status)
		_, err = m.request(t, m.asNorth, m.south)
		assert.Equal(t, "organisation.closed", isg.ErrorCode(err), "nor can it be asked again")
	})
	t.Run("into a closed survivor", func(t *testing.T) {
		m := newMergeWorld(t)
		req, err := m.request(t, m.asNorth, m.south)
		require.NoError(t, err)
		c, err := m.g.RequestClosure(ctx, m.asNorth, isg.RequestClosureInput{Reason: "decommissioned"})
		require.NoError(t, err)
		_, err = m.g.DecideClosure(ctx, isg.Actor{User: m.ca}, isg.DecideClosureInput{Closure: c.ID, Decision: "close"})
		require.NoError(t, err)

		_, err = m.approve(m.asSouth, req.ID)
		assert.Equal(t, "organisation.closed", isg.ErrorCode(err))
		assert.Equal(t, isg.OrgActive, m.status(t, m.south).Status, "South is not merged into a closed organisation")
	})
}

// TestMergeKeepsTheFreeModelUserCapLIC3: ORG-6, LIC-3 — a free-model survivor that would have
// more than 3 users once the merge completes is refused when the merge is requested (and, should
// users have joined since, when it would complete); a licensed survivor is not limited.
func TestMergeKeepsTheFreeModelUserCapLIC3(t *testing.T) {
	m := newMergeWorld(t)
	m.grant(m.amy, m.north, m.user("ann@north.gov.uk"), isg.IGOfficer)
	m.grant(m.bob, m.south, m.user("ben@south.gov.uk"), isg.IGOfficer)
	// North 2 users, South 2: four once merged.
	_, err := m.request(t, m.asNorth, m.south)
	assert.ErrorIs(t, err, isg.ErrLicence)
	var e *isg.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "LIC-3", e.Rule)

	req, err := m.request(t, m.asNorth, m.east)
	require.NoError(t, err, "North 2 + East 1 = 3 users is allowed")
	m.grant(m.cat, m.east, m.user("cy@east.gov.uk"), isg.IGOfficer)
	_, err = m.approve(m.asE, req.ID)
	assert.ErrorIs(t, err, isg.ErrLicence, "East gained a user since: four once merged")
	assert.Equal(t, isg.OrgActive, m.status(t, m.east).Status)

	m.licensed(m.north)
	_, err = m.request(t, m.asNorth, m.south)
	require.NoError(t, err, "a group licence lifts the cap")
	done, err := m.approve(m.asE, req.ID)
	require.NoError(t, err)
	assert.Equal(t, isg.MergeCompleted, done.State)
}

// TestPendingClosureEndsWithTheMergeORG7: ORG-6, ORG-7 — a closure request pending when its
// organisation is merged ends with the merge: it can later neither close nor restore the merged
// organisation, which stays merged.
func TestPendingClosureEndsWithTheMergeORG7(t *testing.T) {
	m := newMergeWorld(t)
	c, err := m.g.RequestClosure(ctx, m.asSouth, isg.RequestClosureInput{Reason: "joining North"})
	require.NoError(t, err)
	req, err := m.request(t, m.asNorth, m.south)
	require.NoError(t, err)
	_, err = m.approve(m.asSouth, req.ID)
	require.NoError(t, err)

	for _, d := range []directory.Decision{directory.DecisionClose, directory.DecisionDecline, directory.DecisionRestore} {
		_, err := m.g.DecideClosure(ctx, isg.Actor{User: m.ca}, isg.DecideClosureInput{Closure: c.ID, Decision: d})
		assert.Error(t, err, d)
	}
	o := m.status(t, m.south)
	assert.Equal(t, isg.OrgMerged, o.Status)
	assert.Equal(t, m.north, o.MergedInto)
}

package agreement_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
)

// chain is the onward-sharing fixture (FLOW-13): the trust receives data from the outsider
// (fromOutsider, beneath the outsider's own summary), which the outsider itself received from the
// police (fromPolice); the trust passes it on to the council (onward). The trust also receives
// data from the council (fromCouncil).
type chain struct {
	w                                     *world
	m                                     *agreement.FlowMachine
	s, s2                                 agreement.Summary
	fromCouncil, fromOutsider, fromPolice agreement.Flow
	onward                                agreement.Flow
	outsiderDPO                           agreement.Actor
	flows                                 map[agreement.FlowID]agreement.Flow
}

func oneWay(from, to agreement.OrgID) agreement.FlowTerms {
	return agreement.FlowTerms{Name: "Data", Parties: []agreement.OrgID{from, to}, Direction: agreement.OneWay,
		From: []agreement.OrgID{from}, To: []agreement.OrgID{to}, Frequency: agreement.Monthly, TransferMode: agreement.SFTP,
		Controls: []string{"Encrypted"}}
}

func newChain(t tb) *chain {
	t.Helper()
	w := newWorld()
	c := &chain{w: w, m: agreement.NewFlowMachine(), outsiderDPO: agreement.Actor{User: w.user(), Org: w.outsider}}
	c.s = w.summary(t)
	st := w.summaryTerms()
	st.Organisations = []agreement.OrgID{w.outsider, w.trust, w.police}
	var err error
	c.s2, err = agreement.NewSummary(agreement.SummaryID{UUID: w.uuid()}, w.stranger, w.now, st)
	require.NoError(t, err)
	mk := func(s agreement.Summary, by agreement.Actor, terms agreement.FlowTerms) agreement.Flow {
		f, err := agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, s, by, w.now, terms)
		require.NoError(t, err)
		return f
	}
	c.fromCouncil = mk(c.s, w.councilOfficer, oneWay(w.council, w.trust))
	c.fromPolice = mk(c.s2, w.policeOfficer, oneWay(w.police, w.outsider))
	outsiderTerms := oneWay(w.outsider, w.trust)
	outsiderTerms.Sources = []agreement.FlowID{c.fromPolice.ID}
	c.fromOutsider = mk(c.s2, w.stranger, outsiderTerms)
	onwardTerms := w.flowTerms()
	onwardTerms.Sources = []agreement.FlowID{c.fromOutsider.ID}
	c.onward = mk(c.s, w.officer, onwardTerms)
	c.flows = map[agreement.FlowID]agreement.Flow{}
	for _, f := range []agreement.Flow{c.fromCouncil, c.fromOutsider, c.fromPolice} {
		c.flows[f.ID] = f
	}
	return c
}

func (c *chain) originals(f agreement.Flow) agreement.Originals {
	return agreement.OriginalsOf(f, c.flows)
}

// TestOriginalsOfFollowsTheChainToItsStart: FLOW-13 — the originals are the senders of every
// source, up the chain through the sources' own sources, less the onward flow's creator; two-way
// sources count their other side; cycles and missing flows end the walk.
func TestOriginalsOfFollowsTheChainToItsStart(t *testing.T) {
	c := newChain(t)
	w := c.w
	o := c.originals(c.onward)
	assert.True(t, o.Known())
	assert.ElementsMatch(t, []agreement.OrgID{w.outsider, w.police}, o.Orgs(), "the outsider sent it, and the police sent it to the outsider")
	assert.False(t, o.Has(w.trust), "the onward flow's creator is never its own original")
	assert.False(t, o.Has(w.council), "the council is a recipient, not an original")

	none := agreement.OriginalsOf(c.fromCouncil, c.flows)
	assert.True(t, none.Known())
	assert.Empty(t, none.Orgs(), "a flow without sources has no originals")
	assert.False(t, agreement.Originals{}.Known(), "the zero value is not computed")

	// Two-way: the trust on the From side receives from the To side.
	two := oneWay(w.trust, w.police)
	two.Direction = agreement.TwoWay
	twoWay, err := agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, c.s, w.policeOfficer, w.now, two)
	require.NoError(t, err)
	c.flows[twoWay.ID] = twoWay
	g := c.onward
	g.Sources = []agreement.FlowID{twoWay.ID, c.fromCouncil.ID}
	assert.ElementsMatch(t, []agreement.OrgID{w.police, w.council}, c.originals(g).Orgs())

	// A cycle (the police's flow now naming the outsider's, which names it) ends the walk.
	loop := c.fromPolice
	loop.Sources = []agreement.FlowID{c.fromOutsider.ID}
	c.flows[loop.ID] = loop
	assert.ElementsMatch(t, []agreement.OrgID{w.outsider, w.police}, c.originals(c.onward).Orgs())

	// A source no longer stored contributes nothing; one whose receiver left asks every party.
	delete(c.flows, c.fromPolice.ID)
	assert.Equal(t, []agreement.OrgID{w.outsider}, c.originals(c.onward).Orgs())
	changed := c.fromOutsider
	changed.FlowTerms = oneWay(w.outsider, w.police)
	changed.Parties = []agreement.OrgID{w.outsider, w.police, w.council}
	c.flows[changed.ID] = changed
	assert.ElementsMatch(t, []agreement.OrgID{w.outsider, w.police, w.council}, c.originals(c.onward).Orgs(),
		"in doubt, every party the data could have come from is asked")
}

// TestCheckSourcesRefusesWhatTheCreatorDidNotReceive: FLOW-13 — a source must be a flow the
// editor may see and the creator receives data in; not the flow itself nor leading back to it;
// only the creator changes the list; a flow the editor may not see is refused exactly as an ID
// naming no flow.
func TestCheckSourcesRefusesWhatTheCreatorDidNotReceive(t *testing.T) {
	c := newChain(t)
	w := c.w
	unknown := agreement.FlowID{UUID: w.uuid()}
	// The outsider's flow to the police: the trust cannot see it.
	hidden, err := agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, c.s2, w.stranger, w.now, oneWay(w.outsider, w.police))
	require.NoError(t, err)
	// The trust's own flow to the council: it sends in it, receiving nothing.
	sent, err := agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, c.s, w.officer, w.now, oneWay(w.trust, w.council))
	require.NoError(t, err)
	all := map[agreement.FlowID]agreement.Flow{hidden.ID: hidden, sent.ID: sent}
	for k, v := range c.flows {
		all[k] = v
	}
	all[c.onward.ID] = c.onward
	fresh := agreement.Flow{ID: agreement.FlowID{UUID: w.uuid()}, CreatedByOrg: w.trust}

	check := func(f agreement.Flow, by agreement.Actor, named ...agreement.FlowID) []string {
		err := agreement.CheckSources(f, by, named, all, true)
		if err == nil {
			return nil
		}
		return fieldCodes(t, err)
	}
	assert.Nil(t, check(fresh, w.officer, c.fromCouncil.ID, c.fromOutsider.ID), "flows the trust receives in")
	assert.Equal(t, []string{"sources[0]/unknown_source"}, check(fresh, w.officer, unknown))
	assert.Equal(t, []string{"sources[0]/unknown_source"}, check(fresh, w.officer, hidden.ID))
	errUnknown := agreement.CheckSources(fresh, w.officer, []agreement.FlowID{unknown}, all, true)
	errHidden := agreement.CheckSources(fresh, w.officer, []agreement.FlowID{hidden.ID}, all, true)
	a, _ := json.Marshal(errUnknown)
	b, _ := json.Marshal(errHidden)
	assert.JSONEq(t, string(a), string(b), "a flow the organisation may not see is refused exactly as an unknown one")
	assert.Equal(t, []string{"sources[0]/not_receiver"}, check(fresh, w.officer, sent.ID))
	assert.Equal(t, []string{"sources[1]/cycle"}, check(c.onward, w.officer, c.fromOutsider.ID, c.onward.ID))

	// The outsider's flow naming the trust's onward flow would close a loop: the onward flow
	// names the outsider's.
	outsiderFlow := c.fromOutsider
	back := oneWay(w.trust, w.outsider)
	back.Parties = []agreement.OrgID{w.trust, w.outsider}
	onwardToOutsider, err := agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, c.s2, w.officer, w.now, back)
	require.NoError(t, err)
	onwardToOutsider.Sources = []agreement.FlowID{outsiderFlow.ID}
	all[onwardToOutsider.ID] = onwardToOutsider
	assert.Equal(t, []string{"sources[1]/cycle"}, check(outsiderFlow, w.stranger, c.fromPolice.ID, onwardToOutsider.ID))

	assert.Equal(t, []string{"sources/creator_only"}, check(c.onward, w.councilOfficer), "a partner may not drop the sources")
	assert.Nil(t, check(c.onward, w.councilOfficer, c.fromOutsider.ID), "a partner's edit keeping the sources is fine")
	assert.Equal(t, []string{"sources/chain_too_long"}, fieldCodes(t, agreement.CheckSources(fresh, w.officer, []agreement.FlowID{c.fromCouncil.ID}, all, false)))

	// A source already named is not checked again: it may have changed since.
	kept := c.onward
	kept.Sources = []agreement.FlowID{sent.ID}
	assert.Nil(t, check(kept, w.officer, sent.ID))

	// Duplicates and zero IDs are the terms' own checks.
	terms := w.flowTerms()
	terms.Sources = []agreement.FlowID{c.fromCouncil.ID, c.fromCouncil.ID, {}}
	_, err = agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, c.s, w.officer, w.now, terms)
	assert.ElementsMatch(t, []string{"sources[1]/duplicate", "sources[2]/required"}, fieldCodes(t, err))
	assert.Equal(t, "FLOW-13", ruleOf(t, err))
}

// TestNameableSourcesForACopy: FLOW-13, SUM-4 — a copy keeps the sources its maker could name.
func TestNameableSourcesForACopy(t *testing.T) {
	c := newChain(t)
	ids := []agreement.FlowID{c.fromCouncil.ID, c.fromOutsider.ID, {UUID: c.w.uuid()}}
	assert.Equal(t, ids[:2], agreement.NameableSources(c.w.trust, ids, c.flows))
	assert.Empty(t, agreement.NameableSources(c.w.police, ids, c.flows), "the police received none of them")
}

// TestOnwardApprovalGatesFinalising: FLOW-13 — a flow with sources is finalised only with an
// approval of its current version by a DPO of every original organisation, asked for like a DPO
// review; an edit voids it; an onward rejection blocks until that DPO decides again; the date
// passing never stands in for it.
func TestOnwardApprovalGatesFinalising(t *testing.T) {
	c := newChain(t)
	w, m := c.w, c.m
	o := c.originals(c.onward)
	policeDPO := w.policeDPO

	f, _, err := m.RequestReview(c.onward, w.officer, w.now, agreement.ReviewRequest{
		DPOs: []agreement.Reviewer{{DPO: w.councilDPO.User, Org: w.council}}, ReviewBy: w.now.AddDate(0, 0, 7)})
	require.NoError(t, err)
	f, _, err = m.Approve(f, w.councilDPO, w.now, agreement.Verdict{})
	require.NoError(t, err)
	require.Equal(t, agreement.Approved, f.State)

	_, _, err = m.Finalise(f, w.officer, w.now)
	assert.Equal(t, agreement.CodeOnwardApprovalRequired, agreement.Code(err), "without the originals no flow with sources is finalised")
	_, _, err = m.FinaliseOnward(f, w.officer, w.now, o)
	assert.Equal(t, agreement.CodeOnwardApprovalRequired, agreement.Code(err))
	assert.Equal(t, "FLOW-13", ruleOf(t, err))
	assert.ErrorIs(t, err, agreement.ErrRule)

	req := agreement.OnwardRequest{DPOs: []agreement.Reviewer{{DPO: c.outsiderDPO.User, Org: w.outsider}, {DPO: policeDPO.User, Org: w.police}},
		ReviewBy: w.now.AddDate(0, 0, 14), Comment: "May we pass your referrals on to the council?"}
	_, _, err = m.RequestOnward(f, w.councilOfficer, w.now, req, o)
	assert.Equal(t, agreement.CodeNotCreator, agreement.Code(err), "only the creating organisation asks")
	bad := req
	bad.DPOs = []agreement.Reviewer{{DPO: w.councilDPO.User, Org: w.council}}
	_, _, err = m.RequestOnward(f, w.officer, w.now, bad, o)
	assert.Equal(t, []string{"dpos[0].org/not_original"}, fieldCodes(t, err), "a DPO of a recipient is no original")
	_, _, err = m.RequestOnward(f, w.officer, w.now, req, agreement.Originals{})
	assert.Equal(t, []string{"dpos[0].org/not_original", "dpos[1].org/not_original"}, fieldCodes(t, err), "originals not computed: none")

	before := f
	f, events, err := m.RequestOnward(f, w.officer, w.now, req, o)
	require.NoError(t, err)
	assert.Equal(t, agreement.Approved, f.State, "an onward request neither locks nor moves the flow")
	assert.Equal(t, before.ReviewBy, f.ReviewBy, "FLOW-8's review-by date is untouched")
	require.Len(t, events, 1)
	assert.Equal(t, agreement.EventOnwardRequested, events[0].Type)
	assert.Equal(t, req.DPOs, events[0].DPOs)
	assert.Equal(t, req.Comment, events[0].Note)
	require.Len(t, f.OnwardReviews, 2)
	assert.True(t, f.OnwardReviews[0].Awaiting)

	_, _, err = m.ApproveOnward(f, w.councilDPO, w.now, agreement.Verdict{}, o)
	assert.Equal(t, agreement.CodeNotReviewer, agreement.Code(err), "a DPO of a non-original organisation cannot approve onward")
	_, _, err = m.ApproveOnward(f, agreement.Actor{User: w.user(), Org: w.outsider}, w.now, agreement.Verdict{}, o)
	assert.Equal(t, agreement.CodeNotReviewer, agreement.Code(err), "another DPO of the original, not asked, cannot either")

	f, events, err = m.ApproveOnward(f, c.outsiderDPO, w.now, agreement.Verdict{Details: "Yes, for safeguarding only."}, o)
	require.NoError(t, err)
	assert.Equal(t, agreement.EventOnwardApproved, events[0].Type)
	assert.Equal(t, w.officer.User, events[0].Requester, "the requester is told (as FLOW-9)")
	_, _, err = m.ApproveOnward(f, c.outsiderDPO, w.now, agreement.Verdict{}, o)
	assert.Equal(t, agreement.CodeAlreadyDecided, agreement.Code(err))
	_, _, err = m.FinaliseOnward(f, w.officer, w.now, o)
	assert.Equal(t, agreement.CodeOnwardApprovalRequired, agreement.Code(err), "every original must approve: the police have not")
	_, _, err = m.FinaliseOnward(f, w.officer, w.now.AddDate(1, 0, 0), o)
	assert.Equal(t, agreement.CodeOnwardApprovalRequired, agreement.Code(err), "the date passing never stands in for permission")

	f, events, err = m.RejectOnward(f, policeDPO, w.now, agreement.Verdict{Details: "Not without pseudonymisation."}, o)
	require.NoError(t, err)
	assert.Equal(t, agreement.EventOnwardRejected, events[0].Type)
	assert.Equal(t, agreement.Approved, f.State, "an onward rejection does not reject the flow")
	_, _, err = m.RejectOnward(f, policeDPO, w.now, agreement.Verdict{}, o)
	assert.Equal(t, "details/required", fieldCodes(t, err)[0])
	_, _, err = m.FinaliseOnward(f, w.officer, w.now, o)
	assert.Equal(t, agreement.CodeOpenOnwardRejection, agreement.Code(err))

	f, _, err = m.ApproveOnward(f, policeDPO, w.now, agreement.Verdict{}, o)
	require.NoError(t, err, "the DPO may change its mind")
	done, events, err := m.FinaliseOnward(f, w.officer, w.now, o)
	require.NoError(t, err)
	assert.Equal(t, agreement.Finalised, done.State)
	assert.Equal(t, agreement.EventFinalised, events[0].Type)

	_, _, err = m.RequestOnward(done, w.officer, w.now, req, o)
	assert.ErrorIs(t, err, agreement.ErrInvalidTransition, "nothing is asked once finalised")
	_, _, err = m.ApproveOnward(done, c.outsiderDPO, w.now, agreement.Verdict{}, o)
	assert.ErrorIs(t, err, agreement.ErrInvalidTransition)
}

// TestOnwardApprovalCountsOnlyTheVersionApproved: FLOW-13 (as FLOW-8) — an edit voids the
// originals' approvals; an onward request in Draft leaves the flow editable.
func TestOnwardApprovalCountsOnlyTheVersionApproved(t *testing.T) {
	c := newChain(t)
	w, m := c.w, c.m
	terms := oneWay(w.trust, w.council) // no personal data: finalised from Draft
	terms.Sources = []agreement.FlowID{c.fromOutsider.ID}
	f, err := agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, c.s, w.officer, w.now, terms)
	require.NoError(t, err)
	o := c.originals(f)
	f, _, err = m.RequestOnward(f, w.officer, w.now, agreement.OnwardRequest{
		DPOs:     []agreement.Reviewer{{DPO: c.outsiderDPO.User, Org: w.outsider}, {DPO: w.policeDPO.User, Org: w.police}},
		ReviewBy: w.now.AddDate(0, 0, 14)}, o)
	require.NoError(t, err)
	require.Equal(t, agreement.Draft, f.State)
	f, _, err = m.ApproveOnward(f, c.outsiderDPO, w.now, agreement.Verdict{}, o)
	require.NoError(t, err)
	f, _, err = m.ApproveOnward(f, w.policeDPO, w.now, agreement.Verdict{}, o)
	require.NoError(t, err)
	assert.Contains(t, m.PermittedWith(f, w.officer, w.now, o), agreement.TriggerFinalise)
	assert.NotContains(t, m.Permitted(f, w.officer, w.now), agreement.TriggerFinalise, "not offered without the originals")

	terms.Frequency = agreement.Weekly
	edited, _, err := m.Edit(f, c.s, w.officer, w.now, terms)
	require.NoError(t, err, "not locked")
	_, _, err = m.FinaliseOnward(edited, w.officer, w.now, o)
	assert.Equal(t, agreement.CodeOnwardApprovalRequired, agreement.Code(err), "the edit voided both approvals")
	again, _, err := m.ApproveOnward(edited, c.outsiderDPO, w.now, agreement.Verdict{}, o)
	require.NoError(t, err, "and the DPO may approve the new version")
	_, _, err = m.FinaliseOnward(again, w.officer, w.now, o)
	assert.Equal(t, agreement.CodeOnwardApprovalRequired, agreement.Code(err))

	done, _, err := m.FinaliseOnward(f, w.officer, w.now, o)
	require.NoError(t, err, "the approved version finalises from Draft")
	assert.Equal(t, agreement.Finalised, done.State)

	// Sources removed: no originals, no onward approval needed, and an earlier rejection no
	// longer counts nor may its DPO act.
	r, _, err := m.RejectOnward(edited, w.policeDPO, w.now, agreement.Verdict{Details: "no"}, o)
	require.NoError(t, err)
	terms.Sources = nil
	plain, _, err := m.Edit(r, c.s, w.officer, w.now, terms)
	require.NoError(t, err)
	po := c.originals(plain)
	_, _, err = m.ApproveOnward(plain, w.policeDPO, w.now, agreement.Verdict{}, po)
	assert.Equal(t, agreement.CodeNotReviewer, agreement.Code(err), "no longer an original")
	_, _, err = m.FinaliseOnward(plain, w.officer, w.now, po)
	assert.NoError(t, err)
	_, _, err = m.RequestOnward(plain, w.officer, w.now, agreement.OnwardRequest{
		DPOs: []agreement.Reviewer{{DPO: w.policeDPO.User, Org: w.police}}, ReviewBy: w.now.AddDate(0, 0, 1)}, agreement.OriginalsOf(plain, nil))
	assert.Equal(t, agreement.CodeNoSources, agreement.Code(err), "said before the DPOs are checked")
}

// TestOnwardApprovalByAPartyDPOCounts: FLOW-13 — an original organisation that is also a party
// approves through its own DPO review as well.
func TestOnwardApprovalByAPartyDPOCounts(t *testing.T) {
	c := newChain(t)
	w, m := c.w, c.m
	terms := w.flowTerms()
	terms.Sources = []agreement.FlowID{c.fromCouncil.ID}
	f, err := agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, c.s, w.officer, w.now, terms)
	require.NoError(t, err)
	o := c.originals(f)
	require.Equal(t, []agreement.OrgID{w.council}, o.Orgs())
	f, _, err = m.RequestReview(f, w.officer, w.now, agreement.ReviewRequest{
		DPOs: []agreement.Reviewer{{DPO: w.councilDPO.User, Org: w.council}}, ReviewBy: w.now.AddDate(0, 0, 7)})
	require.NoError(t, err)
	f, _, err = m.Approve(f, w.councilDPO, w.now, agreement.Verdict{})
	require.NoError(t, err)
	assert.True(t, f.OnwardApprovedBy(w.council))
	_, _, err = m.FinaliseOnward(f, w.officer, w.now, o)
	assert.NoError(t, err)
	_, _, err = m.RequestRereview(f, w.officer, w.now, agreement.Rereview{DPO: w.councilDPO.User, Changes: "x"})
	assert.Error(t, err)
}

// TestOnwardViewShowsOnlyWhatTheOriginalNeeds: FLOW-13 — the DPO asked sees the terms, the state
// and its own organisation's onward reviews; nothing of the parties' reviews, signatures, log or
// another original's answers; only it, for that organisation, while it is still an original.
func TestOnwardViewShowsOnlyWhatTheOriginalNeeds(t *testing.T) {
	c := newChain(t)
	w, m := c.w, c.m
	o := c.originals(c.onward)
	f, _, err := m.RequestReview(c.onward, w.officer, w.now, agreement.ReviewRequest{
		DPOs: []agreement.Reviewer{{DPO: w.councilDPO.User, Org: w.council}}, ReviewBy: w.now.AddDate(0, 0, 7)})
	require.NoError(t, err)
	f, _, err = m.RequestOnward(f, w.officer, w.now, agreement.OnwardRequest{
		DPOs:     []agreement.Reviewer{{DPO: c.outsiderDPO.User, Org: w.outsider}, {DPO: w.policeDPO.User, Org: w.police}},
		ReviewBy: w.now.AddDate(0, 0, 14)}, o)
	require.NoError(t, err)
	f.Signatures = []agreement.Signature{{Algorithm: "Ed25519", Value: []byte{1}}}
	f.Log = agreement.LogHead{Count: 3, Last: "abc"}

	assert.True(t, agreement.CanReviewOnward(c.outsiderDPO, f, o))
	assert.False(t, agreement.CanReviewOnward(agreement.Actor{User: c.outsiderDPO.User, Org: w.police}, f, o), "only for the organisation asked")
	assert.False(t, agreement.CanReviewOnward(agreement.Actor{User: w.user(), Org: w.outsider}, f, o), "only the DPO asked")
	assert.False(t, agreement.CanReviewOnward(c.outsiderDPO, f, agreement.Originals{}), "only while an original")
	assert.False(t, agreement.CanSeeFlow(w.outsider, f), "being asked makes no party")

	v := agreement.OnwardView(f, w.outsider)
	assert.Equal(t, f.FlowTerms, v.FlowTerms)
	assert.Equal(t, f.ID, v.ID)
	assert.Equal(t, f.State, v.State)
	assert.Empty(t, v.Reviews, "the parties' reviews are theirs")
	assert.Empty(t, v.Signatures)
	assert.Zero(t, v.Log)
	assert.Equal(t, f.CreatedBy, v.CreatedBy, "who to ask about it")
	require.Len(t, v.OnwardReviews, 1)
	assert.Equal(t, w.outsider, v.OnwardReviews[0].Org, "only its own organisation's answer")
	v.Parties[0] = w.outsider
	assert.NotEqual(t, w.outsider, f.Parties[0], "the view shares nothing with the flow")

	assert.Equal(t, []agreement.Trigger{agreement.TriggerApproveOnward, agreement.TriggerRejectOnward},
		m.PermittedWith(f, c.outsiderDPO, w.now, o))
	assert.Contains(t, m.PermittedWith(f, w.officer, w.now, o), agreement.TriggerRequestOnward)
	assert.NotContains(t, m.PermittedWith(c.fromCouncil, w.councilOfficer, w.now, o), agreement.TriggerRequestOnward,
		"not offered for a flow without sources")
	_, _, err = m.RequestOnward(c.fromCouncil, w.councilOfficer, w.now, agreement.OnwardRequest{
		DPOs: []agreement.Reviewer{{DPO: w.policeDPO.User, Org: w.police}}, ReviewBy: w.now.AddDate(0, 0, 1)},
		agreement.OriginalsOf(agreement.Flow{FlowTerms: agreement.FlowTerms{Sources: []agreement.FlowID{c.fromPolice.ID}}}, c.flows))
	assert.Equal(t, agreement.CodeNoSources, agreement.Code(err))
}

// TestVaryMakesADraftOfAFlowInForce: SIGN-6 — a finalised or signed flow is varied by its
// creating organisation into a new Draft carrying its terms and a link back, and nothing else.
func TestVaryMakesADraftOfAFlowInForce(t *testing.T) {
	c := newChain(t)
	w, m := c.w, c.m
	draft := w.flow(t, c.s)
	_, _, err := m.Vary(draft, c.s, agreement.FlowID{UUID: w.uuid()}, w.officer, w.now)
	assert.ErrorIs(t, err, agreement.ErrInvalidTransition)
	assert.Equal(t, "SIGN-6", ruleOf(t, err))

	s, f := w.inReview(t, m)
	f, _, err = m.Approve(f, w.councilDPO, w.now, agreement.Verdict{})
	require.NoError(t, err)
	f.Sources = []agreement.FlowID{c.fromCouncil.ID}
	f.OnwardReviews = []agreement.DPOReview{{DPO: w.councilDPO.User, Org: w.council}}
	fin, _, err := m.FinaliseOnward(f, w.officer, w.now, c.originals(f))
	require.NoError(t, err)
	signed := fin
	signed.State = agreement.Signed
	signed.Signatures = []agreement.Signature{{Algorithm: "Ed25519", Value: []byte{1}}}

	for _, src := range []agreement.Flow{fin, signed} {
		id := agreement.FlowID{UUID: w.uuid()}
		_, _, err = m.Vary(src, s, id, w.councilOfficer, w.now)
		assert.Equal(t, agreement.CodeNotCreator, agreement.Code(err), "a partner asks the creator")
		v, events, err := m.Vary(src, s, id, w.officer, w.now.Add(time.Hour))
		require.NoError(t, err, src.State)
		assert.Equal(t, agreement.Draft, v.State)
		assert.Equal(t, id, v.ID)
		assert.Equal(t, src.ID, v.VariationOf)
		assert.Equal(t, src.FlowTerms, v.FlowTerms, "the terms, sources included, to amend")
		assert.Equal(t, int64(1), v.Rev)
		assert.Empty(t, v.Reviews)
		assert.Empty(t, v.OnwardReviews)
		assert.Empty(t, v.Signatures)
		assert.Zero(t, v.FinalisedAt)
		require.Len(t, events, 1)
		assert.Equal(t, agreement.EventVariationCreated, events[0].Type)
		assert.Equal(t, src.ID, events[0].Related)
		assert.Equal(t, src.Parties, events[0].Parties)
		assert.Contains(t, m.Permitted(src, w.officer, w.now), agreement.TriggerVary)
	}
	_, _, err = m.Vary(fin, c.s2, agreement.FlowID{UUID: w.uuid()}, w.officer, w.now)
	assert.Equal(t, agreement.CodeWrongSummary, agreement.Code(err))
	_, _, err = m.Vary(fin, s, fin.ID, w.officer, w.now)
	assert.ErrorIs(t, err, agreement.ErrInvalid, "a variation is a new flow")
}

// TestSupersedeOnlyBySignedVariation: SIGN-6 — the original becomes Superseded only when a
// signed variation of it names every open party of it; a second variation then cannot take effect.
func TestSupersedeOnlyBySignedVariation(t *testing.T) {
	c := newChain(t)
	w, m := c.w, c.m
	orig := c.fromCouncil
	orig.State = agreement.Signed
	v, _, err := m.Vary(orig, c.s, agreement.FlowID{UUID: w.uuid()}, w.councilOfficer, w.now)
	require.NoError(t, err)
	signedV := v
	signedV.State = agreement.Signed
	at := w.now.Add(time.Hour)

	_, _, err = m.Supersede(orig, w.officer, at, v, nil)
	assert.Equal(t, agreement.CodeVariationNotSigned, agreement.Code(err), "a draft variation has not taken effect")
	other := signedV
	other.VariationOf = c.fromPolice.ID
	_, _, err = m.Supersede(orig, w.officer, at, other, nil)
	assert.Equal(t, agreement.CodeVariationNotSigned, agreement.Code(err), "a variation of another flow")

	dropped := signedV
	dropped.FlowTerms = oneWay(w.council, w.police)
	_, _, err = m.Supersede(orig, w.officer, at, dropped, nil)
	assert.Equal(t, agreement.CodeVariationDropsParty, agreement.Code(err), "the trust must sign the variation too")
	assert.Equal(t, []string{"parties/original_party_missing"}, fieldCodes(t, agreement.CheckVariationParties(orig, nil, dropped.FlowTerms)))
	assert.NoError(t, agreement.CheckVariationParties(orig, []agreement.OrgID{w.trust}, dropped.FlowTerms), "a closed party may be left out")
	_, _, err = m.Supersede(orig, w.officer, at, dropped, []agreement.OrgID{w.trust})
	assert.NoError(t, err)

	done, events, err := m.Supersede(orig, w.officer, at, signedV, nil)
	require.NoError(t, err)
	assert.Equal(t, agreement.Superseded, done.State)
	assert.Equal(t, signedV.ID, done.SupersededBy)
	assert.Equal(t, at, done.SupersededAt)
	require.Len(t, events, 1)
	assert.Equal(t, agreement.EventSuperseded, events[0].Type)
	assert.Equal(t, signedV.ID, events[0].Related)
	assert.Equal(t, orig.Parties, events[0].Parties)
	assert.Equal(t, agreement.Signed, orig.State, "the input is untouched")

	second := signedV
	second.ID = agreement.FlowID{UUID: w.uuid()}
	_, _, err = m.Supersede(done, w.officer, at, second, nil)
	assert.Equal(t, agreement.CodeAlreadySuperseded, agreement.Code(err), "the first signed variation took effect")
	_, _, err = m.Vary(done, c.s, agreement.FlowID{UUID: w.uuid()}, w.councilOfficer, w.now)
	assert.ErrorIs(t, err, agreement.ErrInvalidTransition, "a superseded flow is not varied")
	_, _, err = m.Edit(done, c.s, w.councilOfficer, w.now, done.FlowTerms)
	assert.Equal(t, agreement.CodeNotEditable, agreement.Code(err))

	fin := c.fromCouncil
	fin.State = agreement.Finalised
	got, _, err := m.Supersede(fin, w.officer, at, signedV, nil)
	require.NoError(t, err, "a finalised original, varied before it was signed")
	assert.Equal(t, agreement.Superseded, got.State)
	_, _, err = m.Supersede(c.fromCouncil, w.officer, at, signedV, nil)
	assert.ErrorIs(t, err, agreement.ErrInvalidTransition, "a draft is never superseded")
	assert.Equal(t, "SIGN-6", ruleOf(t, err))
	assert.NotContains(t, m.Permitted(orig, w.officer, w.now), agreement.TriggerSupersede, "never offered: it follows a signature")
}

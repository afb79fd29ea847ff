package agreement_test

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
)

func editedTerms(w *world) agreement.FlowTerms {
	t := w.flowTerms()
	t.Frequency = agreement.Weekly
	return t
}

// TestEditPermissions (FLOW-3, FLOW-5, FLOW-6): who may edit in which state.
func TestEditPermissions(t *testing.T) {
	w := newWorld()
	m := agreement.NewFlowMachine()
	s, inReview := w.inReview(t, m)
	draft := w.flow(t, s)
	approved, _, err := m.Approve(inReview, w.councilDPO, w.now, agreement.Verdict{})
	require.NoError(t, err)
	rejected, _, err := m.Reject(inReview, w.councilDPO, w.now, agreement.Verdict{Details: "Too broad"})
	require.NoError(t, err)
	finalised, _, err := m.Finalise(approved, w.officer, w.now)
	require.NoError(t, err)

	tests := []struct {
		name  string
		flow  agreement.Flow
		actor agreement.Actor
		kind  error
		code  string
		rule  string
	}{
		{"FLOW-3 draft: creator edits", draft, w.officer, nil, "", ""},
		{"FLOW-3 draft: named organisation edits", draft, w.councilOfficer, nil, "", ""},
		{"FLOW-3 draft: organisation on the summary but not the flow cannot", draft, w.policeOfficer, agreement.ErrForbidden, agreement.CodeNotParty, "FLOW-3"},
		{"FLOW-3 draft: outsider cannot", draft, w.stranger, agreement.ErrForbidden, agreement.CodeNotParty, "FLOW-3"},
		{"FLOW-5 in review: locked for the creator", inReview, w.officer, agreement.ErrInvalidTransition, agreement.CodeLocked, "FLOW-5"},
		{"FLOW-5 in review: locked for partners", inReview, w.councilOfficer, agreement.ErrInvalidTransition, agreement.CodeLocked, "FLOW-5"},
		{"FLOW-6 approved: still locked", approved, w.officer, agreement.ErrInvalidTransition, agreement.CodeLocked, "FLOW-5"},
		{"FLOW-6 rejected: unlocked for the creator", rejected, w.officer, nil, "", ""},
		{"FLOW-6 rejected: locked for partners", rejected, w.councilOfficer, agreement.ErrForbidden, agreement.CodeNotCreator, "FLOW-6"},
		{"FLOW-3 finalised: nobody edits", finalised, w.officer, agreement.ErrInvalidTransition, agreement.CodeNotEditable, "FLOW-3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := json.Marshal(tt.flow)
			got, events, err := m.Edit(tt.flow, s, tt.actor, w.now.Add(time.Minute), editedTerms(w))
			after, _ := json.Marshal(tt.flow)
			assert.JSONEq(t, string(before), string(after), "the input flow is never changed")
			assert.Empty(t, events)
			if tt.kind == nil {
				require.NoError(t, err)
				assert.Equal(t, agreement.Weekly, got.Frequency)
				assert.Equal(t, tt.flow.Rev+1, got.Rev)
				assert.Equal(t, tt.flow.State, got.State)
				return
			}
			require.ErrorIs(t, err, tt.kind)
			assert.Equal(t, tt.code, agreement.Code(err))
			assert.Equal(t, tt.rule, ruleOf(t, err))
			assert.Equal(t, tt.flow, got, "a refusal returns the flow as it was")
		})
	}
}

func TestEditWithSameTermsKeepsRevision(t *testing.T) {
	w := newWorld()
	m := agreement.NewFlowMachine()
	s := w.summary(t)
	f := w.flow(t, s)
	g, _, err := m.Edit(f, s, w.officer, w.now, w.flowTerms())
	require.NoError(t, err)
	assert.Equal(t, f.Rev, g.Rev)

	_, _, err = m.Edit(f, w.summary(t), w.officer, w.now, w.flowTerms())
	assert.ErrorIs(t, err, agreement.ErrConflict, "the summary passed must be the flow's")
}

// TestFinaliseFromDraft (FLOW-3, FLOW-4): only the creator finalises; personal or
// special-category data needs DPO approval first, other data does not.
func TestFinaliseFromDraft(t *testing.T) {
	w := newWorld()
	m := agreement.NewFlowMachine()
	s := w.summary(t)
	personal := w.flow(t, s)
	nt := w.flowTerms()
	nt.PersonalData, nt.LegalBases = false, nil
	plain, err := agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, s, w.officer, w.now, nt)
	require.NoError(t, err)

	tests := []struct {
		name  string
		flow  agreement.Flow
		actor agreement.Actor
		kind  error
		rule  string
	}{
		{"FLOW-4 personal data needs DPO approval", personal, w.officer, agreement.ErrRule, "FLOW-4"},
		{"FLOW-4 no personal data: finalised straight away", plain, w.officer, nil, ""},
		{"FLOW-3 only the creating organisation finalises", plain, w.councilOfficer, agreement.ErrForbidden, "FLOW-3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, events, err := m.Finalise(tt.flow, tt.actor, w.now)
			if tt.kind != nil {
				require.ErrorIs(t, err, tt.kind)
				assert.Equal(t, tt.rule, ruleOf(t, err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, agreement.Finalised, got.State)
			assert.Equal(t, tt.actor.User, got.FinalisedBy)
			require.Len(t, events, 1)
			assert.Equal(t, agreement.EventFinalised, events[0].Type)
			assert.ElementsMatch(t, tt.flow.Parties, events[0].Parties)
		})
	}
}

// TestRequestReview (FLOW-5): review from any number of DPOs of the flow's organisations, with a
// review-by date, locks the flow.
func TestRequestReview(t *testing.T) {
	w := newWorld()
	m := agreement.NewFlowMachine()
	s := w.summary(t)
	f := w.flow(t, s)
	due := w.now.AddDate(0, 0, 14)
	two := agreement.ReviewRequest{DPOs: []agreement.Reviewer{{DPO: w.councilDPO.User, Org: w.council}, {DPO: w.trustDPO.User, Org: w.trust}}, ReviewBy: due}

	t.Run("FLOW-5 request by a named organisation locks", func(t *testing.T) {
		g, events, err := m.RequestReview(f, w.councilOfficer, w.now, two)
		require.NoError(t, err)
		assert.Equal(t, agreement.InReview, g.State)
		assert.Equal(t, due, g.ReviewBy)
		require.Len(t, g.Reviews, 2)
		assert.True(t, g.Reviews[0].Awaiting)
		require.Len(t, events, 1)
		assert.Equal(t, agreement.EventReviewRequested, events[0].Type)
		assert.Equal(t, two.DPOs, events[0].DPOs)
		_, _, err = m.Edit(g, s, w.officer, w.now, editedTerms(w))
		assert.ErrorIs(t, err, agreement.ErrInvalidTransition)

		// more DPOs may be asked later; the latest date counts
		g2, _, err := m.RequestReview(g, w.officer, w.now, agreement.ReviewRequest{
			DPOs: []agreement.Reviewer{{DPO: w.councilDPO.User, Org: w.council}}, ReviewBy: due.AddDate(0, 0, 7)})
		require.NoError(t, err)
		assert.Len(t, g2.Reviews, 2, "asking again renews the request")
		assert.Equal(t, due.AddDate(0, 0, 7), g2.ReviewBy)
	})

	bad := []struct {
		name string
		req  agreement.ReviewRequest
		want []string
	}{
		{"FLOW-5 no DPOs", agreement.ReviewRequest{ReviewBy: due}, []string{"dpos/min"}},
		{"FLOW-5 DPO of an organisation not in the flow", agreement.ReviewRequest{
			DPOs: []agreement.Reviewer{{DPO: w.policeDPO.User, Org: w.police}}, ReviewBy: due}, []string{"dpos[0].org/not_party"}},
		{"FLOW-5 review-by in the past", agreement.ReviewRequest{
			DPOs: []agreement.Reviewer{{DPO: w.councilDPO.User, Org: w.council}}, ReviewBy: w.now.Add(-time.Hour)}, []string{"review_by/not_future"}},
		{"FLOW-5 no review-by", agreement.ReviewRequest{
			DPOs: []agreement.Reviewer{{DPO: w.councilDPO.User, Org: w.council}}}, []string{"review_by/required"}},
		{"same DPO twice", agreement.ReviewRequest{
			DPOs: []agreement.Reviewer{{DPO: w.councilDPO.User, Org: w.council}, {DPO: w.councilDPO.User, Org: w.council}}, ReviewBy: due}, []string{"dpos[1]/duplicate"}},
		{"zero DPO", agreement.ReviewRequest{DPOs: []agreement.Reviewer{{Org: w.council}}, ReviewBy: due}, []string{"dpos[0].dpo/required"}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := m.RequestReview(f, w.officer, w.now, tt.req)
			require.ErrorIs(t, err, agreement.ErrInvalid)
			assert.ElementsMatch(t, tt.want, fieldCodes(t, err))
		})
	}
	t.Run("FLOW-5 an outsider cannot request", func(t *testing.T) {
		_, _, err := m.RequestReview(f, w.stranger, w.now, two)
		assert.ErrorIs(t, err, agreement.ErrForbidden)
	})
}

// TestDecisions (FLOW-6, FLOW-9): one approval and no open rejection → Approved; a rejection →
// Rejected; the requester is carried on every decision's event.
func TestDecisions(t *testing.T) {
	w := newWorld()
	m := agreement.NewFlowMachine()
	s := w.summary(t)
	f, _, err := m.RequestReview(w.flow(t, s), w.councilOfficer, w.now, agreement.ReviewRequest{
		DPOs:     []agreement.Reviewer{{DPO: w.councilDPO.User, Org: w.council}, {DPO: w.trustDPO.User, Org: w.trust}},
		ReviewBy: w.now.AddDate(0, 0, 14),
	})
	require.NoError(t, err)

	t.Run("FLOW-6 approval → Approved, FLOW-9 requester notified", func(t *testing.T) {
		g, events, err := m.Approve(f, w.councilDPO, w.now, agreement.Verdict{Details: "ok"})
		require.NoError(t, err)
		assert.Equal(t, agreement.Approved, g.State)
		require.Len(t, events, 1)
		assert.Equal(t, agreement.EventApproved, events[0].Type)
		assert.Equal(t, w.councilOfficer.User, events[0].Requester)
		assert.True(t, g.HasCurrentApproval())

		// the other DPO may still review before finalisation; a rejection re-opens
		r, events, err := m.Reject(g, w.trustDPO, w.now, agreement.Verdict{Details: "Retention missing"})
		require.NoError(t, err)
		assert.Equal(t, agreement.Rejected, r.State)
		assert.Equal(t, agreement.EventRejected, events[0].Type)
		assert.Equal(t, w.councilOfficer.User, events[0].Requester)
		assert.Equal(t, "Retention missing", events[0].Note)
	})
	t.Run("FLOW-6 a rejection needs details", func(t *testing.T) {
		_, _, err := m.Reject(f, w.councilDPO, w.now, agreement.Verdict{})
		require.ErrorIs(t, err, agreement.ErrInvalid)
		assert.Equal(t, []string{"details/required"}, fieldCodes(t, err))
	})
	t.Run("FLOW-6 only a DPO asked may decide", func(t *testing.T) {
		for _, a := range []agreement.Actor{w.policeDPO, w.officer, {User: w.councilDPO.User, Org: w.trust}} {
			_, _, err := m.Approve(f, a, w.now, agreement.Verdict{})
			assert.ErrorIs(t, err, agreement.ErrForbidden)
			assert.Equal(t, agreement.CodeNotReviewer, agreement.Code(err))
		}
	})
	t.Run("FLOW-2 no decision on a draft", func(t *testing.T) {
		_, _, err := m.Approve(w.flow(t, s), w.councilDPO, w.now, agreement.Verdict{})
		assert.ErrorIs(t, err, agreement.ErrInvalidTransition)
		assert.Equal(t, agreement.CodeInvalidTransition, agreement.Code(err))
	})
}

// TestRejectionAndRereview (FLOW-6, FLOW-7, FLOW-8): the creator edits a rejected flow and
// answers the rejection; the flow locks again and the rejection stays open until that DPO
// reviews again; an edit voids earlier approvals.
func TestRejectionAndRereview(t *testing.T) {
	w := newWorld()
	m := agreement.NewFlowMachine()
	s := w.summary(t)
	f, _, err := m.RequestReview(w.flow(t, s), w.officer, w.now, agreement.ReviewRequest{
		DPOs:     []agreement.Reviewer{{DPO: w.councilDPO.User, Org: w.council}, {DPO: w.trustDPO.User, Org: w.trust}},
		ReviewBy: w.now.AddDate(0, 0, 14),
	})
	require.NoError(t, err)
	f, _, err = m.Approve(f, w.trustDPO, w.now, agreement.Verdict{})
	require.NoError(t, err)
	f, _, err = m.Reject(f, w.councilDPO, w.now, agreement.Verdict{Details: "Say how long you keep it"})
	require.NoError(t, err)
	require.Equal(t, agreement.Rejected, f.State)

	_, _, err = m.Finalise(f, w.officer, w.now)
	require.ErrorIs(t, err, agreement.ErrRule, "FLOW-8 open rejection")
	assert.Equal(t, agreement.CodeOpenRejection, agreement.Code(err))

	_, _, err = m.RequestRereview(f, w.councilOfficer, w.now, agreement.Rereview{DPO: w.councilDPO.User, Changes: "x"})
	require.ErrorIs(t, err, agreement.ErrForbidden, "FLOW-7 only the creator answers")
	assert.Equal(t, "FLOW-7", ruleOf(t, err))
	_, _, err = m.RequestRereview(f, w.officer, w.now, agreement.Rereview{DPO: w.trustDPO.User, Changes: "x"})
	require.ErrorIs(t, err, agreement.ErrRule, "FLOW-7 the trust DPO has no open rejection")
	_, _, err = m.RequestRereview(f, w.officer, w.now, agreement.Rereview{DPO: w.councilDPO.User})
	require.ErrorIs(t, err, agreement.ErrInvalid, "FLOW-7 the re-review says what changed")
	_, _, err = m.RequestReview(f, w.officer, w.now, agreement.ReviewRequest{
		DPOs: []agreement.Reviewer{{DPO: w.councilDPO.User, Org: w.council}}, ReviewBy: w.now.AddDate(0, 0, 1)})
	require.ErrorIs(t, err, agreement.ErrInvalidTransition, "FLOW-7 a rejection is answered by a re-review")

	terms := w.flowTerms()
	terms.Controls = append(terms.Controls, "Deleted after 6 years")
	f, _, err = m.Edit(f, s, w.officer, w.now, terms)
	require.NoError(t, err)
	assert.False(t, f.HasCurrentApproval(), "FLOW-8 an edit voids the trust DPO's approval")

	f, events, err := m.RequestRereview(f, w.officer, w.now, agreement.Rereview{DPO: w.councilDPO.User, Changes: "Retention added"})
	require.NoError(t, err)
	assert.Equal(t, agreement.InReview, f.State, "FLOW-7 locks again")
	assert.True(t, f.HasOpenRejection(), "FLOW-7 the rejection stays open")
	assert.Equal(t, agreement.EventRereviewRequested, events[0].Type)
	assert.Equal(t, []agreement.Reviewer{{DPO: w.councilDPO.User, Org: w.council}}, events[0].DPOs)
	_, _, err = m.Edit(f, s, w.officer, w.now, w.flowTerms())
	require.ErrorIs(t, err, agreement.ErrInvalidTransition)

	// even past review-by, an open rejection blocks finalising
	_, _, err = m.Finalise(f, w.officer, w.now.AddDate(0, 1, 0))
	require.ErrorIs(t, err, agreement.ErrRule)
	assert.Equal(t, agreement.CodeOpenRejection, agreement.Code(err))

	f, events, err = m.Approve(f, w.councilDPO, w.now, agreement.Verdict{Details: "Thanks"})
	require.NoError(t, err)
	assert.Equal(t, agreement.Approved, f.State)
	assert.Equal(t, w.officer.User, events[0].Requester, "FLOW-9 the re-review's requester is told")
	f, _, err = m.Finalise(f, w.officer, w.now)
	require.NoError(t, err)
	assert.Equal(t, agreement.Finalised, f.State)
}

// TestFinaliseAfterReview (FLOW-8): an approval of the current version, or the review-by date
// passed, and no open rejection.
func TestFinaliseAfterReview(t *testing.T) {
	w := newWorld()
	m := agreement.NewFlowMachine()
	_, f := w.inReview(t, m)

	_, _, err := m.Finalise(f, w.officer, w.now.AddDate(0, 0, 14))
	require.ErrorIs(t, err, agreement.ErrRule, "FLOW-8 on the review-by date it has not yet passed")
	assert.Equal(t, agreement.CodeApprovalRequired, agreement.Code(err))

	g, _, err := m.Finalise(f, w.officer, w.now.AddDate(0, 0, 14).Add(time.Second))
	require.NoError(t, err, "FLOW-8 review-by passed")
	assert.Equal(t, agreement.Finalised, g.State)

	_, _, err = m.Finalise(f, w.councilOfficer, w.now.AddDate(0, 1, 0))
	require.ErrorIs(t, err, agreement.ErrForbidden, "FLOW-3 still only the creator")
}

// TestWithdrawnParty: removing an organisation from a rejected flow withdraws its DPO's review,
// but not while that DPO's rejection is open (FLOW-7).
func TestWithdrawnParty(t *testing.T) {
	w := newWorld()
	m := agreement.NewFlowMachine()
	s := w.summary(t)
	terms := w.flowTerms()
	terms.Parties = append(terms.Parties, w.police)
	terms.To = append(terms.To, w.police)
	f, err := agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, s, w.officer, w.now, terms)
	require.NoError(t, err)
	f, _, err = m.RequestReview(f, w.officer, w.now, agreement.ReviewRequest{
		DPOs:     []agreement.Reviewer{{DPO: w.councilDPO.User, Org: w.council}, {DPO: w.policeDPO.User, Org: w.police}},
		ReviewBy: w.now.AddDate(0, 0, 14)})
	require.NoError(t, err)
	f, _, err = m.Reject(f, w.councilDPO, w.now, agreement.Verdict{Details: "no"})
	require.NoError(t, err)

	_, _, err = m.Edit(f, s, w.officer, w.now, w.flowTerms()) // drops police, keeps council
	require.NoError(t, err)
	g, _, err := m.Edit(f, s, w.officer, w.now, w.flowTerms())
	require.NoError(t, err)
	assert.True(t, g.Reviews[1].Withdrawn)
	_, _, err = m.Approve(g, w.policeDPO, w.now, agreement.Verdict{})
	assert.ErrorIs(t, err, agreement.ErrForbidden, "a withdrawn DPO cannot decide")

	noCouncil := terms
	noCouncil.Parties = []agreement.OrgID{w.trust, w.police}
	noCouncil.To = []agreement.OrgID{w.police}
	_, _, err = m.Edit(f, s, w.officer, w.now, noCouncil)
	require.ErrorIs(t, err, agreement.ErrRule)
	assert.Equal(t, agreement.CodePartyHasOpenRejection, agreement.Code(err))
}

func TestPermitted(t *testing.T) {
	w := newWorld()
	m := agreement.NewFlowMachine()
	s, f := w.inReview(t, m)
	tests := []struct {
		name  string
		flow  agreement.Flow
		actor agreement.Actor
		at    time.Time
		want  []agreement.Trigger
	}{
		{"draft, creator", w.flow(t, s), w.officer, w.now, []agreement.Trigger{agreement.TriggerEdit, agreement.TriggerRequestReview}},
		{"draft, outsider", w.flow(t, s), w.stranger, w.now, []agreement.Trigger{}},
		// the DPO's organisation is a party, so request_review shows too: the role table is the Gateway's
		{"in review, DPO", f, w.councilDPO, w.now, []agreement.Trigger{agreement.TriggerApprove, agreement.TriggerReject, agreement.TriggerRequestReview}},
		{"in review, creator", f, w.officer, w.now, []agreement.Trigger{agreement.TriggerRequestReview}},
		{"in review, creator, past review-by", f, w.officer, w.now.AddDate(1, 0, 0), []agreement.Trigger{agreement.TriggerFinalise, agreement.TriggerRequestReview}},
		{"bad state", agreement.Flow{State: "limbo"}, w.officer, w.now, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, m.Permitted(tt.flow, tt.actor, tt.at))
		})
	}
	_, _, err := m.Finalise(agreement.Flow{State: "limbo"}, w.officer, w.now)
	assert.ErrorIs(t, err, agreement.ErrInvalid, "an unknown stored state is refused, not added to the machine")
}

// TestMachineIsSharedSafely: one machine serves concurrent commands on different flows (-race).
func TestMachineIsSharedSafely(t *testing.T) {
	w := newWorld()
	m := agreement.NewFlowMachine()
	_, f := w.inReview(t, m)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var g agreement.Flow
			var err error
			if i%2 == 0 {
				g, _, err = m.Approve(f, w.councilDPO, w.now, agreement.Verdict{})
				assert.Equal(t, agreement.Approved, g.State)
			} else {
				g, _, err = m.Reject(f, w.councilDPO, w.now, agreement.Verdict{Details: "no"})
				assert.Equal(t, agreement.Rejected, g.State)
			}
			assert.NoError(t, err)
			_ = m.Permitted(g, w.officer, w.now)
		}()
	}
	wg.Wait()
	assert.Equal(t, agreement.InReview, f.State)
	assert.False(t, f.Reviews[0].Decision != "", "shared input untouched")
}

package dpia_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/dpia"
	"github.com/isgkit/gateway/isg/ident"
)

// TestActivityHoldsDPIAs: DPIA-1 — an activity (project, process or system) of one organisation
// holds any number of DPIAs; another organisation cannot add one to it, and is told the activity
// does not exist.
func TestActivityHoldsDPIAs(t *testing.T) {
	f := newFixture(t)
	_, err := dpia.NewActivity(dpia.ActivityID{UUID: newID()}, f.creator, f.now, dpia.ActivityTerms{Name: "x", Kind: "gadget"})
	assert.Equal(t, []string{"kind:oneof"}, fields(err))
	a, b := f.draft(t), f.draft(t)
	assert.Equal(t, f.activity.ID, a.ActivityID)
	assert.Equal(t, f.activity.ID, b.ActivityID)
	assert.NotEqual(t, a.ID, b.ID)
	assert.Equal(t, dpia.Draft, a.State)
	assert.Equal(t, a.ID, a.Root, "a first version is its own root")
	_, err = dpia.New(dpia.ID{UUID: newID()}, f.activity, f.partner, f.now, dpia.Terms{Title: "x"}, time.Time{})
	assert.Equal(t, dpia.CodeActivityNotFound, code(err))
	_, err = f.activity.Update(f.partner, f.now, dpia.ActivityTerms{Name: "y", Kind: dpia.KindProject})
	assert.ErrorIs(t, err, dpia.ErrNotFound)
}

// TestOnlyContributorsOpenADPIA: DPIA-2 — only contributors open a DPIA; the creator adds them,
// from users of an organisation on its contacts; to anyone else every step answers as for an
// unknown DPIA (not found, DPIA-2), so nothing of the DPIA is learnt.
func TestOnlyContributorsOpenADPIA(t *testing.T) {
	f := newFixture(t)
	d := f.draft(t)
	assert.True(t, d.CanOpen(f.creator), "the creator is the first contributor")
	assert.False(t, d.CanOpen(f.outsider), "a colleague at the same organisation is not")
	assert.False(t, d.CanOpen(dpia.Actor{User: f.creator.User, Org: f.council}), "a contributor acts for its own organisation")

	_, _, err := f.m.AddContributor(d, f.creator, f.tick(), dpia.Member(f.partner))
	assert.Equal(t, []string{"org:not_on_contacts"}, fields(err), "the council is not on the contacts yet")
	_, _, err = f.m.AddContact(d, f.ig, f.tick(), f.council)
	assert.Equal(t, dpia.CodeNotFound, code(err), "a non-contributor is told nothing")
	d = f.ok(f.m.AddContact(d, f.creator, f.tick(), f.council))
	d2, events, err := f.m.AddContributor(d, f.creator, f.tick(), dpia.Member(f.partner))
	require.NoError(t, err)
	assert.True(t, d2.CanOpen(f.partner))
	require.Len(t, events, 1)
	assert.Equal(t, dpia.EventContributorAdded, events[0].Type)
	assert.Equal(t, []dpia.Member{dpia.Member(f.partner)}, events[0].To)
	_, _, err = f.m.AddContributor(d2, f.partner, f.tick(), dpia.Member(f.ig))
	assert.Equal(t, dpia.CodeNotCreator, code(err), "a contributor who is not the creator adds no one")

	for name, run := range map[string]func() error{
		"edit": func() error {
			_, _, err := f.m.Edit(d2, f.outsider, f.now, dpia.Terms{Title: "x"}, time.Time{}, nil)
			return err
		},
		"screen": func() error { _, _, err := f.m.Screen(d2, f.outsider, f.now, dpia.ScreeningAnswers{}); return err },
		"risk": func() error {
			_, _, err := f.m.SaveRisk(d2, f.outsider, f.now, dpia.RiskInput{RiskTerms: red}, dpia.RiskID{UUID: newID()})
			return err
		},
		"task": func() error {
			_, _, err := f.m.AssignTask(d2, f.outsider, f.now, dpia.TaskID{UUID: newID()}, dpia.TaskInput{Title: "x", Assignee: dpia.Member(f.creator)})
			return err
		},
		"submit": func() error { _, _, err := f.m.Submit(d2, f.outsider, f.now); return err },
		"consultation": func() error {
			_, _, err := f.m.RecordConsultation(d2, f.outsider, f.now, dpia.ConsultationInput{SentAt: f.now})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			err := run()
			assert.Equal(t, dpia.CodeNotFound, code(err))
			assert.Equal(t, "DPIA-2", rule(err))
			assert.ErrorIs(t, err, dpia.ErrNotFound)
		})
	}
	d3 := f.ok(f.m.RemoveContributor(d2, f.creator, f.tick(), dpia.Member(f.partner)))
	assert.False(t, d3.CanOpen(f.partner), "access can be taken away")
	_, _, err = f.m.RemoveContributor(d3, f.creator, f.tick(), dpia.Member(f.creator))
	assert.Equal(t, []string{"user:is_creator"}, fields(err))
}

// TestTemplateFieldsAreOptional: DPIA-4 — no field of the template is mandatory; answers go
// under the ICO template's questions; attachments are documents uploaded to the DPIA.
func TestTemplateFieldsAreOptional(t *testing.T) {
	f := newFixture(t)
	d := f.draft(t)
	d = f.ok(f.m.Edit(d, f.creator, f.tick(), dpia.Terms{Title: "Shared care record DPIA"}, time.Time{}, nil))
	assert.Equal(t, dpia.InProgress, d.State, "the first edit starts the work")
	terms := dpia.Terms{Title: "Shared care record DPIA", Answers: map[dpia.Question]dpia.Answer{
		"processing.nature": {Text: "Records are read from the GP systems.", Attachments: []string{"doc-1"}},
		"need.aims":         {Text: "One record for direct care."},
	}}
	_, _, err := f.m.Edit(d, f.creator, f.tick(), terms, time.Time{}, nil)
	assert.Equal(t, []string{"answers.processing.nature.attachments[0]:not_uploaded"}, fields(err))
	d2 := f.ok(f.m.Edit(d, f.creator, f.tick(), terms, time.Time{}, []string{"doc-1"}))
	assert.Equal(t, "doc-1", d2.Answers["processing.nature"].Attachments[0])
	assert.Equal(t, d.Rev+1, d2.Rev, "an edit is a new revision")
	terms.Answers["need.colour"] = dpia.Answer{Text: "blue"}
	_, _, err = f.m.Edit(d2, f.creator, f.tick(), terms, time.Time{}, []string{"doc-1"})
	assert.Equal(t, []string{"answers.need.colour:unknown_question"}, fields(err))
	for _, q := range dpia.Questions() {
		assert.True(t, q.Code.Section().Valid(), "%s belongs to a section of the template", q.Code)
	}
	assert.Len(t, dpia.Sections(), 7, "the ICO template's seven steps")
}

// TestTasksGoToContributorsOnly: DPIA-5 — a task is assigned only to a contributor, and its
// assignee (or the creator) completes it.
func TestTasksGoToContributorsOnly(t *testing.T) {
	f := newFixture(t)
	d := f.staffed(t)
	id := dpia.TaskID{UUID: newID()}
	_, _, err := f.m.AssignTask(d, f.creator, f.tick(), id, dpia.TaskInput{Title: "Ask the GPs", Assignee: dpia.Member(f.outsider)})
	assert.Equal(t, []string{"assignee:not_contributor"}, fields(err))
	d2, events, err := f.m.AssignTask(d, f.creator, f.tick(), id, dpia.TaskInput{Title: "Ask the GPs", Assignee: dpia.Member(f.partner), Due: f.now.AddDate(0, 0, 7)})
	require.NoError(t, err)
	require.Len(t, events, 1)
	assert.Equal(t, dpia.EventTaskAssigned, events[0].Type)
	_, _, err = f.m.CompleteTask(d2, f.ig, f.tick(), id)
	assert.Equal(t, dpia.CodeNotAssignee, code(err))
	d3 := f.ok(f.m.CompleteTask(d2, f.partner, f.tick(), id))
	assert.True(t, d3.Tasks[0].Done())
	_, _, err = f.m.CompleteTask(d3, f.partner, f.tick(), dpia.TaskID{UUID: newID()})
	assert.Equal(t, dpia.CodeTaskNotFound, code(err))
}

// TestApprovalByNamedApprovers: DPIA-6 — approval is given by the approvers the DPIA names (the
// DPO, IG lead, compliance manager), each of them a contributor; every one must approve, a
// rejection rejects with comments; outstanding red residual risks are listed for them.
func TestApprovalByNamedApprovers(t *testing.T) {
	f := newFixture(t)
	d := f.draft(t)
	_, _, err := f.m.NameApprovers(d, f.creator, f.tick(), []dpia.Approver{{User: f.dpo.User, Org: f.trust, Capacity: dpia.CapacityDPO}})
	assert.Equal(t, []string{"approvers[0]:not_contributor"}, fields(err))
	d = f.ok(f.m.Edit(d, f.creator, f.tick(), dpia.Terms{Title: "t"}, time.Time{}, nil))
	_, _, err = f.m.Submit(d, f.creator, f.tick())
	assert.Equal(t, dpia.CodeNoApprovers, code(err))

	d = f.evaluated(t)
	_, _, err = f.m.Approve(d, f.partner, f.tick(), dpia.ApprovalInput{})
	assert.Equal(t, dpia.CodeNotApprover, code(err))
	d = f.ok(f.m.Approve(d, f.dpo, f.tick(), dpia.ApprovalInput{}))
	assert.Equal(t, dpia.AwaitingApproval, d.State, "the IG lead has still to approve")
	_, _, err = f.m.Approve(d, f.dpo, f.tick(), dpia.ApprovalInput{})
	assert.Equal(t, dpia.CodeAlreadyApproved, code(err))
	_, _, err = f.m.Approve(d, f.ig, f.tick(), dpia.ApprovalInput{})
	assert.Equal(t, []string{"dpo_advice:required_with"}, fields(err), "accepted or overruled, as the ICO's sign-off table")
	_, _, err = f.m.Approve(d, f.ig, f.tick(), dpia.ApprovalInput{DPOAdvice: dpia.AdviceOverruled})
	assert.Equal(t, []string{"reasons:required_if"}, fields(err), "overruling the DPO needs reasons")
	rejected, events, err := f.m.Reject(d, f.ig, f.tick(), dpia.RejectionInput{Comments: "Retention is not stated."})
	require.NoError(t, err)
	assert.Equal(t, dpia.Rejected, rejected.State)
	require.Len(t, events, 1)
	assert.Equal(t, dpia.EventRejected, events[0].Type)
	assert.Len(t, events[0].To, 4, "every contributor is told")
	approved, events, err := f.m.Approve(d, f.ig, f.tick(), dpia.ApprovalInput{DPOAdvice: dpia.AdviceAccepted})
	require.NoError(t, err)
	assert.Equal(t, dpia.Approved, approved.State)
	assert.Equal(t, dpia.EventApproved, events[0].Type)

	withRisk := f.ok(f.m.SaveRisk(f.staffed(t), f.creator, f.tick(), dpia.RiskInput{RiskTerms: red}, dpia.RiskID{UUID: newID()}))
	st := dpia.StatusAt(withRisk, f.now)
	require.Len(t, st.OutstandingRedRisks, 1, "the red residual risk is listed for approvers")
	assert.Equal(t, withRisk.Risks[0].ID, st.OutstandingRedRisks[0])
}

// TestRedRiskNeedsICOConsultation: DPIA-7 — with an outstanding red residual risk the DPIA cannot
// be approved until an ICO prior-consultation outcome is recorded; mitigating the risk below red
// removes the need; the ICO's answer is due 8 weeks after sending (14 when complex) and an overdue
// one is flagged.
func TestRedRiskNeedsICOConsultation(t *testing.T) {
	f := newFixture(t)
	d := f.staffed(t)
	rid := dpia.RiskID{UUID: newID()}
	d = f.ok(f.m.SaveRisk(d, f.creator, f.tick(), dpia.RiskInput{RiskTerms: red}, rid))
	d = f.ok(f.m.Submit(d, f.creator, f.tick()))
	for _, s := range dpia.EvaluatedSections() {
		d = f.ok(f.m.Evaluate(d, f.dpo, f.tick(), dpia.EvaluationInput{Section: s, Verdict: dpia.Acceptable}, dpia.ActionID{}))
	}
	d = f.ok(f.m.GiveOpinion(d, f.dpo, f.tick(), dpia.OpinionInput{Opinion: "Consult the ICO.", NotConsultedReason: "a national programme", SubjectsConsulted: false}))
	_, _, err := f.m.Approve(d, f.dpo, f.tick(), dpia.ApprovalInput{})
	assert.Equal(t, dpia.CodeRedRiskUnconsulted, code(err))
	assert.Equal(t, "DPIA-7", rule(err))
	assert.ErrorIs(t, err, dpia.ErrRule)

	sent := f.now.Add(-time.Hour)
	consulted := f.ok(f.m.RecordConsultation(d, f.creator, f.tick(), dpia.ConsultationInput{SentAt: sent, Reference: "ICO/123"}))
	assert.Equal(t, sent.AddDate(0, 0, 56), consulted.Consultation.DueAt, "8 weeks")
	assert.Equal(t, sent.AddDate(0, 0, 98), dpia.ConsultationDue(sent, true), "14 weeks when complex")
	_, _, err = f.m.Approve(consulted, f.dpo, f.tick(), dpia.ApprovalInput{})
	assert.Equal(t, dpia.CodeRedRiskUnconsulted, code(err), "sent is not enough: the outcome is needed")
	assert.False(t, dpia.StatusAt(consulted, sent.AddDate(0, 0, 56)).ConsultationOverdue)
	assert.True(t, dpia.StatusAt(consulted, sent.AddDate(0, 0, 56).Add(time.Second)).ConsultationOverdue)
	answered := f.ok(f.m.RecordConsultation(consulted, f.creator, f.tick(), dpia.ConsultationInput{SentAt: sent, Reference: "ICO/123", Outcome: "Proceed with the measures advised.", OutcomeAt: f.now}))
	answered = f.ok(f.m.Approve(answered, f.dpo, f.tick(), dpia.ApprovalInput{}))
	answered = f.ok(f.m.Approve(answered, f.ig, f.tick(), dpia.ApprovalInput{DPOAdvice: dpia.AdviceAccepted}))
	assert.Equal(t, dpia.Approved, answered.State)

	// Mitigating below red removes the need: edit the risk before submitting.
	g := f.staffed(t)
	g = f.ok(f.m.SaveRisk(g, f.creator, f.tick(), dpia.RiskInput{RiskTerms: red}, rid))
	mitigated := red
	mitigated.ResidualLikelihood = 2 // 2×5 = 10: high, amber
	g = f.ok(f.m.SaveRisk(g, f.creator, f.tick(), dpia.RiskInput{ID: rid, RiskTerms: mitigated}, dpia.RiskID{}))
	assert.Empty(t, g.OutstandingRedRisks())
	assert.NotContains(t, blockerCodes(dpia.ApprovalBlockers(g)), dpia.CodeRedRiskUnconsulted)
}

func blockerCodes(bs []dpia.Blocker) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.Code)
	}
	return out
}

// TestReviewDateIsFlaggedOnce: DPIA-8 — a DPIA has a review date (12 months after approval when
// none is set) and is flagged when it is reached, by the sweep, once.
func TestReviewDateIsFlaggedOnce(t *testing.T) {
	f := newFixture(t)
	d := f.approved(t)
	assert.Equal(t, d.ApprovedAt.AddDate(0, 12, 0), d.ReviewDate)
	next, ok := dpia.NextDue(d)
	require.True(t, ok)
	assert.Equal(t, d.ReviewDate, next)
	same, events, changed := f.m.Sweep(d, d.ReviewDate.Add(-time.Second))
	assert.False(t, changed)
	assert.Empty(t, events)
	assert.Equal(t, d, same)
	due, events, changed := f.m.Sweep(d, d.ReviewDate)
	require.True(t, changed)
	assert.Equal(t, dpia.ReviewDue, due.State)
	require.Len(t, events, 1)
	assert.Equal(t, dpia.EventReviewDue, events[0].Type)
	_, events, changed = f.m.Sweep(due, d.ReviewDate.AddDate(0, 1, 0))
	assert.False(t, changed, "raised once")
	assert.Empty(t, events)
	_, none := dpia.NextDue(due)
	assert.False(t, none)
	_, _, err := f.m.CompleteReview(due, f.creator, f.tick(), f.now.Add(-time.Hour))
	assert.Equal(t, []string{"review_date:future"}, fields(err))
	again := f.ok(f.m.CompleteReview(due, f.creator, f.tick(), f.now.AddDate(1, 0, 0)))
	assert.Equal(t, dpia.Approved, again.State)
}

// TestEvaluationAndActionPlan: DPIA-9 — evaluators judge each section: to correct returns it to
// editing, improvable needs a corrective action (owner, due date) in the action plan, acceptable
// needs nothing; the DPO records an opinion and whether data subjects were consulted (and why
// not); approval needs every section acceptable or improvable with its action; overdue actions
// are flagged by the sweep.
func TestEvaluationAndActionPlan(t *testing.T) {
	f := newFixture(t)
	d := f.submitted(t)
	_, _, err := f.m.Evaluate(d, f.partner, f.tick(), dpia.EvaluationInput{Section: dpia.SectionNeed, Verdict: dpia.Acceptable}, dpia.ActionID{})
	assert.Equal(t, dpia.CodeNotEvaluator, code(err))
	_, _, err = f.m.Evaluate(d, f.ig, f.tick(), dpia.EvaluationInput{Section: dpia.SectionNeed, Verdict: dpia.Improvable}, dpia.ActionID{})
	assert.Equal(t, []string{"action:action_required"}, fields(err))
	_, _, err = f.m.Edit(d, f.creator, f.tick(), dpia.Terms{Title: "x"}, time.Time{}, nil)
	assert.Equal(t, dpia.CodeLocked, code(err), "locked while awaiting approval")

	returned, events, err := f.m.Evaluate(d, f.ig, f.tick(), dpia.EvaluationInput{Section: dpia.SectionNecessity, Verdict: dpia.ToCorrect, Comment: "State the lawful basis."}, dpia.ActionID{})
	require.NoError(t, err)
	assert.Equal(t, dpia.InProgress, returned.State, "to correct returns it to editing")
	assert.Equal(t, dpia.EventReturned, events[0].Type)
	d = f.ok(f.m.Submit(returned, f.creator, f.tick()))

	aid := dpia.ActionID{UUID: newID()}
	action := &dpia.ActionInput{Description: "Publish a privacy notice", Owner: dpia.Member(f.creator), Due: f.now.AddDate(0, 1, 0)}
	d, events, err = f.m.Evaluate(d, f.ig, f.tick(), dpia.EvaluationInput{Section: dpia.SectionNecessity, Verdict: dpia.Improvable, Action: action}, aid)
	require.NoError(t, err)
	assert.Equal(t, dpia.EventActionAssigned, events[0].Type)
	require.Len(t, d.Actions, 1)
	for _, s := range dpia.EvaluatedSections() {
		if s != dpia.SectionNecessity && s != dpia.SectionRisks {
			d = f.ok(f.m.Evaluate(d, f.dpo, f.tick(), dpia.EvaluationInput{Section: s, Verdict: dpia.Acceptable}, dpia.ActionID{}))
		}
	}
	_, _, err = f.m.GiveOpinion(d, f.ig, f.tick(), dpia.OpinionInput{Opinion: "x", SubjectsConsulted: true})
	assert.Equal(t, dpia.CodeNotDPO, code(err))
	_, _, err = f.m.GiveOpinion(d, f.dpo, f.tick(), dpia.OpinionInput{Opinion: "Fine."})
	assert.Equal(t, []string{"not_consulted_reason:required_unless"}, fields(err), "why data subjects were not consulted")
	_, _, err = f.m.Approve(d, f.dpo, f.tick(), dpia.ApprovalInput{})
	assert.Equal(t, dpia.CodeNotEvaluated, code(err), "the risks section is not evaluated yet")
	d = f.ok(f.m.Evaluate(d, f.dpo, f.tick(), dpia.EvaluationInput{Section: dpia.SectionRisks, Verdict: dpia.Acceptable}, dpia.ActionID{}))
	_, _, err = f.m.Approve(d, f.dpo, f.tick(), dpia.ApprovalInput{})
	assert.Equal(t, dpia.CodeDPOOpinionRequired, code(err))
	d = f.ok(f.m.GiveOpinion(d, f.dpo, f.tick(), dpia.OpinionInput{Opinion: "Fine.", NotConsultedReason: "Covered by the national engagement."}))
	d = f.ok(f.m.Approve(d, f.dpo, f.tick(), dpia.ApprovalInput{}))
	d = f.ok(f.m.Approve(d, f.ig, f.tick(), dpia.ApprovalInput{DPOAdvice: dpia.AdviceAccepted}))
	require.Equal(t, dpia.Approved, d.State, "improvable with its action planned is enough")

	overdue, events, changed := f.m.Sweep(d, action.Due.Add(time.Minute))
	require.True(t, changed)
	require.Len(t, events, 1)
	assert.Equal(t, dpia.EventActionOverdue, events[0].Type)
	assert.Equal(t, []dpia.Member{dpia.Member(f.creator)}, events[0].To)
	assert.Equal(t, []dpia.ActionID{aid}, dpia.StatusAt(overdue, action.Due.Add(time.Minute)).OverdueActions)
	_, events, _ = f.m.Sweep(overdue, action.Due.Add(time.Hour))
	assert.Empty(t, events, "flagged once")
	done := f.ok(f.m.CompleteAction(overdue, f.creator, f.tick(), aid))
	assert.True(t, done.Actions[0].Done(), "work on the plan goes on after approval")
}

// TestRevisingStartsANewVersion: DPIA-10 — an approved DPIA is never edited in place; revising
// starts a new version linked to it, which stays readable with its approvals until the new one
// is approved; at most one version is open at a time.
func TestRevisingStartsANewVersion(t *testing.T) {
	f := newFixture(t)
	v1 := f.approved(t)
	_, _, err := f.m.Edit(v1, f.creator, f.tick(), dpia.Terms{Title: "x"}, time.Time{}, nil)
	assert.Equal(t, dpia.CodeNotEditable, code(err))
	assert.Equal(t, "DPIA-10", rule(err))
	_, err = f.m.Revise(v1, dpia.ID{UUID: newID()}, f.outsider, f.tick(), nil)
	assert.Equal(t, dpia.CodeNotFound, code(err))
	v2, err := f.m.Revise(v1, dpia.ID{UUID: newID()}, f.partner, f.tick(), []dpia.DPIA{v1})
	require.NoError(t, err)
	assert.Equal(t, 2, v2.Version)
	assert.Equal(t, v1.ID, v2.PreviousVersion)
	assert.Equal(t, v1.Root, v2.Root)
	assert.Equal(t, dpia.InProgress, v2.State)
	assert.Empty(t, v2.Approvals, "approved afresh")
	assert.Equal(t, dpia.Approved, v1.State, "the approved version is left as it is")
	assert.Len(t, v1.Approvals, 2, "with its approvals")
	_, err = f.m.Revise(v1, dpia.ID{UUID: newID()}, f.creator, f.tick(), []dpia.DPIA{v1, v2})
	assert.Equal(t, dpia.CodeOpenVersion, code(err), "one open version at a time")

	v2 = f.ok(f.m.Edit(v2, f.creator, f.tick(), dpia.Terms{Title: "Shared care record DPIA v2"}, time.Time{}, nil))
	v2 = f.ok(f.m.Submit(v2, f.creator, f.tick()))
	for _, s := range dpia.EvaluatedSections() {
		v2 = f.ok(f.m.Evaluate(v2, f.ig, f.tick(), dpia.EvaluationInput{Section: s, Verdict: dpia.Acceptable}, dpia.ActionID{}))
	}
	v2 = f.ok(f.m.GiveOpinion(v2, f.dpo, f.tick(), dpia.OpinionInput{Opinion: "ok", SubjectsConsulted: true}))
	v2 = f.ok(f.m.Approve(v2, f.dpo, f.tick(), dpia.ApprovalInput{}))
	_, err = f.m.Supersede(v1, v2, f.now)
	assert.Error(t, err, "not before the new version is approved")
	v2 = f.ok(f.m.Approve(v2, f.ig, f.tick(), dpia.ApprovalInput{DPOAdvice: dpia.AdviceAccepted}))
	old, err := f.m.Supersede(v1, v2, f.now)
	require.NoError(t, err)
	assert.Equal(t, dpia.Superseded, old.State)
	assert.Equal(t, v2.ID, old.SupersededBy)
	_, err = f.m.Revise(old, dpia.ID{UUID: newID()}, f.creator, f.tick(), nil)
	assert.ErrorIs(t, err, dpia.ErrInvalidTransition, "a superseded version is history")
	_, err = f.m.Revise(v1, dpia.ID{UUID: newID()}, f.creator, f.tick(), []dpia.DPIA{v1, v2})
	assert.Equal(t, dpia.CodeNotLatest, code(err))
}

// TestClosing: a contributor of the DPIA's own organisation closes it; a partner's contributor
// cannot; a closed DPIA is history.
func TestClosing(t *testing.T) {
	f := newFixture(t)
	d := f.staffed(t)
	_, _, err := f.m.Close(d, f.partner, f.tick(), dpia.CloseInput{Reason: "x"})
	assert.Equal(t, dpia.CodeNotCreator, code(err))
	closed := f.ok(f.m.Close(d, f.ig, f.tick(), dpia.CloseInput{Reason: "The project was cancelled."}))
	assert.Equal(t, dpia.Closed, closed.State)
	_, _, err = f.m.Edit(closed, f.creator, f.tick(), dpia.Terms{Title: "x"}, time.Time{}, nil)
	assert.Equal(t, dpia.CodeNotEditable, code(err))
	_, ok := dpia.NextDue(closed)
	assert.False(t, ok)
}

// TestRefusedCommandLeavesTheDPIAUntouched: a refusal returns the DPIA given, and the input's
// slices are never shared with the result.
func TestRefusedCommandLeavesTheDPIAUntouched(t *testing.T) {
	f := newFixture(t)
	d := f.evaluated(t)
	before := d.Clone()
	_, _, err := f.m.Approve(d, f.partner, f.now, dpia.ApprovalInput{})
	require.True(t, errors.Is(err, dpia.ErrForbidden))
	assert.Equal(t, before, d)
	approvers := []dpia.Approver{{User: f.ig.User, Org: f.trust, Capacity: dpia.CapacityIGLead}}
	g := f.ok(f.m.NameApprovers(f.staffed(t), f.creator, f.tick(), approvers))
	approvers[0].User = ident.UserID{UUID: newID()}
	assert.Equal(t, f.ig.User, g.Approvers[0].User)
}

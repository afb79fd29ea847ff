package dpia

import (
	"reflect"
	"slices"
	"time"

	"github.com/isgkit/gateway/isg/txlog"
	"github.com/isgkit/gateway/isg/violation"
)

// Edit replaces the DPIA's terms: its title, executive summary and template answers (DPIA-4).
// No field but the title is required. Each attachment must be a document uploaded to the DPIA
// (uploaded lists their IDs); attachments are listed with their question and, by the Gateway,
// as the DPIA's additional documents. Terms equal to the current ones change nothing; any
// change is a new revision (Rev+1), so earlier approvals no longer count.
//
// Errors: ErrInvalid with field errors (DPIA-4); ErrNotFound (CodeNotFound) for a
// non-contributor; ErrInvalidTransition (CodeLocked, CodeNotEditable, CodeInvalidTransition).
func (m *Machine) Edit(d DPIA, actor Actor, at time.Time, t Terms, reviewDate time.Time, uploaded []string) (DPIA, []Event, error) {
	if !d.CanOpen(actor) {
		return d, nil, notFound(d.ID) // before any input check: they could tell what the DPIA holds
	}
	t = t.normalised()
	if err := checkInput(newInput{Terms: t, ReviewDate: reviewDate}, "DPIA-4", t.check(uploaded)); err != nil {
		return d, nil, err
	}
	return m.fire(d, TriggerEdit, command{actor: actor, at: at, change: func(fc *firing) error {
		if reflect.DeepEqual(t, fc.d.Terms) && reviewDate.UTC().Equal(fc.d.ReviewDate) {
			return nil
		}
		fc.d.Terms, fc.d.ReviewDate = t, reviewDate.UTC()
		fc.d.Rev++
		return nil
	}})
}

// Screen records the screening (DPIA-3): the answers, the outcome Screen gives and its reasons.
// It is advisory: it moves the DPIA on like any edit and never refuses a step.
//
// Errors: ErrInvalid (FieldCodeUnknownQuestion); as Edit otherwise.
func (m *Machine) Screen(d DPIA, actor Actor, at time.Time, a ScreeningAnswers) (DPIA, []Event, error) {
	if !d.CanOpen(actor) {
		return d, nil, notFound(d.ID) // before any input check: they could tell what the DPIA holds
	}
	if err := checkInput(a, "DPIA-3", a.check()); err != nil {
		return d, nil, err
	}
	answers := make(map[Criterion]bool, len(a.Answers))
	for c, v := range a.Answers {
		answers[c] = v
	}
	a.Answers = answers
	return m.fire(d, TriggerEdit, command{actor: actor, at: at, change: func(fc *firing) error {
		fc.d.Screening = &Screening{ScreeningAnswers: a, Result: Screen(a), ScreenedBy: fc.actor.User, ScreenedAt: fc.at}
		fc.d.Rev++
		return nil
	}})
}

// RiskInput adds a risk to the register (ID zero) or replaces one (DPIA-6).
type RiskInput struct {
	ID RiskID `json:"id,omitzero"`
	RiskTerms
}

// SaveRisk adds a risk to the DPIA's register, with the ID newID, or replaces the risk in.ID
// (DPIA-6). Likelihood and impact are 1–5 on the shared 5×5 matrix, before and after the
// measures.
//
// Errors: ErrInvalid with field errors; ErrNotFound (CodeRiskNotFound); as Edit otherwise.
func (m *Machine) SaveRisk(d DPIA, actor Actor, at time.Time, in RiskInput, newID RiskID) (DPIA, []Event, error) {
	if !d.CanOpen(actor) {
		return d, nil, notFound(d.ID) // before any input check: they could tell what the DPIA holds
	}
	if err := checkInput(in, "DPIA-6", nil); err != nil {
		return d, nil, err
	}
	return m.fire(d, TriggerEdit, command{actor: actor, at: at, change: func(fc *firing) error {
		r := Risk{ID: in.ID, RiskTerms: in.RiskTerms, UpdatedBy: fc.actor.User, UpdatedAt: fc.at}
		fc.d.Risks = slices.Clone(fc.d.Risks)
		if in.ID.IsZero() {
			r.ID = newID
			fc.d.Risks = append(fc.d.Risks, r)
		} else {
			i := slices.IndexFunc(fc.d.Risks, func(x Risk) bool { return x.ID == in.ID })
			if i < 0 {
				return violation.New(ErrNotFound, CodeRiskNotFound, "DPIA-6", "the DPIA has no risk "+in.ID.String())
			}
			if fc.d.Risks[i].RiskTerms == in.RiskTerms {
				return nil
			}
			fc.d.Risks[i] = r
		}
		fc.d.Rev++
		return nil
	}})
}

// approversInput validates a list of approvers as a whole, so field names read "approvers[1].org".
type approversInput struct {
	Approvers []Approver `json:"approvers" validate:"max=20,dive"`
}

// NameApprovers replaces the DPIA's approvers (DPIA-6): the DPO, IG lead or compliance manager
// who will evaluate and approve it. Each must be a contributor for the organisation named, and
// at most one is the DPO. The Gateway checks that a DPO holds the DPO role there.
//
// Errors: ErrInvalid (FieldCodeNotContributor, FieldCodeDuplicate); as Edit otherwise.
func (m *Machine) NameApprovers(d DPIA, actor Actor, at time.Time, approvers []Approver) (DPIA, []Event, error) {
	if !d.CanOpen(actor) {
		return d, nil, notFound(d.ID) // before any input check: they could tell what the DPIA holds
	}
	in := approversInput{Approvers: cloneSlice(approvers)}
	var extra []FieldError
	dpos := 0
	for i, a := range in.Approvers {
		if !a.User.IsZero() && !a.Org.IsZero() && !d.IsContributor(a.member()) {
			extra = append(extra, fieldErr(indexed("approvers", i), FieldCodeNotContributor, "DPIA-6", "an approver must be a contributor for that organisation"))
		}
		if slices.ContainsFunc(in.Approvers[:i], func(x Approver) bool { return x.member() == a.member() }) {
			extra = append(extra, fieldErr(indexed("approvers", i), FieldCodeDuplicate, "DPIA-6", "names an approver twice"))
		}
		if a.Capacity == CapacityDPO {
			if dpos++; dpos > 1 {
				extra = append(extra, fieldErr(indexed("approvers", i)+".capacity", FieldCodeDuplicate, "DPIA-6", "names a second DPO"))
			}
		}
	}
	if err := checkInput(in, "DPIA-6", extra); err != nil {
		return d, nil, err
	}
	return m.fire(d, TriggerEdit, command{actor: actor, at: at, change: func(fc *firing) error {
		if slices.Equal(fc.d.Approvers, in.Approvers) {
			return nil
		}
		fc.d.Approvers = in.Approvers
		fc.d.Rev++
		return nil
	}})
}

// AddContact adds an organisation to the DPIA's contacts (DPIA-2), so that its users can be made
// contributors. Only the creator may. The Gateway checks the organisation is registered and open.
//
// Errors: ErrForbidden (CodeNotCreator); ErrNotFound (CodeNotFound); ErrInvalidTransition.
func (m *Machine) AddContact(d DPIA, actor Actor, at time.Time, org OrgID) (DPIA, []Event, error) {
	if !d.CanOpen(actor) {
		return d, nil, notFound(d.ID) // before any input check: they could tell what the DPIA holds
	}
	if org.IsZero() {
		return d, nil, violation.Field("org", "required", "DPIA-2", "is required")
	}
	return m.fire(d, TriggerManageContributors, command{actor: actor, at: at, change: func(fc *firing) error {
		if !fc.d.OnContacts(org) {
			fc.d.Contacts = append(slices.Clone(fc.d.Contacts), org)
		}
		return nil
	}})
}

// AddContributor makes a user a contributor for an organisation on the DPIA's contacts (DPIA-2):
// only the creator may. The Gateway checks the user holds a role there. The user is told.
//
// Errors: ErrInvalid (FieldCodeNotOnContacts); ErrForbidden (CodeNotCreator); ErrNotFound;
// ErrInvalidTransition. Raises EventContributorAdded.
func (m *Machine) AddContributor(d DPIA, actor Actor, at time.Time, who Member) (DPIA, []Event, error) {
	if !d.CanOpen(actor) {
		return d, nil, notFound(d.ID) // before any input check: they could tell what the DPIA holds
	}
	var extra []FieldError
	if !who.Org.IsZero() && !d.OnContacts(who.Org) {
		extra = append(extra, fieldErr("org", FieldCodeNotOnContacts, "DPIA-2", "add the organisation to the DPIA's contacts first"))
	}
	if err := checkInput(who, "DPIA-2", extra); err != nil {
		return d, nil, err
	}
	return m.fire(d, TriggerManageContributors, command{actor: actor, at: at, change: func(fc *firing) error {
		if fc.d.IsContributor(who) {
			return nil
		}
		fc.d.Contributors = append(slices.Clone(fc.d.Contributors), Contributor{Member: who, AddedBy: fc.actor.User, AddedAt: fc.at})
		e := fc.event(EventContributorAdded)
		e.To = []Member{who}
		fc.events = append(fc.events, e)
		return nil
	}})
}

// Field codes of RemoveContributor.
const (
	FieldCodeIsCreator   = "is_creator"    // DPIA-2: the creator stays a contributor
	FieldCodeIsApprover  = "is_approver"   // DPIA-6: name other approvers first
	FieldCodeHasOpenWork = "has_open_work" // DPIA-5, DPIA-9: open tasks or actions are assigned to the user
)

// RemoveContributor takes a contributor's access away (DPIA-2): only the creator may, and never
// from itself. A named approver, or a contributor with open tasks or actions, is refused until
// they are named or assigned elsewhere, so that nothing is left with someone who can no longer
// open the DPIA (DPIA-5).
//
// Errors: ErrInvalid (FieldCodeIsCreator, FieldCodeIsApprover, FieldCodeHasOpenWork,
// FieldCodeNotContributor); ErrForbidden (CodeNotCreator); ErrNotFound; ErrInvalidTransition.
func (m *Machine) RemoveContributor(d DPIA, actor Actor, at time.Time, who Member) (DPIA, []Event, error) {
	if !d.CanOpen(actor) {
		return d, nil, notFound(d.ID) // before any input check: they could tell what the DPIA holds
	}
	var extra []FieldError
	switch {
	case !d.IsContributor(who):
		extra = append(extra, fieldErr("user", FieldCodeNotContributor, "DPIA-2", "is not a contributor for that organisation"))
	case who.User == d.CreatedBy:
		extra = append(extra, fieldErr("user", FieldCodeIsCreator, "DPIA-2", "the DPIA's creator stays a contributor"))
	case d.approver(who) >= 0:
		extra = append(extra, fieldErr("user", FieldCodeIsApprover, "DPIA-6", "is a named approver: name other approvers first"))
	case slices.ContainsFunc(d.Tasks, func(t Task) bool { return !t.Done() && t.Assignee == who }) ||
		slices.ContainsFunc(d.Actions, func(a Action) bool { return !a.Done() && a.Owner == who }):
		extra = append(extra, fieldErr("user", FieldCodeHasOpenWork, "DPIA-5", "has open tasks or actions: assign them to another contributor first"))
	}
	if err := checkInput(who, "DPIA-2", extra); err != nil {
		return d, nil, err
	}
	return m.fire(d, TriggerManageContributors, command{actor: actor, at: at, change: func(fc *firing) error {
		fc.d.Contributors = slices.DeleteFunc(slices.Clone(fc.d.Contributors), func(c Contributor) bool { return c.Member == who })
		return nil
	}})
}

// AssignTask adds a task with the ID id, assigned to a contributor (DPIA-5). Tasks are work on
// the DPIA, not its content: they may be assigned in any working state, approved included.
//
// Errors: ErrInvalid (FieldCodeNotContributor, field errors); ErrNotFound; ErrInvalidTransition.
// Raises EventTaskAssigned.
func (m *Machine) AssignTask(d DPIA, actor Actor, at time.Time, id TaskID, in TaskInput) (DPIA, []Event, error) {
	if !d.CanOpen(actor) {
		return d, nil, notFound(d.ID) // before any input check: they could tell what the DPIA holds
	}
	var extra []FieldError
	if !in.Assignee.User.IsZero() && !in.Assignee.Org.IsZero() && !d.IsContributor(in.Assignee) {
		extra = append(extra, fieldErr("assignee", FieldCodeNotContributor, "DPIA-5", "tasks are assigned only to contributors"))
	}
	if id.IsZero() {
		extra = append(extra, fieldErr("id", "required", "", "is required"))
	}
	if err := checkInput(in, "DPIA-5", extra); err != nil {
		return d, nil, err
	}
	in.Due = in.Due.UTC()
	return m.fire(d, TriggerAssignTask, command{actor: actor, at: at, change: func(fc *firing) error {
		fc.d.Tasks = append(slices.Clone(fc.d.Tasks), Task{ID: id, TaskInput: in, CreatedBy: fc.actor.User, CreatedAt: fc.at})
		e := fc.event(EventTaskAssigned)
		e.To = []Member{in.Assignee}
		fc.events = append(fc.events, e)
		return nil
	}})
}

// CompleteTask marks a task done: its assignee or the DPIA's creator (DPIA-5).
//
// Errors: ErrNotFound (CodeTaskNotFound, CodeNotFound); ErrForbidden (CodeNotAssignee);
// ErrInvalidTransition.
func (m *Machine) CompleteTask(d DPIA, actor Actor, at time.Time, id TaskID) (DPIA, []Event, error) {
	if !d.CanOpen(actor) {
		return d, nil, notFound(d.ID) // before any input check: they could tell what the DPIA holds
	}
	return m.fire(d, TriggerCompleteTask, command{actor: actor, at: at, task: id, change: func(fc *firing) error {
		i := slices.IndexFunc(fc.d.Tasks, func(t Task) bool { return t.ID == id })
		if i < 0 {
			return violation.New(ErrNotFound, CodeTaskNotFound, "DPIA-5", "the DPIA has no task "+id.String())
		}
		if fc.d.Tasks[i].Done() {
			return nil
		}
		fc.d.Tasks = slices.Clone(fc.d.Tasks)
		fc.d.Tasks[i].DoneBy, fc.d.Tasks[i].DoneAt = fc.actor.User, fc.at
		return nil
	}})
}

// ConsultationInput records an ICO prior consultation (DPIA-7): when it was sent, whether the ICO
// treats it as complex (14 weeks instead of 8), its reference, and the outcome once it arrives.
type ConsultationInput struct {
	SentAt    time.Time `json:"sent_at" validate:"required,instant"`
	Complex   bool      `json:"complex"`
	Reference string    `json:"reference,omitempty" validate:"max=200"`
	Outcome   string    `json:"outcome,omitempty" validate:"max=20000"`
	OutcomeAt time.Time `json:"outcome_at,omitzero" validate:"instant"`
}

// FieldCodeInFuture is the field code of a date that must not be later than the command.
const FieldCodeInFuture = "in_future"

// RecordConsultation records the ICO prior consultation in the executive summary (DPIA-7): its
// answer is due 8 weeks after sending, 14 when complex; once its outcome is recorded an
// outstanding red residual risk no longer blocks approval. It may be recorded while the DPIA is
// written and while it awaits approval (the ICO's answer often arrives then); it is not a change
// of content, so approvals already given still count.
//
// Errors: ErrInvalid (FieldCodeInFuture, FieldCodeNotAfter, FieldCodeRequiredWith); ErrNotFound;
// ErrInvalidTransition (CodeNotEditable once approved).
func (m *Machine) RecordConsultation(d DPIA, actor Actor, at time.Time, in ConsultationInput) (DPIA, []Event, error) {
	if !d.CanOpen(actor) {
		return d, nil, notFound(d.ID) // before any input check: they could tell what the DPIA holds
	}
	var extra []FieldError
	if in.SentAt.After(at) {
		extra = append(extra, fieldErr("sent_at", FieldCodeInFuture, "DPIA-7", "a consultation is recorded once sent"))
	}
	if in.Outcome != "" && in.OutcomeAt.IsZero() {
		extra = append(extra, fieldErr("outcome_at", FieldCodeRequiredWith, "DPIA-7", "is required with an outcome"))
	}
	if in.Outcome == "" && !in.OutcomeAt.IsZero() {
		extra = append(extra, fieldErr("outcome", FieldCodeRequiredWith, "DPIA-7", "is required with outcome_at"))
	}
	if !in.OutcomeAt.IsZero() && in.OutcomeAt.Before(in.SentAt) {
		extra = append(extra, fieldErr("outcome_at", FieldCodeNotAfter, "DPIA-7", "must not be before sent_at"))
	}
	if in.OutcomeAt.After(at) {
		extra = append(extra, fieldErr("outcome_at", FieldCodeInFuture, "DPIA-7", "an outcome is recorded once received"))
	}
	if err := checkInput(in, "DPIA-7", extra); err != nil {
		return d, nil, err
	}
	return m.fire(d, TriggerRecordConsultation, command{actor: actor, at: at, change: func(fc *firing) error {
		c := Consultation{SentAt: in.SentAt.UTC(), Complex: in.Complex, Reference: in.Reference, DueAt: ConsultationDue(in.SentAt, in.Complex),
			Outcome: in.Outcome, OutcomeAt: in.OutcomeAt.UTC(), RecordedBy: fc.actor.User}
		if prev := fc.d.Consultation; prev != nil && prev.DueAt.Equal(c.DueAt) {
			c.OverdueNotifiedAt = prev.OverdueNotifiedAt // flagged once for one due date
		}
		fc.d.Consultation = &c
		return nil
	}})
}

// Submit sends the DPIA to its approvers for evaluation and approval (DPIA-6, DPIA-9); it is
// locked for editing until approved, rejected or returned for correction.
//
// Errors: ErrRule (CodeNoApprovers); ErrNotFound; ErrInvalidTransition. Raises
// EventApprovalRequested.
func (m *Machine) Submit(d DPIA, actor Actor, at time.Time) (DPIA, []Event, error) {
	if !d.CanOpen(actor) {
		return d, nil, notFound(d.ID) // before any input check: they could tell what the DPIA holds
	}
	return m.fire(d, TriggerSubmit, command{actor: actor, at: at})
}

// EvaluationInput is an evaluator's judgement of one section (DPIA-9).
type EvaluationInput struct {
	Section Section `json:"section" validate:"required,oneof=need processing consultation necessity risks measures"`
	Verdict Verdict `json:"verdict" validate:"required,oneof=to_correct improvable acceptable"`
	Comment string  `json:"comment,omitempty" validate:"max=4000"`
	// Action is the corrective action an improvable section needs: it joins the action plan.
	Action *ActionInput `json:"action,omitempty"`
}

// Evaluate records an evaluator's judgement of a section (DPIA-9): to correct returns the DPIA
// to editing (InProgress) and tells its contributors; improvable needs a corrective action,
// with an owner among the contributors and a due date, which joins the action plan (ID
// actionID); acceptable needs nothing more. A later judgement of the section replaces it.
//
// Errors: ErrInvalid (FieldCodeActionRequired, FieldCodeNotContributor, field errors);
// ErrForbidden (CodeNotEvaluator); ErrNotFound; ErrInvalidTransition. Raises EventReturned or
// EventActionAssigned.
func (m *Machine) Evaluate(d DPIA, actor Actor, at time.Time, in EvaluationInput, actionID ActionID) (DPIA, []Event, error) {
	if !d.CanOpen(actor) {
		return d, nil, notFound(d.ID) // before any input check: they could tell what the DPIA holds
	}
	var extra []FieldError
	switch {
	case in.Verdict == Improvable && in.Action == nil:
		extra = append(extra, fieldErr("action", FieldCodeActionRequired, "DPIA-9", "an improvable section needs its corrective action"))
	case in.Verdict != Improvable && in.Action != nil:
		extra = append(extra, fieldErr("action", "excluded_unless", "DPIA-9", "only an improvable section takes a corrective action"))
	case in.Action != nil:
		if o := in.Action.Owner; !o.User.IsZero() && !o.Org.IsZero() && !d.IsContributor(o) {
			extra = append(extra, fieldErr("action.owner", FieldCodeNotContributor, "DPIA-9", "an action's owner must be a contributor"))
		}
		if actionID.IsZero() {
			extra = append(extra, fieldErr("action.id", "required", "", "is required"))
		}
	}
	if err := checkInput(in, "DPIA-9", extra); err != nil {
		return d, nil, err
	}
	return m.fire(d, TriggerEvaluate, command{actor: actor, at: at, verdict: in.Verdict, change: func(fc *firing) error {
		ev := Evaluation{Section: in.Section, Verdict: in.Verdict, Comment: in.Comment, By: fc.actor.member(), At: fc.at}
		if in.Action != nil {
			a := Action{ID: actionID, Section: in.Section, ActionInput: *in.Action, CreatedBy: fc.actor.User, CreatedAt: fc.at}
			a.Due = a.Due.UTC()
			fc.d.Actions = append(slices.Clone(fc.d.Actions), a)
			ev.Action = actionID
			e := fc.event(EventActionAssigned)
			e.To, e.Note = []Member{a.Owner}, a.Description
			fc.events = append(fc.events, e)
		}
		fc.d.Evaluations = slices.Clone(fc.d.Evaluations)
		if i := slices.IndexFunc(fc.d.Evaluations, func(e Evaluation) bool { return e.Section == in.Section }); i >= 0 {
			fc.d.Evaluations[i] = ev
		} else {
			fc.d.Evaluations = append(fc.d.Evaluations, ev)
		}
		if in.Verdict == ToCorrect {
			fc.toContributors(EventReturned, string(in.Section)+": "+in.Comment)
		}
		return nil
	}})
}

// CompleteAction marks an action of the plan done: its owner or the DPIA's creator (DPIA-9).
//
// Errors: ErrNotFound (CodeActionNotFound, CodeNotFound); ErrForbidden (CodeNotAssignee);
// ErrInvalidTransition.
func (m *Machine) CompleteAction(d DPIA, actor Actor, at time.Time, id ActionID) (DPIA, []Event, error) {
	if !d.CanOpen(actor) {
		return d, nil, notFound(d.ID) // before any input check: they could tell what the DPIA holds
	}
	return m.fire(d, TriggerCompleteAction, command{actor: actor, at: at, action: id, change: func(fc *firing) error {
		i := slices.IndexFunc(fc.d.Actions, func(a Action) bool { return a.ID == id })
		if i < 0 {
			return violation.New(ErrNotFound, CodeActionNotFound, "DPIA-9", "the action plan has no action "+id.String())
		}
		if fc.d.Actions[i].Done() {
			return nil
		}
		fc.d.Actions = slices.Clone(fc.d.Actions)
		fc.d.Actions[i].DoneBy, fc.d.Actions[i].DoneAt = fc.actor.User, fc.at
		return nil
	}})
}

// OpinionInput is the DPO's opinion (DPIA-9).
type OpinionInput struct {
	Opinion           string `json:"opinion" validate:"required,max=20000"`
	SubjectsConsulted bool   `json:"subjects_consulted"`
	// NotConsultedReason says why data subjects were not consulted; required when they were not.
	NotConsultedReason string `json:"not_consulted_reason,omitempty" validate:"required_unless=SubjectsConsulted true,max=4000"`
}

// GiveOpinion records the DPO's opinion and whether data subjects were consulted, and why not
// (DPIA-9). Only the approver named as DPO may; a later opinion replaces it.
//
// Errors: ErrInvalid; ErrForbidden (CodeNotDPO); ErrNotFound; ErrInvalidTransition.
func (m *Machine) GiveOpinion(d DPIA, actor Actor, at time.Time, in OpinionInput) (DPIA, []Event, error) {
	if !d.CanOpen(actor) {
		return d, nil, notFound(d.ID) // before any input check: they could tell what the DPIA holds
	}
	if err := checkInput(in, "DPIA-9", nil); err != nil {
		return d, nil, err
	}
	return m.fire(d, TriggerGiveOpinion, command{actor: actor, at: at, change: func(fc *firing) error {
		fc.d.DPOOpinion = &DPOOpinion{Opinion: in.Opinion, SubjectsConsulted: in.SubjectsConsulted, NotConsultedReason: in.NotConsultedReason,
			By: fc.actor.member(), At: fc.at}
		return nil
	}})
}

// ApprovalInput is an approver's approval (DPIA-6): comments, and, from an approver other than
// the DPO, whether the DPO's advice is accepted or overruled, with reasons when overruled (the
// ICO template's sign-off table).
type ApprovalInput struct {
	Comments  string `json:"comments,omitempty" validate:"max=4000"`
	DPOAdvice Advice `json:"dpo_advice,omitempty" validate:"omitempty,oneof=accepted overruled"`
	Reasons   string `json:"reasons,omitempty" validate:"required_if=DPOAdvice overruled,max=4000"`
}

// DefaultReviewMonths is how long after approval a DPIA without a review date is reviewed
// (DPIA-8), as a summary's default review cycle (LIFE-1).
const DefaultReviewMonths = 12

// Approve records the actor's approval, as an approver the DPIA names, of its current revision
// (DPIA-6). It is refused while a section is not evaluated acceptable, or improvable with its
// action planned (DPIA-9); while an outstanding red residual risk has no ICO prior-consultation
// outcome recorded (DPIA-7); and while a named DPO's opinion is missing (DPIA-9). When every
// named approver has approved, the DPIA is Approved: its review date is set 12 months on if it
// has none (DPIA-8) and its contributors are told.
//
// Errors: ErrInvalid (field errors; FieldCodeRequiredWith for a missing dpo_advice);
// ErrForbidden (CodeNotApprover); ErrInvalidTransition (CodeAlreadyApproved); ErrRule
// (CodeNotEvaluated, CodeRedRiskUnconsulted, CodeDPOOpinionRequired); ErrNotFound. Raises
// EventApproved on the last approval.
func (m *Machine) Approve(d DPIA, actor Actor, at time.Time, in ApprovalInput) (DPIA, []Event, error) {
	if !d.CanOpen(actor) {
		return d, nil, notFound(d.ID) // before any input check: they could tell what the DPIA holds
	}
	var extra []FieldError
	if dpo, ok := d.DPO(); ok && d.DPOOpinion != nil && dpo.member() != actor.member() && d.approver(actor.member()) >= 0 && in.DPOAdvice == "" {
		extra = append(extra, fieldErr("dpo_advice", FieldCodeRequiredWith, "DPIA-6", "say whether the DPO's advice is accepted or overruled"))
	}
	if err := checkInput(in, "DPIA-6", extra); err != nil {
		return d, nil, err
	}
	return m.fire(d, TriggerApprove, command{actor: actor, at: at, change: func(fc *firing) error {
		fc.d.recordDecision(Approval{Approver: fc.actor.member(), Decision: DecisionApproved, Comments: in.Comments,
			DPOAdvice: in.DPOAdvice, Reasons: in.Reasons, Rev: fc.d.Rev, At: fc.at})
		if fc.d.State != Approved {
			return nil
		}
		fc.d.ApprovedAt = fc.at
		if !fc.d.ReviewDate.After(fc.at) {
			fc.d.ReviewDate = fc.at.AddDate(0, DefaultReviewMonths, 0)
		}
		fc.toContributors(EventApproved, in.Comments)
		return nil
	}})
}

// RejectionInput is an approver's rejection, with the comments that say why (DPIA-6).
type RejectionInput struct {
	Comments string `json:"comments" validate:"required,max=4000"`
}

// Reject records the actor's rejection as a named approver (DPIA-6): the DPIA is Rejected, its
// contributors are told with the comments, and may edit it again.
//
// Errors: ErrInvalid; ErrForbidden (CodeNotApprover); ErrNotFound; ErrInvalidTransition. Raises
// EventRejected.
func (m *Machine) Reject(d DPIA, actor Actor, at time.Time, in RejectionInput) (DPIA, []Event, error) {
	if !d.CanOpen(actor) {
		return d, nil, notFound(d.ID) // before any input check: they could tell what the DPIA holds
	}
	if err := checkInput(in, "DPIA-6", nil); err != nil {
		return d, nil, err
	}
	return m.fire(d, TriggerReject, command{actor: actor, at: at, change: func(fc *firing) error {
		fc.d.recordDecision(Approval{Approver: fc.actor.member(), Decision: DecisionRejected, Comments: in.Comments, Rev: fc.d.Rev, At: fc.at})
		fc.toContributors(EventRejected, in.Comments)
		return nil
	}})
}

// recordDecision keeps each approver's latest decision; earlier ones are in the log.
func (d *DPIA) recordDecision(a Approval) {
	d.Approvals = slices.Clone(d.Approvals)
	if i := slices.IndexFunc(d.Approvals, func(x Approval) bool { return x.Approver == a.Approver }); i >= 0 {
		d.Approvals[i] = a
		return
	}
	d.Approvals = append(d.Approvals, a)
}

// CompleteReview records that the review found the approved DPIA still right (DPIA-8): it is
// Approved again, to be reviewed next at next, which must be later than now.
//
// Errors: ErrInvalid (field "review_date", "future"); ErrNotFound; ErrInvalidTransition.
func (m *Machine) CompleteReview(d DPIA, actor Actor, at time.Time, next time.Time) (DPIA, []Event, error) {
	if !d.CanOpen(actor) {
		return d, nil, notFound(d.ID) // before any input check: they could tell what the DPIA holds
	}
	if !next.After(at) || !validInstant(next) {
		return d, nil, violation.Field("review_date", "future", "DPIA-8", "the next review date must be later than now")
	}
	return m.fire(d, TriggerCompleteReview, command{actor: actor, at: at, change: func(fc *firing) error {
		fc.d.ReviewDate, fc.d.ReviewFlaggedAt = next.UTC(), time.Time{}
		return nil
	}})
}

// CloseInput closes a DPIA with the reason it is no longer needed.
type CloseInput struct {
	Reason string `json:"reason" validate:"required,max=2000"`
}

// Close closes the DPIA: the activity ended or never went ahead. A contributor acting for the
// DPIA's own organisation may; a closed DPIA is kept, readable, as history.
//
// Errors: ErrInvalid; ErrForbidden (CodeNotCreator); ErrInvalidTransition.
func (m *Machine) Close(d DPIA, actor Actor, at time.Time, in CloseInput) (DPIA, []Event, error) {
	if !d.CanOpen(actor) {
		return d, nil, notFound(d.ID) // before any input check: they could tell what the DPIA holds
	}
	if err := checkInput(in, "DPIA-1", nil); err != nil {
		return d, nil, err
	}
	return m.fire(d, TriggerClose, command{actor: actor, at: at, change: func(fc *firing) error {
		fc.d.ClosedAt, fc.d.ClosedReason = fc.at, in.Reason
		return nil
	}})
}

// Revise starts a new version of an approved DPIA (DPIA-10), with the ID id: version+1, linked to
// it by PreviousVersion, in progress, with its terms, screening, contacts, contributors,
// approvers, risks, tasks and action plan. Its evaluations, the DPO's opinion, approvals and ICO
// consultation are not carried over: the new version is evaluated and approved afresh, and a red
// residual risk it still holds is consulted on again. The approved version is left as it is and
// stays readable, with its approvals, until the new one is approved (Supersede). lineage are the
// DPIA's other versions, for CheckRevision.
//
// Errors: ErrRule (CodeOpenVersion, CodeNotLatest); ErrNotFound; ErrInvalidTransition (the DPIA
// is not approved).
func (m *Machine) Revise(d DPIA, id ID, actor Actor, at time.Time, lineage []DPIA) (DPIA, error) {
	if !d.CanOpen(actor) {
		return d, notFound(d.ID)
	}
	if _, _, err := m.fire(d, TriggerRevise, command{actor: actor, at: at}); err != nil {
		return d, err
	}
	if err := CheckRevision(d, lineage); err != nil {
		return d, err
	}
	if id.IsZero() {
		return d, violation.Field("id", "required", "", "is required")
	}
	at = at.UTC()
	n := d.Clone()
	n.ID, n.PreviousVersion, n.Version = id, d.ID, d.Version+1
	n.CreatedAt, n.UpdatedAt, n.UpdatedBy = at, at, actor.User
	n.State, n.Rev = InProgress, 1
	n.Evaluations, n.DPOOpinion, n.Approvals, n.Consultation = nil, nil, nil, nil
	n.SubmittedAt, n.ApprovedAt, n.ReviewFlaggedAt = time.Time{}, time.Time{}, time.Time{}
	n.ReviewDate = time.Time{}
	n.Log = txlog.Head{} // a new record, with a log of its own
	return n, nil
}

// CheckRevision says whether the approved version d may be revised, given the DPIA's other
// versions (DPIA-10): not while a version is open (at most one is written at a time), and only
// the latest approved version.
//
// Errors: ErrRule (CodeOpenVersion, CodeNotLatest).
func CheckRevision(d DPIA, lineage []DPIA) error {
	for _, v := range lineage {
		if v.Root != d.Root || v.ID == d.ID {
			continue
		}
		if v.Open() {
			return violation.New(ErrRule, CodeOpenVersion, "DPIA-10", "version "+itoa(v.Version)+" of this DPIA is open: finish it before revising again")
		}
		if v.Version > d.Version && (v.State == Approved || v.State == ReviewDue) {
			return violation.New(ErrRule, CodeNotLatest, "DPIA-10", "version "+itoa(v.Version)+" is the latest approved: revise that one")
		}
	}
	return nil
}

// Supersede marks the approved version d superseded by successor, a newer approved version of
// the same DPIA (DPIA-10). The Gateway does it when the newer version's last approval lands.
//
// Errors: ErrInvalidTransition when successor is not a newer approved version of d.
func (m *Machine) Supersede(d DPIA, successor DPIA, at time.Time) (DPIA, error) {
	out, _, err := m.fire(d, TriggerSupersede, command{at: at, successor: &successor, change: func(fc *firing) error {
		fc.d.SupersededBy = successor.ID
		return nil
	}})
	return out, err
}

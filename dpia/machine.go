package dpia

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/qmuntal/stateless"

	"github.com/isgkit/gateway/internal/guards"

	"github.com/isgkit/gateway/isg/violation"
)

// Trigger is a step of the DPIA lifecycle, as a UI offers it. Its text is stable.
type Trigger string

// The triggers.
const (
	// TriggerEdit: change what the DPIA says — its terms and template answers, screening, risk
	// register, approvers. Contributors, while it is being written (Draft, InProgress, Rejected).
	TriggerEdit Trigger = "edit"
	// TriggerManageContributors: add contacts and contributors; the creator only (DPIA-2).
	TriggerManageContributors Trigger = "manage_contributors"
	// TriggerAssignTask and TriggerCompleteTask: the DPIA's tasks (DPIA-5).
	TriggerAssignTask   Trigger = "assign_task"
	TriggerCompleteTask Trigger = "complete_task"
	// TriggerRecordConsultation: record the ICO prior consultation and its outcome (DPIA-7).
	TriggerRecordConsultation Trigger = "record_consultation"
	// TriggerSubmit: send the DPIA to its approvers.
	TriggerSubmit Trigger = "submit"
	// TriggerEvaluate: an evaluator judges a section (DPIA-9).
	TriggerEvaluate Trigger = "evaluate"
	// TriggerGiveOpinion: the DPO records the DPO's opinion (DPIA-9).
	TriggerGiveOpinion Trigger = "give_opinion"
	// TriggerApprove and TriggerReject: an approver decides (DPIA-6, DPIA-7, DPIA-9).
	TriggerApprove Trigger = "approve"
	TriggerReject  Trigger = "reject"
	// TriggerCompleteAction: an action of the action plan is done (DPIA-9).
	TriggerCompleteAction Trigger = "complete_action"
	// TriggerFlagReview: the sweep found the review date reached (DPIA-8).
	TriggerFlagReview Trigger = "flag_review"
	// TriggerCompleteReview: the review found the approved DPIA still right; a new review date.
	TriggerCompleteReview Trigger = "complete_review"
	// TriggerRevise: start a new version of an approved DPIA (DPIA-10); the approved one is left
	// as it is.
	TriggerRevise Trigger = "revise"
	// TriggerSupersede: a newer version was approved (DPIA-10).
	TriggerSupersede Trigger = "supersede"
	// TriggerClose: the DPIA is no longer needed.
	TriggerClose Trigger = "close"
)

// Machine is the DPIA lifecycle: one stateless machine configured once by NewMachine and shared
// by every DPIA. The state lives in the DPIA; each command fires on a copy of it reached through
// the context, so a Machine is safe for concurrent use and a refused command returns the
// caller's DPIA untouched.
//
//	Draft --edit--> InProgress --submit--> AwaitingApproval --approve (last)--> Approved
//	                  ^   ^                    |        |                        |   ^
//	                  |   +--evaluate to_correct        reject                flag_review |
//	                  |                                 v                        v   | complete_review
//	                  +-------------edit----------- Rejected                 ReviewDue
//
// Approved and ReviewDue are revised into a new version (revise) and Superseded once it is
// approved; any open or approved version may be closed.
//
// The commands return the new DPIA and the events it raised. They refuse with *Error values:
// ErrInvalid (field errors of the input), ErrNotFound (CodeNotFound: the actor is not a
// contributor, DPIA-2), ErrForbidden (CodeNotCreator, CodeNotApprover, CodeNotEvaluator,
// CodeNotDPO, CodeNotAssignee), ErrInvalidTransition (CodeInvalidTransition, CodeLocked,
// CodeNotEditable, CodeAlreadyApproved) or ErrRule (CodeNoApprovers, CodeRedRiskUnconsulted,
// CodeNotEvaluated, CodeDPOOpinionRequired).
type Machine struct {
	sm       *stateless.StateMachine
	firings  sync.Pool
	refusals guards.Table
}

// refusal is what an unmet guard means; its literals stay short in the tables below.
type refusal struct {
	kind              error
	code, rule, cause string
}

func (r refusal) typed() guards.Refusal {
	return guards.Refusal{Kind: r.kind, Code: r.code, Rule: r.rule, Cause: r.cause}
}

// firing is what one command works on: the copy of the DPIA, the command and the events raised.
// It is its own context, reached by the guards and actions through ctx.Value.
type firing struct {
	context.Context
	command
	cp     DPIA
	d      *DPIA
	events []Event
	buf    [1]Event
}

// command is who does a command, when, and what it changes.
type command struct {
	actor Actor
	at    time.Time
	// change applies the command to the copy; the guards have passed when it runs.
	change func(fc *firing) error
	// verdict is an evaluation's, for the guards that tell a return for correction apart.
	verdict Verdict
	// task and action are what complete_task and complete_action name.
	task   TaskID
	action ActionID
	// successor is, for supersede, the newer version approved.
	successor *DPIA
}

type firingKey struct{}

// Value answers firingKey with the firing itself and defers everything else to the parent.
func (fc *firing) Value(key any) any {
	if _, ok := key.(firingKey); ok {
		return fc
	}
	return fc.Context.Value(key)
}

func firingOf(ctx context.Context) *firing {
	fc, _ := ctx.Value(firingKey{}).(*firing)
	if fc == nil || fc.d == nil {
		return nil
	}
	return fc
}

// NewMachine builds the DPIA lifecycle. A Machine must come from here.
func NewMachine() *Machine {
	sm := stateless.NewStateMachineWithExternalStorage(dpiaState, setDPIAState, stateless.FiringImmediate)

	// Work on the DPIA goes on in every state but the terminal ones; only its content is locked
	// while it awaits approval and once approved (DPIA-10).
	working := []State{Draft, InProgress, AwaitingApproval, Rejected, Approved, ReviewDue}
	for _, s := range working {
		sm.Configure(s).
			InternalTransition(TriggerManageContributors, applyChange, creatorManagesContributors).
			InternalTransition(TriggerAssignTask, applyChange, contributorAssignsTask).
			InternalTransition(TriggerCompleteTask, applyChange, contributorCompletesTask, assigneeOrCreatorCompletesTask).
			InternalTransition(TriggerCompleteAction, applyChange, contributorCompletesAction, ownerOrCreatorCompletesAction).
			Permit(TriggerClose, Closed, contributorOfOwnerCloses)
	}

	sm.Configure(Draft).
		Permit(TriggerEdit, InProgress, contributorEdits).
		Permit(TriggerRecordConsultation, InProgress, contributorRecordsConsultation)

	sm.Configure(InProgress).
		OnEntryFrom(TriggerEdit, applyChange).
		OnEntryFrom(TriggerRecordConsultation, applyChange).
		OnEntryFrom(TriggerEvaluate, applyChange).
		InternalTransition(TriggerEdit, applyChange, contributorEdits).
		InternalTransition(TriggerRecordConsultation, applyChange, contributorRecordsConsultation).
		Permit(TriggerSubmit, AwaitingApproval, contributorSubmits, approversNamed)

	sm.Configure(AwaitingApproval).
		OnEntryFrom(TriggerSubmit, recordSubmission).
		InternalTransition(TriggerRecordConsultation, applyChange, contributorRecordsConsultation).
		InternalTransition(TriggerEvaluate, applyChange, isEvaluator, keepsForApproval).
		Permit(TriggerEvaluate, InProgress, isEvaluator, returnsForCorrection).
		InternalTransition(TriggerGiveOpinion, applyChange, isNamedDPO).
		InternalTransition(TriggerApprove, applyChange, isNamedApprover, notAlreadyApproved, sectionsEvaluated, noUnconsultedRedRisk, dpoOpinionGiven, othersStillToApprove).
		Permit(TriggerApprove, Approved, isNamedApprover, notAlreadyApproved, sectionsEvaluated, noUnconsultedRedRisk, dpoOpinionGiven, completesApproval).
		Permit(TriggerReject, Rejected, isNamedApprover)

	sm.Configure(Rejected).
		OnEntryFrom(TriggerReject, applyChange).
		Permit(TriggerEdit, InProgress, contributorEdits).
		Permit(TriggerRecordConsultation, InProgress, contributorRecordsConsultation)

	sm.Configure(Approved).
		OnEntryFrom(TriggerApprove, applyChange).
		OnEntryFrom(TriggerCompleteReview, applyChange).
		InternalTransition(TriggerRevise, noChange, contributorRevises).
		Permit(TriggerFlagReview, ReviewDue, reviewDateReached).
		Permit(TriggerSupersede, Superseded, newerVersionApproved)

	sm.Configure(ReviewDue).
		OnEntryFrom(TriggerFlagReview, applyChange).
		InternalTransition(TriggerRevise, noChange, contributorRevises).
		Permit(TriggerCompleteReview, Approved, contributorCompletesReview).
		Permit(TriggerSupersede, Superseded, newerVersionApproved)

	sm.Configure(Superseded).OnEntryFrom(TriggerSupersede, applyChange)
	sm.Configure(Closed).OnEntryFrom(TriggerClose, applyChange)

	m := &Machine{sm: sm, refusals: guards.Table{}}
	m.firings.New = func() any { return new(firing) }
	hidden := refusal{ErrNotFound, CodeNotFound, "DPIA-2", "only a contributor opens a DPIA"}
	for _, r := range []struct {
		guard stateless.GuardFunc
		refusal
	}{
		{contributorEdits, hidden},
		{contributorAssignsTask, hidden},
		{contributorCompletesTask, hidden},
		{contributorCompletesAction, hidden},
		{contributorRecordsConsultation, hidden},
		{contributorSubmits, hidden},
		{contributorRevises, hidden},
		{contributorCompletesReview, hidden},
		{contributorOfOwnerCloses, refusal{ErrForbidden, CodeNotCreator, "DPIA-2", "a contributor of the DPIA's own organisation closes it"}},
		{creatorManagesContributors, refusal{ErrForbidden, CodeNotCreator, "DPIA-2", "only the DPIA's creator adds contacts and contributors"}},
		{assigneeOrCreatorCompletesTask, refusal{ErrForbidden, CodeNotAssignee, "DPIA-5", "only the task's assignee or the DPIA's creator completes it"}},
		{ownerOrCreatorCompletesAction, refusal{ErrForbidden, CodeNotAssignee, "DPIA-9", "only the action's owner or the DPIA's creator completes it"}},
		{approversNamed, refusal{ErrRule, CodeNoApprovers, "DPIA-6", "name the DPIA's approvers before submitting it"}},
		{isEvaluator, refusal{ErrForbidden, CodeNotEvaluator, "DPIA-9", "only the evaluators the DPIA names evaluate it"}},
		{isNamedDPO, refusal{ErrForbidden, CodeNotDPO, "DPIA-9", "only the DPO the DPIA names records the DPO's opinion"}},
		{isNamedApprover, refusal{ErrForbidden, CodeNotApprover, "DPIA-6", "only the approvers the DPIA names approve or reject it"}},
		{notAlreadyApproved, refusal{ErrInvalidTransition, CodeAlreadyApproved, "DPIA-6", "the approver has already approved this revision"}},
		{sectionsEvaluated, refusal{ErrRule, CodeNotEvaluated, "DPIA-9", "every section must be evaluated acceptable, or improvable with its action planned"}},
		{noUnconsultedRedRisk, refusal{ErrRule, CodeRedRiskUnconsulted, "DPIA-7", "an outstanding red residual risk needs an ICO prior consultation outcome in the executive summary"}},
		{dpoOpinionGiven, refusal{ErrRule, CodeDPOOpinionRequired, "DPIA-9", "the DPO's opinion is not recorded yet"}},
	} {
		m.refusals.Add(r.guard, r.typed())
	}
	sm.OnUnhandledTrigger(m.refuse)
	return m
}

// refuse turns stateless's "not handled" into the package's typed error: the first unmet guard
// with a refusal names the rule; with none, the state has no such step.
func (m *Machine) refuse(_ context.Context, state stateless.State, trigger stateless.Trigger, unmet []string) error {
	if err := m.refusals.First(unmet); err != nil {
		return err
	}
	st, _ := state.(State)
	tr, _ := trigger.(Trigger)
	switch tr {
	case TriggerEdit, TriggerRecordConsultation, TriggerManageContributors, TriggerAssignTask:
		switch st {
		case AwaitingApproval:
			return violation.New(ErrInvalidTransition, CodeLocked, "DPIA-9", "the DPIA awaits approval and is locked for editing")
		case Approved, ReviewDue, Superseded, Closed:
			return violation.New(ErrInvalidTransition, CodeNotEditable, "DPIA-10",
				"a "+string(st)+" DPIA is never edited in place: revise it to start a new version")
		}
	}
	return violation.New(ErrInvalidTransition, CodeInvalidTransition, "",
		fmt.Sprintf("a %s DPIA cannot %s", st, strings.ReplaceAll(string(tr), "_", " ")))
}

// ToGraph returns the lifecycle as DOT text; testdata/dpia/dpia_states.dot is its golden copy and
// docs/dpia-states.svg its picture.
func (m *Machine) ToGraph() string { return m.sm.ToGraph() }

// Permitted lists, sorted, the steps actor may take on d at time now: what a UI offers. It runs
// only the guards, never the steps, and knows nothing of roles: the Gateway intersects it with
// the permission table. Steps only the sweep or the Gateway take (flag_review, supersede) are
// left out.
func (m *Machine) Permitted(d DPIA, actor Actor, now time.Time) []Trigger {
	if !d.State.Valid() {
		return nil
	}
	fc := m.firings.Get().(*firing)
	defer m.release(fc)
	fc.command = command{actor: actor, at: now}
	ts, err := m.sm.PermittedTriggersCtx(fc.begin(d))
	if err != nil {
		return nil
	}
	out := make([]Trigger, 0, len(ts))
	for _, t := range ts {
		if tr, ok := t.(Trigger); ok && tr != TriggerFlagReview && tr != TriggerSupersede && !slices.Contains(out, tr) {
			out = append(out, tr)
		}
	}
	slices.Sort(out)
	return out
}

func (fc *firing) begin(d DPIA) *firing {
	fc.Context = context.Background()
	fc.cp = d
	fc.d = &fc.cp
	fc.at = fc.at.UTC()
	fc.events = fc.buf[:0]
	return fc
}

// fire runs trigger on a copy of d. stateless sets the state before entry actions and has no
// rollback, so only the copy is ever touched and a refusal returns d itself.
func (m *Machine) fire(d DPIA, trigger Trigger, c command) (DPIA, []Event, error) {
	if !d.State.Valid() {
		return d, nil, violation.New(ErrInvalid, CodeBadState, "", fmt.Sprintf("unknown DPIA state %q", d.State))
	}
	if trigger != TriggerFlagReview && trigger != TriggerSupersede && !d.CanOpen(c.actor) {
		// Whatever the state, a non-contributor learns nothing: not even which steps exist.
		return d, nil, notFound(d.ID)
	}
	fc := m.firings.Get().(*firing)
	defer m.release(fc)
	fc.command = c
	if err := m.sm.FireCtx(fc.begin(d), trigger); err != nil {
		var e *Error
		if !errors.As(err, &e) {
			err = violation.New(ErrInvalidTransition, CodeInvalidTransition, "", err.Error())
		}
		return d, nil, err
	}
	return fc.cp, slices.Clone(fc.events), nil
}

func (m *Machine) release(fc *firing) {
	*fc = firing{}
	m.firings.Put(fc)
}

// ---- state storage -------------------------------------------------------------------------

// dpiaState reads the state of the DPIA being fired on; with none it answers Draft, the initial
// state, which is what ToGraph draws as the entry point.
func dpiaState(ctx context.Context) (stateless.State, error) {
	fc := firingOf(ctx)
	if fc == nil {
		return Draft, nil
	}
	return boxed(fc.d.State), nil
}

// boxed returns the state as an interface without allocating.
func boxed(s State) stateless.State {
	switch s {
	case Draft:
		return Draft
	case InProgress:
		return InProgress
	case AwaitingApproval:
		return AwaitingApproval
	case Approved:
		return Approved
	case Rejected:
		return Rejected
	case ReviewDue:
		return ReviewDue
	case Superseded:
		return Superseded
	case Closed:
		return Closed
	}
	return s
}

func setDPIAState(ctx context.Context, s stateless.State) error {
	fc := firingOf(ctx)
	st, ok := s.(State)
	if fc == nil || !ok {
		return violation.New(ErrInvalidTransition, CodeInvalidTransition, "", "no DPIA to change")
	}
	fc.d.State = st
	return nil
}

// ---- guards: named, because stateless reports them by name in errors and in the diagram --------

func contributor(ctx context.Context) bool {
	fc := firingOf(ctx)
	return fc != nil && fc.d.CanOpen(fc.actor)
}

func contributorEdits(ctx context.Context, _ ...any) bool               { return contributor(ctx) }
func contributorAssignsTask(ctx context.Context, _ ...any) bool         { return contributor(ctx) }
func contributorCompletesTask(ctx context.Context, _ ...any) bool       { return contributor(ctx) }
func contributorCompletesAction(ctx context.Context, _ ...any) bool     { return contributor(ctx) }
func contributorRecordsConsultation(ctx context.Context, _ ...any) bool { return contributor(ctx) }
func contributorSubmits(ctx context.Context, _ ...any) bool             { return contributor(ctx) }
func contributorRevises(ctx context.Context, _ ...any) bool             { return contributor(ctx) }
func contributorCompletesReview(ctx context.Context, _ ...any) bool     { return contributor(ctx) }

// contributorOfOwnerCloses: a contributor acting for the DPIA's own organisation closes it.
func contributorOfOwnerCloses(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && fc.actor.Org == fc.d.Org && fc.d.CanOpen(fc.actor)
}

// creatorManagesContributors: the DPIA's creator, as a contributor (DPIA-2).
func creatorManagesContributors(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && fc.actor.User == fc.d.CreatedBy && fc.d.CanOpen(fc.actor)
}

func assigneeOrCreatorCompletesTask(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	if fc == nil {
		return false
	}
	if fc.actor.User == fc.d.CreatedBy {
		return true
	}
	i := slices.IndexFunc(fc.d.Tasks, func(t Task) bool { return t.ID == fc.task })
	return i < 0 || fc.d.Tasks[i].Assignee == fc.actor.member() // an unknown task is the action's to report
}

func ownerOrCreatorCompletesAction(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	if fc == nil {
		return false
	}
	if fc.actor.User == fc.d.CreatedBy {
		return true
	}
	i := slices.IndexFunc(fc.d.Actions, func(a Action) bool { return a.ID == fc.action })
	return i < 0 || fc.d.Actions[i].Owner == fc.actor.member()
}

func approversNamed(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && len(fc.d.Approvers) > 0
}

// isEvaluator: the evaluators are the approvers the DPIA names — the DPO with the IG lead or
// compliance manager (DPIA-9).
func isEvaluator(ctx context.Context, _ ...any) bool { return isApprover(ctx) }

func isNamedApprover(ctx context.Context, _ ...any) bool { return isApprover(ctx) }

func isApprover(ctx context.Context) bool {
	fc := firingOf(ctx)
	return fc != nil && fc.d.CanOpen(fc.actor) && fc.d.approver(fc.actor.member()) >= 0
}

func isNamedDPO(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	if fc == nil || !fc.d.CanOpen(fc.actor) {
		return false
	}
	i := fc.d.approver(fc.actor.member())
	return i >= 0 && fc.d.Approvers[i].Capacity == CapacityDPO
}

func returnsForCorrection(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && fc.verdict == ToCorrect
}

func keepsForApproval(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && fc.verdict != ToCorrect
}

func notAlreadyApproved(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && !fc.d.approvedBy(fc.actor.member())
}

func sectionsEvaluated(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && fc.d.evaluated()
}

func noUnconsultedRedRisk(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && !fc.d.needsConsultationOutcome()
}

func dpoOpinionGiven(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && !fc.d.needsDPOOpinion()
}

// othersStillToApprove and completesApproval: whether the actor's approval is the last one the
// DPIA needs — every named approver's, on the current revision.
func othersStillToApprove(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && !fc.d.completedBy(fc.actor.member())
}

func completesApproval(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && fc.d.completedBy(fc.actor.member())
}

func reviewDateReached(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && !fc.d.ReviewDate.IsZero() && !fc.at.Before(fc.d.ReviewDate)
}

func newerVersionApproved(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	if fc == nil || fc.successor == nil {
		return false
	}
	s := fc.successor
	return s.Root == fc.d.Root && s.Version > fc.d.Version && s.State == Approved
}

// ---- actions: each changes only the copy being fired on ---------------------------------------

func applyChange(ctx context.Context, _ ...any) error {
	fc := firingOf(ctx)
	if fc == nil || fc.change == nil {
		return violation.New(ErrInvalidTransition, CodeInvalidTransition, "", "no DPIA to change")
	}
	if err := fc.change(fc); err != nil {
		return err
	}
	fc.d.UpdatedAt, fc.d.UpdatedBy = fc.at, fc.actor.User
	return nil
}

func noChange(context.Context, ...any) error { return nil }

func recordSubmission(ctx context.Context, _ ...any) error {
	fc := firingOf(ctx)
	if fc == nil {
		return violation.New(ErrInvalidTransition, CodeInvalidTransition, "", "no DPIA to submit")
	}
	fc.d.SubmittedAt, fc.d.UpdatedAt, fc.d.UpdatedBy = fc.at, fc.at, fc.actor.User
	e := fc.event(EventApprovalRequested)
	for _, a := range fc.d.Approvers {
		e.To = append(e.To, a.member())
	}
	fc.events = append(fc.events, e)
	return nil
}

func (fc *firing) event(t EventType) Event {
	return Event{Type: t, DPIA: fc.d.ID, Activity: fc.d.ActivityID, Org: fc.d.Org, Actor: fc.actor, At: fc.at}
}

// toContributors is an event for every contributor.
func (fc *firing) toContributors(t EventType, note string) {
	e := fc.event(t)
	e.Note = note
	for _, c := range fc.d.Contributors {
		e.To = append(e.To, c.Member)
	}
	fc.events = append(fc.events, e)
}

// ---- what the approval needs ---------------------------------------------------------------------

func (d DPIA) approvalOf(m Member) (Approval, bool) {
	i := slices.IndexFunc(d.Approvals, func(a Approval) bool { return a.Approver == m })
	if i < 0 {
		return Approval{}, false
	}
	return d.Approvals[i], true
}

// approvedBy reports whether m's latest decision approves the current revision.
func (d DPIA) approvedBy(m Member) bool {
	a, ok := d.approvalOf(m)
	return ok && a.Decision == DecisionApproved && a.Rev == d.Rev
}

// completedBy reports whether m's approval would leave no named approver still to approve.
func (d DPIA) completedBy(m Member) bool {
	for _, a := range d.Approvers {
		if am := a.member(); am != m && !d.approvedBy(am) {
			return false
		}
	}
	return true
}

// unevaluated lists the evaluated sections not yet judged acceptable, or improvable with their
// action planned (DPIA-9).
func (d DPIA) unevaluated() []Section {
	var out []Section
	for _, s := range evaluatedSections {
		if !d.sectionDone(s) {
			out = append(out, s)
		}
	}
	return out
}

// evaluated reports whether unevaluated is empty, without building the list.
func (d DPIA) evaluated() bool {
	for _, s := range evaluatedSections {
		if !d.sectionDone(s) {
			return false
		}
	}
	return true
}

func (d DPIA) sectionDone(s Section) bool {
	i := slices.IndexFunc(d.Evaluations, func(e Evaluation) bool { return e.Section == s })
	if i < 0 {
		return false
	}
	e := d.Evaluations[i]
	return e.Verdict == Acceptable || (e.Verdict == Improvable && !e.Action.IsZero())
}

// needsConsultationOutcome: an outstanding red residual risk and no ICO outcome (DPIA-7).
func (d DPIA) needsConsultationOutcome() bool {
	return !d.Consultation.Answered() && slices.ContainsFunc(d.Risks, Risk.Red)
}

// needsDPOOpinion: the DPIA names a DPO whose opinion is not recorded (DPIA-9).
func (d DPIA) needsDPOOpinion() bool {
	_, named := d.DPO()
	return named && d.DPOOpinion == nil
}

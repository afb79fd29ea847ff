package agreement

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

// FlowState is a flow's lifecycle state (FLOW-2). Its text is stable: it is stored.
type FlowState string

// The flow states. Signed and Superseded belong to sign-off and variation (SIGN); Archived and
// Terminated to the end of the lifecycle (LIFE-2, LIFE-3; life.go). Finalised and Signed are the
// states in force (FlowState.InForce).
const (
	// Draft: editable by every organisation named in the flow and by its creator (FLOW-3).
	Draft FlowState = "draft"
	// InReview: DPO review requested; locked for every organisation (FLOW-5).
	InReview FlowState = "in_review"
	// Approved: at least one approval and no open rejection; still locked (FLOW-6).
	Approved FlowState = "approved"
	// Rejected: an open rejection; editable by the creating organisation only (FLOW-6).
	Rejected FlowState = "rejected"
	// Finalised: no longer editable by anyone (FLOW-3); ready for sign-off.
	Finalised  FlowState = "finalised"
	Signed     FlowState = "signed"
	Archived   FlowState = "archived"
	Terminated FlowState = "terminated"
	Superseded FlowState = "superseded"
)

// FlowStates lists every state, in lifecycle order.
func FlowStates() []FlowState {
	return []FlowState{Draft, InReview, Approved, Rejected, Finalised, Signed, Archived, Terminated, Superseded}
}

// Valid reports whether s is one of the declared states.
func (s FlowState) Valid() bool {
	switch s {
	case Draft, InReview, Approved, Rejected, Finalised, Signed, Archived, Terminated, Superseded:
		return true
	}
	return false
}

// Trigger is a step of the flow lifecycle, as a UI offers it. Its text is stable.
type Trigger string

// The triggers.
const (
	TriggerEdit          Trigger = "edit"
	TriggerRequestReview Trigger = "request_review"
	TriggerApprove       Trigger = "approve"
	TriggerReject        Trigger = "reject"
	TriggerRereview      Trigger = "rereview"
	TriggerFinalise      Trigger = "finalise"
)

// The triggers of the end of the lifecycle (LIFE-2…LIFE-4; see life.go).
const (
	TriggerGiveNotice      Trigger = "give_notice"
	TriggerApproveNotice   Trigger = "approve_notice"
	TriggerRejectNotice    Trigger = "reject_notice"
	TriggerWithdrawNotice  Trigger = "withdraw_notice"
	TriggerRaiseDispute    Trigger = "raise_dispute"
	TriggerResolveDispute  Trigger = "resolve_dispute"
	TriggerArchive         Trigger = "archive"
	TriggerExtendRetention Trigger = "extend_retention"
	TriggerApproveDeletion Trigger = "approve_deletion"
	TriggerDelete          Trigger = "delete"
)

// FlowMachine is the flow lifecycle (FLOW-2…FLOW-8): one stateless machine configured once by
// NewFlowMachine and shared by every flow. The state lives in the Flow; each command fires on a
// copy of it reached through the context, so a FlowMachine is safe for concurrent use and a
// refused or failed command returns the caller's flow untouched. The Gateway builds one and keeps
// it: configuring a machine costs about ten times firing one.
//
// The commands return the new flow and the events it raised. They refuse with *Error values:
// ErrInvalid (field errors of the input), ErrInvalidTransition (the state has no such step:
// CodeInvalidTransition, CodeLocked, CodeNotEditable), ErrForbidden (the actor's organisation
// may not take it: CodeNotParty, CodeNotCreator, CodeNotReviewer) or ErrRule (a rule of the
// rulebook forbids it now: CodeDPOApprovalRequired, CodeApprovalRequired, CodeOpenRejection,
// CodeNoOpenRejection, CodePartyHasOpenRejection).
type FlowMachine struct {
	sm *stateless.StateMachine
	// config is how sm was configured, for Permitted (offers.go).
	config *flowConfig
	// firings recycles the per-command scratch space; it holds nothing between commands.
	firings sync.Pool
	// refusals maps a guard's name, as stateless reports an unmet guard, to the error it means.
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

// guardRefusal names the refusal an unmet guard means.
type guardRefusal struct {
	guard stateless.GuardFunc
	refusal
}

// firing is what one command works on: the copy of the flow, the facts guards need, the
// command's input and the events raised. It is its own context (the guards and actions reach it
// through ctx.Value) and holds the copy and the first event inline, so that a command costs one
// allocation of ours rather than four.
type firing struct {
	context.Context
	command
	cp   Flow
	flow *Flow // &cp while firing
	// editTerms holds an edit's terms, which command.terms points to.
	editTerms FlowTerms
	events    []Event
	buf       [1]Event
}

// command is who does a command, when, and its input.
type command struct {
	actor    Actor
	at       time.Time
	terms    *FlowTerms
	request  *ReviewRequest
	verdict  Verdict
	rereview Rereview
	// sign-off (SIGN-1…SIGN-5)
	signOff   *SignOffInput
	signature *Signature
	wetScan   DocumentID
	// life is the input of a step of the end of the lifecycle (life.go).
	life *lifeInput
	// FLOW-13 and SIGN-6 (onward.go, variation.go): the originals of the flow's data, an onward
	// approval request, and the variation superseding the flow with the original's parties it
	// may leave out.
	originals Originals
	onward    *OnwardRequest
	variation *Flow
	gone      []OrgID
}

type firingKey struct{}

// Value answers firingKey with the firing itself and defers everything else to the parent.
func (fc *firing) Value(key any) any {
	if _, ok := key.(firingKey); ok {
		return fc
	}
	return fc.Context.Value(key)
}

// begin makes fc ready to fire on a copy of f.
func (fc *firing) begin(f Flow) *firing {
	fc.Context = context.Background()
	fc.cp = f
	fc.flow = &fc.cp
	fc.at = fc.at.UTC()
	fc.events = fc.buf[:0]
	return fc
}

func firingOf(ctx context.Context) *firing {
	fc, _ := ctx.Value(firingKey{}).(*firing)
	if fc == nil || fc.flow == nil {
		return nil
	}
	return fc
}

// NewFlowMachine builds the flow lifecycle. A FlowMachine must come from here.
func NewFlowMachine() *FlowMachine {
	sm := stateless.NewStateMachineWithExternalStorage(flowState, setFlowState, stateless.FiringImmediate)
	c := newFlowConfig(sm)

	c.Configure(Draft).
		InternalTransition(TriggerEdit, applyEdit, partyOrCreatorEdits).
		Permit(TriggerRequestReview, InReview, partyOrCreatorRequests).
		Permit(TriggerFinalise, Finalised, creatorOrgFinalises, carriesNoPersonalData, noOpenOnwardRejection, originalsApproved)

	c.Configure(InReview).
		OnEntryFrom(TriggerRequestReview, recordReviewRequest).
		OnEntryFrom(TriggerRereview, recordRereview).
		InternalTransition(TriggerRequestReview, recordReviewRequest, partyOrCreatorRequests).
		Permit(TriggerApprove, Approved, isRequestedDPO, notAlreadyApproved, noOtherOpenRejection).
		InternalTransition(TriggerApprove, recordApproval, isRequestedDPO, notAlreadyApproved, otherOpenRejection).
		Permit(TriggerReject, Rejected, isRequestedDPO, notAlreadyRejected).
		InternalTransition(TriggerRereview, recordRereview, creatorAnswersRejection, rejectionIsOpen).
		Permit(TriggerFinalise, Finalised, creatorOrgFinalises, noOpenRejection, approvedOrReviewByPassed, noOpenOnwardRejection, originalsApproved)

	c.Configure(Approved).
		OnEntryFrom(TriggerApprove, recordApproval).
		InternalTransition(TriggerRequestReview, recordReviewRequest, partyOrCreatorRequests).
		InternalTransition(TriggerApprove, recordApproval, isRequestedDPO, notAlreadyApproved).
		Permit(TriggerReject, Rejected, isRequestedDPO, notAlreadyRejected).
		Permit(TriggerFinalise, Finalised, creatorOrgFinalises, noOpenRejection, approvedOrReviewByPassed, noOpenOnwardRejection, originalsApproved)

	c.Configure(Rejected).
		OnEntryFrom(TriggerReject, recordRejection).
		InternalTransition(TriggerEdit, applyEdit, onlyCreatorEditsRejected).
		Permit(TriggerApprove, Approved, isRequestedDPO, notAlreadyApproved, noOtherOpenRejection).
		InternalTransition(TriggerApprove, recordApproval, isRequestedDPO, notAlreadyApproved, otherOpenRejection).
		InternalTransition(TriggerReject, recordRejection, isRequestedDPO, notAlreadyRejected).
		Permit(TriggerRereview, InReview, creatorAnswersRejection, rejectionIsOpen).
		Permit(TriggerFinalise, Finalised, creatorOrgFinalises, noOpenRejection, approvedOrReviewByPassed, noOpenOnwardRejection, originalsApproved)

	// Sign-off (SIGN-1…SIGN-5): the last signature a current party needs makes the flow Signed.
	c.Configure(Finalised).OnEntryFrom(TriggerFinalise, recordFinalisation).
		InternalTransition(TriggerRequestSignOff, recordSignOffRequest, partyOrCreatorRequestsSignOff).
		InternalTransition(TriggerSign, recordSignature, isAskedSignatory, orgNotSigned, signByNotEnforcedAndPassed, othersStillToSign).
		Permit(TriggerSign, Signed, isAskedSignatory, orgNotSigned, signByNotEnforcedAndPassed, completesSignOff).
		InternalTransition(TriggerAttachWetSignature, recordWetSignature, partyAttachesScan, noScanYet)

	c.Configure(Signed).OnEntryFrom(TriggerSign, recordLastSignature).
		InternalTransition(TriggerAttachWetSignature, recordWetSignature, partyAttachesScan, noScanYet)

	for _, s := range []FlowState{Archived, Terminated, Superseded} {
		c.Configure(s)
	}
	// The end of the lifecycle: notice and termination, disputes, archive (LIFE-2…LIFE-4).
	configureEnd(c)
	// FLOW-13 onward approval and SIGN-6 variations (onward.go, variation.go).
	configureOnward(c)
	configureVariations(c)

	m := &FlowMachine{sm: sm, config: c, refusals: guards.Table{}}
	m.firings.New = func() any { return new(firing) }
	for _, r := range append([]guardRefusal{
		{partyOrCreatorEdits, refusal{ErrForbidden, CodeNotParty, "FLOW-3", "only an organisation named in the flow, or its creator, may edit a draft"}},
		{partyOrCreatorRequests, refusal{ErrForbidden, CodeNotParty, "FLOW-5", "only an organisation named in the flow, or its creator, may request DPO review"}},
		{creatorOrgFinalises, refusal{ErrForbidden, CodeNotCreator, "FLOW-3", "only the creating organisation may finalise the flow"}},
		{onlyCreatorEditsRejected, refusal{ErrForbidden, CodeNotCreator, "FLOW-6", "a rejected flow is unlocked for the creating organisation only"}},
		{creatorAnswersRejection, refusal{ErrForbidden, CodeNotCreator, "FLOW-7", "only the creating organisation may answer a rejection"}},
		{isRequestedDPO, refusal{ErrForbidden, CodeNotReviewer, "FLOW-6", "the actor was not asked to review this flow as a DPO of that organisation"}},
		{notAlreadyApproved, refusal{ErrInvalidTransition, CodeAlreadyDecided, "FLOW-6", "the actor has already approved this version of the flow"}},
		{notAlreadyRejected, refusal{ErrInvalidTransition, CodeAlreadyDecided, "FLOW-6", "the actor has already rejected this version of the flow, and has not been asked again"}},
		{carriesNoPersonalData, refusal{ErrRule, CodeDPOApprovalRequired, "FLOW-4", "a flow with personal or special-category data needs DPO approval before it is finalised"}},
		{noOpenRejection, refusal{ErrRule, CodeOpenRejection, "FLOW-8", "a DPO rejection is still open"}},
		{approvedOrReviewByPassed, refusal{ErrRule, CodeApprovalRequired, "FLOW-8", "no DPO has approved the current version and the review-by date has not passed"}},
		{rejectionIsOpen, refusal{ErrRule, CodeNoOpenRejection, "FLOW-7", "that DPO has no open rejection to answer"}},
		{partyOrCreatorRequestsSignOff, refusal{ErrForbidden, CodeNotParty, "SIGN-1", "only an organisation named in the flow, or its creator, may request sign-off"}},
		{isAskedSignatory, refusal{ErrForbidden, CodeNotSignatory, "SIGN-1", "the actor was not asked to sign this flow off for that organisation"}},
		{orgNotSigned, refusal{ErrInvalidTransition, CodeAlreadySigned, "SIGN-2", "the organisation has already signed; one signature per organisation is enough"}},
		{signByNotEnforcedAndPassed, refusal{ErrRule, CodeSignByPassed, "SIGN-3", "the sign-by date has passed and is enforced"}},
		{partyAttachesScan, refusal{ErrForbidden, CodeNotParty, "SIGN-5", "only an organisation named in the flow attaches a wet-signed scan"}},
		{noScanYet, refusal{ErrInvalidTransition, CodeAlreadyWetSigned, "SIGN-5", "the organisation has already attached its wet-signed scan"}},
	}, endRefusals()...) {
		m.refusals.Add(r.guard, r.typed())
	}
	for _, r := range append(onwardRefusals(), variationRefusals()...) {
		m.refusals.Add(r.guard, r.typed())
	}
	sm.OnUnhandledTrigger(m.refuse)
	return m
}

// refuse turns stateless's "not handled" into the package's typed error: the first unmet guard
// names the rule; with none, the state simply has no such step.
func (m *FlowMachine) refuse(_ context.Context, state stateless.State, trigger stateless.Trigger, unmet []string) error {
	if err := m.refusals.First(unmet); err != nil {
		return err
	}
	st, _ := state.(FlowState)
	tr, _ := trigger.(Trigger)
	if tr == TriggerSign && st == Signed {
		return violation.New(ErrInvalidTransition, CodeAlreadySigned, "SIGN-2", "every party has already signed the flow")
	}
	if err := variationRefusal(st, tr); err != nil {
		return err
	}
	if tr == TriggerEdit {
		switch st {
		case InReview, Approved:
			return violation.New(ErrInvalidTransition, CodeLocked, "FLOW-5",
				"the flow is locked for every organisation while under DPO review or approved")
		case Finalised, Signed, Archived, Terminated, Superseded:
			return violation.New(ErrInvalidTransition, CodeNotEditable, "FLOW-3",
				"a "+string(st)+" flow can no longer be edited by anyone")
		}
	}
	return violation.New(ErrInvalidTransition, CodeInvalidTransition, "FLOW-2",
		fmt.Sprintf("a %s flow cannot %s", st, strings.ReplaceAll(string(tr), "_", " ")))
}

// ToGraph returns the lifecycle as DOT text; testdata/agreement/flow_states.dot is its golden copy
// and docs/flow-states.svg its picture.
func (m *FlowMachine) ToGraph() string { return m.sm.ToGraph() }

// Permitted lists, sorted, the steps actor may take on f at time now: what a UI offers. It runs
// only the guards, never the steps, and knows nothing of roles: the Gateway intersects it with
// the permission table (a DPO's organisation may be a party, so request_review is listed for the
// DPO here although ROLE-8 gives it to editing roles only).
func (m *FlowMachine) Permitted(f Flow, actor Actor, now time.Time) []Trigger {
	return m.permitted(f, command{actor: actor, at: now})
}

func (m *FlowMachine) permitted(f Flow, c command) []Trigger {
	if !f.State.Valid() {
		return nil
	}
	fc := m.firings.Get().(*firing)
	defer m.release(fc)
	fc.command = c
	out := m.config.permitted(fc.begin(f), f.State)
	slices.Sort(out)
	return out
}

// fire runs trigger on a copy of f. stateless sets the state before entry actions and has no
// rollback, so only the copy is ever touched and a refusal returns f itself.
func (m *FlowMachine) fire(f Flow, trigger Trigger, c command) (Flow, []Event, error) {
	fc := m.firings.Get().(*firing)
	defer m.release(fc)
	fc.command = c
	return m.fireOn(fc, f, trigger)
}

// fireOn is fire with the command already in fc.
func (m *FlowMachine) fireOn(fc *firing, f Flow, trigger Trigger) (Flow, []Event, error) {
	if !f.State.Valid() {
		return f, nil, violation.New(ErrInvalid, CodeBadState, "FLOW-2", "unknown flow state "+quote(string(f.State)))
	}
	if err := m.sm.FireCtx(fc.begin(f), boxedTrigger(trigger)); err != nil {
		var e *Error
		if !errors.As(err, &e) {
			err = violation.New(ErrInvalidTransition, CodeInvalidTransition, "FLOW-2", err.Error())
		}
		return f, nil, err
	}
	return fc.cp, slices.Clone(fc.events), nil
}

// release clears a firing, so the pool keeps no flow or input alive, and returns it.
func (m *FlowMachine) release(fc *firing) {
	*fc = firing{}
	m.firings.Put(fc)
}

// Edit replaces the flow's terms (FLOW-3). In Draft any organisation named in the flow, or its
// creator, may edit; in Rejected only the creator; otherwise nobody. A change of terms is a new
// revision (Rev+1) that voids earlier approvals (FLOW-8); terms equal to the current ones change
// nothing. An organisation removed from the flow has its DPOs' reviews withdrawn, unless one of
// them holds an open rejection, which must be answered first (FLOW-7). s must be the flow's
// summary: parties are checked against it (FLOW-11).
//
// Errors: ErrConflict (CodeWrongSummary); ErrInvalid with field errors; ErrInvalidTransition
// (CodeLocked, CodeNotEditable); ErrForbidden (CodeNotParty, CodeNotCreator); ErrRule
// (CodePartyHasOpenRejection).
func (m *FlowMachine) Edit(f Flow, s Summary, actor Actor, at time.Time, t FlowTerms) (Flow, []Event, error) {
	if s.ID != f.SummaryID {
		return f, nil, violation.New(ErrConflict, CodeWrongSummary, "FLOW-11", "the summary given is not the flow's summary")
	}
	t, extra := t.normalised()
	if err := checkTerms(t, append(extra, t.check(s)...)); err != nil {
		return f, nil, err
	}
	// The terms are kept in the pooled firing, not pointed to where they are: a pointer to t
	// would move every edit's terms to the heap.
	fc := m.firings.Get().(*firing)
	defer m.release(fc)
	fc.command = command{actor: actor, at: at}
	fc.editTerms = t
	fc.terms = &fc.editTerms
	return m.fireOn(fc, f, TriggerEdit)
}

// RequestReview asks DPOs to review the flow by a date, locking it for every organisation
// (FLOW-5). Each DPO reviews for an organisation named in the flow. It is allowed in Draft (which
// it moves to InReview), InReview and Approved, to any organisation named in the flow or its
// creator. Asking a DPO already asked renews the request; the flow's ReviewBy is the latest date
// of all requests.
//
// Errors: ErrInvalid (field errors, FLOW-5); ErrForbidden (CodeNotParty); ErrInvalidTransition.
// Raises EventReviewRequested.
func (m *FlowMachine) RequestReview(f Flow, actor Actor, at time.Time, r ReviewRequest) (Flow, []Event, error) {
	var extra []FieldError
	keys := make([]Reviewer, len(r.DPOs))
	for i, d := range r.DPOs {
		keys[i] = d
		if !d.Org.IsZero() && !f.Names(d.Org) {
			extra = append(extra, fieldErr(indexed("dpos", i)+".org", FieldCodeNotParty, "FLOW-5",
				"a DPO reviews for an organisation named in the flow"))
		}
	}
	for _, i := range duplicates(keys) {
		extra = append(extra, fieldErr(indexed("dpos", i), FieldCodeDuplicate, "FLOW-5", "names a DPO twice"))
	}
	if !r.ReviewBy.IsZero() && !r.ReviewBy.After(at) {
		extra = append(extra, fieldErr("review_by", FieldCodeNotFuture, "FLOW-5", "must be later than the request"))
	}
	if err := checkInput(r, "FLOW-5", extra); err != nil {
		return f, nil, err
	}
	r.DPOs = cloneSlice(r.DPOs)
	r.ReviewBy = r.ReviewBy.UTC()
	return m.fire(f, TriggerRequestReview, command{actor: actor, at: at, request: &r})
}

// Approve records the actor's approval as a DPO asked to review the flow, for the flow's current
// revision (FLOW-6). With no other open rejection the flow is Approved (still locked); otherwise
// it stays as it is.
//
// Errors: ErrInvalid; ErrForbidden (CodeNotReviewer); ErrInvalidTransition. Raises EventApproved.
func (m *FlowMachine) Approve(f Flow, actor Actor, at time.Time, v Verdict) (Flow, []Event, error) {
	if err := v.check(false); err != nil {
		return f, nil, err
	}
	return m.fire(f, TriggerApprove, command{actor: actor, at: at, verdict: v})
}

// Reject records the actor's rejection, with its details, as a DPO asked to review the flow
// (FLOW-6). The flow is Rejected: unlocked for its creating organisation only. The rejection stays
// open until the same DPO decides again (FLOW-7).
//
// Errors: ErrInvalid (details are required); ErrForbidden (CodeNotReviewer);
// ErrInvalidTransition. Raises EventRejected.
func (m *FlowMachine) Reject(f Flow, actor Actor, at time.Time, v Verdict) (Flow, []Event, error) {
	if err := v.check(true); err != nil {
		return f, nil, err
	}
	return m.fire(f, TriggerReject, command{actor: actor, at: at, verdict: v})
}

// RequestRereview answers a DPO's open rejection with what changed and asks that DPO to review
// again (FLOW-7). Only the creating organisation may; the flow locks again (Rejected → InReview).
// The rejection stays open until the DPO decides.
//
// Errors: ErrInvalid; ErrForbidden (CodeNotCreator); ErrRule (CodeNoOpenRejection);
// ErrInvalidTransition. Raises EventRereviewRequested.
func (m *FlowMachine) RequestRereview(f Flow, actor Actor, at time.Time, r Rereview) (Flow, []Event, error) {
	if err := r.check(); err != nil {
		return f, nil, err
	}
	return m.fire(f, TriggerRereview, command{actor: actor, at: at, rereview: r})
}

// Finalise finalises the flow for its creating organisation (FLOW-3). From Draft only a flow
// without personal or special-category data may be finalised (FLOW-4); after DPO review it needs
// an approval of the current revision, or the review-by date to have passed, and no open
// rejection (FLOW-8). A finalised flow can no longer be edited. A flow naming sources needs its
// originals' approval too (FLOW-13), which only FinaliseOnward, given them, can find: Finalise
// refuses it.
//
// Errors: ErrForbidden (CodeNotCreator); ErrRule (CodeDPOApprovalRequired, CodeOpenRejection,
// CodeApprovalRequired, CodeOnwardApprovalRequired); ErrInvalidTransition. Raises EventFinalised.
func (m *FlowMachine) Finalise(f Flow, actor Actor, at time.Time) (Flow, []Event, error) {
	return m.fire(f, TriggerFinalise, command{actor: actor, at: at})
}

// ---- state storage -------------------------------------------------------------------------

// flowState reads the state of the flow being fired on. With none in the context it answers
// Draft, the initial state, which is what ToGraph draws as the entry point.
func flowState(ctx context.Context) (stateless.State, error) {
	fc := firingOf(ctx)
	if fc == nil {
		return Draft, nil
	}
	return boxed(fc.flow.State), nil
}

// boxedTrigger is boxed for triggers.
func boxedTrigger(t Trigger) stateless.Trigger {
	switch t {
	case TriggerEdit:
		return TriggerEdit
	case TriggerRequestReview:
		return TriggerRequestReview
	case TriggerApprove:
		return TriggerApprove
	case TriggerReject:
		return TriggerReject
	case TriggerRereview:
		return TriggerRereview
	case TriggerFinalise:
		return TriggerFinalise
	case TriggerRequestSignOff:
		return TriggerRequestSignOff
	case TriggerSign:
		return TriggerSign
	case TriggerAttachWetSignature:
		return TriggerAttachWetSignature
	// the end of the lifecycle (life.go)
	case TriggerGiveNotice:
		return TriggerGiveNotice
	case TriggerApproveNotice:
		return TriggerApproveNotice
	case TriggerRejectNotice:
		return TriggerRejectNotice
	case TriggerWithdrawNotice:
		return TriggerWithdrawNotice
	case TriggerRaiseDispute:
		return TriggerRaiseDispute
	case TriggerResolveDispute:
		return TriggerResolveDispute
	case TriggerArchive:
		return TriggerArchive
	case TriggerExtendRetention:
		return TriggerExtendRetention
	case TriggerApproveDeletion:
		return TriggerApproveDeletion
	case TriggerDelete:
		return TriggerDelete
	}
	return t
}

// boxed returns the state as an interface without allocating: converting a constant to an
// interface uses static data, converting a variable string does not.
func boxed(s FlowState) stateless.State {
	switch s {
	case Draft:
		return Draft
	case InReview:
		return InReview
	case Approved:
		return Approved
	case Rejected:
		return Rejected
	case Finalised:
		return Finalised
	case Signed:
		return Signed
	case Archived:
		return Archived
	case Terminated:
		return Terminated
	case Superseded:
		return Superseded
	}
	return s
}

func setFlowState(ctx context.Context, s stateless.State) error {
	fc := firingOf(ctx)
	st, ok := s.(FlowState)
	if fc == nil || !ok {
		return violation.New(ErrInvalidTransition, CodeInvalidTransition, "FLOW-2", "no flow to change")
	}
	fc.flow.State = st
	return nil
}

// ---- guards: named, because stateless reports them by name in errors and in the diagram --------

func partyOrCreator(ctx context.Context) bool {
	fc := firingOf(ctx)
	return fc != nil && !fc.actor.Org.IsZero() &&
		(fc.actor.Org == fc.flow.CreatedByOrg || fc.flow.Names(fc.actor.Org))
}

func creatorOrg(ctx context.Context) bool {
	fc := firingOf(ctx)
	return fc != nil && !fc.actor.Org.IsZero() && fc.actor.Org == fc.flow.CreatedByOrg
}

func partyOrCreatorEdits(ctx context.Context, _ ...any) bool      { return partyOrCreator(ctx) }
func partyOrCreatorRequests(ctx context.Context, _ ...any) bool   { return partyOrCreator(ctx) }
func creatorOrgFinalises(ctx context.Context, _ ...any) bool      { return creatorOrg(ctx) }
func onlyCreatorEditsRejected(ctx context.Context, _ ...any) bool { return creatorOrg(ctx) }
func creatorAnswersRejection(ctx context.Context, _ ...any) bool  { return creatorOrg(ctx) }

func isRequestedDPO(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && !fc.actor.User.IsZero() && fc.flow.reviewOf(fc.actor.User, fc.actor.Org) >= 0
}

// notAlreadyApproved and notAlreadyRejected: the actor has not already given that decision on
// the current version of the flow and been left there — its review is awaiting an answer (asked
// again by a request or a re-review), it decided otherwise, or it decided on an earlier version
// (an edit voided it, FLOW-8). A DPO is neither offered nor allowed to take the same step twice
// (FLOW-6); changing one's mind stays possible.
func notAlreadyApproved(ctx context.Context, _ ...any) bool {
	return !decidedAlready(firingOf(ctx), DecisionApproved)
}

func notAlreadyRejected(ctx context.Context, _ ...any) bool {
	return !decidedAlready(firingOf(ctx), DecisionRejected)
}

func decidedAlready(fc *firing, d Decision) bool {
	if fc == nil {
		return true
	}
	i := fc.flow.reviewOf(fc.actor.User, fc.actor.Org)
	if i < 0 {
		return false
	}
	r := fc.flow.Reviews[i]
	return !r.Awaiting && r.Decision == d && r.DecidedRev == fc.flow.Rev
}

// otherOpenRejection: a DPO other than the actor (or the actor for another organisation) holds an
// open rejection, so the actor's approval cannot make the flow Approved.
func otherOpenRejection(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	if fc == nil {
		return false
	}
	for _, r := range fc.flow.Reviews {
		if r.OpenRejection() && (r.DPO != fc.actor.User || r.Org != fc.actor.Org) {
			return true
		}
	}
	return false
}

func noOtherOpenRejection(ctx context.Context, args ...any) bool {
	return firingOf(ctx) != nil && !otherOpenRejection(ctx, args...)
}

func carriesNoPersonalData(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && !fc.flow.NeedsDPOApproval()
}

func noOpenRejection(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && !fc.flow.HasOpenRejection()
}

func approvedOrReviewByPassed(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && (fc.flow.HasCurrentApproval() || fc.flow.ReviewByPassed(fc.at))
}

// rejectionIsOpen: the DPO named by the re-review holds an open rejection. Without a DPO (as when
// Permitted asks) any open rejection will do.
func rejectionIsOpen(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	if fc == nil {
		return false
	}
	for _, r := range fc.flow.Reviews {
		if r.OpenRejection() && (fc.rereview.DPO.IsZero() || r.DPO == fc.rereview.DPO) {
			return true
		}
	}
	return false
}

// ---- actions: each changes only the copy being fired on, cloning what it changes ---------------

func touched(fc *firing) {
	fc.flow.UpdatedAt = fc.at
	fc.flow.UpdatedBy = fc.actor.User
}

func (fc *firing) event(t EventType) Event {
	return Event{Type: t, FlowID: fc.flow.ID, SummaryID: fc.flow.SummaryID, Actor: fc.actor, At: fc.at}
}

func applyEdit(ctx context.Context, _ ...any) error {
	fc := firingOf(ctx)
	if fc == nil {
		return violation.New(ErrInvalidTransition, CodeInvalidTransition, "FLOW-2", "no flow to edit")
	}
	f := fc.flow
	if fc.terms == nil || sameTerms(fc.terms, &f.FlowTerms) {
		return nil
	}
	var withdrawn bool
	reviews := slices.Clone(f.Reviews)
	for i, r := range reviews {
		if r.Withdrawn || slices.Contains(fc.terms.Parties, r.Org) {
			continue
		}
		if r.OpenRejection() {
			return violation.New(ErrRule, CodePartyHasOpenRejection, "FLOW-7",
				"organisation "+r.Org.String()+" has an open DPO rejection; answer it before removing the organisation")
		}
		reviews[i].Withdrawn = true
		reviews[i].Awaiting = false
		withdrawn = true
	}
	if withdrawn {
		f.Reviews = reviews
	}
	f.FlowTerms = *fc.terms
	f.Rev++
	touched(fc)
	return nil
}

func recordReviewRequest(ctx context.Context, _ ...any) error {
	fc := firingOf(ctx)
	if fc == nil {
		return violation.New(ErrInvalidTransition, CodeInvalidTransition, "FLOW-2", "no flow to review")
	}
	f := fc.flow
	if fc.request == nil {
		return violation.New(ErrInvalidTransition, CodeInvalidTransition, "FLOW-2", "no review request")
	}
	f.Reviews = slices.Clone(f.Reviews)
	for _, d := range fc.request.DPOs {
		r := DPOReview{DPO: d.DPO, Org: d.Org}
		i := f.reviewOf(d.DPO, d.Org)
		if i >= 0 {
			r = f.Reviews[i]
		}
		r.RequestedBy, r.RequestedAt, r.ReviewBy, r.Awaiting = fc.actor.User, fc.at, fc.request.ReviewBy, true
		if i >= 0 {
			f.Reviews[i] = r
		} else {
			f.Reviews = append(f.Reviews, r)
		}
	}
	if fc.request.ReviewBy.After(f.ReviewBy) {
		f.ReviewBy = fc.request.ReviewBy
	}
	touched(fc)
	e := fc.event(EventReviewRequested)
	e.DPOs, e.ReviewBy, e.Note = slices.Clone(fc.request.DPOs), fc.request.ReviewBy, fc.request.Comment
	fc.events = append(fc.events, e)
	return nil
}

func recordApproval(ctx context.Context, _ ...any) error {
	return recordDecision(ctx, DecisionApproved)
}
func recordRejection(ctx context.Context, _ ...any) error {
	return recordDecision(ctx, DecisionRejected)
}

func recordDecision(ctx context.Context, d Decision) error {
	fc := firingOf(ctx)
	if fc == nil {
		return violation.New(ErrInvalidTransition, CodeInvalidTransition, "FLOW-2", "no flow to decide")
	}
	f := fc.flow
	i := f.reviewOf(fc.actor.User, fc.actor.Org)
	if i < 0 { // the guard has already made sure; this keeps a misconfiguration from panicking
		return violation.New(ErrForbidden, CodeNotReviewer, "FLOW-6", "the actor was not asked to review this flow")
	}
	fc.decide(&f.Reviews, i, d, EventApproved, EventRejected)
	return nil
}

// decide records decision d on review i of reviews (a copy replaces the slice) for the flow's
// current revision and raises approved or rejected for the requester (FLOW-6, FLOW-9, FLOW-13).
func (fc *firing) decide(reviews *[]DPOReview, i int, d Decision, approved, rejected EventType) {
	*reviews = slices.Clone(*reviews)
	r := &(*reviews)[i]
	r.Decision, r.Details, r.DecidedAt, r.DecidedRev, r.Awaiting = d, fc.verdict.Details, fc.at, fc.flow.Rev, false
	touched(fc)
	t := approved
	if d == DecisionRejected {
		t = rejected
	}
	e := fc.event(t)
	e.Requester, e.Note = r.RequestedBy, fc.verdict.Details
	fc.events = append(fc.events, e)
}

func recordRereview(ctx context.Context, _ ...any) error {
	fc := firingOf(ctx)
	if fc == nil {
		return violation.New(ErrInvalidTransition, CodeInvalidTransition, "FLOW-2", "no flow to re-review")
	}
	f := fc.flow
	f.Reviews = slices.Clone(f.Reviews)
	var asked []Reviewer
	for i := range f.Reviews {
		r := &f.Reviews[i]
		if r.DPO != fc.rereview.DPO || !r.OpenRejection() {
			continue
		}
		r.Awaiting, r.RereviewNote, r.RereviewAt = true, fc.rereview.Changes, fc.at
		r.RequestedBy, r.RequestedAt = fc.actor.User, fc.at
		asked = append(asked, Reviewer{DPO: r.DPO, Org: r.Org})
	}
	touched(fc)
	e := fc.event(EventRereviewRequested)
	e.DPOs, e.Note = asked, fc.rereview.Changes
	fc.events = append(fc.events, e)
	return nil
}

func recordFinalisation(ctx context.Context, _ ...any) error {
	fc := firingOf(ctx)
	if fc == nil {
		return violation.New(ErrInvalidTransition, CodeInvalidTransition, "FLOW-2", "no flow to finalise")
	}
	fc.flow.FinalisedAt, fc.flow.FinalisedBy = fc.at, fc.actor.User
	touched(fc)
	e := fc.event(EventFinalised)
	e.Parties = slices.Clone(fc.flow.Parties)
	fc.events = append(fc.events, e)
	return nil
}

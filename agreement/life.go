package agreement

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/isgkit/gateway/internal/validate"
	"github.com/isgkit/gateway/isg/violation"
)

// The end of a flow's lifecycle: leaving by notice and termination (LIFE-3), disputes and their
// escalation (LIFE-4), archive, retention and deletion (LIFE-2). Every step is a trigger of the
// one FlowMachine (configured by configureEnd, called from NewFlowMachine); the timers — a
// dispute's escalations, an archived flow's end of retention — are NextFlowChange and SweepFlow,
// which the Gateway's periodic sweep runs.
//
// Decisions taken here where the rulebook leaves the point open, as an information governance
// lead would take them:
//
//   - A flow is in force when Finalised or Signed (FlowState.InForce). Notice is given, and a
//     dispute raised, only on a flow in force; a dispute still open when the flow ends (it is
//     terminated or superseded) goes on escalating and may still be resolved.
//   - Only a party acts: an organisation named in the flow now. An organisation that left is no
//     longer one, so it neither answers notices nor resolves disputes. Where the creating
//     organisation acts (archive, retention) it is said below.
//   - Notice (LIFE-3). Each party may have one open notice at a time, with a reason. Every other
//     party answers it, once: an approval with an optional comment, or a rejection with its
//     reason. A rejection refuses the notice (it closes, the giver is told why, and may give
//     notice again: the parties are expected to talk, or raise a dispute). The giver may
//     withdraw an open notice. When every other party now in the flow has approved, the leaving
//     organisation is withdrawn from Parties, From and To (recorded in Withdrawals), its DPOs'
//     reviews no longer count, and its signature stays on record: the signed content hash does
//     not cover the parties (FLOW-12). An approval from an organisation that has itself left
//     does not count; one party leaving may so complete another's notice, in the same step.
//   - The flow is Terminated when fewer than two organisations remain, or when no sender or no
//     receiver remains (nothing is shared any more). Notices still open then lapse.
//   - Disputes (LIFE-4) are numbered from 1 in the flow. "7 calendar days" is the raising time
//     plus 7 days on the calendar (time.AddDate), weekends included; the 14 days before
//     mediation run from when the escalation was actually raised, so the Senior Officers
//     (Accountable Officers) always get their full 14 days even if the sweep ran late. One
//     sweep raises at most one step of a dispute.
//   - Archive (LIFE-2) records why the agreement is no longer required and a retention end
//     (retain_until, after the archiving). A flow in force is archived by its creating
//     organisation (as only it finalises, FLOW-3), or — once the creator has left it — by a
//     remaining party: archiving ends the sharing for everyone, which otherwise goes through
//     notice. A flow no longer in force (Terminated, Superseded) is archived by any party or the
//     creator. A flow with an open dispute is not archived: the dispute must be resolved first.
//     Archiving lapses open notices.
//   - A retention extension (LIFE-2, 003 §5) is a documented business reason, with who, when
//     and the new end, which must be later than the current end. It voids the deletion approvals
//     given so far: the partners agreed to dispose at the old date, and must see the new reason.
//   - Deletion needs the retention to have ended and every party now in the flow to have
//     approved deletion (approvals may be given before the end). It is a step of its own (the
//     Gateway's flow.delete) taken by a party or the creator, so that disposal is a deliberate,
//     recorded act; Delete returns the Disposal record the Gateway keeps in place of the flow.
func configureEnd(c *flowConfig) {
	for _, s := range inForceStates() {
		c.Configure(s).
			InternalTransition(TriggerGiveNotice, recordNotice, partyGivesNotice, noNoticeAlreadyOpen).
			InternalTransition(TriggerApproveNotice, recordNoticeApproval, partyAnswersNotice, notOwnNotice, noticeToAnswerIsOpen, notYetAnswered, approvalKeepsFlow).
			Permit(TriggerApproveNotice, Terminated, partyAnswersNotice, notOwnNotice, noticeToAnswerIsOpen, notYetAnswered, approvalEndsFlow).
			InternalTransition(TriggerRejectNotice, recordNoticeRejection, partyAnswersNotice, notOwnNotice, noticeToAnswerIsOpen, notYetAnswered).
			InternalTransition(TriggerWithdrawNotice, recordNoticeWithdrawal, partyWithdrawsNotice, givesOpenNotice).
			InternalTransition(TriggerRaiseDispute, recordDispute, partyRaisesDispute).
			Permit(TriggerArchive, Archived, archiverOfFlowInForce, noOpenDispute)
	}
	for _, s := range append(inForceStates(), Terminated, Superseded) {
		c.Configure(s).InternalTransition(TriggerResolveDispute, recordResolution, partyResolvesDispute, disputeIsOpen)
	}
	// The last unsigned party leaving a Finalised flow leaves it signed by all who remain (SIGN-2).
	c.Configure(Finalised).
		Permit(TriggerApproveNotice, Signed, partyAnswersNotice, notOwnNotice, noticeToAnswerIsOpen, notYetAnswered, approvalCompletesSignOff)
	c.Configure(Signed).OnEntryFrom(TriggerApproveNotice, recordApprovalCompletingSignOff)
	c.Configure(Terminated).
		OnEntryFrom(TriggerApproveNotice, recordNoticeApproval).
		Permit(TriggerArchive, Archived, partyOrCreatorArchives, noOpenDispute)
	c.Configure(Superseded).
		Permit(TriggerArchive, Archived, partyOrCreatorArchives, noOpenDispute)
	c.Configure(Archived).
		OnEntryFrom(TriggerArchive, recordArchive).
		InternalTransition(TriggerExtendRetention, recordExtension, partyOrCreatorExtends).
		InternalTransition(TriggerApproveDeletion, recordDeletionApproval, partyApprovesDeletion, deletionNotYetApproved).
		InternalTransition(TriggerDelete, noChange, partyOrCreatorDeletes, retentionEnded, deletionApprovedByAll)
}

// endRefusals are the typed refusals of the guards above (see FlowMachine.refusals).
func endRefusals() []guardRefusal {
	return []guardRefusal{
		{partyGivesNotice, refusal{ErrForbidden, CodeNotParty, "LIFE-3", "only an organisation named in the flow gives notice to leave it"}},
		{noNoticeAlreadyOpen, refusal{ErrInvalidTransition, CodeNoticeOpen, "LIFE-3", "the organisation's notice to leave is already open"}},
		{partyAnswersNotice, refusal{ErrForbidden, CodeNotParty, "LIFE-3", "only an organisation named in the flow answers a notice to leave it"}},
		{notOwnNotice, refusal{ErrForbidden, CodeOwnNotice, "LIFE-3", "an organisation does not answer its own notice; the other parties do"}},
		{noticeToAnswerIsOpen, refusal{ErrInvalidTransition, CodeNoOpenNotice, "LIFE-3", "that organisation has no open notice to leave the flow"}},
		{notYetAnswered, refusal{ErrInvalidTransition, CodeAlreadyAnswered, "LIFE-3", "the organisation has already answered this notice"}},
		{partyWithdrawsNotice, refusal{ErrForbidden, CodeNotParty, "LIFE-3", "only an organisation named in the flow withdraws its notice"}},
		{givesOpenNotice, refusal{ErrInvalidTransition, CodeNoOpenNotice, "LIFE-3", "the organisation has no open notice to withdraw"}},
		{partyRaisesDispute, refusal{ErrForbidden, CodeNotParty, "LIFE-4", "only an organisation named in the flow raises a dispute on it"}},
		{partyResolvesDispute, refusal{ErrForbidden, CodeNotParty, "LIFE-4", "only an organisation named in the flow records a dispute's resolution"}},
		{disputeIsOpen, refusal{ErrInvalidTransition, CodeNoOpenDispute, "LIFE-4", "the flow has no open dispute of that number"}},
		{archiverOfFlowInForce, refusal{ErrForbidden, CodeNotCreator, "LIFE-2", "a flow in force is archived by its creating organisation, or by a party once the creator has left it"}},
		{partyOrCreatorArchives, refusal{ErrForbidden, CodeNotParty, "LIFE-2", "only an organisation named in the flow, or its creator, archives it"}},
		{noOpenDispute, refusal{ErrRule, CodeDisputeOpen, "LIFE-4", "a flow with an open dispute is not archived: record the dispute's resolution first"}},
		{partyOrCreatorExtends, refusal{ErrForbidden, CodeNotParty, "LIFE-2", "only an organisation named in the flow, or its creator, extends its retention"}},
		{partyApprovesDeletion, refusal{ErrForbidden, CodeNotParty, "LIFE-2", "only an organisation named in the flow approves its deletion"}},
		{deletionNotYetApproved, refusal{ErrInvalidTransition, CodeAlreadyAnswered, "LIFE-2", "the organisation has already approved the deletion"}},
		{partyOrCreatorDeletes, refusal{ErrForbidden, CodeNotParty, "LIFE-2", "only an organisation named in the flow, or its creator, deletes it"}},
		{retentionEnded, refusal{ErrRule, CodeRetentionNotEnded, "LIFE-2", "the flow's retention period has not ended"}},
		{deletionApprovedByAll, refusal{ErrRule, CodeDeletionNotApproved, "LIFE-2", "every organisation named in the flow must approve its deletion first"}},
	}
}

// Error codes of the end of the lifecycle.
const (
	// CodeNoticeOpen (ErrInvalidTransition; LIFE-3): the organisation has already given notice
	// to leave the flow and that notice is still open.
	CodeNoticeOpen = "flow.notice_open"
	// CodeNoOpenNotice (ErrInvalidTransition; LIFE-3): the organisation named has no open notice
	// to answer, or the actor's organisation none to withdraw.
	CodeNoOpenNotice = "flow.no_open_notice"
	// CodeOwnNotice (ErrForbidden; LIFE-3): an organisation answering its own notice.
	CodeOwnNotice = "flow.own_notice"
	// CodeAlreadyAnswered (ErrInvalidTransition; LIFE-2, LIFE-3): the organisation has already
	// answered this notice, or already approved the deletion.
	CodeAlreadyAnswered = "flow.already_answered"
	// CodeNoOpenDispute (ErrInvalidTransition; LIFE-4): no open dispute of that number.
	CodeNoOpenDispute = "flow.no_open_dispute"
	// CodeDisputeOpen (ErrRule; LIFE-4, LIFE-2): a flow with an open dispute is not archived.
	CodeDisputeOpen = "flow.dispute_open"
	// CodeRetentionNotEnded (ErrRule; LIFE-2): deleting before the retention period has ended.
	CodeRetentionNotEnded = "flow.retention_not_ended"
	// CodeDeletionNotApproved (ErrRule; LIFE-2): deleting before every party approved it.
	CodeDeletionNotApproved = "flow.deletion_not_approved"
)

// Field error codes of the end of the lifecycle.
const (
	// FieldCodeNotExtended (LIFE-2): a retention extension whose new end is not later than the
	// current one.
	FieldCodeNotExtended = "not_extended"
	// FieldCodeWithdrawn (LIFE-3): adding to a flow (FLOW-12) an organisation that left it by
	// notice.
	FieldCodeWithdrawn = "withdrawn"
)

// Dispute escalation periods (LIFE-4, from 003 §6), in calendar days.
const (
	// DisputeEscalationDays: unresolved this long after it was raised, a dispute goes to each
	// party's Senior Officers (Accountable Officers).
	DisputeEscalationDays = 7
	// DisputeMediationDays: unresolved this long after that escalation, it is marked for
	// mediation.
	DisputeMediationDays = 14
)

// InForce reports whether a flow in state s is in force: Finalised or Signed. Termination
// notices and disputes act on a flow in force.
func (s FlowState) InForce() bool { return s == Finalised || s == Signed }

// inForceStates lists the states in force, once, for the machine's configuration.
func inForceStates() []FlowState { return []FlowState{Finalised, Signed} }

// ---- the records ------------------------------------------------------------------------------

// NoticeStatus is where a notice to leave stands (LIFE-3). Its text is stable: it is stored.
type NoticeStatus string

// The notice statuses.
const (
	// NoticeOpen: given, awaiting the other parties' answers.
	NoticeOpen NoticeStatus = "open"
	// NoticeAccepted: every other party approved; the organisation left the flow.
	NoticeAccepted NoticeStatus = "accepted"
	// NoticeRejected: a party rejected it; the giver may give notice again.
	NoticeRejected NoticeStatus = "rejected"
	// NoticeWithdrawn: its giver withdrew it.
	NoticeWithdrawn NoticeStatus = "withdrawn"
	// NoticeLapsed: the flow was terminated, archived or superseded while it was open.
	NoticeLapsed NoticeStatus = "lapsed"
)

// NoticeAnswer is one party's answer to a notice to leave (LIFE-3).
type NoticeAnswer struct {
	Org      OrgID     `json:"org"`
	By       UserID    `json:"by"`
	At       time.Time `json:"at"`
	Approved bool      `json:"approved"`
	// Comment is an approval's optional comment, or a rejection's reason.
	Comment string `json:"comment,omitempty"`
}

// LeaveNotice is an organisation's notice to leave the flow (LIFE-3), with every answer given.
type LeaveNotice struct {
	// Org is the organisation leaving; GivenBy the user who gave notice for it.
	Org     OrgID          `json:"org"`
	GivenBy UserID         `json:"given_by"`
	GivenAt time.Time      `json:"given_at"`
	Reason  string         `json:"reason"`
	Status  NoticeStatus   `json:"status"`
	Answers []NoticeAnswer `json:"answers,omitempty"`
	// ClosedAt is when the notice stopped being open.
	ClosedAt time.Time `json:"closed_at,omitzero"`
}

// Open reports whether the notice awaits answers.
func (n LeaveNotice) Open() bool { return n.Status == NoticeOpen }

// answerOf returns the index of org's answer, or -1.
func (n LeaveNotice) answerOf(org OrgID) int {
	return slices.IndexFunc(n.Answers, func(a NoticeAnswer) bool { return a.Org == org })
}

// Withdrawal records an organisation's leaving the flow by notice (LIFE-3): when, and on which
// sides it was.
type Withdrawal struct {
	Org  OrgID     `json:"org"`
	At   time.Time `json:"at"`
	From bool      `json:"from"`
	To   bool      `json:"to"`
}

// Dispute is a dispute raised on the flow by a party (LIFE-4), with its escalations and its
// resolution.
type Dispute struct {
	// Number is the dispute's number within the flow, from 1.
	Number      int       `json:"number"`
	Org         OrgID     `json:"org"`
	RaisedBy    UserID    `json:"raised_by"`
	RaisedAt    time.Time `json:"raised_at"`
	Description string    `json:"description"`
	// EscalatedAt is when the sweep referred it to each party's Senior Officers (7 days).
	EscalatedAt time.Time `json:"escalated_at,omitzero"`
	// MediationAt is when the sweep marked it for mediation (14 days after the escalation).
	MediationAt time.Time `json:"mediation_at,omitzero"`
	ResolvedAt  time.Time `json:"resolved_at,omitzero"`
	ResolvedBy  UserID    `json:"resolved_by,omitzero"`
	ResolvedOrg OrgID     `json:"resolved_org,omitzero"`
	Resolution  string    `json:"resolution,omitempty"`
}

// Open reports whether the dispute awaits a resolution.
func (d Dispute) Open() bool { return d.ResolvedAt.IsZero() }

// NextEscalation is when the open dispute's next escalation falls due: to the Senior Officers 7
// calendar days after it was raised, then to mediation 14 days after that escalation. None once
// it is resolved or marked for mediation.
func (d Dispute) NextEscalation() (time.Time, bool) {
	switch {
	case !d.Open() || !d.MediationAt.IsZero():
		return time.Time{}, false
	case d.EscalatedAt.IsZero():
		return d.RaisedAt.AddDate(0, 0, DisputeEscalationDays), true
	default:
		return d.EscalatedAt.AddDate(0, 0, DisputeMediationDays), true
	}
}

// Archive is an archived flow's record (LIFE-2): why and by whom it was archived, its retention
// end with every extension, and the deletion approvals given.
type Archive struct {
	At  time.Time `json:"at"`
	By  UserID    `json:"by"`
	Org OrgID     `json:"org"`
	// From is the state the flow was archived from.
	From FlowState `json:"from"`
	// Reason says why the agreement is no longer required.
	Reason string `json:"reason"`
	// RetainUntil is when the retention period ends: the end set at archiving, or the latest
	// extension's.
	RetainUntil time.Time            `json:"retain_until"`
	Extensions  []RetentionExtension `json:"extensions,omitempty"`
	// DeletionApprovals are the parties that approved deletion since the last extension.
	DeletionApprovals []DeletionApproval `json:"deletion_approvals,omitempty"`
	// RetentionEndedAt is when the sweep told the parties the retention period had ended; an
	// extension clears it.
	RetentionEndedAt time.Time `json:"retention_ended_at,omitzero"`
}

// RetentionExtension is one extension of an archived flow's retention with its documented
// business reason (LIFE-2): who, when, why, and the end before and after.
type RetentionExtension struct {
	By       UserID    `json:"by"`
	Org      OrgID     `json:"org"`
	At       time.Time `json:"at"`
	Reason   string    `json:"reason"`
	Previous time.Time `json:"previous"`
	Until    time.Time `json:"until"`
}

// DeletionApproval is one party's approval that the archived flow be deleted once its retention
// has ended (LIFE-2).
type DeletionApproval struct {
	Org OrgID     `json:"org"`
	By  UserID    `json:"by"`
	At  time.Time `json:"at"`
}

// Disposal is what remains of a deleted flow (LIFE-2): a record of what was disposed of, when,
// by whom and on whose approval, holding none of the flow's terms. ContentHash and Log are
// fingerprints: a party holding a copy of the terms or of the log can show that it is the one
// disposed of, but neither can be read back from them.
type Disposal struct {
	Flow         FlowID    `json:"flow"`
	Summary      SummaryID `json:"summary"`
	Name         string    `json:"name"`
	CreatedByOrg OrgID     `json:"created_by_org"`
	CreatedAt    time.Time `json:"created_at"`
	FinalisedAt  time.Time `json:"finalised_at,omitzero"`
	// Parties are the organisations named in the flow when it was deleted; Withdrawals those
	// that had left it before.
	Parties     []OrgID      `json:"parties"`
	Withdrawals []Withdrawal `json:"withdrawals,omitempty"`
	Archive     Archive      `json:"archive"`
	DeletedAt   time.Time    `json:"deleted_at"`
	DeletedBy   UserID       `json:"deleted_by"`
	DeletedOrg  OrgID        `json:"deleted_org"`
	// ContentHash is ContentHash of the flow's last terms.
	ContentHash string `json:"content_hash"`
	// Log is the head of the flow's transaction log when it was deleted with it: the number of
	// entries and the hash of the last.
	Log LogHead `json:"log"`
}

// ---- inputs -----------------------------------------------------------------------------------

// maxReason bounds the free text of the end of the lifecycle.
const maxReason = 4000

// NoticeInput gives notice to leave a flow (LIFE-3).
type NoticeInput struct {
	// Reason says why the organisation is leaving; the other parties read it.
	Reason string `json:"reason"`
}

// NoticeAnswerInput answers another organisation's notice to leave (LIFE-3).
type NoticeAnswerInput struct {
	// Org is the organisation whose notice is answered.
	Org OrgID `json:"org"`
	// Comment is optional with an approval and required with a rejection: its reason.
	Comment string `json:"comment,omitempty"`
}

// DisputeInput raises a dispute (LIFE-4).
type DisputeInput struct {
	Description string `json:"description"`
}

// ResolutionInput records a dispute's resolution (LIFE-4).
type ResolutionInput struct {
	// Dispute is the dispute's number within the flow.
	Dispute    int    `json:"dispute"`
	Resolution string `json:"resolution"`
}

// ArchiveInput archives a flow that is no longer required (LIFE-2).
type ArchiveInput struct {
	// Reason says why the agreement is no longer required.
	Reason string `json:"reason"`
	// RetainUntil is when its retention period ends: after the archiving.
	RetainUntil time.Time `json:"retain_until"`
}

// RetentionInput extends an archived flow's retention (LIFE-2).
type RetentionInput struct {
	// RetainUntil is the new end, later than the current one.
	RetainUntil time.Time `json:"retain_until"`
	// Reason is the documented business reason for keeping the records longer.
	Reason string `json:"reason"`
}

// textField checks a free-text input: required (not blank) when asked, at most maxReason bytes.
func textField(field, v, rule string, required bool) []FieldError {
	switch {
	case required && strings.TrimSpace(v) == "":
		return []FieldError{fieldErr(field, "required", rule, "is required")}
	case len(v) > maxReason:
		return []FieldError{fieldErr(field, "max", rule, "must be at most 4000 characters")}
	}
	return nil
}

// instantField checks a date input: given, in range, and after the moment after.
func instantField(field string, t, after time.Time, rule, laterCode, laterMsg string) []FieldError {
	switch {
	case t.IsZero():
		return []FieldError{fieldErr(field, "required", rule, "is required")}
	case !validate.Instant(t):
		return []FieldError{fieldErr(field, "instant", rule, validate.InstantMessage)}
	case !t.After(after):
		return []FieldError{fieldErr(field, laterCode, rule, laterMsg)}
	}
	return nil
}

func invalidIf(fields []FieldError) error {
	if len(fields) > 0 {
		return violation.Invalid(fields...)
	}
	return nil
}

// lifeInput is the input of one end-of-lifecycle step, as the guards and actions see it. Absent
// (nil) when Permitted asks what may happen: the guards then answer for any notice or dispute.
type lifeInput struct {
	org    OrgID
	text   string
	number int
	until  time.Time
	from   FlowState
}

// ---- the steps --------------------------------------------------------------------------------

// GiveNotice records that the actor's organisation gives notice to leave the flow, with its
// reason (LIFE-3). The flow must be in force and the organisation a party without a notice
// already open. The other parties are asked to approve or reject it.
//
// Errors: ErrInvalid (reason required, at most 4000 characters); ErrForbidden (CodeNotParty);
// ErrInvalidTransition (CodeNoticeOpen; CodeInvalidTransition when the flow is not in force).
// Raises EventNoticeGiven.
func (m *FlowMachine) GiveNotice(f Flow, actor Actor, at time.Time, in NoticeInput) (Flow, []Event, error) {
	if err := invalidIf(textField("reason", in.Reason, "LIFE-3", true)); err != nil {
		return f, nil, err
	}
	return m.fire(f, TriggerGiveNotice, command{actor: actor, at: at, life: &lifeInput{text: in.Reason}})
}

// ApproveNotice records the actor's organisation's approval of another party's notice to leave
// (LIFE-3). When every other organisation now in the flow has approved, the leaving organisation
// is withdrawn from the flow (Parties, From, To; see Withdrawals); with fewer than two
// organisations, or no sender or no receiver, left, the flow is Terminated.
//
// Errors: ErrInvalid (org required; comment at most 4000 characters); ErrForbidden
// (CodeNotParty, CodeOwnNotice); ErrInvalidTransition (CodeNoOpenNotice, CodeAlreadyAnswered,
// CodeInvalidTransition). Raises EventNoticeApproved and, as it completes notices,
// EventPartyWithdrawn and EventTerminated.
func (m *FlowMachine) ApproveNotice(f Flow, actor Actor, at time.Time, in NoticeAnswerInput) (Flow, []Event, error) {
	if err := in.check(false); err != nil {
		return f, nil, err
	}
	return m.fire(f, TriggerApproveNotice, command{actor: actor, at: at, life: &lifeInput{org: in.Org, text: in.Comment}})
}

// RejectNotice records the actor's organisation's rejection of another party's notice to leave,
// with its reason (LIFE-3). The notice is refused and closes; its giver is told why and may give
// notice again.
//
// Errors: as ApproveNotice, and ErrInvalid when the comment (the reason) is missing. Raises
// EventNoticeRejected.
func (m *FlowMachine) RejectNotice(f Flow, actor Actor, at time.Time, in NoticeAnswerInput) (Flow, []Event, error) {
	if err := in.check(true); err != nil {
		return f, nil, err
	}
	return m.fire(f, TriggerRejectNotice, command{actor: actor, at: at, life: &lifeInput{org: in.Org, text: in.Comment}})
}

func (in NoticeAnswerInput) check(rejection bool) error {
	var f []FieldError
	if in.Org.IsZero() {
		f = append(f, fieldErr("org", "required", "LIFE-3", "is required"))
	}
	return invalidIf(append(f, textField("comment", in.Comment, "LIFE-3", rejection)...))
}

// WithdrawNotice withdraws the actor's organisation's open notice to leave (LIFE-3); the other
// parties are told.
//
// Errors: ErrForbidden (CodeNotParty); ErrInvalidTransition (CodeNoOpenNotice,
// CodeInvalidTransition). Raises EventNoticeWithdrawn.
func (m *FlowMachine) WithdrawNotice(f Flow, actor Actor, at time.Time) (Flow, []Event, error) {
	return m.fire(f, TriggerWithdrawNotice, command{actor: actor, at: at, life: &lifeInput{}})
}

// RaiseDispute records a dispute raised by the actor's organisation, a party to a flow in force,
// with its description (LIFE-4). It is numbered after the flow's earlier disputes; the other
// parties are told, and the periodic sweep escalates it while it stays unresolved (SweepFlow).
//
// Errors: ErrInvalid (description required, at most 4000 characters); ErrForbidden
// (CodeNotParty); ErrInvalidTransition (CodeInvalidTransition when the flow is not in force).
// Raises EventDisputeRaised.
func (m *FlowMachine) RaiseDispute(f Flow, actor Actor, at time.Time, in DisputeInput) (Flow, []Event, error) {
	if err := invalidIf(textField("description", in.Description, "LIFE-4", true)); err != nil {
		return f, nil, err
	}
	return m.fire(f, TriggerRaiseDispute, command{actor: actor, at: at, life: &lifeInput{text: in.Description}})
}

// ResolveDispute records the resolution of an open dispute, by any party, which ends it
// (LIFE-4). It is allowed in force and after (Terminated, Superseded): a dispute outlives the
// sharing it is about.
//
// Errors: ErrInvalid (dispute and resolution required); ErrForbidden (CodeNotParty);
// ErrInvalidTransition (CodeNoOpenDispute, CodeInvalidTransition). Raises EventDisputeResolved.
func (m *FlowMachine) ResolveDispute(f Flow, actor Actor, at time.Time, in ResolutionInput) (Flow, []Event, error) {
	var fields []FieldError
	if in.Dispute < 1 {
		fields = append(fields, fieldErr("dispute", "required", "LIFE-4", "is required: the dispute's number, from 1"))
	}
	if err := invalidIf(append(fields, textField("resolution", in.Resolution, "LIFE-4", true)...)); err != nil {
		return f, nil, err
	}
	return m.fire(f, TriggerResolveDispute, command{actor: actor, at: at, life: &lifeInput{number: in.Dispute, text: in.Resolution}})
}

// Archive archives a flow no longer required, with the reason and the end of its retention
// period (LIFE-2), from Finalised, Signed, Terminated or Superseded. Open notices lapse. See the
// decisions at the top of this file for who may archive.
//
// Errors: ErrInvalid (reason required; retain_until required, after at: FieldCodeNotFuture);
// ErrForbidden (CodeNotCreator, CodeNotParty); ErrRule (CodeDisputeOpen); ErrInvalidTransition.
// Raises EventArchived.
func (m *FlowMachine) Archive(f Flow, actor Actor, at time.Time, in ArchiveInput) (Flow, []Event, error) {
	fields := textField("reason", in.Reason, "LIFE-2", true)
	fields = append(fields, instantField("retain_until", in.RetainUntil, at, "LIFE-2", FieldCodeNotFuture, "must be later than the archiving")...)
	if err := invalidIf(fields); err != nil {
		return f, nil, err
	}
	return m.fire(f, TriggerArchive, command{actor: actor, at: at, life: &lifeInput{text: in.Reason, until: in.RetainUntil.UTC(), from: f.State}})
}

// ExtendRetention extends an archived flow's retention to a later end with a documented business
// reason (LIFE-2), by a party or the creator. It voids the deletion approvals given so far.
//
// Errors: ErrInvalid (reason required; retain_until required and later than the current end:
// FieldCodeNotExtended); ErrForbidden (CodeNotParty); ErrInvalidTransition unless Archived.
// Raises EventRetentionExtended.
func (m *FlowMachine) ExtendRetention(f Flow, actor Actor, at time.Time, in RetentionInput) (Flow, []Event, error) {
	fields := instantField("retain_until", in.RetainUntil, f.Archive.RetainUntil, "LIFE-2", FieldCodeNotExtended, "must be later than the current end of retention")
	if err := invalidIf(append(fields, textField("reason", in.Reason, "LIFE-2", true)...)); err != nil {
		return f, nil, err
	}
	return m.fire(f, TriggerExtendRetention, command{actor: actor, at: at, life: &lifeInput{text: in.Reason, until: in.RetainUntil.UTC()}})
}

// ApproveDeletion records the actor's organisation's approval that the archived flow be deleted
// once its retention has ended (LIFE-2).
//
// Errors: ErrForbidden (CodeNotParty); ErrInvalidTransition (CodeAlreadyAnswered, and
// CodeInvalidTransition unless Archived).
func (m *FlowMachine) ApproveDeletion(f Flow, actor Actor, at time.Time) (Flow, []Event, error) {
	return m.fire(f, TriggerApproveDeletion, command{actor: actor, at: at, life: &lifeInput{}})
}

// Delete checks that the archived flow may be deleted now by the actor — its retention has
// ended and every organisation named in it approved (LIFE-2) — and returns the Disposal record
// to keep in its place. It changes nothing itself: removing the record is the Gateway's.
//
// Errors: ErrForbidden (CodeNotParty); ErrRule (CodeRetentionNotEnded, CodeDeletionNotApproved);
// ErrInvalidTransition unless Archived.
func (m *FlowMachine) Delete(f Flow, actor Actor, at time.Time) (Disposal, error) {
	if _, _, err := m.fire(f, TriggerDelete, command{actor: actor, at: at, life: &lifeInput{}}); err != nil {
		return Disposal{}, err
	}
	at = at.UTC()
	return Disposal{
		Flow: f.ID, Summary: f.SummaryID, Name: f.Name, CreatedByOrg: f.CreatedByOrg, CreatedAt: f.CreatedAt,
		FinalisedAt: f.FinalisedAt, Parties: cloneSlice(f.Parties), Withdrawals: cloneSlice(f.Withdrawals),
		Archive: f.Archive.clone(), DeletedAt: at, DeletedBy: actor.User, DeletedOrg: actor.Org,
		ContentHash: ContentHash(f), Log: f.Log,
	}, nil
}

// ---- the timers -------------------------------------------------------------------------------

// NextFlowChange is the earliest instant at which SweepFlow has something to do for f by the
// passing of time alone: an open dispute's next escalation (LIFE-4), an archived flow's end of
// retention not yet announced (LIFE-2), a sign-by reminder not yet sent (SIGN-3). ok is false when nothing is pending. Every timer of a
// flow is combined here, so that the Gateway indexes a flow under one day.
func NextFlowChange(f Flow) (time.Time, bool) {
	var next time.Time
	consider := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	for _, d := range f.Disputes {
		if t, ok := d.NextEscalation(); ok {
			consider(t)
		}
	}
	if t, ok := f.retentionEndDue(); ok {
		consider(t)
	}
	if t, ok := f.nextSignByReminder(); ok {
		consider(t)
	}
	return next, !next.IsZero()
}

func (f Flow) retentionEndDue() (time.Time, bool) {
	if f.State != Archived || !f.Archive.RetentionEndedAt.IsZero() || f.Archive.RetainUntil.IsZero() {
		return time.Time{}, false
	}
	return f.Archive.RetainUntil, true
}

// SweepFlow raises what has fallen due on f by now and returns the flow with each recorded, so
// that it is raised once: each open dispute's escalation to the parties' Senior Officers 7 days
// after it was raised, then its mark for mediation 14 days after that (LIFE-4), at most one step
// per dispute per call; an archived flow's end of retention, told once to its parties
// (LIFE-2); and each sign-by reminder, SignByReminderLead before the date, to a signer whose
// organisation has not signed (SIGN-3). Nothing due returns f itself and no events. The input is left unchanged.
func SweepFlow(f Flow, now time.Time) (Flow, []Event) {
	now = now.UTC()
	out := f
	var events []Event
	ev := func(t EventType) Event {
		return Event{Type: t, FlowID: f.ID, SummaryID: f.SummaryID, At: now, Parties: cloneSlice(f.Parties)}
	}
	cloned := false
	for i, d := range f.Disputes {
		due, ok := d.NextEscalation()
		if !ok || due.After(now) {
			continue
		}
		if !cloned {
			out.Disputes, cloned = slices.Clone(f.Disputes), true
		}
		var e Event
		if d.EscalatedAt.IsZero() {
			out.Disputes[i].EscalatedAt = now
			e = ev(EventDisputeEscalated)
		} else {
			out.Disputes[i].MediationAt = now
			e = ev(EventDisputeMediation)
		}
		e.Org, e.Dispute, e.Note, e.Due = d.Org, d.Number, d.Description, due
		events = append(events, e)
	}
	if due, ok := f.retentionEndDue(); ok && !due.After(now) {
		out.Archive = f.Archive.clone()
		out.Archive.RetentionEndedAt = now
		e := ev(EventRetentionEnded)
		e.Due = due
		events = append(events, e)
	}
	out, reminders := out.sweepSignByReminders(now)
	return out, append(events, reminders...)
}

// ---- helpers over the flow --------------------------------------------------------------------

// openNotice returns the index of org's open notice, or -1.
func (f Flow) openNotice(org OrgID) int {
	return slices.IndexFunc(f.Notices, func(n LeaveNotice) bool { return n.Open() && n.Org == org })
}

// HasWithdrawn reports whether org left the flow by notice (LIFE-3).
func (f Flow) HasWithdrawn(org OrgID) bool {
	return slices.ContainsFunc(f.Withdrawals, func(w Withdrawal) bool { return w.Org == org })
}

// HasOpenDispute reports whether any dispute on the flow awaits its resolution (LIFE-4).
func (f Flow) HasOpenDispute() bool { return slices.ContainsFunc(f.Disputes, Dispute.Open) }

// others returns the parties other than org.
func (f Flow) others(org OrgID) []OrgID {
	out := make([]OrgID, 0, len(f.Parties))
	for _, p := range f.Parties {
		if p != org {
			out = append(out, p)
		}
	}
	return out
}

// ended reports whether the flow can no longer share anything: fewer than two organisations,
// or no sender or no receiver (LIFE-3).
func (f Flow) ended() bool { return len(f.Parties) < 2 || len(f.From) == 0 || len(f.To) == 0 }

func (a Archive) clone() Archive {
	a.Extensions = cloneSlice(a.Extensions)
	a.DeletionApprovals = cloneSlice(a.DeletionApprovals)
	return a
}

// cloneNotices copies the notices and each one's answers.
func cloneNotices(ns []LeaveNotice) []LeaveNotice {
	out := cloneSlice(ns)
	for i := range out {
		out[i].Answers = cloneSlice(ns[i].Answers)
	}
	return out
}

// withoutOrg returns a copy of orgs without org, and whether org was there. An empty result is
// an empty list, never nil: a terminated flow's empty side is written as [] (Clone keeps it so).
func withoutOrg(orgs []OrgID, org OrgID) ([]OrgID, bool) {
	out := make([]OrgID, 0, len(orgs))
	for _, o := range orgs {
		if o != org {
			out = append(out, o)
		}
	}
	return out, len(out) < len(orgs)
}

// settleNotices withdraws from f every organisation whose open notice every other party now in
// the flow has approved, repeating while one leaving completes another's notice, and stops at
// termination, lapsing the notices still open. It changes f (the copy being fired on) and
// returns the events and whether the flow ended.
func settleNotices(f *Flow, at time.Time, actor Actor) ([]Event, bool) {
	var events []Event
	var left []OrgID
	for {
		i := slices.IndexFunc(f.Notices, func(n LeaveNotice) bool {
			if !n.Open() || !f.Names(n.Org) {
				return false
			}
			for _, p := range f.others(n.Org) {
				if j := n.answerOf(p); j < 0 || !n.Answers[j].Approved {
					return false
				}
			}
			return true
		})
		if i < 0 {
			return events, false
		}
		n := &f.Notices[i]
		n.Status, n.ClosedAt = NoticeAccepted, at
		w := Withdrawal{Org: n.Org, At: at}
		f.Parties, _ = withoutOrg(f.Parties, n.Org)
		f.From, w.From = withoutOrg(f.From, n.Org)
		f.To, w.To = withoutOrg(f.To, n.Org)
		f.Withdrawals = append(f.Withdrawals, w)
		for k := range f.Reviews {
			if f.Reviews[k].Org == n.Org {
				f.Reviews[k].Withdrawn, f.Reviews[k].Awaiting = true, false
			}
		}
		left = append(left, n.Org)
		e := Event{Type: EventPartyWithdrawn, FlowID: f.ID, SummaryID: f.SummaryID, Actor: actor, At: at,
			Org: n.Org, Parties: append(cloneSlice(f.Parties), n.Org), Note: n.Reason}
		events = append(events, e)
		if f.ended() {
			for k := range f.Notices {
				if f.Notices[k].Open() {
					f.Notices[k].Status, f.Notices[k].ClosedAt = NoticeLapsed, at
				}
			}
			f.TerminatedAt = at
			events = append(events, Event{Type: EventTerminated, FlowID: f.ID, SummaryID: f.SummaryID, Actor: actor, At: at,
				Parties: append(cloneSlice(f.Parties), left...)})
			return events, true
		}
	}
}

// ---- guards -----------------------------------------------------------------------------------

func currentParty(ctx context.Context) bool {
	fc := firingOf(ctx)
	return fc != nil && !fc.actor.Org.IsZero() && fc.flow.Names(fc.actor.Org)
}

func currentPartyOrCreator(ctx context.Context) bool {
	fc := firingOf(ctx)
	return fc != nil && !fc.actor.Org.IsZero() && (fc.flow.Names(fc.actor.Org) || fc.actor.Org == fc.flow.CreatedByOrg)
}

func partyGivesNotice(ctx context.Context, _ ...any) bool      { return currentParty(ctx) }
func partyAnswersNotice(ctx context.Context, _ ...any) bool    { return currentParty(ctx) }
func partyWithdrawsNotice(ctx context.Context, _ ...any) bool  { return currentParty(ctx) }
func partyRaisesDispute(ctx context.Context, _ ...any) bool    { return currentParty(ctx) }
func partyResolvesDispute(ctx context.Context, _ ...any) bool  { return currentParty(ctx) }
func partyApprovesDeletion(ctx context.Context, _ ...any) bool { return currentParty(ctx) }
func partyOrCreatorArchives(ctx context.Context, _ ...any) bool {
	return currentPartyOrCreator(ctx)
}
func partyOrCreatorExtends(ctx context.Context, _ ...any) bool { return currentPartyOrCreator(ctx) }
func partyOrCreatorDeletes(ctx context.Context, _ ...any) bool { return currentPartyOrCreator(ctx) }

func noNoticeAlreadyOpen(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && fc.flow.openNotice(fc.actor.Org) < 0
}

func givesOpenNotice(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && fc.flow.openNotice(fc.actor.Org) >= 0
}

// namedNotice is the org whose notice the command answers; zero when Permitted asks.
func (fc *firing) namedNotice() OrgID {
	if fc.life == nil {
		return OrgID{}
	}
	return fc.life.org
}

func notOwnNotice(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && fc.namedNotice() != fc.actor.Org
}

// noticeToAnswerIsOpen: the organisation named has an open notice. With none named (Permitted)
// any other organisation's open notice that the actor's organisation has not answered will do.
func noticeToAnswerIsOpen(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	if fc == nil {
		return false
	}
	if org := fc.namedNotice(); !org.IsZero() {
		return fc.flow.openNotice(org) >= 0
	}
	return slices.ContainsFunc(fc.flow.Notices, func(n LeaveNotice) bool {
		return n.Open() && n.Org != fc.actor.Org && n.answerOf(fc.actor.Org) < 0
	})
}

func notYetAnswered(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	if fc == nil {
		return false
	}
	org := fc.namedNotice()
	if org.IsZero() {
		return true // Permitted: noticeToAnswerIsOpen has looked for an unanswered one
	}
	i := fc.flow.openNotice(org)
	return i < 0 || fc.flow.Notices[i].answerOf(fc.actor.Org) < 0
}

// approvalEnds reports whether the command's approval would end the flow (settleNotices on a
// copy). With no notice named (Permitted) it answers false, so that approve_notice is offered
// through the internal transition.
func approvalEnds(fc *firing) bool {
	org := fc.namedNotice()
	i := fc.flow.openNotice(org)
	if org.IsZero() || i < 0 {
		return false
	}
	cp := fc.flow.Clone()
	cp.Notices[i].Answers = append(cp.Notices[i].Answers, NoticeAnswer{Org: fc.actor.Org, Approved: true})
	_, ended := settleNotices(&cp, fc.at, fc.actor)
	return ended
}

// approvalCompletes reports whether the command's approval, by withdrawing the last party of a
// Finalised flow that had not signed, leaves every remaining party signed (SIGN-2): the flow is
// then Signed.
func approvalCompletes(fc *firing) bool {
	org := fc.namedNotice()
	i := fc.flow.openNotice(org)
	if fc.flow.State != Finalised || org.IsZero() || i < 0 {
		return false
	}
	cp := fc.flow.Clone()
	cp.Notices[i].Answers = append(cp.Notices[i].Answers, NoticeAnswer{Org: fc.actor.Org, Approved: true})
	_, ended := settleNotices(&cp, fc.at, fc.actor)
	return !ended && cp.FullySigned()
}

func approvalKeepsFlow(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && !approvalEnds(fc) && !approvalCompletes(fc)
}

func approvalCompletesSignOff(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && approvalCompletes(fc)
}

// recordApprovalCompletingSignOff records the approval whose withdrawal leaves every remaining
// party signed, and says the flow is Signed.
func recordApprovalCompletingSignOff(ctx context.Context, args ...any) error {
	return thenSigned(recordNoticeApproval)(ctx, args...)
}

func approvalEndsFlow(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && approvalEnds(fc)
}

// disputeIsOpen: the dispute named is open; with none named (Permitted), any.
func disputeIsOpen(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	if fc == nil {
		return false
	}
	if fc.life == nil || fc.life.number == 0 {
		return fc.flow.HasOpenDispute()
	}
	n := fc.life.number
	return n <= len(fc.flow.Disputes) && fc.flow.Disputes[n-1].Open()
}

func noOpenDispute(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && !fc.flow.HasOpenDispute()
}

// archiverOfFlowInForce: the creating organisation; once it has left the flow, a party.
func archiverOfFlowInForce(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	if fc == nil || fc.actor.Org.IsZero() {
		return false
	}
	if fc.flow.HasWithdrawn(fc.flow.CreatedByOrg) && !fc.flow.Names(fc.flow.CreatedByOrg) {
		return fc.flow.Names(fc.actor.Org)
	}
	return fc.actor.Org == fc.flow.CreatedByOrg
}

func deletionNotYetApproved(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && !slices.ContainsFunc(fc.flow.Archive.DeletionApprovals, func(a DeletionApproval) bool { return a.Org == fc.actor.Org })
}

func retentionEnded(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && !fc.flow.Archive.RetainUntil.IsZero() && !fc.at.Before(fc.flow.Archive.RetainUntil)
}

func deletionApprovedByAll(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	if fc == nil {
		return false
	}
	for _, p := range fc.flow.Parties {
		if !slices.ContainsFunc(fc.flow.Archive.DeletionApprovals, func(a DeletionApproval) bool { return a.Org == p }) {
			return false
		}
	}
	return true
}

// ---- actions ----------------------------------------------------------------------------------

// lifeOf returns the firing and its input, or the error an action returns without them.
func lifeOf(ctx context.Context) (*firing, error) {
	fc := firingOf(ctx)
	if fc == nil || fc.life == nil {
		return nil, violation.New(ErrInvalidTransition, CodeInvalidTransition, "FLOW-2", "no flow or input for the step")
	}
	return fc, nil
}

func recordNotice(ctx context.Context, _ ...any) error {
	fc, err := lifeOf(ctx)
	if err != nil {
		return err
	}
	f := fc.flow
	f.Notices = append(cloneNotices(f.Notices), LeaveNotice{Org: fc.actor.Org, GivenBy: fc.actor.User, GivenAt: fc.at, Reason: fc.life.text, Status: NoticeOpen})
	touched(fc)
	e := fc.event(EventNoticeGiven)
	e.Org, e.Parties, e.Note = fc.actor.Org, f.others(fc.actor.Org), fc.life.text
	fc.events = append(fc.events, e)
	return nil
}

// answerNotice records the actor's organisation's answer on the named open notice and returns
// the notice's index.
func answerNotice(fc *firing, approved bool) (int, error) {
	f := fc.flow
	i := f.openNotice(fc.life.org)
	if i < 0 { // the guards have made sure; this keeps a misconfiguration from panicking
		return 0, violation.New(ErrInvalidTransition, CodeNoOpenNotice, "LIFE-3", "no open notice to answer")
	}
	f.Notices = cloneNotices(f.Notices)
	n := &f.Notices[i]
	n.Answers = append(n.Answers, NoticeAnswer{Org: fc.actor.Org, By: fc.actor.User, At: fc.at, Approved: approved, Comment: fc.life.text})
	touched(fc)
	return i, nil
}

func recordNoticeApproval(ctx context.Context, _ ...any) error {
	fc, err := lifeOf(ctx)
	if err != nil {
		return err
	}
	i, err := answerNotice(fc, true)
	if err != nil {
		return err
	}
	n := fc.flow.Notices[i]
	e := fc.event(EventNoticeApproved)
	e.Org, e.Requester, e.Note = n.Org, n.GivenBy, fc.life.text
	fc.events = append(fc.events, e)
	f := fc.flow
	f.Parties, f.From, f.To = slices.Clone(f.Parties), slices.Clone(f.From), slices.Clone(f.To)
	f.Withdrawals, f.Reviews = cloneSlice(f.Withdrawals), cloneSlice(f.Reviews)
	events, _ := settleNotices(f, fc.at, fc.actor)
	fc.events = append(fc.events, events...)
	return nil
}

func recordNoticeRejection(ctx context.Context, _ ...any) error {
	fc, err := lifeOf(ctx)
	if err != nil {
		return err
	}
	i, err := answerNotice(fc, false)
	if err != nil {
		return err
	}
	n := &fc.flow.Notices[i]
	n.Status, n.ClosedAt = NoticeRejected, fc.at
	e := fc.event(EventNoticeRejected)
	e.Org, e.Requester, e.Note, e.Parties = n.Org, n.GivenBy, fc.life.text, []OrgID{n.Org}
	fc.events = append(fc.events, e)
	return nil
}

func recordNoticeWithdrawal(ctx context.Context, _ ...any) error {
	fc, err := lifeOf(ctx)
	if err != nil {
		return err
	}
	f := fc.flow
	i := f.openNotice(fc.actor.Org)
	if i < 0 {
		return violation.New(ErrInvalidTransition, CodeNoOpenNotice, "LIFE-3", "no open notice to withdraw")
	}
	f.Notices = cloneNotices(f.Notices)
	f.Notices[i].Status, f.Notices[i].ClosedAt = NoticeWithdrawn, fc.at
	touched(fc)
	e := fc.event(EventNoticeWithdrawn)
	e.Org, e.Parties = fc.actor.Org, f.others(fc.actor.Org)
	fc.events = append(fc.events, e)
	return nil
}

func recordDispute(ctx context.Context, _ ...any) error {
	fc, err := lifeOf(ctx)
	if err != nil {
		return err
	}
	f := fc.flow
	d := Dispute{Number: len(f.Disputes) + 1, Org: fc.actor.Org, RaisedBy: fc.actor.User, RaisedAt: fc.at, Description: fc.life.text}
	f.Disputes = append(slices.Clone(f.Disputes), d)
	touched(fc)
	e := fc.event(EventDisputeRaised)
	e.Org, e.Dispute, e.Note, e.Parties = d.Org, d.Number, d.Description, f.others(fc.actor.Org)
	e.Due, _ = d.NextEscalation()
	fc.events = append(fc.events, e)
	return nil
}

func recordResolution(ctx context.Context, _ ...any) error {
	fc, err := lifeOf(ctx)
	if err != nil {
		return err
	}
	f := fc.flow
	n := fc.life.number
	if n < 1 || n > len(f.Disputes) {
		return violation.New(ErrInvalidTransition, CodeNoOpenDispute, "LIFE-4", "no such dispute")
	}
	f.Disputes = slices.Clone(f.Disputes)
	d := &f.Disputes[n-1]
	d.ResolvedAt, d.ResolvedBy, d.ResolvedOrg, d.Resolution = fc.at, fc.actor.User, fc.actor.Org, fc.life.text
	touched(fc)
	e := fc.event(EventDisputeResolved)
	e.Org, e.Dispute, e.Note, e.Parties = d.Org, d.Number, d.Resolution, cloneSlice(f.Parties)
	fc.events = append(fc.events, e)
	return nil
}

func recordArchive(ctx context.Context, _ ...any) error {
	fc, err := lifeOf(ctx)
	if err != nil {
		return err
	}
	f := fc.flow
	f.Archive = Archive{At: fc.at, By: fc.actor.User, Org: fc.actor.Org, From: fc.life.from, Reason: fc.life.text, RetainUntil: fc.life.until}
	lapseNotices(f, fc.at)
	touched(fc)
	e := fc.event(EventArchived)
	e.Parties, e.Note, e.Due = cloneSlice(f.Parties), fc.life.text, fc.life.until
	fc.events = append(fc.events, e)
	return nil
}

func recordExtension(ctx context.Context, _ ...any) error {
	fc, err := lifeOf(ctx)
	if err != nil {
		return err
	}
	f := fc.flow
	a := f.Archive.clone()
	a.Extensions = append(a.Extensions, RetentionExtension{By: fc.actor.User, Org: fc.actor.Org, At: fc.at, Reason: fc.life.text,
		Previous: a.RetainUntil, Until: fc.life.until})
	a.RetainUntil, a.DeletionApprovals, a.RetentionEndedAt = fc.life.until, nil, time.Time{}
	f.Archive = a
	touched(fc)
	e := fc.event(EventRetentionExtended)
	e.Parties, e.Note, e.Due = cloneSlice(f.Parties), fc.life.text, fc.life.until
	fc.events = append(fc.events, e)
	return nil
}

func recordDeletionApproval(ctx context.Context, _ ...any) error {
	fc, err := lifeOf(ctx)
	if err != nil {
		return err
	}
	a := fc.flow.Archive.clone()
	a.DeletionApprovals = append(a.DeletionApprovals, DeletionApproval{Org: fc.actor.Org, By: fc.actor.User, At: fc.at})
	fc.flow.Archive = a
	touched(fc)
	return nil
}

// noChange is the action of a step that only asks its guards (delete).
func noChange(context.Context, ...any) error { return nil }

// lapseNotices closes every open notice to leave of f, which is ending (archived, superseded):
// there is nothing left to leave.
func lapseNotices(f *Flow, at time.Time) {
	if !slices.ContainsFunc(f.Notices, LeaveNotice.Open) {
		return
	}
	f.Notices = cloneNotices(f.Notices)
	for i := range f.Notices {
		if f.Notices[i].Open() {
			f.Notices[i].Status, f.Notices[i].ClosedAt = NoticeLapsed, at
		}
	}
}

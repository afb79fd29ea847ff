package isg

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg/directory"
	"github.com/isgkit/gateway/isg/violation"
)

// The end of an agreement's lifecycle (LIFE-1…LIFE-4): the Gateway commands of package
// agreement's notice, dispute, archive and retention steps, the record of a deleted flow, a
// summary's recorded review, and the sweep's two passes — flow timers and review notices.
//
// Permission rows, chosen from the table (ROLE-8):
//
//   - giving, answering and withdrawing notice to leave: SignOffFlow (Senior Officer, delegate,
//     Information Asset Owner). Leaving an agreement is the reverse of signing it, a decision
//     of the organisation's Accountable Officer or their delegate (003 §3, §7), not of those who
//     draft it;
//   - raising and resolving disputes: EditAgreements (Administrator, Senior Officer, IG/Project
//     Officer): the authorised representatives who manage the agreement day to day raise the
//     issue and record what was agreed (003 §6); the escalation itself goes to the Senior
//     Officers by the sweep;
//   - archive, retention extension, deletion approval and deletion, and recording a summary's
//     review: EditAgreements, the records management of the agreement.
//
// Per-record conditions (a party, the creator) are package agreement's; an organisation that
// may not see the flow gets "flow.not_found" exactly as for an unknown ID (SUM-3).

// Index and cursor names of the sweep's lifecycle passes.
const (
	// flowDueIndex buckets flows by the UTC day of their next timer (agreement.NextFlowChange).
	flowDueIndex = "flow_due"
	// flowTimers is the flow pass's cursor.
	flowTimers = "flow_timers"
	// reviewDueIndex buckets summaries by the UTC day of their next review notice (LIFE-1).
	reviewDueIndex = "review_notice"
	// reviewNotices is the summary pass's cursor.
	reviewNotices = "review_notices"
)

// kindFlowDeletion is the record a deleted flow leaves (LIFE-2), under the flow's ID.
const kindFlowDeletion Kind = "flow_deletion"

// WithReviewNotice sets the lead time of a summary's advance review notice (LIFE-1): its
// creating organisation is told this many whole calendar months before the review date, and
// again when the review is due. The default is agreement.DefaultReviewNoticeMonths (3); 0 sends
// only the notice that the review is due; 12 or more cannot fall inside a cycle (at most 12
// months) and is refused. A changed lead time applies to each summary as it is next saved or
// swept.
func WithReviewNotice(months int) Option {
	return func(g *Gateway) error {
		if months < 0 || months > 11 {
			return errors.New("isg: the review notice lead time must be 0 to 11 months")
		}
		g.reviewNoticeMonths = months
		return nil
	}
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// dueKey is the day bucket a record is indexed under for a job whose next work falls at next:
// never before the record's last change (floor), so that a change that moves the work into the
// past — a shorter review cycle, say — files the record under a day the sweep has still to read.
func dueKey(index string, next, floor time.Time) IndexKey { return dayKey(index, later(next, floor)) }

// appendFlowDueKeys appends the key indexing a flow under the day of its next timer (LIFE-2,
// LIFE-4), if it has one.
func appendFlowDueKeys(ks []IndexKey, f agreement.Flow) []IndexKey {
	if next, ok := agreement.NextFlowChange(f); ok {
		ks = append(ks, dueKey(flowDueIndex, next, f.UpdatedAt))
	}
	return ks
}

// reviewKeys index a summary under the day of its next review notice (LIFE-1), at the lead time
// the Gateway was built with.
func (u *uow) reviewKeys(s agreement.Summary) []IndexKey {
	next, ok := s.NextReviewNotice(u.g.reviewNoticeMonths)
	if !ok {
		return nil
	}
	return []IndexKey{dueKey(reviewDueIndex, next, s.UpdatedAt)}
}

// ---- commands ---------------------------------------------------------------------------------

// GiveNotice gives notice, for the actor's organisation, to leave a flow in force (LIFE-3), with
// the reason. Each other party's Senior Officers, Information Asset Owners and Administrators are
// asked to approve or reject it. Row SignOffFlow.
//
// Errors: ErrInvalid (the reason is required); ErrForbidden ("forbidden", ROLE-8;
// "flow.not_party"); ErrNotFound ("flow.not_found") for a flow the organisation may not see;
// ErrInvalidTransition ("flow.notice_open", or "flow.invalid_transition" when the flow is not in
// force).
func (g *Gateway) GiveNotice(ctx context.Context, actor Actor, in FlowStep[agreement.NoticeInput]) (FlowView, error) {
	return run(ctx, g, flowGiveNotice, actor, in)
}

var flowGiveNotice = flowStep("flow.give_notice", "Give notice to leave a flow in force (LIFE-3).", SignOffFlow, "ROLE-8",
	func(c *call[FlowStep[agreement.NoticeInput]], f agreement.Flow, _ agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
		return c.g.flowMachine.GiveNotice(f, a, c.now, c.in.Input)
	})

// ApproveNotice approves, for the actor's organisation, another party's notice to leave
// (LIFE-3). When every other organisation now in the flow has approved, the leaving organisation
// is withdrawn from it; with fewer than two organisations, or no sender or receiver, left, the
// flow is Terminated. Row SignOffFlow.
//
// Errors: ErrInvalid (org required); ErrForbidden ("forbidden"; "flow.not_party",
// "flow.own_notice"); ErrNotFound ("flow.not_found"); ErrInvalidTransition
// ("flow.no_open_notice", "flow.already_answered", "flow.invalid_transition").
func (g *Gateway) ApproveNotice(ctx context.Context, actor Actor, in FlowStep[agreement.NoticeAnswerInput]) (FlowView, error) {
	return run(ctx, g, flowApproveNotice, actor, in)
}

var flowApproveNotice = flowStep("flow.approve_notice", "Approve another party's notice to leave (LIFE-3).", SignOffFlow, "ROLE-8",
	func(c *call[FlowStep[agreement.NoticeAnswerInput]], f agreement.Flow, _ agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
		return c.g.flowMachine.ApproveNotice(f, a, c.now, c.in.Input)
	})

// RejectNotice rejects, for the actor's organisation, another party's notice to leave, with the
// reason (LIFE-3): the notice is refused, and its giver and the leaving organisation's Senior
// Officers are told why; it may be given again. Row SignOffFlow.
//
// Errors: as ApproveNotice, and ErrInvalid when the comment (the reason) is missing.
func (g *Gateway) RejectNotice(ctx context.Context, actor Actor, in FlowStep[agreement.NoticeAnswerInput]) (FlowView, error) {
	return run(ctx, g, flowRejectNotice, actor, in)
}

var flowRejectNotice = flowStep("flow.reject_notice", "Reject another party's notice to leave, with the reason (LIFE-3).", SignOffFlow, "ROLE-8",
	func(c *call[FlowStep[agreement.NoticeAnswerInput]], f agreement.Flow, _ agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
		return c.g.flowMachine.RejectNotice(f, a, c.now, c.in.Input)
	})

// WithdrawNotice withdraws the actor's organisation's open notice to leave a flow (LIFE-3); the
// other parties are told. Row SignOffFlow.
//
// Errors: ErrForbidden ("forbidden"; "flow.not_party"); ErrNotFound ("flow.not_found");
// ErrInvalidTransition ("flow.no_open_notice", "flow.invalid_transition").
func (g *Gateway) WithdrawNotice(ctx context.Context, actor Actor, in ByID[agreement.FlowID]) (FlowView, error) {
	return run(ctx, g, flowWithdrawNotice, actor, in)
}

var flowWithdrawNotice = flowByID("flow.withdraw_notice", "Withdraw one's open notice to leave (LIFE-3).", SignOffFlow, "ROLE-8",
	func(c *call[ByID[agreement.FlowID]], f agreement.Flow, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
		return c.withdrawNotice(f, agreement.Summary{}, a)
	})

func (u *uow) withdrawNotice(f agreement.Flow, _ agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
	return u.g.flowMachine.WithdrawNotice(f, a, u.now)
}

// RaiseDispute raises a dispute on a flow in force, for the actor's organisation, with its
// description (LIFE-4). The other parties' Administrators and Senior Officers are told; Sweep
// escalates it to every party's Senior Officers after 7 calendar days and marks it for mediation
// 14 days after that, while it stays unresolved. Row EditAgreements.
//
// Errors: ErrInvalid (the description is required); ErrForbidden ("forbidden";
// "flow.not_party"); ErrNotFound ("flow.not_found"); ErrInvalidTransition
// ("flow.invalid_transition" when the flow is not in force).
func (g *Gateway) RaiseDispute(ctx context.Context, actor Actor, in FlowStep[agreement.DisputeInput]) (FlowView, error) {
	return run(ctx, g, flowRaiseDispute, actor, in)
}

var flowRaiseDispute = flowStep("flow.raise_dispute", "Raise a dispute on a flow in force (LIFE-4).", EditAgreements, "ROLE-8",
	func(c *call[FlowStep[agreement.DisputeInput]], f agreement.Flow, _ agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
		return c.g.flowMachine.RaiseDispute(f, a, c.now, c.in.Input)
	})

// ResolveDispute records, for the actor's organisation, the resolution of an open dispute by its
// number, which ends it (LIFE-4); every party's Administrators and Senior Officers are told. Row
// EditAgreements.
//
// Errors: ErrInvalid (dispute and resolution are required); ErrForbidden ("forbidden";
// "flow.not_party"); ErrNotFound ("flow.not_found"); ErrInvalidTransition
// ("flow.no_open_dispute", "flow.invalid_transition").
func (g *Gateway) ResolveDispute(ctx context.Context, actor Actor, in FlowStep[agreement.ResolutionInput]) (FlowView, error) {
	return run(ctx, g, flowResolveDispute, actor, in)
}

var flowResolveDispute = flowStep("flow.resolve_dispute", "Record a dispute's resolution (LIFE-4).", EditAgreements, "ROLE-8",
	func(c *call[FlowStep[agreement.ResolutionInput]], f agreement.Flow, _ agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
		return c.g.flowMachine.ResolveDispute(f, a, c.now, c.in.Input)
	})

// ArchiveFlow archives a flow no longer required, with the reason and the end of its retention
// period (LIFE-2): a flow in force by its creating organisation (or a party, once the creator
// has left it), a terminated or superseded one by any party or the creator; never with a dispute
// open. Row EditAgreements.
//
// Errors: ErrInvalid (reason and retain_until required, retain_until after now); ErrForbidden
// ("forbidden"; "flow.not_creator", "flow.not_party"); ErrNotFound ("flow.not_found"); ErrRule
// ("flow.dispute_open"); ErrInvalidTransition ("flow.invalid_transition").
func (g *Gateway) ArchiveFlow(ctx context.Context, actor Actor, in FlowStep[agreement.ArchiveInput]) (FlowView, error) {
	return run(ctx, g, flowArchive, actor, in)
}

var flowArchive = flowStep("flow.archive", "Archive a flow no longer required, with its retention end (LIFE-2).", EditAgreements, "ROLE-8",
	func(c *call[FlowStep[agreement.ArchiveInput]], f agreement.Flow, _ agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
		return c.g.flowMachine.Archive(f, a, c.now, c.in.Input)
	})

// ExtendRetention extends an archived flow's retention to a later end, with the documented
// business reason (LIFE-2); the deletion approvals given so far are void, and every party is
// told. Row EditAgreements.
//
// Errors: ErrInvalid (reason required; retain_until later than the current end); ErrForbidden
// ("forbidden"; "flow.not_party"); ErrNotFound ("flow.not_found"); ErrInvalidTransition unless
// the flow is archived.
func (g *Gateway) ExtendRetention(ctx context.Context, actor Actor, in FlowStep[agreement.RetentionInput]) (FlowView, error) {
	return run(ctx, g, flowExtendRetention, actor, in)
}

var flowExtendRetention = flowStep("flow.extend_retention", "Extend an archived flow's retention, with the business reason (LIFE-2).", EditAgreements, "ROLE-8",
	func(c *call[FlowStep[agreement.RetentionInput]], f agreement.Flow, _ agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
		return c.g.flowMachine.ExtendRetention(f, a, c.now, c.in.Input)
	})

// ApproveDeletion approves, for the actor's organisation, that an archived flow be deleted once
// its retention has ended (LIFE-2). Row EditAgreements.
//
// Errors: ErrForbidden ("forbidden"; "flow.not_party"); ErrNotFound ("flow.not_found");
// ErrInvalidTransition ("flow.already_answered", "flow.invalid_transition").
func (g *Gateway) ApproveDeletion(ctx context.Context, actor Actor, in ByID[agreement.FlowID]) (FlowView, error) {
	return run(ctx, g, flowApproveDeletion, actor, in)
}

var flowApproveDeletion = flowByID("flow.approve_deletion", "Approve an archived flow's deletion (LIFE-2).", EditAgreements, "ROLE-8",
	func(c *call[ByID[agreement.FlowID]], f agreement.Flow, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
		return c.approveDeletion(f, agreement.Summary{}, a)
	})

func (u *uow) approveDeletion(f agreement.Flow, _ agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
	return u.g.flowMachine.ApproveDeletion(f, a, u.now)
}

// FlowDeletion is what a deleted flow leaves (LIFE-2): the agreement's Disposal record — what it
// was, between whom, archived why, retained until when, every extension and who approved the
// deletion, and fingerprints of its terms and log — and what was removed with it. It is kept for
// good, visible to the organisations named in the flow when it was deleted and its creator.
//
// Deletion removes the flow record, its transaction log entries, its risk assessment and its
// documents' records, because the log holds every value the terms ever had: keeping it would
// keep the agreement. What remains is a disposal record of the kind records management expects
// (what was destroyed, when, on whose authority), holding no terms. Document contents live in
// the host's content-addressed BlobStore, which may share a blob between documents and has no
// delete: Documents lists each removed document's SHA-256 so that the host can dispose of blobs
// no remaining document uses.
type FlowDeletion struct {
	agreement.Disposal
	// LogEntries is how many transaction log entries were removed (Log.Count of the disposal).
	LogEntries int `json:"log_entries"`
	// RiskAssessments is how many risk assessments were removed (0 or 1).
	RiskAssessments int `json:"risk_assessments"`
	// Documents are the documents whose records were removed.
	Documents []DeletedDocument `json:"documents"`
}

// DeletedDocument names one removed document and its content's SHA-256 (its blob key).
type DeletedDocument struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

// DeleteFlow deletes an archived flow whose retention has ended and whose deletion every party
// has approved (LIFE-2), with its log, risk assessment and document records, and keeps its
// FlowDeletion record, which it returns. Every party's Administrators, Senior Officers and
// IG/Project Officers are told. The store must be able to delete (isg.Deleter). Row
// EditAgreements.
//
// Errors: ErrForbidden ("forbidden"; "flow.not_party"); ErrNotFound ("flow.not_found"); ErrRule
// ("flow.retention_not_ended", "flow.deletion_not_approved", "flow.deletion_unsupported");
// ErrInvalidTransition unless the flow is archived.
func (g *Gateway) DeleteFlow(ctx context.Context, actor Actor, in ByID[agreement.FlowID]) (FlowDeletion, error) {
	return run(ctx, g, flowDelete, actor, in)
}

var flowDelete = &command[ByID[agreement.FlowID], FlowDeletion]{
	name: "flow.delete", doc: "Delete an archived flow past its retention, every party approving (LIFE-2).", row: EditAgreements, rule: "ROLE-8",
	refuse: func(c *call[ByID[agreement.FlowID]]) error {
		return c.flowRefusal(c.actor, c.in.ID, func(f agreement.Flow, _ agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
			_, err := c.g.flowMachine.Delete(f, a, c.now)
			return f, nil, err
		})
	},
	apply: func(c *call[ByID[agreement.FlowID]]) (FlowDeletion, error) {
		f, version, err := c.visibleFlow(c.actor, c.in.ID)
		if err != nil {
			return FlowDeletion{}, err
		}
		d, err := c.g.flowMachine.Delete(f, agreement.Actor{User: c.actor.User, Org: c.actor.Org}, c.now)
		if err != nil {
			return FlowDeletion{}, err
		}
		del, ok := c.tx.(Deleter)
		if !ok {
			return FlowDeletion{}, violation.New(ErrRule, CodeFlowDeletionUnsupported, "LIFE-2", "this store cannot delete records, so no flow is deleted")
		}
		out := FlowDeletion{Disposal: d, Documents: []DeletedDocument{}}
		remove := func(kind Kind, k IndexKey, each func(Record) error) (int, error) {
			recs, err := c.tx.Find(c.ctx, kind, k, Page{})
			if err != nil {
				return 0, err
			}
			for _, r := range recs {
				if each != nil {
					if err := each(r); err != nil {
						return 0, err
					}
				}
				if err := del.Delete(c.ctx, kind, r.ID, r.Version); err != nil {
					return 0, err
				}
			}
			return len(recs), nil
		}
		if out.LogEntries, err = remove(kindLogEntry, key("subject", f.ID.String()), nil); err != nil {
			return FlowDeletion{}, err
		}
		if out.RiskAssessments, err = remove(kindRiskAssessment, key("flow", f.ID.String()), nil); err != nil {
			return FlowDeletion{}, err
		}
		_, err = remove(kindDocument, key("subject", "flow/"+f.ID.String()), func(r Record) error {
			doc, err := decodeRecord[Document](r)
			out.Documents = append(out.Documents, DeletedDocument{ID: doc.ID, Name: doc.Name, SHA256: doc.SHA256})
			return err
		})
		if err != nil {
			return FlowDeletion{}, err
		}
		if err := del.Delete(c.ctx, kindFlow, f.ID.String(), version); err != nil {
			return FlowDeletion{}, err
		}
		if _, err := c.save(kindFlowDeletion, f.ID.String(), 0, out, visibleKeys(c.texts, f.CreatedByOrg, f.Parties)...); err != nil {
			return FlowDeletion{}, err
		}
		e := agreement.Event{Type: agreement.EventDeleted, FlowID: f.ID, SummaryID: f.SummaryID,
			Actor: agreement.Actor{User: c.actor.User, Org: c.actor.Org}, At: c.now, Parties: d.Parties}
		return out, c.deliver(flowNotices(e)...)
	},
}

// FlowDeletionRecord returns the record a deleted flow left (LIFE-2) to an organisation named in
// the flow when it was deleted, or its creator.
//
// Errors: ErrForbidden (ROLE-8); ErrNotFound ("flow_deletion.not_found") when there is none or
// the organisation may not see it, the same answer.
func (g *Gateway) FlowDeletionRecord(ctx context.Context, actor Actor, in ByID[agreement.FlowID]) (FlowDeletion, error) {
	return run(ctx, g, flowDeletionRecord, actor, in)
}

var flowDeletionRecord = &command[ByID[agreement.FlowID], FlowDeletion]{
	name: "flow.deletion_record", doc: "The record a deleted flow left (LIFE-2).", row: ViewOrganisation, rule: "ROLE-8", query: true,
	apply: func(c *call[ByID[agreement.FlowID]]) (FlowDeletion, error) {
		var d FlowDeletion
		_, err := c.load(kindFlowDeletion, c.in.ID.String(), &d)
		if (err == nil && c.actor.Org != d.CreatedByOrg && !containsOrg(d.Parties, c.actor.Org)) || isNotFound(err) {
			return FlowDeletion{}, unseen(string(kindFlowDeletion), c.in.ID.String())
		}
		return d, err
	},
}

func containsOrg(orgs []OrgID, o OrgID) bool {
	for _, x := range orgs {
		if x == o {
			return true
		}
	}
	return false
}

// RecordReviewInput records a review of a summary's sharing (LIFE-1).
type RecordReviewInput struct {
	ID agreement.SummaryID `json:"id" validate:"required" rule:"LIFE-1"`
	// Note says what the review found; optional.
	Note string `json:"note,omitempty" validate:"max=4000" rule:"LIFE-1"`
}

// RecordReview records that the actor's organisation reviewed a summary's sharing (LIFE-1): a new
// review cycle starts, the review date moves on and its notices start afresh. Any organisation
// that may see the summary records it. Row EditAgreements.
//
// Errors: ErrInvalid (a note over 4000 characters); ErrForbidden (ROLE-8); ErrNotFound
// ("summary.not_found") for a summary the organisation may not see.
func (g *Gateway) RecordReview(ctx context.Context, actor Actor, in RecordReviewInput) (agreement.Summary, error) {
	return run(ctx, g, summaryRecordReview, actor, in)
}

var summaryRecordReview = &command[RecordReviewInput, agreement.Summary]{
	name: "summary.record_review", doc: "Record a review of a summary's sharing; a new review cycle starts (LIFE-1).", row: EditAgreements, rule: "ROLE-8",
	apply: func(c *call[RecordReviewInput]) (agreement.Summary, error) {
		old, version, err := c.visibleSummary(c.actor, c.in.ID)
		if err != nil {
			return agreement.Summary{}, err
		}
		s, err := old.RecordReview(agreement.Actor{User: c.actor.User, Org: c.actor.Org}, c.now, c.in.Note)
		if err != nil {
			return agreement.Summary{}, err
		}
		return c.putSummary(c.actor, old, s, version)
	},
}

// lifecycleRow is the permission-table row behind a trigger of the end of the lifecycle, for
// FlowView.Next: notice is a senior decision (SignOffFlow), the rest EditAgreements.
func lifecycleRow(t agreement.Trigger) (Action, bool) {
	switch t {
	case agreement.TriggerGiveNotice, agreement.TriggerApproveNotice, agreement.TriggerRejectNotice, agreement.TriggerWithdrawNotice:
		return SignOffFlow, true
	case agreement.TriggerRaiseDispute, agreement.TriggerResolveDispute, agreement.TriggerArchive, agreement.TriggerExtendRetention,
		agreement.TriggerApproveDeletion, agreement.TriggerDelete:
		return EditAgreements, true
	}
	return 0, false
}

// ---- notifications ----------------------------------------------------------------------------

// lifecycleNotices says who an event of the end of a flow's lifecycle concerns (NOTE-1), adding
// to data (the flow's notice data) what the event is about:
//
//   - notice given or withdrawn: the other parties' Senior Officers, Information Asset Owners
//     (who decide, row SignOffFlow) and Administrators;
//   - notice approved or rejected (with the reason): its giver and the leaving organisation's
//     Senior Officers;
//   - an organisation withdrawn, the flow terminated: every party's, and the leaver's,
//     Administrators and Senior Officers;
//   - a dispute raised: the other parties' Administrators and Senior Officers (LIFE-4); escalated:
//     every party's Senior Officers (the Accountable Officers); marked for mediation or
//     resolved: every party's Administrators and Senior Officers;
//   - archived, retention extended or ended, deleted: every party's Administrators, Senior
//     Officers and IG/Project Officers, who keep the records (LIFE-2).
func lifecycleNotices(e agreement.Event, data map[string]string) []directory.Event {
	typ := string(e.Type)
	if e.Actor.User.IsZero() {
		delete(data, "by") // raised by the sweep, not by a user
	}
	if !e.Org.IsZero() {
		data["org"] = e.Org.String()
	}
	if e.Dispute > 0 {
		data["dispute"] = strconv.Itoa(e.Dispute)
	}
	if !e.Due.IsZero() {
		data["due"] = e.Due.Format(time.RFC3339)
	}
	var out []directory.Event
	atParties := func(roles RoleSet) {
		for _, p := range e.Parties {
			out = append(out, directory.Event{Type: typ, Org: p, Data: data, To: directory.Audience{Roles: roles, RolesAt: []OrgID{p}}})
		}
	}
	switch e.Type {
	case agreement.EventNoticeGiven, agreement.EventNoticeWithdrawn:
		atParties(Of(Administrator, SeniorOfficer, InfoAssetOwner))
	case agreement.EventNoticeApproved, agreement.EventNoticeRejected:
		out = append(out, directory.Event{Type: typ, Org: e.Org, Data: data,
			To: directory.Audience{Users: []UserID{e.Requester}, Roles: Of(SeniorOfficer), RolesAt: []OrgID{e.Org}}})
	case agreement.EventPartyWithdrawn, agreement.EventTerminated, agreement.EventDisputeRaised,
		agreement.EventDisputeMediation, agreement.EventDisputeResolved:
		atParties(Of(Administrator, SeniorOfficer))
	case agreement.EventDisputeEscalated:
		atParties(Of(SeniorOfficer))
	case agreement.EventArchived, agreement.EventRetentionExtended, agreement.EventRetentionEnded, agreement.EventDeleted:
		atParties(Of(Administrator, SeniorOfficer, IGOfficer))
	}
	return out
}

// reviewNoticesOf says who a summary's review notice is for (LIFE-1): the creating organisation's
// Senior Officers, accountable for the sharing, and IG/Project Officers, who keep the agreement
// and carry out its review (003 §4: "a suitably qualified individual or committee"). Not its
// Administrators, who manage the organisation's users and details rather than its agreements
// (the published flows scenario counts an Administrator's messages across a sweep at which its
// summary falls due).
func reviewNoticesOf(e agreement.Event) []directory.Event {
	data := map[string]string{"summary": e.SummaryID.String(), "due": e.Due.Format(time.RFC3339)}
	out := make([]directory.Event, 0, len(e.Parties))
	for _, p := range e.Parties {
		out = append(out, directory.Event{Type: string(e.Type), Org: p, Data: data,
			To: directory.Audience{Roles: Of(SeniorOfficer, IGOfficer), RolesAt: []OrgID{p}}})
	}
	return out
}

// lifecycleNotificationTypes are the notification types of the end of the lifecycle.
func lifecycleNotificationTypes() []agreement.EventType {
	return []agreement.EventType{
		agreement.EventNoticeGiven, agreement.EventNoticeApproved, agreement.EventNoticeRejected, agreement.EventNoticeWithdrawn,
		agreement.EventPartyWithdrawn, agreement.EventTerminated, agreement.EventDisputeRaised, agreement.EventDisputeEscalated,
		agreement.EventDisputeMediation, agreement.EventDisputeResolved, agreement.EventArchived, agreement.EventRetentionExtended,
		agreement.EventRetentionEnded, agreement.EventDeleted, agreement.EventReviewUpcoming, agreement.EventReviewDue,
	}
}

// ---- the sweep's passes -----------------------------------------------------------------------

// dueRecord is a record a pass found, with the bucket it was found in ("" on a first, full pass).
type dueRecord struct{ id, day string }

// sweepFlows is the sweep's flow pass: every flow whose next timer (agreement.NextFlowChange)
// has fallen due is swept (agreement.SweepFlow) in a unit of work of its own, which saves what
// was raised — logged in no user's name — with its notifications, so each is raised once however
// many sweeps run. Flows are found through the flowDueIndex day buckets from the cursor to today;
// the first pass, with no cursor, looks at every flow in force or past it, the only ones that can
// have a timer.
func (g *Gateway) sweepFlows(ctx context.Context, res *SweepResult) error {
	return g.sweepPass(ctx, flowTimers, flowDueIndex, func(u *uow) ([]string, error) {
		var ids []string
		for _, s := range []agreement.FlowState{agreement.Finalised, agreement.Signed, agreement.Archived, agreement.Terminated, agreement.Superseded} {
			got, err := u.listIDs(kindFlow, key("state", string(s)))
			if err != nil {
				return nil, err
			}
			ids = append(ids, got...)
		}
		return ids, nil
	}, kindFlow, func(u *uow, r dueRecord, _ bool) (func(*SweepResult), error) {
		f, version, err := loadCached(u, u.g.flows, kindFlow, r.id)
		if isNotFound(err) {
			return nil, nil // deleted since it was listed
		}
		if err != nil {
			return nil, err
		}
		if next, ok := agreement.NextFlowChange(f); !ok || next.After(u.now) {
			// Not due: a flow's bucket is a function of the flow alone, so one found in a bucket
			// no longer its own has been moved on by the write that changed it.
			return nil, nil
		}
		swept, events := agreement.SweepFlow(f, u.now)
		if _, err := u.putFlow(Actor{}, f, swept, version); err != nil {
			return nil, err
		}
		for _, e := range events {
			if err := u.deliver(flowNotices(e)...); err != nil {
				return nil, err
			}
		}
		return func(res *SweepResult) { countFlowEvents(res, events) }, nil
	}, res)
}

// countFlowEvents adds what a flow's sweep raised to the result.
func countFlowEvents(res *SweepResult, events []agreement.Event) {
	for _, e := range events {
		switch e.Type {
		case agreement.EventDisputeEscalated:
			res.DisputeEscalations++
		case agreement.EventDisputeMediation:
			res.DisputesForMediation++
		case agreement.EventRetentionEnded:
			res.RetentionEnded++
		case agreement.EventSignByReminder:
			res.SignByReminders++
		}
	}
}

// sweepReviews is the sweep's summary pass (LIFE-1): each summary whose next review notice has
// fallen due gets it, once, in a unit of work of its own that records it in the summary (logged
// in no user's name) with the notification. The first pass, with no cursor, looks at every
// summary — through each organisation's visible summaries, since summaries carry no other key —
// and files each under its notice day.
func (g *Gateway) sweepReviews(ctx context.Context, res *SweepResult) error {
	return g.sweepPass(ctx, reviewNotices, reviewDueIndex, func(u *uow) ([]string, error) {
		orgs, err := u.listIDs(kindOrg, key("all", "1"))
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		var ids []string
		for _, o := range orgs {
			got, err := u.listIDs(kindSummary, key("visible", o))
			if err != nil {
				return nil, err
			}
			for _, id := range got {
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}
		return ids, nil
	}, kindSummary, func(u *uow, r dueRecord, full bool) (func(*SweepResult), error) {
		s, version, err := loadCached(u, u.g.summaries, kindSummary, r.id)
		if isNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		lead := u.g.reviewNoticeMonths
		next, ok := s.NextReviewNotice(lead)
		if !ok || next.After(u.now) {
			// On the first pass every summary is rewritten once, so that it carries its key;
			// after, only one found in a bucket that is no longer its own.
			if full || !sameBucket(u.reviewKeys(s), reviewDueIndex, r.day) {
				_, err := u.putSummary(Actor{}, s, s, version)
				return nil, err
			}
			return nil, nil
		}
		swept, events := s.SweepReview(lead, u.now)
		if _, err := u.putSummary(Actor{}, s, swept, version); err != nil {
			return nil, err
		}
		for _, e := range events {
			if err := u.deliver(reviewNoticesOf(e)...); err != nil {
				return nil, err
			}
		}
		return func(res *SweepResult) { res.ReviewNotices += len(events) }, nil
	}, res)
}

// sameBucket reports whether keys hold the bucket day of index.
func sameBucket(keys []IndexKey, index, day string) bool {
	for _, k := range keys {
		if k.Name == index && k.Value == day {
			return true
		}
	}
	return false
}

// sweepPass runs one day-bucketed pass: it lists, in a read-only unit, the records of kind in
// the buckets of index from the job's cursor to today (or, with no cursor yet, those all lists),
// works each in a unit of its own, adding to res only what a committed unit did, and moves the
// cursor on.
func (g *Gateway) sweepPass(ctx context.Context, job, index string, all func(*uow) ([]string, error), kind Kind,
	work func(u *uow, r dueRecord, full bool) (func(*SweepResult), error), res *SweepResult) error {
	today := g.Now()
	var due []dueRecord
	var full bool
	var reached string
	err := g.view(ctx, func(u *uow) error {
		cur, found, err := u.loadCursor(job)
		if err != nil {
			return err
		}
		reached = cur.Day
		if full = !found; full {
			ids, err := all(u)
			for _, id := range ids {
				due = append(due, dueRecord{id: id})
			}
			return err
		}
		for _, day := range daysThrough(cur.Day, today) {
			ids, err := u.listIDs(kind, key(index, day))
			if err != nil {
				return err
			}
			for _, id := range ids {
				due = append(due, dueRecord{id: id, day: day})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range due {
		// add is set by the attempt that commits: a conflicting attempt is run again, and
		// counting inside it would count what another instance raised.
		var add func(*SweepResult)
		err := g.update(ctx, func(u *uow) error {
			var err error
			add, err = work(u, r, full)
			return err
		})
		if err != nil {
			return err
		}
		if add != nil {
			add(res)
		}
	}
	if reached == today.UTC().Format(time.DateOnly) {
		return nil // the cursor is already at today: nothing to move
	}
	return g.advanceCursor(ctx, job, today)
}

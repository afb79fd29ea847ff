package agreement

import "time"

// EventType names what happened to a flow. Its text is stable: hosts route notifications on it.
type EventType string

// The event types.
const (
	// EventReviewRequested: DPOs were asked to review the flow (FLOW-5). DPOs lists them; the
	// Gateway notifies each.
	EventReviewRequested EventType = "flow.dpo_review_requested"
	// EventApproved: a DPO approved (FLOW-6). Requester asked for that DPO's review and is
	// notified (FLOW-9).
	EventApproved EventType = "flow.dpo_approved"
	// EventRejected: a DPO rejected, with details (FLOW-6). Requester is notified (FLOW-9).
	EventRejected EventType = "flow.dpo_rejected"
	// EventRereviewRequested: the creator answered a rejection (FLOW-7). DPOs holds the one DPO
	// asked to review again.
	EventRereviewRequested EventType = "flow.rereview_requested"
	// EventFinalised: the creating organisation finalised the flow; it may now go to sign-off.
	// Parties lists the organisations named in it.
	EventFinalised EventType = "flow.finalised"
)

// Event is what a flow command raised, with the IDs the Gateway needs to find recipients. The
// Gateway turns events into outbox notifications in the same unit of work as the change (NOTE-1).
type Event struct {
	Type      EventType `json:"type"`
	FlowID    FlowID    `json:"flow_id"`
	SummaryID SummaryID `json:"summary_id"`
	// Actor did the command.
	Actor Actor     `json:"actor"`
	At    time.Time `json:"at"`
	// Requester is, for a decision, the user who asked for that DPO's review (FLOW-9).
	Requester UserID `json:"requester,omitzero"`
	// DPOs are, for a (re-)review request, the DPOs asked, with their organisations.
	DPOs []Reviewer `json:"dpos,omitempty"`
	// Parties are, for finalisation, the organisations named in the flow.
	Parties []OrgID `json:"parties,omitempty"`
	// Related is, for a variation made, the original; for a supersession, the variation that
	// superseded the flow (SIGN-6).
	Related FlowID `json:"related,omitzero"`
	// ReviewBy is, for a review request, the date the review is asked for.
	ReviewBy time.Time `json:"review_by,omitzero"`
	// Signers are, for a sign-off request, the users asked and their organisations (SIGN-1).
	Signers []Signer `json:"signers,omitempty"`
	// SignBy is, for a sign-off request or a late signature, the sign-by date (SIGN-3).
	SignBy time.Time `json:"sign_by,omitzero"`
	// Note carries the decision's details, the re-review's changes or the request's comment.
	Note string `json:"note,omitempty"`

	// ---- the end of the lifecycle (LIFE-1…LIFE-4) ----
	// Org is the organisation the event is about: the one giving notice or leaving (LIFE-3),
	// the one that raised the dispute (LIFE-4).
	Org OrgID `json:"org,omitzero"`
	// Dispute is the dispute's number (LIFE-4).
	Dispute int `json:"dispute,omitempty"`
	// Due is the date the event is about: the review date (LIFE-1), the end of retention
	// (LIFE-2), the escalation's due date (LIFE-4).
	Due time.Time `json:"due,omitzero"`
}

// Event types of the end of the lifecycle (LIFE-1…LIFE-4). Parties lists the organisations
// concerned; the Gateway says which of their roles are told.
const (
	// EventNoticeGiven: a party gave notice to leave (Org, Note: its reason); Parties are the
	// other parties, asked to approve or reject it (LIFE-3).
	EventNoticeGiven EventType = "flow.notice_given"
	// EventNoticeApproved: a party approved Org's notice; Requester gave it (LIFE-3).
	EventNoticeApproved EventType = "flow.notice_approved"
	// EventNoticeRejected: a party rejected Org's notice with its reason (Note); Requester gave
	// it, and may give notice again (LIFE-3).
	EventNoticeRejected EventType = "flow.notice_rejected"
	// EventNoticeWithdrawn: Org withdrew its notice; Parties are the other parties (LIFE-3).
	EventNoticeWithdrawn EventType = "flow.notice_withdrawn"
	// EventPartyWithdrawn: every other party approved, so Org left the flow; Parties are the
	// remaining parties and Org (LIFE-3).
	EventPartyWithdrawn EventType = "flow.party_withdrawn"
	// EventTerminated: fewer than two organisations, or no sender or receiver, remain: the flow
	// is Terminated. Parties are the remaining parties and those that just left (LIFE-3).
	EventTerminated EventType = "flow.terminated"
	// EventDisputeRaised: Org raised dispute number Dispute (Note: its description); Parties are
	// the other parties (LIFE-4).
	EventDisputeRaised EventType = "flow.dispute_raised"
	// EventDisputeEscalated: a dispute unresolved after 7 days goes to every party's Senior
	// Officers (LIFE-4). Raised by SweepFlow.
	EventDisputeEscalated EventType = "flow.dispute_escalated"
	// EventDisputeMediation: a dispute unresolved 14 days after its escalation is marked for
	// mediation (LIFE-4). Raised by SweepFlow.
	EventDisputeMediation EventType = "flow.dispute_mediation"
	// EventDisputeResolved: a party recorded the dispute's resolution (Note) (LIFE-4).
	EventDisputeResolved EventType = "flow.dispute_resolved"
	// EventArchived: the flow was archived (Note: why; Due: the end of retention) (LIFE-2).
	EventArchived EventType = "flow.archived"
	// EventRetentionExtended: the retention was extended to Due, for the reason in Note (LIFE-2).
	EventRetentionExtended EventType = "flow.retention_extended"
	// EventRetentionEnded: the archived flow's retention period ended at Due; its parties may
	// approve its deletion (LIFE-2). Raised by SweepFlow.
	EventRetentionEnded EventType = "flow.retention_ended"
	// EventDeleted: the archived flow was deleted; its Disposal record remains (LIFE-2). Raised
	// by the Gateway, which deletes.
	EventDeleted EventType = "flow.deleted"
	// EventReviewUpcoming: the summary's review falls due on Due; Parties holds its creating
	// organisation (LIFE-1). Raised by Summary.SweepReview.
	EventReviewUpcoming EventType = "summary.review_upcoming"
	// EventReviewDue: the summary's review is due (Due); Parties holds its creating organisation
	// (LIFE-1). Raised by Summary.SweepReview.
	EventReviewDue EventType = "summary.review_due"
)

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
	// Note carries the decision's details, the re-review's changes or the request's comment.
	Note string `json:"note,omitempty"`
}

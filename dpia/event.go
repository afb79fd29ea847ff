package dpia

import "time"

// EventType names what happened to a DPIA. Its text is stable: hosts route notifications on it.
type EventType string

// The event types. Every one is told to contributors only (To), so a notification never tells a
// non-contributor anything of a DPIA (DPIA-2).
const (
	// EventContributorAdded: a user was made a contributor (DPIA-2); To is that user.
	EventContributorAdded EventType = "dpia.contributor_added"
	// EventTaskAssigned: a task was assigned (DPIA-5); To is the assignee.
	EventTaskAssigned EventType = "dpia.task_assigned"
	// EventApprovalRequested: the DPIA was submitted (DPIA-6); To are its approvers.
	EventApprovalRequested EventType = "dpia.approval_requested"
	// EventReturned: an evaluator returned a section for correction (DPIA-9); To are the
	// contributors.
	EventReturned EventType = "dpia.returned_for_correction"
	// EventActionAssigned: an improvable section's corrective action joined the action plan
	// (DPIA-9); To is its owner.
	EventActionAssigned EventType = "dpia.action_assigned"
	// EventApproved: the last named approver approved (DPIA-6); To are the contributors.
	EventApproved EventType = "dpia.approved"
	// EventRejected: an approver rejected, with comments (DPIA-6); To are the contributors.
	EventRejected EventType = "dpia.rejected"
	// EventReviewDue: the review date was reached (DPIA-8); To are the contributors.
	EventReviewDue EventType = "dpia.review_due"
	// EventConsultationOverdue: the ICO's answer to a prior consultation is overdue (DPIA-7); To
	// are the contributors.
	EventConsultationOverdue EventType = "dpia.consultation_overdue"
	// EventActionOverdue: an action of the plan is past its due date (DPIA-9); To is its owner.
	EventActionOverdue EventType = "dpia.action_overdue"
)

// EventTypes lists every event type, for a host's notification settings.
func EventTypes() []EventType {
	return []EventType{EventContributorAdded, EventTaskAssigned, EventApprovalRequested, EventReturned, EventActionAssigned,
		EventApproved, EventRejected, EventReviewDue, EventConsultationOverdue, EventActionOverdue}
}

// Event is what a DPIA command raised. The Gateway turns events into outbox notifications in the
// same unit of work as the change (NOTE-1), one per user in To.
type Event struct {
	Type     EventType  `json:"type"`
	DPIA     ID         `json:"dpia"`
	Activity ActivityID `json:"activity"`
	// Org is the DPIA's organisation.
	Org OrgID `json:"org"`
	// Actor did the command; zero for the sweep.
	Actor Actor     `json:"actor"`
	At    time.Time `json:"at"`
	// To are who is told.
	To []Member `json:"to"`
	// Note carries a rejection's or a return's comments.
	Note string `json:"note,omitempty"`
}

package agreement

import (
	"strings"
	"time"

	"github.com/isgkit/gateway/isg/violation"
)

// Decision is a DPO's answer to a review request.
type Decision string

// The decisions. The empty Decision means the DPO has not answered yet.
const (
	DecisionApproved Decision = "approved"
	DecisionRejected Decision = "rejected"
)

// DPOReview is one DPO's part in a flow's review (FLOW-5…FLOW-7): who asked, the DPO's latest
// decision and the content revision it was given on. A DPO has one record per flow; a later
// decision replaces the earlier one (the transaction log keeps the history).
type DPOReview struct {
	// DPO is the reviewing user; Org the party organisation the DPO reviews for.
	DPO UserID `json:"dpo"`
	Org OrgID  `json:"org"`
	// RequestedBy asked for the review (or the latest re-review) and is told of the decision
	// (FLOW-9).
	RequestedBy UserID    `json:"requested_by"`
	RequestedAt time.Time `json:"requested_at"`
	ReviewBy    time.Time `json:"review_by"`
	// Awaiting is true while a requested review or re-review is unanswered.
	Awaiting bool     `json:"awaiting"`
	Decision Decision `json:"decision,omitempty"`
	// Details are the DPO's reasons and comments.
	Details   string    `json:"details,omitempty"`
	DecidedAt time.Time `json:"decided_at,omitzero"`
	// DecidedRev is the flow's Rev the decision was given on: an approval counts only while the
	// flow is still at that revision (FLOW-8).
	DecidedRev int64 `json:"decided_rev,omitempty"`
	// RereviewNote says what the creator changed in answer to a rejection (FLOW-7).
	RereviewNote string    `json:"rereview_note,omitempty"`
	RereviewAt   time.Time `json:"rereview_at,omitzero"`
	// Withdrawn is set when the DPO's organisation left the flow: the record stays for the
	// history but no longer counts or may be acted on.
	Withdrawn bool `json:"withdrawn,omitempty"`
}

// OpenRejection reports whether the review is a rejection not yet superseded by the same DPO's
// next decision (FLOW-6, FLOW-7). A re-review request does not close it.
func (r DPOReview) OpenRejection() bool { return !r.Withdrawn && r.Decision == DecisionRejected }

// ApprovalOf reports whether the review approves revision rev of the flow (FLOW-8).
func (r DPOReview) ApprovalOf(rev int64) bool {
	return !r.Withdrawn && r.Decision == DecisionApproved && r.DecidedRev == rev
}

// HasOpenRejection reports whether any DPO's rejection is open.
func (f Flow) HasOpenRejection() bool {
	for _, r := range f.Reviews {
		if r.OpenRejection() {
			return true
		}
	}
	return false
}

// HasCurrentApproval reports whether a DPO approved the flow's current content revision.
func (f Flow) HasCurrentApproval() bool {
	for _, r := range f.Reviews {
		if r.ApprovalOf(f.Rev) {
			return true
		}
	}
	return false
}

// ReviewByPassed reports whether the review-by date has passed at now (FLOW-8). A flow never sent
// for review has no date and so never passes.
func (f Flow) ReviewByPassed(now time.Time) bool {
	return !f.ReviewBy.IsZero() && now.After(f.ReviewBy)
}

// reviewOf returns the index of the DPO's live review record for org, or -1.
func (f Flow) reviewOf(dpo UserID, org OrgID) int {
	for i, r := range f.Reviews {
		if r.DPO == dpo && r.Org == org && !r.Withdrawn {
			return i
		}
	}
	return -1
}

// Reviewer names a DPO asked to review a flow and the party organisation the DPO reviews for.
type Reviewer struct {
	DPO UserID `json:"dpo" validate:"required"`
	Org OrgID  `json:"org" validate:"required"`
}

// ReviewRequest asks DPOs of the flow's organisations to review it by a date (FLOW-5). The Gateway
// checks that each user holds the DPO role at the organisation named (ROLE-6).
type ReviewRequest struct {
	DPOs     []Reviewer `json:"dpos" validate:"min=1,max=100,dive" rule:"FLOW-5"`
	ReviewBy time.Time  `json:"review_by" validate:"required,instant" rule:"FLOW-5"`
	// Comment goes to the DPOs with the request.
	Comment string `json:"comment,omitempty" validate:"max=4000"`
}

// Verdict is a DPO's decision with its details (FLOW-6). Details are required for a rejection,
// since the creator must know what to change.
type Verdict struct {
	Details string `json:"details"`
}

// maxNote bounds free-text notes of decisions and re-reviews.
const maxNote = 8000

// check validates by hand: these inputs are one or two fields, and the validator's reflection
// would cost more than the transition they guard.
func (v Verdict) check(rejection bool) error {
	switch {
	case rejection && strings.TrimSpace(v.Details) == "":
		return violation.Field("details", "required", "FLOW-6", "a rejection must say why")
	case len(v.Details) > maxNote:
		return violation.Field("details", "max", "FLOW-6", "must be at most 8000 characters")
	}
	return nil
}

// Rereview answers one DPO's rejection (FLOW-7): what the creator changed.
type Rereview struct {
	DPO     UserID `json:"dpo"`
	Changes string `json:"changes"`
}

func (r Rereview) check() error {
	var f []FieldError
	if r.DPO.IsZero() {
		f = append(f, fieldErr("dpo", "required", "FLOW-7", "is required"))
	}
	switch {
	case strings.TrimSpace(r.Changes) == "":
		f = append(f, fieldErr("changes", "required", "FLOW-7", "must say what changed"))
	case len(r.Changes) > maxNote:
		f = append(f, fieldErr("changes", "max", "FLOW-7", "must be at most 8000 characters"))
	}
	if len(f) > 0 {
		return violation.Invalid(f...)
	}
	return nil
}

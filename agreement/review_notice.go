package agreement

import (
	"time"

	"github.com/isgkit/gateway/isg/violation"
)

// DefaultReviewNoticeMonths is how many months before a summary's review date its creating
// organisation is told the review is coming, unless the host sets another lead time (LIFE-1).
const DefaultReviewNoticeMonths = 3

// ReviewNotices records the notices the periodic sweep has sent about one review date of a
// summary (LIFE-1), so that each is sent once. It counts only for the review date it names: a
// new review (MarkReviewed) or a changed review cycle moves the date and so starts afresh.
type ReviewNotices struct {
	// DueAt is the review date the notices are about.
	DueAt time.Time `json:"due_at"`
	// AdvanceAt is when the advance notice was sent; zero when it was not (none was due yet, the
	// lead time is off, or the review was already due when the sweep first looked).
	AdvanceAt time.Time `json:"advance_at,omitzero"`
	// DueNoticeAt is when the notice that the review is due was sent.
	DueNoticeAt time.Time `json:"due_notice_at,omitzero"`
}

// notices returns what has been sent about the current review date.
func (s Summary) notices() ReviewNotices {
	due := s.ReviewDueAt()
	if !s.ReviewNotices.DueAt.Equal(due) {
		return ReviewNotices{DueAt: due}
	}
	return s.ReviewNotices
}

// cycleStart is when the current review cycle began: the last review, or the creation.
func (s Summary) cycleStart() time.Time {
	if s.LastReviewedAt.IsZero() {
		return s.CreatedAt
	}
	return s.LastReviewedAt
}

// AdvanceNoticeAt is when the advance notice of the current review falls: leadMonths calendar
// months before the review date (LIFE-1). ok is false when leadMonths is 0 or less, and when that
// instant is not after the start of the cycle — a cycle no longer than the lead time — since a
// notice at once that a review is coming, just after the last one, only adds noise: the notice
// that the review is due still goes.
func (s Summary) AdvanceNoticeAt(leadMonths int) (time.Time, bool) {
	if leadMonths <= 0 {
		return time.Time{}, false
	}
	at := s.ReviewDueAt().AddDate(0, -leadMonths, 0)
	if !at.After(s.cycleStart()) {
		return time.Time{}, false
	}
	return at, true
}

// NextReviewNotice is when SweepReview next has a notice to send for the summary (LIFE-1): the
// advance notice, then the notice that the review is due. ok is false once both are sent (until
// the next review).
func (s Summary) NextReviewNotice(leadMonths int) (time.Time, bool) {
	n := s.notices()
	if !n.DueNoticeAt.IsZero() {
		return time.Time{}, false
	}
	if at, ok := s.AdvanceNoticeAt(leadMonths); ok && n.AdvanceAt.IsZero() {
		return at, true
	}
	return n.DueAt, true
}

// SweepReview sends what is due at now about the summary's review and records it, so that each
// notice goes once (LIFE-1): the notice that the review is due once ReviewDue; before that, the
// advance notice once AdvanceNoticeAt is reached. A review found already due gets only the due
// notice: an advance notice then would say nothing more. Nothing due returns s itself and no
// events. The events name the creating organisation in Parties; it is the one notified.
func (s Summary) SweepReview(leadMonths int, now time.Time) (Summary, []Event) {
	now = now.UTC()
	n := s.notices()
	if !n.DueNoticeAt.IsZero() {
		return s, nil
	}
	var t EventType
	switch advance, ok := s.AdvanceNoticeAt(leadMonths); {
	case !now.Before(n.DueAt):
		n.DueNoticeAt, t = now, EventReviewDue
	case ok && n.AdvanceAt.IsZero() && !now.Before(advance):
		n.AdvanceAt, t = now, EventReviewUpcoming
	default:
		return s, nil
	}
	out := s
	out.ReviewNotices = n
	return out, []Event{{Type: t, SummaryID: s.ID, At: now, Parties: []OrgID{s.CreatedByOrg}, Due: n.DueAt}}
}

// RecordReview records a review of the sharing by actor's organisation at time at, with an
// optional note of what it found (LIFE-1): it starts a new review cycle, so the review date
// moves on and its notices start afresh (MarkReviewed).
//
// Errors: ErrForbidden (SUM-3) when the actor's organisation may not see the summary; ErrInvalid
// for a note over 4000 characters.
func (s Summary) RecordReview(actor Actor, at time.Time, note string) (Summary, error) {
	if len(note) > maxReason {
		return s, violation.Field("note", "max", "LIFE-1", "must be at most 4000 characters")
	}
	n, err := s.MarkReviewed(actor, at)
	if err != nil {
		return s, err
	}
	n.ReviewNote = note
	return n, nil
}

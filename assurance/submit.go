package assurance

import (
	"strings"
	"time"

	"github.com/isgkit/gateway/isg/violation"
)

// EventType names what happened. Its text is stable: a host may route notifications and log
// entries on it.
type EventType string

// The events this package raises.
const (
	// EventSubmitted: a submission was made (Submit). From is the rating just before, To the new
	// one. Raised on every submission, for the record; partners are told only by the events below.
	EventSubmitted EventType = "assurance.submitted"
	// EventRatingChanged: the organisation's rating level changed (ASR-5), by a submission or
	// because its ICO registration expired (Sweep). Every organisation it shares with is to be
	// notified.
	EventRatingChanged EventType = "assurance.rating_changed"
	// EventRatingExpired: the submission reached its one-year expiry and the rating is now
	// Expired (ASR-3, ASR-5); notified like EventRatingChanged.
	EventRatingExpired EventType = "assurance.rating_expired"
)

// Event records one change so that the Gateway can log it and notify partners (ASR-5, NOTE-1).
type Event struct {
	Type EventType `json:"type"`
	// At is when the change took effect: the submission time, or for Sweep the expiry instant.
	At  time.Time `json:"at"`
	Org OrgID     `json:"org_id"`
	// User is the submitter; zero for events raised by the passage of time.
	User UserID `json:"user_id,omitzero"`
	// From and To are the organisation's ratings before and after.
	From Rating `json:"from"`
	To   Rating `json:"to"`
}

// Notifies reports whether the event must be sent to the organisation's sharing partners
// (ASR-5).
func (e Event) Notifies() bool {
	return e.Type == EventRatingChanged || e.Type == EventRatingExpired
}

// Clone returns a deep copy of s, sharing no memory with it.
func (s Submission) Clone() Submission {
	s.DSPToolkit = s.DSPToolkit.clone()
	return s
}

// normalise trims the free-text answers and upper-cases the ICO number, so that stored
// submissions compare and search alike and a blank answer is an empty one for Rate. It works on
// a copy: the caller's answers and toolkit are left alone.
func normalise(a Answers) Answers {
	a.ICONumber = strings.ToUpper(strings.TrimSpace(a.ICONumber))
	a.Standard = Standard(strings.TrimSpace(string(a.Standard)))
	a.StandardOther = strings.TrimSpace(a.StandardOther)
	a.PrivacyNoticeURL = strings.TrimSpace(a.PrivacyNoticeURL)
	a.PrivacyNoticeDocument = strings.TrimSpace(a.PrivacyNoticeDocument)
	a.ImprovementPlan = strings.TrimSpace(a.ImprovementPlan)
	a.DSPToolkit = a.DSPToolkit.clone()
	if d := a.DSPToolkit; d != nil {
		d.NotMetReason = strings.TrimSpace(d.NotMetReason)
		d.Evidence = strings.TrimSpace(d.Evidence)
	}
	return a
}

// Submit makes org's new submission from the answers given by user by at now (ASR-1), replacing
// prev, the organisation's current submission (nil if none). It validates the result (Validate,
// ASR-1 and ASR-4) and returns it with its events: always EventSubmitted, and also
// EventRatingChanged when the rating level differs from prev's rating at now (ASR-5). prev's
// rating at now is Expired if prev has expired and NotSubmitted if prev is nil, so a first
// submission or a renewal after expiry always changes the rating.
//
// Free text is trimmed and the ICO number upper-cased; SubmittedAt is now in UTC. Neither prev
// nor the answers are modified, and the result shares no memory with them.
//
// Errors: a *Error of kind ErrInvalid listing the bad fields (see Validate); also when prev
// belongs to another organisation (field org_id, code "mismatch"), which is the caller's bug.
func Submit(prev *Submission, answers Answers, by UserID, org OrgID, now time.Time) (Submission, []Event, error) {
	if prev != nil && prev.Org != org {
		return Submission{}, nil, violation.Field("org_id", "mismatch", ruleContent,
			"the previous submission belongs to another organisation")
	}
	s := Submission{Answers: normalise(answers), Org: org, SubmittedBy: by, SubmittedAt: now.UTC()}
	if err := Validate(s, s.SubmittedAt); err != nil {
		return Submission{}, nil, err
	}
	from, to := Rate(prev, s.SubmittedAt), Rate(&s, s.SubmittedAt)
	events := make([]Event, 1, 2)
	events[0] = Event{Type: EventSubmitted, At: s.SubmittedAt, Org: org, User: by, From: from, To: to}
	if Changed(from, to) {
		events = append(events, Event{Type: EventRatingChanged, At: s.SubmittedAt, Org: org, User: by, From: from, To: to})
	}
	return s, events, nil
}

// ExpiredBetween reports whether s reaches its one-year expiry (ASR-3) in the half-open interval
// (from, to]: it was not Expired at from and is at to. Consecutive sweeps over (t0, t1], (t1, t2],
// … therefore see each expiry exactly once. A nil s never expires.
func ExpiredBetween(s *Submission, from, to time.Time) bool {
	if s == nil {
		return false
	}
	e := ExpiresAt(s)
	return from.Before(e) && !to.Before(e)
}

// NextChange returns the first instant after after at which the passage of time alone changes
// what Rate computes for s — the ICO registration's expiry or the submission's — and false when
// there is none. A host may use it to schedule its sweep; Sweep decides whether the level
// actually changes then.
func NextChange(s *Submission, after time.Time) (time.Time, bool) {
	if s == nil {
		return time.Time{}, false
	}
	e := ExpiresAt(s)
	if !after.Before(e) {
		return time.Time{}, false
	}
	if ico := s.ICOExpiresAt; s.ICONumber != "" && after.Before(ico) && ico.Before(e) {
		return ico, true
	}
	return e, true
}

// Sweep returns the event to raise when s's rating level changed by the passage of time alone
// in the half-open interval (from, to] (ASR-5): EventRatingExpired when the submission expired
// (ASR-3), EventRatingChanged when its ICO registration lapsed and lowered the level. It returns
// false when the level is the same at to as at from. Run over consecutive windows, it raises
// each change exactly once; a window holding both changes raises one event, from the rating at
// from to the rating at to, at the later instant. A window starting before s.SubmittedAt is
// taken to start at it, because Submit already reported the rating the submission began with.
func Sweep(s *Submission, from, to time.Time) (Event, bool) {
	if s == nil {
		return Event{}, false
	}
	if from.Before(s.SubmittedAt) {
		from = s.SubmittedAt
	}
	if !from.Before(to) {
		return Event{}, false
	}
	r0, r1 := Rate(s, from), Rate(s, to)
	if !Changed(r0, r1) {
		return Event{}, false
	}
	ev := Event{Type: EventRatingChanged, Org: s.Org, From: r0, To: r1}
	if r1.Level == LevelExpired {
		ev.Type, ev.At = EventRatingExpired, ExpiresAt(s)
	} else {
		ev.At = s.ICOExpiresAt
	}
	return ev, true
}

package support

import (
	"slices"
	"time"

	"github.com/isgkit/gateway/licensing"
)

// State is where a support request is (SUP-1). Its text is stable: it is stored.
type State string

// The request states: Open → Answered → Resolved, or Open → Escalated → AnsweredByCentral →
// Resolved; an answered or resolved request may be reopened (back to Open) within ReopenDays.
const (
	// Open: with the group's Super Administrators, who answer or escalate it.
	Open State = "open"
	// Answered: a Super Administrator answered; the requester resolves it or reopens it.
	Answered State = "answered"
	// Escalated: with the central admin team, escalated by a Super Administrator who could not
	// resolve it.
	Escalated State = "escalated"
	// AnsweredByCentral: the central team answered; the requester resolves it or reopens it.
	AnsweredByCentral State = "answered_by_central"
	// Resolved: done. The requester's side may reopen it within ReopenDays.
	Resolved State = "resolved"
)

// States lists every state, in lifecycle order.
func States() []State { return []State{Open, Answered, Escalated, AnsweredByCentral, Resolved} }

// Valid reports whether s is one of the states.
func (s State) Valid() bool {
	switch s {
	case Open, Answered, Escalated, AnsweredByCentral, Resolved:
		return true
	}
	return false
}

// ReopenDays is how long after its answer (or its resolution) the requester's side may reopen a
// request (SUP-1): 14 calendar days, to the same time of day, after which reopening is refused.
const ReopenDays = 14

// The bounds of a request's free text, which is stored and sent in notifications.
const (
	MaxSubject = 200
	MaxText    = 10_000
)

// Side is who took a step: the requester's side, the group's Super Administrators or the
// central admin team. Its text is stable.
type Side string

// The sides.
const (
	// SideRequester is the requester, or an Administrator of the requester's organisation.
	SideRequester Side = "requester"
	// SideSuperAdmin is a Super Administrator of the request's group.
	SideSuperAdmin Side = "super_admin"
	// SideCentral is the central admin team.
	SideCentral Side = "central"
)

// EntryKind is what an entry of a request's history records. Its text is stable.
type EntryKind string

// The entry kinds.
const (
	EntryRaised            EntryKind = "raised"
	EntryAnswered          EntryKind = "answered"
	EntryEscalated         EntryKind = "escalated"
	EntryAnsweredByCentral EntryKind = "answered_by_central"
	EntryResolved          EntryKind = "resolved"
	EntryReopened          EntryKind = "reopened"
	// EntryMoved: the requesting organisation was merged into another (ORG-6), which the
	// request moved to (with its group, when the survivor has one).
	EntryMoved EntryKind = "moved"
)

// Entry is one step of a request's history. Entries are only ever appended: the history is the
// record of who said what, when (a merge appends an EntryMoved and changes nothing before it).
type Entry struct {
	Kind EntryKind `json:"kind"`
	By   UserID    `json:"by"`
	As   Side      `json:"as,omitempty"`
	At   time.Time `json:"at"`
	// Text is the step's text: the description, the answer, the escalation note, the reason for
	// reopening, the resolution note.
	Text string `json:"text,omitempty"`
	// FromOrg and FromGroup are, on an EntryMoved, the organisation and group the request left.
	FromOrg   OrgID   `json:"from_org,omitzero"`
	FromGroup GroupID `json:"from_group,omitzero"`
}

// Request is a support request (SUP-1): raised by a user of an organisation to its group's
// Super Administrators, who answer it or escalate it to the central admin team.
//
// A Request is a value: every method returns a new Request and leaves its receiver, and the
// backing array of its Entries, unchanged.
type Request struct {
	ID RequestID `json:"id"`
	// Org is the requesting organisation; Group the licensing group whose Super Administrators
	// answer (GroupOf).
	Org         OrgID     `json:"org"`
	Group       GroupID   `json:"group"`
	Subject     string    `json:"subject"`
	Description string    `json:"description"`
	State       State     `json:"state"`
	RaisedBy    UserID    `json:"raised_by"`
	RaisedAt    time.Time `json:"raised_at"`
	// EscalatedAt is when a Super Administrator last escalated it; once set it stays set, so the
	// central team keeps seeing what it was asked (SUP-2).
	EscalatedAt time.Time `json:"escalated_at,omitzero"`
	// AnsweredAt is the last answer's time; ResolvedAt the resolution's (zero while unresolved).
	AnsweredAt time.Time `json:"answered_at,omitzero"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
	// Entries is the history, oldest first.
	Entries []Entry `json:"entries"`
	// Version is the stored version, filled in by the Gateway; a step names the version it was
	// taken on (StepInput.Seen).
	Version int64 `json:"version"`
}

// Clone returns a deep copy of r: its entries are its own.
func (r Request) Clone() Request {
	r.Entries = slices.Clone(r.Entries)
	return r
}

// Escalated reports whether the request was ever escalated to the central team.
func (r Request) Escalated() bool { return !r.EscalatedAt.IsZero() }

// ReopenUntil is when the requester's side can no longer reopen the request: ReopenDays after its
// resolution when resolved, else after its last answer; zero for a request never answered nor
// resolved (which is not reopened: it is still open).
func (r Request) ReopenUntil() time.Time {
	since := r.AnsweredAt
	if r.State == Resolved {
		since = r.ResolvedAt
	}
	if since.IsZero() {
		return time.Time{}
	}
	return since.AddDate(0, 0, ReopenDays)
}

// Settled reports whether the request is done for good at now: resolved, and its reopening
// window has passed. A merge moves every request that is not settled (ORG-6).
func (r Request) Settled(now time.Time) bool {
	return r.State == Resolved && !now.Before(r.ReopenUntil())
}

// Actor is what the acting or reading user is to a request, as the Gateway found it: the rules
// here decide what that lets them see and do.
type Actor struct {
	User UserID
	// Member: the user holds a role at the request's organisation. The requester counts as the
	// requester while they do: one who has left it no longer sees the request (SUP-2).
	Member bool
	// Administrator: the user is an Administrator of the request's organisation.
	Administrator bool
	// SuperAdmin: the user is a Super Administrator of the request's group.
	SuperAdmin bool
	// Central: the user is of the central admin team.
	Central bool
}

// requesterSide reports whether a is the requester, still a user of the requesting
// organisation, or an Administrator of it.
func (r Request) requesterSide(a Actor) bool {
	return (!a.User.IsZero() && a.User == r.RaisedBy && a.Member) || a.Administrator
}

// VisibleTo reports whether a may see the request (SUP-2): the requester (while a user of the
// requesting organisation), the Administrators of the requester's organisation, the group's Super Administrators and, once it was escalated, the
// central admin team; nobody else. The Gateway answers anyone else exactly as for an unknown ID
// (NotFound), in reads, listings and totals.
func (r Request) VisibleTo(a Actor) bool {
	return r.requesterSide(a) || a.SuperAdmin || (a.Central && r.Escalated())
}

// GroupOf is the licensing group whose Super Administrators answer org's support requests
// (SUP-1), found among the contracts given (those org holds licences under, and the one it chose
// as its licensing group, licensingGroup, when it chose one): the active contract under which org
// holds a valid group licence at now, else the contract of its licensing group while that is
// active — a free-licence organisation in a group, whose requests its Super Administrators answer
// but cannot escalate (LIC-3). ok is false when there is neither: the organisation has no one to
// raise support with (CodeNoGroup).
func GroupOf(org OrgID, licensingGroup string, contracts []licensing.Contract, now time.Time) (c licensing.Contract, ok bool) {
	for i := range contracts {
		if licensing.EntitlementFor(org, contracts[i:i+1], now).Has(licensing.Group) {
			return contracts[i], true
		}
	}
	for _, k := range contracts {
		if licensingGroup != "" && k.ID.String() == licensingGroup && k.Active(now) {
			return k, true
		}
	}
	return licensing.Contract{}, false
}

// Member reports whether org belongs to group c at now, for the group's resources (SUP-3): its
// contracting organisation, an organisation that chose c as its licensing group (licensingGroup,
// ORG-1), or one holding a valid licence under c.
func Member(c licensing.Contract, org OrgID, licensingGroup string, now time.Time) bool {
	return org == c.Org || (licensingGroup != "" && licensingGroup == c.ID.String()) ||
		licensing.EntitlementFor(org, []licensing.Contract{c}, now) != licensing.Free
}

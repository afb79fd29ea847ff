package directory

import "time"

// ClosureState is where a closure request is. Its text is stable: it is stored.
type ClosureState string

// Closure request states.
const (
	ClosureRequested ClosureState = "requested"
	ClosureClosed    ClosureState = "closed"
	ClosureDeclined  ClosureState = "declined"
	ClosureRestored  ClosureState = "restored"
	// ClosureEnded is a request that was pending when its organisation was merged into another
	// (ORG-6): it ended with the merge and takes no decision.
	ClosureEnded ClosureState = "ended"
)

// ClosureRequest asks for an organisation to be closed (ORG-7).
type ClosureRequest struct {
	ID          ClosureID    `json:"id"`
	Org         OrgID        `json:"org"`
	Reason      string       `json:"reason"`
	State       ClosureState `json:"state"`
	RequestedBy UserID       `json:"requested_by"`
	DecidedBy   UserID       `json:"decided_by,omitzero"`
	CreatedAt   time.Time    `json:"created_at"`
	ClosedAt    time.Time    `json:"closed_at,omitzero"`
	RestoredAt  time.Time    `json:"restored_at,omitzero"`
	// EndedByMerge is the merge that ended the request (state ended, ORG-6), at EndedAt.
	EndedByMerge MergeID   `json:"ended_by_merge,omitzero"`
	EndedAt      time.Time `json:"ended_at,omitzero"`
	// Version is the stored version, filled in by the Gateway.
	Version int64 `json:"version"`
}

// Decision is a decision on a closure request; its text is the trigger of the lifecycle.
type Decision string

// The decisions.
const (
	DecisionClose   Decision = "close"
	DecisionDecline Decision = "decline"
	DecisionRestore Decision = "restore"
)

// ClosureMachine is the closure lifecycle (ORG-7): requested → closed or declined; closed →
// restored; requested → ended when the organisation is merged into another (ORG-6). Every question about a request's state is the machine's; configured once by
// NewClosureMachine and safe for concurrent use.
type ClosureMachine struct {
	l *lifecycle[ClosureRequest, ClosureState]
}

// NewClosureMachine configures the closure lifecycle.
func NewClosureMachine() *ClosureMachine {
	l := newLifecycle("closure", ClosureRequested, func(c *ClosureRequest) ClosureState { return c.State }, func(c *ClosureRequest, s ClosureState) { c.State = s })
	l.sm.Configure(ClosureRequested).Permit(string(DecisionClose), ClosureClosed).Permit(string(DecisionDecline), ClosureDeclined).
		Permit(trEndWithMerge, ClosureEnded)
	l.sm.Configure(ClosureClosed).Permit(string(DecisionRestore), ClosureRestored)
	l.sm.Configure(ClosureDeclined)
	l.sm.Configure(ClosureRestored)
	l.sm.Configure(ClosureEnded)
	return &ClosureMachine{l: l}
}

// Graph returns the lifecycle as DOT text.
func (cm *ClosureMachine) Graph() string { return cm.l.graph() }

// Pending reports whether the request still awaits a decision.
func (cm *ClosureMachine) Pending(c ClosureRequest) bool { return cm.l.can(c, string(DecisionClose)) }

// trEndWithMerge ends a pending request when its organisation is merged: no one decides it.
const trEndWithMerge = "merge"

// Next lists the decisions the request may take now, for a host's UI.
func (cm *ClosureMachine) Next(c ClosureRequest) []Decision {
	var out []Decision
	for _, t := range cm.l.permitted(c) {
		if d := Decision(t); d.valid() {
			out = append(out, d)
		}
	}
	return out
}

func (d Decision) valid() bool {
	return d == DecisionClose || d == DecisionDecline || d == DecisionRestore
}

// EndWithMerge ends c, a request of an organisation being merged by the merge m (ORG-6: a pending
// closure request of a merged organisation ends with the merge), and reports whether it did: a
// request no longer pending is returned unchanged with false.
func (cm *ClosureMachine) EndWithMerge(c ClosureRequest, m MergeID, now time.Time) (ClosureRequest, bool) {
	if !cm.l.can(c, trEndWithMerge) {
		return c, false
	}
	next, err := cm.l.fire(c, trEndWithMerge)
	if err != nil {
		return c, false
	}
	next.EndedByMerge, next.EndedAt = m, now
	return next, true
}

// Request opens a request to close the open organisation o (ORG-7), refused while another of its
// requests (existing) is pending. The central admin team and the group's Super Administrators
// are told.
func (cm *ClosureMachine) Request(id ClosureID, o Organisation, reason string, by UserID, existing []ClosureRequest, now time.Time) (ClosureRequest, []Event, error) {
	if err := o.RequireOpen(); err != nil {
		return ClosureRequest{}, nil, err
	}
	for _, c := range existing {
		if cm.Pending(c) {
			return ClosureRequest{}, nil, refuse(ErrConflict, CodeClosurePending, "ORG-7", "a closure request is already open")
		}
	}
	c := ClosureRequest{ID: id, Org: o.ID, Reason: reason, State: ClosureRequested, RequestedBy: by, CreatedAt: now}
	return c, []Event{{Type: EventClosureRequested, Org: o.ID, Data: map[string]string{"closure": c.ID.String(), "reason": reason},
		To: Audience{CentralAdmins: true, SuperAdminsOf: []OrgID{o.ID}}}}, nil
}

// Decided is what a decision did.
type Decided struct {
	Request ClosureRequest
	// Org is the organisation, closed or restored; OrgChanged says it must be stored.
	Org        Organisation
	OrgChanged bool
	Events     []Event
}

// Decide applies by's decision to c, a request of the organisation o (ORG-7): closing closes o
// (its agreements and history are kept), restoring reopens it, declining ends the request. The
// organisation's Administrators and Senior Officers are told of a closure or a restoration.
//
// A merged organisation takes no decision ("organisation.closed", ORG-7): it is neither closed
// nor restored, whatever its request's state (ORG-6).
func (cm *ClosureMachine) Decide(c ClosureRequest, o Organisation, d Decision, by UserID, now time.Time) (Decided, error) {
	if !d.valid() {
		return Decided{}, refuse(ErrInvalidTransition, CodeClosureInvalidTransition, "ORG-7", "no decision "+string(d))
	}
	if o.Status == OrgMerged {
		return Decided{}, refuse(ErrRule, CodeOrganisationClosed, "ORG-7", "the organisation was merged into another")
	}
	next, err := cm.l.fire(c, string(d))
	if err != nil {
		return Decided{}, err
	}
	next.DecidedBy = by
	out := Decided{Request: next, Org: o}
	var event string
	switch d {
	case DecisionClose:
		out.Org.Status, out.Org.ClosedAt, out.Request.ClosedAt, event = OrgClosed, now, now, EventOrganisationClosed
	case DecisionRestore:
		out.Org.Status, out.Org.ClosedAt, out.Request.RestoredAt, event = OrgActive, time.Time{}, now, EventOrganisationRestored
	default:
		return out, nil
	}
	out.OrgChanged = true
	out.Events = []Event{{Type: event, Org: o.ID, Data: map[string]string{"closure": next.ID.String()},
		To: Audience{Roles: Of(Administrator, SeniorOfficer), RolesAt: []OrgID{o.ID}}}}
	return out, nil
}

package directory

import (
	"context"
	"slices"
	"time"
)

// MergeState is where a merge request is. Its text is stable: it is stored.
type MergeState string

// Merge request states.
const (
	MergePending   MergeState = "pending"
	MergeCompleted MergeState = "completed"
	MergeRejected  MergeState = "rejected"
)

// MergeRequest asks for organisations to be merged into a surviving one (ORG-6).
type MergeRequest struct {
	ID        MergeID    `json:"id"`
	Survivor  OrgID      `json:"survivor"`
	Merging   []OrgID    `json:"merging"`
	Reason    string     `json:"reason"`
	State     MergeState `json:"state"`
	Approvals []OrgID    `json:"approvals,omitempty"`
	// RejectedBy is the organisation whose rejection ended the request.
	RejectedBy  OrgID     `json:"rejected_by,omitzero"`
	RequestedBy UserID    `json:"requested_by"`
	CreatedAt   time.Time `json:"created_at"`
	CompletedAt time.Time `json:"completed_at,omitzero"`
	// Version is the stored version, filled in by the Gateway.
	Version int64 `json:"version"`
}

// Involved lists the survivor and the organisations being merged in.
func (m MergeRequest) Involved() []OrgID { return append([]OrgID{m.Survivor}, m.Merging...) }

const (
	trComplete = "complete"
	trReject   = "reject"
)

// MergeMachine is the merge lifecycle (ORG-6): pending → completed when every organisation being
// merged in has approved, pending → rejected on any rejection. Every question about a request's
// state is the machine's; configured once by NewMergeMachine and safe for concurrent use.
type MergeMachine struct {
	l *lifecycle[MergeRequest, MergeState]
}

// NewMergeMachine configures the merge lifecycle.
func NewMergeMachine() *MergeMachine {
	l := newLifecycle("merge", MergePending, func(m *MergeRequest) MergeState { return m.State }, func(m *MergeRequest, s MergeState) { m.State = s })
	l.sm.Configure(MergePending).
		Permit(trComplete, MergeCompleted, everyMergingOrgApproved).
		Permit(trReject, MergeRejected)
	l.sm.Configure(MergeCompleted)
	l.sm.Configure(MergeRejected)
	return &MergeMachine{l: l}
}

func everyMergingOrgApproved(ctx context.Context, _ ...any) bool {
	m := subject[MergeRequest](ctx)
	for _, o := range m.Merging {
		if !slices.Contains(m.Approvals, o) {
			return false
		}
	}
	return true
}

// Graph returns the lifecycle as DOT text.
func (mm *MergeMachine) Graph() string { return mm.l.graph() }

// Open reports whether the request still takes answers.
func (mm *MergeMachine) Open(m MergeRequest) bool { return mm.l.can(m, trReject) }

// CheckParties refuses a merge naming an organisation twice or the survivor among those merged
// in (ORG-6). It needs only the IDs, so the Gateway asks it before loading anything.
func CheckParties(survivor OrgID, merging []OrgID) error {
	seen := map[OrgID]bool{survivor: true}
	for _, o := range merging {
		if seen[o] {
			return refuse(ErrRule, CodeMergeInvalidParty, "ORG-6", "an organisation is named twice or is the survivor itself")
		}
		seen[o] = true
	}
	return nil
}

// MergeInput is what a merge request states: who is merged into the survivor, and why.
type MergeInput struct {
	ID          MergeID
	Survivor    Organisation
	Merging     []Organisation
	Reason      string
	RequestedBy UserID
	// Seats is the survivor's licence's answer to the users it would have once the merge
	// completes (LIC-3): nil when its licence allows them, otherwise the refusal, as package
	// licensing's CheckUserCount gives it (a free-model survivor has at most 3 users).
	Seats error
}

// MergeParties is what an answer needs to know of the organisations involved as they are now.
type MergeParties struct {
	// Orgs are the survivor and every organisation being merged in, as stored now.
	Orgs []Organisation
	// Seats is the survivor's licence's answer to the users it would have once the merge
	// completes (LIC-3), as for MergeInput.Seats.
	Seats error
}

// requireOpen refuses an approval while any organisation involved is closed or merged (ORG-6:
// only active organisations take part, so none is merged twice nor merged into a closed one).
func (p MergeParties) requireOpen(m MergeRequest) error {
	for _, id := range m.Involved() {
		i := slices.IndexFunc(p.Orgs, func(o Organisation) bool { return o.ID == id })
		if i < 0 {
			return NotFound("organisation", id.String())
		}
		if err := p.Orgs[i].RequireOpen(); err != nil {
			return err
		}
	}
	return nil
}

// Request opens a merge request (ORG-6): the survivor keeps its name; only active organisations
// take part. The Administrators, Senior Officers and DPOs of every organisation involved are told.
func (mm *MergeMachine) Request(in MergeInput, now time.Time) (MergeRequest, []Event, error) {
	merging := make([]OrgID, len(in.Merging))
	for i, o := range in.Merging {
		merging[i] = o.ID
	}
	if err := CheckParties(in.Survivor.ID, merging); err != nil {
		return MergeRequest{}, nil, err
	}
	for _, o := range append([]Organisation{in.Survivor}, in.Merging...) {
		if err := o.RequireOpen(); err != nil {
			return MergeRequest{}, nil, err
		}
	}
	if in.Seats != nil {
		return MergeRequest{}, nil, in.Seats
	}
	m := MergeRequest{ID: in.ID, Survivor: in.Survivor.ID, Merging: merging, Reason: in.Reason, State: MergePending,
		RequestedBy: in.RequestedBy, CreatedAt: now}
	return m, mergeEvents(EventMergeRequested, m), nil
}

// MergeAnswer is what an answer did.
type MergeAnswer struct {
	Request MergeRequest
	// Completed says every organisation has approved: the Gateway moves their users, inventory
	// and agreements to the survivor and marks them merged (MoveMember, MergedInto, MoveAsset).
	Completed bool
	Events    []Event
}

// Answer records org's approval or rejection (ORG-6). An organisation not involved is told the
// request does not exist, as for an unknown ID; the survivor does not answer its own request. Any
// rejection ends the request; the last approval completes it. Everyone involved is told.
//
// An approval is refused while any organisation involved (parties.Orgs, as stored now) is closed
// or merged ("organisation.closed", ORG-7): an organisation merged by another request since is
// never merged twice, and nothing completes into a closed survivor. The last approval is refused
// with parties.Seats when the survivor's licence does not allow the users it would have (LIC-3).
func (mm *MergeMachine) Answer(m MergeRequest, parties MergeParties, org OrgID, approve bool, now time.Time) (MergeAnswer, error) {
	switch {
	case !slices.Contains(m.Involved(), org):
		return MergeAnswer{}, NotFound("merge_request", m.ID.String())
	case !slices.Contains(m.Merging, org):
		return MergeAnswer{}, refuse(ErrForbidden, "forbidden", "ORG-6", "only an organisation being merged in answers a merge request")
	case !mm.Open(m):
		return MergeAnswer{}, refuse(ErrInvalidTransition, CodeMergeInvalidTransition, "ORG-6", "the merge request is "+string(m.State))
	case slices.Contains(m.Approvals, org):
		return MergeAnswer{}, refuse(ErrInvalidTransition, CodeMergeAlreadyAnswered, "ORG-6", "the organisation has already approved")
	}
	if !approve {
		next, err := mm.l.fire(m, trReject)
		if err != nil {
			return MergeAnswer{}, err
		}
		next.RejectedBy = org
		return MergeAnswer{Request: next, Events: mergeEvents(EventMergeRejected, next)}, nil
	}
	if err := parties.requireOpen(m); err != nil {
		return MergeAnswer{}, err
	}
	next := m
	next.Approvals = append(slices.Clone(m.Approvals), org)
	if !mm.l.can(next, trComplete) {
		return MergeAnswer{Request: next, Events: mergeEvents(EventMergeApproved, next)}, nil
	}
	if parties.Seats != nil {
		return MergeAnswer{}, parties.Seats
	}
	done, err := mm.l.fire(next, trComplete)
	if err != nil {
		return MergeAnswer{}, err
	}
	done.CompletedAt = now
	return MergeAnswer{Request: done, Completed: true, Events: mergeEvents(EventMergeCompleted, done)}, nil
}

// mergeEvents tells each organisation involved, in its own name, so that each message names the
// recipient's organisation.
func mergeEvents(typ string, m MergeRequest) []Event {
	var out []Event
	for _, o := range m.Involved() {
		out = append(out, Event{Type: typ, Org: o, Data: map[string]string{"merge": m.ID.String(), "survivor": m.Survivor.String()},
			To: Audience{Roles: Of(Administrator, SeniorOfficer, DPO), RolesAt: []OrgID{o}}})
	}
	return out
}

// MergedInto marks o merged into the survivor (ORG-6); its history is kept unchanged.
func MergedInto(o Organisation, survivor OrgID) Organisation {
	o.Status, o.MergedInto = OrgMerged, survivor
	return o
}

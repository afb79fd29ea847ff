package isg

import (
	"context"
	"slices"
	"time"
)

const kindMerge Kind = "merge_request"

// MergeState is where a merge request is.
type MergeState string

// Merge request states.
const (
	MergePending   MergeState = "pending"
	MergeCompleted MergeState = "completed"
	MergeRejected  MergeState = "rejected"
)

// MergeRequest asks for organisations to be merged into a surviving one (ORG-6).
type MergeRequest struct {
	ID        string     `json:"id"`
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
	Version     int64     `json:"version"`
}

func (m *MergeRequest) keys() []IndexKey {
	ks := []IndexKey{key("org", m.Survivor.String()), key("state", string(m.State))}
	for _, o := range m.Merging {
		ks = append(ks, key("org", o.String()))
	}
	return ks
}

func (m *MergeRequest) involved() []OrgID { return append([]OrgID{m.Survivor}, m.Merging...) }

const (
	trComplete = "complete"
	trReject   = "reject"
)

func newMergeLifecycle() *lifecycle[MergeRequest, MergeState] {
	l := newLifecycle("merge", MergePending, func(m *MergeRequest) MergeState { return m.State }, func(m *MergeRequest, s MergeState) { m.State = s })
	l.sm.Configure(MergePending).
		Permit(trComplete, MergeCompleted, everyMergingOrgApproved).
		Permit(trReject, MergeRejected)
	l.sm.Configure(MergeCompleted)
	l.sm.Configure(MergeRejected)
	return l
}

func everyMergingOrgApproved(ctx context.Context, _ ...any) bool {
	m := ctx.Value(subjectKey{}).(*MergeRequest)
	for _, o := range m.Merging {
		if !slices.Contains(m.Approvals, o) {
			return false
		}
	}
	return true
}

// RequestMergeInput is the surviving organisation's merge request (ORG-6).
type RequestMergeInput struct {
	// Merging are the organisations to merge in, picked by name or ICO number (SearchOrganisations).
	Merging []OrgID `json:"merging" validate:"required,min=1,dive,required" rule:"ORG-6"`
	Reason  string  `json:"reason" validate:"required,max=2000" rule:"ORG-6"`
	// DisclaimerAcknowledged must be true.
	DisclaimerAcknowledged bool `json:"disclaimer_acknowledged" validate:"required" rule:"ORG-6"`
}

// RequestMerge is made by the organisation the others are merged into; it keeps its name (ORG-6).
// Administrators, Senior Officers and DPOs of every organisation involved are notified.
//
// Errors: ErrInvalid; ErrForbidden (Administrator or Senior Officer of the survivor); ErrNotFound;
// ErrRule ("merge.invalid_party") for the survivor itself, a duplicate or a closed organisation.
func (g *Gateway) RequestMerge(ctx context.Context, actor Actor, in RequestMergeInput) (MergeRequest, error) {
	if err := validateInput(in, "ORG-6"); err != nil {
		return MergeRequest{}, err
	}
	var out MergeRequest
	err := g.update(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, ManageMerge, "ORG-6"); err != nil {
			return err
		}
		if _, err := u.openOrg(actor.Org); err != nil {
			return err
		}
		seen := map[OrgID]bool{actor.Org: true}
		for _, o := range in.Merging {
			if seen[o] {
				return &Error{Kind: ErrRule, Code: "merge.invalid_party", Rule: "ORG-6", Message: "an organisation is named twice or is the survivor itself"}
			}
			seen[o] = true
			if _, err := u.openOrg(o); err != nil {
				return err
			}
		}
		m := MergeRequest{ID: u.newID().String(), Survivor: actor.Org, Merging: slices.Clone(in.Merging), Reason: in.Reason,
			State: MergePending, RequestedBy: actor.User, CreatedAt: u.now}
		if err := u.saveMerge(&m); err != nil {
			return err
		}
		out = m
		return u.notifyMerge(EventMergeRequested, m)
	})
	return out, err
}

func (u *uow) saveMerge(m *MergeRequest) error {
	v, err := u.save(kindMerge, m.ID, m.Version, m, m.keys()...)
	m.Version = v
	return err
}

func (u *uow) notifyMerge(typ string, m MergeRequest) error {
	for _, o := range m.involved() {
		if err := u.notifyRoles(typ, o, Of(Administrator, SeniorOfficer, DPO), map[string]string{"merge": m.ID, "survivor": m.Survivor.String()}); err != nil {
			return err
		}
	}
	return nil
}

// AnswerMergeInput approves or rejects a merge for the actor's organisation.
type AnswerMergeInput struct {
	Merge   string `json:"merge" validate:"required" rule:"ORG-6"`
	Approve bool   `json:"approve"`
}

// AnswerMerge records the actor's organisation's approval or rejection (ORG-6). Any rejection
// ends the request. When every organisation being merged in has approved, the merge completes at
// once: their users' roles, inventory and agreements move to the survivor, they are marked merged
// into it, and history (logs, signatures) is left unchanged.
//
// Errors: ErrInvalid; ErrForbidden (Administrator or Senior Officer of a merging organisation);
// ErrNotFound; ErrInvalidTransition when the request is no longer pending.
func (g *Gateway) AnswerMerge(ctx context.Context, actor Actor, in AnswerMergeInput) (MergeRequest, error) {
	if err := validateInput(in, "ORG-6"); err != nil {
		return MergeRequest{}, err
	}
	var out MergeRequest
	err := g.update(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, ManageMerge, "ORG-6"); err != nil {
			return err
		}
		var m MergeRequest
		v, err := u.load(kindMerge, in.Merge, &m)
		if err != nil {
			return err
		}
		m.Version = v
		if !slices.Contains(m.Merging, actor.Org) {
			return forbidden("ORG-6", "only an organisation being merged in answers a merge request")
		}
		if m.State != MergePending {
			return &Error{Kind: ErrInvalidTransition, Code: "merge.invalid_transition", Rule: "ORG-6", Message: "the merge request is " + string(m.State)}
		}
		if slices.Contains(m.Approvals, actor.Org) {
			return &Error{Kind: ErrInvalidTransition, Code: "merge.already_answered", Rule: "ORG-6", Message: "the organisation has already approved"}
		}
		event := EventMergeApproved
		if in.Approve {
			m.Approvals = append(slices.Clone(m.Approvals), actor.Org)
			if g.machines.merge.can(ctx, m, trComplete) {
				if m, err = g.machines.merge.fire(ctx, m, trComplete); err != nil {
					return err
				}
				m.CompletedAt = u.now
				if err := u.completeMerge(actor, m); err != nil {
					return err
				}
				event = EventMergeCompleted
			}
		} else {
			if m, err = g.machines.merge.fire(ctx, m, trReject); err != nil {
				return err
			}
			m.RejectedBy = actor.Org
			event = EventMergeRejected
		}
		if err := u.saveMerge(&m); err != nil {
			return err
		}
		out = m
		return u.notifyMerge(event, m)
	})
	return out, err
}

// completeMerge moves everything of the merged organisations to the survivor (ORG-6).
func (u *uow) completeMerge(actor Actor, m MergeRequest) error {
	for _, from := range m.Merging {
		users, versions, err := findAll[user](u, kindUser, key("member", from.String()))
		if err != nil {
			return err
		}
		for i, x := range users {
			x.version = versions[i]
			moved := x.rolesAt(from)
			x = x.withRoles(from, 0)
			x = x.withRoles(m.Survivor, x.rolesAt(m.Survivor)|moved)
			if _, err := u.saveUser(x); err != nil {
				return err
			}
		}
		if err := u.moveInventory(from, m.Survivor); err != nil {
			return err
		}
		if err := u.moveAgreements(actor, from, m.Survivor); err != nil {
			return err
		}
		o, err := u.loadOrg(from)
		if err != nil {
			return err
		}
		o.Status, o.MergedInto = OrgMerged, m.Survivor
		if _, err := u.saveOrg(o); err != nil {
			return err
		}
	}
	return nil
}

// MergeRequests lists the merge requests involving the actor's organisation.
func (g *Gateway) MergeRequests(ctx context.Context, actor Actor) ([]MergeRequest, error) {
	var out []MergeRequest
	err := g.view(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, ViewOrganisation, "ROLE-8"); err != nil {
			return err
		}
		var versions []int64
		var err error
		out, versions, err = findAll[MergeRequest](u, kindMerge, key("org", actor.Org.String()))
		for i := range out {
			out[i].Version = versions[i]
		}
		return err
	})
	return out, err
}

package isg

import (
	"context"

	"github.com/isgkit/gateway/isg/directory"
	"github.com/isgkit/gateway/licensing"
)

const kindMerge Kind = "merge_request"

// MergeState is where a merge request is (directory.MergeState).
type MergeState = directory.MergeState

// Merge request states (directory's).
const (
	MergePending   = directory.MergePending
	MergeCompleted = directory.MergeCompleted
	MergeRejected  = directory.MergeRejected
)

// MergeRequest asks for organisations to be merged into a surviving one (ORG-6);
// directory.MergeRequest.
type MergeRequest = directory.MergeRequest

// MergeID identifies a merge request.
type MergeID = directory.MergeID

func mergeKeys(m MergeRequest) []IndexKey {
	ks := []IndexKey{key("org", m.Survivor.String()), key("state", string(m.State))}
	for _, o := range m.Merging {
		ks = append(ks, key("org", o.String()))
	}
	return ks
}

func (u *uow) saveMerge(m MergeRequest) (MergeRequest, error) {
	v, err := u.save(kindMerge, m.ID.String(), m.Version, m, mergeKeys(m)...)
	m.Version = v
	return m, err
}

// RequestMergeInput is the surviving organisation's merge request (ORG-6).
type RequestMergeInput struct {
	// Merging are the organisations to merge in, picked by name or ICO number (SearchOrganisations).
	Merging []OrgID `json:"merging" validate:"required,min=1,dive,required" rule:"ORG-6"`
	Reason  string  `json:"reason" validate:"required,max=2000" rule:"ORG-6"`
	// DisclaimerAcknowledged must be true.
	DisclaimerAcknowledged bool `json:"disclaimer_acknowledged" validate:"required" rule:"ORG-6"`
}

// RequestMerge is made by the organisation the others are merged into, which keeps its name
// (ORG-6): the ManageMerge row (Administrator, Senior Officer) at the survivor. Administrators,
// Senior Officers and DPOs of every organisation involved are told.
//
// Errors: ErrInvalid (field errors naming ORG-6); ErrForbidden ("forbidden", ORG-6); ErrNotFound
// ("organisation.not_found"); ErrRule ("merge.invalid_party", ORG-6, for the survivor itself or a
// duplicate; "organisation.closed", ORG-7, for a closed or merged organisation); ErrLicence
// ("licence.user_limit", LIC-3) when a free-model survivor would have more than 3 users once the
// merge completes.
func (g *Gateway) RequestMerge(ctx context.Context, actor Actor, in RequestMergeInput) (MergeRequest, error) {
	return run(ctx, g, orgRequestMerge, actor, in)
}

var orgRequestMerge = &command[RequestMergeInput, MergeRequest]{
	name: "org.request_merge", doc: "Request a merge (ORG-6).", row: ManageMerge, rule: "ORG-6",
	apply: func(c *call[RequestMergeInput]) (MergeRequest, error) {
		if err := directory.CheckParties(c.org, c.in.Merging); err != nil {
			return MergeRequest{}, err
		}
		survivor, err := c.loadOrg(c.org)
		if err != nil {
			return MergeRequest{}, err
		}
		merging := make([]Organisation, len(c.in.Merging))
		for i, id := range c.in.Merging {
			if merging[i], err = c.loadOrg(id); err != nil {
				return MergeRequest{}, err
			}
		}
		seats, err := c.mergedSeats(c.org, c.in.Merging)
		if err != nil {
			return MergeRequest{}, err
		}
		m, events, err := c.g.machines.merge.Request(directory.MergeInput{ID: MergeID{UUID: c.newID()}, Survivor: survivor, Merging: merging,
			Reason: c.in.Reason, RequestedBy: c.actor.User, Seats: seats}, c.now)
		if err != nil {
			return MergeRequest{}, err
		}
		if m, err = c.saveMerge(m); err != nil {
			return MergeRequest{}, err
		}
		return m, c.deliver(events...)
	},
}

// AnswerMergeInput approves or rejects a merge for the actor's organisation.
type AnswerMergeInput struct {
	Merge   MergeID `json:"merge" validate:"required" rule:"ORG-6"`
	Approve bool    `json:"approve"`
}

// AnswerMerge records the actor's organisation's approval or rejection (ORG-6): the ManageMerge
// row (Administrator, Senior Officer) at an organisation being merged in. Any rejection ends the
// request. When every organisation being merged in has approved, the merge completes at once:
// their users' roles, inventory and agreements move to the survivor, and so do their support
// requests that are not settled (to the survivor's support group when it has one, SUP-1), they
// are marked merged into it, and history (logs, signatures, a request's entries) is left
// unchanged; a closure request of theirs still pending
// ends with the merge (state "ended", ORG-7). Everyone involved is told. An approval needs every
// organisation involved still active, so an organisation is never merged twice nor into a
// survivor closed since the request; the completing one needs the survivor's licence to allow
// the users it would have (LIC-3), counted anew.
//
// Errors: ErrInvalid (field errors naming ORG-6); ErrForbidden ("forbidden", ORG-6, also for the
// survivor answering its own request); ErrNotFound ("merge_request.not_found") for an unknown
// request and for one the actor's organisation is not part of, alike; ErrInvalidTransition
// ("merge.invalid_transition" when the request is no longer pending, "merge.already_answered");
// ErrRule ("organisation.closed", ORG-7) approving while an organisation involved is closed or
// merged; ErrLicence ("licence.user_limit", LIC-3) for the completing approval past the cap.
func (g *Gateway) AnswerMerge(ctx context.Context, actor Actor, in AnswerMergeInput) (MergeRequest, error) {
	return run(ctx, g, orgAnswerMerge, actor, in)
}

var orgAnswerMerge = &command[AnswerMergeInput, MergeRequest]{
	name: "org.answer_merge", doc: "Approve or reject a merge (ORG-6).", row: ManageMerge, rule: "ORG-6",
	apply: func(c *call[AnswerMergeInput]) (MergeRequest, error) {
		var m MergeRequest
		v, err := c.load(kindMerge, c.in.Merge.String(), &m)
		if err != nil {
			return MergeRequest{}, err
		}
		m.Version = v
		var parties directory.MergeParties
		if c.in.Approve {
			if parties, err = c.mergeParties(m); err != nil {
				return MergeRequest{}, err
			}
		}
		a, err := c.g.machines.merge.Answer(m, parties, c.org, c.in.Approve, c.now)
		if err != nil {
			return MergeRequest{}, err
		}
		if a.Completed {
			if err := c.completeMerge(c.actor, a.Request); err != nil {
				return MergeRequest{}, err
			}
		}
		if m, err = c.saveMerge(a.Request); err != nil {
			return MergeRequest{}, err
		}
		return m, c.deliver(a.Events...)
	},
}

// mergeParties loads what an approval needs of the organisations involved: each as stored now,
// and the survivor's licence's answer to the users it would have. The loads and listings join
// the unit's read set, so a merge completing concurrently elsewhere, a closure or a new user
// makes this answer a conflict, retried on fresh state.
func (u *uow) mergeParties(m MergeRequest) (directory.MergeParties, error) {
	var p directory.MergeParties
	for _, id := range m.Involved() {
		o, err := u.loadOrg(id)
		if err != nil {
			return p, err
		}
		p.Orgs = append(p.Orgs, o)
	}
	var err error
	p.Seats, err = u.mergedSeats(m.Survivor, m.Merging)
	return p, err
}

// mergedSeats is the survivor's licence's answer to the users it would have once the others are
// merged in (LIC-3): every distinct member of the organisations involved, and the survivor's
// pending invitations (each will become a user, as for checkUserCap).
func (u *uow) mergedSeats(survivor OrgID, merging []OrgID) (seats, err error) {
	users := map[UserID]bool{}
	for _, org := range append([]OrgID{survivor}, merging...) {
		members, _, err := findAll[user](u, kindUser, key("member", org.String()))
		if err != nil {
			return nil, err
		}
		for _, x := range members {
			users[x.ID] = true
		}
	}
	pending, err := u.tx.Count(u.ctx, kindInvitation, key("pending_org", survivor.String()))
	if err != nil {
		return nil, err
	}
	ent, err := u.entitlement(survivor)
	if err != nil {
		return nil, err
	}
	total := len(users) + pending
	if total == 0 {
		return nil, nil
	}
	return licensing.CheckUserCount(ent, total-1), nil
}

// dpoArrives clears the DPO exemption of org when a DPO arrives there (ORG-4).
func (u *uow) dpoArrives(org OrgID, roles RoleSet) error {
	if !roles.Has(DPO) {
		return nil
	}
	o, err := u.loadOrg(org)
	if err != nil {
		return err
	}
	if next, changed := directory.DPOArrives(o, roles); changed {
		_, err = u.saveOrg(next)
	}
	return err
}

// completeMerge moves everything of the merged organisations to the survivor (ORG-6) — their
// users' roles, inventory, agreements and the support requests not settled — and ends the
// pending closure requests of the merged organisations with the merge.
func (u *uow) completeMerge(actor Actor, m MergeRequest) error {
	for _, from := range m.Merging {
		closures, versions, err := findAll[ClosureRequest](u, kindClosure, key("org", from.String()))
		if err != nil {
			return err
		}
		for i, r := range closures {
			r.Version = versions[i]
			ended, ok := u.g.machines.closure.EndWithMerge(r, m.ID, u.now)
			if !ok {
				continue
			}
			if _, err := u.saveClosure(ended); err != nil {
				return err
			}
		}
		users, versions, err := findAll[user](u, kindUser, key("member", from.String()))
		if err != nil {
			return err
		}
		arriving := RoleSet(0)
		for i, x := range users {
			x.version = versions[i]
			arriving |= x.rolesAt(from)
			if _, err := u.saveUser(x, directory.MoveMember(x.User, from, m.Survivor)); err != nil {
				return err
			}
		}
		if err := u.dpoArrives(m.Survivor, arriving); err != nil {
			return err
		}
		if err := u.moveInventory(from, m.Survivor); err != nil {
			return err
		}
		if err := u.moveAgreements(actor, from, m.Survivor); err != nil {
			return err
		}
		if err := u.moveSupportRequests(actor, from, m.Survivor); err != nil {
			return err
		}
		if err := u.moveDPIAs(actor, from, m.Survivor); err != nil {
			return err
		}
		o, err := u.loadOrg(from)
		if err != nil {
			return err
		}
		if _, err := u.saveOrg(directory.MergedInto(o, m.Survivor)); err != nil {
			return err
		}
	}
	return nil
}

// MergeRequests lists the merge requests involving the actor's organisation, a page at a time; every role there
// may (ViewOrganisation).
//
// Errors: ErrForbidden ("forbidden", ROLE-8); ErrNotFound ("organisation.not_found").
func (g *Gateway) MergeRequests(ctx context.Context, actor Actor, in ListPage) (Listing[MergeRequest], error) {
	return run(ctx, g, orgMerges, actor, in)
}

var orgMerges = &command[ListPage, Listing[MergeRequest]]{
	name: "org.merges", doc: "List merge requests.", row: ViewOrganisation, rule: "ROLE-8", query: true, arrayOnWire: true,
	apply: func(c *call[ListPage]) (Listing[MergeRequest], error) {
		return listKey(c.uow, kindMerge, key("org", c.org.String()), c.in, decodeVersioned(func(x *MergeRequest, v int64) { x.Version = v }))
	},
}

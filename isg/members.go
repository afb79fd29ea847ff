package isg

import (
	"context"
	"time"

	"github.com/isgkit/gateway/isg/directory"
)

const (
	kindInvitation Kind = "invitation"
	kindDelegation Kind = "delegation"
)

// Invitation is a pending offer of roles at an organisation to an e-mail address (REG-5);
// directory.Invitation.
type Invitation = directory.Invitation

// InvitationTTL is how long an invitation is offered (REG-5): 30 days.
const InvitationTTL = directory.InvitationTTL

// InvitationID identifies an invitation.
type InvitationID = directory.InvitationID

// Member is a user with their roles at one organisation (directory.Member).
type Member = directory.Member

// Delegation is signing authority a Senior Officer gave another user of the same organisation
// (ROLE-5); directory.Delegation.
type Delegation = directory.Delegation

// DelegationID identifies a delegation.
type DelegationID = directory.DelegationID

func invitationKeys(i Invitation) []IndexKey {
	ks := []IndexKey{key("org", i.Org.String())}
	if i.Pending() {
		ks = append(ks, key("pending_email", i.Email), key("pending_org", i.Org.String()))
	}
	return ks
}

func (u *uow) saveInvitation(i Invitation, version int64) error {
	_, err := u.save(kindInvitation, i.ID.String(), version, i, invitationKeys(i)...)
	return err
}

// pendingInvitations lists the invitations under k (pending_email or pending_org) that are open
// now (REG-5: an expired one is neither offered nor counted), with their versions. The listing
// joins the unit's read set, so an invitation made or answered concurrently conflicts.
func (u *uow) pendingInvitations(k IndexKey) ([]Invitation, []int64, error) {
	all, versions, err := findAll[Invitation](u, kindInvitation, k)
	if err != nil {
		return nil, nil, err
	}
	var out []Invitation
	var vs []int64
	for i, inv := range all {
		if inv.Open(u.now) {
			out, vs = append(out, inv), append(vs, versions[i])
		}
	}
	return out, vs, nil
}

// invitationNotFound is the answer for an unknown invitation and for one the actor may not see.
func invitationNotFound(id InvitationID) error { return directory.NotFound("invitation", id.String()) }

func (u *uow) loadInvitation(id InvitationID) (Invitation, int64, error) {
	var inv Invitation
	v, err := u.load(kindInvitation, id.String(), &inv)
	if isNotFound(err) {
		return inv, 0, invitationNotFound(id)
	}
	return inv, v, err
}

func delegationKeys(d Delegation) []IndexKey {
	return []IndexKey{key("holder", d.Org.String()+"/"+d.To.String()), key("org", d.Org.String())}
}

// applyRoleChange stores what a role change did: the user, the organisation when its DPO
// exemption was cleared, after the licence's user cap allowed a new user (LIC-3); then tells.
func (u *uow) applyRoleChange(x user, c directory.RoleChange) (user, error) {
	if c.NeedsSeat {
		if err := u.checkUserCap(c.Org.ID); err != nil {
			return x, err
		}
	}
	saved, err := u.saveUser(x, c.User)
	if err != nil {
		return x, err
	}
	if c.OrgChanged {
		if _, err := u.saveOrg(c.Org); err != nil {
			return x, err
		}
	}
	return saved, u.deliver(c.Events...)
}

// InviteInput invites an address to roles at the actor's organisation.
type InviteInput struct {
	Email string `json:"email" validate:"required,no_invisible,email,max=254" rule:"REG-5"`
	Roles []Role `json:"roles" validate:"required,min=1" rule:"REG-5"`
}

// Invite offers roles at the actor's organisation to an e-mail address for 30 days (REG-5): the
// ManageUsers row (Administrator; Super Administrator and Central Admin for support). The answer
// is the same whether or not an account holds the address: a pending invitation. An account
// holding the address is told and accepts or declines it (AcceptInvitation, DeclineInvitation);
// otherwise the roles attach when the address registers — with the same address, compared
// case-insensitively — and the address is told. Until it is accepted, declined, withdrawn or
// expired it counts toward the free model's user cap (LIC-3).
//
// Errors: ErrInvalid (field errors naming REG-5, REG-7, ROLE-8); ErrForbidden ("forbidden",
// ROLE-8); ErrNotFound ("organisation.not_found"); ErrLicence (LIC-3) when a free-model
// organisation would exceed its user cap; ErrRule ("organisation.closed", ORG-7).
func (g *Gateway) Invite(ctx context.Context, actor Actor, in InviteInput) (Invitation, error) {
	return run(ctx, g, orgInvite, actor, in)
}

var orgInvite = &command[InviteInput, Invitation]{
	name: "org.invite", doc: "Invite an address to roles (REG-5).", row: ManageUsers, rule: "ROLE-8",
	before: func(_ *Gateway, in *InviteInput) error {
		_, err := directory.OrgRoleSet(in.Roles)
		return err
	},
	apply: func(c *call[InviteInput]) (Invitation, error) {
		o, err := c.loadOrg(c.org)
		if err != nil {
			return Invitation{}, err
		}
		x, err := c.userByEmail(c.in.Email)
		var existing *directory.User
		switch {
		case err == nil:
			existing = &x.User
		case !isNotFound(err):
			return Invitation{}, err
		}
		inv, err := directory.Invite(o, InvitationID{UUID: c.newID()}, c.in.Email, Of(c.in.Roles...), existing, c.actor.User, c.now)
		if err != nil {
			return Invitation{}, err
		}
		if inv.NeedsSeat {
			if err := c.checkUserCap(o.ID); err != nil {
				return Invitation{}, err
			}
		}
		if err := c.deliver(inv.Events...); err != nil {
			return Invitation{}, err
		}
		return inv.Invitation, c.saveInvitation(inv.Invitation, 0)
	},
}

// SetRolesInput replaces a user's roles at the actor's organisation; an empty list removes the
// user from the organisation.
type SetRolesInput struct {
	User  UserID `json:"user" validate:"required" rule:"ROLE-8"`
	Roles []Role `json:"roles" rule:"ROLE-8"`
}

// SetRoles assigns and revokes roles at the actor's organisation: the ManageUsers row
// (Administrator; Super Administrator and Central Admin for support). Removing the last
// Administrator or the last Senior Officer is refused (ORG-3). Assigning a DPO clears a DPO
// exemption (ORG-4). The user is told of a change.
//
// Errors: ErrInvalid (field errors naming ROLE-8); ErrForbidden ("forbidden", ROLE-8);
// ErrNotFound ("user.not_found", "organisation.not_found"); ErrRule
// ("organisation.last_administrator", "organisation.last_senior_officer", ORG-3;
// "organisation.closed", ORG-7); ErrLicence (LIC-3) past the free model's user cap.
func (g *Gateway) SetRoles(ctx context.Context, actor Actor, in SetRolesInput) (Account, error) {
	return run(ctx, g, orgSetRoles, actor, in)
}

var orgSetRoles = &command[SetRolesInput, Account]{
	name: "org.set_roles", doc: "Assign and revoke roles (ORG-3).", row: ManageUsers, rule: "ROLE-8",
	before: func(_ *Gateway, in *SetRolesInput) error {
		if len(in.Roles) == 0 {
			return nil
		}
		_, err := directory.OrgRoleSet(in.Roles)
		return err
	},
	apply: func(c *call[SetRolesInput]) (Account, error) {
		roles := Of(c.in.Roles...)
		o, err := c.loadOrg(c.org)
		if err != nil {
			return Account{}, err
		}
		x, err := c.loadUser(c.in.User)
		if err != nil {
			return Account{}, err
		}
		h, err := c.countHolders(o.ID)
		if err != nil {
			return Account{}, err
		}
		change, err := directory.SetRoles(o, x.User, roles, h, c.actor.User)
		if err != nil {
			return Account{}, err
		}
		saved, err := c.applyRoleChange(x, change)
		return saved.account(), err
	},
}

// Members lists the users holding roles at the actor's organisation, a page at a time, in
// registration order; every role there may (ViewOrganisation).
//
// Errors: ErrForbidden ("forbidden", ROLE-8); ErrNotFound ("organisation.not_found").
func (g *Gateway) Members(ctx context.Context, actor Actor, in ListPage) (Listing[Member], error) {
	return run(ctx, g, orgMembers, actor, in)
}

var orgMembers = &command[ListPage, Listing[Member]]{
	name: "org.members", doc: "List members and roles.", row: ViewOrganisation, rule: "ROLE-8", query: true, arrayOnWire: true,
	apply: func(c *call[ListPage]) (Listing[Member], error) {
		return listKey(c.uow, kindUser, key("member", c.org.String()), c.in, func(r Record) (Member, error) {
			x, err := decodeRecord[user](r)
			return directory.MemberOf(x.User, c.org), err
		})
	},
}

// DelegateInput grants signing authority to a user of the actor's organisation.
type DelegateInput struct {
	To   UserID    `json:"to" validate:"required" rule:"ROLE-5"`
	Ends time.Time `json:"ends,omitzero" validate:"instant" rule:"ROLE-5"`
}

// Delegate lets a Senior Officer delegate signing authority (ROLE-5) to another user holding a
// role at the same organisation: the ManageDelegation row, which a delegate does not hold, so a
// delegate cannot delegate further. The delegate may then sign the MoU and sign off flows, and is
// told.
//
// Errors: ErrInvalid (field errors naming ROLE-5: an end date in the past); ErrForbidden
// ("forbidden", ROLE-5); ErrNotFound ("user.not_found"); ErrRule ("delegation.not_member", ROLE-5).
func (g *Gateway) Delegate(ctx context.Context, actor Actor, in DelegateInput) (Delegation, error) {
	return run(ctx, g, roleDelegate, actor, in)
}

var roleDelegate = &command[DelegateInput, Delegation]{
	name: "role.delegate", doc: "Delegate signing authority (ROLE-5).", row: ManageDelegation, rule: "ROLE-5",
	apply: func(c *call[DelegateInput]) (Delegation, error) {
		to, err := c.loadUser(c.in.To)
		if err != nil {
			return Delegation{}, err
		}
		d, events, err := directory.Grant(DelegationID{UUID: c.newID()}, c.org, c.actor.User, to.User, c.in.Ends, c.now)
		if err != nil {
			return Delegation{}, err
		}
		if _, err := c.save(kindDelegation, d.ID.String(), 0, d, delegationKeys(d)...); err != nil {
			return Delegation{}, err
		}
		return d, c.deliver(events...)
	},
}

// RevokeDelegation ends a delegation of the actor's organisation now (ROLE-5): the
// ManageDelegation row (Senior Officer). The delegate is told.
//
// Errors: ErrInvalid (no delegation named); ErrForbidden ("forbidden", ROLE-5); ErrNotFound
// ("delegation.not_found") for an unknown delegation and another organisation's alike;
// ErrInvalidTransition ("delegation.revoked", ROLE-5) when already revoked.
func (g *Gateway) RevokeDelegation(ctx context.Context, actor Actor, in ByID[DelegationID]) (Delegation, error) {
	return run(ctx, g, roleRevokeDelegation, actor, in)
}

var roleRevokeDelegation = &command[ByID[DelegationID], Delegation]{
	name: "role.revoke_delegation", doc: "Revoke a delegation (ROLE-5).", row: ManageDelegation, rule: "ROLE-5",
	apply: func(c *call[ByID[DelegationID]]) (Delegation, error) {
		var d Delegation
		v, err := c.load(kindDelegation, c.in.ID.String(), &d)
		if err != nil {
			return Delegation{}, err
		}
		d, events, err := directory.Revoke(d, c.org, c.now)
		if err != nil {
			return Delegation{}, err
		}
		if _, err := c.save(kindDelegation, d.ID.String(), v, d, delegationKeys(d)...); err != nil {
			return Delegation{}, err
		}
		return d, c.deliver(events...)
	},
}

// hasDelegation reports whether user holds a delegation at org in force now: active, and its
// delegator still a Senior Officer there (ROLE-5: it lapses when the delegator no longer is).
func (u *uow) hasDelegation(org OrgID, id UserID) (bool, error) {
	ds, _, err := findAll[Delegation](u, kindDelegation, key("holder", org.String()+"/"+id.String()))
	if err != nil {
		return false, err
	}
	for _, d := range ds {
		if !d.ActiveAt(u.now) {
			continue
		}
		from, err := u.loadUser(d.From)
		if isNotFound(err) {
			continue
		} else if err != nil {
			return false, err
		}
		if d.InForceAt(u.now, from.rolesAt(d.Org)) {
			return true, nil
		}
	}
	return false, nil
}

// InvitationRef names one invitation.
type InvitationRef struct {
	Invitation InvitationID `json:"invitation" validate:"required" rule:"REG-5"`
}

// AcceptInvitation is the acting user's acceptance of an invitation to their address (REG-5):
// any active account (so its address is verified) holding the invited address. The roles join
// those the user holds at the organisation; a DPO among them clears a DPO exemption (ORG-4). The
// inviter is told.
//
// Errors: ErrInvalid (no invitation named); ErrForbidden ("forbidden", ROLE-7) for an unknown or
// inactive actor; ErrNotFound ("invitation.not_found") for an unknown invitation and one to
// another address alike; ErrInvalidTransition ("invitation.not_pending", REG-5) once it was
// answered, withdrawn or expired; ErrRule ("organisation.closed", ORG-7).
func (g *Gateway) AcceptInvitation(ctx context.Context, actor Actor, in InvitationRef) (Account, error) {
	return run(ctx, g, accountAcceptInvitation, actor, in)
}

var accountAcceptInvitation = &command[InvitationRef, Account]{
	name: "account.accept_invitation", doc: "Accept an invitation to one's address (REG-5).", rule: "REG-5", reach: signedIn,
	apply: func(c *call[InvitationRef]) (Account, error) {
		inv, v, err := c.loadInvitation(c.in.Invitation)
		if err != nil {
			return Account{}, err
		}
		x, err := c.loadUser(c.actor.User)
		if err != nil {
			return Account{}, err
		}
		if directory.NormEmail(x.Email) != inv.Email {
			return Account{}, invitationNotFound(inv.ID)
		}
		o, err := c.loadOrg(inv.Org)
		if err != nil {
			return Account{}, err
		}
		next, change, err := directory.Accept(inv, o, x.User, c.now)
		if err != nil {
			return Account{}, err
		}
		if err := c.saveInvitation(next, v); err != nil {
			return Account{}, err
		}
		saved, err := c.applyRoleChange(x, change)
		return saved.account(), err
	},
}

// DeclineInvitation is the acting user's refusal of an invitation to their address (REG-5): any
// active account holding the invited address. The inviter is told.
//
// Errors: as AcceptInvitation, less ErrRule.
func (g *Gateway) DeclineInvitation(ctx context.Context, actor Actor, in InvitationRef) (Invitation, error) {
	return run(ctx, g, accountDeclineInvitation, actor, in)
}

var accountDeclineInvitation = &command[InvitationRef, Invitation]{
	name: "account.decline_invitation", doc: "Decline an invitation to one's address (REG-5).", rule: "REG-5", reach: signedIn,
	apply: func(c *call[InvitationRef]) (Invitation, error) {
		inv, v, err := c.loadInvitation(c.in.Invitation)
		if err != nil {
			return Invitation{}, err
		}
		x, err := c.loadUser(c.actor.User)
		if err != nil {
			return Invitation{}, err
		}
		next, events, err := directory.Decline(inv, x.User, c.now)
		if err != nil {
			return Invitation{}, err
		}
		if err := c.saveInvitation(next, v); err != nil {
			return Invitation{}, err
		}
		return next, c.deliver(events...)
	},
}

// MyInvitations lists the invitations open now to the acting user's address (REG-5), oldest
// first. Any active user may.
//
// Errors: ErrForbidden ("forbidden", ROLE-7) for an unknown or inactive actor.
func (g *Gateway) MyInvitations(ctx context.Context, actor Actor) ([]Invitation, error) {
	return run(ctx, g, accountInvitations, actor, struct{}{})
}

var accountInvitations = &command[struct{}, []Invitation]{
	name: "account.invitations", doc: "List the invitations open to one's address (REG-5).", rule: "REG-5", reach: signedIn, query: true,
	apply: func(c *call[struct{}]) ([]Invitation, error) {
		x, err := c.loadUser(c.actor.User)
		if err != nil {
			return nil, err
		}
		open, _, err := c.pendingInvitations(key("pending_email", directory.NormEmail(x.Email)))
		if open == nil {
			open = []Invitation{}
		}
		return open, err
	},
}

// WithdrawInvitation withdraws an invitation of the actor's organisation that is still open
// (REG-5): the ManageUsers row at the inviting organisation (Administrator; Super Administrator
// and Central Admin for support). It no longer counts toward the user cap (LIC-3) and can no
// longer be accepted.
//
// Errors: ErrInvalid (no invitation named); ErrForbidden ("forbidden", ROLE-8); ErrNotFound
// ("invitation.not_found") for an unknown invitation and one the actor may not see alike;
// ErrInvalidTransition ("invitation.not_pending", REG-5) once it was answered, withdrawn or
// expired.
func (g *Gateway) WithdrawInvitation(ctx context.Context, actor Actor, in InvitationRef) (Invitation, error) {
	return run(ctx, g, orgWithdrawInvitation, actor, in)
}

var orgWithdrawInvitation = &command[InvitationRef, Invitation]{
	name: "org.withdraw_invitation", doc: "Withdraw an open invitation (REG-5).", row: ManageUsers, rule: "REG-5",
	at: func(u *uow, actor Actor, in InvitationRef) (target, error) {
		hidden := invitationNotFound(in.Invitation)
		inv, _, err := u.loadInvitation(in.Invitation)
		if isNotFound(err) {
			return target{reach: platform, hidden: hidden}, nil
		} else if err != nil {
			return target{}, err
		}
		return target{org: inv.Org, hidden: hidden}, nil
	},
	apply: func(c *call[InvitationRef]) (Invitation, error) {
		inv, v, err := c.loadInvitation(c.in.Invitation)
		if err != nil {
			return Invitation{}, err
		}
		next, err := directory.Withdraw(inv, c.org, c.now)
		if err != nil {
			return Invitation{}, err
		}
		return next, c.saveInvitation(next, v)
	},
}

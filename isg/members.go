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
	Email string `json:"email" validate:"required,email,max=254" rule:"REG-5"`
	Roles []Role `json:"roles" validate:"required,min=1" rule:"REG-5"`
}

// Invite offers roles at the actor's organisation to an e-mail address (REG-5): the ManageUsers
// row (Administrator; Super Administrator and Central Admin for support). If an account with the
// address exists the roles are assigned at once; otherwise they attach when the address
// registers — with the same address, compared case-insensitively — and the address is told.
//
// Errors: ErrInvalid (field errors naming REG-5, ROLE-8); ErrForbidden ("forbidden", ROLE-8);
// ErrNotFound ("organisation.not_found"); ErrLicence (LIC-3) when a free-model organisation
// would exceed its user cap; ErrRule ("organisation.closed", ORG-7).
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
		h, err := c.countHolders(o.ID)
		if err != nil {
			return Invitation{}, err
		}
		inv, err := directory.Invite(o, InvitationID{UUID: c.newID()}, c.in.Email, Of(c.in.Roles...), existing, h, c.actor.User, c.now)
		if err != nil {
			return Invitation{}, err
		}
		if inv.Change != nil {
			if _, err := c.applyRoleChange(x, *inv.Change); err != nil {
				return Invitation{}, err
			}
		} else {
			if inv.NeedsSeat {
				if err := c.checkUserCap(o.ID); err != nil {
					return Invitation{}, err
				}
			}
			if err := c.deliver(inv.Events...); err != nil {
				return Invitation{}, err
			}
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

// hasDelegation reports whether user holds an active delegation at org.
func (u *uow) hasDelegation(org OrgID, id UserID) (bool, error) {
	ds, _, err := findAll[Delegation](u, kindDelegation, key("holder", org.String()+"/"+id.String()))
	if err != nil {
		return false, err
	}
	for _, d := range ds {
		if d.ActiveAt(u.now) {
			return true, nil
		}
	}
	return false, nil
}

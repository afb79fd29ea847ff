package isg

import (
	"context"
	"time"
)

const (
	kindInvitation Kind = "invitation"
	kindDelegation Kind = "delegation"
)

// Invitation is a pending offer of roles at an organisation to an e-mail address (REG-5).
type Invitation struct {
	ID        string    `json:"id"`
	Org       OrgID     `json:"org"`
	Email     string    `json:"email"`
	Roles     RoleSet   `json:"roles"`
	InvitedBy UserID    `json:"invited_by"`
	CreatedAt time.Time `json:"created_at"`
	// AcceptedBy is set when a user registered with the address; the invitation is then spent.
	AcceptedBy UserID `json:"accepted_by,omitzero"`
}

func (i *Invitation) keys() []IndexKey {
	ks := []IndexKey{key("org", i.Org.String())}
	if i.AcceptedBy.IsZero() {
		ks = append(ks, key("pending_email", i.Email), key("pending_org", i.Org.String()))
	}
	return ks
}

// InviteInput invites an address to roles at the actor's organisation.
type InviteInput struct {
	Email string `json:"email" validate:"required,email,max=254" rule:"REG-5"`
	Roles []Role `json:"roles" validate:"required,min=1" rule:"REG-5"`
}

// Invite offers roles at the actor's organisation to an e-mail address (REG-5). If an account
// with the address exists the roles are assigned at once; otherwise they attach when the address
// registers — with the same address, compared case-insensitively. Needs ManageUsers.
//
// Errors: ErrInvalid; ErrForbidden; ErrLicence (LIC-3) when a free-model organisation would exceed
// its user cap; ErrRule for a closed organisation.
func (g *Gateway) Invite(ctx context.Context, actor Actor, in InviteInput) (Invitation, error) {
	if err := validateInput(in, "REG-5"); err != nil {
		return Invitation{}, err
	}
	roles, err := orgRoleSet(in.Roles)
	if err != nil {
		return Invitation{}, err
	}
	var out Invitation
	err = g.update(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, ManageUsers, "ROLE-8"); err != nil {
			return err
		}
		if _, err := u.openOrg(actor.Org); err != nil {
			return err
		}
		email := normEmail(in.Email)
		inv := Invitation{ID: u.newID().String(), Org: actor.Org, Email: email, Roles: roles, InvitedBy: actor.User, CreatedAt: u.now}
		x, err := u.userByEmail(email)
		switch {
		case err == nil:
			if err := u.setRoles(actor, x, x.rolesAt(actor.Org)|roles); err != nil {
				return err
			}
			inv.AcceptedBy = x.ID
		case !isNotFound(err):
			return err
		default:
			if err := u.checkUserCap(actor.Org); err != nil {
				return err
			}
			if err := u.enqueue(EventUserInvited, UserID{}, email, actor.Org, map[string]string{"roles": roles.String()}); err != nil {
				return err
			}
		}
		if _, err := u.save(kindInvitation, inv.ID, 0, inv, inv.keys()...); err != nil {
			return err
		}
		out = inv
		return nil
	})
	return out, err
}

// acceptInvitations attaches the roles of every pending invitation for the new user's address (REG-5).
func (u *uow) acceptInvitations(x user) (user, error) {
	recs, err := u.tx.Find(u.ctx, kindInvitation, key("pending_email", x.Email), Page{})
	if err != nil {
		return x, err
	}
	for _, r := range recs {
		var inv Invitation
		v, err := u.load(kindInvitation, r.ID, &inv)
		if err != nil {
			return x, err
		}
		x = x.withRoles(inv.Org, x.rolesAt(inv.Org)|inv.Roles)
		inv.AcceptedBy = x.ID
		if _, err := u.save(kindInvitation, inv.ID, v, inv, inv.keys()...); err != nil {
			return x, err
		}
	}
	return x, nil
}

func orgRoleSet(roles []Role) (RoleSet, error) {
	s := Of(roles...)
	if s&^OrgRoles != 0 || s == 0 {
		return 0, &Error{Kind: ErrInvalid, Code: "invalid_input", Rule: "ROLE-8", Message: "only organisation roles can be assigned",
			Fields: []FieldError{{Field: "roles", Code: "org_role", Rule: "ROLE-8", Message: "must be organisation roles (administrator, senior_officer, ig_officer, information_asset_owner, dpo)"}}}
	}
	return s, nil
}

// SetRolesInput replaces a user's roles at the actor's organisation; an empty list removes the
// user from the organisation.
type SetRolesInput struct {
	User  UserID `json:"user" validate:"required" rule:"ROLE-8"`
	Roles []Role `json:"roles" rule:"ROLE-8"`
}

// SetRoles assigns and revokes roles at the actor's organisation. Needs ManageUsers
// (Administrator; Super Administrator and Central Admin for support). Removing the last
// Administrator or the last Senior Officer is refused (ORG-3). Assigning a DPO clears a DPO
// exemption (ORG-4).
//
// Errors: ErrInvalid; ErrForbidden; ErrNotFound; ErrRule ("organisation.last_administrator",
// "organisation.last_senior_officer"); ErrLicence (LIC-3) past the free model's user cap.
func (g *Gateway) SetRoles(ctx context.Context, actor Actor, in SetRolesInput) (Account, error) {
	if err := validateInput(in, "ROLE-8"); err != nil {
		return Account{}, err
	}
	roles := Of(in.Roles...)
	if roles != 0 {
		var err error
		if roles, err = orgRoleSet(in.Roles); err != nil {
			return Account{}, err
		}
	}
	var out Account
	err := g.update(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, ManageUsers, "ROLE-8"); err != nil {
			return err
		}
		if _, err := u.openOrg(actor.Org); err != nil {
			return err
		}
		x, err := u.loadUser(in.User)
		if err != nil {
			return err
		}
		if err := u.setRoles(actor, x, roles); err != nil {
			return err
		}
		x, err = u.loadUser(in.User)
		out = x.account()
		return err
	})
	return out, err
}

// setRoles gives x exactly roles at actor.Org, enforcing ORG-3, ORG-4 and the user cap.
func (u *uow) setRoles(actor Actor, x user, roles RoleSet) error {
	org := actor.Org
	before := x.rolesAt(org)
	for _, r := range []Role{Administrator, SeniorOfficer} {
		if before.Has(r) && !roles.Has(r) {
			n, err := u.tx.Count(u.ctx, kindUser, key("role", roleKey(org, r)))
			if err != nil {
				return err
			}
			if n <= 1 {
				code := map[Role]string{Administrator: "organisation.last_administrator", SeniorOfficer: "organisation.last_senior_officer"}[r]
				return &Error{Kind: ErrRule, Code: code, Rule: "ORG-3", Message: "an organisation needs at least one " + r.String()}
			}
		}
	}
	if before == 0 && roles != 0 {
		if err := u.checkUserCap(org); err != nil {
			return err
		}
	}
	x = x.withRoles(org, roles)
	if _, err := u.saveUser(x); err != nil {
		return err
	}
	if roles.Has(DPO) && !before.Has(DPO) {
		o, err := u.loadOrg(org)
		if err != nil {
			return err
		}
		if o.DPOExempt {
			o.DPOExempt, o.DPOExemptConfirmedBy = false, UserID{}
			if _, err := u.saveOrg(o); err != nil {
				return err
			}
		}
	}
	if before != roles {
		return u.notifyUser(EventRolesChanged, x, org, map[string]string{"roles": roles.String(), "by": actor.User.String()})
	}
	return nil
}

// Member is a user with their roles at one organisation.
type Member struct {
	User  UserID  `json:"user"`
	Email string  `json:"email"`
	Name  string  `json:"name"`
	Roles RoleSet `json:"roles"`
}

// Members lists the users holding roles at the actor's organisation.
func (g *Gateway) Members(ctx context.Context, actor Actor) ([]Member, error) {
	var out []Member
	err := g.view(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, ViewOrganisation, "ROLE-8"); err != nil {
			return err
		}
		users, _, err := findAll[user](u, kindUser, key("member", actor.Org.String()))
		for _, x := range users {
			out = append(out, Member{User: x.ID, Email: x.Email, Name: x.Name, Roles: x.rolesAt(actor.Org)})
		}
		return err
	})
	return out, err
}

// Delegation is signing authority a Senior Officer gave another user of the same organisation
// (ROLE-5). It may end on a date and may be revoked; a delegate cannot delegate further.
type Delegation struct {
	ID        string    `json:"id"`
	Org       OrgID     `json:"org"`
	From      UserID    `json:"from"`
	To        UserID    `json:"to"`
	Ends      time.Time `json:"ends,omitzero"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	CreatedAt time.Time `json:"created_at"`
}

// ActiveAt reports whether the delegation is in force at t.
func (d Delegation) ActiveAt(t time.Time) bool {
	return d.RevokedAt.IsZero() && (d.Ends.IsZero() || t.Before(d.Ends))
}

func (d *Delegation) keys() []IndexKey {
	return []IndexKey{key("holder", d.Org.String()+"/"+d.To.String()), key("org", d.Org.String())}
}

// DelegateInput grants signing authority to a user of the actor's organisation.
type DelegateInput struct {
	To   UserID    `json:"to" validate:"required" rule:"ROLE-5"`
	Ends time.Time `json:"ends,omitzero"`
}

// Delegate lets a Senior Officer delegate signing authority (ROLE-5) to another user holding a
// role at the same organisation. The delegate may then sign the MoU and sign off flows; it cannot
// delegate (ManageDelegation is the Senior Officer's alone).
//
// Errors: ErrInvalid; ErrForbidden; ErrRule ("delegation.not_member", "delegation.ends_in_past").
func (g *Gateway) Delegate(ctx context.Context, actor Actor, in DelegateInput) (Delegation, error) {
	if err := validateInput(in, "ROLE-5"); err != nil {
		return Delegation{}, err
	}
	var out Delegation
	err := g.update(ctx, func(u *uow) error {
		held, err := u.authorizeAt(actor, actor.Org, ManageDelegation, "ROLE-5")
		if err != nil {
			return err
		}
		if !held.Has(SeniorOfficer) {
			return forbidden("ROLE-5", "only a Senior Officer may delegate")
		}
		to, err := u.loadUser(in.To)
		if err != nil {
			return err
		}
		if to.rolesAt(actor.Org) == 0 || to.ID == actor.User {
			return &Error{Kind: ErrRule, Code: "delegation.not_member", Rule: "ROLE-5", Message: "signing authority can be delegated only to another user of the same organisation"}
		}
		if !in.Ends.IsZero() && !in.Ends.After(u.now) {
			return &Error{Kind: ErrInvalid, Code: "invalid_input", Rule: "ROLE-5", Message: "end date is in the past",
				Fields: []FieldError{{Field: "ends", Code: "future", Rule: "ROLE-5", Message: "must be in the future"}}}
		}
		d := Delegation{ID: u.newID().String(), Org: actor.Org, From: actor.User, To: in.To, Ends: in.Ends.UTC(), CreatedAt: u.now}
		if _, err := u.save(kindDelegation, d.ID, 0, d, d.keys()...); err != nil {
			return err
		}
		out = d
		return u.notifyUser(EventDelegationGranted, to, actor.Org, map[string]string{"delegation": d.ID})
	})
	return out, err
}

// RevokeDelegation ends a delegation now (ROLE-5). Needs a Senior Officer of the organisation.
func (g *Gateway) RevokeDelegation(ctx context.Context, actor Actor, id string) (Delegation, error) {
	var out Delegation
	err := g.update(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, ManageDelegation, "ROLE-5"); err != nil {
			return err
		}
		var d Delegation
		v, err := u.load(kindDelegation, id, &d)
		if err != nil {
			return err
		}
		if d.Org != actor.Org {
			return &Error{Kind: ErrNotFound, Code: "delegation.not_found", Message: "no such delegation at the organisation"}
		}
		if !d.RevokedAt.IsZero() {
			return &Error{Kind: ErrInvalidTransition, Code: "delegation.revoked", Rule: "ROLE-5", Message: "the delegation is already revoked"}
		}
		d.RevokedAt = u.now
		if _, err := u.save(kindDelegation, d.ID, v, d, d.keys()...); err != nil {
			return err
		}
		out = d
		return u.notifyUsers(EventDelegationRevoked, []UserID{d.To}, d.Org, map[string]string{"delegation": d.ID})
	})
	return out, err
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

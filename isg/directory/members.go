package directory

import "time"

// Invitation is a pending offer of roles at an organisation to an e-mail address (REG-5).
type Invitation struct {
	ID        InvitationID `json:"id"`
	Org       OrgID        `json:"org"`
	Email     string       `json:"email"`
	Roles     RoleSet      `json:"roles"`
	InvitedBy UserID       `json:"invited_by"`
	CreatedAt time.Time    `json:"created_at"`
	// AcceptedBy is set when a user registered with the address; the invitation is then spent.
	AcceptedBy UserID `json:"accepted_by,omitzero"`
}

// Pending reports whether the invitation still waits for its address to register.
func (i Invitation) Pending() bool { return i.AcceptedBy.IsZero() }

// Member is a user with their roles at one organisation.
type Member struct {
	User  UserID  `json:"user"`
	Email string  `json:"email"`
	Name  string  `json:"name"`
	Roles RoleSet `json:"roles"`
}

// MemberOf is x as a member of org.
func MemberOf(x User, org OrgID) Member {
	return Member{User: x.ID, Email: x.Email, Name: x.Name, Roles: x.RolesAt(org)}
}

// OrgRoleSet is the set of roles, which must all be organisation roles (ROLE-8) and at least one.
func OrgRoleSet(roles []Role) (RoleSet, error) {
	s := Of(roles...)
	if s&^OrgRoles != 0 || s == 0 {
		return 0, &Error{Kind: ErrInvalid, Code: "invalid_input", Rule: "ROLE-8", Message: "only organisation roles can be assigned",
			Fields: []FieldError{{Field: "roles", Code: "org_role", Rule: "ROLE-8", Message: "must be organisation roles (administrator, senior_officer, ig_officer, information_asset_owner, dpo)"}}}
	}
	return s, nil
}

// Holders counts who holds the roles an organisation must keep (ORG-3), before a change.
type Holders struct {
	Administrators, SeniorOfficers int
}

// RoleChange is what a change of one user's roles at an organisation does.
type RoleChange struct {
	// User holds the new roles.
	User User
	// Org is the organisation, its DPO exemption cleared when a DPO arrives (ORG-4);
	// OrgChanged says it must be stored.
	Org        Organisation
	OrgChanged bool
	// NeedsSeat says the organisation gains a user, which the free model's user cap must allow
	// (LIC-3): the Gateway asks the licensing rules.
	NeedsSeat bool
	Events    []Event
}

// SetRoles gives x exactly roles at the open organisation o (none removes x from it), by the
// user by. Taking Administrator or Senior Officer from its last holder is refused (ORG-3);
// assigning a DPO clears a DPO exemption (ORG-4); x is told of any change.
func SetRoles(o Organisation, x User, roles RoleSet, h Holders, by UserID) (RoleChange, error) {
	if err := o.RequireOpen(); err != nil {
		return RoleChange{}, err
	}
	before := x.RolesAt(o.ID)
	for _, last := range []struct {
		role    Role
		holders int
		code    string
	}{{Administrator, h.Administrators, CodeLastAdministrator}, {SeniorOfficer, h.SeniorOfficers, CodeLastSeniorOfficer}} {
		if before.Has(last.role) && !roles.Has(last.role) && last.holders <= 1 {
			return RoleChange{}, refuse(ErrRule, last.code, "ORG-3", "an organisation needs at least one "+last.role.String())
		}
	}
	c := RoleChange{User: x.WithRoles(o.ID, roles), Org: o, NeedsSeat: before == 0 && roles != 0}
	if roles.Has(DPO) && !before.Has(DPO) && o.DPOExempt {
		c.Org.DPOExempt, c.Org.DPOExemptConfirmedBy, c.OrgChanged = false, UserID{}, true
	}
	if before != roles {
		c.Events = []Event{{Type: EventRolesChanged, Org: o.ID, Data: map[string]string{"roles": roles.String(), "by": by.String()},
			To: Audience{Users: []UserID{x.ID}}}}
	}
	return c, nil
}

// Invited is what an invitation did.
type Invited struct {
	Invitation Invitation
	// Change is set when the address has an account: the roles are added at once.
	Change *RoleChange
	// NeedsSeat says the organisation gains a user (or a pending invitation, which counts as one)
	// that the free model's user cap must allow (LIC-3).
	NeedsSeat bool
	Events    []Event
}

// Invite offers roles at the open organisation o to an address (REG-5). When an account holds the
// address (existing) the roles are added to it at once and the invitation is spent; otherwise the
// invitation waits for the address to register, and the address is told.
func Invite(o Organisation, id InvitationID, email string, roles RoleSet, existing *User, h Holders, by UserID, now time.Time) (Invited, error) {
	if err := o.RequireOpen(); err != nil {
		return Invited{}, err
	}
	email = NormEmail(email)
	inv := Invitation{ID: id, Org: o.ID, Email: email, Roles: roles, InvitedBy: by, CreatedAt: now}
	if existing != nil {
		c, err := SetRoles(o, *existing, existing.RolesAt(o.ID)|roles, h, by)
		if err != nil {
			return Invited{}, err
		}
		inv.AcceptedBy = existing.ID
		return Invited{Invitation: inv, Change: &c, NeedsSeat: c.NeedsSeat, Events: c.Events}, nil
	}
	return Invited{Invitation: inv, NeedsSeat: true, Events: []Event{{Type: EventUserInvited, Org: o.ID,
		Data: map[string]string{"roles": roles.String()}, To: Audience{Email: email}}}}, nil
}

// AcceptInvitations attaches the roles of the pending invitations to x (REG-5) and returns x and
// the invitations, now spent.
func AcceptInvitations(x User, pending []Invitation) (User, []Invitation) {
	var accepted []Invitation
	for _, inv := range pending {
		if !inv.Pending() {
			continue
		}
		x = x.WithRoles(inv.Org, x.RolesAt(inv.Org)|inv.Roles)
		inv.AcceptedBy = x.ID
		accepted = append(accepted, inv)
	}
	return x, accepted
}

// MoveMember moves x's roles at from to the survivor to, joining any roles x already holds there
// (ORG-6).
func MoveMember(x User, from, to OrgID) User {
	moved := x.RolesAt(from)
	x = x.WithRoles(from, 0)
	return x.WithRoles(to, x.RolesAt(to)|moved)
}

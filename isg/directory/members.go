package directory

import "time"

// InvitationTTL is how long an invitation waits for its answer (REG-5).
const InvitationTTL = 30 * 24 * time.Hour

// InvitationStatus is where an invitation is. Its text is stable: it is stored.
type InvitationStatus string

// Invitation statuses (REG-5). A pending invitation past ExpiresAt has expired: it is no longer
// offered, and no longer counts toward the free model's user cap (LIC-3).
const (
	InvitationPending   InvitationStatus = "pending"
	InvitationAccepted  InvitationStatus = "accepted"
	InvitationDeclined  InvitationStatus = "declined"
	InvitationWithdrawn InvitationStatus = "withdrawn"
)

// Invitation is an offer of roles at an organisation to an e-mail address (REG-5).
type Invitation struct {
	ID        InvitationID `json:"id"`
	Org       OrgID        `json:"org"`
	Email     string       `json:"email"`
	Roles     RoleSet      `json:"roles"`
	InvitedBy UserID       `json:"invited_by"`
	CreatedAt time.Time    `json:"created_at"`
	// ExpiresAt is when a pending invitation expires (CreatedAt + InvitationTTL).
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// Status is pending, accepted, declined or withdrawn; empty in records written before
	// invitations had one (pending unless AcceptedBy is set).
	Status InvitationStatus `json:"status,omitempty"`
	// AcceptedBy is set when the invitation was accepted: by registering with the address, or by
	// the account holding it accepting the offer.
	AcceptedBy UserID `json:"accepted_by,omitzero"`
	// AnsweredAt is when it was accepted, declined or withdrawn.
	AnsweredAt time.Time `json:"answered_at,omitzero"`
}

// Pending reports whether the invitation is unanswered (it may still have expired; see Open).
func (i Invitation) Pending() bool {
	return i.AcceptedBy.IsZero() && (i.Status == "" || i.Status == InvitationPending)
}

// Expires is when the invitation expires (records written before ExpiresAt: 30 days after
// they were made).
func (i Invitation) Expires() time.Time {
	if i.ExpiresAt.IsZero() {
		return i.CreatedAt.Add(InvitationTTL)
	}
	return i.ExpiresAt
}

// Open reports whether the invitation is still offered at now: pending and not expired. Only an
// open invitation counts toward the user cap (LIC-3) and can be accepted (REG-5).
func (i Invitation) Open(now time.Time) bool { return i.Pending() && now.Before(i.Expires()) }

// answer moves an open invitation to status at now.
func (i Invitation) answer(status InvitationStatus, now time.Time) (Invitation, error) {
	if !i.Open(now) {
		return i, refuse(ErrInvalidTransition, CodeInvitationNotPending, "REG-5", "the invitation was answered, withdrawn or has expired")
	}
	i.Status, i.AnsweredAt = status, now
	return i, nil
}

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
	if !before.Has(DPO) {
		c.Org, c.OrgChanged = DPOArrives(o, roles)
	}
	if before != roles {
		c.Events = []Event{{Type: EventRolesChanged, Org: o.ID, Data: map[string]string{"roles": roles.String(), "by": by.String()},
			To: Audience{Users: []UserID{x.ID}}}}
	}
	return c, nil
}

// DPOArrives returns o after users holding roles arrive there (ORG-4): a DPO among them clears a
// DPO exemption, whichever way the DPO arrives — a role change, an accepted invitation, a merge.
// changed says o must be stored.
func DPOArrives(o Organisation, roles RoleSet) (next Organisation, changed bool) {
	if !roles.Has(DPO) || !o.DPOExempt {
		return o, false
	}
	o.DPOExempt, o.DPOExemptConfirmedBy = false, UserID{}
	return o, true
}

// Invited is what an invitation did.
type Invited struct {
	Invitation Invitation
	// NeedsSeat says the organisation gains a pending invitation, which counts as a user that the
	// free model's user cap must allow (LIC-3); false when the address's account is a member
	// already.
	NeedsSeat bool
	Events    []Event
}

// Invite offers roles at the open organisation o to an address (REG-5), for InvitationTTL. The
// offer is the same whether or not an account holds the address (existing), so the inviter
// learns nothing from it: nothing attaches at once. An account holding the address is told and
// accepts or declines (Accept, Decline); an address with no account is told, and the roles attach
// when it registers with that address.
func Invite(o Organisation, id InvitationID, email string, roles RoleSet, existing *User, by UserID, now time.Time) (Invited, error) {
	if err := o.RequireOpen(); err != nil {
		return Invited{}, err
	}
	email = NormEmail(email)
	inv := Invitation{ID: id, Org: o.ID, Email: email, Roles: roles, InvitedBy: by, CreatedAt: now,
		ExpiresAt: now.Add(InvitationTTL), Status: InvitationPending}
	data := map[string]string{"roles": roles.String(), "invitation": id.String()}
	to := Audience{Email: email}
	if existing != nil {
		to = Audience{Users: []UserID{existing.ID}}
	}
	return Invited{Invitation: inv, NeedsSeat: existing == nil || existing.RolesAt(o.ID) == 0,
		Events: []Event{{Type: EventUserInvited, Org: o.ID, Data: data, To: to}}}, nil
}

// Accept is x's acceptance of the open invitation inv to the open organisation o (REG-5): x must
// hold the invited address (else the invitation is not found, as for an unknown ID), and x is
// active, so its address is verified. The roles join those x holds at o; a DPO among them clears
// a DPO exemption (ORG-4). The invitation held its seat under the user cap (LIC-3) while it was
// pending, so the change needs none. The inviter is told.
func Accept(inv Invitation, o Organisation, x User, now time.Time) (Invitation, RoleChange, error) {
	if NormEmail(x.Email) != inv.Email {
		return inv, RoleChange{}, NotFound("invitation", inv.ID.String())
	}
	if err := o.RequireOpen(); err != nil {
		return inv, RoleChange{}, err
	}
	next, err := inv.answer(InvitationAccepted, now)
	if err != nil {
		return inv, RoleChange{}, err
	}
	next.AcceptedBy = x.ID
	// Roles are only added, so no last holder is at stake (ORG-3).
	c, err := SetRoles(o, x, x.RolesAt(o.ID)|inv.Roles, Holders{}, inv.InvitedBy)
	if err != nil {
		return inv, RoleChange{}, err
	}
	c.NeedsSeat = false
	c.Events = append(c.Events, answered(next))
	return next, c, nil
}

// Decline is x's refusal of the open invitation inv (REG-5): x must hold the invited address.
// The inviter is told.
func Decline(inv Invitation, x User, now time.Time) (Invitation, []Event, error) {
	if NormEmail(x.Email) != inv.Email {
		return inv, nil, NotFound("invitation", inv.ID.String())
	}
	next, err := inv.answer(InvitationDeclined, now)
	if err != nil {
		return inv, nil, err
	}
	return next, []Event{answered(next)}, nil
}

// Withdraw is the inviting organisation's withdrawal of its open invitation inv (REG-5); an
// invitation of another organisation is not found, as for an unknown ID. The address's account,
// if any, cannot accept it any more.
func Withdraw(inv Invitation, org OrgID, now time.Time) (Invitation, error) {
	if inv.Org != org {
		return inv, NotFound("invitation", inv.ID.String())
	}
	return inv.answer(InvitationWithdrawn, now)
}

func answered(inv Invitation) Event {
	return Event{Type: EventInvitationAnswered, Org: inv.Org, Data: map[string]string{"invitation": inv.ID.String(), "status": string(inv.Status)},
		To: Audience{Users: []UserID{inv.InvitedBy}}}
}

// AcceptInvitations attaches the roles of the invitations open at now to x, an account
// registering with their address (REG-5), and returns x and the invitations, now accepted.
func AcceptInvitations(x User, pending []Invitation, now time.Time) (User, []Invitation) {
	var accepted []Invitation
	for _, inv := range pending {
		if !inv.Open(now) {
			continue
		}
		x = x.WithRoles(inv.Org, x.RolesAt(inv.Org)|inv.Roles)
		inv.AcceptedBy, inv.Status, inv.AnsweredAt = x.ID, InvitationAccepted, now
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

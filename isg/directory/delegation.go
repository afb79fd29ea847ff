package directory

import (
	"time"

	"github.com/isgkit/gateway/internal/validate"
)

// Delegation is signing authority a Senior Officer gave another user of the same organisation
// (ROLE-5). It may end on a date and may be revoked; a delegate cannot delegate further (the
// permission table gives ManageDelegation to Senior Officers alone).
type Delegation struct {
	ID        DelegationID `json:"id"`
	Org       OrgID        `json:"org"`
	From      UserID       `json:"from"`
	To        UserID       `json:"to"`
	Ends      time.Time    `json:"ends,omitzero"`
	RevokedAt time.Time    `json:"revoked_at,omitzero"`
	CreatedAt time.Time    `json:"created_at"`
}

// ActiveAt reports whether the delegation is in force at t.
func (d Delegation) ActiveAt(t time.Time) bool {
	return d.RevokedAt.IsZero() && (d.Ends.IsZero() || t.Before(d.Ends))
}

// InForceAt reports whether the delegation gives its holder signing authority at t, when its
// delegator holds the roles delegator at the delegation's organisation (ROLE-5): it is active
// (not revoked, not past its end) and the delegator still holds the Senior Officer role there. A
// delegation lapses when its delegator no longer does, however the role was lost (a role change,
// a merge moving the delegator's roles elsewhere), so the question is asked at every use.
func (d Delegation) InForceAt(t time.Time, delegator RoleSet) bool {
	return d.ActiveAt(t) && delegator.Has(SeniorOfficer)
}

// Grant grants from's signing authority at org to the user to, until ends (zero: until
// revoked) (ROLE-5). The delegate must hold a role at org and be someone else; the end date must
// be in the future. The delegate is told.
func Grant(id DelegationID, org OrgID, from UserID, to User, ends time.Time, now time.Time) (Delegation, []Event, error) {
	if to.RolesAt(org) == 0 || to.ID == from {
		return Delegation{}, nil, refuse(ErrRule, CodeDelegationNotMember, "ROLE-5", "signing authority can be delegated only to another user of the same organisation")
	}
	if !ends.IsZero() && !validate.Instant(ends) {
		return Delegation{}, nil, &Error{Kind: ErrInvalid, Code: "invalid_input", Rule: "ROLE-5", Message: "end date out of range",
			Fields: []FieldError{{Field: "ends", Code: "instant", Rule: "ROLE-5", Message: validate.InstantMessage}}}
	}
	if !ends.IsZero() && !ends.After(now) {
		return Delegation{}, nil, &Error{Kind: ErrInvalid, Code: "invalid_input", Rule: "ROLE-5", Message: "end date is in the past",
			Fields: []FieldError{{Field: "ends", Code: "future", Rule: "ROLE-5", Message: "must be in the future"}}}
	}
	d := Delegation{ID: id, Org: org, From: from, To: to.ID, Ends: ends.UTC(), CreatedAt: now}
	return d, []Event{delegationEvent(EventDelegationGranted, d)}, nil
}

// Revoke ends a delegation of org now (ROLE-5). A delegation of another organisation is not
// found, as an unknown one is; the delegate is told.
func Revoke(d Delegation, org OrgID, now time.Time) (Delegation, []Event, error) {
	if d.Org != org {
		return d, nil, refuse(ErrNotFound, CodeDelegationNotFound, "", "no such delegation at the organisation")
	}
	if !d.RevokedAt.IsZero() {
		return d, nil, refuse(ErrInvalidTransition, CodeDelegationRevoked, "ROLE-5", "the delegation is already revoked")
	}
	d.RevokedAt = now
	return d, []Event{delegationEvent(EventDelegationRevoked, d)}, nil
}

func delegationEvent(typ string, d Delegation) Event {
	return Event{Type: typ, Org: d.Org, Data: map[string]string{"delegation": d.ID.String()}, To: Audience{Users: []UserID{d.To}}}
}

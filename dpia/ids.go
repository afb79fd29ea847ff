package dpia

import (
	"github.com/google/uuid"

	"github.com/isgkit/gateway/isg/ident"
)

// OrgID identifies an organisation; it is the module's one organisation ID type.
type OrgID = ident.OrgID

// UserID identifies a user account; it is the module's one user ID type.
type UserID = ident.UserID

// ActivityID identifies an Activity (DPIA-1). It encodes as the UUID's text form.
type ActivityID struct{ uuid.UUID }

// ID identifies one version of a DPIA. Each version is its own record with its own ID; the
// versions of one DPIA share a Root (DPIA-10).
type ID struct{ uuid.UUID }

// IsZero reports whether the ID is unset; encoding/json's omitzero uses it.
func (id ActivityID) IsZero() bool { return id.UUID == uuid.Nil }

// IsZero reports whether the ID is unset; encoding/json's omitzero uses it.
func (id ID) IsZero() bool { return id.UUID == uuid.Nil }

// ParseActivityID parses the text form of an activity ID.
func ParseActivityID(s string) (ActivityID, error) {
	u, err := uuid.Parse(s)
	return ActivityID{u}, err
}

// ParseID parses the text form of a DPIA ID.
func ParseID(s string) (ID, error) {
	u, err := uuid.Parse(s)
	return ID{u}, err
}

// Actor is the user a command is done by and the organisation the user acts for. The Gateway has
// already checked the user's role at that organisation against the permission table (ROLE-7);
// this package checks only what depends on the DPIA: whether the actor is one of its
// contributors, its creator, a named approver or evaluator.
type Actor struct {
	User UserID `json:"user"`
	Org  OrgID  `json:"org"`
}

// Member is a user for an organisation: a contributor, a task's assignee, an action's owner.
type Member struct {
	User UserID `json:"user" validate:"required"`
	Org  OrgID  `json:"org" validate:"required"`
}

func (a Actor) member() Member { return Member(a) }

// Package ident holds the ID types that several packages share. Every ID is a UUID (version 7, so
// IDs sort by creation time) wrapped in a small named type so that an organisation ID cannot be
// passed where a user ID is expected. Public packages re-export these types as aliases
// (isg.OrgID, agreement.OrgID, …), so they are one type under several names.
//
// IDs are never made here: the Gateway's ID source makes them and passes them in.
package ident

import "github.com/google/uuid"

// OrgID identifies an organisation.
type OrgID struct{ uuid.UUID }

// UserID identifies a user account.
type UserID struct{ uuid.UUID }

// IsZero reports whether the ID is unset.
func (id OrgID) IsZero() bool { return id.UUID == uuid.Nil }

// IsZero reports whether the ID is unset.
func (id UserID) IsZero() bool { return id.UUID == uuid.Nil }

// ParseOrgID parses the text form of an organisation ID.
func ParseOrgID(s string) (OrgID, error) {
	u, err := uuid.Parse(s)
	return OrgID{u}, err
}

// ParseUserID parses the text form of a user ID.
func ParseUserID(s string) (UserID, error) {
	u, err := uuid.Parse(s)
	return UserID{u}, err
}

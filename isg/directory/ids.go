package directory

import "github.com/google/uuid"

// Each directory record has its own ID type, so that a merge ID cannot be passed where a closure
// ID is expected. They encode as the UUID's text form, as the stored records always did.
type (
	// InvitationID identifies an invitation (REG-5).
	InvitationID struct{ uuid.UUID }
	// DelegationID identifies a delegation of signing authority (ROLE-5).
	DelegationID struct{ uuid.UUID }
	// MergeID identifies a merge request (ORG-6).
	MergeID struct{ uuid.UUID }
	// ClosureID identifies a closure request (ORG-7).
	ClosureID struct{ uuid.UUID }
	// AssetID identifies an information asset (ORG-10).
	AssetID struct{ uuid.UUID }
)

// IsZero reports whether the ID is unset; encoding/json's omitzero uses it.
func (id InvitationID) IsZero() bool { return id.UUID == uuid.Nil }

// IsZero reports whether the ID is unset; encoding/json's omitzero uses it.
func (id DelegationID) IsZero() bool { return id.UUID == uuid.Nil }

// IsZero reports whether the ID is unset; encoding/json's omitzero uses it.
func (id MergeID) IsZero() bool { return id.UUID == uuid.Nil }

// IsZero reports whether the ID is unset; encoding/json's omitzero uses it.
func (id ClosureID) IsZero() bool { return id.UUID == uuid.Nil }

// IsZero reports whether the ID is unset; encoding/json's omitzero uses it.
func (id AssetID) IsZero() bool { return id.UUID == uuid.Nil }

package support

import (
	"github.com/google/uuid"

	"github.com/isgkit/gateway/isg/ident"
	"github.com/isgkit/gateway/licensing"
)

// OrgID identifies an organisation; it is the module's one organisation ID type.
type OrgID = ident.OrgID

// UserID identifies a user account; it is the module's one user ID type.
type UserID = ident.UserID

// GroupID identifies a licensing group by its group contract (licensing.ContractID): the
// contract's Super Administrators give the group's Standard Support (SUP-1) and publish its
// resources (SUP-3).
type GroupID = licensing.ContractID

// RequestID identifies a support request (SUP-1). It encodes as the UUID's text form.
type RequestID struct{ uuid.UUID }

// ResourceID identifies a resource of the library (SUP-3).
type ResourceID struct{ uuid.UUID }

// IsZero reports whether the ID is unset; encoding/json's omitzero uses it.
func (id RequestID) IsZero() bool { return id.UUID == uuid.Nil }

// IsZero reports whether the ID is unset; encoding/json's omitzero uses it.
func (id ResourceID) IsZero() bool { return id.UUID == uuid.Nil }

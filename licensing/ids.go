package licensing

import (
	"github.com/google/uuid"

	"github.com/isgkit/gateway/isg/ident"
)

// OrgID identifies an organisation; it is the module's one organisation ID type.
type OrgID = ident.OrgID

// UserID identifies a user account; it is the module's one user ID type.
type UserID = ident.UserID

// ContractID identifies a group contract. Its own type keeps a contract ID from being passed where
// an organisation's is expected. It encodes as the UUID's text form.
type ContractID struct{ uuid.UUID }

// LicenceID identifies one licence allocated under a contract.
type LicenceID struct{ uuid.UUID }

// RequestID identifies a licence request (LIC-7).
type RequestID struct{ uuid.UUID }

// IsZero reports whether the ID is unset; encoding/json's omitzero uses it.
func (id ContractID) IsZero() bool { return id.UUID == uuid.Nil }

// IsZero reports whether the ID is unset; encoding/json's omitzero uses it.
func (id LicenceID) IsZero() bool { return id.UUID == uuid.Nil }

// IsZero reports whether the ID is unset; encoding/json's omitzero uses it.
func (id RequestID) IsZero() bool { return id.UUID == uuid.Nil }

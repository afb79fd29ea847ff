package licensing

import (
	"github.com/google/uuid"

	"github.com/isgkit/gateway/internal/ident"
	"github.com/isgkit/gateway/internal/violation"
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

// Error is the module's rich error: Kind (matched with errors.Is against the sentinels below), a
// stable Code, the Rule ID and field errors. It is violation.Error under this package's name.
type Error = violation.Error

// FieldError names one bad input field, why it is bad and the rule it breaks.
type FieldError = violation.FieldError

// The error kinds this package returns; they are the module's shared sentinels, so errors.Is
// matches them whichever package's name the host uses.
var (
	ErrInvalid           = violation.ErrInvalid
	ErrNotFound          = violation.ErrNotFound
	ErrConflict          = violation.ErrConflict
	ErrInvalidTransition = violation.ErrInvalidTransition
	ErrLicence           = violation.ErrLicence
	ErrRule              = violation.ErrRule
)

// requireID refuses an unset ID: every ID is made by the caller's ID source, and a zero one means
// the caller forgot, which would otherwise collide silently in the store.
func requireID(field string, zero bool) error {
	if zero {
		return violation.Field(field, "required", "", "is required")
	}
	return nil
}

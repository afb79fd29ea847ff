package agreement

import (
	"github.com/google/uuid"

	"github.com/isgkit/gateway/isg/ident"
)

// OrgID identifies an organisation; it is the module's one organisation ID type.
type OrgID = ident.OrgID

// UserID identifies a user account; it is the module's one user ID type.
type UserID = ident.UserID

// SummaryID identifies a data sharing summary. Each aggregate has its own ID type so that a flow ID
// cannot be passed where a summary ID is expected. It encodes as the UUID's text form.
type SummaryID struct{ uuid.UUID }

// FlowID identifies a data flow.
type FlowID struct{ uuid.UUID }

// RiskAssessmentID identifies a flow's risk assessment.
type RiskAssessmentID struct{ uuid.UUID }

// DocumentID identifies a document attached to a summary; the document's bytes live with the host.
type DocumentID struct{ uuid.UUID }

// IsZero reports whether the ID is unset; encoding/json's omitzero uses it.
func (id SummaryID) IsZero() bool { return id.UUID == uuid.Nil }

// IsZero reports whether the ID is unset; encoding/json's omitzero uses it.
func (id FlowID) IsZero() bool { return id.UUID == uuid.Nil }

// IsZero reports whether the ID is unset; encoding/json's omitzero uses it.
func (id RiskAssessmentID) IsZero() bool { return id.UUID == uuid.Nil }

// IsZero reports whether the ID is unset; encoding/json's omitzero uses it.
func (id DocumentID) IsZero() bool { return id.UUID == uuid.Nil }

// ParseSummaryID parses the text form of a summary ID.
func ParseSummaryID(s string) (SummaryID, error) {
	u, err := uuid.Parse(s)
	return SummaryID{u}, err
}

// ParseFlowID parses the text form of a flow ID.
func ParseFlowID(s string) (FlowID, error) {
	u, err := uuid.Parse(s)
	return FlowID{u}, err
}

// Actor is the user a command is done by and the organisation the user acts for. The Gateway has
// already checked the user's role at that organisation (ROLE-7); this package checks only what
// depends on the aggregate: whether the organisation is named in it, created it or was asked to
// review it.
type Actor struct {
	User UserID `json:"user"`
	Org  OrgID  `json:"org"`
}

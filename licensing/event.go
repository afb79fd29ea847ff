package licensing

import "time"

// EventType names what happened. Its text is stable: a host may route notifications and log
// entries on it.
type EventType string

// The events this package raises.
const (
	// EventContractCreated: a group contract was created.
	EventContractCreated EventType = "licence.contract_created"
	// EventContractRenewed: a renewal term was added (LIC-6).
	EventContractRenewed EventType = "licence.contract_renewed"
	// EventContractEnded: the contract was ended early (LIC-5).
	EventContractEnded EventType = "licence.contract_ended"
	// EventLicenceLapsed: a licence stopped counting because its contract ended; its organisation is
	// now on the free model and keeps all its data (LIC-5). One per active licence.
	EventLicenceLapsed EventType = "licence.lapsed"
	// EventSuperAdminAdded: a Super Administrator was named (LIC-2). User is set.
	EventSuperAdminAdded EventType = "licence.super_admin_added"
	// EventSuperAdminRemoved: a Super Administrator was removed (LIC-2). User is set.
	EventSuperAdminRemoved EventType = "licence.super_admin_removed"
	// EventLicenceAllocated: a licence was allocated (LIC-1), possibly answering a request (Request is
	// set). Warning carries PrivateOrgWarning when the organisation is private (LIC-7).
	EventLicenceAllocated EventType = "licence.allocated"
	// EventLicenceRevoked: a licence was revoked, freeing its slot.
	EventLicenceRevoked EventType = "licence.revoked"
	// EventLicenceRequested: an organisation requested a licence (LIC-7); the contract's Super
	// Administrators are the ones to tell.
	EventLicenceRequested EventType = "licence.requested"
	// EventRequestDeclined: a Super Administrator declined a request (LIC-7); Reason is set.
	EventRequestDeclined EventType = "licence.request_declined"
)

// Event records one change so that the Gateway can notify (NOTE-1) and log it. Only the IDs that
// concern the event are set; the rest are zero and left out of JSON.
type Event struct {
	Type     EventType  `json:"type"`
	At       time.Time  `json:"at"`
	Contract ContractID `json:"contract_id,omitzero"`
	Org      OrgID      `json:"org_id,omitzero"`
	Licence  LicenceID  `json:"licence_id,omitzero"`
	Request  RequestID  `json:"request_id,omitzero"`
	User     UserID     `json:"user_id,omitzero"`
	Kind     Kind       `json:"kind,omitempty"`
	// Warning is advice the acting user must see but that does not stop the change, e.g.
	// PrivateOrgWarning (LIC-7).
	Warning string `json:"warning,omitempty"`
	// Reason is the free text given for a decline.
	Reason string `json:"reason,omitempty"`
}

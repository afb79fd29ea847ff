package directory

import "github.com/isgkit/gateway/isg/ident"

// OrgID identifies an organisation; it is the module's one organisation ID type.
type OrgID = ident.OrgID

// UserID identifies a user account; it is the module's one user ID type.
type UserID = ident.UserID

// Event is something a directory rule did that people must be told of (NOTE-1). The rule that
// raised it also says who is to be told: the Gateway only resolves the audience to accounts,
// honours each account's preferences (NOTE-2) and writes one outbox message per recipient.
type Event struct {
	// Type is the notification type, a stable code such as "account.locked".
	Type string `json:"type"`
	// Org is the organisation the event concerns, when there is one.
	Org OrgID `json:"org,omitzero"`
	// Data is the message's payload.
	Data map[string]string `json:"data,omitempty"`
	// To is who is told.
	To Audience `json:"to"`
}

// Audience is who an event is for. Its parts add up; a person reached twice is told once.
type Audience struct {
	// Users are told by account.
	Users []UserID `json:"users,omitempty"`
	// Roles at RolesAt: every holder of any of them there is told.
	Roles   RoleSet `json:"roles,omitempty"`
	RolesAt []OrgID `json:"roles_at,omitempty"`
	// CentralAdmins tells the central admin team.
	CentralAdmins bool `json:"central_admins,omitempty"`
	// SuperAdminsOf tells the Super Administrators of the licensing contracts the organisations
	// hold licences under (LIC-2).
	SuperAdminsOf []OrgID `json:"super_admins_of,omitempty"`
	// Email is an address with no account yet (an invitation, REG-5).
	Email string `json:"email,omitempty"`
}

// Notification types raised by this package's rules. Codes are stable; a user's preferences
// switch them off one by one (NOTE-2).
const (
	EventAccountAwaitingValidation = "account.awaiting_validation"
	EventAccountLocked             = "account.locked"
	EventPasswordResetRequested    = "account.password_reset_requested"
	EventPasswordReset             = "account.password_reset"
	EventCentralAdminAdded         = "account.central_admin_added"
	EventBreakGlassUnlock          = "account.break_glass_unlock"
	EventInvitationAnswered        = "user.invitation_answered"
	EventUserInvited               = "user.invited"
	EventRolesChanged              = "user.roles_changed"
	EventDelegationGranted         = "delegation.granted"
	EventDelegationRevoked         = "delegation.revoked"
	EventMergeRequested            = "merge.requested"
	EventMergeApproved             = "merge.approved"
	EventMergeRejected             = "merge.rejected"
	EventMergeCompleted            = "merge.completed"
	EventClosureRequested          = "closure.requested"
	EventOrganisationClosed        = "organisation.closed"
	EventOrganisationRestored      = "organisation.restored"
	EventSupportedRegistered       = "organisation.supported_registered"
	EventMoUSigned                 = "mou.signed"
)

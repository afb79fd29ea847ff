package isg

import (
	"fmt"

	"github.com/isgkit/gateway/isg/directory"
)

// Role is a role a user holds: at an organisation (Administrator … DPO), through a licensing
// contract (SuperAdmin), on the platform (CentralAdmin), or by delegation (Delegate). It is
// directory.Role; see there for its codes.
type Role = directory.Role

// RoleSet is a set of roles, a bitmask so that a permission check is one AND (directory.RoleSet).
type RoleSet = directory.RoleSet

// The roles (directory's); their codes are stable.
const (
	Administrator  = directory.Administrator
	SeniorOfficer  = directory.SeniorOfficer
	IGOfficer      = directory.IGOfficer
	InfoAssetOwner = directory.InfoAssetOwner
	DPO            = directory.DPO
	Delegate       = directory.Delegate
	SuperAdmin     = directory.SuperAdmin
	CentralAdmin   = directory.CentralAdmin
)

// OrgRoles are the roles that are assigned at an organisation and stored with the user.
const OrgRoles = directory.OrgRoles

// ParseRole parses a role code.
func ParseRole(code string) (Role, error) { return directory.ParseRole(code) }

// Of builds a set from roles.
func Of(roles ...Role) RoleSet { return directory.Of(roles...) }

// Action is something an actor does at an organisation, checked against the permission table.
type Action uint8

// The actions of the permission table (ROLE-8). Codes are stable.
const (
	ViewOrganisation Action = iota
	EditOrganisation
	ManageUsers
	ConfirmDPOExemption
	RegisterSupportedOrganisation
	ManageMerge
	RequestClosure
	CloseOrganisation
	UnlockAccount
	SubmitAssurance
	SignMoU
	ManageDelegation
	EditInventory
	EditAgreements
	ReviewFlow
	SignOffFlow
	UploadDocuments
	ViewReports
	ManageLicences
	CreateActivity
	// ValidateAccounts is the central team's validation of accounts that could not register
	// instantly (REG-1).
	ValidateAccounts
	// PublishMoU is the central team's publishing of a new MoU version (MOU-1).
	PublishMoU
	// ManageContracts is creating, renewing and ending licensing contracts (LIC-1, LIC-5, LIC-6).
	ManageContracts
	// ViewContracts is reading a licensing contract: its price, terms and licensees (LIC-8).
	ViewContracts
	// DrainOutbox is taking the outbox's pending notifications through the outbox.drain command
	// (NOTE-4): the central team's, as the host's operator. The host's own Go call, DrainOutbox,
	// is not gated.
	DrainOutbox
	// ManageCentralAdmins is adding a Central Admin and reading the break-glass log (REG-4).
	ManageCentralAdmins
	// ManageSigningKeys is rotating the platform's signing key (SIGN-4,
	// platform.rotate_signing_key): the central team's, as the platform's key custodian. A
	// host's own signing keys (WithSigners, WithKeyRing) are managed by the host, not here.
	ManageSigningKeys
	// RaiseSupportRequest is raising a support request to the group's Super Administrators, and
	// reopening one (SUP-1): every role at the requesting organisation.
	RaiseSupportRequest
	// ViewSupportRequests is reading and listing support requests (SUP-2): the row's roles, and
	// then only the requests each may see (the requester, the organisation's Administrators, the
	// group's Super Administrators, the central team once escalated).
	ViewSupportRequests
	// AnswerSupportRequest is answering a support request (SUP-1): the group's Super
	// Administrators an open one, the central team an escalated one.
	AnswerSupportRequest
	// EscalateSupportRequest is escalating a support request to the central team (SUP-1, LIC-3):
	// the group's Super Administrators.
	EscalateSupportRequest
	// ResolveSupportRequest is resolving a support request (SUP-1): the requester's side, or the
	// side that answered it.
	ResolveSupportRequest
	// PublishResources is publishing, revising and withdrawing resources of the library (SUP-3):
	// the central team's platform-wide ones, a group's Super Administrators' for their group.
	PublishResources
	// OpenDPIA is opening or editing a DPIA (ROLE-8: its contributors): every role at the
	// organisation the actor acts for, the DPIA's own rule then admitting only its contributors
	// (DPIA-2).
	OpenDPIA
	// ApproveDPIA is evaluating, giving the DPO's opinion on and approving or rejecting a DPIA
	// (ROLE-8: the approvers it names): every role, the DPIA admitting only its named approvers
	// (DPIA-6, DPIA-9).
	ApproveDPIA
	// PublishFlow is a party's agreement to publish a finalised or signed flow on the public
	// register, and its withdrawal (EXIT-3): the organisation's Administrators and Senior
	// Officers, who speak for it, not its sign-off row — a delegate or an Information Asset
	// Owner signs the terms, which is not deciding to show them to the public.
	PublishFlow
	// ExportData is taking the organisation's data return (EXIT-2, organisation.export_data):
	// its Administrators and Senior Officers, who answer for its information.
	ExportData
	// ImportData is importing a data return into an empty store (EXIT-2, data_return.import):
	// the host's own work, or the central team's as the host's operator.
	ImportData
	actionEnd
)

var actionCodes = [actionEnd]string{
	ViewOrganisation: "view_organisation", EditOrganisation: "edit_organisation",
	ManageUsers: "manage_users", ConfirmDPOExemption: "confirm_dpo_exemption",
	RegisterSupportedOrganisation: "register_supported_organisation", ManageMerge: "manage_merge",
	RequestClosure: "request_closure", CloseOrganisation: "close_organisation",
	UnlockAccount: "unlock_account", SubmitAssurance: "submit_assurance", SignMoU: "sign_mou",
	ManageDelegation: "manage_delegation", EditInventory: "edit_inventory",
	EditAgreements: "edit_agreements", ReviewFlow: "review_flow", SignOffFlow: "sign_off_flow",
	UploadDocuments: "upload_documents", ViewReports: "view_reports",
	ManageLicences: "manage_licences", CreateActivity: "create_activity",
	ValidateAccounts: "validate_accounts", PublishMoU: "publish_mou", ManageContracts: "manage_contracts",
	ViewContracts: "view_contracts", DrainOutbox: "drain_outbox",
	ManageCentralAdmins: "manage_central_admins", ManageSigningKeys: "manage_signing_keys",
	RaiseSupportRequest: "raise_support_request",
	ViewSupportRequests: "view_support_requests", AnswerSupportRequest: "answer_support_request",
	EscalateSupportRequest: "escalate_support_request", ResolveSupportRequest: "resolve_support_request",
	PublishResources: "publish_resources",
	OpenDPIA:         "open_dpia", ApproveDPIA: "approve_dpia",
	PublishFlow: "publish_flow", // EXIT-3
	ExportData:  "export_data", ImportData: "import_data",
}

// String returns the action's stable code.
func (a Action) String() string {
	if a < actionEnd {
		return actionCodes[a]
	}
	return fmt.Sprintf("action(%d)", uint8(a))
}

// Actions lists every action in table order.
func Actions() []Action {
	out := make([]Action, actionEnd)
	for i := range out {
		out[i] = Action(i)
	}
	return out
}

// Permissions is the permission table: for each action, the roles that may take it. It is plain
// data, so a host can show it, and checking it costs one array index and one AND.
type Permissions struct {
	allowed [actionEnd]RoleSet
}

var everyOrgRole = OrgRoles

// DefaultPermissions returns the rulebook's table (ROLE-8). Licence conditions (LIC-3, LIC-4) and
// per-record conditions (the DPO must be of a party to the flow, ROLE-6) are checked in addition.
func DefaultPermissions() Permissions {
	var p Permissions
	set := func(a Action, s RoleSet) { p.allowed[a] = s }
	adm, so, igo, iao, dpo := RoleSet(Administrator), RoleSet(SeniorOfficer), RoleSet(IGOfficer), RoleSet(InfoAssetOwner), RoleSet(DPO)
	sa, ca, del := RoleSet(SuperAdmin), RoleSet(CentralAdmin), RoleSet(Delegate)
	set(ViewOrganisation, everyOrgRole|ca)
	set(EditOrganisation, adm|so)
	set(ManageUsers, adm|sa|ca)
	set(ConfirmDPOExemption, adm|so)
	set(RegisterSupportedOrganisation, adm)
	set(ManageMerge, adm|so)
	set(RequestClosure, adm)
	set(CloseOrganisation, sa|ca)
	set(UnlockAccount, sa|ca)
	set(SubmitAssurance, adm|so|igo)
	set(SignMoU, so|del)
	set(ManageDelegation, so)
	set(EditInventory, adm|igo|iao)
	set(EditAgreements, adm|so|igo)
	set(ReviewFlow, dpo)
	set(SignOffFlow, so|del|iao)
	set(UploadDocuments, adm|so|igo|iao)
	set(ViewReports, everyOrgRole)
	set(ManageLicences, sa|ca)
	set(CreateActivity, everyOrgRole)
	set(ValidateAccounts, ca)
	set(PublishMoU, ca)
	set(ManageContracts, ca)
	set(ViewContracts, adm|so|sa|ca)
	set(DrainOutbox, ca)
	set(ManageCentralAdmins, ca)
	set(ManageSigningKeys, ca)
	set(RaiseSupportRequest, everyOrgRole)
	set(ViewSupportRequests, everyOrgRole|sa|ca)
	set(AnswerSupportRequest, sa|ca)
	set(EscalateSupportRequest, sa)
	set(ResolveSupportRequest, everyOrgRole|sa|ca)
	set(PublishResources, sa|ca)
	// DPIAs are confidential to their contributors: no support access (Central Admin) reaches them.
	set(OpenDPIA, everyOrgRole)
	set(ApproveDPIA, everyOrgRole)
	// EXIT-3: publishing an agreement is the organisation's decision (see PublishFlow).
	set(PublishFlow, adm|so)
	// The data return (EXIT-2): the organisation's accountable officers take it; the host (or
	// the central team) imports one.
	set(ExportData, adm|so)
	set(ImportData, ca)
	return p
}

// Allows reports whether any of the held roles may take the action. It does not allocate.
func (p *Permissions) Allows(a Action, held RoleSet) bool {
	return a < actionEnd && p.allowed[a]&held != 0
}

// Who returns the roles that may take the action.
func (p *Permissions) Who(a Action) RoleSet {
	if a >= actionEnd {
		return 0
	}
	return p.allowed[a]
}

// Tighten returns a copy of the table in which action a is allowed only to the given roles, which
// must be a subset of those the table allows now: a host may tighten the rules, never loosen them.
func (p Permissions) Tighten(a Action, roles RoleSet) (Permissions, error) {
	if a >= actionEnd {
		return p, fmt.Errorf("isg: unknown action %d", a)
	}
	if roles&^p.allowed[a] != 0 {
		return p, &Error{Kind: ErrRule, Code: "permissions.loosened", Rule: "ROLE-8",
			Message: fmt.Sprintf("%s may not be given to %s: a host may tighten the permission table, never loosen it", a, roles&^p.allowed[a])}
	}
	p.allowed[a] = roles
	return p, nil
}

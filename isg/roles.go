package isg

import (
	"encoding/json"
	"fmt"
	"math/bits"
	"strings"
)

// Role is a role a user holds: at an organisation (Administrator … DPO), through a licensing
// contract (SuperAdmin), on the platform (CentralAdmin), or by delegation (Delegate).
type Role uint16

// The roles. Their codes (String) are stable; their numeric values are not part of the stored format.
const (
	Administrator Role = 1 << iota
	SeniorOfficer
	IGOfficer
	InfoAssetOwner
	DPO
	// Delegate is held by a user to whom a Senior Officer delegated signing authority (ROLE-5).
	Delegate
	// SuperAdmin is held at every organisation of a licensing group by the contract's Super
	// Administrators (LIC-2).
	SuperAdmin
	// CentralAdmin is the platform's support team; held at every organisation (ROLE-7).
	CentralAdmin
	roleEnd
)

// OrgRoles are the roles that are assigned at an organisation and stored with the user.
const OrgRoles = RoleSet(Administrator | SeniorOfficer | IGOfficer | InfoAssetOwner | DPO)

var roleCodes = map[Role]string{
	Administrator: "administrator", SeniorOfficer: "senior_officer", IGOfficer: "ig_officer",
	InfoAssetOwner: "information_asset_owner", DPO: "dpo", Delegate: "delegate",
	SuperAdmin: "super_administrator", CentralAdmin: "central_admin",
}

// String returns the role's stable code, e.g. "senior_officer".
func (r Role) String() string {
	if c, ok := roleCodes[r]; ok {
		return c
	}
	return fmt.Sprintf("role(%d)", uint16(r))
}

// ParseRole parses a role code.
func ParseRole(code string) (Role, error) {
	for r, c := range roleCodes {
		if c == code {
			return r, nil
		}
	}
	return 0, fmt.Errorf("unknown role %q", code)
}

// MarshalText encodes the role as its code.
func (r Role) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText decodes a role code.
func (r *Role) UnmarshalText(b []byte) error {
	p, err := ParseRole(string(b))
	if err == nil {
		*r = p
	}
	return err
}

// RoleSet is a set of roles, a bitmask so that a permission check is one AND.
type RoleSet uint16

// Has reports whether the set holds r.
func (s RoleSet) Has(r Role) bool { return s&RoleSet(r) != 0 }

// Roles lists the roles in the set in a fixed order.
func (s RoleSet) Roles() []Role {
	out := make([]Role, 0, bits.OnesCount16(uint16(s)))
	for r := Role(1); r < roleEnd; r <<= 1 {
		if s.Has(r) {
			out = append(out, r)
		}
	}
	return out
}

// Of builds a set from roles.
func Of(roles ...Role) RoleSet {
	var s RoleSet
	for _, r := range roles {
		s |= RoleSet(r)
	}
	return s
}

// String lists the role codes joined by "+".
func (s RoleSet) String() string {
	rs := s.Roles()
	codes := make([]string, len(rs))
	for i, r := range rs {
		codes[i] = r.String()
	}
	return strings.Join(codes, "+")
}

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

// MarshalJSON encodes the set as a list of role codes, so stored records and results read plainly.
func (s RoleSet) MarshalJSON() ([]byte, error) {
	return json.Marshal(s.Roles())
}

// UnmarshalJSON decodes a list of role codes.
func (s *RoleSet) UnmarshalJSON(b []byte) error {
	var roles []Role
	if err := json.Unmarshal(b, &roles); err != nil {
		return err
	}
	*s = Of(roles...)
	return nil
}

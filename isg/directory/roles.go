package directory

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

package licensing

import (
	"slices"
	"time"

	"github.com/isgkit/gateway/isg/violation"
)

// PrivateOrgWarning is recorded on a licence allocated to a private organisation, and on its
// event, for the Super Administrator to heed (LIC-7): the not-for-profit pricing holds only while
// group licences serve public-sector sharing.
const PrivateOrgWarning = "group licences are for sharing with public-sector organisations"

// LicenceStatus is a licence's stored lifecycle state (active → revoked).
type LicenceStatus string

// The licence states.
const (
	// LicenceActive: allocated and not revoked. It counts against the contract's capacity, and
	// grants its kind while the contract is active (LIC-5).
	LicenceActive LicenceStatus = "active"
	// LicenceRevoked: revoked; final. It no longer counts against capacity.
	LicenceRevoked LicenceStatus = "revoked"
)

// Licence is one licence allocated to an organisation under a contract. It lives inside its
// Contract.
type Licence struct {
	ID   LicenceID `json:"id"`
	Org  OrgID     `json:"org_id"`
	Kind Kind      `json:"kind"`
	// Private is whether the organisation was private when allocated (LIC-7).
	Private     bool          `json:"private,omitempty"`
	Status      LicenceStatus `json:"status"`
	AllocatedAt time.Time     `json:"allocated_at"`
	RevokedAt   time.Time     `json:"revoked_at,omitzero"`
	// Request is the request the licence answered, if any.
	Request RequestID `json:"request_id,omitzero"`
	// Warning is PrivateOrgWarning for a private organisation, else empty.
	Warning string `json:"warning,omitempty"`
}

// validAt reports whether the licence itself was in force at now (its contract aside), so that an
// entitlement asked for a past moment sees the licences of that moment.
func (l *Licence) validAt(now time.Time) bool {
	if now.Before(l.AllocatedAt) {
		return false
	}
	return l.Status == LicenceActive || now.Before(l.RevokedAt)
}

// Allocate allocates a licence of kind to org under c at now (LIC-1). private says whether org is
// a private organisation: the licence is still allocated, with PrivateOrgWarning on it and on the
// event (LIC-7). It returns the new contract, the licence and EventLicenceAllocated, or:
//   - ErrInvalid with field errors for a zero id or org or an unknown kind;
//   - ErrLicence (CodeContractInactive, LIC-5) unless c is active at now;
//   - ErrConflict (CodeAlreadyHeld) if org already holds an active licence of kind under c;
//   - ErrLicence (CodeAllocationLimit, LIC-1) if c's Capacity licences are all in use.
//
// Deciding that the actor may allocate (a Super Administrator of c or the central admin team,
// ROLE-8) is the Gateway's permission check.
func (r *Rules) Allocate(c Contract, org OrgID, kind Kind, private bool, now time.Time, id LicenceID) (Contract, Licence, []Event, error) {
	if err := allocationInput(org, kind, id); err != nil {
		return c, Licence{}, nil, err
	}
	if err := checkAllocation(&c, org, kind, now); err != nil {
		return c, Licence{}, nil, err
	}
	n, l := addLicence(c, org, kind, private, now, id, RequestID{})
	return n, l, []Event{allocatedEvent(c.ID, l)}, nil
}

func allocationInput(org OrgID, kind Kind, id LicenceID) error {
	var fields []FieldError
	if id.IsZero() {
		fields = append(fields, FieldError{Field: "licence_id", Code: "required", Message: "is required"})
	}
	if org.IsZero() {
		fields = append(fields, FieldError{Field: "org_id", Code: "required", Message: "is required"})
	}
	if !kind.Valid() {
		fields = append(fields, FieldError{Field: "kind", Code: "oneof", Message: "must be one of: group dpia"})
	}
	if fields != nil {
		return violation.Invalid(fields...)
	}
	return nil
}

// checkAllocation applies the allocation rules in the order a Super Administrator can act on
// them: a dead contract first, then a pointless duplicate, then the capacity.
func checkAllocation(c *Contract, org OrgID, kind Kind, now time.Time) error {
	if err := checkContractActive(c, now); err != nil {
		return err
	}
	if err := checkNotHeld(c, org, kind); err != nil {
		return err
	}
	return checkCapacity(c)
}

func checkContractActive(c *Contract, now time.Time) error {
	if c.activeAt(now) {
		return nil
	}
	return violation.New(ErrLicence, CodeContractInactive, "LIC-5", "licences are allocated only under an active contract; this one is "+string(c.Status(now)))
}

func checkNotHeld(c *Contract, org OrgID, kind Kind) error {
	for i := range c.Licences {
		if l := &c.Licences[i]; l.Status == LicenceActive && l.Org == org && l.Kind == kind {
			return violation.New(ErrConflict, CodeAlreadyHeld, "LIC-1", "the organisation already holds an active "+string(kind)+" licence under this contract")
		}
	}
	return nil
}

func checkCapacity(c *Contract) error {
	if c.InUse() < c.Capacity {
		return nil
	}
	return violation.New(ErrLicence, CodeAllocationLimit, "LIC-1", "all licences of the contract are allocated; revoke one or extend the contract first")
}

// addLicence appends the licence to a copy of c's licences; the rules have been checked.
func addLicence(c Contract, org OrgID, kind Kind, private bool, now time.Time, id LicenceID, req RequestID) (Contract, Licence) {
	l := Licence{ID: id, Org: org, Kind: kind, Private: private, Status: LicenceActive, AllocatedAt: now, Request: req}
	if private {
		l.Warning = PrivateOrgWarning
	}
	c.Licences = appendCopy(c.Licences, l)
	return c, l
}

func allocatedEvent(contract ContractID, l Licence) Event {
	return Event{Type: EventLicenceAllocated, At: l.AllocatedAt, Contract: contract, Org: l.Org,
		Licence: l.ID, Request: l.Request, Kind: l.Kind, Warning: l.Warning}
}

// Revoke revokes licence id of c at now, freeing its slot. The licence stays in the contract, marked
// revoked, so the history of who held what survives. It returns ErrNotFound (CodeLicenceNotFound)
// for an unknown id and ErrInvalidTransition (CodeInvalidTransition) for a licence already revoked.
func (r *Rules) Revoke(c Contract, id LicenceID, now time.Time) (Contract, []Event, error) {
	i := slices.IndexFunc(c.Licences, func(l Licence) bool { return l.ID == id })
	if i < 0 {
		return c, nil, violation.New(ErrNotFound, CodeLicenceNotFound, "", "no licence with that ID under the contract")
	}
	n := c
	n.Licences = slices.Clone(c.Licences)
	l := &n.Licences[i]
	if err := fire(r.licence, &scope{licence: l, now: now}, ActionRevoke); err != nil {
		return c, nil, err
	}
	l.RevokedAt = now
	return n, []Event{{Type: EventLicenceRevoked, At: now, Contract: c.ID, Org: l.Org, Licence: id, Kind: l.Kind}}, nil
}

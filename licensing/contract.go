package licensing

import (
	"errors"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/isgkit/gateway/internal/validate"
	"github.com/isgkit/gateway/isg/violation"
)

// StandardCapacity is how many licences a standard group contract gives (LIC-1).
const StandardCapacity = 100

// MaxSuperAdmins is how many Super Administrators a contract may name (LIC-2).
const MaxSuperAdmins = 3

// Period is a half-open span of time [Start, End): a contract whose term ends at midnight is no
// longer active at midnight, so consecutive terms meet without overlapping.
type Period struct {
	Start time.Time `json:"start" validate:"instant"`
	End   time.Time `json:"end" validate:"instant"`
}

// Contains reports whether t falls within the period.
func (p Period) Contains(t time.Time) bool { return !t.Before(p.Start) && t.Before(p.End) }

// Term is one paid period of a contract and the price agreed for it. Terms are never edited once
// added, so a contract is never repriced during a term (LIC-6); a renewal adds the next one.
type Term struct {
	Period
	// Price is in pounds sterling, a whole number of pence, never a float.
	Price decimal.Decimal `json:"price"`
}

// Contract is a group contract (LIC-1): the contracting organisation pays for Capacity licences
// that its Super Administrators allocate to the organisations of its admin group. The contract is
// the aggregate that holds its licences, so the capacity check and the allocation it guards are
// one optimistic-concurrency write in the Gateway's store.
//
// A Contract is a value: every method returns a new Contract and leaves its receiver, and the
// backing arrays of its slices, unchanged; a method copies a slice before changing it.
type Contract struct {
	ID ContractID `json:"id"`
	// Org is the contracting organisation.
	Org OrgID `json:"org_id"`
	// Group is the name of the admin group that gathers the contract's licensing organisations.
	Group string `json:"group"`
	// Terms are the contract's paid periods, oldest first, non-overlapping; renewals append.
	Terms []Term `json:"terms"`
	// Capacity is how many licences may be active at once (StandardCapacity for a standard contract).
	Capacity int `json:"capacity"`
	// SuperAdmins are the users who manage the contract's licences (at most MaxSuperAdmins, LIC-2).
	SuperAdmins []UserID `json:"super_admins"`
	// Licences are every licence ever allocated under the contract, revoked ones included, in
	// allocation order; nothing is deleted, so history survives the contract (LIC-5).
	Licences []Licence `json:"licences"`
	// EndedAt is when the contract was ended early, or zero.
	EndedAt time.Time `json:"ended_at,omitzero"`
	// LicenseeView is set on a contract as a licensed organisation sees it (ForLicensee, LIC-8):
	// without its terms (and so its price), capacity or other organisations' licences. It is
	// never stored set.
	LicenseeView bool `json:"licensee_view,omitempty"`
}

// ForLicensee returns the contract as the licensed organisation org sees it (LIC-8): who
// contracts, the admin group, who the Super Administrators are, whether it was ended, and org's
// own licences — not the price, the terms or capacity, nor the other licensees. The price, terms
// and licensees are for the contracting organisation, the Super Administrators and Central Admin.
func (c Contract) ForLicensee(org OrgID) Contract {
	own := []Licence{}
	for _, l := range c.Licences {
		if l.Org == org {
			own = append(own, l)
		}
	}
	return Contract{ID: c.ID, Org: c.Org, Group: c.Group, Terms: []Term{}, SuperAdmins: slices.Clone(c.SuperAdmins),
		Licences: own, EndedAt: c.EndedAt, LicenseeView: true}
}

// ContractInput is what NewContract needs.
type ContractInput struct {
	Org   OrgID  `json:"org_id" validate:"required"`
	Group string `json:"group" validate:"required,max=200"`
	// Term is the first term.
	Term Period `json:"term"`
	// Price is the first term's price in GBP, a whole number of pence (checked by checkPrice,
	// not by a validator tag, because the tag would round an input of unbounded exponent).
	Price decimal.Decimal `json:"price"`
	// Capacity is the number of licences; 0 means StandardCapacity.
	Capacity    int      `json:"capacity" validate:"gte=0,lte=100000" rule:"LIC-1"`
	SuperAdmins []UserID `json:"super_admins" validate:"max=3,dive,required" rule:"LIC-2"`
}

// NewContract creates a contract with the given ID. It returns ErrInvalid with field errors for
// bad input: a missing org, group or term, a term that does not end after it starts, a price that
// is negative, out of range or not whole pence, more than MaxSuperAdmins (LIC-2) or a user named
// twice.
func NewContract(in ContractInput, id ContractID, now time.Time) (Contract, []Event, error) {
	var fields []FieldError
	if id.IsZero() {
		fields = append(fields, FieldError{Field: "id", Code: "required", Message: "is required"})
	}
	if err := validate.Struct(in, ""); err != nil {
		var ve *Error
		if !errors.As(err, &ve) {
			return Contract{}, nil, err
		}
		fields = append(fields, ve.Fields...)
	}
	fields = append(fields, checkPeriod("term", in.Term)...)
	fields = append(fields, checkPrice("price", in.Price)...)
	for i, u := range in.SuperAdmins {
		if slices.Contains(in.SuperAdmins[:i], u) {
			fields = append(fields, FieldError{Field: "super_admins", Code: "unique", Rule: "LIC-2", Message: "names a user twice"})
			break
		}
	}
	if len(fields) > 0 {
		return Contract{}, nil, violation.Invalid(fields...)
	}
	capacity := in.Capacity
	if capacity == 0 {
		capacity = StandardCapacity
	}
	c := Contract{
		ID:          id,
		Org:         in.Org,
		Group:       in.Group,
		Terms:       []Term{{Period: in.Term, Price: in.Price}},
		Capacity:    capacity,
		SuperAdmins: append([]UserID{}, in.SuperAdmins...),
		Licences:    []Licence{},
	}
	return c, []Event{{Type: EventContractCreated, At: now, Contract: id, Org: in.Org}}, nil
}

// checkPeriod returns field errors for a period with a missing start or end, an instant outside
// years 1–9999 (UTC), or that does not end after it starts. It is plain code rather than validator tags because Renew takes a bare Period.
func checkPeriod(field string, p Period) []FieldError {
	var fields []FieldError
	if p.Start.IsZero() {
		fields = append(fields, FieldError{Field: field + ".start", Code: "required", Message: "is required"})
	}
	if p.End.IsZero() {
		fields = append(fields, FieldError{Field: field + ".end", Code: "required", Message: "is required"})
	}
	for _, at := range []struct {
		name string
		t    time.Time
	}{{".start", p.Start}, {".end", p.End}} {
		if !at.t.IsZero() && !validate.Instant(at.t) {
			fields = append(fields, FieldError{Field: field + at.name, Code: "instant", Message: validate.InstantMessage})
		}
	}
	if fields == nil && !p.End.After(p.Start) {
		fields = append(fields, FieldError{Field: field + ".end", Code: "after_start", Message: "must be after the start"})
	}
	return fields
}

// ContractStatus is where a contract stands at a moment. It is computed from the terms and
// EndedAt, never stored, because it changes with the clock alone.
type ContractStatus string

// The contract statuses.
const (
	// ContractNotStarted: before the first term.
	ContractNotStarted ContractStatus = "not_started"
	// ContractActive: within a term and not ended early; its licences are valid (LIC-5).
	ContractActive ContractStatus = "active"
	// ContractExpired: past the first term's start but within no term; a renewal term that starts
	// later makes it active again.
	ContractExpired ContractStatus = "expired"
	// ContractEnded: ended early by End; final.
	ContractEnded ContractStatus = "ended"
)

// Status returns the contract's status at now.
func (c Contract) Status(now time.Time) ContractStatus {
	switch {
	case !c.EndedAt.IsZero() && !now.Before(c.EndedAt):
		return ContractEnded
	case c.activeAt(now):
		return ContractActive
	case len(c.Terms) == 0 || now.Before(c.Terms[0].Start):
		return ContractNotStarted
	}
	return ContractExpired
}

// Active reports whether the contract is active at now, i.e. its licences are valid (LIC-5).
func (c Contract) Active(now time.Time) bool { return c.activeAt(now) }

// activeAt takes a pointer so that EntitlementFor does not copy contracts in its loop.
func (c *Contract) activeAt(now time.Time) bool {
	if !c.EndedAt.IsZero() && !now.Before(c.EndedAt) {
		return false
	}
	for i := range c.Terms {
		if c.Terms[i].Contains(now) {
			return true
		}
	}
	return false
}

// TermAt returns the term covering now, if any.
func (c Contract) TermAt(now time.Time) (Term, bool) {
	for _, t := range c.Terms {
		if t.Contains(now) {
			return t, true
		}
	}
	return Term{}, false
}

// LastTerm returns the latest term, whose price a renewal is capped against (LIC-6). ok is false
// only for a zero Contract.
func (c Contract) LastTerm() (t Term, ok bool) {
	if len(c.Terms) == 0 {
		return Term{}, false
	}
	return c.Terms[len(c.Terms)-1], true
}

// InUse returns how many of the contract's licences are allocated and not revoked: the number
// that counts against Capacity (LIC-1).
func (c Contract) InUse() int {
	n := 0
	for i := range c.Licences {
		if c.Licences[i].Status == LicenceActive {
			n++
		}
	}
	return n
}

// LicensedOrgs returns each organisation holding a non-revoked licence under the contract, once,
// in allocation order. The Gateway indexes the stored contract by these so that it can find an
// organisation's contracts for EntitlementFor.
func (c Contract) LicensedOrgs() []OrgID {
	var orgs []OrgID
	for _, l := range c.Licences {
		if l.Status == LicenceActive && !slices.Contains(orgs, l.Org) {
			orgs = append(orgs, l.Org)
		}
	}
	return orgs
}

// IsSuperAdmin reports whether u is one of the contract's Super Administrators. The Gateway uses
// it to give u the SuperAdmin role at the group's organisations (ROLE-8).
func (c Contract) IsSuperAdmin(u UserID) bool { return slices.Contains(c.SuperAdmins, u) }

// AddSuperAdmin names u as a Super Administrator. It returns ErrInvalid for a zero user,
// ErrConflict (CodeSuperAdminExists) if u is already named, and ErrRule (CodeSuperAdminLimit,
// LIC-2) if the contract already names MaxSuperAdmins.
func (c Contract) AddSuperAdmin(u UserID, now time.Time) (Contract, []Event, error) {
	if u.IsZero() {
		return c, nil, violation.Field("user_id", "required", "LIC-2", "is required")
	}
	if c.IsSuperAdmin(u) {
		return c, nil, violation.New(ErrConflict, CodeSuperAdminExists, "LIC-2", "the user is already a Super Administrator of the contract")
	}
	if len(c.SuperAdmins) >= MaxSuperAdmins {
		return c, nil, violation.New(ErrRule, CodeSuperAdminLimit, "LIC-2", "a contract names at most 3 Super Administrators; remove one first")
	}
	c.SuperAdmins = appendCopy(c.SuperAdmins, u)
	return c, []Event{{Type: EventSuperAdminAdded, At: now, Contract: c.ID, User: u}}, nil
}

// RemoveSuperAdmin removes u from the contract's Super Administrators. It returns ErrNotFound
// (CodeSuperAdminNotFound) if u is not one. A contract may be left with none: the central admin
// team can still manage it (ROLE-8).
func (c Contract) RemoveSuperAdmin(u UserID, now time.Time) (Contract, []Event, error) {
	i := slices.Index(c.SuperAdmins, u)
	if i < 0 {
		return c, nil, violation.New(ErrNotFound, CodeSuperAdminNotFound, "LIC-2", "the user is not a Super Administrator of the contract")
	}
	c.SuperAdmins = slices.Delete(slices.Clone(c.SuperAdmins), i, i+1)
	return c, []Event{{Type: EventSuperAdminRemoved, At: now, Contract: c.ID, User: u}}, nil
}

// End ends the contract early at now (LIC-5). Its licences stop counting from now on, so their
// organisations fall back to the free model; nothing is deleted and no licence is changed, so a
// host keeps every organisation's data and the history of who held what. It raises
// EventContractEnded and one EventLicenceLapsed per licence that was valid at now, for the
// Gateway to notify. It returns ErrInvalidTransition (CodeContractEnded) if the contract was
// already ended or has run out.
func (c Contract) End(now time.Time) (Contract, []Event, error) {
	if !c.EndedAt.IsZero() {
		return c, nil, violation.New(ErrInvalidTransition, CodeContractEnded, "LIC-5", "the contract was already ended")
	}
	if last, ok := c.LastTerm(); !ok || !now.Before(last.End) {
		return c, nil, violation.New(ErrInvalidTransition, CodeContractEnded, "LIC-5", "the contract has run out; there is nothing to end")
	}
	events := []Event{{Type: EventContractEnded, At: now, Contract: c.ID, Org: c.Org}}
	if c.activeAt(now) {
		for _, l := range c.Licences {
			if l.validAt(now) {
				events = append(events, Event{Type: EventLicenceLapsed, At: now, Contract: c.ID, Org: l.Org, Licence: l.ID, Kind: l.Kind})
			}
		}
	}
	c.EndedAt = now // no slice changes, so sharing them with the receiver is safe
	return c, events, nil
}

// appendCopy returns a new slice holding s and then v. A plain append could write v into spare
// capacity of a backing array that the receiver and other values still share; the exact size also
// keeps a 100-licence contract from carrying append's growth slack.
func appendCopy[T any](s []T, v T) []T {
	out := make([]T, len(s)+1)
	copy(out, s)
	out[len(s)] = v
	return out
}

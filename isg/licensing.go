package isg

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/isgkit/gateway/isg/directory"
	"github.com/isgkit/gateway/licensing"
)

const (
	kindContract       Kind = "contract"
	kindLicenceRequest Kind = "licence_request"
)

// contractKeys index a contract by its contracting organisation and by every organisation that
// ever held a licence under it, so an organisation's entitlement is one index lookup.
func contractKeys(c licensing.Contract) []IndexKey {
	ks := []IndexKey{key("org", c.Org.String())}
	// By Super Administrator too, so that the organisations a user may act for are found (LIC-2).
	for _, sa := range c.SuperAdmins {
		ks = append(ks, key("super_admin", sa.String()))
	}
	seen := map[OrgID]bool{}
	for _, l := range c.Licences {
		if !seen[l.Org] {
			seen[l.Org] = true
			ks = append(ks, key("licensee", l.Org.String()))
		}
	}
	return ks
}

func (u *uow) loadContract(id string) (licensing.Contract, int64, error) {
	var c licensing.Contract
	v, err := u.load(kindContract, id, &c)
	return c, v, err
}

func (u *uow) saveContract(c licensing.Contract, version int64) error {
	_, err := u.save(kindContract, c.ID.String(), version, c, contractKeys(c)...)
	return err
}

// entitlement is what org's licences allow now (LIC-3, LIC-4, LIC-5).
func (u *uow) entitlement(org OrgID) (licensing.Entitlement, error) {
	cs, _, err := findAll[licensing.Contract](u, kindContract, key("licensee", org.String()))
	if err != nil {
		return licensing.Free, err
	}
	return licensing.EntitlementFor(org, cs, u.now), nil
}

// requireGroup checks that a licensing group (a contract) exists.
func (u *uow) requireGroup(group string) error {
	if _, _, err := u.loadContract(group); err != nil {
		if isNotFound(err) {
			return &Error{Kind: ErrInvalid, Code: "invalid_input", Rule: "ORG-1", Message: "unknown licensing group",
				Fields: []FieldError{{Field: "licensing_group", Code: "unknown", Rule: "ORG-1", Message: "names no licensing contract"}}}
		}
		return err
	}
	return nil
}

// onLicenceRequested records the licence request made at registration and tells the group's
// Super Administrators (LIC-7).
func (u *uow) onLicenceRequested(o Organisation) error {
	c, _, err := u.loadContract(o.LicensingGroup)
	if err != nil {
		return err
	}
	req, events, err := licensing.NewRequest(licensing.RequestInput{Org: o.ID, Contract: c.ID, Kind: licensing.Group, Private: o.Category == CategoryPrivate},
		licensing.RequestID{UUID: u.newID()}, u.now)
	if err != nil {
		return err
	}
	if err := u.saveRequest(req, 0); err != nil {
		return err
	}
	return u.deliver(licensingNotices(c, events)...)
}

func (u *uow) saveRequest(r licensing.Request, version int64) error {
	ks := []IndexKey{key("contract", r.Contract.String()), key("org", r.Org.String())}
	if r.Status == licensing.RequestPending {
		ks = append(ks, key("pending", r.Contract.String()))
	}
	_, err := u.save(kindLicenceRequest, r.ID.String(), version, r, ks...)
	return err
}

// isSuperAdminOf reports whether id is a Super Administrator at org, as the gate counts one
// (ROLE-8): for a command acting on a contract (u.contract, set by its at function, at the
// contract's contracting organisation) a Super Administrator of that contract and of no other,
// so that a contract's Super Administrators manage only their own contract (LIC-2); for a
// command on a support request (u.group, at the request's organisation) a Super Administrator
// of the request's group (SUP-1); otherwise a Super Administrator of org's licensing group.
func (u *uow) isSuperAdminOf(org OrgID, id UserID) (bool, error) {
	if g := u.group; g != nil && u.groupAt == org {
		return g.IsSuperAdmin(id), nil
	}
	if c := u.contract; c != nil && c.Org == org {
		return c.IsSuperAdmin(id), nil
	}
	o, err := u.loadOrg(org)
	if err != nil || o.LicensingGroup == "" {
		return false, err
	}
	c, _, err := u.loadContract(o.LicensingGroup)
	if err != nil {
		return false, err
	}
	return c.IsSuperAdmin(id), nil
}

// superAdminsOf lists the Super Administrators of o's licensing group.
func (u *uow) superAdminsOf(o Organisation) ([]UserID, error) {
	if o.LicensingGroup == "" {
		return nil, nil
	}
	c, _, err := u.loadContract(o.LicensingGroup)
	if err != nil {
		return nil, err
	}
	return c.SuperAdmins, nil
}

// checkUserCap refuses a new user past the free model's cap (LIC-3). Invitations open now count
// (REG-5): each may become a user; an expired, declined or withdrawn one does not.
func (u *uow) checkUserCap(org OrgID) error {
	members, err := u.tx.Count(u.ctx, kindUser, key("member", org.String()))
	if err != nil {
		return err
	}
	pending, _, err := u.pendingInvitations(key("pending_org", org.String()))
	if err != nil {
		return err
	}
	n := members + len(pending)
	ent, err := u.entitlement(org)
	if err != nil {
		return err
	}
	return licensing.CheckUserCount(ent, n)
}

// contractByID loads a contract by its typed ID.
func (u *uow) contractByID(id licensing.ContractID) (licensing.Contract, int64, error) {
	return u.loadContract(id.String())
}

// contractNotFound is the answer for an unknown contract, and for one the actor may not see: the
// same error, so that a refusal never tells one from the other (ROLE-7).
func contractNotFound(id licensing.ContractID) error {
	return &Error{Kind: ErrNotFound, Code: string(kindContract) + ".not_found", Message: fmt.Sprintf("no %s %s", kindContract, id)}
}

// requestNotFound is the answer for an unknown licence request, and for one the actor may not
// see (ROLE-7).
func requestNotFound(id licensing.RequestID) error {
	return &Error{Kind: ErrNotFound, Code: string(kindLicenceRequest) + ".not_found", Message: fmt.Sprintf("no %s %s", kindLicenceRequest, id)}
}

// contractVisibleTo is the per-record half of who may see a contract (LIC-8): its Super
// Administrators know it wherever they hold roles. The row half (ViewContracts, ManageLicences
// at the contracting organisation) is the gate's: the contracting organisation's own people and
// Central Admin.
func contractVisibleTo(c licensing.Contract, actor Actor) bool { return c.IsSuperAdmin(actor.User) }

// atContract is where a command on a contract is checked: at its contracting organisation, with
// the contract's own Super Administrators counted there (u.contract, see isSuperAdminOf). An
// actor who holds no role there and is not one of them is told the contract does not exist,
// exactly as for an unknown ID (ROLE-7, LIC-8).
func atContract(u *uow, actor Actor, id licensing.ContractID) (target, error) {
	c, _, err := u.contractByID(id)
	if err != nil {
		return target{}, err
	}
	u.contract = &c
	t := target{org: c.Org}
	if !contractVisibleTo(c, actor) {
		t.hidden = contractNotFound(id)
	}
	return t, nil
}

// contractStep is a change to one contract by a pure licensing rule: load it, apply the rule with
// the unit's time, save it, and turn the rule's events into notifications.
func (u *uow) contractStep(id licensing.ContractID, step func(c licensing.Contract) (licensing.Contract, []licensing.Event, error)) (licensing.Contract, error) {
	c, v, err := u.contractByID(id)
	if err != nil {
		return c, err
	}
	c, events, err := step(c)
	if err != nil {
		return c, err
	}
	if err := u.saveContract(c, v); err != nil {
		return c, err
	}
	return c, u.deliver(licensingNotices(c, events)...)
}

// licensingNotices turns the events of the licensing rules into notifications (NOTE-1), naming
// who is told: a licence request goes to the Super Administrators of the contract it names
// (LIC-7); an allocation, a revocation, a declined request and a licence lapsing with its
// contract (LIC-5) go to the Administrators of the organisation concerned. The other events
// (a contract created, renewed or ended, a Super Administrator named or removed) notify nobody.
// c is the contract the events concern.
func licensingNotices(c licensing.Contract, events []licensing.Event) []directory.Event {
	var out []directory.Event
	for _, e := range events {
		var to directory.Audience
		switch e.Type {
		case licensing.EventLicenceRequested:
			to = directory.Audience{Users: c.SuperAdmins}
		case licensing.EventLicenceAllocated, licensing.EventLicenceRevoked, licensing.EventRequestDeclined, licensing.EventLicenceLapsed:
			to = directory.Audience{Roles: Of(Administrator), RolesAt: []OrgID{e.Org}}
		default:
			continue
		}
		out = append(out, directory.Event{Type: string(e.Type), Org: e.Org, Data: licensingData(e), To: to})
	}
	return out
}

// licensingData is a licensing notification's payload: the IDs the event names and, for an
// answered request, the reason given.
func licensingData(e licensing.Event) map[string]string {
	d := map[string]string{}
	if !e.Contract.IsZero() {
		d["contract"] = e.Contract.String()
	}
	if !e.Org.IsZero() {
		d["org"] = e.Org.String()
	}
	if !e.Licence.IsZero() {
		d["licence"] = e.Licence.String()
	}
	if !e.Request.IsZero() {
		d["request"] = e.Request.String()
		if e.Type != licensing.EventLicenceRequested {
			d["reason"] = e.Reason
		}
	}
	if e.Kind != "" {
		d["kind"] = string(e.Kind)
	}
	return d
}

// CreateContract records a group licensing contract (LIC-1, LIC-2) for an open contracting
// organisation: the central team's work (row ManageContracts, Central Admin).
//
// Errors: ErrInvalid (field errors on org_id, group, term, price, capacity, super_admins; LIC-1,
// LIC-2); ErrForbidden ("forbidden", LIC-1); ErrNotFound ("organisation.not_found",
// "user.not_found") for an unknown contracting organisation or Super Administrator; ErrRule
// ("organisation.closed", ORG-7).
func (g *Gateway) CreateContract(ctx context.Context, actor Actor, in licensing.ContractInput) (licensing.Contract, error) {
	return run(ctx, g, contractCreate, actor, in)
}

var contractCreate = &command[licensing.ContractInput, licensing.Contract]{
	name: "licensing.create_contract", doc: "Create a group contract (LIC-1, LIC-2).",
	row: ManageContracts, rule: "LIC-1", reach: platform,
	apply: func(c *call[licensing.ContractInput]) (licensing.Contract, error) {
		if _, err := c.openOrg(c.in.Org); err != nil {
			return licensing.Contract{}, err
		}
		for _, sa := range c.in.SuperAdmins {
			if _, err := c.loadUser(sa); err != nil {
				return licensing.Contract{}, err
			}
		}
		k, events, err := licensing.NewContract(c.in, licensing.ContractID{UUID: c.newID()}, c.now)
		if err != nil {
			return licensing.Contract{}, err
		}
		if err := c.saveContract(k, 0); err != nil {
			return licensing.Contract{}, err
		}
		return k, c.deliver(licensingNotices(k, events)...)
	},
}

// Contract returns a contract, with its price, terms and licensees (LIC-8), to those who may see
// it: Administrators and Senior Officers of its contracting organisation and the contract's
// Super Administrators (row ViewContracts at the contracting organisation), and Central Admin
// for support (logged, ROLE-7).
//
// Errors: ErrInvalid for a missing ID; ErrNotFound ("contract.not_found") for an unknown contract
// and, exactly the same, for one the actor may not see; ErrForbidden ("forbidden", ROLE-8) for
// another role at the contracting organisation.
func (g *Gateway) Contract(ctx context.Context, actor Actor, in ByID[licensing.ContractID]) (licensing.Contract, error) {
	return run(ctx, g, contractGet, actor, in)
}

var contractGet = &command[ByID[licensing.ContractID], licensing.Contract]{
	name: "licensing.contract", doc: "Read a contract (LIC-8).", row: ViewContracts, rule: "ROLE-8", query: true,
	at: func(u *uow, actor Actor, in ByID[licensing.ContractID]) (target, error) {
		return atContract(u, actor, in.ID)
	},
	apply: func(c *call[ByID[licensing.ContractID]]) (licensing.Contract, error) {
		k, _, err := c.contractByID(c.in.ID)
		return k, err
	},
}

// SuperAdminInput names a contract and a user.
type SuperAdminInput struct {
	Contract licensing.ContractID `json:"contract" validate:"required" rule:"LIC-2"`
	User     UserID               `json:"user" validate:"required" rule:"LIC-2"`
	// Remove removes the user instead of adding them.
	Remove bool `json:"remove"`
}

// SetSuperAdmin adds or removes a Super Administrator of a contract (LIC-2: at most 3): row
// ManageLicences at the contract's contracting organisation, where the contract's Super
// Administrators and Central Admin hold it by default.
//
// Errors: ErrInvalid (field errors, LIC-2); ErrNotFound ("contract.not_found") for an unknown
// contract or one the actor may not see, "user.not_found", "licence.super_admin_not_found" when
// removing someone who is not one; ErrForbidden ("forbidden", ROLE-8); ErrRule
// ("licence.super_admin_limit", LIC-2); ErrConflict ("licence.super_admin_exists").
func (g *Gateway) SetSuperAdmin(ctx context.Context, actor Actor, in SuperAdminInput) (licensing.Contract, error) {
	return run(ctx, g, superAdminSet, actor, in)
}

var superAdminSet = &command[SuperAdminInput, licensing.Contract]{
	name: "licensing.set_super_admin", doc: "Add or remove a Super Administrator (LIC-2).", row: ManageLicences, rule: "ROLE-8",
	at: func(u *uow, actor Actor, in SuperAdminInput) (target, error) {
		return atContract(u, actor, in.Contract)
	},
	apply: func(c *call[SuperAdminInput]) (licensing.Contract, error) {
		if _, err := c.loadUser(c.in.User); err != nil {
			return licensing.Contract{}, err
		}
		return c.contractStep(c.in.Contract, func(k licensing.Contract) (licensing.Contract, []licensing.Event, error) {
			if c.in.Remove {
				return k.RemoveSuperAdmin(c.in.User, c.now)
			}
			return k.AddSuperAdmin(c.in.User, c.now)
		})
	},
}

// AllocateInput allocates a licence under a contract.
type AllocateInput struct {
	Contract licensing.ContractID `json:"contract" validate:"required" rule:"LIC-1"`
	Org      OrgID                `json:"org" validate:"required" rule:"LIC-1"`
	Kind     licensing.Kind       `json:"kind" validate:"required,oneof=group dpia" rule:"LIC-1"`
}

// Allocation is the result of allocating a licence; Warning carries the LIC-7 notice for a
// private organisation, for the host to show to the user who acted.
type Allocation struct {
	Licence licensing.Licence `json:"licence"`
	Warning string            `json:"warning,omitempty"`
}

// AllocateLicence allocates a licence to an open organisation (LIC-1: the contract's capacity is
// a hard limit; LIC-7: a private organisation's allocation records a warning) and tells the
// organisation's Administrators. Row ManageLicences at the contract's contracting organisation:
// the contract's Super Administrators and Central Admin by default.
//
// Errors: ErrInvalid (field errors, LIC-1); ErrNotFound ("contract.not_found") for an unknown
// contract or one the actor may not see, "organisation.not_found"; ErrForbidden ("forbidden",
// ROLE-8); ErrLicence ("licence.allocation_limit", LIC-1; "licence.contract_inactive", LIC-5);
// ErrConflict ("licence.already_held"); ErrRule ("organisation.closed", ORG-7).
func (g *Gateway) AllocateLicence(ctx context.Context, actor Actor, in AllocateInput) (Allocation, error) {
	return run(ctx, g, licenceAllocate, actor, in)
}

var licenceAllocate = &command[AllocateInput, Allocation]{
	name: "licensing.allocate", doc: "Allocate a licence (LIC-1, LIC-7).", row: ManageLicences, rule: "ROLE-8",
	at: func(u *uow, actor Actor, in AllocateInput) (target, error) { return atContract(u, actor, in.Contract) },
	apply: func(c *call[AllocateInput]) (Allocation, error) {
		o, err := c.openOrg(c.in.Org)
		if err != nil {
			return Allocation{}, err
		}
		var l licensing.Licence
		_, err = c.contractStep(c.in.Contract, func(k licensing.Contract) (licensing.Contract, []licensing.Event, error) {
			next, licence, events, err := c.g.licensing.Allocate(k, o.ID, c.in.Kind, o.Category == CategoryPrivate, c.now, licensing.LicenceID{UUID: c.newID()})
			l = licence
			return next, events, err
		})
		if err != nil {
			return Allocation{}, err
		}
		return Allocation{Licence: l, Warning: l.Warning}, nil
	},
}

// RevokeInput revokes a licence.
type RevokeInput struct {
	Contract licensing.ContractID `json:"contract" validate:"required" rule:"LIC-1"`
	Licence  licensing.LicenceID  `json:"licence" validate:"required" rule:"LIC-1"`
}

// RevokeLicence revokes a licence; its organisation falls back to the free model and loses no
// data (LIC-5), and its Administrators are told. Row ManageLicences at the contract's contracting
// organisation: the contract's Super Administrators and Central Admin by default.
//
// Errors: ErrInvalid (field errors, LIC-1); ErrNotFound ("contract.not_found") for an unknown
// contract or one the actor may not see, "licence.not_found"; ErrForbidden ("forbidden",
// ROLE-8); ErrInvalidTransition ("licence.invalid_transition") for a licence already revoked.
func (g *Gateway) RevokeLicence(ctx context.Context, actor Actor, in RevokeInput) (licensing.Contract, error) {
	return run(ctx, g, licenceRevoke, actor, in)
}

var licenceRevoke = &command[RevokeInput, licensing.Contract]{
	name: "licensing.revoke", doc: "Revoke a licence (LIC-5).", row: ManageLicences, rule: "ROLE-8",
	at: func(u *uow, actor Actor, in RevokeInput) (target, error) { return atContract(u, actor, in.Contract) },
	apply: func(c *call[RevokeInput]) (licensing.Contract, error) {
		return c.contractStep(c.in.Contract, func(k licensing.Contract) (licensing.Contract, []licensing.Event, error) {
			return c.g.licensing.Revoke(k, c.in.Licence, c.now)
		})
	},
}

// AnswerRequestInput allocates or declines a licence request.
type AnswerRequestInput struct {
	Request  licensing.RequestID `json:"request" validate:"required" rule:"LIC-7"`
	Allocate bool                `json:"allocate"`
	Reason   string              `json:"reason" validate:"max=2000" rule:"LIC-7"`
}

// AnswerLicenceRequest is the answer to a licence request (LIC-7): allocate (with the
// private-organisation warning where it applies) or decline with a reason; the requesting
// organisation's Administrators are told. Row ManageLicences at the contracting organisation of
// the contract the request names: its Super Administrators and Central Admin by default. The
// requesting organisation's own people know the request and are refused; anyone else is told it
// does not exist.
//
// Errors: ErrInvalid (field errors, LIC-7); ErrNotFound ("licence_request.not_found") for an
// unknown request or one the actor may not see; ErrForbidden ("forbidden", LIC-7);
// ErrInvalidTransition ("licence.invalid_transition", LIC-7) for a request already answered;
// the refusals of AllocateLicence ("licence.allocation_limit", "licence.contract_inactive",
// "licence.already_held").
func (g *Gateway) AnswerLicenceRequest(ctx context.Context, actor Actor, in AnswerRequestInput) (licensing.Request, error) {
	return run(ctx, g, requestAnswer, actor, in)
}

func (u *uow) loadRequest(id licensing.RequestID) (licensing.Request, int64, error) {
	var r licensing.Request
	v, err := u.load(kindLicenceRequest, id.String(), &r)
	return r, v, err
}

var requestAnswer = &command[AnswerRequestInput, licensing.Request]{
	name: "licensing.answer_request", doc: "Allocate or decline a licence request (LIC-7).", row: ManageLicences, rule: "LIC-7",
	at: func(u *uow, actor Actor, in AnswerRequestInput) (target, error) {
		req, _, err := u.loadRequest(in.Request)
		if err != nil {
			return target{}, err
		}
		t, err := atContract(u, actor, req.Contract)
		if err != nil || t.hidden == nil {
			return t, err
		}
		// Anyone but the contract's Super Administrators is told the request does not exist,
		// unless they hold a role at the organisation that made it: its people know it.
		t.hidden = requestNotFound(in.Request)
		if !actor.User.IsZero() {
			x, err := u.actingUser(actor.User, "LIC-7")
			if err != nil && !errors.Is(err, ErrForbidden) {
				return t, err
			}
			if err == nil && x.at(req.Org) != 0 {
				t.hidden = nil
			}
		}
		return t, nil
	},
	apply: func(c *call[AnswerRequestInput]) (licensing.Request, error) {
		req, rv, err := c.loadRequest(c.in.Request)
		if err != nil {
			return req, err
		}
		k, cv, err := c.contractByID(req.Contract)
		if err != nil {
			return req, err
		}
		var events []licensing.Event
		if c.in.Allocate {
			if req, k, events, err = c.g.licensing.AllocateRequest(req, k, licensing.LicenceID{UUID: c.newID()}, c.now); err != nil {
				return req, err
			}
			if err := c.saveContract(k, cv); err != nil {
				return req, err
			}
		} else if req, events, err = c.g.licensing.DeclineRequest(req, c.in.Reason, c.now); err != nil {
			return req, err
		}
		if err := c.saveRequest(req, rv); err != nil {
			return req, err
		}
		return req, c.deliver(licensingNotices(k, events)...)
	},
}

// LicenceRequests lists the pending licence requests of a contract (LIC-7). Row ManageLicences
// at the contract's contracting organisation: its Super Administrators and Central Admin by
// default.
//
// Errors: ErrInvalid for a missing ID; ErrNotFound ("contract.not_found") for an unknown contract
// or one the actor may not see; ErrForbidden ("forbidden", LIC-7).
func (g *Gateway) LicenceRequests(ctx context.Context, actor Actor, in ByID[licensing.ContractID]) ([]licensing.Request, error) {
	return run(ctx, g, requestList, actor, in)
}

var requestList = &command[ByID[licensing.ContractID], []licensing.Request]{
	name: "licensing.requests", doc: "List a contract's pending licence requests (LIC-7).", row: ManageLicences, rule: "LIC-7", query: true,
	at: func(u *uow, actor Actor, in ByID[licensing.ContractID]) (target, error) {
		return atContract(u, actor, in.ID)
	},
	apply: func(c *call[ByID[licensing.ContractID]]) ([]licensing.Request, error) {
		out, _, err := findAll[licensing.Request](c.uow, kindLicenceRequest, key("pending", c.in.ID.String()))
		return out, err
	},
}

// RenewInput renews a contract for a new term.
type RenewInput struct {
	Contract licensing.ContractID `json:"contract" validate:"required" rule:"LIC-6"`
	Price    decimal.Decimal      `json:"price" rule:"LIC-6"`
	Term     licensing.Period     `json:"term" rule:"LIC-6"`
}

// RenewContract adds a new term at a price at most 5 % above the last (LIC-6, rounded to pence
// half-up); the current term is never repriced. The central team's work (row ManageContracts,
// Central Admin).
//
// Errors: ErrInvalid (field errors, LIC-6); ErrForbidden ("forbidden", ROLE-8); ErrNotFound
// ("contract.not_found"); ErrRule ("licence.renewal_price_cap", "licence.renewal_overlaps_term",
// LIC-6); ErrInvalidTransition ("licence.contract_ended", LIC-5).
func (g *Gateway) RenewContract(ctx context.Context, actor Actor, in RenewInput) (licensing.Contract, error) {
	return run(ctx, g, contractRenew, actor, in)
}

var contractRenew = &command[RenewInput, licensing.Contract]{
	name: "licensing.renew", doc: "Renew a contract (LIC-6).", row: ManageContracts, rule: "ROLE-8", reach: platform,
	apply: func(c *call[RenewInput]) (licensing.Contract, error) {
		return c.contractStep(c.in.Contract, func(k licensing.Contract) (licensing.Contract, []licensing.Event, error) {
			return k.Renew(c.in.Price, c.in.Term, c.now)
		})
	},
}

// EndContract ends a contract now (LIC-5): its organisations fall back to the free model, lose
// nothing, and their Administrators are told. The central team's work (row ManageContracts,
// Central Admin).
//
// Errors: ErrInvalid for a missing ID; ErrForbidden ("forbidden", ROLE-8); ErrNotFound
// ("contract.not_found"); ErrInvalidTransition ("licence.contract_ended", LIC-5) for a contract
// already ended.
func (g *Gateway) EndContract(ctx context.Context, actor Actor, in ByID[licensing.ContractID]) (licensing.Contract, error) {
	return run(ctx, g, contractEnd, actor, in)
}

var contractEnd = &command[ByID[licensing.ContractID], licensing.Contract]{
	name: "licensing.end", doc: "End a contract (LIC-5).", row: ManageContracts, rule: "ROLE-8", reach: platform,
	apply: func(c *call[ByID[licensing.ContractID]]) (licensing.Contract, error) {
		return c.contractStep(c.in.ID, func(k licensing.Contract) (licensing.Contract, []licensing.Event, error) {
			return k.End(c.now)
		})
	},
}

// Capabilities is what an organisation's licences allow now (LIC-3, LIC-4).
type Capabilities struct {
	Org         OrgID           `json:"org"`
	Entitlement string          `json:"entitlement"`
	Allowed     map[string]bool `json:"allowed"`
}

// OrganisationCapabilities reports what the actor's organisation may do under its licences, for a
// host to show or hide features: every role at the organisation (row ViewOrganisation).
//
// Errors: ErrForbidden ("forbidden", ROLE-8); ErrNotFound ("organisation.not_found").
func (g *Gateway) OrganisationCapabilities(ctx context.Context, actor Actor) (Capabilities, error) {
	return run(ctx, g, capabilitiesGet, actor, noInput{})
}

var capabilitiesGet = &command[noInput, Capabilities]{
	name: "licensing.capabilities", doc: "What the organisation's licences allow (LIC-3, LIC-4).", row: ViewOrganisation, rule: "ROLE-8", query: true,
	apply: func(c *call[noInput]) (Capabilities, error) {
		ent, err := c.entitlement(c.org)
		if err != nil {
			return Capabilities{}, err
		}
		out := Capabilities{Org: c.org, Entitlement: ent.String(), Allowed: map[string]bool{}}
		for _, k := range licensing.Capabilities() {
			out.Allowed[fmt.Sprint(k)] = ent.Allows(k)
		}
		return out, nil
	},
}

// Contracts lists the contracts the actor's organisation holds or holds a licence under, for its
// Administrators and Senior Officers to see their licensing (row ViewContracts at the actor's
// organisation; Super Administrators of its licensing group and Central Admin too). A contract
// the organisation only holds a licence under is shown as its licensee sees it (LIC-8,
// licensing.Contract.ForLicensee): its own licences and the Super Administrators, not the
// price, terms or other licensees — unless the actor is one of that contract's Super
// Administrators or Central Admin.
//
// Errors: ErrForbidden ("forbidden", ROLE-8); ErrNotFound ("organisation.not_found").
func (g *Gateway) Contracts(ctx context.Context, actor Actor) ([]licensing.Contract, error) {
	return run(ctx, g, contractList, actor, noInput{})
}

var contractList = &command[noInput, []licensing.Contract]{
	name: "licensing.contracts", doc: "The contracts the organisation holds or holds a licence under.", row: ViewContracts, rule: "ROLE-8", query: true,
	apply: func(c *call[noInput]) ([]licensing.Contract, error) {
		held, _, err := findAll[licensing.Contract](c.uow, kindContract, key("org", c.org.String()))
		if err != nil {
			return nil, err
		}
		under, _, err := findAll[licensing.Contract](c.uow, kindContract, key("licensee", c.org.String()))
		if err != nil {
			return nil, err
		}
		var out []licensing.Contract
		seen := map[licensing.ContractID]bool{}
		for i, k := range append(held, under...) {
			if seen[k.ID] {
				continue
			}
			seen[k.ID] = true
			if i >= len(held) && k.Org != c.org && !k.IsSuperAdmin(c.actor.User) && !c.held.Has(CentralAdmin) {
				k = k.ForLicensee(c.org)
			}
			out = append(out, k)
		}
		return out, nil
	},
}

package isg

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/isgkit/gateway/licensing"
)

const (
	kindContract       Kind = "contract"
	kindLicenceRequest Kind = "licence_request"
)

// Notification types of licensing.
const (
	EventLicenceRequested = "licence.requested"
	EventLicenceAllocated = "licence.allocated"
	EventLicenceDeclined  = "licence.request_declined"
	EventLicenceRevoked   = "licence.revoked"
	EventLicenceLapsed    = "licence.lapsed"
)

// contractKeys index a contract by its contracting organisation and by every organisation that
// ever held a licence under it, so an organisation's entitlement is one index lookup.
func contractKeys(c licensing.Contract) []IndexKey {
	ks := []IndexKey{key("org", c.Org.String())}
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

// requireCapability refuses what org's licence does not allow (LIC-3, LIC-4).
func (u *uow) requireCapability(org OrgID, c licensing.Capability) error {
	ent, err := u.entitlement(org)
	if err != nil {
		return err
	}
	return licensing.Check(ent, c)
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
	req, _, err := licensing.NewRequest(licensing.RequestInput{Org: o.ID, Contract: c.ID, Kind: licensing.Group, Private: o.Category == CategoryPrivate},
		licensing.RequestID{UUID: u.newID()}, u.now)
	if err != nil {
		return err
	}
	if err := u.saveRequest(req, 0); err != nil {
		return err
	}
	return u.notifyUsers(EventLicenceRequested, c.SuperAdmins, o.ID, map[string]string{"request": req.ID.String(), "org": o.ID.String()})
}

func (u *uow) saveRequest(r licensing.Request, version int64) error {
	ks := []IndexKey{key("contract", r.Contract.String()), key("org", r.Org.String())}
	if r.Status == licensing.RequestPending {
		ks = append(ks, key("pending", r.Contract.String()))
	}
	_, err := u.save(kindLicenceRequest, r.ID.String(), version, r, ks...)
	return err
}

// isSuperAdminOf reports whether id is a Super Administrator of org's licensing group.
func (u *uow) isSuperAdminOf(org OrgID, id UserID) (bool, error) {
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

// checkUserCap refuses a new user past the free model's cap (LIC-3). Pending invitations count:
// each will become a user when its address registers.
func (u *uow) checkUserCap(org OrgID) error {
	members, err := u.tx.Count(u.ctx, kindUser, key("member", org.String()))
	if err != nil {
		return err
	}
	pending, err := u.tx.Count(u.ctx, kindInvitation, key("pending_org", org.String()))
	if err != nil {
		return err
	}
	n := members + pending
	ent, err := u.entitlement(org)
	if err != nil {
		return err
	}
	return licensing.CheckUserCount(ent, n)
}

// managedContract loads a contract the actor may manage (see authorizeContract).
func (u *uow) managedContract(actor Actor, id, rule string) (licensing.Contract, int64, error) {
	c, v, err := u.loadContract(id)
	if err != nil {
		return c, 0, err
	}
	return c, v, u.authorizeContract(actor, c, rule)
}

// authorizeContract lets Central Admin, or a Super Administrator of the contract, manage it (ROLE-8).
func (u *uow) authorizeContract(actor Actor, c licensing.Contract, rule string) error {
	if _, err := u.activeUserFor(actor.User, rule); err != nil {
		return err
	}
	if c.IsSuperAdmin(actor.User) {
		return nil
	}
	return u.requireCentralAdmin(actor, rule)
}

// CreateContract records a group licensing contract (LIC-1, LIC-2). Central Admin only.
//
// Errors: ErrInvalid (field errors: term, price, capacity, super admins); ErrForbidden; ErrNotFound
// for an unknown contracting organisation.
func (g *Gateway) CreateContract(ctx context.Context, actor Actor, in licensing.ContractInput) (licensing.Contract, error) {
	var out licensing.Contract
	err := g.update(ctx, func(u *uow) error {
		if err := u.requireCentralAdmin(actor, "ROLE-8"); err != nil {
			return err
		}
		if _, err := u.openOrg(in.Org); err != nil {
			return err
		}
		for _, sa := range in.SuperAdmins {
			if _, err := u.loadUser(sa); err != nil {
				return err
			}
		}
		c, _, err := licensing.NewContract(in, licensing.ContractID{UUID: u.newID()}, u.now)
		if err != nil {
			return err
		}
		out = c
		return u.saveContract(c, 0)
	})
	return out, err
}

// Contract returns a contract. Central Admin, its Super Administrators and Administrators of its
// contracting organisation may read it.
func (g *Gateway) Contract(ctx context.Context, actor Actor, id string) (licensing.Contract, error) {
	var out licensing.Contract
	err := g.view(ctx, func(u *uow) error {
		c, _, err := u.loadContract(id)
		if err != nil {
			return err
		}
		if err := u.authorizeContract(actor, c, "ROLE-8"); err != nil {
			if _, err2 := u.authorizeAt(Actor{User: actor.User, Org: c.Org}, c.Org, EditOrganisation, "ROLE-8"); err2 != nil {
				return err
			}
		}
		out = c
		return nil
	})
	return out, err
}

// SuperAdminInput names a contract and a user.
type SuperAdminInput struct {
	Contract string `json:"contract" validate:"required,uuid" rule:"LIC-2"`
	User     UserID `json:"user" validate:"required" rule:"LIC-2"`
	// Remove removes the user instead of adding them.
	Remove bool `json:"remove"`
}

// SetSuperAdmin adds or removes a Super Administrator of a contract (LIC-2: at most 3). Central
// Admin or an existing Super Administrator of the contract.
func (g *Gateway) SetSuperAdmin(ctx context.Context, actor Actor, in SuperAdminInput) (licensing.Contract, error) {
	if err := validateInput(in, "LIC-2"); err != nil {
		return licensing.Contract{}, err
	}
	var out licensing.Contract
	err := g.update(ctx, func(u *uow) error {
		c, v, err := u.managedContract(actor, in.Contract, "ROLE-8")
		if err != nil {
			return err
		}
		if _, err := u.loadUser(in.User); err != nil {
			return err
		}
		if in.Remove {
			c, _, err = c.RemoveSuperAdmin(in.User, u.now)
		} else {
			c, _, err = c.AddSuperAdmin(in.User, u.now)
		}
		if err != nil {
			return err
		}
		out = c
		return u.saveContract(c, v)
	})
	return out, err
}

// AllocateInput allocates a licence under a contract.
type AllocateInput struct {
	Contract string         `json:"contract" validate:"required,uuid" rule:"LIC-1"`
	Org      OrgID          `json:"org" validate:"required" rule:"LIC-1"`
	Kind     licensing.Kind `json:"kind" validate:"required,oneof=group dpia" rule:"LIC-1"`
}

// Allocation is the result of allocating a licence; Warning carries the LIC-7 notice for a
// private organisation, for the host to show to the user who acted.
type Allocation struct {
	Licence licensing.Licence `json:"licence"`
	Warning string            `json:"warning,omitempty"`
}

// AllocateLicence allocates a licence to an organisation (LIC-1: the contract's capacity is a hard
// limit; LIC-7: a private organisation's allocation records a warning). Super Administrators of
// the contract and Central Admin.
func (g *Gateway) AllocateLicence(ctx context.Context, actor Actor, in AllocateInput) (Allocation, error) {
	if err := validateInput(in, "LIC-1"); err != nil {
		return Allocation{}, err
	}
	var out Allocation
	err := g.update(ctx, func(u *uow) error {
		c, v, err := u.managedContract(actor, in.Contract, "ROLE-8")
		if err != nil {
			return err
		}
		o, err := u.openOrg(in.Org)
		if err != nil {
			return err
		}
		c, l, _, err := g.licensing.Allocate(c, o.ID, in.Kind, o.Category == CategoryPrivate, u.now, licensing.LicenceID{UUID: u.newID()})
		if err != nil {
			return err
		}
		if err := u.saveContract(c, v); err != nil {
			return err
		}
		out = Allocation{Licence: l, Warning: l.Warning}
		return u.notifyRoles(EventLicenceAllocated, o.ID, Of(Administrator), map[string]string{"licence": l.ID.String(), "kind": string(l.Kind)})
	})
	return out, err
}

// RevokeInput revokes a licence.
type RevokeInput struct {
	Contract string `json:"contract" validate:"required,uuid" rule:"LIC-1"`
	Licence  string `json:"licence" validate:"required,uuid" rule:"LIC-1"`
}

// RevokeLicence revokes a licence; its organisation falls back to the free model and loses no
// data (LIC-5). Super Administrators of the contract and Central Admin.
func (g *Gateway) RevokeLicence(ctx context.Context, actor Actor, in RevokeInput) (licensing.Contract, error) {
	if err := validateInput(in, "LIC-1"); err != nil {
		return licensing.Contract{}, err
	}
	var out licensing.Contract
	err := g.update(ctx, func(u *uow) error {
		c, v, err := u.managedContract(actor, in.Contract, "ROLE-8")
		if err != nil {
			return err
		}
		var lid licensing.LicenceID
		if err := lid.UnmarshalText([]byte(in.Licence)); err != nil {
			return err
		}
		c, events, err := g.licensing.Revoke(c, lid, u.now)
		if err != nil {
			return err
		}
		out = c
		if err := u.saveContract(c, v); err != nil {
			return err
		}
		for _, e := range events {
			if err := u.notifyRoles(EventLicenceRevoked, e.Org, Of(Administrator), map[string]string{"licence": lid.String()}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// AnswerRequestInput allocates or declines a licence request.
type AnswerRequestInput struct {
	Request  string `json:"request" validate:"required,uuid" rule:"LIC-7"`
	Allocate bool   `json:"allocate"`
	Reason   string `json:"reason" validate:"max=2000" rule:"LIC-7"`
}

// AnswerLicenceRequest is a Super Administrator's answer to a licence request (LIC-7): allocate
// (with the private-organisation warning where it applies) or decline with a reason.
func (g *Gateway) AnswerLicenceRequest(ctx context.Context, actor Actor, in AnswerRequestInput) (licensing.Request, error) {
	if err := validateInput(in, "LIC-7"); err != nil {
		return licensing.Request{}, err
	}
	var out licensing.Request
	err := g.update(ctx, func(u *uow) error {
		var req licensing.Request
		rv, err := u.load(kindLicenceRequest, in.Request, &req)
		if err != nil {
			return err
		}
		c, cv, err := u.loadContract(req.Contract.String())
		if err != nil {
			return err
		}
		if err := u.authorizeContract(actor, c, "LIC-7"); err != nil {
			return err
		}
		event := EventLicenceDeclined
		if in.Allocate {
			if req, c, _, err = g.licensing.AllocateRequest(req, c, licensing.LicenceID{UUID: u.newID()}, u.now); err != nil {
				return err
			}
			if err := u.saveContract(c, cv); err != nil {
				return err
			}
			event = EventLicenceAllocated
		} else if req, _, err = g.licensing.DeclineRequest(req, in.Reason, u.now); err != nil {
			return err
		}
		if err := u.saveRequest(req, rv); err != nil {
			return err
		}
		out = req
		return u.notifyRoles(event, req.Org, Of(Administrator), map[string]string{"request": req.ID.String(), "reason": req.Reason})
	})
	return out, err
}

// LicenceRequests lists the pending requests of a contract, for its Super Administrators.
func (g *Gateway) LicenceRequests(ctx context.Context, actor Actor, contract string) ([]licensing.Request, error) {
	var out []licensing.Request
	err := g.view(ctx, func(u *uow) error {
		c, _, err := u.loadContract(contract)
		if err != nil {
			return err
		}
		if err := u.authorizeContract(actor, c, "LIC-7"); err != nil {
			return err
		}
		out, _, err = findAll[licensing.Request](u, kindLicenceRequest, key("pending", contract))
		return err
	})
	return out, err
}

// RenewInput renews a contract for a new term.
type RenewInput struct {
	Contract string           `json:"contract" validate:"required,uuid" rule:"LIC-6"`
	Price    decimal.Decimal  `json:"price" rule:"LIC-6"`
	Term     licensing.Period `json:"term" rule:"LIC-6"`
}

// RenewContract adds a new term at a price at most 5 % above the last (LIC-6, rounded to pence
// half-up); the current term is never repriced. Central Admin only.
func (g *Gateway) RenewContract(ctx context.Context, actor Actor, in RenewInput) (licensing.Contract, error) {
	if err := validateInput(in, "LIC-6"); err != nil {
		return licensing.Contract{}, err
	}
	return g.changeContract(ctx, actor, in.Contract, func(c licensing.Contract, now time.Time) (licensing.Contract, []licensing.Event, error) {
		return c.Renew(in.Price, in.Term, now)
	})
}

// EndContract ends a contract now (LIC-5): its organisations fall back to the free model and lose
// nothing. Central Admin only.
func (g *Gateway) EndContract(ctx context.Context, actor Actor, contract string) (licensing.Contract, error) {
	return g.changeContract(ctx, actor, contract, func(c licensing.Contract, now time.Time) (licensing.Contract, []licensing.Event, error) {
		return c.End(now)
	})
}

func (g *Gateway) changeContract(ctx context.Context, actor Actor, id string, change func(licensing.Contract, time.Time) (licensing.Contract, []licensing.Event, error)) (licensing.Contract, error) {
	var out licensing.Contract
	err := g.update(ctx, func(u *uow) error {
		if err := u.requireCentralAdmin(actor, "ROLE-8"); err != nil {
			return err
		}
		c, v, err := u.loadContract(id)
		if err != nil {
			return err
		}
		c, events, err := change(c, u.now)
		if err != nil {
			return err
		}
		if err := u.saveContract(c, v); err != nil {
			return err
		}
		out = c
		for _, e := range events {
			if e.Type == licensing.EventLicenceLapsed {
				if err := u.notifyRoles(EventLicenceLapsed, e.Org, Of(Administrator), map[string]string{"contract": id}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}

// Capabilities is what an organisation's licences allow now (LIC-3, LIC-4).
type Capabilities struct {
	Org         OrgID           `json:"org"`
	Entitlement string          `json:"entitlement"`
	Allowed     map[string]bool `json:"allowed"`
}

// OrganisationCapabilities reports what the actor's organisation may do under its licences, for a
// host to show or hide features.
func (g *Gateway) OrganisationCapabilities(ctx context.Context, actor Actor) (Capabilities, error) {
	var out Capabilities
	err := g.view(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, ViewOrganisation, "ROLE-8"); err != nil {
			return err
		}
		ent, err := u.entitlement(actor.Org)
		if err != nil {
			return err
		}
		out = Capabilities{Org: actor.Org, Entitlement: ent.String(), Allowed: map[string]bool{}}
		for _, c := range licensing.Capabilities() {
			out.Allowed[fmt.Sprint(c)] = ent.Allows(c)
		}
		return nil
	})
	return out, err
}

// Contracts lists the contracts the actor's organisation holds or holds a licence under, for its
// Administrators and Senior Officers to see their licensing.
func (g *Gateway) Contracts(ctx context.Context, actor Actor) ([]licensing.Contract, error) {
	var out []licensing.Contract
	err := g.view(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, EditOrganisation, "ROLE-8"); err != nil {
			return err
		}
		held, _, err := findAll[licensing.Contract](u, kindContract, key("org", actor.Org.String()))
		if err != nil {
			return err
		}
		under, _, err := findAll[licensing.Contract](u, kindContract, key("licensee", actor.Org.String()))
		if err != nil {
			return err
		}
		seen := map[licensing.ContractID]bool{}
		for _, c := range append(held, under...) {
			if !seen[c.ID] {
				seen[c.ID] = true
				out = append(out, c)
			}
		}
		return nil
	})
	return out, err
}

// licensingHandlers lists the handlers of licensing.
func licensingHandlers() map[string]handler {
	return map[string]handler{
		"licensing.create_contract": handle("Create a group contract (LIC-1, LIC-2).", func(g *Gateway, ctx context.Context, a Actor, in licensing.ContractInput) (licensing.Contract, error) {
			return g.CreateContract(ctx, a, in)
		}),
		"licensing.contracts": handle("The contracts the organisation holds or holds a licence under.", func(g *Gateway, ctx context.Context, a Actor, _ noInput) ([]licensing.Contract, error) {
			return g.Contracts(ctx, a)
		}),
		"licensing.contract": handle("Read a contract.", func(g *Gateway, ctx context.Context, a Actor, in idInput) (licensing.Contract, error) {
			return g.Contract(ctx, a, in.ID)
		}),
		"licensing.set_super_admin": handle("Add or remove a Super Administrator (LIC-2).", func(g *Gateway, ctx context.Context, a Actor, in SuperAdminInput) (licensing.Contract, error) {
			return g.SetSuperAdmin(ctx, a, in)
		}),
		"licensing.allocate": handle("Allocate a licence (LIC-1, LIC-7).", func(g *Gateway, ctx context.Context, a Actor, in AllocateInput) (Allocation, error) {
			return g.AllocateLicence(ctx, a, in)
		}),
		"licensing.revoke": handle("Revoke a licence (LIC-5).", func(g *Gateway, ctx context.Context, a Actor, in RevokeInput) (licensing.Contract, error) {
			return g.RevokeLicence(ctx, a, in)
		}),
		"licensing.requests": handle("List a contract's pending licence requests (LIC-7).", func(g *Gateway, ctx context.Context, a Actor, in idInput) ([]licensing.Request, error) {
			return g.LicenceRequests(ctx, a, in.ID)
		}),
		"licensing.answer_request": handle("Allocate or decline a licence request (LIC-7).", func(g *Gateway, ctx context.Context, a Actor, in AnswerRequestInput) (licensing.Request, error) {
			return g.AnswerLicenceRequest(ctx, a, in)
		}),
		"licensing.renew": handle("Renew a contract (LIC-6).", func(g *Gateway, ctx context.Context, a Actor, in RenewInput) (licensing.Contract, error) {
			return g.RenewContract(ctx, a, in)
		}),
		"licensing.end": handle("End a contract (LIC-5).", func(g *Gateway, ctx context.Context, a Actor, in idInput) (licensing.Contract, error) {
			return g.EndContract(ctx, a, in.ID)
		}),
		"licensing.capabilities": handle("What the organisation's licences allow (LIC-3, LIC-4).", func(g *Gateway, ctx context.Context, a Actor, _ noInput) (Capabilities, error) {
			return g.OrganisationCapabilities(ctx, a)
		}),
	}
}

// licensingCommands declares the commands of licensing.
func licensingCommands() []declared {
	return nil
}

package isg

import (
	"context"

	"github.com/isgkit/gateway/licensing"
)

// ActingFor is everywhere a user may act: each organisation with the roles the user holds there —
// assigned roles, Delegate where a delegation is active (ROLE-5), SuperAdmin across the licensing
// groups whose contracts name the user (LIC-2) — and whether the user is on the central team,
// who may support any organisation (ROLE-7). A host builds its "act for" switcher from it.
type ActingFor struct {
	CentralAdmin  bool               `json:"central_admin"`
	Organisations []ActingMembership `json:"organisations"`
}

// ActingMembership is one organisation a user may act for, with the roles held there.
type ActingMembership struct {
	Org   OrgID   `json:"org"`
	Name  string  `json:"name"`
	Roles RoleSet `json:"roles"`
}

// MyOrganisations lists the organisations and roles the acting user may act for, in the order
// the user joined them, Super Administrator groups after. Any signed-in, active user may ask, of
// themselves only.
//
// Errors: ErrForbidden ("forbidden", ROLE-7) for an unknown or inactive actor.
func (g *Gateway) MyOrganisations(ctx context.Context, actor Actor) (ActingFor, error) {
	return run(ctx, g, accountMemberships, actor, noInput{})
}

var accountMemberships = &command[noInput, ActingFor]{
	name: "account.memberships", doc: "The organisations and roles the acting user may act for (ROLE-7).",
	rule: "ROLE-7", reach: signedIn, query: true,
	apply: func(c *call[noInput]) (ActingFor, error) {
		x, err := c.loadUser(c.actor.User)
		if err != nil {
			return ActingFor{}, err
		}
		out := ActingFor{CentralAdmin: x.CentralAdmin, Organisations: []ActingMembership{}}
		roles := map[OrgID]RoleSet{}
		var order []OrgID
		add := func(org OrgID, r RoleSet) {
			if _, seen := roles[org]; !seen {
				order = append(order, org)
			}
			roles[org] |= r
		}
		for _, m := range x.Memberships {
			add(m.Org, m.Roles)
			if ok, err := c.hasDelegation(m.Org, x.ID); err != nil {
				return ActingFor{}, err
			} else if ok {
				add(m.Org, RoleSet(Delegate))
			}
		}
		contracts, _, err := findAll[licensing.Contract](c.uow, kindContract, key("super_admin", x.ID.String()))
		if err != nil {
			return ActingFor{}, err
		}
		for _, ct := range contracts {
			add(ct.Org, RoleSet(SuperAdmin))
			group, err := c.findOrgs(key("group", ct.ID.String()))
			if err != nil {
				return ActingFor{}, err
			}
			for _, o := range group {
				add(o.ID, RoleSet(SuperAdmin))
			}
		}
		for _, org := range order {
			o, err := c.loadOrg(org)
			if err != nil {
				return ActingFor{}, err
			}
			if o.Status != OrgActive {
				continue // a closed or merged organisation is acted for no more (ORG-7)
			}
			out.Organisations = append(out.Organisations, ActingMembership{Org: org, Name: o.Name, Roles: roles[org]})
		}
		return out, nil
	},
}

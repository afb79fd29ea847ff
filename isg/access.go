package isg

import (
	"context"
	"errors"
	"fmt"
	"time"
)

const kindSupportAccess Kind = "support_access"

// SupportAccess records one action Central Admin took at an organisation where they hold no role
// (ROLE-7): support is allowed, and always leaves a trace the organisation can read.
type SupportAccess struct {
	ID     string    `json:"id"`
	Org    OrgID     `json:"org"`
	User   UserID    `json:"user"`
	Action string    `json:"action"`
	At     time.Time `json:"at"`
}

// authorizeAt checks that actor may take action at org (ROLE-1, ROLE-7) and returns the roles it
// holds there, including Delegate, SuperAdmin and CentralAdmin where they apply. The acting user
// must be an active account. Central Admin acting where they hold no organisation role is logged.
func (u *uow) authorizeAt(actor Actor, org OrgID, action Action, rule string) (RoleSet, error) {
	if actor.User.IsZero() {
		return 0, &Error{Kind: ErrForbidden, Code: "forbidden", Rule: "ROLE-7", Message: "every command names its actor"}
	}
	x, err := u.activeUserFor(actor.User, rule)
	if err != nil {
		return 0, err
	}
	// Existence only: decoding the organisation would double the cost of every check.
	if _, err := u.tx.Get(u.ctx, kindOrg, org.String()); err != nil {
		if isNotFound(err) {
			return 0, &Error{Kind: ErrNotFound, Code: "organisation.not_found", Message: "no organisation " + org.String()}
		}
		return 0, err
	}
	held := x.rolesAt(org)
	p := &u.g.perms
	who := p.Who(action)
	if !p.Allows(action, held) && who.Has(Delegate) && held != 0 {
		if ok, err := u.hasDelegation(org, actor.User); err != nil {
			return 0, err
		} else if ok {
			held |= RoleSet(Delegate)
		}
	}
	if !p.Allows(action, held) && who.Has(SuperAdmin) {
		if ok, err := u.isSuperAdminOf(org, actor.User); err != nil {
			return 0, err
		} else if ok {
			held |= RoleSet(SuperAdmin)
		}
	}
	if !p.Allows(action, held) && x.CentralAdmin && who.Has(CentralAdmin) {
		held |= RoleSet(CentralAdmin)
		if held&OrgRoles == 0 {
			if u.readOnly {
				// A query cannot write; view logs the access after it in a unit of its own.
				u.supportReads = append(u.supportReads, supportRead{org: org, user: actor.User, action: action})
			} else if err := u.logSupportAccess(org, actor.User, action); err != nil {
				return 0, err
			}
		}
	}
	if !p.Allows(action, held) {
		return held, forbidden(rule, fmt.Sprintf("%s needs one of %s at the organisation", action, who))
	}
	return held, nil
}

func forbidden(rule, msg string) error {
	if rule == "" {
		rule = "ROLE-7"
	}
	return &Error{Kind: ErrForbidden, Code: "forbidden", Rule: rule, Message: msg}
}

func (u *uow) logSupportAccess(org OrgID, who UserID, action Action) error {
	id := u.newID().String()
	_, err := u.save(kindSupportAccess, id, 0, SupportAccess{ID: id, Org: org, User: who, Action: action.String(), At: u.now},
		key("org", org.String()))
	return err
}

func (u *uow) isCentralAdmin(id UserID) (bool, error) {
	x, err := u.loadUser(id)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil && x.CentralAdmin && x.State == AccountActive, err
}

func (u *uow) requireCentralAdmin(actor Actor, rule string) error {
	ok, err := u.isCentralAdmin(actor.User)
	if err != nil {
		return err
	}
	if !ok {
		return forbidden(rule, "only the central admin team may do this")
	}
	return nil
}

type supportRead struct {
	org    OrgID
	user   UserID
	action Action
}

// activeUserFor loads the acting user, who must exist and be active; store failures pass through
// unchanged so that they are never mistaken for a refusal.
func (u *uow) activeUserFor(id UserID, rule string) (user, error) {
	x, err := u.loadUser(id)
	if errors.Is(err, ErrNotFound) {
		return user{}, forbidden(rule, "unknown actor")
	} else if err != nil {
		return user{}, err
	}
	if x.State != AccountActive {
		return user{}, forbidden(rule, "the acting account is not active")
	}
	return x, nil
}

// SupportAccessLog lists the support actions Central Admin took at the actor's organisation
// (ROLE-7), oldest first.
func (g *Gateway) SupportAccessLog(ctx context.Context, actor Actor) ([]SupportAccess, error) {
	var out []SupportAccess
	err := g.view(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, ViewOrganisation, "ROLE-7"); err != nil {
			return err
		}
		var err error
		out, _, err = findAll[SupportAccess](u, kindSupportAccess, key("org", actor.Org.String()))
		return err
	})
	return out, err
}

// Can reports whether actor may take action at its organisation now, for a host's UI (show or
// hide a button). It applies the same check every command makes, delegations, Super
// Administrators and Central Admin included, but records no support access.
//
// On a store that implements VersionReader, a user's memberships are decoded once and reused while
// the user record's version is unchanged, so a repeated check costs two version lookups.
func (g *Gateway) Can(ctx context.Context, actor Actor, action Action) (bool, error) {
	if vr, ok := g.store.(VersionReader); ok {
		if allowed, answered := g.auth.allows(ctx, vr, &g.perms, actor, action); answered {
			return allowed, nil
		}
	}
	allowed := false
	err := g.store.View(ctx, func(tx Tx) error {
		u := &uow{g: g, ctx: ctx, tx: tx, now: g.Now(), readOnly: true}
		if x, err := u.loadUser(actor.User); err == nil {
			g.auth.remember(x, actor.Org)
		}
		_, err := u.authorizeAt(actor, actor.Org, action, "")
		switch {
		case err == nil:
			allowed = true
		case errors.Is(err, ErrForbidden):
		default:
			return err
		}
		return nil
	})
	return allowed, err
}

package isg

import (
	"context"
	"encoding/json"
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

// authorizeAt is the gate for a command acting at org (see gate).
func (u *uow) authorizeAt(actor Actor, org OrgID, action Action, rule string) (RoleSet, error) {
	return u.gate(actor, atOrg, target{org: org}, action, rule)
}

// gate is the one permission check every command passes (ROLE-1, ROLE-7): nothing else in the
// Gateway decides who may act. For reach atOrg it checks the row at t.org against the roles the
// actor holds there, adding Delegate, SuperAdmin and CentralAdmin where the row names them and
// they apply, and returns what it found. An action only Central Admin's powers permit is logged as
// support access (ROLE-7), whatever other roles the Central Admin also holds there. An actor who
// holds nothing at all at t.org is told t.hidden, when set, instead of a refusal. For reach
// platform only Central Admin's platform role counts; signedIn needs an active account; anyone
// passes.
func (u *uow) gate(actor Actor, r reach, t target, row Action, rule string) (RoleSet, error) {
	if r == anyone {
		return 0, nil
	}
	if actor.User.IsZero() {
		return 0, &Error{Kind: ErrForbidden, Code: "forbidden", Rule: "ROLE-7", Message: "every command names its actor"}
	}
	x, err := u.actingUser(actor.User, rule)
	if err != nil {
		return 0, err
	}
	p := &u.g.perms
	who := p.Who(row)
	switch r {
	case signedIn:
		return x.at(actor.Org), nil
	case platform:
		var held RoleSet
		if x.centralAdmin {
			held = RoleSet(CentralAdmin)
		}
		if !p.Allows(row, held) {
			if held == 0 && t.hidden != nil {
				return 0, t.hidden
			}
			return held, forbidden(rule, fmt.Sprintf("%s needs one of %s", row, who))
		}
		return held, nil
	}
	org := t.org
	if org.IsZero() {
		return 0, &Error{Kind: ErrNotFound, Code: "organisation.not_found", Message: "the command names no organisation"}
	}
	if ok, err := u.exists(kindOrg, u.texts.Text(org.UUID)); err != nil {
		return 0, err
	} else if !ok {
		return 0, &Error{Kind: ErrNotFound, Code: "organisation.not_found", Message: "no organisation " + org.String()}
	}
	held := x.at(org)
	if !p.Allows(row, held) && who.Has(Delegate) && held != 0 {
		if ok, err := u.hasDelegation(org, actor.User); err != nil {
			return 0, err
		} else if ok {
			held |= RoleSet(Delegate)
		}
	}
	if !p.Allows(row, held) && who.Has(SuperAdmin) {
		if ok, err := u.isSuperAdminOf(org, actor.User); err != nil {
			return 0, err
		} else if ok {
			held |= RoleSet(SuperAdmin)
		}
	}
	if !p.Allows(row, held) && x.centralAdmin && who.Has(CentralAdmin) {
		held |= RoleSet(CentralAdmin)
		if u.readOnly {
			// A query cannot write; view logs the access after it in a unit of its own.
			u.supportReads = append(u.supportReads, supportRead{org: org, user: actor.User, action: row})
		} else if err := u.logSupportAccess(org, actor.User, row); err != nil {
			return 0, err
		}
	}
	if !p.Allows(row, held) {
		if held == 0 && t.hidden != nil {
			return 0, t.hidden
		}
		return held, forbidden(rule, fmt.Sprintf("%s needs one of %s at the organisation", row, who))
	}
	return held, nil
}

// actor is what the gate knows of the acting user: enough to answer for any organisation.
type actorRoles struct {
	centralAdmin bool
	held         map[OrgID]*heldAt
}

// at returns the roles held at org, none when the user is not a member.
func (r actorRoles) at(org OrgID) RoleSet {
	if h := r.held[org]; h != nil {
		return h.roles
	}
	return 0
}

// actingUser returns the acting user's roles, who must exist and be active. Where the unit can
// read a record's version without loading it (VersionReader on the Tx), memberships decoded
// before are reused while the user record is at the same version, the version read joining the
// unit's read set like any read; otherwise the record is loaded and decoded.
func (u *uow) actingUser(id UserID, rule string) (actorRoles, error) {
	var cu *cachedUser
	sid := u.texts.Text(id.UUID)
	if vr, ok := u.tx.(VersionReader); ok && !u.wrote(kindUser, sid) {
		v, err := vr.Version(u.ctx, kindUser, sid)
		if err != nil {
			return actorRoles{}, err
		}
		if v == 0 {
			return actorRoles{}, forbidden(rule, "unknown actor")
		}
		cu = u.g.auth.get(id, v)
	}
	if cu == nil {
		rec, err := u.tx.Get(u.ctx, kindUser, sid)
		if isNotFound(err) {
			return actorRoles{}, forbidden(rule, "unknown actor")
		} else if err != nil {
			return actorRoles{}, err
		}
		if cu = u.g.auth.get(id, rec.Version); cu == nil {
			var x user
			if err := json.Unmarshal(rec.Body, &x); err != nil {
				return actorRoles{}, fmt.Errorf("isg: decoding user %s: %w", id, err)
			}
			x.version = rec.Version
			if u.wrote(kindUser, sid) {
				// A record this unit wrote itself is not committed: never cache it.
				cu = newCachedUser(x)
			} else {
				cu = u.g.auth.put(x)
			}
		}
	}
	if !cu.active {
		return actorRoles{}, forbidden(rule, "the acting account is not active")
	}
	return actorRoles{centralAdmin: cu.centralAdmin, held: cu.at}, nil
}

// exists reports whether a record exists, without decoding it where the unit can read versions.
func (u *uow) exists(kind Kind, id string) (bool, error) {
	if vr, ok := u.tx.(VersionReader); ok && !u.wrote(kind, id) {
		v, err := vr.Version(u.ctx, kind, id)
		return v > 0, err
	}
	_, err := u.tx.Get(u.ctx, kind, id)
	if isNotFound(err) {
		return false, nil
	}
	return err == nil, err
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

type supportRead struct {
	org    OrgID
	user   UserID
	action Action
}

// SupportAccessLog lists the support actions Central Admin took at the actor's organisation
// (ROLE-7), a page at a time, oldest first; every role there may read it (ViewOrganisation).
//
// Errors: ErrForbidden ("forbidden", ROLE-7); ErrNotFound ("organisation.not_found").
func (g *Gateway) SupportAccessLog(ctx context.Context, actor Actor, in ListPage) (Listing[SupportAccess], error) {
	return run(ctx, g, orgSupportAccess, actor, in)
}

var orgSupportAccess = &command[ListPage, Listing[SupportAccess]]{
	name: "org.support_access", doc: "List Central Admin's support actions at the organisation (ROLE-7).", row: ViewOrganisation, rule: "ROLE-7", query: true, arrayOnWire: true,
	apply: func(c *call[ListPage]) (Listing[SupportAccess], error) {
		return listKey(c.uow, kindSupportAccess, key("org", c.org.String()), c.in, decodeRecord[SupportAccess])
	},
}

// Can reports whether actor may take action at its organisation now, for a host's UI (show or
// hide a button). It applies the same check every command makes, delegations, Super
// Administrators and Central Admin included, but records no support access.
//
// On a store that implements VersionReader, a user's memberships are decoded once and reused while
// the user record's version is unchanged, so a repeated check costs two version lookups; on one
// that also implements ChangeCounter (the memory store), none while nothing has been committed
// since the user's last check.
//
// Errors: only the store's; a refusal is false with a nil error, whatever its reason.
func (g *Gateway) Can(ctx context.Context, actor Actor, action Action) (bool, error) {
	if g.versions != nil {
		if allowed, answered := g.auth.allows(ctx, g.versions, g.changes, &g.perms, actor, action); answered {
			return allowed, nil
		}
	}
	allowed := false
	err := g.store.View(ctx, func(tx Tx) error {
		u := &uow{g: g, ctx: ctx, tx: tx, now: g.Now(), readOnly: true, texts: g.texts}
		if x, err := u.loadUser(actor.User); err == nil {
			g.auth.put(x)
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

package isg

import (
	"context"

	"github.com/isgkit/gateway/isg/directory"
)

// GetAccount returns an account: a user's own to any active user; another's to a manager of the
// user — the ManageUsers row (Administrator; Super Administrator and Central Admin for support)
// at the user's organisation (see Unlock for which), or Central Admin at the platform for an
// account of no organisation. Another's account shows only the memberships at organisations
// where the reader holds a role or is a Super Administrator (all of them to a Central Admin); a
// user's own shows every one.
//
// Errors: ErrInvalid (no user named); ErrNotFound ("user.not_found") for an unknown user and for
// one the actor may not see, alike; ErrForbidden ("forbidden", ROLE-7) for an actor holding a
// role, but not ManageUsers, where the user is checked.
func (g *Gateway) GetAccount(ctx context.Context, actor Actor, in UserRef) (Account, error) {
	return run(ctx, g, accountGet, actor, in)
}

var accountGet = &command[UserRef, Account]{
	name: "account.get", doc: "Read an account: one's own, or as a manager of the user.", row: ManageUsers, rule: "ROLE-7", query: true,
	selfService: "user",
	at: func(u *uow, actor Actor, in UserRef) (target, error) {
		if in.User == actor.User {
			return target{reach: signedIn}, nil
		}
		hidden := &Error{Kind: ErrNotFound, Code: "user.not_found", Message: "no user " + in.User.String()}
		x, err := u.loadUser(in.User)
		if isNotFound(err) {
			return target{reach: platform, hidden: hidden}, nil
		}
		return userTarget(actor, x, hidden), err
	},
	apply: func(c *call[UserRef]) (Account, error) {
		x, err := c.loadUser(c.in.User)
		if err != nil || c.in.User == c.actor.User {
			return x.account(), err
		}
		return c.visibleAccount(c.actor.User, x)
	},
}

// visibleAccount is x as another user reads it (REG-5, ROLE-7): only the memberships at
// organisations where the reader holds a role or is a Super Administrator; a Central Admin, who
// supports every organisation, sees them all. So managing a user at one organisation never shows
// where else the user works.
func (u *uow) visibleAccount(reader UserID, x user) (Account, error) {
	a := x.account()
	r, err := u.actingUser(reader, "ROLE-7")
	if err != nil || r.centralAdmin {
		return a, err
	}
	kept := []Membership{}
	for _, m := range a.Memberships {
		see := r.at(m.Org) != 0
		if !see {
			if see, err = u.isSuperAdminOf(m.Org, reader); err != nil {
				return Account{}, err
			}
		}
		if see {
			kept = append(kept, m)
		}
	}
	a.Memberships = kept
	return a, nil
}

// SetPreferences replaces the acting user's notification preferences (NOTE-2). They apply across
// all the user's roles at all organisations. Any active user sets their own. Off names only
// types of NotificationTypes, each once.
//
// Errors: ErrInvalid ("invalid_input", NOTE-2: field errors "notification_type" or "duplicate"
// on off[i]); ErrForbidden ("forbidden", ROLE-7) for an unknown or inactive actor.
func (g *Gateway) SetPreferences(ctx context.Context, actor Actor, in Preferences) (Account, error) {
	return run(ctx, g, accountSetPreferences, actor, in)
}

var accountSetPreferences = &command[Preferences, Account]{
	name: "account.set_preferences", doc: "Set notification preferences (NOTE-2).", rule: "NOTE-2", reach: signedIn,
	before: func(_ *Gateway, in *Preferences) error { return checkPreferences(*in) },
	apply: func(c *call[Preferences]) (Account, error) {
		x, err := c.loadUser(c.actor.User)
		if err != nil {
			return Account{}, err
		}
		saved, err := c.saveUser(x, directory.SetPreferences(x.User, c.in))
		return saved.account(), err
	},
}

// Notifications lists the outbox messages addressed to the acting user, a page at a time, oldest first (NOTE-4:
// a user reads only their own). Any active user may.
//
// Errors: ErrForbidden ("forbidden", ROLE-7) for an unknown or inactive actor.
func (g *Gateway) Notifications(ctx context.Context, actor Actor, in ListPage) (Listing[Notification], error) {
	return run(ctx, g, accountNotifications, actor, in)
}

var accountNotifications = &command[ListPage, Listing[Notification]]{
	name: "account.notifications", doc: "List the acting user's notifications.", rule: "NOTE-4", reach: signedIn, query: true, arrayOnWire: true,
	apply: func(c *call[ListPage]) (Listing[Notification], error) {
		return listKey(c.uow, kindNotification, key("recipient", c.actor.User.String()), c.in, decodeRecord[Notification])
	},
}

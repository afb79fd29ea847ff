package isg

import (
	"encoding/json"

	"github.com/isgkit/gateway/internal/validate"
	"github.com/isgkit/gateway/isg/directory"
)

// AccountState is where an account is in its lifecycle (directory.AccountState).
type AccountState = directory.AccountState

// Account states (directory's).
const (
	// AccountUnverified accounts have not yet proved their e-mail address (REG-3).
	AccountUnverified = directory.AccountUnverified
	// AccountAwaitingValidation accounts verified an address outside the instant-registration
	// domains and wait for the central admin team (REG-1).
	AccountAwaitingValidation = directory.AccountAwaitingValidation
	// AccountActive accounts may sign in and act.
	AccountActive = directory.AccountActive
	// AccountLocked accounts failed sign-in MaxFailedSignIns times in a row (REG-4).
	AccountLocked = directory.AccountLocked
)

// MaxFailedSignIns is how many consecutive failed sign-ins lock an account (REG-4).
const MaxFailedSignIns = directory.MaxFailedSignIns

// Membership is the roles a user holds at one organisation (REG-6: a user may hold roles at
// several); directory.Membership.
type Membership = directory.Membership

// Preferences are a user's notification subscriptions (NOTE-2); directory.Preferences.
type Preferences = directory.Preferences

// Account is what a host sees of a user: everything but secrets (directory.Account).
type Account = directory.Account

const kindUser Kind = "user"

// user is the stored account with the version it was read at. It is not exported because it
// holds the password hash and token digest; hosts see Account. Embedding keeps the stored JSON
// exactly directory.User's.
type user struct {
	directory.User
	version int64
}

func (x user) account() Account { return x.View(x.version) }

// rolesAt returns the roles the user holds at org.
func (x *user) rolesAt(org OrgID) RoleSet { return x.RolesAt(org) }

// keys indexes users by e-mail (unique), by organisation, by role at an organisation (to find
// recipients and last holders), by token digest and by platform role.
func (x *user) keys() []IndexKey {
	ks := []IndexKey{uniqueKey("email", x.Email)}
	for _, m := range x.Memberships {
		ks = append(ks, key("member", m.Org.String()))
		for _, r := range m.Roles.Roles() {
			ks = append(ks, key("role", roleKey(m.Org, r)))
		}
	}
	if x.TokenDigest != "" {
		ks = append(ks, uniqueKey("token", x.TokenDigest))
	}
	if x.ResetDigest != "" {
		ks = append(ks, uniqueKey("reset", x.ResetDigest))
	}
	if x.CentralAdmin {
		ks = append(ks, key("central_admin", "1"))
	}
	return ks
}

func roleKey(org OrgID, r Role) string { return org.String() + "/" + r.String() }

func (u *uow) loadUser(id UserID) (user, error) {
	var x user
	v, err := u.load(kindUser, id.String(), &x)
	x.version = v
	return x, err
}

// saveUser stores next over the version of x it was derived from.
func (u *uow) saveUser(x user, next directory.User) (user, error) {
	out := user{User: next, version: x.version}
	v, err := u.save(kindUser, out.ID.String(), out.version, out, out.keys()...)
	out.version = v
	return out, err
}

// userByEmail returns the user with the address, or ErrNotFound.
func (u *uow) userByEmail(email string) (user, error) {
	return u.userByKey(key("email", directory.NormEmail(email)))
}

func (u *uow) userByKey(k IndexKey) (user, error) {
	recs, err := u.tx.Find(u.ctx, kindUser, k, Page{Limit: 1})
	if err != nil {
		return user{}, err
	}
	if len(recs) == 0 {
		return user{}, &Error{Kind: ErrNotFound, Code: "user.not_found", Message: "no such user"}
	}
	var x user
	if err := json.Unmarshal(recs[0].Body, &x); err != nil {
		return user{}, err
	}
	x.version = recs[0].Version
	return x, nil
}

// countHolders counts who holds the roles an organisation must keep (ORG-3). The counts are
// listings, so a concurrent change of either conflicts with the unit.
func (u *uow) countHolders(org OrgID) (directory.Holders, error) {
	adm, err := u.tx.Count(u.ctx, kindUser, key("role", roleKey(org, Administrator)))
	if err != nil {
		return directory.Holders{}, err
	}
	so, err := u.tx.Count(u.ctx, kindUser, key("role", roleKey(org, SeniorOfficer)))
	return directory.Holders{Administrators: adm, SeniorOfficers: so}, err
}

// userTarget is where a command about the account x is checked: at the actor's organisation when
// x holds a role there, else at x's first organisation (where its Super Administrators and
// Central Admin, for support, may act), else — an account of no organisation, or a Central
// Admin, whom only another Central Admin manages (REG-4) — at the platform.
func userTarget(actor Actor, x user, hidden error) target {
	switch {
	case x.CentralAdmin || len(x.Memberships) == 0:
		return target{reach: platform, hidden: hidden}
	case x.rolesAt(actor.Org) != 0:
		return target{org: actor.Org, hidden: hidden}
	default:
		return target{org: x.Memberships[0].Org, hidden: hidden}
	}
}

// validateInput checks a command's input against its struct tags.
func validateInput(in any, rule string) error {
	if q, ok := in.(checkedWithoutReflection); ok && q.valid() {
		return nil
	}
	return validate.Struct(in, rule)
}

// checkedWithoutReflection is an input that can tell, without the validator's reflection, that
// the validator would accept it; when it cannot, the validator runs and names the fields.
type checkedWithoutReflection interface{ valid() bool }

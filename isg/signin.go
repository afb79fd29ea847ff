package isg

import (
	"context"

	"github.com/isgkit/gateway/isg/directory"
)

// SignInInput is a sign-in attempt.
type SignInInput struct {
	Email    string `json:"email" validate:"required,no_invisible,max=254" rule:"REG-7"`
	Password string `json:"password" validate:"required" rule:"REG-2"`
}

// SignIn checks credentials (REG-3, REG-4). A wrong password counts a failure, committed even
// though sign-in is refused; the fifth in a row locks the account and tells its holder; a success
// resets the count. The host keeps the session. It needs no actor.
//
// Errors (all *Error, ErrForbidden): "auth.invalid_credentials" (REG-4) for an unknown address or
// a wrong password — the two are not told apart; "auth.unverified" (REG-3);
// "auth.awaiting_validation" (REG-1); "auth.locked" (REG-4). ErrInvalid (REG-7, REG-2) for a
// missing field.
func (g *Gateway) SignIn(ctx context.Context, in SignInInput) (Account, error) {
	return run(ctx, g, accountSignIn, Actor{}, in)
}

var accountSignIn = &command[SignInInput, Account]{
	name: "account.sign_in", doc: "Sign in (REG-3, REG-4).", rule: "REG-7", reach: anyone,
	apply: func(c *call[SignInInput]) (Account, error) {
		x, err := c.userByEmail(c.in.Email)
		if isNotFound(err) {
			// Spend the same work as a real check so that timing does not reveal registered addresses.
			verifyPassword(c.in.Password, dummyHash)
			return Account{}, directory.ErrInvalidCredentials()
		} else if err != nil {
			return Account{}, err
		}
		// The password is checked whatever the account's state, so that no state answers faster.
		o := c.g.machines.account.SignIn(x.User, verifyPassword(c.in.Password, x.PasswordHash), c.now)
		if !o.Save {
			return Account{}, o.Refusal
		}
		saved, err := c.saveUser(x, o.User)
		if err != nil {
			return Account{}, err
		}
		if err := c.deliver(o.Events...); err != nil {
			return Account{}, err
		}
		if o.Refusal != nil {
			return Account{}, commitThen(o.Refusal)
		}
		return saved.account(), nil
	},
}

// dummyHash is a valid argon2id hash of no real password with the default cost.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$1zqmTtkySv8tk8j3e08PiRhJd2F8HMbz0jZpq6kqpKA"

// Unlock unlocks a locked account and clears its failure count (REG-4): the UnlockAccount row
// (Super Administrator, Central Admin), checked at the locked user's organisation — the actor's
// when the user holds a role there, else the user's first — or, for an account of no
// organisation or a Central Admin, at the platform, where only another Central Admin may.
//
// Errors: ErrInvalid (no user named); ErrForbidden ("forbidden", REG-4), also for an unknown user,
// so that a refusal tells no one which accounts exist; ErrNotFound ("user.not_found") for a
// Central Admin naming an unknown user; ErrInvalidTransition ("account.invalid_transition") when
// the account is not locked.
func (g *Gateway) Unlock(ctx context.Context, actor Actor, in UserRef) (Account, error) {
	return run(ctx, g, accountUnlock, actor, in)
}

var accountUnlock = &command[UserRef, Account]{
	name: "account.unlock", doc: "Unlock a locked account (REG-4).", row: UnlockAccount, rule: "REG-4",
	at: func(u *uow, actor Actor, in UserRef) (target, error) {
		x, err := u.loadUser(in.User)
		if isNotFound(err) {
			return target{reach: platform}, nil
		}
		return userTarget(actor, x, nil), err
	},
	apply: func(c *call[UserRef]) (Account, error) {
		x, err := c.loadUser(c.in.User)
		if err != nil {
			return Account{}, err
		}
		next, err := c.g.machines.account.Unlock(x.User)
		if err != nil {
			return Account{}, err
		}
		saved, err := c.saveUser(x, next)
		return saved.account(), err
	},
}

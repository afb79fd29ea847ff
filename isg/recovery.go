package isg

import (
	"context"
	"log/slog"
	"time"

	"github.com/isgkit/gateway/isg/directory"
)

// Account recovery (REG-4, REG-8): more than one Central Admin, the host operator's break-glass
// unlock when none is left, and password reset by e-mail.

// ResetTokenTTL is how long a password-reset token works (REG-8).
const ResetTokenTTL = directory.ResetTokenTTL

// Notification types of account recovery.
const (
	// EventPasswordResetRequested carries the reset token to the address (data "token",
	// "expires"). It goes to the address, whatever the account's preferences (NOTE-2 does not
	// switch off the way back in), and is never listed by account.notifications.
	EventPasswordResetRequested = directory.EventPasswordResetRequested
	EventPasswordReset          = directory.EventPasswordReset
	EventCentralAdminAdded      = directory.EventCentralAdminAdded
	EventBreakGlassUnlock       = directory.EventBreakGlassUnlock
	EventInvitationAnswered     = directory.EventInvitationAnswered
)

// AddCentralAdmin makes an active account a Central Admin (REG-4): the ManageCentralAdmins row,
// at the platform, so only a Central Admin adds another. With several, one locked out is
// unlocked by another (Unlock). The account and the team are told.
//
// Errors: ErrInvalid (no user named); ErrForbidden ("forbidden", REG-4) unless the actor is a
// Central Admin; ErrNotFound ("user.not_found"); ErrConflict ("account.already_central_admin");
// ErrRule ("account.not_active", REG-4) for an account that is not active.
func (g *Gateway) AddCentralAdmin(ctx context.Context, actor Actor, in UserRef) (Account, error) {
	return run(ctx, g, accountAddCentralAdmin, actor, in)
}

var accountAddCentralAdmin = &command[UserRef, Account]{
	name: "account.add_central_admin", doc: "Make an active account a Central Admin (REG-4).", row: ManageCentralAdmins, rule: "REG-4", reach: platform,
	apply: func(c *call[UserRef]) (Account, error) {
		x, err := c.loadUser(c.in.User)
		if err != nil {
			return Account{}, err
		}
		next, events, err := directory.AddCentralAdmin(x.User, c.actor.User)
		if err != nil {
			return Account{}, err
		}
		saved, err := c.saveUser(x, next)
		if err != nil {
			return Account{}, err
		}
		return saved.account(), c.deliver(events...)
	},
}

const kindBreakGlass Kind = "break_glass"

// BreakGlassInput is the host operator's break-glass unlock of a Central Admin (REG-4).
type BreakGlassInput struct {
	// User is the locked Central Admin.
	User UserID `json:"user" validate:"required" rule:"REG-4"`
	// Operator names the person at the host who uses it, for the record.
	Operator string `json:"operator" validate:"required,max=200" rule:"REG-4"`
	// Reason says why, for the record.
	Reason string `json:"reason" validate:"required,max=2000" rule:"REG-4"`
}

// BreakGlass is the record of one break-glass unlock (REG-4), kept for the central team.
type BreakGlass struct {
	ID       string    `json:"id"`
	User     UserID    `json:"user"`
	Operator string    `json:"operator"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
}

// BreakGlassUnlock is the host operator's recovery when every Central Admin is locked out
// (REG-4): it unlocks the named Central Admin. It is a Go method only, for the operator of the
// deployment: no command reaches it, so no actor — and no caller of a host's JSON API built on
// Dispatch — can. It is refused while any Central Admin is active (that one unlocks the others).
// Every use is logged: a record the central team reads (BreakGlassLog), a notification to the
// unlocked account and the team, and a Warn record on the Gateway's logger.
//
// Errors: ErrInvalid (field errors naming REG-4); ErrNotFound ("user.not_found"); ErrRule
// ("break_glass.not_needed", REG-4) when the account is not a locked Central Admin or a Central
// Admin is active.
func (g *Gateway) BreakGlassUnlock(ctx context.Context, in BreakGlassInput) (Account, error) {
	out, err := run(ctx, g, platformBreakGlassUnlock, Actor{}, in)
	if err == nil {
		g.log.LogAttrs(ctx, slog.LevelWarn, "isg: break-glass unlock of a Central Admin (REG-4)", slog.String("user", in.User.String()),
			slog.String("operator", in.Operator), slog.String("reason", in.Reason))
	}
	return out, err
}

// platformBreakGlassUnlock is run by the one pipeline like every command, but is declared Go
// only: Dispatch does not know it (REG-4).
var platformBreakGlassUnlock = &command[BreakGlassInput, Account]{
	name: "platform.break_glass_unlock", doc: "Break-glass unlock of a Central Admin by the host operator (REG-4; Go only).", rule: "REG-4", reach: anyone,
	goOnly: true,
	apply: func(c *call[BreakGlassInput]) (Account, error) {
		x, err := c.loadUser(c.in.User)
		if err != nil {
			return Account{}, err
		}
		admins, _, err := findAll[user](c.uow, kindUser, key("central_admin", "1"))
		if err != nil {
			return Account{}, err
		}
		active := 0
		for _, a := range admins {
			if a.State == AccountActive {
				active++
			}
		}
		next, events, err := c.g.machines.account.BreakGlassUnlock(x.User, active, c.in.Operator, c.in.Reason)
		if err != nil {
			return Account{}, err
		}
		saved, err := c.saveUser(x, next)
		if err != nil {
			return Account{}, err
		}
		id := c.newID().String()
		rec := BreakGlass{ID: id, User: x.ID, Operator: c.in.Operator, Reason: c.in.Reason, At: c.now}
		if _, err := c.save(kindBreakGlass, id, 0, rec, key("all", "1")); err != nil {
			return Account{}, err
		}
		return saved.account(), c.deliver(events...)
	},
}

// BreakGlassLog lists every break-glass unlock (REG-4), a page at a time, oldest first: the
// ManageCentralAdmins row, at the platform.
//
// Errors: ErrForbidden ("forbidden", REG-4) unless the actor is a Central Admin.
func (g *Gateway) BreakGlassLog(ctx context.Context, actor Actor, in ListPage) (Listing[BreakGlass], error) {
	return run(ctx, g, platformBreakGlassLog, actor, in)
}

var platformBreakGlassLog = &command[ListPage, Listing[BreakGlass]]{
	name: "platform.break_glass_log", doc: "List the host operator's break-glass unlocks (REG-4).", row: ManageCentralAdmins, rule: "REG-4", reach: platform, query: true,
	apply: func(c *call[ListPage]) (Listing[BreakGlass], error) {
		return listKey(c.uow, kindBreakGlass, key("all", "1"), c.in, decodeRecord[BreakGlass])
	},
}

// ResetRequested is the answer to a password-reset request: the same whether or not the address
// is registered (REG-8).
type ResetRequested struct {
	// Accepted is always true: the request was taken; if the address is registered, a token is
	// on its way to it.
	Accepted bool `json:"accepted"`
}

// RequestPasswordReset starts a password reset for an address (REG-8). If an account holds it, a
// new reset token — single use, valid for ResetTokenTTL, stored only as a digest — replaces any
// earlier one and goes to the address through the outbox (EventPasswordResetRequested, whatever
// the account's preferences). The answer is the same whether or not the address is registered.
// It needs no actor.
//
// Errors: ErrInvalid (field errors naming REG-7) for a malformed address; otherwise none but the
// store's.
func (g *Gateway) RequestPasswordReset(ctx context.Context, in EmailInput) (ResetRequested, error) {
	return run(ctx, g, accountRequestPasswordReset, Actor{}, in)
}

var accountRequestPasswordReset = &command[EmailInput, ResetRequested]{
	name: "account.request_password_reset", doc: "Ask for a password-reset token by e-mail (REG-8).", rule: "REG-8", reach: anyone,
	before: func(g *Gateway, in *EmailInput) (err error) {
		in.cred.secret, in.cred.digest, err = newToken(g.random)
		return err
	},
	apply: func(c *call[EmailInput]) (ResetRequested, error) {
		x, err := c.userByEmail(c.in.Email)
		if isNotFound(err) {
			return ResetRequested{Accepted: true}, nil
		} else if err != nil {
			return ResetRequested{}, err
		}
		expires := c.now.Add(ResetTokenTTL)
		if _, err := c.saveUser(x, directory.RequestReset(x.User, c.in.cred.digest, expires)); err != nil {
			return ResetRequested{}, err
		}
		return ResetRequested{Accepted: true}, c.deliver(directory.Event{Type: EventPasswordResetRequested,
			Data: map[string]string{"token": c.in.cred.secret, "expires": expires.Format(time.RFC3339)}, To: directory.Audience{Email: x.Email}})
	},
}

// ResetPasswordInput consumes a reset token with a new password.
type ResetPasswordInput struct {
	Token    string `json:"token" validate:"required,max=200" rule:"REG-8"`
	Password string `json:"password" validate:"required" rule:"REG-2"`
	cred     credentials
}

// ResetPassword sets a new password with a reset token (REG-8): the token is single use and
// expires; the password must meet the policy (REG-2). The failure count is cleared, but a locked
// account stays locked (REG-4: only an unlock unlocks). The holder is told. It needs no actor.
//
// Errors: ErrInvalid (field errors naming REG-8, REG-2); ErrNotFound
// ("account.reset_token_invalid", REG-8) for an unknown, used or replaced token; ErrRule
// ("account.reset_token_expired", REG-8) for an expired one.
func (g *Gateway) ResetPassword(ctx context.Context, in ResetPasswordInput) (Account, error) {
	return run(ctx, g, accountResetPassword, Actor{}, in)
}

var accountResetPassword = &command[ResetPasswordInput, Account]{
	name: "account.reset_password", doc: "Set a new password with a reset token (REG-8).", rule: "REG-8", reach: anyone,
	before: func(g *Gateway, in *ResetPasswordInput) (err error) {
		in.cred, err = g.prepare(in.Password, false)
		return err
	},
	apply: func(c *call[ResetPasswordInput]) (Account, error) {
		x, err := c.userByKey(key("reset", tokenDigest(c.in.Token)))
		if isNotFound(err) {
			return Account{}, &Error{Kind: ErrNotFound, Code: directory.CodeResetTokenInvalid, Rule: "REG-8", Message: "unknown or already used reset token"}
		} else if err != nil {
			return Account{}, err
		}
		next, events, err := directory.ResetPassword(x.User, c.in.cred.hash, c.now)
		if err != nil {
			return Account{}, err
		}
		saved, err := c.saveUser(x, next)
		if err != nil {
			return Account{}, err
		}
		return saved.account(), c.deliver(events...)
	},
}

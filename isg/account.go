package isg

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/qmuntal/stateless"

	"github.com/isgkit/gateway/internal/validate"
)

// AccountState is where an account is in its lifecycle.
type AccountState string

// Account states.
const (
	// AccountUnverified accounts have not yet proved their e-mail address (REG-3).
	AccountUnverified AccountState = "unverified"
	// AccountAwaitingValidation accounts verified an address outside the instant-registration
	// domains and wait for the central admin team (REG-1).
	AccountAwaitingValidation AccountState = "awaiting_validation"
	AccountActive             AccountState = "active"
	// AccountLocked accounts failed sign-in MaxFailedSignIns times in a row (REG-4).
	AccountLocked AccountState = "locked"
)

// MaxFailedSignIns is how many consecutive failed sign-ins lock an account (REG-4).
const MaxFailedSignIns = 5

const kindUser Kind = "user"

// Membership is the roles a user holds at one organisation (REG-6: a user may hold roles at several).
type Membership struct {
	Org   OrgID   `json:"org"`
	Roles RoleSet `json:"roles"`
}

// Preferences are a user's notification subscriptions (NOTE-2): every type by default, with types
// switched off one by one or all at once. They apply across all the user's roles.
type Preferences struct {
	AllOff bool     `json:"all_off"`
	Off    []string `json:"off,omitempty"`
}

// Wants reports whether the user receives notifications of type t.
func (p Preferences) Wants(t string) bool { return !p.AllOff && !slices.Contains(p.Off, t) }

// user is the stored account. It is not exported because it holds the password hash and token
// digest; hosts see Account.
type user struct {
	ID              UserID       `json:"id"`
	Email           string       `json:"email"`
	Name            string       `json:"name"`
	State           AccountState `json:"state"`
	NeedsValidation bool         `json:"needs_validation"`
	PasswordHash    string       `json:"password_hash"`
	TokenDigest     string       `json:"token_digest,omitempty"`
	TokenExpires    time.Time    `json:"token_expires,omitzero"`
	FailedSignIns   int          `json:"failed_sign_ins"`
	CentralAdmin    bool         `json:"central_admin,omitempty"`
	Memberships     []Membership `json:"memberships,omitempty"`
	Preferences     Preferences  `json:"preferences"`
	CreatedAt       time.Time    `json:"created_at"`
	LastSignInAt    time.Time    `json:"last_sign_in_at,omitzero"`
	version         int64
}

// Account is what a host sees of a user: everything but secrets.
type Account struct {
	ID            UserID       `json:"id"`
	Email         string       `json:"email"`
	Name          string       `json:"name"`
	State         AccountState `json:"state"`
	FailedSignIns int          `json:"failed_sign_ins"`
	CentralAdmin  bool         `json:"central_admin"`
	Memberships   []Membership `json:"memberships"`
	Preferences   Preferences  `json:"preferences"`
	CreatedAt     time.Time    `json:"created_at"`
	Version       int64        `json:"version"`
}

func (x user) account() Account {
	return Account{ID: x.ID, Email: x.Email, Name: x.Name, State: x.State, FailedSignIns: x.FailedSignIns,
		CentralAdmin: x.CentralAdmin, Memberships: slices.Clone(x.Memberships), Preferences: x.Preferences,
		CreatedAt: x.CreatedAt, Version: x.version}
}

// rolesAt returns the roles the user holds at org.
func (x *user) rolesAt(org OrgID) RoleSet {
	for _, m := range x.Memberships {
		if m.Org == org {
			return m.Roles
		}
	}
	return 0
}

// withRoles returns a copy of the user holding exactly roles at org (none removes the membership).
func (x user) withRoles(org OrgID, roles RoleSet) user {
	ms := make([]Membership, 0, len(x.Memberships)+1)
	for _, m := range x.Memberships {
		if m.Org != org {
			ms = append(ms, m)
		}
	}
	if roles != 0 {
		ms = append(ms, Membership{Org: org, Roles: roles & OrgRoles})
	}
	x.Memberships = ms
	return x
}

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

func (u *uow) saveUser(x user) (user, error) {
	v, err := u.save(kindUser, x.ID.String(), x.version, x, x.keys()...)
	x.version = v
	return x, err
}

// userByEmail returns the user with the address, or ErrNotFound.
func (u *uow) userByEmail(email string) (user, error) {
	return u.userByKey(key("email", normEmail(email)))
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

// Account triggers.
const (
	trVerify   = "verify"
	trValidate = "validate"
	trLock     = "lock"
	trUnlock   = "unlock"
)

func newAccountLifecycle() *lifecycle[user, AccountState] {
	l := newLifecycle("account", AccountUnverified, func(x *user) AccountState { return x.State }, func(x *user, s AccountState) { x.State = s })
	l.sm.Configure(AccountUnverified).
		Permit(trVerify, AccountActive, instantDomain).
		Permit(trVerify, AccountAwaitingValidation, needsValidation)
	l.sm.Configure(AccountAwaitingValidation).Permit(trValidate, AccountActive)
	l.sm.Configure(AccountActive).Permit(trLock, AccountLocked)
	l.sm.Configure(AccountLocked).Permit(trUnlock, AccountActive)
	return l
}

func instantDomain(ctx context.Context, _ ...any) bool {
	return !ctx.Value(subjectKey{}).(*user).NeedsValidation
}

func needsValidation(ctx context.Context, _ ...any) bool {
	return ctx.Value(subjectKey{}).(*user).NeedsValidation
}

var _ stateless.GuardFunc = instantDomain

// RegisterInput is the registration form (REG-7: every field validated).
type RegisterInput struct {
	Email    string `json:"email" validate:"required,email,max=254" rule:"REG-7"`
	Name     string `json:"name" validate:"required,max=200" rule:"REG-7"`
	Password string `json:"password" validate:"required" rule:"REG-2"`
}

// Registration is the result of Register. The host e-mails VerificationToken to the address; it
// is stored only as a digest and cannot be read back.
type Registration struct {
	Account           Account   `json:"account"`
	VerificationToken string    `json:"verification_token"`
	TokenExpires      time.Time `json:"token_expires"`
	// PendingValidation is true when the address is outside the instant-registration domains and
	// the central admin team must validate the account after verification (REG-1).
	PendingValidation bool `json:"pending_validation"`
}

// Register creates an account (REG-1…3, REG-5). The password is checked against the policy and
// stored only as an argon2id hash. Invitations for the address attach their roles at once.
//
// Errors: ErrInvalid (field errors, REG-7, REG-2); an *Error with code "user.email_taken"
// (ErrConflict) when the address is registered.
func (g *Gateway) Register(ctx context.Context, in RegisterInput) (Registration, error) {
	if err := validateInput(in, "REG-7"); err != nil {
		return Registration{}, err
	}
	if err := CheckPassword(in.Password); err != nil {
		return Registration{}, err
	}
	hash, err := hashPassword(in.Password, g.pwParams, g.random)
	if err != nil {
		return Registration{}, err
	}
	secret, digest, err := newToken(g.random)
	if err != nil {
		return Registration{}, err
	}
	var out Registration
	err = g.update(ctx, func(u *uow) error {
		email := normEmail(in.Email)
		if _, err := u.userByEmail(email); err == nil {
			return &Error{Kind: ErrConflict, Code: "user.email_taken", Rule: "REG-7", Message: "an account with this e-mail address exists",
				Fields: []FieldError{{Field: "email", Code: "taken", Rule: "REG-7", Message: "is already registered"}}}
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		x := user{ID: UserID{UUID: u.newID()}, Email: email, Name: in.Name, State: AccountUnverified,
			NeedsValidation: !InstantRegistration(email), PasswordHash: hash,
			TokenDigest: digest, TokenExpires: u.now.Add(g.tokenTTL), CreatedAt: u.now}
		x, err := u.acceptInvitations(x)
		if err != nil {
			return err
		}
		if x, err = u.saveUser(x); err != nil {
			return err
		}
		out = Registration{Account: x.account(), VerificationToken: secret, TokenExpires: x.TokenExpires, PendingValidation: x.NeedsValidation}
		return nil
	})
	return out, err
}

// VerifyEmail consumes a verification token (REG-3): single use, and refused once expired. An
// account from an instant-registration domain becomes active; any other awaits validation.
//
// Errors: an *Error with code "account.token_invalid" (ErrNotFound) for an unknown or used token,
// "account.token_expired" (ErrRule) for an expired one.
func (g *Gateway) VerifyEmail(ctx context.Context, token string) (Account, error) {
	var out Account
	err := g.update(ctx, func(u *uow) error {
		x, err := u.userByKey(key("token", tokenDigest(token)))
		if errors.Is(err, ErrNotFound) {
			return &Error{Kind: ErrNotFound, Code: "account.token_invalid", Rule: "REG-3", Message: "unknown or already used verification token"}
		} else if err != nil {
			return err
		}
		if !u.now.Before(x.TokenExpires) {
			return &Error{Kind: ErrRule, Code: "account.token_expired", Rule: "REG-3", Message: "verification token has expired; ask for a new one"}
		}
		x, err = g.machines.account.fire(ctx, x, trVerify)
		if err != nil {
			return err
		}
		x.TokenDigest, x.TokenExpires = "", time.Time{}
		if x, err = u.saveUser(x); err != nil {
			return err
		}
		if x.State == AccountAwaitingValidation {
			if err := u.notifyCentralAdmins(EventAccountAwaitingValidation, OrgID{}, map[string]string{"user": x.ID.String(), "email": x.Email}); err != nil {
				return err
			}
		}
		out = x.account()
		return nil
	})
	return out, err
}

// ResendVerification issues a new verification token for an unverified account, voiding the old one.
//
// Errors: ErrNotFound for an unknown address; ErrInvalidTransition when already verified.
func (g *Gateway) ResendVerification(ctx context.Context, email string) (Registration, error) {
	secret, digest, err := newToken(g.random)
	if err != nil {
		return Registration{}, err
	}
	var out Registration
	err = g.update(ctx, func(u *uow) error {
		x, err := u.userByEmail(email)
		if err != nil {
			return err
		}
		if x.State != AccountUnverified {
			return &Error{Kind: ErrInvalidTransition, Code: "account.already_verified", Rule: "REG-3", Message: "the account's address is already verified"}
		}
		x.TokenDigest, x.TokenExpires = digest, u.now.Add(g.tokenTTL)
		if x, err = u.saveUser(x); err != nil {
			return err
		}
		out = Registration{Account: x.account(), VerificationToken: secret, TokenExpires: x.TokenExpires, PendingValidation: x.NeedsValidation}
		return nil
	})
	return out, err
}

// ValidateAccount is the central admin team's validation of an account registered from a domain
// outside the instant list (REG-1).
//
// Errors: ErrForbidden unless the actor is Central Admin; ErrNotFound; ErrInvalidTransition when
// the account is not awaiting validation.
func (g *Gateway) ValidateAccount(ctx context.Context, actor Actor, id UserID) (Account, error) {
	var out Account
	err := g.update(ctx, func(u *uow) error {
		if err := u.requireCentralAdmin(actor, "REG-1"); err != nil {
			return err
		}
		x, err := u.loadUser(id)
		if err != nil {
			return err
		}
		if x, err = g.machines.account.fire(ctx, x, trValidate); err != nil {
			return err
		}
		if x, err = u.saveUser(x); err != nil {
			return err
		}
		out = x.account()
		return nil
	})
	return out, err
}

// SignInInput is a sign-in attempt.
type SignInInput struct {
	Email    string `json:"email" validate:"required,max=254" rule:"REG-7"`
	Password string `json:"password" validate:"required" rule:"REG-2"`
}

// SignIn checks credentials (REG-3, REG-4). A wrong password counts a failure; the fifth in a row
// locks the account; a success resets the count. The host keeps the session.
//
// Errors (all *Error): "auth.invalid_credentials" (ErrForbidden) for an unknown address or wrong
// password — the two are not told apart; "auth.unverified" (ErrForbidden, REG-3);
// "auth.awaiting_validation" (ErrForbidden, REG-1); "auth.locked" (ErrForbidden, REG-4).
func (g *Gateway) SignIn(ctx context.Context, in SignInInput) (Account, error) {
	if err := validateInput(in, "REG-7"); err != nil {
		return Account{}, err
	}
	var out Account
	var refusal error
	err := g.update(ctx, func(u *uow) error {
		refusal = nil
		x, err := u.userByEmail(in.Email)
		if errors.Is(err, ErrNotFound) {
			// Spend the same work as a real check so that timing does not reveal registered addresses.
			verifyPassword(in.Password, dummyHash)
			refusal = errInvalidCredentials()
			return nil
		} else if err != nil {
			return err
		}
		if x.State == AccountLocked {
			refusal = errLocked()
			return nil
		}
		if !verifyPassword(in.Password, x.PasswordHash) {
			x.FailedSignIns++
			refusal = errInvalidCredentials()
			if x.FailedSignIns >= MaxFailedSignIns && g.machines.account.can(ctx, x, trLock) {
				if x, err = g.machines.account.fire(ctx, x, trLock); err != nil {
					return err
				}
				refusal = errLocked()
				if err := u.notifyUser(EventAccountLocked, x, OrgID{}, map[string]string{"user": x.ID.String()}); err != nil {
					return err
				}
			}
			// The failure is committed even though sign-in is refused: the count must survive.
			_, err = u.saveUser(x)
			return err
		}
		switch x.State {
		case AccountUnverified:
			refusal = &Error{Kind: ErrForbidden, Code: "auth.unverified", Rule: "REG-3", Message: "verify your e-mail address before signing in"}
			return nil
		case AccountAwaitingValidation:
			refusal = &Error{Kind: ErrForbidden, Code: "auth.awaiting_validation", Rule: "REG-1", Message: "the central admin team has not yet validated this account"}
			return nil
		}
		x.FailedSignIns, x.LastSignInAt = 0, u.now
		if x, err = u.saveUser(x); err != nil {
			return err
		}
		out = x.account()
		return nil
	})
	if err != nil {
		return Account{}, err
	}
	if refusal != nil {
		return Account{}, refusal
	}
	return out, nil
}

// dummyHash is a valid argon2id hash of no real password with the default cost.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$1zqmTtkySv8tk8j3e08PiRhJd2F8HMbz0jZpq6kqpKA"

func errInvalidCredentials() error {
	return &Error{Kind: ErrForbidden, Code: "auth.invalid_credentials", Rule: "REG-4", Message: "e-mail address or password is wrong"}
}

func errLocked() error {
	return &Error{Kind: ErrForbidden, Code: "auth.locked", Rule: "REG-4", Message: "the account is locked after repeated failed sign-ins; ask an administrator to unlock it"}
}

// Unlock unlocks a locked account (REG-4). Only Central Admin or a Super Administrator of the
// licensing group of an organisation where the user holds a role may unlock.
//
// Errors: ErrForbidden; ErrNotFound; ErrInvalidTransition when the account is not locked.
func (g *Gateway) Unlock(ctx context.Context, actor Actor, id UserID) (Account, error) {
	var out Account
	err := g.update(ctx, func(u *uow) error {
		x, err := u.loadUser(id)
		if err != nil {
			return err
		}
		allowed := false
		for _, m := range x.Memberships {
			_, err := u.authorizeAt(actor, m.Org, UnlockAccount, "REG-4")
			if err == nil {
				allowed = true
				break
			}
			if !errors.Is(err, ErrForbidden) {
				return err
			}
		}
		if !allowed {
			if err := u.requireCentralAdmin(actor, "REG-4"); err != nil {
				return err
			}
		}
		if x, err = g.machines.account.fire(ctx, x, trUnlock); err != nil {
			return err
		}
		x.FailedSignIns = 0
		if x, err = u.saveUser(x); err != nil {
			return err
		}
		out = x.account()
		return nil
	})
	return out, err
}

// SetPreferences replaces the acting user's notification preferences (NOTE-2). They apply across
// all the user's roles at all organisations.
func (g *Gateway) SetPreferences(ctx context.Context, actor Actor, p Preferences) (Account, error) {
	var out Account
	err := g.update(ctx, func(u *uow) error {
		x, err := u.loadUser(actor.User)
		if err != nil {
			return err
		}
		x.Preferences = Preferences{AllOff: p.AllOff, Off: slices.Clone(p.Off)}
		if x, err = u.saveUser(x); err != nil {
			return err
		}
		out = x.account()
		return nil
	})
	return out, err
}

// GetAccount returns an account. Users read their own; Central Admin reads any; otherwise the
// actor needs ManageUsers at an organisation where the user holds a role.
func (g *Gateway) GetAccount(ctx context.Context, actor Actor, id UserID) (Account, error) {
	var out Account
	err := g.view(ctx, func(u *uow) error {
		x, err := u.loadUser(id)
		if err != nil {
			return err
		}
		if actor.User != id {
			if _, err := u.authorizeAt(actor, actor.Org, ManageUsers, "ROLE-7"); err != nil {
				return err
			}
			ca, err := u.isCentralAdmin(actor.User)
			if err != nil {
				return err
			}
			if x.rolesAt(actor.Org) == 0 && !ca {
				return &Error{Kind: ErrForbidden, Code: "forbidden", Rule: "ROLE-7", Message: "the user holds no role at the acting organisation"}
			}
		}
		out = x.account()
		return nil
	})
	return out, err
}

// BootstrapInput creates the platform's first Central Admin account.
type BootstrapInput struct {
	Email    string `json:"email" validate:"required,email,max=254" rule:"REG-7"`
	Name     string `json:"name" validate:"required,max=200" rule:"REG-7"`
	Password string `json:"password" validate:"required" rule:"REG-2"`
}

// Bootstrap creates an active Central Admin account. It is allowed only while the platform has no
// Central Admin: it is how a new deployment gets its support team.
//
// Errors: ErrInvalid; ErrConflict (code "bootstrap.done") once a Central Admin exists.
func (g *Gateway) Bootstrap(ctx context.Context, in BootstrapInput) (Account, error) {
	if err := validateInput(in, "REG-7"); err != nil {
		return Account{}, err
	}
	if err := CheckPassword(in.Password); err != nil {
		return Account{}, err
	}
	hash, err := hashPassword(in.Password, g.pwParams, g.random)
	if err != nil {
		return Account{}, err
	}
	var out Account
	err = g.update(ctx, func(u *uow) error {
		n, err := u.tx.Count(u.ctx, kindUser, key("central_admin", "1"))
		if err != nil {
			return err
		}
		if n > 0 {
			return &Error{Kind: ErrConflict, Code: "bootstrap.done", Message: "the platform already has a Central Admin"}
		}
		x := user{ID: UserID{UUID: u.newID()}, Email: normEmail(in.Email), Name: in.Name, State: AccountActive,
			PasswordHash: hash, CentralAdmin: true, CreatedAt: u.now}
		if x, err = u.saveUser(x); err != nil {
			return err
		}
		out = x.account()
		return nil
	})
	return out, err
}

func validateInput(in any, rule string) error { return validate.Struct(in, rule) }

// accountHandlers lists the handlers of accounts and the MoU.
func accountHandlers() map[string]handler {
	return map[string]handler{
		"platform.bootstrap": handle("Create the first Central Admin.", func(g *Gateway, ctx context.Context, _ Actor, in BootstrapInput) (Account, error) {
			return g.Bootstrap(ctx, in)
		}),
		"account.register": handle("Register an account (REG-1…3, REG-5).", func(g *Gateway, ctx context.Context, _ Actor, in RegisterInput) (Registration, error) {
			return g.Register(ctx, in)
		}),
		"account.verify_email": handle("Consume an e-mail verification token (REG-3).", func(g *Gateway, ctx context.Context, _ Actor, in tokenInput) (Account, error) {
			return g.VerifyEmail(ctx, in.Token)
		}),
		"account.resend_verification": handle("Issue a new verification token.", func(g *Gateway, ctx context.Context, _ Actor, in emailInput) (Registration, error) {
			return g.ResendVerification(ctx, in.Email)
		}),
		"account.validate": handle("Central Admin validates an account (REG-1).", func(g *Gateway, ctx context.Context, a Actor, in userInput) (Account, error) {
			return g.ValidateAccount(ctx, a, in.User)
		}),
		"account.sign_in": handle("Sign in (REG-3, REG-4).", func(g *Gateway, ctx context.Context, _ Actor, in SignInInput) (Account, error) {
			return g.SignIn(ctx, in)
		}),
		"account.unlock": handle("Unlock a locked account (REG-4).", func(g *Gateway, ctx context.Context, a Actor, in userInput) (Account, error) {
			return g.Unlock(ctx, a, in.User)
		}),
		"account.get": handle("Read an account.", func(g *Gateway, ctx context.Context, a Actor, in userInput) (Account, error) {
			return g.GetAccount(ctx, a, in.User)
		}),
		"account.set_preferences": handle("Set notification preferences (NOTE-2).", func(g *Gateway, ctx context.Context, a Actor, in Preferences) (Account, error) {
			return g.SetPreferences(ctx, a, in)
		}),
		"account.notifications": handle("List the acting user's notifications.", func(g *Gateway, ctx context.Context, a Actor, _ noInput) ([]Notification, error) {
			return g.Notifications(ctx, a)
		}),
		"mou.publish": handle("Publish a new MoU version (MOU-1).", func(g *Gateway, ctx context.Context, a Actor, in PublishMoUInput) (MoU, error) {
			return g.PublishMoU(ctx, a, in)
		}),
		"mou.current": handle("Read the current MoU.", func(g *Gateway, ctx context.Context, _ Actor, _ noInput) (MoU, error) {
			return g.CurrentMoU(ctx)
		}),
		"mou.sign": handle("Sign the MoU (MOU-1, ROLE-3).", func(g *Gateway, ctx context.Context, a Actor, in SignMoUInput) (MoUSignature, error) {
			return g.SignMoU(ctx, a, in)
		}),
		"mou.download": handle("Download an organisation's signed MoU (MOU-1).", func(g *Gateway, ctx context.Context, a Actor, in orgInput) (SignedMoU, error) {
			return g.DownloadSignedMoU(ctx, a, in.Org)
		}),
	}
}

// accountCommands declares the commands of accounts and the MoU.
func accountCommands() []declared {
	return nil
}

package isg

import (
	"context"
	"time"

	"github.com/isgkit/gateway/isg/directory"
)

// credentials are the secrets a command prepares outside its unit of work (before): the password's
// argon2id hash and a verification token, so that a retried unit hashes nothing again.
type credentials struct {
	hash   string
	secret string
	digest string
}

// prepare checks the password against the policy (REG-2) and hashes it; withToken also draws a
// verification token.
func (g *Gateway) prepare(password string, withToken bool) (credentials, error) {
	var c credentials
	if err := CheckPassword(password); err != nil {
		return c, err
	}
	var err error
	if c.hash, err = hashPassword(password, g.pwParams, g.random); err != nil {
		return c, err
	}
	if withToken {
		c.secret, c.digest, err = newToken(g.random)
	}
	return c, err
}

// BootstrapInput creates the platform's first Central Admin account.
type BootstrapInput struct {
	Email    string `json:"email" validate:"required,no_invisible,email,max=254" rule:"REG-7"`
	Name     string `json:"name" validate:"required,max=200" rule:"REG-7"`
	Password string `json:"password" validate:"required" rule:"REG-2"`
	cred     credentials
}

// Bootstrap creates an active Central Admin account. It is allowed only while the platform has no
// Central Admin: it is how a new deployment gets its support team. It needs no actor.
//
// Errors: ErrInvalid (field errors naming REG-7, REG-2); ErrConflict ("bootstrap.done") once a
// Central Admin exists.
func (g *Gateway) Bootstrap(ctx context.Context, in BootstrapInput) (Account, error) {
	return run(ctx, g, platformBootstrap, Actor{}, in)
}

var platformBootstrap = &command[BootstrapInput, Account]{
	name: "platform.bootstrap", doc: "Create the first Central Admin.", rule: "REG-7", reach: anyone,
	before: func(g *Gateway, in *BootstrapInput) (err error) {
		in.cred, err = g.prepare(in.Password, false)
		return err
	},
	apply: func(c *call[BootstrapInput]) (Account, error) {
		n, err := c.tx.Count(c.ctx, kindUser, key("central_admin", "1"))
		if err != nil {
			return Account{}, err
		}
		x, err := directory.Bootstrap(directory.NewAccount{ID: UserID{UUID: c.newID()}, Email: c.in.Email, Name: c.in.Name, PasswordHash: c.in.cred.hash}, n, c.now)
		if err != nil {
			return Account{}, err
		}
		saved, err := c.saveUser(user{}, x)
		return saved.account(), err
	},
}

// RegisterInput is the registration form (REG-7: every field validated).
type RegisterInput struct {
	Email    string `json:"email" validate:"required,no_invisible,email,max=254" rule:"REG-7"`
	Name     string `json:"name" validate:"required,max=200" rule:"REG-7"`
	Password string `json:"password" validate:"required" rule:"REG-2"`
	cred     credentials
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
// stored only as an argon2id hash. Invitations pending for the address (not expired) attach their
// roles at once. An unverified account whose verification token has expired no longer holds its
// address (REG-9): registering the address again replaces it — same account ID and invited roles,
// new name, password and token; the old password and token stop working. It needs no actor.
//
// Errors: ErrInvalid (field errors naming REG-7, REG-2); ErrConflict ("user.email_taken", REG-7)
// when an account holds the address.
func (g *Gateway) Register(ctx context.Context, in RegisterInput) (Registration, error) {
	return run(ctx, g, accountRegister, Actor{}, in)
}

var accountRegister = &command[RegisterInput, Registration]{
	name: "account.register", doc: "Register an account (REG-1…3, REG-5).", rule: "REG-7", reach: anyone,
	before: func(g *Gateway, in *RegisterInput) (err error) {
		in.cred, err = g.prepare(in.Password, true)
		return err
	},
	apply: func(c *call[RegisterInput]) (Registration, error) {
		email := directory.NormEmail(c.in.Email)
		old, err := c.userByEmail(email)
		if err != nil && !isNotFound(err) {
			return Registration{}, err
		}
		held := err == nil
		a := directory.NewAccount{ID: UserID{UUID: c.newID()}, Email: email, Name: c.in.Name,
			PasswordHash: c.in.cred.hash, TokenDigest: c.in.cred.digest, TokenExpires: c.now.Add(c.g.tokenTTL)}
		// Invitations for the address attach when it is verified, never before (REG-5).
		var x directory.User
		if held {
			// REG-9: an unverified registration past its token's lifetime no longer holds the
			// address; this one replaces it.
			x, _, err = directory.Reregister(old.User, a, nil, c.now)
		} else {
			old = user{}
			x, _, err = directory.Register(a, false, nil, c.now)
		}
		if err != nil {
			return Registration{}, err
		}
		saved, err := c.saveUser(old, x)
		return Registration{Account: saved.account(), VerificationToken: c.in.cred.secret, TokenExpires: x.TokenExpires, PendingValidation: x.NeedsValidation}, err
	},
}

// TokenInput carries a verification token.
type TokenInput struct {
	Token string `json:"token"`
}

// VerifyEmail consumes a verification token (REG-3): single use, and refused once expired. An
// account from an instant-registration domain becomes active; any other awaits validation, and
// the central admin team is told (REG-1). The open invitations for the address attach now, not at
// registration: roles never attach to an unverified account (REG-5). It needs no actor.
//
// Errors: ErrNotFound ("account.token_invalid", REG-3) for an unknown or used token; ErrRule
// ("account.token_expired", REG-3) for an expired one; ErrInvalidTransition
// ("account.invalid_transition") for an account past verification.
func (g *Gateway) VerifyEmail(ctx context.Context, in TokenInput) (Account, error) {
	return run(ctx, g, accountVerifyEmail, Actor{}, in)
}

var accountVerifyEmail = &command[TokenInput, Account]{
	name: "account.verify_email", doc: "Consume an e-mail verification token (REG-3).", rule: "REG-3", reach: anyone,
	apply: func(c *call[TokenInput]) (Account, error) {
		x, err := c.userByKey(key("token", tokenDigest(c.in.Token)))
		if isNotFound(err) {
			return Account{}, &Error{Kind: ErrNotFound, Code: "account.token_invalid", Rule: "REG-3", Message: "unknown or already used verification token"}
		} else if err != nil {
			return Account{}, err
		}
		next, events, err := c.g.machines.account.Verify(x.User, c.now)
		if err != nil {
			return Account{}, err
		}
		// The address is now the account's: the invitations waiting for it attach (REG-5), and a
		// DPO arriving so clears the organisation's exemption (ORG-4).
		pending, versions, err := c.pendingInvitations(key("pending_email", next.Email))
		if err != nil {
			return Account{}, err
		}
		next, accepted := directory.AcceptInvitations(next, pending, c.now)
		read := make(map[InvitationID]int64, len(pending))
		for i, inv := range pending {
			read[inv.ID] = versions[i]
		}
		for _, inv := range accepted {
			if err := c.saveInvitation(inv, read[inv.ID]); err != nil {
				return Account{}, err
			}
			if err := c.dpoArrives(inv.Org, inv.Roles); err != nil {
				return Account{}, err
			}
		}
		saved, err := c.saveUser(x, next)
		if err != nil {
			return Account{}, err
		}
		return saved.account(), c.deliver(events...)
	},
}

// EmailInput names an account by its e-mail address.
type EmailInput struct {
	Email string `json:"email" validate:"no_invisible,max=254" rule:"REG-7"`
	cred  credentials
}

// ResendVerification issues a new verification token for an unverified account, voiding the old
// one (REG-3). It needs no actor.
//
// Errors: ErrNotFound ("user.not_found") for an unknown address; ErrInvalidTransition
// ("account.already_verified", REG-3) when the address is verified.
func (g *Gateway) ResendVerification(ctx context.Context, in EmailInput) (Registration, error) {
	return run(ctx, g, accountResendVerification, Actor{}, in)
}

var accountResendVerification = &command[EmailInput, Registration]{
	name: "account.resend_verification", doc: "Issue a new verification token.", rule: "REG-3", reach: anyone,
	before: func(g *Gateway, in *EmailInput) (err error) {
		in.cred.secret, in.cred.digest, err = newToken(g.random)
		return err
	},
	apply: func(c *call[EmailInput]) (Registration, error) {
		x, err := c.userByEmail(c.in.Email)
		if err != nil {
			return Registration{}, err
		}
		next, err := c.g.machines.account.ReissueToken(x.User, c.in.cred.digest, c.now.Add(c.g.tokenTTL))
		if err != nil {
			return Registration{}, err
		}
		saved, err := c.saveUser(x, next)
		return Registration{Account: saved.account(), VerificationToken: c.in.cred.secret, TokenExpires: next.TokenExpires, PendingValidation: next.NeedsValidation}, err
	},
}

// UserRef names one user account.
type UserRef struct {
	User UserID `json:"user" validate:"required"`
}

// ValidateAccount is the central admin team's validation of an account registered from a domain
// outside the instant list (REG-1): the ValidateAccounts row, at the platform.
//
// Errors: ErrInvalid (no user named); ErrForbidden ("forbidden", REG-1) unless the actor is
// Central Admin; ErrNotFound ("user.not_found"); ErrInvalidTransition
// ("account.invalid_transition") when the account is not awaiting validation.
func (g *Gateway) ValidateAccount(ctx context.Context, actor Actor, in UserRef) (Account, error) {
	return run(ctx, g, accountValidate, actor, in)
}

var accountValidate = &command[UserRef, Account]{
	name: "account.validate", doc: "Central Admin validates an account (REG-1).", row: ValidateAccounts, rule: "REG-1", reach: platform,
	apply: func(c *call[UserRef]) (Account, error) {
		x, err := c.loadUser(c.in.User)
		if err != nil {
			return Account{}, err
		}
		next, err := c.g.machines.account.Validate(x.User)
		if err != nil {
			return Account{}, err
		}
		saved, err := c.saveUser(x, next)
		return saved.account(), err
	},
}

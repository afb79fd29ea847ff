package directory

import (
	"context"
	"slices"
	"time"
)

// AccountState is where an account is in its lifecycle. Its text is stable: it is stored.
type AccountState string

// Account states.
const (
	// AccountUnverified accounts have not yet proved their e-mail address (REG-3).
	AccountUnverified AccountState = "unverified"
	// AccountAwaitingValidation accounts verified an address outside the instant-registration
	// domains and wait for the central admin team (REG-1).
	AccountAwaitingValidation AccountState = "awaiting_validation"
	// AccountActive accounts may sign in and act.
	AccountActive AccountState = "active"
	// AccountLocked accounts failed sign-in MaxFailedSignIns times in a row (REG-4).
	AccountLocked AccountState = "locked"
)

// MaxFailedSignIns is how many consecutive failed sign-ins lock an account (REG-4).
const MaxFailedSignIns = 5

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

// User is the stored account record, secrets included: the password's hash and the verification
// token's digest (never the password or the token). Hosts see Account, which has no secrets.
type User struct {
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

// View is the account as a host sees it, at the stored version.
func (x User) View(version int64) Account {
	return Account{ID: x.ID, Email: x.Email, Name: x.Name, State: x.State, FailedSignIns: x.FailedSignIns,
		CentralAdmin: x.CentralAdmin, Memberships: append([]Membership{}, x.Memberships...), Preferences: x.Preferences,
		CreatedAt: x.CreatedAt, Version: version}
}

// RolesAt returns the roles the user holds at org.
func (x User) RolesAt(org OrgID) RoleSet {
	for _, m := range x.Memberships {
		if m.Org == org {
			return m.Roles
		}
	}
	return 0
}

// WithRoles returns a copy of the user holding exactly roles at org (none removes the membership).
// Only organisation roles are kept.
func (x User) WithRoles(org OrgID, roles RoleSet) User {
	ms := make([]Membership, 0, len(x.Memberships)+1)
	for _, m := range x.Memberships {
		if m.Org != org {
			ms = append(ms, m)
		}
	}
	if roles &= OrgRoles; roles != 0 {
		ms = append(ms, Membership{Org: org, Roles: roles})
	}
	x.Memberships = ms
	return x
}

// NewAccount is what creating an account needs: the address and name as given, and the secrets
// the Gateway prepared (the password's hash; for a registration, the verification token's digest
// and expiry). The Gateway hashes and draws randomness; this package never sees a password.
type NewAccount struct {
	ID           UserID
	Email        string
	Name         string
	PasswordHash string
	TokenDigest  string
	TokenExpires time.Time
}

// Register creates an unverified account (REG-1, REG-3) for an address nobody holds (taken says
// one does: REG-7) and attaches the roles of the invitations pending for the address (REG-5). It
// returns the account and the invitations it accepted.
func Register(a NewAccount, taken bool, pending []Invitation, now time.Time) (User, []Invitation, error) {
	if taken {
		return User{}, nil, &Error{Kind: ErrConflict, Code: CodeEmailTaken, Rule: "REG-7", Message: "an account with this e-mail address exists",
			Fields: []FieldError{{Field: "email", Code: "taken", Rule: "REG-7", Message: "is already registered"}}}
	}
	email := NormEmail(a.Email)
	x := User{ID: a.ID, Email: email, Name: a.Name, State: AccountUnverified, NeedsValidation: !InstantRegistration(email),
		PasswordHash: a.PasswordHash, TokenDigest: a.TokenDigest, TokenExpires: a.TokenExpires, CreatedAt: now}
	x, accepted := AcceptInvitations(x, pending)
	return x, accepted, nil
}

// Bootstrap creates the platform's first Central Admin, active at once. It is refused once the
// platform has one (centralAdmins > 0): it is how a new deployment gets its support team, never
// a way in afterwards.
func Bootstrap(a NewAccount, centralAdmins int, now time.Time) (User, error) {
	if centralAdmins > 0 {
		return User{}, refuse(ErrConflict, CodeBootstrapDone, "", "the platform already has a Central Admin")
	}
	return User{ID: a.ID, Email: NormEmail(a.Email), Name: a.Name, State: AccountActive, PasswordHash: a.PasswordHash,
		CentralAdmin: true, CreatedAt: now}, nil
}

// SetPreferences returns the user with the given notification preferences (NOTE-2).
func SetPreferences(x User, p Preferences) User {
	x.Preferences = Preferences{AllOff: p.AllOff, Off: slices.Clone(p.Off)}
	return x
}

// Account triggers. Their text appears in the diagram.
const (
	trVerify   = "verify"
	trValidate = "validate"
	trLock     = "lock"
	trUnlock   = "unlock"
)

// AccountMachine is the account lifecycle (REG-1, REG-3, REG-4): unverified → active, or →
// awaiting validation → active; active ⇄ locked. One machine, configured once by
// NewAccountMachine, serves every account: the state lives in the User, and each step fires on a
// copy, so a refused step leaves the caller's value untouched and the machine is safe for
// concurrent use.
type AccountMachine struct {
	l *lifecycle[User, AccountState]
}

// NewAccountMachine configures the account lifecycle.
func NewAccountMachine() *AccountMachine {
	l := newLifecycle("account", AccountUnverified, func(x *User) AccountState { return x.State }, func(x *User, s AccountState) { x.State = s })
	l.sm.Configure(AccountUnverified).
		Permit(trVerify, AccountActive, instantDomain).
		Permit(trVerify, AccountAwaitingValidation, needsValidation)
	l.sm.Configure(AccountAwaitingValidation).Permit(trValidate, AccountActive)
	l.sm.Configure(AccountActive).Permit(trLock, AccountLocked)
	l.sm.Configure(AccountLocked).Permit(trUnlock, AccountActive)
	return &AccountMachine{l: l}
}

// The guards are named functions: their names appear in the diagram.
func instantDomain(ctx context.Context, _ ...any) bool { return !subject[User](ctx).NeedsValidation }

func needsValidation(ctx context.Context, _ ...any) bool { return subject[User](ctx).NeedsValidation }

// Graph returns the lifecycle as DOT text.
func (m *AccountMachine) Graph() string { return m.l.graph() }

// Verify consumes the account's verification token (REG-3): refused once expired; the token is
// single use, so its digest is cleared. An address from an instant-registration domain becomes
// active; any other awaits validation, and the central admin team is told (REG-1).
func (m *AccountMachine) Verify(x User, now time.Time) (User, []Event, error) {
	if !now.Before(x.TokenExpires) {
		return x, nil, refuse(ErrRule, CodeTokenExpired, "REG-3", "verification token has expired; ask for a new one")
	}
	next, err := m.l.fire(x, trVerify)
	if err != nil {
		return x, nil, err
	}
	next.TokenDigest, next.TokenExpires = "", time.Time{}
	if m.l.can(next, trValidate) {
		return next, []Event{{Type: EventAccountAwaitingValidation, Data: map[string]string{"user": next.ID.String(), "email": next.Email},
			To: Audience{CentralAdmins: true}}}, nil
	}
	return next, nil, nil
}

// ReissueToken replaces an unverified account's token, voiding the old one (REG-3).
func (m *AccountMachine) ReissueToken(x User, digest string, expires time.Time) (User, error) {
	if !m.l.can(x, trVerify) {
		return x, refuse(ErrInvalidTransition, CodeAlreadyVerified, "REG-3", "the account's address is already verified")
	}
	x.TokenDigest, x.TokenExpires = digest, expires
	return x, nil
}

// Validate is the central admin team's validation of an account awaiting it (REG-1).
func (m *AccountMachine) Validate(x User) (User, error) { return m.l.fire(x, trValidate) }

// Unlock unlocks a locked account and clears its failure count (REG-4).
func (m *AccountMachine) Unlock(x User) (User, error) {
	next, err := m.l.fire(x, trUnlock)
	if err == nil {
		next.FailedSignIns = 0
	}
	return next, err
}

// SignInOutcome is what one sign-in attempt did.
type SignInOutcome struct {
	// User is the account after the attempt.
	User User
	// Save says User changed and must be stored, whether or not sign-in was refused: a
	// failure's count must survive the refusal (REG-4).
	Save   bool
	Events []Event
	// Refusal is nil when the user signed in.
	Refusal error
}

// SignIn applies one sign-in attempt (REG-1, REG-3, REG-4); passwordOK is the Gateway's check of
// the password against the stored hash. A locked account is refused whatever the password. A
// wrong password counts a failure, and the MaxFailedSignIns-th in a row locks an active account
// and tells its holder; it gets the same answer as an unknown address. A right password is still
// refused while the address is unverified or awaits validation; otherwise it resets the count.
func (m *AccountMachine) SignIn(x User, passwordOK bool, now time.Time) SignInOutcome {
	if m.l.can(x, trUnlock) {
		return SignInOutcome{User: x, Refusal: ErrLockedAccount()}
	}
	if !passwordOK {
		next := x
		next.FailedSignIns++
		out := SignInOutcome{User: next, Save: true, Refusal: ErrInvalidCredentials()}
		if next.FailedSignIns >= MaxFailedSignIns && m.l.can(next, trLock) {
			locked, err := m.l.fire(next, trLock)
			if err != nil {
				return SignInOutcome{User: x, Refusal: err}
			}
			out.User, out.Refusal = locked, ErrLockedAccount()
			out.Events = []Event{{Type: EventAccountLocked, Data: map[string]string{"user": x.ID.String()}, To: Audience{Users: []UserID{x.ID}}}}
		}
		return out
	}
	switch {
	case m.l.can(x, trVerify):
		return SignInOutcome{User: x, Refusal: refuse(ErrForbidden, CodeUnverified, "REG-3", "verify your e-mail address before signing in")}
	case m.l.can(x, trValidate):
		return SignInOutcome{User: x, Refusal: refuse(ErrForbidden, CodeAwaitingValidation, "REG-1", "the central admin team has not yet validated this account")}
	}
	x.FailedSignIns, x.LastSignInAt = 0, now
	return SignInOutcome{User: x, Save: true}
}

// ErrInvalidCredentials is the answer for an unknown address and for a wrong password alike, so
// that sign-in is no oracle of registered addresses (REG-4).
func ErrInvalidCredentials() error {
	return refuse(ErrForbidden, CodeInvalidCredentials, "REG-4", "e-mail address or password is wrong")
}

// ErrLockedAccount is the answer for a locked account (REG-4).
func ErrLockedAccount() error {
	return refuse(ErrForbidden, CodeLocked, "REG-4", "the account is locked after repeated failed sign-ins; ask an administrator to unlock it")
}

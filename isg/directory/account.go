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

// ResetTokenTTL is how long a password-reset token works (REG-8).
const ResetTokenTTL = time.Hour

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
func (p Preferences) Wants(t string) bool {
	return SecurityNotice(t) || !p.AllOff && !slices.Contains(p.Off, t)
}

// SecurityNotice reports whether t is a message the user asked for and cannot do without — the
// password reset token (REG-8) — which reaches them whatever their preferences. Every other
// type may be switched off (NOTE-2).
func SecurityNotice(t string) bool { return t == EventPasswordResetRequested }

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
	// LockedFrom is the state a locked account was in when it locked (REG-4: failures lock in
	// every state), to which unlocking returns it; empty means active (records written before).
	LockedFrom AccountState `json:"locked_from,omitempty"`
	// ResetDigest is the digest of the one password-reset token that works, until ResetExpires
	// (REG-8); a newer request replaces it, a reset clears it.
	ResetDigest  string       `json:"reset_digest,omitempty"`
	ResetExpires time.Time    `json:"reset_expires,omitzero"`
	CentralAdmin bool         `json:"central_admin,omitempty"`
	Memberships  []Membership `json:"memberships,omitempty"`
	Preferences  Preferences  `json:"preferences"`
	CreatedAt    time.Time    `json:"created_at"`
	LastSignInAt time.Time    `json:"last_sign_in_at,omitzero"`
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
	x, accepted := AcceptInvitations(x, pending, now)
	return x, accepted, nil
}

// HoldsAddress reports whether the account x still holds its address at now (REG-9): a verified
// account always does; an unverified one (locked while unverified included) only until its
// verification token expires, so that nobody squats an address they do not control.
func HoldsAddress(x User, now time.Time) bool {
	unverified := x.State == AccountUnverified || x.State == AccountLocked && x.LockedFrom == AccountUnverified
	return !unverified || now.Before(x.TokenExpires)
}

// Reregister registers the address of old, an unverified account that no longer holds it
// (REG-9), replacing it: the record keeps its ID and the roles the address's invitations gave it
// (they were offered to the address, not to whoever registered it first), and takes the new
// name, password and verification token; the old password and token stop working. Invitations
// still pending for the address attach too (REG-5). It is refused (REG-7, taken) while old holds
// the address.
func Reregister(old User, a NewAccount, pending []Invitation, now time.Time) (User, []Invitation, error) {
	if HoldsAddress(old, now) {
		return Register(a, true, nil, now)
	}
	a.ID = old.ID
	x, accepted, err := Register(a, false, pending, now)
	if err != nil {
		return User{}, nil, err
	}
	for _, m := range old.Memberships {
		x = x.WithRoles(m.Org, x.RolesAt(m.Org)|m.Roles)
	}
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
		Permit(trVerify, AccountAwaitingValidation, needsValidation).
		Permit(trLock, AccountLocked)
	l.sm.Configure(AccountAwaitingValidation).Permit(trValidate, AccountActive).Permit(trLock, AccountLocked)
	l.sm.Configure(AccountActive).Permit(trLock, AccountLocked)
	l.sm.Configure(AccountLocked).
		Permit(trUnlock, AccountActive, lockedWhileActive).
		Permit(trUnlock, AccountUnverified, lockedWhileUnverified).
		Permit(trUnlock, AccountAwaitingValidation, lockedWhileAwaitingValidation)
	return &AccountMachine{l: l}
}

// Unlocking returns an account to the state it locked in (REG-4): never past verification or
// validation.
func lockedWhileActive(ctx context.Context, _ ...any) bool {
	s := subject[User](ctx).LockedFrom
	return s == "" || s == AccountActive
}

func lockedWhileUnverified(ctx context.Context, _ ...any) bool {
	return subject[User](ctx).LockedFrom == AccountUnverified
}

func lockedWhileAwaitingValidation(ctx context.Context, _ ...any) bool {
	return subject[User](ctx).LockedFrom == AccountAwaitingValidation
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
	// Failures counted before the address was verified do not follow the account into its new
	// state (REG-4): its holder's first typo there is its first failure.
	next.TokenDigest, next.TokenExpires, next.FailedSignIns = "", time.Time{}, 0
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

// Validate is the central admin team's validation of an account awaiting it (REG-1). Failures
// counted while it waited do not follow it into the active state (REG-4).
func (m *AccountMachine) Validate(x User) (User, error) {
	next, err := m.l.fire(x, trValidate)
	if err == nil {
		next.FailedSignIns = 0
	}
	return next, err
}

// Unlock unlocks a locked account and clears its failure count (REG-4). The account returns to
// the state it locked in.
func (m *AccountMachine) Unlock(x User) (User, error) {
	next, err := m.l.fire(x, trUnlock)
	if err == nil {
		next.FailedSignIns, next.LockedFrom = 0, ""
	}
	return next, err
}

// AddCentralAdmin makes the active account x a Central Admin, by another Central Admin (REG-4:
// several, so that one locked is unlocked by another). x and the team are told.
func AddCentralAdmin(x User, by UserID) (User, []Event, error) {
	switch {
	case x.CentralAdmin:
		return x, nil, refuse(ErrConflict, CodeAlreadyCentralAdmin, "REG-4", "the account is a Central Admin already")
	case x.State != AccountActive:
		return x, nil, refuse(ErrRule, CodeNotActive, "REG-4", "only an active account, its address verified, can become a Central Admin")
	}
	x.CentralAdmin = true
	return x, []Event{{Type: EventCentralAdminAdded, Data: map[string]string{"user": x.ID.String(), "by": by.String()},
		To: Audience{Users: []UserID{x.ID}, CentralAdmins: true}}}, nil
}

// BreakGlassUnlock is the host operator's recovery of a platform with no Central Admin left to
// unlock another (REG-4): x must be a locked Central Admin and activeCentralAdmins zero; x is
// unlocked, and x and the team are told. It is refused ("break_glass.not_needed") otherwise:
// then a Central Admin can unlock, or nothing is locked.
func (m *AccountMachine) BreakGlassUnlock(x User, activeCentralAdmins int, operator, reason string) (User, []Event, error) {
	if !x.CentralAdmin || x.State != AccountLocked || activeCentralAdmins > 0 {
		return x, nil, refuse(ErrRule, CodeBreakGlassNotNeeded, "REG-4", "break-glass unlock is only for a locked Central Admin when no Central Admin is active")
	}
	next, err := m.Unlock(x)
	if err != nil {
		return x, nil, err
	}
	return next, []Event{{Type: EventBreakGlassUnlock, Data: map[string]string{"user": x.ID.String(), "operator": operator, "reason": reason},
		To: Audience{Users: []UserID{x.ID}, CentralAdmins: true}}}, nil
}

// RequestReset records the digest of a new password-reset token valid until expires (REG-8);
// any earlier token stops working. It applies in every state: the token goes to the address,
// so using it proves control of the address.
func RequestReset(x User, digest string, expires time.Time) User {
	x.ResetDigest, x.ResetExpires = digest, expires
	return x
}

// ResetPassword consumes x's reset token (REG-8): refused once expired; single use. The new
// password's hash (checked against REG-2 and hashed by the Gateway) replaces the old one, and
// the failure count is cleared; a locked account stays locked (REG-4: only an unlock unlocks).
// The holder is told.
func ResetPassword(x User, passwordHash string, now time.Time) (User, []Event, error) {
	if x.ResetDigest == "" {
		return x, nil, refuse(ErrNotFound, CodeResetTokenInvalid, "REG-8", "unknown or already used reset token")
	}
	if !now.Before(x.ResetExpires) {
		return x, nil, refuse(ErrRule, CodeResetTokenExpired, "REG-8", "the reset token has expired; ask for a new one")
	}
	x.PasswordHash, x.ResetDigest, x.ResetExpires, x.FailedSignIns = passwordHash, "", time.Time{}, 0
	return x, []Event{{Type: EventPasswordReset, Data: map[string]string{"user": x.ID.String()}, To: Audience{Users: []UserID{x.ID}}}}, nil
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
// the password against the stored hash. A locked account is refused whatever the password. In
// every other state — unverified and awaiting validation included — a wrong password counts a
// failure and gets the answer an unknown address gets, so that no state is a password oracle;
// the MaxFailedSignIns-th in a row locks the account (in the state it is in, to which an unlock
// returns it) and tells its holder. A right password clears the count in every state (it is a
// successful check of the credentials); it is still refused, with its state's code, while the
// address is unverified or awaits validation — which tells only someone who knows the password.
func (m *AccountMachine) SignIn(x User, passwordOK bool, now time.Time) SignInOutcome {
	if x.State == AccountLocked {
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
			locked.LockedFrom = x.State
			out.User, out.Refusal = locked, ErrLockedAccount()
			out.Events = []Event{{Type: EventAccountLocked, Data: map[string]string{"user": x.ID.String()}, To: Audience{Users: []UserID{x.ID}}}}
		}
		return out
	}
	var refusal error
	switch {
	case m.l.can(x, trVerify):
		refusal = refuse(ErrForbidden, CodeUnverified, "REG-3", "verify your e-mail address before signing in")
	case m.l.can(x, trValidate):
		refusal = refuse(ErrForbidden, CodeAwaitingValidation, "REG-1", "the central admin team has not yet validated this account")
	}
	if refusal != nil {
		changed := x.FailedSignIns != 0
		x.FailedSignIns = 0
		return SignInOutcome{User: x, Save: changed, Refusal: refusal}
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

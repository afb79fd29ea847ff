package isg_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/memory"
)

// fieldCode returns the code of the field error on field, or "".
func fieldCode(err error, field string) string {
	var e *isg.Error
	if !errors.As(err, &e) {
		return ""
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return f.Code
		}
	}
	return ""
}

// TestInvisibleCharactersInAddressesAreRefused: REG-7 — an address holding a character that
// displays as nothing (Unicode format characters: zero-width space, non-joiner, joiner, word
// joiner, BOM, soft hyphen, bidi controls) or a control character is refused with a field error
// wherever an address is input, so that no account or invitation looks like another's address.
func TestInvisibleCharactersInAddressesAreRefused(t *testing.T) {
	w := newWorld(t)
	ann := w.user("ann@leeds.gov.uk")
	leeds := w.org(ann, "Leeds")
	for _, r := range []string{"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u2066", "\x07"} {
		email := "bob@leeds" + r + ".nhs.uk"
		t.Run(fmt.Sprintf("U+%04X", []rune(r)[0]), func(t *testing.T) {
			_, err := w.g.Register(ctx, isg.RegisterInput{Email: email, Name: "Bob", Password: "Passw0rd!"})
			assert.Equal(t, "no_invisible", fieldCode(err, "email"), "register: %v", err)
			_, err = w.g.Invite(ctx, isg.Actor{User: ann, Org: leeds}, isg.InviteInput{Email: email, Roles: []isg.Role{isg.IGOfficer}})
			assert.Equal(t, "no_invisible", fieldCode(err, "email"), "invite: %v", err)
			_, err = w.g.SignIn(ctx, isg.SignInInput{Email: email, Password: "Passw0rd!"})
			assert.Equal(t, "no_invisible", fieldCode(err, "email"), "sign in: %v", err)
			_, err = w.g.ResendVerification(ctx, isg.EmailInput{Email: email})
			assert.Equal(t, "no_invisible", fieldCode(err, "email"), "resend: %v", err)
			_, err = w.g.RequestPasswordReset(ctx, isg.EmailInput{Email: email})
			assert.Equal(t, "no_invisible", fieldCode(err, "email"), "reset: %v", err)
			_, err = w.g.RegisterOrganisation(ctx, isg.Actor{User: ann}, isg.RegisterOrganisationInput{Name: "X" + r, Category: isg.CategoryLocalAuthority,
				Address: isg.Address{Line1: "1 High St", Town: "Leeds", Postcode: "LS1 1AA"}, ContactEmail: email})
			assert.Equal(t, "no_invisible", fieldCode(err, "contact_email"), "organisation: %v", err)
		})
	}
	t.Run("plain address", func(t *testing.T) {
		_, err := w.g.Register(ctx, isg.RegisterInput{Email: "bob@leeds.nhs.uk", Name: "Bob", Password: "Passw0rd!"})
		require.NoError(t, err)
	})
}

// drain delivers the outbox and returns the messages of type typ.
func drain(t *testing.T, w *world, typ string) []isg.Notification {
	t.Helper()
	r := &recorder{}
	_, err := w.g.DrainOutbox(ctx, r, 1000)
	require.NoError(t, err)
	var out []isg.Notification
	for _, n := range r.got {
		if n.Type == typ {
			out = append(out, n)
		}
	}
	return out
}

// lockOut fails sign-in MaxFailedSignIns times.
func lockOut(t *testing.T, g *isg.Gateway, email string) error {
	t.Helper()
	var err error
	for range isg.MaxFailedSignIns {
		_, err = g.SignIn(ctx, isg.SignInInput{Email: email, Password: "wrong-pw1!"})
	}
	return err
}

// TestWrongPasswordGetsOneAnswerInEveryState: REG-4 — failures count and lock in every state,
// unverified and awaiting validation included, and a wrong password is answered
// auth.invalid_credentials in each, as for an unknown address; the right password may still get
// its state's code. Unlocking returns an account to the state it locked in, never past
// verification. Failures counted before verification or validation do not follow the account.
func TestWrongPasswordGetsOneAnswerInEveryState(t *testing.T) {
	tests := []struct {
		name, email string
		verify      bool
		rightCode   string
	}{
		{"unverified", "una@leeds.gov.uk", false, "auth.unverified"},
		{"awaiting validation", "ava@example.com", true, "auth.awaiting_validation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			reg, err := w.g.Register(ctx, isg.RegisterInput{Email: tt.email, Name: "N", Password: "Passw0rd!"})
			require.NoError(t, err)
			if tt.verify {
				_, err = w.g.VerifyEmail(ctx, isg.TokenInput{Token: reg.VerificationToken})
				require.NoError(t, err)
			}
			_, unknown := w.g.SignIn(ctx, isg.SignInInput{Email: "nobody@nowhere.gov.uk", Password: "wrong-pw1!"})
			for i := range isg.MaxFailedSignIns - 1 {
				_, err := w.g.SignIn(ctx, isg.SignInInput{Email: tt.email, Password: "wrong-pw1!"})
				assert.Equal(t, isg.ErrorCode(unknown), isg.ErrorCode(err), "failure %d", i+1)
			}
			_, err = w.g.SignIn(ctx, isg.SignInInput{Email: tt.email, Password: "wrong-pw1!"})
			assert.Equal(t, "auth.locked", isg.ErrorCode(err), "the fifth failure locks in every state")
			_, err = w.g.SignIn(ctx, isg.SignInInput{Email: tt.email, Password: "Passw0rd!"})
			assert.Equal(t, "auth.locked", isg.ErrorCode(err))
			a, err := w.g.Unlock(ctx, isg.Actor{User: w.ca}, isg.UserRef{User: reg.Account.ID})
			require.NoError(t, err)
			assert.NotEqual(t, isg.AccountActive, a.State, "an unlock never skips verification or validation")
			_, err = w.g.SignIn(ctx, isg.SignInInput{Email: tt.email, Password: "Passw0rd!"})
			assert.Equal(t, tt.rightCode, isg.ErrorCode(err))
		})
	}
	t.Run("failures carried over do not lock at the first typo", func(t *testing.T) {
		w := newWorld(t)
		reg, err := w.g.Register(ctx, isg.RegisterInput{Email: "ann@leeds.gov.uk", Name: "Ann", Password: "Passw0rd!"})
		require.NoError(t, err)
		for range isg.MaxFailedSignIns - 1 {
			_, err = w.g.SignIn(ctx, isg.SignInInput{Email: "ann@leeds.gov.uk", Password: "wrong-pw1!"})
			require.Equal(t, "auth.invalid_credentials", isg.ErrorCode(err))
		}
		_, err = w.g.VerifyEmail(ctx, isg.TokenInput{Token: reg.VerificationToken})
		require.NoError(t, err)
		_, err = w.g.SignIn(ctx, isg.SignInInput{Email: "ann@leeds.gov.uk", Password: "wrong-pw1!"})
		assert.Equal(t, "auth.invalid_credentials", isg.ErrorCode(err))
	})
}

// TestCentralAdminsRecoverEachOther: REG-4 — a Central Admin adds another; a locked Central
// Admin is unlocked by another; Bootstrap stays refused.
func TestCentralAdminsRecoverEachOther(t *testing.T) {
	w := newWorld(t)
	second := w.user("second@isg.nhs.uk")
	_, err := w.g.AddCentralAdmin(ctx, isg.Actor{User: second}, isg.UserRef{User: second})
	assert.ErrorIs(t, err, isg.ErrForbidden, "only a Central Admin adds one")
	a, err := w.g.AddCentralAdmin(ctx, isg.Actor{User: w.ca}, isg.UserRef{User: second})
	require.NoError(t, err)
	assert.True(t, a.CentralAdmin)
	assert.Len(t, drain(t, w, isg.EventCentralAdminAdded), 2, "the new one and the team are told")

	require.Equal(t, "auth.locked", isg.ErrorCode(lockOut(t, w.g, "support@isg.nhs.uk")))
	_, err = w.g.Unlock(ctx, isg.Actor{User: second}, isg.UserRef{User: w.ca})
	require.NoError(t, err, "another Central Admin unlocks")
	_, err = w.g.SignIn(ctx, isg.SignInInput{Email: "support@isg.nhs.uk", Password: "Support#2026"})
	require.NoError(t, err)
	_, err = w.g.Bootstrap(ctx, isg.BootstrapInput{Email: "x@isg.nhs.uk", Name: "X", Password: "Support#2026"})
	assert.Equal(t, "bootstrap.done", isg.ErrorCode(err))
}

// TestBreakGlassUnlockIsGoOnlyAndLogged: REG-4 — with every Central Admin locked out, the host
// operator's BreakGlassUnlock unlocks one; no command reaches it; each use leaves a record the
// central team reads and a notification; it is refused while a Central Admin is active and for
// anyone but a locked Central Admin.
func TestBreakGlassUnlockIsGoOnlyAndLogged(t *testing.T) {
	for _, name := range isg.CommandNames() {
		assert.NotContains(t, name, "break_glass_unlock", "no command reaches the break-glass unlock")
	}
	w := newWorld(t)
	_, err := w.g.Dispatch(ctx, "platform.break_glass_unlock", isg.Actor{}, []byte(`{"user":"`+w.ca.String()+`","operator":"op","reason":"r"}`))
	assert.Equal(t, "command.unknown", isg.ErrorCode(err))

	in := isg.BreakGlassInput{User: w.ca, Operator: "Ops on call", Reason: "every Central Admin locked out"}
	_, err = w.g.BreakGlassUnlock(ctx, in)
	assert.Equal(t, "break_glass.not_needed", isg.ErrorCode(err), "nothing is locked")

	ann := w.user("ann@leeds.gov.uk")
	lockOut(t, w.g, "ann@leeds.gov.uk")
	_, err = w.g.BreakGlassUnlock(ctx, isg.BreakGlassInput{User: ann, Operator: "op", Reason: "r"})
	assert.Equal(t, "break_glass.not_needed", isg.ErrorCode(err), "only for a Central Admin")

	require.Equal(t, "auth.locked", isg.ErrorCode(lockOut(t, w.g, "support@isg.nhs.uk")))
	_, err = w.g.Bootstrap(ctx, isg.BootstrapInput{Email: "x@isg.nhs.uk", Name: "X", Password: "Support#2026"})
	require.Equal(t, "bootstrap.done", isg.ErrorCode(err), "the lockout the break glass exists for")
	a, err := w.g.BreakGlassUnlock(ctx, in)
	require.NoError(t, err)
	assert.Equal(t, isg.AccountActive, a.State)
	_, err = w.g.BreakGlassUnlock(ctx, in)
	assert.Equal(t, "break_glass.not_needed", isg.ErrorCode(err), "once a Central Admin is active, it unlocks")

	log, err := w.g.BreakGlassLog(ctx, isg.Actor{User: w.ca}, isg.ListPage{})
	require.NoError(t, err)
	require.Len(t, log.Items, 1)
	assert.Equal(t, "Ops on call", log.Items[0].Operator)
	assert.Equal(t, in.Reason, log.Items[0].Reason)
	_, err = w.g.BreakGlassLog(ctx, isg.Actor{User: ann}, isg.ListPage{})
	assert.ErrorIs(t, err, isg.ErrForbidden)
	notes := drain(t, w, isg.EventBreakGlassUnlock)
	require.Len(t, notes, 1, "the unlocked Central Admin, who is the team")
	assert.Equal(t, "Ops on call", notes[0].Data["operator"])
}

// TestPasswordReset: REG-8 — the same answer whether or not the address is registered; the
// token goes by e-mail, is stored only as a digest, works once, for an hour, and only the newest
// works; the new password meets REG-2; a reset clears the failure count but does not unlock.
func TestPasswordReset(t *testing.T) {
	clock := newClock()
	w := newWorld(t, isg.WithClock(clock))
	ann := w.user("ann@leeds.gov.uk")
	drain(t, w, "")

	known, err := w.g.RequestPasswordReset(ctx, isg.EmailInput{Email: "Ann@Leeds.gov.uk"})
	require.NoError(t, err)
	unknown, err := w.g.RequestPasswordReset(ctx, isg.EmailInput{Email: "nobody@leeds.gov.uk"})
	require.NoError(t, err)
	assert.Equal(t, unknown, known, "the same answer whether or not the address is registered")
	first := drain(t, w, isg.EventPasswordResetRequested)
	require.Len(t, first, 1, "only the registered address gets a token")
	assert.Equal(t, "ann@leeds.gov.uk", first[0].Email)
	assert.True(t, first[0].Recipient.IsZero(), "sent to the address, never listed among the account's notifications")

	_, err = w.g.RequestPasswordReset(ctx, isg.EmailInput{Email: "ann@leeds.gov.uk"})
	require.NoError(t, err)
	second := drain(t, w, isg.EventPasswordResetRequested)
	require.Len(t, second, 1)

	_, err = w.g.ResetPassword(ctx, isg.ResetPasswordInput{Token: first[0].Data["token"], Password: "Newpassw0rd!"})
	assert.Equal(t, "account.reset_token_invalid", isg.ErrorCode(err), "an earlier token stops working")
	_, err = w.g.ResetPassword(ctx, isg.ResetPasswordInput{Token: second[0].Data["token"], Password: "weak"})
	assert.Equal(t, "password_policy", fieldCode(err, "password"), "REG-2")

	_, err = w.g.SignIn(ctx, isg.SignInInput{Email: "ann@leeds.gov.uk", Password: "wrong-pw1!"})
	require.Error(t, err)
	a, err := w.g.ResetPassword(ctx, isg.ResetPasswordInput{Token: second[0].Data["token"], Password: "Newpassw0rd!"})
	require.NoError(t, err)
	assert.Zero(t, a.FailedSignIns, "a reset clears the failure count")
	_, err = w.g.ResetPassword(ctx, isg.ResetPasswordInput{Token: second[0].Data["token"], Password: "Newpassw0rd!"})
	assert.Equal(t, "account.reset_token_invalid", isg.ErrorCode(err), "single use")
	_, err = w.g.SignIn(ctx, isg.SignInInput{Email: "ann@leeds.gov.uk", Password: "Passw0rd!"})
	assert.Equal(t, "auth.invalid_credentials", isg.ErrorCode(err), "the old password is gone")
	_, err = w.g.SignIn(ctx, isg.SignInInput{Email: "ann@leeds.gov.uk", Password: "Newpassw0rd!"})
	require.NoError(t, err)

	_, err = w.g.RequestPasswordReset(ctx, isg.EmailInput{Email: "ann@leeds.gov.uk"})
	require.NoError(t, err)
	expiring := drain(t, w, isg.EventPasswordResetRequested)
	clock.Advance(isg.ResetTokenTTL)
	_, err = w.g.ResetPassword(ctx, isg.ResetPasswordInput{Token: expiring[0].Data["token"], Password: "Newpassw0rd!2"})
	assert.Equal(t, "account.reset_token_expired", isg.ErrorCode(err), "an hour")

	require.Equal(t, "auth.locked", isg.ErrorCode(lockOut(t, w.g, "ann@leeds.gov.uk")))
	_, err = w.g.RequestPasswordReset(ctx, isg.EmailInput{Email: "ann@leeds.gov.uk"})
	require.NoError(t, err)
	locked := drain(t, w, isg.EventPasswordResetRequested)
	a, err = w.g.ResetPassword(ctx, isg.ResetPasswordInput{Token: locked[0].Data["token"], Password: "Other#pass3"})
	require.NoError(t, err)
	assert.Equal(t, isg.AccountLocked, a.State, "a reset does not unlock (REG-4)")
	_ = ann
}

// TestReregisteringAnExpiredUnverifiedAddress: REG-9 — while its token lives an unverified
// registration holds its address; after, registering again replaces it: the squatter's password
// and token stop working.
func TestReregisteringAnExpiredUnverifiedAddress(t *testing.T) {
	clock := newClock()
	w := newWorld(t, isg.WithClock(clock))
	squat, err := w.g.Register(ctx, isg.RegisterInput{Email: "vic@leeds.gov.uk", Name: "Squatter", Password: "Squat#2026"})
	require.NoError(t, err)
	_, err = w.g.Register(ctx, isg.RegisterInput{Email: "vic@leeds.gov.uk", Name: "Vic", Password: "Passw0rd!"})
	assert.Equal(t, "user.email_taken", isg.ErrorCode(err))
	clock.Advance(squat.TokenExpires.Sub(clock.Now()))
	vic, err := w.g.Register(ctx, isg.RegisterInput{Email: "vic@leeds.gov.uk", Name: "Vic", Password: "Passw0rd!"})
	require.NoError(t, err)
	assert.Equal(t, "Vic", vic.Account.Name)
	_, err = w.g.VerifyEmail(ctx, isg.TokenInput{Token: squat.VerificationToken})
	assert.Equal(t, "account.token_invalid", isg.ErrorCode(err), "the squatter's token is void")
	_, err = w.g.VerifyEmail(ctx, isg.TokenInput{Token: vic.VerificationToken})
	require.NoError(t, err)
	_, err = w.g.SignIn(ctx, isg.SignInInput{Email: "vic@leeds.gov.uk", Password: "Squat#2026"})
	assert.Equal(t, "auth.invalid_credentials", isg.ErrorCode(err))
	_, err = w.g.Register(ctx, isg.RegisterInput{Email: "vic@leeds.gov.uk", Name: "Late", Password: "Passw0rd!"})
	assert.Equal(t, "user.email_taken", isg.ErrorCode(err), "a verified account holds its address for good")
}

// TestInvitationsAreOfferedNotImposed: REG-5 — inviting a registered address enrols nobody: the
// inviter gets the same pending invitation as for an unregistered one, the account's holder is
// told and accepts or declines; withdrawn or expired (30 days), an invitation can no longer be
// accepted and stops counting toward the free model's user cap (LIC-3). GetAccount shows a
// manager only the memberships at organisations the manager may see (self sees all).
func TestInvitationsAreOfferedNotImposed(t *testing.T) {
	clock := newClock()
	w := newWorld(t, isg.WithClock(clock))
	eve, vic := w.user("eve@york.gov.uk"), w.user("vic@leeds.gov.uk")
	york := w.org(eve, "York")
	w.org(vic, "Leeds")
	atYork := isg.Actor{User: eve, Org: york}

	registered, err := w.g.Invite(ctx, atYork, isg.InviteInput{Email: "vic@leeds.gov.uk", Roles: []isg.Role{isg.IGOfficer}})
	require.NoError(t, err)
	unregistered, err := w.g.Invite(ctx, atYork, isg.InviteInput{Email: "nobody@leeds.gov.uk", Roles: []isg.Role{isg.IGOfficer}})
	require.NoError(t, err)
	nobody := unregistered.ID
	for _, inv := range []*isg.Invitation{&registered, &unregistered} {
		inv.ID, inv.Email = isg.InvitationID{}, ""
	}
	assert.Equal(t, unregistered, registered, "the inviter's answer is the same whether or not the address is registered")

	_, err = w.g.GetAccount(ctx, atYork, isg.UserRef{User: vic})
	assert.Equal(t, "user.not_found", isg.ErrorCode(err), "inviting enrols nobody, so York cannot read Vic")
	mine, err := w.g.MyInvitations(ctx, isg.Actor{User: vic})
	require.NoError(t, err)
	require.Len(t, mine, 1)
	a, err := w.g.AcceptInvitation(ctx, isg.Actor{User: vic}, isg.InvitationRef{Invitation: mine[0].ID})
	require.NoError(t, err)
	assert.Len(t, a.Memberships, 2)

	read, err := w.g.GetAccount(ctx, atYork, isg.UserRef{User: vic})
	require.NoError(t, err)
	require.Len(t, read.Memberships, 1, "York sees Vic's York membership, not Leeds")
	assert.Equal(t, york, read.Memberships[0].Org)
	self, err := w.g.GetAccount(ctx, isg.Actor{User: vic}, isg.UserRef{User: vic})
	require.NoError(t, err)
	assert.Len(t, self.Memberships, 2, "self sees all")

	// LIC-3: York (free model) has 2 members and one open invitation: the cap of 3 is full.
	_, err = w.g.Invite(ctx, atYork, isg.InviteInput{Email: "tom@york.gov.uk", Roles: []isg.Role{isg.IGOfficer}})
	require.ErrorIs(t, err, isg.ErrLicence, "pending invitations count")
	_, err = w.g.WithdrawInvitation(ctx, isg.Actor{User: vic, Org: york}, isg.InvitationRef{Invitation: nobody})
	assert.ErrorIs(t, err, isg.ErrForbidden, "only an Administrator of the inviting organisation withdraws")
	zed := w.user("zed@hull.gov.uk")
	hull := w.org(zed, "Hull")
	_, err = w.g.WithdrawInvitation(ctx, isg.Actor{User: zed, Org: hull}, isg.InvitationRef{Invitation: nobody})
	assert.Equal(t, "invitation.not_found", isg.ErrorCode(err), "nor another organisation's Administrator, who is told what an unknown ID gets")
	_, err = w.g.WithdrawInvitation(ctx, atYork, isg.InvitationRef{Invitation: nobody})
	require.NoError(t, err)
	tom, err := w.g.Invite(ctx, atYork, isg.InviteInput{Email: "tom@york.gov.uk", Roles: []isg.Role{isg.IGOfficer}})
	require.NoError(t, err, "a withdrawn invitation no longer counts")
	_, err = w.g.WithdrawInvitation(ctx, atYork, isg.InvitationRef{Invitation: nobody})
	assert.Equal(t, "invitation.not_pending", isg.ErrorCode(err))

	clock.Advance(isg.InvitationTTL)
	_, err = w.g.Invite(ctx, atYork, isg.InviteInput{Email: "uma@york.gov.uk", Roles: []isg.Role{isg.IGOfficer}})
	require.NoError(t, err, "an expired invitation no longer counts")
	reg, err := w.g.Register(ctx, isg.RegisterInput{Email: "tom@york.gov.uk", Name: "Tom", Password: "Passw0rd!"})
	require.NoError(t, err)
	assert.Empty(t, reg.Account.Memberships, "an expired invitation attaches nothing")
	_, err = w.g.WithdrawInvitation(ctx, atYork, isg.InvitationRef{Invitation: tom.ID})
	assert.Equal(t, "invitation.not_pending", isg.ErrorCode(err), "an expired invitation cannot be withdrawn")
}

// TestDPOArrivingByMergeClearsTheExemption: ORG-4 — a DPO moved into a survivor by a merge
// clears the survivor's DPO exemption, as one assigned there would.
func TestDPOArrivingByMergeClearsTheExemption(t *testing.T) {
	w := newWorld(t)
	a, b := w.user("a@north.gov.uk"), w.user("b@south.gov.uk")
	north, south := w.org(a, "North"), w.org(b, "South")
	w.grant(b, south, b, isg.Administrator, isg.SeniorOfficer, isg.DPO)
	w.grant(a, north, a, isg.Administrator, isg.SeniorOfficer)
	_, err := w.g.ConfirmDPOExemption(ctx, isg.Actor{User: a, Org: north}, isg.ConfirmDPOExemptionInput{GuidanceAcknowledged: true})
	require.NoError(t, err)
	m, err := w.g.RequestMerge(ctx, isg.Actor{User: a, Org: north}, isg.RequestMergeInput{Merging: []isg.OrgID{south}, Reason: "reorganisation", DisclaimerAcknowledged: true})
	require.NoError(t, err)
	_, err = w.g.AnswerMerge(ctx, isg.Actor{User: b, Org: south}, isg.AnswerMergeInput{Merge: m.ID, Approve: true})
	require.NoError(t, err)
	o, err := w.g.GetOrganisation(ctx, isg.Actor{User: a, Org: north}, isg.OrgRef{Org: north})
	require.NoError(t, err)
	assert.False(t, o.DPOExempt, "the DPO who arrived by the merge clears the exemption")
}

// TestResetTokenLeavesTheOutboxOnDelivery: REG-8 — the reset token is stored only as a digest:
// the outbox carries it to the Notifier, and once the message is delivered (or suppressed in a
// sandbox) the stored message holds it no more.
func TestResetTokenLeavesTheOutboxOnDelivery(t *testing.T) {
	for _, sandbox := range []bool{false, true} {
		store := memory.New()
		g, err := isg.New(store, cheapPasswords, isg.WithSandbox(sandbox))
		require.NoError(t, err)
		w := &world{t: t, g: g}
		w.user("ann@leeds.gov.uk")
		_, err = g.RequestPasswordReset(ctx, isg.EmailInput{Email: "ann@leeds.gov.uk"})
		require.NoError(t, err)
		var token string
		_, err = g.DrainOutbox(ctx, isg.NotifierFunc(func(_ context.Context, n isg.Notification) error {
			if n.Type == isg.EventPasswordResetRequested {
				token = n.Data["token"]
			}
			return nil
		}), 100)
		require.NoError(t, err)
		if !sandbox {
			require.NotEmpty(t, token, "the Notifier gets the token to send")
		}
		for _, r := range store.Dump()["notification"] {
			assert.NotContains(t, string(r.Body), `"token"`, "sandbox %v: a delivered message keeps no token", sandbox)
		}
	}
}

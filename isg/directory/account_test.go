package directory_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg/directory"
	"github.com/isgkit/gateway/isg/violation"
)

var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

func userID() directory.UserID { return directory.UserID{UUID: uuid.Must(uuid.NewV7())} }
func orgID() directory.OrgID   { return directory.OrgID{UUID: uuid.Must(uuid.NewV7())} }

func registered(t *testing.T, email string) directory.User {
	t.Helper()
	x, _, err := directory.Register(directory.NewAccount{ID: userID(), Email: email, Name: "N", PasswordHash: "h",
		TokenDigest: "d", TokenExpires: t0.Add(48 * time.Hour)}, false, nil, t0)
	require.NoError(t, err)
	return x
}

func active(t *testing.T, m *directory.AccountMachine) directory.User {
	t.Helper()
	x, _, err := m.Verify(registered(t, "a@trust.nhs.uk"), t0)
	require.NoError(t, err)
	return x
}

// REG-7: an address registers once; REG-1: the domain decides whether validation is needed.
func TestRegister(t *testing.T) {
	_, _, err := directory.Register(directory.NewAccount{ID: userID(), Email: "a@nhs.net"}, true, nil, t0)
	assert.Equal(t, directory.CodeEmailTaken, violation.Code(err))
	x := registered(t, " Ann@Trust.NHS.uk ")
	assert.Equal(t, "ann@trust.nhs.uk", x.Email)
	assert.Equal(t, directory.AccountUnverified, x.State)
	assert.False(t, x.NeedsValidation)
	assert.True(t, registered(t, "eve@evilnhs.uk").NeedsValidation)
}

// REG-3: the token is refused once expired and spent by use; REG-1: a validated domain is
// active at once, any other awaits the central admin team, who are told.
func TestVerifyREG3(t *testing.T) {
	m := directory.NewAccountMachine()
	tests := []struct {
		name   string
		email  string
		at     time.Time
		code   string
		state  directory.AccountState
		events int
	}{
		{"instant domain becomes active", "a@nhs.net", t0.Add(time.Hour), "", directory.AccountActive, 0},
		{"other domain awaits validation (REG-1)", "a@gmail.com", t0.Add(time.Hour), "", directory.AccountAwaitingValidation, 1},
		{"expired token is refused", "a@nhs.net", t0.Add(48 * time.Hour), directory.CodeTokenExpired, directory.AccountUnverified, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := registered(t, tt.email)
			next, events, err := m.Verify(x, tt.at)
			assert.Equal(t, tt.code, violation.Code(err))
			assert.Equal(t, tt.state, next.State)
			assert.Len(t, events, tt.events)
			assert.Equal(t, directory.AccountUnverified, x.State, "the input is unchanged")
			if err == nil {
				assert.Empty(t, next.TokenDigest, "single use")
				_, _, err = m.Verify(next, tt.at)
				assert.Error(t, err, "a used token verifies nothing")
			}
			for _, e := range events {
				assert.True(t, e.To.CentralAdmins)
			}
		})
	}
}

// REG-4: five consecutive failures lock; a success resets the count; a locked account is refused
// even with the right password; only unlocking clears it.
func TestSignInLockoutREG4(t *testing.T) {
	m := directory.NewAccountMachine()
	x := active(t, m)
	for i := 1; i < directory.MaxFailedSignIns; i++ {
		o := m.SignIn(x, false, t0)
		require.True(t, o.Save, "a failure is stored though refused")
		assert.Equal(t, directory.CodeInvalidCredentials, violation.Code(o.Refusal))
		assert.Equal(t, x.FailedSignIns, i-1, "the input is unchanged")
		x = o.User
	}
	ok := m.SignIn(x, true, t0.Add(time.Minute))
	require.NoError(t, ok.Refusal)
	assert.Zero(t, ok.User.FailedSignIns)
	assert.Equal(t, t0.Add(time.Minute), ok.User.LastSignInAt)
	x = ok.User
	var o directory.SignInOutcome
	for i := 1; i <= directory.MaxFailedSignIns; i++ {
		o = m.SignIn(x, false, t0)
		x = o.User
		if i < directory.MaxFailedSignIns {
			require.Equal(t, directory.AccountActive, x.State, "failure %d does not lock", i)
		}
	}
	require.Equal(t, directory.AccountLocked, x.State)
	assert.Equal(t, directory.CodeLocked, violation.Code(o.Refusal))
	require.Len(t, o.Events, 1)
	assert.Equal(t, directory.EventAccountLocked, o.Events[0].Type)
	assert.Equal(t, []directory.UserID{x.ID}, o.Events[0].To.Users)
	o = m.SignIn(x, true, t0)
	assert.Equal(t, directory.CodeLocked, violation.Code(o.Refusal))
	assert.False(t, o.Save)
	x, err := m.Unlock(x)
	require.NoError(t, err)
	assert.Zero(t, x.FailedSignIns)
	assert.NoError(t, m.SignIn(x, true, t0).Refusal)
}

// REG-3, REG-1: a right password is refused until the address is verified and, outside the
// instant domains, validated.
func TestSignInBeforeActivation(t *testing.T) {
	m := directory.NewAccountMachine()
	x := registered(t, "a@gmail.com")
	assert.Equal(t, directory.CodeUnverified, violation.Code(m.SignIn(x, true, t0).Refusal))
	x, _, err := m.Verify(x, t0)
	require.NoError(t, err)
	assert.Equal(t, directory.CodeAwaitingValidation, violation.Code(m.SignIn(x, true, t0).Refusal))
	_, err = m.ReissueToken(x, "d2", t0)
	assert.Equal(t, directory.CodeAlreadyVerified, violation.Code(err))
	x, err = m.Validate(x)
	require.NoError(t, err)
	assert.NoError(t, m.SignIn(x, true, t0).Refusal)
}

// Bootstrap makes the first Central Admin only.
func TestBootstrap(t *testing.T) {
	x, err := directory.Bootstrap(directory.NewAccount{ID: userID(), Email: "S@isg.nhs.uk"}, 0, t0)
	require.NoError(t, err)
	assert.True(t, x.CentralAdmin)
	assert.Equal(t, directory.AccountActive, x.State)
	_, err = directory.Bootstrap(directory.NewAccount{ID: userID(), Email: "t@isg.nhs.uk"}, 1, t0)
	assert.Equal(t, directory.CodeBootstrapDone, violation.Code(err))
}

// NOTE-2: preferences are per type or all off, and the result shares nothing with the input.
func TestPreferencesNOTE2(t *testing.T) {
	p := directory.Preferences{Off: []string{directory.EventMergeRequested}}
	x := directory.SetPreferences(directory.User{}, p)
	p.Off[0] = "changed"
	assert.False(t, x.Preferences.Wants(directory.EventMergeRequested))
	assert.True(t, x.Preferences.Wants(directory.EventMoUSigned))
	assert.False(t, directory.Preferences{AllOff: true}.Wants(directory.EventMoUSigned))
}

package main

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/isgkit/gateway/isg"
)

var (
	t0      = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	testKey = bytes.Repeat([]byte{7}, 32)
	alice   = isg.UserID{UUID: uuid.MustParse("0190a000-0000-7000-8000-000000000001")}
	leeds   = isg.OrgID{UUID: uuid.MustParse("0190a000-0000-7000-8000-0000000000aa")}
)

func fixedSessions(t testing.TB, key []byte, now *time.Time) *sessions {
	t.Helper()
	s, err := newSessions(key, time.Hour, func() time.Time { return *now })
	require.NoError(t, err)
	return s
}

func TestSessionTokenRoundTrip(t *testing.T) {
	now := t0
	s := fixedSessions(t, testKey, &now)
	token, issued := s.issue(alice, leeds)
	got, err := s.check(token)
	require.NoError(t, err)
	assert.Equal(t, issued, got)
	assert.Equal(t, session{User: alice, Org: leeds, Expires: t0.Add(time.Hour)}, got)

	token, _ = s.issue(alice, isg.OrgID{})
	got, err = s.check(token)
	require.NoError(t, err)
	assert.True(t, got.Org.IsZero(), "a session with no default organisation")
}

// TestSessionTokenExpires: a token is good until, not at, its expiry.
func TestSessionTokenExpires(t *testing.T) {
	now := t0
	s := fixedSessions(t, testKey, &now)
	token, _ := s.issue(alice, leeds)
	now = t0.Add(time.Hour - time.Second)
	_, err := s.check(token)
	require.NoError(t, err)
	now = t0.Add(time.Hour)
	_, err = s.check(token)
	assert.ErrorIs(t, err, errSession)
	assert.Contains(t, err.Error(), "expired")
}

// TestSessionTokenRefusesTampering: a token whose payload was changed (another user, another
// organisation, a later expiry), whose MAC was changed, or that another key signed, is refused.
func TestSessionTokenRefusesTampering(t *testing.T) {
	now := t0
	s := fixedSessions(t, testKey, &now)
	token, _ := s.issue(alice, leeds)
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3)
	forged := func(payload string) string {
		return parts[0] + "." + tokenEncoding.EncodeToString([]byte(payload)) + "." + parts[2]
	}
	later := t0.Add(100 * 24 * time.Hour).Unix()
	other := isg.UserID{UUID: uuid.MustParse("0190a000-0000-7000-8000-000000000002")}
	otherKey := bytes.Repeat([]byte{8}, 32)
	byOtherKey, _ := fixedSessions(t, otherKey, &now).issue(alice, leeds)
	for name, tok := range map[string]string{
		"another user":          forged(other.String() + "." + leeds.String() + "." + strconv.FormatInt(t0.Add(time.Hour).Unix(), 10)),
		"a later expiry":        forged(alice.String() + "." + leeds.String() + "." + strconv.FormatInt(later, 10)),
		"no organisation":       forged(alice.String() + ".." + strconv.FormatInt(t0.Add(time.Hour).Unix(), 10)),
		"another key":           byOtherKey,
		"a MAC cut short":       token[:len(token)-2],
		"no MAC":                parts[0] + "." + parts[1] + ".",
		"another version":       "v2." + parts[1] + "." + parts[2],
		"not base64":            parts[0] + ".!!!." + parts[2],
		"empty":                 "",
		"a MAC of the payload":  parts[0] + "." + parts[1] + "." + parts[1],
		"payload and MAC swaps": parts[0] + "." + parts[2] + "." + parts[1],
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.check(tok)
			assert.ErrorIs(t, err, errSession)
		})
	}
}

// TestSessionTokenAnyChangeIsRefused: changing any one character of a valid token to any other
// character makes it invalid (the strict encoding gives each token one spelling).
func TestSessionTokenAnyChangeIsRefused(t *testing.T) {
	now := t0
	s := fixedSessions(t, testKey, &now)
	token, _ := s.issue(alice, leeds)
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.="
	rapid.Check(t, func(t *rapid.T) {
		i := rapid.IntRange(0, len(token)-1).Draw(t, "i")
		c := rapid.SampledFrom([]byte(alphabet)).Filter(func(c byte) bool { return c != token[i] }).Draw(t, "c")
		changed := token[:i] + string(c) + token[i+1:]
		if _, err := s.check(changed); !errors.Is(err, errSession) {
			t.Fatalf("token changed at %d to %q was accepted", i, c)
		}
	})
}

func TestSessionKeyIsLongEnough(t *testing.T) {
	_, err := newSessions(make([]byte, 16), time.Hour, time.Now)
	assert.ErrorContains(t, err, "at least 32")
	s, err := newSessions(nil, time.Hour, time.Now)
	require.NoError(t, err)
	assert.Len(t, s.key, 32, "a random key per run")
	_, err = newSessions(nil, 0, time.Now)
	assert.Error(t, err)
}

// FuzzSessionCheck: whatever it is given, check does not panic, and it accepts only a token
// carrying the MAC of its own payload under the key, spelt the one way issue spells it.
func FuzzSessionCheck(f *testing.F) {
	now := t0
	s := fixedSessions(f, testKey, &now)
	token, _ := s.issue(alice, leeds)
	f.Add(token)
	f.Add("v1..")
	f.Add("v1.AAAA.BBBB")
	f.Fuzz(func(t *testing.T, tok string) {
		sess, err := s.check(tok)
		if err != nil {
			return
		}
		orgPart := ""
		if !sess.Org.IsZero() {
			orgPart = sess.Org.String()
		}
		payload := sess.User.String() + "." + orgPart + "." + strconv.FormatInt(sess.Expires.Unix(), 10)
		want := tokenVersion + "." + tokenEncoding.EncodeToString([]byte(payload)) + "." + tokenEncoding.EncodeToString(s.mac(payload))
		if tok != want {
			t.Fatalf("accepted %q, which is not the token of its content %q", tok, want)
		}
	})
}

package main

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/isgkit/gateway/isg"
)

// A session token says who signed in, for which organisation by default, and until when:
//
//	v1.<base64url(user "." org "." expiry unix seconds)>.<base64url(HMAC-SHA256(key, "isg-session-v1\n" + payload))>
//
// It is stateless, so the server keeps no session table and any instance holding the key can
// check it; the price is that a token cannot be withdrawn before it expires (keep the lifetime
// short), and that a new random key (the default: one per run) ends every session. The Gateway
// still checks the account on every command, so a token of a locked or removed account gets
// nothing but refusals.
const tokenVersion = "v1"

// tokenEncoding is strict, so each token has one spelling: a changed character is a changed
// token, never another spelling of the same one.
var tokenEncoding = base64.RawURLEncoding.Strict()

// macContext separates these MACs from any other use of the same key.
const macContext = "isg-session-v1\n"

// errSession is every refusal of a token, told apart only in the server's own log: a caller
// learns that its token is no good, never which part failed.
var errSession = errors.New("session: invalid or expired token")

// session is what a valid token carries.
type session struct {
	User    isg.UserID
	Org     isg.OrgID // zero: no default organisation; the request names one or acts for none
	Expires time.Time
}

// sessions issues and checks tokens with one key.
type sessions struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

// minKeyLen is the shortest key accepted: HMAC-SHA256's own output size.
const minKeyLen = 32

func newSessions(key []byte, ttl time.Duration, now func() time.Time) (*sessions, error) {
	if key == nil {
		key = make([]byte, minKeyLen)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
	}
	if len(key) < minKeyLen {
		return nil, fmt.Errorf("session key: %d bytes, want at least %d", len(key), minKeyLen)
	}
	if ttl <= 0 {
		return nil, fmt.Errorf("session lifetime %s: want a positive duration", ttl)
	}
	return &sessions{key: key, ttl: ttl, now: now}, nil
}

func (s *sessions) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(macContext))
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// issue makes a token for user (and org, which may be zero) expiring ttl from now, whole seconds.
func (s *sessions) issue(user isg.UserID, org isg.OrgID) (string, session) {
	exp := s.now().Add(s.ttl).Truncate(time.Second)
	orgPart := ""
	if !org.IsZero() {
		orgPart = org.String()
	}
	payload := user.String() + "." + orgPart + "." + strconv.FormatInt(exp.Unix(), 10)
	enc := tokenEncoding
	token := tokenVersion + "." + enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(s.mac(payload))
	return token, session{User: user, Org: org, Expires: exp}
}

// check verifies a token: its MAC (compared in constant time, before anything in it is
// believed), then its expiry. Any failure is errSession, wrapped with the reason for the log.
func (s *sessions) check(token string) (session, error) {
	version, rest, ok := strings.Cut(token, ".")
	if !ok || version != tokenVersion {
		return session{}, fmt.Errorf("%w: not a %s token", errSession, tokenVersion)
	}
	p64, m64, ok := strings.Cut(rest, ".")
	if !ok {
		return session{}, fmt.Errorf("%w: malformed", errSession)
	}
	enc := tokenEncoding
	payload, err := enc.DecodeString(p64)
	if err != nil {
		return session{}, fmt.Errorf("%w: malformed payload", errSession)
	}
	mac, err := enc.DecodeString(m64)
	if err != nil {
		return session{}, fmt.Errorf("%w: malformed MAC", errSession)
	}
	// Go's decoder skips newlines even when strict: a token must be its payload's one spelling.
	if enc.EncodeToString(payload) != p64 || enc.EncodeToString(mac) != m64 {
		return session{}, fmt.Errorf("%w: not canonical", errSession)
	}
	if !hmac.Equal(mac, s.mac(string(payload))) {
		return session{}, fmt.Errorf("%w: bad MAC", errSession)
	}
	parts := strings.Split(string(payload), ".")
	if len(parts) != 3 {
		return session{}, fmt.Errorf("%w: malformed payload", errSession)
	}
	var out session
	if out.User, err = isg.ParseUserID(parts[0]); err != nil || out.User.IsZero() {
		return session{}, fmt.Errorf("%w: bad user", errSession)
	}
	if parts[1] != "" {
		if out.Org, err = isg.ParseOrgID(parts[1]); err != nil {
			return session{}, fmt.Errorf("%w: bad organisation", errSession)
		}
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return session{}, fmt.Errorf("%w: bad expiry", errSession)
	}
	out.Expires = time.Unix(exp, 0).UTC()
	if !s.now().Before(out.Expires) {
		return session{}, fmt.Errorf("%w: expired at %s", errSession, out.Expires.Format(time.RFC3339))
	}
	return out, nil
}

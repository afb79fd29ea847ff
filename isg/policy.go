package isg

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/isgkit/gateway/isg/directory"
)

// InstantRegistration reports whether an e-mail address may register without validation by the
// central admin team (REG-1): its domain is, or is a subdomain of, one of the public-sector
// domains, compared case-insensitively on whole labels. The rule is directory.InstantRegistration.
func InstantRegistration(email string) bool { return directory.InstantRegistration(email) }

// Password policy limits (REG-2).
const (
	MinPasswordLength = directory.MinPasswordLength
	MaxPasswordLength = directory.MaxPasswordLength
)

// CheckPassword applies the password policy (REG-2): 7 to 128 characters, at least one numeral
// and at least one symbol. It returns a field error on "password" naming what is missing; it never
// echoes the password. The rule is directory.CheckPassword.
func CheckPassword(pw string) error { return directory.CheckPassword(pw) }

// PasswordParams are the argon2id cost parameters. argon2id is memory-hard (RFC 9106), which makes
// GPU guessing of stolen hashes expensive where bcrypt is only adaptive in time.
type PasswordParams struct {
	Time    uint32 // passes
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultPasswordParams are OWASP's minimum recommendation for argon2id: 19 MiB, 2 passes, 1 lane.
var DefaultPasswordParams = PasswordParams{Time: 2, Memory: 19 * 1024, Threads: 1}

// WithPasswordParams sets the argon2id cost. Tests use a small cost to stay fast; production
// keeps the default or raises it.
func WithPasswordParams(p PasswordParams) Option {
	return func(g *Gateway) error {
		if p.Time == 0 || p.Memory < 8 || p.Threads == 0 {
			return errors.New("isg: password params must be positive (memory at least 8 KiB)")
		}
		g.pwParams = p
		return nil
	}
}

// hashPassword returns the PHC string form, so the parameters travel with the hash and can be
// raised later without invalidating old hashes.
func hashPassword(pw string, p PasswordParams, random io.Reader) (string, error) {
	salt := make([]byte, 16)
	if _, err := io.ReadFull(random, salt); err != nil {
		return "", fmt.Errorf("isg: reading salt: %w", err)
	}
	sum := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(sum)), nil
}

// verifyPassword checks pw against a PHC argon2id string in constant time.
func verifyPassword(pw, phc string) bool {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var p PasswordParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// newToken returns a random secret and its digest. Only the digest is stored: the secret goes to
// the user (by the host's e-mail) and a stolen database yields no usable token. The secret has 256
// bits of entropy, so a fast hash is enough.
func newToken(random io.Reader) (secret, digest string, err error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", "", fmt.Errorf("isg: reading token: %w", err)
	}
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, tokenDigest(secret), nil
}

func tokenDigest(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

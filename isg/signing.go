package isg

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg/violation"
)

// Advanced electronic signatures (SIGN-4): who holds the keys.
//
// The Gateway signs a flow through the standard crypto.Signer, so key custody stays with the
// host: an HSM or a KMS plugs in as a Signer. Two small interfaces, one per concern, say which
// key signs for a signatory (Signers) and which public key a key ID names (KeyRing).
//
// By default — the embedded set-up, when the host plugs in neither — every signature is made
// with one platform Ed25519 key that the Gateway creates on first use and keeps in the Store, a
// record of its own kind ("signing_key"), private half included. Whoever can read the store can
// therefore sign as the platform: that is a platform signature, fit for an embedded or test
// deployment. A host that wants the signature creation data under the signatory's sole control,
// as an advanced electronic signature asks, plugs in per-user signers (a smartcard, a per-user
// KMS key) with WithSigners, and a KeyRing with WithKeyRing whose PublicKey records carry the
// User (and Org) each key belongs to, so that a key never verifies a signature of anyone else.
// Central Admin rotates the platform key (RotateSigningKey); retired keys stay in the store, so
// signatures made before a rotation still verify.

// kindSigningKey is a platform signing key (SIGN-4).
const kindSigningKey Kind = "signing_key"

// PlatformKeyPrefix begins the ID of every platform signing key the Gateway makes
// ("isg-platform-" and a UUID). Key IDs a host's Signers and KeyRing use must not begin with it:
// the Gateway resolves such IDs from its own store, never through the host's KeyRing.
const PlatformKeyPrefix = "isg-platform-"

// Signers chooses the key that signs for a signatory (SIGN-4). The host implements it to sign
// with each user's own key (a smartcard, a per-user KMS key) or with a key of its HSM; the
// Gateway calls it inside the unit of work of the sign command and calls the signer's Sign once
// with crypto/rand.Reader and the options agreement.SignatureOptions gives for its public key
// (Ed25519, ECDSA P-256 with SHA-256, RSA-PSS with SHA-256). It must be safe for concurrent use.
type Signers interface {
	// SignerFor returns the ID of the key that signs for who — the ID under which the KeyRing
	// finds its public half — and the signer. It returns an error matching ErrUsePlatformKey to
	// have this signatory sign with the platform key instead (a user without a card, say); any
	// other error refuses the signature, and the sign command returns it.
	SignerFor(ctx context.Context, who agreement.Signatory) (keyID string, signer crypto.Signer, err error)
}

// KeyRing finds public keys by key ID (SIGN-4). It keeps history: a key retired or rotated away
// must still be found, so signatures made with it still verify. A key's User and Org, when set,
// bind it to that signatory: the verifier refuses it for anyone else. It must be safe for
// concurrent use.
type KeyRing interface {
	// PublicKey returns the key with the given ID, whose ID field is keyID. It returns an error
	// matching ErrNotFound for an ID it does not know; any other error (a failing KMS) fails the
	// command that asked.
	PublicKey(ctx context.Context, keyID string) (agreement.PublicKey, error)
}

// ErrUsePlatformKey is returned by a host's Signers to have a signatory sign with the platform
// key (see Signers).
var ErrUsePlatformKey = errors.New("isg: sign with the platform key")

// WithSigners plugs in the host's signers (SIGN-4): which key signs for each signatory. It needs
// WithKeyRing too, so that the keys it signs with can be found to verify. Without it every
// signature is made with the platform key, kept in the store (see Signers).
func WithSigners(s Signers) Option {
	return func(g *Gateway) error {
		if s == nil {
			return errors.New("isg: WithSigners needs a Signers")
		}
		g.signers = s
		return nil
	}
}

// WithKeyRing plugs in the host's key ring (SIGN-4): the public keys of the host's signers, by
// key ID, with their history. Platform keys (IDs beginning PlatformKeyPrefix) are always found
// in the Gateway's own store, so signatures made with the platform key before the host plugged
// in its own keys still verify.
func WithKeyRing(k KeyRing) Option {
	return func(g *Gateway) error {
		if k == nil {
			return errors.New("isg: WithKeyRing needs a KeyRing")
		}
		g.keyRing = k
		return nil
	}
}

// checkSigning refuses a configuration whose signatures could not be verified.
func (g *Gateway) checkSigning() error {
	if g.signers != nil && g.keyRing == nil {
		return errors.New("isg: WithSigners needs WithKeyRing, so that the keys the host signs with can be found to verify (SIGN-4)")
	}
	return nil
}

// platformKey is a platform signing key as stored. Seed is the Ed25519 private key: the store
// holds it (see Signers).
type platformKey struct {
	ID        string    `json:"id"`
	Algorithm string    `json:"algorithm"`
	Public    []byte    `json:"public"`
	Seed      []byte    `json:"seed"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy UserID    `json:"created_by,omitzero"`
	RetiredAt time.Time `json:"retired_at,omitzero"`
	RetiredBy UserID    `json:"retired_by,omitzero"`
}

// Index keys of signing keys: every key, and the one current key (unique, so that two units
// creating one at once cannot both commit).
var (
	signingKeysAll     = key("all", "1")
	signingKeysCurrent = uniqueKey("current", "1")
)

func (k platformKey) keys() []IndexKey {
	if k.RetiredAt.IsZero() {
		return []IndexKey{signingKeysAll, signingKeysCurrent}
	}
	return []IndexKey{signingKeysAll}
}

func (k platformKey) public() agreement.PublicKey {
	return agreement.PublicKey{ID: k.ID, Key: ed25519.PublicKey(k.Public)}
}

// SigningKey is a platform signing key as the Gateway shows it (SIGN-4): never its private
// half. PublicKey is the PKIX (SubjectPublicKeyInfo) ASN.1 DER encoding, base64 in JSON, which
// any verifier can import.
type SigningKey struct {
	ID        string    `json:"id"`
	Algorithm string    `json:"algorithm"`
	PublicKey []byte    `json:"public_key"`
	Current   bool      `json:"current"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy UserID    `json:"created_by,omitzero"`
	RetiredAt time.Time `json:"retired_at,omitzero"`
	RetiredBy UserID    `json:"retired_by,omitzero"`
}

func (k platformKey) view() (SigningKey, error) {
	der, err := x509.MarshalPKIXPublicKey(ed25519.PublicKey(k.Public))
	if err != nil {
		return SigningKey{}, fmt.Errorf("isg: encoding signing key %s: %w", k.ID, err)
	}
	return SigningKey{ID: k.ID, Algorithm: k.Algorithm, PublicKey: der, Current: k.RetiredAt.IsZero(),
		CreatedAt: k.CreatedAt, CreatedBy: k.CreatedBy, RetiredAt: k.RetiredAt, RetiredBy: k.RetiredBy}, nil
}

// currentPlatformKey returns the platform key that signs now and the version it was read at, or
// version 0 and a zero key when there is none yet.
func (u *uow) currentPlatformKey() (platformKey, int64, error) {
	all, versions, err := findAll[platformKey](u, kindSigningKey, signingKeysCurrent)
	if err != nil || len(all) == 0 {
		return platformKey{}, 0, err
	}
	return all[0], versions[0], nil
}

// newPlatformKey creates a current platform key in the unit (SIGN-4). The caller has listed the
// current key and found none (or retired it in this unit): the store's serializable units and
// the unique current key make sure that of two units doing this at once only one commits; the
// other is retried and finds the key the first made.
func (u *uow) newPlatformKey(by UserID) (platformKey, error) {
	pub, priv, err := ed25519.GenerateKey(u.g.random)
	if err != nil {
		return platformKey{}, fmt.Errorf("isg: making a signing key: %w", err)
	}
	k := platformKey{ID: PlatformKeyPrefix + u.newID().String(), Algorithm: agreement.AlgEd25519, Public: pub, Seed: priv.Seed(),
		CreatedAt: u.now, CreatedBy: by}
	_, err = u.save(kindSigningKey, k.ID, 0, k, k.keys()...)
	return k, err
}

// signerFor picks the key that signs for who: the host's, or the platform key, made on first use.
func (u *uow) signerFor(who agreement.Signatory) (string, crypto.Signer, error) {
	if u.g.signers != nil {
		id, s, err := u.g.signers.SignerFor(u.ctx, who)
		switch {
		case errors.Is(err, ErrUsePlatformKey):
		case err != nil:
			return "", nil, fmt.Errorf("isg: the host's signer for user %s: %w", who.User, err)
		case id == "" || s == nil:
			return "", nil, fmt.Errorf("isg: the host's signer for user %s gave no key ID or no signer", who.User)
		case strings.HasPrefix(id, PlatformKeyPrefix):
			return "", nil, fmt.Errorf("isg: the host's signer for user %s uses key ID %q, which begins with the reserved %q", who.User, id, PlatformKeyPrefix)
		default:
			return id, s, nil
		}
	}
	k, _, err := u.currentPlatformKey()
	if err != nil {
		return "", nil, err
	}
	if k.ID == "" {
		if k, err = u.newPlatformKey(UserID{}); err != nil {
			return "", nil, err
		}
	}
	return k.ID, ed25519.NewKeyFromSeed(k.Seed), nil
}

// publicKey resolves a key ID: platform keys from the store, any other through the host's key
// ring. An unknown ID is ErrNotFound.
func (u *uow) publicKey(id string) (agreement.PublicKey, error) {
	if strings.HasPrefix(id, PlatformKeyPrefix) {
		var k platformKey
		if _, err := u.load(kindSigningKey, id, &k); err != nil {
			return agreement.PublicKey{}, err
		}
		return k.public(), nil
	}
	if u.g.keyRing == nil {
		return agreement.PublicKey{}, notFound(kindSigningKey, id)
	}
	return u.g.keyRing.PublicKey(u.ctx, id)
}

// signStatement makes who's signature of flow f (SIGN-4, LOG-3): the statement at the unit's
// time, bound to f's terms and to f.Log — so f must be the flow as stored, before the signature
// is recorded — signed by the key the host's Signers (or the platform key) chooses, with
// crypto/rand.Reader. Before returning it checks the signature as a verifier will: the key ring
// finds the key by its ID, the key belongs to the signatory, and the value verifies, so a
// misconfigured signer or key ring is refused now rather than found out at verification. The
// caller records the signature on the flow (putFlow logs it). Whether who may sign f is the sign
// command's to check, not this helper's.
//
// Errors: ErrInvalid from agreement.NewStatement; ErrInvalid (signature.unsupported_key) for a
// signer whose key no algorithm signs with; ErrRule (signature.unknown_key,
// signature.key_not_signatory, signature.invalid) when the signature just made would not
// verify; the host's signer or key ring error, wrapped; a store error.
func (u *uow) signStatement(who agreement.Signatory, f agreement.Flow) (agreement.Signature, error) {
	keyID, signer, err := u.signerFor(who)
	if err != nil {
		return agreement.Signature{}, err
	}
	st, err := agreement.NewStatement(f, who, u.now, keyID)
	if err != nil {
		return agreement.Signature{}, err
	}
	sig, err := agreement.Sign(st, signer, rand.Reader)
	if err != nil {
		return agreement.Signature{}, err
	}
	pub, err := u.publicKey(keyID)
	if isNotFound(err) {
		return agreement.Signature{}, violation.New(ErrRule, agreement.CodeSignatureUnknownKey, "SIGN-4",
			fmt.Sprintf("the key ring does not know key %q, with which the signer signs: the signature could never be verified", keyID))
	}
	if err != nil {
		return agreement.Signature{}, fmt.Errorf("isg: resolving signing key %q: %w", keyID, err)
	}
	if err := agreement.VerifyStatement(sig, pub); err != nil {
		var e *Error
		if errors.As(err, &e) {
			return agreement.Signature{}, violation.New(e.Kind, e.Code, e.Rule, "the signature just made would not verify: "+e.Message)
		}
		return agreement.Signature{}, err
	}
	return sig, nil
}

// verifyFlow verifies every signature on f against f's terms and its log as stored (SIGN-4,
// LOG-3): it loads the log entries the way verifiedLog does, resolves each signature's key ID
// (platform keys from the store, others through the host's key ring) and calls
// agreement.VerifySignatures. A key ID nobody knows makes that signature fail
// (signature.unknown_key); any other failure to resolve a key (a store or KMS error) is the
// error.
func (u *uow) verifyFlow(f agreement.Flow) (agreement.SignatureReport, error) {
	entries, _, err := findAll[agreement.LogEntry](u, kindLogEntry, key("subject", f.ID.String()))
	if err != nil {
		return agreement.SignatureReport{}, err
	}
	keys := make(map[string]agreement.PublicKey, 2)
	unknown := make(map[string]error)
	for _, s := range f.Signatures {
		id := s.Statement.KeyID
		if _, ok := keys[id]; ok {
			continue
		}
		if _, ok := unknown[id]; ok {
			continue
		}
		k, err := u.publicKey(id)
		switch {
		case isNotFound(err):
			unknown[id] = errors.New("no key of that ID is known")
		case err != nil:
			return agreement.SignatureReport{}, fmt.Errorf("isg: resolving signing key %q: %w", id, err)
		default:
			keys[id] = k
		}
	}
	return agreement.VerifySignatures(f, f.Signatures, entries, func(id string) (agreement.PublicKey, error) {
		if k, ok := keys[id]; ok {
			return k, nil
		}
		if err := unknown[id]; err != nil {
			return agreement.PublicKey{}, err
		}
		return agreement.PublicKey{}, errors.New("no key of that ID is known")
	}), nil
}

// RotateSigningKey retires the platform's current signing key and makes a new one (SIGN-4):
// the ManageSigningKeys row, at the platform (Central Admin). New signatures made with the
// platform key use the new key; the retired one stays in the store, so every signature made
// with it still verifies. Without a current key (none made yet) it just makes one. It does not
// touch a host's own keys (WithSigners, WithKeyRing), which the host rotates itself.
//
// Errors: ErrForbidden ("forbidden", SIGN-4) unless the actor is a Central Admin; ErrConflict
// when another rotation won (retried); a store error.
func (g *Gateway) RotateSigningKey(ctx context.Context, actor Actor) (SigningKey, error) {
	return run(ctx, g, platformRotateSigningKey, actor, noInput{})
}

var platformRotateSigningKey = &command[noInput, SigningKey]{
	name: "platform.rotate_signing_key", doc: "Retire the platform signing key and make a new one (SIGN-4).", row: ManageSigningKeys, rule: "SIGN-4", reach: platform,
	apply: func(c *call[noInput]) (SigningKey, error) {
		old, version, err := c.currentPlatformKey()
		if err != nil {
			return SigningKey{}, err
		}
		if old.ID != "" {
			old.RetiredAt, old.RetiredBy = c.now, c.actor.User
			if _, err := c.save(kindSigningKey, old.ID, version, old, old.keys()...); err != nil {
				return SigningKey{}, err
			}
		}
		k, err := c.newPlatformKey(c.actor.User)
		if err != nil {
			return SigningKey{}, err
		}
		return k.view()
	},
}

// SigningKeys lists the platform's signing keys, current and retired, oldest first, with their
// public halves (SIGN-4): what a verifier outside the platform needs to check a signature
// itself (docs/signatures.md). Any signed-in, active user may read them. A host's own keys
// (WithKeyRing) are the host's to publish.
//
// Errors: ErrForbidden for an actor who is not signed in and active; ErrInvalid for a bad page.
func (g *Gateway) SigningKeys(ctx context.Context, actor Actor, in ListPage) (Listing[SigningKey], error) {
	return run(ctx, g, platformSigningKeys, actor, in)
}

var platformSigningKeys = &command[ListPage, Listing[SigningKey]]{
	name: "platform.signing_keys", doc: "List the platform signing keys with their public halves (SIGN-4).", rule: "SIGN-4", reach: signedIn, query: true,
	apply: func(c *call[ListPage]) (Listing[SigningKey], error) {
		return listKey(c.uow, kindSigningKey, signingKeysAll, c.in, func(r Record) (SigningKey, error) {
			k, err := decodeRecord[platformKey](r)
			if err != nil {
				return SigningKey{}, err
			}
			return k.view()
		})
	},
}

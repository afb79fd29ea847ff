package isg_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/scenario"
	"github.com/isgkit/gateway/storage/memory"
)

// signingFixture is two organisations, North (Ann, its Administrator, signs as a Senior
// Officer) and South (Ben), sharing a finalised flow created by North.
type signingFixture struct {
	w          *world
	ann, ben   isg.UserID
	north      isg.OrgID
	south      isg.OrgID
	flow       agreement.FlowID
	annSigns   agreement.Signatory
	benSigns   agreement.Signatory
	annAtNorth isg.Actor
	benAtSouth isg.Actor
}

// finalisedFlow creates and finalises a flow between the two organisations through the
// Gateway's commands; a flow without personal data is finalised straight from Draft (FLOW-4).
func (s *signingFixture) finalisedFlow(name string) agreement.FlowID {
	s.w.t.Helper()
	sum, err := s.w.g.SaveSummary(ctx, s.annAtNorth, isg.SummaryInput{SummaryTerms: summaryTerms(s.north, s.south)})
	require.NoError(s.w.t, err)
	terms := agreement.FlowTerms{Name: name, Parties: []isg.OrgID{s.north, s.south}, Direction: agreement.OneWay,
		From: []isg.OrgID{s.north}, To: []isg.OrgID{s.south}, Frequency: agreement.Monthly, TransferMode: agreement.SFTP,
		Controls: []string{"Aggregated only"}}
	f, err := s.w.g.CreateFlow(ctx, s.annAtNorth, isg.CreateFlowInput{Summary: sum.ID, FlowTerms: terms})
	require.NoError(s.w.t, err)
	_, err = s.w.g.FinaliseFlow(ctx, s.annAtNorth, isg.ByID[agreement.FlowID]{ID: f.ID})
	require.NoError(s.w.t, err)
	return f.ID
}

func newSigningFixture(t *testing.T, w *world) *signingFixture {
	t.Helper()
	s := &signingFixture{w: w}
	s.ann, s.ben = w.user("ann@north.gov.uk"), w.user("ben@south.gov.uk")
	s.north, s.south = w.org(s.ann, "North"), w.org(s.ben, "South")
	s.annAtNorth, s.benAtSouth = isg.Actor{User: s.ann, Org: s.north}, isg.Actor{User: s.ben, Org: s.south}
	s.annSigns = agreement.Signatory{User: s.ann, Role: "senior_officer", Org: s.north}
	s.benSigns = agreement.Signatory{User: s.ben, Role: "senior_officer", Org: s.south}
	s.flow = s.finalisedFlow("Statistics")
	return s
}

// TestPlatformKeySignsByDefaultSIGN4: SIGN-4 — with no signers plugged in, the Gateway signs with
// one platform Ed25519 key, made on first use and kept in the store; the signature recorded on
// the flow verifies against the flow and its stored log, and the platform's public key is
// published for verifiers outside the platform.
func TestPlatformKeySignsByDefaultSIGN4(t *testing.T) {
	clock := scenario.NewClock(t0)
	s := newSigningFixture(t, newWorld(t, isg.WithClock(clock)))
	clock.Advance(90 * time.Second)
	keys, err := s.w.g.SigningKeys(ctx, s.annAtNorth, isg.ListPage{})
	require.NoError(t, err)
	assert.Zero(t, keys.Total, "no key before the first signature")

	sig, err := isg.SignForTest(ctx, s.w.g, s.annAtNorth, s.flow, s.annSigns)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(sig.Statement.KeyID, isg.PlatformKeyPrefix), sig.Statement.KeyID)
	assert.Equal(t, agreement.AlgEd25519, sig.Algorithm)
	assert.Equal(t, s.annSigns, sig.Statement.Signatory)
	assert.Equal(t, t0.Add(90*time.Second), sig.Statement.SignedAt, "signed at the unit's time")

	r, err := isg.VerifyFlowForTest(ctx, s.w.g, s.flow)
	require.NoError(t, err)
	assert.True(t, r.Valid, "%+v", r)
	require.Len(t, r.Checks, 1)
	assert.Equal(t, agreement.SignatureCheck{Org: s.north, User: s.ann, KeyID: sig.Statement.KeyID, Valid: true}, r.Checks[0])

	log, err := s.w.g.FlowLog(ctx, s.annAtNorth, isg.ByID[agreement.FlowID]{ID: s.flow})
	require.NoError(t, err)
	assert.True(t, log.Verified, "LOG-3: the recorded signature is logged: %s", log.Problem)
	assert.Equal(t, "signatures", log.Entries[len(log.Entries)-1].Field)

	second, err := isg.SignForTest(ctx, s.w.g, s.benAtSouth, s.flow, s.benSigns)
	require.NoError(t, err)
	assert.Equal(t, sig.Statement.KeyID, second.Statement.KeyID, "one platform key")

	keys, err = s.w.g.SigningKeys(ctx, s.benAtSouth, isg.ListPage{})
	require.NoError(t, err)
	require.Len(t, keys.Items, 1)
	k := keys.Items[0]
	assert.Equal(t, sig.Statement.KeyID, k.ID)
	assert.True(t, k.Current)
	pub, err := x509.ParsePKIXPublicKey(k.PublicKey)
	require.NoError(t, err)
	in, err := second.Statement.SigningInput()
	require.NoError(t, err)
	assert.True(t, ed25519.Verify(pub.(ed25519.PublicKey), in, second.Value), "verifiable outside the platform with the published key")
	raw, err := json.Marshal(k)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "seed", "the private half is never shown")
}

// TestTamperedFlowRecordCaughtSIGN4: SIGN-4, LOG-3 — a term changed in the store behind the
// Gateway's back after signing is caught by verification, naming the signature and the reason.
func TestTamperedFlowRecordCaughtSIGN4(t *testing.T) {
	store := memory.New()
	g, err := isg.New(store, cheapPasswords)
	require.NoError(t, err)
	s := newSigningFixture(t, &world{t: t, g: g})
	_, err = isg.SignForTest(ctx, g, s.annAtNorth, s.flow, s.annSigns)
	require.NoError(t, err)

	require.NoError(t, store.Update(ctx, func(tx isg.Tx) error {
		rec, err := tx.Get(ctx, "flow", s.flow.String())
		if err != nil {
			return err
		}
		var doc map[string]any
		if err := json.Unmarshal(rec.Body, &doc); err != nil {
			return err
		}
		doc["frequency"] = "daily"
		if rec.Body, err = json.Marshal(doc); err != nil {
			return err
		}
		_, err = tx.Put(ctx, rec)
		return err
	}))
	r, err := isg.VerifyFlowForTest(ctx, g, s.flow)
	require.NoError(t, err)
	assert.False(t, r.Valid)
	require.Len(t, r.Checks, 1)
	assert.Equal(t, s.north, r.Checks[0].Org)
	assert.Equal(t, agreement.CodeSignatureTermsChanged, r.Checks[0].Code)
}

// TestRotatedPlatformKeyKeepsOldSignaturesSIGN4: SIGN-4 — after Central Admin rotates the
// platform key, new signatures use the new key and those made before still verify; only
// Central Admin rotates (the ManageSigningKeys row).
func TestRotatedPlatformKeyKeepsOldSignaturesSIGN4(t *testing.T) {
	w := newWorld(t)
	s := newSigningFixture(t, w)
	before, err := isg.SignForTest(ctx, w.g, s.annAtNorth, s.flow, s.annSigns)
	require.NoError(t, err)

	_, err = w.g.RotateSigningKey(ctx, s.annAtNorth)
	assert.Equal(t, "forbidden", isg.ErrorCode(err), "only Central Admin rotates")
	rotated, err := w.g.RotateSigningKey(ctx, isg.Actor{User: w.ca})
	require.NoError(t, err)
	assert.NotEqual(t, before.Statement.KeyID, rotated.ID)
	assert.True(t, rotated.Current)
	assert.Equal(t, w.ca, rotated.CreatedBy)

	after, err := isg.SignForTest(ctx, w.g, s.benAtSouth, s.flow, s.benSigns)
	require.NoError(t, err)
	assert.Equal(t, rotated.ID, after.Statement.KeyID, "new signatures use the new key")

	r, err := isg.VerifyFlowForTest(ctx, w.g, s.flow)
	require.NoError(t, err)
	assert.True(t, r.Valid, "%+v", r)
	require.Len(t, r.Checks, 2)
	assert.Equal(t, before.Statement.KeyID, r.Checks[0].KeyID)

	keys, err := w.g.SigningKeys(ctx, isg.Actor{User: w.ca}, isg.ListPage{})
	require.NoError(t, err)
	require.Len(t, keys.Items, 2)
	assert.False(t, keys.Items[0].Current)
	assert.Equal(t, w.ca, keys.Items[0].RetiredBy)
	assert.True(t, keys.Items[1].Current)
}

// cardSigners is a host's per-user signers: each user with a card signs with their own P-256
// key (a smartcard or a per-user KMS key); users without one sign with the platform key. Its
// key ring records whose each key is.
type cardSigners struct {
	mu    sync.Mutex
	cards map[isg.UserID]*ecdsa.PrivateKey
	ring  map[string]agreement.PublicKey
	// lie, when set, makes the ring record every card as belonging to this user.
	lie isg.UserID
}

func cardID(u isg.UserID) string { return "card-" + u.String() }

func (c *cardSigners) SignerFor(_ context.Context, who agreement.Signatory) (string, crypto.Signer, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.cards[who.User]
	if !ok {
		return "", nil, isg.ErrUsePlatformKey
	}
	return cardID(who.User), k, nil
}

func (c *cardSigners) PublicKey(_ context.Context, id string) (agreement.PublicKey, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.ring[id]
	if !ok {
		return agreement.PublicKey{}, isg.ErrNotFound
	}
	if !c.lie.IsZero() {
		k.User = c.lie
	}
	return k, nil
}

func (c *cardSigners) issue(u isg.UserID, org isg.OrgID) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cards[u] = k
	c.ring[cardID(u)] = agreement.PublicKey{ID: cardID(u), Key: k.Public(), User: u, Org: org}
}

// TestHostPerUserSignersSIGN4: SIGN-4 — a host plugs in per-user signers so that the signature
// creation data stays under the signatory's sole control: the Gateway signs with the user's own
// key (ECDSA P-256 here, through crypto.Signer), the key ring binds each key to its user, and
// the flow's signatures — one with a card, one with the platform key for a user without one —
// verify. A key ring binding a card to someone else makes the Gateway refuse the signature
// rather than record one that would never verify; signers without a key ring are refused at New.
func TestHostPerUserSignersSIGN4(t *testing.T) {
	host := &cardSigners{cards: map[isg.UserID]*ecdsa.PrivateKey{}, ring: map[string]agreement.PublicKey{}}
	w := newWorld(t, isg.WithSigners(host), isg.WithKeyRing(host))
	s := newSigningFixture(t, w)
	host.issue(s.ann, s.north)

	annSig, err := isg.SignForTest(ctx, w.g, s.annAtNorth, s.flow, s.annSigns)
	require.NoError(t, err)
	assert.Equal(t, cardID(s.ann), annSig.Statement.KeyID)
	assert.Equal(t, agreement.AlgECDSAP256SHA256, annSig.Algorithm)
	benSig, err := isg.SignForTest(ctx, w.g, s.benAtSouth, s.flow, s.benSigns)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(benSig.Statement.KeyID, isg.PlatformKeyPrefix), "ErrUsePlatformKey: Ben has no card")

	r, err := isg.VerifyFlowForTest(ctx, w.g, s.flow)
	require.NoError(t, err)
	assert.True(t, r.Valid, "%+v", r)

	// The ring now says Ann's card is Ben's: her signature no longer verifies, and a new one is
	// refused when made.
	host.mu.Lock()
	host.lie = s.ben
	host.mu.Unlock()
	r, err = isg.VerifyFlowForTest(ctx, w.g, s.flow)
	require.NoError(t, err)
	assert.False(t, r.Valid)
	assert.Equal(t, agreement.CodeSignatureKeyNotSignatory, r.Checks[0].Code)
	assert.True(t, r.Checks[1].Valid, "the platform key's signature is unaffected")
	other := s.finalisedFlow("Another")
	_, err = isg.SignForTest(ctx, w.g, s.annAtNorth, other, s.annSigns)
	assert.Equal(t, agreement.CodeSignatureKeyNotSignatory, isg.ErrorCode(err))

	// A card the ring does not know: refused when made, reported unknown when verified.
	host.mu.Lock()
	host.lie = isg.UserID{}
	delete(host.ring, cardID(s.ann))
	host.mu.Unlock()
	_, err = isg.SignForTest(ctx, w.g, s.annAtNorth, other, s.annSigns)
	assert.Equal(t, agreement.CodeSignatureUnknownKey, isg.ErrorCode(err))
	r, err = isg.VerifyFlowForTest(ctx, w.g, s.flow)
	require.NoError(t, err)
	assert.Equal(t, agreement.CodeSignatureUnknownKey, r.Checks[0].Code)

	_, err = isg.New(memory.New(), isg.WithSigners(host))
	assert.Error(t, err, "signers need a key ring")
}

// failingRing is a key ring whose KMS is down.
type failingRing struct{}

var errKMSDown = errors.New("kms unavailable")

func (failingRing) PublicKey(context.Context, string) (agreement.PublicKey, error) {
	return agreement.PublicKey{}, errKMSDown
}

// TestKeyRingFailureIsAnErrorNotAVerdictSIGN4: SIGN-4 — a key ring that fails (rather than not
// knowing a key) fails verification with its error instead of reporting the signature bad.
func TestKeyRingFailureIsAnErrorNotAVerdictSIGN4(t *testing.T) {
	host := &cardSigners{cards: map[isg.UserID]*ecdsa.PrivateKey{}, ring: map[string]agreement.PublicKey{}}
	store := memory.New()
	g, err := isg.New(store, cheapPasswords, isg.WithSigners(host), isg.WithKeyRing(host))
	require.NoError(t, err)
	s := newSigningFixture(t, &world{t: t, g: g})
	host.issue(s.ann, s.north)
	_, err = isg.SignForTest(ctx, g, s.annAtNorth, s.flow, s.annSigns)
	require.NoError(t, err)

	down, err := isg.New(store, cheapPasswords, isg.WithSigners(host), isg.WithKeyRing(failingRing{}))
	require.NoError(t, err)
	_, err = isg.VerifyFlowForTest(ctx, down, s.flow)
	assert.ErrorIs(t, err, errKMSDown)
}

// TestInterleavedFirstSignaturesMakeOnePlatformKeySIGN4: SIGN-4 — two signatures made at once
// on a store with no platform key yet, the second committing while the first has found no key,
// end with exactly one platform key, which both signatures name.
func TestInterleavedFirstSignaturesMakeOnePlatformKeySIGN4(t *testing.T) {
	onEachStore(t, true, func(t *testing.T, w *world, p *pausingStore) {
		s := newSigningFixture(t, w)
		second := s.finalisedFlow("Second")
		var a, b agreement.Signature
		errA, errB := interleave(t, p, "signing_key", "current",
			func() (err error) {
				a, err = isg.SignForTest(ctx, w.g, s.annAtNorth, s.flow, s.annSigns)
				return err
			},
			func() (err error) {
				b, err = isg.SignForTest(ctx, w.g, s.annAtNorth, second, s.annSigns)
				return err
			})
		require.NoError(t, errA)
		require.NoError(t, errB)
		keys, err := w.g.SigningKeys(ctx, s.annAtNorth, isg.ListPage{})
		require.NoError(t, err)
		require.Equal(t, 1, keys.Total, "exactly one platform key")
		assert.Equal(t, keys.Items[0].ID, a.Statement.KeyID)
		assert.Equal(t, keys.Items[0].ID, b.Statement.KeyID)
		for _, f := range []agreement.FlowID{s.flow, second} {
			r, err := isg.VerifyFlowForTest(ctx, w.g, f)
			require.NoError(t, err)
			assert.True(t, r.Valid, "%+v", r)
		}
	})
}

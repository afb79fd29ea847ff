package agreement_test

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
)

// logged is a flow with its transaction log, kept the way the Gateway keeps them: every change
// diffed, appended to the log (LOG-1, LOG-2) and the head moved on.
type logged struct {
	f   agreement.Flow
	log []agreement.LogEntry
	at  time.Time
}

// apply records next as the flow's new value, logging what changed in actor's name.
func (l *logged) apply(t tb, actor agreement.Actor, next agreement.Flow) {
	t.Helper()
	changes, err := agreement.Diff(l.f, next)
	require.NoError(t, err)
	var entries []agreement.LogEntry
	entries, next.Log = agreement.Append(l.f.Log, next.ID.UUID, changes, actor.User, actor.Org, l.at)
	l.log = append(l.log, entries...)
	l.f = next
	l.at = l.at.Add(time.Minute)
}

// finalised builds the world's flow, reviewed by the council's DPO, approved and finalised, with
// its log: the flow a sign-off starts from.
func finalised(t tb) (*world, agreement.Summary, *logged) {
	t.Helper()
	w := newWorld()
	m := agreement.NewFlowMachine()
	s := w.summary(t)
	l := &logged{at: w.now}
	l.apply(t, w.officer, w.flow(t, s))
	f, _, err := m.RequestReview(l.f, w.officer, l.at, agreement.ReviewRequest{
		DPOs: []agreement.Reviewer{{DPO: w.councilDPO.User, Org: w.council}}, ReviewBy: w.now.AddDate(0, 0, 14)})
	require.NoError(t, err)
	l.apply(t, w.officer, f)
	f, _, err = m.Approve(l.f, w.councilDPO, l.at, agreement.Verdict{Details: "fine"})
	require.NoError(t, err)
	l.apply(t, w.councilDPO, f)
	f, _, err = m.Finalise(l.f, w.officer, l.at)
	require.NoError(t, err)
	l.apply(t, w.officer, f)
	return w, s, l
}

// testKey is a deterministic Ed25519 key for tests, made from a label.
func testKey(label string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("isg test key: " + label))
	return ed25519.NewKeyFromSeed(seed[:])
}

// signAs signs the logged flow for who with signer under keyID, as the Gateway does.
func signAs(t tb, l *logged, who agreement.Signatory, signer crypto.Signer, keyID string) agreement.Signature {
	t.Helper()
	st, err := agreement.NewStatement(l.f, who, l.at, keyID)
	require.NoError(t, err)
	sig, err := agreement.Sign(st, signer, rand.Reader)
	require.NoError(t, err)
	return sig
}

// record stores the signature on the flow and logs it, as the sign command will.
func (l *logged) record(t tb, actor agreement.Actor, sig agreement.Signature) {
	t.Helper()
	next := l.f.Clone()
	next.Signatures = append(next.Signatures, sig)
	l.apply(t, actor, next)
}

// platformKey is a key that may sign for anyone.
func platformKey(id string, k crypto.Signer) agreement.PublicKey {
	return agreement.PublicKey{ID: id, Key: k.Public()}
}

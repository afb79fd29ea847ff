package agreement_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
)

// finalised is the world's referral flow (trust → council), approved by the council's DPO and
// finalised by the trust.
func (w *world) finalised(t testing.TB, m *agreement.FlowMachine) (agreement.Summary, agreement.Flow) {
	t.Helper()
	s, f := w.inReview(t, m)
	f, _, err := m.Approve(f, w.councilDPO, w.now, agreement.Verdict{})
	require.NoError(t, err)
	f, _, err = m.Finalise(f, w.officer, w.now)
	require.NoError(t, err)
	return s, f
}

// statementFor is a signature of f by actor at time at as the Gateway makes one; the value is a
// stand-in, since the machine checks only that the signature is of this act (the crypto is
// proven in signature_test.go).
func statementFor(f agreement.Flow, actor agreement.Actor, at time.Time) agreement.Signature {
	return agreement.Signature{Statement: agreement.Statement{
		Format: agreement.SignatureFormat, Flow: f.ID, Summary: f.SummaryID, Rev: f.Rev,
		Signatory: agreement.Signatory{User: actor.User, Role: "senior_officer", Org: actor.Org},
		SignedAt:  at, TermsHash: "terms", LogHead: f.Log, KeyID: "k1",
	}, Algorithm: "Ed25519", Value: []byte{1, 2, 3}}
}

func sign(m *agreement.FlowMachine, f agreement.Flow, a agreement.Actor, at time.Time) (agreement.Flow, []agreement.Event, error) {
	return m.Sign(f, a, at, statementFor(f, a, at))
}

// TestSignOffOnlyWhenFinalised: SIGN-1 — only a finalised flow goes to sign-off, and signing
// needs a request naming the signer.
func TestSignOffOnlyWhenFinalised(t *testing.T) {
	w, m := newWorld(), agreement.NewFlowMachine()
	s, draft := w.inReview(t, m)
	_ = s
	ask := agreement.SignOffInput{Signers: []agreement.Signer{{User: w.officer.User, Org: w.trust}}}
	_, _, err := m.RequestSignOff(draft, w.officer, w.now, ask)
	assert.ErrorIs(t, err, agreement.ErrInvalidTransition, "SIGN-1: a flow under review is not signed off")
	_, _, err = sign(m, draft, w.officer, w.now)
	assert.ErrorIs(t, err, agreement.ErrInvalidTransition, "SIGN-1: nor signed")

	_, f := w.finalised(t, m)
	_, _, err = sign(m, f, w.officer, w.now)
	assertCode(t, err, agreement.ErrForbidden, agreement.CodeNotSignatory)

	_, _, err = m.RequestSignOff(f, w.stranger, w.now, ask)
	assertCode(t, err, agreement.ErrForbidden, agreement.CodeNotParty)

	f2, events, err := m.RequestSignOff(f, w.officer, w.now, agreement.SignOffInput{
		Signers:  []agreement.Signer{{User: w.officer.User, Org: w.trust}, {User: w.councilOfficer.User, Org: w.council}},
		Comments: "Please sign by Friday", SignBy: w.now.AddDate(0, 0, 4)})
	require.NoError(t, err)
	assert.Equal(t, agreement.Finalised, f2.State)
	require.Len(t, events, 1)
	e := events[0]
	assert.Equal(t, agreement.EventSignOffRequested, e.Type)
	assert.Equal(t, "Please sign by Friday", e.Note, "SIGN-1: the requester's comments go with the notification")
	assert.Len(t, e.Signers, 2)
	assert.Empty(t, f.SignOff, "the input flow is untouched")

	// A user asked for one organisation does not sign for another.
	_, _, err = sign(m, f2, agreement.Actor{User: w.officer.User, Org: w.council}, w.now)
	assertCode(t, err, agreement.ErrForbidden, agreement.CodeNotSignatory)
}

// TestSignOffRequestInput: SIGN-1 — signers are users at organisations named in the flow, each
// once, with a sign-by date (SIGN-3) in the future.
func TestSignOffRequestInput(t *testing.T) {
	w, m := newWorld(), agreement.NewFlowMachine()
	_, f := w.finalised(t, m)
	tests := []struct {
		name string
		in   agreement.SignOffInput
		want []string
	}{
		{"none", agreement.SignOffInput{}, []string{"signers/min"}},
		{"not a party", agreement.SignOffInput{Signers: []agreement.Signer{{User: w.policeOfficer.User, Org: w.police}}}, []string{"signers[0].org/not_party"}},
		{"no user", agreement.SignOffInput{Signers: []agreement.Signer{{Org: w.trust}}}, []string{"signers[0].user/required"}},
		{"twice", agreement.SignOffInput{Signers: []agreement.Signer{{User: w.officer.User, Org: w.trust}, {User: w.officer.User, Org: w.trust}}}, []string{"signers[1]/duplicate"}},
		{"past", agreement.SignOffInput{Signers: []agreement.Signer{{User: w.officer.User, Org: w.trust}}, SignBy: w.now}, []string{"sign_by/not_future"}},
		{"enforced without date", agreement.SignOffInput{Signers: []agreement.Signer{{User: w.officer.User, Org: w.trust}}, EnforceSignBy: true}, []string{"sign_by/required_with"}},
	}
	for _, tt := range tests {
		t.Run("SIGN-1 "+tt.name, func(t *testing.T) {
			_, _, err := m.RequestSignOff(f, w.officer, w.now, tt.in)
			require.ErrorIs(t, err, agreement.ErrInvalid)
			assert.Equal(t, tt.want, fieldCodes(t, err))
		})
	}
}

// TestOneSignaturePerOrganisation: SIGN-2 — one signature per organisation is enough, a second
// is refused, and the flow is Signed when every current party has signed.
func TestOneSignaturePerOrganisation(t *testing.T) {
	w, m := newWorld(), agreement.NewFlowMachine()
	_, f := w.finalised(t, m)
	trust2 := agreement.Actor{User: w.user(), Org: w.trust}
	f, _, err := m.RequestSignOff(f, w.officer, w.now, agreement.SignOffInput{Signers: []agreement.Signer{
		{User: w.officer.User, Org: w.trust}, {User: trust2.User, Org: w.trust}, {User: w.councilOfficer.User, Org: w.council}}})
	require.NoError(t, err)

	f, events, err := sign(m, f, w.officer, w.now)
	require.NoError(t, err)
	assert.Equal(t, agreement.Finalised, f.State, "the council has not signed yet")
	assert.Equal(t, []agreement.EventType{agreement.EventOrgSigned}, eventTypes(events))
	assert.Equal(t, w.officer.User, events[0].Requester)
	assert.Equal(t, []agreement.OrgID{w.council}, f.Unsigned())

	_, _, err = sign(m, f, trust2, w.now)
	assertCode(t, err, agreement.ErrInvalidTransition, agreement.CodeAlreadySigned)

	_, _, err = m.RequestSignOff(f, w.officer, w.now, agreement.SignOffInput{Signers: []agreement.Signer{{User: trust2.User, Org: w.trust}}})
	assert.Equal(t, []string{"signers[0].org/already_signed"}, fieldCodes(t, err), "an organisation that signed is not asked again")

	f, events, err = sign(m, f, w.councilOfficer, w.now.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, agreement.Signed, f.State, "SIGN-2: every party signed")
	assert.Equal(t, []agreement.EventType{agreement.EventOrgSigned, agreement.EventFlowSigned}, eventTypes(events))
	assert.True(t, f.FullySigned())
	assert.Len(t, f.Signatures, 2)

	_, _, err = sign(m, f, trust2, w.now)
	assertCode(t, err, agreement.ErrInvalidTransition, agreement.CodeAlreadySigned)
}

// TestSignByDate: SIGN-3 — enforced, signing after the date is refused; not enforced, it is
// allowed, marked late, and the requester told.
func TestSignByDate(t *testing.T) {
	w, m := newWorld(), agreement.NewFlowMachine()
	_, f := w.finalised(t, m)
	by := w.now.AddDate(0, 0, 7)
	ask := func(enforced bool) agreement.Flow {
		g, _, err := m.RequestSignOff(f, w.councilOfficer, w.now, agreement.SignOffInput{
			Signers: []agreement.Signer{{User: w.officer.User, Org: w.trust}}, SignBy: by, EnforceSignBy: enforced})
		require.NoError(t, err)
		return g
	}
	enforced, open := ask(true), ask(false)

	_, _, err := sign(m, enforced, w.officer, by)
	require.NoError(t, err, "SIGN-3: on the date itself is in time")
	_, _, err = sign(m, enforced, w.officer, by.Add(time.Second))
	assertCode(t, err, agreement.ErrRule, agreement.CodeSignByPassed)

	g, events, err := sign(m, open, w.officer, by.Add(time.Second))
	require.NoError(t, err, "SIGN-3: not enforced, a late signature is allowed")
	assert.True(t, g.Signatures[0].Late)
	assert.Equal(t, []agreement.EventType{agreement.EventOrgSigned, agreement.EventSignedLate}, eventTypes(events))
	assert.Equal(t, w.councilOfficer.User, events[1].Requester, "the requester is told it was late")

	g, _, err = sign(m, open, w.officer, by)
	require.NoError(t, err)
	assert.False(t, g.Signatures[0].Late)
}

// TestSignatureMustBeOfThisAct: SIGN-4 — the machine records only a signature over this flow's
// current revision and log head, by the actor, at the time of signing.
func TestSignatureMustBeOfThisAct(t *testing.T) {
	w, m := newWorld(), agreement.NewFlowMachine()
	_, f := w.finalised(t, m)
	f, _, err := m.RequestSignOff(f, w.officer, w.now, agreement.SignOffInput{Signers: []agreement.Signer{{User: w.officer.User, Org: w.trust}}})
	require.NoError(t, err)
	require.NoError(t, m.CheckSign(f, w.officer, w.now))
	assertCode(t, m.CheckSign(f, w.councilOfficer, w.now), agreement.ErrForbidden, agreement.CodeNotSignatory)
	tamper := map[string]func(*agreement.Signature){
		"format":    func(s *agreement.Signature) { s.Statement.Format = "other/1" },
		"flow":      func(s *agreement.Signature) { s.Statement.Flow = agreement.FlowID{UUID: w.uuid()} },
		"rev":       func(s *agreement.Signature) { s.Statement.Rev++ },
		"signatory": func(s *agreement.Signature) { s.Statement.Signatory.User = w.councilOfficer.User },
		"org":       func(s *agreement.Signature) { s.Statement.Signatory.Org = w.council },
		"time":      func(s *agreement.Signature) { s.Statement.SignedAt = w.now.Add(time.Minute) },
		"log head":  func(s *agreement.Signature) { s.Statement.LogHead.Count++ },
		"value":     func(s *agreement.Signature) { s.Value = nil },
		"key":       func(s *agreement.Signature) { s.Statement.KeyID = "" },
	}
	for name, change := range tamper {
		t.Run("SIGN-4 "+name, func(t *testing.T) {
			sig := statementFor(f, w.officer, w.now)
			change(&sig)
			_, _, err := m.Sign(f, w.officer, w.now, sig)
			assertCode(t, err, agreement.ErrInvalid, agreement.CodeSignatureMismatch)
		})
	}
}

// TestPartyAddedAfterSigning: FLOW-12 — a party added to a finalised, partly signed flow is asked
// to sign; the signatures made stay, and the flow is Signed only when the new party signs too.
func TestPartyAddedAfterSigning(t *testing.T) {
	w, m := newWorld(), agreement.NewFlowMachine()
	s, f := w.finalised(t, m)
	f, _, err := m.RequestSignOff(f, w.officer, w.now, agreement.SignOffInput{Signers: []agreement.Signer{{User: w.officer.User, Org: w.trust}}})
	require.NoError(t, err)
	f, _, err = sign(m, f, w.officer, w.now)
	require.NoError(t, err)

	f, _, err = agreement.AddParty(f, s, w.officer, w.now, w.police, agreement.SideTo)
	require.NoError(t, err)
	assert.Len(t, f.Signatures, 1, "FLOW-12: the trust's signature is kept")
	assert.Equal(t, []agreement.OrgID{w.council, w.police}, f.Unsigned())

	f, _, err = m.RequestSignOff(f, w.officer, w.now, agreement.SignOffInput{Signers: []agreement.Signer{
		{User: w.councilOfficer.User, Org: w.council}, {User: w.policeOfficer.User, Org: w.police}}})
	require.NoError(t, err)
	f, _, err = sign(m, f, w.councilOfficer, w.now)
	require.NoError(t, err)
	assert.Equal(t, agreement.Finalised, f.State, "the police have not signed")
	f, _, err = sign(m, f, w.policeOfficer, w.now)
	require.NoError(t, err)
	assert.Equal(t, agreement.Signed, f.State)

	_, _, err = agreement.AddParty(f, s, w.officer, w.now, w.outsider, agreement.SideTo)
	assertCode(t, err, agreement.ErrInvalidTransition, agreement.CodeNotFinalised)
}

// TestWetSignature: SIGN-5 — a party attaches one wet-signed scan to a finalised or signed flow;
// it is kept as evidence and does not count as the organisation's signature.
func TestWetSignature(t *testing.T) {
	w, m := newWorld(), agreement.NewFlowMachine()
	s, draft := w.inReview(t, m)
	_ = s
	doc := agreement.DocumentID{UUID: w.uuid()}
	_, _, err := m.AttachWetSignature(draft, w.officer, w.now, doc)
	assert.ErrorIs(t, err, agreement.ErrInvalidTransition, "SIGN-5: only to a finalised flow")

	_, f := w.finalised(t, m)
	_, _, err = m.AttachWetSignature(f, w.stranger, w.now, doc)
	assertCode(t, err, agreement.ErrForbidden, agreement.CodeNotParty)
	_, _, err = m.AttachWetSignature(f, w.officer, w.now, agreement.DocumentID{})
	assert.Equal(t, []string{"document/required"}, fieldCodes(t, err))

	g, events, err := m.AttachWetSignature(f, w.councilOfficer, w.now, doc)
	require.NoError(t, err)
	assert.Equal(t, []agreement.WetSignature{{Org: w.council, Document: doc, AttachedBy: w.councilOfficer.User, AttachedAt: w.now}}, g.WetSignatures)
	assert.Equal(t, []agreement.EventType{agreement.EventWetSignatureAttached}, eventTypes(events))
	assert.Equal(t, agreement.Finalised, g.State, "a scan is not an electronic signature")
	assert.Equal(t, []agreement.OrgID{w.trust, w.council}, g.Unsigned())

	_, _, err = m.AttachWetSignature(g, w.councilOfficer, w.now, agreement.DocumentID{UUID: w.uuid()})
	assertCode(t, err, agreement.ErrInvalidTransition, agreement.CodeAlreadyWetSigned)
}

// assertCode checks that err is of kind and carries code.
func assertCode(t testing.TB, err error, kind error, code string) {
	t.Helper()
	require.ErrorIs(t, err, kind)
	var e *agreement.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, code, e.Code)
}

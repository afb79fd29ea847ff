package isg_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/licensing"
	"github.com/isgkit/gateway/storage/memory"
)

// signOffWorld is North (creator; Ann its Administrator and Senior Officer) and South (Ben its
// Administrator and Senior Officer, Ivy its Information Asset Owner, Sam a user with no
// sign-off role) sharing one finalised flow without personal data.
type signOffWorld struct {
	*world
	north, south       isg.OrgID
	ann, ben, ivy, sam isg.UserID
	na, sb, si         isg.Actor
	flow               agreement.FlowID
}

func newSignOffWorld(t *testing.T, w *world) *signOffWorld {
	t.Helper()
	x := &signOffWorld{world: w}
	x.ann, x.ben, x.ivy, x.sam = w.user("ann@north.gov.uk"), w.user("ben@south.gov.uk"), w.user("ivy@south.gov.uk"), w.user("sam@south.gov.uk")
	x.north, x.south = w.org(x.ann, "North"), w.org(x.ben, "South")
	w.grant(x.ann, x.north, x.ann, isg.Administrator, isg.SeniorOfficer)
	w.grant(x.ben, x.south, x.ben, isg.Administrator, isg.SeniorOfficer)
	w.grant(x.ben, x.south, x.ivy, isg.InfoAssetOwner)
	w.grant(x.ben, x.south, x.sam, isg.IGOfficer)
	x.na, x.sb, x.si = isg.Actor{User: x.ann, Org: x.north}, isg.Actor{User: x.ben, Org: x.south}, isg.Actor{User: x.ivy, Org: x.south}
	s, err := w.g.SaveSummary(ctx, x.na, isg.SummaryInput{SummaryTerms: summaryTerms(x.north, x.south)})
	require.NoError(t, err)
	terms := flowTerms(x.north, x.south)
	terms.PersonalData, terms.LegalBases = false, nil
	f, err := w.g.CreateFlow(ctx, x.na, isg.CreateFlowInput{Summary: s.ID, FlowTerms: terms})
	require.NoError(t, err)
	_, err = w.g.FinaliseFlow(ctx, x.na, isg.ByID[agreement.FlowID]{ID: f.ID})
	require.NoError(t, err)
	x.flow = f.ID
	return x
}

func (x *signOffWorld) ask(t *testing.T, in agreement.SignOffInput) (isg.FlowView, error) {
	t.Helper()
	return x.g.RequestSignOff(ctx, x.na, isg.FlowStep[agreement.SignOffInput]{Flow: x.flow, Input: in})
}

func (x *signOffWorld) sign(a isg.Actor) (isg.FlowView, error) {
	return x.g.SignFlow(ctx, a, isg.ByID[agreement.FlowID]{ID: x.flow})
}

// TestSignOffThroughTheGateway: SIGN-1 — only users with a sign-off role (ROLE-2) at a party are
// asked, and they are told with the requester's comments; SIGN-2 — one signature per
// organisation, Signed when every party has signed, each party's Administrators and Senior
// Officers told; SIGN-4 — every signature verifies.
func TestSignOffThroughTheGateway(t *testing.T) {
	w := newWorld(t)
	x := newSignOffWorld(t, w)
	drain(t, w, "")

	_, err := x.ask(t, agreement.SignOffInput{Signers: []agreement.Signer{{User: x.sam, Org: x.south}, {User: x.ann, Org: x.south}}})
	assert.Equal(t, []string{"signers[0].user/not_signatory", "signers[1].user/not_signatory"}, fieldsOf(t, err), "ROLE-2")

	_, err = x.sign(x.sb)
	assert.Equal(t, "flow.not_signatory", isg.ErrorCode(err), "SIGN-1: not asked yet")

	_, err = x.ask(t, agreement.SignOffInput{Comments: "Please sign before the board meets",
		Signers: []agreement.Signer{{User: x.ann, Org: x.north}, {User: x.ben, Org: x.south}, {User: x.ivy, Org: x.south}}})
	require.NoError(t, err)
	asked := drain(t, w, string(agreement.EventSignOffRequested))
	require.Len(t, asked, 3)
	for _, n := range asked {
		assert.Equal(t, "Please sign before the board meets", n.Data["note"], "SIGN-1: the comments go with the request")
	}

	_, err = x.sign(isg.Actor{User: x.sam, Org: x.south})
	assert.ErrorIs(t, err, isg.ErrForbidden, "ROLE-2: an IG Officer does not sign")
	assert.Equal(t, "flow.not_signatory", isg.ErrorCode(err), "the flow's own, more specific refusal")

	v, err := x.sign(x.si)
	require.NoError(t, err)
	assert.Equal(t, agreement.Finalised, v.State)
	sig, ok := v.SignatureOf(x.south)
	require.True(t, ok)
	assert.Equal(t, agreement.Signatory{User: x.ivy, Role: "information_asset_owner", Org: x.south}, sig.Statement.Signatory, "SIGN-4: the signatory, role and organisation")
	_, err = x.sign(x.sb)
	assert.Equal(t, "flow.already_signed", isg.ErrorCode(err), "SIGN-2: one signature per organisation")

	v, err = x.sign(x.na)
	require.NoError(t, err)
	assert.Equal(t, agreement.Signed, v.State, "SIGN-2: every party has signed")
	signed := drain(t, w, string(agreement.EventFlowSigned))
	assert.Len(t, signed, 2, "each party's Administrator and Senior Officer (one user each here)")

	report, err := w.g.VerifySignatures(ctx, x.sb, isg.ByID[agreement.FlowID]{ID: x.flow})
	require.NoError(t, err)
	assert.True(t, report.Valid, "%+v", report)
	assert.Len(t, report.Checks, 2)
}

// TestSignByThroughTheGateway: SIGN-3 — enforced, a late signature is refused; not enforced, it
// is recorded as late and the requester told.
func TestSignByThroughTheGateway(t *testing.T) {
	clock := newClock()
	w := newWorld(t, isg.WithClock(clock))
	x := newSignOffWorld(t, w)
	by := clock.Now().Add(48 * time.Hour)
	_, err := x.ask(t, agreement.SignOffInput{SignBy: by, EnforceSignBy: true, Signers: []agreement.Signer{{User: x.ben, Org: x.south}}})
	require.NoError(t, err)
	_, err = x.ask(t, agreement.SignOffInput{SignBy: by, Signers: []agreement.Signer{{User: x.ann, Org: x.north}}})
	require.NoError(t, err)
	drain(t, w, "")
	clock.Advance(72 * time.Hour)

	_, err = x.sign(x.sb)
	assert.Equal(t, "flow.sign_by_passed", isg.ErrorCode(err))
	v, err := x.sign(x.na)
	require.NoError(t, err)
	sig, _ := v.SignatureOf(x.north)
	assert.True(t, sig.Late)
	late := drain(t, w, string(agreement.EventSignedLate))
	require.Len(t, late, 1)
	assert.Equal(t, x.ann, late[0].Recipient, "the requester is told")
}

// TestTwoSignersOfOneOrganisationAtOnce: SIGN-2 — two users of one organisation signing at once
// record exactly one signature: the second, which read the flow unsigned before the first
// committed, is retried on fresh state and refused.
func TestTwoSignersOfOneOrganisationAtOnce(t *testing.T) {
	onEachStore(t, true, func(t *testing.T, w *world, p *pausingStore) {
		x := newSignOffWorld(t, w)
		_, err := x.ask(t, agreement.SignOffInput{Signers: []agreement.Signer{{User: x.ben, Org: x.south}, {User: x.ivy, Org: x.south}}})
		require.NoError(t, err)
		errBen, errIvy := interleaveGet(t, p, "flow", x.flow.String(),
			func() error { _, err := x.sign(x.sb); return err },
			func() error { _, err := x.sign(x.si); return err })
		require.NoError(t, errIvy)
		assert.Equal(t, "flow.already_signed", isg.ErrorCode(errBen))
		v, err := w.g.Flow(ctx, x.na, isg.ByID[agreement.FlowID]{ID: x.flow})
		require.NoError(t, err)
		require.Len(t, v.Signatures, 1)
		assert.Equal(t, x.ivy, v.Signatures[0].Statement.Signatory.User)
	})
}

// TestVerificationCatchesTampering: SIGN-4, LOG-3 — a term changed in the store after signing,
// or log entries dropped with the head rewritten to match, fails verification naming the
// signature and the reason.
func TestVerificationCatchesTampering(t *testing.T) {
	for _, tamper := range []struct {
		name, code string
		change     func(t *testing.T, tx isg.Tx, flow map[string]any)
	}{
		{"a term", agreement.CodeSignatureTermsChanged, func(t *testing.T, _ isg.Tx, flow map[string]any) {
			flow["controls"] = []string{"None"}
		}},
		{"log entries dropped and the head rewritten", agreement.CodeSignatureLogMismatch, func(t *testing.T, tx isg.Tx, flow map[string]any) {
			head := flow["log"].(map[string]any)
			n := int64(head["count"].(float64))
			id := flow["id"].(string)
			// Keep only the first entry and make the head its hash, as a forger would.
			first, err := tx.Get(ctx, "log_entry", logEntryID(id, 1))
			require.NoError(t, err)
			var e agreement.LogEntry
			require.NoError(t, json.Unmarshal(first.Body, &e))
			for seq := int64(2); seq <= n; seq++ {
				rec, err := tx.Get(ctx, "log_entry", logEntryID(id, seq))
				require.NoError(t, err)
				require.NoError(t, tx.(isg.Deleter).Delete(ctx, "log_entry", rec.ID, rec.Version))
			}
			flow["log"] = map[string]any{"count": 1, "last": e.Hash}
		}},
	} {
		t.Run(tamper.name, func(t *testing.T) {
			store := memory.New()
			g, err := isg.New(store, cheapPasswords)
			require.NoError(t, err)
			w := &world{t: t, g: g}
			ca, err := g.Bootstrap(ctx, isg.BootstrapInput{Email: "support@isg.nhs.uk", Name: "S", Password: "Support#2026"})
			require.NoError(t, err)
			w.ca = ca.ID
			x := newSignOffWorld(t, w)
			_, err = x.ask(t, agreement.SignOffInput{Signers: []agreement.Signer{{User: x.ann, Org: x.north}}})
			require.NoError(t, err)
			_, err = x.sign(x.na)
			require.NoError(t, err)
			require.NoError(t, store.Update(ctx, func(tx isg.Tx) error {
				rec, err := tx.Get(ctx, "flow", x.flow.String())
				require.NoError(t, err)
				var body map[string]any
				require.NoError(t, json.Unmarshal(rec.Body, &body))
				tamper.change(t, tx, body)
				rec.Body, err = json.Marshal(body)
				require.NoError(t, err)
				_, err = tx.Put(ctx, rec)
				return err
			}))
			report, err := g.VerifySignatures(ctx, x.na, isg.ByID[agreement.FlowID]{ID: x.flow})
			require.NoError(t, err)
			assert.False(t, report.Valid)
			require.Len(t, report.Checks, 1)
			assert.Equal(t, x.north, report.Checks[0].Org, "the signature is named")
			assert.Equal(t, tamper.code, report.Checks[0].Code)
		})
	}
}

// logEntryID is the store ID of a log entry (isg's own layout, which the tampering test forges).
func logEntryID(subject string, seq int64) string { return fmt.Sprintf("%s/%020d", subject, seq) }

// TestSignByReminders: SIGN-3 — the periodic sweep reminds a signer whose organisation has not
// signed, SignByReminderLead before the sign-by date, once however often it runs; a signer whose
// organisation has signed is not reminded.
func TestSignByReminders(t *testing.T) {
	clock := newClock()
	w := newWorld(t, isg.WithClock(clock))
	x := newSignOffWorld(t, w)
	by := clock.Now().Add(5 * 24 * time.Hour)
	_, err := x.ask(t, agreement.SignOffInput{SignBy: by, Signers: []agreement.Signer{{User: x.ben, Org: x.south}, {User: x.ann, Org: x.north}}})
	require.NoError(t, err)
	_, err = x.sign(x.na)
	require.NoError(t, err)
	drain(t, w, "")

	clock.Advance(2 * 24 * time.Hour)
	res, err := w.g.Sweep(ctx)
	require.NoError(t, err)
	assert.Zero(t, res.SignByReminders, "not yet")

	clock.Set(by.Add(-agreement.SignByReminderLead))
	for range 2 {
		res, err = w.g.Sweep(ctx)
		require.NoError(t, err)
		clock.Advance(time.Hour)
	}
	reminded := drain(t, w, string(agreement.EventSignByReminder))
	require.Len(t, reminded, 1, "once, and only to the signer still to sign")
	assert.Equal(t, x.ben, reminded[0].Recipient)
	assert.Equal(t, by.Format(time.RFC3339), reminded[0].Data["sign_by"])
}

// TestSignedVariationSupersedesTheOriginal: SIGN-6 — a variation of a signed agreement takes
// effect when every party has signed it: the signature that completes it supersedes the original
// in the same command, and the original's signatures still verify.
func TestSignedVariationSupersedesTheOriginal(t *testing.T) {
	w := newWorld(t)
	x := newSignOffWorld(t, w)
	signAll := func(flow agreement.FlowID) isg.FlowView {
		t.Helper()
		_, err := w.g.RequestSignOff(ctx, x.na, isg.FlowStep[agreement.SignOffInput]{Flow: flow, Input: agreement.SignOffInput{
			Signers: []agreement.Signer{{User: x.ann, Org: x.north}, {User: x.ben, Org: x.south}}}})
		require.NoError(t, err)
		_, err = w.g.SignFlow(ctx, x.na, isg.ByID[agreement.FlowID]{ID: flow})
		require.NoError(t, err)
		v, err := w.g.SignFlow(ctx, x.sb, isg.ByID[agreement.FlowID]{ID: flow})
		require.NoError(t, err)
		return v
	}
	require.Equal(t, agreement.Signed, signAll(x.flow).State)

	variation, err := w.g.VaryFlow(ctx, x.na, isg.ByID[agreement.FlowID]{ID: x.flow})
	require.NoError(t, err)
	assert.Equal(t, agreement.Draft, variation.State)
	assert.Equal(t, x.flow, variation.VariationOf)
	terms := variation.FlowTerms
	terms.Controls = append(terms.Controls, "Quarterly audit of access")
	_, err = w.g.EditFlow(ctx, x.na, isg.FlowStep[agreement.FlowTerms]{Flow: variation.ID, Input: terms})
	require.NoError(t, err)
	_, err = w.g.FinaliseFlow(ctx, x.na, isg.ByID[agreement.FlowID]{ID: variation.ID})
	require.NoError(t, err)

	original, err := w.g.Flow(ctx, x.na, isg.ByID[agreement.FlowID]{ID: x.flow})
	require.NoError(t, err)
	assert.Equal(t, agreement.Signed, original.State, "the original stays in force until the variation is signed by all")

	assert.Equal(t, agreement.Signed, signAll(variation.ID).State)
	original, err = w.g.Flow(ctx, x.na, isg.ByID[agreement.FlowID]{ID: x.flow})
	require.NoError(t, err)
	assert.Equal(t, agreement.Superseded, original.State, "SIGN-6")
	assert.Equal(t, variation.ID, original.SupersededBy)
	report, err := w.g.VerifySignatures(ctx, x.na, isg.ByID[agreement.FlowID]{ID: x.flow})
	require.NoError(t, err)
	assert.True(t, report.Valid, "superseding changes no term, so the original's signatures still verify")
}

// TestWetSignatureNeedsALicence: SIGN-5, LIC-3 — a wet-signed scan is attached by licensed
// organisations only: a scan uploaded while licensed is refused once the contract has ended, and
// attached while it runs.
func TestWetSignatureNeedsALicence(t *testing.T) {
	w := newWorld(t)
	x := newSignOffWorld(t, w)
	now := w.g.Now()
	c, err := w.g.CreateContract(ctx, isg.Actor{User: w.ca}, licensing.ContractInput{Org: x.north, Group: "G",
		Term: licensing.Period{Start: now.Add(-time.Hour), End: now.AddDate(1, 0, 0)}, Price: decimal.RequireFromString("100.00")})
	require.NoError(t, err)
	_, err = w.g.AllocateLicence(ctx, isg.Actor{User: w.ca}, isg.AllocateInput{Contract: c.ID, Org: x.north, Kind: licensing.Group})
	require.NoError(t, err)
	scan, err := w.g.UploadDocument(ctx, x.na, isg.UploadInput{SubjectKind: "flow", SubjectID: x.flow.String(), Name: "signed.pdf", Content: []byte("%PDF signed")})
	require.NoError(t, err)
	attach := func() (isg.FlowView, error) {
		return w.g.AttachWetSignature(ctx, x.na, isg.FlowStep[isg.WetSignatureInput]{Flow: x.flow, Input: isg.WetSignatureInput{Document: scan.ID}})
	}

	_, err = w.g.EndContract(ctx, isg.Actor{User: w.ca}, isg.ByID[licensing.ContractID]{ID: c.ID})
	require.NoError(t, err)
	_, err = attach()
	assert.ErrorIs(t, err, isg.ErrLicence, "SIGN-5: licensed organisations only")
	assert.Equal(t, "licence.capability_denied", isg.ErrorCode(err))
	v, err := w.g.Flow(ctx, x.na, isg.ByID[agreement.FlowID]{ID: x.flow})
	require.NoError(t, err)
	assert.Empty(t, v.WetSignatures, "a refused attachment records nothing")

	c2, err := w.g.CreateContract(ctx, isg.Actor{User: w.ca}, licensing.ContractInput{Org: x.north, Group: "H",
		Term: licensing.Period{Start: now.Add(-time.Hour), End: now.AddDate(1, 0, 0)}, Price: decimal.RequireFromString("100.00")})
	require.NoError(t, err)
	_, err = w.g.AllocateLicence(ctx, isg.Actor{User: w.ca}, isg.AllocateInput{Contract: c2.ID, Org: x.north, Kind: licensing.Group})
	require.NoError(t, err)
	v, err = attach()
	require.NoError(t, err)
	assert.Len(t, v.WetSignatures, 1)
}

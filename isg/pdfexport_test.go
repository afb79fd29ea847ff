package isg_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/dpia"
	"github.com/isgkit/gateway/internal/pdftext"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/pdf"
	"github.com/isgkit/gateway/licensing"
	"github.com/isgkit/gateway/storage/memory"
)

// named registers and verifies an account with a person's name, as a document prints it.
func (w *world) named(email, name string) isg.UserID {
	w.t.Helper()
	reg, err := w.g.Register(ctx, isg.RegisterInput{Email: email, Name: name, Password: "Passw0rd!"})
	require.NoError(w.t, err)
	_, err = w.g.VerifyEmail(ctx, isg.TokenInput{Token: reg.VerificationToken})
	require.NoError(w.t, err)
	return reg.Account.ID
}

// groupLicensed gives org a group licence under a contract of its own, and returns the contract.
func (w *world) groupLicensed(org isg.OrgID) licensing.ContractID {
	w.t.Helper()
	now := w.g.Now()
	c, err := w.g.CreateContract(ctx, isg.Actor{User: w.ca}, licensing.ContractInput{Org: org, Group: "G" + org.String()[:8],
		Term: licensing.Period{Start: now.Add(-time.Hour), End: now.AddDate(1, 0, 0)}, Price: decimal.RequireFromString("100.00")})
	require.NoError(w.t, err)
	_, err = w.g.AllocateLicence(ctx, isg.Actor{User: w.ca}, isg.AllocateInput{Contract: c.ID, Org: org, Kind: licensing.Group})
	require.NoError(w.t, err)
	return c.ID
}

// exportWorld is North (licensed; Ann its Administrator and Senior Officer, Dee its DPO, Max an
// IG Officer) and South (free licence; Ben its Administrator and Senior Officer, Sol its DPO)
// sharing personal data in one flow that has been through a DPO review with a rejection and a
// re-review, has a risk assessment and, once signed, two signatures; East (Oz, licensed) is in
// nothing. The store is kept so a test can tamper with what was signed.
type exportWorld struct {
	*world
	store                       *memory.Store
	north, south, east          isg.OrgID
	ann, dee, max, ben, sol, oz isg.UserID
	na, nd, nm, sb, eo          isg.Actor
	summary                     agreement.SummaryID
	flow                        agreement.FlowID
}

func newExportWorld(t testing.TB) *exportWorld {
	t.Helper()
	store := memory.New()
	// A fixed clock: the document prints the time it was produced.
	g, err := isg.New(store, cheapPasswords, isg.WithClock(newClock()))
	require.NoError(t, err)
	w := &world{t: t, g: g}
	ca, err := g.Bootstrap(ctx, isg.BootstrapInput{Email: "support@isg.nhs.uk", Name: "Support", Password: "Support#2026"})
	require.NoError(t, err)
	w.ca = ca.ID
	x := &exportWorld{world: w, store: store}
	x.ann, x.dee, x.max = w.named("ann@north.nhs.uk", "Ann North"), w.named("dee@north.nhs.uk", "Dee Price"), w.named("max@north.nhs.uk", "Max Hill")
	x.ben, x.sol, x.oz = w.named("ben@south.gov.uk", "Ben South"), w.named("sol@south.gov.uk", "Sol Hart"), w.named("oz@east.gov.uk", "Oz Reed")
	x.north, x.south, x.east = w.org(x.ann, "North Trust"), w.org(x.ben, "South Council"), w.org(x.oz, "East Council")
	w.groupLicensed(x.north)
	w.groupLicensed(x.east)
	w.grant(x.ann, x.north, x.ann, isg.Administrator, isg.SeniorOfficer)
	w.grant(x.ann, x.north, x.dee, isg.DPO)
	w.grant(x.ann, x.north, x.max, isg.IGOfficer)
	w.grant(x.ben, x.south, x.ben, isg.Administrator, isg.SeniorOfficer)
	w.grant(x.ben, x.south, x.sol, isg.DPO)
	x.na, x.nd, x.nm = isg.Actor{User: x.ann, Org: x.north}, isg.Actor{User: x.dee, Org: x.north}, isg.Actor{User: x.max, Org: x.north}
	x.sb, x.eo = isg.Actor{User: x.ben, Org: x.south}, isg.Actor{User: x.oz, Org: x.east}
	_, err = g.SubmitAssurance(ctx, x.na, significant())
	require.NoError(t, err)

	terms := summaryTerms(x.north, x.south)
	terms.Title, terms.Purpose = "Safeguarding children", "Protect children at risk of harm"
	s, err := g.SaveSummary(ctx, x.na, isg.SummaryInput{SummaryTerms: terms})
	require.NoError(t, err)
	x.summary = s.ID
	f, err := g.CreateFlow(ctx, x.na, isg.CreateFlowInput{Summary: s.ID, FlowTerms: flowTerms(x.north, x.south)})
	require.NoError(t, err)
	x.flow = f.ID
	_, err = g.SaveRiskAssessment(ctx, x.na, isg.RiskInput{Flow: f.ID, Risks: []agreement.Risk{{Description: "Misdirected e-mail", Likelihood: 4, Impact: 3,
		Mitigation: "Address book locked", ResidualLikelihood: 2, ResidualImpact: 3}}})
	require.NoError(t, err)
	step := func(err error) {
		t.Helper()
		require.NoError(t, err)
	}
	_, err = g.RequestReview(ctx, x.na, isg.FlowStep[agreement.ReviewRequest]{Flow: f.ID, Input: agreement.ReviewRequest{
		DPOs: []agreement.Reviewer{{DPO: x.dee, Org: x.north}, {DPO: x.sol, Org: x.south}}, ReviewBy: g.Now().AddDate(0, 0, 14)}})
	step(err)
	_, err = g.RejectFlow(ctx, isg.Actor{User: x.sol, Org: x.south}, isg.FlowStep[agreement.Verdict]{Flow: f.ID, Input: agreement.Verdict{Details: "Retention is not stated"}})
	step(err)
	_, err = g.RequestRereview(ctx, x.na, isg.FlowStep[agreement.Rereview]{Flow: f.ID, Input: agreement.Rereview{DPO: x.sol, Changes: "Records kept for six years"}})
	step(err)
	_, err = g.ApproveFlow(ctx, isg.Actor{User: x.sol, Org: x.south}, isg.FlowStep[agreement.Verdict]{Flow: f.ID, Input: agreement.Verdict{Details: "Now proportionate"}})
	step(err)
	_, err = g.ApproveFlow(ctx, x.nd, isg.FlowStep[agreement.Verdict]{Flow: f.ID, Input: agreement.Verdict{Details: "Lawful and necessary"}})
	step(err)
	return x
}

func (x *exportWorld) finalise(t testing.TB) {
	t.Helper()
	_, err := x.g.FinaliseFlow(ctx, x.na, isg.ByID[agreement.FlowID]{ID: x.flow})
	require.NoError(t, err)
}

func (x *exportWorld) signAll(t testing.TB) {
	t.Helper()
	_, err := x.g.RequestSignOff(ctx, x.na, isg.FlowStep[agreement.SignOffInput]{Flow: x.flow, Input: agreement.SignOffInput{
		Signers: []agreement.Signer{{User: x.ann, Org: x.north}, {User: x.ben, Org: x.south}}}})
	require.NoError(t, err)
	for _, a := range []isg.Actor{x.na, x.sb} {
		_, err = x.g.SignFlow(ctx, a, isg.ByID[agreement.FlowID]{ID: x.flow})
		require.NoError(t, err)
	}
}

func (x *exportWorld) export(a isg.Actor, id agreement.FlowID) (isg.PDFExport, error) {
	return x.g.ExportFlowPDF(ctx, a, isg.ByID[agreement.FlowID]{ID: id})
}

// TestSignedAgreementExportsAsPDF_EXIT2_LIC3: a licensed party's user exports the signed
// agreement; the document, read back with pdftotext, holds every section and the values that
// matter — both parties with their assurance ratings as they stand, each DPO's decision with
// its details and the re-review asked, the risk, both signatures verified, the date produced
// and the note that the document is accurate only on that day.
func TestSignedAgreementExportsAsPDF_EXIT2_LIC3(t *testing.T) {
	x := newExportWorld(t)
	x.finalise(t)
	x.signAll(t)
	out, err := x.export(x.nm, x.flow) // an IG Officer: every role at the organisation (ROLE-8)
	require.NoError(t, err)
	now := x.g.Now()
	assert.Equal(t, "application/pdf", out.ContentType)
	assert.Equal(t, now.UTC(), out.Produced)
	assert.Equal(t, "agreement-"+x.flow.String()+"-"+now.UTC().Format(time.DateOnly)+".pdf", out.Name)

	text := pdftext.Extract(t, out.PDF)
	for _, s := range append(pdf.AgreementSections[:],
		"Safeguarding children", "Protect children at risk of harm", "Referrals", "State signed",
		"From North Trust", "To South Council", "A6-1-e: Children Act 1989 s.47", "Encrypted",
		"North Trust", "Assurance rating significant", "South Council", "Assurance rating not submitted",
		"Dee Price, DPO for North Trust", "Lawful and necessary",
		"Sol Hart, DPO for South Council", "Now proportionate", "Re-review asked Records kept for six years",
		"Risk 1. Misdirected e-mail", "likelihood 4 x impact 3 = 12 (high)", "Address book locked",
		"North Trust: Ann North (senior officer)", "South Council: Ben South (senior officer)",
		"Every signature verified against the flow's terms and log.",
		"Produced "+now.UTC().Format("2 January 2006 at 15:04 UTC"), pdf.AccuracyNote) {
		assert.Contains(t, text, s)
	}
	assert.Equal(t, 2, strings.Count(text, "Verification Verified"), "each signature's own result")
	assert.Equal(t, 2, strings.Count(text, "Decision approved"), "each DPO's latest decision")
	assert.NotContains(t, text, "NOT VERIFIED")
}

// TestExportedAgreementShowsATamperedSignature_EXIT2: the export verifies every signature when
// it is made (SIGN-4, LOG-3): a term changed in the store after signing is printed as a failed
// verification naming the reason, never as a valid signature.
func TestExportedAgreementShowsATamperedSignature_EXIT2(t *testing.T) {
	x := newExportWorld(t)
	x.finalise(t)
	x.signAll(t)
	require.NoError(t, x.store.Update(ctx, func(tx isg.Tx) error {
		rec, err := tx.Get(ctx, "flow", x.flow.String())
		require.NoError(t, err)
		var body map[string]any
		require.NoError(t, json.Unmarshal(rec.Body, &body))
		body["controls"] = []string{"None"}
		rec.Body, err = json.Marshal(body)
		require.NoError(t, err)
		_, err = tx.Put(ctx, rec)
		return err
	}))
	out, err := x.export(x.na, x.flow)
	require.NoError(t, err)
	text := pdftext.Extract(t, out.PDF)
	assert.Contains(t, text, "Verification FAILED for at least one signature")
	assert.Equal(t, 2, strings.Count(text, "NOT VERIFIED: "+agreement.CodeSignatureTermsChanged))
	assert.NotContains(t, text, "Verification Verified")
}

// TestFinalisedAgreementNotYetSigned_EXIT2: a finalised flow is an agreement and exports; its
// document says no signature is recorded yet and who is still to sign.
func TestFinalisedAgreementNotYetSigned_EXIT2(t *testing.T) {
	x := newExportWorld(t)
	x.finalise(t)
	out, err := x.export(x.na, x.flow)
	require.NoError(t, err)
	text := pdftext.Extract(t, out.PDF)
	assert.Contains(t, text, "State finalised")
	assert.Contains(t, text, "No signature has been recorded yet.")
	assert.Contains(t, text, "Not yet signed by North Trust, South Council")
}

// TestFlowExportRefusals_EXIT2_LIC3_SUM3: who may export what, and what the others learn. An
// unlicensed party is refused for its licence before anything is read, so it learns nothing of
// which IDs exist; an organisation that may not see the flow gets exactly the answer an unknown
// ID gets (SUM-3); a draft is not exported (EXIT-2); the central team's support access does not
// reach exports (ROLE-8: no CA on the row); nor does a user with no role at the organisation
// named; a licence that ends takes the export away (LIC-5).
func TestFlowExportRefusals_EXIT2_LIC3_SUM3(t *testing.T) {
	x := newExportWorld(t)
	unknown := agreement.FlowID{UUID: uuid.New()}
	type refusal struct {
		kind       error
		code, rule string
	}
	of := func(err error) refusal {
		var e *isg.Error
		require.ErrorAs(t, err, &e)
		for _, k := range []error{isg.ErrNotFound, isg.ErrForbidden, isg.ErrLicence, isg.ErrInvalidTransition} {
			if errors.Is(err, k) {
				return refusal{k, e.Code, e.Rule}
			}
		}
		return refusal{nil, e.Code, e.Rule}
	}
	_, err := x.export(x.na, x.flow)
	assert.Equal(t, refusal{isg.ErrInvalidTransition, agreement.CodeNotExportable, "EXIT-2"}, of(err), "a draft")
	x.finalise(t)

	tests := []struct {
		name  string
		actor isg.Actor
		id    agreement.FlowID
		want  refusal
	}{
		{"an unlicensed party", x.sb, x.flow, refusal{isg.ErrLicence, "licence.capability_denied", "LIC-3"}},
		{"an unlicensed party, an unknown ID", x.sb, unknown, refusal{isg.ErrLicence, "licence.capability_denied", "LIC-3"}},
		{"a licensed outsider", x.eo, x.flow, refusal{isg.ErrNotFound, "flow.not_found", "SUM-3"}},
		{"a licensed outsider, an unknown ID", x.eo, unknown, refusal{isg.ErrNotFound, "flow.not_found", "SUM-3"}},
		{"a party, an unknown ID", x.na, unknown, refusal{isg.ErrNotFound, "flow.not_found", "SUM-3"}},
		{"the central team", isg.Actor{User: x.ca, Org: x.north}, x.flow, refusal{isg.ErrForbidden, "forbidden", "EXIT-2"}},
		{"a user with no role at the organisation", isg.Actor{User: x.oz, Org: x.north}, x.flow, refusal{isg.ErrForbidden, "forbidden", "EXIT-2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := x.export(tt.actor, tt.id)
			assert.Equal(t, tt.want, of(err))
			assert.Empty(t, out.PDF, "nothing of the document")
		})
	}

	// The very same answer, message aside (it names the ID asked for), to an outsider.
	_, seen := x.export(x.eo, x.flow)
	_, none := x.export(x.eo, unknown)
	assert.Equal(t, of(none), of(seen))

	// LIC-5: a licence that ends falls back to the free model, which does not export.
	cs, err := x.g.Contracts(ctx, x.na)
	require.NoError(t, err)
	require.NotEmpty(t, cs)
	for _, c := range cs {
		_, err = x.g.EndContract(ctx, isg.Actor{User: x.ca}, isg.ByID[licensing.ContractID]{ID: c.ID})
		require.NoError(t, err)
	}
	_, err = x.export(x.na, x.flow)
	assert.Equal(t, refusal{isg.ErrLicence, "licence.capability_denied", "LIC-3"}, of(err))
}

// TestCreatorNotNamedDoesNotExport_EXIT2: an organisation that created a flow without being
// named in it sees the flow (SUM-3) but the document speaks for the parties: it is refused
// "flow.not_party", which tells it nothing it cannot read already.
func TestCreatorNotNamedDoesNotExport_EXIT2(t *testing.T) {
	x := newExportWorld(t)
	terms := summaryTerms(x.north, x.south, x.east)
	s, err := x.g.SaveSummary(ctx, x.na, isg.SummaryInput{SummaryTerms: terms})
	require.NoError(t, err)
	ft := flowTerms(x.south, x.east)
	ft.PersonalData, ft.LegalBases = false, nil
	f, err := x.g.CreateFlow(ctx, x.na, isg.CreateFlowInput{Summary: s.ID, FlowTerms: ft})
	require.NoError(t, err)
	_, err = x.g.FinaliseFlow(ctx, x.na, isg.ByID[agreement.FlowID]{ID: f.ID})
	require.NoError(t, err)
	_, err = x.export(x.na, f.ID)
	assert.ErrorIs(t, err, isg.ErrForbidden)
	assert.Equal(t, agreement.CodeNotParty, isg.ErrorCode(err))
	out, err := x.export(x.eo, f.ID)
	require.NoError(t, err, "a licensed party of it does")
	assert.NotEmpty(t, out.PDF)
}

func (x *dpiaWorld) exportDPIA(a isg.Actor, id dpia.ID) (isg.PDFExport, error) {
	return x.g.ExportDPIAPDF(ctx, a, isg.ByID[dpia.ID]{ID: id})
}

// TestApprovedDPIAExportsAsPDF_EXIT2_LIC3: a DPIA licence alone does not export (LIC-3: PDF
// export needs a group licence); a DPIA being written is not exported; once approved its
// contributor exports it, and the document holds its sections with the answers, the evaluation
// with the action plan an improvable section needs, the DPO's opinion, the risk map with the
// register, the approval, the date produced and the accuracy note.
func TestApprovedDPIAExportsAsPDF_EXIT2_LIC3(t *testing.T) {
	x := newDPIAWorld(t, newWorld(t))
	na, dpo := isg.Actor{User: x.a, Org: x.north}, isg.Actor{User: x.dpo, Org: x.north}
	_, err := x.exportDPIA(na, x.d.ID)
	assert.Equal(t, "licence.capability_denied", isg.ErrorCode(err), "a DPIA licence alone")
	x.groupLicensed(x.north)

	_, err = x.g.EditDPIA(ctx, na, isg.DPIAStep[isg.EditDPIAInput]{DPIA: x.d.ID, Input: isg.EditDPIAInput{Terms: dpia.Terms{
		Title: "Care record DPIA", ExecutiveSummary: "One record for direct care.",
		Answers: map[dpia.Question]dpia.Answer{"need.aims": {Text: "Join up care across the city."}, "processing.nature": {Text: "Read from GP systems."}}}}})
	require.NoError(t, err)
	_, err = x.g.SaveDPIARisk(ctx, na, isg.DPIAStep[dpia.RiskInput]{DPIA: x.d.ID, Input: dpia.RiskInput{RiskTerms: dpia.RiskTerms{
		Description: "Unauthorised access", Likelihood: 4, Impact: 3, Measures: "Role-based access", ResidualLikelihood: 2, ResidualImpact: 3}}})
	require.NoError(t, err)
	_, err = x.exportDPIA(na, x.d.ID)
	assert.ErrorIs(t, err, isg.ErrInvalidTransition)
	assert.Equal(t, dpia.CodeNotExportable, isg.ErrorCode(err), "EXIT-2: not approved yet")

	_, err = x.g.SubmitDPIA(ctx, na, isg.ByID[dpia.ID]{ID: x.d.ID})
	require.NoError(t, err)
	for _, s := range dpia.EvaluatedSections() {
		in := dpia.EvaluationInput{Section: s, Verdict: dpia.Acceptable}
		if s == dpia.SectionRisks {
			in = dpia.EvaluationInput{Section: s, Verdict: dpia.Improvable, Comment: "Test the access controls",
				Action: &dpia.ActionInput{Description: "Commission a penetration test", Owner: dpia.Member{User: x.a, Org: x.north}, Due: x.g.Now().AddDate(0, 2, 0)}}
		}
		_, err = x.g.EvaluateDPIA(ctx, dpo, isg.DPIAStep[dpia.EvaluationInput]{DPIA: x.d.ID, Input: in})
		require.NoError(t, err)
	}
	_, err = x.g.GiveDPOOpinion(ctx, dpo, isg.DPIAStep[dpia.OpinionInput]{DPIA: x.d.ID, Input: dpia.OpinionInput{Opinion: "Proceed with the test", SubjectsConsulted: true}})
	require.NoError(t, err)
	_, err = x.g.ApproveDPIA(ctx, dpo, isg.DPIAStep[dpia.ApprovalInput]{DPIA: x.d.ID, Input: dpia.ApprovalInput{Comments: "Approved with one action"}})
	require.NoError(t, err)

	out, err := x.exportDPIA(na, x.d.ID)
	require.NoError(t, err)
	now := x.g.Now().UTC()
	assert.Equal(t, "application/pdf", out.ContentType)
	assert.Equal(t, "dpia-"+x.d.ID.String()+"-v1-"+now.Format(time.DateOnly)+".pdf", out.Name)
	text := pdftext.Extract(t, out.PDF)
	for _, s := range append(pdf.DPIASections[:],
		"Care record DPIA", "State approved", "Activity Care record", "One record for direct care.",
		"Step 1: Identify the need for a DPIA", "Join up care across the city.", "Step 2: Describe the processing", "Read from GP systems.",
		"Step 7: Sign off and record outcomes",
		"Section need: acceptable", "Section risks: improvable", "Test the access controls",
		"Proceed with the test", "Data subjects consulted Yes",
		"Action 1 (section risks)", "Commission a penetration test", "Status Open",
		"Risk 1. Unauthorised access", "likelihood 4 x impact 3 = 12 (high)", "likelihood 2 x impact 3 = 6 (moderate)", "(1)",
		"(dpo): approved", "Approved with one action",
		"Produced "+now.Format("2 January 2006 at 15:04 UTC"), pdf.AccuracyNote) {
		assert.Contains(t, text, s)
	}
	assert.Equal(t, 6, strings.Count(text, "Section "), "every evaluated section")
}

// TestDPIAExportRefusals_EXIT2_DPIA2_LIC3: a DPIA opens to its contributors only (DPIA-2), and
// so does its export: a licensed colleague who is not a contributor and a licensed outsider get
// exactly what an unknown ID gets; a contributor of a partner without a licence is refused for
// the licence (LIC-3), before anything is read.
func TestDPIAExportRefusals_EXIT2_DPIA2_LIC3(t *testing.T) {
	x := newDPIAWorld(t, newWorld(t))
	x.groupLicensed(x.north)
	x.groupLicensed(x.east)
	x.approve(t, x.d.ID)
	colleague := x.named("col@north.gov.uk", "Colleague")
	x.grant(x.a, x.north, colleague, isg.IGOfficer)
	unknown := dpia.ID{UUID: uuid.New()}
	for _, tt := range []struct {
		name  string
		actor isg.Actor
		id    dpia.ID
		code  string
	}{
		{"a colleague who is not a contributor", isg.Actor{User: colleague, Org: x.north}, x.d.ID, dpia.CodeNotFound},
		{"a colleague, an unknown ID", isg.Actor{User: colleague, Org: x.north}, unknown, dpia.CodeNotFound},
		{"an outsider", isg.Actor{User: x.outsider, Org: x.east}, x.d.ID, dpia.CodeNotFound},
		{"a free partner's contributor", isg.Actor{User: x.b, Org: x.south}, x.d.ID, "licence.capability_denied"},
		{"a free partner, an unknown ID", isg.Actor{User: x.b, Org: x.south}, unknown, "licence.capability_denied"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := x.exportDPIA(tt.actor, tt.id)
			assert.Equal(t, tt.code, isg.ErrorCode(err))
			assert.Empty(t, out.PDF)
		})
	}
	out, err := x.exportDPIA(isg.Actor{User: x.dpo, Org: x.north}, x.d.ID)
	require.NoError(t, err, "a contributor with the DPO role only: every role (ROLE-8)")
	assert.NotEmpty(t, out.PDF)
}

// TestExportOverDispatchIsBase64_EXIT2: over Dispatch the document travels as base64 in JSON,
// and decodes to the very bytes the Go method returns.
func TestExportOverDispatchIsBase64_EXIT2(t *testing.T) {
	x := newExportWorld(t)
	x.finalise(t)
	raw, err := x.g.Dispatch(ctx, "flow.export_pdf", x.na, json.RawMessage(`{"id":"`+x.flow.String()+`"}`))
	require.NoError(t, err)
	b, err := json.Marshal(raw)
	require.NoError(t, err)
	var wire struct {
		Name        string    `json:"name"`
		ContentType string    `json:"content_type"`
		Produced    time.Time `json:"produced"`
		PDF         []byte    `json:"pdf"`
	}
	require.NoError(t, json.Unmarshal(b, &wire))
	direct, err := x.export(x.na, x.flow)
	require.NoError(t, err)
	assert.Equal(t, direct.PDF, wire.PDF, "deterministic, and base64 round-trips")
	assert.Equal(t, "application/pdf", wire.ContentType)
}

// BenchmarkExportFlowPDF: one signed agreement exported, end to end through the Gateway —
// load, rate both parties, verify both signatures against the log, render (target < 50 ms).
func BenchmarkExportFlowPDF(b *testing.B) {
	x := newExportWorld(b)
	x.finalise(b)
	x.signAll(b)
	b.ReportAllocs()
	for b.Loop() {
		out, err := x.export(x.na, x.flow)
		if err != nil || len(out.PDF) == 0 {
			b.Fatal(err)
		}
	}
}

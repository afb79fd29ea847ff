package pdf_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/internal/pdftext"
	"github.com/isgkit/gateway/isg/pdf"
)

var produced = time.Date(2026, 12, 2, 9, 5, 0, 0, time.UTC)

func sampleAgreement() pdf.Agreement {
	return pdf.Agreement{
		Produced: produced,
		Summary: pdf.Summary{ID: "s-1", Title: "Safeguarding children", CreatedBy: "North Trust", DataAsset: "Case records",
			Purpose: "Protect children at risk", Benefits: "Earlier help", Format: "Electronic", InformationShared: []string{"personal", "special_category"},
			ReviewCycleMonths: 12},
		Flow: pdf.Flow{ID: "f-1", Name: "Referrals", State: "signed", Rev: 3, Direction: "one_way", From: []string{"North Trust"}, To: []string{"South Council"},
			Frequency: "daily", TransferMode: "secure_email", Controls: []string{"Encrypted at rest", "Role-based access"}, PersonalData: true,
			LegalBases: []pdf.LegalBasis{{Basis: "A6-1-e", Instrument: "Children Act 1989 s.47"}}, FinalisedAt: produced.Add(-48 * time.Hour)},
		Parties: []pdf.Party{{Name: "North Trust", ID: "o-1", Rating: "significant", Signed: true},
			{Name: "South Council", ID: "o-2", Rating: "limited", Missing: []string{"staff_trained"}, Signed: true}},
		Reviews: []pdf.Review{
			{DPO: "Dee Price", Org: "North Trust", Decision: "approved", Details: "Proportionate", DecidedAt: produced.Add(-72 * time.Hour), DecidedRev: 3},
			{DPO: "Sol Hart", Org: "South Council", Decision: "rejected", Details: "Retention unclear", DecidedAt: produced.Add(-96 * time.Hour), DecidedRev: 2, RereviewNote: "Retention set to 6 years"},
		},
		Risk: &pdf.RiskAssessment{UpdatedAt: produced.Add(-80 * time.Hour), Highest: "moderate", Risks: []pdf.Risk{
			{Code: "pq1", Description: "Misdirected e-mail", Likelihood: 4, Impact: 3, Mitigation: "Address book locked", ResidualLikelihood: 2, ResidualImpact: 3}}},
		Signatures: []pdf.Signature{
			{Signatory: "Ann North", Role: "senior_officer", Org: "North Trust", SignedAt: produced.Add(-24 * time.Hour), Algorithm: "Ed25519", KeyID: "platform-1", TermsHash: "ab12", Verified: true},
			{Signatory: "Ben South", Role: "information_asset_owner", Org: "South Council", SignedAt: produced.Add(-23 * time.Hour), Algorithm: "Ed25519", KeyID: "platform-1", TermsHash: "ab12",
				Verified: false, Code: "signature.terms_changed", Reason: "the flow's terms changed since signing"},
		},
	}
}

func sampleDPIA() pdf.DPIA {
	return pdf.DPIA{
		Produced: produced, ID: "d-1", Title: "Care record DPIA", Organisation: "North Trust", Activity: "Care record", Version: 2, State: "approved",
		ExecutiveSummary: "A shared care record for the region.", ReviewDate: produced.AddDate(1, 0, 0), ApprovedAt: produced.Add(-time.Hour),
		Screening: "essential", ScreeningReason: "two EDPB criteria hold",
		Sections: []pdf.Section{{Code: "need", Title: "Step 1: the need for a DPIA", Answers: []pdf.Answer{{Question: "Explain broadly what the project aims to achieve.", Text: "Join up care.", Attachments: 1}}}},
		Evaluations: []pdf.Evaluation{{Section: "need", Verdict: "acceptable", Comment: "Clear", By: "Dee Price", At: produced.Add(-2 * time.Hour)},
			{Section: "risks", Verdict: "improvable", Comment: "Add a pen test", By: "Dee Price", At: produced.Add(-2 * time.Hour)}},
		Opinion: &pdf.Opinion{Opinion: "Proceed with the measures", SubjectsConsulted: false, NotConsultedReason: "Patient panel consulted instead", By: "Dee Price", At: produced.Add(-90 * time.Minute)},
		Actions: []pdf.Action{{Section: "risks", Description: "Commission a penetration test", Owner: "Ann North", Due: produced.AddDate(0, 2, 0)}},
		Risks: []pdf.MapRisk{{Label: 1, Description: "Unauthorised access", Measures: "MFA", Likelihood: 4, Impact: 4, ResidualLikelihood: 2, ResidualImpact: 4},
			{Label: 2, Description: "Data loss", Likelihood: 1, Impact: 5, ResidualLikelihood: 1, ResidualImpact: 5}},
		Approvals: []pdf.Approval{{Approver: "Dee Price", Capacity: "dpo", Decision: "approved", Comments: "Approved with actions", Rev: 4, At: produced.Add(-time.Hour)},
			{Approver: "Ivy Lead", Capacity: "ig_lead", Decision: "approved", DPOAdvice: "accepted", Rev: 4, At: produced.Add(-time.Hour)}},
	}
}

func render(t *testing.T, write func(*bytes.Buffer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, write(&b))
	require.True(t, bytes.HasPrefix(b.Bytes(), []byte("%PDF-")), "a PDF file")
	return b.Bytes()
}

// TestAgreementDocumentShowsEverySection_EXIT2: the agreement's PDF, as an independent reader
// (pdftotext) reads it, holds every section and the values that make it an agreement: the
// parties with their ratings, the DPO decisions, the risk, each signature with its
// verification result, the date produced and the accuracy note.
func TestAgreementDocumentShowsEverySection_EXIT2(t *testing.T) {
	a := sampleAgreement()
	text := pdftext.Extract(t, render(t, func(b *bytes.Buffer) error { return pdf.WriteAgreement(b, a) }))
	want := append(pdf.AgreementSections[:],
		"Data sharing agreement", "Referrals", "Safeguarding children", "Protect children at risk", "Case records",
		"North Trust", "South Council", "Assurance rating significant", "Assurance rating limited", "Missing staff trained",
		"Dee Price, DPO for North Trust", "Decision approved", "Proportionate",
		"Sol Hart, DPO for South Council", "Decision rejected", "Retention unclear", "Retention set to 6 years",
		"A6-1-e: Children Act 1989 s.47", "Encrypted at rest", "Direction one way", "Frequency daily",
		"Risk 1. Misdirected e-mail", "likelihood 4 x impact 3 = 12 (high)", "likelihood 2 x impact 3 = 6 (moderate)", "Address book locked",
		"North Trust: Ann North (senior officer)", "Verification Verified",
		"South Council: Ben South (information asset owner)", "NOT VERIFIED: signature.terms_changed",
		"Verification FAILED for at least one signature",
		"Produced 2 December 2026 at 09:05 UTC", pdf.AccuracyNote, "Accurate only on that day.")
	for _, s := range want {
		assert.Contains(t, text, s)
	}
	assert.Less(t, strings.Index(text, "1. Summary"), strings.Index(text, "6. Signatures"), "sections in order")
}

// TestAgreementWithoutSignaturesOrRisk_EXIT2: a finalised flow nobody has signed yet says so,
// and names who still has to sign; a flow with no risk assessment says that too, rather than
// leaving the section empty.
func TestAgreementWithoutSignaturesOrRisk_EXIT2(t *testing.T) {
	a := sampleAgreement()
	a.Flow.State, a.Signatures, a.SignaturesValid, a.Risk, a.Reviews = "finalised", nil, false, nil, nil
	a.Unsigned = []string{"North Trust", "South Council"}
	text := pdftext.Extract(t, render(t, func(b *bytes.Buffer) error { return pdf.WriteAgreement(b, a) }))
	for _, s := range []string{"State finalised", "No signature has been recorded yet.", "Not yet signed by North Trust, South Council",
		"No risk assessment was recorded for this flow.", "No DPO review was requested."} {
		assert.Contains(t, text, s)
	}
	assert.NotContains(t, text, "FAILED")
}

// TestDPIADocumentShowsEverySection_EXIT2: sections with their answers, the evaluation and the
// DPO's opinion, the action plan, the risk map with the register, the approvals, the date
// produced and the accuracy note.
func TestDPIADocumentShowsEverySection_EXIT2(t *testing.T) {
	text := pdftext.Extract(t, render(t, func(b *bytes.Buffer) error { return pdf.WriteDPIA(b, sampleDPIA()) }))
	want := append(pdf.DPIASections[:],
		"Data protection impact assessment", "Care record DPIA", "A shared care record for the region.", "Outcome essential",
		"Step 1: the need for a DPIA", "Explain broadly what the project aims to achieve.", "Join up care. [1 document attached]",
		"Section need: acceptable", "Section risks: improvable", "Add a pen test",
		"Proceed with the measures", "Data subjects consulted No: Patient panel consulted instead",
		"Action 1 (section risks)", "Commission a penetration test", "Owner Ann North", "Status Open",
		"likelihood", "impact", "(1)", "Risk 1. Unauthorised access", "likelihood 4 x impact 4 = 16 (extreme)", "likelihood 2 x impact 4 = 8 (high)",
		"Risk 2. Data loss",
		"Dee Price (dpo): approved", "Approved with actions", "Ivy Lead (ig lead): approved", "DPO's advice accepted",
		"Review date 2 December 2027", "Produced 2 December 2026 at 09:05 UTC", pdf.AccuracyNote)
	for _, s := range want {
		assert.Contains(t, text, s)
	}
}

// TestDocumentsAreDeterministic_EXIT2: the same value gives the same bytes — no clock, no
// random ID — and the produced time is what moves the bytes.
func TestDocumentsAreDeterministic_EXIT2(t *testing.T) {
	a := sampleAgreement()
	one := render(t, func(b *bytes.Buffer) error { return pdf.WriteAgreement(b, a) })
	two := render(t, func(b *bytes.Buffer) error { return pdf.WriteAgreement(b, a) })
	assert.Equal(t, one, two)
	assert.Contains(t, string(one), "/CreationDate (D:20261202090500", "the PDF's own date is the produced time")
	a.Produced = a.Produced.Add(24 * time.Hour)
	assert.NotEqual(t, one, render(t, func(b *bytes.Buffer) error { return pdf.WriteAgreement(b, a) }))

	d := sampleDPIA()
	assert.Equal(t, render(t, func(b *bytes.Buffer) error { return pdf.WriteDPIA(b, d) }),
		render(t, func(b *bytes.Buffer) error { return pdf.WriteDPIA(b, d) }))
}

// TestTextOutsideTheCodePage_EXIT2: what users wrote reaches the document as written where the
// core fonts can show it (accents, the euro, typographic quotes), as "?" where they cannot, and
// control characters never reach the PDF's text.
func TestTextOutsideTheCodePage_EXIT2(t *testing.T) {
	a := sampleAgreement()
	a.Summary.Purpose = "Café – “quoted” €5 日本 \x00\x1b[31m"
	text := pdftext.Extract(t, render(t, func(b *bytes.Buffer) error { return pdf.WriteAgreement(b, a) }))
	assert.Contains(t, text, "Café – “quoted” €5 ?? [31m")
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, assert.AnError }

// TestWriterErrorIsReturned_EXIT2: a writer's failure is the writer's error, wrapped, never a
// panic or a silently short document.
func TestWriterErrorIsReturned_EXIT2(t *testing.T) {
	assert.ErrorIs(t, pdf.WriteAgreement(failingWriter{}, sampleAgreement()), assert.AnError)
	assert.ErrorIs(t, pdf.WriteDPIA(failingWriter{}, sampleDPIA()), assert.AnError)
}

// FuzzWriteAgreement: any text in any field gives a PDF, never a panic or an error.
func FuzzWriteAgreement(f *testing.F) {
	f.Add("Referrals", "Café", "\x00\n\t", 3, 4)
	f.Add("", "", "日本語", 0, 9)
	f.Fuzz(func(t *testing.T, name, purpose, control string, likelihood, impact int) {
		a := sampleAgreement()
		a.Flow.Name, a.Summary.Purpose, a.Parties[0].Name = name, purpose, control
		a.Risk.Risks[0].Likelihood, a.Risk.Risks[0].Impact = likelihood, impact
		var b bytes.Buffer
		require.NoError(t, pdf.WriteAgreement(&b, a))
		require.True(t, bytes.HasPrefix(b.Bytes(), []byte("%PDF-")))
		x := sampleDPIA()
		x.Title, x.Risks[0].Likelihood, x.Risks[0].Impact = name, likelihood, impact
		b.Reset()
		require.NoError(t, pdf.WriteDPIA(&b, x))
	})
}

// BenchmarkWriteAgreement measures rendering alone (the Gateway's export adds loading and
// verifying; see isg's BenchmarkExportFlowPDF).
func BenchmarkWriteAgreement(b *testing.B) {
	a := sampleAgreement()
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := pdf.WriteAgreement(&buf, a); err != nil {
			b.Fatal(err)
		}
	}
}

package isg

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/dpia"
	"github.com/isgkit/gateway/isg/pdf"
	"github.com/isgkit/gateway/licensing"
)

// PDF export (EXIT-2, LIC-3): a finalised or signed agreement, and an approved DPIA, as a PDF
// document a person keeps or sends on. Licensed organisations only (licensing.ExportPDF).
//
// The permission row is ViewReports: ROLE-8 gives "view reports; export PDF (when the licence
// allows)" one line — every role at the organisation — so a host that tightens the one
// tightens the other, as the rulebook groups them, and no new row is needed. Per-record
// conditions are the pure packages' (agreement.CheckExport, dpia.CheckExport).
//
// The document is rendered in the unit of work that reads the records, so that what it shows —
// the terms, every party's rating, each signature's verification — is one consistent view at
// the unit's time, which the document prints as the day it is accurate on. Exporting changes
// nothing: the commands are queries.

// PDFExport is an exported document: its file name, media type, when it was produced (the
// time it is accurate at) and its bytes. Over Dispatch, PDF is base64 in JSON.
type PDFExport struct {
	// Name is a file name for the document, made of IDs and the date only, so it is safe in a
	// Content-Disposition header: "agreement-<flow>-2026-12-02.pdf", "dpia-<id>-v2-2026-12-02.pdf".
	Name string `json:"name"`
	// ContentType is always "application/pdf".
	ContentType string    `json:"content_type"`
	Produced    time.Time `json:"produced"`
	PDF         []byte    `json:"pdf"`
}

// ExportFlowPDF exports a finalised or signed flow as a PDF document (EXIT-2): its summary,
// terms, parties with their assurance ratings, DPO reviews, risk assessment, and signatures each
// with the result of verifying it now (as VerifySignatures), with the date produced and the note
// that the document is accurate only on that day. The actor's organisation must be named in the
// flow and hold a licence allowing PDF export (LIC-3).
//
// Errors: ErrForbidden ("forbidden", ROLE-8, for an actor with no role at the organisation;
// "flow.not_party", EXIT-2, for the creating organisation when it is not named in the flow);
// ErrLicence ("licence.capability_denied", LIC-3, checked first: an unlicensed organisation
// learns nothing of the flow); ErrNotFound ("flow.not_found", SUM-3) for a flow the
// organisation may not see, exactly as for an unknown ID; ErrInvalidTransition
// ("flow.not_exportable", EXIT-2) for a flow not finalised or signed; the store's or key ring's
// error.
func (g *Gateway) ExportFlowPDF(ctx context.Context, actor Actor, in ByID[agreement.FlowID]) (PDFExport, error) {
	return run(ctx, g, flowExportPDF, actor, in)
}

// ExportDPIAPDF exports an approved DPIA the actor contributes to as a PDF document (EXIT-2): its
// sections with their answers, the evaluation and the DPO's opinion, the action plan, the risk
// map with the register, and the approvals, with the date produced and the note that it is
// accurate only on that day. The actor's organisation must hold a licence allowing PDF export
// (LIC-3: a group licence; a DPIA licence alone does not).
//
// Errors: ErrForbidden ("forbidden", ROLE-8); ErrLicence ("licence.capability_denied", LIC-3,
// checked first); ErrNotFound ("dpia.not_found", DPIA-2) for a DPIA the actor does not
// contribute to, exactly as for an unknown ID; ErrInvalidTransition ("dpia.not_exportable",
// EXIT-2) for a DPIA not approved; the store's error.
func (g *Gateway) ExportDPIAPDF(ctx context.Context, actor Actor, in ByID[dpia.ID]) (PDFExport, error) {
	return run(ctx, g, dpiaExportPDF, actor, in)
}

var flowExportPDF = &command[ByID[agreement.FlowID], PDFExport]{
	name: "flow.export_pdf", doc: "Export a finalised or signed flow as a PDF agreement (EXIT-2, LIC-3).",
	row: ViewReports, rule: "EXIT-2", query: true,
	apply: func(c *call[ByID[agreement.FlowID]]) (PDFExport, error) {
		if err := c.licensedFor(licensing.ExportPDF); err != nil {
			return PDFExport{}, err
		}
		f, _, err := c.visibleFlow(c.actor, c.in.ID)
		if err != nil {
			return PDFExport{}, err
		}
		if err := agreement.CheckExport(f, c.actor.Org); err != nil {
			return PDFExport{}, err
		}
		doc, err := c.agreementDocument(f)
		if err != nil {
			return PDFExport{}, err
		}
		return renderPDF(fmt.Sprintf("agreement-%s-%s.pdf", f.ID, c.now.UTC().Format(time.DateOnly)), c.now,
			func(b *bytes.Buffer) error { return pdf.WriteAgreement(b, doc) })
	},
}

var dpiaExportPDF = &command[ByID[dpia.ID], PDFExport]{
	name: "dpia.export_pdf", doc: "Export an approved DPIA as a PDF document (EXIT-2, LIC-3).",
	row: ViewReports, rule: "EXIT-2", query: true,
	apply: func(c *call[ByID[dpia.ID]]) (PDFExport, error) {
		if err := c.licensedFor(licensing.ExportPDF); err != nil {
			return PDFExport{}, err
		}
		d, _, err := c.openDPIA(c.actor, c.in.ID)
		if err != nil {
			return PDFExport{}, err
		}
		if err := dpia.CheckExport(d); err != nil {
			return PDFExport{}, err
		}
		doc, err := c.dpiaDocument(d)
		if err != nil {
			return PDFExport{}, err
		}
		return renderPDF(fmt.Sprintf("dpia-%s-v%d-%s.pdf", d.ID, d.Version, c.now.UTC().Format(time.DateOnly)), c.now,
			func(b *bytes.Buffer) error { return pdf.WriteDPIA(b, doc) })
	},
}

// licensedFor checks that the actor's organisation's licences allow c now (LIC-3).
func (c *call[In]) licensedFor(cap licensing.Capability) error {
	ent, err := c.entitlement(c.actor.Org)
	if err != nil {
		return err
	}
	return licensing.Check(ent, cap)
}

// renderPDF writes a document into a PDFExport.
func renderPDF(name string, produced time.Time, write func(*bytes.Buffer) error) (PDFExport, error) {
	var b bytes.Buffer
	if err := write(&b); err != nil {
		return PDFExport{}, err
	}
	return PDFExport{Name: name, ContentType: pdf.ContentType, Produced: produced.UTC(), PDF: b.Bytes()}, nil
}

// docNames resolves organisation and user IDs to the names a document prints, each read once.
// An organisation not registered yet has the name the summary gave it (ORG-11); a record that
// cannot be found prints its ID, so a document never fails for a name.
type docNames struct {
	u     *uow
	orgs  map[OrgID]string
	users map[UserID]string
}

func (u *uow) docNames(s agreement.Summary) *docNames {
	n := &docNames{u: u, orgs: map[OrgID]string{}, users: map[UserID]string{}}
	for _, p := range s.Unregistered {
		n.orgs[p.Org] = p.Name
	}
	return n
}

func (n *docNames) org(id OrgID) (string, error) {
	if s, ok := n.orgs[id]; ok {
		return s, nil
	}
	o, err := n.u.loadOrg(id)
	switch {
	case isNotFound(err):
		n.orgs[id] = id.String()
	case err != nil:
		return "", err
	default:
		n.orgs[id] = o.Name
	}
	return n.orgs[id], nil
}

func (n *docNames) orgList(ids []OrgID) ([]string, error) {
	out := make([]string, len(ids))
	for i, id := range ids {
		var err error
		if out[i], err = n.org(id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (n *docNames) user(id UserID) (string, error) {
	if id.IsZero() {
		return "", nil
	}
	if s, ok := n.users[id]; ok {
		return s, nil
	}
	x, err := n.u.loadUser(id)
	switch {
	case isNotFound(err):
		n.users[id] = id.String()
	case err != nil:
		return "", err
	default:
		n.users[id] = x.Name
	}
	return n.users[id], nil
}

// agreementDocument builds the document of flow f: everything it shows is read in this unit.
func (u *uow) agreementDocument(f agreement.Flow) (pdf.Agreement, error) {
	s, _, err := u.loadSummary(f.SummaryID)
	if err != nil {
		return pdf.Agreement{}, err
	}
	n := u.docNames(s)
	doc := pdf.Agreement{Produced: u.now}
	if doc.Summary, err = summaryPart(n, s); err != nil {
		return doc, err
	}
	if doc.Flow, err = flowPart(n, f); err != nil {
		return doc, err
	}
	for _, p := range f.Parties {
		name, err := n.org(p)
		if err != nil {
			return doc, err
		}
		party := pdf.Party{Name: name, ID: p.String(), Unregistered: s.IsUnregistered(p)}
		_, party.Signed = f.SignatureOf(p)
		if !party.Unregistered {
			r, err := u.ratingOf(p)
			if err != nil {
				return doc, err
			}
			party.Rating, party.Missing = r.Code(), r.Missing.Codes()
		}
		doc.Parties = append(doc.Parties, party)
	}
	for _, r := range f.Reviews {
		dpo, err := n.user(r.DPO)
		if err != nil {
			return doc, err
		}
		org, err := n.org(r.Org)
		if err != nil {
			return doc, err
		}
		doc.Reviews = append(doc.Reviews, pdf.Review{DPO: dpo, Org: org, RequestedAt: r.RequestedAt, Decision: string(r.Decision), Awaiting: r.Awaiting,
			Details: r.Details, DecidedAt: r.DecidedAt, DecidedRev: r.DecidedRev, RereviewNote: r.RereviewNote, Withdrawn: r.Withdrawn})
	}
	ra, _, err := u.riskOf(f.ID)
	if err != nil {
		return doc, err
	}
	if ra != nil {
		doc.Risk = &pdf.RiskAssessment{UpdatedAt: ra.UpdatedAt, Highest: string(ra.Highest())}
		for _, r := range ra.Risks {
			by, err := n.user(r.ReviewedBy)
			if err != nil {
				return doc, err
			}
			doc.Risk.Risks = append(doc.Risk.Risks, pdf.Risk{Code: r.Code, Description: r.Description, Likelihood: r.Likelihood, Impact: r.Impact,
				Mitigation: r.Mitigation, ResidualLikelihood: r.ResidualLikelihood, ResidualImpact: r.ResidualImpact, ReviewedBy: by, ReviewedAt: r.ReviewedAt})
		}
	}
	// SIGN-4, LOG-3: each signature verified now, as flow.verify_signatures would.
	report, err := u.verifyFlow(f)
	if err != nil {
		return doc, err
	}
	doc.SignaturesValid = report.Valid
	for i, sig := range f.Signatures {
		st := sig.Statement
		who, err := n.user(st.Signatory.User)
		if err != nil {
			return doc, err
		}
		org, err := n.org(st.Signatory.Org)
		if err != nil {
			return doc, err
		}
		check := report.Checks[i]
		doc.Signatures = append(doc.Signatures, pdf.Signature{Signatory: who, Role: st.Signatory.Role, Org: org, SignedAt: st.SignedAt, Late: sig.Late,
			Algorithm: sig.Algorithm, KeyID: st.KeyID, TermsHash: st.TermsHash, Verified: check.Valid, Code: check.Code, Reason: check.Reason})
	}
	if doc.Unsigned, err = n.orgList(f.Unsigned()); err != nil {
		return doc, err
	}
	for _, ws := range f.WetSignatures {
		org, err := n.org(ws.Org)
		if err != nil {
			return doc, err
		}
		by, err := n.user(ws.AttachedBy)
		if err != nil {
			return doc, err
		}
		doc.WetSignatures = append(doc.WetSignatures, pdf.WetSignature{Org: org, Document: ws.Document.String(), AttachedBy: by, AttachedAt: ws.AttachedAt})
	}
	return doc, nil
}

func summaryPart(n *docNames, s agreement.Summary) (pdf.Summary, error) {
	creator, err := n.org(s.CreatedByOrg)
	if err != nil {
		return pdf.Summary{}, err
	}
	shared := make([]string, len(s.InformationShared))
	for i, c := range s.InformationShared {
		shared[i] = string(c)
	}
	return pdf.Summary{ID: s.ID.String(), Title: s.Title, CreatedBy: creator, DataAsset: s.DataAsset, Purpose: s.Purpose, Benefits: s.Benefits,
		Format: s.Format, InformationShared: shared, InformationDetails: s.InformationDetails, ReviewCycleMonths: s.ReviewCycleMonths,
		LawEnforcement: s.LawEnforcement}, nil
}

func flowPart(n *docNames, f agreement.Flow) (pdf.Flow, error) {
	from, err := n.orgList(f.From)
	if err != nil {
		return pdf.Flow{}, err
	}
	to, err := n.orgList(f.To)
	if err != nil {
		return pdf.Flow{}, err
	}
	out := pdf.Flow{ID: f.ID.String(), Name: f.Name, State: string(f.State), Rev: f.Rev, Direction: string(f.Direction), From: from, To: to,
		Frequency: string(f.Frequency), TransferMode: string(f.TransferMode), TransferDetails: f.TransferDetails, Controls: f.Controls,
		PersonalData: f.PersonalData, SpecialCategoryData: f.SpecialCategoryData, LawEnforcementData: f.LawEnforcementData, FinalisedAt: f.FinalisedAt}
	if !f.VariationOf.IsZero() {
		out.VariationOf = f.VariationOf.String()
	}
	for _, b := range f.LegalBases {
		out.LegalBases = append(out.LegalBases, pdf.LegalBasis{Basis: string(b.Basis), Instrument: b.Instrument})
	}
	return out, nil
}

// dpiaSectionTitles are the ICO template's step headings (DPIA-4).
var dpiaSectionTitles = map[dpia.Section]string{
	dpia.SectionNeed:         "Step 1: Identify the need for a DPIA",
	dpia.SectionProcessing:   "Step 2: Describe the processing",
	dpia.SectionConsultation: "Step 3: Consultation process",
	dpia.SectionNecessity:    "Step 4: Assess necessity and proportionality",
	dpia.SectionRisks:        "Step 5: Identify and assess risks",
	dpia.SectionMeasures:     "Step 6: Identify measures to reduce risk",
	dpia.SectionSignOff:      "Step 7: Sign off and record outcomes",
}

// dpiaDocument builds the document of DPIA d.
func (u *uow) dpiaDocument(d dpia.DPIA) (pdf.DPIA, error) {
	n := &docNames{u: u, orgs: map[OrgID]string{}, users: map[UserID]string{}}
	member := func(m dpia.Member) (string, error) {
		who, err := n.user(m.User)
		if err != nil {
			return "", err
		}
		org, err := n.org(m.Org)
		return who + " (" + org + ")", err
	}
	org, err := n.org(d.Org)
	if err != nil {
		return pdf.DPIA{}, err
	}
	doc := pdf.DPIA{Produced: u.now, ID: d.ID.String(), Title: d.Title, Organisation: org, Version: d.Version, State: string(d.State),
		ExecutiveSummary: d.ExecutiveSummary, ReviewDate: d.ReviewDate, ApprovedAt: d.ApprovedAt}
	a, _, err := u.loadActivity(d.ActivityID)
	switch {
	case isNotFound(err):
		doc.Activity = d.ActivityID.String()
	case err != nil:
		return doc, err
	default:
		doc.Activity = a.Name
	}
	if d.Screening != nil {
		doc.Screening, doc.ScreeningReason = string(d.Screening.Result.Outcome), d.Screening.Result.Reason
	}
	if c := d.Consultation; c != nil {
		doc.Consultation = &pdf.Consultation{SentAt: c.SentAt, Reference: c.Reference, DueAt: c.DueAt, Outcome: c.Outcome, OutcomeAt: c.OutcomeAt}
	}
	for _, s := range dpia.Sections() {
		sec := pdf.Section{Code: string(s), Title: dpiaSectionTitles[s]}
		for _, q := range dpia.Questions() {
			if q.Code.Section() != s {
				continue
			}
			if ans, ok := d.Answers[q.Code]; ok {
				sec.Answers = append(sec.Answers, pdf.Answer{Question: q.Text, Text: ans.Text, Attachments: len(ans.Attachments)})
			}
		}
		doc.Sections = append(doc.Sections, sec)
	}
	for _, e := range d.Evaluations {
		by, err := member(e.By)
		if err != nil {
			return doc, err
		}
		doc.Evaluations = append(doc.Evaluations, pdf.Evaluation{Section: string(e.Section), Verdict: string(e.Verdict), Comment: e.Comment, By: by, At: e.At})
	}
	if o := d.DPOOpinion; o != nil {
		by, err := member(o.By)
		if err != nil {
			return doc, err
		}
		doc.Opinion = &pdf.Opinion{Opinion: o.Opinion, SubjectsConsulted: o.SubjectsConsulted, NotConsultedReason: o.NotConsultedReason, By: by, At: o.At}
	}
	for _, x := range d.Actions {
		owner, err := member(x.Owner)
		if err != nil {
			return doc, err
		}
		doc.Actions = append(doc.Actions, pdf.Action{Section: string(x.Section), Description: x.Description, Owner: owner, Due: x.Due, DoneAt: x.DoneAt})
	}
	for _, p := range dpia.RiskMap(d) {
		r := d.Risks[p.Label-1]
		doc.Risks = append(doc.Risks, pdf.MapRisk{Label: p.Label, Description: p.Description, Measures: r.Measures,
			Likelihood: r.Likelihood, Impact: r.Impact, ResidualLikelihood: r.ResidualLikelihood, ResidualImpact: r.ResidualImpact})
	}
	capacity := map[dpia.Member]dpia.Capacity{}
	for _, ap := range d.Approvers {
		capacity[dpia.Member{User: ap.User, Org: ap.Org}] = ap.Capacity
	}
	for _, ap := range d.Approvals {
		who, err := member(ap.Approver)
		if err != nil {
			return doc, err
		}
		doc.Approvals = append(doc.Approvals, pdf.Approval{Approver: who, Capacity: string(capacity[ap.Approver]), Decision: string(ap.Decision),
			Comments: ap.Comments, DPOAdvice: string(ap.DPOAdvice), Reasons: ap.Reasons, Rev: ap.Rev, At: ap.At})
	}
	return doc, nil
}

package isg_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/memory"
)

// sameAnswer is what a refusal tells: its code, kind and rule.
func sameAnswer(err error) [3]string {
	var e *isg.Error
	if !errors.As(err, &e) {
		return [3]string{"not an *isg.Error", "", ""}
	}
	return [3]string{e.Code, e.Kind.Error(), e.Rule}
}

// SUM-3, ROLE-7: for every command naming a summary, a flow or its risk assessment, an
// organisation that may not see the record gets exactly the answer an ID naming nothing gets —
// code, kind and rule — so a refusal never tells it what exists.
func TestAgreementRefusalsDoNotTellRecordsFromUnknownIDs(t *testing.T) {
	w := newWorld(t)
	a, _, outsider, north, south, east := w.threeOrgs()
	na := isg.Actor{User: a, Org: north}
	s, err := w.g.SaveSummary(ctx, na, isg.SummaryInput{SummaryTerms: summaryTerms(north, south)})
	require.NoError(t, err)
	f, err := w.g.CreateFlow(ctx, na, isg.CreateFlowInput{Summary: s.ID, FlowTerms: flowTerms(north, south)})
	require.NoError(t, err)
	_, err = w.g.GenerateRiskAssessment(ctx, na, isg.ByID[agreement.FlowID]{ID: f.ID})
	require.NoError(t, err)
	mine, err := w.g.SaveSummary(ctx, isg.Actor{User: outsider, Org: east}, isg.SummaryInput{SummaryTerms: summaryTerms(east)})
	require.NoError(t, err)
	me := isg.Actor{User: outsider, Org: east}
	// The outsider holds every organisation role, so that no row refuses before the record is
	// looked for.
	w.grant(outsider, east, outsider, isg.Administrator, isg.SeniorOfficer, isg.IGOfficer, isg.InfoAssetOwner, isg.DPO)

	nowhereFlow := agreement.FlowID{UUID: uuid.Must(uuid.NewV7())}
	nowhereSummary := agreement.SummaryID{UUID: uuid.Must(uuid.NewV7())}
	bySummary := map[string]func(agreement.SummaryID) error{
		"summary.get": func(id agreement.SummaryID) error {
			_, err := w.g.Summary(ctx, me, isg.ByID[agreement.SummaryID]{ID: id})
			return err
		},
		"summary.flows": func(id agreement.SummaryID) error {
			_, err := w.g.FlowsOfSummary(ctx, me, isg.ByID[agreement.SummaryID]{ID: id})
			return err
		},
		"summary.log": func(id agreement.SummaryID) error {
			_, err := w.g.SummaryLog(ctx, me, isg.ByID[agreement.SummaryID]{ID: id})
			return err
		},
		"summary.save (edit)": func(id agreement.SummaryID) error {
			_, err := w.g.SaveSummary(ctx, me, isg.SummaryInput{ID: id, SummaryTerms: summaryTerms(east)})
			return err
		},
		"summary.copy": func(id agreement.SummaryID) error {
			_, err := w.g.CopySummary(ctx, me, isg.ByID[agreement.SummaryID]{ID: id})
			return err
		},
		"flow.create": func(id agreement.SummaryID) error {
			_, err := w.g.CreateFlow(ctx, me, isg.CreateFlowInput{Summary: id, FlowTerms: flowTerms(east, north)})
			return err
		},
	}
	byFlow := map[string]func(agreement.FlowID) error{
		"flow.get": func(id agreement.FlowID) error {
			_, err := w.g.Flow(ctx, me, isg.ByID[agreement.FlowID]{ID: id})
			return err
		},
		"flow.log": func(id agreement.FlowID) error {
			_, err := w.g.FlowLog(ctx, me, isg.ByID[agreement.FlowID]{ID: id})
			return err
		},
		"flow.edit": func(id agreement.FlowID) error {
			_, err := w.g.EditFlow(ctx, me, isg.FlowStep[agreement.FlowTerms]{Flow: id, Input: flowTerms(east, north)})
			return err
		},
		"flow.request_review": func(id agreement.FlowID) error {
			_, err := w.g.RequestReview(ctx, me, isg.FlowStep[agreement.ReviewRequest]{Flow: id})
			return err
		},
		"flow.rereview": func(id agreement.FlowID) error {
			_, err := w.g.RequestRereview(ctx, me, isg.FlowStep[agreement.Rereview]{Flow: id})
			return err
		},
		"flow.finalise": func(id agreement.FlowID) error {
			_, err := w.g.FinaliseFlow(ctx, me, isg.ByID[agreement.FlowID]{ID: id})
			return err
		},
		"flow.add_party": func(id agreement.FlowID) error {
			_, err := w.g.AddParty(ctx, me, isg.AddPartyInput{Flow: id, Org: east, Side: agreement.SideTo})
			return err
		},
		"flow.request_signoff": func(id agreement.FlowID) error {
			_, err := w.g.RequestSignOff(ctx, me, isg.FlowStep[agreement.SignOffInput]{Flow: id, Input: agreement.SignOffInput{Signers: []agreement.Signer{{User: me.User, Org: east}}}})
			return err
		},
		"flow.sign": func(id agreement.FlowID) error {
			_, err := w.g.SignFlow(ctx, me, isg.ByID[agreement.FlowID]{ID: id})
			return err
		},
		"flow.verify_signatures": func(id agreement.FlowID) error {
			_, err := w.g.VerifySignatures(ctx, me, isg.ByID[agreement.FlowID]{ID: id})
			return err
		},
		"flow.attach_wet_signature": func(id agreement.FlowID) error {
			_, err := w.g.AttachWetSignature(ctx, me, isg.FlowStep[isg.WetSignatureInput]{Flow: id, Input: isg.WetSignatureInput{Document: id.String()}})
			return err
		},
		"flow.copy": func(id agreement.FlowID) error {
			_, err := w.g.CopyFlow(ctx, me, isg.CopyFlowInput{Flow: id, Summary: mine.ID})
			return err
		},
		"risk.get": func(id agreement.FlowID) error {
			_, err := w.g.RiskAssessment(ctx, me, isg.ByID[agreement.FlowID]{ID: id})
			return err
		},
		"risk.generate": func(id agreement.FlowID) error {
			_, err := w.g.GenerateRiskAssessment(ctx, me, isg.ByID[agreement.FlowID]{ID: id})
			return err
		},
		"risk.save": func(id agreement.FlowID) error {
			_, err := w.g.SaveRiskAssessment(ctx, me, isg.RiskInput{Flow: id})
			return err
		},
		"document.list": func(id agreement.FlowID) error {
			_, err := w.g.Documents(ctx, me, isg.DocumentsInput{SubjectKind: "flow", SubjectID: id.String()})
			return err
		},
		"risk.import": func(id agreement.FlowID) error {
			_, err := w.g.ImportRiskAssessment(ctx, me, isg.ImportRiskInput{From: id, To: id})
			return err
		},
	}
	for name, run := range bySummary {
		t.Run(name, func(t *testing.T) {
			seen, unknown := run(s.ID), run(nowhereSummary)
			require.Error(t, seen)
			assert.Equal(t, sameAnswer(unknown), sameAnswer(seen))
			assert.ErrorIs(t, seen, isg.ErrNotFound)
		})
	}
	for name, run := range byFlow {
		t.Run(name, func(t *testing.T) {
			seen, unknown := run(f.ID), run(nowhereFlow)
			require.Error(t, seen)
			assert.Equal(t, sameAnswer(unknown), sameAnswer(seen))
			assert.ErrorIs(t, seen, isg.ErrNotFound)
		})
	}
}

// DOC-1, ROLE-7: the content of a document on a flow another organisation may not see is
// answered exactly as an unknown document — document.not_found, not the subject's summary or
// flow not-found, which would tell the document exists.
func TestDocumentContentOfAnInvisibleDocumentIsAnUnknownDocument(t *testing.T) {
	w := newWorld(t)
	a, _, outsider, north, south, east := w.threeOrgs()
	w.licensed(north)
	na := isg.Actor{User: a, Org: north}
	s, err := w.g.SaveSummary(ctx, na, isg.SummaryInput{SummaryTerms: summaryTerms(north, south)})
	require.NoError(t, err)
	f, err := w.g.CreateFlow(ctx, na, isg.CreateFlowInput{Summary: s.ID, FlowTerms: flowTerms(north, south)})
	require.NoError(t, err)
	me := isg.Actor{User: outsider, Org: east}

	for _, subject := range []struct{ kind, id string }{{"summary", s.ID.String()}, {"flow", f.ID.String()}} {
		t.Run(subject.kind, func(t *testing.T) {
			d, err := w.g.UploadDocument(ctx, na, isg.UploadInput{SubjectKind: subject.kind, SubjectID: subject.id, Name: "dpia.pdf", Content: []byte("%PDF")})
			require.NoError(t, err)
			_, err = w.g.DocumentContent(ctx, na, d.ID)
			require.NoError(t, err, "a party reads it")

			_, seen := w.g.DocumentContent(ctx, me, d.ID)
			_, unknown := w.g.DocumentContent(ctx, me, uuid.Must(uuid.NewV7()).String())
			require.Error(t, seen)
			assert.Equal(t, "document.not_found", isg.ErrorCode(seen))
			assert.Equal(t, sameAnswer(unknown), sameAnswer(seen))
			assert.ErrorIs(t, seen, isg.ErrNotFound)
		})
	}
}

// DOC-1, SUM-3: a subject's ID is canonicalised at the boundary — an upper-case, braced or
// urn:uuid: spelling of a flow's ID files the document under the flow, where listings and copies
// look, and a document's ID reads in any spelling.
func TestDocumentSubjectIDsAreCanonicalised(t *testing.T) {
	w := newWorld(t)
	a, b := w.user("a@north.gov.uk"), w.user("b@south.gov.uk")
	north, south := w.org(a, "North"), w.org(b, "South")
	w.licensed(north)
	na := isg.Actor{User: a, Org: north}
	s, err := w.g.SaveSummary(ctx, na, isg.SummaryInput{SummaryTerms: summaryTerms(north, south)})
	require.NoError(t, err)
	f, err := w.g.CreateFlow(ctx, na, isg.CreateFlowInput{Summary: s.ID, FlowTerms: flowTerms(north, south)})
	require.NoError(t, err)
	id := f.ID.String()
	spellings := map[string]string{
		"upper-case": strings.ToUpper(id),
		"braced":     "{" + id + "}",
		"urn":        "urn:uuid:" + id,
	}
	for name, spelt := range spellings {
		t.Run(name, func(t *testing.T) {
			d, err := w.g.UploadDocument(ctx, na, isg.UploadInput{SubjectKind: "flow", SubjectID: spelt, Name: name + ".pdf", Content: []byte(name)})
			require.NoError(t, err)
			assert.Equal(t, id, d.SubjectID, "filed under the canonical ID")
			list, err := w.g.Documents(ctx, na, isg.DocumentsInput{SubjectKind: "flow", SubjectID: id})
			require.NoError(t, err)
			var ids []string
			for _, x := range list {
				ids = append(ids, x.ID)
			}
			assert.Contains(t, ids, d.ID, "listed under the canonical ID")
			again, err := w.g.Documents(ctx, na, isg.DocumentsInput{SubjectKind: "flow", SubjectID: spelt})
			require.NoError(t, err)
			assert.Len(t, again, len(list), "and under any other spelling alike")
			got, err := w.g.DocumentContent(ctx, na, strings.ToUpper(d.ID))
			require.NoError(t, err)
			assert.Equal(t, []byte(name), got)
		})
	}
	d, err := w.g.UploadDocument(ctx, na, isg.UploadInput{SubjectKind: "assurance", SubjectID: strings.ToUpper(north.String()), Name: "dspt.pdf", Content: []byte("x")})
	require.NoError(t, err, "the organisation's own assurance, in upper case")
	assert.Equal(t, north.String(), d.SubjectID)
}

// TestFlowLogDetectsAChangeWithoutAnEntry: LOG-3 — a flow's terms or state changed directly in
// the store, with no log entry and the log head untouched, no longer verifies.
func TestFlowLogDetectsAChangeWithoutAnEntry(t *testing.T) {
	store := memory.New()
	g, err := isg.New(store, cheapPasswords)
	require.NoError(t, err)
	w := &world{t: t, g: g}
	ca, err := g.Bootstrap(ctx, isg.BootstrapInput{Email: "support@isg.nhs.uk", Name: "S", Password: "Support#2026"})
	require.NoError(t, err)
	w.ca = ca.ID
	a := w.user("a@north.gov.uk")
	north, south := w.org(a, "North"), w.org(w.user("b@south.gov.uk"), "South")
	na := isg.Actor{User: a, Org: north}
	s, err := g.SaveSummary(ctx, na, isg.SummaryInput{SummaryTerms: summaryTerms(north, south)})
	require.NoError(t, err)
	f, err := g.CreateFlow(ctx, na, isg.CreateFlowInput{Summary: s.ID, FlowTerms: flowTerms(north, south)})
	require.NoError(t, err)
	log, err := g.FlowLog(ctx, na, isg.ByID[agreement.FlowID]{ID: f.ID})
	require.NoError(t, err)
	require.True(t, log.Verified, log.Problem)

	for _, tamper := range []struct {
		name  string
		field string
		value any
	}{
		{"terms", "name", "Quietly renamed"},
		{"state", "state", "finalised"},
	} {
		t.Run(tamper.name, func(t *testing.T) {
			require.NoError(t, store.Update(ctx, func(tx isg.Tx) error {
				rec, err := tx.Get(ctx, "flow", f.ID.String())
				if err != nil {
					return err
				}
				var body map[string]any
				if err := json.Unmarshal(rec.Body, &body); err != nil {
					return err
				}
				body[tamper.field] = tamper.value
				rec.Body, err = json.Marshal(body)
				if err != nil {
					return err
				}
				_, err = tx.Put(ctx, rec)
				return err
			}))
			log, err := g.FlowLog(ctx, na, isg.ByID[agreement.FlowID]{ID: f.ID})
			require.NoError(t, err)
			assert.False(t, log.Verified, "a %s changed without an entry must not verify", tamper.field)
			assert.Contains(t, log.Problem, tamper.field)
		})
	}
}

package isg_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg"
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
	a, b := w.user("a@north.gov.uk"), w.user("b@south.gov.uk")
	north, south := w.org(a, "North"), w.org(b, "South")
	outsider := w.user("c@east.gov.uk")
	east := w.org(outsider, "East")
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

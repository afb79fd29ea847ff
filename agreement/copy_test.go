package agreement_test

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
)

// copyFixture: a summary with a contact and a document, a finalised flow (reviewed), a draft
// flow the police are not in, and a reviewed risk assessment of the first flow.
func copyFixture(t *testing.T, w *world) (agreement.Summary, []agreement.Flow, []agreement.RiskAssessment) {
	t.Helper()
	m := agreement.NewFlowMachine()
	in := w.summaryTerms()
	in.Contacts = []agreement.Contact{{Name: "Jo Bloggs", Email: "jo@trust.nhs.uk"}}
	in.Documents = []agreement.DocumentRef{{ID: agreement.DocumentID{UUID: w.uuid()}, Name: "ISA.pdf", Size: 1024}}
	s, err := agreement.NewSummary(agreement.SummaryID{UUID: w.uuid()}, w.officer, w.now, in)
	require.NoError(t, err)

	f1, _, err := m.RequestReview(w.flow(t, s), w.officer, w.now, agreement.ReviewRequest{
		DPOs: []agreement.Reviewer{{DPO: w.councilDPO.User, Org: w.council}}, ReviewBy: w.now.AddDate(0, 0, 7)})
	require.NoError(t, err)
	f1, _, err = m.Approve(f1, w.councilDPO, w.now, agreement.Verdict{})
	require.NoError(t, err)
	f1, _, err = m.Finalise(f1, w.officer, w.now)
	require.NoError(t, err)
	f1.Log = agreement.LogHead{Count: 4, Last: "ab"}

	f2 := w.flow(t, s)
	ra, err := agreement.NewRiskAssessment(agreement.RiskAssessmentID{UUID: w.uuid()}, f1, w.officer, w.now, []agreement.Risk{
		{Description: "Sent to wrong address", Likelihood: 3, Impact: 4, ResidualLikelihood: 2, ResidualImpact: 4},
	})
	require.NoError(t, err)
	ra, err = ra.ReviewRisk(f1, 0, w.councilOfficer, w.now, agreement.RiskReview{Mitigation: "Address book", ResidualLikelihood: 1, ResidualImpact: 4})
	require.NoError(t, err)
	return s, []agreement.Flow{f1, f2}, []agreement.RiskAssessment{ra}
}

// TestCopySummary (SUM-4): information, flows, documents, additional contacts and risk
// assessments are copied as new drafts with new IDs and no reviews, signatures or history; the
// copy's log records what it was copied from.
func TestCopySummary(t *testing.T) {
	w := newWorld()
	s, flows, risks := copyFixture(t, w)
	c, err := agreement.CopySummary(s, flows, risks, w.councilOfficer, w.now.AddDate(0, 1, 0), w.uuid)
	require.NoError(t, err)

	cs := c.Summary
	assert.NotEqual(t, s.ID, cs.ID)
	assert.Equal(t, s.ID, cs.CopiedFrom)
	assert.Equal(t, s.Purpose, cs.Purpose, "information copied")
	assert.Equal(t, s.Contacts, cs.Contacts, "additional contacts copied")
	require.Len(t, cs.Documents, 1)
	assert.NotEqual(t, s.Documents[0].ID, cs.Documents[0].ID, "documents get new IDs")
	assert.Equal(t, []agreement.DocumentCopy{{From: s.Documents[0].ID, To: cs.Documents[0].ID}}, c.Documents)
	assert.Equal(t, w.council, cs.CreatedByOrg, "the copier owns the copy")
	assert.Equal(t, agreement.LogHead{}, cs.Log, "no history")

	require.Len(t, c.Flows, 2)
	for i, f := range c.Flows {
		assert.Equal(t, cs.ID, f.SummaryID)
		assert.Equal(t, flows[i].ID, f.CopiedFrom)
		assert.NotEqual(t, flows[i].ID, f.ID)
		assert.Equal(t, agreement.Draft, f.State, "a new draft")
		assert.Empty(t, f.Reviews, "no reviews")
		assert.True(t, f.ReviewBy.IsZero())
		assert.True(t, f.FinalisedAt.IsZero())
		assert.Equal(t, agreement.LogHead{}, f.Log)
		assert.Equal(t, flows[i].FlowTerms, f.FlowTerms)
	}

	require.Len(t, c.RiskAssessments, 1)
	ra := c.RiskAssessments[0]
	assert.Equal(t, c.Flows[0].ID, ra.FlowID)
	assert.Equal(t, risks[0].ID, ra.CopiedFrom)
	assert.Equal(t, "Address book", ra.Risks[0].Mitigation)
	assert.False(t, ra.Risks[0].Reviewed(), "no reviews")
	assert.True(t, risks[0].Risks[0].Reviewed(), "source untouched")

	require.Len(t, c.Logs, 3)
	assert.Equal(t, cs.ID.UUID, c.Logs[0].Subject)
	want, _ := json.Marshal(s.ID.String())
	assert.Equal(t, []agreement.Change{{Field: "copied_from", Old: "null", New: string(want)}}, c.Logs[0].Changes)

	// every ID is new and distinct
	seen := map[uuid.UUID]bool{s.ID.UUID: true, flows[0].ID.UUID: true, flows[1].ID.UUID: true, risks[0].ID.UUID: true}
	for _, id := range []uuid.UUID{cs.ID.UUID, cs.Documents[0].ID.UUID, c.Flows[0].ID.UUID, c.Flows[1].ID.UUID, ra.ID.UUID} {
		assert.False(t, seen[id])
		seen[id] = true
	}
}

// TestCopySummaryShowsOnlyVisibleFlows (SUM-3, SUM-4): a copy does not reveal flows its maker
// could not see.
func TestCopySummaryShowsOnlyVisibleFlows(t *testing.T) {
	w := newWorld()
	s, flows, risks := copyFixture(t, w)
	c, err := agreement.CopySummary(s, flows, risks, w.policeOfficer, w.now, w.uuid)
	require.NoError(t, err)
	assert.Empty(t, c.Flows)
	assert.Empty(t, c.RiskAssessments)

	_, err = agreement.CopySummary(s, flows, risks, w.stranger, w.now, w.uuid)
	assert.ErrorIs(t, err, agreement.ErrForbidden)
}

func TestCopySummaryNeedsGoodIDs(t *testing.T) {
	w := newWorld()
	s, flows, risks := copyFixture(t, w)
	_, err := agreement.CopySummary(s, flows, risks, w.officer, w.now, nil)
	assert.ErrorIs(t, err, agreement.ErrInvalid)
	_, err = agreement.CopySummary(s, flows, risks, w.officer, w.now, func() uuid.UUID { return uuid.UUID{1} })
	assert.ErrorIs(t, err, agreement.ErrInvalid, "a repeated ID is refused")
}

// TestCopyFlow (FLOW-10): a flow copy carries its terms and nothing of its review; its risk
// assessments are not copied, since they are generated for each flow.
func TestCopyFlow(t *testing.T) {
	w := newWorld()
	s, flows, _ := copyFixture(t, w)
	id := agreement.FlowID{UUID: w.uuid()}
	f, changes, err := agreement.CopyFlow(flows[0], s, id, w.officer, w.now)
	require.NoError(t, err)
	assert.Equal(t, id, f.ID)
	assert.Equal(t, flows[0].ID, f.CopiedFrom)
	assert.Equal(t, agreement.Draft, f.State)
	assert.Empty(t, f.Reviews)
	assert.Equal(t, flows[0].PrivacyAnswers, f.PrivacyAnswers)
	assert.Equal(t, "copied_from", changes[0].Field)

	// into a summary that lacks one of the parties: FLOW-11
	in := w.summaryTerms()
	in.Organisations = []agreement.OrgID{w.trust, w.police}
	other, err := agreement.NewSummary(agreement.SummaryID{UUID: w.uuid()}, w.officer, w.now, in)
	require.NoError(t, err)
	_, _, err = agreement.CopyFlow(flows[0], other, agreement.FlowID{UUID: w.uuid()}, w.officer, w.now)
	require.ErrorIs(t, err, agreement.ErrInvalid)
	assert.Contains(t, fieldCodes(t, err), "parties[1]/not_on_summary")

	_, _, err = agreement.CopyFlow(flows[0], s, agreement.FlowID{UUID: w.uuid()}, w.policeOfficer, w.now)
	assert.ErrorIs(t, err, agreement.ErrForbidden, "SUM-3 a flow the actor cannot see")
}

// TestImportRiskAssessment (FLOW-10): importing another flow's risk assessment creates one for
// this flow and changes nothing in the summary, the flow or its privacy answers.
func TestImportRiskAssessment(t *testing.T) {
	w := newWorld()
	s, flows, risks := copyFixture(t, w)
	before, _ := json.Marshal([]any{s, flows})
	ra, err := agreement.ImportRiskAssessment(agreement.RiskAssessmentID{UUID: w.uuid()}, flows[0], risks[0], flows[1], w.officer, w.now)
	require.NoError(t, err)
	after, _ := json.Marshal([]any{s, flows})
	assert.JSONEq(t, string(before), string(after))
	assert.Equal(t, flows[1].ID, ra.FlowID)
	assert.Equal(t, risks[0].ID, ra.CopiedFrom)
	assert.Equal(t, risks[0].Risks[0].Description, ra.Risks[0].Description)

	_, err = agreement.ImportRiskAssessment(agreement.RiskAssessmentID{UUID: w.uuid()}, flows[1], risks[0], flows[0], w.officer, w.now)
	assert.ErrorIs(t, err, agreement.ErrInvalid, "the source assessment must be the source flow's")
	_, err = agreement.ImportRiskAssessment(agreement.RiskAssessmentID{UUID: w.uuid()}, flows[0], risks[0], flows[1], w.policeOfficer, w.now)
	assert.ErrorIs(t, err, agreement.ErrForbidden)
}

func TestRiskAssessmentValidationAndGrades(t *testing.T) {
	w := newWorld()
	s := w.summary(t)
	f := w.flow(t, s)
	_, err := agreement.NewRiskAssessment(agreement.RiskAssessmentID{UUID: w.uuid()}, f, w.officer, w.now, []agreement.Risk{
		{Description: "", Likelihood: 0, Impact: 6, ResidualLikelihood: 1, ResidualImpact: 1},
	})
	require.ErrorIs(t, err, agreement.ErrInvalid)
	assert.ElementsMatch(t, []string{"risks[0].description/required", "risks[0].likelihood/min", "risks[0].impact/max"}, fieldCodes(t, err))

	ra, err := agreement.NewRiskAssessment(agreement.RiskAssessmentID{UUID: w.uuid()}, f, w.officer, w.now, []agreement.Risk{
		{Description: "a", Likelihood: 5, Impact: 5, ResidualLikelihood: 2, ResidualImpact: 3},
		{Description: "b", Likelihood: 2, Impact: 4, ResidualLikelihood: 3, ResidualImpact: 4},
	})
	require.NoError(t, err)
	assert.Equal(t, agreement.Rating{Likelihood: 5, Impact: 5, Score: 25, Grade: agreement.GradeExtreme}, ra.Risks[0].Rating())
	assert.Equal(t, agreement.GradeModerate, ra.Risks[0].Residual().Grade)
	assert.Equal(t, agreement.GradeHigh, ra.Highest())

	_, err = ra.ReviewRisk(f, 5, w.officer, w.now, agreement.RiskReview{ResidualLikelihood: 1, ResidualImpact: 1})
	assert.ErrorIs(t, err, agreement.ErrNotFound)
}

package agreement_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
)

func screenedFlow(t *testing.T, w *world, answers map[string]string) agreement.Flow {
	t.Helper()
	s := w.summary(t)
	in := w.flowTerms()
	in.PrivacyAnswers = answers
	f, err := agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, s, w.officer, w.now, in)
	require.NoError(t, err)
	return f
}

// TestGenerateRiskAssessment (RISK-1): one risk per worrying screening answer, scored
// likelihood × impact and graded on the 5×5 matrix, with a mitigation and a residual.
func TestGenerateRiskAssessment(t *testing.T) {
	w := newWorld()
	f := screenedFlow(t, w, map[string]string{
		"encrypted_in_transit": "No",     // worrying: 4×4 = 16 extreme
		"subjects_informed":    "yes",    // fine
		"vulnerable_subjects":  "YES",    // worrying: 3×4 = 12 high
		"retention_agreed":     "unsure", // unknown counts as worrying: 3×3 = 9 high
		"outside_uk":           "",       // unanswered: nothing
		"host_question":        "yes",    // not ours: ignored
	})
	ra, err := agreement.GenerateRiskAssessment(agreement.RiskAssessmentID{UUID: w.uuid()}, f, nil, w.officer, w.now)
	require.NoError(t, err)
	got := map[string]agreement.Risk{}
	for _, r := range ra.Risks {
		got[r.Code] = r
	}
	require.Len(t, got, 3)
	tests := []struct {
		code  string
		score int
		grade agreement.Grade
	}{
		{"encrypted_in_transit", 16, agreement.GradeExtreme},
		{"vulnerable_subjects", 12, agreement.GradeHigh},
		{"retention_agreed", 9, agreement.GradeHigh},
	}
	for _, tt := range tests {
		r := got[tt.code]
		assert.Equal(t, tt.score, r.Rating().Score, tt.code)
		assert.Equal(t, tt.grade, r.Rating().Grade, tt.code)
		assert.Equal(t, r.Rating(), r.Residual(), "residual starts at the inherent score")
		assert.NotEmpty(t, r.Mitigation)
		assert.False(t, r.Reviewed())
	}
	assert.Equal(t, agreement.GradeExtreme, ra.Highest())
	for _, q := range agreement.PrivacyQuestions() {
		_, err := agreement.NewRiskAssessment(agreement.RiskAssessmentID{UUID: w.uuid()}, f, w.officer, w.now, []agreement.Risk{{
			Code: q.Code, Description: q.Description, Likelihood: q.Likelihood, Impact: q.Impact,
			ResidualLikelihood: q.Likelihood, ResidualImpact: q.Impact}})
		assert.NoError(t, err, "question %s raises a valid risk", q.Code)
	}
}

// TestRegenerateKeepsReviewedRisks (RISK-2): regenerating keeps reviewed risks (with who reviewed
// them and when) and hand-added ones, and replaces only unreviewed generated risks.
func TestRegenerateKeepsReviewedRisks(t *testing.T) {
	w := newWorld()
	f := screenedFlow(t, w, map[string]string{"encrypted_in_transit": "no", "data_minimised": "no"})
	id := agreement.RiskAssessmentID{UUID: w.uuid()}
	ra, err := agreement.GenerateRiskAssessment(id, f, nil, w.officer, w.now)
	require.NoError(t, err)
	require.Len(t, ra.Risks, 2)
	i := 0
	if ra.Risks[0].Code != "encrypted_in_transit" {
		i = 1
	}
	reviewedAt := w.now.Add(time.Hour)
	ra, err = ra.ReviewRisk(f, i, w.councilOfficer, reviewedAt, agreement.RiskReview{Mitigation: "TLS 1.3 API", ResidualLikelihood: 1, ResidualImpact: 4})
	require.NoError(t, err)
	ra.Risks = append(ra.Risks, agreement.Risk{Description: "Hand-added", Likelihood: 1, Impact: 1, ResidualLikelihood: 1, ResidualImpact: 1})

	// the answers change: encryption still "no", minimisation now fine, a new worry appears
	f.PrivacyAnswers = map[string]string{"encrypted_in_transit": "no", "data_minimised": "yes", "outside_uk": "yes"}
	again, err := agreement.GenerateRiskAssessment(agreement.RiskAssessmentID{UUID: w.uuid()}, f, &ra, w.officer, w.now.Add(2*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, id, again.ID, "regenerated in place")
	byCode := map[string]agreement.Risk{}
	for _, r := range again.Risks {
		byCode[r.Code] = r
	}
	require.Len(t, byCode, 3)
	kept := byCode["encrypted_in_transit"]
	assert.Equal(t, "TLS 1.3 API", kept.Mitigation, "RISK-2 the reviewed risk is kept as reviewed")
	assert.Equal(t, w.councilOfficer.User, kept.ReviewedBy)
	assert.Equal(t, reviewedAt, kept.ReviewedAt)
	assert.Equal(t, agreement.GradeModerate, kept.Residual().Grade)
	assert.Contains(t, byCode, "outside_uk")
	assert.NotContains(t, byCode, "data_minimised", "an unreviewed generated risk no longer raised goes")
	assert.Equal(t, "Hand-added", byCode[""].Description)

	_, err = agreement.GenerateRiskAssessment(id, screenedFlow(t, w, nil), &ra, w.officer, w.now)
	assert.ErrorIs(t, err, agreement.ErrInvalid, "another flow's assessment")
	_, err = agreement.GenerateRiskAssessment(id, f, nil, w.stranger, w.now)
	assert.ErrorIs(t, err, agreement.ErrForbidden)
}

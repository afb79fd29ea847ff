package assurance_test

import (
	"time"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/assurance"
)

var (
	testOrg   = assurance.OrgID{UUID: uuid.MustParse("0190a1b2-0000-7000-8000-000000000001")}
	testOther = assurance.OrgID{UUID: uuid.MustParse("0190a1b2-0000-7000-8000-000000000002")}
	testUser  = assurance.UserID{UUID: uuid.MustParse("0190a1b2-0000-7000-8000-0000000000aa")}

	// submittedAt and now are the default instants: now is half a year after submission and
	// well before the ICO registration's expiry.
	submittedAt = time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
	now         = time.Date(2025, 10, 1, 12, 0, 0, 0, time.UTC)
	icoExpiry   = time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)
)

func ptr[T any](v T) *T { return &v }

// fullAnswers meets all five ASR-2 criteria.
func fullAnswers() assurance.Answers {
	return assurance.Answers{
		ICONumber:        "Z1234567",
		ICOExpiresAt:     icoExpiry,
		Standard:         assurance.StandardISO27001,
		StaffTrained:     true,
		StaffScreened:    true,
		PrivacyNoticeURL: "https://example.nhs.uk/privacy",
	}
}

// answersMissing returns answers that miss exactly the criteria in m, with the improvement plan
// ASR-4 asks for whenever anything is missing, so the result is always a valid submission.
func answersMissing(m assurance.Criteria) assurance.Answers {
	a := fullAnswers()
	if m.Has(assurance.CriterionICO) {
		a.ICONumber, a.ICOExpiresAt = "", time.Time{}
	}
	if m.Has(assurance.CriterionFramework) {
		a.Standard = assurance.StandardNone
	}
	if m.Has(assurance.CriterionTraining) {
		a.StaffTrained = false
	}
	if m.Has(assurance.CriterionScreening) {
		a.StaffScreened = false
	}
	if m.Has(assurance.CriterionPrivacyNotice) {
		a.PrivacyNoticeURL = ""
	}
	if m != 0 {
		a.ImprovementPlan = "Close the gaps by the next annual review."
	}
	return a
}

func submission(a assurance.Answers, at time.Time) *assurance.Submission {
	return &assurance.Submission{Answers: a, Org: testOrg, SubmittedBy: testUser, SubmittedAt: at}
}

// expectedLevel restates the count rule of ASR-2 independently of the package.
func expectedLevel(missing int) string {
	switch {
	case missing == 0:
		return "significant"
	case missing == 1:
		return "limited"
	}
	return "none"
}

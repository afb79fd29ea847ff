package agreement

import (
	"strings"
	"time"

	"github.com/isgkit/gateway/isg/violation"
)

// PrivacyQuestion is one question of the privacy screening a flow answers (FLOW-1) and the risk a
// worrying answer raises (RISK-1). Answers are "yes" or "no" (any case); any other answer, such
// as "unsure", counts as worrying too, because an unknown safeguard is not a safeguard. An
// unanswered question raises nothing: the screening is not finished.
type PrivacyQuestion struct {
	// Code keys the answer in FlowTerms.PrivacyAnswers and the risk in Risk.Code. Stable.
	Code string `json:"code"`
	Text string `json:"text"`
	// RiskIf is the answer that raises the risk.
	RiskIf string `json:"risk_if"`
	// The risk raised, before mitigation; its residual starts equal to it.
	Description string `json:"description"`
	Likelihood  int    `json:"likelihood"`
	Impact      int    `json:"impact"`
	// Mitigation suggests how to reduce the risk.
	Mitigation string `json:"mitigation"`
}

// PrivacyQuestions returns the screening questions, in order, as a new slice each call.
func PrivacyQuestions() []PrivacyQuestion {
	return []PrivacyQuestion{
		{"subjects_informed", "Have the data subjects been told about this sharing (privacy notice)?", "no",
			"Data subjects are not told their data is shared, so the sharing is not transparent", 4, 3,
			"Update the privacy notices of every organisation to describe the sharing"},
		{"data_minimised", "Is only the minimum data needed for the purpose shared?", "no",
			"More data is shared than the purpose needs", 3, 3,
			"Remove fields the recipient does not need, or pseudonymise them"},
		{"encrypted_in_transit", "Is the data encrypted in transit?", "no",
			"Data may be intercepted or misdirected in transit", 4, 4,
			"Use an encrypted channel (secure e-mail, SFTP, TLS API)"},
		{"access_restricted", "Is access at the recipient limited to those who need it?", "no",
			"Staff without a need to know can read the data", 3, 4,
			"Apply role-based access control and audit access"},
		{"retention_agreed", "Is a retention period agreed, with secure deletion after it?", "no",
			"Data is kept longer than needed", 3, 3,
			"Agree a retention period and a deletion method in the agreement"},
		{"vulnerable_subjects", "Are the data subjects children or vulnerable adults?", "yes",
			"Harm from misuse or loss falls on vulnerable people", 3, 4,
			"Apply additional safeguards and limit onward sharing"},
		{"large_scale", "Is the data processed on a large scale?", "yes",
			"A breach would affect many people", 3, 4,
			"Segment the data and test the breach response plan"},
		{"new_technology", "Does the sharing use new technology or a new system?", "yes",
			"A new system may carry unforeseen privacy and security weaknesses", 3, 3,
			"Complete a DPIA and a security assessment of the system"},
		{"data_matching", "Is the data matched or combined with other data sets?", "yes",
			"Combining data sets may reveal more than each discloses alone", 3, 3,
			"Document the matching, and keep matched data pseudonymised where possible"},
		{"automated_decisions", "Is the data used for automated decisions or profiling?", "yes",
			"Automated decisions may affect people without human review", 2, 4,
			"Provide human review and a way to challenge decisions (UK GDPR Art. 22)"},
		{"outside_uk", "Is the data transferred outside the UK?", "yes",
			"Data leaves UK protection", 2, 4,
			"Rely on adequacy regulations or appropriate safeguards (IDTA)"},
	}
}

// raises reports whether answer a to question q raises its risk.
func (q PrivacyQuestion) raises(a string) bool {
	a = strings.ToLower(strings.TrimSpace(a))
	return a != "" && (a == q.RiskIf || (a != "yes" && a != "no"))
}

// GenerateRiskAssessment builds flow f's risk assessment from its privacy screening answers
// (RISK-1): one risk per worrying answer, scored on the 5×5 matrix, with a suggested mitigation
// and a residual equal to the risk until someone reviews it. Given the flow's existing
// assessment, it regenerates that one in place (keeping its ID) and keeps every risk already
// reviewed, and every risk added by hand, as they are (RISK-2); only unreviewed generated risks
// are replaced. Without one, the assessment gets id.
//
// Errors: ErrForbidden (CodeFlowNotVisible); ErrInvalid (existing is another flow's, or a zero
// ID or actor).
func GenerateRiskAssessment(id RiskAssessmentID, f Flow, existing *RiskAssessment, actor Actor, at time.Time) (RiskAssessment, error) {
	if !CanSeeFlow(actor.Org, f) {
		return RiskAssessment{}, flowNotVisible()
	}
	at = at.UTC()
	ra := RiskAssessment{ID: id, FlowID: f.ID, CreatedBy: actor.User, CreatedAt: at}
	var kept []Risk
	if existing != nil {
		if existing.FlowID != f.ID {
			return RiskAssessment{}, violation.Field("risk_assessment", "not_of_flow", "RISK-2", "is not the flow's risk assessment")
		}
		ra = *existing
		for _, r := range existing.Risks {
			if r.Reviewed() || r.Code == "" {
				kept = append(kept, r)
			}
		}
	}
	if bad := checkIDs(ra.ID.IsZero(), actor); len(bad) > 0 {
		return RiskAssessment{}, violation.Invalid(bad...)
	}
	risks := kept
	for _, q := range PrivacyQuestions() {
		if !q.raises(f.PrivacyAnswers[q.Code]) || hasCode(kept, q.Code) {
			continue
		}
		risks = append(risks, Risk{
			Code: q.Code, Description: q.Description, Likelihood: q.Likelihood, Impact: q.Impact,
			Mitigation: q.Mitigation, ResidualLikelihood: q.Likelihood, ResidualImpact: q.Impact,
		})
	}
	ra.Risks = risks
	ra.UpdatedAt = at
	return ra, nil
}

func hasCode(risks []Risk, code string) bool {
	for _, r := range risks {
		if r.Code == code {
			return true
		}
	}
	return false
}

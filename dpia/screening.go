package dpia

import (
	"slices"
	"time"
)

// Criterion is a screening question (DPIA-3): one of the nine criteria of the EDPB's guidelines on
// DPIAs (WP248 rev.01, endorsed by the EDPB and kept by the ICO), or an item of the ICO's list of
// processing likely to result in high risk (UK GDPR Art. 35(4)). Its text is stable: answers are
// stored under it.
type Criterion string

// The nine EDPB WP248 criteria.
const (
	EvaluationOrScoring     Criterion = "evaluation_or_scoring"      // evaluation or scoring, including profiling and predicting
	AutomatedDecision       Criterion = "automated_decision"         // automated decision-making with legal or similarly significant effect
	SystematicMonitoring    Criterion = "systematic_monitoring"      // systematic monitoring, including of publicly accessible areas
	SensitiveData           Criterion = "sensitive_data"             // special-category, criminal offence or highly personal data
	LargeScale              Criterion = "large_scale"                // data processed on a large scale
	MatchingOrCombining     Criterion = "matching_or_combining"      // datasets matched or combined beyond data subjects' expectations
	VulnerableSubjects      Criterion = "vulnerable_subjects"        // data concerning vulnerable data subjects (children, patients, employees…)
	InnovativeUse           Criterion = "innovative_use"             // innovative use or new technological or organisational solutions
	PreventsExercisingRight Criterion = "prevents_exercising_rights" // processing that prevents data subjects exercising a right or using a service or contract
)

// The ICO's list of processing operations likely to result in high risk, for which a DPIA is
// required (UK GDPR Art. 35(4)).
const (
	ICOInnovativeTechnology Criterion = "ico_innovative_technology" // new technologies, or novel use of existing ones (AI, smart technology, IoT…)
	ICODenialOfService      Criterion = "ico_denial_of_service"     // decisions on access to a product, service, opportunity or benefit based on automated decisions or special-category data
	ICOLargeScaleProfiling  Criterion = "ico_large_scale_profiling" // profiling of individuals on a large scale
	ICOBiometrics           Criterion = "ico_biometrics"            // processing of biometric data to identify someone
	ICOGeneticData          Criterion = "ico_genetic_data"          // processing of genetic data, other than by a GP or health professional for direct care
	ICODataMatching         Criterion = "ico_data_matching"         // combining, comparing or matching personal data from multiple sources
	ICOInvisibleProcessing  Criterion = "ico_invisible_processing"  // personal data not obtained from the data subject, where Art. 14 notice would be impossible or involve disproportionate effort
	ICOTracking             Criterion = "ico_tracking"              // tracking an individual's geolocation or behaviour, online or offline
	ICOTargetingChildren    Criterion = "ico_targeting_children"    // profiling, automated decisions, marketing or online services aimed at children or other vulnerable individuals
	ICORiskOfPhysicalHarm   Criterion = "ico_risk_of_physical_harm" // processing whose breach could put someone's physical health or safety at risk
)

// EDPBCriteria lists the nine EDPB WP248 criteria, in the guidelines' order.
func EDPBCriteria() []Criterion {
	return []Criterion{EvaluationOrScoring, AutomatedDecision, SystematicMonitoring, SensitiveData, LargeScale,
		MatchingOrCombining, VulnerableSubjects, InnovativeUse, PreventsExercisingRight}
}

// ICOList lists the items of the ICO's list of processing likely to result in high risk, in the
// ICO's order.
func ICOList() []Criterion {
	return []Criterion{ICOInnovativeTechnology, ICODenialOfService, ICOLargeScaleProfiling, ICOBiometrics, ICOGeneticData,
		ICODataMatching, ICOInvisibleProcessing, ICOTracking, ICOTargetingChildren, ICORiskOfPhysicalHarm}
}

// IsEDPB reports whether c is one of the nine EDPB criteria.
func (c Criterion) IsEDPB() bool { return slices.Contains(EDPBCriteria(), c) }

// IsICO reports whether c is an item of the ICO's list.
func (c Criterion) IsICO() bool { return slices.Contains(ICOList(), c) }

// Valid reports whether c is a screening question.
func (c Criterion) Valid() bool { return c.IsEDPB() || c.IsICO() }

// Outcome is the advice of the screening (DPIA-3). Its text is stable.
type Outcome string

// The outcomes.
const (
	// Essential: two or more EDPB criteria hold, or an item of the ICO list applies.
	Essential Outcome = "essential"
	// Recommended: exactly one EDPB criterion holds and no ICO item.
	Recommended Outcome = "recommended"
	// NotRequired: no criterion holds.
	NotRequired Outcome = "not_required"
)

// ScreeningAnswers are the answers to the screening questions: a question answered yes holds; a
// question answered no, or not answered, does not (every question is optional, DPIA-4).
type ScreeningAnswers struct {
	// Answers maps each answered question to whether it holds.
	Answers map[Criterion]bool `json:"answers,omitempty" validate:"max=19"`
	// Notes are free text: the screener's reasoning, recorded with the outcome.
	Notes string `json:"notes,omitempty" validate:"max=4000"`
}

// ScreeningResult is a screening's outcome and its reasons: which EDPB criteria hold and which
// ICO items apply, in the lists' order.
type ScreeningResult struct {
	Outcome Outcome     `json:"outcome"`
	EDPB    []Criterion `json:"edpb,omitempty"`
	ICO     []Criterion `json:"ico,omitempty"`
	// Reason says in one sentence why the outcome is what it is.
	Reason string `json:"reason"`
}

// Screening is a recorded screening: the answers, the result, and who screened when. It is
// advisory only: no step of a DPIA is ever refused because of it (DPIA-3).
type Screening struct {
	ScreeningAnswers
	Result     ScreeningResult `json:"result"`
	ScreenedBy UserID          `json:"screened_by"`
	ScreenedAt time.Time       `json:"screened_at"`
}

// Screen applies the screening rule of DPIA-3 to the answers: Essential when two or more of the
// nine EDPB criteria hold or any item of the ICO list applies; Recommended for exactly one
// criterion; Not required for none. Answers to unknown questions are ignored here (the commands
// refuse them). It allocates only the result's lists.
func Screen(a ScreeningAnswers) ScreeningResult {
	var r ScreeningResult
	for _, c := range EDPBCriteria() {
		if a.Answers[c] {
			r.EDPB = append(r.EDPB, c)
		}
	}
	for _, c := range ICOList() {
		if a.Answers[c] {
			r.ICO = append(r.ICO, c)
		}
	}
	switch {
	case len(r.ICO) > 0:
		r.Outcome, r.Reason = Essential, "the processing is on the ICO's list of processing likely to result in high risk"
	case len(r.EDPB) >= 2:
		r.Outcome, r.Reason = Essential, "two or more of the EDPB's nine high-risk criteria hold"
	case len(r.EDPB) == 1:
		r.Outcome, r.Reason = Recommended, "one of the EDPB's nine high-risk criteria holds"
	default:
		r.Outcome, r.Reason = NotRequired, "none of the EDPB's criteria hold and nothing on the ICO's list applies"
	}
	return r
}

// check lists the answers to questions that do not exist.
func (a ScreeningAnswers) check() []FieldError {
	var out []FieldError
	for _, c := range sortedKeys(a.Answers) {
		if !c.Valid() {
			out = append(out, fieldErr("answers."+string(c), FieldCodeUnknownQuestion, "DPIA-3", "is not a screening question"))
		}
	}
	return out
}

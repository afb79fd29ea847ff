package assurance

import "time"

// Standard is the most significant information-governance compliance standard an organisation
// adheres to (ASR-1). Its text is stable: it is what the Gateway stores and what scenario and
// vector files use.
type Standard string

// The standards of ASR-1. An organisation holding several picks the most significant one.
const (
	// StandardNone: no IG compliance standard, which misses the framework criterion (ASR-2).
	StandardNone Standard = "none"
	// StandardDSPToolkit: the NHS Data Security and Protection Toolkit; needs Answers.DSPToolkit.
	StandardDSPToolkit Standard = "dsp_toolkit"
	// StandardISO27001: ISO/IEC 27001 certification.
	StandardISO27001 Standard = "iso_27001"
	// StandardCyberEssentials: the Cyber Essentials certification.
	StandardCyberEssentials Standard = "cyber_essentials"
	// StandardCyberEssentialsPlus: the Cyber Essentials Plus certification.
	StandardCyberEssentialsPlus Standard = "cyber_essentials_plus"
	// StandardOther needs the standard's name in Answers.StandardOther.
	StandardOther Standard = "other"
)

// Standards lists every valid Standard in the order a form offers them.
func Standards() []Standard {
	return []Standard{
		StandardNone, StandardDSPToolkit, StandardISO27001,
		StandardCyberEssentials, StandardCyberEssentialsPlus, StandardOther,
	}
}

// Valid reports whether s is one of the standards of ASR-1.
func (s Standard) Valid() bool {
	return s == StandardNone || s.inUse()
}

// inUse is the ASR-2 framework criterion: any known standard other than none. An unknown or
// empty value does not count, so that a malformed stored submission can only rate lower, never
// higher.
func (s Standard) inUse() bool {
	switch s {
	case StandardDSPToolkit, StandardISO27001, StandardCyberEssentials,
		StandardCyberEssentialsPlus, StandardOther:
		return true
	}
	return false
}

// Bounds of the DSP Toolkit answers (ASR-1).
const (
	// DSPTFirstYear is the earliest year of completion accepted: the Data Security and Protection
	// Toolkit replaced the IG Toolkit in 2018. The latest accepted is the current year (UTC).
	DSPTFirstYear = 2018
	// DSPTMaxScore is the highest score. A score is the percentage of the toolkit's assertions
	// met, a whole number from 0 to 100 inclusive.
	DSPTMaxScore = 100
)

// DSPToolkit holds the Data Security and Protection Toolkit answers of ASR-1. It is present
// exactly when the standard is StandardDSPToolkit.
type DSPToolkit struct {
	// StandardsMet answers "have you met the appropriate standards?". It is a pointer so that an
	// unanswered question is told apart from "no".
	StandardsMet *bool `json:"standards_met" validate:"required"`
	// NotMetReason explains why the standards were not met; required when StandardsMet is false.
	NotMetReason string `json:"not_met_reason,omitempty" validate:"max=2000"`
	// Year is the calendar year the toolkit was completed, DSPTFirstYear to the current year.
	Year int `json:"year"`
	// Score is the percentage achieved, 0 to DSPTMaxScore. A pointer, because 0 is a real score.
	Score *int `json:"score" validate:"required,min=0,max=100"`
	// Evidence is free text or a reference to an uploaded document (the Gateway's document ID).
	// It is optional: a free-licence organisation cannot upload (LIC-3) but may still use the
	// toolkit.
	Evidence string `json:"evidence,omitempty" validate:"max=2000"`
}

// clone copies d deeply so that a Submission never shares memory with the caller's answers.
func (d *DSPToolkit) clone() *DSPToolkit {
	if d == nil {
		return nil
	}
	c := *d
	if d.StandardsMet != nil {
		v := *d.StandardsMet
		c.StandardsMet = &v
	}
	if d.Score != nil {
		v := *d.Score
		c.Score = &v
	}
	return &c
}

// Answers is what an organisation fills in on the assurance form (ASR-1): everything in a
// Submission except who submitted it, for which organisation and when.
type Answers struct {
	// ICONumber is the ICO data protection register number, 8 characters such as Z1234567 or
	// ZA123456; empty when the organisation is not registered.
	ICONumber string `json:"ico_number,omitempty"`
	// ICOExpiresAt is when the ICO registration expires: it counts as registered while
	// now < ICOExpiresAt. A host holding a calendar date passes the start of that day, so the
	// expiry day itself does not count. Required with ICONumber.
	ICOExpiresAt time.Time `json:"ico_expires_at,omitzero" validate:"instant"`
	// Standard is the most significant IG compliance standard; required.
	Standard Standard `json:"standard" validate:"required,oneof=none dsp_toolkit iso_27001 cyber_essentials cyber_essentials_plus other"`
	// StandardOther names the standard when Standard is StandardOther (and only then).
	StandardOther string `json:"standard_other,omitempty" validate:"max=200"`
	// DSPToolkit holds the toolkit answers when Standard is StandardDSPToolkit (and only then).
	DSPToolkit *DSPToolkit `json:"dsp_toolkit,omitempty"`
	// StaffTrained: staff are trained in information governance.
	StaffTrained bool `json:"staff_trained"`
	// StaffScreened: staff are screened on entry to the organisation.
	StaffScreened bool `json:"staff_screened"`
	// PrivacyNoticeURL links to the privacy notice (http or https). At most one of it and
	// PrivacyNoticeDocument is given (ORG-5); giving neither is allowed and rates lower.
	PrivacyNoticeURL string `json:"privacy_notice_url,omitempty" validate:"omitempty,max=2048,http_url"`
	// PrivacyNoticeDocument references an uploaded privacy notice (the Gateway's document ID).
	PrivacyNoticeDocument string `json:"privacy_notice_document,omitempty" validate:"max=200"`
	// ImprovementPlan says how the organisation will reach Significant; required when the
	// answers rate below Significant at submission (ASR-4).
	ImprovementPlan string `json:"improvement_plan,omitempty" validate:"max=10000" rule:"ASR-4"`
}

// Submission is one organisation's assurance submission as the Gateway stores it: the answers
// and who submitted them, for which organisation and when. Its JSON is flat (the answers' fields
// sit beside org_id, submitted_by and submitted_at). A submission is visible to every
// organisation once made (ASR-6); a new one replaces it.
type Submission struct {
	Answers
	// Org is the organisation the submission describes.
	Org OrgID `json:"org_id"`
	// SubmittedBy is the user who submitted it (ROLE-4 is the Gateway's check).
	SubmittedBy UserID `json:"submitted_by"`
	// SubmittedAt starts the one-year validity (ASR-3). Submit stores it in UTC.
	SubmittedAt time.Time `json:"submitted_at"`
}

package dpia

import (
	"time"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/isg/riskmatrix"
)

// RiskID identifies a risk of a DPIA's register.
type RiskID struct{ uuid.UUID }

// IsZero reports whether the ID is unset.
func (id RiskID) IsZero() bool { return id.UUID == uuid.Nil }

// Rating is a scored and graded likelihood and impact on the shared 5×5 NHS matrix (RISK-1).
type Rating = riskmatrix.Rating

// RiskTerms is what a contributor writes of a risk (DPIA-6): the risk to individuals, its
// likelihood and impact before any measure (the inherent risk), the measures taken or planned,
// and the likelihood and impact left once they are in place (the residual risk), each 1–5 on the
// same 5×5 matrix as the data flows' risk assessments.
type RiskTerms struct {
	Description        string `json:"description" validate:"required,max=4000"`
	Likelihood         int    `json:"likelihood" validate:"min=1,max=5"`
	Impact             int    `json:"impact" validate:"min=1,max=5"`
	Measures           string `json:"measures,omitempty" validate:"max=4000"`
	ResidualLikelihood int    `json:"residual_likelihood" validate:"min=1,max=5"`
	ResidualImpact     int    `json:"residual_impact" validate:"min=1,max=5"`
}

// Risk is one risk of the DPIA's register.
type Risk struct {
	ID RiskID `json:"id"`
	RiskTerms
	UpdatedBy UserID    `json:"updated_by"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Inherent scores and grades the risk before its measures. A stored risk always has valid
// levels; an invalid one gives the zero Rating.
func (r Risk) Inherent() Rating {
	rt, _ := riskmatrix.Rate(r.Likelihood, r.Impact)
	return rt
}

// Residual scores and grades the risk left once its measures are in place.
func (r Risk) Residual() Rating {
	rt, _ := riskmatrix.Rate(r.ResidualLikelihood, r.ResidualImpact)
	return rt
}

// Red reports whether the residual risk is red: extreme on the matrix (score 15–25). An
// outstanding red residual risk is listed for approvers (DPIA-6) and needs an ICO prior
// consultation outcome before the DPIA is approved (DPIA-7).
func (r Risk) Red() bool { return r.Residual().Grade == riskmatrix.Extreme }

// Consultation is an ICO prior consultation (UK GDPR Art. 36), recorded in the DPIA's executive
// summary (DPIA-7). The ICO answers within 8 weeks of receiving the request, or 14 when it tells
// the controller the processing is complex (Art. 36(2): the 8 weeks extended by 6).
type Consultation struct {
	SentAt  time.Time `json:"sent_at"`
	Complex bool      `json:"complex"`
	// Reference is the ICO's case reference, if any.
	Reference string `json:"reference,omitempty"`
	// DueAt is when the ICO's answer is due: SentAt plus 8 weeks, or 14 when complex.
	DueAt time.Time `json:"due_at"`
	// Outcome is the ICO's answer, recorded when it arrives; OutcomeAt is when.
	Outcome    string    `json:"outcome,omitempty"`
	OutcomeAt  time.Time `json:"outcome_at,omitzero"`
	RecordedBy UserID    `json:"recorded_by"`
	// OverdueNotifiedAt is when the sweep flagged the answer overdue (once).
	OverdueNotifiedAt time.Time `json:"overdue_notified_at,omitzero"`
}

// Answer deadlines of an ICO prior consultation, in weeks (DPIA-7).
const (
	ConsultationWeeks        = 8
	ComplexConsultationWeeks = 14
)

// ConsultationDue is when the ICO's answer to a consultation sent at sent is due: 8 weeks later,
// or 14 when complex (DPIA-7). Weeks are calendar days, so a due date keeps the wall-clock time
// of the sending in UTC.
func ConsultationDue(sent time.Time, complex bool) time.Time {
	weeks := ConsultationWeeks
	if complex {
		weeks = ComplexConsultationWeeks
	}
	return sent.UTC().AddDate(0, 0, 7*weeks)
}

// Answered reports whether the ICO's outcome is recorded.
func (c *Consultation) Answered() bool { return c != nil && c.Outcome != "" }

// Overdue reports whether the ICO's answer is past its due date at now with no outcome recorded
// (DPIA-7).
func (c *Consultation) Overdue(now time.Time) bool {
	return c != nil && !c.Answered() && now.After(c.DueAt)
}

package agreement

import (
	"slices"
	"time"

	"github.com/isgkit/gateway/isg/riskmatrix"
	"github.com/isgkit/gateway/isg/violation"
)

// Grade is a band of the 5×5 NHS risk matrix (RISK-1).
type Grade = riskmatrix.Grade

// Rating is a scored and graded likelihood and impact.
type Rating = riskmatrix.Rating

// The grades, lowest first.
const (
	GradeLow      = riskmatrix.Low
	GradeModerate = riskmatrix.Moderate
	GradeHigh     = riskmatrix.High
	GradeExtreme  = riskmatrix.Extreme
)

// Risk is one risk of a flow's risk assessment: likelihood and impact from 1 to 5, the
// mitigation, and the likelihood and impact left once it is in place (the residual).
type Risk struct {
	// Code is the privacy screening question that raised the risk, or empty for a risk added by
	// hand.
	Code               string `json:"code,omitempty" validate:"max=64"`
	Description        string `json:"description" validate:"required,max=4000"`
	Likelihood         int    `json:"likelihood" validate:"min=1,max=5"`
	Impact             int    `json:"impact" validate:"min=1,max=5"`
	Mitigation         string `json:"mitigation,omitempty" validate:"max=4000"`
	ResidualLikelihood int    `json:"residual_likelihood" validate:"min=1,max=5"`
	ResidualImpact     int    `json:"residual_impact" validate:"min=1,max=5"`
	// ReviewedBy and ReviewedAt record who reviewed the risk and when; zero until reviewed.
	ReviewedBy UserID    `json:"reviewed_by,omitzero"`
	ReviewedAt time.Time `json:"reviewed_at,omitzero"`
}

// Rating scores and grades the risk before mitigation. A stored risk always has valid levels;
// an invalid one gives the zero Rating.
func (r Risk) Rating() Rating {
	rt, _ := riskmatrix.Rate(r.Likelihood, r.Impact)
	return rt
}

// Residual scores and grades the risk left after mitigation.
func (r Risk) Residual() Rating {
	rt, _ := riskmatrix.Rate(r.ResidualLikelihood, r.ResidualImpact)
	return rt
}

// Reviewed reports whether someone has reviewed the risk.
func (r Risk) Reviewed() bool { return !r.ReviewedBy.IsZero() }

// RiskAssessment is a flow's risk assessment. It belongs to one flow; copying the flow does not
// copy it (FLOW-10), copying the summary does (SUM-4).
type RiskAssessment struct {
	ID        RiskAssessmentID `json:"id"`
	FlowID    FlowID           `json:"flow_id"`
	CreatedBy UserID           `json:"created_by"`
	CreatedAt time.Time        `json:"created_at"`
	UpdatedAt time.Time        `json:"updated_at"`
	// CopiedFrom is the assessment this one was copied or imported from, if any.
	CopiedFrom RiskAssessmentID `json:"copied_from,omitzero"`
	Risks      []Risk           `json:"risks,omitempty"`
}

// Highest returns the highest residual grade among the risks, or "" with none.
func (ra RiskAssessment) Highest() Grade {
	var g Grade
	for _, r := range ra.Risks {
		if rg := r.Residual().Grade; rg.Rank() > g.Rank() {
			g = rg
		}
	}
	return g
}

// riskInput validates risks as a whole, so field names read "risks[2].impact".
type riskInput struct {
	Risks []Risk `json:"risks" validate:"max=500,dive"`
}

// NewRiskAssessment creates a risk assessment of flow f with the given risks, for an actor whose
// organisation can see the flow.
//
// Errors: ErrForbidden (SUM-3, CodeFlowNotVisible); ErrInvalid with field errors ("risks[i].…").
func NewRiskAssessment(id RiskAssessmentID, f Flow, actor Actor, at time.Time, risks []Risk) (RiskAssessment, error) {
	if !CanSeeFlow(actor.Org, f) {
		return RiskAssessment{}, flowNotVisible()
	}
	in := riskInput{Risks: cloneSlice(risks)}
	if err := checkInput(in, "RISK-1", checkIDs(id.IsZero(), actor)); err != nil {
		return RiskAssessment{}, err
	}
	at = at.UTC()
	return RiskAssessment{ID: id, FlowID: f.ID, CreatedBy: actor.User, CreatedAt: at, UpdatedAt: at, Risks: in.Risks}, nil
}

func flowNotVisible() error {
	return violation.New(ErrForbidden, CodeFlowNotVisible, "SUM-3",
		"only an organisation named in the flow or its creator may see it")
}

// ImportRiskAssessment copies src, the risk assessment of flow from, to flow to as a new
// assessment with ID id (FLOW-10). It changes nothing else: the flows, their summary and their
// privacy answers are values the function only reads. Review stamps are not carried over, since
// a review of another flow's risk is not a review of this one. The actor's organisation must see
// both flows.
//
// Errors: ErrForbidden (CodeFlowNotVisible); ErrInvalid (src is not from's assessment, or the
// flows are the same, or id is zero).
func ImportRiskAssessment(id RiskAssessmentID, from Flow, src RiskAssessment, to Flow, actor Actor, at time.Time) (RiskAssessment, error) {
	if !CanSeeFlow(actor.Org, from) || !CanSeeFlow(actor.Org, to) {
		return RiskAssessment{}, flowNotVisible()
	}
	var extra []FieldError
	if src.FlowID != from.ID {
		extra = append(extra, fieldErr("risk_assessment", "not_of_flow", "FLOW-10", "is not the risk assessment of the flow named"))
	}
	if from.ID == to.ID {
		extra = append(extra, fieldErr("flow_id", "same_flow", "FLOW-10", "a risk assessment is imported from another flow"))
	}
	extra = append(extra, checkIDs(id.IsZero(), actor)...)
	if len(extra) > 0 {
		return RiskAssessment{}, violation.Invalid(extra...)
	}
	return copyAssessment(src, id, to.ID, actor.User, at), nil
}

func copyAssessment(src RiskAssessment, id RiskAssessmentID, flow FlowID, by UserID, at time.Time) RiskAssessment {
	at = at.UTC()
	risks := cloneSlice(src.Risks)
	for i := range risks {
		risks[i].ReviewedBy, risks[i].ReviewedAt = UserID{}, time.Time{}
	}
	return RiskAssessment{ID: id, FlowID: flow, CreatedBy: by, CreatedAt: at, UpdatedAt: at, CopiedFrom: src.ID, Risks: risks}
}

// RiskReview is a reviewer's assessment of one risk: the mitigation and the residual levels.
type RiskReview struct {
	Mitigation         string `json:"mitigation" validate:"max=4000"`
	ResidualLikelihood int    `json:"residual_likelihood" validate:"min=1,max=5"`
	ResidualImpact     int    `json:"residual_impact" validate:"min=1,max=5"`
}

// ReviewRisk records actor's review of risk i: its mitigation and residual levels, who reviewed
// it and when. The actor's organisation must see the flow f the assessment belongs to.
//
// Errors: ErrForbidden (CodeFlowNotVisible); ErrNotFound (no risk i); ErrInvalid.
func (ra RiskAssessment) ReviewRisk(f Flow, i int, actor Actor, at time.Time, rv RiskReview) (RiskAssessment, error) {
	if f.ID != ra.FlowID || !CanSeeFlow(actor.Org, f) {
		return ra, flowNotVisible()
	}
	if i < 0 || i >= len(ra.Risks) {
		return ra, violation.New(ErrNotFound, "risk.not_found", "", "no such risk")
	}
	if err := checkInput(rv, "RISK-1", nil); err != nil {
		return ra, err
	}
	n := ra
	n.Risks = slices.Clone(ra.Risks)
	r := &n.Risks[i]
	r.Mitigation, r.ResidualLikelihood, r.ResidualImpact = rv.Mitigation, rv.ResidualLikelihood, rv.ResidualImpact
	r.ReviewedBy, r.ReviewedAt = actor.User, at.UTC()
	n.UpdatedAt = at.UTC()
	return n, nil
}

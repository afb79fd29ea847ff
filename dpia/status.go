package dpia

import (
	"time"

	"github.com/isgkit/gateway/isg/violation"
)

// Blocker is one reason a DPIA cannot be approved now, as the approvals tab shows it.
type Blocker struct {
	Code string `json:"code"`
	Rule string `json:"rule"`
	// Section names the section not yet evaluated, for CodeNotEvaluated.
	Section Section `json:"section,omitempty"`
	// Risks are the outstanding red residual risks, for CodeRedRiskUnconsulted.
	Risks []RiskID `json:"risks,omitempty"`
}

// ApprovalBlockers lists what stands between the DPIA and its approval, whoever approves: each
// section not evaluated acceptable, or improvable with its action planned (DPIA-9); outstanding
// red residual risks without an ICO prior-consultation outcome (DPIA-7); a named DPO's missing
// opinion (DPIA-9). None means the approvers' own approvals are all it needs. It is the check the
// approve step's guards make, in the order they make it.
func ApprovalBlockers(d DPIA) []Blocker {
	var out []Blocker
	for _, s := range d.unevaluated() {
		out = append(out, Blocker{Code: CodeNotEvaluated, Rule: "DPIA-9", Section: s})
	}
	if d.needsConsultationOutcome() {
		b := Blocker{Code: CodeRedRiskUnconsulted, Rule: "DPIA-7"}
		for _, r := range d.OutstandingRedRisks() {
			b.Risks = append(b.Risks, r.ID)
		}
		out = append(out, b)
	}
	if d.needsDPOOpinion() {
		out = append(out, Blocker{Code: CodeDPOOpinionRequired, Rule: "DPIA-9"})
	}
	return out
}

// CheckApproval returns nil when nothing but the approvers' approvals stands between the DPIA and
// its approval, or the first blocker as the approve step would refuse it (ErrRule).
func CheckApproval(d DPIA) error {
	if !d.evaluated() {
		return violation.New(ErrRule, CodeNotEvaluated, "DPIA-9", "every section must be evaluated acceptable, or improvable with its action planned")
	}
	if d.needsConsultationOutcome() {
		return violation.New(ErrRule, CodeRedRiskUnconsulted, "DPIA-7", "an outstanding red residual risk needs an ICO prior consultation outcome in the executive summary")
	}
	if d.needsDPOOpinion() {
		return violation.New(ErrRule, CodeDPOOpinionRequired, "DPIA-9", "the DPO's opinion is not recorded yet")
	}
	return nil
}

// Status is what a DPIA's information panel and approvals tab show at a moment, beyond the DPIA
// itself.
type Status struct {
	// ReviewDue is set once the review date has come (DPIA-8).
	ReviewDue bool `json:"review_due"`
	// OutstandingRedRisks are the red residual risks listed for approvers (DPIA-6).
	OutstandingRedRisks []RiskID `json:"outstanding_red_risks"`
	// ConsultationDueAt is when the ICO's answer is due; ConsultationOverdue is set once it is
	// past with no outcome (DPIA-7).
	ConsultationDueAt   time.Time `json:"consultation_due_at,omitzero"`
	ConsultationOverdue bool      `json:"consultation_overdue"`
	// OverdueActions are the actions of the plan past their due date (DPIA-9).
	OverdueActions []ActionID `json:"overdue_actions"`
	// Blockers are what stands between the DPIA and its approval (ApprovalBlockers).
	Blockers []Blocker `json:"blockers"`
}

// StatusAt computes the DPIA's status at now.
func StatusAt(d DPIA, now time.Time) Status {
	s := Status{OutstandingRedRisks: []RiskID{}, OverdueActions: []ActionID{}, Blockers: ApprovalBlockers(d)}
	if s.Blockers == nil {
		s.Blockers = []Blocker{}
	}
	s.ReviewDue = d.State == ReviewDue || (d.State == Approved && !d.ReviewDate.IsZero() && !now.Before(d.ReviewDate))
	for _, r := range d.OutstandingRedRisks() {
		s.OutstandingRedRisks = append(s.OutstandingRedRisks, r.ID)
	}
	if c := d.Consultation; c != nil {
		s.ConsultationDueAt, s.ConsultationOverdue = c.DueAt, c.Overdue(now)
	}
	for _, a := range d.Actions {
		if a.Overdue(now) {
			s.OverdueActions = append(s.OverdueActions, a.ID)
		}
	}
	return s
}

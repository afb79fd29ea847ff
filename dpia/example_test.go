package dpia_test

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/dpia"
	"github.com/isgkit/gateway/isg/ident"
)

// A DPIA from screening to approval, with an ICO prior consultation for a red residual risk.
func Example() {
	m := dpia.NewMachine() // once, shared
	id := func() uuid.UUID { return uuid.Must(uuid.NewV7()) }
	trust := ident.OrgID{UUID: id()}
	pm := dpia.Actor{User: ident.UserID{UUID: id()}, Org: trust}
	dpo := dpia.Actor{User: ident.UserID{UUID: id()}, Org: trust}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

	activity, _ := dpia.NewActivity(dpia.ActivityID{UUID: id()}, pm, now, dpia.ActivityTerms{Name: "Shared care record", Kind: dpia.KindSystem})
	d, _ := dpia.New(dpia.ID{UUID: id()}, activity, pm, now, dpia.Terms{Title: "Shared care record DPIA"}, time.Time{})
	d, _, _ = m.Screen(d, pm, now, dpia.ScreeningAnswers{Answers: map[dpia.Criterion]bool{dpia.SensitiveData: true, dpia.LargeScale: true}})
	fmt.Println("screening:", d.Screening.Result.Outcome)

	d, _, _ = m.AddContributor(d, pm, now, dpia.Member(dpo))
	d, _, _ = m.NameApprovers(d, pm, now, []dpia.Approver{{User: dpo.User, Org: trust, Capacity: dpia.CapacityDPO}})
	d, _, _ = m.SaveRisk(d, pm, now, dpia.RiskInput{RiskTerms: dpia.RiskTerms{Description: "Re-identification", Likelihood: 4, Impact: 5,
		Measures: "Pseudonymise", ResidualLikelihood: 3, ResidualImpact: 5}}, dpia.RiskID{UUID: id()})
	d, _, _ = m.Submit(d, pm, now)
	for _, s := range dpia.EvaluatedSections() {
		d, _, _ = m.Evaluate(d, dpo, now, dpia.EvaluationInput{Section: s, Verdict: dpia.Acceptable}, dpia.ActionID{})
	}
	d, _, _ = m.GiveOpinion(d, dpo, now, dpia.OpinionInput{Opinion: "Consult the ICO first.", SubjectsConsulted: true})
	_, _, err := m.Approve(d, dpo, now, dpia.ApprovalInput{})
	fmt.Println("approve with a red risk:", err)

	d, _, _ = m.RecordConsultation(d, pm, now, dpia.ConsultationInput{SentAt: now.AddDate(0, 0, -60), Outcome: "Proceed with the measures advised.", OutcomeAt: now})
	d, events, _ := m.Approve(d, dpo, now, dpia.ApprovalInput{})
	fmt.Println(d.State, events[0].Type, "review on", d.ReviewDate.Format(time.DateOnly))
	// Output:
	// screening: essential
	// approve with a red risk: dpia.red_risk_unconsulted [DPIA-7]: an outstanding red residual risk needs an ICO prior consultation outcome in the executive summary
	// approved dpia.approved review on 2027-03-02
}

package dpia_test

import (
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/isgkit/gateway/dpia"
)

// TestLifecycleProperties: DPIA-2, DPIA-6, DPIA-7, DPIA-9 — a rapid state-machine test. Random
// sequences of every step, by random actors (the creator, the DPO and IG lead approvers, a partner
// contributor, a colleague who is not a contributor), are run on one DPIA. After every step:
//
//   - it is never Approved while an outstanding red residual risk has no ICO prior-consultation
//     outcome recorded (DPIA-7), nor with a section unevaluated or the DPO's opinion missing
//     (DPIA-9), nor without every named approver's approval of its current revision (DPIA-6);
//   - a non-contributor never changes it, is answered only as for an unknown DPIA, is offered no
//     step, and no event is ever addressed to anyone but a contributor (DPIA-2).
func TestLifecycleProperties(t *testing.T) {
	approvedSeen := 0
	defer func() {
		if approvedSeen == 0 {
			t.Error("no run reached an approved DPIA: the property was never put to the test")
		}
	}()
	// About one sweep in thirty of 100 random runs reaches no approval; another sweep (rapid
	// draws a fresh seed for each) puts the property to the test rather than failing on luck.
	for round := 0; approvedSeen == 0 && round < 10; round++ {
		checkLifecycle(t, &approvedSeen)
	}
}

func checkLifecycle(t *testing.T, approvedSeen *int) {
	rapid.Check(t, func(rt *rapid.T) {
		f := newFixture(t)
		f.t = rt
		d := f.staffed(rt)
		actors := []dpia.Actor{f.creator, f.dpo, f.ig, f.partner, f.outsider}
		rid := dpia.RiskID{UUID: newID()}
		// The approvers are drawn more often, so that runs reach approval.
		actors = append(actors, f.dpo, f.ig, f.dpo, f.ig)
		pickActor := func(name string) dpia.Actor { return rapid.SampledFrom(actors).Draw(rt, name) }
		apply := func(name string, by dpia.Actor, run func(dpia.Actor) (dpia.DPIA, []dpia.Event, error)) {
			before := d.Clone()
			n, events, err := run(by)
			if !before.CanOpen(by) {
				if err == nil || code(err) != dpia.CodeNotFound || rule(err) != "DPIA-2" {
					rt.Fatalf("%s by a non-contributor: %v, want dpia.not_found (DPIA-2)", name, err)
				}
				if len(f.m.Permitted(before, by, f.now)) != 0 {
					rt.Fatalf("a non-contributor is offered steps")
				}
			}
			if err != nil {
				if !slices.Equal(n.Approvals, before.Approvals) || n.State != before.State || n.Rev != before.Rev {
					rt.Fatalf("%s was refused (%v) but changed the DPIA", name, err)
				}
				return
			}
			for _, e := range events {
				for _, to := range e.To {
					if !n.IsContributor(to) {
						rt.Fatalf("%s: event %s addressed to a non-contributor", name, e.Type)
					}
				}
			}
			d = n
		}
		rt.Repeat(map[string]func(*rapid.T){
			"edit": func(rt *rapid.T) {
				apply("edit", pickActor("by"), func(a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
					return f.m.Edit(d, a, f.tick(), dpia.Terms{Title: rapid.StringMatching(`[A-Z][a-z]{2,8}`).Draw(rt, "title")}, time.Time{}, nil)
				})
			},
			"risk": func(rt *rapid.T) {
				terms := red
				terms.ResidualLikelihood = rapid.IntRange(1, 5).Draw(rt, "rl")
				terms.ResidualImpact = rapid.IntRange(1, 5).Draw(rt, "ri")
				id := rid
				if len(d.Risks) == 0 {
					id = dpia.RiskID{}
				}
				apply("risk", pickActor("by"), func(a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
					return f.m.SaveRisk(d, a, f.tick(), dpia.RiskInput{ID: id, RiskTerms: terms}, rid)
				})
			},
			"consultation": func(rt *rapid.T) {
				in := dpia.ConsultationInput{SentAt: f.now.Add(-time.Hour)}
				if rapid.Bool().Draw(rt, "answered") {
					in.Outcome, in.OutcomeAt = "Proceed.", f.now
				}
				apply("consultation", pickActor("by"), func(a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
					return f.m.RecordConsultation(d, a, f.tick(), in)
				})
			},
			"submit": func(rt *rapid.T) {
				apply("submit", pickActor("by"), func(a dpia.Actor) (dpia.DPIA, []dpia.Event, error) { return f.m.Submit(d, a, f.tick()) })
			},
			"evaluate": func(rt *rapid.T) {
				in := dpia.EvaluationInput{Section: rapid.SampledFrom(dpia.EvaluatedSections()).Draw(rt, "section"),
					Verdict: rapid.SampledFrom([]dpia.Verdict{dpia.Acceptable, dpia.Acceptable, dpia.Improvable, dpia.ToCorrect}).Draw(rt, "verdict")}
				if in.Verdict == dpia.Improvable {
					in.Action = &dpia.ActionInput{Description: "fix", Owner: dpia.Member(f.creator), Due: f.now.AddDate(0, 1, 0)}
				}
				apply("evaluate", pickActor("by"), func(a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
					return f.m.Evaluate(d, a, f.tick(), in, dpia.ActionID{UUID: newID()})
				})
			},
			"evaluate_all": func(rt *rapid.T) {
				by := pickActor("by")
				for _, sec := range dpia.EvaluatedSections() {
					apply("evaluate", by, func(a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
						return f.m.Evaluate(d, a, f.tick(), dpia.EvaluationInput{Section: sec, Verdict: dpia.Acceptable}, dpia.ActionID{})
					})
				}
			},
			"opinion": func(rt *rapid.T) {
				apply("opinion", pickActor("by"), func(a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
					return f.m.GiveOpinion(d, a, f.tick(), dpia.OpinionInput{Opinion: "ok", SubjectsConsulted: true})
				})
			},
			"approve": func(rt *rapid.T) {
				apply("approve", pickActor("by"), func(a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
					return f.m.Approve(d, a, f.tick(), dpia.ApprovalInput{DPOAdvice: dpia.AdviceAccepted})
				})
			},
			"reject": func(rt *rapid.T) {
				apply("reject", pickActor("by"), func(a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
					return f.m.Reject(d, a, f.tick(), dpia.RejectionInput{Comments: "no"})
				})
			},
			"task": func(rt *rapid.T) {
				apply("task", pickActor("by"), func(a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
					return f.m.AssignTask(d, a, f.tick(), dpia.TaskID{UUID: newID()}, dpia.TaskInput{Title: "t", Assignee: dpia.Member(pickActor("to"))})
				})
			},
			"contributor": func(rt *rapid.T) {
				apply("contributor", pickActor("by"), func(a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
					return f.m.AddContributor(d, a, f.tick(), dpia.Member(f.ig))
				})
			},
			"sweep": func(rt *rapid.T) {
				f.now = f.now.AddDate(0, rapid.IntRange(0, 14).Draw(rt, "months"), 0)
				n, events, _ := f.m.Sweep(d, f.now)
				for _, e := range events {
					for _, to := range e.To {
						if !n.IsContributor(to) {
							rt.Fatalf("the sweep told a non-contributor")
						}
					}
				}
				d = n
			},
			"": func(rt *rapid.T) {
				if d.State != dpia.Approved && d.State != dpia.ReviewDue {
					return
				}
				*approvedSeen++
				for _, b := range dpia.ApprovalBlockers(d) {
					rt.Fatalf("approved with a blocker: %s (%s)", b.Code, b.Rule)
				}
				if d.Consultation == nil || d.Consultation.Outcome == "" {
					for _, r := range d.Risks {
						if r.Red() {
							rt.Fatalf("approved with an outstanding red risk and no ICO outcome (DPIA-7)")
						}
					}
				}
				for _, a := range d.Approvers {
					if !slices.ContainsFunc(d.Approvals, func(x dpia.Approval) bool {
						return x.Approver == (dpia.Member{User: a.User, Org: a.Org}) && x.Decision == dpia.DecisionApproved && x.Rev == d.Rev
					}) {
						rt.Fatalf("approved without every named approver's approval of revision %d", d.Rev)
					}
				}
			},
		})
	})
}

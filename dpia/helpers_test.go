package dpia_test

import (
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/dpia"
	"github.com/isgkit/gateway/isg/ident"
)

// fixture is a trust with an activity, and the people around one of its DPIAs: its creator (a
// project manager), the trust's DPO and IG lead, a council partner and an outsider.
type fixture struct {
	t       tb
	m       *dpia.Machine
	now     time.Time
	trust   dpia.OrgID
	council dpia.OrgID
	// creator, dpo and ig act for the trust; partner for the council; outsider for the trust but
	// is never made a contributor.
	creator, dpo, ig, partner, outsider dpia.Actor
	activity                            dpia.Activity
}

// tb is what the fixture needs of a test: a *testing.T or a *rapid.T.
type tb interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	FailNow()
}

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

func newFixture(t tb) *fixture {
	t.Helper()
	f := &fixture{t: t, m: dpia.NewMachine(), now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	f.trust, f.council = ident.OrgID{UUID: newID()}, ident.OrgID{UUID: newID()}
	user := func() dpia.UserID { return ident.UserID{UUID: newID()} }
	f.creator = dpia.Actor{User: user(), Org: f.trust}
	f.dpo = dpia.Actor{User: user(), Org: f.trust}
	f.ig = dpia.Actor{User: user(), Org: f.trust}
	f.partner = dpia.Actor{User: user(), Org: f.council}
	f.outsider = dpia.Actor{User: user(), Org: f.trust}
	a, err := dpia.NewActivity(dpia.ActivityID{UUID: newID()}, f.creator, f.now, dpia.ActivityTerms{Name: "Shared care record", Kind: dpia.KindSystem})
	require.NoError(t, err)
	f.activity = a
	return f
}

func (f *fixture) tick() time.Time { f.now = f.now.Add(time.Hour); return f.now }

// draft is a new DPIA of the activity.
func (f *fixture) draft(t tb) dpia.DPIA {
	t.Helper()
	d, err := dpia.New(dpia.ID{UUID: newID()}, f.activity, f.creator, f.now, dpia.Terms{Title: "Shared care record DPIA"}, time.Time{})
	require.NoError(t, err)
	return d
}

// ok asserts a command succeeded and returns its DPIA.
func (f *fixture) ok(d dpia.DPIA, _ []dpia.Event, err error) dpia.DPIA {
	f.t.Helper()
	require.NoError(f.t, err)
	return d
}

// staffed is a draft with the DPO, IG lead and council partner as contributors and the DPO and IG
// lead named approvers.
func (f *fixture) staffed(t tb) dpia.DPIA {
	t.Helper()
	d := f.draft(t)
	d = f.ok(f.m.AddContact(d, f.creator, f.tick(), f.council))
	for _, who := range []dpia.Actor{f.dpo, f.ig, f.partner} {
		d = f.ok(f.m.AddContributor(d, f.creator, f.tick(), dpia.Member(who)))
	}
	return f.ok(f.m.NameApprovers(d, f.creator, f.tick(), []dpia.Approver{
		{User: f.dpo.User, Org: f.trust, Capacity: dpia.CapacityDPO},
		{User: f.ig.User, Org: f.trust, Capacity: dpia.CapacityIGLead},
	}))
}

// submitted is staffed, submitted for approval.
func (f *fixture) submitted(t tb) dpia.DPIA {
	t.Helper()
	return f.ok(f.m.Submit(f.staffed(t), f.creator, f.tick()))
}

// evaluated is submitted with every section judged acceptable and the DPO's opinion recorded.
func (f *fixture) evaluated(t tb) dpia.DPIA {
	t.Helper()
	d := f.submitted(t)
	for _, s := range dpia.EvaluatedSections() {
		d = f.ok(f.m.Evaluate(d, f.ig, f.tick(), dpia.EvaluationInput{Section: s, Verdict: dpia.Acceptable}, dpia.ActionID{}))
	}
	return f.ok(f.m.GiveOpinion(d, f.dpo, f.tick(), dpia.OpinionInput{Opinion: "Proceed.", SubjectsConsulted: true}))
}

// approved is evaluated and approved by both approvers.
func (f *fixture) approved(t tb) dpia.DPIA {
	t.Helper()
	d := f.evaluated(t)
	d = f.ok(f.m.Approve(d, f.dpo, f.tick(), dpia.ApprovalInput{Comments: "Content."}))
	return f.ok(f.m.Approve(d, f.ig, f.tick(), dpia.ApprovalInput{DPOAdvice: dpia.AdviceAccepted}))
}

func code(err error) string {
	if e, ok := err.(*dpia.Error); ok {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return "not an *Error: " + err.Error()
}

func rule(err error) string {
	if e, ok := err.(*dpia.Error); ok {
		return e.Rule
	}
	return ""
}

func fields(err error) []string {
	var out []string
	if e, ok := err.(*dpia.Error); ok {
		for _, f := range e.Fields {
			out = append(out, f.Field+":"+f.Code)
		}
	}
	return out
}

var red = dpia.RiskTerms{Description: "Re-identification of patients from the linked record", Likelihood: 4, Impact: 5,
	Measures: "Pseudonymise at source", ResidualLikelihood: 3, ResidualImpact: 5}

package isg_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/dpia"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/licensing"
)

// dpiaLicensed gives org a DPIA licence (and, with group, a group licence) under a fresh contract.
func (w *world) dpiaLicensed(org isg.OrgID, group bool) {
	w.t.Helper()
	now := w.g.Now()
	c, err := w.g.CreateContract(ctx, isg.Actor{User: w.ca}, licensing.ContractInput{Org: org, Group: "D" + org.String()[:8],
		Term: licensing.Period{Start: now.Add(-time.Hour), End: now.AddDate(2, 0, 0)}, Price: decimal.RequireFromString("100.00")})
	require.NoError(w.t, err)
	_, err = w.g.AllocateLicence(ctx, isg.Actor{User: w.ca}, isg.AllocateInput{Contract: c.ID, Org: org, Kind: licensing.DPIA})
	require.NoError(w.t, err)
	if group {
		_, err = w.g.AllocateLicence(ctx, isg.Actor{User: w.ca}, isg.AllocateInput{Contract: c.ID, Org: org, Kind: licensing.Group})
		require.NoError(w.t, err)
	}
}

// dpiaWorld is North (Administrator a, licensed for DPIAs) with an activity and a DPIA a created,
// South (b) a partner on its contacts with b a contributor, and East (outsider) in nothing. The
// DPO of North (dpo) is a contributor and its named approver.
type dpiaWorld struct {
	*world
	a, b, outsider, dpo isg.UserID
	north, south, east  isg.OrgID
	activity            dpia.Activity
	d                   isg.DPIAView
}

func newDPIAWorld(t testing.TB, w *world) *dpiaWorld {
	t.Helper()
	x := &dpiaWorld{world: w}
	x.a, x.b, x.outsider, x.north, x.south, x.east = w.threeOrgs()
	x.dpo = w.user("dpo@north.gov.uk")
	w.grant(x.a, x.north, x.dpo, isg.DPO)
	w.dpiaLicensed(x.north, false)
	na := isg.Actor{User: x.a, Org: x.north}
	var err error
	x.activity, err = w.g.SaveActivity(ctx, na, isg.ActivityInput{ActivityTerms: dpia.ActivityTerms{Name: "Care record", Kind: dpia.KindSystem}})
	require.NoError(t, err)
	x.d, err = w.g.CreateDPIA(ctx, na, isg.CreateDPIAInput{Activity: x.activity.ID, Terms: dpia.Terms{Title: "Care record DPIA"}})
	require.NoError(t, err)
	_, err = w.g.AddDPIAContact(ctx, na, isg.DPIAStep[isg.OrgRef]{DPIA: x.d.ID, Input: isg.OrgRef{Org: x.south}})
	require.NoError(t, err)
	for _, m := range []dpia.Member{{User: x.b, Org: x.south}, {User: x.dpo, Org: x.north}} {
		_, err = w.g.AddDPIAContributor(ctx, na, isg.DPIAStep[dpia.Member]{DPIA: x.d.ID, Input: m})
		require.NoError(t, err)
	}
	x.d, err = w.g.NameDPIAApprovers(ctx, na, isg.DPIAStep[isg.ApproversInput]{DPIA: x.d.ID, Input: isg.ApproversInput{Approvers: []dpia.Approver{{User: x.dpo, Org: x.north, Capacity: dpia.CapacityDPO}}}})
	require.NoError(t, err)
	return x
}

// approve takes the DPIA through evaluation, the DPO's opinion and the DPO's approval.
func (x *dpiaWorld) approve(t *testing.T, id dpia.ID) isg.DPIAView {
	t.Helper()
	na, dpo := isg.Actor{User: x.a, Org: x.north}, isg.Actor{User: x.dpo, Org: x.north}
	_, err := x.g.SubmitDPIA(ctx, na, isg.ByID[dpia.ID]{ID: id})
	require.NoError(t, err)
	for _, s := range dpia.EvaluatedSections() {
		_, err = x.g.EvaluateDPIA(ctx, dpo, isg.DPIAStep[dpia.EvaluationInput]{DPIA: id, Input: dpia.EvaluationInput{Section: s, Verdict: dpia.Acceptable}})
		require.NoError(t, err)
	}
	_, err = x.g.GiveDPOOpinion(ctx, dpo, isg.DPIAStep[dpia.OpinionInput]{DPIA: id, Input: dpia.OpinionInput{Opinion: "ok", SubjectsConsulted: true}})
	require.NoError(t, err)
	v, err := x.g.ApproveDPIA(ctx, dpo, isg.DPIAStep[dpia.ApprovalInput]{DPIA: id})
	require.NoError(t, err)
	require.Equal(t, dpia.Approved, v.State)
	return v
}

// DPIA-2, ROLE-7: for every command naming a DPIA, an actor who is not one of its contributors —
// a colleague at its own organisation, or another organisation's user — gets exactly the answer
// an ID naming nothing gets (code, kind and rule); in listings and totals the DPIA is absent.
func TestDPIARefusalsDoNotTellDPIAsFromUnknownIDs(t *testing.T) {
	x := newDPIAWorld(t, newWorld(t))
	colleague := x.user("colleague@north.gov.uk")
	x.grant(x.a, x.north, colleague, isg.IGOfficer)
	nowhere := dpia.ID{UUID: uuid.Must(uuid.NewV7())}
	// The third acts for an organisation where it holds no role: the gate answers "forbidden",
	// for the DPIA and for an unknown ID alike.
	for i, me := range []isg.Actor{{User: colleague, Org: x.north}, {User: x.outsider, Org: x.east}, {User: x.b, Org: x.north}} {
		g := x.g
		byID := map[string]func(dpia.ID) error{
			"dpia.get":      func(id dpia.ID) error { _, err := g.DPIA(ctx, me, isg.ByID[dpia.ID]{ID: id}); return err },
			"dpia.log":      func(id dpia.ID) error { _, err := g.DPIALog(ctx, me, isg.ByID[dpia.ID]{ID: id}); return err },
			"dpia.risk_map": func(id dpia.ID) error { _, err := g.DPIARiskMap(ctx, me, isg.ByID[dpia.ID]{ID: id}); return err },
			"dpia.submit":   func(id dpia.ID) error { _, err := g.SubmitDPIA(ctx, me, isg.ByID[dpia.ID]{ID: id}); return err },
			"dpia.revise":   func(id dpia.ID) error { _, err := g.ReviseDPIA(ctx, me, isg.ByID[dpia.ID]{ID: id}); return err },
			"dpia.edit": func(id dpia.ID) error {
				_, err := g.EditDPIA(ctx, me, isg.DPIAStep[isg.EditDPIAInput]{DPIA: id, Input: isg.EditDPIAInput{Terms: dpia.Terms{Title: "x"}}})
				return err
			},
			"dpia.screen": func(id dpia.ID) error {
				_, err := g.ScreenDPIA(ctx, me, isg.DPIAStep[dpia.ScreeningAnswers]{DPIA: id})
				return err
			},
			"dpia.save_risk": func(id dpia.ID) error {
				_, err := g.SaveDPIARisk(ctx, me, isg.DPIAStep[dpia.RiskInput]{DPIA: id})
				return err
			},
			"dpia.name_approvers": func(id dpia.ID) error {
				_, err := g.NameDPIAApprovers(ctx, me, isg.DPIAStep[isg.ApproversInput]{DPIA: id})
				return err
			},
			"dpia.add_contact": func(id dpia.ID) error {
				_, err := g.AddDPIAContact(ctx, me, isg.DPIAStep[isg.OrgRef]{DPIA: id, Input: isg.OrgRef{Org: x.east}})
				return err
			},
			"dpia.add_contributor": func(id dpia.ID) error {
				_, err := g.AddDPIAContributor(ctx, me, isg.DPIAStep[dpia.Member]{DPIA: id, Input: dpia.Member{User: x.outsider, Org: x.east}})
				return err
			},
			"dpia.remove_contributor": func(id dpia.ID) error {
				_, err := g.RemoveDPIAContributor(ctx, me, isg.DPIAStep[dpia.Member]{DPIA: id, Input: dpia.Member{User: x.b, Org: x.south}})
				return err
			},
			"dpia.assign_task": func(id dpia.ID) error {
				_, err := g.AssignDPIATask(ctx, me, isg.DPIAStep[dpia.TaskInput]{DPIA: id, Input: dpia.TaskInput{Title: "t", Assignee: dpia.Member{User: x.b, Org: x.south}}})
				return err
			},
			"dpia.complete_task": func(id dpia.ID) error {
				_, err := g.CompleteDPIATask(ctx, me, isg.DPIAStep[isg.TaskRef]{DPIA: id})
				return err
			},
			"dpia.record_consultation": func(id dpia.ID) error {
				_, err := g.RecordICOConsultation(ctx, me, isg.DPIAStep[dpia.ConsultationInput]{DPIA: id, Input: dpia.ConsultationInput{SentAt: t0}})
				return err
			},
			"dpia.evaluate": func(id dpia.ID) error {
				_, err := g.EvaluateDPIA(ctx, me, isg.DPIAStep[dpia.EvaluationInput]{DPIA: id, Input: dpia.EvaluationInput{Section: dpia.SectionNeed, Verdict: dpia.Improvable}})
				return err
			},
			"dpia.give_opinion": func(id dpia.ID) error {
				_, err := g.GiveDPOOpinion(ctx, me, isg.DPIAStep[dpia.OpinionInput]{DPIA: id})
				return err
			},
			"dpia.approve": func(id dpia.ID) error {
				_, err := g.ApproveDPIA(ctx, me, isg.DPIAStep[dpia.ApprovalInput]{DPIA: id})
				return err
			},
			"dpia.reject": func(id dpia.ID) error {
				_, err := g.RejectDPIA(ctx, me, isg.DPIAStep[dpia.RejectionInput]{DPIA: id})
				return err
			},
			"dpia.complete_action": func(id dpia.ID) error {
				_, err := g.CompleteDPIAAction(ctx, me, isg.DPIAStep[isg.ActionRef]{DPIA: id})
				return err
			},
			"dpia.complete_review": func(id dpia.ID) error {
				_, err := g.CompleteDPIAReview(ctx, me, isg.DPIAStep[isg.ReviewInput]{DPIA: id})
				return err
			},
			"dpia.close": func(id dpia.ID) error {
				_, err := g.CloseDPIA(ctx, me, isg.DPIAStep[dpia.CloseInput]{DPIA: id})
				return err
			},
			"document.list": func(id dpia.ID) error {
				_, err := g.Documents(ctx, me, isg.DocumentsInput{SubjectKind: "dpia", SubjectID: id.String()})
				return err
			},
		}
		for name, run := range byID {
			t.Run(name, func(t *testing.T) {
				seen, unknown := run(x.d.ID), run(nowhere)
				require.Error(t, seen)
				assert.Equal(t, sameAnswer(unknown), sameAnswer(seen), "%v", me)
				if i < 2 {
					assert.Equal(t, "dpia.not_found", isg.ErrorCode(seen))
					assert.ErrorIs(t, seen, isg.ErrNotFound)
				}
			})
		}
		if i == 2 {
			continue
		}
		mine, err := x.g.DPIAs(ctx, me, isg.ListPage{})
		require.NoError(t, err)
		assert.Zero(t, mine.Total, "counted nowhere")
		under, err := x.g.ActivityDPIAs(ctx, me, isg.ActivityPage{Activity: x.activity.ID})
		require.NoError(t, err)
		assert.Zero(t, under.Total, "not in the activity's listing, nor its total")
		assert.Empty(t, under.Items)
	}
	// The partner's contributor, acting for South, sees it; a contributor acting for another
	// organisation than its own does not (above: b for North).
	mine, err := x.g.DPIAs(ctx, isg.Actor{User: x.b, Org: x.south}, isg.ListPage{})
	require.NoError(t, err)
	assert.Equal(t, 1, mine.Total)
}

// LIC-4: only an organisation holding a DPIA licence creates an activity or a DPIA; a lapsed
// licence loses nothing — existing DPIAs are still worked on. DOC-1: a DPIA licence attaches
// evidence to DPIAs, and only to them.
func TestDPIALicence(t *testing.T) {
	w := newWorld(t)
	a := w.user("a@north.gov.uk")
	north := w.org(a, "North")
	na := isg.Actor{User: a, Org: north}
	_, err := w.g.SaveActivity(ctx, na, isg.ActivityInput{ActivityTerms: dpia.ActivityTerms{Name: "x", Kind: dpia.KindProject}})
	require.Error(t, err)
	assert.Equal(t, "licence.capability_denied", isg.ErrorCode(err))
	assert.ErrorIs(t, err, isg.ErrLicence)
	var e *isg.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "LIC-4", e.Rule)

	w.dpiaLicensed(north, false)
	act, err := w.g.SaveActivity(ctx, na, isg.ActivityInput{ActivityTerms: dpia.ActivityTerms{Name: "x", Kind: dpia.KindProject}})
	require.NoError(t, err)
	d, err := w.g.CreateDPIA(ctx, na, isg.CreateDPIAInput{Activity: act.ID, Terms: dpia.Terms{Title: "t"}})
	require.NoError(t, err)
	_, err = w.g.UploadDocument(ctx, na, isg.UploadInput{SubjectKind: "dpia", SubjectID: d.ID.String(), Name: "map.pdf", Content: []byte("%PDF")})
	require.NoError(t, err, "a DPIA licence attaches evidence to a DPIA")
	_, err = w.g.UploadDocument(ctx, na, isg.UploadInput{SubjectKind: "assurance", SubjectID: north.String(), Name: "dspt.pdf", Content: []byte("%PDF")})
	assert.ErrorIs(t, err, isg.ErrLicence, "but nothing else (LIC-3)")
}

// ORG-6: a merge moves the merged organisation's activities and DPIAs to the survivor — owner,
// contacts, contributors, approvers — and keeps their history: the log still verifies and the
// approvals given stand as given.
func TestMergeMovesDPIAs(t *testing.T) {
	x := newDPIAWorld(t, newWorld(t))
	approved := x.approve(t, x.d.ID)
	x.dpiaLicensed(x.east, true) // room for the users it takes in (LIC-3)
	// South merges into East, then North into East.
	for _, from := range []struct {
		org  isg.OrgID
		user isg.UserID
	}{{x.south, x.b}, {x.north, x.a}} {
		m, err := x.g.RequestMerge(ctx, isg.Actor{User: x.outsider, Org: x.east}, isg.RequestMergeInput{Merging: []isg.OrgID{from.org}, Reason: "reorganisation", DisclaimerAcknowledged: true})
		require.NoError(t, err)
		_, err = x.g.AnswerMerge(ctx, isg.Actor{User: from.user, Org: from.org}, isg.AnswerMergeInput{Merge: m.ID, Approve: true})
		require.NoError(t, err)
	}
	east := isg.Actor{User: x.a, Org: x.east}
	v, err := x.g.DPIA(ctx, east, isg.ByID[dpia.ID]{ID: x.d.ID})
	require.NoError(t, err, "the creator, now of East, still opens it")
	assert.Equal(t, x.east, v.Org)
	assert.Equal(t, []isg.OrgID{x.east}, v.Contacts, "North and South both became East, once")
	assert.Len(t, v.Contributors, 3)
	assert.Equal(t, x.east, v.Approvers[0].Org)
	assert.Equal(t, approved.Approvals, v.Approvals, "approvals are history, kept as given")
	_, err = x.g.DPIA(ctx, isg.Actor{User: x.b, Org: x.east}, isg.ByID[dpia.ID]{ID: x.d.ID})
	assert.NoError(t, err, "South's contributor moved with it")
	acts, err := x.g.Activities(ctx, east, isg.ListPage{})
	require.NoError(t, err)
	assert.Equal(t, 1, acts.Total, "the activity moved")
	log, err := x.g.DPIALog(ctx, east, isg.ByID[dpia.ID]{ID: x.d.ID})
	require.NoError(t, err)
	assert.True(t, log.Verified, log.Problem)
}

// DPIA-10: approving a new version supersedes the approved one, which stayed readable with its
// approvals until then and stays readable after, as history.
func TestApprovingANewVersionSupersedesTheOld(t *testing.T) {
	x := newDPIAWorld(t, newWorld(t))
	na := isg.Actor{User: x.a, Org: x.north}
	x.approve(t, x.d.ID)
	v2, err := x.g.ReviseDPIA(ctx, na, isg.ByID[dpia.ID]{ID: x.d.ID})
	require.NoError(t, err)
	old, err := x.g.DPIA(ctx, na, isg.ByID[dpia.ID]{ID: x.d.ID})
	require.NoError(t, err)
	assert.Equal(t, dpia.Approved, old.State)
	x.approve(t, v2.ID)
	old, err = x.g.DPIA(ctx, na, isg.ByID[dpia.ID]{ID: x.d.ID})
	require.NoError(t, err)
	assert.Equal(t, dpia.Superseded, old.State)
	assert.Equal(t, v2.ID, old.SupersededBy)
	assert.Len(t, old.Approvals, 1, "its approvals kept")
}

// DPIA-2, NOTE-1: notices of a DPIA go to its contributors only; the sweep's review notice
// (DPIA-8) reaches each contributor once.
func TestDPIANoticesGoToContributorsOnly(t *testing.T) {
	clock := newClock()
	x := newDPIAWorld(t, newWorld(t, isg.WithClock(clock)))
	x.approve(t, x.d.ID)
	clock.Advance(366 * 24 * time.Hour)
	res, err := x.g.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, res.DPIAEvents)
	res, err = x.g.Sweep(ctx)
	require.NoError(t, err)
	assert.Zero(t, res.DPIAEvents, "raised once")
	count := map[string]map[isg.UserID]int{}
	_, err = x.g.DrainOutbox(ctx, isg.NotifierFunc(func(_ context.Context, n isg.Notification) error {
		if count[n.Type] == nil {
			count[n.Type] = map[isg.UserID]int{}
		}
		count[n.Type][n.Recipient]++
		return nil
	}), 1000)
	require.NoError(t, err)
	assert.Equal(t, map[isg.UserID]int{x.a: 1, x.b: 1, x.dpo: 1}, count[isg.EventDPIAReviewDue])
	for typ, to := range count {
		if len(typ) > 5 && typ[:5] == "dpia." {
			assert.NotContains(t, to, x.outsider, typ)
		}
	}
}

package isg_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/scenario"
	"github.com/isgkit/gateway/storage/memory"
)

// lifeWorld is three organisations sharing a finalised flow — North (creator, sender), South and
// West (receivers) — and East, an outsider; each has one user holding every editing and
// signing role, so that only the record decides what each may do.
type lifeWorld struct {
	*world
	clock                  *scenario.Clock
	store                  isg.Store
	north, south, west     isg.Actor
	east                   isg.Actor
	summary                agreement.SummaryID
	flow                   agreement.FlowID
	northOrg, southOrg     isg.OrgID
	westOrg, eastOrg       isg.OrgID
	allRoles               []isg.Role
	northUser, southUser   isg.UserID
	westUser, outsiderUser isg.UserID
}

func newLifeWorld(t testing.TB, store isg.Store, opts ...isg.Option) *lifeWorld {
	t.Helper()
	clock := newClock()
	g, err := isg.New(store, append([]isg.Option{cheapPasswords, isg.WithClock(clock)}, opts...)...)
	require.NoError(t, err)
	w := &lifeWorld{world: &world{t: t, g: g}, clock: clock, store: store,
		allRoles: []isg.Role{isg.Administrator, isg.SeniorOfficer, isg.IGOfficer}}
	ca, err := g.Bootstrap(ctx, isg.BootstrapInput{Email: "support@isg.nhs.uk", Name: "Support", Password: "Support#2026"})
	require.NoError(t, err)
	w.ca = ca.ID
	person := func(email, org string) (isg.Actor, isg.OrgID, isg.UserID) {
		u := w.user(email)
		o := w.org(u, org)
		w.grant(u, o, u, w.allRoles...)
		return isg.Actor{User: u, Org: o}, o, u
	}
	w.north, w.northOrg, w.northUser = person("a@north.gov.uk", "North")
	w.south, w.southOrg, w.southUser = person("b@south.gov.uk", "South")
	w.west, w.westOrg, w.westUser = person("c@west.gov.uk", "West")
	w.east, w.eastOrg, w.outsiderUser = person("d@east.gov.uk", "East")
	s, err := g.SaveSummary(ctx, w.north, isg.SummaryInput{SummaryTerms: summaryTerms(w.northOrg, w.southOrg, w.westOrg)})
	require.NoError(t, err)
	w.summary = s.ID
	w.flow = w.finalisedFlow(w.southOrg, w.westOrg)
	return w
}

// finalisedFlow is a flow from North to the receivers named, finalised (no personal data).
func (w *lifeWorld) finalisedFlow(to ...isg.OrgID) agreement.FlowID {
	w.t.Helper()
	terms := agreement.FlowTerms{Name: "Statistics", Parties: append([]isg.OrgID{w.northOrg}, to...), Direction: agreement.OneWay,
		From: []isg.OrgID{w.northOrg}, To: to, Frequency: agreement.Monthly, TransferMode: agreement.SFTP, Controls: []string{"Aggregated"}}
	f, err := w.g.CreateFlow(ctx, w.north, isg.CreateFlowInput{Summary: w.summary, FlowTerms: terms})
	require.NoError(w.t, err)
	_, err = w.g.FinaliseFlow(ctx, w.north, isg.ByID[agreement.FlowID]{ID: f.ID})
	require.NoError(w.t, err)
	return f.ID
}

func (w *lifeWorld) notificationTypes(a isg.Actor) map[string]int {
	w.t.Helper()
	ns, err := all(w.g.Notifications(ctx, isg.Actor{User: a.User}, isg.ListPage{}))
	require.NoError(w.t, err)
	out := map[string]int{}
	for _, n := range ns {
		out[n.Type]++
	}
	return out
}

// TestLifecycleRefusalsDoNotTellRecordsFromUnknownIDs: SUM-3, ROLE-7 — for every command of the
// end of the lifecycle (LIFE-1…LIFE-4), an organisation that may not see the flow or summary,
// holding every role the command's row asks, gets exactly the answer an unknown ID gets.
func TestLifecycleRefusalsDoNotTellRecordsFromUnknownIDs(t *testing.T) {
	w := newLifeWorld(t, memory.New())
	me := w.east
	future := w.clock.Now().AddDate(6, 0, 0)
	byFlow := map[string]func(agreement.FlowID) error{
		"flow.give_notice": func(id agreement.FlowID) error {
			_, err := w.g.GiveNotice(ctx, me, isg.FlowStep[agreement.NoticeInput]{Flow: id, Input: agreement.NoticeInput{Reason: "x"}})
			return err
		},
		"flow.approve_notice": func(id agreement.FlowID) error {
			_, err := w.g.ApproveNotice(ctx, me, isg.FlowStep[agreement.NoticeAnswerInput]{Flow: id, Input: agreement.NoticeAnswerInput{Org: w.southOrg}})
			return err
		},
		"flow.reject_notice": func(id agreement.FlowID) error {
			_, err := w.g.RejectNotice(ctx, me, isg.FlowStep[agreement.NoticeAnswerInput]{Flow: id, Input: agreement.NoticeAnswerInput{Org: w.southOrg, Comment: "no"}})
			return err
		},
		"flow.withdraw_notice": func(id agreement.FlowID) error {
			_, err := w.g.WithdrawNotice(ctx, me, isg.ByID[agreement.FlowID]{ID: id})
			return err
		},
		"flow.raise_dispute": func(id agreement.FlowID) error {
			_, err := w.g.RaiseDispute(ctx, me, isg.FlowStep[agreement.DisputeInput]{Flow: id, Input: agreement.DisputeInput{Description: "x"}})
			return err
		},
		"flow.resolve_dispute": func(id agreement.FlowID) error {
			_, err := w.g.ResolveDispute(ctx, me, isg.FlowStep[agreement.ResolutionInput]{Flow: id, Input: agreement.ResolutionInput{Dispute: 1, Resolution: "x"}})
			return err
		},
		"flow.archive": func(id agreement.FlowID) error {
			_, err := w.g.ArchiveFlow(ctx, me, isg.FlowStep[agreement.ArchiveInput]{Flow: id, Input: agreement.ArchiveInput{Reason: "x", RetainUntil: future}})
			return err
		},
		"flow.extend_retention": func(id agreement.FlowID) error {
			_, err := w.g.ExtendRetention(ctx, me, isg.FlowStep[agreement.RetentionInput]{Flow: id, Input: agreement.RetentionInput{Reason: "x", RetainUntil: future}})
			return err
		},
		"flow.approve_deletion": func(id agreement.FlowID) error {
			_, err := w.g.ApproveDeletion(ctx, me, isg.ByID[agreement.FlowID]{ID: id})
			return err
		},
		"flow.delete": func(id agreement.FlowID) error {
			_, err := w.g.DeleteFlow(ctx, me, isg.ByID[agreement.FlowID]{ID: id})
			return err
		},
	}
	nowhere := agreement.FlowID{UUID: uuid.Must(uuid.NewV7())}
	for name, run := range byFlow {
		t.Run(name, func(t *testing.T) {
			seen, unknown := run(w.flow), run(nowhere)
			require.Error(t, seen)
			assert.Equal(t, sameAnswer(unknown), sameAnswer(seen))
			assert.Equal(t, "flow.not_found", isg.ErrorCode(seen))
		})
	}
	t.Run("summary.record_review", func(t *testing.T) {
		seen := func(id agreement.SummaryID) error {
			_, err := w.g.RecordReview(ctx, me, isg.RecordReviewInput{ID: id})
			return err
		}
		got, unknown := seen(w.summary), seen(agreement.SummaryID{UUID: uuid.Must(uuid.NewV7())})
		assert.Equal(t, sameAnswer(unknown), sameAnswer(got))
		assert.Equal(t, "summary.not_found", isg.ErrorCode(got))
	})
}

// TestNoticeAudiences: LIFE-3, NOTE-1 — a notice asks the other parties' deciders; the giver
// hears each answer; when the organisation leaves, every party and the leaver hear it; a
// withdrawn party no longer sees the flow.
func TestNoticeAudiences(t *testing.T) {
	w := newLifeWorld(t, memory.New())
	v, err := w.g.GiveNotice(ctx, w.west, isg.FlowStep[agreement.NoticeInput]{Flow: w.flow, Input: agreement.NoticeInput{Reason: "Service ends"}})
	require.NoError(t, err)
	assert.Contains(t, v.Next, agreement.TriggerWithdrawNotice)
	assert.Equal(t, 1, w.notificationTypes(w.north)[string(agreement.EventNoticeGiven)])
	assert.Equal(t, 1, w.notificationTypes(w.south)[string(agreement.EventNoticeGiven)])
	assert.Zero(t, w.notificationTypes(w.west)[string(agreement.EventNoticeGiven)], "not the giver")
	assert.Zero(t, w.notificationTypes(w.east)[string(agreement.EventNoticeGiven)])

	_, err = w.g.ApproveNotice(ctx, w.north, isg.FlowStep[agreement.NoticeAnswerInput]{Flow: w.flow, Input: agreement.NoticeAnswerInput{Org: w.westOrg}})
	require.NoError(t, err)
	assert.Equal(t, 1, w.notificationTypes(w.west)[string(agreement.EventNoticeApproved)])
	got, err := w.g.ApproveNotice(ctx, w.south, isg.FlowStep[agreement.NoticeAnswerInput]{Flow: w.flow, Input: agreement.NoticeAnswerInput{Org: w.westOrg}})
	require.NoError(t, err)
	assert.Equal(t, []isg.OrgID{w.northOrg, w.southOrg}, got.Parties)
	for _, a := range []isg.Actor{w.north, w.south, w.west} {
		assert.Equal(t, 1, w.notificationTypes(a)[string(agreement.EventPartyWithdrawn)], "%v is told", a.Org)
	}
	_, err = w.g.Flow(ctx, w.west, isg.ByID[agreement.FlowID]{ID: w.flow})
	assert.Equal(t, "flow.not_found", isg.ErrorCode(err), "SUM-3: a withdrawn organisation no longer sees the flow")
	log, err := w.g.FlowLog(ctx, w.north, isg.ByID[agreement.FlowID]{ID: w.flow})
	require.NoError(t, err)
	assert.True(t, log.Verified, "LOG-1…3: the withdrawal is logged like any change: %s", log.Problem)
}

// lifeSweep moves the clock on and sweeps.
func (w *lifeWorld) sweep(d time.Duration) isg.SweepResult {
	w.t.Helper()
	w.clock.Advance(d)
	res, err := w.g.Sweep(ctx)
	require.NoError(w.t, err)
	return res
}

// TestSweepEscalatesDisputesOnce: LIFE-4 — the sweep escalates each unresolved dispute to every
// party's Senior Officers after 7 days and marks it for mediation 14 days later, once each, even
// with two sweeps running at once; the changes are logged in no user's name and the log verifies.
func TestSweepEscalatesDisputesOnce(t *testing.T) {
	const flows = 6
	w := newLifeWorld(t, memory.New())
	_, err := w.g.Sweep(ctx) // the first sweep, which sets the cursors
	require.NoError(t, err)
	ids := []agreement.FlowID{w.flow}
	for len(ids) < flows {
		ids = append(ids, w.finalisedFlow(w.southOrg))
	}
	for _, id := range ids {
		_, err := w.g.RaiseDispute(ctx, w.south, isg.FlowStep[agreement.DisputeInput]{Flow: id, Input: agreement.DisputeInput{Description: "late returns"}})
		require.NoError(t, err)
	}
	assert.Zero(t, w.sweep(7*24*time.Hour-time.Minute).DisputeEscalations, "not before 7 days")

	w.clock.Advance(time.Minute)
	var mu sync.Mutex
	var total isg.SweepResult
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			res, err := w.g.Sweep(ctx)
			assert.NoError(t, err)
			mu.Lock()
			total.DisputeEscalations += res.DisputeEscalations
			mu.Unlock()
		})
	}
	wg.Wait()
	assert.Equal(t, flows, total.DisputeEscalations, "two sweeps at once raise each escalation once")
	assert.Equal(t, flows, w.notificationTypes(w.north)[string(agreement.EventDisputeEscalated)], "each party's Senior Officers, once per dispute")
	assert.Zero(t, w.sweep(time.Hour).DisputeEscalations)

	res := w.sweep(14 * 24 * time.Hour)
	assert.Equal(t, flows, res.DisputesForMediation)
	assert.Zero(t, w.sweep(time.Hour).DisputesForMediation)

	log, err := w.g.FlowLog(ctx, w.north, isg.ByID[agreement.FlowID]{ID: w.flow})
	require.NoError(t, err)
	assert.True(t, log.Verified, log.Problem)
	last := log.Entries[len(log.Entries)-1]
	assert.Equal(t, "disputes", last.Field)
	assert.True(t, last.User.IsZero(), "the sweep's change is logged in no user's name")
}

// TestSweepReadsOnlyTheFlowsDue: LIFE-4 — after its first run the flow pass reads the flows
// falling due, not every flow: with disputes pending but none due, a sweep writes nothing.
func TestSweepReadsOnlyTheFlowsDue(t *testing.T) {
	store := &countingStore{Store: memory.New()}
	w := newLifeWorld(t, store)
	for range 10 {
		id := w.finalisedFlow(w.southOrg)
		_, err := w.g.RaiseDispute(ctx, w.south, isg.FlowStep[agreement.DisputeInput]{Flow: id, Input: agreement.DisputeInput{Description: "x"}})
		require.NoError(t, err)
	}
	_, err := w.g.Sweep(ctx)
	require.NoError(t, err)
	store.reset()
	res := w.sweep(3 * 24 * time.Hour)
	assert.Zero(t, res.DisputeEscalations)
	assert.Equal(t, int64(4), store.puts.Load(), "only the four cursors (assurance, flows, reviews, DPIAs) move on")
	assert.LessOrEqual(t, store.gets.Load(), int64(8), "the cursors, not the flows")
	store.reset()
	res = w.sweep(5 * 24 * time.Hour)
	assert.Equal(t, 10, res.DisputeEscalations)
}

// TestReviewNoticesThroughTheSweep: LIFE-1 — the creating organisation is told three months
// before the review date and when it is due, each once; the first sweep finds summaries made
// before any sweep ran; a host's lead time applies, and a changed one moves each summary to its
// new day.
func TestReviewNoticesThroughTheSweep(t *testing.T) {
	store := memory.New()
	w := newLifeWorld(t, store) // the summary is made at t0: review due t0 + 12 months
	due := t0.AddDate(1, 0, 0)

	w.clock.Set(due.AddDate(0, -3, 0))
	res, err := w.g.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, res.ReviewNotices, "the first sweep, with no cursor, finds it")
	assert.Zero(t, w.sweep(time.Hour).ReviewNotices, "once")
	assert.Equal(t, 1, w.notificationTypes(w.north)[string(agreement.EventReviewUpcoming)], "the creating organisation")
	assert.Zero(t, w.notificationTypes(w.south)[string(agreement.EventReviewUpcoming)], "not its partners")

	w.clock.Set(due)
	assert.Equal(t, 1, w.sweep(0).ReviewNotices)
	assert.Zero(t, w.sweep(24*time.Hour).ReviewNotices)
	assert.Equal(t, 1, w.notificationTypes(w.north)[string(agreement.EventReviewDue)])

	s, err := w.g.RecordReview(ctx, w.south, isg.RecordReviewInput{ID: w.summary, Note: "Still needed"})
	require.NoError(t, err)
	assert.Equal(t, agreement.ReviewNotices{}, s.ReviewNotices)
	log, err := w.g.SummaryLog(ctx, w.north, isg.ByID[agreement.SummaryID]{ID: w.summary})
	require.NoError(t, err)
	assert.True(t, log.Verified, log.Problem)

	// Another Gateway over the same store, with a lead time of one month: the summary filed
	// under the three-month day is moved on, and told a month ahead.
	one, err := isg.New(store, cheapPasswords, isg.WithClock(w.clock), isg.WithReviewNotice(1))
	require.NoError(t, err)
	next := w.clock.Now().AddDate(1, 0, 0)
	w.clock.Set(next.AddDate(0, -3, 0))
	res, err = one.Sweep(ctx)
	require.NoError(t, err)
	assert.Zero(t, res.ReviewNotices, "not three months ahead")
	w.clock.Set(next.AddDate(0, -1, 0))
	res, err = one.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, res.ReviewNotices, "one month ahead")

	for _, bad := range []int{-1, 12} {
		_, err := isg.New(memory.New(), isg.WithReviewNotice(bad))
		assert.Error(t, err, "lead time %d", bad)
	}
}

// TestDeleteFlowLeavesADisposalRecord: LIFE-2 — deleting an archived flow past its retention,
// every party approving, removes the flow, its log, its risk assessment and its documents'
// records and keeps a deletion record naming what was removed, readable by its parties only.
func TestDeleteFlowLeavesADisposalRecord(t *testing.T) {
	store := memory.New()
	w := newLifeWorld(t, store)
	id := w.finalisedFlow(w.southOrg)
	_, err := w.g.GenerateRiskAssessment(ctx, w.north, isg.ByID[agreement.FlowID]{ID: id})
	require.NoError(t, err)
	w.licensed(w.northOrg)
	doc, err := w.g.UploadDocument(ctx, w.north, isg.UploadInput{SubjectKind: "flow", SubjectID: id.String(), Name: "dsa.pdf", Content: []byte("%PDF signed DSA")})
	require.NoError(t, err)
	end := w.clock.Now().AddDate(6, 0, 0)
	_, err = w.g.ArchiveFlow(ctx, w.north, isg.FlowStep[agreement.ArchiveInput]{Flow: id, Input: agreement.ArchiveInput{Reason: "Superseded by the ICB's agreement", RetainUntil: end}})
	require.NoError(t, err)
	for _, a := range []isg.Actor{w.north, w.south} {
		_, err = w.g.ApproveDeletion(ctx, a, isg.ByID[agreement.FlowID]{ID: id})
		require.NoError(t, err)
	}
	before, err := w.g.FlowLog(ctx, w.north, isg.ByID[agreement.FlowID]{ID: id})
	require.NoError(t, err)
	_, err = w.g.DeleteFlow(ctx, w.north, isg.ByID[agreement.FlowID]{ID: id})
	assert.Equal(t, "flow.retention_not_ended", isg.ErrorCode(err))

	w.clock.Set(end)
	d, err := w.g.DeleteFlow(ctx, w.south, isg.ByID[agreement.FlowID]{ID: id})
	require.NoError(t, err)
	assert.Equal(t, len(before.Entries), d.LogEntries)
	assert.Equal(t, before.Head, d.Log, "the removed log's head is kept")
	assert.Equal(t, 1, d.RiskAssessments)
	assert.Equal(t, []isg.DeletedDocument{{ID: doc.ID, Name: "dsa.pdf", SHA256: doc.SHA256}}, d.Documents, "the host disposes of the blob")
	_, err = w.g.DocumentContent(ctx, w.north, doc.ID)
	assert.Error(t, err, "the document's record is gone")
	assert.Equal(t, []isg.OrgID{w.northOrg, w.southOrg}, d.Parties)
	assert.Len(t, d.Archive.DeletionApprovals, 2)

	dump := store.Dump()
	assert.NotContains(t, dump["flow"], id.String())
	for recID := range dump["log_entry"] {
		assert.NotContains(t, recID, id.String(), "no log entry of the flow is left")
	}
	for _, r := range dump["risk_assessment"] {
		assert.NotContains(t, string(r.Body), id.String())
	}
	assert.Contains(t, dump["flow_deletion"], id.String())

	_, err = w.g.RiskAssessment(ctx, w.north, isg.ByID[agreement.FlowID]{ID: id})
	assert.Error(t, err)
	got, err := w.g.FlowDeletionRecord(ctx, w.north, isg.ByID[agreement.FlowID]{ID: id})
	require.NoError(t, err)
	assert.Equal(t, d, got)
	_, err = w.g.FlowDeletionRecord(ctx, w.west, isg.ByID[agreement.FlowID]{ID: id})
	assert.Equal(t, "flow_deletion.not_found", isg.ErrorCode(err), "West was never a party to this flow")
	assert.Equal(t, 1, w.notificationTypes(w.south)[string(agreement.EventDeleted)])
}

// noDeleteStore hides isg.Deleter from the Gateway.
type noDeleteStore struct{ isg.Store }

func (s noDeleteStore) Update(ctx context.Context, fn func(isg.Tx) error) error {
	return s.Store.Update(ctx, func(tx isg.Tx) error { return fn(struct{ isg.Tx }{tx}) })
}

// TestDeleteFlowNeedsAStoreThatDeletes: LIFE-2 — on a store that cannot delete, deletion is
// refused and nothing changes.
func TestDeleteFlowNeedsAStoreThatDeletes(t *testing.T) {
	mem := memory.New()
	w := newLifeWorld(t, noDeleteStore{mem})
	end := w.clock.Now().AddDate(1, 0, 0)
	_, err := w.g.ArchiveFlow(ctx, w.north, isg.FlowStep[agreement.ArchiveInput]{Flow: w.flow, Input: agreement.ArchiveInput{Reason: "x", RetainUntil: end}})
	require.NoError(t, err)
	for _, a := range []isg.Actor{w.north, w.south, w.west} {
		_, err = w.g.ApproveDeletion(ctx, a, isg.ByID[agreement.FlowID]{ID: w.flow})
		require.NoError(t, err)
	}
	w.clock.Set(end)
	before := mem.Dump()
	_, err = w.g.DeleteFlow(ctx, w.north, isg.ByID[agreement.FlowID]{ID: w.flow})
	assert.Equal(t, isg.CodeFlowDeletionUnsupported, isg.ErrorCode(err))
	assert.Equal(t, before, mem.Dump())
}

// TestInterleavedLastApprovalsWithdrawOnce: LIFE-3 — the last two approvals of a notice made at
// once: the one that found the other not yet given commits on a changed flow, so it runs again,
// sees both, and withdraws the organisation — once, told once.
func TestInterleavedLastApprovalsWithdrawOnce(t *testing.T) {
	for _, st := range interleaveStores {
		t.Run(st.name, func(t *testing.T) {
			p := &pausingStore{Store: st.open(t)}
			w := newLifeWorld(t, p)
			_, err := w.g.GiveNotice(ctx, w.west, isg.FlowStep[agreement.NoticeInput]{Flow: w.flow, Input: agreement.NoticeInput{Reason: "Service ends"}})
			require.NoError(t, err)
			approve := func(a isg.Actor) func() error {
				return func() error {
					_, err := w.g.ApproveNotice(ctx, a, isg.FlowStep[agreement.NoticeAnswerInput]{Flow: w.flow, Input: agreement.NoticeAnswerInput{Org: w.westOrg}})
					return err
				}
			}
			// North's approval pauses as it notifies the leaver's Senior Officers, its flow write
			// staged; South's approval commits meanwhile, not yet the last.
			errNorth, errSouth := interleave(t, p, "user", "role", approve(w.north), approve(w.south))
			require.NoError(t, errSouth)
			require.NoError(t, errNorth)
			f, err := w.g.Flow(ctx, w.north, isg.ByID[agreement.FlowID]{ID: w.flow})
			require.NoError(t, err)
			assert.Equal(t, []isg.OrgID{w.northOrg, w.southOrg}, f.Parties)
			require.Len(t, f.Withdrawals, 1)
			assert.Len(t, f.Notices[0].Answers, 2)
			assert.Equal(t, agreement.NoticeAccepted, f.Notices[0].Status)
			assert.Equal(t, 1, w.notificationTypes(w.west)[string(agreement.EventPartyWithdrawn)], "told once")
		})
	}
}

// TestInterleavedSweepsEscalateOnce: LIFE-4 — two sweeps at the same escalation: the one that
// paused while notifying finds, on its retry, the escalation made by the other and raises
// nothing; the Senior Officers are told once.
func TestInterleavedSweepsEscalateOnce(t *testing.T) {
	for _, st := range interleaveStores {
		t.Run(st.name, func(t *testing.T) {
			p := &pausingStore{Store: st.open(t)}
			w := newLifeWorld(t, p)
			_, err := w.g.Sweep(ctx)
			require.NoError(t, err)
			_, err = w.g.RaiseDispute(ctx, w.south, isg.FlowStep[agreement.DisputeInput]{Flow: w.flow, Input: agreement.DisputeInput{Description: "x"}})
			require.NoError(t, err)
			w.clock.Advance(8 * 24 * time.Hour)
			var first, second isg.SweepResult
			errA, errB := interleave(t, p, "user", "role",
				func() error {
					var err error
					first, err = w.g.Sweep(ctx)
					return err
				},
				func() error {
					var err error
					second, err = w.g.Sweep(ctx)
					return err
				})
			require.NoError(t, errA)
			require.NoError(t, errB)
			assert.Equal(t, 1, second.DisputeEscalations)
			assert.Zero(t, first.DisputeEscalations, "the paused sweep's escalation did not commit")
			assert.Equal(t, 1, w.notificationTypes(w.west)[string(agreement.EventDisputeEscalated)])
		})
	}
}

// TestFlowViewOffersWhatRolesAllow: ROLE-8, LIFE-3 — Next lists a notice step only to a user
// whose roles pass SignOffFlow (with sign-off's own steps, SIGN-1, SIGN-5); an IG/Project
// Officer of the same organisation is offered the EditAgreements steps only.
func TestFlowViewOffersWhatRolesAllow(t *testing.T) {
	w := newLifeWorld(t, memory.New())
	igo := w.user("igo@south.gov.uk")
	w.grant(w.southUser, w.southOrg, igo, isg.IGOfficer)
	senior, err := w.g.Flow(ctx, w.south, isg.ByID[agreement.FlowID]{ID: w.flow})
	require.NoError(t, err)
	assert.Equal(t, []agreement.Trigger{agreement.TriggerAttachWetSignature, agreement.TriggerGiveNotice, agreement.TriggerRaiseDispute, agreement.TriggerRequestSignOff}, senior.Next)
	officer, err := w.g.Flow(ctx, isg.Actor{User: igo, Org: w.southOrg}, isg.ByID[agreement.FlowID]{ID: w.flow})
	require.NoError(t, err)
	assert.Equal(t, []agreement.Trigger{agreement.TriggerRaiseDispute, agreement.TriggerRequestSignOff}, officer.Next)
	_, err = w.g.GiveNotice(ctx, isg.Actor{User: igo, Org: w.southOrg}, isg.FlowStep[agreement.NoticeInput]{Flow: w.flow, Input: agreement.NoticeInput{Reason: "x"}})
	assert.Equal(t, "forbidden", isg.ErrorCode(err))
}

package isg_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/dpia"
	"github.com/isgkit/gateway/isg"
)

// TestInterleavedRevisionsOpenOneVersion: DPIA-10 — two revisions of one approved DPIA: the one
// that listed the DPIA's versions before the other's new version committed must not open a second
// version. Neither writes the approved version, so only the listing joins them.
func TestInterleavedRevisionsOpenOneVersion(t *testing.T) {
	onEachStore(t, true, func(t *testing.T, w *world, p *pausingStore) {
		x := newDPIAWorld(t, w)
		x.approve(t, x.d.ID)
		revise := func(who isg.Actor) func() error {
			return func() error {
				_, err := w.g.ReviseDPIA(ctx, who, isg.ByID[dpia.ID]{ID: x.d.ID})
				return err
			}
		}
		errA, errB := interleave(t, p, "dpia", "lineage", revise(isg.Actor{User: x.a, Org: x.north}), revise(isg.Actor{User: x.b, Org: x.south}))
		require.NoError(t, errB)
		assert.Equal(t, "dpia.open_version", isg.ErrorCode(errA))
		mine, err := w.g.DPIAs(ctx, isg.Actor{User: x.a, Org: x.north}, isg.ListPage{})
		require.NoError(t, err)
		assert.Equal(t, 2, mine.Total, "the approved version and one new one")
	})
}

// TestInterleavedLastApprovalsApproveOnce: DPIA-6 — the DPO and the IG lead approving at once,
// each the other's last outstanding approval: the one that read the DPIA before the other's
// approval committed is run again on the DPIA as it now is, so both approvals are kept, the DPIA
// is approved once and its contributors are told once.
func TestInterleavedLastApprovalsApproveOnce(t *testing.T) {
	onEachStore(t, true, func(t *testing.T, w *world, p *pausingStore) {
		x := newDPIAWorld(t, w)
		na := isg.Actor{User: x.a, Org: x.north}
		ig := w.user("ig@north.gov.uk")
		w.grant(x.a, x.north, ig, isg.IGOfficer)
		_, err := w.g.AddDPIAContributor(ctx, na, isg.DPIAStep[dpia.Member]{DPIA: x.d.ID, Input: dpia.Member{User: ig, Org: x.north}})
		require.NoError(t, err)
		_, err = w.g.NameDPIAApprovers(ctx, na, isg.DPIAStep[isg.ApproversInput]{DPIA: x.d.ID, Input: isg.ApproversInput{Approvers: []dpia.Approver{
			{User: x.dpo, Org: x.north, Capacity: dpia.CapacityDPO}, {User: ig, Org: x.north, Capacity: dpia.CapacityIGLead}}}})
		require.NoError(t, err)
		dpo := isg.Actor{User: x.dpo, Org: x.north}
		_, err = w.g.SubmitDPIA(ctx, na, isg.ByID[dpia.ID]{ID: x.d.ID})
		require.NoError(t, err)
		for _, s := range dpia.EvaluatedSections() {
			_, err = w.g.EvaluateDPIA(ctx, dpo, isg.DPIAStep[dpia.EvaluationInput]{DPIA: x.d.ID, Input: dpia.EvaluationInput{Section: s, Verdict: dpia.Acceptable}})
			require.NoError(t, err)
		}
		_, err = w.g.GiveDPOOpinion(ctx, dpo, isg.DPIAStep[dpia.OpinionInput]{DPIA: x.d.ID, Input: dpia.OpinionInput{Opinion: "ok", SubjectsConsulted: true}})
		require.NoError(t, err)
		_, err = w.g.DrainOutbox(ctx, isg.NotifierFunc(func(context.Context, isg.Notification) error { return nil }), 1000)
		require.NoError(t, err)

		errA, errB := interleave(t, p, "dpia", "lineage",
			func() error {
				_, err := w.g.ApproveDPIA(ctx, dpo, isg.DPIAStep[dpia.ApprovalInput]{DPIA: x.d.ID})
				return err
			},
			func() error {
				_, err := w.g.ApproveDPIA(ctx, isg.Actor{User: ig, Org: x.north}, isg.DPIAStep[dpia.ApprovalInput]{DPIA: x.d.ID, Input: dpia.ApprovalInput{DPOAdvice: dpia.AdviceAccepted}})
				return err
			})
		require.NoError(t, errB)
		require.NoError(t, errA)
		v, err := w.g.DPIA(ctx, na, isg.ByID[dpia.ID]{ID: x.d.ID})
		require.NoError(t, err)
		assert.Equal(t, dpia.Approved, v.State)
		assert.Len(t, v.Approvals, 2, "both approvals kept")
		approved := 0
		_, err = w.g.DrainOutbox(ctx, isg.NotifierFunc(func(_ context.Context, n isg.Notification) error {
			if n.Type == isg.EventDPIAApproved && n.Recipient == x.a {
				approved++
			}
			return nil
		}), 1000)
		require.NoError(t, err)
		assert.Equal(t, 1, approved, "approved once, told once")
	})
}

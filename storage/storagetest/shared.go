package storagetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/assurance"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/licensing"
)

// race runs the functions at once, each on its own goroutine released together, and returns
// their errors in order.
func race(fns ...func() error) []error {
	errs := make([]error, len(fns))
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for i, fn := range fns {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			errs[i] = fn()
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return errs
}

// testCompetingMergeAnswers: two Administrators of the organisation being merged answer the same
// merge request at once, through two Gateways. The request is one record under optimistic
// concurrency, so exactly one answer wins, the other sees the request already decided, and the
// merge is carried out (and announced) once.
func testCompetingMergeAnswers(t *testing.T, a, b isg.Store) {
	w := newWorld(t, a)
	g2 := w.gateway(b)
	survivorAdmin := w.user("sue@survivor.gov.uk")
	for round := range 4 {
		survivor := w.org(survivorAdmin, fmt.Sprintf("Survivor %d", round))
		b1, b2 := w.user(fmt.Sprintf("bo%d@merging.gov.uk", round)), w.user(fmt.Sprintf("bea%d@merging.gov.uk", round))
		merging := w.org(b1, fmt.Sprintf("Merging %d", round))
		w.grant(b1, merging, b2, isg.Administrator)
		m, err := w.g.RequestMerge(w.ctx, isg.Actor{User: survivorAdmin, Org: survivor},
			isg.RequestMergeInput{Merging: []isg.OrgID{merging}, Reason: "reorganisation", DisclaimerAcknowledged: true})
		require.NoError(t, err)
		// Even rounds both approve; odd rounds one approves and the other rejects.
		approve2 := round%2 == 0
		errs := race(
			func() error {
				_, err := w.g.AnswerMerge(w.ctx, isg.Actor{User: b1, Org: merging}, isg.AnswerMergeInput{Merge: m.ID, Approve: true})
				return err
			},
			func() error {
				_, err := g2.AnswerMerge(w.ctx, isg.Actor{User: b2, Org: merging}, isg.AnswerMergeInput{Merge: m.ID, Approve: approve2})
				return err
			},
		)
		winner := -1
		for i, err := range errs {
			switch code := isg.ErrorCode(err); {
			case err == nil:
				require.Equal(t, -1, winner, "round %d: both answers won", round)
				winner = i
			// The loser, run again on fresh state, finds the request decided — or, when the
			// winner completed the merge, its organisation merged (ORG-7) or its own roles moved
			// to the survivor.
			case code == "merge.invalid_transition" || code == "merge.already_answered" || code == "forbidden" ||
				code == "organisation.closed" || errors.Is(err, isg.ErrConflict):
			default:
				require.NoError(t, err, "round %d: answer %d", round, i)
			}
		}
		require.NotEqual(t, -1, winner, "round %d: no answer won", round)

		merges, err := all(g2.MergeRequests(w.ctx, isg.Actor{User: survivorAdmin, Org: survivor}, isg.ListPage{}))
		require.NoError(t, err)
		require.Len(t, merges, 1)
		got := merges[0]
		wantState, event := isg.MergeCompleted, isg.EventMergeCompleted
		if winner == 1 && !approve2 {
			wantState, event = isg.MergeRejected, isg.EventMergeRejected
		}
		require.Equal(t, wantState, got.State, "round %d: the winner's answer is the one stored", round)
		if wantState == isg.MergeCompleted {
			assert.Equal(t, []isg.OrgID{merging}, got.Approvals, "round %d: approved once", round)
			o, err := g2.GetOrganisation(w.ctx, isg.Actor{User: survivorAdmin}, isg.OrgRef{Org: merging})
			require.NoError(t, err)
			assert.Equal(t, isg.OrgMerged, o.Status)
		}
		n := 0
		for _, msg := range w.outbox(g2, survivorAdmin) {
			if msg.Type == event && msg.Data["merge"] == m.ID.String() {
				n++
			}
		}
		assert.Equal(t, 1, n, "round %d: the survivor's administrator is told of the outcome once", round)
	}
}

// testLastLicence: contenders on two Gateways allocate a contract's last licence to different
// organisations at once. The contract holds its licences, so the capacity check and the
// allocation are one optimistic write: exactly one allocation wins (LIC-1).
func testLastLicence(t *testing.T, a, b isg.Store) {
	w := newWorld(t, a)
	g2 := w.gateway(b)
	sa := w.user("super@lead.nhs.uk")
	lead := w.org(sa, "Lead Trust")
	c, err := w.g.CreateContract(w.ctx, isg.Actor{User: w.ca}, licensing.ContractInput{
		Org: lead, Group: "Partnership", Capacity: 2, Term: licensing.Period{Start: start, End: start.AddDate(1, 0, 0)},
		Price: decimal.RequireFromString("1200.00"), SuperAdmins: []isg.UserID{sa}})
	require.NoError(t, err)
	_, err = w.g.AllocateLicence(w.ctx, isg.Actor{User: sa}, isg.AllocateInput{Contract: c.ID, Org: lead, Kind: licensing.Group})
	require.NoError(t, err)

	const contenders = 6
	orgs := make([]isg.OrgID, contenders)
	fns := make([]func() error, contenders)
	for i := range contenders {
		orgs[i] = w.org(sa, fmt.Sprintf("Contender %d", i))
		g := []*isg.Gateway{w.g, g2}[i%2]
		fns[i] = func() error {
			_, err := g.AllocateLicence(w.ctx, isg.Actor{User: sa}, isg.AllocateInput{Contract: c.ID, Org: orgs[i], Kind: licensing.Group})
			return err
		}
	}
	winner := -1
	for i, err := range race(fns...) {
		switch {
		case err == nil:
			require.Equal(t, -1, winner, "contenders %d and %d both got the last licence", winner, i)
			winner = i
		case isg.ErrorCode(err) == licensing.CodeAllocationLimit || errors.Is(err, isg.ErrConflict):
		default:
			require.NoError(t, err, "contender %d", i)
		}
	}
	require.NotEqual(t, -1, winner, "nobody got the last licence")
	stored, err := g2.Contract(w.ctx, isg.Actor{User: w.ca}, isg.ByID[licensing.ContractID]{ID: c.ID})
	require.NoError(t, err)
	require.Len(t, stored.Licences, 2, "the contract holds its capacity and no more")
	assert.Equal(t, orgs[winner], stored.Licences[1].Org, "the winner's licence is the one stored")
}

// testSweepEverywhere: the periodic sweep runs on two Gateways at once, several times over, after
// the assurance of several organisations has expired: each expiry is raised once (ASR-3, ASR-5),
// and told to the partner once.
func testSweepEverywhere(t *testing.T, a, b isg.Store) {
	w := newWorld(t, a)
	gateways := []*isg.Gateway{w.g, w.gateway(b)}
	partnerAdmin := w.user("pat@partner.gov.uk")
	partner := w.org(partnerAdmin, "Partner Council")
	const orgs = 4
	met, score := true, 90
	for i := range orgs {
		admin := w.user(fmt.Sprintf("admin%d@trust%d.nhs.uk", i, i))
		org := w.org(admin, fmt.Sprintf("Trust %d", i))
		actor := isg.Actor{User: admin, Org: org}
		_, err := w.g.SubmitAssurance(w.ctx, actor, assurance.Answers{Standard: assurance.StandardDSPToolkit,
			ICONumber: fmt.Sprintf("Z%07d", 1000000+i), ICOExpiresAt: start.AddDate(3, 0, 0),
			DSPToolkit:   &assurance.DSPToolkit{StandardsMet: &met, Year: start.Year(), Score: &score, Evidence: "published"},
			StaffTrained: true, StaffScreened: true, PrivacyNoticeURL: "https://example.nhs.uk/privacy"})
		require.NoError(t, err)
		w.sharing(actor, partner)
	}
	sweep := func(rounds int) int {
		var mu sync.Mutex
		total := 0
		fns := make([]func() error, 4)
		for i := range fns {
			g := gateways[i%2]
			fns[i] = func() error {
				for range rounds {
					res, err := g.Sweep(w.ctx)
					if err != nil {
						return err
					}
					mu.Lock()
					total += res.RatingEvents
					mu.Unlock()
				}
				return nil
			}
		}
		for _, err := range race(fns...) {
			require.NoError(t, err)
		}
		return total
	}
	require.Zero(t, sweep(1), "nothing has expired yet")
	w.clock.Advance(366 * 24 * time.Hour)
	assert.Equal(t, orgs, sweep(3), "each expiry is raised once, by whichever sweep got there first")
	expired := map[string]int{}
	for _, n := range w.outbox(gateways[1], partnerAdmin) {
		if n.Type == isg.EventRatingExpired {
			expired[n.Data["org"]]++
		}
	}
	assert.Len(t, expired, orgs, "the partner is told of every expiry")
	for org, n := range expired {
		assert.Equal(t, 1, n, "the partner is told of %s's expiry once", org)
	}
}

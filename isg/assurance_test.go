package isg_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/assurance"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/memory"
)

func significant() assurance.Answers {
	met, score := true, 90
	return assurance.Answers{ICONumber: "Z1234567", ICOExpiresAt: t0.AddDate(3, 0, 0), Standard: assurance.StandardDSPToolkit,
		DSPToolkit:   &assurance.DSPToolkit{StandardsMet: &met, Year: 2025, Score: &score},
		StaffTrained: true, StaffScreened: true, PrivacyNoticeURL: "https://example.gov.uk/privacy"}
}

// TestSweepRaisesExpiryOnceAcrossInstances: the periodic sweep notices an expiry (ASR-3, ASR-5)
// exactly once, however often and on however many Gateway instances it runs.
func TestSweepRaisesExpiryOnceAcrossInstances(t *testing.T) {
	store := memory.New()
	clock := newClock()
	g1, err := isg.New(store, cheapPasswords, isg.WithClock(clock))
	require.NoError(t, err)
	g2, err := isg.New(store, cheapPasswords, isg.WithClock(clock))
	require.NoError(t, err)
	w := &world{t: t, g: g1}
	ca, err := g1.Bootstrap(ctx, isg.BootstrapInput{Email: "support@isg.nhs.uk", Name: "S", Password: "Support#2026"})
	require.NoError(t, err)
	w.ca = ca.ID
	a := w.user("a@york.gov.uk")
	org := w.org(a, "York")
	_, err = g1.SubmitAssurance(ctx, isg.Actor{User: a, Org: org}, significant())
	require.NoError(t, err)

	res, err := g1.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 0, res.RatingEvents, "nothing changed yet")

	clock.Advance(366 * 24 * time.Hour)
	var wg sync.WaitGroup
	total := make([]int, 8)
	for i := range total {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := g1
			if i%2 == 1 {
				g = g2
			}
			r, err := g.Sweep(ctx)
			assert.NoError(t, err)
			total[i] = r.RatingEvents
		}()
	}
	wg.Wait()
	sum := 0
	for _, n := range total {
		sum += n
	}
	assert.Equal(t, 1, sum, "the expiry is raised exactly once")
	v, err := g1.Assurance(ctx, isg.Actor{User: a}, isg.AssuranceQuery{Org: org})
	require.NoError(t, err)
	assert.Equal(t, assurance.LevelExpired, v.Rating.Level)
}

// TestAssuranceIsVisibleToEverySignedInUser: any signed-in, active user reads an organisation's
// assurance and its history, whatever their roles (ASR-6); a command with no actor is refused
// (ROLE-7); only an assurance role submits (ROLE-4).
func TestAssuranceIsVisibleToEverySignedInUser(t *testing.T) {
	w := newWorld(t)
	a, nobody := w.user("a@york.gov.uk"), w.user("nobody@else.gov.uk")
	org := w.org(a, "York")
	_, err := w.g.SubmitAssurance(ctx, isg.Actor{User: a, Org: org}, significant())
	require.NoError(t, err)

	v, err := w.g.Assurance(ctx, isg.Actor{User: nobody}, isg.AssuranceQuery{Org: org})
	require.NoError(t, err)
	assert.Equal(t, assurance.LevelSignificant, v.Rating.Level)
	h, err := w.g.AssuranceHistory(ctx, isg.Actor{User: nobody}, isg.AssuranceQuery{Org: org})
	require.NoError(t, err)
	assert.Len(t, h, 1)

	_, err = w.g.Assurance(ctx, isg.Actor{}, isg.AssuranceQuery{Org: org})
	assert.ErrorIs(t, err, isg.ErrForbidden)
	_, err = w.g.AssuranceHistory(ctx, isg.Actor{User: nobody}, isg.AssuranceQuery{Org: isg.OrgID{}})
	assert.ErrorIs(t, err, isg.ErrNotFound)

	dpo := w.user("dpo@york.gov.uk")
	w.grant(a, org, dpo, isg.DPO)
	_, err = w.g.SubmitAssurance(ctx, isg.Actor{User: dpo, Org: org}, significant())
	assert.ErrorIs(t, err, isg.ErrForbidden, "ROLE-4: a DPO does not submit")
}

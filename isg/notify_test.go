package isg_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
)

type recorder struct {
	mu   sync.Mutex
	got  []isg.Notification
	fail map[string]bool // notification types that fail delivery
}

func (r *recorder) Deliver(_ context.Context, n isg.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail[n.Type] {
		return errors.New("smtp down")
	}
	r.got = append(r.got, n)
	return nil
}

// mergeRequested sets up two organisations and a merge request, which notifies the
// administrators of both (ORG-6), and returns the two administrators.
func mergeRequested(t *testing.T, w *world) (isg.UserID, isg.UserID) {
	a, b := w.user("a@north.gov.uk"), w.user("b@south.gov.uk")
	north, south := w.org(a, "North"), w.org(b, "South")
	_, err := w.g.RequestMerge(ctx, isg.Actor{User: a, Org: north}, isg.RequestMergeInput{Merging: []isg.OrgID{south}, Reason: "reorganisation", DisclaimerAcknowledged: true})
	require.NoError(t, err)
	return a, b
}

// TestOutboxAtLeastOnce: NOTE-1 — notifications are written with the change and survive failed
// deliveries; a delivered one is never delivered again.
func TestOutboxAtLeastOnce(t *testing.T) {
	w := newWorld(t)
	mergeRequested(t, w)

	r := &recorder{fail: map[string]bool{isg.EventMergeRequested: true}}
	res, err := w.g.DrainOutbox(ctx, r, 10)
	assert.Error(t, err, "failed deliveries are reported")
	assert.Equal(t, 2, res.Failed)
	assert.Empty(t, r.got)

	// Still leased by the failed attempt: nothing to claim until the lease runs out.
	r.fail = nil
	res, err = w.g.DrainOutbox(ctx, r, 10)
	require.NoError(t, err)
	assert.Equal(t, 0, res.Delivered)
}

func TestOutboxRedeliversAfterLeaseAndNeverAfterSent(t *testing.T) {
	clock := newClock()
	w := newWorld(t, isg.WithClock(clock))
	a, b := mergeRequested(t, w)

	r := &recorder{fail: map[string]bool{isg.EventMergeRequested: true}}
	_, err := w.g.DrainOutbox(ctx, r, 10)
	require.Error(t, err)
	clock.Advance(isg.DrainLease)
	r.fail = nil
	res, err := w.g.DrainOutbox(ctx, r, 10)
	require.NoError(t, err)
	assert.Equal(t, 2, res.Delivered)
	recipients := []isg.UserID{r.got[0].Recipient, r.got[1].Recipient}
	assert.ElementsMatch(t, []isg.UserID{a, b}, recipients)
	for _, n := range r.got {
		assert.Equal(t, 2, n.Attempts)
		assert.Equal(t, isg.EventMergeRequested, n.Type)
	}

	clock.Advance(10 * isg.DrainLease)
	res, err = w.g.DrainOutbox(ctx, r, 10)
	require.NoError(t, err)
	assert.Equal(t, 0, res.Delivered, "a message marked sent is never delivered again")
	assert.Len(t, r.got, 2)
}

// TestOutboxCompetingDrainers: concurrent drainers deliver each message exactly once when none fails.
func TestOutboxCompetingDrainers(t *testing.T) {
	w := newWorld(t)
	for i := range 5 {
		u := w.user("u" + string(rune('a'+i)) + "@nhs.net")
		_, err := w.g.SetPreferences(ctx, isg.Actor{User: u}, isg.Preferences{})
		require.NoError(t, err)
		mergeRequestedBy(t, w, u, i)
	}
	r := &recorder{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				res, err := w.g.DrainOutbox(ctx, r, 2)
				if err != nil && !errors.Is(err, isg.ErrConflict) {
					t.Error(err)
					return
				}
				if err == nil && res.Delivered == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	seen := map[string]int{}
	for _, n := range r.got {
		seen[n.ID]++
	}
	assert.Len(t, seen, 10)
	for id, n := range seen {
		assert.Equal(t, 1, n, id)
	}
}

func mergeRequestedBy(t *testing.T, w *world, a isg.UserID, i int) {
	b := w.user("partner" + string(rune('a'+i)) + "@nhs.net")
	north, south := w.org(a, "North "+string(rune('a'+i))), w.org(b, "South "+string(rune('a'+i)))
	_, err := w.g.RequestMerge(ctx, isg.Actor{User: a, Org: north}, isg.RequestMergeInput{Merging: []isg.OrgID{south}, Reason: "r", DisclaimerAcknowledged: true})
	require.NoError(t, err)
}

// TestSandboxDeliversNothing: NOTE-3.
func TestSandboxDeliversNothing(t *testing.T) {
	w := newWorld(t, isg.WithSandbox(true))
	mergeRequested(t, w)
	r := &recorder{}
	res, err := w.g.DrainOutbox(ctx, r, 10)
	require.NoError(t, err)
	assert.Equal(t, 2, res.Suppressed)
	assert.Empty(t, r.got)
	res, err = w.g.DrainOutbox(ctx, r, 10)
	require.NoError(t, err)
	assert.Equal(t, isg.DrainResult{}, res)
}

// TestPreferencesAllOffAcrossRoles: NOTE-2 — all off silences every type at every organisation.
func TestPreferencesAllOffAcrossRoles(t *testing.T) {
	w := newWorld(t)
	a := w.user("a@north.gov.uk")
	_, err := w.g.SetPreferences(ctx, isg.Actor{User: a}, isg.Preferences{AllOff: true})
	require.NoError(t, err)
	b := w.user("b@south.gov.uk")
	north, south := w.org(a, "North"), w.org(b, "South")
	_, err = w.g.RequestMerge(ctx, isg.Actor{User: b, Org: south}, isg.RequestMergeInput{Merging: []isg.OrgID{north}, Reason: "r", DisclaimerAcknowledged: true})
	require.NoError(t, err)
	got, err := all(w.g.Notifications(ctx, isg.Actor{User: a}, isg.ListPage{}))
	require.NoError(t, err)
	assert.Empty(t, got)
	got, err = all(w.g.Notifications(ctx, isg.Actor{User: b}, isg.ListPage{}))
	require.NoError(t, err)
	assert.Len(t, got, 1, "the default is subscribed to everything")
}

package isg_test

import (
	"context"
	"encoding/json"
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

// NOTE-4: only the host drains the outbox. Through Dispatch a call with no actor — any caller of
// a host's JSON API — and an actor who is not Central Admin are refused and take nothing; Central
// Admin (row DrainOutbox, at the platform) and the host's own call (a context marked AsHost)
// drain; the Go method DrainOutbox stays the host's, ungated.
func TestOutboxDrainThroughDispatchNeedsTheHostOrCentralAdmin(t *testing.T) {
	w := newWorld(t)
	a := w.user("a@north.gov.uk")
	north := w.org(a, "North")
	closure := func() {
		t.Helper()
		c, err := w.g.RequestClosure(ctx, isg.Actor{User: a, Org: north}, isg.RequestClosureInput{Reason: "r"})
		require.NoError(t, err)
		_, err = w.g.DecideClosure(ctx, isg.Actor{User: w.ca}, isg.DecideClosureInput{Closure: c.ID, Decision: "decline"})
		require.NoError(t, err)
	}
	closure() // Central Admin is told of the request (ORG-7)
	input := []byte(`{"max": 100}`)
	pending := func() int {
		n := 0
		for _, who := range []isg.UserID{a, w.ca} {
			l, err := all(w.g.Notifications(ctx, isg.Actor{User: who}, isg.ListPage{}))
			require.NoError(t, err)
			for _, m := range l {
				if m.Status == "pending" {
					n++
				}
			}
		}
		return n
	}
	require.Positive(t, pending())

	refused := []struct {
		name  string
		ctx   context.Context
		actor isg.Actor
	}{
		{"no actor", ctx, isg.Actor{}},
		{"an organisation's administrator", ctx, isg.Actor{User: a, Org: north}},
		{"an administrator on a context marked AsHost", isg.AsHost(ctx), isg.Actor{User: a, Org: north}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.g.Dispatch(tt.ctx, "outbox.drain", tt.actor, input)
			require.ErrorIs(t, err, isg.ErrForbidden)
			assert.Positive(t, pending(), "nothing was taken")
		})
	}
	t.Run("the host", func(t *testing.T) {
		res, err := w.g.Dispatch(isg.AsHost(ctx), "outbox.drain", isg.Actor{}, input)
		require.NoError(t, err)
		b, err := json.Marshal(res)
		require.NoError(t, err)
		assert.Contains(t, string(b), `"delivered":`)
		assert.Zero(t, pending())
	})
	t.Run("Central Admin", func(t *testing.T) {
		closure()
		require.Positive(t, pending())
		_, err := w.g.Dispatch(ctx, "outbox.drain", isg.Actor{User: w.ca}, input)
		require.NoError(t, err)
		assert.Zero(t, pending())
	})
	t.Run("the Go method", func(t *testing.T) {
		closure()
		res, err := w.g.DrainOutbox(ctx, &recorder{}, 10)
		require.NoError(t, err)
		assert.Positive(t, res.Delivered)
		assert.Zero(t, pending())
	})
}

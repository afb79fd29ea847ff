package storagetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
)

// errUndeliverable is what a recorder's failing deliveries return.
var errUndeliverable = errors.New("storagetest: smtp relay refused the message")

// recorder is a Notifier that records what it delivers and fails the deliveries fail picks.
type recorder struct {
	mu        sync.Mutex
	fail      func(n isg.Notification) bool
	delivered []isg.Notification
	failures  int
}

func (r *recorder) Deliver(_ context.Context, n isg.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil && r.fail(n) {
		r.failures++
		return errUndeliverable
	}
	r.delivered = append(r.delivered, n)
	return nil
}

// counts returns how many times each message was delivered.
func (r *recorder) counts() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for _, n := range r.delivered {
		out[n.ID]++
	}
	return out
}

// messages makes 2n pending notifications — n merge requests between organisations of two
// administrators, each telling both — and returns the two administrators.
func (w *world) messages(n int) []isg.UserID {
	w.t.Helper()
	k := w.next()
	a, b := w.user(fmt.Sprintf("north%d@north.gov.uk", k)), w.user(fmt.Sprintf("south%d@south.gov.uk", k))
	for i := range n {
		north, south := w.org(a, fmt.Sprintf("North %d-%d", k, i)), w.org(b, fmt.Sprintf("South %d-%d", k, i))
		_, err := w.g.RequestMerge(w.ctx, isg.Actor{User: a, Org: north}, isg.RequestMergeInput{Merging: []isg.OrgID{south}, Reason: "reorganisation", DisclaimerAcknowledged: true})
		require.NoError(w.t, err)
	}
	return []isg.UserID{a, b}
}

// outbox lists the notifications addressed to users, by ID.
func (w *world) outbox(g *isg.Gateway, users ...isg.UserID) map[string]isg.Notification {
	w.t.Helper()
	out := map[string]isg.Notification{}
	for _, u := range users {
		ns, err := all(g.Notifications(w.ctx, isg.Actor{User: u}, isg.ListPage{}))
		require.NoError(w.t, err)
		for _, n := range ns {
			out[n.ID] = n
		}
	}
	return out
}

// testOutboxAtLeastOnce: NOTE-1. A failed delivery leaves the message pending and leased to the
// drainer that claimed it; once the lease has run out it is delivered; once marked sent it is
// never delivered again, however much later the outbox is drained.
func testOutboxAtLeastOnce(t *testing.T, s isg.Store) {
	w := newWorld(t, s)
	users := w.messages(3)
	pending := w.outbox(w.g, users...)
	require.Len(t, pending, 6)

	r := &recorder{fail: func(isg.Notification) bool { return true }}
	res, err := w.g.DrainOutbox(w.ctx, r, 100)
	require.ErrorIs(t, err, errUndeliverable, "failed deliveries are reported")
	assert.Equal(t, isg.DrainResult{Failed: 6}, res)
	for id, n := range w.outbox(w.g, users...) {
		assert.Equal(t, "pending", n.Status, "message %s stays pending after a failed delivery", id)
		assert.Equal(t, 1, n.Attempts, "message %s", id)
		assert.Equal(t, w.clock.Now().Add(isg.DrainLease), n.LeaseUntil, "message %s is leased", id)
	}

	r.fail = nil
	res, err = w.g.DrainOutbox(w.ctx, r, 100)
	require.NoError(t, err)
	assert.Equal(t, isg.DrainResult{}, res, "leased messages are not claimed again before the lease runs out")
	w.clock.Advance(isg.DrainLease - 1)
	res, err = w.g.DrainOutbox(w.ctx, r, 100)
	require.NoError(t, err)
	assert.Equal(t, isg.DrainResult{}, res, "a nanosecond before the lease runs out")

	w.clock.Advance(1)
	res, err = w.g.DrainOutbox(w.ctx, r, 100)
	require.NoError(t, err)
	assert.Equal(t, isg.DrainResult{Delivered: 6}, res)
	counts := r.counts()
	for id := range pending {
		assert.Equal(t, 1, counts[id], "message %s delivered once", id)
	}
	for _, n := range r.delivered {
		assert.Equal(t, 2, n.Attempts, "message %s was claimed twice", n.ID)
	}
	for id, n := range w.outbox(w.g, users...) {
		assert.Equal(t, "sent", n.Status, "message %s", id)
		assert.Equal(t, w.clock.Now(), n.SentAt, "message %s", id)
		assert.True(t, n.LeaseUntil.IsZero(), "message %s", id)
	}

	w.clock.Advance(10 * isg.DrainLease)
	res, err = w.g.DrainOutbox(w.ctx, r, 100)
	require.NoError(t, err)
	assert.Equal(t, isg.DrainResult{}, res, "a message marked sent is never delivered again")
	assert.Len(t, r.delivered, 6)
}

// drainUntilQuiet runs drainers goroutines over gateways in turn, each draining batch messages at
// a time until a drain finds nothing to claim. Conflicts between drainers (the Gateway retries
// them, and may give up) and failed deliveries are expected; any other error fails the test.
func drainUntilQuiet(t *testing.T, gateways []*isg.Gateway, r *recorder, drainers, batch int) {
	t.Helper()
	var wg sync.WaitGroup
	for i := range drainers {
		g := gateways[i%len(gateways)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10_000 {
				res, err := g.DrainOutbox(context.Background(), r, batch)
				if err != nil && !errors.Is(err, isg.ErrConflict) && !errors.Is(err, errUndeliverable) {
					t.Errorf("drainer %d: %v", i, err)
					return
				}
				if err == nil && res == (isg.DrainResult{}) {
					return
				}
			}
			t.Errorf("drainer %d never ran out of messages", i)
		}()
	}
	wg.Wait()
}

// testCompetingDrainers: several drainers on two Gateways deliver every message exactly once when
// no delivery fails, and every message ends marked sent.
func testCompetingDrainers(t *testing.T, a, b isg.Store) {
	w := newWorld(t, a)
	users := w.messages(12)
	pending := w.outbox(w.g, users...)
	require.Len(t, pending, 24)
	gateways := []*isg.Gateway{w.g, w.gateway(b)}

	r := &recorder{}
	drainUntilQuiet(t, gateways, r, 6, 3)
	counts := r.counts()
	assert.Len(t, counts, len(pending), "every message delivered")
	for id := range pending {
		assert.Equal(t, 1, counts[id], "message %s delivered exactly once", id)
	}
	for id, n := range w.outbox(gateways[1], users...) {
		assert.Equal(t, "sent", n.Status, "message %s", id)
		assert.Equal(t, 1, n.Attempts, "message %s", id)
	}
}

// testFlakyDrainers: with half the first deliveries failing, drainers on two Gateways retry each
// failed message after its lease, in rounds (the clock moves on only between rounds), and in the
// end every message has been delivered successfully exactly once: none is lost, and none is
// delivered again once marked sent.
func testFlakyDrainers(t *testing.T, a, b isg.Store) {
	w := newWorld(t, a)
	users := w.messages(8)
	pending := w.outbox(w.g, users...)
	require.Len(t, pending, 16)
	gateways := []*isg.Gateway{w.gateway(b), w.g}
	flaky := map[string]bool{}
	i := 0
	for id := range pending {
		flaky[id] = i%2 == 0
		i++
	}
	r := &recorder{fail: func(n isg.Notification) bool { return flaky[n.ID] && n.Attempts == 1 }}
	for round := 1; round <= 3; round++ {
		drainUntilQuiet(t, gateways, r, 4, 2)
		w.clock.Advance(isg.DrainLease)
	}
	assert.Equal(t, 8, r.failures, "the first delivery of every flaky message failed")
	counts := r.counts()
	for id := range pending {
		assert.Equal(t, 1, counts[id], "message %s delivered successfully exactly once", id)
	}
	for id, n := range w.outbox(gateways[0], users...) {
		assert.Equal(t, "sent", n.Status, "message %s", id)
		want := 1
		if flaky[id] {
			want = 2
		}
		assert.Equal(t, want, n.Attempts, "message %s", id)
	}
}

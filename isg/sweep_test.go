package isg_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/scenario"
	"github.com/isgkit/gateway/storage/memory"
)

// countingStore counts the records a Gateway reads and writes through units of work.
type countingStore struct {
	isg.Store
	gets, puts, finds atomic.Int64
}

func (c *countingStore) Update(ctx context.Context, fn func(isg.Tx) error) error {
	return c.Store.Update(ctx, func(tx isg.Tx) error { return fn(countingTx{Tx: tx, c: c}) })
}

func (c *countingStore) View(ctx context.Context, fn func(isg.Tx) error) error {
	return c.Store.View(ctx, func(tx isg.Tx) error { return fn(countingTx{Tx: tx, c: c}) })
}

func (c *countingStore) reset() { c.gets.Store(0); c.puts.Store(0); c.finds.Store(0) }

type countingTx struct {
	isg.Tx
	c *countingStore
}

func (t countingTx) Get(ctx context.Context, kind isg.Kind, id string) (isg.Record, error) {
	t.c.gets.Add(1)
	return t.Tx.Get(ctx, kind, id)
}

func (t countingTx) Put(ctx context.Context, rec isg.Record) (int64, error) {
	t.c.puts.Add(1)
	return t.Tx.Put(ctx, rec)
}

func (t countingTx) Find(ctx context.Context, kind isg.Kind, key isg.IndexKey, page isg.Page) ([]isg.Record, error) {
	t.c.finds.Add(1)
	return t.Tx.Find(ctx, kind, key, page)
}

// assuredWorld is n organisations that have each submitted assurance, on a store that counts.
func assuredWorld(t testing.TB, n int, opts ...isg.Option) (*world, *countingStore, *scenario.Clock) {
	t.Helper()
	store := &countingStore{Store: memory.New()}
	clock := newClock()
	g, err := isg.New(store, append([]isg.Option{cheapPasswords, isg.WithClock(clock)}, opts...)...)
	require.NoError(t, err)
	w := &world{t: t, g: g}
	ca, err := g.Bootstrap(ctx, isg.BootstrapInput{Email: "support@isg.nhs.uk", Name: "S", Password: "Support#2026"})
	require.NoError(t, err)
	w.ca = ca.ID
	for i := range n {
		a := w.user(fmt.Sprintf("a%d@org%d.gov.uk", i, i))
		org := w.org(a, fmt.Sprintf("Org %d", i))
		_, err = g.SubmitAssurance(ctx, isg.Actor{User: a, Org: org}, significant())
		require.NoError(t, err)
	}
	return w, store, clock
}

// TestSweepReadsOnlyWhatIsDue: ASR-3, ASR-5 — after its first run the sweep reads only the
// buckets of records falling due and writes nothing when nothing is due, however many
// organisations there are; when the year is up it raises every expiry once and again goes quiet.
func TestSweepReadsOnlyWhatIsDue(t *testing.T) {
	const orgs = 40
	// cursors is the passes' cursors: assurance, flow timers, review notices (LIFE-1…4) and DPIAs.
	const cursors = 4
	w, store, clock := assuredWorld(t, orgs)
	_, err := w.g.Sweep(ctx)
	require.NoError(t, err, "the first sweep, which has no cursor yet")

	for _, step := range []struct {
		advance time.Duration
		writes  int64
	}{
		{0, 0},
		{time.Hour, 0},
		// Into a later day: each pass's cursor record (assurance, flow timers, review notices, DPIAs) moves on, once.
		{30 * 24 * time.Hour, cursors},
		{time.Hour, 0},
	} {
		clock.Advance(step.advance)
		store.reset()
		res, err := w.g.Sweep(ctx)
		require.NoError(t, err)
		assert.Equal(t, 0, res.RatingEvents)
		assert.Equal(t, step.writes, store.puts.Load(), "writes of a sweep with nothing due (after %v)", step.advance)
		assert.LessOrEqual(t, store.gets.Load(), int64(2*cursors), "only the cursors are read (and again as they move on), not %d assurance records", orgs)
	}

	clock.Advance(366 * 24 * time.Hour)
	res, err := w.g.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, orgs, res.RatingEvents, "every submission expired (ASR-3)")

	store.reset()
	res, err = w.g.Sweep(ctx)
	require.NoError(t, err)
	assert.Zero(t, res.RatingEvents, "each expiry is raised once")
	assert.Zero(t, store.puts.Load())
}

// TestSweepCatchesUpAfterAGap: ASR-3 — a host that did not run the sweep for months still gets
// each expiry that fell due meanwhile, exactly once.
func TestSweepCatchesUpAfterAGap(t *testing.T) {
	w, _, clock := assuredWorld(t, 3)
	_, err := w.g.Sweep(ctx)
	require.NoError(t, err)
	clock.Advance(500 * 24 * time.Hour)
	res, err := w.g.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, res.RatingEvents)
	res, err = w.g.Sweep(ctx)
	require.NoError(t, err)
	assert.Zero(t, res.RatingEvents)
}

// TestSweepPurgesTheOutboxAfterRetention: NOTE-1 — with a retention set, the sweep removes
// delivered messages older than it, never pending ones or younger ones; both on its first run
// (which finds messages sent before it kept a cursor) and later, through the day buckets.
func TestSweepPurgesTheOutboxAfterRetention(t *testing.T) {
	const retention = 30 * 24 * time.Hour
	w, _, clock := assuredWorld(t, 0, isg.WithOutboxRetention(retention))
	a := w.user("a@york.gov.uk")
	org := w.org(a, "York")
	me := isg.Actor{User: a, Org: org}
	w.grant(a, org, a, isg.Administrator, isg.SeniorOfficer, isg.IGOfficer)
	before, err := all(w.g.Notifications(ctx, me, isg.ListPage{}))
	require.NoError(t, err)
	require.NotEmpty(t, before)
	deliver := isg.NotifierFunc(func(context.Context, isg.Notification) error { return nil })
	res, err := w.g.DrainOutbox(ctx, deliver, 1000)
	require.NoError(t, err)
	require.Positive(t, res.Delivered)

	// A message still pending when the retention has passed is kept.
	_, err = w.g.Invite(ctx, me, isg.InviteInput{Email: "b@york.gov.uk", Roles: []isg.Role{isg.IGOfficer}})
	require.NoError(t, err)

	clock.Advance(retention - time.Hour)
	swept, err := w.g.Sweep(ctx)
	require.NoError(t, err)
	assert.Zero(t, swept.Purged, "nothing is older than the retention yet")

	clock.Advance(2 * time.Hour)
	swept, err = w.g.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, res.Delivered, swept.Purged)
	after, err := all(w.g.Notifications(ctx, me, isg.ListPage{}))
	require.NoError(t, err)
	assert.Empty(t, after, "the acting user's delivered messages are gone")

	// Later deliveries are found through the buckets the first purge left a cursor for.
	res, err = w.g.DrainOutbox(ctx, deliver, 1000)
	require.NoError(t, err)
	require.Equal(t, 1, res.Delivered, "the invitation")
	clock.Advance(retention + time.Hour)
	swept, err = w.g.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, swept.Purged)
	swept, err = w.g.Sweep(ctx)
	require.NoError(t, err)
	assert.Zero(t, swept.Purged)
}

// TestSweepKeepsTheOutboxWithoutRetention: the default keeps every message.
func TestSweepKeepsTheOutboxWithoutRetention(t *testing.T) {
	w, _, clock := assuredWorld(t, 1)
	_, err := w.g.DrainOutbox(ctx, isg.NotifierFunc(func(context.Context, isg.Notification) error { return nil }), 1000)
	require.NoError(t, err)
	clock.Advance(10 * 365 * 24 * time.Hour)
	res, err := w.g.Sweep(ctx)
	require.NoError(t, err)
	assert.Zero(t, res.Purged)
}

func TestOutboxRetentionMustNotBeNegative(t *testing.T) {
	_, err := isg.New(memory.New(), isg.WithOutboxRetention(-time.Second))
	assert.Error(t, err)
}

// BenchmarkSweepNothingDue: one sweep over organisations whose assurance is all current, after
// the first sweep has left its cursor. It must read and write nothing per organisation.
func BenchmarkSweepNothingDue(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprintf("orgs=%d", n), func(b *testing.B) {
			w, store, _ := assuredWorld(b, n)
			_, err := w.g.Sweep(ctx)
			require.NoError(b, err)
			store.reset()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := w.g.Sweep(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if store.puts.Load() != 0 {
				b.Fatalf("%d writes", store.puts.Load())
			}
			b.ReportMetric(float64(store.gets.Load())/float64(b.N), "gets/op")
		})
	}
}

// Delete forwards isg.Deleter, which every store these tests use offers.
func (t countingTx) Delete(ctx context.Context, kind isg.Kind, id string, version int64) error {
	d, ok := t.Tx.(isg.Deleter)
	if !ok {
		return fmt.Errorf("the wrapped store cannot delete: %w", isg.ErrInvalid)
	}
	t.c.puts.Add(1)
	return d.Delete(ctx, kind, id, version)
}

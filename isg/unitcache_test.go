package isg_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/memory"
)

// getsByKind counts the Gets of each kind in its units of work and passes the Tx's
// isg.VersionReader on, so the Gateway's caches work over it as over the store itself.
type getsByKind struct {
	isg.Store
	mu   sync.Mutex
	gets map[isg.Kind]int
}

func (s *getsByKind) Update(ctx context.Context, fn func(isg.Tx) error) error {
	return s.Store.Update(ctx, func(tx isg.Tx) error { return fn(getsByKindTx{Tx: tx, vr: tx.(isg.VersionReader), s: s}) })
}

func (s *getsByKind) take() map[isg.Kind]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.gets
	s.gets = map[isg.Kind]int{}
	return out
}

type getsByKindTx struct {
	isg.Tx
	vr isg.VersionReader
	s  *getsByKind
}

func (t getsByKindTx) Get(ctx context.Context, kind isg.Kind, id string) (isg.Record, error) {
	t.s.mu.Lock()
	t.s.gets[kind]++
	t.s.mu.Unlock()
	return t.Tx.Get(ctx, kind, id)
}

func (t getsByKindTx) Version(ctx context.Context, kind isg.Kind, id string) (int64, error) {
	return t.vr.Version(ctx, kind, id)
}

// TestReadsAfterAWriteComeFromTheCache: once a unit of work has written, what it reads of records
// it has not written is still served by version from the decoded-record caches — the flow
// command's view reads the summary and both parties' assurance after saving the flow, and loads
// none of them.
func TestReadsAfterAWriteComeFromTheCache(t *testing.T) {
	s := &getsByKind{Store: memory.New(), gets: map[isg.Kind]int{}}
	w := worldOn(t, s)
	a, p := w.user("a@leeds.gov.uk"), w.user("p@police.uk")
	lcc, wyp := w.org(a, "Leeds"), w.org(p, "Police")
	actor := isg.Actor{User: a, Org: lcc}
	sum, err := w.g.SaveSummary(ctx, actor, isg.SummaryInput{SummaryTerms: summaryTerms(lcc, wyp)})
	require.NoError(t, err)
	terms := flowTerms(lcc, wyp)
	f, err := w.g.CreateFlow(ctx, actor, isg.CreateFlowInput{Summary: sum.ID, FlowTerms: terms})
	require.NoError(t, err)
	edit := func(name string) isg.FlowView {
		t.Helper()
		terms.Name = name
		v, err := w.g.EditFlow(ctx, actor, isg.FlowStep[agreement.FlowTerms]{Flow: f.ID, Input: terms})
		require.NoError(t, err)
		return v
	}
	edit("Warm-up") // decodes whatever the commands before left undecoded
	s.take()
	v := edit("Referrals v2")
	gets := s.take()
	assert.Zero(t, gets["summary"], "the view's summary, read after the flow was saved")
	assert.Zero(t, gets["assurance"], "the parties' ratings, read after the flow was saved")
	assert.Zero(t, gets["flow"], "the flow, read before the unit wrote")
	assert.Equal(t, "Referrals v2", v.Name)
	require.Len(t, v.PartyRatings, 2)

}

package isg_test

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/scenario"
	"github.com/isgkit/gateway/storage/memory"
)

// memoryTx is what a memory unit of work offers, so that a wrapper keeps every capability.
type memoryTx interface {
	isg.Tx
	isg.Deleter
	isg.VersionFinder
	isg.EncodedPutter
}

// vouching is a memory store that watches how the Gateway writes: every body it vouches for
// (PutEncoded) must be one JSON value, as the memory store no longer checks those; Put's are
// noted by name.
type vouching struct {
	*memory.Store
	t       testing.TB
	encoded atomic.Int64
	mu      sync.Mutex
	put     map[string]bool // kind "/" ID of every Put
}

func newVouching(t testing.TB) *vouching {
	return &vouching{Store: memory.New(), t: t, put: map[string]bool{}}
}

func (s *vouching) Update(ctx context.Context, fn func(isg.Tx) error) error {
	return s.Store.Update(ctx, func(tx isg.Tx) error { return fn(vouchingTx{tx.(memoryTx), s}) })
}

func (s *vouching) View(ctx context.Context, fn func(isg.Tx) error) error {
	return s.Store.View(ctx, func(tx isg.Tx) error { return fn(vouchingTx{tx.(memoryTx), s}) })
}

type vouchingTx struct {
	memoryTx
	s *vouching
}

func (tx vouchingTx) Put(ctx context.Context, rec isg.Record) (int64, error) {
	tx.s.mu.Lock()
	tx.s.put[string(rec.Kind)+"/"+rec.ID] = true
	tx.s.mu.Unlock()
	return tx.memoryTx.Put(ctx, rec)
}

func (tx vouchingTx) PutEncoded(ctx context.Context, rec isg.Record) (int64, error) {
	if !json.Valid(rec.Body) {
		tx.s.t.Errorf("the Gateway vouched for a body of %s %s that is not JSON: %q", rec.Kind, rec.ID, rec.Body)
	}
	tx.s.encoded.Add(1)
	return tx.memoryTx.PutEncoded(ctx, rec)
}

// TestEveryBodyTheGatewayVouchesForIsJSON runs every scenario file on a store that checks each
// body the Gateway hands to PutEncoded: the memory store keeps those unchecked, so an encoder
// writing anything but JSON would go unseen there until a SQL adapter refused it.
func TestEveryBodyTheGatewayVouchesForIsJSON(t *testing.T) {
	var encoded atomic.Int64
	scenario.RunAll(t, "../testdata/scenarios", func(t *testing.T, opts ...isg.Option) *isg.Gateway {
		s := newVouching(t)
		t.Cleanup(func() { encoded.Add(s.encoded.Load()) })
		g, err := isg.New(s, append([]isg.Option{cheapPasswords}, opts...)...)
		require.NoError(t, err)
		return g
	})
	t.Cleanup(func() { assert.Positive(t, encoded.Load(), "the Gateway writes through PutEncoded") })
}

// TestImportedRecordsGoThroughPutEXIT2: the records of a data return are a host's bytes, not
// the Gateway's encodings, so each is written with Put, which checks that it is JSON.
func TestImportedRecordsGoThroughPutEXIT2(t *testing.T) {
	x := newReturnWorld(t, memory.New(), 2)
	doc, sent := x.export(t)
	s := newVouching(t)
	g2, err := isg.New(s, cheapPasswords)
	require.NoError(t, err)
	s.mu.Lock()
	clear(s.put) // what New wrote is not the document's
	s.mu.Unlock()
	_, err = g2.ImportDataReturn(ctx, bytes.NewReader(doc))
	require.NoError(t, err)
	records := 0
	for _, n := range sent.Counts {
		records += n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	assert.Len(t, s.put, records, "every record of the return, and nothing else, is written with Put")
	for _, f := range x.flows {
		assert.True(t, s.put["flow/"+f.String()], "flow %s", f)
	}
}

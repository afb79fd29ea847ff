package isg

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/licensing"
)

// TestAUnitGivenBackKeepsNothingOfItsCommandButItsBuffer: a unit of work is reused from one
// command to the next, so one given back must hold nothing of the command that used it — no
// after-commit step that could run for another command, no record marked written, no contract
// the gate would count Super Administrators of, no remembered ID text — only its emptied
// encoding buffer, and that only while it is small.
func TestAUnitGivenBackKeepsNothingOfItsCommandButItsBuffer(t *testing.T) {
	g := &Gateway{}
	w := g.takeUnit()
	require.NotNil(t, w.attempt)
	w.ctx, w.fn = context.Background(), func(*uow) error { return nil }
	w.u.reset(g, w.ctx, nil, time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), append(w.u.scratch[:0], `{"a":1}`...))
	w.u.afterCommit(func() { t.Error("a returned unit's after-commit step ran") })
	w.u.markWritten(kindFlow, "f")
	w.u.contract, w.u.group = &licensing.Contract{}, &licensing.Contract{}
	w.u.supportReads = append(w.u.supportReads, supportRead{action: ViewReports})
	w.u.texts.Text(uuid.New())
	buf := w.u.scratch

	g.returnUnit(w)
	assert.Equal(t, uow{scratch: buf[:0]}, w.u, "the unit kept something of its command")
	assert.Nil(t, w.ctx)
	assert.Nil(t, w.fn)
	assert.NotNil(t, w.attempt, "the bound attempt is what reuse saves")
	assert.Equal(t, cap(buf), cap(w.u.scratch), "the buffer was not kept")

	w.u.scratch = make([]byte, 0, scratchCap+1)
	g.returnUnit(w)
	assert.Nil(t, w.u.scratch, "a buffer grown past scratchCap is pinned by the pool")
}

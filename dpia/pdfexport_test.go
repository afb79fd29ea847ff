package dpia_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/isgkit/gateway/dpia"
	"github.com/isgkit/gateway/isg/violation"
)

// TestCheckExport_EXIT2: only an approved DPIA — Approved, or ReviewDue, approved with its
// review date come — is exported; one being written or awaiting approval, a superseded version
// and a closed one are refused with the state rule's code.
func TestCheckExport_EXIT2(t *testing.T) {
	for _, s := range dpia.States() {
		err := dpia.CheckExport(dpia.DPIA{State: s})
		if s == dpia.Approved || s == dpia.ReviewDue {
			assert.NoError(t, err, s)
			continue
		}
		assert.ErrorIs(t, err, violation.ErrInvalidTransition, s)
		assert.Equal(t, dpia.CodeNotExportable, violation.Code(err), s)
	}
}

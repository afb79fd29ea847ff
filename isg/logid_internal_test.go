package isg

import (
	"fmt"
	"math"
	"testing"

	"github.com/google/uuid"
)

// TestLogEntryIDLayout: the store IDs of log entries keep the layout stored data already has
// (subject, a slash, the sequence zero-padded to 20 digits), so entries written before and
// after read in one order and imports of earlier data returns still match their IDs.
func TestLogEntryIDLayout(t *testing.T) {
	subject := uuid.MustParse("0190a3c4-7b2e-7cc1-9f00-00000000abcd")
	for _, seq := range []int64{0, 1, 9, 10, 42, 99_999, 1 << 40, math.MaxInt64} {
		if got, want := logEntryID(subject, seq), fmt.Sprintf("%s/%020d", subject, seq); got != want {
			t.Errorf("seq %d: %q, want %q", seq, got, want)
		}
	}
}

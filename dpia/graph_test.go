package dpia_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/dpia"
)

const goldenDOT = "../testdata/dpia/dpia_states.dot"

// TestDPIAGraphGolden fails when the lifecycle changes without its golden diagram. Run
// `go test ./dpia -run Golden -update` and re-render docs/dpia-states.svg
// (`dot -Tsvg testdata/dpia/dpia_states.dot -o docs/dpia-states.svg`) when the change is meant.
// The diagram shows DPIA-6's, DPIA-7's and DPIA-9's guards on approve, DPIA-10's revise.
func TestDPIAGraphGolden(t *testing.T) {
	got := dpia.NewMachine().ToGraph()
	if *update {
		require.NoError(t, os.WriteFile(goldenDOT, []byte(got), 0o644))
	}
	want, err := os.ReadFile(goldenDOT)
	require.NoError(t, err, "missing golden file; run with -update")
	// stateless leaves lines of equal trigger names in map order: compare the sets of lines.
	assert.Equal(t, sortedLines(string(want)), sortedLines(got), "DPIA lifecycle changed; run with -update")
	for _, s := range dpia.States() {
		assert.Contains(t, got, string(s))
	}
	for _, g := range []string{"noUnconsultedRedRisk", "sectionsEvaluated", "dpoOpinionGiven", "completesApproval", "contributorRevises"} {
		assert.Contains(t, got, g, "named guards appear in the diagram")
	}
}

func sortedLines(s string) []string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	slices.Sort(l)
	return l
}

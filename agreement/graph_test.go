package agreement_test

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/agreement")

const goldenDOT = "../testdata/agreement/flow_states.dot"

// TestFlowGraphGolden fails when the lifecycle changes without its golden diagram (FLOW-2: the
// machine is exported as a diagram). Run `go test ./agreement -run Golden -update` and re-render
// docs/flow-states.svg (see testdata/agreement/README) when the change is meant.
func TestFlowGraphGolden(t *testing.T) {
	got := agreement.NewFlowMachine().ToGraph()
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(goldenDOT), 0o755))
		require.NoError(t, os.WriteFile(goldenDOT, []byte(got), 0o644))
	}
	want, err := os.ReadFile(goldenDOT)
	require.NoError(t, err, "missing golden file; run with -update")
	// stateless orders the lines of one state by trigger name but leaves equal names in map
	// order, so compare the sets of lines, which is what the diagram means.
	assert.Equal(t, sortedLines(string(want)), sortedLines(got), "flow lifecycle changed; run with -update")
	for _, s := range agreement.FlowStates() {
		assert.Contains(t, got, string(s), "every state is in the diagram")
	}
}

func sortedLines(s string) []string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	slices.Sort(l)
	return l
}

// TestGraphIsStable: two machines draw the same picture, so the golden file can be compared.
func TestGraphIsStable(t *testing.T) {
	a, b := agreement.NewFlowMachine().ToGraph(), agreement.NewFlowMachine().ToGraph()
	assert.Equal(t, sortedLines(a), sortedLines(b))
}

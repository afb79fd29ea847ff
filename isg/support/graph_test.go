package support_test

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg/support"
)

var update = flag.Bool("update", false, "rewrite the golden diagrams under testdata/machines")

// TestLifecycleGraphsGolden fails when a lifecycle changes without its golden diagram (SUP-1,
// SUP-3). Run `go test ./isg/support -run Golden -update` when the change is meant, and render
// the pictures again: `dot -Tsvg testdata/machines/support_request.dot -o
// docs/support-request-states.svg` (and resource.dot to docs/resource-states.svg).
func TestLifecycleGraphsGolden(t *testing.T) {
	for name, got := range map[string]string{
		"support_request": support.NewMachine().Graph(),
		"resource":        support.NewLibrary().Graph(),
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("..", "..", "testdata", "machines", name+".dot")
			if *update {
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "missing golden file; run with -update")
			assert.Equal(t, sortedLines(string(want)), sortedLines(got), "the lifecycle changed; run with -update")
		})
	}
	for _, s := range support.States() {
		assert.Contains(t, support.NewMachine().Graph(), string(s), "every state is in the diagram")
	}
}

func sortedLines(s string) []string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	slices.Sort(l)
	return l
}

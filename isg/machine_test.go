package isg_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestLifecycleDiagramsMatchGolden fails when a state machine changes without its committed
// diagram (testdata/machines/*.dot); run with -update to rewrite them.
func TestLifecycleDiagramsMatchGolden(t *testing.T) {
	g := newGateway(t)
	for name, dot := range g.Lifecycles() {
		path := filepath.Join("..", "testdata", "machines", name+".dot")
		if *update {
			require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
			require.NoError(t, os.WriteFile(path, []byte(dot), 0o644))
			continue
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err, "run go test ./isg -run TestLifecycleDiagrams -update")
		assert.Equal(t, string(want), dot, name)
	}
}

package jsongen_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/internal/jsongen"
	"github.com/isgkit/gateway/internal/jsongen/internal/sample"
	"github.com/isgkit/gateway/isg/txlog"
)

var update = flag.Bool("update", false, "rewrite the generated encoders")

const command = "go test ./internal/jsongen -run TestGeneratedEncodersAreCurrent -update"

// generated are the files of generated encoders the module commits, by path from this package.
var generated = []struct {
	path string
	cfg  jsongen.Config
}{
	{"../../agreement/json_gen.go", jsongen.Config{PkgPath: "github.com/isgkit/gateway/agreement", Command: command,
		Roots: []reflect.Type{reflect.TypeFor[agreement.Flow](), reflect.TypeFor[agreement.Summary]()}}},
	{"../../isg/txlog/json_gen.go", jsongen.Config{PkgPath: "github.com/isgkit/gateway/isg/txlog", Command: command,
		Roots: []reflect.Type{reflect.TypeFor[txlog.Entry](), reflect.TypeFor[txlog.Head]()}}},
	{"internal/sample/json_gen.go", jsongen.Config{PkgPath: "github.com/isgkit/gateway/internal/jsongen/internal/sample", Command: command,
		Roots: []reflect.Type{reflect.TypeFor[sample.Record]()}}},
}

// TestGeneratedEncodersAreCurrent regenerates every committed file of encoders and fails if one
// differs: a stored type changed without its encoder. Run with -update to rewrite them.
func TestGeneratedEncodersAreCurrent(t *testing.T) {
	for _, g := range generated {
		got, err := jsongen.Generate(g.cfg)
		require.NoError(t, err, g.path)
		path := filepath.FromSlash(g.path)
		if *update {
			require.NoError(t, os.WriteFile(path, got, 0o644))
			continue
		}
		old, err := os.ReadFile(path)
		require.NoError(t, err, "%s is missing: %s", path, command)
		assert.True(t, bytes.Equal(old, got), "%s is stale: %s", path, command)
	}
}

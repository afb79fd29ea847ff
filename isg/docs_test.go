package isg_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
)

// TestScenarioDocsListEveryCommandAndCode keeps docs/scenarios.md complete: every command the
// Gateway dispatches and every error code the module's source raises must be documented there.
func TestScenarioDocsListEveryCommandAndCode(t *testing.T) {
	doc, err := os.ReadFile("../docs/scenarios.md")
	require.NoError(t, err)
	text := string(doc)
	for _, name := range isg.CommandNames() {
		assert.True(t, strings.Contains(text, "`"+name+"`"), "command %s is not documented", name)
	}
	codeRE := regexp.MustCompile(`Code[A-Za-z]*:? +=? *"([a-z_]+\.[a-z_.]+)"`)
	for _, dir := range []string{".", "directory", "../assurance", "../licensing", "../agreement", "../dpia"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			require.NoError(t, err)
			for _, m := range codeRE.FindAllStringSubmatch(string(src), -1) {
				assert.True(t, strings.Contains(text, "`"+m[1]+"`"), "error code %s (%s) is not documented", m[1], f)
			}
		}
	}
}

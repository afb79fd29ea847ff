package isg_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fieldCodePatterns find every field error code the module's source can return: FieldCode
// constants, Code fields of FieldError literals, the codes of violation.Field and fieldErr, and
// the validator tags of `validate` struct tags (a tag's name is its field code).
var fieldCodePatterns = []*regexp.Regexp{
	regexp.MustCompile(`FieldCode[A-Za-z0-9]*\s*=\s*"([a-z_0-9]+)"`),
	regexp.MustCompile(`FieldError\{[^}]*?Code:\s*"([a-z_0-9]+)"`),
	regexp.MustCompile(`violation\.Field\("[^"]*",\s*"([a-z_0-9]+)"`),
	regexp.MustCompile(`fieldErr\([^,]+,\s*"([a-z_0-9]+)"`),
}

var validateTag = regexp.MustCompile("validate:\"([^\"]*)\"")

// TestScenarioDocsListEveryFieldCode: every field code a command can return (in fields[].code)
// is documented in docs/scenarios.md, as every error code is; found by scanning the source, so
// a new code cannot go undocumented (issue 10: art6_required was not).
func TestScenarioDocsListEveryFieldCode(t *testing.T) {
	doc, err := os.ReadFile("../docs/scenarios.md")
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(doc), "Field error codes")
	require.True(t, ok, "docs/scenarios.md has a field error codes section")
	found := map[string]string{}
	for _, dir := range []string{".", "./directory", "./support", "../assurance", "../licensing", "../agreement", "../dpia", "../internal/validate"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			require.NoError(t, err)
			for _, re := range fieldCodePatterns {
				for _, m := range re.FindAllStringSubmatch(string(src), -1) {
					found[m[1]] = f
				}
			}
			for _, m := range validateTag.FindAllStringSubmatch(string(src), -1) {
				for _, part := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ',' || r == '|' }) {
					name, _, _ := strings.Cut(part, "=")
					switch name {
					case "omitempty", "omitzero", "omitnil", "dive", "keys", "endkeys", "-", "required_if", "required_with", "required_without", "required_unless":
						if !strings.HasPrefix(name, "required_") {
							continue
						}
					}
					found[name] = f
				}
			}
		}
	}
	require.Greater(t, len(found), 20, "the scan finds the module's field codes")
	for code, f := range found {
		assert.Contains(t, section, "`"+code+"`", "field code %s (%s) is not documented in docs/scenarios.md", code, f)
	}
}

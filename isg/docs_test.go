package isg_test

import (
	"go/ast"
	"go/parser"
	"go/token"
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
	for _, dir := range []string{".", "./directory", "./support", "../assurance", "../licensing", "../agreement", "../dpia"} {
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

// TestEveryGatewayMethodDocumentsItsErrors: every exported Gateway method that can fail says in
// its doc which errors it returns, in a paragraph starting "Errors".
func TestEveryGatewayMethodDocumentsItsErrors(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		require.NoError(t, err)
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || !fd.Name.IsExported() || !returnsError(fd) {
				continue
			}
			star, ok := fd.Recv.List[0].Type.(*ast.StarExpr)
			if !ok {
				continue
			}
			if id, isIdent := star.X.(*ast.Ident); !isIdent || id.Name != "Gateway" {
				continue
			}
			checked++
			assert.True(t, fd.Doc != nil && errorsParagraph.MatchString(fd.Doc.Text()), "Gateway.%s (%s) does not document its errors", fd.Name.Name, name)
		}
	}
	assert.Greater(t, checked, 70, "the Gateway's methods were found")
}

// errorsParagraph is the start of a doc paragraph listing a method's errors.
var errorsParagraph = regexp.MustCompile(`(?m)^Errors\b`)

func returnsError(fd *ast.FuncDecl) bool {
	if fd.Type.Results == nil {
		return false
	}
	for _, r := range fd.Type.Results.List {
		if id, ok := r.Type.(*ast.Ident); ok && id.Name == "error" {
			return true
		}
	}
	return false
}

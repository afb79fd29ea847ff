package scenario_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/scenario"
	"github.com/isgkit/gateway/storage/memory"
)

// The schema is docs/scenario.schema.json: other platforms check the scenario files they write
// against it without running Go, so it must accept what scenario.Load accepts and refuse what
// Load refuses. These tests hold it to that.
const schemaPath = "../../docs/scenario.schema.json"

var updateSchema = flag.Bool("update", false, "rewrite the command lists of docs/scenario.schema.json from isg.Commands()")

// compileSchema compiles the schema with formats asserted (2020-12 treats "format" as an
// annotation unless asked), as the schema's description says it is meant to be used.
func compileSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaPath)
	require.NoError(t, err)
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	require.NoError(t, c.AddResource("scenario.schema.json", doc))
	sch, err := c.Compile("scenario.schema.json")
	require.NoError(t, err, "the schema compiles as JSON Schema 2020-12")
	return sch
}

func validate(sch *jsonschema.Schema, body []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

// TestSchemaAcceptsEveryScenarioFile: every published file (and every file of ISG_SCENARIOS)
// passes the schema, and Load, so the schema refuses nothing the runner runs.
func TestSchemaAcceptsEveryScenarioFile(t *testing.T) {
	sch := compileSchema(t)
	paths, err := filepath.Glob("../../testdata/scenarios/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	if extra := os.Getenv(scenario.EnvDir); extra != "" {
		more, err := filepath.Glob(filepath.Join(extra, "*.json"))
		require.NoError(t, err)
		paths = append(paths, more...)
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			body, err := os.ReadFile(p)
			require.NoError(t, err)
			_, err = scenario.Load(p)
			require.NoError(t, err)
			assert.NoError(t, validate(sch, body))
		})
	}
	for name, body := range acceptedFiles {
		t.Run(name, func(t *testing.T) { assert.NoError(t, validate(sch, []byte(body))) })
	}
}

// onlyAtRun are the refusals of Load that need more than a file's shape: the command's result
// type, or the scenario's time after the steps before.
var onlyAtRun = map[string]string{
	"null check on a misspelt path":        "a path checked against the command's Go result type",
	"null check on a misspelt nested path": "a path checked against the command's Go result type",
	"save from a misspelt path":            "a path checked against the command's Go result type",
	"clock moved back silently":            "needs the time the steps before set",
	"clock moved back after an advance":    "needs the time the steps before set",
}

// moreRefusedFiles are refusals the schema must share beyond the runner's own table.
var moreRefusedFiles = []struct{ name, body string }{
	{"no name", `{"start": "2026-01-01T00:00:00Z", "steps": [{"advance": "1h"}]}`},
	{"no steps", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": []}`},
	{"a start that is no time", `{"name": "x", "start": "Monday", "steps": [{"advance": "1h"}]}`},
	{"a clock that is no time", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"clock": "2026-13-01T00:00:00Z"}]}`},
	{"a bad advance on a clock-only step", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"advance": "3 days"}]}`},
	{"days that are not whole", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"advance": "1.5d"}]}`},
	{"negative days", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"advance": "-2d"}]}`},
	{"an unknown field in expect", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"command": "mou.current", "expect": {"ok": true, "because": "x"}}]}`},
	{"an unknown field in as", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"as": {"user": "$a", "role": "x"}, "command": "org.members", "expect": {"ok": true}}]}`},
	{"ok false and no error", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"command": "mou.current", "expect": {"ok": false}}]}`},
	{"an empty expect", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"command": "mou.current", "expect": {}}]}`},
	{"exact_fields on ok", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"command": "mou.current", "expect": {"ok": true, "exact_fields": true}}]}`},
	{"clock-only step with save", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"advance": "1h", "save": {"a": "b"}}]}`},
	{"a save path that is no string", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"command": "mou.current", "expect": {"ok": true}, "save": {"v": 1}}]}`},
}

// TestSchemaRefusesWhatLoadRefuses: each file Load refuses — the runner's own table of refusals
// included, so a refusal added to the runner is checked here too — is refused by the schema,
// unless the refusal needs the run's knowledge (onlyAtRun, each kept honest: Load refuses it).
func TestSchemaRefusesWhatLoadRefuses(t *testing.T) {
	sch := compileSchema(t)
	type refused struct{ name, body string }
	var all []refused
	for _, f := range refusedFiles {
		all = append(all, refused{f.name, f.body})
	}
	for _, f := range moreRefusedFiles {
		all = append(all, refused{f.name, f.body})
	}
	for _, f := range all {
		t.Run(f.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.json")
			require.NoError(t, os.WriteFile(path, []byte(f.body), 0o644))
			_, err := scenario.Load(path)
			require.Error(t, err, "Load refuses it")
			if why, ok := onlyAtRun[f.name]; ok {
				assert.NoError(t, validate(sch, []byte(f.body)), "the schema cannot tell: %s", why)
				return
			}
			assert.Error(t, validate(sch, []byte(f.body)), "the schema refuses it too")
		})
	}
}

// TestSchemaIsStricterOnlyWhereTheRunWouldFail: the schema refuses a few shapes Load lets through
// that cannot run well anyway — an actor with no user (refused at the step), keys in another case
// (Go's decoder folds case; other platforms' need not), an empty advance (read as none), an
// input that is no object (refused when the step runs) — and
// nothing else; TestSchemaAgreesWithLoad checks the rest.
func TestSchemaIsStricterOnlyWhereTheRunWouldFail(t *testing.T) {
	sch := compileSchema(t)
	for name, body := range map[string]string{
		"an actor with no user":      `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"as": {"org": "$o"}, "command": "org.members", "expect": {"ok": true}}]}`,
		"a key in upper case":        `{"Name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"advance": "1h"}]}`,
		"an input that is no object": `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"command": "mou.current", "input": "x", "expect": {"ok": true}}]}`,
		"an empty advance":           `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"advance": "", "command": "mou.current", "expect": {"ok": true}}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.json")
			require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
			_, err := scenario.Load(path)
			require.NoError(t, err, "Load lets it through")
			assert.Error(t, validate(sch, []byte(body)))
		})
	}
}

// TestSchemaAgreesWithLoad: on random one-step files built from the parts of the format, right
// and wrong, the schema and the runner give the same verdict: Load's, and for the step's input
// Dispatch's decoding of it (which the schema checks before the run).
func TestSchemaAgreesWithLoad(t *testing.T) {
	sch := compileSchema(t)
	dir := t.TempDir()
	g, err := isg.New(memory.New())
	require.NoError(t, err)
	opt := func(t *rapid.T, name string, values ...string) string {
		v := rapid.SampledFrom(append([]string{""}, values...)).Draw(t, name)
		if v == "" {
			return ""
		}
		return fmt.Sprintf("%q: %s", name, v)
	}
	rapid.Check(t, func(t *rapid.T) {
		parts := []string{
			opt(t, "name", `"a step"`),
			opt(t, "clock", `"2026-01-02T00:00:00Z"`, `"2026-01-02T00:00:00.5+01:00"`, `"tomorrow"`),
			opt(t, "advance", `"1h"`, `"1h30m"`, `"2d"`, `"0"`, `"-1h"`, `"soon"`, `"1.5h"`, `"10"`),
			opt(t, "backwards", `true`, `false`),
			opt(t, "as", `{"user": "$u"}`, `{"user": "$u", "org": "$o"}`),
			// mou.current takes no actor; org.members does and lists; the third is no command.
			opt(t, "command", `"mou.current"`, `"org.members"`, `"mou.sing"`),
			// org.members takes a limit, mou.current no input at all.
			opt(t, "input", `{}`, `{"limit": 1}`, `{"limt": 1}`),
			opt(t, "expect", `{"ok": true}`, `{"ok": true, "rule": "R-1"}`, `{"ok": true, "fields": []}`, `{"error": "x"}`,
				`{"error": "x", "rule": "R-1", "fields": ["a"], "exact_fields": true}`, `{"error": "x", "exact_fields": true}`,
				`{"ok": false, "error": "x"}`, `{"ok": true, "error": "x"}`, `{"ok": false}`, `{}`, `{"error": ""}`, `{"ok": true, "error": ""}`),
			opt(t, "save", `{}`, `{"v": "."}`),
			opt(t, "check", `{}`, `{".": 1}`),
		}
		parts = slices.DeleteFunc(parts, func(s string) bool { return s == "" })
		body := `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{` + strings.Join(parts, ", ") + `}]}`
		path := filepath.Join(dir, "s.json")
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		f, loadErr := scenario.Load(path)
		if loadErr == nil && f.Steps[0].Command != "" {
			if _, err := g.Dispatch(context.Background(), f.Steps[0].Command, isg.Actor{}, f.Steps[0].Input); isg.ErrorCode(err) == isg.CodeCommandBadInput {
				loadErr = err
			}
		}
		schemaErr := validate(sch, []byte(body))
		if (loadErr == nil) != (schemaErr == nil) {
			t.Fatalf("%s\nLoad: %v\nschema: %v", body, loadErr, schemaErr)
		}
	})
}

// TestSchemaCommandListsFollowTheDeclarations: the schema's command names are isg.Commands(), its
// commands without an actor those of reach "anyone", and its input fields of each command those
// of the command's Go input type as JSON spells them, so a file naming a command this
// implementation lacks, or misspelling an input field, is refused before it runs. After adding
// commands or input fields:
//
//	go test ./isg/scenario -run TestSchemaCommandListsFollowTheDeclarations -update
func TestSchemaCommandListsFollowTheDeclarations(t *testing.T) {
	var all, noActor []string
	var inputs []string
	for _, c := range isg.Commands() {
		all = append(all, c.Name)
		if c.Reach == "anyone" {
			noActor = append(noActor, c.Name)
		}
		names := inputFields(c.Input)
		then := `{"maxProperties": 0}`
		if len(names) > 0 {
			then = `{"propertyNames": {"enum": ` + jsonList(t, names) + `}}`
		}
		inputs = append(inputs, `        {"if": {"properties": {"command": {"const": "`+c.Name+`"}}, "required": ["command"]}, "then": {"properties": {"input": `+then+`}}}`)
	}
	slices.Sort(all)
	slices.Sort(noActor)
	slices.Sort(inputs)
	want := map[string]string{"every command": jsonList(t, all), "reach anyone": jsonList(t, noActor),
		"input fields": "[\n" + strings.Join(inputs, ",\n") + "\n      ]"}
	body, err := os.ReadFile(schemaPath)
	require.NoError(t, err)
	re := regexp.MustCompile(`("\$comment": "generated from isg\.Commands\(\): ([^"]+)",\s*"(?:enum|allOf)": )(\[[^\]\n]*\]|\[\n(?:\s*\{.*\},?\n)*\s*\])`)
	found := 0
	out := re.ReplaceAllFunc(body, func(m []byte) []byte {
		found++
		sub := re.FindSubmatch(m)
		list, ok := want[string(sub[2])]
		require.True(t, ok, "unknown generated list %q", sub[2])
		return append(append([]byte{}, sub[1]...), list...)
	})
	require.Equal(t, len(want), found, "the schema keeps every generated list")
	if *updateSchema {
		require.NoError(t, os.WriteFile(schemaPath, out, 0o644))
		return
	}
	assert.Equal(t, string(out), string(body), "docs/scenario.schema.json is stale: run with -update")
}

func jsonList(t testing.TB, names []string) string {
	enc, err := json.Marshal(names)
	require.NoError(t, err)
	return string(bytes.ReplaceAll(enc, []byte(`","`), []byte(`", "`)))
}

// inputFields lists the JSON names of a command's input type, with the fields of embedded structs
// promoted as encoding/json promotes them, sorted.
func inputFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				out = append(out, inputFields(ft)...)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestSchemaInputFieldsAreWhatDispatchDecodes holds the generated input lists to Gateway.Dispatch
// itself, for every command: an input naming each listed field (as null) decodes, and one with a
// field not listed is refused by Dispatch (command.bad_input) and by the schema alike.
func TestSchemaInputFieldsAreWhatDispatchDecodes(t *testing.T) {
	sch := compileSchema(t)
	g, err := isg.New(memory.New(), isg.WithPasswordParams(isg.PasswordParams{Time: 1, Memory: 64, Threads: 1}))
	require.NoError(t, err)
	ctx := context.Background()
	for _, c := range isg.Commands() {
		t.Run(c.Name, func(t *testing.T) {
			every := map[string]any{}
			for _, n := range inputFields(c.Input) {
				every[n] = nil
			}
			in, err := json.Marshal(every)
			require.NoError(t, err)
			_, err = g.Dispatch(ctx, c.Name, isg.Actor{}, in)
			assert.NotEqual(t, isg.CodeCommandBadInput, isg.ErrorCode(err), "every listed field decodes: %v", err)
			file := func(input string) []byte {
				return []byte(`{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"command": "` + c.Name + `", "input": ` + input + `, "expect": {"error": "x"}}]}`)
			}
			assert.NoError(t, validate(sch, file(string(in))))

			_, err = g.Dispatch(ctx, c.Name, isg.Actor{}, json.RawMessage(`{"no_such_field": 1}`))
			assert.Equal(t, isg.CodeCommandBadInput, isg.ErrorCode(err))
			assert.Error(t, validate(sch, file(`{"no_such_field": 1}`)))
		})
	}
}

// TestSchemaFieldsFollowTheGoTypes walks the Go types Load decodes (File, and through its fields
// Step, Actor and Expect) by reflection, beside the schema's objects: each JSON field of a type
// is a property of its schema and each property a field, and every object refuses other keys as
// Load does (DisallowUnknownFields). A field added to the runner without the schema fails here.
func TestSchemaFieldsFollowTheGoTypes(t *testing.T) {
	body, err := os.ReadFile(schemaPath)
	require.NoError(t, err)
	var root map[string]any
	require.NoError(t, json.Unmarshal(body, &root))
	defs, _ := root["$defs"].(map[string]any)
	resolve := func(s map[string]any) map[string]any {
		for {
			ref, ok := s["$ref"].(string)
			if !ok {
				return s
			}
			name, ok := strings.CutPrefix(ref, "#/$defs/")
			require.True(t, ok, "a local $ref: %s", ref)
			s, ok = defs[name].(map[string]any)
			require.True(t, ok, "$ref %s resolves", ref)
		}
	}
	scenarioPkg := reflect.TypeFor[scenario.File]().PkgPath()
	seen := map[reflect.Type]bool{}
	var walk func(typ reflect.Type, s map[string]any, where string)
	walk = func(typ reflect.Type, s map[string]any, where string) {
		seen[typ] = true
		s = resolve(s)
		assert.Equal(t, false, s["additionalProperties"], "%s (%s) refuses unknown keys", where, typ)
		props, _ := s["properties"].(map[string]any)
		var fields []string
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			require.NotEmpty(t, name, "%s.%s has a json name", typ, f.Name)
			fields = append(fields, name)
			ps, ok := props[name].(map[string]any)
			if !assert.True(t, ok, "%s: the schema has no property %q for %s.%s", where, name, typ, f.Name) {
				continue
			}
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct {
				ft = ft.Elem()
				ps = resolve(ps)
				ps, _ = ps["items"].(map[string]any)
				require.NotNil(t, ps, "%s.%s: a list of objects has items", where, name)
			}
			if ft.Kind() == reflect.Struct && ft.PkgPath() == scenarioPkg {
				walk(ft, ps, where+"."+name)
			}
		}
		for name := range props {
			assert.Contains(t, fields, name, "%s: the schema's property %q is no field of %s", where, name, typ)
		}
	}
	walk(reflect.TypeFor[scenario.File](), root, "file")
	for _, typ := range []reflect.Type{reflect.TypeFor[scenario.Step](), reflect.TypeFor[scenario.Actor](), reflect.TypeFor[scenario.Expect]()} {
		assert.True(t, seen[typ], "the walk reached %s", typ)
	}
}

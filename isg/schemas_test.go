package isg_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/assurance"
	"github.com/isgkit/gateway/internal/schemagen"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/directory"
	"github.com/isgkit/gateway/storage/memory"
	"github.com/isgkit/gateway/storage/storagetest"
)

const schemaDir = "../docs/schemas"

// customSchemas are the shapes of the types that encode themselves (MarshalJSON), as their code
// writes them; schemagen refuses a type with a MarshalJSON it is not told about.
var customSchemas = map[reflect.Type]schemagen.Schema{
	// A role set is the list of its role codes (directory.RoleSet.MarshalJSON).
	reflect.TypeFor[directory.RoleSet](): {"type": "array", "items": schemagen.Schema{"type": "string"}},
	// Criteria are a list of codes; an empty set is [] (assurance.Criteria.MarshalJSON).
	reflect.TypeFor[assurance.Criteria](): {"type": "array", "items": schemagen.Schema{"type": "string"}},
	// A rating is {"level", "colour", "missing"} (assurance.Rating.MarshalJSON).
	reflect.TypeFor[assurance.Rating](): {
		"type": "object", "additionalProperties": false, "required": []string{"level", "missing"},
		"properties": schemagen.Schema{
			"level":   schemagen.Schema{"type": "string"},
			"colour":  schemagen.Schema{"type": "string"},
			"missing": schemagen.Schema{"type": "array", "items": schemagen.Schema{"type": "string"}},
		},
	},
	// A decimal (a licence price) is its decimal text in a JSON string.
	reflect.TypeFor[decimal.Decimal](): {"type": "string", "pattern": `^-?[0-9]+(\.[0-9]+)?$`},
}

func schemaOf(t *testing.T, k isg.RecordKind) []byte {
	t.Helper()
	b, err := schemagen.Generate(k.Sample, schemagen.Options{
		ID:          "https://github.com/isgkit/gateway/docs/schemas/" + string(k.Kind) + ".schema.json",
		Title:       "isg record kind " + string(k.Kind),
		Description: "The body of a record of kind " + string(k.Kind) + ": " + k.Doc + ". Generated from the Go type by isg/schemas_test.go; do not edit.",
		Custom:      customSchemas,
	})
	require.NoError(t, err, "kind %s", k.Kind)
	return b
}

// TestRecordSchemasAreCurrent checks docs/schemas holds, for every kind isg.RecordKinds lists
// and no other, the JSON Schema generated from its Go type. Run with -update to rewrite them
// after a change of a stored type.
func TestRecordSchemasAreCurrent(t *testing.T) {
	kinds := isg.RecordKinds()
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k.Kind)
	}
	require.True(t, slices.IsSorted(names), "RecordKinds is in name order")
	require.Len(t, slices.Compact(slices.Clone(names)), len(names), "each kind once")
	if *update {
		require.NoError(t, os.MkdirAll(schemaDir, 0o755))
	}
	want := map[string]bool{}
	for _, k := range kinds {
		file := string(k.Kind) + ".schema.json"
		want[file] = true
		got := schemaOf(t, k)
		path := filepath.Join(schemaDir, file)
		if *update {
			require.NoError(t, os.WriteFile(path, got, 0o644))
			continue
		}
		old, err := os.ReadFile(path)
		require.NoError(t, err, "%s is missing: go test ./isg -run TestRecordSchemasAreCurrent -update", path)
		assert.True(t, bytes.Equal(old, got), "%s is stale: go test ./isg -run TestRecordSchemasAreCurrent -update", path)
	}
	files, err := filepath.Glob(filepath.Join(schemaDir, "*.schema.json"))
	require.NoError(t, err)
	for _, f := range files {
		if !want[filepath.Base(f)] {
			if *update {
				require.NoError(t, os.Remove(f))
				continue
			}
			t.Errorf("%s describes no kind RecordKinds lists", f)
		}
	}
}

// TestStoredRecordsMatchSchemas runs every scenario file through a Gateway and validates every
// record it stored against its kind's published schema (draft 2020-12), so a schema that drifts
// from the encoding — a field renamed, added, or of another shape — fails, as does a kind stored
// that RecordKinds does not list.
func TestStoredRecordsMatchSchemas(t *testing.T) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	schemas := map[isg.Kind]*jsonschema.Schema{}
	for _, k := range isg.RecordKinds() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaOf(t, k)))
		require.NoError(t, err)
		url := "https://github.com/isgkit/gateway/docs/schemas/" + string(k.Kind) + ".schema.json"
		require.NoError(t, c.AddResource(url, doc))
		s, err := c.Compile(url)
		require.NoError(t, err, "schema of %s", k.Kind)
		schemas[k.Kind] = s
	}
	files, err := filepath.Glob("../testdata/scenarios/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	validated := map[isg.Kind]int{}
	var lastFlow string
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			rec := storagetest.NewRecording(memory.New())
			storagetest.Populate(t, rec, f)
			for _, r := range rec.Records() {
				s, ok := schemas[r.Kind]
				require.True(t, ok, "kind %s is stored but RecordKinds does not list it", r.Kind)
				v, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.Body))
				require.NoError(t, err)
				if err := s.Validate(v); err != nil {
					t.Errorf("%s %s does not match %s.schema.json: %v\n%s", r.Kind, r.ID, r.Kind, err, r.Body)
				}
				validated[r.Kind]++
				if r.Kind == "flow" {
					lastFlow = string(r.Body)
				}
			}
		})
	}
	t.Logf("validated by kind: %v", validated)

	// The schemas are strict enough to catch drift: a flow with a field its type lacks, without
	// a field always written, or with a field of another shape, is refused.
	require.NotEmpty(t, lastFlow)
	for name, change := range map[string]func(map[string]any){
		"an unknown field":        func(m map[string]any) { m["unknown"] = 1 },
		"no state":                func(m map[string]any) { delete(m, "state") },
		"parties that are text":   func(m map[string]any) { m["parties"] = "not a list" },
		"a revision that is text": func(m map[string]any) { m["rev"] = "1" },
	} {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(lastFlow), &m))
		change(m)
		b, err := json.Marshal(m)
		require.NoError(t, err)
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		require.NoError(t, err)
		assert.Error(t, schemas["flow"].Validate(v), "a flow with %s must not validate", name)
	}
	// The scenario files reach most kinds; those they do not are checked by the decoding test.
	assert.GreaterOrEqual(t, len(validated), 20, "kinds the scenarios stored: %v", validated)
}

// TestZeroRecordsMatchSchemas checks each listed kind's zero value encodes to JSON its own
// schema accepts: every kind, including those no scenario file stores, meets its schema with
// every optional field absent and every slice null.
func TestZeroRecordsMatchSchemas(t *testing.T) {
	c := jsonschema.NewCompiler()
	for _, k := range isg.RecordKinds() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaOf(t, k)))
		require.NoError(t, err)
		url := "mem://" + string(k.Kind)
		require.NoError(t, c.AddResource(url, doc))
		s, err := c.Compile(url)
		require.NoError(t, err)
		b, err := json.Marshal(k.Sample)
		require.NoError(t, err)
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		require.NoError(t, err)
		assert.NoError(t, s.Validate(v), "the zero %s against its schema: %s", k.Kind, b)
	}
}

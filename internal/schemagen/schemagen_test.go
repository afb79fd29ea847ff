package schemagen_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/internal/schemagen"
)

type ID struct{ uuid.UUID }

type Base struct {
	Created time.Time `json:"created"`
	Note    string    `json:"note,omitempty"`
}

type Custom struct{}

func (Custom) MarshalJSON() ([]byte, error) { return []byte(`"x"`), nil }

type Record struct {
	Base
	*Extra
	ID      ID               `json:"id"`
	Tags    []string         `json:"tags"`
	Raw     []byte           `json:"raw,omitzero"`
	Skipped string           `json:"-"`
	Count   int64            `json:"count,string"`
	ByName  map[string]uint8 `json:"by_name"`
	Maybe   *Base            `json:"maybe"`
	secret  string           //nolint:unused // unexported: never encoded
	Nested  struct{ A bool } `json:"nested"`
	Any     any              `json:"any,omitempty"`
	Fixed   [2]float64       `json:"fixed"`
	Keyed   map[ID]Base      `json:"keyed,omitempty"`
	Self    *Record          `json:"self,omitempty"`
	Untag   string
}

type Extra struct {
	Label string `json:"label"`
}

var _ = Record{secret: "set, so the field is used"}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

// TestFollowsEncodingJSON checks the schema says what encoding/json writes: promoted fields of
// embedded structs (not required through a pointer), tag names and options, "-" left out,
// unexported fields left out, null for nil slices, maps and pointers, text-marshalled IDs as
// UUID strings, and recursion through $defs.
func TestFollowsEncodingJSON(t *testing.T) {
	b, err := schemagen.Generate(Record{}, schemagen.Options{Title: "t"})
	require.NoError(t, err)
	m := decode(t, b)
	assert.Equal(t, schemagen.Draft, m["$schema"])
	assert.Equal(t, "#/$defs/schemagen_test.Record", m["$ref"])
	rec := m["$defs"].(map[string]any)["schemagen_test.Record"].(map[string]any)
	props := rec["properties"].(map[string]any)
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	assert.ElementsMatch(t, []string{"created", "note", "label", "id", "tags", "raw", "count", "by_name", "maybe", "nested", "any", "fixed", "keyed", "self", "Untag"}, keys)
	assert.ElementsMatch(t, []any{"created", "id", "tags", "count", "by_name", "maybe", "nested", "fixed", "Untag"}, rec["required"])
	assert.Equal(t, false, rec["additionalProperties"])
	assert.Equal(t, map[string]any{"type": "string", "format": "uuid"}, props["id"])
	assert.Equal(t, map[string]any{"type": "string", "format": "date-time"}, props["created"])
	assert.Equal(t, []any{"array", "null"}, props["tags"].(map[string]any)["type"])
	assert.Equal(t, "base64", props["raw"].(map[string]any)["contentEncoding"])
	assert.Equal(t, "string", props["count"].(map[string]any)["type"])
	assert.Contains(t, props["maybe"], "anyOf")
	assert.Equal(t, map[string]any{"anyOf": []any{map[string]any{"$ref": "#/$defs/schemagen_test.Record"}, map[string]any{"type": "null"}}}, props["self"])
}

// TestCustomMarshalerNeedsASchema: a type that encodes itself has no shape reflection can see.
func TestCustomMarshalerNeedsASchema(t *testing.T) {
	type withCustom struct {
		C Custom `json:"c"`
	}
	_, err := schemagen.Generate(withCustom{}, schemagen.Options{})
	require.ErrorContains(t, err, "MarshalJSON")
	b, err := schemagen.Generate(withCustom{}, schemagen.Options{Custom: map[reflect.Type]schemagen.Schema{
		reflect.TypeFor[Custom](): {"const": "x"},
	}})
	require.NoError(t, err)
	assert.Contains(t, string(b), `"const": "x"`)
}

func ExampleGenerate() {
	type Organisation struct {
		Name   string    `json:"name"`
		Closed time.Time `json:"closed_at,omitzero"`
	}
	b, err := schemagen.Generate(Organisation{}, schemagen.Options{Title: "organisation"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(b))
	// Output:
	// {
	//   "$defs": {
	//     "schemagen_test.Organisation": {
	//       "additionalProperties": false,
	//       "properties": {
	//         "closed_at": {
	//           "format": "date-time",
	//           "type": "string"
	//         },
	//         "name": {
	//           "type": "string"
	//         }
	//       },
	//       "required": [
	//         "name"
	//       ],
	//       "type": "object"
	//     }
	//   },
	//   "$ref": "#/$defs/schemagen_test.Organisation",
	//   "$schema": "https://json-schema.org/draft/2020-12/schema",
	//   "title": "organisation"
	// }
}

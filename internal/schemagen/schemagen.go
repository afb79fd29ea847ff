// Package schemagen writes the JSON Schema (draft 2020-12) of a Go type's encoding/json form:
// the shape of the stored records a host queries with SQL (docs/schemas, docs/sql.md).
//
// It follows encoding/json's rules rather than a general-purpose reflector's: field names from
// `json` tags, fields tagged "-" left out, embedded structs' fields promoted, a field without
// omitempty or omitzero required (encoding/json always writes it), nil slices and maps written
// as null, []byte as base64 text, encoding.TextMarshaler types (IDs, enumerations) as strings,
// time.Time as RFC 3339 text. Objects admit no other properties, so a record whose encoding
// drifts from its type fails validation. A type with its own MarshalJSON has a shape only its
// code knows: the caller gives it in Options.Custom, and Generate fails for one it does not
// give, so a new custom encoding cannot slip through as "anything".
package schemagen

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/isgkit/gateway/internal/jsonrules"
)

// Draft is the JSON Schema dialect the schemas declare.
const Draft = "https://json-schema.org/draft/2020-12/schema"

// Schema is a JSON Schema as a JSON object.
type Schema = map[string]any

// Options tunes Generate.
type Options struct {
	// ID, Title and Description fill the root's $id, title and description when set.
	ID, Title, Description string
	// Custom gives the schema of each type with its own MarshalJSON, by type.
	Custom map[reflect.Type]Schema
}

var (
	jsonMarshaler = jsonrules.JSONMarshaler
	textMarshaler = jsonrules.TextMarshaler
	timeType      = reflect.TypeFor[time.Time]()
)

// implements and isUUID are encoding/json's rules as package jsonrules states them.
var (
	implements = jsonrules.Implements
	isUUID     = jsonrules.IsUUID
)

// Generate returns the schema of v's type, indented, with every named struct type it reaches
// under $defs (named by package and type, e.g. "agreement.Flow") and referred to by $ref.
func Generate(v any, o Options) ([]byte, error) {
	g := &gen{o: o, defs: map[string]Schema{}, names: map[reflect.Type]string{}}
	t := reflect.TypeOf(v)
	if t == nil {
		return nil, fmt.Errorf("schemagen: nil value")
	}
	root, err := g.schema(t)
	if err != nil {
		return nil, err
	}
	out := Schema{"$schema": Draft}
	for k, v := range root {
		out[k] = v
	}
	for k, v := range map[string]string{"$id": o.ID, "title": o.Title, "description": o.Description} {
		if v != "" {
			out[k] = v
		}
	}
	if len(g.defs) > 0 {
		defs := Schema{}
		for k, v := range g.defs {
			defs[k] = v
		}
		out["$defs"] = defs
	}
	b, err := json.MarshalIndent(out, "", "  ") // maps encode in key order: stable output
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

type gen struct {
	o     Options
	defs  map[string]Schema
	names map[reflect.Type]string
}

func (g *gen) schema(t reflect.Type) (Schema, error) {
	if s, ok := g.o.Custom[t]; ok {
		return s, nil
	}
	switch {
	case t == timeType:
		return Schema{"type": "string", "format": "date-time"}, nil
	case t.Kind() == reflect.Pointer:
		elem, err := g.schema(t.Elem())
		if err != nil {
			return nil, err
		}
		return nullable(elem), nil
	case implements(t, jsonMarshaler):
		return nil, fmt.Errorf("schemagen: %s has its own MarshalJSON: give its schema in Options.Custom", t)
	case implements(t, textMarshaler):
		s := Schema{"type": "string"}
		if isUUID(t) {
			s["format"] = "uuid"
		}
		return s, nil
	}
	switch t.Kind() {
	case reflect.Bool:
		return Schema{"type": "boolean"}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return Schema{"type": "integer"}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return Schema{"type": "integer", "minimum": 0}, nil
	case reflect.Float32, reflect.Float64:
		return Schema{"type": "number"}, nil
	case reflect.String:
		return Schema{"type": "string"}, nil
	case reflect.Interface:
		return Schema{}, nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && !implements(t.Elem(), jsonMarshaler) && !implements(t.Elem(), textMarshaler) {
			return Schema{"type": []any{"string", "null"}, "contentEncoding": "base64"}, nil
		}
		items, err := g.schema(t.Elem())
		if err != nil {
			return nil, err
		}
		return Schema{"type": []any{"array", "null"}, "items": items}, nil
	case reflect.Array:
		items, err := g.schema(t.Elem())
		if err != nil {
			return nil, err
		}
		return Schema{"type": "array", "items": items, "minItems": t.Len(), "maxItems": t.Len()}, nil
	case reflect.Map:
		k := t.Key()
		if k.Kind() != reflect.String && !implements(k, textMarshaler) && !isInt(k) {
			return nil, fmt.Errorf("schemagen: map key type %s has no JSON form", k)
		}
		values, err := g.schema(t.Elem())
		if err != nil {
			return nil, err
		}
		return Schema{"type": []any{"object", "null"}, "additionalProperties": values}, nil
	case reflect.Struct:
		return g.structRef(t)
	}
	return nil, fmt.Errorf("schemagen: %s has no JSON form", t)
}

func isInt(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

// nullable admits null besides s.
func nullable(s Schema) Schema {
	if typ, ok := s["type"].(string); ok && len(s) <= 3 && s["$ref"] == nil {
		out := Schema{}
		for k, v := range s {
			out[k] = v
		}
		out["type"] = []any{typ, "null"}
		return out
	}
	if _, ok := s["type"].([]any); ok {
		return s // already admits null (slices, maps)
	}
	return Schema{"anyOf": []any{s, Schema{"type": "null"}}}
}

// structRef defines a named struct type once under $defs and refers to it; an anonymous struct
// is written in place.
func (g *gen) structRef(t reflect.Type) (Schema, error) {
	if t.Name() == "" {
		return g.object(t)
	}
	name, ok := g.names[t]
	if !ok {
		name = defName(t)
		for n := 2; g.taken(name); n++ {
			name = fmt.Sprintf("%s%d", defName(t), n)
		}
		g.names[t] = name
		g.defs[name] = nil // reserved: a recursive type refers to itself
		s, err := g.object(t)
		if err != nil {
			return nil, err
		}
		g.defs[name] = s
	}
	return Schema{"$ref": "#/$defs/" + name}, nil
}

func (g *gen) taken(name string) bool {
	_, ok := g.defs[name]
	return ok
}

// defName is "<package>.<Type>", with a generic type's arguments kept readable.
func defName(t reflect.Type) string {
	pkg := t.PkgPath()
	if i := strings.LastIndex(pkg, "/"); i >= 0 {
		pkg = pkg[i+1:]
	}
	r := strings.NewReplacer("[", "_", "]", "", "/", "_", "*", "", " ", "", ",", "_")
	name := t.Name()
	if i := strings.IndexByte(name, '['); i >= 0 {
		args := name[i+1 : len(name)-1]
		parts := strings.Split(args, ",")
		for j, p := range parts {
			if k := strings.LastIndex(p, "/"); k >= 0 {
				p = p[k+1:]
			}
			parts[j] = p
		}
		name = name[:i] + "[" + strings.Join(parts, ",") + "]"
	}
	return r.Replace(pkg + "." + name)
}

// object writes a struct's properties as encoding/json encodes them.
func (g *gen) object(t reflect.Type) (Schema, error) {
	props := Schema{}
	var required []string
	for _, f := range jsonrules.Fields(t) {
		s, err := g.schema(f.Type)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", t, f.Name, err)
		}
		if f.Quoted {
			s = Schema{"type": "string", "description": "a " + fmt.Sprint(s["type"]) + " written as a JSON string"}
		}
		props[f.Name] = s
		// A field promoted through a pointer may be absent (a nil pointer): not required.
		if !f.OmitEmpty && !f.OmitZero && !f.ThroughPointer {
			required = append(required, f.Name)
		}
	}
	out := Schema{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		sort.Strings(required)
		out["required"] = required
	}
	return out, nil
}

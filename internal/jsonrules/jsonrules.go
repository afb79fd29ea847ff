// Package jsonrules states encoding/json's rules for which fields of a struct it writes, under
// which names and options, for the packages that must agree with it without running it: the
// schemas of internal/schemagen and the encoders internal/jsongen writes. Both reading one
// statement of the rules is what keeps a schema and a generated encoder from drifting apart.
package jsonrules

import (
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"unicode"

	"github.com/google/uuid"
)

// The interfaces encoding/json looks for before a type's kind.
var (
	JSONMarshaler = reflect.TypeFor[json.Marshaler]()
	TextMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
	uuidType      = reflect.TypeFor[uuid.UUID]()
)

// Implements reports whether t or *t implements iface: encoding/json uses a pointer method when
// the value is addressable, so a schema must allow for it.
func Implements(t, iface reflect.Type) bool {
	return t.Implements(iface) || (t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(iface))
}

// IsUUID reports whether t's text form is a UUID's: uuid.UUID itself, or a struct whose one field
// is an embedded uuid.UUID (the module's typed IDs), so that its MarshalText is uuid.UUID's.
func IsUUID(t reflect.Type) bool {
	if t == uuidType {
		return true
	}
	return t.Kind() == reflect.Struct && t.NumField() == 1 && t.Field(0).Anonymous && t.Field(0).Type == uuidType
}

// Field is one member of a struct's encoding.
type Field struct {
	// Name is the member's JSON name.
	Name string
	// Index is the path of Go field indexes from the outer struct, as reflect.Type.FieldByIndex
	// takes it: longer than one for a field promoted from an embedded struct.
	Index []int
	// Type is the field's Go type.
	Type reflect.Type
	// Tagged is whether the name came from a json tag.
	Tagged bool
	// OmitEmpty and OmitZero are the tag's options of those names.
	OmitEmpty, OmitZero bool
	// Quoted is the ",string" option on a field of a kind it applies to.
	Quoted bool
	// ThroughPointer is whether the path passes an embedded pointer: encoding/json leaves the
	// member out when that pointer is nil.
	ThroughPointer bool
}

// Fields lists the members encoding/json writes for struct type t, in the order it writes
// them. It follows encoding/json's typeFields: exported fields and the exported fields of
// embedded structs (exported or not), breadth first; of the fields of one name the shallowest
// wins, and at one depth a tagged one; several left at one depth cancel out, and a struct
// embedded twice at one depth cancels its fields.
func Fields(t reflect.Type) []Field {
	type todo struct {
		typ     reflect.Type
		index   []int
		pointer bool
	}
	current, next := []todo{}, []todo{{typ: t}}
	var count map[reflect.Type]int
	nextCount := map[reflect.Type]int{}
	visited := map[reflect.Type]bool{}
	var fields []Field
	for len(next) > 0 {
		current, next = next, current[:0]
		count, nextCount = nextCount, map[reflect.Type]int{}
		for _, f := range current {
			if visited[f.typ] {
				continue
			}
			visited[f.typ] = true
			for i := range f.typ.NumField() {
				sf := f.typ.Field(i)
				if sf.Anonymous {
					et := sf.Type
					if et.Kind() == reflect.Pointer {
						et = et.Elem()
					}
					if !sf.IsExported() && et.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !validTag(name) {
					name = ""
				}
				index := append(slices.Clone(f.index), i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if name != "" || !sf.Anonymous || ft.Kind() != reflect.Struct {
					fl := Field{Name: name, Index: index, Type: sf.Type, Tagged: name != "", ThroughPointer: f.pointer}
					if fl.Name == "" {
						fl.Name = sf.Name
					}
					for o := range strings.SplitSeq(opts, ",") {
						switch o {
						case "omitempty":
							fl.OmitEmpty = true
						case "omitzero":
							fl.OmitZero = true
						case "string":
							switch ft.Kind() {
							case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
								reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
								reflect.Float32, reflect.Float64, reflect.String:
								fl.Quoted = true
							}
						}
					}
					fields = append(fields, fl)
					if count[f.typ] > 1 {
						// Embedded twice at this depth: a duplicate makes the name cancel below.
						fields = append(fields, fields[len(fields)-1])
					}
					continue
				}
				nextCount[ft]++
				if nextCount[ft] == 1 {
					next = append(next, todo{typ: ft, index: index, pointer: f.pointer || sf.Type.Kind() == reflect.Pointer})
				}
			}
		}
	}
	slices.SortStableFunc(fields, func(a, b Field) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		if c := len(a.Index) - len(b.Index); c != 0 {
			return c
		}
		if a.Tagged != b.Tagged {
			if a.Tagged {
				return -1
			}
			return 1
		}
		return slices.Compare(a.Index, b.Index)
	})
	var out []Field
	for i := 0; i < len(fields); {
		j := i + 1
		for j < len(fields) && fields[j].Name == fields[i].Name {
			j++
		}
		group := fields[i:j]
		if len(group) == 1 || len(group[0].Index) != len(group[1].Index) || group[0].Tagged != group[1].Tagged {
			out = append(out, group[0])
		}
		i = j
	}
	slices.SortFunc(out, func(a, b Field) int { return slices.Compare(a.Index, b.Index) })
	return out
}

// validTag is encoding/json's isValidTag: a name it would not accept is as if not given.
func validTag(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
			// Backslash and quote chars are reserved, but otherwise any punctuation chars
			// are allowed in a tag name.
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

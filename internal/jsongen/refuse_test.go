package jsongen_test

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/internal/jsongen"
)

const here = "github.com/isgkit/gateway/internal/jsongen_test"

type ptrMarshaler struct{ A int }

func (*ptrMarshaler) MarshalJSON() ([]byte, error) { return []byte(`1`), nil }

type ptrText struct{ A int }

func (*ptrText) MarshalText() ([]byte, error) { return []byte(`t`), nil }

type ptrZero struct{ A int }

func (*ptrZero) IsZero() bool { return true }

type (
	withPtrMarshaler struct {
		P ptrMarshaler `json:"p"`
	}
	withPtrText struct {
		P []ptrText `json:"p"`
	}
	withPtrZero struct {
		P ptrZero `json:"p,omitzero"`
	}
	withString struct {
		N int `json:"n,string"`
	}
	withChan struct {
		C chan int `json:"c"`
	}
	withFunc struct {
		F func() `json:"f"`
	}
	withComplex struct {
		C complex128 `json:"c"`
	}
	withEmbeddedPtr struct {
		*withChanLess
	}
	withChanLess struct {
		N int `json:"n"`
	}
	recursive struct {
		Children []recursive `json:"children"`
	}
	withForeignUnexported struct {
		T time.Location `json:"t"` // encodes as {} but its zero test and fields are time's own
	}
	withForeignZero struct {
		L time.Location `json:"l,omitzero"`
	}
	withMapKey struct {
		M map[[2]int]string `json:"m"`
	}
)

// TestRefusesWhatItCannotEncodeExactly: each of these would need to know what the generated code
// cannot (whether a value is addressable, what a dynamic value is) or is something encoding/json
// refuses at run time; the generator says so rather than guess.
func TestRefusesWhatItCannotEncodeExactly(t *testing.T) {
	for _, c := range []struct {
		typ  reflect.Type
		want string
	}{
		{reflect.TypeFor[withPtrMarshaler](), "pointer-receiver"},
		{reflect.TypeFor[withPtrText](), "pointer-receiver"},
		{reflect.TypeFor[withPtrZero](), "pointer receiver"},
		{reflect.TypeFor[withString](), `",string"`},
		{reflect.TypeFor[withChan](), "cannot encode"},
		{reflect.TypeFor[withFunc](), "cannot encode"},
		{reflect.TypeFor[withComplex](), "cannot encode"},
		{reflect.TypeFor[withEmbeddedPtr](), "embedded pointer"},
		{reflect.TypeFor[recursive](), "recursive"},
		{reflect.TypeFor[withForeignZero](), "unexported"},
		{reflect.TypeFor[withMapKey](), "no JSON form"},
	} {
		_, err := jsongen.Generate(jsongen.Config{PkgPath: here, Roots: []reflect.Type{c.typ}})
		if assert.Error(t, err, "%s", c.typ) {
			assert.Contains(t, err.Error(), c.want, "%s", c.typ)
		}
	}
	_, err := jsongen.Generate(jsongen.Config{PkgPath: "elsewhere", Roots: []reflect.Type{reflect.TypeFor[withChan]()}})
	assert.ErrorContains(t, err, "not a named struct type of elsewhere", "roots are types of the package generated")
}

// TestCustomMarshalersAreLeftToEncodingJSON: a type with its own MarshalJSON or a MarshalText
// other than a UUID's is encoded by encoding/json, in place, with the caller's escaping (the
// sample's property test holds the bytes equal); a type whose encoding is all exported fields
// of another package, as time.Location's {} is, is written field by field.
func TestCustomMarshalersAreLeftToEncodingJSON(t *testing.T) {
	src, err := os.ReadFile("internal/sample/json_gen.go")
	require.NoError(t, err)
	for _, want := range []string{
		"jsonenc.AppendMarshal(b, v.Custom, esc)",
		"jsonenc.AppendMarshal(b, (*v.CustPtr), esc)",
		"jsonenc.AppendMarshal(b, v.Upper, esc)",
		"jsonenc.AppendMarshal(b, v.Any, esc)",
		"jsonenc.AppendMarshal(b, v.ByNum, esc)",
		"jsonenc.AppendUUID(b, v.ID.UUID)",
	} {
		assert.True(t, strings.Contains(string(src), want), "internal/sample/json_gen.go lacks %s", want)
	}
	// A map whose key type has a MarshalText but is a string: encoding/json writes the string.
	assert.True(t, strings.Contains(string(src), "var arr0 [16]Upper"), "map[Upper]bool is written by the generated code")
	assert.False(t, strings.Contains(string(src), "AppendMarshal(b, v.When"), "time.Time is written by the generated code")
	got, err := jsongen.Generate(jsongen.Config{PkgPath: here, Roots: []reflect.Type{reflect.TypeFor[withForeignUnexported]()}})
	require.NoError(t, err)
	assert.True(t, strings.Contains(string(got), "appendJSONTimeLocation"), "%s", got)
}

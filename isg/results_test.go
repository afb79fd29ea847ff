package isg_test

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/scenario"
	"github.com/isgkit/gateway/storage/memory"
)

// nullLists returns the paths of every nil slice or map in v that its JSON would write as null
// (a field without omitempty or omitzero, or an element).
func nullLists(v reflect.Value, path string, out *[]string) {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if !v.IsNil() {
			nullLists(v.Elem(), path, out)
		}
	case reflect.Slice, reflect.Map:
		if v.IsNil() {
			if v.Type().Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
				return // []byte is base64 text
			}
			*out = append(*out, path)
			return
		}
		if v.Kind() == reflect.Slice {
			for i := range v.Len() {
				nullLists(v.Index(i), path+".[]", out)
			}
		} else {
			for _, k := range v.MapKeys() {
				nullLists(v.MapIndex(k), path+".{}", out)
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			tag := f.Tag.Get("json")
			name, opts, _ := strings.Cut(tag, ",")
			if name == "-" {
				continue
			}
			if f.Anonymous && name == "" {
				nullLists(v.Field(i), path, out)
				continue
			}
			if name == "" {
				name = f.Name
			}
			fv := v.Field(i)
			if (strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")) && fv.IsZero() {
				continue
			}
			nullLists(fv, path+"."+name, out)
		}
	}
}

// TestResultsNeverHoldNullLists: every result of every step of every scenario file is
// consistent JSON — an empty list is [], never null (a new account's memberships, say).
func TestResultsNeverHoldNullLists(t *testing.T) {
	paths, err := filepath.Glob("../testdata/scenarios/*.json")
	require.NoError(t, err)
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, err := scenario.Load(path)
			require.NoError(t, err)
			clock := scenario.NewClock(f.Start)
			g, err := isg.New(memory.New(), cheapPasswords, isg.WithClock(clock))
			require.NoError(t, err)
			around := func(s scenario.Step, dispatch func() (any, error)) (any, error) {
				res, err := dispatch()
				if err == nil {
					var nulls []string
					nullLists(reflect.ValueOf(res), s.Command, &nulls)
					assert.Empty(t, nulls, "%s (%s): lists written as null", s.Command, s.Name)
				}
				return res, err
			}
			require.NoError(t, scenario.Execute(context.Background(), f, g, clock, scenario.Around(around)))
		})
	}
}

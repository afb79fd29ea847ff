package dpia

import (
	"slices"
	"strconv"

	"github.com/isgkit/gateway/internal/validate"
)

// checkInput runs the validator over v and adds the field errors found by code, so a caller sees
// every problem of one input at once.
func checkInput(v any, rule string, extra []FieldError) error { return validate.Check(v, rule, extra) }

func indexed(field string, i int) string { return field + "[" + strconv.Itoa(i) + "]" }

// cloneSlice copies s so that an aggregate never shares a backing array with its input or its
// previous version; an empty slice becomes nil so that equal contents compare and encode equally.
func cloneSlice[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

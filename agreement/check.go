package agreement

import (
	"maps"
	"slices"
	"strconv"

	"github.com/isgkit/gateway/internal/validate"
)

// checkInput runs the validator over v and adds the field errors found by code, so that a caller
// sees every problem of one input at once rather than one per attempt.
func checkInput(v any, rule string, extra []FieldError) error {
	return validate.Check(v, rule, extra)
}

func fieldErr(field, code, rule, msg string) FieldError {
	return FieldError{Field: field, Code: code, Rule: rule, Message: msg}
}

func indexed(field string, i int) string { return field + "[" + strconv.Itoa(i) + "]" }

// duplicates reports the indexes of items that repeat an earlier one.
func duplicates[T comparable](items []T) []int {
	if len(items) <= fewItems {
		// A flow's parties, sides and sources number a handful: comparing each with those
		// before it is cheaper than making and filling a map on every edit.
		var dup []int
		for i := 1; i < len(items); i++ {
			if slices.Contains(items[:i], items[i]) {
				dup = append(dup, i)
			}
		}
		return dup
	}
	return duplicatesBySet(items)
}

// fewItems is the longest list duplicates scans pairwise: up to it, at most 120 comparisons.
const fewItems = 16

// duplicatesBySet is duplicates for a long list, through a set.
func duplicatesBySet[T comparable](items []T) []int {
	var dup []int
	seen := make(map[T]struct{}, len(items))
	for i, it := range items {
		if _, ok := seen[it]; ok {
			dup = append(dup, i)
			continue
		}
		seen[it] = struct{}{}
	}
	return dup
}

// cloneSlice copies s so that the aggregate never shares a backing array with its input or its
// previous version; an empty slice becomes nil so that equal contents compare and encode equally.
func cloneSlice[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(m)
}

package storagetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
)

// SameJSON reports whether a and b are encodings of one JSON value, which is all a Store promises
// of a body it returns (see isg.Record): objects compare as their members whatever their order
// (of duplicate keys the last counts, as in encoding/json and jsonb), numbers as exact decimals
// (1.0E+2 is 100; no rounding to float64), strings as the text they decode to. A text that is
// not one JSON value equals nothing.
func SameJSON(a, b []byte) bool {
	x, err := decodeJSON(a)
	if err != nil {
		return false
	}
	y, err := decodeJSON(b)
	if err != nil {
		return false
	}
	return sameValue(x, y)
}

func decodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("more than one JSON value")
	}
	return v, nil
}

func sameValue(x, y any) bool {
	switch x := x.(type) {
	case map[string]any:
		y, ok := y.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !sameValue(xv, yv) {
				return false
			}
		}
		return true
	case []any:
		y, ok := y.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameValue(x[i], y[i]) {
				return false
			}
		}
		return true
	case json.Number:
		y, ok := y.(json.Number)
		if !ok {
			return false
		}
		rx, okx := new(big.Rat).SetString(string(x))
		ry, oky := new(big.Rat).SetString(string(y))
		return okx && oky && rx.Cmp(ry) == 0
	default: // string, bool, nil
		return x == y
	}
}

// requireBody fails the test unless got is the JSON value want.
func requireBody(t testing.TB, want string, got []byte, msgAndArgs ...any) {
	t.Helper()
	if !SameJSON([]byte(want), got) {
		t.Fatalf("body %s, want the JSON value %s %s", got, want, fmt.Sprint(msgAndArgs...))
	}
}

// assertBody is requireBody that lets the test go on.
func assertBody(t testing.TB, want string, got []byte, msgAndArgs ...any) {
	t.Helper()
	if !SameJSON([]byte(want), got) {
		t.Errorf("body %s, want the JSON value %s %s", got, want, fmt.Sprint(msgAndArgs...))
	}
}

// canonJSON re-encodes a JSON text with sorted object keys and no whitespace, numbers spelled as
// given, so that bodies compare as strings in a test's expectations.
func canonJSON(b []byte) string {
	v, err := decodeJSON(b)
	if err != nil {
		return "not JSON: " + string(b)
	}
	out, _ := json.Marshal(v) // a decoded value always encodes
	return string(out)
}

// RequireSameDecoded fails the test unless got's body decodes, into the Go type isg.RecordKinds
// gives for its kind, to the value want's body decodes to (compared as that value's encoding,
// so times in different zones for one instant would differ: the Gateway writes UTC). A kind the
// table does not list is compared by JSON value (SameJSON).
func RequireSameDecoded(t testing.TB, want, got isg.Record) {
	t.Helper()
	var sample any
	for _, k := range isg.RecordKinds() {
		if k.Kind == want.Kind {
			sample = k.Sample
		}
	}
	if sample == nil {
		require.True(t, SameJSON(want.Body, got.Body), "body of %s %s: got %s, want the JSON value %s", want.Kind, want.ID, got.Body, want.Body)
		return
	}
	decode := func(b []byte) string {
		v := reflect.New(reflect.TypeOf(sample))
		require.NoError(t, json.Unmarshal(b, v.Interface()), "decoding %s %s", want.Kind, want.ID)
		out, err := json.Marshal(v.Interface())
		require.NoError(t, err)
		return string(out)
	}
	require.Equal(t, decode(want.Body), decode(got.Body), "%s %s decodes to another value", want.Kind, want.ID)
}

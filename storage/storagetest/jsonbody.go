package storagetest

import (
	"context"
	"errors"
	"testing"

	"github.com/isgkit/gateway/isg"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testJSONBodies: a body must be one JSON value (isg.Record). Anything else is refused by Put
// with ErrInvalid, naming nothing stored, and leaves the unit usable: the unit's other Puts
// commit. A JSON value comes back as the same value, perhaps re-encoded.
func testJSONBodies(t *testing.T, s isg.Store) {
	ctx := context.Background()
	bad := map[string][]byte{
		"nil":            nil,
		"empty":          {},
		"blank":          []byte(" \n"),
		"truncated":      []byte(`{"a":`),
		"two values":     []byte(`{"a":1} {"b":2}`),
		"JSON5 key":      []byte(`{a:1}`),
		"single quotes":  []byte(`{'a':1}`),
		"trailing comma": []byte(`[1,2,]`),
		"NaN":            []byte(`NaN`),
		"bare word":      []byte(`hello`),
		"invalid UTF-8":  []byte("{\"a\":\"\xff\xfe\"}"),
		"binary":         {0x00, 0x01, 0x02},
	}
	for name, body := range bad {
		t.Run(name, func(t *testing.T) {
			err := s.Update(ctx, func(tx isg.Tx) error {
				_, err := tx.Put(ctx, isg.Record{Kind: "org", ID: "bad", Body: body})
				require.ErrorIs(t, err, isg.ErrInvalid, "Put of a non-JSON body")
				// The refusal is the Put's alone: the unit goes on and commits the rest.
				_, err = tx.Put(ctx, rec("org", "good-"+name, 0, `{"ok":true}`))
				return err
			})
			require.NoError(t, err)
			requireAbsent(t, s, "org", "bad")
			assertBody(t, `{"ok":true}`, mustGet(t, s, "org", "good-"+name).Body)
		})
	}

	// Every kind of JSON value is a body, with whitespace around it.
	good := []string{`{}`, `[]`, `"text"`, `0`, `-1.5e-7`, `true`, `null`, " \t{\"a\" : [1, {\"b\" : null}]}\n"}
	for i, body := range good {
		id := string(rune('a' + i))
		putAll(t, s, rec("value", id, 0, body))
		assertBody(t, body, mustGet(t, s, "value", id).Body)
	}

	// A \u0000 escape is JSON, but PostgreSQL's jsonb cannot hold it: an adapter keeps it or
	// refuses it at Put with ErrInvalid (documenting which), never fails the commit instead.
	nul := `{"s":"a\u0000b","t":"\\u0000 is six characters"}`
	err := s.Update(ctx, func(tx isg.Tx) error {
		_, err := tx.Put(ctx, rec("value", "nul", 0, nul))
		if errors.Is(err, isg.ErrInvalid) {
			return nil
		}
		return err
	})
	require.NoError(t, err, "a \\u0000 escape is kept or refused at Put")
	if r, err := get(t, s, "value", "nul"); err == nil {
		assertBody(t, nul, r.Body)
	}
	// An escaped backslash before u0000 is no NUL: every adapter keeps it.
	putAll(t, s, rec("value", "backslash", 0, `{"t":"\\u0000"}`))
	assertBody(t, `{"t":"\\u0000"}`, mustGet(t, s, "value", "backslash").Body)
	assert.True(t, SameJSON([]byte(`{"t":"\\u0000"}`), mustGet(t, s, "value", "backslash").Body))
}

package txlog_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/isgkit/gateway/isg/ident"
	"github.com/isgkit/gateway/isg/txlog"
)

// record is any logged aggregate: the log knows nothing of summaries, flows or DPIAs.
type record struct {
	State string     `json:"state"`
	Title string     `json:"title"`
	Log   txlog.Head `json:"log"`
}

// TestAnyRecordIsLogged: LOG-1, LOG-2, LOG-3 — the one log serves any record: its changes chain
// and verify, an altered entry is found, and a change written without an entry is detected
// against the record, its never-logged state held to the initial state given.
func TestAnyRecordIsLogged(t *testing.T) {
	subject := uuid.Must(uuid.NewV7())
	user, org := ident.UserID{UUID: uuid.Must(uuid.NewV7())}, ident.OrgID{UUID: uuid.Must(uuid.NewV7())}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	v1 := record{State: "draft", Title: "DPIA"}
	v2 := record{State: "in_progress", Title: "Care record DPIA"}
	changes, err := txlog.Diff(v1, v2)
	require.NoError(t, err)
	assert.Len(t, changes, 2)
	entries, head := txlog.Append(txlog.Head{}, subject, changes, user, org, at)
	v2.Log = head
	require.NoError(t, txlog.Verify(head, entries))
	require.NoError(t, txlog.VerifyRecord(v2, entries, "draft"))

	altered := append([]txlog.Entry(nil), entries...)
	altered[0].New = `"x"`
	assert.Error(t, txlog.Verify(head, altered))
	v2.Title = "quietly renamed"
	assert.Error(t, txlog.VerifyRecord(v2, entries, "draft"), "changed without an entry")
	assert.Error(t, txlog.VerifyRecord(record{State: "approved"}, nil, "draft"), "a state never logged is the initial one")
	assert.NoError(t, txlog.VerifyRecord(record{State: "draft"}, nil, "draft"))
}

// TestJSONWithIsTheRecordWithTheFieldMoved: the body the Gateway stores from a snapshot is the
// record's own encoding with the log head replaced — or added when the snapshot had none — and
// AppendJSONWith writes the same after whatever its buffer held.
func TestJSONWithIsTheRecordWithTheFieldMoved(t *testing.T) {
	type bare struct {
		State string `json:"state"`
		Title string `json:"title"`
	}
	head := txlog.Head{Count: 3, Last: "abc"}
	for name, tc := range map[string]struct {
		of   any
		want any
	}{
		"replaced": {record{State: "draft", Title: `a "quoted" title`}, record{State: "draft", Title: `a "quoted" title`, Log: head}},
		"added":    {bare{State: "draft", Title: "T"}, record{State: "draft", Title: "T", Log: head}},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := txlog.TakeSnapshot(tc.of)
			require.NoError(t, err)
			want, err := json.Marshal(tc.want)
			require.NoError(t, err)
			got, err := s.JSONWith("log", head)
			require.NoError(t, err)
			assert.JSONEq(t, string(want), string(got))
			if name == "replaced" {
				assert.Equal(t, string(want), string(got), "a replaced field keeps its place")
			}
			appended, err := s.AppendJSONWith([]byte("prefix"), "log", head)
			require.NoError(t, err)
			assert.Equal(t, "prefix"+string(got), string(appended))
		})
	}
}

// TestJSONWithIsTheMarshalledObject: on any object (a map of keys alike once escaped, and
// values needing escapes), replacing a field gives exactly what encoding/json writes of the
// object with the field set, and adding one gives that object too, the new field last; a
// snapshot of nothing gives the field alone.
func TestJSONWithIsTheMarshalledObject(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		text := rapid.SampledFrom([]string{"", "a", "b", `a"b`, `a\b`, "\u0061", "<&>", "é"})
		m := rapid.MapOf(text, text).Draw(t, "object")
		field, value := text.Draw(t, "field"), text.Draw(t, "value")
		s, err := txlog.TakeSnapshot(m)
		require.NoError(t, err)
		got, err := s.JSONWith(field, value)
		require.NoError(t, err)
		_, had := m[field]
		m[field] = value
		want := marshalNoHTML(t, m)
		if had {
			require.Equal(t, string(want), string(got))
		} else {
			require.JSONEq(t, string(want), string(got))
			kv := marshalNoHTML(t, map[string]string{field: value})
			require.Contains(t, string(got), string(kv[1:len(kv)-1])+"}", "added last")
		}
	})
	got, err := txlog.Snapshot{}.JSONWith("log", 1)
	require.NoError(t, err)
	assert.Equal(t, `{"log":1}`, string(got))
}

// marshalNoHTML is json.Marshal with HTML escaping off, as snapshots are written.
func marshalNoHTML(t require.TestingT, v any) []byte {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	require.NoError(t, e.Encode(v))
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// TestDiffNamesEscapedKeysDecoded: LOG-1 — a snapshot keeps keys as written, so a key that
// needs escaping (a map's, say) is still compared as a key and named decoded in a change, and
// a field dropped is logged away with New null.
func TestDiffNamesEscapedKeysDecoded(t *testing.T) {
	changes, err := txlog.Diff(map[string]string{`a"b`: "1", `c\d`: "x", "e": "same"}, map[string]string{`a"b`: "2", "e": "same"})
	require.NoError(t, err)
	assert.Equal(t, []txlog.Change{
		{Field: `a"b`, Old: `"1"`, New: `"2"`},
		{Field: `c\d`, Old: `"x"`, New: "null"},
	}, changes)

	snap, err := txlog.TakeSnapshot(map[string]string{`a"b`: "1"})
	require.NoError(t, err)
	body, err := snap.JSONWith(`a"b`, "moved")
	require.NoError(t, err)
	assert.JSONEq(t, `{"a\"b":"moved"}`, string(body))
}

// TestJSONWithFindsTheFieldByItsDecodedKey: the field replaced is the one whose key decodes to
// the name given, among keys that look alike once escaped or unescaped; none is added.
func TestJSONWithFindsTheFieldByItsDecodedKey(t *testing.T) {
	record := map[string]string{`a"b`: "1", `a\"b`: "2", "ab": "3", `a\b`: "4", "a": "5", `\u0061`: "6"}
	snap, err := txlog.TakeSnapshot(record)
	require.NoError(t, err)
	for field := range record {
		body, err := snap.JSONWith(field, "moved")
		require.NoError(t, err)
		var got map[string]string
		require.NoError(t, json.Unmarshal(body, &got))
		want := map[string]string{}
		for k, v := range record {
			want[k] = v
		}
		want[field] = "moved"
		assert.Equal(t, want, got, "JSONWith(%q)", field)
	}
}

// TestAppendToKeepsWhatDstHeld: LOG-1, LOG-2 — AppendDiff and AppendTo, which the Gateway calls
// with room of its own, append exactly what DiffSnapshots and Append return, after and without
// touching what the slice held, with the changes sorted among themselves only.
func TestAppendToKeepsWhatDstHeld(t *testing.T) {
	subject := uuid.Must(uuid.NewV7())
	user, org := ident.UserID{UUID: uuid.Must(uuid.NewV7())}, ident.OrgID{UUID: uuid.Must(uuid.NewV7())}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	before, err := txlog.TakeSnapshot(record{State: "draft", Title: "DPIA"})
	require.NoError(t, err)
	after, err := txlog.TakeSnapshot(record{State: "in_progress", Title: "Care record DPIA"})
	require.NoError(t, err)

	held := txlog.Change{Field: "zz_held", Old: `"a"`, New: `"b"`}
	changes := txlog.AppendDiff(append(make([]txlog.Change, 0, 4), held), before, after)
	assert.Equal(t, append([]txlog.Change{held}, txlog.DiffSnapshots(before, after)...), changes)
	assert.Empty(t, txlog.AppendDiff(nil, before, before), "no change, nothing appended")

	want, wantHead := txlog.Append(txlog.Head{Count: 3, Last: "prev"}, subject, changes[1:], user, org, at)
	first := txlog.Entry{Field: "kept"}
	got, head := txlog.AppendTo([]txlog.Entry{first}, txlog.Head{Count: 3, Last: "prev"}, subject, changes[1:], user, org, at)
	assert.Equal(t, wantHead, head)
	assert.Equal(t, append([]txlog.Entry{first}, want...), got)
	same, unmoved := txlog.AppendTo(got[:1], wantHead, subject, nil, user, org, at)
	assert.Equal(t, []txlog.Entry{first}, same)
	assert.Equal(t, wantHead, unmoved)
}

package agreement_test

import (
	"encoding/json"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
)

// TestSnapshotJSONWithReplacesOneField: LOG-1, LOG-2 — the object a snapshot writes back, with
// the log head moved on, decodes to the same flow as encoding it afresh, and a diff against the
// snapshot of the stored value equals Diff of the values.
func TestSnapshotJSONWithReplacesOneField(t *testing.T) {
	w := newWorld()
	s := w.summary(t)
	f := w.flow(t, s)
	f.Controls = append(f.Controls, "<b>Audit & review</b>") // bytes json.Marshal would escape
	snap, err := agreement.TakeSnapshot(f)
	require.NoError(t, err)

	f.Log = agreement.LogHead{Count: 7, Last: "abc"}
	b, err := snap.JSONWith("log", f.Log)
	require.NoError(t, err)
	var back agreement.Flow
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, f, back)

	added, err := snap.JSONWith("extra", 1)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(added, &m))
	assert.Equal(t, 1.0, m["extra"], "a field the object lacks is added")

	g, _, err := agreement.NewFlowMachine().Edit(f, s, w.councilOfficer, w.now.Add(time.Hour), w.flowTerms())
	require.NoError(t, err)
	after, err := agreement.TakeSnapshot(g)
	require.NoError(t, err)
	want, err := agreement.Diff(f, g)
	require.NoError(t, err)
	assert.Equal(t, want, agreement.DiffSnapshots(snap, after))
	assert.NotEmpty(t, want)
}

// TestSummaryCloneIsDeep: a cached summary handed out as a copy cannot be changed through it.
func TestSummaryCloneIsDeep(t *testing.T) {
	w := newWorld()
	s := w.summary(t)
	s.Contacts = []agreement.Contact{{Name: "Ann"}}
	c := s.Clone()
	c.Organisations[0] = agreement.OrgID{}
	c.Contacts[0].Name = "Bob"
	c.InformationShared = append(c.InformationShared[:0], agreement.InfoOther)
	assert.NotEqual(t, agreement.OrgID{}, s.Organisations[0])
	assert.Equal(t, "Ann", s.Contacts[0].Name)
	assert.NotEqual(t, agreement.InfoOther, s.InformationShared[0])
}

// FuzzSnapshot: for any text in a summary's fields, writing a snapshot back with the log head
// replaced decodes to the summary with that head, and a diff of two snapshots names exactly the
// fields whose values differ (LOG-1).
func FuzzSnapshot(f *testing.F) {
	f.Add("Safeguarding", "<b>&</b>", "\u2028\x00\"\\", int64(3))
	f.Add("", "é 漢字 😀", "}", int64(0))
	f.Fuzz(func(t *testing.T, title, purpose, details string, count int64) {
		if !utf8.ValidString(title) || !utf8.ValidString(purpose) || !utf8.ValidString(details) {
			return // JSON cannot carry invalid UTF-8 exactly: it becomes U+FFFD either way
		}
		w := newWorld()
		s := w.summary(t)
		s.Title, s.Purpose, s.InformationDetails = title, purpose, details
		snap, err := agreement.TakeSnapshot(s)
		if err != nil {
			return // invalid UTF-8 and the like encode lossily; Diff refuses nothing it can encode
		}
		s.Log = agreement.LogHead{Count: count, Last: details}
		b, err := snap.JSONWith("log", s.Log)
		if err != nil {
			t.Fatal(err)
		}
		var back agreement.Summary
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		want, _ := json.Marshal(s)
		got, _ := json.Marshal(back)
		if string(want) != string(got) {
			t.Fatalf("round trip changed the summary:\n%s\n%s", want, got)
		}
		other := s
		other.Title = title + "x"
		after, err := agreement.TakeSnapshot(other)
		if err != nil {
			t.Fatal(err)
		}
		changes := agreement.DiffSnapshots(snap, after)
		if len(changes) != 1 || changes[0].Field != "title" {
			t.Fatalf("changes %+v, want only title", changes)
		}
	})
}

// TestVerifyRecordHoldsTheRecordAgainstItsLog: LOG-3 — a record whose logged fields are what its
// last entries set verifies; one changed without an entry, or whose state moved without one,
// does not; a copy, whose log starts with copied_from alone, verifies.
func TestVerifyRecordHoldsTheRecordAgainstItsLog(t *testing.T) {
	w := newWorld()
	s := w.summary(t)
	f := w.flow(t, s)
	changes, err := agreement.Diff(agreement.Flow{}, f)
	require.NoError(t, err)
	entries, _ := agreement.Append(agreement.LogHead{}, f.ID.UUID, changes, w.officer.User, w.officer.Org, w.now)
	require.NoError(t, agreement.VerifyRecord(f, entries))

	renamed := f.Clone()
	renamed.Name = "Renamed in the store"
	err = agreement.VerifyRecord(renamed, entries)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "name")

	moved := f.Clone()
	moved.State = agreement.Finalised
	assert.Error(t, agreement.VerifyRecord(moved, entries), "the state is a logged field")

	copied := f.Clone()
	copied.State, copied.CopiedFrom = agreement.Draft, f.ID
	copyLog, _ := agreement.Append(agreement.LogHead{}, f.ID.UUID,
		[]agreement.Change{{Field: "copied_from", Old: "null", New: `"` + f.ID.String() + `"`}}, w.officer.User, w.officer.Org, w.now)
	assert.NoError(t, agreement.VerifyRecord(copied, copyLog), "fields a copy never logged are not held against it")
	copied.State = agreement.Finalised
	assert.Error(t, agreement.VerifyRecord(copied, copyLog), "but its state must still be Draft")
}

package agreement_test

import (
	"encoding/json"
	"testing"
	"time"

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

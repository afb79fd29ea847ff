package agreement_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
)

// TestAddPartyToFinalisedFlow: FLOW-12 — an organisation named in the summary may be added to a
// finalised flow; the state and content hash stay, so existing signatures stay valid.
func TestAddPartyToFinalisedFlow(t *testing.T) {
	a, b, c, d := org(), org(), org(), org()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	creator := agreement.Actor{User: agreement.UserID{UUID: uuid.New()}, Org: a}
	s, err := agreement.NewSummary(agreement.SummaryID{UUID: uuid.New()}, creator, at, agreement.SummaryTerms{
		Title: "T", Organisations: []agreement.OrgID{a, b, c}, DataAsset: "D", Purpose: "P", Benefits: "B", Format: "F",
		ReviewCycleMonths: 12, InformationShared: []agreement.InfoCategory{agreement.InfoAggregated}})
	require.NoError(t, err)
	f, err := agreement.NewFlow(agreement.FlowID{UUID: uuid.New()}, s, creator, at, agreement.FlowTerms{
		Name: "Stats", Parties: []agreement.OrgID{a, b}, Direction: agreement.OneWay, From: []agreement.OrgID{a}, To: []agreement.OrgID{b},
		Frequency: agreement.Monthly, TransferMode: agreement.SFTP, Controls: []string{"Aggregated only"}})
	require.NoError(t, err)
	m := agreement.NewFlowMachine()

	_, _, err = agreement.AddParty(f, s, creator, at, c, agreement.SideTo)
	assert.ErrorIs(t, err, agreement.ErrInvalidTransition, "a draft is edited, not extended")

	f, _, err = m.Finalise(f, creator, at)
	require.NoError(t, err)
	hash, err := agreement.TermsHash(f)
	require.NoError(t, err)
	legacy := agreement.ContentHash(f)

	other := agreement.Actor{User: agreement.UserID{UUID: uuid.New()}, Org: b}
	_, _, err = agreement.AddParty(f, s, other, at, c, agreement.SideTo)
	assert.ErrorIs(t, err, agreement.ErrForbidden, "only the creator adds")

	_, _, err = agreement.AddParty(f, s, creator, at, d, agreement.SideTo)
	var e *agreement.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "FLOW-11", e.Fields[0].Rule, "a new party must be on the summary")

	g, events, err := agreement.AddParty(f, s, creator, at, c, agreement.SideTo)
	require.NoError(t, err)
	assert.Equal(t, agreement.Finalised, g.State)
	assert.Equal(t, f.Rev, g.Rev)
	assert.Equal(t, []agreement.OrgID{a, b, c}, g.Parties)
	assert.Equal(t, []agreement.OrgID{b, c}, g.To)
	assert.Equal(t, []agreement.OrgID{a, b}, f.Parties, "input unchanged")
	assert.Equal(t, hash, termsHash(t, g), "signatures bound to the terms stay valid")
	assert.Equal(t, legacy, agreement.ContentHash(g), "the deprecated ContentHash keeps its behaviour")
	require.Len(t, events, 1)
	assert.Equal(t, agreement.EventPartyAdded, events[0].Type)
	assert.Equal(t, []agreement.OrgID{c}, events[0].Parties)

	_, _, err = agreement.AddParty(g, s, creator, at, c, agreement.SideTo)
	assert.ErrorIs(t, err, agreement.ErrInvalid, "already a party")

	changed := g
	changed.Controls = []string{"Aggregated only", "Small numbers suppressed"}
	assert.NotEqual(t, hash, termsHash(t, changed), "a change of terms changes the hash")
	assert.NotEqual(t, legacy, agreement.ContentHash(changed))
}

func termsHash(t *testing.T, f agreement.Flow) string {
	t.Helper()
	h, err := agreement.TermsHash(f)
	require.NoError(t, err)
	return h
}

func org() agreement.OrgID { return agreement.OrgID{UUID: uuid.New()} }

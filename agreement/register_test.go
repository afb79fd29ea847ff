package agreement_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/isgkit/gateway/agreement"
)

// inForce is the world's flow, made of the three organisations (trust sends to council and
// police), in state st as the lifecycle would leave it: a pure rule takes the value as given.
func (w *world) inState(t testing.TB, st agreement.FlowState) (agreement.Summary, agreement.Flow) {
	t.Helper()
	s := w.summary(t)
	terms := w.flowTerms()
	terms.Parties = []agreement.OrgID{w.trust, w.council, w.police}
	terms.To = []agreement.OrgID{w.council, w.police}
	f, err := agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, s, w.officer, w.now, terms)
	require.NoError(t, err)
	f.State, f.FinalisedAt = st, w.now
	return s, f
}

// TestConsentToPublishNeedsEveryParty_EXIT3: the flow is published by the last party's agreement
// and not before; only a flow in force is agreed for publication.
func TestConsentToPublishNeedsEveryParty_EXIT3(t *testing.T) {
	w := newWorld()
	for _, st := range agreement.FlowStates() {
		t.Run(string(st), func(t *testing.T) {
			_, f := w.inState(t, st)
			out, events, err := agreement.ConsentToPublish(f, w.officer, w.now)
			if !st.InForce() {
				require.Error(t, err)
				assert.Equal(t, agreement.CodeRegisterNotInForce, codeOf(t, err))
				assert.ErrorIs(t, err, agreement.ErrInvalidTransition)
				assert.Equal(t, f, out, "a refusal changes nothing")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []agreement.EventType{agreement.EventPublicationAgreed}, eventTypes(events))
			assert.Equal(t, []agreement.OrgID{w.council, w.police}, events[0].Parties, "the others are asked")
			assert.False(t, out.Published())
			out, _, err = agreement.ConsentToPublish(out, w.councilOfficer, w.now.Add(time.Hour))
			require.NoError(t, err)
			assert.False(t, out.Published(), "the police have not agreed")
			assert.Equal(t, []agreement.OrgID{w.police}, out.PublicationPending())
			assert.True(t, out.PublishedAt().IsZero())
			out, events, err = agreement.ConsentToPublish(out, w.policeOfficer, w.now.Add(2*time.Hour))
			require.NoError(t, err)
			assert.True(t, out.Published())
			assert.Equal(t, []agreement.EventType{agreement.EventPublicationAgreed, agreement.EventPublished}, eventTypes(events))
			assert.Equal(t, w.now.Add(2*time.Hour), out.PublishedAt())
			assert.Empty(t, f.Publication, "the input is not changed")
		})
	}
}

// TestPublicationRefusals_EXIT3: an organisation not in the flow, a repeat agreement, a
// withdrawal with nothing to withdraw and a zero actor are refused with their codes.
func TestPublicationRefusals_EXIT3(t *testing.T) {
	w := newWorld()
	_, f := w.inState(t, agreement.Signed)
	f, _, err := agreement.ConsentToPublish(f, w.officer, w.now)
	require.NoError(t, err)
	tests := []struct {
		name string
		run  func() (agreement.Flow, []agreement.Event, error)
		code string
	}{
		{"outsider agrees", func() (agreement.Flow, []agreement.Event, error) {
			return agreement.ConsentToPublish(f, w.stranger, w.now)
		}, agreement.CodeNotParty},
		{"outsider withdraws", func() (agreement.Flow, []agreement.Event, error) {
			return agreement.WithdrawPublication(f, w.stranger, w.now)
		}, agreement.CodeNotParty},
		{"agrees twice", func() (agreement.Flow, []agreement.Event, error) {
			return agreement.ConsentToPublish(f, w.trustDPO, w.now) // another user of the same organisation
		}, agreement.CodeRegisterAlreadyAgreed},
		{"withdraws none", func() (agreement.Flow, []agreement.Event, error) {
			return agreement.WithdrawPublication(f, w.councilOfficer, w.now)
		}, agreement.CodeRegisterNotAgreed},
		{"zero actor", func() (agreement.Flow, []agreement.Event, error) {
			return agreement.ConsentToPublish(f, agreement.Actor{Org: w.council}, w.now)
		}, "invalid_input"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, events, err := tc.run()
			require.Error(t, err)
			assert.Equal(t, tc.code, codeOf(t, err))
			assert.Equal(t, "EXIT-3", ruleOf(t, err))
			assert.Empty(t, events)
			assert.Equal(t, f, out)
		})
	}
}

// TestPublicationLapsesWhenPartiesChange_EXIT3: an agreement holds for the parties it was given
// for. A party added leaves the flow unpublished until every party — the earlier ones too —
// agrees for the new list; an agreement given again replaces the lapsed one.
func TestPublicationLapsesWhenPartiesChange_EXIT3(t *testing.T) {
	w := newWorld()
	s, f := w.inState(t, agreement.Finalised)
	f.Parties, f.To = []agreement.OrgID{w.trust, w.council}, []agreement.OrgID{w.council}
	for _, a := range []agreement.Actor{w.officer, w.councilOfficer} {
		var err error
		f, _, err = agreement.ConsentToPublish(f, a, w.now)
		require.NoError(t, err)
	}
	require.True(t, f.Published())
	f, _, err := agreement.AddParty(f, s, w.officer, w.now, w.police, agreement.SideTo)
	require.NoError(t, err)
	assert.False(t, f.Published())
	assert.Equal(t, []agreement.OrgID{w.trust, w.council, w.police}, f.PublicationPending(), "every agreement lapsed")
	for _, a := range []agreement.Actor{w.policeOfficer, w.officer, w.councilOfficer} {
		f, _, err = agreement.ConsentToPublish(f, a, w.now.Add(time.Hour))
		require.NoError(t, err)
	}
	assert.True(t, f.Published())
	assert.Len(t, f.Publication, 3, "one agreement per organisation: the lapsed ones replaced")
}

// TestPublishedIsEveryPartysLastWord_EXIT3 (property): after any sequence of agreements and
// withdrawals by any organisations, in any state, the flow is published exactly when it is in
// force and every party's last successful act was to agree; refusals change nothing.
func TestPublishedIsEveryPartysLastWord_EXIT3(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		w := newWorld()
		st := rapid.SampledFrom(agreement.FlowStates()).Draw(rt, "state")
		s, f := w.inState(t, st)
		actors := []agreement.Actor{w.officer, w.councilOfficer, w.policeOfficer, w.stranger}
		agreed := map[agreement.OrgID]bool{}
		for i := range rapid.IntRange(0, 12).Draw(rt, "steps") {
			a := rapid.SampledFrom(actors).Draw(rt, fmt.Sprint("actor", i))
			withdraw := rapid.Bool().Draw(rt, fmt.Sprint("withdraw", i))
			before := f.Clone()
			var err error
			if withdraw {
				f, _, err = agreement.WithdrawPublication(f, a, w.now)
			} else {
				f, _, err = agreement.ConsentToPublish(f, a, w.now)
			}
			if err != nil {
				assert.Equal(rt, before, f)
				continue
			}
			agreed[a.Org] = !withdraw
		}
		want := st.InForce() && agreed[w.trust] && agreed[w.council] && agreed[w.police]
		assert.Equal(rt, want, f.Published())
		_, ok := agreement.NewRegisterEntry(f, s, nil)
		assert.Equal(rt, want, ok)
	})
}

// TestRegisterEntryCopiesNoFreeText_EXIT3: the entry holds what EXIT-3 names and none of the
// flow's other free text (controls, transfer details, privacy answers) or the summary's
// (benefits, contacts, details); the sides are shown as sends and receives, both ways for a
// two-way flow.
func TestRegisterEntryCopiesNoFreeText_EXIT3(t *testing.T) {
	w := newWorld()
	s, f := w.inState(t, agreement.Signed)
	f.Controls, f.TransferDetails = []string{"SECRET-control"}, "SECRET-transfer"
	f.PrivacyAnswers = map[string]string{"q1": "SECRET-answer"}
	s.Benefits, s.InformationDetails = "SECRET-benefits", "SECRET-details"
	s.Contacts = []agreement.Contact{{Name: "SECRET-contact", Email: "secret@example.org"}}
	f.Direction, f.From, f.To = agreement.TwoWay, []agreement.OrgID{w.trust}, []agreement.OrgID{w.council, w.police}
	for _, a := range []agreement.Actor{w.officer, w.councilOfficer, w.policeOfficer} {
		var err error
		f, _, err = agreement.ConsentToPublish(f, a, w.now)
		require.NoError(t, err)
	}
	_, ok := agreement.NewRegisterEntry(f, w.summary(t), nil)
	assert.False(t, ok, "another summary than the flow's")
	e, ok := agreement.NewRegisterEntry(f, s, map[agreement.OrgID]string{w.trust: "Trust", w.council: "Council", w.police: "Police"})
	require.True(t, ok)
	b, err := json.Marshal(e)
	require.NoError(t, err)
	assert.NotContains(t, strings.ToLower(string(b)), "secret")
	for _, c := range f.Publication {
		assert.NotContains(t, string(b), c.By.String(), "who agreed is not published")
	}
	assert.Equal(t, []agreement.RegisterParty{{Org: w.trust, Name: "Trust", Sends: true, Receives: true},
		{Org: w.council, Name: "Council", Sends: true, Receives: true}, {Org: w.police, Name: "Police", Sends: true, Receives: true}}, e.Parties)
	assert.Equal(t, s.ReviewDueAt(), e.ReviewDue)
	assert.True(t, slices.Equal(s.InformationShared, e.Categories))
}

// A flow in force goes on the public register when its two parties have agreed (EXIT-3).
func ExampleConsentToPublish() {
	trust, council := agreement.OrgID{UUID: [16]byte{15: 1}}, agreement.OrgID{UUID: [16]byte{15: 2}}
	f := agreement.Flow{ID: agreement.FlowID{UUID: [16]byte{15: 9}}, State: agreement.Signed,
		FlowTerms: agreement.FlowTerms{Name: "Referrals", Parties: []agreement.OrgID{trust, council}}}
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, a := range []agreement.Actor{
		{User: agreement.UserID{UUID: [16]byte{15: 3}}, Org: trust},
		{User: agreement.UserID{UUID: [16]byte{15: 4}}, Org: council},
	} {
		var events []agreement.Event
		f, events, _ = agreement.ConsentToPublish(f, a, now)
		fmt.Println(eventTypes(events), "published:", f.Published())
	}
	// Output:
	// [flow.publication_agreed] published: false
	// [flow.publication_agreed flow.published] published: true
}

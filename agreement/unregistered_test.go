package agreement_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/isgkit/gateway/agreement"
)

// placeholder is an unregistered party with a fresh placeholder ID.
func (w *world) placeholder(ico, name string) agreement.UnregisteredParty {
	return agreement.UnregisteredParty{Org: w.org(), ICONumber: ico, Name: name}
}

// TestNameUnregisteredORG11: ORG-11 — a summary names an organisation not yet registered by its
// ICO number and name; it joins the summary's organisations, is listed as not registered, and
// a flow may then name it (FLOW-11). The number has registration's shape (REG-7) and is kept in
// upper case; naming it twice changes nothing; only an organisation that sees the summary names.
func TestNameUnregisteredORG11(t *testing.T) {
	w := newWorld()
	s := w.summary(t)
	p := w.placeholder("z9876543", "Leeds Mind")

	named, err := s.NameUnregistered(w.councilOfficer, w.now.Add(1), p)
	require.NoError(t, err)
	assert.True(t, named.Names(p.Org))
	assert.True(t, named.IsUnregistered(p.Org))
	assert.False(t, named.IsUnregistered(w.council))
	assert.Equal(t, []agreement.UnregisteredParty{{Org: p.Org, ICONumber: "Z9876543", Name: "Leeds Mind"}}, named.Unregistered)
	assert.Equal(t, s.Rev+1, named.Rev, "a content revision, logged like any edit")
	assert.Equal(t, w.councilOfficer.User, named.UpdatedBy)
	assert.Empty(t, s.Unregistered, "the receiver is unchanged")
	assert.Len(t, s.Organisations, 3, "the receiver is unchanged")

	again, err := named.NameUnregistered(w.officer, w.now.Add(2), agreement.UnregisteredParty{Org: p.Org, ICONumber: "Z9876543", Name: "Mind in Leeds"})
	require.NoError(t, err)
	assert.Equal(t, named, again, "naming it twice leaves the summary as it is, first name kept")

	// FLOW-11 then just works: a flow names the placeholder like any organisation of the summary.
	terms := w.flowTerms()
	terms.Parties, terms.To = []agreement.OrgID{w.trust, p.Org}, []agreement.OrgID{p.Org}
	f, err := agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, named, w.officer, w.now, terms)
	require.NoError(t, err)
	assert.Equal(t, []agreement.OrgID{p.Org}, f.PendingParties(named))
	assert.Equal(t, []agreement.UnregisteredParty{named.Unregistered[0]}, named.UnregisteredOf(f.Parties))
	_, err = agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, s, w.officer, w.now, terms)
	assert.Contains(t, fieldCodes(t, err), "parties[1]/not_on_summary", "without naming it, FLOW-11 refuses it")

	tests := []struct {
		name  string
		actor agreement.Actor
		p     agreement.UnregisteredParty
		want  []string
	}{
		{"REG-7 shape: too short", w.officer, agreement.UnregisteredParty{Org: w.org(), ICONumber: "Z12345", Name: "X"}, []string{"ico_number/ico_number"}},
		{"REG-7 shape: starts with a digit", w.officer, agreement.UnregisteredParty{Org: w.org(), ICONumber: "12345678", Name: "X"}, []string{"ico_number/ico_number"}},
		{"REG-7 shape: a non-ASCII letter is not upper-cased into shape", w.officer, agreement.UnregisteredParty{Org: w.org(), ICONumber: "Z123456ß", Name: "X"}, []string{"ico_number/ico_number"}},
		{"ORG-11 name and number required", w.officer, agreement.UnregisteredParty{Org: w.org()}, []string{"ico_number/required", "name/required"}},
		{"ORG-11 name too long", w.officer, agreement.UnregisteredParty{Org: w.org(), ICONumber: "Z1234567", Name: string(make([]byte, 201))}, []string{"name/max"}},
		{"placeholder ID required", w.officer, agreement.UnregisteredParty{ICONumber: "Z1234567", Name: "X"}, []string{"org/required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.NameUnregistered(tt.actor, w.now, tt.p)
			require.ErrorIs(t, err, agreement.ErrInvalid)
			assert.ElementsMatch(t, tt.want, fieldCodes(t, err))
		})
	}
	t.Run("SUM-3 an organisation that cannot see the summary", func(t *testing.T) {
		_, err := s.NameUnregistered(w.stranger, w.now, p)
		require.ErrorIs(t, err, agreement.ErrForbidden)
		assert.Equal(t, agreement.CodeSummaryNotVisible, agreement.Code(err))
		_, err = s.NameOrganisation(w.stranger, w.now, w.outsider)
		require.ErrorIs(t, err, agreement.ErrForbidden)
	})
	t.Run("SUM-1 at most 1000 organisations", func(t *testing.T) {
		full := s
		full.Organisations = nil
		for range 1000 {
			full.Organisations = append(full.Organisations, agreement.OrgID{UUID: uuid.New()})
		}
		full.Organisations[0] = w.trust
		_, err := full.NameUnregistered(w.officer, w.now, p)
		assert.Equal(t, []string{"organisations/max"}, fieldCodes(t, err))
	})
}

// TestNameOrganisationORG11: ORG-11 — an ICO number a registered organisation holds names that
// organisation: it joins Organisations, is not listed as unregistered; naming it again is a no-op.
func TestNameOrganisationORG11(t *testing.T) {
	w := newWorld()
	s := w.summary(t)
	n, err := s.NameOrganisation(w.officer, w.now, w.outsider)
	require.NoError(t, err)
	assert.True(t, n.Names(w.outsider))
	assert.Empty(t, n.Unregistered)
	same, err := n.NameOrganisation(w.officer, w.now, w.outsider)
	require.NoError(t, err)
	assert.Equal(t, n, same)
}

// TestUpdateKeepsUnregisteredInStepORG11: ORG-11 — an edit that keeps a placeholder keeps its
// entry; one that removes it drops the entry, so a removed organisation is never shown as a
// party not registered; and a flow still naming it keeps it on the summary (FLOW-11).
func TestUpdateKeepsUnregisteredInStepORG11(t *testing.T) {
	w := newWorld()
	p := w.placeholder("Z9876543", "Leeds Mind")
	s, err := w.summary(t).NameUnregistered(w.officer, w.now, p)
	require.NoError(t, err)

	kept := s.SummaryTerms
	kept.Title = "Renamed"
	k, err := s.Update(w.officer, w.now, kept, nil)
	require.NoError(t, err)
	assert.Equal(t, s.Unregistered, k.Unregistered)

	dropped := s.SummaryTerms
	dropped.Organisations = []agreement.OrgID{w.trust, w.council}
	d, err := s.Update(w.officer, w.now, dropped, nil)
	require.NoError(t, err)
	assert.Empty(t, d.Unregistered)
	assert.False(t, d.IsUnregistered(p.Org))

	terms := w.flowTerms()
	terms.Parties, terms.To = []agreement.OrgID{w.trust, p.Org}, []agreement.OrgID{p.Org}
	f, err := agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, s, w.officer, w.now, terms)
	require.NoError(t, err)
	_, err = s.Update(w.officer, w.now, dropped, []agreement.Flow{f})
	assert.Equal(t, agreement.CodeOrgInFlow, agreement.Code(err))
}

// TestCheckReviewRequestRefusesUnregisteredORG11: ORG-11 — a placeholder cannot be asked to
// review: the request names dpos[i].org; a request to registered parties passes.
func TestCheckReviewRequestRefusesUnregisteredORG11(t *testing.T) {
	w := newWorld()
	p := w.placeholder("Z9876543", "Leeds Mind")
	s, err := w.summary(t).NameUnregistered(w.officer, w.now, p)
	require.NoError(t, err)
	ok := agreement.ReviewRequest{DPOs: []agreement.Reviewer{{DPO: w.councilDPO.User, Org: w.council}}, ReviewBy: w.now.AddDate(0, 0, 7)}
	require.NoError(t, s.CheckReviewRequest(ok))
	bad := ok
	bad.DPOs = []agreement.Reviewer{{DPO: w.councilDPO.User, Org: w.council}, {DPO: w.user(), Org: p.Org}}
	err = s.CheckReviewRequest(bad)
	require.ErrorIs(t, err, agreement.ErrInvalid)
	assert.Equal(t, []string{"dpos[1].org/" + agreement.FieldCodeUnregistered}, fieldCodes(t, err))
	assert.Equal(t, "ORG-11", ruleOf(t, err))
}

// TestPendingPartiesBlockSignedORG11: ORG-11 — PendingParties, the predicate sign-off reads, lists
// the flow's placeholder parties in party order while they are not registered, and none once the
// summary no longer lists them (they joined: JoinedParties); it answers nothing for another
// summary than the flow's.
func TestPendingPartiesBlockSignedORG11(t *testing.T) {
	w := newWorld()
	p1, p2 := w.placeholder("Z1111111", "One"), w.placeholder("Z2222222", "Two")
	s, err := w.summary(t).NameUnregistered(w.officer, w.now, p1)
	require.NoError(t, err)
	s, err = s.NameUnregistered(w.officer, w.now, p2)
	require.NoError(t, err)
	terms := w.flowTerms()
	terms.Parties, terms.To = []agreement.OrgID{p2.Org, w.trust, p1.Org}, []agreement.OrgID{p2.Org, p1.Org}
	f, err := agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, s, w.officer, w.now, terms)
	require.NoError(t, err)
	assert.Equal(t, []agreement.OrgID{p2.Org, p1.Org}, f.PendingParties(s))

	other := w.summary(t)
	assert.Nil(t, f.PendingParties(other), "another summary's list says nothing of this flow")

	// p1 joins as the council: the Gateway replaces it in the lists and drops its entry.
	joined := s
	joined.Unregistered = s.JoinedParties(p1.Org)
	assert.Equal(t, []agreement.OrgID{p2.Org}, f.PendingParties(joined))
	assert.Len(t, s.Unregistered, 2, "JoinedParties leaves the summary unchanged")
	joined.Unregistered = joined.JoinedParties(p2.Org)
	assert.Empty(t, f.PendingParties(joined))

	plain := w.flow(t, w.summary(t))
	assert.Empty(t, plain.PendingParties(w.summary(t)))
}

// TestCopySummaryKeepsUnregisteredORG11: SUM-4, ORG-11 — a copy names the same organisations, so
// the same ones are shown as not registered, in a list of its own.
func TestCopySummaryKeepsUnregisteredORG11(t *testing.T) {
	w := newWorld()
	p := w.placeholder("Z9876543", "Leeds Mind")
	s, err := w.summary(t).NameUnregistered(w.officer, w.now, p)
	require.NoError(t, err)
	cp, err := agreement.CopySummary(s, nil, nil, w.officer, w.now, func() uuid.UUID { return w.uuid() })
	require.NoError(t, err)
	assert.Equal(t, s.Unregistered, cp.Summary.Unregistered)
	cp.Summary.Unregistered[0].Name = "changed"
	assert.Equal(t, "Leeds Mind", s.Unregistered[0].Name, "the copy shares no memory with the source")
}

// TestSummaryCloneSharesNothing walks every field of Summary by reflection, so a slice field added
// later without a deep copy in Clone fails here (Unregistered included, ORG-11).
func TestSummaryCloneSharesNothing(t *testing.T) {
	w := newWorld()
	s, err := w.summary(t).NameUnregistered(w.officer, w.now, w.placeholder("Z9876543", "Leeds Mind"))
	require.NoError(t, err)
	s.Contacts = []agreement.Contact{{Name: "A"}}
	s.Documents = []agreement.DocumentRef{{ID: agreement.DocumentID{UUID: w.uuid()}, Name: "d"}}
	c := s.Clone()
	assert.Equal(t, s, c)
	v, cv := reflect.ValueOf(s), reflect.ValueOf(c)
	var walk func(a, b reflect.Value, path string)
	walk = func(a, b reflect.Value, path string) {
		switch a.Kind() {
		case reflect.Struct:
			for i := range a.NumField() {
				walk(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name)
			}
		case reflect.Slice, reflect.Map:
			if a.Len() == 0 {
				t.Errorf("%s: give the test a non-empty value so the copy is checked", path)
				return
			}
			assert.NotEqual(t, a.Pointer(), b.Pointer(), "%s shares memory with the original", path)
		}
	}
	walk(v, cv, "Summary")
}

// TestUnregisteredStaysWithinOrganisationsProperty: ORG-11 — whatever sequence of namings and
// edits, every party listed as not registered is one of the summary's organisations, listed once,
// and the flows' pending parties are exactly their placeholder parties.
func TestUnregisteredStaysWithinOrganisationsProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		w := newWorld()
		s := w.summary(rt)
		pool := []agreement.UnregisteredParty{w.placeholder("Z1111111", "One"), w.placeholder("Z2222222", "Two"), w.placeholder("Z3333333", "Three")}
		for range rapid.IntRange(1, 12).Draw(rt, "steps") {
			switch rapid.IntRange(0, 2).Draw(rt, "op") {
			case 0:
				p := rapid.SampledFrom(pool).Draw(rt, "p")
				n, err := s.NameUnregistered(w.officer, w.now, p)
				require.NoError(rt, err)
				s = n
			case 1:
				terms := s.SummaryTerms
				var keep []agreement.OrgID
				for i, o := range terms.Organisations {
					if i == 0 || rapid.Bool().Draw(rt, "keep") {
						keep = append(keep, o)
					}
				}
				terms.Organisations = keep
				n, err := s.Update(w.officer, w.now, terms, nil)
				require.NoError(rt, err)
				s = n
			case 2:
				p := rapid.SampledFrom(pool).Draw(rt, "joined")
				s.Organisations = slices.DeleteFunc(slices.Clone(s.Organisations), func(o agreement.OrgID) bool { return o == p.Org })
				s.Unregistered = s.JoinedParties(p.Org)
			}
			seen := map[agreement.OrgID]bool{}
			for _, p := range s.Unregistered {
				if !s.Names(p.Org) {
					rt.Fatalf("%s is listed as not registered but not named", p.Org)
				}
				if seen[p.Org] {
					rt.Fatalf("%s is listed twice", p.Org)
				}
				seen[p.Org] = true
			}
			for _, p := range pool {
				if s.Names(p.Org) != s.IsUnregistered(p.Org) {
					rt.Fatalf("%s named %v but unregistered %v", p.Org, s.Names(p.Org), s.IsUnregistered(p.Org))
				}
			}
		}
	})
}

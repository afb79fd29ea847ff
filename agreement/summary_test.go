package agreement_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
)

// TestNewSummaryValidation (SUM-1): a summary records organisations, data asset, purpose,
// benefits, format, review cycle and what is shared; Law Enforcement asks for the
// competent-authority details.
func TestNewSummaryValidation(t *testing.T) {
	w := newWorld()
	tests := []struct {
		name   string
		change func(*agreement.SummaryTerms)
		want   []string
	}{
		{"SUM-1 empty purpose", func(s *agreement.SummaryTerms) { s.Purpose = "" }, []string{"purpose/required"}},
		{"SUM-1 no organisations", func(s *agreement.SummaryTerms) { s.Organisations = nil }, []string{"organisations/min"}},
		{"SUM-1 zero organisation", func(s *agreement.SummaryTerms) { s.Organisations = []agreement.OrgID{{}} }, []string{"organisations[0]/required"}},
		{"SUM-1 duplicate organisation", func(s *agreement.SummaryTerms) { s.Organisations = []agreement.OrgID{w.trust, w.trust} }, []string{"organisations[1]/duplicate"}},
		{"SUM-1 missing asset, benefits, format", func(s *agreement.SummaryTerms) { s.DataAsset, s.Benefits, s.Format = "", "", "" },
			[]string{"data_asset/required", "benefits/required", "format/required"}},
		{"review cycle above 12", func(s *agreement.SummaryTerms) { s.ReviewCycleMonths = 13 }, []string{"review_cycle_months/max"}},
		{"review cycle negative", func(s *agreement.SummaryTerms) { s.ReviewCycleMonths = -1 }, []string{"review_cycle_months/min"}},
		{"SUM-1 unknown category", func(s *agreement.SummaryTerms) { s.InformationShared = []agreement.InfoCategory{"gossip"} }, []string{"information_shared[0]/oneof"}},
		{"SUM-1 nothing shared", func(s *agreement.SummaryTerms) { s.InformationShared = nil }, []string{"information_shared/required"}},
		{"SUM-1 law enforcement without competent authority", func(s *agreement.SummaryTerms) { s.LawEnforcement = true },
			[]string{"competent_authority.name/required", "competent_authority.statutory_basis/required", "competent_authority.purposes/required"}},
		{"SUM-1 competent authority without law enforcement", func(s *agreement.SummaryTerms) {
			s.CompetentAuthority = agreement.CompetentAuthority{Name: "West Yorkshire Police"}
		}, []string{"competent_authority/excluded_unless"}},
		{"bad contact e-mail", func(s *agreement.SummaryTerms) { s.Contacts = []agreement.Contact{{Name: "A", Email: "nope"}} }, []string{"contacts[0].email/email"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := w.summaryTerms()
			tt.change(&in)
			_, err := agreement.NewSummary(agreement.SummaryID{UUID: w.uuid()}, w.officer, w.now, in)
			require.ErrorIs(t, err, agreement.ErrInvalid)
			assert.ElementsMatch(t, tt.want, fieldCodes(t, err))
		})
	}
}

func TestNewSummaryDefaultsAndLawEnforcement(t *testing.T) {
	w := newWorld()
	in := w.summaryTerms()
	in.LawEnforcement = true
	in.CompetentAuthority = agreement.CompetentAuthority{Name: "Police", StatutoryBasis: "DPA 2018 Sch.7 para 8", Purposes: "Prevention of crime"}
	s, err := agreement.NewSummary(agreement.SummaryID{UUID: w.uuid()}, w.officer, w.now, in)
	require.NoError(t, err)
	assert.Equal(t, agreement.DefaultReviewCycleMonths, s.ReviewCycleMonths, "LIFE-1 default 12")
	assert.Equal(t, int64(1), s.Rev)
	assert.True(t, s.LawEnforcement)

	in.Organisations[0] = w.outsider
	assert.Equal(t, w.trust, s.Organisations[0], "the summary does not share the caller's slice")
}

// TestSummaryUpdate: only named or creating organisations edit (SUM-3); an organisation a flow
// names stays on the summary (FLOW-11); the Law Enforcement category stays while a flow relies on
// it (SUM-1).
func TestSummaryUpdate(t *testing.T) {
	w := newWorld()
	s := w.summary(t)
	f := w.flow(t, s)

	t.Run("no change keeps the revision", func(t *testing.T) {
		n, err := s.Update(w.councilOfficer, w.now, w.summaryTerms(), []agreement.Flow{f})
		require.NoError(t, err)
		assert.Equal(t, s, n)
	})
	t.Run("a named organisation edits", func(t *testing.T) {
		in := w.summaryTerms()
		in.Purpose = "Protect children and young people"
		n, err := s.Update(w.councilOfficer, w.now.Add(time.Hour), in, []agreement.Flow{f})
		require.NoError(t, err)
		assert.Equal(t, int64(2), n.Rev)
		assert.Equal(t, "Protect children at risk", s.Purpose, "receiver untouched")
	})
	t.Run("SUM-3 an outsider cannot edit", func(t *testing.T) {
		_, err := s.Update(w.stranger, w.now, w.summaryTerms(), nil)
		assert.ErrorIs(t, err, agreement.ErrForbidden)
		assert.Equal(t, "SUM-3", ruleOf(t, err))
	})
	t.Run("FLOW-11 cannot drop an organisation a flow names", func(t *testing.T) {
		in := w.summaryTerms()
		in.Organisations = []agreement.OrgID{w.trust, w.police}
		_, err := s.Update(w.officer, w.now, in, []agreement.Flow{f})
		assert.ErrorIs(t, err, agreement.ErrRule)
		assert.Equal(t, agreement.CodeOrgInFlow, agreement.Code(err))
		// without that flow the same edit is fine
		_, err = s.Update(w.officer, w.now, in, nil)
		assert.NoError(t, err)
	})
}

func TestSummaryKeepsLawEnforcementForItsFlows(t *testing.T) {
	w := newWorld()
	in := w.summaryTerms()
	in.LawEnforcement = true
	in.CompetentAuthority = agreement.CompetentAuthority{Name: "Police", StatutoryBasis: "Sch.7", Purposes: "Investigation"}
	s, err := agreement.NewSummary(agreement.SummaryID{UUID: w.uuid()}, w.officer, w.now, in)
	require.NoError(t, err)
	ft := w.flowTerms()
	ft.LawEnforcementData = true
	ft.LegalBases = []agreement.LegalBasis{{Basis: agreement.DPA2018Part3LawEnforcement, Instrument: "DPA 2018 s.35"}}
	f, err := agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, s, w.officer, w.now, ft)
	require.NoError(t, err)

	in.LawEnforcement = false
	in.CompetentAuthority = agreement.CompetentAuthority{}
	_, err = s.Update(w.officer, w.now, in, []agreement.Flow{f})
	require.ErrorIs(t, err, agreement.ErrRule)
	assert.Equal(t, "SUM-1", ruleOf(t, err))
}

// TestVisibility (SUM-3): a summary is visible to the organisations named in it and its creator;
// a flow only to those named in the flow and its creator, not to everyone on the summary.
func TestVisibility(t *testing.T) {
	w := newWorld()
	s := w.summary(t) // trust, council, police
	f := w.flow(t, s) // trust, council; created by trust
	byCouncil, err := agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, s, w.councilOfficer, w.now, func() agreement.FlowTerms {
		ft := w.flowTerms()
		ft.Parties, ft.From, ft.To = []agreement.OrgID{w.trust, w.police}, []agreement.OrgID{w.trust}, []agreement.OrgID{w.police}
		return ft
	}())
	require.NoError(t, err)

	tests := []struct {
		name                   string
		org                    agreement.OrgID
		summary, flow, council bool
	}{
		{"creator", w.trust, true, true, true},
		{"named in summary and flow", w.council, true, true, true},
		{"named in summary only", w.police, true, false, true},
		{"outsider", w.outsider, false, false, false},
		{"zero org", agreement.OrgID{}, false, false, false},
	}
	for _, tt := range tests {
		t.Run("SUM-3 "+tt.name, func(t *testing.T) {
			assert.Equal(t, tt.summary, agreement.CanSeeSummary(tt.org, s))
			assert.Equal(t, tt.flow, agreement.CanSeeFlow(tt.org, f))
			assert.Equal(t, tt.council, agreement.CanSeeFlow(tt.org, byCouncil), "the creator sees a flow it is not named in")
		})
	}
	assert.Len(t, agreement.VisibleFlows(w.police, []agreement.Flow{f, byCouncil}), 1, "listing counts only what the caller may see")

	// a summary created by an organisation not named in it is still the creator's to see
	in := w.summaryTerms()
	in.Organisations = []agreement.OrgID{w.council, w.police}
	s2, err := agreement.NewSummary(agreement.SummaryID{UUID: w.uuid()}, w.officer, w.now, in)
	require.NoError(t, err)
	assert.True(t, agreement.CanSeeSummary(w.trust, s2))
	_, err = agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, s2, w.stranger, w.now, w.flowTerms())
	assert.ErrorIs(t, err, agreement.ErrForbidden, "SUM-3: an outsider cannot add a flow")
}

// TestSummaryHoldsManyFlows (SUM-2): a summary holds any number of flows, each pointing to it.
func TestSummaryHoldsManyFlows(t *testing.T) {
	w := newWorld()
	s := w.summary(t)
	var flows []agreement.Flow
	for range 25 {
		flows = append(flows, w.flow(t, s))
	}
	for _, f := range flows {
		assert.Equal(t, s.ID, f.SummaryID)
	}
	c, err := agreement.CopySummary(s, flows, nil, w.officer, w.now, w.uuid)
	require.NoError(t, err)
	assert.Len(t, c.Flows, 25)
}

// TestReviewDue (LIFE-1): a review cycle of 1–12 months, default 12; review due once the last
// review plus the cycle is reached.
func TestReviewDue(t *testing.T) {
	w := newWorld()
	in := w.summaryTerms()
	in.ReviewCycleMonths = 3
	s, err := agreement.NewSummary(agreement.SummaryID{UUID: w.uuid()}, w.officer, w.now, in)
	require.NoError(t, err)
	tests := []struct {
		name string
		at   time.Time
		due  bool
	}{
		{"a day before", w.now.AddDate(0, 3, -1), false},
		{"a nanosecond before", w.now.AddDate(0, 3, 0).Add(-1), false},
		{"when reached", w.now.AddDate(0, 3, 0), true},
		{"after", w.now.AddDate(1, 0, 0), true},
	}
	for _, tt := range tests {
		t.Run("LIFE-1 "+tt.name, func(t *testing.T) {
			assert.Equal(t, tt.due, s.ReviewDue(tt.at))
		})
	}
	r, err := s.MarkReviewed(w.councilOfficer, w.now.AddDate(0, 4, 0))
	require.NoError(t, err)
	assert.False(t, r.ReviewDue(w.now.AddDate(0, 6, 0)), "a review starts a new cycle")
	assert.True(t, r.ReviewDue(w.now.AddDate(0, 7, 0)))
	assert.Equal(t, s.Rev, r.Rev)
	_, err = s.MarkReviewed(w.stranger, w.now)
	assert.ErrorIs(t, err, agreement.ErrForbidden)

	def := w.summary(t)
	assert.Equal(t, w.now.AddDate(1, 0, 0), def.ReviewDueAt(), "default cycle 12 months")
}

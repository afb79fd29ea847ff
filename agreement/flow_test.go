package agreement_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
)

// TestNewFlowValidation (FLOW-1, FLOW-11): typed field errors for every kind of bad input.
func TestNewFlowValidation(t *testing.T) {
	w := newWorld()
	s := w.summary(t)
	art6 := agreement.LegalBasis{Basis: "A6-1-e", Instrument: "Children Act 1989"}
	art9 := agreement.LegalBasis{Basis: "A9-2-h", Instrument: "DPA 2018 Sch.1 para 2"}
	tests := []struct {
		name   string
		change func(*agreement.FlowTerms)
		want   []string
	}{
		{"FLOW-11 party not on the summary", func(f *agreement.FlowTerms) {
			f.Parties = []agreement.OrgID{w.trust, w.outsider}
			f.To = []agreement.OrgID{w.outsider}
		}, []string{"parties[1]/not_on_summary"}},
		{"FLOW-1 one party only", func(f *agreement.FlowTerms) { f.Parties, f.To = []agreement.OrgID{w.trust}, []agreement.OrgID{w.trust} },
			[]string{"parties/min", "to[0]/direction_overlap"}},
		{"FLOW-1 sender not a party", func(f *agreement.FlowTerms) { f.From = []agreement.OrgID{w.police} }, []string{"from[0]/not_party"}},
		{"FLOW-1 one-way to itself", func(f *agreement.FlowTerms) { f.To = []agreement.OrgID{w.trust, w.council} }, []string{"to[0]/direction_overlap"}},
		{"FLOW-1 unknown direction, frequency, mode", func(f *agreement.FlowTerms) {
			f.Direction, f.Frequency, f.TransferMode = "sideways", "hourly", "pigeon"
		},
			[]string{"direction/oneof", "frequency/oneof", "transfer_mode/oneof"}},
		{"FLOW-1 no controls", func(f *agreement.FlowTerms) { f.Controls = nil }, []string{"controls/min"}},
		{"FLOW-1 missing Art. 9 condition", func(f *agreement.FlowTerms) { f.SpecialCategoryData = true }, []string{"legal_bases/art9_required"}},
		{"FLOW-1 Art. 9 without Art. 6", func(f *agreement.FlowTerms) {
			f.SpecialCategoryData = true
			f.LegalBases = []agreement.LegalBasis{art9}
		}, []string{"legal_bases/art6_required"}},
		{"FLOW-1 personal data without a basis", func(f *agreement.FlowTerms) { f.LegalBases = nil }, []string{"legal_bases/art6_required"}},
		{"FLOW-1 bad legal basis identifiers", func(f *agreement.FlowTerms) {
			f.LegalBases = []agreement.LegalBasis{art6, {Basis: "Art6(1)(g)", Instrument: "x"}, {Basis: "A9-2-k", Instrument: "x"}, {Basis: "", Instrument: "x"}}
		}, []string{"legal_bases[1].basis/legal_basis", "legal_bases[2].basis/legal_basis", "legal_bases[3].basis/legal_basis"}},
		{"FLOW-1 basis without instrument", func(f *agreement.FlowTerms) { f.LegalBases = []agreement.LegalBasis{{Basis: "A6-1-e"}} },
			[]string{"legal_bases[0].instrument/required"}},
		{"FLOW-1 same basis twice in two spellings", func(f *agreement.FlowTerms) {
			f.LegalBases = []agreement.LegalBasis{art6, {Basis: "Art. 6(1)(e)", Instrument: "y"}}
		}, []string{"legal_bases[1].basis/duplicate"}},
		{"FLOW-1 special category not marked personal", func(f *agreement.FlowTerms) {
			f.PersonalData, f.SpecialCategoryData = false, true
			f.LegalBases = []agreement.LegalBasis{art6, art9}
		}, []string{"personal_data/requires_personal_data"}},
		{"FLOW-1 law enforcement needs DPA 2018 Part 3 and SUM-1 a law-enforcement summary", func(f *agreement.FlowTerms) { f.LawEnforcementData = true },
			[]string{"legal_bases/dpa2018_part3_required", "law_enforcement_data/summary_not_law_enforcement"}},
		{"FLOW-1 Part 3 on a flow without law enforcement", func(f *agreement.FlowTerms) {
			f.LegalBases = append(f.LegalBases, agreement.LegalBasis{Basis: "DPA 2018 Part 3", Instrument: "s.31"})
		}, []string{"legal_bases/part3_without_law_enforcement"}},
		{"nil asset", func(f *agreement.FlowTerms) { f.Assets = []uuid.UUID{uuid.Nil} }, []string{"assets[0]/required"}},
		{"empty screening question code", func(f *agreement.FlowTerms) { f.PrivacyAnswers = map[string]string{"": "yes"} }, []string{"privacy_answers[]/required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := w.flowTerms()
			tt.change(&in)
			_, err := agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, s, w.officer, w.now, in)
			require.ErrorIs(t, err, agreement.ErrInvalid)
			assert.ElementsMatch(t, tt.want, fieldCodes(t, err))
			assert.ElementsMatch(t, tt.want, fieldCodes(t, agreement.CheckFlowTerms(s, in)), "CheckFlowTerms agrees")
		})
	}
}

func TestNewFlowAcceptsAndCanonicalises(t *testing.T) {
	w := newWorld()
	s := w.summary(t)
	in := w.flowTerms()
	in.SpecialCategoryData = true
	in.LegalBases = []agreement.LegalBasis{
		{Basis: "Art. 6(1)(e)", Instrument: "Children Act 1989"},
		{Basis: "eu-gdpr:A9-2-h", Instrument: "DPA 2018 Sch.1 para 2"},
	}
	in.Assets = []uuid.UUID{w.uuid()}
	f, err := agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, s, w.councilOfficer, w.now, in)
	require.NoError(t, err)
	assert.Equal(t, agreement.Draft, f.State)
	assert.Equal(t, agreement.Art6PublicTask, f.LegalBases[0].Basis)
	assert.Equal(t, agreement.Art9HealthSocialCare, f.LegalBases[1].Basis)
	assert.Equal(t, "Art. 6(1)(e)", string(in.LegalBases[0].Basis), "caller's input untouched")
	assert.Equal(t, w.council, f.CreatedByOrg)
	assert.True(t, f.NeedsDPOApproval())

	in.PrivacyAnswers["q1"] = "changed"
	assert.Equal(t, "yes", f.PrivacyAnswers["q1"], "the flow does not share the caller's map")
}

func TestTwoWayFlowNeedsNoDisjointSides(t *testing.T) {
	w := newWorld()
	s := w.summary(t)
	in := w.flowTerms()
	in.Direction = agreement.TwoWay
	in.From, in.To = []agreement.OrgID{w.trust}, []agreement.OrgID{w.council}
	_, err := agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, s, w.officer, w.now, in)
	require.NoError(t, err)
}

func TestNewFlowNeedsIDs(t *testing.T) {
	w := newWorld()
	s := w.summary(t)
	_, err := agreement.NewFlow(agreement.FlowID{}, s, w.officer, w.now, w.flowTerms())
	require.ErrorIs(t, err, agreement.ErrInvalid)
	assert.Contains(t, fieldCodes(t, err), "id/required")
}

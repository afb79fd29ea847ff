package assurance_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/assurance"
)

type wantField struct{ field, code, rule string }

func fieldsOf(t *testing.T, err error) []wantField {
	t.Helper()
	if err == nil {
		return nil
	}
	require.ErrorIs(t, err, assurance.ErrInvalid)
	var e *assurance.Error
	require.ErrorAs(t, err, &e)
	var got []wantField
	for _, f := range e.Fields {
		assert.NotEmpty(t, f.Message, "field %s has a message", f.Field)
		got = append(got, wantField{f.Field, f.Code, f.Rule})
	}
	return got
}

func dspt() *assurance.DSPToolkit {
	return &assurance.DSPToolkit{StandardsMet: ptr(true), Year: 2024, Score: ptr(95), Evidence: "doc-7"}
}

// ASR-1: every item of a submission, including the conditional ones.
func TestValidate_ASR1(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(s *assurance.Submission)
		want   []wantField
		wantOK bool
	}{
		{name: "complete submission", edit: func(*assurance.Submission) {}, wantOK: true},
		{name: "lower-case ICO number is accepted", edit: func(s *assurance.Submission) { s.ICONumber = "za123456" }, wantOK: true},
		{name: "older ICO letter prefix", edit: func(s *assurance.Submission) { s.ICONumber = "A1234567" }, wantOK: true},
		{name: "ICO number too short", edit: func(s *assurance.Submission) { s.ICONumber = "Z123456" },
			want: []wantField{{"ico_number", "ico_number", "ASR-1"}}},
		{name: "ICO number starting with a digit", edit: func(s *assurance.Submission) { s.ICONumber = "12345678" },
			want: []wantField{{"ico_number", "ico_number", "ASR-1"}}},
		{name: "ICO number with a symbol", edit: func(s *assurance.Submission) { s.ICONumber = "Z123-567" },
			want: []wantField{{"ico_number", "ico_number", "ASR-1"}}},
		{name: "ICO number without expiry", edit: func(s *assurance.Submission) { s.ICOExpiresAt = time.Time{} },
			want: []wantField{{"ico_expires_at", "required", "ASR-1"}, {"improvement_plan", "required", "ASR-4"}}},
		{name: "ICO expiry without number", edit: func(s *assurance.Submission) { s.ICONumber = ""; s.ImprovementPlan = "register" },
			want: []wantField{{"ico_number", "required", "ASR-1"}}},
		{name: "missing standard", edit: func(s *assurance.Submission) { s.Standard = ""; s.ImprovementPlan = "plan" },
			want: []wantField{{"standard", "required", "ASR-1"}}},
		{name: "unknown standard", edit: func(s *assurance.Submission) { s.Standard = "iso_9001"; s.ImprovementPlan = "plan" },
			want: []wantField{{"standard", "oneof", "ASR-1"}}},
		{name: "other standard named", edit: func(s *assurance.Submission) {
			s.Standard, s.StandardOther = assurance.StandardOther, "PCI DSS"
		}, wantOK: true},
		{name: "other standard unnamed", edit: func(s *assurance.Submission) { s.Standard, s.StandardOther = assurance.StandardOther, "  " },
			want: []wantField{{"standard_other", "required", "ASR-1"}}},
		{name: "other name with another standard", edit: func(s *assurance.Submission) { s.StandardOther = "PCI DSS" },
			want: []wantField{{"standard_other", "excluded", "ASR-1"}}},
		{name: "DSP Toolkit met", edit: func(s *assurance.Submission) { s.Standard, s.DSPToolkit = assurance.StandardDSPToolkit, dspt() }, wantOK: true},
		{name: "DSP Toolkit score 0 and 100, no evidence", edit: func(s *assurance.Submission) {
			d := dspt()
			d.Score, d.Evidence = ptr(0), ""
			s.Standard, s.DSPToolkit = assurance.StandardDSPToolkit, d
		}, wantOK: true},
		{name: "DSP Toolkit without answers", edit: func(s *assurance.Submission) { s.Standard = assurance.StandardDSPToolkit },
			want: []wantField{{"dsp_toolkit", "required", "ASR-1"}}},
		{name: "DSP Toolkit answers with another standard", edit: func(s *assurance.Submission) { s.DSPToolkit = dspt() },
			want: []wantField{{"dsp_toolkit", "excluded", "ASR-1"}}},
		{name: "DSP Toolkit not met without reason", edit: func(s *assurance.Submission) {
			d := dspt()
			d.StandardsMet, d.NotMetReason = ptr(false), " "
			s.Standard, s.DSPToolkit = assurance.StandardDSPToolkit, d
		}, want: []wantField{{"dsp_toolkit.not_met_reason", "required", "ASR-1"}}},
		{name: "DSP Toolkit not met with reason", edit: func(s *assurance.Submission) {
			d := dspt()
			d.StandardsMet, d.NotMetReason = ptr(false), "Two assertions outstanding; action plan agreed."
			s.Standard, s.DSPToolkit = assurance.StandardDSPToolkit, d
		}, wantOK: true},
		{name: "DSP Toolkit unanswered fields", edit: func(s *assurance.Submission) {
			s.Standard, s.DSPToolkit = assurance.StandardDSPToolkit, &assurance.DSPToolkit{}
		}, want: []wantField{
			{"dsp_toolkit.standards_met", "required", "ASR-1"},
			{"dsp_toolkit.score", "required", "ASR-1"},
			{"dsp_toolkit.year", "required", "ASR-1"},
		}},
		{name: "DSP Toolkit score out of range", edit: func(s *assurance.Submission) {
			d := dspt()
			d.Score = ptr(101)
			s.Standard, s.DSPToolkit = assurance.StandardDSPToolkit, d
		}, want: []wantField{{"dsp_toolkit.score", "max", "ASR-1"}}},
		{name: "DSP Toolkit negative score", edit: func(s *assurance.Submission) {
			d := dspt()
			d.Score = ptr(-1)
			s.Standard, s.DSPToolkit = assurance.StandardDSPToolkit, d
		}, want: []wantField{{"dsp_toolkit.score", "min", "ASR-1"}}},
		{name: "DSP Toolkit year before the toolkit", edit: func(s *assurance.Submission) {
			d := dspt()
			d.Year = 2017
			s.Standard, s.DSPToolkit = assurance.StandardDSPToolkit, d
		}, want: []wantField{{"dsp_toolkit.year", "min", "ASR-1"}}},
		{name: "DSP Toolkit first year", edit: func(s *assurance.Submission) {
			d := dspt()
			d.Year = assurance.DSPTFirstYear
			s.Standard, s.DSPToolkit = assurance.StandardDSPToolkit, d
		}, wantOK: true},
		{name: "DSP Toolkit year of now", edit: func(s *assurance.Submission) {
			d := dspt()
			d.Year = now.Year()
			s.Standard, s.DSPToolkit = assurance.StandardDSPToolkit, d
		}, wantOK: true},
		{name: "DSP Toolkit year in the future", edit: func(s *assurance.Submission) {
			d := dspt()
			d.Year = now.Year() + 1
			s.Standard, s.DSPToolkit = assurance.StandardDSPToolkit, d
		}, want: []wantField{{"dsp_toolkit.year", "max", "ASR-1"}}},
		{name: "privacy notice document instead of link", edit: func(s *assurance.Submission) {
			s.PrivacyNoticeURL, s.PrivacyNoticeDocument = "", "doc-1"
		}, wantOK: true},
		{name: "privacy notice link and document", edit: func(s *assurance.Submission) { s.PrivacyNoticeDocument = "doc-1" },
			want: []wantField{{"privacy_notice_document", "excluded", "ASR-1"}}},
		{name: "privacy notice link not a URL", edit: func(s *assurance.Submission) { s.PrivacyNoticeURL = "our website" },
			want: []wantField{{"privacy_notice_url", "http_url", "ASR-1"}}},
		{name: "privacy notice link not http", edit: func(s *assurance.Submission) { s.PrivacyNoticeURL = "ftp://example.org/p" },
			want: []wantField{{"privacy_notice_url", "http_url", "ASR-1"}}},
		{name: "privacy notice document blank", edit: func(s *assurance.Submission) {
			s.PrivacyNoticeURL, s.PrivacyNoticeDocument, s.ImprovementPlan = "", "   ", "plan"
		}, want: []wantField{{"privacy_notice_document", "required", "ASR-1"}}},
		{name: "overlong evidence", edit: func(s *assurance.Submission) {
			d := dspt()
			d.Evidence = strings.Repeat("x", 2001)
			s.Standard, s.DSPToolkit = assurance.StandardDSPToolkit, d
		}, want: []wantField{{"dsp_toolkit.evidence", "max", "ASR-1"}}},
		{name: "no organisation, submitter or time", edit: func(s *assurance.Submission) {
			s.Org, s.SubmittedBy, s.SubmittedAt = assurance.OrgID{}, assurance.UserID{}, time.Time{}
		}, want: []wantField{{"org_id", "required", "ASR-1"}, {"submitted_by", "required", "ASR-1"}, {"submitted_at", "required", "ASR-1"}}},
	}
	for _, tt := range tests {
		t.Run("ASR-1/"+tt.name, func(t *testing.T) {
			s := submission(fullAnswers(), submittedAt)
			tt.edit(s)
			err := assurance.Validate(*s, now)
			if tt.wantOK {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ElementsMatch(t, tt.want, fieldsOf(t, err))
		})
	}
}

// ASR-4: a submission that rates below Significant at now needs an improvement plan.
func TestValidate_ASR4_ImprovementPlan(t *testing.T) {
	tests := []struct {
		name    string
		answers assurance.Answers
		plan    string
		wantErr bool
	}{
		{"significant needs no plan", fullAnswers(), "", false},
		{"significant may have one", fullAnswers(), "keep it up", false},
		{"limited without plan", answersMissing(assurance.CriterionTraining), "", true},
		{"limited with blank plan", answersMissing(assurance.CriterionTraining), " \n\t", true},
		{"limited with plan", answersMissing(assurance.CriterionTraining), "train all staff by June", false},
		{"none without plan", answersMissing(assurance.AllCriteria), "", true},
		{"none with plan", answersMissing(assurance.AllCriteria), "everything", false},
		{"lapsed ICO registration without plan", func() assurance.Answers {
			a := fullAnswers()
			a.ICOExpiresAt = now
			return a
		}(), "", true},
	}
	for _, tt := range tests {
		t.Run("ASR-4/"+tt.name, func(t *testing.T) {
			s := submission(tt.answers, submittedAt)
			s.ImprovementPlan = tt.plan
			err := assurance.Validate(*s, now)
			if !tt.wantErr {
				require.NoError(t, err)
				return
			}
			assert.Equal(t, []wantField{{"improvement_plan", "required", "ASR-4"}}, fieldsOf(t, err))
			var e *assurance.Error
			require.True(t, errors.As(err, &e))
			assert.Equal(t, "ASR-4", e.Rule)
			assert.Contains(t, e.Error(), "improvement_plan")
		})
	}
}

// ASR-4 is about the criteria, not the one-year expiry: an old submission is not refused for
// being old.
func TestValidate_ASR4_IgnoresSubmissionExpiry(t *testing.T) {
	a := fullAnswers()
	a.ICOExpiresAt = submittedAt.AddDate(5, 0, 0)
	s := submission(a, submittedAt)
	require.Equal(t, "expired", assurance.Rate(s, submittedAt.AddDate(2, 0, 0)).Code())
	assert.NoError(t, assurance.Validate(*s, submittedAt.AddDate(2, 0, 0)))
}

// ASR-1: several bad fields are all reported at once, each naming its rule.
func TestValidate_ASR1_ReportsEveryField(t *testing.T) {
	s := submission(assurance.Answers{ICONumber: "bad", Standard: "x", PrivacyNoticeURL: "nope"}, submittedAt)
	got := fieldsOf(t, assurance.Validate(*s, now))
	assert.ElementsMatch(t, []wantField{
		{"standard", "oneof", "ASR-1"},
		{"privacy_notice_url", "http_url", "ASR-1"},
		{"ico_number", "ico_number", "ASR-1"},
		{"ico_expires_at", "required", "ASR-1"},
		{"improvement_plan", "required", "ASR-4"},
	}, got)
}

func TestValidICONumber_ASR1(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"Z1234567", true}, {"ZA123456", true}, {"zb123456", true}, {"A1234567", true},
		{"", false}, {"Z123456", false}, {"Z12345678", false}, {"1Z234567", false},
		{"Z123456 ", false}, {"Z12345é", false}, {"Z1234_67", false},
	}
	for _, tt := range tests {
		t.Run("ASR-1/"+tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, assurance.ValidICONumber(tt.in))
		})
	}
}

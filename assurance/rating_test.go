package assurance_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/assurance"
)

var allCriteria = []assurance.Criteria{
	assurance.CriterionICO, assurance.CriterionFramework, assurance.CriterionTraining,
	assurance.CriterionScreening, assurance.CriterionPrivacyNotice,
}

// ASR-2: every one of the 32 combinations of the five criteria rates by the count of missing
// ones, and reports exactly those as missing.
func TestRate_ASR2_AllCombinations(t *testing.T) {
	type tc struct {
		name    string
		missing assurance.Criteria
		count   int
	}
	var tests []tc
	for mask := range 1 << len(allCriteria) {
		var m assurance.Criteria
		n := 0
		for i, c := range allCriteria {
			if mask&(1<<i) != 0 {
				m |= c
				n++
			}
		}
		name := "none_missing"
		if n > 0 {
			name = "missing=" + m.String()
		}
		tests = append(tests, tc{name, m, n})
	}
	require.Len(t, tests, 32)

	colours := map[string]assurance.Colour{"significant": "green", "limited": "amber", "none": "red"}
	for _, tt := range tests {
		t.Run("ASR-2/"+tt.name, func(t *testing.T) {
			s := submission(answersMissing(tt.missing), submittedAt)
			r := assurance.Rate(s, now)
			want := expectedLevel(tt.count)
			assert.Equal(t, want, r.Code())
			assert.Equal(t, colours[want], r.Colour())
			if want == "significant" {
				assert.Zero(t, r.Missing)
			} else {
				assert.Equal(t, tt.missing, r.Missing)
			}
			assert.Equal(t, tt.missing, s.Missing(now))
			assert.Len(t, r.Missing.Codes(), map[bool]int{true: 0, false: tt.count}[want == "significant"])
		})
	}
}

// ASR-2: the ICO criterion needs a number and an unexpired registration: valid while
// now < ICOExpiresAt, so the expiry instant itself does not count.
func TestRate_ASR2_ICORegistration(t *testing.T) {
	tests := []struct {
		name      string
		number    string
		expiresAt time.Time
		want      string
	}{
		{"expires a nanosecond after now", "Z1234567", now.Add(time.Nanosecond), "significant"},
		{"expires a day after now", "ZA123456", now.AddDate(0, 0, 1), "significant"},
		{"expires exactly now", "Z1234567", now, "limited"},
		{"expired a second ago", "Z1234567", now.Add(-time.Second), "limited"},
		{"number without expiry", "Z1234567", time.Time{}, "limited"},
		{"expiry without number", "", icoExpiry, "limited"},
		{"not registered", "", time.Time{}, "limited"},
	}
	for _, tt := range tests {
		t.Run("ASR-2/"+tt.name, func(t *testing.T) {
			a := fullAnswers()
			a.ICONumber, a.ICOExpiresAt = tt.number, tt.expiresAt
			r := assurance.Rate(submission(a, submittedAt), now)
			assert.Equal(t, tt.want, r.Code())
			if tt.want == "limited" {
				assert.Equal(t, assurance.CriterionICO, r.Missing)
			}
		})
	}
}

// ASR-2: any IG framework counts, the DSP Toolkit even when its standards were not met; none,
// empty and unknown values do not.
func TestRate_ASR2_Framework(t *testing.T) {
	tests := []struct {
		standard assurance.Standard
		want     string
	}{
		{assurance.StandardDSPToolkit, "significant"},
		{assurance.StandardISO27001, "significant"},
		{assurance.StandardCyberEssentials, "significant"},
		{assurance.StandardCyberEssentialsPlus, "significant"},
		{assurance.StandardOther, "significant"},
		{assurance.StandardNone, "limited"},
		{"", "limited"},
		{"iso_9001", "limited"},
		{"DSP_TOOLKIT", "limited"},
	}
	for _, tt := range tests {
		t.Run("ASR-2/"+string(tt.standard), func(t *testing.T) {
			a := fullAnswers()
			a.Standard = tt.standard
			if tt.standard == assurance.StandardDSPToolkit {
				a.DSPToolkit = &assurance.DSPToolkit{StandardsMet: ptr(false), NotMetReason: "late", Year: 2024, Score: ptr(40)}
			}
			assert.Equal(t, tt.want, assurance.Rate(submission(a, submittedAt), now).Code())
			assert.Equal(t, tt.standard != "" && tt.want == "significant" || tt.standard == assurance.StandardNone, tt.standard.Valid())
		})
	}
}

// ASR-2: a privacy notice is supplied by a link or an uploaded document.
func TestRate_ASR2_PrivacyNotice(t *testing.T) {
	tests := []struct {
		name, url, doc, want string
	}{
		{"link", "https://example.org/privacy", "", "significant"},
		{"document", "", "doc-42", "significant"},
		{"neither", "", "", "limited"},
	}
	for _, tt := range tests {
		t.Run("ASR-2/"+tt.name, func(t *testing.T) {
			a := fullAnswers()
			a.PrivacyNoticeURL, a.PrivacyNoticeDocument = tt.url, tt.doc
			assert.Equal(t, tt.want, assurance.Rate(submission(a, submittedAt), now).Code())
		})
	}
}

// ASR-3: no submission is Not Submitted; a submission is Expired from submittedAt + 1 year on,
// whatever its criteria.
func TestRate_ASR3_NotSubmittedAndExpired(t *testing.T) {
	expires := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	// The ICO registration outlives the submission, so only ASR-3 decides these edges.
	a := fullAnswers()
	a.ICOExpiresAt = expires.AddDate(1, 0, 0)
	full := submission(a, submittedAt)
	poor := submission(answersMissing(assurance.AllCriteria), submittedAt)
	tests := []struct {
		name   string
		s      *assurance.Submission
		at     time.Time
		want   string
		colour assurance.Colour
	}{
		{"nil is not submitted", nil, now, "not_submitted", "grey"},
		{"at submission", full, submittedAt, "significant", "green"},
		{"before submission (clock skew) rates the answers", full, submittedAt.Add(-time.Hour), "significant", "green"},
		{"a nanosecond before expiry", full, expires.Add(-time.Nanosecond), "significant", "green"},
		{"at expiry", full, expires, "expired", "grey"},
		{"after expiry", full, expires.AddDate(3, 0, 0), "expired", "grey"},
		{"poor submission at expiry", poor, expires, "expired", "grey"},
		{"poor submission before expiry", poor, expires.Add(-time.Nanosecond), "none", "red"},
	}
	for _, tt := range tests {
		t.Run("ASR-3/"+tt.name, func(t *testing.T) {
			r := assurance.Rate(tt.s, tt.at)
			assert.Equal(t, tt.want, r.Code())
			assert.Equal(t, tt.colour, r.Colour())
			if tt.want == "expired" || tt.want == "not_submitted" {
				assert.Zero(t, r.Missing, "missing criteria are only reported for a current submission")
			}
		})
	}
	assert.Equal(t, expires, assurance.ExpiresAt(full))
	assert.True(t, assurance.ExpiresAt(nil).IsZero())
}

// ASR-3: expiry is time.AddDate(1, 0, 0) in UTC, so 29 February rolls to 1 March, and the
// zone the submission time is held in does not move the instant.
func TestExpiresAt_ASR3_CalendarYear(t *testing.T) {
	plusOne := time.FixedZone("+01:00", 3600)
	tests := []struct {
		name        string
		submittedAt time.Time
		want        time.Time
	}{
		{"leap day rolls to 1 March", time.Date(2024, 2, 29, 10, 0, 0, 0, time.UTC), time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)},
		{"1 March before a leap day", time.Date(2023, 3, 1, 10, 0, 0, 0, time.UTC), time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)},
		{"28 February into a leap year", time.Date(2023, 2, 28, 10, 0, 0, 0, time.UTC), time.Date(2024, 2, 28, 10, 0, 0, 0, time.UTC)},
		{"new year's eve", time.Date(2025, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.UTC)},
		// 1 March 00:30 at +01:00 is 29 February 23:30 UTC: the UTC date decides.
		{"offset zone uses the UTC date", time.Date(2024, 3, 1, 0, 30, 0, 0, plusOne), time.Date(2025, 3, 1, 23, 30, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run("ASR-3/"+tt.name, func(t *testing.T) {
			s := submission(fullAnswers(), tt.submittedAt)
			s.ICOExpiresAt = tt.want.AddDate(1, 0, 0)
			got := assurance.ExpiresAt(s)
			assert.True(t, tt.want.Equal(got), "got %s, want %s", got, tt.want)
			assert.Equal(t, "significant", assurance.Rate(s, tt.want.Add(-time.Nanosecond)).Code())
			assert.Equal(t, "expired", assurance.Rate(s, tt.want).Code())
		})
	}
}

// ASR-3: on 28 February of the next year a leap-day submission is still current.
func TestRate_ASR3_LeapDayStillCurrentOn28February(t *testing.T) {
	s := submission(fullAnswers(), time.Date(2024, 2, 29, 10, 0, 0, 0, time.UTC))
	s.ICOExpiresAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	assert.Equal(t, "significant", assurance.Rate(s, time.Date(2025, 2, 28, 23, 59, 59, 0, time.UTC)).Code())
	assert.Equal(t, "significant", assurance.Rate(s, time.Date(2025, 3, 1, 9, 59, 59, 0, time.UTC)).Code())
	assert.Equal(t, "expired", assurance.Rate(s, time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)).Code())
}

// ASR-2, ASR-3: the codes and colours are published and never change.
func TestLevel_CodesAndColours(t *testing.T) {
	tests := []struct {
		level  assurance.Level
		code   string
		colour assurance.Colour
	}{
		{assurance.LevelSignificant, "significant", "green"},
		{assurance.LevelLimited, "limited", "amber"},
		{assurance.LevelNone, "none", "red"},
		{assurance.LevelNotSubmitted, "not_submitted", "grey"},
		{assurance.LevelExpired, "expired", "grey"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			assert.Equal(t, tt.code, tt.level.Code())
			assert.Equal(t, tt.code, tt.level.String())
			assert.Equal(t, tt.colour, tt.level.Colour())
			got, err := assurance.ParseLevel(tt.code)
			require.NoError(t, err)
			assert.Equal(t, tt.level, got)
		})
	}
	assert.Equal(t, assurance.LevelNotSubmitted, assurance.Rating{}.Level, "the zero rating is not submitted")
	bad := assurance.Level(200)
	assert.Equal(t, "unknown", bad.Code())
	assert.Empty(t, bad.Colour())
	_, err := bad.MarshalText()
	assert.Error(t, err)
	_, err = assurance.ParseLevel("green")
	assert.Error(t, err)
}

func TestCriteria_Codes(t *testing.T) {
	assert.Equal(t, []string{"ico_registered", "ig_framework", "staff_trained", "staff_screened", "privacy_notice"},
		assurance.AllCriteria.Codes())
	assert.Equal(t, []string{}, assurance.Criteria(0).Codes())
	assert.Equal(t, "staff_trained,privacy_notice", (assurance.CriterionTraining | assurance.CriterionPrivacyNotice).String())
	assert.Equal(t, 5, assurance.AllCriteria.Len())
	assert.Equal(t, 5, assurance.Criteria(0xff).Len(), "bits outside the five are ignored")
	for _, c := range allCriteria {
		got, err := assurance.ParseCriterion(c.String())
		require.NoError(t, err)
		assert.Equal(t, c, got)
	}
	_, err := assurance.ParseCriterion("nope")
	assert.Error(t, err)
	buf := make([]string, 0, 5)
	assert.Equal(t, []string{"ico_registered"}, assurance.CriterionICO.AppendCodes(buf))
}

func TestRating_JSON(t *testing.T) {
	r := assurance.Rating{Level: assurance.LevelNone, Missing: assurance.CriterionICO | assurance.CriterionScreening}
	b, err := json.Marshal(r)
	require.NoError(t, err)
	assert.JSONEq(t, `{"level":"none","colour":"red","missing":["ico_registered","staff_screened"]}`, string(b))
	var back assurance.Rating
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, r, back)
	assert.Equal(t, "none (ico_registered,staff_screened)", r.String())
	assert.Equal(t, "significant", assurance.Rating{Level: assurance.LevelSignificant}.String())

	require.NoError(t, json.Unmarshal([]byte(`{"level":"expired","missing":null}`), &back))
	assert.Equal(t, assurance.Rating{Level: assurance.LevelExpired}, back)
	assert.Error(t, json.Unmarshal([]byte(`{"level":"purple","missing":[]}`), &back))
	assert.Error(t, json.Unmarshal([]byte(`{"level":"none","missing":["x"]}`), &back))
}

// ASR-5: only a change of level is a rating change partners hear of.
func TestChanged_ASR5(t *testing.T) {
	lim := func(m assurance.Criteria) assurance.Rating {
		return assurance.Rating{Level: assurance.LevelLimited, Missing: m}
	}
	tests := []struct {
		name     string
		from, to assurance.Rating
		want     bool
	}{
		{"same level, same gap", lim(assurance.CriterionICO), lim(assurance.CriterionICO), false},
		{"same level, other gap", lim(assurance.CriterionICO), lim(assurance.CriterionTraining), false},
		{"limited to significant", lim(assurance.CriterionICO), assurance.Rating{Level: assurance.LevelSignificant}, true},
		{"significant to expired", assurance.Rating{Level: assurance.LevelSignificant}, assurance.Rating{Level: assurance.LevelExpired}, true},
		{"not submitted to none", assurance.Rating{}, assurance.Rating{Level: assurance.LevelNone, Missing: assurance.AllCriteria}, true},
		{"expired to not submitted (both grey)", assurance.Rating{Level: assurance.LevelExpired}, assurance.Rating{}, true},
	}
	for _, tt := range tests {
		t.Run("ASR-5/"+tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, assurance.Changed(tt.from, tt.to))
		})
	}
}

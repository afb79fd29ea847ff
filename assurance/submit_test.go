package assurance_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/isgkit/gateway/assurance"
)

func types(events []assurance.Event) []assurance.EventType {
	var ts []assurance.EventType
	for _, e := range events {
		ts = append(ts, e.Type)
	}
	return ts
}

// ASR-5: Submit reports a rating change against the organisation's previous rating at now.
func TestSubmit_ASR5_RatingChangeEvents(t *testing.T) {
	limited := submission(answersMissing(assurance.CriterionScreening), submittedAt)
	significant := submission(fullAnswers(), submittedAt)
	old := submission(fullAnswers(), submittedAt.AddDate(-1, 0, 0))

	tests := []struct {
		name       string
		prev       *assurance.Submission
		answers    assurance.Answers
		from, to   string
		wantChange bool
	}{
		{"first submission", nil, fullAnswers(), "not_submitted", "significant", true},
		{"first submission, poor", nil, answersMissing(assurance.AllCriteria), "not_submitted", "none", true},
		{"same level", significant, fullAnswers(), "significant", "significant", false},
		{"same level, other gap", limited, answersMissing(assurance.CriterionTraining), "limited", "limited", false},
		{"improved", limited, fullAnswers(), "limited", "significant", true},
		{"worsened", significant, answersMissing(assurance.CriterionTraining | assurance.CriterionFramework), "significant", "none", true},
		{"renewal after expiry", old, fullAnswers(), "expired", "significant", true},
	}
	for _, tt := range tests {
		t.Run("ASR-5/"+tt.name, func(t *testing.T) {
			at := now
			s, events, err := assurance.Submit(tt.prev, tt.answers, testUser, testOrg, at)
			require.NoError(t, err)
			want := []assurance.EventType{assurance.EventSubmitted}
			if tt.wantChange {
				want = append(want, assurance.EventRatingChanged)
			}
			require.Equal(t, want, types(events))
			for _, e := range events {
				assert.Equal(t, tt.from, e.From.Code())
				assert.Equal(t, tt.to, e.To.Code())
				assert.Equal(t, testOrg, e.Org)
				assert.Equal(t, testUser, e.User)
				assert.True(t, at.Equal(e.At))
				assert.Equal(t, e.Type == assurance.EventRatingChanged, e.Notifies(), "only a change notifies partners")
			}
			assert.Equal(t, assurance.Rate(&s, at), events[0].To)
		})
	}
}

// ASR-1: Submit stamps the submission, normalises the answers and leaves its inputs alone.
func TestSubmit_ASR1_BuildsSubmissionWithoutTouchingInput(t *testing.T) {
	london := time.FixedZone("BST", 3600)
	at := time.Date(2025, 6, 1, 10, 0, 0, 0, london)
	in := fullAnswers()
	in.ICONumber = "  za123456 "
	in.Standard = assurance.StandardDSPToolkit
	in.DSPToolkit = &assurance.DSPToolkit{StandardsMet: ptr(false), NotMetReason: " reason ", Year: 2024, Score: ptr(80), Evidence: " ref "}
	in.ImprovementPlan = "  "
	inCopy := in
	inToolkit := *in.DSPToolkit

	prev := submission(answersMissing(assurance.CriterionTraining), submittedAt)
	prevCopy := prev.Clone()

	s, _, err := assurance.Submit(prev, in, testUser, testOrg, at)
	require.NoError(t, err)

	assert.Equal(t, "ZA123456", s.ICONumber)
	assert.Equal(t, "reason", s.DSPToolkit.NotMetReason)
	assert.Equal(t, "ref", s.DSPToolkit.Evidence)
	assert.Empty(t, s.ImprovementPlan)
	assert.Equal(t, testOrg, s.Org)
	assert.Equal(t, testUser, s.SubmittedBy)
	assert.Equal(t, time.UTC, s.SubmittedAt.Location())
	assert.True(t, at.Equal(s.SubmittedAt))

	assert.Equal(t, inCopy, in, "answers unchanged")
	assert.Equal(t, inToolkit, *in.DSPToolkit, "toolkit unchanged")
	assert.Equal(t, prevCopy, *prev, "previous submission unchanged")

	// The result shares no memory with the input.
	*in.DSPToolkit.Score = 1
	*in.DSPToolkit.StandardsMet = true
	assert.Equal(t, 80, *s.DSPToolkit.Score)
	assert.False(t, *s.DSPToolkit.StandardsMet)

	c := s.Clone()
	*c.DSPToolkit.Score = 2
	assert.Equal(t, 80, *s.DSPToolkit.Score, "Clone is deep")
}

// ASR-4: Submit refuses a submission below Significant without an improvement plan.
func TestSubmit_ASR4_RefusesWithoutPlan(t *testing.T) {
	a := answersMissing(assurance.CriterionPrivacyNotice)
	a.ImprovementPlan = "   "
	s, events, err := assurance.Submit(nil, a, testUser, testOrg, now)
	require.Error(t, err)
	assert.Equal(t, []wantField{{"improvement_plan", "required", "ASR-4"}}, fieldsOf(t, err))
	assert.Zero(t, s)
	assert.Nil(t, events)
}

func TestSubmit_RefusesAnotherOrganisationsPrevious(t *testing.T) {
	prev := submission(fullAnswers(), submittedAt)
	_, _, err := assurance.Submit(prev, fullAnswers(), testUser, testOther, now)
	assert.Equal(t, []wantField{{"org_id", "mismatch", "ASR-1"}}, fieldsOf(t, err))
}

// ASR-5, ASR-3: expiry is seen in the half-open window (from, to].
func TestExpiredBetween_ASR5(t *testing.T) {
	s := submission(fullAnswers(), submittedAt)
	e := assurance.ExpiresAt(s)
	tests := []struct {
		name     string
		s        *assurance.Submission
		from, to time.Time
		want     bool
	}{
		{"window ends at expiry", s, e.Add(-time.Hour), e, true},
		{"window starts at expiry", s, e, e.Add(time.Hour), false},
		{"window around expiry", s, e.Add(-time.Nanosecond), e.Add(time.Nanosecond), true},
		{"window before expiry", s, submittedAt, e.Add(-time.Nanosecond), false},
		{"window after expiry", s, e.Add(time.Hour), e.Add(2 * time.Hour), false},
		{"empty window at expiry", s, e, e, false},
		{"reversed window", s, e.Add(time.Hour), e.Add(-time.Hour), false},
		{"no submission", nil, e.Add(-time.Hour), e, false},
	}
	for _, tt := range tests {
		t.Run("ASR-5/"+tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, assurance.ExpiredBetween(tt.s, tt.from, tt.to))
		})
	}
}

// ASR-5: a periodic sweep over consecutive windows raises the expiry exactly once if its
// windows reach the expiry, and never otherwise.
func TestSweep_ASR5_ExpiryRaisedExactlyOnce(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := fullAnswers()
		a.ICOExpiresAt = submittedAt.AddDate(2, 0, 0)
		s := submission(a, submittedAt)
		e := assurance.ExpiresAt(s)
		span := int64(3 * 365 * 24 * time.Hour)
		offsets := rapid.SliceOfN(rapid.Int64Range(-span/3, span), 1, 40).Draw(t, "sweeps")
		slices.Sort(offsets)
		start := submittedAt.Add(time.Duration(rapid.Int64Range(-span/3, span).Draw(t, "start")))
		prev := start
		if at := submittedAt.Add(time.Duration(offsets[0])); at.Before(prev) {
			prev = at
		}
		first := prev
		expiredEvents, between := 0, 0
		for _, off := range offsets {
			at := submittedAt.Add(time.Duration(off))
			if ev, ok := assurance.Sweep(s, prev, at); ok {
				if ev.Type != assurance.EventRatingExpired {
					t.Fatalf("unexpected event %v", ev.Type)
				}
				if !ev.At.Equal(e) || !ev.Notifies() || ev.To.Level != assurance.LevelExpired {
					t.Fatalf("bad event %+v", ev)
				}
				expiredEvents++
			}
			if assurance.ExpiredBetween(s, prev, at) {
				between++
			}
			prev = at
		}
		last := prev
		want := 0
		if last.Compare(e) >= 0 && first.Before(e) {
			want = 1
		}
		if expiredEvents != want || between != want {
			t.Fatalf("first %s last %s expiry %s: %d events, %d ExpiredBetween, want %d", first, last, e, expiredEvents, between, want)
		}
	})
}

// ASR-5: the sweep also reports a level lowered by the ICO registration lapsing, and nothing
// when the level stays the same.
func TestSweep_ASR5(t *testing.T) {
	icoEnd := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	withICO := func(m assurance.Criteria) *assurance.Submission {
		a := answersMissing(m)
		a.ICONumber, a.ICOExpiresAt = "Z1234567", icoEnd
		return submission(a, submittedAt)
	}
	e := assurance.ExpiresAt(withICO(0))
	tests := []struct {
		name     string
		s        *assurance.Submission
		from, to time.Time
		want     assurance.EventType // empty: no event
		at       time.Time
		fromCode string
		toCode   string
	}{
		{"ICO lapses: significant to limited", withICO(0), icoEnd.Add(-time.Hour), icoEnd, assurance.EventRatingChanged, icoEnd, "significant", "limited"},
		{"ICO lapses: limited to none", withICO(assurance.CriterionTraining), icoEnd.Add(-time.Hour), icoEnd.Add(time.Hour), assurance.EventRatingChanged, icoEnd, "limited", "none"},
		{"ICO lapses: none stays none", withICO(assurance.CriterionTraining | assurance.CriterionScreening), icoEnd.Add(-time.Hour), icoEnd.Add(time.Hour), "", time.Time{}, "", ""},
		{"ICO already lapsed", withICO(0), icoEnd, icoEnd.Add(time.Hour), "", time.Time{}, "", ""},
		{"submission expires", withICO(0), e.Add(-time.Hour), e, assurance.EventRatingExpired, e, "limited", "expired"},
		{"both in one window", withICO(0), submittedAt, e, assurance.EventRatingExpired, e, "significant", "expired"},
		{"window before the submission starts at it", withICO(0), submittedAt.AddDate(-2, 0, 0), submittedAt, "", time.Time{}, "", ""},
		{"empty window", withICO(0), icoEnd, icoEnd, "", time.Time{}, "", ""},
		{"no submission", nil, submittedAt, e, "", time.Time{}, "", ""},
	}
	for _, tt := range tests {
		t.Run("ASR-5/"+tt.name, func(t *testing.T) {
			ev, ok := assurance.Sweep(tt.s, tt.from, tt.to)
			if tt.want == "" {
				assert.False(t, ok)
				assert.Zero(t, ev)
				return
			}
			require.True(t, ok)
			assert.Equal(t, tt.want, ev.Type)
			assert.True(t, tt.at.Equal(ev.At), "at %s, want %s", ev.At, tt.at)
			assert.Equal(t, tt.fromCode, ev.From.Code())
			assert.Equal(t, tt.toCode, ev.To.Code())
			assert.Equal(t, testOrg, ev.Org)
			assert.True(t, ev.User.IsZero())
			assert.True(t, ev.Notifies())
		})
	}
}

func TestNextChange(t *testing.T) {
	icoEnd := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	a := fullAnswers()
	a.ICOExpiresAt = icoEnd
	s := submission(a, submittedAt)
	e := assurance.ExpiresAt(s)
	unregistered := submission(answersMissing(assurance.CriterionICO), submittedAt)
	tests := []struct {
		name   string
		s      *assurance.Submission
		after  time.Time
		want   time.Time
		wantOK bool
	}{
		{"ICO expiry comes first", s, submittedAt, icoEnd, true},
		{"at ICO expiry the next is the submission's", s, icoEnd, e, true},
		{"unregistered: only the submission's", unregistered, submittedAt, e, true},
		{"after expiry nothing changes", s, e, time.Time{}, false},
		{"no submission", nil, submittedAt, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := assurance.NextChange(tt.s, tt.after)
			assert.Equal(t, tt.wantOK, ok)
			assert.True(t, tt.want.Equal(got), "got %s want %s", got, tt.want)
		})
	}
}

// ASR-6 (the pure part: assurance may be updated at any time). Submit never refuses an update
// because of when the previous submission was made. That low assurance never blocks sharing is
// the Gateway's to prove.
func TestSubmit_ASR6_UpdateAtAnyTime(t *testing.T) {
	prev := submission(answersMissing(assurance.CriterionTraining), submittedAt)
	for _, at := range []time.Time{
		submittedAt, submittedAt.Add(time.Second), submittedAt.Add(-time.Hour),
		assurance.ExpiresAt(prev).Add(-time.Nanosecond), assurance.ExpiresAt(prev), submittedAt.AddDate(5, 0, 0),
	} {
		a := fullAnswers()
		a.ICOExpiresAt = at.AddDate(1, 0, 0)
		_, _, err := assurance.Submit(prev, a, testUser, testOrg, at)
		assert.NoError(t, err, "update at %s", at)
	}
}

// ASR-1: the stored form is flat snake_case JSON, the names scenario and vector files use.
func TestSubmission_JSON(t *testing.T) {
	a := fullAnswers()
	a.Standard = assurance.StandardDSPToolkit
	a.DSPToolkit = &assurance.DSPToolkit{StandardsMet: ptr(false), NotMetReason: "r", Year: 2024, Score: ptr(0), Evidence: "e"}
	s := submission(a, submittedAt)
	b, err := json.Marshal(s)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"ico_number": "Z1234567",
		"ico_expires_at": "2026-01-31T00:00:00Z",
		"standard": "dsp_toolkit",
		"dsp_toolkit": {"standards_met": false, "not_met_reason": "r", "year": 2024, "score": 0, "evidence": "e"},
		"staff_trained": true,
		"staff_screened": true,
		"privacy_notice_url": "https://example.nhs.uk/privacy",
		"org_id": "0190a1b2-0000-7000-8000-000000000001",
		"submitted_by": "0190a1b2-0000-7000-8000-0000000000aa",
		"submitted_at": "2025-04-01T09:00:00Z"
	}`, string(b))
	var back assurance.Submission
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, *s, back)

	_, events, err := assurance.Submit(nil, answersMissing(assurance.CriterionICO), testUser, testOrg, now)
	require.NoError(t, err)
	b, err = json.Marshal(events[1])
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"type": "assurance.rating_changed", "at": "2025-10-01T12:00:00Z",
		"org_id": "0190a1b2-0000-7000-8000-000000000001", "user_id": "0190a1b2-0000-7000-8000-0000000000aa",
		"from": {"level": "not_submitted", "colour": "grey", "missing": []},
		"to": {"level": "limited", "colour": "amber", "missing": ["ico_registered"]}
	}`, string(b))
	var ev assurance.Event
	require.NoError(t, json.Unmarshal(b, &ev))
	assert.Equal(t, events[1], ev)
}

package assurance_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/isgkit/gateway/assurance"
)

// FuzzValidate feeds arbitrary answers and instants through Submit, Validate, Rate, Sweep and
// NextChange. None may panic, and the rules' invariants must hold: the level follows the count
// of missing criteria (ASR-2), an accepted submission below Significant has a plan (ASR-4), and
// every refusal is an ErrInvalid *Error naming fields.
func FuzzValidate(f *testing.F) {
	f.Add("Z1234567", int64(1800000000), "iso_27001", "", false, false, 0, 0, true, true, "https://example.org/p", "", "", int64(1750000000), int64(1760000000))
	f.Add("za123456", int64(0), "dsp_toolkit", "", true, false, 2024, 55, false, true, "", "doc-1", "", int64(1709200800), int64(1740787200))
	f.Add("", int64(-1), "other", "PCI", true, true, 1900, 101, false, false, "ftp://x", "doc", "plan", int64(-62135596800), int64(253402300799))
	f.Add("Z12345é", int64(1<<62), "", "\x00", true, true, -5, -1, true, false, " ", " ", " ", int64(1<<62), int64(-1<<62))

	f.Fuzz(func(t *testing.T, ico string, icoExp int64, standard, other string, hasDSPT, met bool, year, score int,
		trained, screened bool, url, doc, plan string, submitAt, nowAt int64) {
		a := assurance.Answers{
			ICONumber: ico, Standard: assurance.Standard(standard), StandardOther: other,
			StaffTrained: trained, StaffScreened: screened,
			PrivacyNoticeURL: url, PrivacyNoticeDocument: doc, ImprovementPlan: plan,
		}
		if icoExp != 0 {
			a.ICOExpiresAt = time.Unix(icoExp, 0)
		}
		if hasDSPT {
			a.DSPToolkit = &assurance.DSPToolkit{StandardsMet: &met, Year: year, Score: &score, NotMetReason: other}
		}
		at, tnow := time.Unix(submitAt, 0), time.Unix(nowAt, 0)

		raw := assurance.Submission{Answers: a, Org: testOrg, SubmittedBy: testUser, SubmittedAt: at}
		checkErr(t, assurance.Validate(raw, tnow))
		checkRating(t, &raw, tnow)

		s, events, err := assurance.Submit(nil, a, testUser, testOrg, at)
		if err != nil {
			checkErr(t, err)
			return
		}
		if err := assurance.Validate(s, s.SubmittedAt); err != nil {
			t.Fatalf("Submit accepted what Validate refuses: %v", err)
		}
		r := assurance.Rate(&s, s.SubmittedAt)
		if r.Level == assurance.LevelExpired || r.Level == assurance.LevelNotSubmitted {
			t.Fatalf("fresh submission rated %s", r)
		}
		if r.Level != assurance.LevelSignificant && s.ImprovementPlan == "" {
			t.Fatalf("ASR-4: accepted %s without a plan", r)
		}
		if len(events) == 0 || events[0].To != r {
			t.Fatalf("events %+v do not report %s", events, r)
		}
		checkRating(t, &s, tnow)
		assurance.Sweep(&s, at, tnow)
		assurance.ExpiredBetween(&s, at, tnow)
		assurance.NextChange(&s, tnow)
		if b, err := json.Marshal(s); err == nil {
			var back assurance.Submission
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("round trip: %v", err)
			}
		}
	})
}

func checkErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *assurance.Error
	if !errors.Is(err, assurance.ErrInvalid) || !errors.As(err, &e) || len(e.Fields) == 0 {
		t.Fatalf("error is not an ErrInvalid *Error with fields: %v", err)
	}
	for _, fe := range e.Fields {
		if fe.Field == "" || fe.Code == "" || fe.Rule == "" {
			t.Fatalf("incomplete field error %+v", fe)
		}
	}
}

func checkRating(t *testing.T, s *assurance.Submission, at time.Time) {
	t.Helper()
	r := assurance.Rate(s, at)
	if r.Level == assurance.LevelExpired {
		return
	}
	if want := expectedLevel(s.Missing(at).Len()); r.Code() != want {
		t.Fatalf("ASR-2: %d missing rated %s, want %s", s.Missing(at).Len(), r, want)
	}
}

package assurance_test

import (
	"testing"

	"github.com/isgkit/gateway/assurance"
)

var sinkRating assurance.Rating

// BenchmarkRate measures the badge computation the Gateway runs on every list and search
// render; the target is under 50 ns with no allocation.
func BenchmarkRate(b *testing.B) {
	cases := []struct {
		name string
		s    *assurance.Submission
	}{
		{"significant", submission(fullAnswers(), submittedAt)},
		{"none", submission(answersMissing(assurance.AllCriteria), submittedAt)},
		{"not_submitted", nil},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkRating = assurance.Rate(c.s, now)
			}
		})
	}
	b.Run("expired", func(b *testing.B) {
		s := submission(fullAnswers(), submittedAt)
		later := now.AddDate(2, 0, 0)
		b.ReportAllocs()
		for b.Loop() {
			sinkRating = assurance.Rate(s, later)
		}
	})
}

func TestRate_ZeroAlloc(t *testing.T) {
	s := submission(answersMissing(assurance.CriterionTraining), submittedAt)
	if n := testing.AllocsPerRun(100, func() { sinkRating = assurance.Rate(s, now) }); n != 0 {
		t.Fatalf("Rate allocates %v times", n)
	}
}

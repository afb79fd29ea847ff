package dpia_test

import (
	"testing"

	"github.com/isgkit/gateway/dpia"
)

// BenchmarkScreen: the screening rule (DPIA-3) over a typical set of answers.
func BenchmarkScreen(b *testing.B) {
	a := dpia.ScreeningAnswers{Answers: map[dpia.Criterion]bool{dpia.SensitiveData: true, dpia.LargeScale: true, dpia.VulnerableSubjects: false, dpia.ICOTracking: false}}
	b.ReportAllocs()
	for b.Loop() {
		_ = dpia.Screen(a)
	}
}

// BenchmarkApprovalCheck: what stands between a DPIA with a full register and its approval
// (DPIA-6, DPIA-7, DPIA-9).
func BenchmarkApprovalCheck(b *testing.B) {
	f := newFixture(b)
	d := f.evaluated(b)
	for range 20 {
		d.Risks = append(d.Risks, dpia.Risk{ID: dpia.RiskID{UUID: newID()}, RiskTerms: red})
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = dpia.CheckApproval(d)
	}
}

// BenchmarkApprove: one approval fired through the shared machine, guards and all.
func BenchmarkApprove(b *testing.B) {
	f := newFixture(b)
	d := f.evaluated(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := f.m.Approve(d, f.dpo, f.now, dpia.ApprovalInput{}); err != nil {
			b.Fatal(err)
		}
	}
}

package agreement_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/agreement"
)

// BenchmarkFlowTransition fires one guarded transition (InReview → Approved) on the shared machine.
func BenchmarkFlowTransition(b *testing.B) {
	w := newWorld()
	m := agreement.NewFlowMachine()
	_, f := w.inReview(b, m)
	v := agreement.Verdict{Details: "ok"}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := m.Approve(f, w.councilDPO, w.now, v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFlowFinalise fires finalise from Approved, which has three guards.
func BenchmarkFlowFinalise(b *testing.B) {
	w := newWorld()
	m := agreement.NewFlowMachine()
	_, f := w.inReview(b, m)
	f, _, err := m.Approve(f, w.councilDPO, w.now, agreement.Verdict{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := m.Finalise(f, w.officer, w.now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFlowRefusal is a refused step (a partner editing a locked flow): refusals are cheap too.
func BenchmarkFlowRefusal(b *testing.B) {
	w := newWorld()
	m := agreement.NewFlowMachine()
	_, f := w.inReview(b, m)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := m.Finalise(f, w.councilOfficer, w.now); err == nil {
			b.Fatal("want refusal")
		}
	}
}

func BenchmarkPermitted(b *testing.B) {
	w := newWorld()
	m := agreement.NewFlowMachine()
	_, f := w.inReview(b, m)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Permitted(f, w.officer, w.now)
	}
}

// BenchmarkLogAppend appends one change.
func BenchmarkLogAppend(b *testing.B) {
	changes := []agreement.Change{{Field: "frequency", Old: `"daily"`, New: `"weekly"`}}
	subject, user, org := uuid.UUID{1}, agreement.UserID{UUID: uuid.UUID{2}}, agreement.OrgID{UUID: uuid.UUID{3}}
	at := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)
	var head agreement.LogHead
	b.ReportAllocs()
	for b.Loop() {
		_, head = agreement.Append(head, subject, changes, user, org, at)
	}
}

// BenchmarkLogVerify reports the cost per entry of verifying a 1,000-entry log.
func BenchmarkLogVerify(b *testing.B) {
	const n = 1000
	entries, head := buildLog(b, n)
	b.ReportAllocs()
	for b.Loop() {
		if err := agreement.Verify(head, entries); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/entry")
}

// BenchmarkDiffFlow diffs a flow before and after a decision.
func BenchmarkDiffFlow(b *testing.B) {
	w := newWorld()
	m := agreement.NewFlowMachine()
	_, f := w.inReview(b, m)
	g, _, _ := m.Approve(f, w.councilDPO, w.now, agreement.Verdict{})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := agreement.Diff(f, g); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewFlowMachine(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = agreement.NewFlowMachine()
	}
}

// BenchmarkTakeSnapshotFlow encodes an approved flow, reviewed by a DPO, into its snapshot: the
// encoding every logged flow command pays once (the old side comes from the Gateway's cache).
func BenchmarkTakeSnapshotFlow(b *testing.B) {
	w := newWorld()
	m := agreement.NewFlowMachine()
	_, f := w.inReview(b, m)
	f, _, err := m.Approve(f, w.councilDPO, w.now, agreement.Verdict{Details: "Proportionate & necessary"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := agreement.TakeSnapshot(f); err != nil {
			b.Fatal(err)
		}
	}
}

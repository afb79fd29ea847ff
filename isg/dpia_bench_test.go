package isg_test

import (
	"testing"

	"github.com/isgkit/gateway/dpia"
	"github.com/isgkit/gateway/isg"
)

// BenchmarkDPIACommand runs DPIA commands end to end on the memory store: the gate, the load, the
// pure step through the shared machine, the logged save with its index keys and the view. The
// edit alternates a risk's residual impact so every call changes the DPIA (one log entry).
func BenchmarkDPIACommand(b *testing.B) {
	w := newWorld(b)
	x := newDPIAWorld(b, w)
	na := isg.Actor{User: x.a, Org: x.north}
	v, err := w.g.SaveDPIARisk(ctx, na, isg.DPIAStep[dpia.RiskInput]{DPIA: x.d.ID, Input: dpia.RiskInput{RiskTerms: dpia.RiskTerms{
		Description: "Re-identification", Likelihood: 4, Impact: 5, ResidualLikelihood: 3, ResidualImpact: 5}}})
	if err != nil {
		b.Fatal(err)
	}
	risk := v.Risks[0]
	b.Run("dpia.save_risk", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			in := dpia.RiskInput{ID: risk.ID, RiskTerms: risk.RiskTerms}
			in.ResidualImpact = 4 + i%2
			if _, err := w.g.SaveDPIARisk(ctx, na, isg.DPIAStep[dpia.RiskInput]{DPIA: x.d.ID, Input: in}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("dpia.get", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := w.g.DPIA(ctx, na, isg.ByID[dpia.ID]{ID: x.d.ID}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

package isg_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/memory"
)

// BenchmarkSharingMap builds the data sharing map of one licensed organisation that sees 1,000
// flows, in stores of 10,000 and 100,000 flows (EXIT-1): the other flows are between other
// organisations, so what grows is only the store, which the report must not feel — it lists the
// organisation's visible key a page at a time and never the store's other flows.
//
// The fixture is written straight into the memory store in one unit of work, indexed as the
// Gateway indexes flows (flowKeys: visible per organisation, summary, state), because building
// 100,000 flows through commands would take minutes; the organisation itself, its licence and
// the Central Admin go through the Gateway's commands.
func BenchmarkSharingMap(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("store=%d/seen=1000", n), func(b *testing.B) {
			g, actor := reportStore(b, n, 1_000)
			m, err := g.SharingMap(ctx, actor)
			require.NoError(b, err)
			require.Equal(b, 1_000, m.Flows)
			runtime.GC() // the fixture's garbage is not the report's to collect
			b.ReportAllocs()
			b.ResetTimer()
			start := cpuTime()
			for b.Loop() {
				if _, err := g.SharingMap(ctx, actor); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
		})
	}
}

// BenchmarkFlowsByStatus is BenchmarkSharingMap for the flows-by-status report.
func BenchmarkFlowsByStatus(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("store=%d/seen=1000", n), func(b *testing.B) {
			g, actor := reportStore(b, n, 1_000)
			runtime.GC() // the fixture's garbage is not the report's to collect
			b.ReportAllocs()
			b.ResetTimer()
			start := cpuTime()
			for b.Loop() {
				r, err := g.FlowsByStatus(ctx, actor)
				if err != nil || r.Total != 1_000 {
					b.Fatal(r.Total, err)
				}
			}
			reportCPU(b, start)
		})
	}
}

// reportStore returns a Gateway over a memory store of n flows, seen of which name the returned
// actor's licensed organisation, with 50 partners; the rest are between 2,000 other organisations.
func reportStore(b *testing.B, n, seen int) (*isg.Gateway, isg.Actor) {
	b.Helper()
	s := memory.New()
	g, err := isg.New(s, cheapPasswords)
	require.NoError(b, err)
	ca, err := g.Bootstrap(ctx, isg.BootstrapInput{Email: "support@isg.nhs.uk", Name: "Support", Password: "Support#2026"})
	require.NoError(b, err)
	w := &world{t: b, g: g, ca: ca.ID}
	admin := w.user("admin@leeds.gov.uk")
	viewer := w.org(admin, "Leeds")
	w.licensed(viewer)
	synthetic := func(kind string, i int) isg.OrgID {
		return isg.OrgID{UUID: uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "%s-%d", kind, i))}
	}
	r := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	states := agreement.FlowStates()
	every := n / seen
	require.NoError(b, s.Update(ctx, func(tx isg.Tx) error {
		for i := range n {
			a, c := synthetic("other", r.IntN(2_000)), synthetic("other", r.IntN(2_000))
			if i%every == 0 {
				a, c = viewer, synthetic("partner", r.IntN(50))
				if r.IntN(2) == 0 {
					a, c = c, a // receives as often as it sends
				}
			}
			for c == a {
				c = synthetic("other", r.IntN(2_000))
			}
			state := states[r.IntN(len(states))] // drawn before the name, as the fixture always was
			if err := putSyntheticFlow(tx, a, c, fmt.Sprintf("Dataset %d", r.IntN(200)), state, now); err != nil {
				return err
			}
		}
		return nil
	}))
	return g, isg.Actor{User: admin, Org: viewer}
}

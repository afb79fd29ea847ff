package isg_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/memory"
)

// BenchmarkListFlows lists the first page of flows one organisation may see, in stores of
// 10,000 and 100,000 flows. The organisations grow with the store (200 and 2,000) so that each
// sees about 100 flows either way: what changes is only the size of the store, which an indexed
// listing must not feel.
func BenchmarkListFlows(b *testing.B) {
	for _, c := range []struct{ flows, orgs, limit int }{{10_000, 200, 50}, {100_000, 2_000, 50}, {10_000, 200, 10}, {100_000, 2_000, 10}} {
		b.Run(fmt.Sprintf("flows=%d/orgs=%d/page=%d", c.flows, c.orgs, c.limit), func(b *testing.B) {
			g, actor := flowStore(b, c.flows, c.orgs)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				l, err := g.Flows(ctx, actor, isg.ListPage{Limit: c.limit})
				if err != nil || len(l.Items) != c.limit {
					b.Fatalf("%d items, %v", len(l.Items), err)
				}
			}
		})
	}
}

// flowStore writes n flows between random pairs of orgs organisations straight into a memory
// store (the Gateway's commands would take minutes to build 100,000), indexed as the Gateway
// indexes them, and returns a Gateway over it and an actor at the first organisation.
func flowStore(b *testing.B, n, orgs int) (*isg.Gateway, isg.Actor) {
	b.Helper()
	s := memory.New()
	g, err := isg.New(s, cheapPasswords)
	require.NoError(b, err)
	w := &world{t: b, g: g}
	admin := w.user("admin@nhs.net")
	ids := make([]isg.OrgID, orgs)
	ids[0] = w.org(admin, "Org 0")
	for i := 1; i < orgs; i++ {
		ids[i] = isg.OrgID{UUID: uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "org-%d", i))}
	}
	r := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(b, s.Update(ctx, func(tx isg.Tx) error {
		for i := range n {
			a, c := ids[r.IntN(orgs)], ids[r.IntN(orgs)]
			if i%50 == 0 {
				a = ids[0] // the actor's organisation sees about as many as any other
			}
			for c == a {
				c = ids[r.IntN(orgs)]
			}
			if err := putSyntheticFlow(tx, a, c, fmt.Sprintf("Flow %d", i), agreement.Draft, now); err != nil {
				return err
			}
		}
		return nil
	}))
	return g, isg.Actor{User: admin, Org: ids[0]}
}

// BenchmarkFlowCommand is one flow command end to end on the memory store: authorise, load the
// flow and its summary, apply the edit through the state machine, diff and append the log,
// save, and build the view.
func BenchmarkFlowCommand(b *testing.B) { benchmarkFlowEdits(b, newWorld(b)) }

// BenchmarkFlowCommandAtScale is BenchmarkFlowCommand with 1,000 to 100,000 memberships stored
// besides (populated's users, ten to an organisation): an edit reads its flow, summary, actor
// and parties by ID, so it must cost the same however many users the store holds.
func BenchmarkFlowCommandAtScale(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("memberships=%d", n), func(b *testing.B) {
			g, _ := populated(b, n)
			benchmarkFlowEdits(b, &world{t: b, g: g})
		})
	}
}

// benchmarkFlowEdits edits one flow between two new organisations of w, b.N times.
func benchmarkFlowEdits(b *testing.B, w *world) {
	a := w.user("a@leeds.gov.uk")
	p := w.user("p@police.uk")
	lcc, wyp := w.org(a, "Leeds"), w.org(p, "Police")
	actor := isg.Actor{User: a, Org: lcc}
	s, err := w.g.SaveSummary(ctx, actor, isg.SummaryInput{SummaryTerms: agreement.SummaryTerms{Title: "T", Organisations: []isg.OrgID{lcc, wyp},
		DataAsset: "Records", Purpose: "Safeguarding", Benefits: "Earlier help", Format: "Electronic", ReviewCycleMonths: 12, InformationShared: []agreement.InfoCategory{agreement.InfoPersonal}}})
	require.NoError(b, err)
	terms := agreement.FlowTerms{Name: "Referrals", Parties: []isg.OrgID{lcc, wyp}, Direction: agreement.OneWay, From: []isg.OrgID{lcc}, To: []isg.OrgID{wyp},
		Frequency: agreement.Daily, TransferMode: agreement.SecureEmail, Controls: []string{"Encrypted"}, PersonalData: true,
		LegalBases: []agreement.LegalBasis{{Basis: agreement.Art6PublicTask, Instrument: "Children Act 1989 s.47"}}}
	f, err := w.g.CreateFlow(ctx, actor, isg.CreateFlowInput{Summary: s.ID, FlowTerms: terms})
	require.NoError(b, err)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		terms.Name = fmt.Sprintf("Referrals v%d", i)
		if _, err := w.g.EditFlow(ctx, actor, isg.FlowStep[agreement.FlowTerms]{Flow: f.ID, Input: terms}); err != nil {
			b.Fatal(err)
		}
	}
}

// putSyntheticFlow writes a flow from a to c straight into the store, with the index keys the
// Gateway gives a flow, for fixtures of many thousands of flows that commands would take minutes
// to build.
func putSyntheticFlow(tx isg.Tx, a, c isg.OrgID, name string, state agreement.FlowState, now time.Time) error {
	f := agreement.Flow{ID: agreement.FlowID{UUID: uuid.Must(uuid.NewV7())}, SummaryID: agreement.SummaryID{UUID: uuid.New()},
		CreatedByOrg: a, CreatedAt: now, UpdatedAt: now, State: state, Rev: 1,
		FlowTerms: agreement.FlowTerms{Name: name, Parties: []isg.OrgID{a, c}, Direction: agreement.OneWay,
			From: []isg.OrgID{a}, To: []isg.OrgID{c}, Frequency: agreement.Daily, TransferMode: agreement.SecureEmail,
			Controls: []string{"Encrypted transfer", "Role-based access"}, PersonalData: true,
			LegalBases: []agreement.LegalBasis{{Basis: agreement.Art6PublicTask, Instrument: "Children Act 1989 s.47"}}}}
	body, err := json.Marshal(f)
	if err != nil {
		return err
	}
	keys := []isg.IndexKey{{Name: "visible", Value: a.String()}, {Name: "visible", Value: c.String()},
		{Name: "summary", Value: f.SummaryID.String()}, {Name: "state", Value: string(f.State)}}
	_, err = tx.Put(ctx, isg.Record{Kind: "flow", ID: f.ID.String(), Body: body, Keys: keys})
	return err
}

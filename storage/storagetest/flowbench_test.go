package storagetest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/memory"
	"github.com/isgkit/gateway/storage/postgres"
	"github.com/isgkit/gateway/storage/postgres/pgtest"
	"github.com/isgkit/gateway/storage/sqlite"
	"github.com/isgkit/gateway/storage/storagetest"
)

// pg is started only when a benchmark asks for a database (NewSchema starts it), so the tests of
// this package never wait for PostgreSQL.
var pg pgtest.Cluster

func TestMain(m *testing.M) { os.Exit(pg.RunThenStop(m)) }

// BenchmarkFlowCommand is one flow command end to end — EditFlow on a Draft flow: authorise,
// load the flow and its summary, apply the edit through the state machine, diff and append the
// log entry, save with optimistic concurrency, build the view — on each adapter side by side,
// so that what the store costs a command shows against the command's own work (memory). SQLite
// runs in both sync modes; PostgreSQL is the pgtest server, started with fsync off, so its figure
// is round trips and server work without a disk flush.
func BenchmarkFlowCommand(b *testing.B) {
	adapters := []struct {
		name  string
		store func(b *testing.B) isg.Store
	}{
		{"memory", func(b *testing.B) isg.Store { return memory.New() }},
		{"sqlite", func(b *testing.B) isg.Store { return openSQLite(b) }},
		{"sqlite-normal", func(b *testing.B) isg.Store { return openSQLite(b, sqlite.WithSyncMode(sqlite.SyncNormal)) }},
		{"postgres", func(b *testing.B) isg.Store {
			s, err := postgres.Open(context.Background(), pg.NewSchema(b))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(s.Close)
			return s
		}},
	}
	for _, a := range adapters {
		b.Run(a.name, func(b *testing.B) { benchFlowCommand(b, a.store(b)) })
	}
}

func openSQLite(b *testing.B, opts ...sqlite.Option) isg.Store {
	s, err := sqlite.Open(filepath.Join(b.TempDir(), "isg.db"), opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func benchFlowCommand(b *testing.B, s isg.Store) {
	ctx := context.Background()
	g := storagetest.NewGateway(b, s)
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	user := func(email string) isg.UserID {
		reg, err := g.Register(ctx, isg.RegisterInput{Email: email, Name: email, Password: "Passw0rd!"})
		must(err)
		acc, err := g.VerifyEmail(ctx, isg.TokenInput{Token: reg.VerificationToken})
		must(err)
		return acc.ID
	}
	org := func(admin isg.UserID, name string) isg.OrgID {
		o, err := g.RegisterOrganisation(ctx, isg.Actor{User: admin}, isg.RegisterOrganisationInput{Name: name, Category: isg.CategoryLocalAuthority,
			Address: isg.Address{Line1: "1 High St", Town: "Leeds", Postcode: "LS1 1AA"}, ContactEmail: "ig@example.gov.uk"})
		must(err)
		return o.ID
	}
	a, p := user("a@leeds.gov.uk"), user("p@police.uk")
	lcc, wyp := org(a, "Leeds"), org(p, "Police")
	actor := isg.Actor{User: a, Org: lcc}
	sum, err := g.SaveSummary(ctx, actor, isg.SummaryInput{SummaryTerms: agreement.SummaryTerms{Title: "T", Organisations: []isg.OrgID{lcc, wyp},
		DataAsset: "Records", Purpose: "Safeguarding", Benefits: "Earlier help", Format: "Electronic", ReviewCycleMonths: 12,
		InformationShared: []agreement.InfoCategory{agreement.InfoPersonal}}})
	must(err)
	terms := agreement.FlowTerms{Name: "Referrals", Parties: []isg.OrgID{lcc, wyp}, Direction: agreement.OneWay, From: []isg.OrgID{lcc}, To: []isg.OrgID{wyp},
		Frequency: agreement.Daily, TransferMode: agreement.SecureEmail, Controls: []string{"Encrypted"}, PersonalData: true,
		LegalBases: []agreement.LegalBasis{{Basis: agreement.Art6PublicTask, Instrument: "Children Act 1989 s.47"}}}
	f, err := g.CreateFlow(ctx, actor, isg.CreateFlowInput{Summary: sum.ID, FlowTerms: terms})
	must(err)
	id := f.ID
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		terms.Name = fmt.Sprintf("Referrals v%d", i)
		if _, err := g.EditFlow(ctx, actor, isg.FlowStep[agreement.FlowTerms]{Flow: id, Input: terms}); err != nil {
			b.Fatal(err)
		}
	}
}

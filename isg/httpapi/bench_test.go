package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/httpapi"
	"github.com/isgkit/gateway/storage/postgres"
	"github.com/isgkit/gateway/storage/postgres/pgtest"
)

// pg is a PostgreSQL server for the benchmarks, started on first use (pgtest.Cluster.NewSchema)
// and stopped when the tests end.
var pg pgtest.Cluster

func TestMain(m *testing.M) { os.Exit(pg.RunThenStop(m)) }

// benchStores are the adapters the throughput benchmark runs on.
var benchStores = map[string]func(b *testing.B) isg.Store{
	"sqlite": func(b *testing.B) isg.Store { return stores["sqlite"](b) },
	"postgres": func(b *testing.B) isg.Store {
		s, err := postgres.Open(context.Background(), pg.NewSchema(b)+" pool_max_conns=8")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(s.Close)
		return s
	},
}

// benchPlatform is a production handler over store with users signed-in users, each with a
// session token "Bearer user-<i>".
type benchPlatform struct {
	g     *isg.Gateway
	url   string
	http  *http.Client
	users []isg.Actor
}

func newBenchPlatform(b *testing.B, store isg.Store, users int) *benchPlatform {
	b.Helper()
	ctx := context.Background()
	g, err := isg.New(store, cheapPasswords)
	if err != nil {
		b.Fatal(err)
	}
	p := &benchPlatform{g: g}
	sessions := map[string]isg.Actor{}
	for i := range users {
		res, err := g.Dispatch(ctx, "account.register", isg.Actor{}, json.RawMessage(fmt.Sprintf(`{"email":"user%d@leeds.gov.uk","name":"User %d","password":"Passw0rd!"}`, i, i)))
		if err != nil {
			b.Fatal(err)
		}
		reg := res.(isg.Registration)
		if _, err := g.Dispatch(ctx, "account.verify_email", isg.Actor{}, json.RawMessage(fmt.Sprintf(`{"token":%q}`, reg.VerificationToken))); err != nil {
			b.Fatal(err)
		}
		a := isg.Actor{User: reg.Account.ID}
		p.users = append(p.users, a)
		sessions[fmt.Sprintf("Bearer user-%d", i)] = a
	}
	h, err := httpapi.New(g, httpapi.WithActor(func(r *http.Request) (isg.Actor, error) { return sessions[r.Header.Get("Authorization")], nil }))
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	b.Cleanup(srv.Close)
	p.url = srv.URL
	p.http = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.Cleanup(p.http.CloseIdleConnections)
	return p
}

// post runs one command over the wire as user i and fails b on any answer but 200.
func (p *benchPlatform) post(b *testing.B, i int, command string, body []byte) {
	req, err := http.NewRequest(http.MethodPost, p.url+"/v1/commands/"+command, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", fmt.Sprintf("Bearer user-%d", i))
	resp, err := p.http.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("%s: %d %s", command, resp.StatusCode, out)
	}
}

// benchCommands are a read and a write each user can repeat for ever without conflicting with
// another user's.
var benchCommands = []struct {
	name, command string
	input         []byte
}{
	{"read", "account.memberships", []byte(`{}`)},
	{"write", "account.set_preferences", []byte(`{"off":["flow.dpo_approved"]}`)},
}

// BenchmarkRoundTrip is one command's round trip over loopback HTTP (a production handler: the
// session resolved, the JSON decoded, the command run, the result encoded and read back), beside
// the same command through Gateway.Dispatch in-process, on memory and on SQLite: the difference
// is what the protocol costs.
func BenchmarkRoundTrip(b *testing.B) {
	for _, storeName := range []string{"memory", "sqlite"} {
		for _, c := range benchCommands {
			b.Run(storeName+"/"+c.name+"/http", func(b *testing.B) {
				p := newBenchPlatform(b, stores[storeName](b), 1)
				b.ReportAllocs()
				for b.Loop() {
					p.post(b, 0, c.command, c.input)
				}
			})
			b.Run(storeName+"/"+c.name+"/in-process", func(b *testing.B) {
				p := newBenchPlatform(b, stores[storeName](b), 1)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := p.g.Dispatch(context.Background(), c.command, p.users[0], c.input); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkThroughput8Clients is 8 concurrent clients, each its own signed-in user, sending the
// same command over loopback HTTP to one handler on SQLite and on PostgreSQL (an 8-connection
// pool); ops/s is the server's throughput.
func BenchmarkThroughput8Clients(b *testing.B) {
	const clients = 8
	for _, storeName := range []string{"sqlite", "postgres"} {
		for _, c := range benchCommands {
			b.Run(storeName+"/"+c.name, func(b *testing.B) {
				p := newBenchPlatform(b, benchStores[storeName](b), clients)
				var next atomic.Int64
				b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
				b.ReportAllocs()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					i := int(next.Add(1)-1) % clients
					for pb.Next() {
						p.post(b, i, c.command, c.input)
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
			})
		}
	}
}

package postgres_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	osexec "os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/assurance"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/scenario"
	"github.com/isgkit/gateway/licensing"
	"github.com/isgkit/gateway/storage/postgres"
	"github.com/isgkit/gateway/storage/storagetest"
)

// TestGatewayTwoPools runs the shared Gateway cases with two Stores, each with its own pool, on
// one database: two application servers. Conflicts resolve by version, competing drainers
// deliver each message once, and the sweep on both raises each expiry once.
func TestGatewayTwoPools(t *testing.T) {
	storagetest.RunGatewayShared(t, func(t *testing.T) (isg.Store, isg.Store) {
		db := pg.NewSchema(t)
		return open(t, db), open(t, db)
	})
}

// The child process protocol. TestMain runs the test binary as a child when envRole is set: it
// opens a Gateway on the database envDB names, prints "ready", waits for a line on stdin, does
// its role's work with the input envInput carries, and prints one line per result.
const (
	envRole  = "ISG_PG_CHILD_ROLE"
	envDB    = "ISG_PG_CHILD_DB"
	envInput = "ISG_PG_CHILD_INPUT"
)

// childInput is what a child is given to work on, as JSON in envInput.
type childInput struct {
	// Now is the child's clock: fixed, so that leases never run out during a drain.
	Now time.Time `json:"now"`
	// Drainers is how many goroutines drain the outbox at once ("drain").
	Drainers int `json:"drainers,omitempty"`
	// Merge is answered (approved) by Approver at its organisation ("commands").
	Merge    isg.MergeID `json:"merge,omitzero"`
	Approver isg.Actor   `json:"approver"`
	// Contract's licences are allocated by SuperAdmin to Orgs ("commands").
	Contract   licensing.ContractID `json:"contract,omitzero"`
	SuperAdmin isg.UserID           `json:"super_admin"`
	Orgs       []isg.OrgID          `json:"orgs,omitempty"`
	// Sweeps is how many times each of the child's two sweepers runs Sweep ("sweep").
	Sweeps int `json:"sweeps,omitempty"`
	// ListKind's records holding ListKey are listed, by ListBy ("Find" or "Count"), in one unit
	// of work that then waits for a line on stdin and adds a record to the key ("list"); or
	// Joiners goroutines each add one unless the key has Capacity records already ("join").
	ListKind isg.Kind     `json:"list_kind,omitempty"`
	ListKey  isg.IndexKey `json:"list_key"`
	ListBy   string       `json:"list_by,omitempty"`
	Joiners  int          `json:"joiners,omitempty"`
	Capacity int          `json:"capacity,omitempty"`
}

// runChild is the child's main: it returns the process's exit code.
func runChild(role string) int {
	ctx := context.Background()
	var in childInput
	if err := json.Unmarshal([]byte(os.Getenv(envInput)), &in); err != nil {
		fmt.Fprintln(os.Stderr, "child input:", err)
		return 2
	}
	store, err := postgres.Open(ctx, os.Getenv(envDB))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		return 2
	}
	defer store.Close()
	g, err := isg.New(store, isg.WithClock(scenario.NewClock(in.Now)))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child gateway:", err)
		return 2
	}
	var mu sync.Mutex
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Printf(format+"\n", args...)
	}
	say("ready")
	stdin := bufio.NewReader(os.Stdin)
	if _, err := stdin.ReadString('\n'); err != nil {
		fmt.Fprintln(os.Stderr, "child: no go signal:", err)
		return 2
	}
	var wg sync.WaitGroup
	failed := make(chan error, 64)
	work := func(f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil {
				failed <- err
			}
		}()
	}
	switch role {
	case "drain":
		for range in.Drainers {
			work(func() error {
				n := isg.NotifierFunc(func(_ context.Context, n isg.Notification) error {
					say("delivered %s", n.ID)
					return nil
				})
				for {
					res, err := g.DrainOutbox(ctx, n, 3)
					if err != nil && !errors.Is(err, isg.ErrConflict) {
						return err
					}
					if err == nil && res == (isg.DrainResult{}) {
						return nil
					}
				}
			})
		}
	case "commands":
		work(func() error {
			_, err := g.AnswerMerge(ctx, in.Approver, isg.AnswerMergeInput{Merge: in.Merge, Approve: true})
			say("merge %s", outcome(err))
			return nil
		})
		for _, org := range in.Orgs {
			work(func() error {
				_, err := g.AllocateLicence(ctx, isg.Actor{User: in.SuperAdmin}, isg.AllocateInput{Contract: in.Contract, Org: org, Kind: licensing.Group})
				say("licence %s %s", org, outcome(err))
				return nil
			})
		}
	case "list":
		work(func() error {
			err := store.Update(ctx, func(tx isg.Tx) error {
				var n int
				var err error
				if in.ListBy == "Find" {
					var found []isg.Record
					found, err = tx.Find(ctx, in.ListKind, in.ListKey, isg.Page{})
					n = len(found)
				} else {
					n, err = tx.Count(ctx, in.ListKind, in.ListKey)
				}
				if err != nil {
					return err
				}
				say("listed %d", n)
				if _, err := stdin.ReadString('\n'); err != nil {
					return err
				}
				_, err = tx.Put(ctx, isg.Record{Kind: in.ListKind, ID: fmt.Sprintf("child-%d", os.Getpid()), Body: []byte("{}"), Keys: []isg.IndexKey{in.ListKey}})
				return err
			})
			say("result %s", outcome(err))
			return nil
		})
	case "join":
		errFull := errors.New("full")
		for j := range in.Joiners {
			work(func() error {
				id := fmt.Sprintf("p%d-j%d", os.Getpid(), j)
				for {
					err := store.Update(ctx, func(tx isg.Tx) error {
						n, err := tx.Count(ctx, in.ListKind, in.ListKey)
						if err != nil {
							return err
						}
						if n >= in.Capacity {
							return errFull
						}
						_, err = tx.Put(ctx, isg.Record{Kind: in.ListKind, ID: id, Body: []byte("{}"), Keys: []isg.IndexKey{in.ListKey}})
						return err
					})
					switch {
					case errors.Is(err, isg.ErrConflict):
						continue
					case errors.Is(err, errFull):
						return nil
					case err != nil:
						return err
					}
					say("joined %s", id)
					return nil
				}
			})
		}
	case "sweep":
		for range 2 {
			work(func() error {
				for range in.Sweeps {
					res, err := g.Sweep(ctx)
					if err != nil {
						return err
					}
					say("events %d", res.RatingEvents)
				}
				return nil
			})
		}
	default:
		fmt.Fprintln(os.Stderr, "child: unknown role", role)
		return 2
	}
	wg.Wait()
	close(failed)
	code := 0
	for err := range failed {
		fmt.Fprintln(os.Stderr, "child:", err)
		code = 1
	}
	return code
}

// outcome is "ok" or the error's stable code, for a child's result line.
func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	return isg.ErrorCode(err)
}

// children starts one child process per input, all on db, releases them together once every one
// is ready, waits for them and returns each one's result lines.
func children(t *testing.T, db, role string, inputs ...childInput) [][]string {
	t.Helper()
	cs := make([]*child, len(inputs))
	for i, in := range inputs {
		cs[i] = startChild(t, db, role, in)
	}
	for _, c := range cs {
		c.send("go")
	}
	out := make([][]string, len(cs))
	for i, c := range cs {
		for line := range c.lines {
			out[i] = append(out[i], line)
		}
		require.NoError(t, c.cmd.Wait(), "child %d", c.cmd.Process.Pid)
	}
	return out
}

// TestGatewayTwoProcesses runs the Gateway in two OS processes — this test binary started twice
// — against one database: both drain the outbox at once, both answer the same merge and allocate
// a contract's last licences at once, and both run the sweep at once. The parent then checks the
// database: every message delivered once and marked sent, exactly one merge answer and as many
// allocations as the contract has room for, and each rating expiry raised and told once.
func TestGatewayTwoProcesses(t *testing.T) {
	ctx := context.Background()
	db := pg.NewSchema(t)
	store := open(t, db)
	// Whole seconds, so the time survives JSON and both processes share one clock reading.
	now := time.Now().UTC().Truncate(time.Second)
	clock := scenario.NewClock(now)
	g := storagetest.NewGateway(t, store, isg.WithClock(clock))
	ca, err := g.Bootstrap(ctx, isg.BootstrapInput{Email: "support@isg.nhs.uk", Name: "Support", Password: "Support#2026"})
	require.NoError(t, err)
	user := func(email string) isg.UserID {
		t.Helper()
		reg, err := g.Register(ctx, isg.RegisterInput{Email: email, Name: email, Password: "Passw0rd!"})
		require.NoError(t, err)
		acc, err := g.VerifyEmail(ctx, isg.TokenInput{Token: reg.VerificationToken})
		require.NoError(t, err)
		return acc.ID
	}
	org := func(admin isg.UserID, name string) isg.OrgID {
		t.Helper()
		o, err := g.RegisterOrganisation(ctx, isg.Actor{User: admin}, isg.RegisterOrganisationInput{Name: name, Category: isg.CategoryLocalAuthority,
			Address: isg.Address{Line1: "1 High St", Town: "Leeds", Postcode: "LS1 1AA"}, ContactEmail: "ig@example.gov.uk"})
		require.NoError(t, err)
		return o.ID
	}

	t.Run("drain", func(t *testing.T) {
		a, b := user("drain-a@north.gov.uk"), user("drain-b@south.gov.uk")
		for i := range 15 {
			north, south := org(a, fmt.Sprintf("Drain North %d", i)), org(b, fmt.Sprintf("Drain South %d", i))
			_, err := g.RequestMerge(ctx, isg.Actor{User: a, Org: north}, isg.RequestMergeInput{Merging: []isg.OrgID{south}, Reason: "r", DisclaimerAcknowledged: true})
			require.NoError(t, err)
		}
		pending := map[string]bool{}
		for _, u := range []isg.UserID{a, b} {
			ns, err := all(g.Notifications(ctx, isg.Actor{User: u}, isg.ListPage{}))
			require.NoError(t, err)
			for _, n := range ns {
				pending[n.ID] = true
			}
		}
		require.Len(t, pending, 30)

		in := childInput{Now: now, Drainers: 3}
		delivered := map[string]int{}
		perProcess := make([]int, 2)
		for i, lines := range children(t, db, "drain", in, in) {
			for _, l := range lines {
				id, ok := strings.CutPrefix(l, "delivered ")
				require.True(t, ok, "unexpected line %q", l)
				delivered[id]++
				perProcess[i]++
			}
		}
		t.Logf("deliveries by process: %v", perProcess)
		for id := range pending {
			assert.Equal(t, 1, delivered[id], "message %s delivered once across both processes", id)
		}
		assert.Len(t, delivered, len(pending))
		for _, u := range []isg.UserID{a, b} {
			ns, err := all(g.Notifications(ctx, isg.Actor{User: u}, isg.ListPage{}))
			require.NoError(t, err)
			for _, n := range ns {
				assert.Equal(t, "sent", n.Status, "message %s in the database", n.ID)
				assert.Equal(t, 1, n.Attempts, "message %s in the database", n.ID)
			}
		}
	})

	t.Run("commands", func(t *testing.T) {
		sue, b1, b2 := user("sue@survivor.gov.uk"), user("bo@merging.gov.uk"), user("bea@merging.gov.uk")
		survivor, merging := org(sue, "Survivor"), org(b1, "Merging")
		_, err := g.SetRoles(ctx, isg.Actor{User: b1, Org: merging}, isg.SetRolesInput{User: b2, Roles: []isg.Role{isg.Administrator}})
		require.NoError(t, err)
		m, err := g.RequestMerge(ctx, isg.Actor{User: sue, Org: survivor}, isg.RequestMergeInput{Merging: []isg.OrgID{merging}, Reason: "r", DisclaimerAcknowledged: true})
		require.NoError(t, err)
		const capacity, contenders = 3, 8
		c, err := g.CreateContract(ctx, isg.Actor{User: ca.ID}, licensing.ContractInput{Org: survivor, Group: "Partnership", Capacity: capacity,
			Term: licensing.Period{Start: now, End: now.AddDate(1, 0, 0)}, Price: decimal.RequireFromString("500.00"), SuperAdmins: []isg.UserID{sue}})
		require.NoError(t, err)
		inputs := []childInput{
			{Now: now, Merge: m.ID, Approver: isg.Actor{User: b1, Org: merging}, Contract: c.ID, SuperAdmin: sue},
			{Now: now, Merge: m.ID, Approver: isg.Actor{User: b2, Org: merging}, Contract: c.ID, SuperAdmin: sue},
		}
		for i := range contenders {
			inputs[i%2].Orgs = append(inputs[i%2].Orgs, org(sue, fmt.Sprintf("Contender %d", i)))
		}
		merges, allocated := 0, map[string]bool{}
		for _, lines := range children(t, db, "commands", inputs...) {
			for _, l := range lines {
				f := strings.Fields(l)
				switch {
				case len(f) == 2 && f[0] == "merge":
					if f[1] == "ok" {
						merges++
					} else {
						assert.Contains(t, []string{"merge.invalid_transition", "merge.already_answered", "forbidden", "conflict"}, f[1], "the losing answer")
					}
				case len(f) == 3 && f[0] == "licence":
					if f[2] == "ok" {
						allocated[f[1]] = true
					} else {
						assert.Contains(t, []string{licensing.CodeAllocationLimit, "conflict"}, f[2], "a losing allocation")
					}
				default:
					t.Errorf("unexpected line %q", l)
				}
			}
		}
		assert.Equal(t, 1, merges, "exactly one of the two processes' answers won")
		assert.Len(t, allocated, capacity, "exactly as many allocations won as the contract has room for")

		stored, err := g.Contract(ctx, isg.Actor{User: ca.ID}, isg.ByID[licensing.ContractID]{ID: c.ID})
		require.NoError(t, err)
		require.Len(t, stored.Licences, capacity, "the database holds the contract's capacity and no more")
		for _, l := range stored.Licences {
			assert.True(t, allocated[l.Org.String()], "licence of %s was reported allocated", l.Org)
		}
		ms, err := all(g.MergeRequests(ctx, isg.Actor{User: sue, Org: survivor}, isg.ListPage{}))
		require.NoError(t, err)
		require.Len(t, ms, 1)
		assert.Equal(t, isg.MergeCompleted, ms[0].State)
		assert.Equal(t, []isg.OrgID{merging}, ms[0].Approvals)
	})

	t.Run("sweep", func(t *testing.T) {
		pat := user("pat@partner.gov.uk")
		partner := org(pat, "Partner")
		const orgs = 5
		met, score := true, 90
		for i := range orgs {
			admin := user(fmt.Sprintf("sweep%d@trust%d.nhs.uk", i, i))
			o := org(admin, "Sweep Trust "+strconv.Itoa(i))
			actor := isg.Actor{User: admin, Org: o}
			_, err := g.SubmitAssurance(ctx, actor, assurance.Answers{Standard: assurance.StandardDSPToolkit,
				ICONumber: fmt.Sprintf("Z%07d", 2000000+i), ICOExpiresAt: now.AddDate(3, 0, 0),
				DSPToolkit:   &assurance.DSPToolkit{StandardsMet: &met, Year: now.Year(), Score: &score, Evidence: "published"},
				StaffTrained: true, StaffScreened: true, PrivacyNoticeURL: "https://example.nhs.uk/privacy"})
			require.NoError(t, err)
			_, err = g.SaveSummary(ctx, actor, isg.SummaryInput{SummaryTerms: agreement.SummaryTerms{Title: "Sharing", Organisations: []isg.OrgID{o, partner},
				DataAsset: "Records", Purpose: "Care", Benefits: "Better care", Format: "Electronic", ReviewCycleMonths: 12,
				InformationShared: []agreement.InfoCategory{agreement.InfoPersonal}}})
			require.NoError(t, err)
		}
		in := childInput{Now: now.AddDate(1, 0, 2), Sweeps: 3}
		events := 0
		for _, lines := range children(t, db, "sweep", in, in) {
			for _, l := range lines {
				n, err := strconv.Atoi(strings.TrimPrefix(l, "events "))
				require.NoError(t, err, "line %q", l)
				events += n
			}
		}
		assert.Equal(t, orgs, events, "each expiry raised once across both processes")
		ns, err := all(g.Notifications(ctx, isg.Actor{User: pat}, isg.ListPage{}))
		require.NoError(t, err)
		expired := map[string]int{}
		for _, n := range ns {
			if n.Type == isg.EventRatingExpired {
				expired[n.Data["org"]]++
			}
		}
		assert.Len(t, expired, orgs)
		for o, n := range expired {
			assert.Equal(t, 1, n, "the partner is told of %s's expiry once", o)
		}
	})
}

// child is one child process driven line by line: send writes a line to its stdin, recv reads
// the next line it printed.
type child struct {
	t     *testing.T
	cmd   *osexec.Cmd
	stdin io.WriteCloser
	lines chan string
}

// startChild starts one child process on db and waits until it is ready; the caller sends "go".
func startChild(t *testing.T, db, role string, in childInput) *child {
	t.Helper()
	raw, err := json.Marshal(in)
	require.NoError(t, err)
	cmd := osexec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envRole+"="+role, envDB+"="+db, envInput+"="+string(raw))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	c := &child{t: t, cmd: cmd, stdin: stdin, lines: make(chan string, 1024)}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("child %d stderr:\n%s", cmd.Process.Pid, stderr.String())
		}
	})
	require.Equal(t, "ready", c.recv())
	return c
}

func (c *child) send(line string) {
	c.t.Helper()
	_, err := io.WriteString(c.stdin, line+"\n")
	require.NoError(c.t, err)
}

func (c *child) recv() string {
	c.t.Helper()
	line, ok := <-c.lines
	require.True(c.t, ok, "child %d ended without a line", c.cmd.Process.Pid)
	return line
}

func (c *child) wait() {
	c.t.Helper()
	for line := range c.lines {
		c.t.Errorf("child %d: unexpected line %q", c.cmd.Process.Pid, line)
	}
	require.NoError(c.t, c.cmd.Wait(), "child %d", c.cmd.Process.Pid)
}

// TestListingTwoProcesses checks the listing rule of the Store contract across OS processes. A
// child lists an index key in a unit of work and holds the unit open; the parent — another
// process, with its own pool — commits a change, then lets the child add a record to the key and
// commit. A record entering or leaving the key the child listed makes its commit fail as a
// conflict; a change elsewhere does not. Then children in two processes race to join a key of
// bounded size, which must end exactly full.
func TestListingTwoProcesses(t *testing.T) {
	ctx := context.Background()
	db := pg.NewSchema(t)
	s := open(t, db)
	team, other := isg.IndexKey{Name: "team", Value: "t"}, isg.IndexKey{Name: "team", Value: "u"}
	tests := []struct {
		name, by string
		change   func(kind isg.Kind) error
		conflict bool
	}{
		{"count, a record joins", "Count", func(kind isg.Kind) error {
			return put(ctx, s, isg.Record{Kind: kind, ID: "parent", Body: []byte("{}"), Keys: []isg.IndexKey{team}})
		}, true},
		{"find, a record joins", "Find", func(kind isg.Kind) error {
			return put(ctx, s, isg.Record{Kind: kind, ID: "parent", Body: []byte("{}"), Keys: []isg.IndexKey{team}})
		}, true},
		{"count, a record leaves", "Count", func(kind isg.Kind) error {
			return put(ctx, s, isg.Record{Kind: kind, ID: "m1", Version: 1, Body: []byte("{}"), Keys: []isg.IndexKey{other}})
		}, true},
		{"count, a record joins another key", "Count", func(kind isg.Kind) error {
			return put(ctx, s, isg.Record{Kind: kind, ID: "parent", Body: []byte("{}"), Keys: []isg.IndexKey{other}})
		}, false},
		{"count, a member rewritten", "Count", func(kind isg.Kind) error {
			return put(ctx, s, isg.Record{Kind: kind, ID: "m1", Version: 1, Body: []byte(`{"v":2}`), Keys: []isg.IndexKey{team}})
		}, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind := isg.Kind(fmt.Sprintf("proc%d", i))
			require.NoError(t, put(ctx, s, isg.Record{Kind: kind, ID: "m1", Body: []byte("{}"), Keys: []isg.IndexKey{team}}))
			c := startChild(t, db, "list", childInput{ListKind: kind, ListKey: team, ListBy: tt.by})
			c.send("go")
			require.Equal(t, "listed 1", c.recv())
			require.NoError(t, tt.change(kind), "the parent's change")
			c.send("commit")
			want := "result ok"
			if tt.conflict {
				want = "result conflict"
			}
			assert.Equal(t, want, c.recv())
			c.wait()
		})
	}

	t.Run("join a bounded key", func(t *testing.T) {
		const capacity = 3
		in := childInput{ListKind: "joiners", ListKey: team, Joiners: 4, Capacity: capacity}
		joined := 0
		for _, lines := range children(t, db, "join", in, in) {
			for _, l := range lines {
				require.True(t, strings.HasPrefix(l, "joined "), "unexpected line %q", l)
				joined++
			}
		}
		assert.Equal(t, capacity, joined, "as many joined as the key has room for")
		require.NoError(t, s.View(ctx, func(tx isg.Tx) error {
			n, err := tx.Count(ctx, "joiners", team)
			if err == nil && n != capacity {
				err = fmt.Errorf("the key holds %d records, capacity %d", n, capacity)
			}
			return err
		}))
	})
}

// all returns a listing's items: these tests' listings fit in one page.
func all[T any](l isg.Listing[T], err error) ([]T, error) { return l.Items, err }

package sqlite_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/scenario"
	"github.com/isgkit/gateway/storage/sqlite"
	"github.com/isgkit/gateway/storage/storagetest"
)

// The writer child of TestSIGKILL: TestMain runs the test binary as one when envWriter is set.
const (
	envWriter = "ISG_SQLITE_WRITER"
	envPath   = "ISG_SQLITE_PATH"
	envSync   = "ISG_SQLITE_SYNC"
)

// TestMain runs the tests, or, in a child process of TestSIGKILL, the writer.
func TestMain(m *testing.M) {
	if in := os.Getenv(envWriter); in != "" {
		os.Exit(runWriter(in))
	}
	os.Exit(m.Run())
}

// writerInput is the writer's actors and clock, as JSON in envWriter.
type writerInput struct {
	Actor   isg.Actor `json:"actor"`
	Partner isg.OrgID `json:"partner"`
	Now     time.Time `json:"now"`
}

// writerStreams is how many goroutines of the writer run commands at once, so that the kill finds
// several units of work in flight.
const writerStreams = 3

// runWriter writes a stream of Gateway commands to the file until it is killed: on each of
// writerStreams goroutines, a summary, a flow beneath it and edits of the flow, printing each
// command's result once the command has returned (acknowledged): "summary <id>", "flow <id>",
// "edit <flow id> <n>" where the flow is then named "Flow v<n>".
func runWriter(raw string) int {
	ctx := context.Background()
	var in writerInput
	if err := json.Unmarshal([]byte(raw), &in); err != nil {
		fmt.Fprintln(os.Stderr, "writer:", err)
		return 2
	}
	store, err := sqlite.Open(os.Getenv(envPath), sqlite.WithSyncMode(sqlite.SyncMode(os.Getenv(envSync))))
	if err != nil {
		fmt.Fprintln(os.Stderr, "writer:", err)
		return 2
	}
	g, err := isg.New(store, isg.WithClock(scenario.NewClock(in.Now)))
	if err != nil {
		fmt.Fprintln(os.Stderr, "writer:", err)
		return 2
	}
	var mu sync.Mutex
	ack := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Printf(format+"\n", args...)
	}
	var wg sync.WaitGroup
	for stream := range writerStreams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				s, err := g.SaveSummary(ctx, in.Actor, isg.SummaryInput{SummaryTerms: killSummary(fmt.Sprintf("Stream %d summary %d", stream, i), in.Actor.Org, in.Partner)})
				if err != nil {
					fmt.Fprintln(os.Stderr, "writer:", err)
					os.Exit(1)
				}
				ack("summary %s", s.ID)
				terms := killFlow("Flow v0", in.Actor.Org, in.Partner)
				f, err := g.CreateFlow(ctx, in.Actor, isg.CreateFlowInput{Summary: s.ID, FlowTerms: terms})
				if err != nil {
					fmt.Fprintln(os.Stderr, "writer:", err)
					os.Exit(1)
				}
				ack("flow %s", f.ID)
				for n := 1; n <= 3; n++ {
					terms.Name = fmt.Sprintf("Flow v%d", n)
					terms.Controls = append(terms.Controls, fmt.Sprintf("Control %d", n))
					if _, err := g.EditFlow(ctx, in.Actor, isg.FlowStep[agreement.FlowTerms]{Flow: f.ID, Input: terms}); err != nil {
						fmt.Fprintln(os.Stderr, "writer:", err)
						os.Exit(1)
					}
					ack("edit %s %d", f.ID, n)
				}
			}
		}()
	}
	wg.Wait()
	return 0
}

func killSummary(title string, orgs ...isg.OrgID) agreement.SummaryTerms {
	return agreement.SummaryTerms{Title: title, Organisations: orgs, DataAsset: "Records", Purpose: "Direct care",
		Benefits: "Safer care", Format: "Electronic", ReviewCycleMonths: 12, InformationShared: []agreement.InfoCategory{agreement.InfoPersonal}}
}

func killFlow(name string, from, to isg.OrgID) agreement.FlowTerms {
	return agreement.FlowTerms{Name: name, Parties: []isg.OrgID{from, to}, Direction: agreement.OneWay,
		From: []isg.OrgID{from}, To: []isg.OrgID{to}, Frequency: agreement.Daily, TransferMode: agreement.SecureEmail,
		Controls: []string{"Encrypted"}, PersonalData: true,
		LegalBases: []agreement.LegalBasis{{Basis: agreement.Art6PublicTask, Instrument: "Health and Social Care Act 2012"}}}
}

// TestSIGKILL kills a process with SIGKILL while it writes a stream of Gateway commands to one
// file, in each sync mode, and then opens the file: SQLite's integrity check passes, every
// command the process acknowledged (printed after it returned) is in the file, and every
// summary's and flow's transaction log — acknowledged or not — verifies.
func TestSIGKILL(t *testing.T) {
	for _, mode := range []sqlite.SyncMode{sqlite.SyncFull, sqlite.SyncNormal} {
		t.Run(string(mode), func(t *testing.T) { sigkill(t, mode) })
	}
}

func sigkill(t *testing.T, mode sqlite.SyncMode) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "isg.db")
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

	s, err := sqlite.Open(path)
	require.NoError(t, err)
	g := storagetest.NewGateway(t, s, isg.WithClock(scenario.NewClock(now)))
	user := func(email string) isg.UserID {
		reg, err := g.Register(ctx, isg.RegisterInput{Email: email, Name: email, Password: "Passw0rd!"})
		require.NoError(t, err)
		acc, err := g.VerifyEmail(ctx, isg.TokenInput{Token: reg.VerificationToken})
		require.NoError(t, err)
		return acc.ID
	}
	org := func(admin isg.UserID, name string) isg.OrgID {
		o, err := g.RegisterOrganisation(ctx, isg.Actor{User: admin}, isg.RegisterOrganisationInput{Name: name, Category: isg.CategoryNHSTrust,
			Address: isg.Address{Line1: "1 Park Row", Town: "Leeds", Postcode: "LS1 5AB"}, ContactEmail: "ig@example.nhs.uk"})
		require.NoError(t, err)
		return o.ID
	}
	a, p := user("ann@leeds.nhs.uk"), user("pete@westyorkshire.police.uk")
	actor := isg.Actor{User: a, Org: org(a, "Leeds")}
	partner := org(p, "Police")
	require.NoError(t, s.Close())

	in, err := json.Marshal(writerInput{Actor: actor, Partner: partner, Now: now})
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envWriter+"="+string(in), envPath+"="+path, envSync+"="+string(mode))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})

	// Read acknowledgements; kill after enough of them, then take whatever complete lines the
	// pipe still holds. A line cut short by the kill was never acknowledged, and is dropped.
	const killAfter = 150
	var acks []string
	r := bufio.NewReader(stdout)
	killed := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			break
		}
		acks = append(acks, strings.TrimSuffix(line, "\n"))
		if len(acks) == killAfter && !killed {
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			killed = true
		}
	}
	err = cmd.Wait()
	require.True(t, killed, "the writer stopped before %d acknowledgements: %v\n%s", killAfter, err, stderr.String())
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	ws, ok := exit.Sys().(syscall.WaitStatus)
	require.True(t, ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL, "the writer died of SIGKILL, not %v\n%s", err, stderr.String())
	t.Logf("%d commands acknowledged before the kill", len(acks))

	// The file as the killed process left it, WAL and all: SQLite's own check first.
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	var integrity string
	require.NoError(t, db.QueryRow("PRAGMA integrity_check").Scan(&integrity))
	require.NoError(t, db.Close())
	require.Equal(t, "ok", integrity)

	s = open(t, path)
	g = storagetest.NewGateway(t, s, isg.WithClock(scenario.NewClock(now)))
	lastEdit := map[string]int{}
	var summaries, flows int
	for _, l := range acks {
		f := strings.Fields(l)
		switch {
		case len(f) == 2 && f[0] == "summary":
			summaries++
			_, err := g.Summary(ctx, actor, summaryID(t, f[1]))
			require.NoError(t, err, "acknowledged summary %s is in the file", f[1])
		case len(f) == 2 && f[0] == "flow":
			flows++
			_, err := g.Flow(ctx, actor, flowID(t, f[1]))
			require.NoError(t, err, "acknowledged flow %s is in the file", f[1])
			lastEdit[f[1]] = max(lastEdit[f[1]], 0)
		case len(f) == 3 && f[0] == "edit":
			n, err := strconv.Atoi(f[2])
			require.NoError(t, err)
			lastEdit[f[1]] = max(lastEdit[f[1]], n)
		default:
			t.Fatalf("unexpected line %q", l)
		}
	}
	require.Positive(t, summaries)
	require.Positive(t, flows)
	for id, n := range lastEdit {
		fv, err := g.Flow(ctx, actor, flowID(t, id))
		require.NoError(t, err)
		var stored int
		_, err = fmt.Sscanf(fv.Name, "Flow v%d", &stored)
		require.NoError(t, err)
		// A later edit may have committed without being acknowledged; an acknowledged one
		// cannot be missing.
		assert.GreaterOrEqual(t, stored, n, "flow %s: acknowledged edit %d is in the file", id, n)
	}

	// Every log in the file verifies, including those of commands that committed unacknowledged.
	checked := 0
	for _, kind := range []string{"summary", "flow"} {
		var ids []string
		after := ""
		for {
			switch kind {
			case "summary":
				page, err := g.Summaries(ctx, actor, isg.ListPage{After: after, Limit: 100})
				require.NoError(t, err)
				for _, s := range page.Items {
					ids = append(ids, s.ID.String())
				}
				after = page.Next
			case "flow":
				page, err := g.Flows(ctx, actor, isg.ListPage{After: after, Limit: 100})
				require.NoError(t, err)
				for _, f := range page.Items {
					ids = append(ids, f.ID.String())
				}
				after = page.Next
			}
			if after == "" {
				break
			}
		}
		for _, id := range ids {
			var log isg.AgreementLog
			var err error
			if kind == "summary" {
				log, err = g.SummaryLog(ctx, actor, summaryID(t, id))
			} else {
				log, err = g.FlowLog(ctx, actor, flowID(t, id))
			}
			require.NoError(t, err)
			assert.True(t, log.Verified, "%s %s: %s", kind, id, log.Problem)
			checked++
		}
	}
	t.Logf("%d logs verified", checked)
}

// summaryID and flowID are the Gateway's inputs for a summary or flow named by its text form.
func summaryID(t *testing.T, s string) isg.ByID[agreement.SummaryID] {
	t.Helper()
	id, err := agreement.ParseSummaryID(s)
	require.NoError(t, err)
	return isg.ByID[agreement.SummaryID]{ID: id}
}

func flowID(t *testing.T, s string) isg.ByID[agreement.FlowID] {
	t.Helper()
	id, err := agreement.ParseFlowID(s)
	require.NoError(t, err)
	return isg.ByID[agreement.FlowID]{ID: id}
}

package storagetest

import (
	"bufio"
	"cmp"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/assurance"
	"github.com/isgkit/gateway/dpia"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/scenario"
)

// DocQueries returns the SQL blocks of a Markdown file written for dialect, by name: each is a
// fenced block whose info string is "sql <dialect> <name>" (docs/sql.md), and its text is the
// query exactly as the reader sees it. A block named twice for one dialect fails the test.
func DocQueries(t testing.TB, path, dialect string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	out := map[string]string{}
	var name string
	var body strings.Builder
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case !in && strings.HasPrefix(line, "```sql "):
			fields := strings.Fields(strings.TrimPrefix(line, "```sql "))
			if len(fields) == 2 && fields[0] == dialect {
				name, in = fields[1], true
				body.Reset()
				require.NotContains(t, out, name, "%s: query %s written twice for %s", path, name, dialect)
			}
		case in && line == "```":
			out[name], in = body.String(), false
		case in:
			body.WriteString(line)
			body.WriteByte('\n')
		}
	}
	require.NoError(t, sc.Err())
	require.False(t, in, "%s: unterminated block %s", path, name)
	return out
}

// SQLTarget is an adapter's store and a way to run SQL on the database behind it, for
// RunDocumentedQueries: Query returns each row's columns as text (NULL as "", numbers in
// decimal).
type SQLTarget struct {
	Store isg.Store
	Query func(query string, args ...any) ([][]string, error)
}

// documentedQueries are the queries docs/sql.md must hold for every dialect, each with what its
// rows must be, worked out in Go from the records the Gateway stored (decoded into their Go
// types, with the pure packages' own methods where there is one, such as Flow.SignatureOf).
var documentedQueries = map[string]func(c queryCorpus, now time.Time, days int) [][]string{
	"flows-by-state":       expectFlowsByState,
	"expiring-assurance":   expectExpiringAssurance,
	"outstanding-signoffs": expectOutstandingSignoffs,
	"dpias-by-status":      expectDPIAsByStatus,
}

// queryScenarios fill the stores the documented queries run on: between them they hold flows
// in every state the lifecycle reaches, sign-offs asked for and given, DPIAs approved, closed
// and in progress, and assurance with ICO expiry dates.
// signoff is run twice: whole, and stopped after its 31st step, when two of the four
// organisations asked to sign the first flow have signed and two have not.
var queryScenarios = []struct {
	file  string
	steps int
}{{"assurance", -1}, {"dpia", -1}, {"flows", -1}, {"lifecycle_end", -1}, {"signoff", -1}, {"signoff", 31}}

// RunDocumentedQueries runs every query docs/sql.md (doc) writes for dialect ("sqlite" or
// "postgres") on stores filled by scenario files of scenarios through real Gateway commands,
// and checks each returns exactly the rows expected, in order. Each query must be documented
// for the dialect, and each must return rows on at least one store, so a query that matches
// nothing (a misspelt field, say) fails. open returns an empty store and its SQL access.
//
// The expiring-assurance query takes the moment and a number of days: SQLite's as the named
// parameters :now (RFC 3339 text) and :days, PostgreSQL's as $1 (a time) and $2.
func RunDocumentedQueries(t *testing.T, doc, dialect, scenarios string, open func(t *testing.T) SQLTarget) {
	t.Helper()
	queries := DocQueries(t, doc, dialect)
	for name := range documentedQueries {
		require.Contains(t, queries, name, "%s documents no %s query for %s", doc, name, dialect)
	}
	for name := range queries {
		require.Contains(t, documentedQueries, name, "%s: %s query %s has no expectation in storagetest", doc, dialect, name)
	}
	nonEmpty := map[string]bool{}
	for _, sc := range queryScenarios {
		label := sc.file
		if sc.steps >= 0 {
			label = fmt.Sprintf("%s_to_step_%d", sc.file, sc.steps)
		}
		t.Run(label, func(t *testing.T) {
			path := filepath.Join(scenarios, sc.file+".json")
			f, err := scenario.Load(path)
			require.NoError(t, err)
			target := open(t)
			rec := NewRecording(target.Store)
			PopulateSteps(t, rec, path, sc.steps)
			c := newQueryCorpus(t, rec.Records())
			for _, name := range slices.Sorted(func(yield func(string) bool) {
				for n := range documentedQueries {
					if !yield(n) {
						return
					}
				}
			}) {
				// Two windows: a year from the scenario's start holds the expiry dates the
				// files give; a week holds fewer, so the window is tested too.
				for _, days := range []int{365, 7} {
					var args []any
					if name == "expiring-assurance" {
						if dialect == "sqlite" {
							args = []any{sql.Named("now", f.Start.UTC().Format(time.RFC3339)), sql.Named("days", days)}
						} else {
							args = []any{f.Start, days}
						}
					} else if days != 365 {
						continue
					}
					want := documentedQueries[name](c, f.Start, days)
					got, err := target.Query(queries[name], args...)
					require.NoError(t, err, "%s query %s", dialect, name)
					if got == nil {
						got = [][]string{}
					}
					require.Equal(t, want, got, "%s query %s (days %d) on the %s scenario", dialect, name, days, label)
					nonEmpty[name] = nonEmpty[name] || len(want) > 0
				}
			}
		})
	}
	for name := range documentedQueries {
		require.True(t, nonEmpty[name], "query %s returned no row on any scenario: the test proves nothing", name)
	}
}

// queryCorpus is a store's records decoded into their Go types.
type queryCorpus struct {
	orgs      map[string]string // ID → name
	flows     []agreement.Flow
	dpias     []dpia.DPIA
	assurance []assurance.Submission
}

func newQueryCorpus(t testing.TB, recs []isg.Record) queryCorpus {
	t.Helper()
	c := queryCorpus{orgs: map[string]string{}}
	for _, r := range recs {
		var err error
		switch r.Kind {
		case "organisation":
			var o isg.Organisation
			err = json.Unmarshal(r.Body, &o)
			c.orgs[r.ID] = o.Name
		case "flow":
			var f agreement.Flow
			err = json.Unmarshal(r.Body, &f)
			c.flows = append(c.flows, f)
		case "dpia":
			var d dpia.DPIA
			err = json.Unmarshal(r.Body, &d)
			c.dpias = append(c.dpias, d)
		case "assurance":
			var a struct {
				Submission assurance.Submission `json:"submission"`
			}
			err = json.Unmarshal(r.Body, &a)
			c.assurance = append(c.assurance, a.Submission)
		}
		require.NoError(t, err, "decoding %s %s", r.Kind, r.ID)
	}
	return c
}

// instant is how an instant reads in a body: RFC 3339 in UTC, as encoding/json writes it.
func instant(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// countRows turns counts by (organisation, state) into rows sorted by both.
func countRows(counts map[[2]string]int) [][]string {
	out := [][]string{}
	for k, n := range counts {
		out = append(out, []string{k[0], k[1], fmt.Sprint(n)})
	}
	slices.SortFunc(out, func(a, b []string) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	return out
}

func expectFlowsByState(c queryCorpus, _ time.Time, _ int) [][]string {
	counts := map[[2]string]int{}
	for _, f := range c.flows {
		for _, p := range f.Parties {
			if name, ok := c.orgs[p.String()]; ok {
				counts[[2]string{name, string(f.State)}]++
			}
		}
	}
	return countRows(counts)
}

func expectDPIAsByStatus(c queryCorpus, _ time.Time, _ int) [][]string {
	counts := map[[2]string]int{}
	for _, d := range c.dpias {
		if name, ok := c.orgs[d.Org.String()]; ok {
			counts[[2]string{name, string(d.State)}]++
		}
	}
	return countRows(counts)
}

func expectExpiringAssurance(c queryCorpus, now time.Time, days int) [][]string {
	out := [][]string{}
	until := now.AddDate(0, 0, days)
	for _, s := range c.assurance {
		name, ok := c.orgs[s.Org.String()]
		if exp := s.ICOExpiresAt; ok && !exp.IsZero() && !exp.Before(now) && exp.Before(until) {
			out = append(out, []string{name, s.ICONumber, instant(exp)})
		}
	}
	slices.SortFunc(out, func(a, b []string) int { return cmp.Or(cmp.Compare(a[2], b[2]), cmp.Compare(a[0], b[0])) })
	return out
}

func expectOutstandingSignoffs(c queryCorpus, _ time.Time, _ int) [][]string {
	out := [][]string{}
	for _, f := range c.flows {
		if f.State != agreement.Finalised {
			continue
		}
		for _, r := range f.SignOff {
			name, ok := c.orgs[r.Org.String()]
			if _, signed := f.SignatureOf(r.Org); ok && !signed {
				out = append(out, []string{f.Name, name, r.User.String(), instant(r.SignBy)})
			}
		}
	}
	slices.SortFunc(out, func(a, b []string) int {
		return cmp.Or(cmp.Compare(a[3], b[3]), cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]), cmp.Compare(a[2], b[2]))
	})
	return out
}

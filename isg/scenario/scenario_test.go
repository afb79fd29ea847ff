package scenario_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/scenario"
	"github.com/isgkit/gateway/storage/memory"
)

// refusedFiles are files Load refuses, with what its error says. The schema test reads them too:
// what the runner refuses, docs/scenario.schema.json must refuse (or say why it cannot).
var refusedFiles = []struct {
	name, body, want string
}{
	{"malformed", `{"name": "x", "steps": [`, "malformed scenario"},
	{"unknown top-level field", `{"name": "x", "start": "2026-01-01T00:00:00Z", "stepz": []}`, "unknown field"},
	{"unknown step field", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"command": "mou.current", "expect": {"ok": true}, "expct": 1}]}`, "unknown field"},
	{"unknown command", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"command": "mou.sing", "expect": {"ok": true}}]}`, `step 1 (): unknown command "mou.sing"`},
	{"no expectation", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"command": "mou.current"}]}`, "expect must say"},
	{"both ok and error", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"command": "mou.current", "expect": {"ok": true, "error": "x"}}]}`, "expect must say"},
	{"bad advance", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"command": "mou.current", "advance": "soon", "expect": {"ok": true}}]}`, "bad advance"},
	{"empty step", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"name": "nothing"}]}`, "needs a command"},
	{"no start", `{"name": "x", "steps": [{"command": "mou.current", "expect": {"ok": true}}]}`, "start time"},
	{"check on an error step", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"command": "mou.current", "expect": {"error": "mou.not_published"}, "check": {"version": 1}}]}`, `step 1 (): "check" and "save" read a result`},
	{"save on an error step", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"command": "mou.current", "expect": {"error": "mou.not_published"}, "save": {"v": "version"}}]}`, `"check" and "save" read a result`},
	{"clock-only step with expect", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"advance": "1h", "expect": {"ok": true}}]}`, `clock-only step has no command, so its "expect"`},
	{"clock-only step with check", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"advance": "1h", "check": {"a": 1}}]}`, `its "check"`},
	{"clock-only step with as", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"advance": "1h", "as": {"user": "$a"}}]}`, `its "as"`},
	{"clock-only step with input", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"advance": "1h", "input": {}}]}`, `its "input"`},
	{"null check on a misspelt path", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"command": "account.register", "input": {}, "expect": {"ok": true}, "check": {"acount.state": null}}]}`, `check acount.state: no field "acount"`},
	{"null check on a misspelt nested path", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"command": "account.register", "input": {}, "expect": {"ok": true}, "check": {"account.memberships.0.rols": null}}]}`, `no field "rols"`},
	{"save from a misspelt path", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"command": "account.register", "input": {}, "expect": {"ok": true}, "save": {"a": "acount.id"}}]}`, `save a: no field "acount"`},
	{"rule on ok", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"command": "mou.current", "expect": {"ok": true, "rule": "MOU-1"}}]}`, "an \"ok\" expectation cannot carry them"},
	{"fields on ok", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"command": "mou.current", "expect": {"ok": true, "fields": ["x"]}}]}`, "an \"ok\" expectation cannot carry them"},
	{"exact_fields without fields", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"command": "mou.current", "expect": {"error": "x", "exact_fields": true}}]}`, "needs the \"fields\""},
	{"clock moved back silently", `{"name": "x", "start": "2026-01-02T00:00:00Z", "steps": [{"clock": "2026-01-01T00:00:00Z"}]}`, "the clock moves back"},
	{"clock moved back after an advance", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"advance": "2d"}, {"clock": "2026-01-02T00:00:00Z"}]}`, "step 2 (): the clock moves back"},
	{"negative advance", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"advance": "-1h"}]}`, "moves the clock back"},
	{"backwards without a clock", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"advance": "1h", "backwards": true}]}`, "belongs with a \"clock\""},
	{"as on a command that takes no actor", `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"as": {"user": "$a"}, "command": "mou.current", "expect": {"ok": true}}]}`, "mou.current takes no actor"},
}

// TestLoadRefusesWhatItCannotRun: nothing in a scenario file is skipped silently.
func TestLoadRefusesWhatItCannotRun(t *testing.T) {
	for _, tt := range refusedFiles {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.json")
			require.NoError(t, os.WriteFile(path, []byte(tt.body), 0o644))
			_, err := scenario.Load(path)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), path, "the error names the file")
		})
	}
}

// TestLoadAcceptsWhatItCanRun: a clock moved back on purpose, a null check on a field the result
// type has, and a path through a map by a variable are accepted.
func TestLoadAcceptsWhatItCanRun(t *testing.T) {
	for name, body := range acceptedFiles {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.json")
			require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
			_, err := scenario.Load(path)
			assert.NoError(t, err)
		})
	}
}

// acceptedFiles are files Load accepts beyond those in testdata/scenarios; the schema accepts
// them too.
var acceptedFiles = map[string]string{
	"backwards on purpose": `{"name": "x", "start": "2026-01-02T00:00:00Z", "steps": [{"clock": "2026-01-01T00:00:00Z", "backwards": true}]}`,
	"null on a real field": `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"command": "account.register", "input": {}, "expect": {"error": "invalid_input"}}, {"command": "account.register", "input": {}, "expect": {"ok": true}, "check": {"account.memberships.0.roles": null, "account.memberships.#": 0}}]}`,
	"a map by variable":    `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"as": {"user": "$u", "org": "$o"}, "command": "flow.get", "input": {"id": "$f"}, "expect": {"ok": true}, "check": {"party_ratings.$o.level": "significant", "next.#": 0}}]}`,
	"an array result":      `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [{"as": {"user": "$u", "org": "$o"}, "command": "org.members", "expect": {"ok": true}, "check": {"#": 1, "0.user": "$u"}}]}`,
}

func TestLoadAcceptsAValidFile(t *testing.T) {
	f, err := scenario.Load("../../testdata/scenarios/accounts.json")
	require.NoError(t, err)
	assert.Equal(t, "accounts", f.Name)
	assert.NotEmpty(t, f.Steps)
}

// TestExecuteReportsTheFailingStep: a wrong expectation, an unset variable or an unknown input
// field fails the run at that step.
func TestExecuteReportsTheFailingStep(t *testing.T) {
	boot := `{"name": "b", "command": "platform.bootstrap", "input": {"email": "s@isg.nhs.uk", "name": "S", "password": "Support#2026"}, "expect": {"ok": true}, "save": {"ca": "id"}}`
	tests := []struct {
		name, step, want string
	}{
		{"wrong outcome", `{"name": "again", "command": "platform.bootstrap", "input": {"email": "t@isg.nhs.uk", "name": "T", "password": "Support#2026"}, "expect": {"ok": true}}`, "step 2 (again platform.bootstrap): want ok, got error bootstrap.done"},
		{"unset variable", `{"as": {"user": "$nobody"}, "command": "account.get", "input": {"user": "$ca"}, "expect": {"ok": true}}`, "variable $nobody is not set"},
		{"unknown input field", `{"command": "account.sign_in", "input": {"email": "s@isg.nhs.uk", "pasword": "x"}, "expect": {"error": "auth.invalid_credentials"}}`, "want error auth.invalid_credentials, got command.bad_input"},
		{"failed check", `{"as": {"user": "$ca"}, "command": "account.get", "input": {"user": "$ca"}, "expect": {"ok": true}, "check": {"state": "locked"}}`, `check state: got "active", want "locked"`},
		{"wrong rule", `{"command": "account.register", "input": {"email": "a@nhs.net", "name": "A", "password": "weak"}, "expect": {"error": "invalid_input", "rule": "REG-7"}}`, "want rule REG-7"},
		{"missing field error", `{"command": "account.register", "input": {"email": "a@nhs.net", "name": "A", "password": "weak"}, "expect": {"error": "invalid_input", "fields": ["email"]}}`, `want a field error on "email"`},
		{"exact fields", `{"command": "account.register", "input": {"email": "bad", "name": "", "password": "weak"}, "expect": {"error": "invalid_input", "fields": ["email"], "exact_fields": true}}`, `want field errors on exactly ["email"], got one on "name" too`},
		{"a literal dollar is sent as it is", `{"command": "account.sign_in", "input": {"email": "s@isg.nhs.uk", "password": "$$nobody"}, "expect": {"ok": true}}`, "want ok, got error auth.invalid_credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.json")
			body := `{"name": "x", "start": "2026-01-01T00:00:00Z", "steps": [` + boot + `, ` + tt.step + `]}`
			require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
			f, err := scenario.Load(path)
			require.NoError(t, err)
			clock := scenario.NewClock(f.Start)
			g, err := isg.New(memory.New(), isg.WithClock(clock), isg.WithPasswordParams(isg.PasswordParams{Time: 1, Memory: 64, Threads: 1}))
			require.NoError(t, err)
			err = scenario.Execute(context.Background(), f, g, clock)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestScenarioIDsFollowTheScenarioClock: RunFile gives the Gateway an ID source driven by the
// scenario's clock, so IDs (UUIDv7) carry the scenario's time and listings sort in its order.
func TestScenarioIDsFollowTheScenarioClock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"name": "x", "start": "2031-03-04T05:06:07Z", "steps": [{"command": "mou.current", "expect": {"error": "mou.not_published"}}]}`), 0o644))
	var g *isg.Gateway
	scenario.RunFile(t, path, func(t *testing.T, opts ...isg.Option) *isg.Gateway {
		var err error
		g, err = isg.New(memory.New(), append(opts, isg.WithPasswordParams(isg.PasswordParams{Time: 1, Memory: 64, Threads: 1}))...)
		require.NoError(t, err)
		return g
	})
	first, err := g.Register(context.Background(), isg.RegisterInput{Email: "a@nhs.net", Name: "A", Password: "Passw0rd!"})
	require.NoError(t, err)
	second, err := g.Register(context.Background(), isg.RegisterInput{Email: "b@nhs.net", Name: "B", Password: "Passw0rd!"})
	require.NoError(t, err)
	sec, nsec := first.Account.ID.Time().UnixTime()
	assert.Equal(t, time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC), time.Unix(sec, nsec).UTC(), "the ID carries the scenario's time")
	assert.Less(t, first.Account.ID.String(), second.Account.ID.String(), "IDs made at one instant still increase")
	assert.Equal(t, uuid.Version(7), second.Account.ID.Version())
}

func TestIDsIncreaseWhenTheClockMovesBack(t *testing.T) {
	clock := scenario.NewClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	ids := scenario.NewIDs(clock)
	a := ids.NewID()
	clock.Set(clock.Now().Add(-time.Hour))
	b := ids.NewID()
	clock.Advance(2 * time.Hour)
	c := ids.NewID()
	assert.Less(t, a.String(), b.String())
	assert.Less(t, b.String(), c.String())
}

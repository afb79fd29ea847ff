package scenario_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/scenario"
	"github.com/isgkit/gateway/storage/memory"
)

// TestLoadRefusesWhatItCannotRun: nothing in a scenario file is skipped silently.
func TestLoadRefusesWhatItCannotRun(t *testing.T) {
	tests := []struct {
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
	}
	for _, tt := range tests {
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

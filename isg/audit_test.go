package isg_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/scenario"
	"github.com/isgkit/gateway/storage/memory"
)

// declaredRows maps each command to the permission-table row it declares, from the declarations
// themselves (isg.Commands), never from a list kept beside them.
func declaredRows(t *testing.T) map[string]isg.Action {
	t.Helper()
	rows := map[string]isg.Action{}
	for _, c := range isg.Commands() {
		if c.HasRow {
			rows[c.Name] = c.Row
		}
	}
	return rows
}

// selfService reports whether a call acts on the actor's own account, where its command declares
// that the row does not apply (isg.CommandInfo.SelfService).
func selfService(t *testing.T, c scenario.Call) bool {
	t.Helper()
	for _, info := range isg.Commands() {
		if info.Name != c.Command || info.SelfService == "" {
			continue
		}
		var in map[string]any
		require.NoError(t, json.Unmarshal(c.Input, &in))
		return in[info.SelfService] == c.Actor.User.String()
	}
	return false
}

// TestPermissionAuditTighteningARowToNobodyRefusesItsCommands: ROLE-7, ROLE-8 — the permission
// table is the only gate. Every scenario file runs as usual; before each step expected to
// succeed whose command declares a row, the same call is made on a second Gateway over the same
// store whose table allows that row to nobody. It must be refused — as forbidden, or as not found
// where the actor holds nothing at the organisation and the record is hidden — and write nothing.
// Every row some command declares must be exercised by at least one step.
func TestPermissionAuditTighteningARowToNobodyRefusesItsCommands(t *testing.T) {
	rows := declaredRows(t)
	paths, err := filepath.Glob("../testdata/scenarios/*.json")
	require.NoError(t, err)
	exercised := map[isg.Action]int{}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, err := scenario.Load(path)
			require.NoError(t, err)
			store := memory.New()
			clock := scenario.NewClock(f.Start)
			g, err := isg.New(store, cheapPasswords, isg.WithClock(clock))
			require.NoError(t, err)
			tight := map[isg.Action]*isg.Gateway{}
			tightened := func(row isg.Action) *isg.Gateway {
				if tight[row] == nil {
					p, err := isg.DefaultPermissions().Tighten(row, 0)
					require.NoError(t, err)
					tight[row], err = isg.New(store, cheapPasswords, isg.WithClock(clock), isg.WithPermissions(p))
					require.NoError(t, err)
				}
				return tight[row]
			}
			around := func(s scenario.Step, c scenario.Call, dispatch func() (any, error)) (any, error) {
				row, gated := rows[c.Command]
				if gated && s.Expect.OK && !selfService(t, c) {
					before := store.Dump()
					_, err := tightened(row).Dispatch(context.Background(), c.Command, c.Actor, c.Input)
					assert.True(t, errors.Is(err, isg.ErrForbidden) || errors.Is(err, isg.ErrNotFound),
						"%s (%s) ran with %s allowed to nobody: %v", c.Command, s.Name, row, err)
					assert.Equal(t, before, store.Dump(), "%s refused with %s tightened wrote to the store", c.Command, row)
					exercised[row]++
				}
				return dispatch()
			}
			require.NoError(t, scenario.Execute(context.Background(), f, g, clock, scenario.AroundCall(around)))
			// NOTE-2: every message the run raised is of a type a user can switch off (or the
			// one type they cannot, the reset token they asked for).
			switchable := isg.NotificationTypes()
			for _, r := range store.Dump()["notification"] {
				var n isg.Notification
				require.NoError(t, json.Unmarshal(r.Body, &n))
				assert.True(t, slices.Contains(switchable, n.Type) || n.Type == isg.EventPasswordResetRequested,
					"%s raised a %s message, which preferences cannot switch off", filepath.Base(path), n.Type)
			}
		})
	}
	for name, row := range rows {
		assert.Positive(t, exercised[row], "no scenario step exercises %s, the row of %s", row, name)
	}
}

// reservedRows are rows of the rulebook's table that gate areas not built yet, each named by the
// rules that will use it. Every other row must be declared by a command.
var reservedRows = map[isg.Action]string{}

// TestEveryRowIsDeclaredByACommand: ROLE-8 — no row of the permission table is dead: each is
// declared by some command or reserved, in one place, for an area not built yet.
func TestEveryRowIsDeclaredByACommand(t *testing.T) {
	declared := map[isg.Action]bool{}
	for _, row := range declaredRows(t) {
		declared[row] = true
	}
	for _, a := range isg.Actions() {
		_, reserved := reservedRows[a]
		switch {
		case declared[a] && reserved:
			t.Errorf("%s is declared by a command but still listed as reserved: drop it from reservedRows", a)
		case !declared[a] && !reserved:
			t.Errorf("no command declares %s and it is not reserved", a)
		}
	}
}

// TestEveryCommandIsDeclared: every command the Gateway dispatches is a declaration of the one
// pipeline (issue 9): it states its reach, and a row unless it is open to anyone or any
// signed-in user.
func TestEveryCommandIsDeclared(t *testing.T) {
	reaches := []string{"at an organisation", "any signed-in user", "the platform", "anyone"}
	for _, c := range isg.Commands() {
		assert.True(t, slices.Contains(reaches, c.Reach), "%s is not a declaration (reach %q)", c.Name, c.Reach)
		assert.NotEmpty(t, c.Doc, "%s has no doc", c.Name)
	}
}

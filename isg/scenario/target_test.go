package scenario_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/scenario"
)

// recording is a Target that records what the runner asks of it and answers every command
// with the same result.
type recording struct {
	clocks []scenario.ClockChange
	calls  []scenario.Call
}

func (r *recording) Dispatch(_ context.Context, command string, actor isg.Actor, input json.RawMessage) (any, error) {
	r.calls = append(r.calls, scenario.Call{Command: command, Actor: actor, Input: input})
	return json.RawMessage(`{"id":"0190a3c4-7b2e-7cc1-9f00-000000000001","state":"active"}`), nil
}

func (r *recording) SetClock(_ context.Context, c scenario.ClockChange) error {
	r.clocks = append(r.clocks, c)
	return nil
}

// TestExecuteOnPassesStepsToTheTarget: the runner hands a Target each clock step as the file
// says it, each command with its $variables resolved and its actor (the zero Actor for a step
// with none: the host's), and reads the result the Target returns.
func TestExecuteOnPassesStepsToTheTarget(t *testing.T) {
	later := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	var f scenario.File
	require.NoError(t, json.Unmarshal([]byte(`{"name":"x","start":"2026-01-01T00:00:00Z","steps":[
		{"command":"platform.bootstrap","input":{"email":"s@isg.nhs.uk","name":"S","password":"Support#2026"},"expect":{"ok":true},"save":{"ca":"id"}},
		{"advance":"2d"},
		{"clock":"2026-02-01T00:00:00Z","advance":"1h"},
		{"as":{"user":"$ca"},"command":"account.get","input":{"user":"$ca"},"expect":{"ok":true},"check":{"state":"active"}}
	]}`), &f))
	r := &recording{}
	require.NoError(t, scenario.ExecuteOn(context.Background(), f, r))
	require.Equal(t, []scenario.ClockChange{{Advance: "2d"}, {Clock: &later, Advance: "1h"}}, r.clocks)
	require.Len(t, r.calls, 2)
	require.Equal(t, isg.Actor{}, r.calls[0].Actor, "a step with no actor is the host's")
	ca, err := isg.ParseUserID("0190a3c4-7b2e-7cc1-9f00-000000000001")
	require.NoError(t, err)
	require.Equal(t, isg.Actor{User: ca}, r.calls[1].Actor)
	require.JSONEq(t, `{"user":"0190a3c4-7b2e-7cc1-9f00-000000000001"}`, string(r.calls[1].Input))

	f.Steps[3].Check = map[string]json.RawMessage{"state": json.RawMessage(`"locked"`)}
	require.ErrorContains(t, scenario.ExecuteOn(context.Background(), f, &recording{}), `check state: got "active", want "locked"`)
}

// TestClockApplyKeepsTheRunnersRules: a conformance server applies clock steps with
// Clock.Apply, which refuses what Load refuses in a file, and changes nothing when it does.
func TestClockApplyKeepsTheRunnersRules(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := scenario.NewClock(t0)
	earlier := t0.Add(-time.Hour)
	for _, bad := range []scenario.ClockChange{{Clock: &earlier}, {Advance: "-1h"}, {Advance: "-2d"}, {Advance: "x"}, {Backwards: true}} {
		require.Error(t, c.Apply(bad), "%+v", bad)
		require.Equal(t, t0, c.Now())
	}
	require.NoError(t, c.Apply(scenario.ClockChange{Advance: "365d"}))
	require.Equal(t, t0.AddDate(0, 0, 365), c.Now())
	require.NoError(t, c.Apply(scenario.ClockChange{Clock: &earlier, Backwards: true, Advance: "90m"}))
	require.Equal(t, earlier.Add(90*time.Minute), c.Now())
}

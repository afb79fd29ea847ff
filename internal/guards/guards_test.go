package guards_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/qmuntal/stateless"

	"github.com/isgkit/gateway/internal/guards"
	"github.com/isgkit/gateway/isg/violation"
)

func isCreator(context.Context, ...any) bool { return false }
func isParty(context.Context, ...any) bool   { return false }

// TestFirstKnownUnmetGuardNamesTheRefusal: the first unmet guard with a refusal decides; guards
// without one are passed over, and none at all means no refusal.
func TestFirstKnownUnmetGuardNamesTheRefusal(t *testing.T) {
	table := guards.Table{}
	table.Add(isCreator, guards.Refusal{Kind: violation.ErrForbidden, Code: "x.not_creator", Rule: "R-1", Cause: "creator only"})
	if got := guards.Name(isCreator); got != "isCreator" {
		t.Fatalf("Name = %q", got)
	}
	err := table.First([]string{"unknownGuard", guards.Name(isCreator)})
	var e *violation.Error
	if !errors.As(err, &e) || e.Code != "x.not_creator" || e.Rule != "R-1" || !errors.Is(err, violation.ErrForbidden) {
		t.Fatalf("First = %v", err)
	}
	if err := table.First([]string{guards.Name(isParty)}); err != nil {
		t.Fatalf("a guard with no refusal gave %v", err)
	}
}

func Example() {
	table := guards.Table{}
	table.Add(isCreator, guards.Refusal{Kind: violation.ErrForbidden, Code: "flow.not_creator", Rule: "FLOW-3", Cause: "only the creator finalises"})
	fmt.Println(violation.Code(table.First([]string{"isCreator"})))
	// Output: flow.not_creator
}

type step string

// TestPermittedListsTheMachinesStepsSorted: a UI is offered only the steps a lifecycle
// permits — Permitted returns exactly the triggers whose guards hold, sorted and once each, of
// the lifecycle's own type, leaving out a trigger of another type.
func TestPermittedListsTheMachinesStepsSorted(t *testing.T) {
	state := "open"
	sm := stateless.NewStateMachineWithExternalStorage(
		func(context.Context) (stateless.State, error) { return state, nil },
		func(context.Context, stateless.State) error { return nil }, stateless.FiringImmediate)
	yes := func(context.Context, ...any) bool { return true }
	sm.Configure("open").
		Permit(step("withdraw"), "closed", yes).
		Permit(step("close"), "closed", yes).
		Permit(step("archive"), "closed", isCreator).
		InternalTransition(step("note"), func(context.Context, ...any) error { return nil }, isParty).
		InternalTransition(step("note"), func(context.Context, ...any) error { return nil }, yes).
		Permit("other-type", "closed")
	sm.Configure("closed")
	got := guards.Permitted[step](context.Background(), sm)
	if want := []step{"close", "note", "withdraw"}; !slices.Equal(got, want) {
		t.Fatalf("permitted %v, want %v", got, want)
	}
	if got := guards.Permitted[string](context.Background(), sm); !slices.Equal(got, []string{"other-type"}) {
		t.Fatalf("as strings: %v", got)
	}
}

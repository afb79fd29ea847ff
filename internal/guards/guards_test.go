package guards_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

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

// Package guards names the guards of a qmuntal/stateless machine and maps the unmet ones to the
// typed refusals they mean, for the lifecycles of package agreement and package dpia: stateless
// reports an unmet guard only by its function's name. Permitted lists a machine's next steps
// as the lifecycles' own trigger type, for every lifecycle.
package guards

import (
	"cmp"
	"context"
	"reflect"
	"runtime"
	"slices"
	"strings"

	"github.com/qmuntal/stateless"

	"github.com/isgkit/gateway/isg/violation"
)

// Refusal is the error an unmet guard means: its kind (a violation sentinel), stable code, rule
// and cause.
type Refusal struct {
	Kind              error
	Code, Rule, Cause string
}

// Table maps a guard's name, as stateless reports an unmet guard, to its refusal. It is filled
// while a machine is configured and only read after.
type Table map[string]Refusal

// Add records r as what g's failing means.
func (t Table) Add(g stateless.GuardFunc, r Refusal) { t[Name(g)] = r }

// First returns the refusal of the first unmet guard that has one, as a *violation.Error, or nil
// when none has: the state then simply has no such step.
func (t Table) First(unmet []string) error {
	for _, g := range unmet {
		if r, ok := t[g]; ok {
			return violation.New(r.Kind, r.Code, r.Rule, r.Cause)
		}
	}
	return nil
}

// Name is the name stateless reports for an unmet guard: the function's last dotted part.
func Name(g stateless.GuardFunc) string {
	name := runtime.FuncForPC(reflect.ValueOf(g).Pointer()).Name()
	return name[strings.LastIndexByte(name, '.')+1:]
}

// Permitted lists, sorted and once each, the triggers of type T that sm permits in ctx (stateless
// answers them as values of type any, in no order): what the lifecycles' Next and Permitted
// return. Triggers of another type are left out; on an error, nothing is permitted.
func Permitted[T cmp.Ordered](ctx context.Context, sm *stateless.StateMachine) []T {
	ts, err := sm.PermittedTriggersCtx(ctx)
	if err != nil {
		return nil
	}
	out := make([]T, 0, len(ts))
	for _, t := range ts {
		if tr, ok := t.(T); ok && !slices.Contains(out, tr) {
			out = append(out, tr)
		}
	}
	slices.Sort(out)
	return out
}

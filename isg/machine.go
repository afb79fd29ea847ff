package isg

import (
	"context"
	"fmt"

	"github.com/qmuntal/stateless"
)

type subjectKey struct{}

// lifecycle is one stateless machine for every aggregate of type T: configured once in New and
// shared, with the state kept in the aggregate itself and reached through the context, so firing
// costs no allocation of a machine per aggregate.
type lifecycle[T any, S ~string] struct {
	name string
	sm   *stateless.StateMachine
}

// newLifecycle builds a machine whose state is read and written by get and set; initial is the
// state reported when no aggregate is in the context (ToGraph asks for one).
func newLifecycle[T any, S ~string](name string, initial S, get func(*T) S, set func(*T, S)) *lifecycle[T, S] {
	sm := stateless.NewStateMachineWithExternalStorage(
		func(ctx context.Context) (stateless.State, error) {
			if v, ok := ctx.Value(subjectKey{}).(*T); ok {
				return get(v), nil
			}
			return initial, nil
		},
		func(ctx context.Context, s stateless.State) error {
			set(ctx.Value(subjectKey{}).(*T), s.(S))
			return nil
		},
		stateless.FiringImmediate)
	return &lifecycle[T, S]{name: name, sm: sm}
}

// fire applies trigger to a copy of v and returns the copy: stateless has no rollback, so a
// refused or failed transition must never touch the caller's value.
func (l *lifecycle[T, S]) fire(ctx context.Context, v T, trigger string, args ...any) (T, error) {
	cp := v
	if err := l.sm.FireCtx(context.WithValue(ctx, subjectKey{}, &cp), trigger, args...); err != nil {
		return v, &Error{Kind: ErrInvalidTransition, Code: l.name + ".invalid_transition", Message: err.Error()}
	}
	return cp, nil
}

// can reports whether trigger may fire on v now.
func (l *lifecycle[T, S]) can(ctx context.Context, v T, trigger string, args ...any) bool {
	ok, err := l.sm.CanFireCtx(context.WithValue(ctx, subjectKey{}, &v), trigger, args...)
	return err == nil && ok
}

// graph returns the machine as DOT text.
func (l *lifecycle[T, S]) graph() string { return l.sm.ToGraph() }

func (l *lifecycle[T, S]) String() string { return fmt.Sprintf("lifecycle(%s)", l.name) }

// machines holds every lifecycle of the Gateway, built once by New.
type machines struct {
	account *lifecycle[user, AccountState]
	merge   *lifecycle[MergeRequest, MergeState]
	closure *lifecycle[ClosureRequest, ClosureState]
}

func newMachines() *machines {
	return &machines{account: newAccountLifecycle(), merge: newMergeLifecycle(), closure: newClosureLifecycle()}
}

// Lifecycles returns the Gateway's own state machines (account, merge, closure) as DOT text, for
// a host to render; the flow lifecycle is in package agreement.
func (g *Gateway) Lifecycles() map[string]string {
	return map[string]string{
		"account": g.machines.account.graph(),
		"merge":   g.machines.merge.graph(),
		"closure": g.machines.closure.graph(),
	}
}

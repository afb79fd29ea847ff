package directory

import (
	"context"
	"fmt"

	"github.com/qmuntal/stateless"

	"github.com/isgkit/gateway/internal/guards"
	"github.com/isgkit/gateway/isg/violation"
)

type subjectKey struct{}

// lifecycle is one stateless machine for every aggregate of type T: configured once and shared,
// with the state kept in the aggregate itself and reached through the context, so firing costs
// no allocation of a machine per aggregate. Configure it fully before sharing it.
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
func (l *lifecycle[T, S]) fire(v T, trigger string, args ...any) (T, error) {
	cp := v
	if err := l.sm.FireCtx(context.WithValue(context.Background(), subjectKey{}, &cp), trigger, args...); err != nil {
		return v, &violation.Error{Kind: violation.ErrInvalidTransition, Code: l.name + ".invalid_transition", Message: err.Error()}
	}
	return cp, nil
}

// can reports whether trigger may fire on v now.
func (l *lifecycle[T, S]) can(v T, trigger string, args ...any) bool {
	ok, err := l.sm.CanFireCtx(context.WithValue(context.Background(), subjectKey{}, &v), trigger, args...)
	return err == nil && ok
}

// permitted lists the triggers that may fire on v now, sorted.
func (l *lifecycle[T, S]) permitted(v T) []string {
	return guards.Permitted[string](context.WithValue(context.Background(), subjectKey{}, &v), l.sm)
}

// subject is the aggregate a guard is asked about.
func subject[T any](ctx context.Context) *T { return ctx.Value(subjectKey{}).(*T) }

// graph returns the machine as DOT text.
func (l *lifecycle[T, S]) graph() string { return l.sm.ToGraph() }

func (l *lifecycle[T, S]) String() string { return fmt.Sprintf("lifecycle(%s)", l.name) }

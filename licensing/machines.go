package licensing

import (
	"context"
	"fmt"
	"time"

	"github.com/qmuntal/stateless"

	"github.com/isgkit/gateway/internal/guards"
	"github.com/isgkit/gateway/isg/violation"
)

// Action is a lifecycle trigger: a step a request or licence may take. Its text is stable.
type Action string

// The actions.
const (
	// ActionAllocate answers a pending request with a licence.
	ActionAllocate Action = "allocate"
	// ActionDecline declines a pending request.
	ActionDecline Action = "decline"
	// ActionRevoke revokes an active licence.
	ActionRevoke Action = "revoke"
)

// Rules holds the licence-request and licence lifecycles (stateless machines), each configured
// once in NewRules and shared by every request and licence. The Gateway builds one and keeps it;
// it is safe for concurrent use because each firing reaches only its own copy of the aggregate,
// through the context. The methods that change a request or a licence hang off it; the rest of the
// package is plain functions and Contract methods.
type Rules struct {
	request *stateless.StateMachine
	licence *stateless.StateMachine
}

// NewRules builds the lifecycles; a Rules must come from here (its zero value has no machines).
// Build it once, with the Gateway, not per command: configuring a machine costs about ten times
// firing one.
func NewRules() *Rules {
	req := newMachine()
	req.Configure(RequestPending).
		Permit(ActionAllocate, RequestAllocated, contractActive, kindNotHeld, capacityLeft).
		Permit(ActionDecline, RequestDeclined)
	req.Configure(RequestAllocated)
	req.Configure(RequestDeclined)

	lic := newMachine()
	lic.Configure(LicenceActive).Permit(ActionRevoke, LicenceRevoked)
	lic.Configure(LicenceRevoked)
	return &Rules{request: req, licence: lic}
}

// RequestGraph returns the request lifecycle as DOT text (testdata/request.dot is its golden copy).
func (r *Rules) RequestGraph() string { return r.request.ToGraph() }

// LicenceGraph returns the licence lifecycle as DOT text (testdata/licence.dot is its golden copy).
func (r *Rules) LicenceGraph() string { return r.licence.ToGraph() }

// scope is what one firing works on: the copy of the aggregate being changed and the facts the
// guards need. refused keeps the first guard's typed error, because stateless reports unmet
// guards only by name.
type scope struct {
	request  *Request
	licence  *Licence
	contract *Contract
	now      time.Time
	refused  error
}

type scopeKey struct{}

func scopeOf(ctx context.Context) *scope {
	s, _ := ctx.Value(scopeKey{}).(*scope)
	return s
}

func (s *scope) refuse(err error) bool {
	if err != nil && s.refused == nil {
		s.refused = err
	}
	return err == nil
}

// noSubject is what the state accessor answers outside a firing, e.g. when ToGraph asks for the
// current state; the graph then simply has no initial marker. A new error each time, because a
// shared *Error could be changed by whoever receives it.
func noSubject() error {
	return violation.New(ErrInvalid, "licence.no_subject", "", "no request or licence to act on")
}

func newMachine() *stateless.StateMachine {
	sm := stateless.NewStateMachineWithExternalStorage(stateOf, setState, stateless.FiringImmediate)
	sm.OnUnhandledTrigger(unhandled)
	return sm
}

// stateOf reads the state from the aggregate in the firing's scope. An unknown stored state is
// refused here, before stateless would quietly add it to the machine's configuration.
func stateOf(ctx context.Context) (stateless.State, error) {
	s := scopeOf(ctx)
	switch {
	case s == nil:
		return nil, noSubject()
	case s.request != nil:
		if st := s.request.Status; st == RequestPending || st == RequestAllocated || st == RequestDeclined {
			return st, nil
		}
		return nil, violation.Field("status", "oneof", "LIC-7", fmt.Sprintf("unknown request status %q", s.request.Status))
	case s.licence != nil:
		if st := s.licence.Status; st == LicenceActive || st == LicenceRevoked {
			return st, nil
		}
		return nil, violation.Field("status", "oneof", "", fmt.Sprintf("unknown licence status %q", s.licence.Status))
	}
	return nil, noSubject()
}

func setState(ctx context.Context, st stateless.State) error {
	s := scopeOf(ctx)
	switch v := st.(type) {
	case RequestStatus:
		s.request.Status = v
	case LicenceStatus:
		s.licence.Status = v
	}
	return nil
}

// unhandled turns stateless's refusal into the module's typed error: a guard's own error when a
// guard said no, else an invalid transition.
func unhandled(ctx context.Context, state stateless.State, trigger stateless.Trigger, _ []string) error {
	s := scopeOf(ctx)
	if s != nil && s.refused != nil {
		return s.refused
	}
	what, rule := "licence", ""
	if s != nil && s.request != nil {
		what, rule = "request", "LIC-7"
	}
	return violation.New(ErrInvalidTransition, CodeInvalidTransition, rule, fmt.Sprintf("cannot %v a %s that is %v", trigger, what, state))
}

// The guards of ActionAllocate: named functions so that their names show in the DOT graph. Each
// applies one allocation rule to the request's organisation and kind.

func contractActive(ctx context.Context, _ ...any) bool {
	s := scopeOf(ctx)
	return s.refuse(checkContractActive(s.contract, s.now))
}

func kindNotHeld(ctx context.Context, _ ...any) bool {
	s := scopeOf(ctx)
	return s.refuse(checkNotHeld(s.contract, s.request.Org, s.request.Kind))
}

func capacityLeft(ctx context.Context, _ ...any) bool {
	s := scopeOf(ctx)
	return s.refuse(checkCapacity(s.contract))
}

// fire runs one trigger on the aggregate in s, which must be the caller's copy: stateless runs the
// mutator before entry actions and cannot roll back.
func fire(sm *stateless.StateMachine, s *scope, a Action) error {
	return sm.FireCtx(context.WithValue(context.Background(), scopeKey{}, s), a)
}

func permitted(sm *stateless.StateMachine, s *scope) []Action {
	return guards.Permitted[Action](context.WithValue(context.Background(), scopeKey{}, s), sm)
}

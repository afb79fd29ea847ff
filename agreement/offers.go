package agreement

import (
	"context"
	"slices"

	"github.com/qmuntal/stateless"
)

// flowConfig configures the flow machine through stateless and keeps, for each state, the
// guarded steps it configured, in order: what Permitted asks of every flow a view shows.
// stateless answers PermittedTriggers with one allocation for every guarded step of the state
// (it allocates the list of unmet guards afresh for each), which made the list of next steps
// the costliest part of a flow view; the guards run here are the very functions stateless was
// given, so the answer is the machine's own (TestFlowLifecycleProperties holds the two equal,
// for every actor, at every step of random lifecycles).
type flowConfig struct {
	sm     *stateless.StateMachine
	offers map[FlowState][]offer
}

// offer is one configured step of a state: its trigger and the guards that must all hold.
type offer struct {
	trigger Trigger
	guards  []stateless.GuardFunc
}

func newFlowConfig(sm *stateless.StateMachine) *flowConfig {
	return &flowConfig{sm: sm, offers: map[FlowState][]offer{}}
}

// stateConfig is stateless's StateConfiguration for one state, recording the steps it permits.
type stateConfig struct {
	c     *flowConfig
	state FlowState
	sc    *stateless.StateConfiguration
}

// Configure begins or continues the configuration of state s.
func (c *flowConfig) Configure(s FlowState) stateConfig {
	return stateConfig{c: c, state: s, sc: c.sm.Configure(s)}
}

// Permit is stateless's Permit.
func (s stateConfig) Permit(t Trigger, to FlowState, guards ...stateless.GuardFunc) stateConfig {
	s.sc.Permit(t, to, guards...)
	return s.offer(t, guards)
}

// InternalTransition is stateless's InternalTransition.
func (s stateConfig) InternalTransition(t Trigger, action stateless.ActionFunc, guards ...stateless.GuardFunc) stateConfig {
	s.sc.InternalTransition(t, action, guards...)
	return s.offer(t, guards)
}

// OnEntryFrom is stateless's OnEntryFrom: an action, not a step, so nothing is offered.
func (s stateConfig) OnEntryFrom(t Trigger, action stateless.ActionFunc) stateConfig {
	s.sc.OnEntryFrom(t, action)
	return s
}

func (s stateConfig) offer(t Trigger, guards []stateless.GuardFunc) stateConfig {
	s.c.offers[s.state] = append(s.c.offers[s.state], offer{trigger: t, guards: slices.Clone(guards)})
	return s
}

// permitted lists, unsorted and once each, the triggers of state whose guards all hold in ctx,
// as stateless's PermittedTriggers does: a trigger configured more than once is permitted when
// any of its configurations is.
func (c *flowConfig) permitted(ctx context.Context, state FlowState) []Trigger {
	offers := c.offers[state]
	out := make([]Trigger, 0, len(offers))
	for _, o := range offers {
		if !slices.Contains(out, o.trigger) && o.holds(ctx) {
			out = append(out, o.trigger)
		}
	}
	return out
}

func (o offer) holds(ctx context.Context) bool {
	for _, g := range o.guards {
		if !g(ctx) {
			return false
		}
	}
	return true
}

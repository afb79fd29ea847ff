package agreement

import (
	"slices"
	"time"
)

// PermittedByStateless is PermittedWith as stateless's own PermittedTriggers answers it, which
// Permitted no longer asks (offers.go): the property test holds the two equal.
func (m *FlowMachine) PermittedByStateless(f Flow, actor Actor, now time.Time, o Originals) []Trigger {
	if !f.State.Valid() {
		return nil
	}
	fc := m.firings.Get().(*firing)
	defer m.release(fc)
	fc.command = command{actor: actor, at: now, originals: o}
	ts, err := m.sm.PermittedTriggersCtx(fc.begin(f))
	if err != nil {
		return nil
	}
	out := make([]Trigger, 0, len(ts))
	for _, t := range ts {
		out = append(out, t.(Trigger))
	}
	slices.Sort(out)
	return out
}

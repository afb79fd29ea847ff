package agreement

import (
	"time"

	"github.com/isgkit/gateway/internal/guards"
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
	return guards.Permitted[Trigger](fc.begin(f), m.sm)
}

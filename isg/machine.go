package isg

import (
	"github.com/isgkit/gateway/isg/directory"
	"github.com/isgkit/gateway/isg/support"
)

// machines holds the directory's and support's lifecycles, built once by New and shared by every
// command.
type machines struct {
	account *directory.AccountMachine
	merge   *directory.MergeMachine
	closure *directory.ClosureMachine
	support *support.Machine
	library *support.Library
}

func newMachines() *machines {
	return &machines{account: directory.NewAccountMachine(), merge: directory.NewMergeMachine(), closure: directory.NewClosureMachine(),
		support: support.NewMachine(), library: support.NewLibrary()}
}

// Lifecycles returns the Gateway's own state machines (account, merge, closure, support_request,
// resource) as DOT text, for a host to render; the flow lifecycle is in package agreement.
func (g *Gateway) Lifecycles() map[string]string {
	return map[string]string{
		"account":         g.machines.account.Graph(),
		"merge":           g.machines.merge.Graph(),
		"closure":         g.machines.closure.Graph(),
		"support_request": g.machines.support.Graph(),
		"resource":        g.machines.library.Graph(),
	}
}

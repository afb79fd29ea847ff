package isg

import "github.com/isgkit/gateway/isg/directory"

// machines holds the directory's lifecycles, built once by New and shared by every command.
type machines struct {
	account *directory.AccountMachine
	merge   *directory.MergeMachine
	closure *directory.ClosureMachine
}

func newMachines() *machines {
	return &machines{account: directory.NewAccountMachine(), merge: directory.NewMergeMachine(), closure: directory.NewClosureMachine()}
}

// Lifecycles returns the Gateway's own state machines (account, merge, closure) as DOT text, for
// a host to render; the flow lifecycle is in package agreement.
func (g *Gateway) Lifecycles() map[string]string {
	return map[string]string{
		"account": g.machines.account.Graph(),
		"merge":   g.machines.merge.Graph(),
		"closure": g.machines.closure.Graph(),
	}
}

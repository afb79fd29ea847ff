package isg

import "context"

// GateInUnit runs the permission gate n times inside one read-write unit of work, the check a
// command's pipeline makes once per unit: for the benchmark of authorisation inside a command.
func GateInUnit(ctx context.Context, g *Gateway, actor Actor, row Action, n int) error {
	return g.store.Update(ctx, func(tx Tx) error {
		u := &uow{g: g, ctx: ctx, tx: tx, now: g.Now()}
		for range n {
			if _, err := u.gate(actor, atOrg, target{org: actor.Org}, row, "ROLE-8"); err != nil {
				return err
			}
		}
		return nil
	})
}

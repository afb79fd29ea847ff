package isg

import (
	"context"
	"testing"
)

// GateInUnit runs the permission gate n times inside one read-write unit of work, the check a
// command's pipeline makes once per unit: for the benchmark of authorisation inside a command.
// Each pass writes the actor's ID from the Gateway's memo of ID texts, as a command's check does.
func GateInUnit(ctx context.Context, g *Gateway, actor Actor, row Action, n int) error {
	return g.store.Update(ctx, func(tx Tx) error {
		u := &uow{g: g, ctx: ctx, tx: tx, now: g.Now(), texts: g.texts}
		for range n {
			if _, err := u.gate(actor, atOrg, target{org: actor.Org}, row, "ROLE-8"); err != nil {
				return err
			}
		}
		return nil
	})
}

// GateAllocs is how many allocations one pass of the gate makes inside a unit of work, on
// average over runs passes.
func GateAllocs(ctx context.Context, g *Gateway, actor Actor, row Action, runs int) (float64, error) {
	var allocs float64
	err := g.store.Update(ctx, func(tx Tx) error {
		u := &uow{g: g, ctx: ctx, tx: tx, now: g.Now(), texts: g.texts}
		var err error
		allocs = testing.AllocsPerRun(runs, func() {
			if _, e := u.gate(actor, atOrg, target{org: actor.Org}, row, "ROLE-8"); e != nil {
				err = e
			}
		})
		return err
	})
	return allocs, err
}

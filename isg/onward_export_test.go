package isg

import (
	"context"

	"github.com/isgkit/gateway/agreement"
)

// MarkSigned stands in for sign-off, which is not on this branch yet: it moves a flow to Signed in
// one unit of work, logged like any change (LOG-1), so that what follows a signature (SIGN-6's
// afterSigned) can be tested through the store.
func MarkSigned(ctx context.Context, g *Gateway, actor Actor, id agreement.FlowID) error {
	return g.update(ctx, func(u *uow) error {
		old, version, err := u.loadFlow(id)
		if err != nil {
			return err
		}
		f := old.Clone()
		f.State = agreement.Signed
		_, err = u.putFlow(actor, old, f, version)
		return err
	})
}

// AfterSigned runs, in one unit of work as sign-off will, the hook that follows a flow becoming
// Signed (SIGN-6): a variation's original is superseded.
func AfterSigned(ctx context.Context, g *Gateway, actor Actor, id agreement.FlowID) error {
	return g.update(ctx, func(u *uow) error {
		f, _, err := u.loadFlow(id)
		if err != nil {
			return err
		}
		return u.afterSigned(actor, f)
	})
}

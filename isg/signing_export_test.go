package isg

import (
	"context"

	"github.com/isgkit/gateway/agreement"
)

// SignForTest signs a stored flow for who in one unit of work with the Gateway's signing helper
// (signStatement) and records the signature on the flow, logged (LOG-1), as the sign command
// does — without the sign-off rules, which are the command's, so the helper's part is tested on
// its own.
func SignForTest(ctx context.Context, g *Gateway, actor Actor, flow agreement.FlowID, who agreement.Signatory) (agreement.Signature, error) {
	var sig agreement.Signature
	err := g.update(ctx, func(u *uow) error {
		f, v, err := u.loadFlow(flow)
		if err != nil {
			return err
		}
		if sig, err = u.signStatement(who, f); err != nil {
			return err
		}
		next := f.Clone()
		next.Signatures = append(next.Signatures, sig)
		_, err = u.putFlow(actor, f, next, v)
		return err
	})
	return sig, err
}

// VerifyFlowForTest verifies a stored flow's signatures with the Gateway's helper (verifyFlow).
func VerifyFlowForTest(ctx context.Context, g *Gateway, flow agreement.FlowID) (agreement.SignatureReport, error) {
	var r agreement.SignatureReport
	err := g.view(ctx, func(u *uow) error {
		f, _, err := u.loadFlow(flow)
		if err != nil {
			return err
		}
		r, err = u.verifyFlow(f)
		return err
	})
	return r, err
}

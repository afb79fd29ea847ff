package isg

import (
	"context"

	"github.com/isgkit/gateway/agreement"
)

// Variations (SIGN-6): a variation is a new Draft linked to the original; when it is Signed the
// original becomes Superseded, in the same unit of work. The rules, and the decisions the
// rulebook leaves open (who varies, what is copied, several variations at once), are agreement's
// (see agreement.FlowMachine.Vary).

// VaryFlow starts a variation of a finalised or signed flow (SIGN-6): a new Draft beneath the
// same summary, made by the creating organisation, with the original's terms (parties and sources
// included) to amend and variation_of naming the original. It then goes through review,
// finalisation and sign-off like any flow, keeping every open party of the original (ORG-7); when
// it is signed, the original is superseded. The original's parties are notified.
//
// Errors: ErrForbidden (ROLE-8, "flow.not_creator"); ErrNotFound ("flow.not_found");
// ErrInvalidTransition ("flow.invalid_transition", SIGN-6) for a flow neither finalised nor
// signed; ErrInvalid where the terms no longer fit the summary; ErrRule for a closed organisation.
func (g *Gateway) VaryFlow(ctx context.Context, actor Actor, in ByID[agreement.FlowID]) (FlowView, error) {
	return run(ctx, g, flowVary, actor, in)
}

var flowVary = &command[ByID[agreement.FlowID], FlowView]{
	name: "flow.vary", doc: "Start a variation of a finalised or signed flow (SIGN-6).", row: EditAgreements, rule: "ROLE-8",
	refuse: func(c *call[ByID[agreement.FlowID]]) error {
		return c.flowRefusal(c.actor, c.in.ID, func(f agreement.Flow, s agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
			// Only the refusal is wanted: no new ID is spent on it.
			return c.g.flowMachine.Vary(f, s, f.ID, a, c.now)
		})
	},
	apply: func(c *call[ByID[agreement.FlowID]]) (FlowView, error) {
		if _, err := c.openOrg(c.actor.Org); err != nil {
			return FlowView{}, err
		}
		src, _, err := c.visibleFlow(c.actor, c.in.ID)
		if err != nil {
			return FlowView{}, err
		}
		s, _, err := c.loadSummary(src.SummaryID)
		if err != nil {
			return FlowView{}, err
		}
		v, events, err := c.g.flowMachine.Vary(src, s, agreement.FlowID{UUID: c.newID()}, agreement.Actor{User: c.actor.User, Org: c.actor.Org}, c.now)
		if err != nil {
			return FlowView{}, err
		}
		// Logged field by field, as a new flow is (LOG-1): variation_of with the rest.
		if v, err = c.putFlow(c.actor, agreement.Flow{}, v, 0); err != nil {
			return FlowView{}, err
		}
		for _, e := range events {
			if err := c.deliver(flowNotices(e)...); err != nil {
				return FlowView{}, err
			}
		}
		return c.flowView(c.actor, v, c.held)
	},
}

// variedFlow loads the original of variation v and those of its parties closed since (ORG-7),
// which the variation may leave out. An original no longer stored (LIFE-2) is nil.
func (u *uow) variedFlow(v agreement.Flow) (*agreement.Flow, []OrgID, error) {
	original, _, err := u.loadFlow(v.VariationOf)
	if isNotFound(err) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	gone, err := u.goneParties(original)
	return &original, gone, err
}

// goneParties lists f's parties that are no longer open organisations (ORG-7): they can sign
// nothing, so a variation may leave them out.
func (u *uow) goneParties(f agreement.Flow) ([]OrgID, error) {
	var gone []OrgID
	for _, p := range f.Parties {
		o, err := u.loadOrg(p)
		if err != nil && !isNotFound(err) {
			return nil, err
		}
		if err != nil || o.Status != OrgActive {
			gone = append(gone, p)
		}
	}
	return gone, nil
}

// afterSigned is what follows a flow becoming Signed (SIGN-6), in the unit of work of the
// signature that completed it: when f is a variation, its original is superseded — saved with
// its change logged in actor's name (LOG-1) and its parties notified. Sign-off calls it. Its
// refusals (agreement.CodeAlreadySuperseded when another variation took effect first,
// CodeVariationDropsParty when a party joined the original since, an original no longer in
// force) must refuse the signature too: a variation takes effect only as a whole. Two variations
// signed at once both write the original, so the store's version check lets one through and the
// other, retried, finds the original superseded. An original no longer stored supersedes nothing.
func (u *uow) afterSigned(actor Actor, f agreement.Flow) error {
	if f.VariationOf.IsZero() {
		return nil
	}
	old, version, err := u.loadFlow(f.VariationOf)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	gone, err := u.goneParties(old)
	if err != nil {
		return err
	}
	original, events, err := u.g.flowMachine.Supersede(old, agreement.Actor{User: actor.User, Org: actor.Org}, u.now, f, gone)
	if err != nil {
		return err
	}
	if _, err := u.putFlow(actor, old, original, version); err != nil {
		return err
	}
	for _, e := range events {
		if err := u.deliver(flowNotices(e)...); err != nil {
			return err
		}
	}
	return nil
}

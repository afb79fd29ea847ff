package isg

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg/directory"
)

// Onward sharing (FLOW-13): a flow names the flows its data was received through, and cannot be
// finalised until a DPO of every original organisation up the chain has approved its current
// version. The rules, and the decisions the rulebook leaves open, are agreement's (see
// agreement.OriginalsOf and agreement.CheckSources); the Gateway loads the chain of source flows,
// hands the originals to the pure rule, and lets the DPO asked — who is no party — read just
// enough of the flow to answer (agreement.OnwardView).

// sourceChain loads the flows reachable from sources through their own sources, each once: at
// most limit of them (0 for no limit), complete false when there were more. A source no longer
// stored is left out; agreement decides what that means.
func (u *uow) sourceChain(sources []agreement.FlowID, limit int) (map[agreement.FlowID]agreement.Flow, bool, error) {
	if len(sources) == 0 {
		return nil, true, nil // an edit naming no new source, as most do: an empty chain, read only
	}
	chain := map[agreement.FlowID]agreement.Flow{}
	queue := append([]agreement.FlowID(nil), sources...)
	seen := map[agreement.FlowID]bool{}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if seen[id] || id.IsZero() {
			continue
		}
		seen[id] = true
		if limit > 0 && len(chain) == limit {
			return chain, false, nil
		}
		f, _, found, err := lookupCached(u, u.g.flows, kindFlow, id.String(), true)
		if err != nil {
			return nil, false, err
		}
		if !found {
			continue
		}
		chain[id] = f
		queue = append(queue, f.Sources...)
	}
	return chain, true, nil
}

// originals computes afresh the original organisations of f's data (FLOW-13): a flow without
// sources has none and costs no read.
func (u *uow) originals(f agreement.Flow) (agreement.Originals, error) {
	if len(f.Sources) == 0 {
		return agreement.OriginalsOf(f, nil), nil
	}
	chain, _, err := u.sourceChain(f.Sources, 0)
	if err != nil {
		return agreement.Originals{}, err
	}
	return agreement.OriginalsOf(f, chain), nil
}

// checkOnwardTerms checks what a flow's new terms t say of its lineage, once the pure step has
// accepted them: the sources newly named (FLOW-13, agreement.CheckSources), and for a variation
// the original's open parties (SIGN-6, agreement.CheckVariationParties). old is the flow as it
// was; for a new flow its ID and creating organisation.
func (u *uow) checkOnwardTerms(actor Actor, old agreement.Flow, t agreement.FlowTerms) error {
	var added []agreement.FlowID
	for _, id := range t.Sources {
		if !containsFlow(old.Sources, id) {
			added = append(added, id)
		}
	}
	chain, complete, err := u.sourceChain(added, agreement.MaxSourceChain)
	if err != nil {
		return err
	}
	if err := agreement.CheckSources(old, agreement.Actor{User: actor.User, Org: actor.Org}, t.Sources, chain, complete); err != nil {
		return err
	}
	if old.VariationOf.IsZero() {
		return nil
	}
	original, gone, err := u.variedFlow(old)
	if err != nil || original == nil {
		return err
	}
	return agreement.CheckVariationParties(*original, gone, t)
}

func containsFlow(ids []agreement.FlowID, id agreement.FlowID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// nameableSources keeps of a copy's sources those its maker could name (FLOW-13, SUM-4).
func (u *uow) nameableSources(org OrgID, sources []agreement.FlowID) ([]agreement.FlowID, error) {
	if len(sources) == 0 {
		return nil, nil
	}
	found := map[agreement.FlowID]agreement.Flow{}
	for _, id := range sources {
		f, _, ok, err := lookupCached(u, u.g.flows, kindFlow, id.String(), true)
		if err != nil {
			return nil, err
		}
		if ok {
			found[id] = f
		}
	}
	return agreement.NameableSources(org, sources, found), nil
}

// readableFlow loads a flow the actor may read: in full when its organisation may see it (SUM-3);
// as agreement.OnwardView when the actor is a DPO asked to approve its onward sharing for an
// organisation still an original (FLOW-13). Anyone else, and an unknown ID, get the same
// flow.not_found. o are the flow's originals, computed here anyway.
func (u *uow) readableFlow(actor Actor, id agreement.FlowID) (f agreement.Flow, version int64, full bool, o agreement.Originals, err error) {
	f, version, err = u.loadFlow(id)
	if isNotFound(err) {
		return agreement.Flow{}, 0, false, o, unseen("flow", id.String())
	}
	if err != nil {
		return agreement.Flow{}, 0, false, o, err
	}
	if o, err = u.originals(f); err != nil {
		return agreement.Flow{}, 0, false, o, err
	}
	if agreement.CanSeeFlow(actor.Org, f) {
		return f, version, true, o, nil
	}
	if agreement.CanReviewOnward(agreement.Actor{User: actor.User, Org: actor.Org}, f, o) {
		return f, version, false, o, nil
	}
	return agreement.Flow{}, 0, false, agreement.Originals{}, unseen("flow", id.String())
}

// readableView is what the actor sees of a flow it may read (see readableFlow).
func (u *uow) readableView(actor Actor, f agreement.Flow, full bool, held RoleSet) (FlowView, error) {
	if full {
		return u.flowView(actor, f, held)
	}
	v, err := u.flowView(actor, agreement.OnwardView(f, actor.Org), held)
	v.Originals = nil // the other originals are none of its business
	return v, err
}

// onwardAction is the permission-table row of an onward or variation step a FlowView offers.
func onwardAction(t agreement.Trigger) (Action, bool) {
	switch t {
	case agreement.TriggerApproveOnward, agreement.TriggerRejectOnward:
		return ReviewFlow, true
	case agreement.TriggerRequestOnward, agreement.TriggerVary:
		return EditAgreements, true
	}
	return 0, false
}

// finaliseFlow finalises with the flow's originals computed afresh (FLOW-8, FLOW-13).
func (u *uow) finaliseFlow(f agreement.Flow, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
	o, err := u.originals(f)
	if err != nil {
		return f, nil, err
	}
	return u.g.flowMachine.FinaliseOnward(f, a, u.now, o)
}

// onwardStep declares an onward step on a flow, as flowStep does, but loading the flow as the
// actor may read it (readableFlow): the DPO asked for onward approval is no party.
func onwardStep[T any](name, doc string, row Action, rule string,
	step func(c *call[FlowStep[T]], f agreement.Flow, o agreement.Originals, a agreement.Actor) (agreement.Flow, []agreement.Event, error)) *command[FlowStep[T], FlowView] {
	return &command[FlowStep[T], FlowView]{name: name, doc: doc, row: row, rule: rule,
		refuse: func(c *call[FlowStep[T]]) error {
			// As flowRefusal: the step's own ErrForbidden says more than the row; a flow the
			// actor may not read keeps "forbidden".
			f, _, _, o, err := c.readableFlow(c.actor, c.in.Flow)
			if err != nil {
				return storeFailure(err)
			}
			_, _, err = step(c, f, o, agreement.Actor{User: c.actor.User, Org: c.actor.Org})
			var e *Error
			if !errors.As(err, &e) {
				return storeFailure(err)
			}
			if errors.Is(err, ErrForbidden) && e.Code != "forbidden" && strings.HasPrefix(e.Code, "flow.") {
				return err
			}
			return nil
		},
		apply: func(c *call[FlowStep[T]]) (FlowView, error) {
			old, version, full, o, err := c.readableFlow(c.actor, c.in.Flow)
			if err != nil {
				return FlowView{}, err
			}
			f, events, err := step(c, old, o, agreement.Actor{User: c.actor.User, Org: c.actor.Org})
			if err != nil {
				return FlowView{}, err
			}
			if f, err = c.putFlow(c.actor, old, f, version); err != nil {
				return FlowView{}, err
			}
			for _, e := range events {
				if err := c.deliver(flowNotices(e)...); err != nil {
					return FlowView{}, err
				}
			}
			return c.readableView(c.actor, f, full, c.held)
		}}
}

// RequestOnwardApproval asks DPOs of the original organisations of a flow's data to approve its
// onward sharing by a date (FLOW-13): the creating organisation asks, of a flow naming sources,
// before it is finalised. Each user must hold the DPO role at the organisation named (ROLE-6),
// an original of the data. The flow is not locked and its state does not move; the DPOs are
// notified, with the comment, and may read the flow's terms to answer.
//
// Errors: ErrInvalid (field errors naming FLOW-13 — not_original, duplicate, not_future — and
// ROLE-6 — not_dpo); ErrForbidden (ROLE-8, "flow.not_creator"); ErrNotFound ("flow.not_found");
// ErrRule ("flow.no_sources"); ErrInvalidTransition once the flow is finalised.
func (g *Gateway) RequestOnwardApproval(ctx context.Context, actor Actor, in FlowStep[agreement.OnwardRequest]) (FlowView, error) {
	return run(ctx, g, flowRequestOnward, actor, in)
}

var flowRequestOnward = onwardStep("flow.request_onward_approval", "Ask the original organisations' DPOs to approve onward sharing (FLOW-13, ROLE-6).",
	EditAgreements, "ROLE-8",
	func(c *call[FlowStep[agreement.OnwardRequest]], f agreement.Flow, o agreement.Originals, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
		if err := c.requireDPOs(c.in.Input.DPOs, "only DPOs of an original organisation approve onward sharing"); err != nil {
			return f, nil, err
		}
		return c.g.flowMachine.RequestOnward(f, a, c.now, c.in.Input, o)
	})

// ApproveOnward records the acting DPO's approval of a flow's onward sharing for the current
// version, as a DPO asked for an original organisation (FLOW-13). The requester is notified.
//
// Errors: ErrInvalid; ErrForbidden (ROLE-6, "flow.not_reviewer": a DPO not asked, or of an
// organisation no longer an original); ErrNotFound ("flow.not_found" for anyone neither a party
// nor asked); ErrInvalidTransition ("flow.already_decided", or once finalised).
func (g *Gateway) ApproveOnward(ctx context.Context, actor Actor, in FlowStep[agreement.Verdict]) (FlowView, error) {
	return run(ctx, g, flowApproveOnward, actor, in)
}

var flowApproveOnward = onwardStep("flow.approve_onward", "Approve onward sharing as a DPO of an original organisation (FLOW-13).", ReviewFlow, "ROLE-6",
	func(c *call[FlowStep[agreement.Verdict]], f agreement.Flow, o agreement.Originals, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
		return c.g.flowMachine.ApproveOnward(f, a, c.now, c.in.Input, o)
	})

// RejectOnward records the acting DPO's rejection of a flow's onward sharing, with details
// (FLOW-13): the flow cannot be finalised until that DPO decides again. The requester is notified.
//
// Errors: ErrInvalid (the details are required); ErrForbidden (ROLE-6, "flow.not_reviewer");
// ErrNotFound ("flow.not_found"); ErrInvalidTransition.
func (g *Gateway) RejectOnward(ctx context.Context, actor Actor, in FlowStep[agreement.Verdict]) (FlowView, error) {
	return run(ctx, g, flowRejectOnward, actor, in)
}

var flowRejectOnward = onwardStep("flow.reject_onward", "Reject onward sharing with details (FLOW-13).", ReviewFlow, "ROLE-6",
	func(c *call[FlowStep[agreement.Verdict]], f agreement.Flow, o agreement.Originals, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
		return c.g.flowMachine.RejectOnward(f, a, c.now, c.in.Input, o)
	})

// onwardNotices says who an onward or variation event concerns (NOTE-1), as flowNotices does for
// the rest: the DPOs asked, each told as the organisation it was asked for; the requester of each
// decision (as FLOW-9); and the Administrators and Senior Officers of the original's parties when
// a variation is made or takes effect (SIGN-6). ok is false for any other event.
func onwardNotices(e agreement.Event, data map[string]string) (out []directory.Event, ok bool) {
	typ := string(e.Type)
	switch e.Type {
	case agreement.EventOnwardRequested:
		if !e.ReviewBy.IsZero() {
			data["review_by"] = e.ReviewBy.Format(time.RFC3339)
		}
		for _, r := range e.DPOs {
			out = append(out, directory.Event{Type: typ, Org: r.Org, Data: data, To: directory.Audience{Users: []UserID{r.DPO}}})
		}
	case agreement.EventOnwardApproved, agreement.EventOnwardRejected:
		if !e.Requester.IsZero() {
			out = append(out, directory.Event{Type: typ, Org: e.Actor.Org, Data: data, To: directory.Audience{Users: []UserID{e.Requester}}})
		}
	case agreement.EventVariationCreated, agreement.EventSuperseded:
		key := "original"
		if e.Type == agreement.EventSuperseded {
			key = "superseded_by"
		}
		data[key] = e.Related.String()
		for _, p := range e.Parties {
			out = append(out, directory.Event{Type: typ, Org: p, Data: data, To: directory.Audience{Roles: Of(Administrator, SeniorOfficer), RolesAt: []OrgID{p}}})
		}
	default:
		return nil, false
	}
	return out, true
}

// onwardNotificationTypes are the notification types onward sharing and variations raise.
func onwardNotificationTypes() []string {
	return []string{string(agreement.EventOnwardRequested), string(agreement.EventOnwardApproved), string(agreement.EventOnwardRejected),
		string(agreement.EventVariationCreated), string(agreement.EventSuperseded)}
}

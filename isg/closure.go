package isg

import (
	"context"

	"github.com/isgkit/gateway/isg/directory"
)

const kindClosure Kind = "closure_request"

// ClosureState is where a closure request is (directory.ClosureState).
type ClosureState = directory.ClosureState

// Closure request states (directory's).
const (
	ClosureRequested = directory.ClosureRequested
	ClosureClosed    = directory.ClosureClosed
	ClosureDeclined  = directory.ClosureDeclined
	ClosureRestored  = directory.ClosureRestored
)

// ClosureRequest asks for an organisation to be closed (ORG-7); directory.ClosureRequest.
type ClosureRequest = directory.ClosureRequest

// ClosureID identifies a closure request.
type ClosureID = directory.ClosureID

func closureKeys(c ClosureRequest) []IndexKey {
	return []IndexKey{key("org", c.Org.String()), key("state", string(c.State))}
}

func (u *uow) saveClosure(c ClosureRequest) (ClosureRequest, error) {
	v, err := u.save(kindClosure, c.ID.String(), c.Version, c, closureKeys(c)...)
	c.Version = v
	return c, err
}

func (u *uow) loadClosure(id ClosureID) (ClosureRequest, error) {
	var c ClosureRequest
	v, err := u.load(kindClosure, id.String(), &c)
	c.Version = v
	return c, err
}

// RequestClosureInput asks for the actor's organisation to be closed.
type RequestClosureInput struct {
	Reason string `json:"reason" validate:"required,max=2000" rule:"ORG-7"`
}

// RequestClosure is an Administrator's request to close their organisation (ORG-7): the
// RequestClosure row. The central admin team and the licensing group's Super Administrators are
// told.
//
// Errors: ErrInvalid (field errors naming ORG-7); ErrForbidden ("forbidden", ORG-7); ErrNotFound
// ("organisation.not_found"); ErrRule ("organisation.closed", ORG-7) for an organisation already
// closed or merged; ErrConflict ("closure.pending", ORG-7) while another request is open.
func (g *Gateway) RequestClosure(ctx context.Context, actor Actor, in RequestClosureInput) (ClosureRequest, error) {
	return run(ctx, g, orgRequestClosure, actor, in)
}

var orgRequestClosure = &command[RequestClosureInput, ClosureRequest]{
	name: "org.request_closure", doc: "Request closure (ORG-7).", row: RequestClosure, rule: "ORG-7",
	apply: func(c *call[RequestClosureInput]) (ClosureRequest, error) {
		o, err := c.loadOrg(c.org)
		if err != nil {
			return ClosureRequest{}, err
		}
		// Listing every request of the organisation makes a concurrent request a conflict.
		existing, _, err := findAll[ClosureRequest](c.uow, kindClosure, key("org", o.ID.String()))
		if err != nil {
			return ClosureRequest{}, err
		}
		r, events, err := c.g.machines.closure.Request(ClosureID{UUID: c.newID()}, o, c.in.Reason, c.actor.User, existing, c.now)
		if err != nil {
			return ClosureRequest{}, err
		}
		if r, err = c.saveClosure(r); err != nil {
			return ClosureRequest{}, err
		}
		return r, c.deliver(events...)
	},
}

// DecideClosureInput closes (or declines to close) an organisation, or restores a closed one.
type DecideClosureInput struct {
	Closure ClosureID `json:"closure" validate:"required" rule:"ORG-7"`
	// Decision is "close", "decline" or "restore".
	Decision directory.Decision `json:"decision" validate:"required,oneof=close decline restore" rule:"ORG-7"`
}

// DecideClosure is Central Admin's or a Super Administrator's decision on a closure (ORG-7): the
// CloseOrganisation row at the closure's organisation. It closes the organisation, declines the
// request, or later restores the organisation. A closed organisation keeps its agreements and
// history but cannot be added to new summaries or flows. Its Administrators and Senior Officers
// are told of a closure or a restoration.
//
// Errors: ErrInvalid (field errors naming ORG-7); ErrForbidden ("forbidden", ORG-7) for an actor
// holding a role there without the row; ErrNotFound ("closure_request.not_found") for an unknown
// request and for one the actor may not see, alike; ErrInvalidTransition
// ("closure.invalid_transition") when the request's state has no such step (a request that ended
// with its organisation's merge takes none); ErrRule ("organisation.closed", ORG-7) for an
// organisation merged into another, which is neither closed nor restored (ORG-6).
func (g *Gateway) DecideClosure(ctx context.Context, actor Actor, in DecideClosureInput) (ClosureRequest, error) {
	return run(ctx, g, orgDecideClosure, actor, in)
}

var orgDecideClosure = &command[DecideClosureInput, ClosureRequest]{
	name: "org.decide_closure", doc: "Close, decline or restore (ORG-7).", row: CloseOrganisation, rule: "ORG-7",
	at: func(u *uow, _ Actor, in DecideClosureInput) (target, error) {
		r, err := u.loadClosure(in.Closure)
		return target{org: r.Org, hidden: directory.NotFound(string(kindClosure), in.Closure.String())}, err
	},
	apply: func(c *call[DecideClosureInput]) (ClosureRequest, error) {
		r, err := c.loadClosure(c.in.Closure)
		if err != nil {
			return ClosureRequest{}, err
		}
		o, err := c.loadOrg(r.Org)
		if err != nil {
			return ClosureRequest{}, err
		}
		d, err := c.g.machines.closure.Decide(r, o, c.in.Decision, c.actor.User, c.now)
		if err != nil {
			return ClosureRequest{}, err
		}
		if d.OrgChanged {
			if _, err := c.saveOrg(d.Org); err != nil {
				return ClosureRequest{}, err
			}
		}
		if r, err = c.saveClosure(d.Request); err != nil {
			return ClosureRequest{}, err
		}
		return r, c.deliver(d.Events...)
	},
}

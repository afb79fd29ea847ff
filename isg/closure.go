package isg

import (
	"context"
	"time"
)

const kindClosure Kind = "closure_request"

// ClosureState is where a closure request is.
type ClosureState string

// Closure request states.
const (
	ClosureRequested ClosureState = "requested"
	ClosureClosed    ClosureState = "closed"
	ClosureDeclined  ClosureState = "declined"
	ClosureRestored  ClosureState = "restored"
)

// ClosureRequest asks for an organisation to be closed (ORG-7).
type ClosureRequest struct {
	ID          string       `json:"id"`
	Org         OrgID        `json:"org"`
	Reason      string       `json:"reason"`
	State       ClosureState `json:"state"`
	RequestedBy UserID       `json:"requested_by"`
	DecidedBy   UserID       `json:"decided_by,omitzero"`
	CreatedAt   time.Time    `json:"created_at"`
	ClosedAt    time.Time    `json:"closed_at,omitzero"`
	RestoredAt  time.Time    `json:"restored_at,omitzero"`
	Version     int64        `json:"version"`
}

func (c *ClosureRequest) keys() []IndexKey {
	return []IndexKey{key("org", c.Org.String()), key("state", string(c.State))}
}

const (
	trClose   = "close"
	trDecline = "decline"
	trRestore = "restore"
)

func newClosureLifecycle() *lifecycle[ClosureRequest, ClosureState] {
	l := newLifecycle("closure", ClosureRequested, func(c *ClosureRequest) ClosureState { return c.State }, func(c *ClosureRequest, s ClosureState) { c.State = s })
	l.sm.Configure(ClosureRequested).Permit(trClose, ClosureClosed).Permit(trDecline, ClosureDeclined)
	l.sm.Configure(ClosureClosed).Permit(trRestore, ClosureRestored)
	l.sm.Configure(ClosureDeclined)
	l.sm.Configure(ClosureRestored)
	return l
}

// RequestClosureInput asks for the actor's organisation to be closed.
type RequestClosureInput struct {
	Reason string `json:"reason" validate:"required,max=2000" rule:"ORG-7"`
}

// RequestClosure is an Administrator's request to close their organisation (ORG-7). The central
// admin team and the licensing group's Super Administrators are notified.
//
// Errors: ErrInvalid; ErrForbidden; ErrRule for an organisation already closed; ErrConflict
// ("closure.pending") while another request is open.
func (g *Gateway) RequestClosure(ctx context.Context, actor Actor, in RequestClosureInput) (ClosureRequest, error) {
	if err := validateInput(in, "ORG-7"); err != nil {
		return ClosureRequest{}, err
	}
	var out ClosureRequest
	err := g.update(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, RequestClosure, "ORG-7"); err != nil {
			return err
		}
		o, err := u.openOrg(actor.Org)
		if err != nil {
			return err
		}
		open, _, err := findAll[ClosureRequest](u, kindClosure, key("org", o.ID.String()))
		if err != nil {
			return err
		}
		for _, c := range open {
			if c.State == ClosureRequested {
				return &Error{Kind: ErrConflict, Code: "closure.pending", Rule: "ORG-7", Message: "a closure request is already open"}
			}
		}
		c := ClosureRequest{ID: u.newID().String(), Org: o.ID, Reason: in.Reason, State: ClosureRequested, RequestedBy: actor.User, CreatedAt: u.now}
		if err := u.saveClosure(&c); err != nil {
			return err
		}
		out = c
		data := map[string]string{"closure": c.ID, "reason": c.Reason}
		if err := u.notifyCentralAdmins(EventClosureRequested, o.ID, data); err != nil {
			return err
		}
		sas, err := u.superAdminsOf(o)
		if err != nil {
			return err
		}
		return u.notifyUsers(EventClosureRequested, sas, o.ID, data)
	})
	return out, err
}

func (u *uow) saveClosure(c *ClosureRequest) error {
	v, err := u.save(kindClosure, c.ID, c.Version, c, c.keys()...)
	c.Version = v
	return err
}

// DecideClosureInput closes (or declines to close) an organisation, or restores a closed one.
type DecideClosureInput struct {
	Closure string `json:"closure" validate:"required" rule:"ORG-7"`
	// Decision is "close", "decline" or "restore".
	Decision string `json:"decision" validate:"required,oneof=close decline restore" rule:"ORG-7"`
}

// DecideClosure is Central Admin's or a Super Administrator's decision on a closure (ORG-7): close
// the organisation, decline the request, or later restore the organisation. A closed organisation
// keeps its agreements and history but cannot be added to new summaries or flows.
//
// Errors: ErrInvalid; ErrForbidden; ErrNotFound; ErrInvalidTransition.
func (g *Gateway) DecideClosure(ctx context.Context, actor Actor, in DecideClosureInput) (ClosureRequest, error) {
	if err := validateInput(in, "ORG-7"); err != nil {
		return ClosureRequest{}, err
	}
	var out ClosureRequest
	err := g.update(ctx, func(u *uow) error {
		var c ClosureRequest
		v, err := u.load(kindClosure, in.Closure, &c)
		if err != nil {
			return err
		}
		c.Version = v
		if _, err := u.authorizeAt(actor, c.Org, CloseOrganisation, "ORG-7"); err != nil {
			return err
		}
		if c, err = g.machines.closure.fire(ctx, c, in.Decision); err != nil {
			return err
		}
		c.DecidedBy = actor.User
		o, err := u.loadOrg(c.Org)
		if err != nil {
			return err
		}
		var event string
		switch c.State {
		case ClosureClosed:
			o.Status, o.ClosedAt, c.ClosedAt, event = OrgClosed, u.now, u.now, EventOrganisationClosed
		case ClosureRestored:
			o.Status, o.ClosedAt, c.RestoredAt, event = OrgActive, time.Time{}, u.now, EventOrganisationRestored
		}
		if event != "" {
			if _, err := u.saveOrg(o); err != nil {
				return err
			}
		}
		if err := u.saveClosure(&c); err != nil {
			return err
		}
		out = c
		if event == "" {
			return nil
		}
		return u.notifyRoles(event, o.ID, Of(Administrator, SeniorOfficer), map[string]string{"closure": c.ID})
	})
	return out, err
}

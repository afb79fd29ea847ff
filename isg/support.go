package isg

import (
	"context"
	"slices"

	"github.com/isgkit/gateway/isg/directory"
	"github.com/isgkit/gateway/isg/support"
	"github.com/isgkit/gateway/isg/violation"
	"github.com/isgkit/gateway/licensing"
)

const kindSupportRequest Kind = "support_request"

// SupportRequest is a support request (SUP-1): support.Request.
type SupportRequest = support.Request

// SupportRequestID identifies a support request.
type SupportRequestID = support.RequestID

// Support request states (support's).
const (
	SupportOpen              = support.Open
	SupportAnswered          = support.Answered
	SupportEscalated         = support.Escalated
	SupportAnsweredByCentral = support.AnsweredByCentral
	SupportResolved          = support.Resolved
)

// supportKeys index a request under every audience that lists it (SUP-2) — the requester at its
// organisation, the organisation (its Administrators), the group (its Super Administrators) and,
// once escalated, the central team — each also by state: a listing is then one index lookup whose
// total counts exactly what its reader may see, whatever the size of the store.
func supportKeys(r support.Request) []IndexKey {
	st := string(r.State)
	raiser := r.Org.String() + "/" + r.RaisedBy.String()
	ks := []IndexKey{
		key("org", r.Org.String()), key("org_state", r.Org.String()+"/"+st),
		key("raised_by", raiser), key("raised_by_state", raiser+"/"+st),
		key("group", r.Group.String()), key("group_state", r.Group.String()+"/"+st),
	}
	if r.Escalated() {
		ks = append(ks, key("escalated", "1"), key("escalated_state", st))
	}
	return ks
}

// loadSupportRequest loads a request, decoded through the Gateway's cache; an unknown ID is
// support.NotFound, the answer an invisible request gets too (SUP-2).
func (u *uow) loadSupportRequest(id support.RequestID) (support.Request, error) {
	r, v, found, err := lookupCached(u, u.g.support, kindSupportRequest, id.String(), false)
	if err != nil {
		return support.Request{}, err
	}
	if !found {
		return support.Request{}, support.NotFound(id)
	}
	r.Version = v
	return r, nil
}

// decodeSupportRequest decodes a listed request through the cache, with its version.
func (u *uow) decodeSupportRequest(rec Record) (support.Request, error) {
	r, err := u.g.support.decode(rec)
	r.Version = rec.Version
	return r, err
}

func (u *uow) saveSupportRequest(r support.Request) (support.Request, error) {
	v, err := u.save(kindSupportRequest, r.ID.String(), r.Version, r, supportKeys(r)...)
	r.Version = v
	return r, err
}

// supportGroupOf is the group whose Super Administrators answer o's requests (support.GroupOf):
// among the contracts o holds licences under and the licensing group it chose.
func (u *uow) supportGroupOf(o Organisation) (licensing.Contract, bool, error) {
	cs, _, err := findAll[licensing.Contract](u, kindContract, key("licensee", o.ID.String()))
	if err != nil {
		return licensing.Contract{}, false, err
	}
	if o.LicensingGroup != "" {
		c, _, err := u.loadContract(o.LicensingGroup)
		switch {
		case err == nil:
			cs = append(cs, c)
		case !isNotFound(err):
			return licensing.Contract{}, false, err
		}
	}
	c, ok := support.GroupOf(o.ID, o.LicensingGroup, cs, u.now)
	return c, ok, nil
}

// relation is what actor is to the request r (support.Actor), with r's group contract and the
// roles the permission rows are asked about for what the actor may do next: the actor's roles at
// r's organisation, and SuperAdmin or CentralAdmin where they are that to the request.
func (u *uow) relation(actor Actor, r support.Request) (support.Actor, licensing.Contract, RoleSet, error) {
	x, err := u.actingUser(actor.User, "SUP-2")
	if err != nil {
		return support.Actor{}, licensing.Contract{}, 0, err
	}
	group, _, err := u.loadContract(r.Group.String())
	if err != nil {
		return support.Actor{}, licensing.Contract{}, 0, err
	}
	held := x.at(r.Org)
	a := support.Actor{User: actor.User, Member: held != 0, Administrator: held.Has(Administrator), SuperAdmin: group.IsSuperAdmin(actor.User), Central: x.centralAdmin}
	if a.SuperAdmin {
		held |= RoleSet(SuperAdmin)
	}
	if a.Central {
		held |= RoleSet(CentralAdmin)
	}
	return a, group, held, nil
}

// atRequest is where a command on a support request is checked: at the request's organisation,
// with the request's group's Super Administrators counted there (u.group, see isSuperAdminOf).
// A request the actor may not see (SUP-2) is answered exactly as an unknown ID, before the gate:
// so an outsider's refusal, a Central Admin's before escalation included, tells nothing and
// logs no support access. The actor is checked first, so a call naming no active actor gets the
// same refusal whatever the ID.
func atRequest(u *uow, actor Actor, id support.RequestID) (target, error) {
	if _, err := u.actingUser(actor.User, "SUP-2"); err != nil {
		return target{}, err
	}
	r, err := u.loadSupportRequest(id)
	if err != nil {
		return target{}, err
	}
	a, group, _, err := u.relation(actor, r)
	if err != nil {
		return target{}, err
	}
	if !r.VisibleTo(a) {
		return target{}, support.NotFound(id)
	}
	u.group, u.groupAt = &group, r.Org
	return target{org: r.Org}, nil
}

// supportNotices turns the events of the support rules into notifications (NOTE-1): the users
// named, the request's group's Super Administrators and the central team, as each event says;
// never the actor who took the step.
func supportNotices(group licensing.Contract, events []support.Event) []directory.Event {
	var out []directory.Event
	for _, e := range events {
		var users []UserID
		add := func(ids []UserID) {
			for _, id := range ids {
				if id != e.By && !slices.Contains(users, id) {
					users = append(users, id)
				}
			}
		}
		add(e.To.Users)
		if e.To.SuperAdmins {
			add(group.SuperAdmins)
		}
		data := map[string]string{"request": e.Request.String(), "subject": e.Subject, "state": string(e.State),
			"by": e.By.String(), "group": e.Group.String()}
		if e.Note != "" {
			data["note"] = e.Note
		}
		out = append(out, directory.Event{Type: string(e.Type), Org: e.Org, Data: data, To: directory.Audience{Users: users, CentralAdmins: e.To.Central}})
	}
	return out
}

// SupportRequestView is a support request with the steps the actor may take on it now.
type SupportRequestView struct {
	support.Request
	// Next lists the steps the actor may take now: what the request's state and the actor's
	// relation to it allow, intersected with the permission table.
	Next []support.Trigger `json:"next"`
}

// supportRows are the permission rows of the request's steps.
var supportRows = map[support.Trigger]Action{
	support.TriggerAnswer: AnswerSupportRequest, support.TriggerEscalate: EscalateSupportRequest,
	support.TriggerResolve: ResolveSupportRequest, support.TriggerReopen: RaiseSupportRequest,
}

func (u *uow) supportView(r support.Request, a support.Actor, held RoleSet) (SupportRequestView, error) {
	ent, err := u.entitlement(r.Org)
	if err != nil {
		return SupportRequestView{}, err
	}
	v := SupportRequestView{Request: r, Next: []support.Trigger{}}
	for _, t := range u.g.machines.support.Next(r, a, ent, u.now) {
		if u.g.perms.Allows(supportRows[t], held) {
			v.Next = append(v.Next, t)
		}
	}
	return v, nil
}

// RaiseSupportInput is a new support request.
type RaiseSupportInput struct {
	Subject     string `json:"subject" validate:"required,max=200" rule:"SUP-1"`
	Description string `json:"description" validate:"required,max=10000" rule:"SUP-1"`
}

// RaiseSupportRequest raises a support request from the actor to the Super Administrators of
// the actor's organisation's group (SUP-1), who are told: every role at an open organisation
// (row RaiseSupportRequest). The group is the contract the organisation holds a group licence
// under, else the active licensing group it chose (support.GroupOf); a free-licence organisation
// in a group raises requests its Super Administrators answer but cannot escalate (LIC-3). One in
// no group is refused: it has no Super Administrators and no central support (LIC-3), and reads
// the resources library instead, or asks its lead organisation's Administrators (ORG-8).
// Documents are attached with UploadDocument (subject_kind "support_request"), by an
// organisation whose licence allows uploads (DOC-1, LIC-3).
//
// Errors: ErrInvalid (field errors naming SUP-1); ErrForbidden ("forbidden", SUP-1);
// ErrNotFound ("organisation.not_found"); ErrRule ("organisation.closed", ORG-7); ErrLicence
// ("support.no_group", LIC-3).
func (g *Gateway) RaiseSupportRequest(ctx context.Context, actor Actor, in RaiseSupportInput) (SupportRequestView, error) {
	return run(ctx, g, supportRaise, actor, in)
}

var supportRaise = &command[RaiseSupportInput, SupportRequestView]{
	name: "support.raise", doc: "Raise a support request to the group's Super Administrators (SUP-1, LIC-3).", row: RaiseSupportRequest, rule: "SUP-1",
	apply: func(c *call[RaiseSupportInput]) (SupportRequestView, error) {
		o, err := c.openOrg(c.org)
		if err != nil {
			return SupportRequestView{}, err
		}
		group, ok, err := c.supportGroupOf(o)
		if err != nil {
			return SupportRequestView{}, err
		}
		var id support.GroupID
		if ok {
			id = group.ID
		}
		r, events, err := c.g.machines.support.Raise(support.RaiseInput{ID: support.RequestID{UUID: c.newID()}, Org: o.ID, Group: id, By: c.actor.User,
			Subject: c.in.Subject, Description: c.in.Description}, c.now)
		if err != nil {
			return SupportRequestView{}, err
		}
		if r, err = c.saveSupportRequest(r); err != nil {
			return SupportRequestView{}, err
		}
		if err := c.deliver(supportNotices(group, events)...); err != nil {
			return SupportRequestView{}, err
		}
		a, _, held, err := c.relation(c.actor, r)
		if err != nil {
			return SupportRequestView{}, err
		}
		return c.supportView(r, a, held)
	},
}

// SupportRequest returns a support request the actor may see (SUP-2), with the steps the actor
// may take next: the requester, the Administrators of the requesting organisation, the group's
// Super Administrators and, once escalated, Central Admin (logged as support access at the
// organisation, ROLE-7). Row ViewSupportRequests.
//
// Errors: ErrInvalid for a missing ID; ErrNotFound ("support_request.not_found", SUP-2) for an
// unknown request and, exactly the same, for one the actor may not see; ErrForbidden
// ("forbidden", SUP-2) for an actor who is not active.
func (g *Gateway) SupportRequest(ctx context.Context, actor Actor, in ByID[support.RequestID]) (SupportRequestView, error) {
	return run(ctx, g, supportGet, actor, in)
}

var supportGet = &command[ByID[support.RequestID], SupportRequestView]{
	name: "support.get", doc: "Read a support request (SUP-2).", row: ViewSupportRequests, rule: "SUP-2", query: true,
	at: func(u *uow, actor Actor, in ByID[support.RequestID]) (target, error) {
		return atRequest(u, actor, in.ID)
	},
	apply: func(c *call[ByID[support.RequestID]]) (SupportRequestView, error) {
		r, err := c.loadSupportRequest(c.in.ID)
		if err != nil {
			return SupportRequestView{}, err
		}
		a, _, held, err := c.relation(c.actor, r)
		if err != nil {
			return SupportRequestView{}, err
		}
		return c.supportView(r, a, held)
	},
}

// The scopes of a support listing.
const (
	ScopeRaised       = "raised"
	ScopeOrganisation = "organisation"
	ScopeGroup        = "group"
	ScopeEscalated    = "escalated"
)

// SupportRequestsInput asks for one page of the support requests of one scope, optionally in
// one state.
type SupportRequestsInput struct {
	// Scope is whose requests are listed: "raised" (the default: those the actor raised at the
	// organisation acted for), "organisation" (all of the organisation's, for its
	// Administrators), "group" (a group's, for its Super Administrators; Group names it) or
	// "escalated" (those escalated to the central team, for Central Admin).
	Scope string `json:"scope,omitempty" validate:"omitempty,oneof=raised organisation group escalated" rule:"SUP-2"`
	// Group is the group contract of the "group" scope.
	Group licensing.ContractID `json:"group,omitzero" rule:"SUP-2"`
	// State keeps the requests in that state only (a queue: "open" for a group's Super
	// Administrators, "escalated" for the central team).
	State support.State `json:"state,omitempty" validate:"omitempty,oneof=open answered escalated answered_by_central resolved" rule:"SUP-2"`
	ListPage
}

// SupportRequests lists one page of support requests, oldest first, with the total the actor may
// see of the scope asked for (SUP-2): every listing shows only what its reader may see, and its
// total counts nothing else. Row ViewSupportRequests: at the actor's organisation for the
// "raised" and "organisation" scopes (the latter is empty but for its Administrators), at the
// group's contracting organisation for "group" (its Super Administrators only: anyone else is
// told the group does not exist, as for an unknown ID), at the platform for "escalated" (Central
// Admin). The lookup is indexed: its cost depends on the page, not on the store's size.
//
// Errors: ErrInvalid (field errors: scope, state, limit; "group" required for the group
// scope); ErrForbidden ("forbidden", SUP-2); ErrNotFound ("organisation.not_found";
// "contract.not_found" for an unknown group or one the actor is no Super Administrator of).
func (g *Gateway) SupportRequests(ctx context.Context, actor Actor, in SupportRequestsInput) (Listing[support.Request], error) {
	return run(ctx, g, supportList, actor, in)
}

var supportList = &command[SupportRequestsInput, Listing[support.Request]]{
	name: "support.requests", doc: "List support requests by scope: raised, organisation, group, escalated (SUP-2).", row: ViewSupportRequests, rule: "SUP-2", query: true,
	at: func(u *uow, actor Actor, in SupportRequestsInput) (target, error) {
		switch in.Scope {
		case ScopeGroup:
			if in.Group.IsZero() {
				return target{}, violation.Field("group", "required_if", "SUP-2", "names the group whose requests are listed")
			}
			c, _, err := u.contractByID(in.Group)
			if isNotFound(err) || (err == nil && !c.IsSuperAdmin(actor.User)) {
				return target{}, contractNotFound(in.Group)
			} else if err != nil {
				return target{}, err
			}
			u.contract = &c
			return target{org: c.Org}, nil
		case ScopeEscalated:
			return target{reach: platform}, nil
		}
		return target{org: actor.Org}, nil
	},
	apply: func(c *call[SupportRequestsInput]) (Listing[support.Request], error) {
		var name, value string
		switch c.in.Scope {
		case ScopeOrganisation:
			if !c.held.Has(Administrator) {
				// SUP-2: another role sees none of the organisation's requests but its own.
				return Listing[support.Request]{Items: []support.Request{}}, nil
			}
			name, value = "org", c.org.String()
		case ScopeGroup:
			name, value = "group", c.in.Group.String()
		case ScopeEscalated:
			name, value = "escalated", ""
		default:
			name, value = "raised_by", c.org.String()+"/"+c.actor.User.String()
		}
		switch {
		case c.in.State != "" && value == "":
			name, value = name+"_state", string(c.in.State)
		case c.in.State != "":
			name, value = name+"_state", value+"/"+string(c.in.State)
		case value == "":
			value = "1"
		}
		return listKey(c.uow, kindSupportRequest, key(name, value), c.in.ListPage, c.decodeSupportRequest)
	},
}

// SupportStepInput is a step on a support request.
type SupportStepInput struct {
	Request support.RequestID `json:"request" validate:"required" rule:"SUP-1"`
	// Version is the version of the request the actor read (SupportRequest.Version): a request
	// that has changed since is refused with "support.stale", a conflict to retry on fresh state,
	// so two people answering at once never both post.
	Version int64 `json:"version" validate:"required,gte=1" rule:"SUP-1"`
	// Text is the answer, the escalation note or the reason for reopening (each required), or
	// the resolution note (optional).
	Text string `json:"text,omitempty" validate:"max=10000" rule:"SUP-1"`
}

func (in SupportStepInput) step() support.StepInput {
	return support.StepInput{Seen: in.Version, Text: in.Text}
}

// supportStep declares a step on one support request: checked at the request's organisation
// (atRequest), it loads the request, applies the pure step with the actor's relation to it,
// saves it and tells the other side, in the command's unit of work.
func supportStep(name, doc string, row Action, rule string,
	step func(c *call[SupportStepInput], r support.Request, a support.Actor) (support.Request, []support.Event, error)) *command[SupportStepInput, SupportRequestView] {
	return &command[SupportStepInput, SupportRequestView]{name: name, doc: doc, row: row, rule: rule,
		at: func(u *uow, actor Actor, in SupportStepInput) (target, error) { return atRequest(u, actor, in.Request) },
		apply: func(c *call[SupportStepInput]) (SupportRequestView, error) {
			r, err := c.loadSupportRequest(c.in.Request)
			if err != nil {
				return SupportRequestView{}, err
			}
			a, group, held, err := c.relation(c.actor, r)
			if err != nil {
				return SupportRequestView{}, err
			}
			next, events, err := step(c, r, a)
			if err != nil {
				return SupportRequestView{}, err
			}
			if next, err = c.saveSupportRequest(next); err != nil {
				return SupportRequestView{}, err
			}
			if err := c.deliver(supportNotices(group, events)...); err != nil {
				return SupportRequestView{}, err
			}
			return c.supportView(next, a, held)
		}}
}

// AnswerSupportRequest answers a support request (SUP-1): a Super Administrator of its group an
// open one (the requester is told), Central Admin an escalated one (the requester and the
// group's Super Administrators are told; logged as support access at the organisation, ROLE-7).
// Row AnswerSupportRequest. The input names the version read: a request answered meanwhile is a
// conflict ("support.stale") to retry on fresh state, after reading the other answer.
//
// Errors: ErrInvalid (field errors naming SUP-1; text required); ErrNotFound
// ("support_request.not_found", SUP-2) for an unknown or invisible request; ErrForbidden
// ("forbidden"; "support.not_answering_team", SUP-1); ErrConflict ("support.stale");
// ErrInvalidTransition ("support.invalid_transition").
func (g *Gateway) AnswerSupportRequest(ctx context.Context, actor Actor, in SupportStepInput) (SupportRequestView, error) {
	return run(ctx, g, supportAnswer, actor, in)
}

var supportAnswer = supportStep("support.answer", "Answer a support request: the group's Super Administrators, or central once escalated (SUP-1).", AnswerSupportRequest, "SUP-1",
	func(c *call[SupportStepInput], r support.Request, a support.Actor) (support.Request, []support.Event, error) {
		return c.g.machines.support.Answer(r, a, c.in.step(), c.now)
	})

// EscalateSupportRequest escalates an open support request to the central admin team (SUP-1):
// a Super Administrator of its group who cannot resolve it, with a note (row
// EscalateSupportRequest). The requesting organisation's licence must allow central support: a
// free-licence organisation's requests stay with its group (LIC-3). The central team and the
// requester are told; the central team sees the request from now on (SUP-2).
//
// Errors: ErrInvalid (field errors naming SUP-1; text required); ErrNotFound
// ("support_request.not_found", SUP-2); ErrForbidden ("forbidden"; "support.not_answering_team",
// SUP-1); ErrLicence ("licence.capability_denied", LIC-3); ErrConflict ("support.stale");
// ErrInvalidTransition ("support.invalid_transition").
func (g *Gateway) EscalateSupportRequest(ctx context.Context, actor Actor, in SupportStepInput) (SupportRequestView, error) {
	return run(ctx, g, supportEscalate, actor, in)
}

var supportEscalate = supportStep("support.escalate", "Escalate a support request to the central team (SUP-1, LIC-3).", EscalateSupportRequest, "SUP-1",
	func(c *call[SupportStepInput], r support.Request, a support.Actor) (support.Request, []support.Event, error) {
		ent, err := c.entitlement(r.Org)
		if err != nil {
			return r, nil, err
		}
		return c.g.machines.support.Escalate(r, a, ent, c.in.step(), c.now)
	})

// ResolveSupportRequest resolves a support request (SUP-1): the requester's side (the
// requester, or an Administrator of the requesting organisation) at any time, or the side that
// answered it once it has (row ResolveSupportRequest). The other side is told. It may be
// reopened within 14 days.
//
// Errors: ErrInvalid (field errors naming SUP-1); ErrNotFound ("support_request.not_found",
// SUP-2); ErrForbidden ("forbidden"; "support.not_requester", SUP-1); ErrConflict
// ("support.stale"); ErrInvalidTransition ("support.invalid_transition").
func (g *Gateway) ResolveSupportRequest(ctx context.Context, actor Actor, in SupportStepInput) (SupportRequestView, error) {
	return run(ctx, g, supportResolve, actor, in)
}

var supportResolve = supportStep("support.resolve", "Resolve a support request (SUP-1).", ResolveSupportRequest, "SUP-1",
	func(c *call[SupportStepInput], r support.Request, a support.Actor) (support.Request, []support.Event, error) {
		return c.g.machines.support.Resolve(r, a, c.in.step(), c.now)
	})

// ReopenSupportRequest reopens an answered or resolved support request, with the reason (SUP-1):
// the requester's side, within 14 days of the answer or the resolution, at an open organisation
// (row RaiseSupportRequest, as raising it). It goes back to the group's Super Administrators, who
// are told (and the central team, if it was escalated).
//
// Errors: ErrInvalid (field errors naming SUP-1; text required); ErrNotFound
// ("support_request.not_found", SUP-2); ErrForbidden ("forbidden"; "support.not_requester",
// SUP-1); ErrRule ("support.reopen_window_passed", SUP-1; "organisation.closed", ORG-7);
// ErrConflict ("support.stale"); ErrInvalidTransition ("support.invalid_transition").
func (g *Gateway) ReopenSupportRequest(ctx context.Context, actor Actor, in SupportStepInput) (SupportRequestView, error) {
	return run(ctx, g, supportReopen, actor, in)
}

var supportReopen = supportStep("support.reopen", "Reopen an answered or resolved support request within 14 days (SUP-1).", RaiseSupportRequest, "SUP-1",
	func(c *call[SupportStepInput], r support.Request, a support.Actor) (support.Request, []support.Event, error) {
		if _, err := c.openOrg(r.Org); err != nil {
			return r, nil, err
		}
		return c.g.machines.support.Reopen(r, a, c.in.step(), c.now)
	})

// moveSupportRequests moves the requests of the merged organisation from that are not settled to
// the survivor to, and to the survivor's support group when it has one (ORG-6, support.Move):
// state and history are kept, and the move is recorded in the history in the name of the actor
// whose approval completed the merge.
func (u *uow) moveSupportRequests(actor Actor, from, to OrgID) error {
	survivor, err := u.loadOrg(to)
	if err != nil {
		return err
	}
	group, ok, err := u.supportGroupOf(survivor)
	if err != nil {
		return err
	}
	var id support.GroupID
	if ok {
		id = group.ID
	}
	rs, versions, err := findAll[support.Request](u, kindSupportRequest, key("org", from.String()))
	if err != nil {
		return err
	}
	for i, r := range rs {
		r.Version = versions[i]
		moved, ok := u.g.machines.support.Move(r, to, id, actor.User, u.now)
		if !ok {
			continue
		}
		if _, err := u.saveSupportRequest(moved); err != nil {
			return err
		}
	}
	return nil
}

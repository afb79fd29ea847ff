package isg

import (
	"context"
	"fmt"
	"time"

	"github.com/isgkit/gateway/dpia"
	"github.com/isgkit/gateway/isg/directory"
	"github.com/isgkit/gateway/isg/txlog"
	"github.com/isgkit/gateway/licensing"
)

// The DPIA module's commands (DPIA-1…DPIA-10, LIC-4). Activities belong to an organisation and
// every role there sees them (row ViewOrganisation); creating one, or a DPIA under one, needs the
// row CreateActivity and a DPIA licence (LIC-4). A DPIA opens only to its contributors: the rows
// OpenDPIA (open or edit) and ApproveDPIA (evaluate, give the DPO's opinion, approve or reject)
// admit every role at the organisation the actor acts for, and the DPIA itself then admits only
// its contributors, and its named approvers. A DPIA the actor does not contribute to is answered
// exactly as an unknown ID ("dpia.not_found", DPIA-2) in reads, listings and totals.

const (
	kindActivity Kind = "activity"
	kindDPIA     Kind = "dpia"
)

// Notification types of the DPIA module: the types of package dpia's events (DPIA-2…DPIA-9).
const (
	EventDPIAContributorAdded    = string(dpia.EventContributorAdded)
	EventDPIATaskAssigned        = string(dpia.EventTaskAssigned)
	EventDPIAApprovalRequested   = string(dpia.EventApprovalRequested)
	EventDPIAReturned            = string(dpia.EventReturned)
	EventDPIAActionAssigned      = string(dpia.EventActionAssigned)
	EventDPIAApproved            = string(dpia.EventApproved)
	EventDPIARejected            = string(dpia.EventRejected)
	EventDPIAReviewDue           = string(dpia.EventReviewDue)
	EventDPIAConsultationOverdue = string(dpia.EventConsultationOverdue)
	EventDPIAActionOverdue       = string(dpia.EventActionOverdue)
)

func activityKeys(a dpia.Activity) []IndexKey { return []IndexKey{key("org", a.Org.String())} }

// memberKey is a contributor's index value: the user for the organisation.
func memberKey(m dpia.Member) string { return m.User.String() + "/" + m.Org.String() }

// dpiaKeys index a DPIA by each contributor (what the contributor may list, DPIA-2), by each
// contributor within its activity (the activity's DPIAs a contributor may list, with the total),
// by each organisation it names (ORG-6 merges), by its versions' root (DPIA-10) and by the day of
// its next timed event (DPIA-7, DPIA-8, DPIA-9), so the sweep reads only what falls due.
func dpiaKeys(d dpia.DPIA) []IndexKey {
	ks := make([]IndexKey, 0, 2*len(d.Contributors)+len(d.Contacts)+4)
	for _, c := range d.Contributors {
		ks = append(ks, key("contributor", memberKey(c.Member)), key("activity_contributor", d.ActivityID.String()+"/"+memberKey(c.Member)))
	}
	ks = append(ks, key("org", d.Org.String()))
	for _, o := range d.Contacts {
		if o != d.Org {
			ks = append(ks, key("org", o.String()))
		}
	}
	ks = append(ks, key("lineage", d.Root.String()))
	if next, ok := dpia.NextDue(d); ok {
		ks = append(ks, dayKey("dpia_due", next), key("dpia_pending", "1"))
	}
	return ks
}

func (u *uow) loadActivity(id dpia.ActivityID) (dpia.Activity, int64, error) {
	return loadCached(u, u.g.activities, kindActivity, id.String())
}

func (u *uow) loadDPIA(id dpia.ID) (dpia.DPIA, int64, error) {
	return loadCached(u, u.g.dpias, kindDPIA, id.String())
}

// visibleActivity loads an activity of the actor's organisation; any other, and an unknown ID,
// get the same answer.
func (u *uow) visibleActivity(actor Actor, id dpia.ActivityID) (dpia.Activity, int64, error) {
	a, v, err := u.loadActivity(id)
	if (err == nil && !a.VisibleTo(actor.Org)) || isNotFound(err) {
		return dpia.Activity{}, 0, dpia.ActivityNotFound(id)
	}
	return a, v, err
}

// openDPIA loads a DPIA the actor contributes to. One it does not, and an ID naming nothing, get
// the very same error (DPIA-2).
func (u *uow) openDPIA(actor Actor, id dpia.ID) (dpia.DPIA, int64, error) {
	d, v, err := u.loadDPIA(id)
	if (err == nil && !d.CanOpen(dpia.Actor(actor))) || isNotFound(err) {
		return dpia.DPIA{}, 0, dpiaNotFound(id)
	}
	return d, v, err
}

// dpiaNotFound is the one answer to a DPIA the actor may not open, or that does not exist.
func dpiaNotFound(id dpia.ID) error {
	e := directory.NotFound(string(kindDPIA), id.String())
	e.Rule = "DPIA-2"
	return e
}

func (u *uow) putActivity(actor Actor, old, a dpia.Activity, version int64) (dpia.Activity, error) {
	head, err := saveLogged(u, u.g.activities, kindActivity, actor, a.ID.UUID, old, a, version,
		func(a *dpia.Activity) *txlog.Head { return &a.Log }, activityKeys(a))
	if err != nil {
		return a, err
	}
	a.Log = head
	return a, nil
}

// putDPIA saves a DPIA, logging every changed field (LOG-1).
func (u *uow) putDPIA(actor Actor, old, d dpia.DPIA, version int64) (dpia.DPIA, error) {
	head, err := saveLogged(u, u.g.dpias, kindDPIA, actor, d.ID.UUID, old, d, version,
		func(d *dpia.DPIA) *txlog.Head { return &d.Log }, dpiaKeys(d))
	if err != nil {
		return d, err
	}
	d.Log = head
	return d, nil
}

// dpiaNotices says who a DPIA event concerns (NOTE-1): the members it names, and no one else, so
// that only contributors hear of a DPIA (DPIA-2). Each message is told as the recipient's
// organisation.
func dpiaNotices(e dpia.Event) []directory.Event {
	data := map[string]string{"dpia": e.DPIA.String(), "activity": e.Activity.String()}
	if !e.Actor.User.IsZero() {
		data["by"] = e.Actor.User.String()
	}
	if e.Note != "" {
		data["note"] = e.Note
	}
	var out []directory.Event
	for _, m := range e.To {
		out = append(out, directory.Event{Type: string(e.Type), Org: m.Org, Data: data, To: directory.Audience{Users: []UserID{m.User}}})
	}
	return out
}

func (u *uow) deliverDPIA(events []dpia.Event) error {
	for _, e := range events {
		if err := u.deliver(dpiaNotices(e)...); err != nil {
			return err
		}
	}
	return nil
}

// ---- activities ----------------------------------------------------------------------------------

// ActivityInput creates an activity (ID unset) or edits one.
type ActivityInput struct {
	ID dpia.ActivityID `json:"id,omitzero"`
	// The terms are checked by package dpia, which names their fields (DPIA-1).
	dpia.ActivityTerms `validate:"-"`
}

// SaveActivity creates or edits an activity of the actor's organisation (DPIA-1): a new project,
// process or system, which holds any number of DPIAs. Creating one needs a DPIA licence (LIC-4);
// editing one does not, so an organisation whose licence lapsed loses nothing (LIC-5). Every role
// at the organisation may (row CreateActivity).
//
// Errors: ErrInvalid (field errors naming DPIA-1); ErrForbidden ("forbidden", ROLE-8); ErrLicence
// ("licence.capability_denied", LIC-4); ErrNotFound ("activity.not_found") for an activity of
// another organisation or an unknown one; ErrRule ("organisation.closed", ORG-7).
func (g *Gateway) SaveActivity(ctx context.Context, actor Actor, in ActivityInput) (dpia.Activity, error) {
	return run(ctx, g, activitySave, actor, in)
}

var activitySave = &command[ActivityInput, dpia.Activity]{
	name: "activity.save", doc: "Create (DPIA licence, LIC-4) or edit an activity (DPIA-1).", row: CreateActivity, rule: "LIC-4",
	apply: func(c *call[ActivityInput]) (dpia.Activity, error) {
		if _, err := c.openOrg(c.org); err != nil {
			return dpia.Activity{}, err
		}
		a := dpia.Actor(c.actor)
		if c.in.ID.IsZero() {
			if err := c.requireDPIALicence(c.org); err != nil {
				return dpia.Activity{}, err
			}
			x, err := dpia.NewActivity(dpia.ActivityID{UUID: c.newID()}, a, c.now, c.in.ActivityTerms)
			if err != nil {
				return dpia.Activity{}, err
			}
			return c.putActivity(c.actor, dpia.Activity{}, x, 0)
		}
		old, version, err := c.visibleActivity(c.actor, c.in.ID)
		if err != nil {
			return dpia.Activity{}, err
		}
		x, err := old.Update(a, c.now, c.in.ActivityTerms)
		if err != nil {
			return dpia.Activity{}, err
		}
		return c.putActivity(c.actor, old, x, version)
	},
}

// requireDPIALicence refuses creating an activity or a DPIA at an organisation without a valid
// DPIA licence (LIC-4).
func (u *uow) requireDPIALicence(org OrgID) error {
	ent, err := u.entitlement(org)
	if err != nil {
		return err
	}
	return licensing.Check(ent, licensing.CreateActivity)
}

// Activity returns an activity of the actor's organisation: every role there may read it.
//
// Errors: ErrForbidden ("forbidden", ROLE-8); ErrNotFound ("activity.not_found") for another
// organisation's activity, exactly as for an unknown ID.
func (g *Gateway) Activity(ctx context.Context, actor Actor, in ByID[dpia.ActivityID]) (dpia.Activity, error) {
	return run(ctx, g, activityGet, actor, in)
}

var activityGet = &command[ByID[dpia.ActivityID], dpia.Activity]{
	name: "activity.get", doc: "Read an activity of the organisation (DPIA-1).", row: ViewOrganisation, rule: "ROLE-8", query: true,
	apply: func(c *call[ByID[dpia.ActivityID]]) (dpia.Activity, error) {
		a, _, err := c.visibleActivity(c.actor, c.in.ID)
		return a, err
	},
}

// Activities lists the organisation's activities, a page at a time, oldest first (DPIA-1): its
// activity list, which every role there sees. The DPIAs under them are listed only to their
// contributors (ActivityDPIAs).
//
// Errors: ErrInvalid (a limit over 500); ErrForbidden ("forbidden", ROLE-8).
func (g *Gateway) Activities(ctx context.Context, actor Actor, in ListPage) (Listing[dpia.Activity], error) {
	return run(ctx, g, activityList, actor, in)
}

var activityList = &command[ListPage, Listing[dpia.Activity]]{
	name: "activity.list", doc: "List the organisation's activities (DPIA-1).", row: ViewOrganisation, rule: "ROLE-8", query: true,
	apply: func(c *call[ListPage]) (Listing[dpia.Activity], error) {
		return listKey(c.uow, kindActivity, key("org", c.org.String()), c.in, c.g.activities.decode)
	},
}

// ActivityPage asks for one page of an activity's DPIAs.
type ActivityPage struct {
	Activity dpia.ActivityID `json:"activity" validate:"required" rule:"DPIA-1"`
	ListPage
}

// ActivityDPIAs lists the DPIAs of an activity that the actor contributes to, with the total of
// those alone (DPIA-2): a DPIA the actor does not contribute to is neither listed nor counted, so
// the listing of an activity with none the actor may open reads exactly as an unknown activity's.
//
// Errors: ErrInvalid (a limit over 500); ErrForbidden ("forbidden", ROLE-8).
func (g *Gateway) ActivityDPIAs(ctx context.Context, actor Actor, in ActivityPage) (Listing[dpia.DPIA], error) {
	return run(ctx, g, activityDPIAs, actor, in)
}

var activityDPIAs = &command[ActivityPage, Listing[dpia.DPIA]]{
	name: "activity.dpias", doc: "List an activity's DPIAs the actor contributes to, with that total (DPIA-2).", row: OpenDPIA, rule: "DPIA-2", query: true,
	apply: func(c *call[ActivityPage]) (Listing[dpia.DPIA], error) {
		k := key("activity_contributor", c.in.Activity.String()+"/"+memberKey(dpia.Member{User: c.actor.User, Org: c.org}))
		return listKey(c.uow, kindDPIA, k, c.in.ListPage, c.g.dpias.decode)
	},
}

// ---- DPIAs -----------------------------------------------------------------------------------------

// CreateDPIAInput creates a DPIA under an activity.
type CreateDPIAInput struct {
	Activity   dpia.ActivityID `json:"activity" validate:"required" rule:"DPIA-1"`
	ReviewDate time.Time       `json:"review_date,omitzero"`
	// The terms are checked by package dpia, which names their fields (DPIA-4).
	dpia.Terms `validate:"-"`
}

// DPIAView is a DPIA as a contributor sees it: the DPIA, its status now (review due, outstanding
// red risks, the ICO consultation's due date and overdue flag, overdue actions, what blocks its
// approval) and the steps the actor may take next.
type DPIAView struct {
	dpia.DPIA
	Status dpia.Status    `json:"status"`
	Next   []dpia.Trigger `json:"next"`
}

// dpiaView builds what a contributor sees; held are the roles the gate found the actor holding.
func (u *uow) dpiaView(actor Actor, d dpia.DPIA, held RoleSet) DPIAView {
	v := DPIAView{DPIA: d, Status: dpia.StatusAt(d, u.now), Next: []dpia.Trigger{}}
	held &= OrgRoles
	for _, t := range u.g.dpiaMachine.Permitted(d, dpia.Actor(actor), u.now) {
		row := OpenDPIA
		switch t {
		case dpia.TriggerEvaluate, dpia.TriggerGiveOpinion, dpia.TriggerApprove, dpia.TriggerReject:
			row = ApproveDPIA
		}
		if u.g.perms.Allows(row, held) {
			v.Next = append(v.Next, t)
		}
	}
	return v
}

// CreateDPIA creates a DPIA, in Draft, under an activity of the actor's organisation (DPIA-1):
// every role there may, at an organisation holding a DPIA licence (LIC-4). The actor is its
// creator and first contributor, and the organisation its first contact (DPIA-2).
//
// Errors: ErrInvalid (field errors naming DPIA-4); ErrForbidden ("forbidden", ROLE-8);
// ErrLicence ("licence.capability_denied", LIC-4); ErrNotFound ("activity.not_found"); ErrRule
// ("organisation.closed", ORG-7).
func (g *Gateway) CreateDPIA(ctx context.Context, actor Actor, in CreateDPIAInput) (DPIAView, error) {
	return run(ctx, g, dpiaCreate, actor, in)
}

var dpiaCreate = &command[CreateDPIAInput, DPIAView]{
	name: "dpia.create", doc: "Create a DPIA under an activity (DPIA-1, LIC-4).", row: CreateActivity, rule: "LIC-4",
	apply: func(c *call[CreateDPIAInput]) (DPIAView, error) {
		if _, err := c.openOrg(c.org); err != nil {
			return DPIAView{}, err
		}
		a, _, err := c.visibleActivity(c.actor, c.in.Activity)
		if err != nil {
			return DPIAView{}, err
		}
		if err := c.requireDPIALicence(c.org); err != nil {
			return DPIAView{}, err
		}
		d, err := dpia.New(dpia.ID{UUID: c.newID()}, a, dpia.Actor(c.actor), c.now, c.in.Terms, c.in.ReviewDate)
		if err != nil {
			return DPIAView{}, err
		}
		if d, err = c.putDPIA(c.actor, dpia.DPIA{}, d, 0); err != nil {
			return DPIAView{}, err
		}
		return c.dpiaView(c.actor, d, c.held), nil
	},
}

// DPIA returns a DPIA the actor contributes to, with its status and next steps (DPIA-2).
//
// Errors: ErrForbidden ("forbidden", ROLE-8); ErrNotFound ("dpia.not_found", DPIA-2) for a DPIA
// the actor does not contribute to, exactly as for an unknown ID.
func (g *Gateway) DPIA(ctx context.Context, actor Actor, in ByID[dpia.ID]) (DPIAView, error) {
	return run(ctx, g, dpiaGet, actor, in)
}

var dpiaGet = &command[ByID[dpia.ID], DPIAView]{
	name: "dpia.get", doc: "Open a DPIA the actor contributes to (DPIA-2).", row: OpenDPIA, rule: "DPIA-2", query: true,
	apply: func(c *call[ByID[dpia.ID]]) (DPIAView, error) {
		d, _, err := c.openDPIA(c.actor, c.in.ID)
		if err != nil {
			return DPIAView{}, err
		}
		return c.dpiaView(c.actor, d, c.held), nil
	},
}

// DPIAs lists the DPIAs the actor contributes to for the organisation it acts for, every version,
// oldest first, with the total of those alone (DPIA-2).
//
// Errors: ErrInvalid (a limit over 500); ErrForbidden ("forbidden", ROLE-8).
func (g *Gateway) DPIAs(ctx context.Context, actor Actor, in ListPage) (Listing[dpia.DPIA], error) {
	return run(ctx, g, dpiaList, actor, in)
}

var dpiaList = &command[ListPage, Listing[dpia.DPIA]]{
	name: "dpia.list", doc: "List the DPIAs the actor contributes to, with that total (DPIA-2).", row: OpenDPIA, rule: "DPIA-2", query: true,
	apply: func(c *call[ListPage]) (Listing[dpia.DPIA], error) {
		k := key("contributor", memberKey(dpia.Member{User: c.actor.User, Org: c.org}))
		return listKey(c.uow, kindDPIA, k, c.in, c.g.dpias.decode)
	},
}

// DPIAStep is a step on one DPIA: the DPIA and the step's own input.
type DPIAStep[T any] struct {
	DPIA dpia.ID `json:"dpia" validate:"required" rule:"DPIA-2"`
	// Input is checked by package dpia, which names its fields.
	Input T `json:"input" validate:"-"`
}

// dpiaStep declares a step on a DPIA the actor contributes to: load it, apply the pure step, log
// every changed field, save, and turn the step's events into notifications, in one unit of work.
func dpiaStep[T any](name, doc string, row Action, rule string,
	step func(c *call[DPIAStep[T]], d dpia.DPIA, a dpia.Actor) (dpia.DPIA, []dpia.Event, error)) *command[DPIAStep[T], DPIAView] {
	return &command[DPIAStep[T], DPIAView]{name: name, doc: doc, row: row, rule: rule,
		apply: func(c *call[DPIAStep[T]]) (DPIAView, error) {
			return c.dpiaCommand(c.actor, c.held, c.in.DPIA, func(d dpia.DPIA, a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
				return step(c, d, a)
			})
		}}
}

// dpiaCommand runs one step on a DPIA the actor contributes to.
func (u *uow) dpiaCommand(actor Actor, held RoleSet, id dpia.ID, step func(d dpia.DPIA, a dpia.Actor) (dpia.DPIA, []dpia.Event, error)) (DPIAView, error) {
	old, version, err := u.openDPIA(actor, id)
	if err != nil {
		return DPIAView{}, err
	}
	d, events, err := step(old, dpia.Actor(actor))
	if err != nil {
		return DPIAView{}, err
	}
	if d, err = u.putDPIA(actor, old, d, version); err != nil {
		return DPIAView{}, err
	}
	if err := u.deliverDPIA(events); err != nil {
		return DPIAView{}, err
	}
	return u.dpiaView(actor, d, held), nil
}

// EditDPIAInput is a DPIA's terms and review date.
type EditDPIAInput struct {
	ReviewDate time.Time `json:"review_date,omitzero"`
	dpia.Terms
}

// EditDPIA replaces a DPIA's title, executive summary, template answers and review date (DPIA-4,
// DPIA-8): no field but the title is required; an answer's attachments are documents uploaded to
// the DPIA (document.upload with subject_kind "dpia"), which are also its additional documents.
// Contributors only, while it is written (Draft, InProgress, Rejected).
//
// Errors: ErrInvalid (field errors naming DPIA-4); ErrForbidden ("forbidden", ROLE-8); ErrNotFound
// ("dpia.not_found", DPIA-2); ErrInvalidTransition ("dpia.locked", "dpia.not_editable", DPIA-10).
func (g *Gateway) EditDPIA(ctx context.Context, actor Actor, in DPIAStep[EditDPIAInput]) (DPIAView, error) {
	return run(ctx, g, dpiaEdit, actor, in)
}

var dpiaEdit = dpiaStep("dpia.edit", "Edit a DPIA's terms and template answers (DPIA-4).", OpenDPIA, "DPIA-4",
	func(c *call[DPIAStep[EditDPIAInput]], d dpia.DPIA, a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
		docs, _, err := findAll[Document](c.uow, kindDocument, key("subject", directory.SubjectDPIA+"/"+d.ID.String()))
		if err != nil {
			return d, nil, err
		}
		uploaded := make([]string, len(docs))
		for i, doc := range docs {
			uploaded[i] = doc.ID
		}
		return c.g.dpiaMachine.Edit(d, a, c.now, c.in.Input.Terms, c.in.Input.ReviewDate, uploaded)
	})

// ScreenDPIA records a DPIA's screening (DPIA-3): answers to the nine EDPB WP248 criteria and the
// ICO's list, and the outcome with its reasons. It is advisory: nothing is ever refused for it.
//
// Errors: ErrInvalid ("unknown_question", DPIA-3); ErrForbidden; ErrNotFound ("dpia.not_found");
// ErrInvalidTransition.
func (g *Gateway) ScreenDPIA(ctx context.Context, actor Actor, in DPIAStep[dpia.ScreeningAnswers]) (DPIAView, error) {
	return run(ctx, g, dpiaScreen, actor, in)
}

var dpiaScreen = dpiaStep("dpia.screen", "Screen a DPIA: EDPB criteria and the ICO list, advisory (DPIA-3).", OpenDPIA, "DPIA-3",
	func(c *call[DPIAStep[dpia.ScreeningAnswers]], d dpia.DPIA, a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
		return c.g.dpiaMachine.Screen(d, a, c.now, c.in.Input)
	})

// SaveDPIARisk adds a risk to a DPIA's register (no id) or replaces one (DPIA-6): likelihood and
// impact 1–5 before and after its measures, on the shared 5×5 matrix.
//
// Errors: ErrInvalid; ErrForbidden; ErrNotFound ("dpia.not_found", "dpia.risk_not_found");
// ErrInvalidTransition.
func (g *Gateway) SaveDPIARisk(ctx context.Context, actor Actor, in DPIAStep[dpia.RiskInput]) (DPIAView, error) {
	return run(ctx, g, dpiaSaveRisk, actor, in)
}

var dpiaSaveRisk = dpiaStep("dpia.save_risk", "Add or replace a risk of a DPIA's register (DPIA-6).", OpenDPIA, "DPIA-6",
	func(c *call[DPIAStep[dpia.RiskInput]], d dpia.DPIA, a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
		return c.g.dpiaMachine.SaveRisk(d, a, c.now, c.in.Input, dpia.RiskID{UUID: c.newID()})
	})

// ApproversInput names a DPIA's approvers.
type ApproversInput struct {
	Approvers []dpia.Approver `json:"approvers"`
}

// NameDPIAApprovers replaces a DPIA's approvers (DPIA-6): contributors named as DPO, IG lead or
// compliance manager, who evaluate and approve it (DPIA-9). One named as DPO must hold the DPO
// role at the organisation named.
//
// Errors: ErrInvalid ("not_contributor", "duplicate", "not_dpo"); ErrForbidden; ErrNotFound
// ("dpia.not_found"); ErrInvalidTransition.
func (g *Gateway) NameDPIAApprovers(ctx context.Context, actor Actor, in DPIAStep[ApproversInput]) (DPIAView, error) {
	return run(ctx, g, dpiaNameApprovers, actor, in)
}

var dpiaNameApprovers = dpiaStep("dpia.name_approvers", "Name a DPIA's approvers: DPO, IG lead, compliance manager (DPIA-6).", OpenDPIA, "DPIA-6",
	func(c *call[DPIAStep[ApproversInput]], d dpia.DPIA, a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
		var fields []FieldError
		for i, ap := range c.in.Input.Approvers {
			if ap.Capacity != dpia.CapacityDPO {
				continue
			}
			x, err := c.loadUser(ap.User)
			if err != nil && !isNotFound(err) {
				return d, nil, err
			}
			if err != nil || !x.rolesAt(ap.Org).Has(DPO) || x.State != AccountActive {
				fields = append(fields, FieldError{Field: fmt.Sprintf("approvers[%d].user", i), Code: "not_dpo", Rule: "DPIA-6", Message: "is not an active DPO of the organisation named"})
			}
		}
		if len(fields) > 0 {
			return d, nil, &Error{Kind: ErrInvalid, Code: "invalid_input", Rule: "DPIA-6", Message: "input is not valid", Fields: fields}
		}
		return c.g.dpiaMachine.NameApprovers(d, a, c.now, c.in.Input.Approvers)
	})

// AddDPIAContact adds an organisation to a DPIA's contacts (DPIA-2), so that its users can be
// made contributors: the creator only, naming a registered, open organisation (ORG-7).
//
// Errors: ErrInvalid ("unknown_organisation", "organisation_closed"); ErrForbidden ("forbidden";
// "dpia.not_creator", DPIA-2); ErrNotFound ("dpia.not_found"); ErrInvalidTransition.
func (g *Gateway) AddDPIAContact(ctx context.Context, actor Actor, in DPIAStep[OrgRef]) (DPIAView, error) {
	return run(ctx, g, dpiaAddContact, actor, in)
}

var dpiaAddContact = dpiaStep("dpia.add_contact", "Add an organisation to a DPIA's contacts (DPIA-2).", OpenDPIA, "DPIA-2",
	func(c *call[DPIAStep[OrgRef]], d dpia.DPIA, a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
		if err := c.requireOpenOrgs("org", d.Contacts, []OrgID{c.in.Input.Org}); err != nil {
			return d, nil, err
		}
		return c.g.dpiaMachine.AddContact(d, a, c.now, c.in.Input.Org)
	})

// AddDPIAContributor makes a user a contributor of a DPIA (DPIA-2): the creator only, naming an
// active user with a role at an organisation on the DPIA's contacts. The user is told.
//
// Errors: ErrInvalid ("not_member", "not_on_contacts"); ErrForbidden ("forbidden";
// "dpia.not_creator"); ErrNotFound ("dpia.not_found"); ErrInvalidTransition.
func (g *Gateway) AddDPIAContributor(ctx context.Context, actor Actor, in DPIAStep[dpia.Member]) (DPIAView, error) {
	return run(ctx, g, dpiaAddContributor, actor, in)
}

var dpiaAddContributor = dpiaStep("dpia.add_contributor", "Make a user a contributor of a DPIA (DPIA-2).", OpenDPIA, "DPIA-2",
	func(c *call[DPIAStep[dpia.Member]], d dpia.DPIA, a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
		who := c.in.Input
		if !who.User.IsZero() && !who.Org.IsZero() {
			x, err := c.loadUser(who.User)
			if err != nil && !isNotFound(err) {
				return d, nil, err
			}
			if err != nil || x.rolesAt(who.Org) == 0 || x.State != AccountActive {
				return d, nil, &Error{Kind: ErrInvalid, Code: "invalid_input", Rule: "DPIA-2", Message: "input is not valid",
					Fields: []FieldError{{Field: "user", Code: "not_member", Rule: "DPIA-2", Message: "is not an active user with a role at the organisation named"}}}
			}
		}
		return c.g.dpiaMachine.AddContributor(d, a, c.now, who)
	})

// RemoveDPIAContributor takes a contributor's access to a DPIA away (DPIA-2): the creator only;
// never the creator itself, a named approver, or one with open tasks or actions.
//
// Errors: ErrInvalid ("not_contributor", "is_creator", "is_approver", "has_open_work");
// ErrForbidden ("forbidden"; "dpia.not_creator"); ErrNotFound ("dpia.not_found");
// ErrInvalidTransition.
func (g *Gateway) RemoveDPIAContributor(ctx context.Context, actor Actor, in DPIAStep[dpia.Member]) (DPIAView, error) {
	return run(ctx, g, dpiaRemoveContributor, actor, in)
}

var dpiaRemoveContributor = dpiaStep("dpia.remove_contributor", "Take a contributor's access to a DPIA away (DPIA-2).", OpenDPIA, "DPIA-2",
	func(c *call[DPIAStep[dpia.Member]], d dpia.DPIA, a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
		return c.g.dpiaMachine.RemoveContributor(d, a, c.now, c.in.Input)
	})

// AssignDPIATask assigns a task on a DPIA to a contributor, with an optional due date (DPIA-5).
// The assignee is told.
//
// Errors: ErrInvalid ("not_contributor", DPIA-5); ErrForbidden; ErrNotFound ("dpia.not_found");
// ErrInvalidTransition.
func (g *Gateway) AssignDPIATask(ctx context.Context, actor Actor, in DPIAStep[dpia.TaskInput]) (DPIAView, error) {
	return run(ctx, g, dpiaAssignTask, actor, in)
}

var dpiaAssignTask = dpiaStep("dpia.assign_task", "Assign a task to a contributor (DPIA-5).", OpenDPIA, "DPIA-5",
	func(c *call[DPIAStep[dpia.TaskInput]], d dpia.DPIA, a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
		return c.g.dpiaMachine.AssignTask(d, a, c.now, dpia.TaskID{UUID: c.newID()}, c.in.Input)
	})

// TaskRef names a task of a DPIA.
type TaskRef struct {
	Task dpia.TaskID `json:"task"`
}

// CompleteDPIATask marks a task done: its assignee or the DPIA's creator (DPIA-5).
//
// Errors: ErrForbidden ("forbidden"; "dpia.not_assignee"); ErrNotFound ("dpia.not_found",
// "dpia.task_not_found"); ErrInvalidTransition.
func (g *Gateway) CompleteDPIATask(ctx context.Context, actor Actor, in DPIAStep[TaskRef]) (DPIAView, error) {
	return run(ctx, g, dpiaCompleteTask, actor, in)
}

var dpiaCompleteTask = dpiaStep("dpia.complete_task", "Complete a task: its assignee or the creator (DPIA-5).", OpenDPIA, "DPIA-5",
	func(c *call[DPIAStep[TaskRef]], d dpia.DPIA, a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
		return c.g.dpiaMachine.CompleteTask(d, a, c.now, c.in.Input.Task)
	})

// RecordICOConsultation records a DPIA's ICO prior consultation in its executive summary
// (DPIA-7): when it was sent, whether complex, the reference and, once received, the outcome. The
// answer is due 8 weeks after sending (14 when complex) and flagged when overdue; once the
// outcome is recorded, an outstanding red residual risk no longer blocks approval.
//
// Errors: ErrInvalid ("in_future", "not_after", "required_with", DPIA-7); ErrForbidden;
// ErrNotFound ("dpia.not_found"); ErrInvalidTransition ("dpia.not_editable").
func (g *Gateway) RecordICOConsultation(ctx context.Context, actor Actor, in DPIAStep[dpia.ConsultationInput]) (DPIAView, error) {
	return run(ctx, g, dpiaRecordConsultation, actor, in)
}

var dpiaRecordConsultation = dpiaStep("dpia.record_consultation", "Record the ICO prior consultation and its outcome (DPIA-7).", OpenDPIA, "DPIA-7",
	func(c *call[DPIAStep[dpia.ConsultationInput]], d dpia.DPIA, a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
		return c.g.dpiaMachine.RecordConsultation(d, a, c.now, c.in.Input)
	})

// SubmitDPIA sends a DPIA to its named approvers (DPIA-6), who are told; it is locked for editing
// until approved, rejected or returned for correction.
//
// Errors: ErrForbidden; ErrNotFound ("dpia.not_found"); ErrRule ("dpia.no_approvers");
// ErrInvalidTransition.
func (g *Gateway) SubmitDPIA(ctx context.Context, actor Actor, in ByID[dpia.ID]) (DPIAView, error) {
	return run(ctx, g, dpiaSubmit, actor, in)
}

var dpiaSubmit = &command[ByID[dpia.ID], DPIAView]{
	name: "dpia.submit", doc: "Send a DPIA to its approvers (DPIA-6).", row: OpenDPIA, rule: "DPIA-6",
	apply: func(c *call[ByID[dpia.ID]]) (DPIAView, error) {
		return c.dpiaCommand(c.actor, c.held, c.in.ID, func(d dpia.DPIA, a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
			return c.g.dpiaMachine.Submit(d, a, c.now)
		})
	},
}

// EvaluateDPIA records a named evaluator's judgement of a section (DPIA-9): to_correct returns
// the DPIA to editing, improvable adds its corrective action (owner, due date) to the action plan,
// acceptable needs nothing more.
//
// Errors: ErrInvalid ("action_required", "not_contributor"); ErrForbidden ("forbidden";
// "dpia.not_evaluator"); ErrNotFound ("dpia.not_found"); ErrInvalidTransition.
func (g *Gateway) EvaluateDPIA(ctx context.Context, actor Actor, in DPIAStep[dpia.EvaluationInput]) (DPIAView, error) {
	return run(ctx, g, dpiaEvaluate, actor, in)
}

var dpiaEvaluate = dpiaStep("dpia.evaluate", "Evaluate a section: to correct, improvable, acceptable (DPIA-9).", ApproveDPIA, "DPIA-9",
	func(c *call[DPIAStep[dpia.EvaluationInput]], d dpia.DPIA, a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
		return c.g.dpiaMachine.Evaluate(d, a, c.now, c.in.Input, dpia.ActionID{UUID: c.newID()})
	})

// GiveDPOOpinion records the DPO's opinion on a DPIA and whether data subjects were consulted,
// and why not (DPIA-9): the approver named as DPO only.
//
// Errors: ErrInvalid; ErrForbidden ("forbidden"; "dpia.not_dpo"); ErrNotFound ("dpia.not_found");
// ErrInvalidTransition.
func (g *Gateway) GiveDPOOpinion(ctx context.Context, actor Actor, in DPIAStep[dpia.OpinionInput]) (DPIAView, error) {
	return run(ctx, g, dpiaGiveOpinion, actor, in)
}

var dpiaGiveOpinion = dpiaStep("dpia.give_opinion", "Record the DPO's opinion and data subjects' consultation (DPIA-9).", ApproveDPIA, "DPIA-9",
	func(c *call[DPIAStep[dpia.OpinionInput]], d dpia.DPIA, a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
		return c.g.dpiaMachine.GiveOpinion(d, a, c.now, c.in.Input)
	})

// ApproveDPIA records a named approver's approval of a DPIA's current revision (DPIA-6), refused
// while a section is not evaluated acceptable or improvable with its action (DPIA-9), while an
// outstanding red residual risk has no ICO prior-consultation outcome (DPIA-7), and while a named
// DPO's opinion is missing. The last approval makes it Approved, tells its contributors and
// supersedes the version it revises, which stayed readable until now (DPIA-10). It reads the
// DPIA's versions in its unit of work, so two last approvals landing at once approve it once.
//
// Errors: ErrInvalid; ErrForbidden ("forbidden"; "dpia.not_approver"); ErrNotFound
// ("dpia.not_found"); ErrInvalidTransition ("dpia.already_approved"); ErrRule
// ("dpia.not_evaluated", "dpia.red_risk_unconsulted", "dpia.dpo_opinion_required").
func (g *Gateway) ApproveDPIA(ctx context.Context, actor Actor, in DPIAStep[dpia.ApprovalInput]) (DPIAView, error) {
	return run(ctx, g, dpiaApprove, actor, in)
}

var dpiaApprove = dpiaStep("dpia.approve", "Approve a DPIA as a named approver (DPIA-6, DPIA-7, DPIA-9).", ApproveDPIA, "DPIA-6",
	func(c *call[DPIAStep[dpia.ApprovalInput]], d dpia.DPIA, a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
		lineage, versions, err := findAll[dpia.DPIA](c.uow, kindDPIA, key("lineage", d.Root.String()))
		if err != nil {
			return d, nil, err
		}
		n, events, err := c.g.dpiaMachine.Approve(d, a, c.now, c.in.Input)
		if err != nil || n.State != dpia.Approved {
			return n, events, err
		}
		// The versions this one replaces are superseded with it (DPIA-10), history kept.
		for i, old := range lineage {
			if old.ID == n.ID || old.Version >= n.Version || (old.State != dpia.Approved && old.State != dpia.ReviewDue) {
				continue
			}
			sup, err := c.g.dpiaMachine.Supersede(old, n, c.now)
			if err != nil {
				return d, nil, err
			}
			if _, err := c.putDPIA(c.actor, old, sup, versions[i]); err != nil {
				return d, nil, err
			}
		}
		return n, events, nil
	})

// RejectDPIA records a named approver's rejection with comments (DPIA-6): the DPIA is Rejected and
// its contributors, told with the comments, may edit it again.
//
// Errors: ErrInvalid; ErrForbidden ("forbidden"; "dpia.not_approver"); ErrNotFound
// ("dpia.not_found"); ErrInvalidTransition.
func (g *Gateway) RejectDPIA(ctx context.Context, actor Actor, in DPIAStep[dpia.RejectionInput]) (DPIAView, error) {
	return run(ctx, g, dpiaReject, actor, in)
}

var dpiaReject = dpiaStep("dpia.reject", "Reject a DPIA with comments (DPIA-6).", ApproveDPIA, "DPIA-6",
	func(c *call[DPIAStep[dpia.RejectionInput]], d dpia.DPIA, a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
		return c.g.dpiaMachine.Reject(d, a, c.now, c.in.Input)
	})

// ActionRef names an action of a DPIA's action plan.
type ActionRef struct {
	Action dpia.ActionID `json:"action"`
}

// CompleteDPIAAction marks an action of the plan done: its owner or the DPIA's creator (DPIA-9).
//
// Errors: ErrForbidden ("forbidden"; "dpia.not_assignee"); ErrNotFound ("dpia.not_found",
// "dpia.action_not_found"); ErrInvalidTransition.
func (g *Gateway) CompleteDPIAAction(ctx context.Context, actor Actor, in DPIAStep[ActionRef]) (DPIAView, error) {
	return run(ctx, g, dpiaCompleteAction, actor, in)
}

var dpiaCompleteAction = dpiaStep("dpia.complete_action", "Complete an action of the action plan (DPIA-9).", OpenDPIA, "DPIA-9",
	func(c *call[DPIAStep[ActionRef]], d dpia.DPIA, a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
		return c.g.dpiaMachine.CompleteAction(d, a, c.now, c.in.Input.Action)
	})

// ReviewInput is the next review date.
type ReviewInput struct {
	ReviewDate time.Time `json:"review_date"`
}

// CompleteDPIAReview records that a DPIA whose review came due is still right (DPIA-8): it is
// Approved again until the next review date, which must be later than now.
//
// Errors: ErrInvalid ("future", DPIA-8); ErrForbidden; ErrNotFound ("dpia.not_found");
// ErrInvalidTransition.
func (g *Gateway) CompleteDPIAReview(ctx context.Context, actor Actor, in DPIAStep[ReviewInput]) (DPIAView, error) {
	return run(ctx, g, dpiaCompleteReview, actor, in)
}

var dpiaCompleteReview = dpiaStep("dpia.complete_review", "Complete a due review with the next review date (DPIA-8).", OpenDPIA, "DPIA-8",
	func(c *call[DPIAStep[ReviewInput]], d dpia.DPIA, a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
		return c.g.dpiaMachine.CompleteReview(d, a, c.now, c.in.Input.ReviewDate)
	})

// CloseDPIA closes a DPIA that is no longer needed: a contributor of its own organisation, with a
// reason. It is kept, readable, as history.
//
// Errors: ErrInvalid; ErrForbidden ("forbidden"; "dpia.not_creator"); ErrNotFound
// ("dpia.not_found"); ErrInvalidTransition.
func (g *Gateway) CloseDPIA(ctx context.Context, actor Actor, in DPIAStep[dpia.CloseInput]) (DPIAView, error) {
	return run(ctx, g, dpiaClose, actor, in)
}

var dpiaClose = dpiaStep("dpia.close", "Close a DPIA that is no longer needed.", OpenDPIA, "DPIA-1",
	func(c *call[DPIAStep[dpia.CloseInput]], d dpia.DPIA, a dpia.Actor) (dpia.DPIA, []dpia.Event, error) {
		return c.g.dpiaMachine.Close(d, a, c.now, c.in.Input)
	})

// ReviseDPIA starts a new version of an approved DPIA (DPIA-10): in progress, linked to the
// approved one, which is left as it is and stays readable with its approvals until the new one is
// approved. At most one version is open at a time: the DPIA's versions are read in the unit of
// work, so two revisions racing make one.
//
// Errors: ErrForbidden; ErrNotFound ("dpia.not_found"); ErrRule ("dpia.open_version",
// "dpia.not_latest", DPIA-10); ErrInvalidTransition (the DPIA is not approved).
func (g *Gateway) ReviseDPIA(ctx context.Context, actor Actor, in ByID[dpia.ID]) (DPIAView, error) {
	return run(ctx, g, dpiaRevise, actor, in)
}

var dpiaRevise = &command[ByID[dpia.ID], DPIAView]{
	name: "dpia.revise", doc: "Start a new version of an approved DPIA (DPIA-10).", row: OpenDPIA, rule: "DPIA-10",
	apply: func(c *call[ByID[dpia.ID]]) (DPIAView, error) {
		d, _, err := c.openDPIA(c.actor, c.in.ID)
		if err != nil {
			return DPIAView{}, err
		}
		lineage, _, err := findAll[dpia.DPIA](c.uow, kindDPIA, key("lineage", d.Root.String()))
		if err != nil {
			return DPIAView{}, err
		}
		n, err := c.g.dpiaMachine.Revise(d, dpia.ID{UUID: c.newID()}, dpia.Actor(c.actor), c.now, lineage)
		if err != nil {
			return DPIAView{}, err
		}
		if n, err = c.putDPIA(c.actor, dpia.DPIA{}, n, 0); err != nil {
			return DPIAView{}, err
		}
		return c.dpiaView(c.actor, n, c.held), nil
	},
}

// DPIALog returns the transaction log of a DPIA the actor contributes to, verified against the
// head the DPIA keeps and the DPIA against its log (LOG-1…LOG-3).
//
// Errors: ErrForbidden ("forbidden", ROLE-8); ErrNotFound ("dpia.not_found", DPIA-2).
func (g *Gateway) DPIALog(ctx context.Context, actor Actor, in ByID[dpia.ID]) (AgreementLog, error) {
	return run(ctx, g, dpiaLog, actor, in)
}

var dpiaLog = &command[ByID[dpia.ID], AgreementLog]{
	name: "dpia.log", doc: "A DPIA's verified transaction log (LOG-1…LOG-3).", row: OpenDPIA, rule: "DPIA-2", query: true,
	apply: func(c *call[ByID[dpia.ID]]) (AgreementLog, error) {
		d, _, err := c.openDPIA(c.actor, c.in.ID)
		if err != nil {
			return AgreementLog{}, err
		}
		return verifiedLog(c.uow, d.ID.UUID, d.Log, func(es []txlog.Entry) error { return txlog.VerifyRecord(d, es, string(dpia.Draft)) })
	},
}

// RiskMap is a DPIA's risk map: each risk's position before and after its measures on the 5×5
// matrix, as data and as a standalone SVG picture.
type RiskMap struct {
	Points []dpia.MapPoint `json:"points"`
	SVG    string          `json:"svg"`
}

// DPIARiskMap returns the risk map of a DPIA the actor contributes to (DPIA-6).
//
// Errors: ErrForbidden ("forbidden", ROLE-8); ErrNotFound ("dpia.not_found", DPIA-2).
func (g *Gateway) DPIARiskMap(ctx context.Context, actor Actor, in ByID[dpia.ID]) (RiskMap, error) {
	return run(ctx, g, dpiaRiskMap, actor, in)
}

var dpiaRiskMap = &command[ByID[dpia.ID], RiskMap]{
	name: "dpia.risk_map", doc: "A DPIA's risk map, as data and SVG (DPIA-6).", row: OpenDPIA, rule: "DPIA-2", query: true,
	apply: func(c *call[ByID[dpia.ID]]) (RiskMap, error) {
		d, _, err := c.openDPIA(c.actor, c.in.ID)
		if err != nil {
			return RiskMap{}, err
		}
		return RiskMap{Points: dpia.RiskMap(d), SVG: dpia.RiskMapSVG(d)}, nil
	},
}

// ---- the sweep and merges -------------------------------------------------------------------

const dpiaSchedule = "dpia"

// sweepDPIAs raises what fell due on DPIAs since the last sweep (DPIA-7, DPIA-8, DPIA-9): each
// DPIA is indexed under the day of its next timed event, and a cursor remembers the day reached;
// the first sweep on a store reads every DPIA with something pending. Each DPIA's changes and its
// notifications commit in one unit of work, so each is raised once, by whichever instance wins.
func (g *Gateway) sweepDPIAs(ctx context.Context) (int, error) {
	today := g.Now()
	ids, _, reached, err := g.dueIDs(ctx, dpiaSchedule, kindDPIA, "dpia_due", kindDPIA, key("dpia_pending", "1"), today)
	if err != nil {
		return 0, err
	}
	events := 0
	for _, id := range ids {
		raised := 0
		err := g.update(ctx, func(u *uow) error {
			raised = 0
			parsed, err := dpia.ParseID(id)
			if err != nil {
				return nil
			}
			d, version, err := u.loadDPIA(parsed)
			if isNotFound(err) {
				return nil
			}
			if err != nil {
				return err
			}
			if next, ok := dpia.NextDue(d); !ok || next.After(u.now) {
				return nil // done by another instance, or moved on since the listing
			}
			n, evs, changed := u.g.dpiaMachine.Sweep(d, u.now)
			if !changed {
				return nil
			}
			if _, err := u.putDPIA(Actor{}, d, n, version); err != nil {
				return err
			}
			raised = len(evs)
			return u.deliverDPIA(evs)
		})
		if err != nil {
			return events, err
		}
		events += raised
	}
	if reached == today.UTC().Format(time.DateOnly) {
		return events, nil
	}
	return events, g.advanceCursor(ctx, dpiaSchedule, today)
}

// moveDPIAs moves the activities and DPIAs of a merged organisation to the survivor (ORG-6): the
// activities it owns, and every DPIA naming it — as owner, contact, contributor, approver, task
// assignee or action owner — now names the survivor, whose users its members have become. The
// changes are logged in the name of the actor whose approval completed the merge; the history
// (the log, evaluations, the DPO's opinion and the approvals given) is kept as it was.
func (u *uow) moveDPIAs(actor Actor, from, to OrgID) error {
	acts, versions, err := findAll[dpia.Activity](u, kindActivity, key("org", from.String()))
	if err != nil {
		return err
	}
	for i, old := range acts {
		a := old
		a.Org = to
		if _, err := u.putActivity(actor, old, a, versions[i]); err != nil {
			return err
		}
	}
	ds, dversions, err := findAll[dpia.DPIA](u, kindDPIA, key("org", from.String()))
	if err != nil {
		return err
	}
	for i, old := range ds {
		if _, err := u.putDPIA(actor, old, dpia.MoveOrganisation(old, from, to), dversions[i]); err != nil {
			return err
		}
	}
	return nil
}

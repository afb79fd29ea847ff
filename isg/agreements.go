package isg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/assurance"
	"github.com/isgkit/gateway/internal/jsonenc"
	"github.com/isgkit/gateway/internal/uuidtext"
	"github.com/isgkit/gateway/isg/directory"
	"github.com/isgkit/gateway/isg/txlog"
)

const (
	kindSummary  Kind = "summary"
	kindFlow     Kind = "flow"
	kindLogEntry Kind = "log_entry"
)

// visibleKeys index an agreement under every organisation that may see it (SUM-3): listing what
// an organisation sees is then one index lookup, whatever the size of the store. IDs are
// written through texts, the Gateway's memo of ID texts, which may be nil.
func visibleKeys(texts *uuidtext.Cache, creator OrgID, orgs []OrgID) []IndexKey {
	// Room for the keys a flow adds (flowKeys), so that appending them does not copy these.
	return appendVisibleKeys(make([]IndexKey, 0, len(orgs)+5), texts, creator, orgs)
}

// appendVisibleKeys appends visibleKeys to ks.
func appendVisibleKeys(ks []IndexKey, texts *uuidtext.Cache, creator OrgID, orgs []OrgID) []IndexKey {
	ks = append(ks, key("visible", texts.Text(creator.UUID)))
	// A flow names a handful of organisations, for which a scan is cheaper than a set; a summary
	// may name hundreds.
	var seen map[OrgID]bool
	if len(orgs) > 16 {
		seen = make(map[OrgID]bool, len(orgs))
	}
	for i, o := range orgs {
		dup := o == creator
		if seen != nil {
			dup = dup || seen[o]
			seen[o] = true
		} else {
			dup = dup || slices.Contains(orgs[:i], o)
		}
		if !dup {
			ks = append(ks, key("visible", texts.Text(o.UUID)))
		}
	}
	return ks
}

func summaryKeys(texts *uuidtext.Cache, s agreement.Summary) []IndexKey {
	return visibleKeys(texts, s.CreatedByOrg, s.Organisations)
}

func flowKeys(texts *uuidtext.Cache, f agreement.Flow) []IndexKey {
	return appendFlowKeys(make([]IndexKey, 0, len(f.Parties)+5), texts, f)
}

// appendFlowKeys appends flowKeys to ks.
func appendFlowKeys(ks []IndexKey, texts *uuidtext.Cache, f agreement.Flow) []IndexKey {
	ks = append(appendVisibleKeys(ks, texts, f.CreatedByOrg, f.Parties), key("summary", texts.Text(f.SummaryID.UUID)), key("state", string(f.State)))
	// the day of its next timer, for the sweep (LIFE-2, LIFE-4; lifecycle.go)
	return appendFlowDueKeys(ks, f)
}

func (u *uow) loadSummary(id agreement.SummaryID) (agreement.Summary, int64, error) {
	return loadCached(u, u.g.summaries, kindSummary, u.texts.Text(id.UUID))
}

func (u *uow) loadFlow(id agreement.FlowID) (agreement.Flow, int64, error) {
	return loadCached(u, u.g.flows, kindFlow, u.texts.Text(id.UUID))
}

// visibleSummary loads a summary the actor's organisation may see. One it may not see and an ID
// naming no summary get the very same error (SUM-3), so that a refusal does not tell them apart.
func (u *uow) visibleSummary(actor Actor, id agreement.SummaryID) (agreement.Summary, int64, error) {
	s, v, err := u.loadSummary(id)
	if (err == nil && !agreement.CanSeeSummary(actor.Org, s)) || isNotFound(err) {
		return agreement.Summary{}, 0, unseen("summary", id.String())
	}
	return s, v, err
}

// visibleFlow loads a flow the actor's organisation may see; see visibleSummary.
func (u *uow) visibleFlow(actor Actor, id agreement.FlowID) (agreement.Flow, int64, error) {
	f, v, err := u.loadFlow(id)
	if (err == nil && !agreement.CanSeeFlow(actor.Org, f)) || isNotFound(err) {
		return agreement.Flow{}, 0, unseen("flow", id.String())
	}
	return f, v, err
}

// unseen is the one answer to an agreement the actor may not see, or that does not exist (SUM-3).
func unseen(kind, id string) error {
	e := directory.NotFound(kind, id)
	e.Rule = "SUM-3"
	return e
}

// saveLogged diffs old (read at version, 0 for none) and new, appends the changes to new's
// transaction log in this unit of work (LOG-1, LOG-2), saves new with its log head moved on, and
// once the unit commits remembers new and its snapshot, so the next change diffs against it
// without encoding it again. It returns the moved head, for the caller to set on new: new itself
// is never addressed here, so a record of a kilobyte stays on the caller's stack (head reaches
// only the cache's copy).
func saveLogged[T any](u *uow, c *decodedCache[T], kind Kind, actor Actor, subject uuid.UUID, old, new T,
	version int64, head func(*T) *txlog.Head, keys []IndexKey) (txlog.Head, error) {
	id := u.texts.Text(subject)
	before, ok := c.snapshot(id, version)
	if !ok {
		o := old // by pointer, as a value would be boxed; a copy, so old moves to the heap only here
		var err error
		if before, err = txlog.TakeSnapshot(&o); err != nil {
			return txlog.Head{}, err
		}
	}
	// What the cache keeps once the unit commits, copied now: no caller holds it.
	e := &decoded[T]{value: c.clone(new)}
	after, err := txlog.TakeSnapshotLike(&e.value, before)
	if err != nil {
		return txlog.Head{}, err
	}
	h := head(&e.value)
	if *h, err = u.appendLogOf(actor, subject, id, *h, txlog.AppendDiff(u.changeRoom[:0], before, after)); err != nil {
		return txlog.Head{}, err
	}
	// Into the unit's scratch buffer, as save's encodings: the store copies what it keeps.
	body, err := after.AppendJSONWith(u.scratch[:0], "log", h) // by pointer: a value would be boxed
	if err != nil {
		return txlog.Head{}, err
	}
	u.scratch = body
	v, err := u.put(kind, id, version, body, keys...)
	if err != nil {
		return txlog.Head{}, err
	}
	// The log head is not a logged field, so the snapshot taken before it moved stays exact.
	e.version, e.snapshot, e.hasSnap = v, after, true
	e.cache, e.id = c, id
	u.afterCommitOf(e)
	return *h, nil
}

// logEntryID orders a subject's entries by sequence under the store's ascending-ID order.
func logEntryID(subject uuid.UUID, seq int64) string {
	// As fmt.Sprintf("%s/%020d", subject, seq) writes it, without fmt's cost on every entry (a
	// sequence is never negative).
	var b [36 + 1 + 20]byte
	out := append(jsonenc.AppendUUIDText(b[:0], subject), '/')
	var d [20]byte
	digits := strconv.AppendInt(d[:0], seq, 10)
	for range 20 - len(digits) {
		out = append(out, '0')
	}
	return string(append(out, digits...))
}

func (u *uow) putSummary(actor Actor, old, s agreement.Summary, version int64) (agreement.Summary, error) {
	head, err := saveLogged(u, u.g.summaries, kindSummary, actor, s.ID.UUID, old, s, version,
		func(s *agreement.Summary) *agreement.LogHead { return &s.Log }, append(summaryKeys(u.texts, s), u.reviewKeys(s)...))
	if err != nil {
		return s, err
	}
	s.Log = head
	// The public register shows the summary's asset, purpose and review date (EXIT-3, register.go).
	return s, u.republish(key("register_summary", s.ID.String()))
}

// putFlow saves a flow, the one way a flow is written. With it, in the same unit, the flow's
// public register entry follows the flow (EXIT-3, register.go): so every path out of Finalised
// or Signed takes the flow off the register.
func (u *uow) putFlow(actor Actor, old, f agreement.Flow, version int64) (agreement.Flow, error) {
	head, err := saveLogged(u, u.g.flows, kindFlow, actor, f.ID.UUID, old, f, version,
		func(f *agreement.Flow) *agreement.LogHead { return &f.Log }, appendFlowKeys(u.keyRoom[:0], u.texts, f))
	if err != nil {
		return f, err
	}
	f.Log = head
	return f, u.syncRegister(old, f)
}

// requireOpenOrgs refuses organisations newly named in a summary or flow that do not exist or are
// closed (ORG-7); organisations already named stay, so closing one never blocks its partners.
func (u *uow) requireOpenOrgs(field string, before, after []OrgID) error {
	return u.requireOpenOrgsExcept(field, before, after, nil)
}

// requireOpenParties is requireOpenOrgs for a flow's parties: an organisation its summary s names
// as not registered yet is accepted as well (ORG-11), for a flow names a placeholder like any
// organisation of its summary (FLOW-11). A summary itself gains placeholders only by
// summary.name_unregistered, so summary.save keeps requireOpenOrgs.
func (u *uow) requireOpenParties(field string, before, after []OrgID, s agreement.Summary) error {
	return u.requireOpenOrgsExcept(field, before, after, s.IsUnregistered)
}

func (u *uow) requireOpenOrgsExcept(field string, before, after []OrgID, accepted func(OrgID) bool) error {
	var fields []FieldError
	for i, o := range after {
		if slices.Contains(before, o) || (accepted != nil && accepted(o)) {
			continue
		}
		org, err := u.loadOrg(o)
		switch {
		case isNotFound(err):
			fields = append(fields, FieldError{Field: fmt.Sprintf("%s[%d]", field, i), Code: "unknown_organisation", Rule: "SUM-1", Message: "names no organisation"})
		case err != nil:
			return err
		case org.Status != OrgActive:
			fields = append(fields, FieldError{Field: fmt.Sprintf("%s[%d]", field, i), Code: "organisation_closed", Rule: "ORG-7", Message: "a " + string(org.Status) + " organisation cannot be added"})
		}
	}
	if len(fields) > 0 {
		return &Error{Kind: ErrInvalid, Code: "invalid_input", Rule: fields[0].Rule, Message: "input is not valid", Fields: fields}
	}
	return nil
}

// SummaryInput creates or edits a data sharing summary.
type SummaryInput struct {
	// ID is unset to create a summary, or the summary to edit.
	ID agreement.SummaryID `json:"id,omitzero"`
	// The terms are checked by the agreement package, which names their fields (SUM-1).
	agreement.SummaryTerms `validate:"-"`
}

// SaveSummary creates or edits a data sharing summary (SUM-1, SUM-2) for the actor's
// organisation: Administrators, Senior Officers and IG/Project Officers (ROLE-8). Summaries may be
// created before the organisation's setup is complete (ORG-2). Every organisation added must be
// registered and open (ORG-7). Every change is logged field by field (LOG-1).
//
// Errors: ErrInvalid (field errors naming SUM-1, ORG-7); ErrForbidden (ROLE-8); ErrNotFound
// ("summary.not_found") for a summary the organisation cannot see; ErrRule when an edit would
// drop an organisation a flow still names (FLOW-11), or the organisation is closed.
func (g *Gateway) SaveSummary(ctx context.Context, actor Actor, in SummaryInput) (agreement.Summary, error) {
	return run(ctx, g, summarySave, actor, in)
}

var summarySave = &command[SummaryInput, agreement.Summary]{
	name: "summary.save", doc: "Create or edit a data sharing summary (SUM-1, SUM-2).", row: EditAgreements, rule: "ROLE-8",
	apply: func(c *call[SummaryInput]) (agreement.Summary, error) {
		if _, err := c.openOrg(c.actor.Org); err != nil {
			return agreement.Summary{}, err
		}
		a := agreement.Actor{User: c.actor.User, Org: c.actor.Org}
		if c.in.ID.IsZero() {
			if err := c.requireOpenOrgs("organisations", nil, c.in.Organisations); err != nil {
				return agreement.Summary{}, err
			}
			s, err := agreement.NewSummary(agreement.SummaryID{UUID: c.newID()}, a, c.now, c.in.SummaryTerms)
			if err != nil {
				return agreement.Summary{}, err
			}
			return c.putSummary(c.actor, agreement.Summary{}, s, 0)
		}
		old, version, err := c.visibleSummary(c.actor, c.in.ID)
		if err != nil {
			return agreement.Summary{}, err
		}
		if err := c.requireOpenOrgs("organisations", old.Organisations, c.in.Organisations); err != nil {
			return agreement.Summary{}, err
		}
		flows, _, err := findAll[agreement.Flow](c.uow, kindFlow, key("summary", old.ID.String()))
		if err != nil {
			return agreement.Summary{}, err
		}
		s, err := old.Update(a, c.now, c.in.SummaryTerms, flows)
		if err != nil {
			return agreement.Summary{}, err
		}
		return c.putSummary(c.actor, old, s, version)
	},
}

// Summary returns a summary the actor's organisation may see (SUM-3).
//
// Errors: ErrForbidden (ROLE-8); ErrNotFound ("summary.not_found") for a summary the organisation
// may not see, exactly as for an unknown ID.
func (g *Gateway) Summary(ctx context.Context, actor Actor, in ByID[agreement.SummaryID]) (agreement.Summary, error) {
	return run(ctx, g, summaryGet, actor, in)
}

var summaryGet = &command[ByID[agreement.SummaryID], agreement.Summary]{
	name: "summary.get", doc: "Read a visible summary (SUM-3).", row: ViewOrganisation, rule: "ROLE-8", query: true,
	apply: func(c *call[ByID[agreement.SummaryID]]) (agreement.Summary, error) {
		s, _, err := c.visibleSummary(c.actor, c.in.ID)
		return s, err
	},
}

// ListPage asks for one page of a listing: items after the ID After, at most Limit (default 50,
// at most 500).
type ListPage struct {
	After string `json:"after,omitempty"`
	Limit int    `json:"limit,omitempty" validate:"gte=0,lte=500" rule:"SUM-3"`
}

func (p ListPage) page() Page {
	if p.Limit == 0 {
		p.Limit = 50
	}
	return Page(p)
}

// Listing is one page of what the actor's organisation may see, with the total it may see
// (SUM-3: counts show only what the caller may see). Next is the After of the next page, or "".
type Listing[T any] struct {
	Items []T    `json:"items"`
	Total int    `json:"total"`
	Next  string `json:"next,omitempty"`
}

// listKey lists one page of the records of kind holding k, with the total: one index lookup and
// one count, whatever the size of the store.
func listKey[T any](u *uow, kind Kind, k IndexKey, p ListPage, decode func(Record) (T, error)) (Listing[T], error) {
	recs, err := u.tx.Find(u.ctx, kind, k, p.page())
	if err != nil {
		return Listing[T]{}, err
	}
	total, err := u.tx.Count(u.ctx, kind, k)
	if err != nil {
		return Listing[T]{}, err
	}
	out := Listing[T]{Items: make([]T, len(recs)), Total: total}
	for i, r := range recs {
		if out.Items[i], err = decode(r); err != nil {
			return Listing[T]{}, err
		}
	}
	if len(recs) == p.page().Limit {
		out.Next = recs[len(recs)-1].ID
	}
	return out, nil
}

// listVisible lists one page of what org may see of kind (SUM-3).
func listVisible[T any](u *uow, kind Kind, org OrgID, p ListPage, decode func(Record) (T, error)) (Listing[T], error) {
	return listKey(u, kind, key("visible", org.String()), p, decode)
}

// Listing's methods let Dispatch publish a listing as the plain array its command has always
// returned (see command.arrayOnWire).
func (l Listing[T]) nextAfter() string { return l.Next }

func (l Listing[T]) appendItems(dst any) any {
	d, _ := dst.([]T)
	if d == nil {
		d = []T{}
	}
	return append(d, l.Items...)
}

// decodeVersioned decodes a record's body into an aggregate that carries its stored version.
func decodeVersioned[T any](set func(*T, int64)) func(Record) (T, error) {
	return func(r Record) (T, error) {
		v, err := decodeRecord[T](r)
		set(&v, r.Version)
		return v, err
	}
}

// decodeRecord decodes a record's body.
func decodeRecord[T any](r Record) (T, error) {
	var v T
	if err := json.Unmarshal(r.Body, &v); err != nil {
		return v, fmt.Errorf("isg: decoding %s %s: %w", r.Kind, r.ID, err)
	}
	return v, nil
}

// Summaries lists the summaries the actor's organisation may see: those naming it or created by
// it (SUM-3), in creation order.
//
// Errors: ErrInvalid (a limit over 500); ErrForbidden (ROLE-8).
func (g *Gateway) Summaries(ctx context.Context, actor Actor, in ListPage) (Listing[agreement.Summary], error) {
	return run(ctx, g, summaryList, actor, in)
}

var summaryList = &command[ListPage, Listing[agreement.Summary]]{
	name: "summary.list", doc: "List visible summaries with the visible total (SUM-3).", row: ViewOrganisation, rule: "ROLE-8", query: true,
	apply: func(c *call[ListPage]) (Listing[agreement.Summary], error) {
		return listVisible(c.uow, kindSummary, c.actor.Org, c.in, decodeRecord[agreement.Summary])
	},
}

// Flows lists the flows the actor's organisation may see: those naming it or created by it
// (SUM-3), in creation order. The lookup is indexed: its cost depends on the page, not on how many
// flows the store holds.
//
// Errors: ErrInvalid (a limit over 500); ErrForbidden (ROLE-8).
func (g *Gateway) Flows(ctx context.Context, actor Actor, in ListPage) (Listing[agreement.Flow], error) {
	return run(ctx, g, flowList, actor, in)
}

var flowList = &command[ListPage, Listing[agreement.Flow]]{
	name: "flow.list", doc: "List visible flows with the visible total (SUM-3).", row: ViewOrganisation, rule: "ROLE-8", query: true,
	apply: func(c *call[ListPage]) (Listing[agreement.Flow], error) {
		return listVisible(c.uow, kindFlow, c.actor.Org, c.in, c.g.flows.decode)
	},
}

// FlowsOfSummary lists the flows of a summary that the actor's organisation may see (SUM-2, SUM-3).
//
// Errors: ErrForbidden (ROLE-8); ErrNotFound ("summary.not_found") for a summary the organisation
// may not see.
func (g *Gateway) FlowsOfSummary(ctx context.Context, actor Actor, in ByID[agreement.SummaryID]) ([]agreement.Flow, error) {
	return run(ctx, g, summaryFlows, actor, in)
}

var summaryFlows = &command[ByID[agreement.SummaryID], []agreement.Flow]{
	name: "summary.flows", doc: "List a summary's visible flows (SUM-2, SUM-3).", row: ViewOrganisation, rule: "ROLE-8", query: true,
	apply: func(c *call[ByID[agreement.SummaryID]]) ([]agreement.Flow, error) {
		s, _, err := c.visibleSummary(c.actor, c.in.ID)
		if err != nil {
			return nil, err
		}
		all, _, err := findAll[agreement.Flow](c.uow, kindFlow, key("summary", s.ID.String()))
		return agreement.VisibleFlows(c.actor.Org, all), err
	},
}

// FlowView is a flow with the current assurance rating of each party: low assurance never blocks
// sharing, but it is shown wherever an organisation is added to a flow (ASR-6).
type FlowView struct {
	agreement.Flow
	PartyRatings map[string]assurance.Rating `json:"party_ratings"`
	// Next lists the lifecycle steps the actor may take now.
	Next []agreement.Trigger `json:"next"`
	// Unregistered are the parties not registered yet, as the summary named them (ORG-11): they
	// cannot review or sign until they join, and while any is listed the flow cannot be Signed.
	Unregistered []agreement.UnregisteredParty `json:"unregistered,omitempty"`
	// Originals are the organisations whose DPO must approve the flow's onward sharing before it
	// is finalised (FLOW-13), computed afresh from its sources; none without sources.
	Originals []OrgID `json:"originals,omitempty"`
}

// flowView builds what a caller sees of a flow; held are the roles the permission check found the
// actor holding, so the view needs no second read of the user.
func (u *uow) flowView(actor Actor, f agreement.Flow, held RoleSet) (FlowView, error) {
	return u.flowViewWith(actor, f, held, nil)
}

// flowViewWith is flowView for a caller that holds the flow's summary as the unit reads it (s,
// or nil to load it): a flow command has read it already.
func (u *uow) flowViewWith(actor Actor, f agreement.Flow, held RoleSet, s *agreement.Summary) (FlowView, error) {
	v := FlowView{Flow: f, PartyRatings: make(map[string]assurance.Rating, len(f.Parties)), Next: []agreement.Trigger{}}
	// The machine knows organisations, not roles: keep the steps the actor's roles allow.
	held &= OrgRoles
	o, err := u.originals(f) // FLOW-13: finalising a flow with sources depends on them (onward.go)
	if err != nil {
		return v, err
	}
	v.Originals = o.Orgs()
	// The steps are filtered where the machine returned them, a slice of the view's own.
	steps := u.g.flowMachine.PermittedWith(f, agreement.Actor{User: actor.User, Org: actor.Org}, u.now, o)
	if len(steps) > 0 {
		v.Next = steps[:0]
	}
	for _, t := range steps {
		action := EditAgreements
		switch t {
		case agreement.TriggerApprove, agreement.TriggerReject:
			action = ReviewFlow
		case agreement.TriggerSign, agreement.TriggerAttachWetSignature:
			action = SignOffFlow
		}
		if row, ok := lifecycleRow(t); ok { // the end of the lifecycle (lifecycle.go)
			action = row
		}
		if a, ok := onwardAction(t); ok {
			action = a
		}
		if u.g.perms.Allows(action, held) {
			v.Next = append(v.Next, t)
		}
	}
	for _, p := range f.Parties {
		id := u.texts.Text(p.UUID)
		rating, err := u.ratingOfID(id)
		if err != nil {
			return v, err
		}
		v.PartyRatings[id] = rating
	}
	// ORG-11: which parties are placeholders is the summary's to say.
	if s == nil || s.ID != f.SummaryID {
		loaded, _, err := u.loadSummary(f.SummaryID)
		if err != nil {
			return v, err
		}
		s = &loaded
	}
	v.Unregistered = s.UnregisteredOf(f.Parties)
	return v, nil
}

// ByID names the one record a command reads or acts on.
type ByID[T any] struct {
	ID T `json:"id" validate:"required"`
}

// FlowStep is a lifecycle step on one flow: the flow and the step's own input.
type FlowStep[T any] struct {
	Flow agreement.FlowID `json:"flow" validate:"required"`
	// Input is checked by the agreement package, which names its fields.
	Input T `json:"input" validate:"-"`
}

// valid is what the validator checks of a step, its one tagged field: every flow command runs it,
// and the validator's required boxes the ID twice to compare it with the zero ID.
func (s *FlowStep[T]) valid() bool { return !s.Flow.IsZero() }

// Flow returns a flow the actor's organisation may see (SUM-3), with its parties' ratings and the
// steps the actor may take next.
//
// Errors: ErrForbidden (ROLE-8); ErrNotFound ("flow.not_found") for a flow the organisation may
// not see, exactly as for an unknown ID.
func (g *Gateway) Flow(ctx context.Context, actor Actor, in ByID[agreement.FlowID]) (FlowView, error) {
	return run(ctx, g, flowGet, actor, in)
}

var flowGet = &command[ByID[agreement.FlowID], FlowView]{
	name: "flow.get", doc: "Read a visible flow with party ratings and next steps.",
	row: ViewOrganisation, rule: "ROLE-8", query: true,
	apply: func(c *call[ByID[agreement.FlowID]]) (FlowView, error) {
		// A DPO asked for onward approval reads what it needs to answer (FLOW-13, onward.go).
		f, _, full, _, err := c.readableFlow(c.actor, c.in.ID)
		if err != nil {
			return FlowView{}, err
		}
		return c.readableView(c.actor, f, full, c.held)
	},
}

// CreateFlowInput creates a flow beneath a summary.
type CreateFlowInput struct {
	Summary agreement.SummaryID `json:"summary" validate:"required" rule:"SUM-2"`
	// The terms are checked by the agreement package, which names their fields (FLOW-1).
	agreement.FlowTerms `validate:"-"`
}

// CreateFlow creates a Draft flow beneath a summary the actor's organisation may see (FLOW-1,
// SUM-2). Every party must be named in the summary (FLOW-11) and open (ORG-7).
//
// Errors: ErrInvalid (field errors naming FLOW-1, FLOW-11, ORG-7); ErrForbidden (ROLE-8);
// ErrNotFound ("summary.not_found") for a summary the organisation may not see; ErrRule for a
// closed organisation.
func (g *Gateway) CreateFlow(ctx context.Context, actor Actor, in CreateFlowInput) (FlowView, error) {
	return run(ctx, g, flowCreate, actor, in)
}

var flowCreate = &command[CreateFlowInput, FlowView]{
	name: "flow.create", doc: "Create a Draft flow (FLOW-1, FLOW-11).",
	row: EditAgreements, rule: "ROLE-8",
	apply: func(c *call[CreateFlowInput]) (FlowView, error) {
		if _, err := c.openOrg(c.actor.Org); err != nil {
			return FlowView{}, err
		}
		s, _, err := c.visibleSummary(c.actor, c.in.Summary)
		if err != nil {
			return FlowView{}, err
		}
		if err := c.requireOpenParties("parties", nil, c.in.Parties, s); err != nil {
			return FlowView{}, err
		}
		f, err := agreement.NewFlow(agreement.FlowID{UUID: c.newID()}, s, agreement.Actor{User: c.actor.User, Org: c.actor.Org}, c.now, c.in.FlowTerms)
		if err != nil {
			return FlowView{}, err
		}
		if err := c.checkOnwardTerms(c.actor, agreement.Flow{ID: f.ID, CreatedByOrg: f.CreatedByOrg}, f.FlowTerms); err != nil { // FLOW-13
			return FlowView{}, err
		}
		if f, err = c.putFlow(c.actor, agreement.Flow{}, f, 0); err != nil {
			return FlowView{}, err
		}
		return c.flowView(c.actor, f, c.held)
	},
}

// flowStep declares a lifecycle step on a flow: load the flow and its summary (both visible to
// the actor), apply the pure step, log every changed field, save, and turn the step's events into
// notifications, all in the command's unit of work.
func flowStep[T any](name, doc string, row Action, rule string,
	step func(c *call[FlowStep[T]], f agreement.Flow, s agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error)) *command[FlowStep[T], FlowView] {
	return &command[FlowStep[T], FlowView]{name: name, doc: doc, row: row, rule: rule,
		refuse: func(c *call[FlowStep[T]]) error {
			return c.flowRefusal(c.actor, c.in.Flow, func(f agreement.Flow, s agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
				return step(c, f, s, a)
			})
		},
		apply: func(c *call[FlowStep[T]]) (FlowView, error) {
			return c.flowCommand(c.actor, c.held, c.in.Flow, func(f agreement.Flow, s agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
				return step(c, f, s, a)
			})
		}}
}

// flowByID declares a step on one flow named by ID alone, as flowStep does for a step with input:
// the row gates it, and when the row refuses, the flow's own rule chooses the refusal.
func flowByID(name, doc string, row Action, rule string,
	step func(c *call[ByID[agreement.FlowID]], f agreement.Flow, a agreement.Actor) (agreement.Flow, []agreement.Event, error)) *command[ByID[agreement.FlowID], FlowView] {
	on := func(c *call[ByID[agreement.FlowID]]) func(agreement.Flow, agreement.Summary, agreement.Actor) (agreement.Flow, []agreement.Event, error) {
		return func(f agreement.Flow, _ agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
			return step(c, f, a)
		}
	}
	return &command[ByID[agreement.FlowID], FlowView]{name: name, doc: doc, row: row, rule: rule,
		refuse: func(c *call[ByID[agreement.FlowID]]) error { return c.flowRefusal(c.actor, c.in.ID, on(c)) },
		apply: func(c *call[ByID[agreement.FlowID]]) (FlowView, error) {
			return c.flowCommand(c.actor, c.held, c.in.ID, on(c))
		}}
}

// flowRefusal is a flow command's refuse: when the row refused the actor, the flow's own rule is
// asked what it would answer this actor — the step is run on the loaded flow and nothing is
// saved. Its refusal is kept when it is an ErrForbidden of the flow's own (flow.not_creator,
// flow.not_reviewer, flow.not_party): the record says more than the row. A flow the actor's
// organisation may not see, or any other outcome, keeps the row's "forbidden" (ROLE-7).
func (u *uow) flowRefusal(actor Actor, id agreement.FlowID,
	step func(f agreement.Flow, s agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error)) error {
	f, _, err := u.visibleFlow(actor, id)
	if err != nil {
		return storeFailure(err)
	}
	s, _, err := u.loadSummary(f.SummaryID)
	if err != nil {
		return storeFailure(err)
	}
	_, _, err = step(f, s, agreement.Actor{User: actor.User, Org: actor.Org})
	var e *Error
	if !errors.As(err, &e) {
		return storeFailure(err)
	}
	if errors.Is(err, ErrForbidden) && e.Code != "forbidden" && strings.HasPrefix(e.Code, "flow.") {
		return err
	}
	return nil
}

// storeFailure keeps an error the module did not make (a store failure), which must fail the
// command as it is, and drops the module's own refusals.
func storeFailure(err error) error {
	var e *Error
	if err == nil || errors.As(err, &e) {
		return nil
	}
	return err
}

// flowCommand runs one lifecycle step on a flow the actor's organisation may see.
func (u *uow) flowCommand(actor Actor, held RoleSet, id agreement.FlowID,
	step func(f agreement.Flow, s agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error)) (FlowView, error) {
	old, version, err := u.visibleFlow(actor, id)
	if err != nil {
		return FlowView{}, err
	}
	s, _, err := u.loadSummary(old.SummaryID)
	if err != nil {
		return FlowView{}, err
	}
	f, events, err := step(old, s, agreement.Actor{User: actor.User, Org: actor.Org})
	if err != nil {
		return FlowView{}, err
	}
	if f, err = u.putFlow(actor, old, f, version); err != nil {
		return FlowView{}, err
	}
	if f.State == agreement.Signed && old.State != agreement.Signed {
		// The signature, or the departure, that completes sign-off of a variation supersedes
		// its original in the same unit of work (SIGN-6).
		if err := u.afterSigned(actor, f); err != nil {
			return FlowView{}, err
		}
	}
	for _, e := range events {
		// A party not registered yet is never notified (ORG-11).
		if err := u.deliver(withoutUnregistered(s, flowNotices(e))...); err != nil {
			return FlowView{}, err
		}
	}
	if u.wrote(kindSummary, u.texts.Text(s.ID.UUID)) {
		return u.flowView(actor, f, held) // the step's consequences changed the summary
	}
	return u.flowViewWith(actor, f, held, &s)
}

// flowNotices says who a flow event concerns (NOTE-1): the DPOs asked to review, the requester
// of every decision (FLOW-9), the signers and Administrators of an organisation that joined
// (FLOW-12), and the parties' Administrators and Senior Officers when a flow is finalised. Each
// message names the organisation its recipient is told as.
func flowNotices(e agreement.Event) []directory.Event {
	data := map[string]string{"flow": e.FlowID.String(), "summary": e.SummaryID.String(), "by": e.Actor.User.String()}
	if e.Note != "" {
		data["note"] = e.Note
	}
	// FLOW-13 onward approval and SIGN-6 variations (onward.go).
	if out, ok := onwardNotices(e, data); ok {
		return out
	}
	// EXIT-3 the public register (register.go).
	if out, ok := registerNotices(e, data); ok {
		return out
	}
	typ := string(e.Type)
	var out []directory.Event
	atParties := func(roles RoleSet) {
		for _, p := range e.Parties {
			out = append(out, directory.Event{Type: typ, Org: p, Data: data, To: directory.Audience{Roles: roles, RolesAt: []OrgID{p}}})
		}
	}
	switch e.Type {
	case agreement.EventReviewRequested, agreement.EventRereviewRequested:
		if !e.ReviewBy.IsZero() {
			data["review_by"] = e.ReviewBy.Format(time.RFC3339)
		}
		for _, r := range e.DPOs {
			out = append(out, directory.Event{Type: typ, Org: r.Org, Data: data, To: directory.Audience{Users: []UserID{r.DPO}}})
		}
	case agreement.EventApproved, agreement.EventRejected:
		if !e.Requester.IsZero() {
			out = append(out, directory.Event{Type: typ, Org: e.Actor.Org, Data: data, To: directory.Audience{Users: []UserID{e.Requester}}})
		}
	case agreement.EventPartyAdded:
		// Its signers, and its Administrators, who can appoint one if it has none yet.
		atParties(Of(Administrator, SeniorOfficer, InfoAssetOwner))
	case agreement.EventFinalised:
		atParties(Of(Administrator, SeniorOfficer))
	// the end of the lifecycle (LIFE-2…LIFE-4): who each is for is in lifecycle.go
	case agreement.EventNoticeGiven, agreement.EventNoticeApproved, agreement.EventNoticeRejected, agreement.EventNoticeWithdrawn,
		agreement.EventPartyWithdrawn, agreement.EventTerminated, agreement.EventDisputeRaised, agreement.EventDisputeEscalated,
		agreement.EventDisputeMediation, agreement.EventDisputeResolved, agreement.EventArchived, agreement.EventRetentionExtended,
		agreement.EventRetentionEnded, agreement.EventDeleted:
		out = lifecycleNotices(e, data)
	default:
		out = signOffNotices(e, data)
	}
	return out
}

// EditFlow replaces a flow's terms (FLOW-3): in Draft by any named organisation's editor; when
// Rejected by the creating organisation only; never while locked for review or once finalised.
// An edit voids earlier approvals (FLOW-8).
//
// Errors: ErrInvalid (field errors naming FLOW-1, FLOW-11, ORG-7); ErrForbidden (ROLE-8);
// ErrNotFound ("flow.not_found") for a flow the organisation may not see; ErrInvalidTransition
// ("flow.invalid_transition", "flow.locked", …) where the flow's state does not allow it.
func (g *Gateway) EditFlow(ctx context.Context, actor Actor, in FlowStep[agreement.FlowTerms]) (FlowView, error) {
	return run(ctx, g, flowEdit, actor, in)
}

var flowEdit = flowStep("flow.edit", "Edit a flow's terms (FLOW-3).", EditAgreements, "ROLE-8",
	func(c *call[FlowStep[agreement.FlowTerms]], f agreement.Flow, s agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
		if err := c.requireOpenParties("parties", f.Parties, c.in.Input.Parties, s); err != nil {
			return f, nil, err
		}
		edited, events, err := c.g.flowMachine.Edit(f, s, a, c.now, c.in.Input)
		if err == nil { // FLOW-13 sources, SIGN-6 a variation's parties (onward.go)
			err = c.checkOnwardTerms(c.actor, f, edited.FlowTerms)
		}
		if err != nil {
			return f, nil, err
		}
		return edited, events, nil
	})

// RequestReview asks DPOs of the flow's organisations to review it by a date (FLOW-5): the flow
// locks for everyone. Each reviewer must hold the DPO role at the organisation named (ROLE-6).
//
// Errors: ErrInvalid (field errors naming FLOW-5, ROLE-6); ErrForbidden (ROLE-8); ErrNotFound
// ("flow.not_found"); ErrInvalidTransition where the flow's state does not allow it.
func (g *Gateway) RequestReview(ctx context.Context, actor Actor, in FlowStep[agreement.ReviewRequest]) (FlowView, error) {
	return run(ctx, g, flowRequestReview, actor, in)
}

var flowRequestReview = flowStep("flow.request_review", "Request DPO review (FLOW-5, ROLE-6).", EditAgreements, "ROLE-8",
	func(c *call[FlowStep[agreement.ReviewRequest]], f agreement.Flow, s agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
		// A party not registered yet has no DPO and cannot review (ORG-11): said as such, before
		// its reviewers are looked for.
		if err := s.CheckReviewRequest(c.in.Input); err != nil {
			return f, nil, err
		}
		if err := c.requireDPOs(c.in.Input.DPOs, "only DPOs of an organisation named in the flow review it"); err != nil {
			return f, nil, err
		}
		return c.g.flowMachine.RequestReview(f, a, c.now, c.in.Input)
	})

// requireDPOs refuses, naming each, the reviewers that are not active DPOs of the organisation
// they are named for (ROLE-6); why says what the request is.
func (u *uow) requireDPOs(reviewers []agreement.Reviewer, why string) error {
	var fields []FieldError
	for i, rv := range reviewers {
		x, err := u.loadUser(rv.DPO)
		if err != nil && !isNotFound(err) {
			return err
		}
		if err != nil || !x.rolesAt(rv.Org).Has(DPO) || x.State != AccountActive {
			fields = append(fields, FieldError{Field: fmt.Sprintf("dpos[%d].dpo", i), Code: "not_dpo", Rule: "ROLE-6", Message: "is not an active DPO of the organisation named"})
		}
	}
	if len(fields) > 0 {
		return &Error{Kind: ErrInvalid, Code: "invalid_input", Rule: "ROLE-6", Message: why, Fields: fields}
	}
	return nil
}

// ApproveFlow records the acting DPO's approval (FLOW-6). Only a DPO asked to review, of an
// organisation named in the flow, may decide (ROLE-6). The requester is notified (FLOW-9).
//
// Errors: ErrForbidden (ROLE-6); ErrNotFound ("flow.not_found"); ErrInvalidTransition where the
// flow is not awaiting the actor's review.
func (g *Gateway) ApproveFlow(ctx context.Context, actor Actor, in FlowStep[agreement.Verdict]) (FlowView, error) {
	return run(ctx, g, flowApprove, actor, in)
}

var flowApprove = flowStep("flow.approve", "Approve as DPO (FLOW-6).", ReviewFlow, "ROLE-6",
	func(c *call[FlowStep[agreement.Verdict]], f agreement.Flow, _ agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
		return c.g.flowMachine.Approve(f, a, c.now, c.in.Input)
	})

// RejectFlow records the acting DPO's rejection with details (FLOW-6): the flow unlocks for its
// creating organisation only. The requester is notified (FLOW-9).
//
// Errors: ErrInvalid (the details are required); ErrForbidden (ROLE-6); ErrNotFound
// ("flow.not_found"); ErrInvalidTransition where the flow is not awaiting the actor's review.
func (g *Gateway) RejectFlow(ctx context.Context, actor Actor, in FlowStep[agreement.Verdict]) (FlowView, error) {
	return run(ctx, g, flowReject, actor, in)
}

var flowReject = flowStep("flow.reject", "Reject as DPO with details (FLOW-6).", ReviewFlow, "ROLE-6",
	func(c *call[FlowStep[agreement.Verdict]], f agreement.Flow, _ agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
		return c.g.flowMachine.Reject(f, a, c.now, c.in.Input)
	})

// RequestRereview answers a rejection (FLOW-7): the creator says what it changed, the flow locks
// again, and the rejection stays open until that DPO reviews again.
//
// Errors: ErrInvalid; ErrForbidden (ROLE-8); ErrNotFound ("flow.not_found");
// ErrInvalidTransition where the flow is not Rejected or the actor's organisation did not create it.
func (g *Gateway) RequestRereview(ctx context.Context, actor Actor, in FlowStep[agreement.Rereview]) (FlowView, error) {
	return run(ctx, g, flowRereview, actor, in)
}

var flowRereview = flowStep("flow.rereview", "Answer a rejection (FLOW-7).", EditAgreements, "ROLE-8",
	func(c *call[FlowStep[agreement.Rereview]], f agreement.Flow, _ agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
		return c.g.flowMachine.RequestRereview(f, a, c.now, c.in.Input)
	})

// FinaliseFlow finalises a flow (FLOW-3, FLOW-4, FLOW-8): only the creating organisation, with a
// DPO approval of the current version or a passed review-by date where personal data is
// carried, and never with an open rejection. A finalised flow can no longer be edited.
//
// Errors: ErrForbidden (ROLE-8); ErrNotFound ("flow.not_found"); ErrInvalidTransition
// ("flow.open_rejection", "flow.not_approved", …) where the flow may not be finalised yet.
func (g *Gateway) FinaliseFlow(ctx context.Context, actor Actor, in ByID[agreement.FlowID]) (FlowView, error) {
	return run(ctx, g, flowFinalise, actor, in)
}

// With the originals of a flow naming sources (FLOW-13).
var flowFinalise = flowByID("flow.finalise", "Finalise a flow (FLOW-8).", EditAgreements, "ROLE-8",
	func(c *call[ByID[agreement.FlowID]], f agreement.Flow, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
		return c.finaliseFlow(f, a)
	})

// AgreementLog is a logged record's transaction log — a summary's, a flow's, an activity's or a
// DPIA's — with the result of verifying its hash chain against the head the record keeps (LOG-2)
// and the record against its log (LOG-3).
type AgreementLog struct {
	Entries []agreement.LogEntry `json:"entries"`
	Head    agreement.LogHead    `json:"head"`
	// Verified is true when the chain is intact; Problem says what Verify found otherwise.
	Verified bool   `json:"verified"`
	Problem  string `json:"problem,omitempty"`
}

// SummaryLog returns the transaction log of a summary the actor's organisation may see, verified
// against the head the summary keeps (LOG-1, LOG-2).
//
// Errors: ErrForbidden (ROLE-8); ErrNotFound ("summary.not_found") for a summary the organisation
// may not see.
func (g *Gateway) SummaryLog(ctx context.Context, actor Actor, in ByID[agreement.SummaryID]) (AgreementLog, error) {
	return run(ctx, g, summaryLog, actor, in)
}

var summaryLog = &command[ByID[agreement.SummaryID], AgreementLog]{
	name: "summary.log", doc: "A summary's verified transaction log (LOG-1, LOG-2).", row: ViewOrganisation, rule: "ROLE-8", query: true,
	apply: func(c *call[ByID[agreement.SummaryID]]) (AgreementLog, error) {
		s, _, err := c.visibleSummary(c.actor, c.in.ID)
		if err != nil {
			return AgreementLog{}, err
		}
		return verifiedLog(c.uow, s.ID.UUID, s.Log, func(es []agreement.LogEntry) error { return agreement.VerifyRecord(s, es) })
	},
}

// FlowLog returns the transaction log of a flow the actor's organisation may see, verified against
// the head the flow keeps (LOG-1, LOG-2).
//
// Errors: ErrForbidden (ROLE-8); ErrNotFound ("flow.not_found") for a flow the organisation may
// not see.
func (g *Gateway) FlowLog(ctx context.Context, actor Actor, in ByID[agreement.FlowID]) (AgreementLog, error) {
	return run(ctx, g, flowLog, actor, in)
}

var flowLog = &command[ByID[agreement.FlowID], AgreementLog]{
	name: "flow.log", doc: "A flow's verified transaction log (LOG-1, LOG-2).", row: ViewOrganisation, rule: "ROLE-8", query: true,
	apply: func(c *call[ByID[agreement.FlowID]]) (AgreementLog, error) {
		f, _, err := c.visibleFlow(c.actor, c.in.ID)
		if err != nil {
			return AgreementLog{}, err
		}
		return verifiedLog(c.uow, f.ID.UUID, f.Log, func(es []agreement.LogEntry) error { return agreement.VerifyRecord(f, es) })
	},
}

// verifiedLog reads a record's log entries, verifies the chain against the head the record keeps
// (LOG-2) and then the record against its log with verifyRecord (LOG-3).
func verifiedLog(u *uow, subject uuid.UUID, head txlog.Head, verifyRecord func([]txlog.Entry) error) (AgreementLog, error) {
	entries, _, err := findAll[txlog.Entry](u, kindLogEntry, key("subject", subject.String()))
	if err != nil {
		return AgreementLog{}, err
	}
	out := AgreementLog{Entries: entries, Head: head, Verified: true}
	err = txlog.Verify(head, entries)
	if err == nil {
		err = verifyRecord(entries)
	}
	if err != nil {
		out.Verified, out.Problem = false, err.Error()
	}
	return out, nil
}

// partnersOf lists the organisations org shares with: those named with it in a summary (every
// flow's parties are named in its summary, FLOW-11) (ASR-5).
func (u *uow) partnersOf(org OrgID) ([]OrgID, error) {
	sums, _, err := findAll[agreement.Summary](u, kindSummary, key("visible", org.String()))
	if err != nil {
		return nil, err
	}
	var out []OrgID
	for _, s := range sums {
		if !s.Names(org) {
			continue
		}
		for _, o := range s.Organisations {
			// A party not registered yet has nobody to tell (ORG-11).
			if o != org && !slices.Contains(out, o) && !s.IsUnregistered(o) {
				out = append(out, o)
			}
		}
	}
	return out, nil
}

// moveAgreements moves the summaries and flows naming from to the surviving organisation to
// (ORG-6). The change is appended to each log in the name of the actor whose approval completed
// the merge; earlier entries, reviews and signatures are kept.
func (u *uow) moveAgreements(actor Actor, from, to OrgID) error {
	sums, versions, err := findAll[agreement.Summary](u, kindSummary, key("visible", from.String()))
	if err != nil {
		return err
	}
	for i, old := range sums {
		s := old
		s.Organisations = replaceOrg(old.Organisations, from, to)
		// A placeholder that joined is no longer a party not registered (ORG-11).
		s.Unregistered = old.JoinedParties(from)
		if s.CreatedByOrg == from {
			s.CreatedByOrg = to
		}
		if _, err := u.putSummary(actor, old, s, versions[i]); err != nil {
			return err
		}
	}
	flows, fversions, err := findAll[agreement.Flow](u, kindFlow, key("visible", from.String()))
	if err != nil {
		return err
	}
	for i, old := range flows {
		f := old
		f.Parties, f.From, f.To = replaceOrg(old.Parties, from, to), replaceOrg(old.From, from, to), replaceOrg(old.To, from, to)
		if f.CreatedByOrg == from {
			f.CreatedByOrg = to
		}
		if _, err := u.putFlow(actor, old, f, fversions[i]); err != nil {
			return err
		}
	}
	return nil
}

// replaceOrg returns a copy of orgs with from replaced by to, keeping each organisation once.
func replaceOrg(orgs []OrgID, from, to OrgID) []OrgID {
	out := make([]OrgID, 0, len(orgs))
	for _, o := range orgs {
		if o == from {
			o = to
		}
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// AddPartyInput adds an organisation to a finalised flow.
type AddPartyInput struct {
	Flow agreement.FlowID `json:"flow" validate:"required" rule:"FLOW-12"`
	Org  OrgID            `json:"org" validate:"required" rule:"FLOW-12"`
	Side agreement.Side   `json:"side" validate:"required,oneof=from to" rule:"FLOW-12"`
}

// AddParty adds an organisation named in the summary to a finalised (or partly signed) flow
// (FLOW-12). The creating organisation does it; the new party's Senior Officers and Information
// Asset Owners (and Administrators) are asked to sign off. Existing signatures stay valid: they
// cover the terms, not the parties (agreement.TermsHash).
//
// Errors: ErrInvalid (field errors naming FLOW-12, ORG-7); ErrForbidden (ROLE-8); ErrNotFound
// ("flow.not_found"); ErrInvalidTransition or ErrRule where the flow or the organisation does not
// allow it.
func (g *Gateway) AddParty(ctx context.Context, actor Actor, in AddPartyInput) (FlowView, error) {
	return run(ctx, g, flowAddParty, actor, in)
}

var flowAddParty = &command[AddPartyInput, FlowView]{
	name: "flow.add_party", doc: "Add an organisation to a finalised flow (FLOW-12).", row: EditAgreements, rule: "ROLE-8",
	apply: func(c *call[AddPartyInput]) (FlowView, error) {
		return c.flowCommand(c.actor, c.held, c.in.Flow, func(f agreement.Flow, s agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
			if err := c.requireOpenParties("org", f.Parties, []OrgID{c.in.Org}, s); err != nil {
				return f, nil, err
			}
			return agreement.AddParty(f, s, a, c.now, c.in.Org, c.in.Side)
		})
	},
}

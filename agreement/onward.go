package agreement

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/isgkit/gateway/isg/violation"
)

// Onward sharing (FLOW-13): "onward sharing needs the original organisation's permission" (MoU
// principle 10). A flow names the flows its data was received through (FlowTerms.Sources); it
// cannot be finalised until a DPO of every original organisation up the chain has approved its
// current version. What the rulebook leaves open is decided here as an information-governance
// lead would:
//
//   - A source is a flow the creating organisation receives data in: on the To side of a one-way
//     flow, either side of a two-way one (both sides receive). It must be visible to whoever names
//     it; one it may not see is refused exactly as an ID naming no flow (field code unknown_source),
//     so naming sources is no oracle for other organisations' flows. A flow cannot be its own
//     source, directly or up the chain (cycle), names each source once, and the chain it opens is
//     bounded (MaxSourceChain).
//   - Only the creating organisation changes a flow's sources: they declare where its own data came
//     from, and a partner dropping one would silently lift the need for the originals' permission.
//   - The originals (OriginalsOf) are, for each source, the organisations that sent data to the
//     organisation naming it, and so on through that source's own sources, less the onward flow's
//     creator. They are computed afresh whenever they count (a source may gain a party, FLOW-12),
//     never stored.
//   - The approval is asked for and recorded like a DPO review (FLOW-5, FLOW-6): the creating
//     organisation names DPOs of original organisations with a date the answer is wanted by; each
//     approves or rejects with details and the requester is told (as FLOW-9). The answers are kept
//     in Flow.OnwardReviews, apart from the parties' reviews: an original organisation is not a
//     party, so its answer neither locks the flow (the approval binds one revision, so no lock is
//     needed: an edit voids it, as FLOW-8) nor moves it between InReview, Approved and Rejected.
//   - Unlike FLOW-8's review-by date, the date of an onward request passing never stands in for
//     the approval: permission to pass on another organisation's data is never presumed.
//   - An approval of the current version by a DPO of an original organisation that is also a party,
//     given in its own DPO review, counts as well: it is the same organisation's DPO approving the
//     same version, sources included.
//   - An onward rejection stays open until the same DPO decides again, and blocks finalising while
//     its organisation is an original (as FLOW-7 and FLOW-8 for a party's rejection).
//   - What the DPO asked sees (OnwardView): the flow's terms — what is shared, with whom, why, on what
//     legal basis, under which controls, and its sources — its state, and its own organisation's
//     onward reviews; not the parties' DPO reviews, signatures, log, documents or risk assessment.
//     Only the DPO asked, acting for the organisation it was asked for, while that organisation is
//     still an original, sees that much (CanReviewOnward); anyone else is told the flow does not
//     exist.

// Onward sharing codes: refusals, field errors and the bound of a chain.
const (
	// CodeOnwardApprovalRequired (ErrRule; FLOW-13): a flow with sources is finalised only once a
	// DPO of every original organisation has approved its current version.
	CodeOnwardApprovalRequired = "flow.onward_approval_required"
	// CodeOpenOnwardRejection (ErrRule; FLOW-13): a DPO of an original organisation rejected onward
	// sharing and has not decided again.
	CodeOpenOnwardRejection = "flow.open_onward_rejection"
	// CodeNoSources (ErrRule; FLOW-13): onward approval was asked for a flow that names no sources.
	CodeNoSources = "flow.no_sources"
)

// Field error codes of onward sharing.
const (
	FieldCodeUnknownSource = "unknown_source" // FLOW-13: names no flow the organisation may see
	FieldCodeNotReceiver   = "not_receiver"   // FLOW-13: the creator receives no data in that flow
	FieldCodeCycle         = "cycle"          // FLOW-13: the flow itself, or a flow leading back to it
	FieldCodeChainTooLong  = "chain_too_long" // FLOW-13: more than MaxSourceChain flows up the chain
	FieldCodeCreatorOnly   = "creator_only"   // FLOW-13: only the creating organisation names sources
	FieldCodeNotOriginal   = "not_original"   // FLOW-13: not an original organisation of the data
)

// MaxSourceChain bounds how many flows the sources named by one edit may lead to, themselves
// included: enough for any real chain of onward sharing, and a bound on the work one edit makes.
const MaxSourceChain = 100

// The onward triggers (FLOW-13): internal steps of the states before Finalised.
const (
	TriggerRequestOnward Trigger = "request_onward"
	TriggerApproveOnward Trigger = "approve_onward"
	TriggerRejectOnward  Trigger = "reject_onward"
)

// The onward events (FLOW-13).
const (
	// EventOnwardRequested: DPOs of original organisations were asked to approve onward sharing.
	// DPOs lists them (with the organisation each is asked for), ReviewBy the date, Note the comment.
	EventOnwardRequested EventType = "flow.onward_approval_requested"
	// EventOnwardApproved: a DPO of an original organisation approved; Requester is told.
	EventOnwardApproved EventType = "flow.onward_approved"
	// EventOnwardRejected: a DPO of an original organisation rejected, with details in Note;
	// Requester is told.
	EventOnwardRejected EventType = "flow.onward_rejected"
)

// Originals are the original organisations of a flow's data (FLOW-13), as OriginalsOf found them
// by following its sources. The zero value is "not computed": a flow naming sources is never
// finalised on it.
type Originals struct {
	orgs  []OrgID
	known bool
}

// Orgs returns the original organisations, sorted; none for a flow without sources.
func (o Originals) Orgs() []OrgID { return slices.Clone(o.orgs) }

// Has reports whether org is an original organisation.
func (o Originals) Has(org OrgID) bool { return slices.Contains(o.orgs, org) }

// Known reports whether the originals were computed (by OriginalsOf).
func (o Originals) Known() bool { return o.known }

// OriginalsOf follows f's sources to their start (FLOW-13) and returns the organisations whose
// DPO must approve f's onward sharing. For each source, the organisations that sent data to the
// organisation naming it count: the From side when it is on the To side; for a two-way source,
// the other side too. Each source's own sources are then followed with the source's creator as the
// receiver. The onward flow's creator never counts, nor does a receiver for the data it sent.
//
// chain must hold every flow reachable from f's sources (the Gateway loads them); a flow missing
// from it (no longer stored, LIFE-2) contributes nothing. When the receiver is no longer a receiver
// in a source (the source changed since it was named), every other party of that source counts:
// in doubt, permission is asked of everyone the data could have come from. Cycles end the walk
// rather than loop.
func OriginalsOf(f Flow, chain map[FlowID]Flow) Originals {
	if len(f.Sources) == 0 {
		return Originals{known: true} // most flows: no walk, no allocation
	}
	var orgs []OrgID
	seen := map[OrgID]bool{}
	visited := map[FlowID]bool{f.ID: true}
	queue := []Flow{f}
	for len(queue) > 0 {
		g := queue[0]
		queue = queue[1:]
		for _, id := range g.Sources {
			src, ok := chain[id]
			if !ok || src.ID != id {
				continue
			}
			for _, o := range sendersTo(src, g.CreatedByOrg) {
				if o.IsZero() || o == g.CreatedByOrg || o == f.CreatedByOrg || seen[o] {
					continue
				}
				seen[o] = true
				orgs = append(orgs, o)
			}
			if !visited[id] {
				visited[id] = true
				queue = append(queue, src)
			}
		}
	}
	slices.SortFunc(orgs, func(a, b OrgID) int { return bytes.Compare(a.UUID[:], b.UUID[:]) })
	return Originals{orgs: orgs, known: true}
}

// receives reports whether org receives data in src: on its To side, or on either side of a
// two-way flow.
func receives(src Flow, org OrgID) bool {
	return slices.Contains(src.To, org) || (src.Direction == TwoWay && slices.Contains(src.From, org))
}

// sendersTo lists the organisations that send data to receiver in src; see OriginalsOf.
func sendersTo(src Flow, receiver OrgID) []OrgID {
	if !receives(src, receiver) {
		return src.Parties
	}
	out := slices.Clone(src.From)
	if src.Direction == TwoWay && slices.Contains(src.From, receiver) {
		out = append(out, src.To...)
	}
	return out
}

// CheckSources checks the sources named for flow f by actor (FLOW-13): named is the new list,
// f the flow as it is (for a new flow: its ID and creating organisation). Only a change of the
// list needs the creating organisation. Each newly named source must be a flow the actor's
// organisation may see (one it may not see is refused exactly as an unknown one), in which f's
// creating organisation receives data, and neither f itself nor leading back to it. chain holds
// what the Gateway loaded from the newly named sources: each of them and every flow reachable
// through their own sources, and complete is false when that was more than MaxSourceChain flows.
// Sources f already names are not checked again, so that a change to a source since it was named
// never blocks an unrelated edit: the originals are computed afresh whenever they count.
//
// Errors: ErrInvalid with field errors (unknown_source, not_receiver, cycle, chain_too_long,
// creator_only) naming FLOW-13.
func CheckSources(f Flow, actor Actor, named []FlowID, chain map[FlowID]Flow, complete bool) error {
	var fields []FieldError
	if !sameSet(named, f.Sources) && actor.Org != f.CreatedByOrg {
		fields = append(fields, fieldErr("sources", FieldCodeCreatorOnly, "FLOW-13",
			"only the creating organisation names the flows its data was received through"))
	}
	for i, id := range named {
		if id.IsZero() || slices.Contains(f.Sources, id) || slices.Contains(named[:i], id) {
			continue // required and duplicate are the terms' own checks; kept sources stay
		}
		field := indexed("sources", i)
		if id == f.ID && !id.IsZero() {
			fields = append(fields, fieldErr(field, FieldCodeCycle, "FLOW-13", "a flow cannot be its own source"))
			continue
		}
		src, ok := chain[id]
		switch {
		case !ok || src.ID != id || !CanSeeFlow(actor.Org, src):
			fields = append(fields, fieldErr(field, FieldCodeUnknownSource, "FLOW-13", "names no flow the organisation may see"))
		case !receives(src, f.CreatedByOrg):
			fields = append(fields, fieldErr(field, FieldCodeNotReceiver, "FLOW-13",
				"the creating organisation receives no data in that flow"))
		case leadsTo(src, f.ID, chain):
			fields = append(fields, fieldErr(field, FieldCodeCycle, "FLOW-13", "that flow's own sources lead back to this flow"))
		}
	}
	if !complete {
		fields = append(fields, fieldErr("sources", FieldCodeChainTooLong, "FLOW-13",
			"the sources lead to more than 100 flows"))
	}
	if len(fields) > 0 {
		return violation.Invalid(fields...)
	}
	return nil
}

// leadsTo reports whether target is reachable from src through the sources in chain.
func leadsTo(src Flow, target FlowID, chain map[FlowID]Flow) bool {
	if target.IsZero() {
		return false
	}
	visited := map[FlowID]bool{src.ID: true}
	queue := []Flow{src}
	for len(queue) > 0 {
		g := queue[0]
		queue = queue[1:]
		for _, id := range g.Sources {
			if id == target {
				return true
			}
			if next, ok := chain[id]; ok && !visited[id] {
				visited[id] = true
				queue = append(queue, next)
			}
		}
	}
	return false
}

func sameSet(a, b []FlowID) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			return false
		}
	}
	return true
}

// NameableSources returns the sources org could name itself as a flow's creator: those in found
// that it may see and receives data in, in their order. A copy keeps only these (SUM-4,
// FLOW-10): sources describe where the copier's own data came from, so a copy made by the same
// organisation keeps them and still needs the originals' approval, while one made by another
// organisation neither inherits sources that say nothing of its data nor learns their IDs.
func NameableSources(org OrgID, sources []FlowID, found map[FlowID]Flow) []FlowID {
	var out []FlowID
	for _, id := range sources {
		if src, ok := found[id]; ok && src.ID == id && CanSeeFlow(org, src) && receives(src, org) {
			out = append(out, id)
		}
	}
	return out
}

// OnwardApprovedBy reports whether a DPO of org approved the flow's current revision, as asked for
// onward approval or in its own DPO review as a party (FLOW-13).
func (f Flow) OnwardApprovedBy(org OrgID) bool {
	for _, rs := range [][]DPOReview{f.OnwardReviews, f.Reviews} {
		for _, r := range rs {
			if r.Org == org && r.ApprovalOf(f.Rev) {
				return true
			}
		}
	}
	return false
}

// onwardReviewOf returns the index of the DPO's live onward review record for org, or -1.
func (f Flow) onwardReviewOf(dpo UserID, org OrgID) int {
	for i, r := range f.OnwardReviews {
		if r.DPO == dpo && r.Org == org && !r.Withdrawn {
			return i
		}
	}
	return -1
}

// CanReviewOnward reports whether actor may read f to answer an onward approval request
// (FLOW-13): the user was asked for the organisation it acts for, and that organisation is still
// an original of f's data (o, computed by OriginalsOf). What it may read is OnwardView.
func CanReviewOnward(actor Actor, f Flow, o Originals) bool { return canReviewOnward(actor, &f, o) }

// canReviewOnward is CanReviewOnward by pointer, for the guard the machine asks on every step it
// lists: a flow is a kilobyte to copy.
func canReviewOnward(actor Actor, f *Flow, o Originals) bool {
	return !actor.User.IsZero() && !actor.Org.IsZero() && o.Has(actor.Org) && f.onwardReviewOf(actor.User, actor.Org) >= 0
}

// OnwardView is what a DPO of an original organisation asked for onward approval sees of f
// (FLOW-13): the flow's identity and maker, state, revision and terms, and its own organisation's onward
// reviews — nothing else. It is built from a list of what may be shown, so that a field added to
// Flow later stays hidden until it is added here.
func OnwardView(f Flow, org OrgID) Flow {
	c := f.Clone()
	v := Flow{
		ID: c.ID, SummaryID: c.SummaryID, CreatedByOrg: c.CreatedByOrg, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		State: c.State, Rev: c.Rev, FlowTerms: c.FlowTerms, VariationOf: c.VariationOf, FinalisedAt: c.FinalisedAt,
	}
	for _, r := range c.OnwardReviews {
		if r.Org == org {
			v.OnwardReviews = append(v.OnwardReviews, r)
		}
	}
	return v
}

// OnwardRequest asks DPOs of the original organisations to approve a flow's onward sharing by a
// date (FLOW-13). The Gateway checks that each user holds the DPO role at the organisation named
// (ROLE-6). The date is when the answer is wanted; its passing never stands in for the approval.
type OnwardRequest struct {
	DPOs     []Reviewer `json:"dpos" validate:"min=1,max=100,dive" rule:"FLOW-13"`
	ReviewBy time.Time  `json:"review_by" validate:"required,instant" rule:"FLOW-13"`
	// Comment goes to the DPOs with the request: what is asked and why.
	Comment string `json:"comment,omitempty" validate:"max=4000"`
}

// RequestOnward asks DPOs of original organisations (o, computed by OriginalsOf) to approve the
// flow's onward sharing (FLOW-13). Only the creating organisation asks, of a flow naming sources,
// before it is finalised; the flow's state is unchanged and it is not locked. Asking a DPO already
// asked renews the request. A flow naming no sources is refused before anything else.
//
// Errors: ErrInvalid (field errors: not_original, duplicate, not_future); ErrForbidden
// (CodeNotCreator); ErrRule (CodeNoSources); ErrInvalidTransition once finalised. Raises
// EventOnwardRequested.
func (m *FlowMachine) RequestOnward(f Flow, actor Actor, at time.Time, r OnwardRequest, o Originals) (Flow, []Event, error) {
	if len(f.Sources) == 0 {
		// Said first: every organisation named would otherwise be refused as no original.
		return f, nil, violation.New(noSources.kind, noSources.code, noSources.rule, noSources.cause)
	}
	var extra []FieldError
	keys := make([]Reviewer, len(r.DPOs))
	for i, d := range r.DPOs {
		keys[i] = d
		if !d.Org.IsZero() && !o.Has(d.Org) {
			extra = append(extra, fieldErr(indexed("dpos", i)+".org", FieldCodeNotOriginal, "FLOW-13",
				"a DPO approves onward sharing for an original organisation of the flow's data"))
		}
	}
	for _, i := range duplicates(keys) {
		extra = append(extra, fieldErr(indexed("dpos", i), FieldCodeDuplicate, "FLOW-13", "names a DPO twice"))
	}
	if !r.ReviewBy.IsZero() && !r.ReviewBy.After(at) {
		extra = append(extra, fieldErr("review_by", FieldCodeNotFuture, "FLOW-13", "must be later than the request"))
	}
	if err := checkInput(r, "FLOW-13", extra); err != nil {
		return f, nil, err
	}
	r.DPOs = cloneSlice(r.DPOs)
	r.ReviewBy = r.ReviewBy.UTC()
	return m.fire(f, TriggerRequestOnward, command{actor: actor, at: at, onward: &r, originals: o})
}

// ApproveOnward records the acting DPO's approval of the flow's onward sharing, for its current
// revision, as a DPO asked for an original organisation (FLOW-13). The flow's state is unchanged.
//
// Errors: ErrInvalid; ErrForbidden (CodeNotReviewer); ErrInvalidTransition (CodeAlreadyDecided,
// or once finalised). Raises EventOnwardApproved.
func (m *FlowMachine) ApproveOnward(f Flow, actor Actor, at time.Time, v Verdict, o Originals) (Flow, []Event, error) {
	if err := v.checkOnward(false); err != nil {
		return f, nil, err
	}
	return m.fire(f, TriggerApproveOnward, command{actor: actor, at: at, verdict: v, originals: o})
}

// RejectOnward records the acting DPO's rejection of the flow's onward sharing, with details
// (FLOW-13). It stays open, and the flow cannot be finalised, until the same DPO decides again.
//
// Errors: ErrInvalid (details are required); ErrForbidden (CodeNotReviewer);
// ErrInvalidTransition. Raises EventOnwardRejected.
func (m *FlowMachine) RejectOnward(f Flow, actor Actor, at time.Time, v Verdict, o Originals) (Flow, []Event, error) {
	if err := v.checkOnward(true); err != nil {
		return f, nil, err
	}
	return m.fire(f, TriggerRejectOnward, command{actor: actor, at: at, verdict: v, originals: o})
}

// FinaliseOnward is Finalise with the flow's original organisations (o, computed by OriginalsOf):
// a flow naming sources also needs, for every original, an approval of its current revision by a
// DPO of that organisation and no open onward rejection (FLOW-13). Finalise itself knows no
// originals and so never finalises a flow naming sources.
//
// Errors: as Finalise, and ErrRule (CodeOnwardApprovalRequired, CodeOpenOnwardRejection).
func (m *FlowMachine) FinaliseOnward(f Flow, actor Actor, at time.Time, o Originals) (Flow, []Event, error) {
	return m.fire(f, TriggerFinalise, command{actor: actor, at: at, originals: o})
}

// PermittedWith is Permitted knowing the flow's original organisations (FLOW-13), so that
// finalising a flow with sources, and the onward decisions, are offered when they would pass.
func (m *FlowMachine) PermittedWith(f Flow, actor Actor, now time.Time, o Originals) []Trigger {
	return m.permitted(f, command{actor: actor, at: now, originals: o})
}

func (v Verdict) checkOnward(rejection bool) error {
	switch {
	case rejection && strings.TrimSpace(v.Details) == "":
		return violation.Field("details", "required", "FLOW-13", "a rejection must say why")
	case len(v.Details) > maxNote:
		return violation.Field("details", "max", "FLOW-13", "must be at most 8000 characters")
	}
	return nil
}

var noSources = refusal{ErrRule, CodeNoSources, "FLOW-13", "the flow names no source flows, so no onward approval is needed"}

// onwardRefusals are the typed refusals of the onward guards.
func onwardRefusals() []guardRefusal {
	return []guardRefusal{
		{creatorAsksOnward, refusal{ErrForbidden, CodeNotCreator, "FLOW-13", "only the creating organisation asks the original organisations to approve onward sharing"}},
		{namesSources, noSources},
		{isAskedOnwardDPO, refusal{ErrForbidden, CodeNotReviewer, "FLOW-13", "the actor was not asked to approve this flow's onward sharing as a DPO of an original organisation"}},
		{notAlreadyApprovedOnward, refusal{ErrInvalidTransition, CodeAlreadyDecided, "FLOW-13", "the actor has already approved onward sharing of this version of the flow"}},
		{notAlreadyRejectedOnward, refusal{ErrInvalidTransition, CodeAlreadyDecided, "FLOW-13", "the actor has already rejected onward sharing of this version, and has not been asked again"}},
		{noOpenOnwardRejection, refusal{ErrRule, CodeOpenOnwardRejection, "FLOW-13", "a DPO of an original organisation has rejected onward sharing and not decided again"}},
		{originalsApproved, refusal{ErrRule, CodeOnwardApprovalRequired, "FLOW-13", "a DPO of every original organisation must approve the current version before a flow with sources is finalised"}},
	}
}

// configureOnward adds the onward steps to the states before Finalised: internal steps, since an
// original organisation's answer neither locks nor moves the flow.
func configureOnward(c *flowConfig) {
	for _, s := range []FlowState{Draft, InReview, Approved, Rejected} {
		c.Configure(s).
			InternalTransition(TriggerRequestOnward, recordOnwardRequest, creatorAsksOnward, namesSources).
			InternalTransition(TriggerApproveOnward, recordOnwardApproval, isAskedOnwardDPO, notAlreadyApprovedOnward).
			InternalTransition(TriggerRejectOnward, recordOnwardRejection, isAskedOnwardDPO, notAlreadyRejectedOnward)
	}
}

// ---- onward guards --------------------------------------------------------------------------

func creatorAsksOnward(ctx context.Context, _ ...any) bool { return creatorOrg(ctx) }

func namesSources(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && len(fc.flow.Sources) > 0
}

// isAskedOnwardDPO: the actor was asked for onward approval for the organisation it acts for, and
// that organisation is still an original.
func isAskedOnwardDPO(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && canReviewOnward(fc.actor, fc.flow, fc.originals)
}

func notAlreadyApprovedOnward(ctx context.Context, _ ...any) bool {
	return !decidedOnwardAlready(firingOf(ctx), DecisionApproved)
}

func notAlreadyRejectedOnward(ctx context.Context, _ ...any) bool {
	return !decidedOnwardAlready(firingOf(ctx), DecisionRejected)
}

func decidedOnwardAlready(fc *firing, d Decision) bool {
	if fc == nil {
		return true
	}
	i := fc.flow.onwardReviewOf(fc.actor.User, fc.actor.Org)
	if i < 0 {
		return false
	}
	r := fc.flow.OnwardReviews[i]
	return !r.Awaiting && r.Decision == d && r.DecidedRev == fc.flow.Rev
}

// noOpenOnwardRejection: no DPO of an original organisation holds an open onward rejection. A
// flow without sources needs no onward approval, so none counts; with the originals unknown every
// one does.
func noOpenOnwardRejection(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	if fc == nil {
		return false
	}
	if len(fc.flow.Sources) == 0 {
		return true
	}
	for _, r := range fc.flow.OnwardReviews {
		if r.OpenRejection() && (!fc.originals.known || fc.originals.Has(r.Org)) {
			return false
		}
	}
	return true
}

// originalsApproved: a flow naming sources has, for every original organisation, an approval of
// its current revision by a DPO of that organisation; with the originals unknown it has not.
func originalsApproved(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	if fc == nil {
		return false
	}
	if len(fc.flow.Sources) == 0 {
		return true
	}
	if !fc.originals.known {
		return false
	}
	for _, o := range fc.originals.orgs {
		if !fc.flow.OnwardApprovedBy(o) {
			return false
		}
	}
	return true
}

// ---- onward actions -------------------------------------------------------------------------

func recordOnwardRequest(ctx context.Context, _ ...any) error {
	fc := firingOf(ctx)
	if fc == nil || fc.onward == nil {
		return violation.New(ErrInvalidTransition, CodeInvalidTransition, "FLOW-13", "no onward approval request")
	}
	f := fc.flow
	f.OnwardReviews = slices.Clone(f.OnwardReviews)
	for _, d := range fc.onward.DPOs {
		r := DPOReview{DPO: d.DPO, Org: d.Org}
		i := f.onwardReviewOf(d.DPO, d.Org)
		if i >= 0 {
			r = f.OnwardReviews[i]
		}
		r.RequestedBy, r.RequestedAt, r.ReviewBy, r.Awaiting = fc.actor.User, fc.at, fc.onward.ReviewBy, true
		if i >= 0 {
			f.OnwardReviews[i] = r
		} else {
			f.OnwardReviews = append(f.OnwardReviews, r)
		}
	}
	// f.ReviewBy is FLOW-8's date and is left alone: an onward request's passing date never
	// allows finalising.
	touched(fc)
	e := fc.event(EventOnwardRequested)
	e.DPOs, e.ReviewBy, e.Note = slices.Clone(fc.onward.DPOs), fc.onward.ReviewBy, fc.onward.Comment
	fc.events = append(fc.events, e)
	return nil
}

func recordOnwardApproval(ctx context.Context, _ ...any) error {
	return recordOnwardDecision(ctx, DecisionApproved)
}

func recordOnwardRejection(ctx context.Context, _ ...any) error {
	return recordOnwardDecision(ctx, DecisionRejected)
}

func recordOnwardDecision(ctx context.Context, d Decision) error {
	fc := firingOf(ctx)
	if fc == nil {
		return violation.New(ErrInvalidTransition, CodeInvalidTransition, "FLOW-13", "no flow to decide")
	}
	f := fc.flow
	i := f.onwardReviewOf(fc.actor.User, fc.actor.Org)
	if i < 0 { // the guard has already made sure; this keeps a misconfiguration from panicking
		return violation.New(ErrForbidden, CodeNotReviewer, "FLOW-13", "the actor was not asked for onward approval")
	}
	fc.decide(&f.OnwardReviews, i, d, EventOnwardApproved, EventOnwardRejected)
	return nil
}

package agreement

import (
	"context"
	"slices"
	"time"

	"github.com/isgkit/gateway/isg/violation"
)

// Variations (SIGN-6): "a variation of a signed agreement takes effect only when amended and
// electronically signed by all organisations involved". Decided: a variation is a new Draft linked
// to the original (Flow.VariationOf); when it is Signed the original becomes Superseded, in the
// same unit of work. What the rulebook leaves open is decided here as an information-governance
// lead would:
//
//   - A finalised flow may be varied as well as a signed one: once finalised its terms can no
//     longer be edited (FLOW-3), so a variation is how an agreement awaiting signatures is amended.
//     Earlier states are simply edited; a terminated, archived or superseded flow is not varied.
//   - Only the creating organisation varies a flow: it owns the agreement's finalisation (FLOW-3)
//     and, for onward sharing, the sources and their originals' approval (FLOW-13), which the
//     variation inherits unchanged. A partner wanting a change asks it.
//   - The variation copies the terms — parties, sides, sources and all — for amendment, beneath the
//     same summary, and nothing else: no DPO or onward reviews, finalisation or signatures (it goes
//     through the whole review, finalise and sign-off path again), and no risk assessment (FLOW-10:
//     a party imports the original's with risk.import when it still fits). Its log starts with
//     every field, as a new flow's does. The original records nothing until it is superseded.
//   - A variation keeps every party of the original still open (ORG-7): all organisations involved
//     must sign it, and an organisation leaves an agreement by termination (LIFE-3), not by being
//     left out of a variation. It may add parties. This is checked on every edit (the
//     original_party_missing field error) and again when it is signed (CodeVariationDropsParty),
//     since a party may join the original after the variation was made (FLOW-12).
//   - Several variations of one original may be drafted at once (alternatives, say): refusing a
//     second would leave an abandoned draft blocking every later one, as drafts are never deleted.
//     The first signed supersedes the original; a later one can then no longer be signed
//     (CodeAlreadySuperseded) and is varied afresh from the variation that took effect. Two
//     variations signed at once both write the original, so the store's version check lets one
//     through and the other retries, finds it superseded and is refused.

// The variation triggers (SIGN-6).
const (
	// TriggerVary is an internal step of Finalised and Signed: it changes nothing on the original,
	// and is a trigger so that the machine decides who may vary what, and a UI is offered it.
	TriggerVary Trigger = "vary"
	// TriggerSupersede moves an original to Superseded when a variation of it is Signed.
	TriggerSupersede Trigger = "supersede"
)

// The variation events (SIGN-6).
const (
	// EventVariationCreated: a variation was made. FlowID is the variation, Related the original,
	// Parties the original's parties, who are told.
	EventVariationCreated EventType = "flow.variation_created"
	// EventSuperseded: the original was superseded. FlowID is the original, Related the signed
	// variation, Parties the original's parties, who are told.
	EventSuperseded EventType = "flow.superseded"
)

// Variation codes.
const (
	// CodeVariationNotSigned (ErrRule; SIGN-6): only a signed variation of a flow supersedes it.
	CodeVariationNotSigned = "flow.variation_not_signed"
	// CodeAlreadySuperseded (ErrRule; SIGN-6): another variation of the original took effect first.
	CodeAlreadySuperseded = "flow.already_superseded"
	// CodeVariationDropsParty (ErrRule; SIGN-6): the variation leaves out an open party of the
	// original, which must sign it too.
	CodeVariationDropsParty = "flow.variation_drops_party"
	// FieldCodeOriginalPartyMissing: a variation's parties leave out an open party of the original.
	FieldCodeOriginalPartyMissing = "original_party_missing" // SIGN-6
)

// Vary makes a variation of flow src (SIGN-6): a new Draft with ID id beneath src's summary s,
// created by actor at time at, with src's terms to amend and VariationOf set. src must be
// Finalised or Signed, and the actor's organisation its creator. src itself is not changed.
//
// Errors: ErrInvalidTransition (CodeInvalidTransition, SIGN-6) for a flow in another state;
// ErrForbidden (CodeNotCreator); ErrConflict (CodeWrongSummary); ErrInvalid with field errors
// (the terms no longer fit the summary, a zero ID or actor). Raises EventVariationCreated.
func (m *FlowMachine) Vary(src Flow, s Summary, id FlowID, actor Actor, at time.Time) (Flow, []Event, error) {
	if s.ID != src.SummaryID {
		return Flow{}, nil, violation.New(ErrConflict, CodeWrongSummary, "SIGN-6", "the summary given is not the flow's summary")
	}
	if _, _, err := m.fire(src, TriggerVary, command{actor: actor, at: at}); err != nil {
		return Flow{}, nil, err
	}
	t, extra := src.FlowTerms.normalised()
	extra = append(extra, t.check(s)...)
	extra = append(extra, checkIDs(id.IsZero() || id == src.ID, actor)...)
	if err := checkInput(t, "SIGN-6", extra); err != nil {
		return Flow{}, nil, err
	}
	at = at.UTC()
	v := Flow{
		ID: id, SummaryID: src.SummaryID, CreatedByOrg: actor.Org, CreatedBy: actor.User, CreatedAt: at, UpdatedAt: at,
		State: Draft, Rev: 1, VariationOf: src.ID, FlowTerms: t,
	}
	e := Event{Type: EventVariationCreated, FlowID: v.ID, SummaryID: v.SummaryID, Actor: actor, At: at,
		Related: src.ID, Parties: slices.Clone(src.Parties)}
	return v, []Event{e}, nil
}

// CheckVariationParties checks the parties t names for a variation of original (SIGN-6): every
// party of the original must stay, but those in gone (organisations closed since, ORG-7, which
// can sign nothing).
//
// Errors: ErrInvalid with the field error original_party_missing on "parties".
func CheckVariationParties(original Flow, gone []OrgID, t FlowTerms) error {
	if missing := missingParties(original, gone, t.Parties); len(missing) > 0 {
		return violation.Invalid(fieldErr("parties", FieldCodeOriginalPartyMissing, "SIGN-6",
			"a variation must name every party of the original still open; missing: "+joinOrgs(missing)))
	}
	return nil
}

func missingParties(original Flow, gone, parties []OrgID) []OrgID {
	var out []OrgID
	for _, p := range original.Parties {
		if !slices.Contains(gone, p) && !slices.Contains(parties, p) {
			out = append(out, p)
		}
	}
	return out
}

func joinOrgs(orgs []OrgID) string {
	s := ""
	for i, o := range orgs {
		if i > 0 {
			s += ", "
		}
		s += o.String()
	}
	return s
}

// Supersede moves f to Superseded because its variation was Signed (SIGN-6), recording which and
// when. actor is the signer whose signature completed the variation; gone are the original's
// parties closed since (ORG-7), the only ones the variation may leave out.
//
// Errors: ErrRule (CodeVariationNotSigned when variation is not a Signed variation of f,
// CodeVariationDropsParty, CodeAlreadySuperseded); ErrInvalidTransition (SIGN-6) for a flow that
// is neither Finalised nor Signed. Raises EventSuperseded.
func (m *FlowMachine) Supersede(f Flow, actor Actor, at time.Time, variation Flow, gone []OrgID) (Flow, []Event, error) {
	return m.fire(f, TriggerSupersede, command{actor: actor, at: at, variation: &variation, gone: gone})
}

// variationRefusals are the typed refusals of the variation guards.
func variationRefusals() []guardRefusal {
	return []guardRefusal{
		{creatorOrgVaries, refusal{ErrForbidden, CodeNotCreator, "SIGN-6", "only the creating organisation varies a flow"}},
		{isSignedVariation, refusal{ErrRule, CodeVariationNotSigned, "SIGN-6", "only a signed variation of this flow supersedes it"}},
		{variationKeepsParties, refusal{ErrRule, CodeVariationDropsParty, "SIGN-6", "the variation leaves out an open party of the original, which must sign it too"}},
	}
}

// configureVariations adds vary and supersede to the states in force.
func configureVariations(c *flowConfig) {
	for _, s := range []FlowState{Finalised, Signed} {
		c.Configure(s).
			InternalTransition(TriggerVary, startVariation, creatorOrgVaries).
			Permit(TriggerSupersede, Superseded, isSignedVariation, variationKeepsParties)
	}
	c.Configure(Superseded).OnEntryFrom(TriggerSupersede, recordSupersession)
}

// variationRefusal names SIGN-6 where a state has no vary or supersede step; nil for other
// triggers.
func variationRefusal(st FlowState, tr Trigger) error {
	switch {
	case tr == TriggerSupersede && st == Superseded:
		return violation.New(ErrRule, CodeAlreadySuperseded, "SIGN-6", "the flow was already superseded by another variation")
	case tr == TriggerSupersede:
		return violation.New(ErrInvalidTransition, CodeInvalidTransition, "SIGN-6", "only a finalised or signed flow is superseded; this one is "+string(st))
	case tr == TriggerVary:
		return violation.New(ErrInvalidTransition, CodeInvalidTransition, "SIGN-6",
			"only a finalised or signed flow is varied (a draft is edited); this one is "+string(st))
	}
	return nil
}

func creatorOrgVaries(ctx context.Context, _ ...any) bool { return creatorOrg(ctx) }

func isSignedVariation(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && fc.variation != nil && fc.variation.State == Signed &&
		fc.variation.VariationOf == fc.flow.ID && fc.variation.ID != fc.flow.ID && !fc.variation.ID.IsZero()
}

func variationKeepsParties(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && fc.variation != nil && len(missingParties(*fc.flow, fc.gone, fc.variation.Parties)) == 0
}

// startVariation changes nothing: the variation is a new flow, made by Vary once the machine has
// allowed the step.
func startVariation(context.Context, ...any) error { return nil }

func recordSupersession(ctx context.Context, _ ...any) error {
	fc := firingOf(ctx)
	if fc == nil || fc.variation == nil {
		return violation.New(ErrInvalidTransition, CodeInvalidTransition, "SIGN-6", "no variation")
	}
	fc.flow.SupersededBy, fc.flow.SupersededAt = fc.variation.ID, fc.at
	lapseNotices(fc.flow, fc.at) // the variation, signed by all, is the agreement now (LIFE-3)
	touched(fc)
	e := fc.event(EventSuperseded)
	e.Related, e.Parties = fc.variation.ID, slices.Clone(fc.flow.Parties)
	fc.events = append(fc.events, e)
	return nil
}

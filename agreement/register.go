package agreement

import (
	"slices"
	"time"

	"github.com/isgkit/gateway/isg/violation"
)

// The public register (EXIT-3, 004 "provide transparency for citizens"): a finalised or signed
// flow is published when every party has agreed, and anyone reads the register without an
// account. This file holds the rules; the Gateway keeps the entries.
//
// Decisions taken here where the rulebook leaves the point open, as an information governance
// lead would take them:
//
//   - Agreement is a party's, given by a user of it (the Gateway's PublishFlow row: its
//     Administrators and Senior Officers) and recorded on the flow as a PublicationConsent, with
//     who, when and the list of parties it was given for. A consent is only asked of a flow in
//     force (Finalised or Signed): agreeing to publish terms still being drafted would agree to
//     something that may change.
//   - A consent holds for the parties it was given for. When the party list changes — a party
//     added (FLOW-12), one leaving by notice (LIFE-3), a merge moving a party (ORG-6) — every
//     earlier consent lapses and the flow leaves the register until every party of the new list
//     has agreed again: an organisation agreed to publish a sharing between named organisations,
//     not whatever the list later becomes. The lapsed consents stay on the flow's record.
//   - A party may withdraw its consent at any time; the flow then leaves the register. A repeat
//     consent, or a withdrawal with none to withdraw, is refused (register.already_agreed,
//     register.not_agreed) rather than ignored, so a host's UI shows what is true.
//   - The flow is published while it is in force and every current party holds a consent for the
//     current parties (Flow.Published): Terminated, Archived and Superseded flows are never
//     published, so a flow leaves the register by whichever path it leaves Finalised or Signed.
//     A variation is a new flow: it is published in its original's place once its own parties
//     agree.
//   - An entry (RegisterEntry) holds what is shared, between which organisations, for what
//     purpose, on which legal basis and until when — and nothing about any user: no user ID, no
//     name, no e-mail address, no free text but the flow's name, the summary's data asset and
//     purpose, and the legal bases' instruments. The controls, transfer details, privacy answers,
//     contacts, comments and inventory entries stay out: they are free text a user may have
//     written a colleague's name into, or an organisation's internal record.

// Register codes.
const (
	// CodeRegisterNotInForce (ErrInvalidTransition; EXIT-3): only a Finalised or Signed flow can
	// be agreed for publication.
	CodeRegisterNotInForce = "register.not_in_force"
	// CodeRegisterAlreadyAgreed (ErrConflict; EXIT-3): the organisation has already agreed to
	// publish the flow with its current parties.
	CodeRegisterAlreadyAgreed = "register.already_agreed"
	// CodeRegisterNotAgreed (ErrConflict; EXIT-3): the organisation holds no consent to withdraw.
	CodeRegisterNotAgreed = "register.not_agreed"
)

// Register events.
const (
	// EventPublicationAgreed: a party agreed to publish the flow on the public register (EXIT-3);
	// Org is that party, Parties the other parties, whose agreement is needed too.
	EventPublicationAgreed EventType = "flow.publication_agreed"
	// EventPublished: the last party's agreement published the flow on the public register
	// (EXIT-3); Parties are every party.
	EventPublished EventType = "flow.published"
	// EventPublicationWithdrawn: a party withdrew its agreement (EXIT-3), and the flow left the
	// register if it was on it; Org is that party, Parties the other parties.
	EventPublicationWithdrawn EventType = "flow.publication_withdrawn"
)

// PublicationConsent is one party's agreement to publish a flow on the public register (EXIT-3).
type PublicationConsent struct {
	Org OrgID     `json:"org"`
	By  UserID    `json:"by"`
	At  time.Time `json:"at"`
	// Parties are the flow's parties when the consent was given: it holds for them only.
	Parties []OrgID `json:"parties"`
}

// holdsFor reports whether the consent was given for exactly the parties given, in any order.
func (c PublicationConsent) holdsFor(parties []OrgID) bool {
	if len(c.Parties) != len(parties) {
		return false
	}
	for _, p := range parties {
		if !slices.Contains(c.Parties, p) {
			return false
		}
	}
	return true
}

func clonePublication(cs []PublicationConsent) []PublicationConsent {
	out := cloneSlice(cs)
	for i := range out {
		out[i].Parties = cloneSlice(cs[i].Parties)
	}
	return out
}

// consentOf is the index of org's consent on the flow, or -1.
func (f Flow) consentOf(org OrgID) int {
	return slices.IndexFunc(f.Publication, func(c PublicationConsent) bool { return c.Org == org })
}

// HasAgreedToPublish reports whether org holds a consent to publish the flow that holds for its
// current parties (EXIT-3).
func (f Flow) HasAgreedToPublish(org OrgID) bool {
	i := f.consentOf(org)
	return i >= 0 && f.Publication[i].holdsFor(f.Parties)
}

// PublicationPending lists the current parties whose agreement to publish is still needed, in
// party order (EXIT-3).
func (f Flow) PublicationPending() []OrgID {
	var out []OrgID
	for _, p := range f.Parties {
		if !f.HasAgreedToPublish(p) {
			out = append(out, p)
		}
	}
	return out
}

// Published reports whether the flow is on the public register (EXIT-3): it is in force
// (Finalised or Signed) and every current party has agreed to publish it with those parties.
func (f Flow) Published() bool {
	return f.State.InForce() && len(f.Parties) > 0 && len(f.PublicationPending()) == 0
}

// PublishedAt is when the flow was published: the latest of its parties' consents, the one that
// completed the agreement. It is zero for a flow not published.
func (f Flow) PublishedAt() time.Time {
	if !f.Published() {
		return time.Time{}
	}
	var at time.Time
	for _, p := range f.Parties {
		if c := f.Publication[f.consentOf(p)]; c.At.After(at) {
			at = c.At
		}
	}
	return at
}

// ConsentToPublish records the actor's organisation's agreement to publish flow f on the public
// register at time at (EXIT-3). The agreement of the last party publishes it (EventPublished).
// A consent given for an earlier party list is replaced.
//
// Errors: ErrForbidden (CodeNotParty) when the actor's organisation is not a party;
// ErrInvalidTransition (CodeRegisterNotInForce) for a flow neither Finalised nor Signed;
// ErrConflict (CodeRegisterAlreadyAgreed); ErrInvalid for a zero actor. Raises
// EventPublicationAgreed, and EventPublished when the flow becomes published.
func ConsentToPublish(f Flow, actor Actor, at time.Time) (Flow, []Event, error) {
	if err := checkPublisher(f, actor); err != nil {
		return f, nil, err
	}
	if !f.State.InForce() {
		return f, nil, violation.New(ErrInvalidTransition, CodeRegisterNotInForce, "EXIT-3",
			"only a finalised or signed flow can be published; this one is "+string(f.State))
	}
	if f.HasAgreedToPublish(actor.Org) {
		return f, nil, violation.New(ErrConflict, CodeRegisterAlreadyAgreed, "EXIT-3",
			"the organisation has already agreed to publish this flow")
	}
	at = at.UTC()
	out := f
	out.Publication = slices.DeleteFunc(clonePublication(f.Publication), func(c PublicationConsent) bool { return c.Org == actor.Org })
	out.Publication = append(out.Publication, PublicationConsent{Org: actor.Org, By: actor.User, At: at, Parties: slices.Clone(f.Parties)})
	out.UpdatedAt, out.UpdatedBy = at, actor.User
	events := []Event{{Type: EventPublicationAgreed, FlowID: f.ID, SummaryID: f.SummaryID, Actor: actor, At: at,
		Org: actor.Org, Parties: f.others(actor.Org)}}
	if out.Published() {
		events = append(events, Event{Type: EventPublished, FlowID: f.ID, SummaryID: f.SummaryID, Actor: actor, At: at,
			Org: actor.Org, Parties: slices.Clone(f.Parties)})
	}
	return out, events, nil
}

// WithdrawPublication withdraws the actor's organisation's agreement to publish flow f (EXIT-3),
// in any state: the flow leaves the public register if it was on it, until the organisation
// agrees again. A lapsed consent (given for an earlier party list) may be withdrawn too.
//
// Errors: ErrForbidden (CodeNotParty) when the actor's organisation is not a party; ErrConflict
// (CodeRegisterNotAgreed) when it holds no consent; ErrInvalid for a zero actor. Raises
// EventPublicationWithdrawn.
func WithdrawPublication(f Flow, actor Actor, at time.Time) (Flow, []Event, error) {
	if err := checkPublisher(f, actor); err != nil {
		return f, nil, err
	}
	if f.consentOf(actor.Org) < 0 {
		return f, nil, violation.New(ErrConflict, CodeRegisterNotAgreed, "EXIT-3",
			"the organisation has not agreed to publish this flow")
	}
	at = at.UTC()
	out := f
	out.Publication = slices.DeleteFunc(clonePublication(f.Publication), func(c PublicationConsent) bool { return c.Org == actor.Org })
	if len(out.Publication) == 0 {
		out.Publication = nil
	}
	out.UpdatedAt, out.UpdatedBy = at, actor.User
	e := Event{Type: EventPublicationWithdrawn, FlowID: f.ID, SummaryID: f.SummaryID, Actor: actor, At: at,
		Org: actor.Org, Parties: f.others(actor.Org)}
	if f.Published() {
		e.Note = "the flow has left the public register"
	}
	return out, []Event{e}, nil
}

func checkPublisher(f Flow, actor Actor) error {
	if actor.User.IsZero() || actor.Org.IsZero() {
		return violation.Invalid(fieldErr("actor", "required", "EXIT-3", "needs a user and an organisation"))
	}
	if !f.Names(actor.Org) {
		return violation.New(ErrForbidden, CodeNotParty, "EXIT-3",
			"only an organisation named in the flow agrees to publish it")
	}
	return nil
}

// RegisterEntry is what the public register shows of one published flow (EXIT-3): what is
// shared, between which organisations, for what purpose, on which legal basis and until when.
// It holds no user's data — no user ID, name or e-mail address — and no free text beyond the
// fields named here; a test scans every field of it for the users of its fixture.
type RegisterEntry struct {
	Flow FlowID `json:"flow"`
	// VariationOf is the flow this one varies and replaces on the register (SIGN-6), if any.
	VariationOf FlowID `json:"variation_of,omitzero"`
	// Title is the flow's name; Agreement the title of its data sharing summary.
	Title     string `json:"title"`
	Agreement string `json:"agreement"`
	// DataAsset is the data set shared, as its summary names it, and Categories the categories
	// of information (SUM-1).
	DataAsset           string         `json:"data_asset"`
	Categories          []InfoCategory `json:"categories"`
	PersonalData        bool           `json:"personal_data"`
	SpecialCategoryData bool           `json:"special_category_data"`
	LawEnforcementData  bool           `json:"law_enforcement_data"`
	// Purpose is the summary's purpose of the sharing.
	Purpose string `json:"purpose"`
	// LegalBases are the flow's legal bases with their instruments (FLOW-1).
	LegalBases []RegisterBasis `json:"legal_bases"`
	Direction  Direction       `json:"direction"`
	Frequency  Frequency       `json:"frequency"`
	// Parties are the organisations sharing, by ID and name, and which way each shares.
	Parties []RegisterParty `json:"parties"`
	State   FlowState       `json:"state"`
	// InForceFrom is when the flow was finalised; ReviewDue when its summary's review falls due
	// (LIFE-1): the sharing stands until then, unless it ends first and leaves the register.
	InForceFrom time.Time `json:"in_force_from"`
	ReviewDue   time.Time `json:"review_due"`
	// PublishedAt is when the last party's agreement published it.
	PublishedAt time.Time `json:"published_at"`
}

// RegisterBasis is one legal basis as the register shows it: its code, its citation in words
// and the law or instrument that supplies it.
type RegisterBasis struct {
	Basis      LegalBasisCode `json:"basis"`
	Citation   string         `json:"citation"`
	Instrument string         `json:"instrument"`
}

// RegisterParty is one organisation of a published flow: its ID and name, and whether it sends,
// receives, or both.
type RegisterParty struct {
	Org      OrgID  `json:"org"`
	Name     string `json:"name"`
	Sends    bool   `json:"sends"`
	Receives bool   `json:"receives"`
}

// NewRegisterEntry builds the register entry of flow f beneath summary s (EXIT-3), naming each
// party by names[party]. It reports false, with no entry, for a flow not published or a summary
// that is not the flow's.
func NewRegisterEntry(f Flow, s Summary, names map[OrgID]string) (RegisterEntry, bool) {
	if !f.Published() || s.ID != f.SummaryID {
		return RegisterEntry{}, false
	}
	e := RegisterEntry{
		Flow: f.ID, VariationOf: f.VariationOf, Title: f.Name, Agreement: s.Title,
		DataAsset: s.DataAsset, Categories: slices.Clone(s.InformationShared),
		PersonalData: f.PersonalData, SpecialCategoryData: f.SpecialCategoryData, LawEnforcementData: f.LawEnforcementData,
		Purpose: s.Purpose, LegalBases: make([]RegisterBasis, len(f.LegalBases)),
		Direction: f.Direction, Frequency: f.Frequency, Parties: make([]RegisterParty, len(f.Parties)),
		State: f.State, InForceFrom: f.FinalisedAt, ReviewDue: s.ReviewDueAt(), PublishedAt: f.PublishedAt(),
	}
	if e.Categories == nil {
		e.Categories = []InfoCategory{}
	}
	for i, lb := range f.LegalBases {
		e.LegalBases[i] = RegisterBasis{Basis: lb.Basis, Citation: lb.Basis.Citation(), Instrument: lb.Instrument}
	}
	two := f.Direction == TwoWay
	for i, p := range f.Parties {
		from, to := slices.Contains(f.From, p), slices.Contains(f.To, p)
		e.Parties[i] = RegisterParty{Org: p, Name: names[p], Sends: from || (two && to), Receives: to || (two && from)}
	}
	return e, true
}

package directory

import (
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Organisations not yet registered (ORG-11).
//
// A summary (and later a DPIA) may name an organisation from the ICO register, by its ICO
// registration number and name, before that organisation is on the platform. It is then a
// placeholder: an organisation ID with no organisation record, no users and no roles, recorded in
// a Placeholder keyed by the ICO number. When an organisation with that ICO number registers (or
// an organisation takes that number), it joins: the Gateway moves every agreement naming the
// placeholder to it, in the same unit of work, and the placeholder is marked joined and kept for
// the audit trail.
//
// Decisions, as an information-governance lead would take them:
//
//   - One placeholder per ICO number. Its ID is derived from the number (PlaceholderID), not drawn
//     from the ID source: two organisations naming the same number get the same placeholder
//     however their commands interleave, and the ID says nothing but the number, which is public.
//     A time-ordered ID would have told the second namer when (and so that) somebody else had
//     named the organisation first, which is not public: it reveals another organisation's
//     planned sharing.
//   - Naming a number that a registered, active organisation holds names that organisation; one
//     held only by closed or merged organisations is refused as ORG-7 refuses naming them; one
//     held by several active organisations (schools under one trust's registration, say) is
//     refused as ambiguous, to be named by the organisation itself. None of this tells the namer
//     more than is public already: the ICO register is public, and any signed-in user finds
//     registered organisations by ICO number (org.search) and reads their details (org.get).
//   - Joining is automatic, as the rule says, but not silent: the joining organisation's
//     Administrators are told which agreements it joined, and each agreement's creating
//     organisation is told which registered organisation joined in place of the name it gave,
//     so a body that claimed a number not its own is noticed by the people who can remove it.

// PlaceholderState is where a placeholder is.
type PlaceholderState string

// Placeholder states. Their text is stable: it is stored.
const (
	// PlaceholderPending: no organisation holding the number has registered yet.
	PlaceholderPending PlaceholderState = "pending"
	// PlaceholderJoined: an organisation holding the number registered and took the
	// placeholder's place in every agreement naming it.
	PlaceholderJoined PlaceholderState = "joined"
)

// Placeholder is the record of an organisation not yet registered that an agreement names by
// its ICO registration number (ORG-11). Its ID is PlaceholderID(ICONumber): the organisation ID
// agreements name it by. The record is for the Gateway and the audit trail; an agreement keeps
// its own copy of the number and of the name its editor gave.
type Placeholder struct {
	ID        OrgID  `json:"id"`
	ICONumber string `json:"ico_number"`
	// Name is the name it was first named by.
	Name  string           `json:"name"`
	State PlaceholderState `json:"state"`
	// NamedBy and NamedByOrg first named it, at NamedAt.
	NamedBy    UserID    `json:"named_by"`
	NamedByOrg OrgID     `json:"named_by_org"`
	NamedAt    time.Time `json:"named_at"`
	// Joined is set once an organisation holding the number joined in its place.
	Joined *PlaceholderJoin `json:"joined,omitempty"`
	// Earlier are the joins before this one, for a placeholder named again after the organisation
	// that joined stopped holding the number (it corrected its ICO number): history is kept.
	Earlier []PlaceholderJoin `json:"earlier,omitempty"`
	// Version is the stored version, filled in by the Gateway.
	Version int64 `json:"version"`
}

// PlaceholderJoin records an organisation joining in a placeholder's place (ORG-11).
type PlaceholderJoin struct {
	Org OrgID     `json:"org"`
	By  UserID    `json:"by"`
	At  time.Time `json:"at"`
}

// placeholderSpace is the UUID namespace of placeholder IDs (RFC 9562 name-based, SHA-1): the
// ID of the placeholder for ICO number N is the version 5 UUID of "ico:" + N in this namespace.
// It is part of the stored format and never changes.
const placeholderSpace = "5d3f3c8e-7a7b-4f0e-9c55-6b1e0c1a4f11"

// NormICONumber is an ICO number in the form it is stored and compared in: upper case, as
// organisation registration keeps it.
func NormICONumber(ico string) string { return strings.ToUpper(ico) }

// PlaceholderID is the organisation ID of the placeholder for an ICO number (ORG-11): the same
// for every agreement naming the number, derived from the number alone (see placeholderSpace).
// It never equals the ID of a registered organisation, which the Gateway's ID source makes
// (time-ordered, version 7, by default).
func PlaceholderID(ico string) OrgID {
	return OrgID{UUID: uuid.NewSHA1(uuid.MustParse(placeholderSpace), []byte("ico:"+NormICONumber(ico)))}
}

// Field error codes of naming an organisation by ICO number (ORG-11).
const (
	// FieldCodeICOAmbiguous (ORG-11): several registered organisations hold the ICO number; name
	// the organisation itself.
	FieldCodeICOAmbiguous = "ico_number_ambiguous"
	// FieldCodeICOClosed (ORG-7): the only organisations holding the number are closed or merged.
	FieldCodeICOClosed = "organisation_closed"
)

// ICONaming is what naming an organisation by ICO number comes to (ORG-11).
type ICONaming struct {
	// Org is the organisation to name: a registered one, or the placeholder's ID.
	Org OrgID
	// Registered is set when Org is a registered organisation holding the number.
	Registered bool
	// Placeholder is the placeholder record when Registered is not set, as it is to be saved when
	// Save is set (new, or named again after its earlier join).
	Placeholder Placeholder
	Save        bool
}

// NameByICONumber decides what naming ico, by the name given, means (ORG-11). holders are the
// organisations holding the number (any status); existing is the placeholder record for it, nil
// for none; by and byOrg name it at now.
//
//   - One active holder: name it (Registered).
//   - Several active holders: refused, FieldCodeICOAmbiguous on ico_number.
//   - Holders, none active: refused, FieldCodeICOClosed on ico_number (ORG-7).
//   - No holder: the placeholder — the existing pending one as it is; one that had joined an
//     organisation that no longer holds the number, pending again with the join kept in Earlier;
//     otherwise a new one (Save).
//
// Errors: ErrInvalid with a field error on ico_number, as above.
func NameByICONumber(ico, name string, holders []Organisation, existing *Placeholder, by UserID, byOrg OrgID, now time.Time) (ICONaming, error) {
	ico = NormICONumber(ico)
	var active []Organisation
	for _, o := range holders {
		if o.Status == OrgActive {
			active = append(active, o)
		}
	}
	switch {
	case len(active) == 1:
		return ICONaming{Org: active[0].ID, Registered: true}, nil
	case len(active) > 1:
		return ICONaming{}, &Error{Kind: ErrInvalid, Code: "invalid_input", Rule: "ORG-11", Message: "input is not valid",
			Fields: []FieldError{{Field: "ico_number", Code: FieldCodeICOAmbiguous, Rule: "ORG-11",
				Message: "is held by more than one registered organisation: name the organisation itself (org.search finds them by ICO number)"}}}
	case len(holders) > 0:
		return ICONaming{}, &Error{Kind: ErrInvalid, Code: "invalid_input", Rule: "ORG-7", Message: "input is not valid",
			Fields: []FieldError{{Field: "ico_number", Code: FieldCodeICOClosed, Rule: "ORG-7",
				Message: "is held by a closed or merged organisation, which cannot be added"}}}
	}
	if existing != nil && existing.State == PlaceholderPending {
		return ICONaming{Org: existing.ID, Placeholder: *existing}, nil
	}
	p := Placeholder{ID: PlaceholderID(ico), ICONumber: ico, Name: name, State: PlaceholderPending,
		NamedBy: by, NamedByOrg: byOrg, NamedAt: now}
	if existing != nil {
		p.Version = existing.Version
		p.Earlier = append([]PlaceholderJoin(nil), existing.Earlier...)
		if existing.Joined != nil {
			p.Earlier = append(p.Earlier, *existing.Joined)
		}
	}
	return ICONaming{Org: p.ID, Placeholder: p, Save: true}, nil
}

// Join marks the placeholder joined by org, which holds its ICO number and is open, by user by
// at now (ORG-11). It reports false, leaving p as it is, for a placeholder no longer pending or
// an organisation that does not hold the number or is not open: nothing joins then.
func (p Placeholder) Join(org Organisation, by UserID, now time.Time) (Placeholder, bool) {
	if p.State != PlaceholderPending || org.Status != OrgActive || NormICONumber(org.ICONumber) != p.ICONumber {
		return p, false
	}
	p.State = PlaceholderJoined
	p.Joined = &PlaceholderJoin{Org: org.ID, By: by, At: now}
	p.Earlier = append([]PlaceholderJoin(nil), p.Earlier...)
	return p, true
}

// EventUnregisteredJoined: an organisation joined, in a placeholder's place, an agreement that
// named it before it registered (ORG-11).
const EventUnregisteredJoined = "summary.unregistered_joined"

// JoinedSummary is one summary an organisation joined in a placeholder's place: its ID, its
// creating organisation, the name the summary had given the placeholder, and how many of its
// flows named the placeholder.
type JoinedSummary struct {
	ID      string
	Creator OrgID
	NamedAs string
	Flows   int
}

// UnregisteredJoined are the notifications of org joining summary s in placeholder p's place
// (ORG-11): org's Administrators learn which agreement they are now a party to (they are the
// ones to give it a DPO, signers and editors), and the Administrators, Senior Officers and
// IG/Project Officers of the summary's creating organisation learn which registered organisation
// took the name they gave, so that one claiming a number not its own is noticed.
func UnregisteredJoined(p Placeholder, org Organisation, s JoinedSummary) []Event {
	out := []Event{{Type: EventUnregisteredJoined, Org: org.ID,
		Data: map[string]string{"summary": s.ID, "ico_number": p.ICONumber, "flows": strconv.Itoa(s.Flows)},
		To:   Audience{Roles: Of(Administrator), RolesAt: []OrgID{org.ID}}}}
	if !s.Creator.IsZero() && s.Creator != org.ID {
		out = append(out, Event{Type: EventUnregisteredJoined, Org: s.Creator,
			Data: map[string]string{"summary": s.ID, "ico_number": p.ICONumber, "named_as": s.NamedAs,
				"org": org.ID.String(), "org_name": org.Name},
			To: Audience{Roles: Of(Administrator, SeniorOfficer, IGOfficer), RolesAt: []OrgID{s.Creator}}})
	}
	return out
}

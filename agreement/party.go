package agreement

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	"github.com/isgkit/gateway/isg/violation"
)

// Side is the side of a flow a party joins: among the senders (From) or the receivers (To).
type Side string

// The sides.
const (
	SideFrom Side = "from"
	SideTo   Side = "to"
)

// EventPartyAdded: an organisation was added to a finalised flow (FLOW-12). Parties holds it; the
// Gateway asks it to sign off.
const EventPartyAdded EventType = "flow.party_added"

// CodeNotFinalised (ErrInvalidTransition; FLOW-12): a party is added this way only to a finalised
// (or partly signed) flow; before that the flow's terms are simply edited.
const CodeNotFinalised = "flow.not_finalised"

// AddParty adds org to a finalised flow on the given side (FLOW-12): an organisation may join a
// flow that is finalised and partly signed, and sign-off is then requested from it. The flow's
// state and content revision are unchanged, so existing signatures stay valid: they are bound
// to TermsHash, which covers the terms and not the list of parties. Only the creating
// organisation adds parties; the new party must be named in the summary (FLOW-11).
//
// A Signed flow is not extended this way: changing the parties of an agreement in force is a
// variation, signed by all again (SIGN-6).
//
// Errors: ErrInvalidTransition (CodeNotFinalised) unless the flow is Finalised;
// ErrForbidden (CodeNotCreator); ErrInvalid with field errors (FLOW-11, duplicate party, side).
func AddParty(f Flow, s Summary, actor Actor, at time.Time, org OrgID, side Side) (Flow, []Event, error) {
	if f.State != Finalised {
		return f, nil, violation.New(ErrInvalidTransition, CodeNotFinalised, "FLOW-12",
			"parties are added this way only to a finalised flow; edit a draft's terms instead")
	}
	if actor.Org != f.CreatedByOrg {
		return f, nil, violation.New(ErrForbidden, CodeNotCreator, "FLOW-12", "only the creating organisation adds a party to a finalised flow")
	}
	if s.ID != f.SummaryID {
		return f, nil, violation.New(ErrConflict, CodeWrongSummary, "", "the summary is not the flow's")
	}
	var extra []FieldError
	switch {
	case org.IsZero():
		extra = append(extra, fieldErr("org", "required", "FLOW-12", "is required"))
	case !s.Names(org):
		extra = append(extra, fieldErr("org", FieldCodeNotOnSummary, "FLOW-11", "must first be named in the flow's summary"))
	case f.Names(org):
		extra = append(extra, fieldErr("org", FieldCodeDuplicate, "FLOW-12", "is already a party to the flow"))
	}
	if side != SideFrom && side != SideTo {
		extra = append(extra, fieldErr("side", "oneof", "FLOW-12", "must be one of: from to"))
	}
	if len(extra) > 0 {
		return f, nil, violation.Invalid(extra...)
	}
	out := f
	out.Parties = append(slices.Clone(f.Parties), org)
	if side == SideFrom {
		out.From = append(slices.Clone(f.From), org)
	} else {
		out.To = append(slices.Clone(f.To), org)
	}
	out.UpdatedAt, out.UpdatedBy = at.UTC(), actor.User
	return out, []Event{{Type: EventPartyAdded, FlowID: f.ID, SummaryID: f.SummaryID, Actor: actor, At: at.UTC(), Parties: []OrgID{org}}}, nil
}

// ContentHash is the flow's first content hash, from before signatures were specified
// (FLOW-12): the lowercase hex SHA-256 of the JSON encoding (encoding/json, fields in FlowTerms order, HTML escaping on) of the
// flow's FlowTerms with Parties, From and To left empty, prefixed by the flow ID and summary ID
// as "<flow id>\n<summary id>\n". Adding a party therefore leaves it unchanged; any change to the
// terms changes it.
//
// Deprecated: use TermsHash, the documented RFC 8785 canonical form that signatures are bound to
// (SIGN-4). ContentHash is kept, unchanged, for hosts that stored its values.
func ContentHash(f Flow) string {
	t := f.FlowTerms
	t.Parties, t.From, t.To = nil, nil, nil
	b, _ := json.Marshal(t) // FlowTerms holds only strings, bools, slices and maps of them: it always encodes
	h := sha256.New()
	h.Write([]byte(f.ID.String() + "\n" + f.SummaryID.String() + "\n"))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

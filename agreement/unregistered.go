package agreement

import (
	"reflect"
	"slices"
	"time"

	"github.com/isgkit/gateway/isg/violation"
)

// Parties not yet registered (ORG-11).
//
// A summary may name an organisation that is not on the platform yet, from the ICO register, by
// its ICO registration number and name. The Gateway gives such an organisation a placeholder ID of
// the ordinary organisation ID type, so that a summary's Organisations and a flow's Parties name
// it like any other organisation and FLOW-11 (a flow's parties come from its summary) needs no
// exception. The summary records which of its organisations are placeholders, in Unregistered:
// that is what a summary or flow view shows as "not registered", and what the rules below read.
//
// Until it joins, a placeholder has no users: it cannot review (CheckReviewRequest), sign or be
// notified, and a flow naming it cannot be Signed (Flow.PendingParties). When an organisation
// with the ICO number registers, the Gateway moves every summary and flow naming the placeholder
// to it (JoinedParties drops the summary's record of it) and the rules stop applying.

// FieldCodeUnregistered (ORG-11): the organisation named is a placeholder for an organisation not
// yet registered, which cannot take the part asked of it (review, sign) until it joins.
const FieldCodeUnregistered = "unregistered"

// UnregisteredParty is an organisation a summary names that is not registered yet (ORG-11): its
// placeholder ID, as it appears in the summary's Organisations and its flows' Parties, and the ICO
// registration number and name the summary named it by. The name is the one this summary's
// editor gave (another summary naming the same number keeps its own), so that what one summary
// shows never depends on what another organisation wrote.
type UnregisteredParty struct {
	Org OrgID `json:"org" validate:"required"`
	// ICONumber is the ICO data protection register number, upper case (REG-7's shape).
	ICONumber string `json:"ico_number" validate:"required,ico_number"`
	// Name is the organisation's name as given from the ICO register.
	Name string `json:"name" validate:"required,max=200"`
}

// IsUnregistered reports whether s names org as an organisation not yet registered (ORG-11).
func (s Summary) IsUnregistered(org OrgID) bool {
	return slices.ContainsFunc(s.Unregistered, func(p UnregisteredParty) bool { return p.Org == org })
}

// UnregisteredOf returns the entries of s.Unregistered for the organisations in orgs, in s's
// order: what a flow view shows as its parties not yet registered. The result shares nothing
// with s.
func (s Summary) UnregisteredOf(orgs []OrgID) []UnregisteredParty {
	var out []UnregisteredParty
	for _, p := range s.Unregistered {
		if slices.Contains(orgs, p.Org) {
			out = append(out, p)
		}
	}
	return out
}

// NameOrganisation adds a registered organisation to the summary's organisations (SUM-1), as
// Update would with that one more: naming an ICO number that a registered organisation holds
// names that organisation (ORG-11). An organisation already named leaves the summary as it is.
// The Gateway has checked the organisation exists and is open (ORG-7).
//
// Errors: ErrForbidden (SUM-3) when actor's organisation may not see the summary; ErrInvalid with
// field errors (SUM-1) when the summary would name too many organisations.
func (s Summary) NameOrganisation(actor Actor, at time.Time, org OrgID) (Summary, error) {
	if !CanSeeSummary(actor.Org, s) {
		return s, violation.New(ErrForbidden, CodeSummaryNotVisible, "SUM-3",
			"only an organisation named in the summary or its creator may edit it")
	}
	if s.Names(org) {
		return s, nil
	}
	t := s.SummaryTerms
	t.Organisations = append(slices.Clone(t.Organisations), org)
	return s.Update(actor, at, t, nil)
}

// NameUnregistered adds an organisation not yet registered to the summary (ORG-11): p.Org, its
// placeholder ID, joins the summary's organisations, and p is recorded in Unregistered, so flows
// beneath may name it (FLOW-11) while it is shown as not registered. Naming a placeholder the
// summary names already leaves the summary as it is (the name first given stays). The ICO number
// is checked for the shape organisation registration accepts (REG-7) and kept in upper case. It
// is the Gateway's to decide that the number is held by no registered organisation, and to give
// the placeholder ID.
//
// Errors: ErrForbidden (SUM-3) when actor's organisation may not see the summary; ErrInvalid with
// field errors (ORG-11: ico_number, name; SUM-1: too many organisations).
func (s Summary) NameUnregistered(actor Actor, at time.Time, p UnregisteredParty) (Summary, error) {
	if !CanSeeSummary(actor.Org, s) {
		return s, violation.New(ErrForbidden, CodeSummaryNotVisible, "SUM-3",
			"only an organisation named in the summary or its creator may edit it")
	}
	p.ICONumber = upperASCII(p.ICONumber)
	if err := checkInput(p, "ORG-11", nil); err != nil {
		return s, err
	}
	if s.Names(p.Org) {
		return s, nil
	}
	n, err := s.NameOrganisation(actor, at, p.Org)
	if err != nil {
		return s, err
	}
	n.Unregistered = append(slices.Clone(s.Unregistered), p)
	return n, nil
}

// JoinedParties returns the summary's Unregistered without org (ORG-11): org has joined, or
// was merged away, and is a placeholder no longer. The Gateway calls it wherever it moves a
// summary from one organisation to another. The result shares nothing with s.
func (s Summary) JoinedParties(org OrgID) []UnregisteredParty {
	var out []UnregisteredParty
	for _, p := range s.Unregistered {
		if p.Org != org {
			out = append(out, p)
		}
	}
	return out
}

// keptUnregistered is the summary's record of unregistered parties after an edit to orgs: only
// those still named stay (ORG-11), so an organisation removed from the summary is not shown as a
// party not registered.
func (s Summary) keptUnregistered(orgs []OrgID) []UnregisteredParty {
	out := s.UnregisteredOf(orgs)
	if reflect.DeepEqual(out, s.Unregistered) {
		return s.Unregistered
	}
	return out
}

// CheckReviewRequest refuses a DPO review request that asks for a review on behalf of an
// organisation s records as not registered (ORG-11): a placeholder has no DPO, and cannot review
// until it joins. Each such request names dpos[i].org with FieldCodeUnregistered.
//
// Errors: ErrInvalid with field errors (ORG-11), or nil.
func (s Summary) CheckReviewRequest(r ReviewRequest) error {
	var f []FieldError
	for i, d := range r.DPOs {
		if s.IsUnregistered(d.Org) {
			f = append(f, fieldErr(indexed("dpos", i)+".org", FieldCodeUnregistered, "ORG-11",
				"is not registered yet: it has no DPO and cannot review until it joins"))
		}
	}
	if len(f) == 0 {
		return nil
	}
	return violation.Invalid(f...)
}

// PendingParties lists, in party order, the parties of f that its summary s records as not
// registered (ORG-11). A placeholder has no users, so it can never sign: while this list is not
// empty the flow cannot be Signed, however many of its other parties have signed. Sign-off uses
// it for the Finalised → Signed transition (every current party's signature, and no party
// pending) and to refuse a sign-off request to such a party. s must be f's summary; for any
// other summary the answer is empty.
func (f Flow) PendingParties(s Summary) []OrgID {
	if s.ID != f.SummaryID {
		return nil
	}
	var out []OrgID
	for _, p := range f.Parties {
		if s.IsUnregistered(p) {
			out = append(out, p)
		}
	}
	return out
}

// upperASCII upper-cases ASCII letters only, so a number with other characters is left for the
// validator to refuse rather than changed into an acceptable one.
func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

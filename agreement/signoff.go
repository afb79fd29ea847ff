package agreement

import (
	"context"
	"slices"
	"time"

	"github.com/isgkit/gateway/isg/violation"
)

// The sign-off triggers (SIGN-1…SIGN-3, SIGN-5).
const (
	TriggerRequestSignOff     Trigger = "request_signoff"
	TriggerSign               Trigger = "sign"
	TriggerAttachWetSignature Trigger = "attach_wet_signature"
)

// The sign-off events. The Gateway turns each into notifications (NOTE-1).
const (
	// EventSignOffRequested: users were asked to sign the flow off for their organisations
	// (SIGN-1). Signers lists them; Note carries the requester's comments and SignBy the date.
	EventSignOffRequested EventType = "flow.signoff_requested"
	// EventOrgSigned: an organisation signed (SIGN-2); Requester asked its signatory and is told.
	EventOrgSigned EventType = "flow.org_signed"
	// EventSignedLate: a signature came after a sign-by date that was not enforced (SIGN-3);
	// Requester is told.
	EventSignedLate EventType = "flow.signed_late"
	// EventFlowSigned: every current party has signed and the flow is Signed (SIGN-2). Parties
	// lists them.
	EventFlowSigned EventType = "flow.signed"
	// EventWetSignatureAttached: an organisation attached a wet-signed scan (SIGN-5).
	EventWetSignatureAttached EventType = "flow.wet_signature_attached"
)

// The sign-off refusals.
const (
	// CodeNotSignatory (ErrForbidden; SIGN-1): the actor was not asked to sign the flow off for
	// the organisation it acts for.
	CodeNotSignatory = "flow.not_signatory"
	// CodeAlreadySigned (ErrInvalidTransition; SIGN-2): the actor's organisation has already
	// signed; one signature per organisation is enough.
	CodeAlreadySigned = "flow.already_signed"
	// CodeSignByPassed (ErrRule; SIGN-3): the sign-by date of the actor's request has passed and
	// was enforced.
	CodeSignByPassed = "flow.sign_by_passed"
	// CodeSignatureMismatch (ErrInvalid; SIGN-4): the signature handed to Sign is not over this
	// flow, version, log head, signatory and time.
	CodeSignatureMismatch = "flow.signature_mismatch"
	// CodeAlreadyWetSigned (ErrInvalidTransition; SIGN-5): the organisation has already attached
	// its wet-signed scan.
	CodeAlreadyWetSigned = "flow.already_wet_signed"
)

// FieldCodeAlreadySigned: a sign-off request names a user of an organisation that has already
// signed (SIGN-2).
const FieldCodeAlreadySigned = "already_signed"

// Signer names a user asked to sign a flow off for one of its organisations (SIGN-1).
type Signer struct {
	User UserID `json:"user"`
	Org  OrgID  `json:"org"`
}

// SignOffInput asks users to sign a finalised flow off (SIGN-1, SIGN-3).
type SignOffInput struct {
	// Signers are users with a sign-off role (ROLE-2) at organisations named in the flow; the
	// Gateway checks their roles.
	Signers []Signer `json:"signers"`
	// Comments are the requester's additional comments, sent with the notification.
	Comments string `json:"comments,omitempty"`
	// SignBy is an optional date to sign by; EnforceSignBy refuses signatures after it, otherwise
	// a late signature is allowed and the requester told (SIGN-3).
	SignBy        time.Time `json:"sign_by,omitzero"`
	EnforceSignBy bool      `json:"enforce_sign_by,omitempty"`
}

// SignOffRequest is one user's request to sign a flow off for an organisation (SIGN-1). A user
// has one record per organisation; asking again renews it (new comments, date and enforcement).
type SignOffRequest struct {
	Signer
	RequestedBy UserID    `json:"requested_by"`
	RequestedAt time.Time `json:"requested_at"`
	Comments    string    `json:"comments,omitempty"`
	SignBy      time.Time `json:"sign_by,omitzero"`
	Enforced    bool      `json:"enforced,omitempty"`
	// RemindedAt is when the periodic sweep reminded the signer of the sign-by date; a renewed
	// request starts without it.
	RemindedAt time.Time `json:"reminded_at,omitzero"`
}

// SignByReminderLead is how long before a sign-by date the periodic sweep reminds a signer whose
// organisation has not signed (SIGN-3). A request made closer to its date than that is reminded
// at once, on the next sweep.
const SignByReminderLead = 48 * time.Hour

// EventSignByReminder: a signer's organisation has not signed and the sign-by date is near
// (SIGN-3); Signers holds the one signer, SignBy the date.
const EventSignByReminder EventType = "flow.sign_by_reminder"

// reminderDue is when the sweep reminds r's signer, if it still has to.
func (f Flow) reminderDue(r SignOffRequest) (time.Time, bool) {
	if f.State != Finalised || r.SignBy.IsZero() || !r.RemindedAt.IsZero() || !f.Names(r.Org) {
		return time.Time{}, false
	}
	if _, signed := f.SignatureOf(r.Org); signed {
		return time.Time{}, false
	}
	due := r.SignBy.Add(-SignByReminderLead)
	if due.Before(r.RequestedAt) {
		due = r.RequestedAt
	}
	return due, true
}

// nextSignByReminder is the earliest sign-by reminder still to raise.
func (f Flow) nextSignByReminder() (time.Time, bool) {
	var next time.Time
	for _, r := range f.SignOff {
		if due, ok := f.reminderDue(r); ok && (next.IsZero() || due.Before(next)) {
			next = due
		}
	}
	return next, !next.IsZero()
}

// sweepSignByReminders raises each reminder due by now once, recording it in the copy it returns.
func (f Flow) sweepSignByReminders(now time.Time) (Flow, []Event) {
	var events []Event
	cloned := false
	for i, r := range f.SignOff {
		due, ok := f.reminderDue(r)
		if !ok || due.After(now) {
			continue
		}
		if !cloned {
			f.SignOff, cloned = slices.Clone(f.SignOff), true
		}
		f.SignOff[i].RemindedAt = now
		events = append(events, Event{Type: EventSignByReminder, FlowID: f.ID, SummaryID: f.SummaryID, At: now,
			Requester: r.RequestedBy, Signers: []Signer{r.Signer}, SignBy: r.SignBy, Parties: []OrgID{r.Org}})
	}
	return f, events
}

// WetSignature records a wet-signed scan an organisation attached to a finalised flow (SIGN-5).
// The scan is a document uploaded to the flow; it is evidence kept with the agreement, and does
// not stand in for the organisation's electronic signature (SIGN-4, SIGN-6).
type WetSignature struct {
	Org        OrgID      `json:"org"`
	Document   DocumentID `json:"document"`
	AttachedBy UserID     `json:"attached_by"`
	AttachedAt time.Time  `json:"attached_at"`
}

// SignatureOf returns the signature of org, if it has signed (SIGN-2).
func (f Flow) SignatureOf(org OrgID) (Signature, bool) {
	for _, s := range f.Signatures {
		if s.Statement.Signatory.Org == org {
			return s, true
		}
	}
	return Signature{}, false
}

// Unsigned lists, in party order, the flow's current parties that have not signed (SIGN-2). A
// party not yet registered (ORG-11) has no users, so it stays here and keeps the flow from
// being Signed.
func (f Flow) Unsigned() []OrgID {
	var out []OrgID
	for _, p := range f.Parties {
		if _, ok := f.SignatureOf(p); !ok {
			out = append(out, p)
		}
	}
	return out
}

// FullySigned reports whether every current party has signed (SIGN-2). Signatures of
// organisations that have left the flow are kept for the history and do not count.
func (f Flow) FullySigned() bool { return len(f.Parties) > 0 && len(f.Unsigned()) == 0 }

func (f Flow) signOffOf(user UserID, org OrgID) int {
	for i, r := range f.SignOff {
		if r.User == user && r.Org == org {
			return i
		}
	}
	return -1
}

// RequestSignOff asks users to sign a finalised flow off for organisations named in it (SIGN-1),
// optionally by a date (SIGN-3). Any organisation named in the flow, or its creator, may ask.
// A signer's organisation must be a party that has not signed yet; that the user holds a
// sign-off role there (ROLE-2) is the Gateway's check, which knows the roles.
//
// Errors: ErrInvalid with field errors (FieldCodeNotParty, FieldCodeAlreadySigned,
// FieldCodeDuplicate, FieldCodeNotFuture); ErrForbidden (CodeNotParty); ErrInvalidTransition
// unless the flow is Finalised. Raises EventSignOffRequested.
func (m *FlowMachine) RequestSignOff(f Flow, actor Actor, at time.Time, in SignOffInput) (Flow, []Event, error) {
	var bad []FieldError
	if len(in.Signers) == 0 {
		bad = append(bad, fieldErr("signers", "min", "SIGN-1", "name at least one user to sign"))
	}
	if len(in.Signers) > 500 {
		bad = append(bad, fieldErr("signers", "max", "SIGN-1", "must name at most 500 users"))
	}
	for i, s := range in.Signers {
		switch {
		case s.User.IsZero():
			bad = append(bad, fieldErr(indexed("signers", i)+".user", "required", "SIGN-1", "is required"))
		case s.Org.IsZero():
			bad = append(bad, fieldErr(indexed("signers", i)+".org", "required", "SIGN-1", "is required"))
		case !f.Names(s.Org):
			bad = append(bad, fieldErr(indexed("signers", i)+".org", FieldCodeNotParty, "SIGN-1",
				"a user signs for an organisation named in the flow"))
		default:
			if _, signed := f.SignatureOf(s.Org); signed {
				bad = append(bad, fieldErr(indexed("signers", i)+".org", FieldCodeAlreadySigned, "SIGN-2",
					"the organisation has already signed"))
			}
		}
	}
	for _, i := range duplicates(in.Signers) {
		bad = append(bad, fieldErr(indexed("signers", i), FieldCodeDuplicate, "SIGN-1", "names a signer twice"))
	}
	if len(in.Comments) > maxNote {
		bad = append(bad, fieldErr("comments", "max", "SIGN-1", "must be at most 8000 characters"))
	}
	if !in.SignBy.IsZero() && !in.SignBy.After(at) {
		bad = append(bad, fieldErr("sign_by", FieldCodeNotFuture, "SIGN-3", "must be later than the request"))
	}
	if in.EnforceSignBy && in.SignBy.IsZero() {
		bad = append(bad, fieldErr("sign_by", "required_with", "SIGN-3", "an enforced sign-by needs a date"))
	}
	if len(bad) > 0 {
		return f, nil, violation.Invalid(bad...)
	}
	in.Signers = slices.Clone(in.Signers)
	in.SignBy = in.SignBy.UTC()
	return m.fire(f, TriggerRequestSignOff, command{actor: actor, at: at, signOff: &in})
}

// CheckSign reports whether actor may sign f at time at, as Sign would answer, without a
// signature: the Gateway asks before it spends a signing key on a signature the flow would
// refuse. It returns nil or Sign's refusal.
func (m *FlowMachine) CheckSign(f Flow, actor Actor, at time.Time) error {
	_, _, err := m.fire(f, TriggerSign, command{actor: actor, at: at, signature: &Signature{}})
	return err
}

// Sign records the actor's organisation's signature (SIGN-2, SIGN-4). The actor must have been
// asked to sign for that organisation (SIGN-1), which must not have signed already; after an
// enforced sign-by date it is refused, after one not enforced it is recorded as late and the
// requester told (SIGN-3). When every current party has signed, the flow is Signed.
//
// sig must be a signature made for this signing: its statement names f, its revision and log
// head, the actor as signatory and at as the time. The crypto is the Gateway's; this checks
// only that the signature is of this act.
//
// Errors: ErrInvalid (CodeSignatureMismatch); ErrForbidden (CodeNotSignatory);
// ErrInvalidTransition (CodeAlreadySigned, or the flow is not Finalised); ErrRule
// (CodeSignByPassed). Raises EventOrgSigned, EventSignedLate when late, and EventFlowSigned when
// the last party signs.
func (m *FlowMachine) Sign(f Flow, actor Actor, at time.Time, sig Signature) (Flow, []Event, error) {
	st := sig.Statement
	if st.Format != SignatureFormat || st.Flow != f.ID || st.Summary != f.SummaryID || st.Rev != f.Rev ||
		st.Signatory.User != actor.User || st.Signatory.Org != actor.Org || !st.SignedAt.Equal(at) ||
		st.LogHead != f.Log || st.TermsHash == "" || st.KeyID == "" || len(sig.Value) == 0 {
		return f, nil, violation.New(ErrInvalid, CodeSignatureMismatch, "SIGN-4",
			"the signature is not over this flow's current version, log head, signatory and time")
	}
	sig.Value = slices.Clone(sig.Value)
	sig.Statement.SignedAt = at.UTC()
	return m.fire(f, TriggerSign, command{actor: actor, at: at, signature: &sig})
}

// AttachWetSignature records a wet-signed scan, already uploaded to the flow as document doc, for
// the actor's organisation (SIGN-5). The organisation must be a party; the flow Finalised or
// Signed; one scan per organisation. That the organisation is licensed to upload (LIC-3) and
// that doc is its upload to this flow are the Gateway's checks.
//
// Errors: ErrInvalid (the document is required); ErrForbidden (CodeNotParty);
// ErrInvalidTransition (CodeAlreadyWetSigned, or the flow is not finalised). Raises
// EventWetSignatureAttached.
func (m *FlowMachine) AttachWetSignature(f Flow, actor Actor, at time.Time, doc DocumentID) (Flow, []Event, error) {
	if doc.IsZero() {
		return f, nil, violation.Field("document", "required", "SIGN-5", "is required")
	}
	return m.fire(f, TriggerAttachWetSignature, command{actor: actor, at: at, wetScan: doc})
}

// ---- guards --------------------------------------------------------------------------------

func partyOrCreatorRequestsSignOff(ctx context.Context, _ ...any) bool { return partyOrCreator(ctx) }

// isAskedSignatory: the actor was asked to sign for the organisation it acts for (SIGN-1).
func isAskedSignatory(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && !fc.actor.User.IsZero() && fc.flow.Names(fc.actor.Org) &&
		fc.flow.signOffOf(fc.actor.User, fc.actor.Org) >= 0
}

// orgNotSigned: the actor's organisation has no signature yet (SIGN-2).
func orgNotSigned(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	if fc == nil {
		return false
	}
	_, signed := fc.flow.SignatureOf(fc.actor.Org)
	return !signed
}

// signByNotEnforcedAndPassed: the actor's request has no enforced sign-by date that has passed
// (SIGN-3).
func signByNotEnforcedAndPassed(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	if fc == nil {
		return false
	}
	i := fc.flow.signOffOf(fc.actor.User, fc.actor.Org)
	return i < 0 || !(fc.flow.SignOff[i].Enforced && signByPassed(fc.flow.SignOff[i], fc.at))
}

func signByPassed(r SignOffRequest, at time.Time) bool {
	return !r.SignBy.IsZero() && at.After(r.SignBy)
}

// completesSignOff and othersStillToSign: whether the actor's signature is the last one the
// current parties need (SIGN-2).
func completesSignOff(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	if fc == nil {
		return false
	}
	for _, p := range fc.flow.Unsigned() {
		if p != fc.actor.Org {
			return false
		}
	}
	return true
}

func othersStillToSign(ctx context.Context, args ...any) bool {
	return firingOf(ctx) != nil && !completesSignOff(ctx, args...)
}

func partyAttachesScan(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	return fc != nil && !fc.actor.Org.IsZero() && fc.flow.Names(fc.actor.Org)
}

func noScanYet(ctx context.Context, _ ...any) bool {
	fc := firingOf(ctx)
	if fc == nil {
		return false
	}
	for _, w := range fc.flow.WetSignatures {
		if w.Org == fc.actor.Org {
			return false
		}
	}
	return true
}

// ---- actions -------------------------------------------------------------------------------

func recordSignOffRequest(ctx context.Context, _ ...any) error {
	fc := firingOf(ctx)
	if fc == nil || fc.signOff == nil {
		return violation.New(ErrInvalidTransition, CodeInvalidTransition, "FLOW-2", "no sign-off request")
	}
	f, in := fc.flow, fc.signOff
	f.SignOff = slices.Clone(f.SignOff)
	for _, s := range in.Signers {
		r := SignOffRequest{Signer: s, RequestedBy: fc.actor.User, RequestedAt: fc.at,
			Comments: in.Comments, SignBy: in.SignBy, Enforced: in.EnforceSignBy}
		if i := f.signOffOf(s.User, s.Org); i >= 0 {
			f.SignOff[i] = r
		} else {
			f.SignOff = append(f.SignOff, r)
		}
	}
	touched(fc)
	e := fc.event(EventSignOffRequested)
	e.Signers, e.Note, e.SignBy = slices.Clone(in.Signers), in.Comments, in.SignBy
	fc.events = append(fc.events, e)
	return nil
}

func recordSignature(ctx context.Context, _ ...any) error {
	fc := firingOf(ctx)
	if fc == nil || fc.signature == nil {
		return violation.New(ErrInvalidTransition, CodeInvalidTransition, "FLOW-2", "no signature")
	}
	f := fc.flow
	req := f.SignOff[f.signOffOf(fc.actor.User, fc.actor.Org)] // isAskedSignatory made sure
	sig := *fc.signature
	sig.Late = signByPassed(req, fc.at)
	f.Signatures = append(slices.Clone(f.Signatures), sig)
	touched(fc)
	e := fc.event(EventOrgSigned)
	e.Requester, e.Parties = req.RequestedBy, []OrgID{fc.actor.Org}
	fc.events = append(fc.events, e)
	if sig.Late {
		late := fc.event(EventSignedLate)
		late.Requester, late.Parties, late.SignBy = req.RequestedBy, []OrgID{fc.actor.Org}, req.SignBy
		fc.events = append(fc.events, late)
	}
	return nil
}

// recordLastSignature records the signature that completes sign-off and says the flow is Signed.
func recordLastSignature(ctx context.Context, args ...any) error {
	return thenSigned(recordSignature)(ctx, args...)
}

// thenSigned is the entry action into Signed by way of step: step's record, then the event that
// every current party has signed (SIGN-2), whichever step got the flow there.
func thenSigned(step func(context.Context, ...any) error) func(context.Context, ...any) error {
	return func(ctx context.Context, args ...any) error {
		if err := step(ctx, args...); err != nil {
			return err
		}
		fc := firingOf(ctx)
		e := fc.event(EventFlowSigned)
		e.Parties = slices.Clone(fc.flow.Parties)
		fc.events = append(fc.events, e)
		return nil
	}
}

func recordWetSignature(ctx context.Context, _ ...any) error {
	fc := firingOf(ctx)
	if fc == nil || fc.wetScan.IsZero() {
		return violation.New(ErrInvalidTransition, CodeInvalidTransition, "FLOW-2", "no scan to attach")
	}
	f := fc.flow
	f.WetSignatures = append(slices.Clone(f.WetSignatures),
		WetSignature{Org: fc.actor.Org, Document: fc.wetScan, AttachedBy: fc.actor.User, AttachedAt: fc.at})
	touched(fc)
	e := fc.event(EventWetSignatureAttached)
	e.Parties = []OrgID{fc.actor.Org}
	fc.events = append(fc.events, e)
	return nil
}

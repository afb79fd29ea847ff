package support

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qmuntal/stateless"

	"github.com/isgkit/gateway/internal/guards"
	"github.com/isgkit/gateway/isg/violation"
	"github.com/isgkit/gateway/licensing"
)

// Trigger is a step of the request lifecycle, as a UI offers it. Its text is stable.
type Trigger string

// The triggers.
const (
	// TriggerAnswer: a Super Administrator answers an open request; the central team answers an
	// escalated one.
	TriggerAnswer Trigger = "answer"
	// TriggerEscalate: a Super Administrator who cannot resolve an open request escalates it to
	// the central team (not for a free-licence organisation, LIC-3).
	TriggerEscalate Trigger = "escalate"
	// TriggerResolve: the requester's side resolves the request at any time (accepting an answer,
	// or withdrawing a request no longer needed); the side that answered resolves an answered one.
	TriggerResolve Trigger = "resolve"
	// TriggerReopen: the requester's side reopens an answered or resolved request within
	// ReopenDays; it goes back to the group's Super Administrators.
	TriggerReopen Trigger = "reopen"
)

// Machine is the request lifecycle (SUP-1): one stateless machine configured once by NewMachine
// and shared by every request. The state lives in the Request; each step fires on a copy of it
// reached through the context, so a Machine is safe for concurrent use and a refused step returns
// the caller's request untouched. Its guards are named functions, shown in the diagram, and each
// refuses with its own typed error.
type Machine struct {
	sm *stateless.StateMachine
}

// NewMachine builds the request lifecycle. A Machine must come from here.
func NewMachine() *Machine {
	sm := stateless.NewStateMachineWithExternalStorage(stateOf, setState, stateless.FiringImmediate)
	sm.Configure(Open).
		Permit(TriggerAnswer, Answered, byGroupSuperAdmin).
		Permit(TriggerEscalate, Escalated, byGroupSuperAdmin, centralSupportAllowed).
		Permit(TriggerResolve, Resolved, byRequesterSide)
	sm.Configure(Escalated).
		Permit(TriggerAnswer, AnsweredByCentral, byCentralTeam).
		Permit(TriggerResolve, Resolved, byRequesterSide)
	sm.Configure(Answered).
		Permit(TriggerResolve, Resolved, byRequesterSideOrSuperAdmin).
		Permit(TriggerReopen, Open, byRequesterSide, withinReopenWindow)
	sm.Configure(AnsweredByCentral).
		Permit(TriggerResolve, Resolved, byRequesterSideOrCentral).
		Permit(TriggerReopen, Open, byRequesterSide, withinReopenWindow)
	sm.Configure(Resolved).
		Permit(TriggerReopen, Open, byRequesterSide, withinReopenWindow)
	sm.OnUnhandledTrigger(unhandled)
	return &Machine{sm: sm}
}

// Graph returns the lifecycle as DOT text; testdata/machines/support_request.dot is its golden
// copy and docs/support-request-states.svg its picture.
func (m *Machine) Graph() string { return m.sm.ToGraph() }

// firing is what one step works on: the copy of the request, who acts and when, the requesting
// organisation's entitlement, and the first guard's refusal (stateless reports unmet guards by
// name only).
type firing struct {
	r       *Request
	actor   Actor
	now     time.Time
	ent     licensing.Entitlement
	refused error
}

type firingKey struct{}

func firingOf(ctx context.Context) *firing {
	f, _ := ctx.Value(firingKey{}).(*firing)
	return f
}

// refuse keeps err as the step's refusal unless an earlier guard refused already, and reports
// whether the guard is met.
func (f *firing) refuse(ok bool, err func() error) bool {
	if !ok && f.refused == nil {
		f.refused = err()
	}
	return ok
}

// stateOf reads the state of the request being fired on. Outside a firing (ToGraph) it answers
// Open, the initial state; an unknown stored state is refused before stateless would add it to
// the shared configuration.
func stateOf(ctx context.Context) (stateless.State, error) {
	f := firingOf(ctx)
	if f == nil {
		return Open, nil
	}
	if !f.r.State.Valid() {
		return nil, refuse(ErrInvalidTransition, CodeInvalidTransition, "SUP-1", fmt.Sprintf("unknown request state %q", f.r.State))
	}
	return f.r.State, nil
}

func setState(ctx context.Context, s stateless.State) error {
	firingOf(ctx).r.State = s.(State)
	return nil
}

// unhandled turns stateless's refusal into the package's typed error: a guard's own refusal
// when a guard said no, else an invalid transition.
func unhandled(ctx context.Context, state stateless.State, trigger stateless.Trigger, _ []string) error {
	if f := firingOf(ctx); f != nil && f.refused != nil {
		return f.refused
	}
	return refuse(ErrInvalidTransition, CodeInvalidTransition, "SUP-1", fmt.Sprintf("a request that is %v cannot be %s", state, past(trigger)))
}

func past(t stateless.Trigger) string {
	switch t {
	case TriggerAnswer:
		return "answered"
	case TriggerEscalate:
		return "escalated"
	case TriggerResolve:
		return "resolved"
	case TriggerReopen:
		return "reopened"
	}
	return fmt.Sprint(t)
}

// The guards: named functions, so that their names show in the diagram.

func byGroupSuperAdmin(ctx context.Context, _ ...any) bool {
	f := firingOf(ctx)
	return f.refuse(f.actor.SuperAdmin, func() error {
		return refuse(ErrForbidden, CodeNotAnsweringTeam, "SUP-1", "an open request is answered or escalated by a Super Administrator of its group")
	})
}

func byCentralTeam(ctx context.Context, _ ...any) bool {
	f := firingOf(ctx)
	return f.refuse(f.actor.Central, func() error {
		return refuse(ErrForbidden, CodeNotAnsweringTeam, "SUP-1", "an escalated request is answered by the central admin team")
	})
}

func byRequesterSide(ctx context.Context, _ ...any) bool {
	f := firingOf(ctx)
	return f.refuse(f.r.requesterSide(f.actor), notRequester)
}

func byRequesterSideOrSuperAdmin(ctx context.Context, _ ...any) bool {
	f := firingOf(ctx)
	return f.refuse(f.r.requesterSide(f.actor) || f.actor.SuperAdmin, notRequester)
}

func byRequesterSideOrCentral(ctx context.Context, _ ...any) bool {
	f := firingOf(ctx)
	return f.refuse(f.r.requesterSide(f.actor) || f.actor.Central, notRequester)
}

func notRequester() error {
	return refuse(ErrForbidden, CodeNotRequester, "SUP-1", "only the requester, an Administrator of the requesting organisation or the team that answered takes this step")
}

func withinReopenWindow(ctx context.Context, _ ...any) bool {
	f := firingOf(ctx)
	return f.refuse(f.now.Before(f.r.ReopenUntil()), func() error {
		return refuse(ErrRule, CodeReopenWindowPassed, "SUP-1", fmt.Sprintf("a request is reopened within %d days of its answer or resolution; this one's window ended %s",
			ReopenDays, f.r.ReopenUntil().Format(time.RFC3339)))
	})
}

func centralSupportAllowed(ctx context.Context, _ ...any) bool {
	f := firingOf(ctx)
	err := licensing.Check(f.ent, licensing.CentralSupport)
	return f.refuse(err == nil, func() error { return err })
}

// fire runs trigger on a copy of r: stateless sets the state before anything else and has no
// rollback, so only the copy is touched and a refusal returns r itself.
func (m *Machine) fire(r Request, t Trigger, a Actor, ent licensing.Entitlement, now time.Time) (Request, error) {
	cp := r
	f := &firing{r: &cp, actor: a, now: now.UTC(), ent: ent}
	if err := m.sm.FireCtx(context.WithValue(context.Background(), firingKey{}, f), t); err != nil {
		var e *Error
		if !errors.As(err, &e) {
			err = refuse(ErrInvalidTransition, CodeInvalidTransition, "SUP-1", err.Error())
		}
		return r, err
	}
	return cp, nil
}

// Next lists, sorted, the steps a may take on r at now, for a host's UI; ent is the requesting
// organisation's entitlement (escalation needs central support, LIC-3). It runs only the guards
// and knows nothing of the permission table: the Gateway intersects it with the rows.
func (m *Machine) Next(r Request, a Actor, ent licensing.Entitlement, now time.Time) []Trigger {
	if !r.State.Valid() {
		return nil
	}
	cp := r
	f := &firing{r: &cp, actor: a, now: now.UTC(), ent: ent}
	return guards.Permitted[Trigger](context.WithValue(context.Background(), firingKey{}, f), m.sm)
}

// RaiseInput is a new request: its ID, the organisation and user raising it, the group it goes
// to (GroupOf; zero when the organisation has none) and what it asks.
type RaiseInput struct {
	ID          RequestID
	Org         OrgID
	Group       GroupID
	By          UserID
	Subject     string
	Description string
}

// Raise opens a request (SUP-1) from a user of org to the Super Administrators of its group, who
// are told. An organisation with no group — a free-licence organisation in no licensing group —
// is refused (CodeNoGroup, LIC-3): it has no Super Administrators, and cannot raise support with
// the central team; the resources library and its lead organisation's Administrators (ORG-8) are
// its help instead.
//
// Errors: ErrInvalid (field errors: id, org and by required; subject and description required,
// at most MaxSubject and MaxText characters, SUP-1); ErrLicence (CodeNoGroup, LIC-3).
func (m *Machine) Raise(in RaiseInput, now time.Time) (Request, []Event, error) {
	var fields []FieldError
	if in.ID.IsZero() {
		fields = append(fields, required("id", "", "is required"))
	}
	if in.Org.IsZero() {
		fields = append(fields, required("org", "", "is required"))
	}
	if in.By.IsZero() {
		fields = append(fields, required("by", "", "is required"))
	}
	fields = append(fields, text("subject", in.Subject, true, MaxSubject)...)
	fields = append(fields, text("description", in.Description, true, MaxText)...)
	if len(fields) > 0 {
		return Request{}, nil, violation.Invalid(fields...)
	}
	if in.Group.IsZero() {
		return Request{}, nil, refuse(ErrLicence, CodeNoGroup, "LIC-3",
			"the organisation holds no group licence and sits in no active licensing group: it has no Super Administrators to raise support with, and a free-licence organisation cannot raise support with the central team")
	}
	now = now.UTC()
	r := Request{ID: in.ID, Org: in.Org, Group: in.Group, Subject: in.Subject, Description: in.Description, State: Open,
		RaisedBy: in.By, RaisedAt: now, Entries: []Entry{{Kind: EntryRaised, By: in.By, As: SideRequester, At: now, Text: in.Description}}}
	return r, []Event{r.event(EventRaised, in.By, now, "", Audience{SuperAdmins: true})}, nil
}

// StepInput is what an actor gives with a step.
type StepInput struct {
	// Seen is the version of the request the actor read (Request.Version). A request that has
	// changed since is refused (CodeStale), so two people answering at once never both post: the
	// second reads the first's answer and tries again if still needed. Zero skips the check.
	Seen int64
	// Text is the answer, the escalation note or the reason for reopening (each required), or
	// the resolution note (optional); at most MaxText characters.
	Text string
}

// check refuses a stale step and text the step does not allow.
func (in StepInput) check(r Request, textRequired bool) error {
	if fields := text("text", in.Text, textRequired, MaxText); len(fields) > 0 {
		return violation.Invalid(fields...)
	}
	if in.Seen != 0 && in.Seen != r.Version {
		return refuse(ErrConflict, CodeStale, "SUP-1", fmt.Sprintf("the request changed since version %d was read (it is at version %d): read it again", in.Seen, r.Version))
	}
	return nil
}

// Answer answers r (SUP-1): a Super Administrator of its group answers an open request
// (Answered; the requester is told), the central team an escalated one (AnsweredByCentral; the
// requester and the group's Super Administrators are told). The requester may reopen it within
// ReopenDays.
//
// Errors: ErrInvalid (text required); ErrConflict (CodeStale); ErrForbidden
// (CodeNotAnsweringTeam); ErrInvalidTransition (CodeInvalidTransition).
func (m *Machine) Answer(r Request, a Actor, in StepInput, now time.Time) (Request, []Event, error) {
	if err := in.check(r, true); err != nil {
		return r, nil, err
	}
	next, err := m.fire(r, TriggerAnswer, a, licensing.Free, now)
	if err != nil {
		return r, nil, err
	}
	now = now.UTC()
	next.AnsweredAt = now
	if next.State == AnsweredByCentral {
		next.Entries = appendEntry(r.Entries, Entry{Kind: EntryAnsweredByCentral, By: a.User, As: SideCentral, At: now, Text: in.Text})
		return next, []Event{next.event(EventAnsweredByCentral, a.User, now, in.Text, Audience{Users: []UserID{r.RaisedBy}, SuperAdmins: true})}, nil
	}
	next.Entries = appendEntry(r.Entries, Entry{Kind: EntryAnswered, By: a.User, As: SideSuperAdmin, At: now, Text: in.Text})
	return next, []Event{next.event(EventAnswered, a.User, now, in.Text, Audience{Users: []UserID{r.RaisedBy}})}, nil
}

// Escalate sends an open request to the central admin team (SUP-1): a Super Administrator of its
// group who cannot resolve it does, with a note of what was tried. The requesting organisation's
// licence must allow central support, ent being its entitlement now: a free-licence
// organisation's requests stay with its group (LIC-3). The central team and the requester are
// told; from now on the central team sees the request (SUP-2).
//
// Errors: ErrInvalid (text required); ErrConflict (CodeStale); ErrForbidden
// (CodeNotAnsweringTeam); ErrLicence ("licence.capability_denied", central_support, LIC-3);
// ErrInvalidTransition (CodeInvalidTransition).
func (m *Machine) Escalate(r Request, a Actor, ent licensing.Entitlement, in StepInput, now time.Time) (Request, []Event, error) {
	if err := in.check(r, true); err != nil {
		return r, nil, err
	}
	next, err := m.fire(r, TriggerEscalate, a, ent, now)
	if err != nil {
		return r, nil, err
	}
	now = now.UTC()
	next.EscalatedAt = now
	next.Entries = appendEntry(r.Entries, Entry{Kind: EntryEscalated, By: a.User, As: SideSuperAdmin, At: now, Text: in.Text})
	return next, []Event{next.event(EventEscalated, a.User, now, in.Text, Audience{Users: []UserID{r.RaisedBy}, Central: true})}, nil
}

// Resolve resolves r (SUP-1). The requester's side may at any time — accepting an answer, or
// withdrawing a request no longer needed — and the support side then is told (the group's Super
// Administrators, and the central team if it was escalated); the side that answered may resolve
// an answered request (a Super Administrator an Answered one, the central team an
// AnsweredByCentral one), and the requester is told. The requester's side may reopen it within
// ReopenDays.
//
// Errors: ErrInvalid (text too long); ErrConflict (CodeStale); ErrForbidden (CodeNotRequester);
// ErrInvalidTransition (CodeInvalidTransition).
func (m *Machine) Resolve(r Request, a Actor, in StepInput, now time.Time) (Request, []Event, error) {
	if err := in.check(r, false); err != nil {
		return r, nil, err
	}
	next, err := m.fire(r, TriggerResolve, a, licensing.Free, now)
	if err != nil {
		return r, nil, err
	}
	now = now.UTC()
	next.ResolvedAt = now
	side, to := SideRequester, Audience{SuperAdmins: true, Central: r.Escalated()}
	if !r.requesterSide(a) {
		side, to = SideSuperAdmin, Audience{Users: []UserID{r.RaisedBy}}
		if r.State == AnsweredByCentral {
			side = SideCentral
		}
	}
	next.Entries = appendEntry(r.Entries, Entry{Kind: EntryResolved, By: a.User, As: side, At: now, Text: in.Text})
	return next, []Event{next.event(EventResolved, a.User, now, in.Text, to)}, nil
}

// Reopen reopens an answered or resolved request (SUP-1): the requester's side does, with the
// reason, within ReopenDays of its answer or resolution. It goes back to the group's Super
// Administrators (Open), who are told — and the central team if it was escalated, which keeps
// seeing it; they escalate it again if they still cannot resolve it, when the licence then allows.
//
// Errors: ErrInvalid (text required); ErrConflict (CodeStale); ErrForbidden (CodeNotRequester);
// ErrRule (CodeReopenWindowPassed); ErrInvalidTransition (CodeInvalidTransition).
func (m *Machine) Reopen(r Request, a Actor, in StepInput, now time.Time) (Request, []Event, error) {
	if err := in.check(r, true); err != nil {
		return r, nil, err
	}
	next, err := m.fire(r, TriggerReopen, a, licensing.Free, now)
	if err != nil {
		return r, nil, err
	}
	now = now.UTC()
	next.ResolvedAt = time.Time{}
	next.Entries = appendEntry(r.Entries, Entry{Kind: EntryReopened, By: a.User, As: SideRequester, At: now, Text: in.Text})
	return next, []Event{next.event(EventReopened, a.User, now, in.Text, Audience{SuperAdmins: true, Central: r.Escalated()})}, nil
}

// Move moves r to the organisation it was merged into (ORG-6), by the user whose approval
// completed the merge, and reports whether it did. A request that is not settled moves: its
// organisation becomes to, and its group becomes group, the survivor's, when that is set (the
// survivor's Super Administrators support its users now); otherwise it keeps its group. Its
// state and history are kept, and an EntryMoved records where it came from. A settled request
// stays where it is, unchanged.
func (m *Machine) Move(r Request, to OrgID, group GroupID, by UserID, now time.Time) (Request, bool) {
	if r.Settled(now) || r.Org == to {
		return r, false
	}
	next := r
	e := Entry{Kind: EntryMoved, By: by, At: now.UTC(), FromOrg: r.Org}
	next.Org = to
	if !group.IsZero() && group != r.Group {
		e.FromGroup, next.Group = r.Group, group
	}
	next.Entries = appendEntry(r.Entries, e)
	return next, true
}

func (r Request) event(t EventType, by UserID, at time.Time, note string, to Audience) Event {
	return Event{Type: t, Request: r.ID, Org: r.Org, Group: r.Group, Subject: r.Subject, State: r.State, By: by, At: at, Note: note, To: to}
}

// appendEntry appends to a copy: the caller's request keeps its own backing array.
func appendEntry(entries []Entry, e Entry) []Entry {
	return append(slices.Clip(entries), e)
}

// text checks one free-text field: required (and not blank) when asked, valid UTF-8, at most
// max characters.
func text(field, s string, req bool, max int) []FieldError {
	switch {
	case req && strings.TrimSpace(s) == "":
		return []FieldError{required(field, "SUP-1", "is required")}
	case !utf8.ValidString(s):
		return []FieldError{{Field: field, Code: "invalid", Rule: "SUP-1", Message: "is not valid UTF-8"}}
	case utf8.RuneCountInString(s) > max:
		return []FieldError{{Field: field, Code: "max", Rule: "SUP-1", Message: fmt.Sprintf("must be at most %d characters", max)}}
	}
	return nil
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

func validText(s string) bool { return utf8.ValidString(s) }

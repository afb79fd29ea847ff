package isg

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"time"
)

// Every command of the Gateway is one declaration, a *command[In, Out]: its stable name, its
// input type, the permission-table row that gates it, the rule a refusal names, and the function
// that loads and applies it. One generic pipeline, run, executes every declaration the same way:
//
//  1. validate the input (field errors naming the rule),
//  2. open a unit of work (read-write, or read-only for a query),
//  3. the gate: load the actor's memberships and check the row at the organisation the command
//     acts at, resolving delegation, Super Administrator and Central Admin rights (ROLE-1, ROLE-7),
//  4. apply: load the aggregates, call the pure rule with the unit's time and IDs, save with
//     versions, turn the rule's events into outbox notifications,
//  5. commit, retrying a store conflict on fresh state; log one record.
//
// The Gateway method of a command is one line calling run, the Dispatch table is built from the
// declarations (declarations.go; the list itself, declarations_gen.go, is generated from the
// source), and the documentation check and the permission audit read them.

// reach says who may run a command and where its row is checked.
type reach uint8

const (
	// atOrg: a signed-in, active actor acting for an organisation; the row is checked at the
	// organisation the command's at function names (the actor's own by default).
	atOrg reach = iota
	// signedIn: any signed-in, active account, whatever its roles: reads every organisation
	// may make (organisation search, assurance, ASR-6) and a user's own settings. No row.
	signedIn
	// platform: the central team's own work, at no organisation: only Central Admin's platform
	// role counts against the row, and no support access is logged.
	platform
	// anyone: no actor at all (registration, e-mail verification, sign-in, bootstrap, the sweep).
	anyone
)

func (r reach) String() string {
	return [...]string{atOrg: "at an organisation", signedIn: "any signed-in user", platform: "the platform", anyone: "anyone"}[r]
}

// target is where a command acts: the organisation its row is checked at, and what an actor who
// holds no role there is told instead of a refusal, so that a record the actor may not see and
// an ID that names nothing get the same answer.
type target struct {
	org    OrgID
	hidden error
	// reach moves the check of a command declared atOrg, for a record that decides it: platform
	// for one that belongs to no organisation (only Central Admin's platform role counts), or
	// signedIn for the actor's own record (any active account). Zero keeps atOrg.
	reach reach
}

// command declares one Gateway command. It is immutable once declared.
type command[In, Out any] struct {
	name string
	doc  string
	// row is the permission-table row that gates the command; none for reach signedIn and anyone.
	row  Action
	rule string
	// reach says who may run it; query marks a read-only command, run in a View.
	reach reach
	query bool
	// at names the organisation the row is checked at, loading what it needs in the unit; nil
	// means the actor's organisation.
	at func(u *uow, actor Actor, in In) (target, error)
	// before runs outside the unit, after validation: slow work that reads no state (password
	// hashing), so that a retried unit does not repeat it.
	before func(g *Gateway, in *In) error
	// selfService names the input field (by its JSON name) that, when it names the acting user,
	// makes the command self-service: the row does not apply to acting on one's own account, and
	// the at function checks the actor is signed in instead. It is published in CommandInfo so
	// that the permission audit and a host can tell those calls apart.
	selfService string
	// arrayOnWire marks a listing (In ListPage, Out Listing[T]) that was published as a plain array
	// before listings were paged: Dispatch keeps returning the array — every item when the input
	// sets no limit, read page by page; the one page asked for when it does.
	arrayOnWire bool
	// refuse, when set, is asked only after the row refused the actor (code "forbidden"): it may
	// return the record's own, more specific refusal — an ErrForbidden the pure rule gives this
	// actor whatever roles they held (a non-creator finalising: flow.not_creator; a user not asked
	// to review: flow.not_reviewer). The row still gates: refuse never lets a command through, it
	// only chooses which code the refusal carries; it returns nil to keep "forbidden", and must
	// answer nil for a record the actor may not see, so that no refusal tells records apart.
	refuse func(c *call[In]) error
	// goOnly marks a command that is a Go method only (the operator's break-glass unlock): it runs
	// through this pipeline like any other, but Dispatch, CommandNames and Commands leave it out,
	// so no caller of a host's JSON API reaches it.
	goOnly bool
	// apply loads and applies the command in the unit, after the gate.
	apply func(c *call[In]) (Out, error)
	// job, when set, runs instead of apply and outside any unit of work the pipeline opens: host
	// work made of several units of its own, each committed on its own (the periodic sweep, the
	// outbox drain). For a reach other than anyone the gate runs first, in a read-only unit.
	job func(ctx context.Context, g *Gateway, in In) (Out, error)
	// host marks a job the host itself may run with no actor, on a context marked by AsHost: the
	// host's own work offered through Dispatch too (the outbox drain, NOTE-4). Any other call,
	// an actor's or an unmarked one with no actor, passes the gate as declared.
	host bool
	// states keeps finished runs' state (*running[In, Out]) for the next run: a flow command's
	// holds a kilobyte and a half (the input and the view it returns), which the unit's closure
	// reaches and so would otherwise be allocated afresh on every call. The only state a
	// declaration holds; safe for concurrent use.
	states sync.Pool
}

type hostKey struct{}

// AsHost marks ctx as the host's own call, not an actor's: a command declared for the host (its
// CommandInfo.Host is set, e.g. outbox.drain) runs through Dispatch with no actor on such a
// context, as its Go method (DrainOutbox) does. Only the host's own code — a scheduler, the
// scenario runner — should make it; a request handler passing an actor's call on must never use
// it, for anyone could then take what only the host may (NOTE-4). It changes nothing for a call
// naming an actor, nor for any other command.
func AsHost(ctx context.Context) context.Context { return context.WithValue(ctx, hostKey{}, true) }

func isHostCall(ctx context.Context, actor Actor) bool {
	marked, _ := ctx.Value(hostKey{}).(bool)
	return marked && actor.User.IsZero()
}

// call is one running command as apply sees it: the unit of work, the actor, the input and the
// roles the gate found the actor holding where the command acts.
type call[In any] struct {
	*uow
	actor Actor
	in    In
	held  RoleSet
	org   OrgID
}

// run is the one pipeline every command goes through.
func run[In, Out any](ctx context.Context, g *Gateway, c *command[In, Out], actor Actor, in In) (out Out, err error) {
	start := time.Now()
	defer func() { g.logCommand(ctx, c.name, actor, start, err) }()
	// One record holds the input, the call apply sees and what it returns, which the unit's
	// closure must reach: captured one by one (or the input boxed for validation), each would
	// move to the heap on its own, and the call be made again on every attempt.
	st := c.takeState()
	defer c.returnState(st) // after the result is copied out: return evaluates it first
	st.call = call[In]{actor: actor, in: in}
	if err = validateInput(&st.in, c.rule); err != nil {
		return out, err
	}
	if c.before != nil {
		if err = c.before(g, &st.in); err != nil {
			return out, err
		}
	}
	in = st.in
	if c.job != nil {
		if c.reach != anyone && !(c.host && isHostCall(ctx, actor)) {
			err = g.view(ctx, func(u *uow) error {
				_, err := u.gate(actor, c.reach, target{org: actor.Org}, c.row, c.rule)
				return err
			})
			if err != nil {
				return out, err
			}
		}
		out, err = c.job(ctx, g, in)
		return out, err
	}
	if c.query {
		err = g.view(ctx, st.body)
	} else {
		err = g.update(ctx, st.body)
	}
	if err == nil && st.refusal != nil {
		err = st.refusal
	}
	return st.out, err
}

// takeState returns a cleared state for a run, one a finished run gave back if there is one.
func (c *command[In, Out]) takeState() *running[In, Out] {
	if st, ok := c.states.Get().(*running[In, Out]); ok {
		return st
	}
	st := &running[In, Out]{cmd: c}
	st.body = st.attempt
	return st
}

// returnState clears a finished run's state, so that the pool holds no record, unit or error of
// it, and keeps it for the next run. Nothing holds st once run returns: the stores call the
// unit's closure only while Update or View runs.
func (c *command[In, Out]) returnState(st *running[In, Out]) {
	*st = running[In, Out]{cmd: st.cmd, body: st.body}
	c.states.Put(st)
}

// running is one command's state across the attempts of its unit of work.
type running[In, Out any] struct {
	call[In]
	out     Out
	refusal error
	// The command and its unit of work's function (attempt), bound once: a closure made per run
	// would be allocated per run.
	cmd  *command[In, Out]
	body func(*uow) error
}

// attempt is one attempt of the command's unit of work: the gate, then apply.
func (st *running[In, Out]) attempt(u *uow) error {
	c, actor := st.cmd, st.actor
	st.refusal = nil
	t := target{org: actor.Org}
	if c.at != nil {
		var err error
		if t, err = c.at(u, actor, st.in); err != nil {
			return err
		}
	}
	r := c.reach
	if r == atOrg {
		r = t.reach
	}
	held, err := u.gate(actor, r, t, c.row, c.rule)
	st.uow, st.held, st.org = u, held, t.org
	if err != nil {
		if c.refuse != nil && ErrorCode(err) == "forbidden" {
			if specific := c.refuse(&st.call); specific != nil {
				return specific
			}
		}
		return err
	}
	st.out, err = c.apply(&st.call)
	if kept, ok := err.(committedRefusal); ok {
		var zero Out
		st.out, st.refusal = zero, kept.err
		return nil
	}
	return err
}

// committedRefusal is a refusal whose unit of work still commits: a failed sign-in's count must
// survive the refusal (REG-4). An apply returns commitThen(err); run commits, then returns err.
type committedRefusal struct{ err error }

func (r committedRefusal) Error() string { return r.err.Error() }

// commitThen marks a refusal whose changes are committed all the same.
func commitThen(err error) error { return committedRefusal{err: err} }

// logCommand writes the one structured record of a command at Debug level.
func (g *Gateway) logCommand(ctx context.Context, name string, actor Actor, start time.Time, err error) {
	if !g.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	outcome := "ok"
	if err != nil {
		outcome = ErrorCode(err)
	}
	g.log.LogAttrs(ctx, slog.LevelDebug, "isg: command", slog.String("command", name),
		slog.String("user", actor.User.String()), slog.String("org", actor.Org.String()),
		slog.String("outcome", outcome), slog.Duration("duration", time.Since(start)))
}

// declared is what the Dispatch table, the documentation and the permission audit know of a
// declaration, whatever its input and output types.
type declared interface {
	Name() string
	Doc() string
	describe() CommandInfo
	isGoOnly() bool
	dispatch(ctx context.Context, g *Gateway, actor Actor, raw json.RawMessage) (any, error)
}

// CommandInfo describes one command as declared: what a host needs to expose it, and what the
// permission audit checks.
type CommandInfo struct {
	// Name is the stable command name, e.g. "flow.edit".
	Name string `json:"name"`
	// Doc is a one-line description.
	Doc string `json:"doc"`
	// Reach is who may run it: "at an organisation", "any signed-in user", "the platform" or
	// "anyone".
	Reach string `json:"reach"`
	// Row is the permission-table row that gates it; HasRow is false for commands open to any
	// signed-in user or to anyone.
	Row    Action `json:"-"`
	HasRow bool   `json:"-"`
	// Rule is the rule ID a refusal names.
	Rule string `json:"rule,omitempty"`
	// Query is true for read-only commands.
	Query bool `json:"query"`
	// SelfService names the input field that, when it names the acting user, lifts the row:
	// acting on one's own account needs only a signed-in, active account.
	SelfService string `json:"self_service,omitempty"`
	// Host is true for a command the host itself may run with no actor, on a context marked by
	// AsHost (NOTE-4); an actor's call passes its row as for any other command.
	Host bool `json:"host,omitempty"`
	// Input is the Go type Dispatch decodes the command's JSON input into.
	Input reflect.Type `json:"-"`
	// Result is the Go type of what Dispatch returns on success, whose JSON is the command's
	// result: for a listing published as an array, the slice of its items.
	Result reflect.Type `json:"-"`
}

func (c *command[In, Out]) Name() string { return c.name }
func (c *command[In, Out]) Doc() string  { return c.doc }

func (c *command[In, Out]) isGoOnly() bool { return c.goOnly }

func (c *command[In, Out]) describe() CommandInfo {
	hasRow := c.reach == atOrg || c.reach == platform
	result := reflect.TypeFor[Out]()
	if c.arrayOnWire {
		if l, ok := any(*new(Out)).(pager); ok {
			result = reflect.TypeOf(l.appendItems(nil))
		}
	}
	return CommandInfo{Name: c.name, Doc: c.doc, Reach: c.reach.String(), Row: c.row, HasRow: hasRow, Rule: c.rule, Query: c.query, SelfService: c.selfService, Host: c.host,
		Input: reflect.TypeFor[In](), Result: result}
}

func (c *command[In, Out]) dispatch(ctx context.Context, g *Gateway, actor Actor, raw json.RawMessage) (any, error) {
	var in In
	if err := decodeStrict(raw, &in); err != nil {
		return nil, err
	}
	out, err := run(ctx, g, c, actor, in)
	if err != nil || !c.arrayOnWire {
		return out, err
	}
	return pageThrough(ctx, g, c, actor, in, out)
}

// pager is what Dispatch needs of a listing it publishes as an array.
type pager interface {
	nextAfter() string
	appendItems(dst any) any
}

// pageThrough turns a listing into the array an arrayOnWire command publishes.
func pageThrough[In, Out any](ctx context.Context, g *Gateway, c *command[In, Out], actor Actor, in In, out Out) (any, error) {
	p, okIn := any(in).(ListPage)
	l, okOut := any(out).(pager)
	if !okIn || !okOut {
		return nil, fmt.Errorf("isg: %s is declared arrayOnWire but is not a ListPage listing", c.name)
	}
	items := l.appendItems(nil)
	for p.Limit == 0 && l.nextAfter() != "" {
		p.After = l.nextAfter()
		next, err := run(ctx, g, c, actor, any(p).(In))
		if err != nil {
			return nil, err
		}
		l = any(next).(pager)
		items = l.appendItems(items)
	}
	return items, nil
}

// Package scenario runs portable scenario files against a Gateway: JSON lists of steps, each an
// actor, a command name, its input and the expected outcome, with checks on the result. The same
// files run in this module's tests on every store adapter, and hosts and other platforms run them
// (or their own) to check themselves against this reference implementation.
//
// The format is documented in docs/scenarios.md. In short:
//
//	{"name": "...", "start": "2026-01-05T09:00:00Z", "steps": [
//	  {"name": "register", "command": "account.register",
//	   "input": {"email": "a@trust.nhs.uk", "name": "A", "password": "s3cret!x"},
//	   "expect": {"ok": true}, "save": {"alice": "account.id", "token": "verification_token"}},
//	  {"advance": "49h"},
//	  {"command": "account.verify_email", "input": {"token": "$token"},
//	   "expect": {"error": "account.token_expired", "rule": "REG-3"}}
//	]}
//
// Nothing is skipped silently: an unknown command, an unknown field (in a step or a command's
// input), an unset variable or a malformed file fails the run with the file and step named.
package scenario

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/isg"
)

// File is one scenario.
type File struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Start is the clock at the first step.
	Start time.Time `json:"start"`
	Steps []Step    `json:"steps"`
}

// Step is one command (or a clock change) and what it must produce.
type Step struct {
	Name string `json:"name,omitempty"`
	// Clock sets the time before the command; Advance moves it on by a Go duration ("36h"), or
	// by days with a "d" suffix ("365d").
	Clock   *time.Time `json:"clock,omitempty"`
	Advance string     `json:"advance,omitempty"`
	// Backwards must be true for a clock step that sets the time earlier than it is: time never
	// moves back by accident.
	Backwards bool `json:"backwards,omitempty"`
	// As is the actor: user and organisation IDs, usually "$variables".
	As      *Actor          `json:"as,omitempty"`
	Command string          `json:"command,omitempty"`
	Input   json.RawMessage `json:"input,omitempty"`
	Expect  *Expect         `json:"expect,omitempty"`
	// Save stores values of the result in variables: variable name → result path.
	Save map[string]string `json:"save,omitempty"`
	// Check compares values of the result: result path → expected JSON value.
	Check map[string]json.RawMessage `json:"check,omitempty"`
}

// Actor names the acting user and organisation.
type Actor struct {
	User string `json:"user"`
	Org  string `json:"org,omitempty"`
}

// Expect is the expected outcome: OK, or an error with a stable code (and optionally the rule
// and the names of the bad fields).
type Expect struct {
	OK     bool     `json:"ok,omitempty"`
	Error  string   `json:"error,omitempty"`
	Rule   string   `json:"rule,omitempty"`
	Fields []string `json:"fields,omitempty"`
	// ExactFields makes Fields the whole set: the error names exactly these fields, no others.
	ExactFields bool `json:"exact_fields,omitempty"`
}

// Factory makes a fresh Gateway for one scenario; it must pass opts (the scenario's clock, and an
// ID source driven by it) to isg.New.
type Factory func(t *testing.T, opts ...isg.Option) *isg.Gateway

// Clock is a settable clock for scenarios and tests.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock set to t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now implements isg.Clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set sets the time.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Advance moves the time on.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// IDs is an ID source driven by a scenario's clock: UUIDv7s whose timestamp is the clock's time,
// so records made at a later scenario time sort after earlier ones, and listings come out in the
// scenario's order whatever the real clock says. IDs made at the same or an earlier instant
// still increase, by a counter.
type IDs struct {
	mu    sync.Mutex
	clock isg.Clock
	last  int64  // milliseconds of the last ID
	seq   uint64 // counter within that millisecond
}

// NewIDs returns an ID source reading clock.
func NewIDs(clock isg.Clock) *IDs { return &IDs{clock: clock} }

// NewID implements isg.IDSource.
func (s *IDs) NewID() uuid.UUID {
	s.mu.Lock()
	defer s.mu.Unlock()
	ms := s.clock.Now().UnixMilli()
	if ms <= s.last {
		ms, s.seq = s.last, s.seq+1
	} else {
		s.seq = 0
	}
	s.last = ms
	var u uuid.UUID
	for i := range 6 {
		u[i] = byte(ms >> (40 - 8*i))
	}
	// rand_b holds the counter (62 bits), after the version (7) and the variant (10).
	u[6], u[7] = 0x70, 0
	u[8] = 0x80 | byte(s.seq>>56)&0x3f
	for i := 9; i < 16; i++ {
		u[i] = byte(s.seq >> (8 * (15 - i)))
	}
	return u
}

// EnvDir names the environment variable holding an extra folder of scenario files to run.
const EnvDir = "ISG_SCENARIOS"

// RunAll runs every *.json file in dir and, when ISG_SCENARIOS is set, every file in that folder too.
func RunAll(t *testing.T, dir string, newGateway Factory) {
	t.Helper()
	RunAllOn(t, dir, newGateway)
}

// RunDir runs every *.json file of dir as a subtest. A folder with no scenario fails.
func RunDir(t *testing.T, dir string, newGateway Factory) {
	t.Helper()
	RunDirOn(t, dir, newGateway)
}

// RunAllOn is RunAll on any platform: every *.json file in dir and, when ISG_SCENARIOS is set,
// every file in that folder too, each on a fresh target p makes. With the Factory of RunAll it
// runs in-process; with httpapi.Target it drives a server speaking the protocol
// (docs/protocol.md), which is how another platform runs the suite against itself.
func RunAllOn(t *testing.T, dir string, p Platform) {
	t.Helper()
	RunDirOn(t, dir, p)
	if extra := os.Getenv(EnvDir); extra != "" {
		t.Run("ISG_SCENARIOS", func(t *testing.T) { RunDirOn(t, extra, p) })
	}
}

// RunDirOn is RunDir on any platform: every *.json file of dir as a subtest, each on a fresh
// target p makes. A folder with no scenario fails.
func RunDirOn(t *testing.T, dir string, p Platform) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatalf("scenario: %v", err)
	}
	if len(paths) == 0 {
		t.Fatalf("scenario: no *.json files in %s", dir)
	}
	sort.Strings(paths)
	for _, p2 := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(p2), ".json"), func(t *testing.T) { RunFileOn(t, p2, p) })
	}
}

// Load reads and checks a scenario file.
func Load(path string) (File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return File{}, err
	}
	var f File
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return File{}, fmt.Errorf("%s: malformed scenario: %w", path, err)
	}
	if f.Name == "" || len(f.Steps) == 0 || f.Start.IsZero() {
		return File{}, fmt.Errorf("%s: a scenario needs a name, a start time and steps", path)
	}
	commands := map[string]isg.CommandInfo{}
	for _, c := range isg.Commands() {
		commands[c.Name] = c
	}
	now := f.Start
	for i, s := range f.Steps {
		where := fmt.Sprintf("%s: step %d (%s)", path, i+1, s.Name)
		if err := checkStep(s, commands, &now); err != nil {
			return File{}, fmt.Errorf("%s: %w", where, err)
		}
	}
	return f, nil
}

// checkStep refuses what a step says that the runner could not honour, so nothing in a file is
// accepted silently; now is the scenario's clock before the step, moved on by it.
func checkStep(s Step, commands map[string]isg.CommandInfo, now *time.Time) error {
	if s.Clock != nil {
		if s.Clock.Before(*now) && !s.Backwards {
			return fmt.Errorf("the clock moves back from %s to %s: say \"backwards\": true if that is meant", now.Format(time.RFC3339), s.Clock.Format(time.RFC3339))
		}
		*now = *s.Clock
	} else if s.Backwards {
		return errors.New("\"backwards\" belongs with a \"clock\" that moves the time back")
	}
	if s.Advance != "" {
		d, err := parseAdvance(s.Advance)
		if err != nil {
			return err
		}
		if d < 0 {
			return fmt.Errorf("advance %q moves the clock back: use \"clock\" with \"backwards\": true", s.Advance)
		}
		*now = now.Add(d)
	}
	if s.Command == "" {
		if s.Clock == nil && s.Advance == "" {
			return errors.New("a step needs a command, a clock or an advance")
		}
		for name, set := range map[string]bool{"expect": s.Expect != nil, "check": s.Check != nil, "save": s.Save != nil, "as": s.As != nil, "input": s.Input != nil} {
			if set {
				return fmt.Errorf("a clock-only step has no command, so its %q would never be used", name)
			}
		}
		return nil
	}
	info, found := commands[s.Command]
	if !found {
		return fmt.Errorf("unknown command %q", s.Command)
	}
	if s.Expect == nil || s.Expect.OK == (s.Expect.Error != "") {
		return errors.New("expect must say either \"ok\": true or an \"error\" code")
	}
	if s.Expect.OK && (s.Expect.Rule != "" || len(s.Expect.Fields) > 0 || s.Expect.ExactFields) {
		return errors.New("\"rule\", \"fields\" and \"exact_fields\" describe an error: an \"ok\" expectation cannot carry them")
	}
	if s.Expect.ExactFields && len(s.Expect.Fields) == 0 {
		return errors.New("\"exact_fields\" needs the \"fields\" it makes exact")
	}
	if !s.Expect.OK && (len(s.Check) > 0 || len(s.Save) > 0) {
		return errors.New("\"check\" and \"save\" read a result, and a step expecting an error has none: check the error with \"rule\" and \"fields\"")
	}
	if s.As != nil && info.Reach == "anyone" {
		return fmt.Errorf("%s takes no actor, so \"as\" would be ignored", s.Command)
	}
	for path := range s.Check {
		if err := pathOfType(info.Result, path); err != nil {
			return fmt.Errorf("check %s: %w", path, err)
		}
	}
	for name, path := range s.Save {
		if err := pathOfType(info.Result, path); err != nil {
			return fmt.Errorf("save %s: %w", name, err)
		}
	}
	return nil
}

// pathOfType reports whether a dotted result path names a field of the result's Go type t, as
// its JSON spells it: a misspelt path fails even where the check expects null. A "$name" segment
// stands for any map key or index; an interface (any) ends what can be known.
func pathOfType(t reflect.Type, path string) error {
	if path == "" || path == "." {
		return nil
	}
	for _, part := range strings.Split(path, ".") {
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t == nil || t.Kind() == reflect.Interface || marshalsItself(t) {
			return nil
		}
		switch t.Kind() {
		case reflect.Slice, reflect.Array:
			if part == "#" {
				t = reflect.TypeFor[int]()
				continue
			}
			if _, err := strconv.Atoi(part); err != nil && !strings.HasPrefix(part, "$") {
				return fmt.Errorf("%q is not an index of the list at it (%s)", part, t)
			}
			t = t.Elem()
		case reflect.Map:
			t = t.Elem()
		case reflect.Struct:
			f, ok := jsonField(t, part)
			if !ok {
				return fmt.Errorf("no field %q in %s, the result's type at it", part, t)
			}
			t = f
		default:
			return fmt.Errorf("%q goes into a %s, which has no fields", part, t)
		}
	}
	return nil
}

// marshalsItself: a type that writes its own JSON, whose shape its Go type does not tell.
func marshalsItself(t reflect.Type) bool {
	m := reflect.TypeFor[json.Marshaler]()
	return t.Implements(m) || reflect.PointerTo(t).Implements(m)
}

// jsonField finds the field JSON names name in struct t, embedded structs included.
func jsonField(t reflect.Type, name string) (reflect.Type, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		if f.Anonymous && tag == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				if ft, ok := jsonField(et, name); ok {
					return ft, true
				}
			}
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		if tag == name {
			return f.Type, true
		}
	}
	return nil, false
}

func parseAdvance(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("bad advance %q", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("bad advance %q: %w", s, err)
	}
	return d, nil
}

// RunFile runs one scenario file on a fresh Gateway.
func RunFile(t *testing.T, path string, newGateway Factory) {
	t.Helper()
	RunFileOn(t, path, newGateway)
}

// RunFileOn runs one scenario file on a fresh target p makes.
func RunFileOn(t *testing.T, path string, p Platform) {
	t.Helper()
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	target, err := p.Fresh(t, f.Start)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if err := ExecuteOn(context.Background(), f, target); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// Execute runs a loaded scenario's steps in order on g, whose clock must be clock, and returns
// the first step that did not go as the file expects, named by number, name and command.
func Execute(ctx context.Context, f File, g *isg.Gateway, clock *Clock, opts ...Option) error {
	return ExecuteOn(ctx, f, GatewayTarget{Gateway: g, Clock: clock}, opts...)
}

// ExecuteOn is Execute on any target, whose clock must read the scenario's start: it runs the
// steps in order and returns the first that did not go as the file expects, named by number,
// name and command.
func ExecuteOn(ctx context.Context, f File, target Target, opts ...Option) error {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	vars := map[string]string{}
	for i, s := range f.Steps {
		if err := runStep(ctx, target, vars, s, o); err != nil {
			return fmt.Errorf("step %d (%s %s): %w", i+1, s.Name, s.Command, err)
		}
	}
	return nil
}

// Target is a platform a scenario's steps run on: a Gateway in-process (GatewayTarget), or a
// server speaking the protocol of docs/protocol.md (httpapi.Client). The runner resolves every
// $variable before it calls a Target, and checks what comes back the same way whatever the
// Target is, so the same file means the same on each.
type Target interface {
	// Dispatch runs a command as actor with its JSON input and returns its result, whose JSON
	// the step's checks read, or its refusal, whose isg.ErrorCode, *isg.Error rule and fields
	// the step's expectation reads. The zero actor is the host's own call (isg.AsHost): the
	// runner is the host, so a command declared for the host (outbox.drain, NOTE-4) runs.
	Dispatch(ctx context.Context, command string, actor isg.Actor, input json.RawMessage) (any, error)
	// SetClock applies a clock step to the platform's clock: set it, then advance it.
	SetClock(ctx context.Context, c ClockChange) error
}

// ClockChange is what a clock step of a file says, as the runner passes it to a Target (and the
// protocol's clock route takes it, in the same JSON): set the time to Clock, if given, then move
// it on by Advance (a Go duration, or days with a "d" suffix). Backwards must be true for a
// Clock earlier than the time is.
type ClockChange struct {
	Clock     *time.Time `json:"clock,omitempty"`
	Advance   string     `json:"advance,omitempty"`
	Backwards bool       `json:"backwards,omitempty"`
}

// Apply applies c to the clock, refusing what a scenario file may not say: a time earlier than
// the clock's without Backwards, a negative or malformed Advance. It changes nothing when it
// refuses. A server in conformance mode applies the clock steps it is sent with it.
func (c *Clock) Apply(ch ClockChange) error {
	var d time.Duration
	if ch.Advance != "" {
		var err error
		if d, err = ParseAdvance(ch.Advance); err != nil {
			return err
		}
		if d < 0 {
			return fmt.Errorf("advance %q moves the clock back: use \"clock\" with \"backwards\": true", ch.Advance)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch.Clock != nil {
		if ch.Clock.Before(c.now) && !ch.Backwards {
			return fmt.Errorf("the clock moves back from %s to %s: say \"backwards\": true if that is meant", c.now.Format(time.RFC3339), ch.Clock.Format(time.RFC3339))
		}
	} else if ch.Backwards {
		return errors.New("\"backwards\" belongs with a \"clock\" that moves the time back")
	}
	if ch.Clock != nil {
		c.now = *ch.Clock
	}
	c.now = c.now.Add(d)
	return nil
}

// ParseAdvance reads an "advance" of a scenario file: a Go duration ("36h"), or whole days with
// a "d" suffix ("365d").
func ParseAdvance(s string) (time.Duration, error) { return parseAdvance(s) }

// Platform makes a fresh, empty Target for each scenario file, its clock at the file's start.
// A Factory is one (in-process); so is httpapi.Target (a server in conformance mode, reset
// before each file).
type Platform interface {
	Fresh(t *testing.T, start time.Time) (Target, error)
}

// Fresh implements Platform: a new Gateway from f, with a clock at start and an ID source
// driven by it.
func (f Factory) Fresh(t *testing.T, start time.Time) (Target, error) {
	clock := NewClock(start)
	g := f(t, isg.WithClock(clock), isg.WithIDs(NewIDs(clock)))
	return GatewayTarget{Gateway: g, Clock: clock}, nil
}

// GatewayTarget runs steps in-process on a Gateway whose clock is Clock.
type GatewayTarget struct {
	Gateway *isg.Gateway
	Clock   *Clock
}

// Dispatch implements Target with Gateway.Dispatch; the zero actor runs as the host.
func (g GatewayTarget) Dispatch(ctx context.Context, command string, actor isg.Actor, input json.RawMessage) (any, error) {
	if actor == (isg.Actor{}) {
		ctx = isg.AsHost(ctx)
	}
	return g.Gateway.Dispatch(ctx, command, actor, input)
}

// SetClock implements Target: it sets the clock, then advances it, as the file says (Load has
// refused a file whose clock steps would go back unasked).
func (g GatewayTarget) SetClock(_ context.Context, c ClockChange) error {
	if c.Clock != nil {
		g.Clock.Set(*c.Clock)
	}
	if c.Advance != "" {
		d, err := parseAdvance(c.Advance)
		if err != nil {
			return err
		}
		g.Clock.Advance(d)
	}
	return nil
}

// Option changes how Execute runs steps.
type Option func(*options)

type options struct {
	around     func(s Step, dispatch func() (any, error)) (any, error)
	aroundCall func(s Step, c Call, dispatch func() (any, error)) (any, error)
}

// Call is one command step as dispatched: its command, and its actor and input with every
// $variable resolved.
type Call struct {
	Command string
	Actor   isg.Actor
	Input   json.RawMessage
}

// AroundCall is Around with the resolved call as well, so that around can dispatch the same
// command elsewhere — on another Gateway over the same store, say, as the permission audit does.
// When both are given, AroundCall wraps Around.
func AroundCall(around func(s Step, c Call, dispatch func() (any, error)) (any, error)) Option {
	return func(o *options) { o.aroundCall = around }
}

// Around wraps the running of each command step: around gets the step and a function that
// dispatches its command once (with its actor and input resolved) and may call it as often as it
// likes; what around returns is taken as the step's outcome and checked against the file. Tests
// use it to run every step of every scenario under injected store faults, for example.
func Around(around func(s Step, dispatch func() (any, error)) (any, error)) Option {
	return func(o *options) { o.around = around }
}

func runStep(ctx context.Context, target Target, vars map[string]string, s Step, o options) error {
	if s.Clock != nil || s.Advance != "" {
		if err := target.SetClock(ctx, ClockChange{Clock: s.Clock, Advance: s.Advance, Backwards: s.Backwards}); err != nil {
			return fmt.Errorf("clock: %w", err)
		}
	}
	if s.Command == "" {
		return nil
	}
	// A step with no actor is the host's own: the target runs it as the host (see Target).
	var actor isg.Actor
	if s.As != nil {
		var err error
		if actor, err = resolveActor(vars, *s.As); err != nil {
			return err
		}
	}
	input, err := substitute(s.Input, vars)
	if err != nil {
		return err
	}
	dispatch := func() (any, error) { return target.Dispatch(ctx, s.Command, actor, input) }
	if o.around == nil {
		o.around = func(_ Step, dispatch func() (any, error)) (any, error) { return dispatch() }
	}
	var res any
	if o.aroundCall != nil {
		res, err = o.aroundCall(s, Call{Command: s.Command, Actor: actor, Input: input}, func() (any, error) { return o.around(s, dispatch) })
	} else {
		res, err = o.around(s, dispatch)
	}
	if err := checkOutcome(*s.Expect, err); err != nil {
		return err
	}
	if err != nil || (len(s.Save) == 0 && len(s.Check) == 0) {
		return nil
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		return err
	}
	for name, path := range s.Save {
		path, err := expandPath(path, vars)
		if err != nil {
			return err
		}
		v, err := lookup(doc, path)
		if err != nil {
			return fmt.Errorf("save %s: %w", name, err)
		}
		str, ok := v.(string)
		if !ok {
			enc, _ := json.Marshal(v)
			str = string(enc)
		}
		vars[name] = str
	}
	for path, raw := range s.Check {
		want, err := substitute(raw, vars)
		if err != nil {
			return err
		}
		var wantV any
		if err := json.Unmarshal(want, &wantV); err != nil {
			return fmt.Errorf("check %s: bad expected value: %w", path, err)
		}
		expanded, err := expandPath(path, vars)
		if err != nil {
			return err
		}
		got, err := lookup(doc, expanded)
		if errors.Is(err, errMissing) && wantV == nil {
			continue // an omitted field reads as null
		}
		if err != nil {
			return fmt.Errorf("check %s: %w", path, err)
		}
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(wantV)
		if !bytes.Equal(gb, wb) {
			return fmt.Errorf("check %s: got %s, want %s", path, gb, wb)
		}
	}
	return nil
}

func checkOutcome(want Expect, err error) error {
	if want.OK {
		if err != nil {
			return fmt.Errorf("want ok, got error %s: %v", isg.ErrorCode(err), err)
		}
		return nil
	}
	if err == nil {
		return fmt.Errorf("want error %s, got ok", want.Error)
	}
	if code := isg.ErrorCode(err); code != want.Error {
		return fmt.Errorf("want error %s, got %s: %v", want.Error, code, err)
	}
	var e *isg.Error
	errors.As(err, &e)
	if want.Rule != "" && (e == nil || e.Rule != want.Rule) {
		return fmt.Errorf("want rule %s, got error %v", want.Rule, err)
	}
	for _, f := range want.Fields {
		if e == nil || !slices.ContainsFunc(e.Fields, func(fe isg.FieldError) bool { return fe.Field == f }) {
			return fmt.Errorf("want a field error on %q, got %v", f, err)
		}
	}
	if want.ExactFields {
		for _, fe := range e.Fields {
			if !slices.Contains(want.Fields, fe.Field) {
				return fmt.Errorf("want field errors on exactly %q, got one on %q too: %v", want.Fields, fe.Field, err)
			}
		}
	}
	return nil
}

func resolveActor(vars map[string]string, a Actor) (isg.Actor, error) {
	var out isg.Actor
	user, err := expand(a.User, vars)
	if err != nil {
		return out, err
	}
	if out.User, err = isg.ParseUserID(user); err != nil {
		return out, fmt.Errorf("actor user %q: %w", a.User, err)
	}
	if a.Org != "" {
		org, err := expand(a.Org, vars)
		if err != nil {
			return out, err
		}
		if out.Org, err = isg.ParseOrgID(org); err != nil {
			return out, fmt.Errorf("actor org %q: %w", a.Org, err)
		}
	}
	return out, nil
}

// expand replaces a "$name" string by the variable's value; "$$…" is the literal "$…"; other
// strings stay as they are.
func expand(s string, vars map[string]string) (string, error) {
	if lit, ok := strings.CutPrefix(s, "$$"); ok {
		return "$" + lit, nil
	}
	name, ok := strings.CutPrefix(s, "$")
	if !ok {
		return s, nil
	}
	v, set := vars[name]
	if !set {
		return "", fmt.Errorf("variable $%s is not set", name)
	}
	return v, nil
}

// expandPath expands "$name" segments of a dotted path, so a check can address a map by an ID.
func expandPath(path string, vars map[string]string) (string, error) {
	parts := strings.Split(path, ".")
	for i, p := range parts {
		var err error
		if parts[i], err = expand(p, vars); err != nil {
			return "", err
		}
	}
	return strings.Join(parts, "."), nil
}

// substitute expands every "$name" string in a JSON document.
func substitute(raw json.RawMessage, vars map[string]string) (json.RawMessage, error) {
	if len(raw) == 0 {
		return raw, nil
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("bad input JSON: %w", err)
	}
	var walk func(v any) (any, error)
	walk = func(v any) (any, error) {
		switch x := v.(type) {
		case string:
			return expand(x, vars)
		case []any:
			for i := range x {
				var err error
				if x[i], err = walk(x[i]); err != nil {
					return nil, err
				}
			}
		case map[string]any:
			for k := range x {
				var err error
				if x[k], err = walk(x[k]); err != nil {
					return nil, err
				}
			}
		}
		return v, nil
	}
	doc, err := walk(doc)
	if err != nil {
		return nil, err
	}
	return json.Marshal(doc)
}

// errMissing marks a path through a field the result does not have.
var errMissing = errors.New("field absent")

// lookup follows a dotted path through a decoded JSON document. Array elements are addressed by
// index; "#" gives an array's length.
func lookup(doc any, path string) (any, error) {
	cur := doc
	if path == "" || path == "." {
		return cur, nil
	}
	for _, part := range strings.Split(path, ".") {
		switch x := cur.(type) {
		case map[string]any:
			v, ok := x[part]
			if !ok {
				return nil, fmt.Errorf("no field %q in path %q: %w", part, path, errMissing)
			}
			cur = v
		case []any:
			if part == "#" {
				cur = float64(len(x))
				continue
			}
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return nil, fmt.Errorf("bad index %q in path %q (length %d)", part, path, len(x))
			}
			cur = x[i]
		default:
			return nil, fmt.Errorf("path %q goes into a %T at %q", path, cur, part)
		}
	}
	return cur, nil
}

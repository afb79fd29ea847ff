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
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

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
}

// Factory makes a fresh Gateway for one scenario; it must pass opts (the scenario's clock) to isg.New.
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

// EnvDir names the environment variable holding an extra folder of scenario files to run.
const EnvDir = "ISG_SCENARIOS"

// RunAll runs every *.json file in dir and, when ISG_SCENARIOS is set, every file in that folder too.
func RunAll(t *testing.T, dir string, newGateway Factory) {
	t.Helper()
	RunDir(t, dir, newGateway)
	if extra := os.Getenv(EnvDir); extra != "" {
		t.Run("ISG_SCENARIOS", func(t *testing.T) { RunDir(t, extra, newGateway) })
	}
}

// RunDir runs every *.json file of dir as a subtest. A folder with no scenario fails.
func RunDir(t *testing.T, dir string, newGateway Factory) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatalf("scenario: %v", err)
	}
	if len(paths) == 0 {
		t.Fatalf("scenario: no *.json files in %s", dir)
	}
	sort.Strings(paths)
	for _, p := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(p), ".json"), func(t *testing.T) { RunFile(t, p, newGateway) })
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
	known := isg.CommandNames()
	for i, s := range f.Steps {
		where := fmt.Sprintf("%s: step %d (%s)", path, i+1, s.Name)
		if s.Command == "" {
			if s.Clock == nil && s.Advance == "" {
				return File{}, fmt.Errorf("%s: a step needs a command, a clock or an advance", where)
			}
			continue
		}
		if _, found := slices.BinarySearch(known, s.Command); !found {
			return File{}, fmt.Errorf("%s: unknown command %q", where, s.Command)
		}
		if s.Expect == nil || s.Expect.OK == (s.Expect.Error != "") {
			return File{}, fmt.Errorf("%s: expect must say either \"ok\": true or an \"error\" code", where)
		}
		if s.Advance != "" {
			if _, err := parseAdvance(s.Advance); err != nil {
				return File{}, fmt.Errorf("%s: %w", where, err)
			}
		}
	}
	return f, nil
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
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	clock := NewClock(f.Start)
	g := newGateway(t, isg.WithClock(clock))
	if err := Execute(context.Background(), f, g, clock); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// Execute runs a loaded scenario's steps in order on g, whose clock must be clock, and returns
// the first step that did not go as the file expects, named by number, name and command.
func Execute(ctx context.Context, f File, g *isg.Gateway, clock *Clock, opts ...Option) error {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	vars := map[string]string{}
	for i, s := range f.Steps {
		if err := runStep(ctx, g, clock, vars, s, o); err != nil {
			return fmt.Errorf("step %d (%s %s): %w", i+1, s.Name, s.Command, err)
		}
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

func runStep(ctx context.Context, g *isg.Gateway, clock *Clock, vars map[string]string, s Step, o options) error {
	if s.Clock != nil {
		clock.Set(*s.Clock)
	}
	if s.Advance != "" {
		d, _ := parseAdvance(s.Advance)
		clock.Advance(d)
	}
	if s.Command == "" {
		return nil
	}
	var actor isg.Actor
	if s.As != nil {
		var err error
		if actor, err = resolveActor(vars, *s.As); err != nil {
			return err
		}
	} else {
		// A step with no actor is the host's own: the runner is the host, so a command declared
		// for the host (outbox.drain, NOTE-4) runs; for any other command this changes nothing.
		ctx = isg.AsHost(ctx)
	}
	input, err := substitute(s.Input, vars)
	if err != nil {
		return err
	}
	dispatch := func() (any, error) { return g.Dispatch(ctx, s.Command, actor, input) }
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

// expand replaces a "$name" string by the variable's value; other strings stay as they are.
func expand(s string, vars map[string]string) (string, error) {
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

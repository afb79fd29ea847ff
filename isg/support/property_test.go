package support_test

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/isgkit/gateway/isg/support"
	"github.com/isgkit/gateway/isg/violation"
	"github.com/isgkit/gateway/licensing"
)

// requestModel is the reference for the request lifecycle (SUP-1, SUP-2, LIC-3): a plain switch
// over the rulebook as decided in the package doc, against which the machine is checked on
// random histories of steps by random people at random times.
type requestModel struct {
	state                  support.State
	answeredAt, resolvedAt time.Time
	escalated              bool
	entries                int
}

// step returns the code the model expects ("" for success) and applies a success.
func (m *requestModel) step(s step, who string, free bool, now time.Time) string {
	requesterSide := who == "requester" || who == "admin"
	since := m.answeredAt
	if m.state == support.Resolved {
		since = m.resolvedAt
	}
	code, next := "", m.state
	switch s {
	case answer:
		switch {
		case m.state == support.Open && who == "sa":
			next = support.Answered
		case m.state == support.Escalated && who == "central":
			next = support.AnsweredByCentral
		case m.state == support.Open || m.state == support.Escalated:
			code = support.CodeNotAnsweringTeam
		default:
			code = support.CodeInvalidTransition
		}
	case escalate:
		switch {
		case m.state != support.Open:
			code = support.CodeInvalidTransition
		case who != "sa":
			code = support.CodeNotAnsweringTeam
		case free:
			code = licensing.CodeCapabilityDenied
		default:
			next = support.Escalated
		}
	case resolve:
		ok := requesterSide
		switch m.state {
		case support.Answered:
			ok = ok || who == "sa"
		case support.AnsweredByCentral:
			ok = ok || who == "central"
		case support.Resolved:
			return support.CodeInvalidTransition
		}
		if !ok {
			return support.CodeNotRequester
		}
		next = support.Resolved
	case reopen:
		switch {
		case m.state == support.Open || m.state == support.Escalated:
			code = support.CodeInvalidTransition
		case !requesterSide:
			code = support.CodeNotRequester
		case !now.Before(since.AddDate(0, 0, support.ReopenDays)):
			code = support.CodeReopenWindowPassed
		default:
			next = support.Open
		}
	}
	if code != "" {
		return code
	}
	switch next {
	case support.Answered, support.AnsweredByCentral:
		m.answeredAt = now
	case support.Escalated:
		m.escalated = true
	case support.Resolved:
		m.resolvedAt = now
	}
	m.state = next
	m.entries++
	return ""
}

// TestRequestMachineMatchesModel: SUP-1, SUP-2, LIC-3 on random histories: every step's outcome
// (state or refusal code) is the model's, a refusal leaves the request as it was, every success
// adds one history entry, and the central team sees the request exactly when it was escalated.
func TestRequestMachineMatchesModel(t *testing.T) {
	m := support.NewMachine()
	rapid.Check(t, func(t *rapid.T) {
		c := newCast()
		actors := map[string]support.Actor{"requester": c.requester, "admin": c.admin, "sa": c.sa, "central": c.central, "stranger": c.stranger}
		r := c.raise(t, m)
		model := &requestModel{state: support.Open, entries: 1}
		now := t0
		steps := []step{answer, escalate, resolve, reopen}
		names := []string{"requester", "admin", "sa", "central", "stranger"}
		for i := range rapid.IntRange(1, 30).Draw(t, "steps") {
			s := rapid.SampledFrom(steps).Draw(t, fmt.Sprint("step", i))
			who := rapid.SampledFrom(names).Draw(t, fmt.Sprint("who", i))
			free := rapid.IntRange(0, 4).Draw(t, fmt.Sprint("free", i)) == 0
			now = now.Add(time.Duration(rapid.IntRange(0, 20*24).Draw(t, fmt.Sprint("hours", i))) * time.Hour)
			ent := c.licensed
			if free {
				ent = c.free
			}
			before := fmt.Sprint(r)
			want := model.step(s, who, free, now)
			next, events, err := s.take(m, r, actors[who], ent, support.StepInput{Seen: r.Version, Text: "text"}, now)
			if got := violation.Code(err); got != want {
				t.Fatalf("%s by %s at %s from %s: got %q, model %q", s, who, now, r.State, got, want)
			}
			if err != nil {
				if fmt.Sprint(next) != before || len(events) != 0 {
					t.Fatalf("a refused %s changed the request or raised events", s)
				}
				continue
			}
			next.Version = r.Version + 1
			r = next
			if r.State != model.state || len(r.Entries) != model.entries || len(events) != 1 {
				t.Fatalf("after %s by %s: %s with %d entries, model %s with %d", s, who, r.State, len(r.Entries), model.state, model.entries)
			}
			if r.VisibleTo(c.central) != model.escalated {
				t.Fatalf("central sees it: %v, escalated: %v", r.VisibleTo(c.central), model.escalated)
			}
			if !r.VisibleTo(c.requester) || !r.VisibleTo(c.sa) || r.VisibleTo(c.stranger) {
				t.Fatal("SUP-2: the requester and the group's Super Administrators see it, a stranger never")
			}
		}
	})
}

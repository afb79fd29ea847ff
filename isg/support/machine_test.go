package support_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg/support"
	"github.com/isgkit/gateway/isg/violation"
	"github.com/isgkit/gateway/licensing"
)

// step is one lifecycle step as the tests name it.
type step string

const (
	answer   step = "answer"
	escalate step = "escalate"
	resolve  step = "resolve"
	reopen   step = "reopen"
)

func (s step) take(m *support.Machine, r support.Request, a support.Actor, ent licensing.Entitlement, in support.StepInput, at time.Time) (support.Request, []support.Event, error) {
	switch s {
	case answer:
		return m.Answer(r, a, in, at)
	case escalate:
		return m.Escalate(r, a, ent, in, at)
	case resolve:
		return m.Resolve(r, a, in, at)
	}
	return m.Reopen(r, a, in, at)
}

// TestRequestLifecycle: SUP-1 (and LIC-3) — Open → Answered → Resolved, or Escalated → Answered
// by central → Resolved; who takes each step; reopening within 14 days of the answer or the
// resolution; a free-licence organisation's request is never escalated to the central team.
func TestRequestLifecycle(t *testing.T) {
	m := support.NewMachine()
	c := newCast()
	day := 24 * time.Hour
	tests := []struct {
		name  string
		from  support.State
		step  step
		by    func(cast) support.Actor
		free  bool
		after time.Duration
		want  support.State
		code  string
	}{
		{"SUP-1: a group's Super Administrator answers", support.Open, answer, func(c cast) support.Actor { return c.sa }, false, 0, support.Answered, ""},
		{"SUP-1: the requester does not answer their own request", support.Open, answer, func(c cast) support.Actor { return c.requester }, false, 0, "", support.CodeNotAnsweringTeam},
		{"SUP-1: the central team does not answer an open request", support.Open, answer, func(c cast) support.Actor { return c.central }, false, 0, "", support.CodeNotAnsweringTeam},
		{"SUP-1: a Super Administrator escalates", support.Open, escalate, func(c cast) support.Actor { return c.sa }, false, 0, support.Escalated, ""},
		{"SUP-1: an Administrator of the organisation does not escalate", support.Open, escalate, func(c cast) support.Actor { return c.admin }, false, 0, "", support.CodeNotAnsweringTeam},
		{"LIC-3: a free-licence organisation's request is not escalated to the central team", support.Open, escalate, func(c cast) support.Actor { return c.sa }, true, 0, "", licensing.CodeCapabilityDenied},
		{"SUP-1: only the central team answers an escalated request", support.Escalated, answer, func(c cast) support.Actor { return c.sa }, false, 0, "", support.CodeNotAnsweringTeam},
		{"SUP-1: the central team answers an escalated request", support.Escalated, answer, func(c cast) support.Actor { return c.central }, false, 0, support.AnsweredByCentral, ""},
		{"SUP-1: an answered request is not escalated", support.Answered, escalate, func(c cast) support.Actor { return c.sa }, false, 0, "", support.CodeInvalidTransition},
		{"SUP-1: an answered request is not answered again", support.Answered, answer, func(c cast) support.Actor { return c.sa }, false, 0, "", support.CodeInvalidTransition},
		{"SUP-1: the requester resolves an answered request", support.Answered, resolve, func(c cast) support.Actor { return c.requester }, false, 0, support.Resolved, ""},
		{"SUP-1: the Super Administrator who answered resolves it", support.Answered, resolve, func(c cast) support.Actor { return c.sa }, false, 0, support.Resolved, ""},
		{"SUP-1: the central team does not resolve its group's answer", support.Answered, resolve, func(c cast) support.Actor { return c.central }, false, 0, "", support.CodeNotRequester},
		{"SUP-1: the central team resolves its own answer", support.AnsweredByCentral, resolve, func(c cast) support.Actor { return c.central }, false, 0, support.Resolved, ""},
		{"SUP-1: an Administrator resolves for the requester", support.AnsweredByCentral, resolve, func(c cast) support.Actor { return c.admin }, false, 0, support.Resolved, ""},
		{"SUP-1: the requester withdraws an open request", support.Open, resolve, func(c cast) support.Actor { return c.requester }, false, 0, support.Resolved, ""},
		{"SUP-1: a Super Administrator does not resolve an unanswered request", support.Open, resolve, func(c cast) support.Actor { return c.sa }, false, 0, "", support.CodeNotRequester},
		{"SUP-1: the requester withdraws an escalated request", support.Escalated, resolve, func(c cast) support.Actor { return c.requester }, false, 0, support.Resolved, ""},
		{"SUP-1: reopen an answer within 14 days", support.Answered, reopen, func(c cast) support.Actor { return c.requester }, false, 14*day - time.Second, support.Open, ""},
		{"SUP-1: not 14 days after the answer", support.Answered, reopen, func(c cast) support.Actor { return c.requester }, false, 14 * day, "", support.CodeReopenWindowPassed},
		{"SUP-1: reopen a central answer", support.AnsweredByCentral, reopen, func(c cast) support.Actor { return c.admin }, false, day, support.Open, ""},
		{"SUP-1: reopen a resolution within 14 days", support.Resolved, reopen, func(c cast) support.Actor { return c.requester }, false, 13 * day, support.Open, ""},
		{"SUP-1: not 14 days after the resolution", support.Resolved, reopen, func(c cast) support.Actor { return c.requester }, false, 15 * day, "", support.CodeReopenWindowPassed},
		{"SUP-1: only the requester's side reopens", support.Resolved, reopen, func(c cast) support.Actor { return c.sa }, false, day, "", support.CodeNotRequester},
		{"SUP-1: a stranger reopens nothing", support.Answered, reopen, func(c cast) support.Actor { return c.stranger }, false, day, "", support.CodeNotRequester},
		{"SUP-1: an open request is not reopened", support.Open, reopen, func(c cast) support.Actor { return c.requester }, false, 0, "", support.CodeInvalidTransition},
		{"SUP-1: a resolved request is not answered", support.Resolved, answer, func(c cast) support.Actor { return c.sa }, false, 0, "", support.CodeInvalidTransition},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.in(t, m, tt.from)
			before := fmt.Sprint(r)
			ent := c.licensed
			if tt.free {
				ent = c.free
			}
			next, events, err := tt.step.take(m, r, tt.by(c), ent, support.StepInput{Seen: r.Version, Text: "Some text."}, t0.Add(tt.after))
			assert.Equal(t, before, fmt.Sprint(r), "the caller's request is never changed")
			if tt.code != "" {
				require.Error(t, err)
				assert.Equal(t, tt.code, violation.Code(err))
				assert.Equal(t, r.State, next.State)
				assert.Empty(t, events)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, next.State)
			require.Len(t, events, 1, "every step tells the other side")
			assert.Len(t, next.Entries, len(r.Entries)+1, "every step is kept in the history")
			assert.Equal(t, tt.by(c).User, next.Entries[len(next.Entries)-1].By)
		})
	}
}

// TestEveryStepTellsTheOtherSide: SUP-1 — the audience of each step's event.
func TestEveryStepTellsTheOtherSide(t *testing.T) {
	m := support.NewMachine()
	c := newCast()
	requester := []support.UserID{c.requester.User}
	tests := []struct {
		name string
		do   func(t *testing.T) []support.Event
		typ  support.EventType
		to   support.Audience
	}{
		{"raised: the group's Super Administrators", func(t *testing.T) []support.Event {
			_, ev, err := m.Raise(support.RaiseInput{ID: support.RequestID{UUID: c.group.UUID}, Org: c.org, Group: c.group, By: c.requester.User, Subject: "s", Description: "d"}, t0)
			require.NoError(t, err)
			return ev
		}, support.EventRaised, support.Audience{SuperAdmins: true}},
		{"answered: the requester", func(t *testing.T) []support.Event {
			_, ev, err := m.Answer(c.in(t, m, support.Open), c.sa, support.StepInput{Text: "a"}, t0)
			require.NoError(t, err)
			return ev
		}, support.EventAnswered, support.Audience{Users: requester}},
		{"escalated: the central team and the requester", func(t *testing.T) []support.Event {
			_, ev, err := m.Escalate(c.in(t, m, support.Open), c.sa, c.licensed, support.StepInput{Text: "e"}, t0)
			require.NoError(t, err)
			return ev
		}, support.EventEscalated, support.Audience{Users: requester, Central: true}},
		{"answered by central: the requester and the Super Administrators", func(t *testing.T) []support.Event {
			_, ev, err := m.Answer(c.in(t, m, support.Escalated), c.central, support.StepInput{Text: "a"}, t0)
			require.NoError(t, err)
			return ev
		}, support.EventAnsweredByCentral, support.Audience{Users: requester, SuperAdmins: true}},
		{"resolved by the requester: the support side", func(t *testing.T) []support.Event {
			_, ev, err := m.Resolve(c.in(t, m, support.AnsweredByCentral), c.requester, support.StepInput{}, t0)
			require.NoError(t, err)
			return ev
		}, support.EventResolved, support.Audience{SuperAdmins: true, Central: true}},
		{"resolved by the support side: the requester", func(t *testing.T) []support.Event {
			_, ev, err := m.Resolve(c.in(t, m, support.Answered), c.sa, support.StepInput{}, t0)
			require.NoError(t, err)
			return ev
		}, support.EventResolved, support.Audience{Users: requester}},
		{"reopened: the Super Administrators", func(t *testing.T) []support.Event {
			_, ev, err := m.Reopen(c.in(t, m, support.Answered), c.requester, support.StepInput{Text: "still broken"}, t0)
			require.NoError(t, err)
			return ev
		}, support.EventReopened, support.Audience{SuperAdmins: true}},
		{"reopened after escalation: and the central team", func(t *testing.T) []support.Event {
			_, ev, err := m.Reopen(c.in(t, m, support.AnsweredByCentral), c.requester, support.StepInput{Text: "still broken"}, t0)
			require.NoError(t, err)
			return ev
		}, support.EventReopened, support.Audience{SuperAdmins: true, Central: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := tt.do(t)
			require.Len(t, ev, 1)
			assert.Equal(t, tt.typ, ev[0].Type)
			assert.Equal(t, tt.to, ev[0].To)
		})
	}
	assert.Len(t, support.EventTypes(), len(tests)-2, "every event type is raised")
}

// TestStaleStepsAreConflicts: SUP-1 — a step on a version older than the stored one is a
// conflict (two Super Administrators answering at once: the second retries on fresh state).
func TestStaleStepsAreConflicts(t *testing.T) {
	m := support.NewMachine()
	c := newCast()
	r := c.in(t, m, support.Answered) // version 2
	_, _, err := m.Resolve(r, c.requester, support.StepInput{Seen: 1}, t0)
	assert.ErrorIs(t, err, support.ErrConflict)
	assert.Equal(t, support.CodeStale, violation.Code(err))
	_, _, err = m.Resolve(r, c.requester, support.StepInput{Seen: 2}, t0)
	assert.NoError(t, err)
}

// TestStepTextIsChecked: SUP-1 — answers, escalations and reopenings say something; text is
// bounded.
func TestStepTextIsChecked(t *testing.T) {
	m := support.NewMachine()
	c := newCast()
	r := c.in(t, m, support.Open)
	_, _, err := m.Answer(r, c.sa, support.StepInput{Text: "   "}, t0)
	var e *support.Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, "text", e.Fields[0].Field)
	_, _, err = m.Resolve(r, c.requester, support.StepInput{Text: string(make([]rune, support.MaxText+1))}, t0)
	assert.ErrorIs(t, err, support.ErrInvalid)
	_, _, err = m.Raise(support.RaiseInput{}, t0)
	require.True(t, errors.As(err, &e))
	assert.Len(t, e.Fields, 5, "id, org, by, subject and description")
}

// TestRaiseNeedsAGroup: LIC-3, SUP-1 — an organisation with no support group (free licence, no
// licensing group) cannot raise a request: it has no Super Administrators and no central support.
func TestRaiseNeedsAGroup(t *testing.T) {
	m := support.NewMachine()
	c := newCast()
	_, _, err := m.Raise(support.RaiseInput{ID: support.RequestID{UUID: c.group.UUID}, Org: c.org, By: c.requester.User, Subject: "s", Description: "d"}, t0)
	assert.ErrorIs(t, err, support.ErrLicence)
	assert.Equal(t, support.CodeNoGroup, violation.Code(err))
}

// TestGroupOf: SUP-1, LIC-3 — a request goes to the contract the organisation holds a group
// licence under; failing that to the active licensing group it chose (free licence: no
// escalation); failing that nowhere.
func TestGroupOf(t *testing.T) {
	org := orgID()
	chosen := contract(orgID(), t0.AddDate(0, -1, 0))
	licensed := withLicence(contract(orgID(), t0.AddDate(0, -1, 0)), org, licensing.Group, t0.AddDate(0, 0, -1))
	dpiaOnly := withLicence(contract(orgID(), t0.AddDate(0, -1, 0)), org, licensing.DPIA, t0.AddDate(0, 0, -1))
	ended := contract(orgID(), t0.AddDate(-2, 0, 0))
	tests := []struct {
		name      string
		group     string
		contracts []licensing.Contract
		want      licensing.Contract
		ok        bool
	}{
		{"the contract of its group licence", chosen.ID.String(), []licensing.Contract{chosen, licensed}, licensed, true},
		{"a DPIA licence is no group licence: the chosen group", chosen.ID.String(), []licensing.Contract{dpiaOnly, chosen}, chosen, true},
		{"free, in a group: the chosen group", chosen.ID.String(), []licensing.Contract{chosen}, chosen, true},
		{"free, in an ended group: none", ended.ID.String(), []licensing.Contract{ended}, licensing.Contract{}, false},
		{"free, in no group: none", "", []licensing.Contract{dpiaOnly}, licensing.Contract{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := support.GroupOf(org, tt.group, tt.contracts, t0)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want.ID, got.ID)
		})
	}
}

// TestMoveOnMerge: ORG-6, SUP-1 — a merge moves every request not settled to the survivor, with
// the survivor's group when it has one, keeping its state and history; a settled one stays.
func TestMoveOnMerge(t *testing.T) {
	m := support.NewMachine()
	c := newCast()
	survivor, newGroup, by := orgID(), support.GroupID{UUID: c.org.UUID}, userID()
	r := c.in(t, m, support.Escalated)
	moved, ok := m.Move(r, survivor, newGroup, by, t0)
	require.True(t, ok)
	assert.Equal(t, survivor, moved.Org)
	assert.Equal(t, newGroup, moved.Group)
	assert.Equal(t, support.Escalated, moved.State)
	assert.Equal(t, r.Entries, moved.Entries[:len(r.Entries)], "history kept")
	last := moved.Entries[len(moved.Entries)-1]
	assert.Equal(t, support.EntryMoved, last.Kind)
	assert.Equal(t, c.org, last.FromOrg)
	assert.Equal(t, c.group, last.FromGroup)
	assert.Equal(t, c.org, r.Org, "the caller's request is unchanged")

	kept, ok := m.Move(r, survivor, support.GroupID{}, by, t0)
	require.True(t, ok)
	assert.Equal(t, c.group, kept.Group, "a survivor with no group leaves the request with its own")

	done := c.in(t, m, support.Resolved)
	_, ok = m.Move(done, survivor, newGroup, by, t0.AddDate(0, 0, 13))
	assert.True(t, ok, "within its reopening window a resolved request still moves")
	_, ok = m.Move(done, survivor, newGroup, by, t0.AddDate(0, 0, 14))
	assert.False(t, ok, "a settled request stays where it is")
}

// TestNextSteps: SUP-1 — what a UI offers each side.
func TestNextSteps(t *testing.T) {
	m := support.NewMachine()
	c := newCast()
	open := c.in(t, m, support.Open)
	assert.Equal(t, []support.Trigger{support.TriggerAnswer, support.TriggerEscalate}, m.Next(open, c.sa, c.licensed, t0))
	assert.Equal(t, []support.Trigger{support.TriggerAnswer}, m.Next(open, c.sa, c.free, t0), "LIC-3: no escalation")
	assert.Equal(t, []support.Trigger{support.TriggerResolve}, m.Next(open, c.requester, c.licensed, t0))
	answered := c.in(t, m, support.Answered)
	assert.Equal(t, []support.Trigger{support.TriggerReopen, support.TriggerResolve}, m.Next(answered, c.requester, c.licensed, t0))
	assert.Equal(t, []support.Trigger{support.TriggerResolve}, m.Next(answered, c.requester, c.licensed, t0.AddDate(0, 0, 14)))
	assert.Empty(t, m.Next(answered, c.stranger, c.licensed, t0))
	assert.Nil(t, m.Next(support.Request{State: "lost"}, c.sa, c.licensed, t0))
}

// TestUnknownStateIsRefused: a stored state this version does not know takes no step.
func TestUnknownStateIsRefused(t *testing.T) {
	m := support.NewMachine()
	c := newCast()
	r := c.in(t, m, support.Open)
	r.State = "archived"
	_, _, err := m.Answer(r, c.sa, support.StepInput{Text: "a"}, t0)
	assert.Equal(t, support.CodeInvalidTransition, violation.Code(err))
}

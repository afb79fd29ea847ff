package support_test

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/isg/support"
	"github.com/isgkit/gateway/licensing"
)

// A request raised to the group's Super Administrators, escalated to the central team, answered
// there and resolved by the requester; then reopened too late. The Gateway does the same with a
// store, the permission table and the outbox around it.
func Example() {
	m := support.NewMachine()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	org, group := support.OrgID{UUID: uuid.New()}, support.GroupID{UUID: uuid.New()}
	requester := support.Actor{User: support.UserID{UUID: uuid.New()}, Member: true}
	superAdmin := support.Actor{User: support.UserID{UUID: uuid.New()}, SuperAdmin: true}
	central := support.Actor{User: support.UserID{UUID: uuid.New()}, Central: true}

	r, events, _ := m.Raise(support.RaiseInput{ID: support.RequestID{UUID: uuid.New()}, Org: org, Group: group, By: requester.User,
		Subject: "Sign-off button missing", Description: "Our Senior Officer cannot see the sign-off button."}, at)
	fmt.Println(r.State, events[0].Type, "to the group's Super Administrators:", events[0].To.SuperAdmins)
	fmt.Println("the central team sees it:", r.VisibleTo(central))

	_, _, err := m.Escalate(r, superAdmin, licensing.Free, support.StepInput{Text: "Cannot reproduce."}, at)
	fmt.Println("escalating for a free-licence organisation:", err)

	r, events, _ = m.Escalate(r, superAdmin, licensing.NewEntitlement(licensing.Group), support.StepInput{Text: "Cannot reproduce."}, at)
	fmt.Println(r.State, events[0].Type, "to the central team:", events[0].To.Central)
	r, _, _ = m.Answer(r, central, support.StepInput{Text: "A role was cached; fixed."}, at.Add(time.Hour))
	r, _, _ = m.Resolve(r, requester, support.StepInput{Text: "Thanks, it works."}, at.Add(2*time.Hour))
	fmt.Println(r.State, "with", len(r.Entries), "entries; reopenable until", r.ReopenUntil().Format("2 Jan"))

	_, _, err = m.Reopen(r, requester, support.StepInput{Text: "It is back."}, at.AddDate(0, 0, 15))
	fmt.Println(err)
	// Output:
	// open support.request_raised to the group's Super Administrators: true
	// the central team sees it: false
	// escalating for a free-licence organisation: licence.capability_denied [LIC-3]: the organisation's licence (free) does not allow it to raise support with the central team: capability: needs a group licence (LIC-3)
	// escalated support.request_escalated to the central team: true
	// resolved with 4 entries; reopenable until 16 Mar
	// support.reopen_window_passed [SUP-1]: a request is reopened within 14 days of its answer or resolution; this one's window ended 2026-03-16T11:00:00Z
}

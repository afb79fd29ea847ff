package support_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/isgkit/gateway/isg/support"
	"github.com/isgkit/gateway/licensing"
)

// TestRequestVisibility: SUP-2 — a request is seen by the requester, the Administrators of the
// requester's organisation, the group's Super Administrators and, once escalated (and from then
// on), the central admin team; by nobody else.
func TestRequestVisibility(t *testing.T) {
	m := support.NewMachine()
	c := newCast()
	open, escalated := c.in(t, m, support.Open), c.in(t, m, support.Escalated)
	reopened, _, err := m.Reopen(c.in(t, m, support.AnsweredByCentral), c.requester, support.StepInput{Text: "again"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		who  support.Actor
		open bool
		esc  bool
	}{
		{"the requester", c.requester, true, true},
		{"the requester, having left the organisation", support.Actor{User: c.requester.User}, false, false},
		{"an Administrator of the requesting organisation", c.admin, true, true},
		{"a Super Administrator of the group", c.sa, true, true},
		{"the central team, once escalated", c.central, false, true},
		{"another user of the organisation, or anyone else", c.stranger, false, false},
		{"nobody", support.Actor{}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.open, open.VisibleTo(tt.who), "open")
			assert.Equal(t, tt.esc, escalated.VisibleTo(tt.who), "escalated")
			assert.Equal(t, tt.esc, reopened.VisibleTo(tt.who), "reopened after escalation: the central team still sees it")
		})
	}
}

// TestResourceVisibility: SUP-3 — each resource is visible to its audience only: a platform-wide
// one to every signed-in user, a group's to its members, its Super Administrators and the central
// team; a withdrawn one to its publishers only.
func TestResourceVisibility(t *testing.T) {
	l := support.NewLibrary()
	group := support.GroupID{UUID: orgID().UUID}
	by := userID()
	platform, err := l.Publish(support.PublishInput{ID: support.ResourceID{UUID: orgID().UUID}, By: by, Content: support.Content{Title: "Getting started", Body: "…"}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	grouped := platform
	grouped.Group = group
	withdrawnPlatform, err := l.Withdraw(platform, by, "out of date", t0)
	if err != nil {
		t.Fatal(err)
	}
	withdrawnGroup, err := l.Withdraw(grouped, by, "out of date", t0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name                       string
		who                        support.Reader
		platform, group, wPlatform bool
		wGroup                     bool
	}{
		{"any signed-in user", support.Reader{}, true, false, false, false},
		{"a member of the group", support.Reader{Member: true}, true, true, false, false},
		{"a Super Administrator of the group", support.Reader{SuperAdmin: true}, true, true, false, true},
		{"the central team", support.Reader{Central: true}, true, true, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.platform, platform.VisibleTo(tt.who), "platform-wide")
			assert.Equal(t, tt.group, grouped.VisibleTo(tt.who), "the group's")
			assert.Equal(t, tt.wPlatform, withdrawnPlatform.VisibleTo(tt.who), "withdrawn platform-wide")
			assert.Equal(t, tt.wGroup, withdrawnGroup.VisibleTo(tt.who), "withdrawn group's")
		})
	}
}

// TestGroupMembers: SUP-3 — a group's members are its contracting organisation, the
// organisations that chose it as their licensing group and those holding a licence under it.
func TestGroupMembers(t *testing.T) {
	icb, chose, licensed, outsider := orgID(), orgID(), orgID(), orgID()
	c := withLicence(contract(icb, t0.AddDate(0, -1, 0)), licensed, licensing.DPIA, t0.AddDate(0, 0, -1))
	assert.True(t, support.Member(c, icb, "", t0))
	assert.True(t, support.Member(c, chose, c.ID.String(), t0))
	assert.True(t, support.Member(c, licensed, "", t0))
	assert.False(t, support.Member(c, outsider, "", t0))
	assert.False(t, support.Member(c, licensed, "", t0.Add(400*24*time.Hour)), "a licence lapses with its contract (LIC-5)")
}

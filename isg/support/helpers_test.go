package support_test

import (
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/isgkit/gateway/isg/support"
	"github.com/isgkit/gateway/licensing"
)

// tb is what the helpers need of a test: a *testing.T or a *rapid.T.
type tb interface {
	Helper()
	Fatal(args ...any)
}

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func userID() support.UserID { return support.UserID{UUID: uuid.New()} }
func orgID() support.OrgID   { return support.OrgID{UUID: uuid.New()} }

// cast is everyone a request may meet: its requester, an Administrator of the requesting
// organisation, a Super Administrator of its group, a central admin and a stranger (a user of
// another organisation, or of the same one holding another role).
type cast struct {
	org                                     support.OrgID
	group                                   support.GroupID
	requester, admin, sa, central, stranger support.Actor
	licensed, free                          licensing.Entitlement
}

func newCast() cast {
	return cast{
		org: orgID(), group: support.GroupID{UUID: uuid.New()},
		requester: support.Actor{User: userID(), Member: true}, admin: support.Actor{User: userID(), Member: true, Administrator: true},
		sa: support.Actor{User: userID(), SuperAdmin: true}, central: support.Actor{User: userID(), Central: true},
		stranger: support.Actor{User: userID(), Member: true},
		licensed: licensing.NewEntitlement(licensing.Group), free: licensing.Free,
	}
}

// raise opens a request from the cast's requester at t0, stored at version 1.
func (c cast) raise(t tb, m *support.Machine) support.Request {
	t.Helper()
	r, _, err := m.Raise(support.RaiseInput{ID: support.RequestID{UUID: uuid.New()}, Org: c.org, Group: c.group, By: c.requester.User,
		Subject: "Cannot add a DPO", Description: "The DPO role is greyed out for our new starter."}, t0)
	if err != nil {
		t.Fatal(err)
	}
	r.Version = 1
	return r
}

// in brings a fresh request to state s through the machine's own steps at t0 (the version moves
// on as the Gateway's store would move it).
func (c cast) in(t tb, m *support.Machine, s support.State) support.Request {
	t.Helper()
	r := c.raise(t, m)
	step := func(next support.Request, _ []support.Event, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		next.Version = r.Version + 1
		r = next
	}
	switch s {
	case support.Answered:
		step(m.Answer(r, c.sa, support.StepInput{Text: "Assign the role from Manage Users."}, t0))
	case support.Escalated:
		step(m.Escalate(r, c.sa, c.licensed, support.StepInput{Text: "Looks like a platform fault."}, t0))
	case support.AnsweredByCentral:
		step(m.Escalate(r, c.sa, c.licensed, support.StepInput{Text: "Looks like a platform fault."}, t0))
		step(m.Answer(r, c.central, support.StepInput{Text: "Fixed in release 4.2."}, t0))
	case support.Resolved:
		step(m.Answer(r, c.sa, support.StepInput{Text: "Assign the role from Manage Users."}, t0))
		step(m.Resolve(r, c.requester, support.StepInput{}, t0))
	}
	return r
}

func contract(org support.OrgID, start time.Time, sas ...support.UserID) licensing.Contract {
	return licensing.Contract{ID: licensing.ContractID{UUID: uuid.New()}, Org: org, Group: "West Yorkshire", Capacity: 100,
		Terms:       []licensing.Term{{Period: licensing.Period{Start: start, End: start.AddDate(1, 0, 0)}, Price: decimal.NewFromInt(1000)}},
		SuperAdmins: sas}
}

func withLicence(c licensing.Contract, org support.OrgID, kind licensing.Kind, at time.Time) licensing.Contract {
	c.Licences = append(c.Licences, licensing.Licence{ID: licensing.LicenceID{UUID: uuid.New()}, Org: org, Kind: kind,
		Status: licensing.LicenceActive, AllocatedAt: at})
	return c
}

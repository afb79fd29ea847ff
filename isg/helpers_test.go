package isg_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
)

// world is a small fixture: a Central Admin and users registered, verified and placed at
// organisations through the public API only.
type world struct {
	t  testing.TB
	g  *isg.Gateway
	ca isg.UserID
}

func newWorld(t testing.TB, opts ...isg.Option) *world {
	t.Helper()
	g := newGateway(t, opts...)
	ca, err := g.Bootstrap(ctx, isg.BootstrapInput{Email: "support@isg.nhs.uk", Name: "Support", Password: "Support#2026"})
	require.NoError(t, err)
	return &world{t: t, g: g, ca: ca.ID}
}

// user registers and verifies an account.
func (w *world) user(email string) isg.UserID {
	w.t.Helper()
	reg, err := w.g.Register(ctx, isg.RegisterInput{Email: email, Name: email, Password: "Passw0rd!"})
	require.NoError(w.t, err)
	_, err = w.g.VerifyEmail(ctx, isg.TokenInput{Token: reg.VerificationToken})
	require.NoError(w.t, err)
	return reg.Account.ID
}

// org registers an organisation whose administrator is admin.
func (w *world) org(admin isg.UserID, name string) isg.OrgID {
	w.t.Helper()
	o, err := w.g.RegisterOrganisation(ctx, isg.Actor{User: admin}, isg.RegisterOrganisationInput{
		Name: name, Category: isg.CategoryLocalAuthority,
		Address:      isg.Address{Line1: "1 High St", Town: "Leeds", Postcode: "LS1 1AA"},
		ContactEmail: "ig@example.gov.uk",
	})
	require.NoError(w.t, err)
	return o.ID
}

// grant gives a user roles at an organisation, acting as its administrator.
func (w *world) grant(admin isg.UserID, org isg.OrgID, who isg.UserID, roles ...isg.Role) {
	w.t.Helper()
	_, err := w.g.SetRoles(ctx, isg.Actor{User: admin, Org: org}, isg.SetRolesInput{User: who, Roles: roles})
	require.NoError(w.t, err)
}

// all returns a listing's items: the tests' listings fit in one page.
func all[T any](l isg.Listing[T], err error) ([]T, error) { return l.Items, err }

// administrators counts the Administrators of org, read by the Central Admin.
func (w *world) administrators(org isg.OrgID) int {
	w.t.Helper()
	members, err := all(w.g.Members(ctx, isg.Actor{User: w.ca, Org: org}, isg.ListPage{}))
	require.NoError(w.t, err)
	n := 0
	for _, m := range members {
		if m.Roles.Has(isg.Administrator) {
			n++
		}
	}
	return n
}

// threeOrgs registers North (Administrator a), South (b) and East (outsider), the last an
// organisation named in nothing the others share.
func (w *world) threeOrgs() (a, b, outsider isg.UserID, north, south, east isg.OrgID) {
	w.t.Helper()
	a, b, outsider = w.user("a@north.gov.uk"), w.user("b@south.gov.uk"), w.user("c@east.gov.uk")
	return a, b, outsider, w.org(a, "North"), w.org(b, "South"), w.org(outsider, "East")
}

package isg_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
)

// TestPermissionTableEveryPair checks every action × role pair of the default table against the
// rulebook's table, written out here independently of the code (ROLE-1, ROLE-8). The signing rows
// prove ROLE-2 (flows: Senior Officer, delegate, IAO) and ROLE-3 (MoU: Senior Officer, delegate);
// the assurance row proves ROLE-4; the DPO review row proves the role half of ROLE-6.
func TestPermissionTableEveryPair(t *testing.T) {
	want := map[isg.Action]string{
		isg.ViewOrganisation:              "administrator senior_officer ig_officer information_asset_owner dpo central_admin",
		isg.EditOrganisation:              "administrator senior_officer",
		isg.ManageUsers:                   "administrator super_administrator central_admin",
		isg.ConfirmDPOExemption:           "administrator senior_officer",
		isg.RegisterSupportedOrganisation: "administrator",
		isg.ManageMerge:                   "administrator senior_officer",
		isg.RequestClosure:                "administrator",
		isg.CloseOrganisation:             "super_administrator central_admin",
		isg.UnlockAccount:                 "super_administrator central_admin",
		isg.SubmitAssurance:               "administrator senior_officer ig_officer", // ROLE-4
		isg.SignMoU:                       "senior_officer delegate",                 // ROLE-3
		isg.ManageDelegation:              "senior_officer",                          // ROLE-5
		isg.EditInventory:                 "administrator ig_officer information_asset_owner",
		isg.EditAgreements:                "administrator senior_officer ig_officer",
		isg.ReviewFlow:                    "dpo",                                             // ROLE-6
		isg.SignOffFlow:                   "senior_officer information_asset_owner delegate", // ROLE-2
		isg.UploadDocuments:               "administrator senior_officer ig_officer information_asset_owner",
		isg.ViewReports:                   "administrator senior_officer ig_officer information_asset_owner dpo",
		isg.ManageLicences:                "super_administrator central_admin",
		isg.CreateActivity:                "administrator senior_officer ig_officer information_asset_owner dpo",
		isg.ValidateAccounts:              "central_admin",                                                                                         // REG-1
		isg.PublishMoU:                    "central_admin",                                                                                         // MOU-1
		isg.ManageContracts:               "central_admin",                                                                                         // LIC-1
		isg.ViewContracts:                 "administrator senior_officer super_administrator central_admin",                                        // LIC-8
		isg.DrainOutbox:                   "central_admin",                                                                                         // NOTE-4
		isg.ManageCentralAdmins:           "central_admin",                                                                                         // REG-4
		isg.ManageSigningKeys:             "central_admin",                                                                                         // SIGN-4
		isg.RaiseSupportRequest:           "administrator senior_officer ig_officer information_asset_owner dpo",                                   // SUP-1
		isg.ViewSupportRequests:           "administrator senior_officer ig_officer information_asset_owner dpo super_administrator central_admin", // SUP-2
		isg.AnswerSupportRequest:          "super_administrator central_admin",                                                                     // SUP-1
		isg.EscalateSupportRequest:        "super_administrator",                                                                                   // SUP-1
		isg.ResolveSupportRequest:         "administrator senior_officer ig_officer information_asset_owner dpo super_administrator central_admin", // SUP-1
		isg.PublishResources:              "super_administrator central_admin",                                                                     // SUP-3
		isg.OpenDPIA:                      "administrator senior_officer ig_officer information_asset_owner dpo",                                   // DPIA-2: then its contributors only
		isg.ApproveDPIA:                   "administrator senior_officer ig_officer information_asset_owner dpo",                                   // DPIA-6: then its named approvers only
		isg.PublishFlow:                   "administrator senior_officer",                                                                          // EXIT-3
		// EXIT-2: the data return is taken by an organisation's accountable officers; imported by the host (or CA).
		isg.ExportData: "administrator senior_officer",
		isg.ImportData: "central_admin",
	}
	roles := []isg.Role{isg.Administrator, isg.SeniorOfficer, isg.IGOfficer, isg.InfoAssetOwner, isg.DPO, isg.Delegate, isg.SuperAdmin, isg.CentralAdmin}
	p := isg.DefaultPermissions()
	require.Len(t, isg.Actions(), len(want), "every action has a row in this test")
	pairs := 0
	for _, a := range isg.Actions() {
		allowed := strings.Fields(want[a])
		for _, r := range roles {
			expected := false
			for _, code := range allowed {
				expected = expected || code == r.String()
			}
			assert.Equal(t, expected, p.Allows(a, isg.Of(r)), "%s by %s", a, r)
			pairs++
		}
		assert.False(t, p.Allows(a, 0), "%s with no role", a)
	}
	assert.Equal(t, len(want)*len(roles), pairs)
}

// TestPermissionsTightenNeverLoosen: a host may tighten the table but never loosen it (ROLE-8).
func TestPermissionsTightenNeverLoosen(t *testing.T) {
	p := isg.DefaultPermissions()
	tight, err := p.Tighten(isg.EditOrganisation, isg.Of(isg.Administrator))
	require.NoError(t, err)
	assert.False(t, tight.Allows(isg.EditOrganisation, isg.Of(isg.SeniorOfficer)))
	assert.True(t, tight.Allows(isg.EditOrganisation, isg.Of(isg.Administrator)))
	_, err = p.Tighten(isg.SignMoU, isg.Of(isg.Administrator))
	assert.ErrorIs(t, err, isg.ErrRule)
	_, err = isg.New(nil)
	assert.Error(t, err)
}

func TestRoleCodesRoundTrip(t *testing.T) {
	for _, r := range isg.Of(isg.Administrator, isg.SeniorOfficer, isg.IGOfficer, isg.InfoAssetOwner, isg.DPO, isg.Delegate, isg.SuperAdmin, isg.CentralAdmin).Roles() {
		back, err := isg.ParseRole(r.String())
		require.NoError(t, err)
		assert.Equal(t, r, back)
	}
	_, err := isg.ParseRole("overlord")
	assert.Error(t, err)
}

func BenchmarkPermissionCheck(b *testing.B) {
	p := isg.DefaultPermissions()
	held := isg.Of(isg.IGOfficer, isg.InfoAssetOwner)
	b.ReportAllocs()
	for b.Loop() {
		if !p.Allows(isg.EditAgreements, held) {
			b.Fatal("denied")
		}
	}
}

// TestConcurrentDemotionsKeepAnAdministrator: two Administrators demoting each other at once must
// not leave the organisation without one (ORG-3): exactly one demotion wins.
func TestConcurrentDemotionsKeepAnAdministrator(t *testing.T) {
	for range 20 {
		w := newWorld(t)
		a, b := w.user("a@nhs.net"), w.user("b@nhs.net")
		org := w.org(a, "Trust")
		w.grant(a, org, b, isg.Administrator, isg.SeniorOfficer)
		w.grant(a, org, a, isg.Administrator, isg.SeniorOfficer)
		errs := make(chan error, 2)
		go func() {
			_, err := w.g.SetRoles(ctx, isg.Actor{User: a, Org: org}, isg.SetRolesInput{User: b, Roles: []isg.Role{isg.IGOfficer}})
			errs <- err
		}()
		go func() {
			_, err := w.g.SetRoles(ctx, isg.Actor{User: b, Org: org}, isg.SetRolesInput{User: a, Roles: []isg.Role{isg.IGOfficer}})
			errs <- err
		}()
		e1, e2 := <-errs, <-errs
		assert.False(t, e1 == nil && e2 == nil, "both demotions succeeded")
		assert.Equal(t, 1, w.administrators(org))
	}
}

// TestDelegationLapsesWithTheDelegatorsRoleROLE5: ROLE-5 — a delegation lapses when its delegator
// no longer holds the Senior Officer role at the organisation: the delegate loses the signing
// authority at once, however the role was lost.
func TestDelegationLapsesWithTheDelegatorsRoleROLE5(t *testing.T) {
	w := newWorld(t)
	admin, so, ig := w.user("adm@leeds.gov.uk"), w.user("so@leeds.gov.uk"), w.user("ig@leeds.gov.uk")
	org := w.org(admin, "Leeds")
	w.grant(admin, org, admin, isg.Administrator, isg.SeniorOfficer)
	w.grant(admin, org, so, isg.SeniorOfficer)
	w.grant(admin, org, ig, isg.IGOfficer)
	_, err := w.g.Delegate(ctx, isg.Actor{User: so, Org: org}, isg.DelegateInput{To: ig})
	require.NoError(t, err)
	delegate := isg.Actor{User: ig, Org: org}
	can, err := w.g.Can(ctx, delegate, isg.SignOffFlow)
	require.NoError(t, err)
	require.True(t, can, "the delegate signs for the Senior Officer")

	w.grant(admin, org, so, isg.IGOfficer)
	can, err = w.g.Can(ctx, delegate, isg.SignOffFlow)
	require.NoError(t, err)
	assert.False(t, can, "the delegator is no longer a Senior Officer: the delegation lapsed")
}

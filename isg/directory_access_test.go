package isg_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
)

// ROLE-7: a record the actor may not see and an ID that names nothing get the same answer, for
// every directory command that names a record of another organisation.
func TestDirectoryRefusalsDoNotTellRecordsFromUnknownIDs(t *testing.T) {
	w := newWorld(t)
	a, b, outsider, north, south, east := w.threeOrgs()
	m, err := w.g.RequestMerge(ctx, isg.Actor{User: a, Org: north}, isg.RequestMergeInput{Merging: []isg.OrgID{south}, Reason: "r", DisclaimerAcknowledged: true})
	require.NoError(t, err)
	c, err := w.g.RequestClosure(ctx, isg.Actor{User: b, Org: south}, isg.RequestClosureInput{Reason: "r"})
	require.NoError(t, err)
	me := isg.Actor{User: outsider, Org: east}

	tests := []struct {
		name             string
		seen, unknown    func() error
		wantSeen, wantNo string
	}{
		{"account.get",
			func() error { _, err := w.g.GetAccount(ctx, me, isg.UserRef{User: b}); return err },
			func() error {
				_, err := w.g.GetAccount(ctx, me, isg.UserRef{User: isg.UserID{UUID: uuid.Must(uuid.NewV7())}})
				return err
			}, "user.not_found", "user.not_found"},
		{"org.answer_merge (ORG-6)",
			func() error {
				_, err := w.g.AnswerMerge(ctx, me, isg.AnswerMergeInput{Merge: m.ID, Approve: true})
				return err
			},
			func() error {
				_, err := w.g.AnswerMerge(ctx, me, isg.AnswerMergeInput{Merge: isg.MergeID{UUID: uuid.Must(uuid.NewV7())}, Approve: true})
				return err
			}, "merge_request.not_found", "merge_request.not_found"},
		{"org.decide_closure (ORG-7)",
			func() error {
				_, err := w.g.DecideClosure(ctx, me, isg.DecideClosureInput{Closure: c.ID, Decision: "close"})
				return err
			},
			func() error {
				_, err := w.g.DecideClosure(ctx, me, isg.DecideClosureInput{Closure: isg.ClosureID{UUID: uuid.Must(uuid.NewV7())}, Decision: "close"})
				return err
			}, "closure_request.not_found", "closure_request.not_found"},
		{"account.unlock (REG-4)",
			func() error { _, err := w.g.Unlock(ctx, me, isg.UserRef{User: b}); return err },
			func() error {
				_, err := w.g.Unlock(ctx, me, isg.UserRef{User: isg.UserID{UUID: uuid.Must(uuid.NewV7())}})
				return err
			}, "forbidden", "forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.wantSeen, isg.ErrorCode(tt.seen()))
			assert.Equal(t, tt.wantNo, isg.ErrorCode(tt.unknown()))
		})
	}
}

// REG-4, ROLE-7: Central Admin unlocks a member of an organisation where it holds no role, and the
// support action is logged there; a locked Central Admin is unlocked at the platform.
func TestUnlockIsCheckedAtTheLockedUsersOrganisation(t *testing.T) {
	w := newWorld(t)
	a := w.user("a@north.gov.uk")
	north := w.org(a, "North")
	for range isg.MaxFailedSignIns {
		_, _ = w.g.SignIn(ctx, isg.SignInInput{Email: "a@north.gov.uk", Password: "wrong-pw1!"})
	}
	acc, err := w.g.GetAccount(ctx, isg.Actor{User: w.ca}, isg.UserRef{User: a})
	require.NoError(t, err)
	require.Equal(t, isg.AccountLocked, acc.State)

	acc, err = w.g.Unlock(ctx, isg.Actor{User: w.ca}, isg.UserRef{User: a})
	require.NoError(t, err)
	assert.Equal(t, isg.AccountActive, acc.State)
	assert.Zero(t, acc.FailedSignIns)
	log, err := all(w.g.SupportAccessLog(ctx, isg.Actor{User: a, Org: north}, isg.ListPage{}))
	require.NoError(t, err)
	var actions []string
	for _, s := range log {
		actions = append(actions, s.Action)
	}
	assert.Contains(t, actions, isg.UnlockAccount.String())

	_, err = w.g.Unlock(ctx, isg.Actor{User: a, Org: north}, isg.UserRef{User: w.ca})
	assert.ErrorIs(t, err, isg.ErrForbidden, "only another Central Admin unlocks a Central Admin")
}

// TestCentralAdminPowersAreLoggedEvenWithARole: ROLE-7 — a Central Admin who also holds a role at
// an organisation, acting there with a power only Central Admin has, leaves a support access
// record; acting within the role held does not.
func TestCentralAdminPowersAreLoggedEvenWithARole(t *testing.T) {
	w := newWorld(t)
	admin := w.user("admin@leeds.gov.uk")
	org := w.org(admin, "Leeds")
	w.grant(admin, org, w.ca, isg.IGOfficer)
	ca := isg.Actor{User: w.ca, Org: org}

	_, err := w.g.SaveSummary(ctx, ca, isg.SummaryInput{SummaryTerms: summaryTerms(org)})
	require.NoError(t, err, "an IG Officer edits agreements")
	_, err = w.g.Invite(ctx, ca, isg.InviteInput{Email: "new@leeds.gov.uk", Roles: []isg.Role{isg.IGOfficer}})
	require.NoError(t, err, "managing users needs Central Admin's powers here")

	log, err := all(w.g.SupportAccessLog(ctx, isg.Actor{User: admin, Org: org}, isg.ListPage{}))
	require.NoError(t, err)
	var actions []string
	for _, s := range log {
		actions = append(actions, s.Action)
	}
	assert.Equal(t, []string{isg.ManageUsers.String()}, actions)
}

// ORG-8: which lead supports an organisation is visible only to the two of them — to a user of
// the supported organisation or of its lead, in org.get and org.search alike; anyone else, Central
// Admin included (who reads it at the lead as logged support), reads the organisation without it.
func TestWhichLeadSupportsAnOrganisationIsSeenByTheTwoORG8(t *testing.T) {
	w := newWorld(t)
	sam, out := w.user("sam@leeds.nhs.uk"), w.user("out@york.gov.uk")
	leeds := w.org(sam, "Leeds")
	w.org(out, "York")
	gp, err := w.g.RegisterSupportedOrganisation(ctx, isg.Actor{User: sam, Org: leeds}, isg.RegisterOrganisationInput{
		Name: "Chapeltown GP", Category: isg.CategoryLocalAuthority,
		Address: isg.Address{Line1: "1 Chapeltown Rd", Town: "Leeds", Postcode: "LS7 3AA"}, ContactEmail: "gp@nhs.net"})
	require.NoError(t, err)
	require.Equal(t, leeds, gp.LeadOrg)
	gpUser := w.user("pm@gp.nhs.net")
	w.grant(sam, gp.ID, gpUser, isg.SeniorOfficer)

	tests := []struct {
		name  string
		actor isg.Actor
		sees  bool
	}{
		{"the lead's administrator", isg.Actor{User: sam}, true},
		{"a user of the supported organisation only", isg.Actor{User: gpUser}, true},
		{"a user of another organisation", isg.Actor{User: out}, false},
		{"Central Admin", isg.Actor{User: w.ca}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := isg.OrgID{}
			if tt.sees {
				want = leeds
			}
			o, err := w.g.GetOrganisation(ctx, tt.actor, isg.OrgRef{Org: gp.ID})
			require.NoError(t, err)
			assert.Equal(t, want, o.LeadOrg, "org.get")
			found, err := w.g.SearchOrganisations(ctx, tt.actor, isg.SearchInput{Query: "Chapeltown GP"})
			require.NoError(t, err)
			require.Len(t, found, 1)
			assert.Equal(t, want, found[0].LeadOrg, "org.search")
		})
	}
}

// TestCentralAdminAccountReadsAreLoggedWhereTheAccountBelongs: ROLE-7 — a Central Admin reading
// an account leaves the support access record at the account's organisation, whichever
// organisation the Central Admin names, so the organisation whose user was read can see it.
func TestCentralAdminAccountReadsAreLoggedWhereTheAccountBelongs(t *testing.T) {
	w := newWorld(t)
	ann := w.user("ann@leeds.gov.uk")
	leeds := w.org(ann, "Leeds")
	bob := w.user("bob@york.gov.uk")
	york := w.org(bob, "York")

	_, err := w.g.GetAccount(ctx, isg.Actor{User: w.ca, Org: york}, isg.UserRef{User: ann})
	require.NoError(t, err)

	atLeeds, err := all(w.g.SupportAccessLog(ctx, isg.Actor{User: ann, Org: leeds}, isg.ListPage{}))
	require.NoError(t, err)
	atYork, err := all(w.g.SupportAccessLog(ctx, isg.Actor{User: bob, Org: york}, isg.ListPage{}))
	require.NoError(t, err)
	assert.Len(t, atLeeds, 1, "logged where the account's organisation sees it")
	assert.Empty(t, atYork, "not at the organisation the Central Admin named")
}

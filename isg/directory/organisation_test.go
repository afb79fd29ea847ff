package directory_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg/directory"
	"github.com/isgkit/gateway/isg/violation"
)

func org(t *testing.T) directory.Organisation {
	t.Helper()
	o, err := directory.NewOrganisation(orgID(), directory.OrganisationInput{Name: "Leeds", Category: directory.CategoryNHSTrust,
		ODSCode: "rr8", ICONumber: "z1", ContactEmail: "IG@Leeds.nhs.uk"}, userID(), directory.OrgID{}, false, t0)
	require.NoError(t, err)
	return o
}

// ORG-1: codes are kept upper case, the contact address in its compared form; an ODS code
// registers once.
func TestNewOrganisationORG1(t *testing.T) {
	o := org(t)
	assert.Equal(t, "RR8", o.ODSCode)
	assert.Equal(t, "Z1", o.ICONumber)
	assert.Equal(t, "ig@leeds.nhs.uk", o.ContactEmail)
	assert.Equal(t, directory.OrgActive, o.Status)
	_, err := directory.NewOrganisation(orgID(), directory.OrganisationInput{ODSCode: "RR8"}, userID(), directory.OrgID{}, true, t0)
	assert.Equal(t, directory.CodeODSTaken, violation.Code(err))
}

// ORG-7: a closed or merged organisation takes no changes; ORG-5/ORG-9: an update never aliases
// its input.
func TestUpdateORG7(t *testing.T) {
	o := org(t)
	name := "Leeds Teaching Hospitals"
	c := &directory.Contact{Name: "IG", Email: "ig@leeds.nhs.uk"}
	next, err := directory.Update(o, directory.OrganisationChanges{Name: &name, BreachContact: c})
	require.NoError(t, err)
	c.Email = "changed@leeds.nhs.uk"
	assert.Equal(t, "ig@leeds.nhs.uk", next.BreachContact.Email)
	assert.Equal(t, "Leeds", o.Name, "the input is unchanged")
	for _, s := range []directory.OrgStatus{directory.OrgClosed, directory.OrgMerged} {
		o.Status = s
		_, err := directory.Update(o, directory.OrganisationChanges{Name: &name})
		assert.Equal(t, directory.CodeOrganisationClosed, violation.Code(err), s)
	}
}

// ORG-3, ORG-4, LIC-3: the last Administrator and Senior Officer keep their roles; a new DPO
// clears the exemption; a new member needs a seat.
func TestSetRolesORG3ORG4(t *testing.T) {
	o := org(t)
	o.DPOExempt = true
	adm := directory.User{ID: userID()}.WithRoles(o.ID, directory.Of(directory.Administrator, directory.SeniorOfficer))
	newcomer := directory.User{ID: userID()}
	tests := []struct {
		name      string
		x         directory.User
		roles     directory.RoleSet
		holders   directory.Holders
		code      string
		clears    bool
		needsSeat bool
	}{
		{"ORG-3: the last administrator stays", adm, directory.Of(directory.SeniorOfficer), directory.Holders{1, 2}, directory.CodeLastAdministrator, false, false},
		{"ORG-3: the last senior officer stays", adm, directory.Of(directory.Administrator), directory.Holders{2, 1}, directory.CodeLastSeniorOfficer, false, false},
		{"ORG-3: with another holder the role may go", adm, directory.Of(directory.SeniorOfficer), directory.Holders{2, 1}, "", false, false},
		{"ORG-4: a new DPO clears the exemption", adm, directory.Of(directory.Administrator, directory.SeniorOfficer, directory.DPO), directory.Holders{1, 1}, "", true, false},
		{"LIC-3: a newcomer needs a seat", newcomer, directory.Of(directory.IGOfficer), directory.Holders{1, 1}, "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := directory.SetRoles(o, tt.x, tt.roles, tt.holders, userID())
			assert.Equal(t, tt.code, violation.Code(err))
			if err != nil {
				return
			}
			assert.Equal(t, tt.roles, c.User.RolesAt(o.ID))
			assert.Equal(t, tt.clears, c.OrgChanged)
			assert.Equal(t, !tt.clears, c.Org.DPOExempt)
			assert.True(t, o.DPOExempt, "the input is unchanged")
			assert.Equal(t, tt.needsSeat, c.NeedsSeat)
			require.Len(t, c.Events, 1)
			assert.Equal(t, []directory.UserID{tt.x.ID}, c.Events[0].To.Users)
		})
	}
}

// REG-5: an invitation to a new address waits for it and tells it; registering with the address
// (any case) takes the pending roles. An invitation to an existing account is offered, not
// imposed: the answer is the same pending invitation, the account is told, and the roles attach
// only when it accepts.
func TestInviteREG5(t *testing.T) {
	o := org(t)
	id := directory.InvitationID{UUID: uuid.Must(uuid.NewV7())}
	inv, err := directory.Invite(o, id, "Sam@Leeds.NHS.uk", directory.Of(directory.SeniorOfficer), nil, userID(), t0)
	require.NoError(t, err)
	assert.True(t, inv.Invitation.Pending())
	assert.True(t, inv.NeedsSeat, "LIC-3: a pending invitation counts")
	require.Len(t, inv.Events, 1)
	assert.Equal(t, "sam@leeds.nhs.uk", inv.Events[0].To.Email)

	x, accepted, err := directory.Register(directory.NewAccount{ID: userID(), Email: "SAM@leeds.nhs.uk"}, false, []directory.Invitation{inv.Invitation}, t0)
	require.NoError(t, err)
	assert.Equal(t, directory.Of(directory.SeniorOfficer), x.RolesAt(o.ID))
	require.Len(t, accepted, 1)
	assert.Equal(t, x.ID, accepted[0].AcceptedBy)
	assert.True(t, inv.Invitation.Pending(), "the input is unchanged")

	again, err := directory.Invite(o, id, x.Email, directory.Of(directory.DPO), &x, userID(), t0)
	require.NoError(t, err)
	assert.True(t, again.Invitation.Pending(), "REG-5: offered, not imposed")
	assert.False(t, again.NeedsSeat, "already a member: no new seat")
	assert.Equal(t, inv.Invitation.Status, again.Invitation.Status, "the same answer whether or not the address is registered")
	require.Len(t, again.Events, 1)
	assert.Equal(t, []directory.UserID{x.ID}, again.Events[0].To.Users)

	exempt := o
	exempt.DPOExempt = true
	next, c, err := directory.Accept(again.Invitation, exempt, x, t0.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, directory.InvitationAccepted, next.Status)
	assert.Equal(t, directory.Of(directory.SeniorOfficer, directory.DPO), c.User.RolesAt(o.ID))
	assert.True(t, c.OrgChanged, "ORG-4: a DPO arriving by accepted invitation clears the exemption")
	assert.False(t, c.Org.DPOExempt)
	_, _, err = directory.Accept(next, o, x, t0.Add(time.Hour))
	assert.Equal(t, directory.CodeInvitationNotPending, violation.Code(err), "accepted once")

	other := x
	other.Email = "eve@leeds.nhs.uk"
	_, _, err = directory.Accept(again.Invitation, o, other, t0)
	assert.ErrorIs(t, err, directory.ErrNotFound, "only the invited address accepts")
	_, _, err = directory.Decline(again.Invitation, other, t0)
	assert.ErrorIs(t, err, directory.ErrNotFound, "only the invited address declines")

	declined, events, err := directory.Decline(again.Invitation, x, t0)
	require.NoError(t, err)
	assert.Equal(t, directory.InvitationDeclined, declined.Status)
	assert.Equal(t, []directory.UserID{again.Invitation.InvitedBy}, events[0].To.Users, "the inviter is told")

	_, err = directory.Withdraw(again.Invitation, orgID(), t0)
	assert.ErrorIs(t, err, directory.ErrNotFound, "another organisation cannot withdraw it")
	withdrawn, err := directory.Withdraw(again.Invitation, o.ID, t0)
	require.NoError(t, err)
	assert.Equal(t, directory.InvitationWithdrawn, withdrawn.Status)

	expired := t0.Add(directory.InvitationTTL)
	assert.False(t, again.Invitation.Open(expired), "REG-5: 30 days")
	_, _, err = directory.Accept(again.Invitation, o, x, expired)
	assert.Equal(t, directory.CodeInvitationNotPending, violation.Code(err))
	late, _, err := directory.Register(directory.NewAccount{ID: userID(), Email: "new@leeds.nhs.uk"}, false,
		[]directory.Invitation{{ID: id, Org: o.ID, Email: "new@leeds.nhs.uk", Roles: directory.Of(directory.DPO), CreatedAt: t0}}, expired)
	require.NoError(t, err)
	assert.Zero(t, late.RolesAt(o.ID), "an expired invitation attaches nothing")

	_, err = directory.OrgRoleSet([]directory.Role{directory.CentralAdmin})
	assert.ErrorIs(t, err, directory.ErrInvalid, "ROLE-8: only organisation roles")
}

// ROLE-5: delegation only to another member, with a future end; revocation once, at its own
// organisation only.
func TestDelegationROLE5(t *testing.T) {
	o := orgID()
	from, to := userID(), directory.User{ID: userID()}.WithRoles(o, directory.Of(directory.IGOfficer))
	id := directory.DelegationID{UUID: uuid.Must(uuid.NewV7())}
	_, _, err := directory.Grant(id, o, from, directory.User{ID: userID()}, time.Time{}, t0)
	assert.Equal(t, directory.CodeDelegationNotMember, violation.Code(err))
	_, _, err = directory.Grant(id, o, to.ID, to, time.Time{}, t0)
	assert.Equal(t, directory.CodeDelegationNotMember, violation.Code(err), "not to oneself")
	_, _, err = directory.Grant(id, o, from, to, t0.Add(-time.Hour), t0)
	assert.ErrorIs(t, err, directory.ErrInvalid)

	d, events, err := directory.Grant(id, o, from, to, t0.Add(24*time.Hour), t0)
	require.NoError(t, err)
	assert.True(t, d.ActiveAt(t0))
	assert.False(t, d.ActiveAt(t0.Add(24*time.Hour)), "ends")
	assert.Equal(t, []directory.UserID{to.ID}, events[0].To.Users)

	_, _, err = directory.Revoke(d, orgID(), t0)
	assert.ErrorIs(t, err, directory.ErrNotFound, "another organisation's delegation is not found")
	r, _, err := directory.Revoke(d, o, t0.Add(time.Hour))
	require.NoError(t, err)
	assert.False(t, r.ActiveAt(t0.Add(2*time.Hour)))
	assert.True(t, d.RevokedAt.IsZero(), "the input is unchanged")
	_, _, err = directory.Revoke(r, o, t0)
	assert.Equal(t, directory.CodeDelegationRevoked, violation.Code(err))
}

// MOU-1, ROLE-3: the current version is signed once per organisation, by a Senior Officer or a
// delegate, with the hash of the text shown.
func TestSignMoUMOU1(t *testing.T) {
	o := org(t)
	m := directory.Publish(0, "Memorandum v1", userID(), t0)
	require.Equal(t, 1, m.Version)
	base := directory.Signing{Org: o, Current: m, Version: 1, Hash: m.Hash, Signer: userID(), Held: directory.Of(directory.SeniorOfficer)}
	tests := []struct {
		name string
		edit func(*directory.Signing)
		code string
		role directory.Role
	}{
		{"a senior officer signs", func(*directory.Signing) {}, "", directory.SeniorOfficer},
		{"a delegate signs as delegate", func(s *directory.Signing) { s.Held = directory.Of(directory.IGOfficer, directory.Delegate) }, "", directory.Delegate},
		{"the hash must be of the text shown", func(s *directory.Signing) { s.Hash = "00" }, directory.CodeMoUNotCurrent, 0},
		{"an old version is refused", func(s *directory.Signing) { s.Version = 0 }, directory.CodeMoUNotCurrent, 0},
		{"once per version", func(s *directory.Signing) { s.Signed = true }, directory.CodeMoUAlreadySigned, 0},
		{"ORG-7: not by a closed organisation", func(s *directory.Signing) { s.Org.Status = directory.OrgClosed }, directory.CodeOrganisationClosed, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base
			tt.edit(&s)
			sig, events, err := directory.Sign(s, t0)
			assert.Equal(t, tt.code, violation.Code(err))
			if err != nil {
				return
			}
			assert.Equal(t, tt.role, sig.SignerRole)
			assert.True(t, directory.Signed(m, sig).Valid)
			m2 := m
			m2.Text = "tampered"
			assert.False(t, directory.Signed(m2, sig).Valid)
			assert.Len(t, events, 1)
		})
	}
}

// ORG-2: progress counts the five steps; an exemption stands for the DPO.
func TestSetupProgressORG2(t *testing.T) {
	o := org(t)
	p := directory.SetupProgress(o, directory.SetupFacts{Administrator: true})
	assert.Equal(t, 1, p.Done)
	assert.Equal(t, 5, p.Total)
	o.DPOExempt = true
	assert.Equal(t, 2, directory.SetupProgress(o, directory.SetupFacts{Administrator: true}).Done)
}

// ORG-10: an asset belongs to its organisation; another's is not found.
func TestSaveAssetORG10(t *testing.T) {
	o := org(t)
	id := directory.AssetID{UUID: uuid.Must(uuid.NewV7())}
	in := directory.AssetInput{Name: "EPR", Kinds: []directory.DataKind{directory.DataPersonal}}
	a, err := directory.SaveAsset(o, nil, id, in, t0)
	require.NoError(t, err)
	in.Kinds[0] = directory.DataOther
	assert.Equal(t, directory.DataPersonal, a.Kinds[0], "the asset shares nothing with its input")
	other := org(t)
	_, err = directory.SaveAsset(other, &a, id, in, t0)
	assert.Equal(t, directory.CodeAssetNotFound, violation.Code(err))
	moved := directory.MoveAsset(a, other.ID)
	assert.Equal(t, other.ID, moved.Org)
	assert.Equal(t, o.ID, a.Org)
}

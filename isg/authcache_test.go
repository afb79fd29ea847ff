package isg_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/memory"
)

// TestCanSeesEveryChangeAtOnce: Can reuses decoded memberships only while the user record is
// unchanged, so a revoked role, a lock-out or a change made by another Gateway process on the same
// store is seen by the very next check (ROLE-7).
func TestCanSeesEveryChangeAtOnce(t *testing.T) {
	store := memory.New()
	g1, err := isg.New(store, cheapPasswords)
	require.NoError(t, err)
	g2, err := isg.New(store, cheapPasswords) // another process on the same store
	require.NoError(t, err)
	w := &world{t: t, g: g1}
	ca, err := g1.Bootstrap(ctx, isg.BootstrapInput{Email: "support@isg.nhs.uk", Name: "S", Password: "Support#2026"})
	require.NoError(t, err)
	w.ca = ca.ID
	admin, igo := w.user("a@nhs.net"), w.user("i@nhs.net")
	org := w.org(admin, "Trust")
	w.grant(admin, org, igo, isg.IGOfficer)
	actor := isg.Actor{User: igo, Org: org}

	for range 3 { // the first check fills the cache; the next ones use it
		ok, err := g1.Can(ctx, actor, isg.EditAgreements)
		require.NoError(t, err)
		assert.True(t, ok)
	}
	ok, err := g1.Can(ctx, actor, isg.ManageUsers)
	require.NoError(t, err)
	assert.False(t, ok, "a refusal is never answered from the cache")
	for range 2 { // the refusal's full check must not be what makes the next one look again
		ok, err := g1.Can(ctx, actor, isg.EditAgreements)
		require.NoError(t, err)
		assert.True(t, ok)
	}

	_, err = g2.SetRoles(ctx, isg.Actor{User: admin, Org: org}, isg.SetRolesInput{User: igo, Roles: []isg.Role{isg.DPO}})
	require.NoError(t, err)
	ok, err = g1.Can(ctx, actor, isg.EditAgreements)
	require.NoError(t, err)
	assert.False(t, ok, "the role revoked by the other process is seen at once")

	_, err = g2.SetRoles(ctx, isg.Actor{User: admin, Org: org}, isg.SetRolesInput{User: igo, Roles: []isg.Role{isg.IGOfficer}})
	require.NoError(t, err)
	ok, err = g1.Can(ctx, actor, isg.EditAgreements)
	require.NoError(t, err)
	require.True(t, ok)
	for range isg.MaxFailedSignIns {
		_, _ = g2.SignIn(ctx, isg.SignInInput{Email: "i@nhs.net", Password: "wrong-pw1!"})
	}
	ok, err = g1.Can(ctx, actor, isg.EditAgreements)
	require.NoError(t, err)
	assert.False(t, ok, "a locked account may do nothing")
}

// TestCanConcurrentWithRoleChanges exercises the cache under -race.
func TestCanConcurrentWithRoleChanges(t *testing.T) {
	w := newWorld(t)
	admin, igo := w.user("a@nhs.net"), w.user("i@nhs.net")
	org := w.org(admin, "Trust")
	w.grant(admin, org, igo, isg.IGOfficer)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if i == 0 {
					w.grant(admin, org, igo, isg.IGOfficer, isg.InfoAssetOwner)
					w.grant(admin, org, igo, isg.IGOfficer)
					continue
				}
				_, err := w.g.Can(ctx, isg.Actor{User: igo, Org: org}, isg.EditAgreements)
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()
}

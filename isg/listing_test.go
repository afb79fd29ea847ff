package isg_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
)

// TestListingsArePagedAlike: every listing takes a ListPage and returns a Listing with the total
// and the next page's cursor; the commands published as plain arrays before paging still return
// every item as an array over Dispatch, or the one page a limit asks for.
func TestListingsArePagedAlike(t *testing.T) {
	w := newWorld(t)
	admin := w.user("admin@leeds.gov.uk")
	org := w.org(admin, "Leeds")
	actor := isg.Actor{User: admin, Org: org}
	const assets = 7
	for i := range assets {
		_, err := w.g.SaveAsset(ctx, actor, isg.AssetInput{Name: fmt.Sprintf("Asset %d", i), Location: "L", Owner: "O",
			Kinds: []isg.DataKind{isg.DataPersonal}, DataSubjects: "residents", Format: "electronic"})
		require.NoError(t, err)
	}

	first, err := w.g.Assets(ctx, actor, isg.ListPage{Limit: 3})
	require.NoError(t, err)
	assert.Len(t, first.Items, 3)
	assert.Equal(t, assets, first.Total)
	require.NotEmpty(t, first.Next)
	second, err := w.g.Assets(ctx, actor, isg.ListPage{After: first.Next, Limit: 3})
	require.NoError(t, err)
	assert.Equal(t, "Asset 3", second.Items[0].Name, "pages follow on in order")

	_, err = w.g.Assets(ctx, actor, isg.ListPage{Limit: 501})
	assert.ErrorIs(t, err, isg.ErrInvalid, "a page holds at most 500")

	raw, err := w.g.Dispatch(ctx, "inventory.assets", actor, nil)
	require.NoError(t, err)
	b, err := json.Marshal(raw)
	require.NoError(t, err)
	var every []isg.InformationAsset
	require.NoError(t, json.Unmarshal(b, &every))
	assert.Len(t, every, assets, "without a limit the published array holds every item")

	raw, err = w.g.Dispatch(ctx, "inventory.assets", actor, json.RawMessage(`{"limit": 2}`))
	require.NoError(t, err)
	b, err = json.Marshal(raw)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &every))
	assert.Len(t, every, 2, "with a limit, that page")

	raw, err = w.g.Dispatch(ctx, "org.merges", actor, nil)
	require.NoError(t, err)
	b, err = json.Marshal(raw)
	require.NoError(t, err)
	assert.JSONEq(t, `[]`, string(b), "an empty listing is an empty array, not null")
}

// TestMyOrganisationsIncludesSuperAdministratorGroups: LIC-2 — a contract's Super Administrator
// may act at the contracting organisation and at every organisation of its group, holding no
// role there; the list says so.
func TestMyOrganisationsIncludesSuperAdministratorGroups(t *testing.T) {
	w := newLicensingWorld(t)
	got, err := w.g.MyOrganisations(ctx, isg.Actor{User: w.sue})
	require.NoError(t, err)
	roles := map[isg.OrgID]isg.RoleSet{}
	for _, m := range got.Organisations {
		roles[m.Org] = m.Roles
	}
	assert.Equal(t, map[isg.OrgID]isg.RoleSet{w.icb: isg.Of(isg.SuperAdmin), w.care: isg.Of(isg.SuperAdmin)}, roles)

	lee, err := w.g.MyOrganisations(ctx, isg.Actor{User: w.lee})
	require.NoError(t, err)
	require.NotEmpty(t, lee.Organisations)
	assert.Equal(t, w.icb, lee.Organisations[0].Org)
	assert.True(t, lee.Organisations[0].Roles.Has(isg.Administrator) && lee.Organisations[0].Roles.Has(isg.SuperAdmin))
}

package isg_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/support"
	"github.com/isgkit/gateway/licensing"
)

// BenchmarkSupportRequestsForSuperAdmin lists the first page of one group's support requests for
// one of its Super Administrators, in a memory store holding 10,000 requests of ten groups (1,000
// each), all raised through the Gateway: the listing is one index lookup and one count, so its
// cost follows the page, not the store. The open sub-benchmark lists the group's open queue.
//
//	go test ./isg -run '^$' -bench SupportRequestsForSuperAdmin -benchmem
func BenchmarkSupportRequestsForSuperAdmin(b *testing.B) {
	const groups, perGroup = 10, 1000
	w := newWorld(b)
	var sa isg.Actor
	var first licensing.ContractID
	for i := range groups {
		admin := w.user(fmt.Sprintf("sa%d@icb%d.nhs.uk", i, i))
		icb := w.org(admin, fmt.Sprintf("ICB %d", i))
		user := w.user(fmt.Sprintf("user%d@trust%d.nhs.uk", i, i))
		trust := w.org(user, fmt.Sprintf("Trust %d", i))
		c := desk{w: w}.contract(icb, admin)
		_, err := w.g.AllocateLicence(ctx, isg.Actor{User: admin}, isg.AllocateInput{Contract: c, Org: trust, Kind: licensing.Group})
		require.NoError(b, err)
		for j := range perGroup {
			r, err := w.g.RaiseSupportRequest(ctx, isg.Actor{User: user, Org: trust}, isg.RaiseSupportInput{Subject: fmt.Sprintf("Request %d", j), Description: "Details of the problem."})
			require.NoError(b, err)
			if j%2 == 0 {
				_, err = w.g.AnswerSupportRequest(ctx, isg.Actor{User: admin, Org: icb}, isg.SupportStepInput{Request: r.ID, Version: r.Version, Text: "An answer."})
				require.NoError(b, err)
			}
		}
		if i == 0 {
			sa, first = isg.Actor{User: admin, Org: icb}, c
		}
	}
	for _, c := range []struct {
		name  string
		state support.State
		total int
	}{{"all", "", perGroup}, {"open", support.Open, perGroup / 2}} {
		b.Run(fmt.Sprintf("requests=%d/%s/page=50", groups*perGroup, c.name), func(b *testing.B) {
			in := isg.SupportRequestsInput{Scope: isg.ScopeGroup, Group: first, State: c.state, ListPage: isg.ListPage{Limit: 50}}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				l, err := w.g.SupportRequests(ctx, sa, in)
				if err != nil || len(l.Items) != 50 || l.Total != c.total {
					b.Fatalf("%d items of %d, %v", len(l.Items), l.Total, err)
				}
			}
		})
	}
}

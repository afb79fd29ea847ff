package isg_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
)

// TestEveryListingValidatesItsPage: every command taking a ListPage (summary.list as flow.list,
// and every other listing) refuses a negative or huge limit with a field error on "limit", before
// reading anything (SUM-3).
func TestEveryListingValidatesItsPage(t *testing.T) {
	w := newWorld(t)
	a := w.user("a@north.gov.uk")
	org := w.org(a, "North")
	actor := isg.Actor{User: a, Org: org}
	checked := 0
	for _, c := range isg.Commands() {
		if c.Input != reflect.TypeFor[isg.ListPage]() {
			continue
		}
		checked++
		for _, limit := range []int{-1, 501, 100000, -1 << 62} {
			raw, _ := json.Marshal(isg.ListPage{Limit: limit})
			_, err := w.g.Dispatch(ctx, c.Name, actor, raw)
			var e *isg.Error
			require.True(t, errors.As(err, &e), "%s limit %d: %v", c.Name, limit, err)
			assert.Equal(t, "invalid_input", e.Code, "%s limit %d", c.Name, limit)
			require.NotEmpty(t, e.Fields, "%s limit %d", c.Name, limit)
			assert.Equal(t, "limit", e.Fields[0].Field, "%s limit %d", c.Name, limit)
		}
	}
	assert.Contains(t, isg.CommandNames(), "summary.list")
	assert.Greater(t, checked, 5, "the listings were found")
}

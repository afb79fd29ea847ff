package isg

import (
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
)

// TestVisibleKeysNameEachOrganisationOnce: SUM-3 — an agreement is indexed under its creator
// and every organisation it names, each once however often it is named, with the creator first,
// for a flow's handful of organisations (scanned) and a summary's hundreds (a set) alike.
func TestVisibleKeysNameEachOrganisationOnce(t *testing.T) {
	org := func() OrgID { return OrgID{UUID: uuid.New()} }
	for _, n := range []int{0, 1, 3, 16, 17, 300} {
		creator := org()
		var orgs, want []OrgID
		want = append(want, creator)
		for i := range n {
			o := org()
			orgs = append(orgs, o)
			want = append(want, o)
			if i%3 == 0 {
				orgs = append(orgs, o, creator) // named again, and the creator among them
			}
		}
		var got []OrgID
		for _, k := range visibleKeys(nil, creator, orgs) {
			assert.Equal(t, "visible", k.Name)
			o, err := ParseOrgID(k.Value)
			assert.NoError(t, err)
			got = append(got, o)
		}
		assert.True(t, slices.Equal(want, got), "%d organisations: %v, want %v", n, got, want)
	}
}

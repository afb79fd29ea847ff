package isg

import (
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"pgregory.net/rapid"
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

// TestIDTextsWriteEveryIDAsItsText: SUM-3 — the unit's memo of ID texts (record IDs and index
// keys are written through it) answers every ID with its own text, whatever the order of IDs
// and however often its few slots are reused, and a nil memo writes without remembering.
func TestIDTextsWriteEveryIDAsItsText(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pool := make([]uuid.UUID, rapid.IntRange(1, 12).Draw(t, "ids"))
		for i := range pool {
			pool[i] = uuid.New()
		}
		var memo *idTexts
		if rapid.Bool().Draw(t, "memo") {
			memo = &idTexts{}
		}
		for _, i := range rapid.SliceOf(rapid.IntRange(0, len(pool)-1)).Draw(t, "order") {
			if got := memo.of(pool[i]); got != pool[i].String() {
				t.Fatalf("of(%s) = %s", pool[i], got)
			}
		}
	})
}

package records_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/internal/records"
)

func TestDedupKeysKeepsOrderAndUniqueness(t *testing.T) {
	got := records.DedupKeys([]isg.IndexKey{{Name: "a", Value: "1"}, {Name: "b", Value: "2"}, {Name: "a", Value: "1", Unique: true}})
	assert.Equal(t, []isg.IndexKey{{Name: "a", Value: "1", Unique: true}, {Name: "b", Value: "2"}}, got)
}

func TestStagedAndHoldsKey(t *testing.T) {
	w := map[records.Key]*isg.Record{
		{Kind: "flow", ID: "1"}: {Kind: "flow", ID: "1", Keys: []isg.IndexKey{{Name: "visible", Value: "o"}}},
		{Kind: "user", ID: "2"}: {Kind: "user", ID: "2"},
	}
	flows := records.Staged(w, "flow")
	assert.Len(t, flows, 1)
	assert.True(t, records.HoldsKey(flows["1"].Keys, isg.IndexKey{Name: "visible", Value: "o", Unique: true}), "uniqueness aside")
	assert.False(t, records.HoldsKey(flows["1"].Keys, isg.IndexKey{Name: "visible", Value: "p"}))
	assert.Nil(t, records.Staged(w, "summary"))
}

func TestCloneSharesNothing(t *testing.T) {
	r := isg.Record{Body: []byte("x"), Keys: []isg.IndexKey{{Name: "a"}}}
	c := records.Clone(r)
	c.Body[0], c.Keys[0].Name = 'y', "b"
	assert.Equal(t, "x", string(r.Body))
	assert.Equal(t, "a", r.Keys[0].Name)
}

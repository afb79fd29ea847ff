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

// TestStageChecksTheVersionTheUnitKnows: its own Put first, then its read, then the stored version.
func TestStageChecksTheVersionTheUnitKnows(t *testing.T) {
	reads, writes := map[records.Key]int64{}, map[records.Key]*isg.Record{}
	stored := func() (int64, error) { return 3, nil }
	r := isg.Record{Kind: "org", ID: "1", Version: 2}
	_, err := records.Stage("test", reads, writes, r, stored)
	assert.ErrorIs(t, err, isg.ErrConflict, "stored at 3, not 2")
	assert.Equal(t, int64(3), reads[records.Key{Kind: "org", ID: "1"}], "the stored version is recorded as read")

	r.Version = 3
	v, err := records.Stage("test", reads, writes, r, func() (int64, error) { t.Fatal("the read is known"); return 0, nil })
	assert.NoError(t, err)
	assert.Equal(t, int64(4), v)
	r.Version = 4
	v, err = records.Stage("test", reads, writes, r, stored)
	assert.NoError(t, err)
	assert.Equal(t, int64(5), v, "a second Put builds on the first")

	records.Observe(reads, records.Key{Kind: "org", ID: "1"}, 9)
	assert.Equal(t, int64(3), reads[records.Key{Kind: "org", ID: "1"}], "the first read wins")
}

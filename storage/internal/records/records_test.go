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
	var w records.Map[*isg.Record]
	w.Set(records.Key{Kind: "flow", ID: "1"}, &isg.Record{Kind: "flow", ID: "1", Keys: []isg.IndexKey{{Name: "visible", Value: "o"}}})
	w.Set(records.Key{Kind: "user", ID: "2"}, &isg.Record{Kind: "user", ID: "2"})
	flows := records.Staged(&w, "flow")
	assert.Len(t, flows, 1)
	assert.True(t, records.HoldsKey(flows["1"].Keys, isg.IndexKey{Name: "visible", Value: "o", Unique: true}), "uniqueness aside")
	assert.False(t, records.HoldsKey(flows["1"].Keys, isg.IndexKey{Name: "visible", Value: "p"}))
	assert.Nil(t, records.Staged(&w, "summary"))
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
	reads, writes := &records.Map[int64]{}, &records.Map[*isg.Record]{}
	stored := func() (int64, error) { return 3, nil }
	r := isg.Record{Kind: "org", ID: "1", Version: 2}
	_, err := records.Stage("test", reads, writes, nil, r, stored)
	assert.ErrorIs(t, err, isg.ErrConflict, "stored at 3, not 2")
	assert.Equal(t, int64(3), read(reads, records.Key{Kind: "org", ID: "1"}), "the stored version is recorded as read")

	r.Version = 3
	v, err := records.Stage("test", reads, writes, nil, r, func() (int64, error) { t.Fatal("the read is known"); return 0, nil })
	assert.NoError(t, err)
	assert.Equal(t, int64(4), v)
	r.Version = 4
	v, err = records.Stage("test", reads, writes, nil, r, stored)
	assert.NoError(t, err)
	assert.Equal(t, int64(5), v, "a second Put builds on the first")

	records.Observe(reads, records.Key{Kind: "org", ID: "1"}, 9)
	assert.Equal(t, int64(3), read(reads, records.Key{Kind: "org", ID: "1"}), "the first read wins")
}

// TestStageDelete: a tombstone in writes, checked like a Put, and no Put or second Delete after.
func TestStageDelete(t *testing.T) {
	k := records.Key{Kind: "msg", ID: "1"}
	stored := func(v int64) func() (int64, error) { return func() (int64, error) { return v, nil } }
	tests := []struct {
		name    string
		stored  int64
		version int64
		want    error
	}{
		{"absent", 0, 0, isg.ErrNotFound},
		{"absent, a version given", 0, 1, isg.ErrNotFound},
		{"stale version", 2, 1, isg.ErrConflict},
		{"current version", 2, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reads, writes, deleted := &records.Map[int64]{}, &records.Map[*isg.Record]{}, map[records.Key]bool{}
			err := records.StageDelete("test", reads, writes, deleted, k, tt.version, stored(tt.stored))
			assert.Equal(t, tt.stored, read(reads, k), "the stored version is recorded as read")
			if tt.want != nil {
				assert.ErrorIs(t, err, tt.want)
				assert.Zero(t, writes.Len())
				return
			}
			assert.NoError(t, err)
			assert.True(t, deleted[k])
			assert.Empty(t, read(writes, k).Keys, "a tombstone holds no keys")
			assert.ErrorIs(t, records.StageDelete("test", reads, writes, deleted, k, tt.version, stored(tt.stored)), isg.ErrInvalid, "delete twice")
			_, err = records.Stage("test", reads, writes, deleted, isg.Record{Kind: k.Kind, ID: k.ID, Version: tt.version}, stored(tt.stored))
			assert.ErrorIs(t, err, isg.ErrInvalid, "put after delete")
		})
	}
	reads, writes := &records.Map[int64]{}, &records.Map[*isg.Record]{}
	_, err := records.Stage("test", reads, writes, nil, isg.Record{Kind: k.Kind, ID: k.ID}, stored(0))
	assert.NoError(t, err)
	assert.ErrorIs(t, records.StageDelete("test", reads, writes, map[records.Key]bool{}, k, 1, stored(0)), isg.ErrInvalid, "delete after put")
}

// read returns what m holds for k, the zero value if nothing.
func read[V any](m *records.Map[V], k records.Key) V {
	v, _ := m.Get(k)
	return v
}

func TestMembershipChanges(t *testing.T) {
	a, b, c := isg.IndexKey{Name: "m", Value: "a"}, isg.IndexKey{Name: "m", Value: "b"}, isg.IndexKey{Name: "n", Value: "a"}
	tests := []struct {
		name     string
		old, new []isg.IndexKey
		want     []isg.IndexKey
	}{
		{"created", nil, []isg.IndexKey{a, b, a}, []isg.IndexKey{a, b}},
		{"deleted", []isg.IndexKey{a, c}, nil, []isg.IndexKey{a, c}},
		{"kept", []isg.IndexKey{a, b}, []isg.IndexKey{b, {Name: "m", Value: "a", Unique: true}}, nil},
		{"moved", []isg.IndexKey{a, c}, []isg.IndexKey{c, b}, []isg.IndexKey{a, b}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []isg.IndexKey
			records.MembershipChanges(tt.old, tt.new, func(k isg.IndexKey) { got = append(got, k) })
			assert.Equal(t, tt.want, got)
		})
	}
}

// BenchmarkCheckBody is what every Put pays to refuse non-JSON bodies: a typical 350-byte
// aggregate, as storagetest's benchmarks write.
func BenchmarkCheckBody(b *testing.B) {
	rec := isg.Record{Kind: "flow", ID: "f", Body: []byte(`{"id":"0190a3c4-7b2e-7cc1-9f00-000000000001","state":"draft","title":"Discharge summaries to GP practices","purpose":"direct care","lawful_basis":"6(1)(e)","special_category":"9(2)(h)","owner":"0190a3c4-7b2e-7cc1-9f00-0000000000aa","recipients":["0190a3c4-7b2e-7cc1-9f00-0000000000bb"],"review_due":"2026-04-01"}`)}
	b.ReportAllocs()
	for b.Loop() {
		if err := records.CheckBody("bench", rec); err != nil || records.HasNULEscape(rec.Body) {
			b.Fatal(err)
		}
	}
}

// TestHasNULEscape: only an escape that decodes to NUL counts, not an escaped backslash before
// "u0000" (PostgreSQL's jsonb refuses the first and keeps the second).
func TestHasNULEscape(t *testing.T) {
	for body, want := range map[string]bool{
		`{"s":"a\u0000b"}`:     true,
		`{"s":"\\u0000"}`:      false,
		`{"s":"\\\u0000"}`:     true,
		`{"s":"\u00001"}`:      true,
		`{"s":"\u0001","t":1}`: false,
		`{"s":"\\\\u0000"}`:    false,
		`["\\", "\u0000"]`:     true,
	} {
		if got := records.HasNULEscape([]byte(body)); got != want {
			t.Errorf("HasNULEscape(%s) = %v, want %v", body, got, want)
		}
	}
}

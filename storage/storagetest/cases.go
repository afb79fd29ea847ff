package storagetest

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/isgkit/gateway/isg"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// largeBody is a ~1 MB JSON document: big enough to cross page, packet and buffer sizes of any
// storage engine, deterministic so failures reproduce.
func largeBody() []byte {
	r := rand.New(rand.NewPCG(1, 2))
	raw := make([]byte, 700<<10)
	for i := range raw {
		raw[i] = byte(r.Uint32())
	}
	var b strings.Builder
	b.WriteString(`{"blob":"`)
	b.WriteString(base64.StdEncoding.EncodeToString(raw))
	b.WriteString(`","items":[`)
	for i := range 2000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"i":%d,"s":"item \u00e9 %d"}`, i, i)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// requireSameRecord compares every field; index keys as a set, since the contract does not
// promise their order.
func requireSameRecord(t testing.TB, want, got isg.Record) {
	t.Helper()
	require.Equal(t, want.Kind, got.Kind, "kind")
	require.Equal(t, want.ID, got.ID, "id")
	require.Equal(t, want.Version, got.Version, "version of %s %s", want.Kind, want.ID)
	// The same JSON value, not necessarily the same bytes: a store may re-encode JSON (into a
	// jsonb column, say), and that changes whitespace, key order and number spellings.
	require.True(t, SameJSON(want.Body, got.Body), "body of %s %s: got %d bytes, not the JSON value put (%d bytes)",
		want.Kind, want.ID, len(got.Body), len(want.Body))
	require.ElementsMatch(t, want.Keys, got.Keys, "keys of %s %s", want.Kind, want.ID)
}

func testRoundTrip(t *testing.T, s isg.Store) {
	ctx := context.Background()
	recs := []isg.Record{
		rec("org", "small", 0, `{"name":"Leeds Teaching Hospitals"}`, uniqueKey("ods", "RR8"), key("type", "nhs-trust")),
		// Bytes a JSON re-encoder would change: whitespace, key order, duplicate keys, number
		// spellings beyond float64, escapes that decode to other bytes.
		rec("org", "noncanonical", 0, "{ \"b\" : 2,\n\t\"a\":1, \"a\":3 , \"big\": 123456789012345678901234567890.000, \"f\": 1.0E+2 }"),
		rec("org", "escapes", 0, `{"s":"\u0001\u001f\ud83d\ude00 \"q\" \\ \/ \u00e9","raw":"é 漢字 😀","ctl":"\b\f\n\r\t"}`,
			key("name", "Ysbyty Gwynedd — ‘Bangor’"), key("empty", "")),
		rec("org", "literals", 0, `null`),
		rec("flow", "small", 0, `[]`, key("member", "small")),
		isg.Record{Kind: "flow", ID: "large", Body: largeBody(), Keys: []isg.IndexKey{key("member", "small"), uniqueKey("ref", "F-1")}},
	}
	require.NoError(t, s.Update(ctx, func(tx isg.Tx) error {
		for _, r := range recs {
			v, err := tx.Put(ctx, r)
			if err != nil {
				return err
			}
			if v != 1 {
				return fmt.Errorf("put of a new record returned version %d, want 1", v)
			}
		}
		return nil
	}))
	for _, want := range recs {
		want.Version = 1
		requireSameRecord(t, want, mustGet(t, s, want.Kind, want.ID))
		// Find returns whole records too, through every key.
		for _, k := range want.Keys {
			found := find(t, s, want.Kind, k, isg.Page{})
			i := slices.IndexFunc(found, func(r isg.Record) bool { return r.ID == want.ID })
			require.GreaterOrEqual(t, i, 0, "Find(%v) lacks %s", k, want.ID)
			requireSameRecord(t, want, found[i])
		}
	}

	// Replacing a record replaces every field but the identity.
	next := rec("flow", "large", 1, `{"v":2}`, key("member", "other"))
	putAll(t, s, next)
	next.Version = 2
	requireSameRecord(t, next, mustGet(t, s, "flow", "large"))

	// Records returned are the caller's to change: mutating one changes nothing stored.
	got := mustGet(t, s, "org", "small")
	got.Body[0] = 'X'
	got.Keys[0].Value = "changed"
	want := recs[0]
	want.Version = 1
	requireSameRecord(t, want, mustGet(t, s, "org", "small"))
}

// testPutCopies: Put copies what it keeps, so a caller that reuses one buffer for every record
// it writes (the Gateway does) changes nothing staged or stored by writing over it — whatever
// the number of keys, since a store may keep few keys otherwise than many.
func testPutCopies(t *testing.T, s isg.Store) {
	ctx := context.Background()
	for _, n := range []int{0, 1, 2, 3, 8, 9, 20} {
		id := fmt.Sprintf("keys-%d", n)
		keys := make([]isg.IndexKey, n, n+4) // room past the length, which a store must not use either
		for i := range keys {
			keys[i] = key(fmt.Sprintf("k%d", i), id)
		}
		want := rec("flow", id, 0, `{"v":"original"}`, slices.Clone(keys)...)
		scrawl := func(r isg.Record) {
			copy(r.Body, `{"v":"overwrit"}`)
			for i := range r.Keys {
				r.Keys[i] = key("overwritten", "x")
			}
			_ = append(r.Keys, key("appended", "x"))
		}
		require.NoError(t, s.Update(ctx, func(tx isg.Tx) error {
			r := rec("flow", id, 0, `{"v":"original"}`, keys...)
			if _, err := tx.Put(ctx, r); err != nil {
				return err
			}
			scrawl(r)
			got, err := tx.Get(ctx, "flow", id)
			if err != nil {
				return err
			}
			want.Version = 1
			requireSameRecord(t, want, got)
			return nil
		}), "%d keys", n)
		requireSameRecord(t, want, mustGet(t, s, "flow", id))
		for _, k := range want.Keys {
			assert.Len(t, find(t, s, "flow", k, isg.Page{}), 1, "%d keys: Find(%v)", n, k)
		}
		assert.Empty(t, find(t, s, "flow", key("overwritten", "x"), isg.Page{}), "%d keys", n)
		assert.Empty(t, find(t, s, "flow", key("appended", "x"), isg.Page{}), "%d keys", n)
	}
}

func testNotFound(t *testing.T, s isg.Store) {
	ctx := context.Background()
	putAll(t, s, rec("org", "a", 0, `{}`, key("k", "v")))
	tests := []struct {
		name string
		kind isg.Kind
		id   string
	}{
		{"unknown kind", "nosuchkind", "a"},
		{"unknown id", "org", "b"},
		{"id of another kind", "user", "a"},
		{"prefix of an id", "org", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := get(t, s, tt.kind, tt.id)
			require.ErrorIs(t, err, isg.ErrNotFound)
			err = s.Update(ctx, func(tx isg.Tx) error {
				_, err := tx.Get(ctx, tt.kind, tt.id)
				return err
			})
			require.ErrorIs(t, err, isg.ErrNotFound, "inside Update")
		})
	}
	assert.Empty(t, find(t, s, "nosuchkind", key("k", "v"), isg.Page{}))
	assert.Empty(t, find(t, s, "org", key("k", "w"), isg.Page{}))
	assert.Empty(t, find(t, s, "org", key("j", "v"), isg.Page{}))
	assert.Zero(t, count(t, s, "nosuchkind", key("k", "v")))
}

func testPutVersions(t *testing.T, s isg.Store) {
	ctx := context.Background()
	putAll(t, s, rec("org", "a", 0, `{"v":1}`))
	tests := []struct {
		name    string
		version int64
	}{
		{"create twice", 0},
		{"stale version", 0}, // set below once the record is at 2
		{"future version", 7},
		{"negative version", -1},
	}
	putAll(t, s, rec("org", "a", 1, `{"v":2}`))
	tests[1].version = 1
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tryPut(s, rec("org", "a", tt.version, `{"lost":true}`))
			require.ErrorIs(t, err, isg.ErrConflict)
			got := mustGet(t, s, "org", "a")
			assert.Equal(t, int64(2), got.Version)
			assertBody(t, `{"v":2}`, got.Body)
		})
	}
	t.Run("version of an absent record", func(t *testing.T) {
		require.ErrorIs(t, tryPut(s, rec("org", "absent", 3, `{}`)), isg.ErrConflict)
		requireAbsent(t, s, "org", "absent")
	})
	t.Run("two creates in one unit", func(t *testing.T) {
		require.ErrorIs(t, tryPut(s, rec("org", "twice", 0, `{}`), rec("org", "twice", 0, `{}`)), isg.ErrConflict)
		requireAbsent(t, s, "org", "twice")
	})
	t.Run("a unit counts its own puts", func(t *testing.T) {
		require.NoError(t, s.Update(ctx, func(tx isg.Tx) error {
			for want := int64(1); want <= 3; want++ {
				v, err := tx.Put(ctx, rec("org", "b", want-1, fmt.Sprintf(`{"v":%d}`, want)))
				if err != nil {
					return err
				}
				if v != want {
					return fmt.Errorf("put returned version %d, want %d", v, want)
				}
			}
			return nil
		}))
		got := mustGet(t, s, "org", "b")
		assert.Equal(t, int64(3), got.Version)
		assertBody(t, `{"v":3}`, got.Body)
	})
	t.Run("kinds are separate", func(t *testing.T) {
		putAll(t, s, rec("user", "a", 0, `{}`))
		assert.Equal(t, int64(1), mustGet(t, s, "user", "a").Version)
		assert.Equal(t, int64(2), mustGet(t, s, "org", "a").Version)
	})
}

func testReadSetConflict(t *testing.T, s isg.Store) {
	ctx := context.Background()
	putAll(t, s, rec("org", "x", 0, `{}`), rec("org", "y", 0, `{}`))
	tests := []struct {
		name string
		// read is what unit A reads before unit B commits other; A then writes y.
		read     string
		other    isg.Record
		conflict bool
	}{
		{"read record changed", "x", rec("org", "x", 1, `{"by":"B"}`), true},
		{"absent record created", "z", rec("org", "z", 0, `{"by":"B"}`), true},
		{"written record changed", "y", rec("org", "y", 1, `{"by":"B"}`), true},
		{"unrelated record changed", "x", rec("org", "w", 0, `{"by":"B"}`), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			yBefore := mustGet(t, s, "org", "y")
			var errB error
			errA := s.Update(ctx, func(tx isg.Tx) error {
				if _, err := tx.Get(ctx, "org", tt.read); err != nil && !errors.Is(err, isg.ErrNotFound) {
					return err
				}
				if err := beside(func() error { errB = tryPut(s, tt.other); return errB }); err != nil {
					return err
				}
				// A store may refuse the write here already, or at commit.
				_, err := tx.Put(ctx, rec("org", "y", yBefore.Version, `{"by":"A"}`))
				return err
			})
			require.NoError(t, errB, "unit B")
			if !tt.conflict {
				require.NoError(t, errA)
				assertBody(t, `{"by":"A"}`, mustGet(t, s, "org", "y").Body)
				return
			}
			require.ErrorIs(t, errA, isg.ErrConflict, "unit A read %s, which B changed before A committed", tt.read)
			assert.False(t, SameJSON([]byte(`{"by":"A"}`), mustGet(t, s, "org", "y").Body), "A's write must not land")
		})
	}
}

func testUniqueKeys(t *testing.T, s isg.Store) {
	email := uniqueKey("email", "dpo@example.nhs.uk")
	putAll(t, s, rec("user", "a", 0, `{}`, email, key("org", "o1")))

	t.Run("second holder refused", func(t *testing.T) {
		require.ErrorIs(t, tryPut(s, rec("user", "b", 0, `{}`, email)), isg.ErrConflict)
		requireAbsent(t, s, "user", "b")
		assert.Equal(t, []string{"a"}, idsOf(find(t, s, "user", email, isg.Page{})))
	})
	t.Run("second holder refused on update", func(t *testing.T) {
		putAll(t, s, rec("user", "c", 0, `{}`))
		require.ErrorIs(t, tryPut(s, rec("user", "c", 1, `{}`, email)), isg.ErrConflict)
		assert.Empty(t, mustGet(t, s, "user", "c").Keys)
	})
	t.Run("two claims in one unit", func(t *testing.T) {
		k := uniqueKey("email", "twice@example.org")
		require.ErrorIs(t, tryPut(s, rec("user", "d1", 0, `{}`, k), rec("user", "d2", 0, `{}`, k)), isg.ErrConflict)
		requireAbsent(t, s, "user", "d1")
		requireAbsent(t, s, "user", "d2")
	})
	t.Run("holder may keep its key", func(t *testing.T) {
		putAll(t, s, rec("user", "a", 1, `{"v":2}`, email, key("org", "o1")))
	})
	t.Run("same value in another kind, name or as non-unique", func(t *testing.T) {
		putAll(t, s,
			rec("org", "a", 0, `{}`, email),
			rec("user", "e", 0, `{}`, uniqueKey("alias", email.Value)),
			rec("user", "f", 0, `{}`, key(email.Name, email.Value)),
			rec("user", "g", 0, `{}`, key(email.Name, email.Value)),
		)
	})
	t.Run("move a key in one unit, release first", func(t *testing.T) {
		a := mustGet(t, s, "user", "a")
		putAll(t, s, rec("user", "a", a.Version, `{}`), rec("user", "h", 0, `{}`, email))
		assert.Empty(t, mustGet(t, s, "user", "a").Keys)
		assert.Equal(t, []isg.IndexKey{email}, mustGet(t, s, "user", "h").Keys)
	})
	t.Run("move a key in one unit, claim first", func(t *testing.T) {
		a := mustGet(t, s, "user", "a")
		h := mustGet(t, s, "user", "h")
		putAll(t, s, rec("user", "a", a.Version, `{}`, email), rec("user", "h", h.Version, `{}`))
		assert.Empty(t, mustGet(t, s, "user", "h").Keys)
	})
	t.Run("released key can be taken", func(t *testing.T) {
		a := mustGet(t, s, "user", "a")
		putAll(t, s, rec("user", "a", a.Version, `{}`))
		putAll(t, s, rec("user", "i", 0, `{}`, email))
		require.ErrorIs(t, tryPut(s, rec("user", "a", a.Version+1, `{}`, email)), isg.ErrConflict)
	})
	t.Run("swap two keys in one unit", func(t *testing.T) {
		k1, k2 := uniqueKey("ref", "1"), uniqueKey("ref", "2")
		putAll(t, s, rec("case", "p", 0, `{}`, k1), rec("case", "q", 0, `{}`, k2))
		putAll(t, s, rec("case", "p", 1, `{}`, k2), rec("case", "q", 1, `{}`, k1))
		assert.Equal(t, []string{"q"}, idsOf(find(t, s, "case", k1, isg.Page{})))
		assert.Equal(t, []string{"p"}, idsOf(find(t, s, "case", k2, isg.Page{})))
	})
}

func testAllOrNothing(t *testing.T, s isg.Store) {
	ctx := context.Background()
	member := key("member", "o1")
	putAll(t, s, rec("org", "kept", 0, `{"v":1}`, member))
	boom := errors.New("boom")
	tests := []struct {
		name string
		fn   func(tx isg.Tx) error
		want error
	}{
		{"fn returns an error", func(tx isg.Tx) error {
			for _, r := range []isg.Record{
				rec("org", "new1", 0, `{}`, member, uniqueKey("ods", "X1")),
				rec("org", "kept", 1, `{"v":2}`),
				rec("org", "new2", 0, `{}`, member),
			} {
				if _, err := tx.Put(ctx, r); err != nil {
					return err
				}
			}
			return fmt.Errorf("wrapped: %w", boom)
		}, boom},
		{"a later Put conflicts", func(tx isg.Tx) error {
			for _, r := range []isg.Record{
				rec("org", "new1", 0, `{}`, member, uniqueKey("ods", "X1")),
				rec("org", "kept", 1, `{"v":2}`),
				rec("org", "kept", 0, `{}`), // wrong version
			} {
				if _, err := tx.Put(ctx, r); err != nil {
					return err
				}
			}
			return nil
		}, isg.ErrConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.ErrorIs(t, s.Update(ctx, tt.fn), tt.want)
			requireUntouched(t, s)
		})
	}
}

// requireUntouched checks that the state testAllOrNothing and testPanic set up is all there is.
func requireUntouched(t *testing.T, s isg.Store) {
	t.Helper()
	member := key("member", "o1")
	requireAbsent(t, s, "org", "new1")
	requireAbsent(t, s, "org", "new2")
	kept := mustGet(t, s, "org", "kept")
	assert.Equal(t, int64(1), kept.Version)
	assertBody(t, `{"v":1}`, kept.Body)
	assert.Equal(t, []string{"kept"}, idsOf(find(t, s, "org", member, isg.Page{})))
	assert.Equal(t, 1, count(t, s, "org", member))
	assert.Zero(t, count(t, s, "org", uniqueKey("ods", "X1")))
	// The unique key a failed unit meant to claim must still be free.
	probe := t.Name()
	putAll(t, s, rec("probe", probe, 0, `{}`, uniqueKey("ods", "X1")))
	require.ErrorIs(t, tryPut(s, rec("probe", probe+"/2", 0, `{}`, uniqueKey("ods", "X1"))), isg.ErrConflict)
	putAll(t, s, rec("probe", probe, 1, `{}`))
}

func testPanic(t *testing.T, s isg.Store) {
	ctx := context.Background()
	putAll(t, s, rec("org", "kept", 0, `{"v":1}`, key("member", "o1")))
	// More panics than any sensible connection pool has connections, so a store that leaks a
	// connection, a lock or a transaction per panic is caught by the Update that follows.
	for i := range 12 {
		require.PanicsWithValue(t, "boom", func() {
			_ = s.Update(ctx, func(tx isg.Tx) error {
				if _, err := tx.Put(ctx, rec("org", "new1", 0, `{}`, key("member", "o1"), uniqueKey("ods", "X1"))); err != nil {
					return err
				}
				if _, err := tx.Put(ctx, rec("org", "kept", 1, `{"v":2}`)); err != nil {
					return err
				}
				panic("boom")
			})
		}, "panic %d must propagate", i)
		require.PanicsWithValue(t, "boom", func() {
			_ = s.View(ctx, func(tx isg.Tx) error {
				_, _ = tx.Get(ctx, "org", "kept")
				panic("boom")
			})
		})
	}
	require.NoError(t, beside(func() error { return tryPut(s, rec("org", "after", 0, `{}`)) }),
		"the store must stay usable after panics")
	requireUntouched(t, s)
}

func testCanceledContext(t *testing.T, s isg.Store) {
	putAll(t, s, rec("org", "kept", 0, `{"v":1}`))
	t.Run("canceled before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := s.Update(ctx, func(tx isg.Tx) error {
			_, err := tx.Put(ctx, rec("org", "new", 0, `{}`))
			return err
		})
		require.ErrorIs(t, err, context.Canceled)
		requireAbsent(t, s, "org", "new")
	})
	t.Run("canceled inside fn", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		err := s.Update(ctx, func(tx isg.Tx) error {
			if _, err := tx.Put(ctx, rec("org", "new", 0, `{}`)); err != nil {
				return err
			}
			if _, err := tx.Put(ctx, rec("org", "kept", 1, `{"v":2}`)); err != nil {
				return err
			}
			cancel()
			return nil
		})
		require.ErrorIs(t, err, context.Canceled)
		requireAbsent(t, s, "org", "new")
		assert.Equal(t, int64(1), mustGet(t, s, "org", "kept").Version)
	})
}

func testOwnWrites(t *testing.T, s isg.Store) {
	ctx := context.Background()
	k, other := key("member", "o1"), key("member", "o2")
	putAll(t, s, rec("org", "r1", 0, `{"r":1}`, k), rec("org", "r3", 0, `{"r":3}`, k), rec("org", "r5", 0, `{"r":5}`, k))
	check := func(tx isg.Tx, page isg.Page, want ...string) error {
		got, err := tx.Find(ctx, "org", k, page)
		if err != nil {
			return err
		}
		if !slices.Equal(idsOf(got), want) {
			return fmt.Errorf("Find(%v, %+v) = %v, want %v", k, page, idsOf(got), want)
		}
		return nil
	}
	err := s.Update(ctx, func(tx isg.Tx) error {
		steps := []func() error{
			func() error { _, err := tx.Put(ctx, rec("org", "r2", 0, `{"r":2}`, k)); return err },
			func() error { _, err := tx.Put(ctx, rec("org", "r4", 0, `{"r":4}`, other)); return err },
			func() error { _, err := tx.Put(ctx, rec("org", "r3", 1, `{"r":"3b"}`, other)); return err },
			func() error { _, err := tx.Put(ctx, rec("org", "r5", 1, `{"r":"5b"}`, k)); return err },
			func() error {
				r, err := tx.Get(ctx, "org", "r2")
				if err != nil {
					return fmt.Errorf("get of a record created in the unit: %w", err)
				}
				if r.Version != 1 || !SameJSON(r.Body, []byte(`{"r":2}`)) || len(r.Keys) != 1 {
					return fmt.Errorf("get of a record created in the unit = %+v", r)
				}
				r, err = tx.Get(ctx, "org", "r3")
				if err != nil || r.Version != 2 || !SameJSON(r.Body, []byte(`{"r":"3b"}`)) {
					return fmt.Errorf("get of a record replaced in the unit = %+v, %v", r, err)
				}
				return nil
			},
			func() error { return check(tx, isg.Page{}, "r1", "r2", "r5") },
			func() error { return check(tx, isg.Page{Limit: 2}, "r1", "r2") },
			func() error { return check(tx, isg.Page{After: "r1", Limit: 1}, "r2") },
			func() error { return check(tx, isg.Page{After: "r2"}, "r5") },
			func() error {
				got, err := tx.Find(ctx, "org", k, isg.Page{After: "r4"})
				if err != nil {
					return err
				}
				if len(got) != 1 || !SameJSON(got[0].Body, []byte(`{"r":"5b"}`)) || got[0].Version != 2 {
					return fmt.Errorf("find should return the unit's version of r5, got %+v", got)
				}
				return nil
			},
			func() error {
				got, err := tx.Find(ctx, "org", other, isg.Page{})
				if err == nil && !slices.Equal(idsOf(got), []string{"r3", "r4"}) {
					err = fmt.Errorf("Find(%v) = %v, want [r3 r4]", other, idsOf(got))
				}
				return err
			},
			func() error { return wantCount(ctx, tx, k, 3) },
			func() error { return wantCount(ctx, tx, other, 2) },
			// Put the same record twice: the second write replaces the first's keys too.
			func() error { _, err := tx.Put(ctx, rec("org", "r4", 1, `{"r":"4b"}`, k)); return err },
			func() error { return wantCount(ctx, tx, other, 1) },
			func() error { return wantCount(ctx, tx, k, 4) },
			func() error { return check(tx, isg.Page{After: "r2"}, "r4", "r5") },
		}
		for i, step := range steps {
			if err := step(); err != nil {
				return fmt.Errorf("step %d: %w", i, err)
			}
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"r1", "r2", "r4", "r5"}, idsOf(find(t, s, "org", k, isg.Page{})))
	assert.Equal(t, []string{"r3"}, idsOf(find(t, s, "org", other, isg.Page{})))
	assert.Equal(t, int64(2), mustGet(t, s, "org", "r4").Version)
}

func wantCount(ctx context.Context, tx isg.Tx, k isg.IndexKey, want int) error {
	n, err := tx.Count(ctx, "org", k)
	if err == nil && n != want {
		err = fmt.Errorf("Count(%v) = %d, want %d", k, n, want)
	}
	return err
}

// testIsolation checks that a unit's writes are invisible to other units until it commits.
func testIsolation(t *testing.T, s isg.Store) {
	ctx := context.Background()
	k := key("member", "o1")
	putAll(t, s, rec("org", "a", 0, `{"v":1}`, k))
	var seen []string
	err := s.Update(ctx, func(tx isg.Tx) error {
		if _, err := tx.Put(ctx, rec("org", "a", 1, `{"v":2}`, k)); err != nil {
			return err
		}
		if _, err := tx.Put(ctx, rec("org", "b", 0, `{}`, k)); err != nil {
			return err
		}
		return beside(func() error {
			return s.View(ctx, func(other isg.Tx) error {
				a, err := other.Get(ctx, "org", "a")
				if err != nil {
					return err
				}
				seen = append(seen, canonJSON(a.Body))
				if _, err := other.Get(ctx, "org", "b"); !errors.Is(err, isg.ErrNotFound) {
					return fmt.Errorf("uncommitted record visible to another unit (err %v)", err)
				}
				found, err := other.Find(ctx, "org", k, isg.Page{})
				if err != nil {
					return err
				}
				seen = append(seen, idsOf(found)...)
				n, err := other.Count(ctx, "org", k)
				seen = append(seen, fmt.Sprint(n))
				return err
			})
		})
	})
	require.NoError(t, err)
	assert.Equal(t, []string{`{"v":1}`, "a", "1"}, seen, "another unit sees only committed state")
	assert.Equal(t, 2, count(t, s, "org", k))
}

func testFindOrderAndPaging(t *testing.T, s isg.Store) {
	k := key("member", "o1")
	// Byte order, which is Go's string order: a store comparing with a locale's collation
	// (case-insensitive, punctuation-blind) orders these differently.
	ids := []string{"b", "B", "a", "_", "a-b", "ab", "A0", "0", "~", "é", "z", "Z", "aB", "a b", "0190a3c4-7b2e-7cc1-9f00-000000000001"}
	want := slices.Clone(ids)
	slices.Sort(want)
	// Written over several units in an order unrelated to the IDs.
	for i := 0; i < len(ids); i += 4 {
		var batch []isg.Record
		for _, id := range ids[i:min(i+4, len(ids))] {
			batch = append(batch, rec("org", id, 0, fmt.Sprintf(`{"id":%q}`, id), k))
		}
		putAll(t, s, batch...)
	}
	putAll(t, s,
		rec("org", "other-key", 0, `{}`, key("member", "o2")),
		rec("org", "other-name", 0, `{}`, key("owner", "o1")),
		rec("user", "other-kind", 0, `{}`, k),
	)

	all := find(t, s, "org", k, isg.Page{})
	require.Equal(t, want, idsOf(all), "ascending byte order of ID")
	for _, r := range all {
		requireBody(t, fmt.Sprintf(`{"id":%q}`, r.ID), r.Body)
	}
	assert.Equal(t, want, idsOf(find(t, s, "org", isg.IndexKey{Name: k.Name, Value: k.Value, Unique: true}, isg.Page{})),
		"Unique is ignored by Find")

	for _, limit := range []int{1, 2, 4, len(want) - 1, len(want), len(want) + 5} {
		t.Run(fmt.Sprintf("limit %d", limit), func(t *testing.T) {
			var got []string
			after := ""
			for pages := 0; ; pages++ {
				require.Less(t, pages, len(want)+2, "paging does not end")
				page := find(t, s, "org", k, isg.Page{After: after, Limit: limit})
				require.LessOrEqual(t, len(page), limit)
				if len(page) == 0 {
					break
				}
				got = append(got, idsOf(page)...)
				after = page[len(page)-1].ID
			}
			require.Equal(t, want, got)
		})
	}
	tests := []struct {
		name string
		page isg.Page
		want []string
	}{
		{"after an absent id", isg.Page{After: "a0"}, filterAfter(want, "a0")},
		{"after the last", isg.Page{After: want[len(want)-1]}, nil},
		{"after everything", isg.Page{After: "\U0010FFFF"}, nil},
		{"after with limit", isg.Page{After: "B", Limit: 3}, filterAfter(want, "B")[:3]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := find(t, s, "org", k, tt.page)
			assert.Equal(t, len(tt.want), len(got))
			if len(tt.want) > 0 {
				assert.Equal(t, tt.want, idsOf(got))
			}
		})
	}
}

func filterAfter(ids []string, after string) []string {
	var out []string
	for _, id := range ids {
		if id > after {
			out = append(out, id)
		}
	}
	return out
}

func testIndexReplacement(t *testing.T, s isg.Store) {
	o1, o2, email := key("member", "o1"), key("member", "o2"), uniqueKey("email", "x@example.org")
	putAll(t, s, rec("user", "u1", 0, `{}`, o1, email), rec("user", "u2", 0, `{}`, o1))
	putAll(t, s, rec("user", "u1", 1, `{}`, o2))
	assert.Equal(t, []string{"u2"}, idsOf(find(t, s, "user", o1, isg.Page{})))
	assert.Equal(t, []string{"u1"}, idsOf(find(t, s, "user", o2, isg.Page{})))
	assert.Empty(t, find(t, s, "user", email, isg.Page{}))
	// Putting no keys at all removes every key.
	putAll(t, s, rec("user", "u2", 1, `{}`))
	assert.Empty(t, find(t, s, "user", o1, isg.Page{}))
	assert.Zero(t, count(t, s, "user", o1))
	assert.Empty(t, mustGet(t, s, "user", "u2").Keys)
	// A record listing the same key twice is found once.
	putAll(t, s, rec("user", "u3", 0, `{}`, o2, o2))
	assert.Equal(t, []string{"u1", "u3"}, idsOf(find(t, s, "user", o2, isg.Page{})))
	assert.Equal(t, 2, count(t, s, "user", o2))
	// The released unique key is free again.
	putAll(t, s, rec("user", "u4", 0, `{}`, email))
}

func testCount(t *testing.T, s isg.Store) {
	var recs []isg.Record
	for i := range 25 {
		keys := []isg.IndexKey{key("all", "yes"), key("parity", fmt.Sprint(i%2))}
		if i%5 == 0 {
			keys = append(keys, uniqueKey("fifth", fmt.Sprint(i)))
		}
		recs = append(recs, rec("flow", fmt.Sprintf("f%02d", i), 0, `{}`, keys...))
	}
	putAll(t, s, recs...)
	putAll(t, s, rec("org", "o", 0, `{}`, key("all", "yes")))
	tests := []struct {
		kind isg.Kind
		key  isg.IndexKey
		want int
	}{
		{"flow", key("all", "yes"), 25},
		{"flow", key("parity", "0"), 13},
		{"flow", key("parity", "1"), 12},
		{"flow", uniqueKey("fifth", "10"), 1},
		{"flow", key("fifth", "10"), 1},
		{"flow", key("fifth", "11"), 0},
		{"org", key("all", "yes"), 1},
		{"user", key("all", "yes"), 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, count(t, s, tt.kind, tt.key), "Count(%s, %v)", tt.kind, tt.key)
		assert.Len(t, find(t, s, tt.kind, tt.key, isg.Page{}), tt.want, "Find(%s, %v)", tt.kind, tt.key)
	}
}

func testViewRejectsPut(t *testing.T, s isg.Store) {
	ctx := context.Background()
	putAll(t, s, rec("org", "a", 0, `{"v":1}`))
	var putErrs []error
	err := s.View(ctx, func(tx isg.Tx) error {
		if _, err := tx.Get(ctx, "org", "a"); err != nil {
			return err
		}
		_, err := tx.Put(ctx, rec("org", "a", 1, `{"v":2}`))
		putErrs = append(putErrs, err)
		_, err = tx.Put(ctx, rec("org", "b", 0, `{}`))
		putErrs = append(putErrs, err)
		return nil // even if fn ignores the refusals, nothing is written
	})
	require.NoError(t, err)
	for i, e := range putErrs {
		require.ErrorIs(t, e, isg.ErrInvalid, "Put %d inside View must fail", i)
	}
	assert.Equal(t, int64(1), mustGet(t, s, "org", "a").Version)
	requireAbsent(t, s, "org", "b")
}

package postgres_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/internal/records"
	"github.com/isgkit/gateway/storage/memory"
	"github.com/isgkit/gateway/storage/postgres"
	"github.com/isgkit/gateway/storage/storagetest"
)

// writeOld makes db a store of schema version v and writes recs into it with plain SQL as the
// code of that version stored them: bodies as bytea, keys in both tables.
func writeOld(t *testing.T, db string, v int, recs []isg.Record) {
	t.Helper()
	ctx := context.Background()
	old, err := postgres.Open(ctx, db, postgres.MigrateTo(v))
	require.NoError(t, err)
	old.Close()
	conn, err := pgx.Connect(ctx, db)
	require.NoError(t, err)
	defer conn.Close(ctx)
	require.NoError(t, pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		for _, r := range recs {
			if _, err := tx.Exec(ctx, "INSERT INTO isg_records (kind, id, version, body, keys) VALUES ($1, $2, $3, $4::bytea, $5)",
				string(r.Kind), r.ID, r.Version, r.Body, postgres.EncodeKeys(r.Keys)); err != nil {
				return err
			}
			for _, k := range records.DedupKeys(r.Keys) {
				if _, err := tx.Exec(ctx, "INSERT INTO isg_index_keys (kind, name, value, id, uniq) VALUES ($1, $2, $3, $4, $5)",
					string(r.Kind), k.Name, k.Value, r.ID, k.Unique); err != nil {
					return err
				}
			}
		}
		return nil
	}))
}

// TestMigrateJSONBodies_0004 opens databases of schema 3 holding what every scenario file's
// Gateway commands stored, and odd but valid JSON, and checks that migration 4 turns the bodies
// into jsonb and that every record reads back as it was: same version and keys, a body with the
// same JSON value (jsonb re-encodes it: whitespace and key order change, the last duplicate key
// wins) that decodes into its kind's Go type as the old one did, found through its index keys,
// and queryable with jsonb operators.
func TestMigrateJSONBodies_0004(t *testing.T) {
	ctx := context.Background()
	require.Equal(t, 4, postgres.KnownVersion(), "this test is of migration 4")
	files, err := filepath.Glob("../../testdata/scenarios/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	corpora := map[string][]isg.Record{"odd bodies": {
		{Kind: "odd", ID: "spaces", Version: 3, Body: []byte("{ \"b\" : 2,\n\t\"a\":1, \"a\":3 , \"big\": 123456789012345678901234567890.000, \"f\": 1.0E+2 }")},
		{Kind: "odd", ID: "escapes", Version: 1, Body: []byte(`{"s":"\u0001\u001f\ud83d\ude00 \"q\" \\ \/ \u00e9 \\u0000","raw":"é 漢字 😀"}`),
			Keys: []isg.IndexKey{{Name: "name", Value: "Ysbyty Gwynedd — ‘Bangor’"}, {Name: "ref", Value: "R1", Unique: true}}},
		{Kind: "odd", ID: "scalar", Version: 1, Body: []byte(`null`)},
	}}
	for _, f := range files {
		rec := storagetest.NewRecording(memory.New())
		storagetest.Populate(t, rec, f)
		corpora[filepath.Base(f)] = rec.Records()
	}
	for name, recs := range corpora {
		t.Run(name, func(t *testing.T) {
			db := pg.NewSchema(t)
			writeOld(t, db, 3, recs)
			assert.Equal(t, []int{1, 2, 3}, migrationVersions(t, db))
			s := open(t, db)
			assert.Equal(t, []int{1, 2, 3, 4}, migrationVersions(t, db))
			for _, want := range recs {
				got, err := get(ctx, s, want.Kind, want.ID)
				require.NoError(t, err, "%s %s", want.Kind, want.ID)
				assert.Equal(t, want.Version, got.Version, "%s %s", want.Kind, want.ID)
				require.True(t, storagetest.SameJSON(want.Body, got.Body), "%s %s: %s, want the JSON value %s", want.Kind, want.ID, got.Body, want.Body)
				storagetest.RequireSameDecoded(t, want, got)
				assert.ElementsMatch(t, want.Keys, got.Keys)
				for _, k := range want.Keys {
					require.NoError(t, s.View(ctx, func(tx isg.Tx) error {
						found, err := tx.Find(ctx, want.Kind, k, isg.Page{})
						ids := make([]string, len(found))
						for i, r := range found {
							ids[i] = r.ID
						}
						assert.Contains(t, ids, want.ID, "found through %s=%s", k.Name, k.Value)
						return err
					}))
				}
			}
			conn, err := pgx.Connect(ctx, db)
			require.NoError(t, err)
			defer conn.Close(ctx)
			var n, objects int
			require.NoError(t, conn.QueryRow(ctx, "SELECT count(*), count(*) FILTER (WHERE jsonb_typeof(body) IS NOT NULL) FROM isg_records").Scan(&n, &objects))
			assert.Equal(t, len(recs), n)
			assert.Equal(t, n, objects, "every body is jsonb")
			require.NoError(t, put(ctx, s, isg.Record{Kind: "odd", ID: "new", Body: []byte(`{"after":true}`)}))
		})
	}
}

// TestMigrateJSONBodiesRefuses_0004: a database of schema 3 holding a body jsonb cannot take —
// bytes that are not JSON, or JSON with a \u0000 escape (bytea took any bytes) — is not
// migrated: Open fails naming the migration, and the schema stays at version 3 with its rows as
// they were, for the host to repair.
func TestMigrateJSONBodiesRefuses_0004(t *testing.T) {
	ctx := context.Background()
	for name, body := range map[string]string{"not JSON": "\x01 not JSON", "NUL escape": `{"s":"a\u0000b"}`} {
		t.Run(name, func(t *testing.T) {
			db := pg.NewSchema(t)
			writeOld(t, db, 3, []isg.Record{
				{Kind: "org", ID: "ok", Version: 1, Body: []byte(`{"name":"Leeds"}`)},
				{Kind: "org", ID: "bad", Version: 1, Body: []byte(body)},
			})
			_, err := postgres.Open(ctx, db)
			require.ErrorContains(t, err, "0004_jsonb_bodies")
			assert.Equal(t, []int{1, 2, 3}, migrationVersions(t, db), "the failed step left no row")
			old := open(t, db, postgres.MigrateTo(3))
			r, err := get(ctx, old, "org", "bad")
			require.NoError(t, err)
			assert.Equal(t, body, string(r.Body))
		})
	}
}

package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/internal/records"
	"github.com/isgkit/gateway/storage/memory"
	"github.com/isgkit/gateway/storage/sqlite"
	"github.com/isgkit/gateway/storage/storagetest"
)

// writeOld writes recs into the file at path, a store created at schema version v, with plain
// SQL as the code of that version stored them: bodies as BLOBs, keys in both tables.
func writeOld(t *testing.T, path string, v int, recs []isg.Record) {
	t.Helper()
	old, err := sqlite.Open(path, sqlite.MigrateTo(v))
	require.NoError(t, err)
	require.NoError(t, old.Close())
	db, err := sql.Open("sqlite", "file://"+path)
	require.NoError(t, err)
	defer db.Close()
	tx, err := db.Begin()
	require.NoError(t, err)
	defer tx.Rollback()
	for _, r := range recs {
		_, err := tx.Exec("INSERT INTO isg_records (kind, id, version, body, keys) VALUES (?, ?, ?, ?, ?)",
			string(r.Kind), r.ID, r.Version, r.Body, sqlite.EncodeKeys(r.Keys))
		require.NoError(t, err, "%s %s", r.Kind, r.ID)
		for _, k := range records.DedupKeys(r.Keys) {
			_, err := tx.Exec("INSERT INTO isg_index_keys (kind, name, value, id, uniq) VALUES (?, ?, ?, ?, ?)",
				string(r.Kind), k.Name, k.Value, r.ID, k.Unique)
			require.NoError(t, err)
		}
	}
	require.NoError(t, tx.Commit())
}

// oddBodies are JSON texts whose bytes a re-encoder would change (whitespace, key order,
// duplicate keys, number spellings, escapes) and which files of schema 2 may hold.
var oddBodies = []isg.Record{
	{Kind: "odd", ID: "spaces", Version: 3, Body: []byte("{ \"b\" : 2,\n\t\"a\":1, \"a\":3 , \"big\": 123456789012345678901234567890.000, \"f\": 1.0E+2 }")},
	{Kind: "odd", ID: "escapes", Version: 1, Body: []byte(`{"s":"\u0000\u001f\ud83d\ude00 \"q\" \\ \/ \u00e9","raw":"é 漢字 😀"}`),
		Keys: []isg.IndexKey{{Name: "name", Value: "Ysbyty Gwynedd — ‘Bangor’"}, {Name: "ref", Value: "R1", Unique: true}}},
	{Kind: "odd", ID: "scalar", Version: 1, Body: []byte(`null`)},
}

// TestMigrateJSONBodies_0003 opens files of schema 2 holding what every scenario file's
// Gateway commands stored, and odd but valid JSON, and checks that migration 3 turns the bodies
// into JSON text and that every record reads back as it was: same version and keys, a body
// with the same JSON value that decodes into its kind's Go type as the old one did, found
// through its index keys, and queryable with SQLite's JSON functions.
func TestMigrateJSONBodies_0003(t *testing.T) {
	ctx := context.Background()
	require.Equal(t, 3, sqlite.KnownVersion(), "this test is of migration 3")
	corpora := scenarioCorpora(t)
	corpora["odd bodies"] = oddBodies
	for name, recs := range corpora {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "old.db")
			writeOld(t, path, 2, recs)
			assert.Equal(t, []int{1, 2}, migrationVersions(t, path))
			s := open(t, path)
			assert.Equal(t, []int{1, 2, 3}, migrationVersions(t, path))
			for _, want := range recs {
				got, err := get(ctx, s, want.Kind, want.ID)
				require.NoError(t, err, "%s %s", want.Kind, want.ID)
				assert.Equal(t, want.Version, got.Version, "%s %s", want.Kind, want.ID)
				assert.Equal(t, string(want.Body), string(got.Body), "SQLite keeps JSON text as it was")
				storagetest.RequireSameDecoded(t, want, got)
				assert.ElementsMatch(t, want.Keys, got.Keys)
				for _, k := range want.Keys {
					var found []isg.Record
					require.NoError(t, s.View(ctx, func(tx isg.Tx) (err error) {
						found, err = tx.Find(ctx, want.Kind, k, isg.Page{})
						return err
					}))
					assert.Contains(t, idsOf(found), want.ID, "found through %s=%s", k.Name, k.Value)
				}
			}
			db, err := sql.Open("sqlite", "file://"+path+"?_pragma=query_only(1)")
			require.NoError(t, err)
			defer db.Close()
			var n, text int
			require.NoError(t, db.QueryRow("SELECT count(*), sum(typeof(body) = 'text' AND json_valid(body)) FROM isg_records").Scan(&n, &text))
			assert.Equal(t, len(recs), n)
			assert.Equal(t, n, text, "every body is JSON text")
			// Writes go on after the migration, and the CHECK keeps a body that is not JSON out
			// even when written past the adapter.
			require.NoError(t, put(ctx, s, isg.Record{Kind: "odd", ID: "new", Body: []byte(`{"after":true}`)}))
			_, err = db.Exec("PRAGMA query_only(0)")
			require.NoError(t, err)
			_, err = db.Exec("INSERT INTO isg_records (kind, id, version, body, keys) VALUES ('odd', 'raw', 1, 'not json', x'01')")
			require.ErrorContains(t, err, "CHECK constraint failed")
		})
	}
}

// TestMigrateJSONBodiesRefusesNonJSON_0003: a file of schema 2 with a body that is not JSON
// (the old BLOB column took any bytes) is not migrated: Open fails naming the migration, and
// the file stays at schema 2 with its rows as they were, for the host to repair.
func TestMigrateJSONBodiesRefusesNonJSON_0003(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	writeOld(t, path, 2, []isg.Record{
		{Kind: "org", ID: "ok", Version: 1, Body: []byte(`{"name":"Leeds"}`)},
		{Kind: "org", ID: "bad", Version: 1, Body: []byte("\x00\x01 not JSON")},
	})
	_, err := sqlite.Open(path)
	require.ErrorContains(t, err, "0003_json_bodies")
	assert.Equal(t, []int{1, 2}, migrationVersions(t, path), "the failed step left no row")
	old, err := sqlite.Open(path, sqlite.MigrateTo(2))
	require.NoError(t, err)
	defer old.Close()
	r, err := get(ctx, old, "org", "bad")
	require.NoError(t, err)
	assert.Equal(t, "\x00\x01 not JSON", string(r.Body))
}

// scenarioCorpora runs every scenario file on a memory store and returns, per file, every
// record the Gateway stored.
func scenarioCorpora(t *testing.T) map[string][]isg.Record {
	t.Helper()
	files, err := filepath.Glob("../../testdata/scenarios/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	out := map[string][]isg.Record{}
	for _, f := range files {
		rec := storagetest.NewRecording(memory.New())
		storagetest.Populate(t, rec, f)
		out[filepath.Base(f)] = rec.Records()
	}
	return out
}

func idsOf(recs []isg.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}

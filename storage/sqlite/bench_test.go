package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/sqlite"
	"github.com/isgkit/gateway/storage/storagetest"
)

func BenchmarkStore(b *testing.B) {
	for _, mode := range []sqlite.SyncMode{sqlite.SyncFull, sqlite.SyncNormal} {
		b.Run(string(mode), func(b *testing.B) {
			storagetest.RunBenchmarks(b, func(b *testing.B) isg.Store {
				return open(b, filepath.Join(b.TempDir(), "isg.db"), sqlite.WithSyncMode(mode))
			})
		})
	}
}

// BenchmarkRawPutGet is the work of storagetest's PutGet — read a record, write it back with
// its index key, in one write transaction — as hand-written SQL through the same driver, on the
// same schema and settings: the floor the adapter's overhead is measured against.
func BenchmarkRawPutGet(b *testing.B) {
	for _, mode := range []sqlite.SyncMode{sqlite.SyncFull, sqlite.SyncNormal} {
		b.Run(string(mode), func(b *testing.B) {
			ctx := context.Background()
			path := filepath.Join(b.TempDir(), "isg.db")
			s := open(b, path)
			body := []byte(`{"id":"0190a3c4-7b2e-7cc1-9f00-000000000001","state":"draft","title":"Discharge summaries to GP practices","purpose":"direct care","lawful_basis":"6(1)(e)","special_category":"9(2)(h)","owner":"0190a3c4-7b2e-7cc1-9f00-0000000000aa","recipients":["0190a3c4-7b2e-7cc1-9f00-0000000000bb"],"review_due":"2026-04-01"}`)
			if err := put(ctx, s, isg.Record{Kind: "flow", ID: "f", Body: body, Keys: []isg.IndexKey{{Name: "member", Value: "org-1"}}}); err != nil {
				b.Fatal(err)
			}
			db, err := sql.Open("sqlite", "file://"+path+"?_pragma=busy_timeout(5000)&_pragma=synchronous("+string(mode)+")&_txlock=immediate")
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(1)
			prep := func(q string) *sql.Stmt {
				st, err := db.Prepare(q)
				if err != nil {
					b.Fatal(err)
				}
				return st
			}
			sel := prep("SELECT version, body, keys FROM isg_records WHERE kind = ? AND id = ?")
			// The body goes back as JSON text, as the adapter writes it (a STRICT TEXT column refuses
			// a BLOB).
			upd := prep("UPDATE isg_records SET version = ?, body = CAST(? AS TEXT), keys = ? WHERE kind = ? AND id = ? AND version = ?")
			del := prep("DELETE FROM isg_index_keys INDEXED BY isg_index_keys_by_record WHERE kind = ? AND id = ?")
			ins := prep("INSERT INTO isg_index_keys (kind, name, value, id, uniq) VALUES (?, ?, ?, ?, ?)")
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				tx, err := db.BeginTx(ctx, nil)
				if err != nil {
					b.Fatal(err)
				}
				var v int64
				var got, keys []byte
				if err := tx.Stmt(sel).QueryRowContext(ctx, "flow", "f").Scan(&v, &got, &keys); err != nil {
					b.Fatal(err)
				}
				if _, err := tx.Stmt(upd).ExecContext(ctx, v+1, got, keys, "flow", "f", v); err != nil {
					b.Fatal(err)
				}
				if _, err := tx.Stmt(del).ExecContext(ctx, "flow", "f"); err != nil {
					b.Fatal(err)
				}
				if _, err := tx.Stmt(ins).ExecContext(ctx, "flow", "member", "org-1", "f", false); err != nil {
					b.Fatal(err)
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

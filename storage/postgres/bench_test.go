package postgres_test

import (
	"context"
	"testing"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/storagetest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// benchConns sizes the pools: the brief's 8 concurrent clients, on top of GOMAXPROCS.
const benchConns = " pool_max_conns=8"

// BenchmarkStore runs storagetest's benchmarks; ParallelPutGet runs 8 clients per CPU
// (b.SetParallelism) over an 8-connection pool.
func BenchmarkStore(b *testing.B) {
	storagetest.RunBenchmarks(b, func(b *testing.B) isg.Store {
		b.SetParallelism(8)
		return open(b, pg.NewSchema(b)+benchConns)
	})
}

var benchBody = []byte(`{"id":"0190a3c4-7b2e-7cc1-9f00-000000000001","state":"draft","title":"Discharge summaries to GP practices","purpose":"direct care","lawful_basis":"6(1)(e)","special_category":"9(2)(h)","owner":"0190a3c4-7b2e-7cc1-9f00-0000000000aa","recipients":["0190a3c4-7b2e-7cc1-9f00-0000000000bb"],"review_due":"2026-04-01"}`)

// BenchmarkRaw is the work of storagetest's PutGet — read a record, write it back with its index
// key, in one transaction — as the plain statements a hand-written repository would send through
// the same driver and pool, on the same schema: the floor the adapter is measured against.
func BenchmarkRaw(b *testing.B) {
	setup := func(b *testing.B, ids ...string) *pgxpool.Pool {
		ctx := context.Background()
		cs := pg.NewSchema(b) + benchConns
		s := open(b, cs) // creates the schema
		for _, id := range ids {
			if err := put(ctx, s, isg.Record{Kind: "flow", ID: id, Body: benchBody, Keys: []isg.IndexKey{{Name: "member", Value: "org-1"}}}); err != nil {
				b.Fatal(err)
			}
		}
		pool, err := pgxpool.New(ctx, cs)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(pool.Close)
		return pool
	}
	b.Run("PutGet", func(b *testing.B) {
		pool := setup(b, "f")
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if err := rawPutGet(context.Background(), pool, "f"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ParallelPutGet", func(b *testing.B) {
		ids := make([]string, 64)
		for i := range ids {
			ids[i] = string(rune('A' + i))
		}
		pool := setup(b, ids...)
		next := make(chan string, len(ids))
		for _, id := range ids {
			next <- id
		}
		b.SetParallelism(8)
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			id := <-next
			for pb.Next() {
				if err := rawPutGet(context.Background(), pool, id); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

func rawPutGet(ctx context.Context, pool *pgxpool.Pool, id string) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var v int64
		var body, keys []byte
		if err := tx.QueryRow(ctx, "SELECT version, body, keys FROM isg_records WHERE kind = $1 AND id = $2", "flow", id).Scan(&v, &body, &keys); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE isg_records SET version = $1, body = $2, keys = $3 WHERE kind = $4 AND id = $5 AND version = $6",
			v+1, body, keys, "flow", id, v); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM isg_index_keys WHERE kind = $1 AND id = $2", "flow", id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO isg_index_keys (kind, name, value, id, uniq) VALUES ($1, $2, $3, $4, $5)", "flow", "member", "org-1", id, false)
		return err
	})
}

package storagetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/isgkit/gateway/isg"
)

// benchBody is the size of a typical encoded aggregate (a data flow with a dozen fields).
var benchBody = []byte(`{"id":"0190a3c4-7b2e-7cc1-9f00-000000000001","state":"draft","title":"Discharge summaries to GP practices","purpose":"direct care","lawful_basis":"6(1)(e)","special_category":"9(2)(h)","owner":"0190a3c4-7b2e-7cc1-9f00-0000000000aa","recipients":["0190a3c4-7b2e-7cc1-9f00-0000000000bb"],"review_due":"2026-04-01"}`)

// RunBenchmarks measures the store through isg.Store, one sub-benchmark per operation, so
// adapters can be compared on the same work:
//
//	func BenchmarkStore(b *testing.B) {
//		storagetest.RunBenchmarks(b, func(b *testing.B) isg.Store { return mystore.New() })
//	}
//
// PutGet is the Gateway's typical command: one unit of work that reads a record and writes it
// back. ParallelPutGet runs it from GOMAXPROCS×SetParallelism goroutines, each on its own record.
func RunBenchmarks(b *testing.B, newStore func(b *testing.B) isg.Store) {
	ctx := context.Background()
	member := isg.IndexKey{Name: "member", Value: "org-1"}
	b.Run("PutGet", func(b *testing.B) {
		s := newStore(b)
		seed(b, s, isg.Record{Kind: "flow", ID: "f", Body: benchBody, Keys: []isg.IndexKey{member}})
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if err := putGet(ctx, s, "f"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Create", func(b *testing.B) {
		s := newStore(b)
		b.ReportAllocs()
		b.ResetTimer()
		i := 0
		for b.Loop() {
			i++
			id := fmt.Sprintf("f%09d", i)
			err := s.Update(ctx, func(tx isg.Tx) error {
				_, err := tx.Put(ctx, isg.Record{Kind: "flow", ID: id, Body: benchBody,
					Keys: []isg.IndexKey{member, {Name: "ref", Value: id, Unique: true}}})
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Get", func(b *testing.B) {
		s := newStore(b)
		seed(b, s, isg.Record{Kind: "flow", ID: "f", Body: benchBody})
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			err := s.View(ctx, func(tx isg.Tx) error {
				_, err := tx.Get(ctx, "flow", "f")
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("FindPage", func(b *testing.B) {
		s := newStore(b)
		recs := make([]isg.Record, 200)
		for i := range recs {
			recs[i] = isg.Record{Kind: "flow", ID: fmt.Sprintf("f%04d", i), Body: benchBody, Keys: []isg.IndexKey{member}}
		}
		seed(b, s, recs...)
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			err := s.View(ctx, func(tx isg.Tx) error {
				page, err := tx.Find(ctx, "flow", member, isg.Page{After: "f0100", Limit: 20})
				if err == nil && len(page) != 20 {
					err = fmt.Errorf("page of %d", len(page))
				}
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ParallelPutGet", func(b *testing.B) {
		s := newStore(b)
		var next atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			id := fmt.Sprintf("p%d", next.Add(1))
			if err := s.Update(ctx, func(tx isg.Tx) error {
				_, err := tx.Put(ctx, isg.Record{Kind: "flow", ID: id, Body: benchBody})
				return err
			}); err != nil {
				b.Error(err)
				return
			}
			for pb.Next() {
				if err := putGet(ctx, s, id); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

func putGet(ctx context.Context, s isg.Store, id string) error {
	return s.Update(ctx, func(tx isg.Tx) error {
		r, err := tx.Get(ctx, "flow", id)
		if err != nil {
			return err
		}
		_, err = tx.Put(ctx, r)
		return err
	})
}

func seed(b *testing.B, s isg.Store, recs ...isg.Record) {
	b.Helper()
	if err := tryPut(s, recs...); err != nil {
		b.Fatal(err)
	}
}

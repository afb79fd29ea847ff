package memory_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/memory"
	"github.com/isgkit/gateway/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) isg.Store { return memory.New() })
}

// TestGateway runs the Gateway-level suite; memory.Store is a Dumper, so its all-or-nothing case
// also compares the whole store.
func TestGateway(t *testing.T) {
	storagetest.RunGateway(t, func(t *testing.T) isg.Store { return memory.New() })
}

func TestScenarios(t *testing.T) {
	storagetest.RunScenarios(t, "../../testdata/scenarios", func(t *testing.T) isg.Store { return memory.New() })
}

func BenchmarkStore(b *testing.B) {
	storagetest.RunBenchmarks(b, func(b *testing.B) isg.Store { return memory.New() })
}

func Example() {
	ctx := context.Background()
	store := memory.New()
	err := store.Update(ctx, func(tx isg.Tx) error {
		_, err := tx.Put(ctx, isg.Record{Kind: "organisation", ID: "org-1", Body: []byte(`{"name":"Leeds City Council"}`)})
		return err
	})
	fmt.Println(err)
	// A write with a stale version is refused: optimistic concurrency.
	err = store.Update(ctx, func(tx isg.Tx) error {
		_, err := tx.Put(ctx, isg.Record{Kind: "organisation", ID: "org-1", Version: 0, Body: []byte(`{"name":"Leeds"}`)})
		return err
	})
	fmt.Println(err != nil && errors.Is(err, isg.ErrConflict))
	// Output:
	// <nil>
	// true
}

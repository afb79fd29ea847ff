package memory_test

import (
	"testing"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/memory"
	"github.com/isgkit/gateway/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) isg.Store { return memory.New() })
}

func BenchmarkStore(b *testing.B) {
	storagetest.RunBenchmarks(b, func(b *testing.B) isg.Store { return memory.New() })
}

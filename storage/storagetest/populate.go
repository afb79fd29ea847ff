package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/scenario"
)

// Populate runs the scenario file at path (package isg/scenario) through a Gateway over s, with
// the file's clock and deterministic IDs, and returns the clock's time after the last step. It
// fills a store with what real commands store, for tests of what a host reads from it.
func Populate(t testing.TB, s isg.Store, path string) time.Time {
	t.Helper()
	return PopulateSteps(t, s, path, -1)
}

// PopulateSteps is Populate stopped after the file's first n steps (all of them when n < 0):
// the store as it stands midway, such as with sign-offs asked for and not all given.
func PopulateSteps(t testing.TB, s isg.Store, path string, n int) time.Time {
	t.Helper()
	f, err := scenario.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if n >= 0 && n < len(f.Steps) {
		f.Steps = f.Steps[:n]
	}
	clock := scenario.NewClock(f.Start)
	g := NewGateway(t, s, isg.WithClock(clock), isg.WithIDs(scenario.NewIDs(clock)))
	if err := scenario.Execute(context.Background(), f, g, clock); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return clock.Now()
}

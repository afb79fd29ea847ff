package httpapi_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/httpapi"
	"github.com/isgkit/gateway/isg/scenario"
	"github.com/isgkit/gateway/storage/memory"
	"github.com/isgkit/gateway/storage/sqlite"
)

// cheapPasswords keeps argon2id fast in tests; production uses isg.DefaultPasswordParams.
var cheapPasswords = isg.WithPasswordParams(isg.PasswordParams{Time: 1, Memory: 64, Threads: 1})

// stores names the adapters the suite runs over the wire on: each makes a fresh, empty store.
var stores = map[string]func(t testing.TB) isg.Store{
	"memory": func(testing.TB) isg.Store { return memory.New() },
	"sqlite": func(t testing.TB) isg.Store {
		s, err := sqlite.Open(filepath.Join(t.TempDir(), fmt.Sprintf("isg-%d.db", time.Now().UnixNano())), sqlite.WithBusyTimeout(60*time.Second))
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		return s
	},
}

// conformanceServer starts the handler in conformance mode on a loopback httptest server, each
// reset making a fresh store with newStore.
func conformanceServer(t testing.TB, newStore func(t testing.TB) isg.Store) *httptest.Server {
	t.Helper()
	h, err := httpapi.New(nil, httpapi.WithConformance(httpapi.Conformance{
		Reset: func(_ context.Context, opts ...isg.Option) (*isg.Gateway, error) {
			return isg.New(newStore(t), append([]isg.Option{cheapPasswords}, opts...)...)
		},
	}))
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// TestScenariosOverTheWire runs every file of testdata/scenarios through the protocol, on a
// conformance server over memory and over SQLite: every step passes as it does in-process, and
// every answer — result or refusal — matches the schema the OpenAPI description documents for
// it, with the status isg.HTTPStatus gives the refusal.
func TestScenariosOverTheWire(t *testing.T) {
	doc := newDocumented(t)
	for name, newStore := range stores {
		t.Run(name, func(t *testing.T) {
			srv := conformanceServer(t, newStore)
			var steps int64
			scenario.RunAllOn(t, "../../testdata/scenarios", validating{client: httpapi.Target(srv.URL), doc: doc, steps: &steps, mu: &sync.Mutex{}})
			require.Greater(t, steps, int64(500), "the steps went over the wire")
			t.Logf("%d command steps over the wire, each answer validated", steps)
		})
	}
}

// TestRunAllHonoursISGTarget: with ISG_TARGET set, RunAll drives that server and never makes a
// Gateway in-process; every file resets the server first.
func TestRunAllHonoursISGTarget(t *testing.T) {
	var resets atomic.Int64
	h, err := httpapi.New(nil, httpapi.WithConformance(httpapi.Conformance{
		Reset: func(_ context.Context, opts ...isg.Option) (*isg.Gateway, error) {
			resets.Add(1)
			return isg.New(memory.New(), append([]isg.Option{cheapPasswords}, opts...)...)
		},
	}))
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()
	t.Setenv(httpapi.EnvTarget, srv.URL)
	t.Setenv(scenario.EnvDir, "")
	httpapi.RunAll(t, "../../testdata/scenarios", func(t *testing.T, _ ...isg.Option) *isg.Gateway {
		t.Fatal("ran in-process although ISG_TARGET is set")
		return nil
	})
	files, _ := filepath.Glob("../../testdata/scenarios/*.json")
	require.Equal(t, int64(len(files)), resets.Load(), "one reset per file")
}

package isg_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/httpapi"
	"github.com/isgkit/gateway/storage/memory"
)

// cheapPasswords keeps argon2id fast in tests; production uses DefaultPasswordParams.
var cheapPasswords = isg.WithPasswordParams(isg.PasswordParams{Time: 1, Memory: 64, Threads: 1})

func newGateway(t testing.TB, opts ...isg.Option) *isg.Gateway {
	t.Helper()
	g, err := isg.New(memory.New(), append([]isg.Option{cheapPasswords}, opts...)...)
	require.NoError(t, err)
	return g
}

// TestScenarios runs every scenario file in-process or, with ISG_TARGET set, against the server
// it names, over the protocol (httpapi.RunAll, docs/protocol.md).
func TestScenarios(t *testing.T) {
	httpapi.RunAll(t, "../testdata/scenarios", func(t *testing.T, opts ...isg.Option) *isg.Gateway {
		return newGateway(t, opts...)
	})
}

var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

var ctx = context.Background()

package pgtest_test

import (
	"context"
	"os"
	"testing"

	"github.com/isgkit/gateway/storage/postgres/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var pg pgtest.Cluster

func TestMain(m *testing.M) { os.Exit(pg.Main(m)) }

func TestNewDatabase(t *testing.T) {
	ctx := context.Background()
	a, b := pg.NewDatabase(t), pg.NewDatabase(t)
	require.NotEqual(t, a, b)
	conn, err := pgx.Connect(ctx, a)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE TABLE t (s text)")
	require.NoError(t, err)

	// Each test's database is its own.
	other, err := pgx.Connect(ctx, b)
	require.NoError(t, err)
	defer other.Close(ctx)
	var n int
	require.NoError(t, other.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE tablename = 't'").Scan(&n))
	assert.Zero(t, n)

	// The default collation is linguistic where the server has ICU, so byte order must be asked for.
	var linguistic bool
	require.NoError(t, conn.QueryRow(ctx, "SELECT 'a' < 'B'").Scan(&linguistic))
	t.Logf("database default collation is linguistic: %v", linguistic)
}

func TestNewSchema(t *testing.T) {
	ctx := context.Background()
	a, b := pg.NewSchema(t), pg.NewSchema(t)
	for _, cs := range []string{a, b} {
		conn, err := pgx.Connect(ctx, cs)
		require.NoError(t, err)
		_, err = conn.Exec(ctx, "CREATE TABLE t (s text)") // the same unqualified name in each
		require.NoError(t, err)
		conn.Close(ctx)
	}
}

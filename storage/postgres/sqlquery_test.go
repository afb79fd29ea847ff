package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/storage/storagetest"
)

// TestDocumentedQueries runs the PostgreSQL queries of docs/sql.md, exactly as written there,
// on schemas filled by the scenario files through Gateway commands, over a pool of its own as a
// host's code would read them, and checks every row (flows by state per organisation, expiring
// assurance ASR-3, outstanding sign-offs SIGN-1/SIGN-2, DPIAs by status).
func TestDocumentedQueries(t *testing.T) {
	storagetest.RunDocumentedQueries(t, "../../docs/sql.md", "postgres", "../../testdata/scenarios", func(t *testing.T) storagetest.SQLTarget {
		db := pg.NewSchema(t)
		s := open(t, db)
		pool, err := pgxpool.New(context.Background(), db)
		require.NoError(t, err)
		t.Cleanup(pool.Close)
		return storagetest.SQLTarget{Store: s, Query: func(query string, args ...any) ([][]string, error) {
			rows, err := pool.Query(context.Background(), query, args...)
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			var out [][]string
			for rows.Next() {
				vals, err := rows.Values()
				if err != nil {
					return nil, err
				}
				row := make([]string, len(vals))
				for i, v := range vals {
					if v != nil {
						row[i] = fmt.Sprint(v)
					}
				}
				out = append(out, row)
			}
			return out, rows.Err()
		}}
	})
}

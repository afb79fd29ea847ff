package sqlite_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/storage/storagetest"
)

// TestDocumentedQueries runs the SQLite queries of docs/sql.md, exactly as written there, on
// files filled by the scenario files through Gateway commands, over a second connection as a
// host's own code would read them, and checks every row (flows by state per organisation,
// expiring assurance ASR-3, outstanding sign-offs SIGN-1/SIGN-2, DPIAs by status).
func TestDocumentedQueries(t *testing.T) {
	storagetest.RunDocumentedQueries(t, "../../docs/sql.md", "sqlite", "../../testdata/scenarios", func(t *testing.T) storagetest.SQLTarget {
		path := filepath.Join(t.TempDir(), "isg.db")
		s := open(t, path)
		db, err := sql.Open("sqlite", "file://"+path+"?_pragma=query_only(1)&_pragma=busy_timeout(5000)")
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		return storagetest.SQLTarget{Store: s, Query: func(query string, args ...any) ([][]string, error) {
			return queryRows(db, query, args...)
		}}
	})
}

// queryRows returns every row's columns as text: NULL as "", numbers in decimal.
func queryRows(db *sql.DB, query string, args ...any) ([][]string, error) {
	rows, err := db.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out [][]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			switch v := v.(type) {
			case nil:
			case []byte:
				row[i] = string(v)
			default:
				row[i] = fmt.Sprint(v)
			}
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

package migrations_test

import (
	"errors"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/storage/internal/migrations"
)

var (
	errNotStore = errors.New("not a store")
	errTooNew   = errors.New("too new")
)

func TestLoadInOrder(t *testing.T) {
	steps, err := migrations.Load(fstest.MapFS{
		"m/0001_records.sql": {Data: []byte("CREATE TABLE r (x);")},
		"m/0002_keys.sql":    {Data: []byte("CREATE TABLE k (y);")},
	}, "m")
	require.NoError(t, err)
	assert.Equal(t, []migrations.Step{{1, "0001_records", "CREATE TABLE r (x);"}, {2, "0002_keys", "CREATE TABLE k (y);"}}, steps)

	_, err = migrations.Load(fstest.MapFS{"m/0001_a.sql": {}, "m/0003_c.sql": {}}, "m")
	assert.ErrorContains(t, err, "out of sequence")
}

func TestCheck(t *testing.T) {
	known := []migrations.Step{{Version: 1, Name: "0001_a"}, {Version: 2, Name: "0002_b"}}
	tests := []struct {
		name    string
		applied []migrations.Applied
		want    int
		err     error
	}{
		{"empty", nil, 0, nil},
		{"partly", []migrations.Applied{{1, "0001_a"}}, 1, nil},
		{"fully", []migrations.Applied{{1, "0001_a"}, {2, "0002_b"}}, 2, nil},
		{"newer", []migrations.Applied{{1, "0001_a"}, {2, "0002_b"}, {3, "0003_c"}}, 0, errTooNew},
		{"renamed", []migrations.Applied{{1, "0001_other"}}, 0, errNotStore},
		{"gap", []migrations.Applied{{2, "0002_b"}}, 0, errNotStore},
		{"zero", []migrations.Applied{{0, "x"}}, 0, errNotStore},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := migrations.Check(known, tt.applied, errNotStore, errTooNew)
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, n)
		})
	}
}

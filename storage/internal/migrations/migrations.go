// Package migrations holds what the SQL store adapters do the same way with their embedded,
// versioned schema steps: reading them in order, and checking a database's migrations table
// against them before anything is written to it.
package migrations

import (
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// Step is one schema step. Versions are dense from 1; a step, once released, never changes: its
// name is recorded with its version and checked on every open.
type Step struct {
	Version int
	Name    string
	SQL     string
}

// Load reads the steps in dir of fsys, named "<version>_<what>.sql" and numbered 1, 2, 3, …; a
// malformed set is a build mistake, reported when a store opens.
func Load(fsys fs.FS, dir string) ([]Step, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []Step
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v != len(out)+1 {
			return nil, fmt.Errorf("migration %s is out of sequence", e.Name())
		}
		body, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, Step{Version: v, Name: strings.TrimSuffix(e.Name(), ".sql"), SQL: string(body)})
	}
	return out, nil
}

// Applied is one row of a database's migrations table.
type Applied struct {
	Version int
	Name    string
}

// Check compares the rows of a migrations table, in version order, with the known steps and
// returns how many are applied. Every applied step must be one of ours under the same name, in
// sequence, or the database is not a store (the error wraps notStore); a version past the known
// ones means newer code wrote it (the error wraps tooNew).
func Check(known []Step, applied []Applied, notStore, tooNew error) (int, error) {
	n := 0
	for _, a := range applied {
		if a.Version > len(known) {
			return 0, fmt.Errorf("%w: schema version %d, this code knows up to %d; upgrade the library", tooNew, a.Version, len(known))
		}
		if a.Version != n+1 || known[a.Version-1].Name != a.Name {
			want := ""
			if a.Version >= 1 {
				want = known[a.Version-1].Name
			}
			return 0, fmt.Errorf("%w: migration %d is %q, expected %q", notStore, a.Version, a.Name, want)
		}
		n = a.Version
	}
	return n, nil
}

// Package pgtest gives tests a real PostgreSQL server and a fresh database per test.
//
// The server is the one ISG_POSTGRES_URL names, if set (a connection string of a role that may
// CREATE DATABASE). Otherwise Cluster starts a throwaway cluster from the PostgreSQL binaries
// installed on the machine — on Debian and Ubuntu the postgresql package, found under
// /usr/lib/postgresql/*/bin — in a temporary directory, listening only on a Unix socket there,
// and removes it when the tests end. PostgreSQL refuses to run as root; when the tests do, the
// cluster runs as the "postgres" user that the package creates. Tests are skipped, with a message
// saying so, only when neither a URL nor any PostgreSQL installation is found.
//
// Use it from a package's TestMain, so one cluster serves the whole test binary:
//
//	var pg pgtest.Cluster
//
//	func TestMain(m *testing.M) { os.Exit(pg.Main(m)) }
//
//	func TestSomething(t *testing.T) {
//		connString := pg.NewSchema(t) // a new, empty schema, dropped after the test
//		…
//	}
//
// NewSchema is cheap (milliseconds) and isolates tests that use unqualified names, as the
// storage/postgres adapter does; NewDatabase (a few hundred milliseconds) isolates everything,
// database-level settings included.
package pgtest

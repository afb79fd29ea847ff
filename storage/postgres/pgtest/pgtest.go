package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the environment variable holding the connection string of an existing server.
const EnvURL = "ISG_POSTGRES_URL"

// Cluster is a PostgreSQL server for one test binary. The zero value is ready to use; call Main
// from TestMain (or Start and Stop yourself).
type Cluster struct {
	mu      sync.Mutex
	started bool
	admin   string // connection string of the maintenance database
	skip    string // why tests skip, when no PostgreSQL is available
	err     error  // why the server could not be had, when it should have been
	dir     string // the throwaway cluster's directory, if we made one
	proc    *exec.Cmd
	exited  chan struct{}
	seq     atomic.Int64

	sharedOnce sync.Once
	sharedName string // the database NewSchema makes schemas in
	shared     string // its connection string
	sharedErr  error
}

// Main starts the server, runs the tests, stops the server and returns the exit code for
// os.Exit. A server that cannot be started fails every test that asks for a database.
func (c *Cluster) Main(m *testing.M) int {
	if err := c.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
	}
	return c.RunThenStop(m)
}

// RunThenStop runs the tests and stops the server if one was started, returning the exit code
// for os.Exit: for packages whose benchmarks alone use a database, which NewSchema or
// NewDatabase starts on first use, so their tests never wait for PostgreSQL.
func (c *Cluster) RunThenStop(m *testing.M) int {
	code := m.Run()
	if err := c.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// Start makes the server available: it checks the server ISG_POSTGRES_URL names, or starts a
// throwaway cluster. Without either it returns nil and NewDatabase skips. Start is idempotent.
func (c *Cluster) Start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started {
		return c.err
	}
	c.started = true
	if u := os.Getenv(EnvURL); u != "" {
		c.admin = u
		c.err = waitReady(u, 10*time.Second, nil)
		if c.err != nil {
			c.err = fmt.Errorf("%s: %w", EnvURL, c.err)
		}
		return c.err
	}
	bin := findBinaries()
	if bin == "" {
		c.skip = "no PostgreSQL: set " + EnvURL + " or install PostgreSQL's server binaries (Debian: apt-get install postgresql)"
		return nil
	}
	c.err = c.startCluster(bin)
	return c.err
}

// findBinaries returns the directory of the newest installed initdb and postgres, or "".
func findBinaries() string {
	var dirs []string
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	// Newest major version first: /usr/lib/postgresql/9.6 must not sort after /usr/lib/postgresql/16.
	slices.SortFunc(matches, func(a, b string) int {
		return compareVersions(filepath.Base(filepath.Dir(b)), filepath.Base(filepath.Dir(a)))
	})
	dirs = append(dirs, matches...)
	dirs = append(dirs, "/usr/local/pgsql/bin")
	if p, err := exec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	for _, d := range dirs {
		if isExecutable(filepath.Join(d, "initdb")) && isExecutable(filepath.Join(d, "postgres")) {
			return d
		}
	}
	return ""
}

func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			return x - y
		}
	}
	return 0
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

func (c *Cluster) startCluster(bin string) error {
	// The socket lives in the cluster's directory, and socket paths are limited to about 100
	// bytes: fall back to /tmp when TMPDIR is deep. As root, always /tmp, since the postgres user
	// must be able to reach the directory and root's TMPDIR may be under /root.
	base := os.TempDir()
	if len(base) > 60 || os.Geteuid() == 0 {
		base = "/tmp"
	}
	dir, err := os.MkdirTemp(base, "isg-pg-")
	if err != nil {
		return err
	}
	c.dir = dir
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root: run it as the user the distribution's package
		// creates, owning the directory it writes to.
		u, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("running as root, and PostgreSQL refuses root: need a 'postgres' user to run the test cluster as (%v)", err)
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, int(uid), int(gid)); err != nil {
			return err
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
	initdb.Dir = dir
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %v\n%s", err, out)
	}
	logFile, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	// postgres itself rather than pg_ctl, so the server is our child: Pdeathsig stops it even if
	// the test binary dies without running Stop (a panic, a timeout, a kill).
	c.proc = exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-k", dir, "-p", "5432",
		"-c", "listen_addresses=",
		// Durability is not under test here, speed is welcome.
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=300")
	c.proc.Dir = dir
	c.proc.Stdout, c.proc.Stderr = logFile, logFile
	c.proc.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT, Setpgid: true}
	if err := c.proc.Start(); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	c.exited = make(chan struct{})
	go func() { _ = c.proc.Wait(); close(c.exited) }()
	c.admin = fmt.Sprintf("host=%s port=5432 user=postgres dbname=postgres sslmode=disable", dir)
	if err := waitReady(c.admin, 60*time.Second, c.exited); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "postgres.log"))
		return fmt.Errorf("postgres did not start: %v\n%s", err, log)
	}
	return nil
}

// waitReady polls until the server accepts a connection, the process exits, or time runs out.
func waitReady(connString string, limit time.Duration, exited <-chan struct{}) error {
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, err := pgx.Connect(ctx, connString)
		if err == nil {
			err = conn.Ping(ctx)
			conn.Close(ctx)
		}
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		select {
		case <-exited:
			return errors.New("postgres exited")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Stop stops a throwaway cluster and removes its directory; a server named by ISG_POSTGRES_URL
// is left running.
func (c *Cluster) Stop() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var err error
	if c.sharedName != "" {
		// Matters on a server named by ISG_POSTGRES_URL, which outlives the tests.
		err = c.exec(c.admin, "DROP DATABASE IF EXISTS "+pgx.Identifier{c.sharedName}.Sanitize()+" WITH (FORCE)")
		c.sharedName = ""
	}
	if c.proc != nil && c.proc.Process != nil {
		// SIGINT is PostgreSQL's fast shutdown: it ends sessions and exits cleanly.
		_ = c.proc.Process.Signal(syscall.SIGINT)
		select {
		case <-c.exited:
		case <-time.After(20 * time.Second):
			_ = c.proc.Process.Kill()
			<-c.exited
			err = errors.Join(err, errors.New("postgres did not stop on SIGINT; killed"))
		}
		c.proc = nil
	}
	if c.dir != "" {
		err = errors.Join(err, os.RemoveAll(c.dir))
		c.dir = ""
	}
	return err
}

// NewDatabase creates an empty database for the test, dropped when the test ends, and returns
// its connection string. It skips the test when no PostgreSQL is available and fails it when the
// server could not be started.
//
// The database's default collation is ICU's English one where the server supports it, so code
// that forgets to ask for byte order (COLLATE "C") sorts differently and fails its tests.
func (c *Cluster) NewDatabase(t testing.TB) string {
	t.Helper()
	c.ready(t)
	name, err := c.createDatabase()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := c.exec(c.admin, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database: %v", err)
		}
	})
	return withParam(c.admin, "dbname", name)
}

// NewSchema creates an empty schema for the test, dropped when the test ends, and returns a
// connection string whose search_path is that schema, so unqualified names are the test's own.
// The schemas live in one database per Cluster, made as NewDatabase makes them. It skips or
// fails the test as NewDatabase does.
func (c *Cluster) NewSchema(t testing.TB) string {
	t.Helper()
	c.ready(t)
	c.sharedOnce.Do(func() {
		c.sharedName, c.sharedErr = c.createDatabase()
		c.shared = withParam(c.admin, "dbname", c.sharedName)
	})
	if c.sharedErr != nil {
		t.Fatalf("pgtest: %v", c.sharedErr)
	}
	schema := fmt.Sprintf("isgtest_%d", c.seq.Add(1))
	ident := pgx.Identifier{schema}.Sanitize()
	if err := c.exec(c.shared, "CREATE SCHEMA "+ident); err != nil {
		t.Fatalf("pgtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		if err := c.exec(c.shared, "DROP SCHEMA "+ident+" CASCADE"); err != nil {
			t.Errorf("pgtest: drop schema: %v", err)
		}
	})
	return withParam(c.shared, "search_path", schema)
}

func (c *Cluster) ready(t testing.TB) {
	t.Helper()
	if err := c.Start(); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	if c.skip != "" {
		t.Skip("pgtest: " + c.skip)
	}
}

// createDatabase makes a new database with a linguistic default collation where it can.
func (c *Cluster) createDatabase() (string, error) {
	name := fmt.Sprintf("isgtest_%d_%d", os.Getpid(), c.seq.Add(1))
	ident := pgx.Identifier{name}.Sanitize()
	if err := c.exec(c.admin, "CREATE DATABASE "+ident+
		" TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C' LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"); err != nil {
		// Servers before 15 or built without ICU: the server's default collation will do.
		if err := c.exec(c.admin, "CREATE DATABASE "+ident); err != nil {
			return "", fmt.Errorf("create database: %w", err)
		}
	}
	return name, nil
}

func (c *Cluster) exec(connString, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, connString)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// withParam returns connString with one parameter set, in either connection string form. The
// values pgtest sets are plain identifiers, needing no quoting.
func withParam(connString, key, value string) string {
	if strings.HasPrefix(connString, "postgres://") || strings.HasPrefix(connString, "postgresql://") {
		if u, err := url.Parse(connString); err == nil {
			if key == "dbname" {
				u.Path = "/" + value
			} else {
				q := u.Query()
				q.Set(key, value)
				u.RawQuery = q.Encode()
			}
			return u.String()
		}
	}
	// In keyword/value form a later keyword overrides an earlier one.
	return connString + " " + key + "=" + value
}

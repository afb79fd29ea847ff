// Command server is a real host of the Gateway on net/http: the command protocol of
// docs/protocol.md (isg/httpapi) over the SQLite store (the memory store with -memory), with
// sign-in issuing an expiring signed session token, the actor resolved from that token on every
// request, structured slog request logs, limits on request size and time, the periodic sweep and
// outbox drain on a ticker, and graceful shutdown on SIGINT/SIGTERM.
//
//	go run ./examples/server                     # SQLite in $TMPDIR/isg-server.sqlite, 127.0.0.1:8080
//	go run ./examples/server -memory -addr 127.0.0.1:9000
//	go run ./examples/server -memory -conformance  # loopback only: scenario runs over the wire
//
// Sign in with POST /v1/session {"email", "password", "org"?}; send the token as
// "Authorization: Bearer <token>" and, to act for another organisation than the session's,
// name it in the "X-ISG-Org" header (the Gateway's permission table decides, as for any call).
//
// Notifications are written to the log, not e-mailed: a host plugs its mail service in as the
// isg.Notifier of its outbox drain.
package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/httpapi"
	"github.com/isgkit/gateway/storage/memory"
	"github.com/isgkit/gateway/storage/sqlite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// The first signal starts the graceful shutdown; from then on the signals are the
		// runtime's again, so a second one ends the process at once.
		<-ctx.Done()
		stop()
	}()
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

// config is what the flags set.
type config struct {
	addr        string
	db          string
	memory      bool
	conformance bool
	sessionKey  []byte // nil: a random key per run
	sessionTTL  time.Duration
	maxBody     int64
	timeout     time.Duration // per request
	shutdown    time.Duration // how long in-flight requests get to finish
	sweepEvery  time.Duration // 0: no periodic sweep and drain
}

// envSessionKey names the environment variable that may hold the session key (hex), so it need
// not appear in a process listing as a flag would.
const envSessionKey = "ISG_SESSION_KEY"

func parseFlags(args []string, out io.Writer) (config, error) {
	var c config
	var key string
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&c.db, "db", filepath.Join(os.TempDir(), "isg-server.sqlite"), "SQLite database file")
	fs.BoolVar(&c.memory, "memory", false, "keep everything in memory instead of SQLite (lost at exit)")
	fs.BoolVar(&c.conformance, "conformance", false, "conformance mode for scenario runs: the caller names the actor, and reset, clock and drain routes are open (loopback -addr only)")
	fs.StringVar(&key, "session-key", "", "session signing key, hex, at least 32 bytes (default: $"+envSessionKey+", else random per run: a restart ends every session)")
	fs.DurationVar(&c.sessionTTL, "session-ttl", 8*time.Hour, "how long a session token is valid")
	fs.Int64Var(&c.maxBody, "max-body", httpapi.DefaultMaxBody, "largest request body in bytes (larger: 413); the default fits the largest document the Gateway takes")
	fs.DurationVar(&c.timeout, "request-timeout", 20*time.Second, "time limit of one request's work")
	fs.DurationVar(&c.shutdown, "shutdown-timeout", 15*time.Second, "how long in-flight requests get to finish at shutdown")
	fs.DurationVar(&c.sweepEvery, "sweep-every", time.Minute, "how often to run the periodic sweep and drain the outbox (0: never; never in conformance mode, where the scenario drives them)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if key == "" {
		key = os.Getenv(envSessionKey)
	}
	if key != "" {
		b, err := hex.DecodeString(key)
		if err != nil {
			return c, fmt.Errorf("session key: not hex: %w", err)
		}
		c.sessionKey = b
	}
	if c.maxBody <= 0 || c.timeout <= 0 || c.shutdown <= 0 || c.sweepEvery < 0 {
		return c, errors.New("limits and timeouts must be positive")
	}
	if c.conformance {
		if err := loopbackOnly(c.addr); err != nil {
			return c, err
		}
		c.sweepEvery = 0
	}
	return c, nil
}

// loopbackOnly refuses an address that is not a literal loopback IP (or "localhost"): conformance
// mode lets any caller act as anyone and wipe the store, so it must never be reachable from
// another machine. An empty host means every interface and is refused.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-conformance needs a loopback -addr (127.0.0.1:PORT or [::1]:PORT), not %q", addr)
}

// run parses args, opens the store, serves until ctx ends and shuts down gracefully. Logs go
// to stdout as JSON lines; the first names the address served.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	return runWith(ctx, args, stdout, httpapiCommands)
}

// runWith is run with the command protocol handler given: the tests pass their own to hold a
// request in flight.
func runWith(ctx context.Context, args []string, stdout io.Writer, commands commandsFunc, opts ...isg.Option) error {
	cfg, err := parseFlags(args, stdout)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(stdout, nil))
	s, err := newServer(cfg, logger, commands, opts...)
	if err != nil {
		return err
	}
	listen := func(addr string) (net.Listener, error) { return net.Listen("tcp", addr) }
	if cfg.conformance {
		listen = httpapi.ListenLoopback // refuses what does not resolve to loopback, too
	}
	ln, err := listen(cfg.addr)
	if err != nil {
		return errors.Join(err, s.close())
	}
	return errors.Join(s.serve(ctx, ln), s.close())
}

// server is one running host.
type server struct {
	cfg      config
	log      *slog.Logger
	g        *isg.Gateway
	sessions *sessions
	http     *http.Server
	close    func() error
}

func newServer(cfg config, logger *slog.Logger, commands commandsFunc, opts ...isg.Option) (*server, error) {
	s := &server{cfg: cfg, log: logger, close: func() error { return nil }}
	opts = append([]isg.Option{isg.WithLogger(logger)}, opts...)
	var err error
	if s.sessions, err = newSessions(cfg.sessionKey, cfg.sessionTTL, time.Now); err != nil {
		return nil, err
	}
	mode := protocolMode{resolve: s.actor, maxBody: cfg.maxBody}
	mux := http.NewServeMux()
	if cfg.conformance {
		// Every scenario file starts on an empty store of the kind asked for, with the
		// scenario's clock: the platform is made at each reset, not here.
		stores, err := newConformanceStores(cfg.memory, opts)
		if err != nil {
			return nil, err
		}
		s.close = stores.close
		mode.conformance = &httpapi.Conformance{Reset: stores.reset}
		s.log.Info("conformance mode: any loopback caller may act as anyone and reset the platform",
			"store", storeKind(cfg), "dir", stores.dir)
	} else {
		store, err := openStore(cfg)
		if err != nil {
			return nil, err
		}
		if c, ok := store.(io.Closer); ok {
			s.close = c.Close
		}
		if s.g, err = isg.New(store, opts...); err != nil {
			return nil, errors.Join(err, s.close())
		}
		mux.HandleFunc("POST /v1/session", s.signIn)
		if cfg.memory {
			s.log.Info("store", "kind", storeKind(cfg))
		} else {
			s.log.Info("store", "kind", storeKind(cfg), "path", cfg.db)
		}
	}
	api, err := commands(s.g, mode)
	if err != nil {
		return nil, errors.Join(err, s.close())
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	mux.Handle("/v1/", api)
	s.http = &http.Server{
		Handler: s.logged(s.limited(s.authenticated(mux))),
		// Each phase of a request has its own limit, so a slow or stalled client cannot hold a
		// connection (and its goroutine) for ever: headers, the whole request, the response, and
		// an idle keep-alive connection.
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       cfg.timeout,
		WriteTimeout:      cfg.timeout + 5*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return s, nil
}

func storeKind(cfg config) string {
	if cfg.memory {
		return "memory"
	}
	return "sqlite"
}

func openStore(cfg config) (isg.Store, error) {
	if cfg.memory {
		return memory.New(), nil
	}
	st, err := sqlite.Open(cfg.db)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", cfg.db, err)
	}
	return st, nil
}

// serve serves on ln until ctx ends, then shuts down: the listener closes at once, in-flight
// requests get cfg.shutdown to finish, and the periodic work stops.
func (s *server) serve(ctx context.Context, ln net.Listener) error {
	s.log.Info("listening", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(ln) }()
	var wg sync.WaitGroup
	periodicCtx, stopPeriodic := context.WithCancel(context.Background())
	defer stopPeriodic()
	if s.cfg.sweepEvery > 0 {
		wg.Go(func() { s.periodic(periodicCtx, s.cfg.sweepEvery) })
	}
	select {
	case err := <-errc:
		stopPeriodic()
		wg.Wait()
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "grace", s.cfg.shutdown.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.cfg.shutdown)
	defer cancel()
	err := s.http.Shutdown(shutdownCtx)
	stopPeriodic()
	wg.Wait()
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	s.log.Info("stopped", "error", errString(err))
	return err
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// periodic runs the Gateway's sweep (reminders, expiries, escalations: each raised once, so
// several instances may sweep the same store) and drains the outbox, every interval.
func (s *server) periodic(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.sweepAndDrain(ctx)
		}
	}
}

func (s *server) sweepAndDrain(ctx context.Context) {
	if res, err := s.g.Sweep(ctx); err != nil {
		s.log.Error("sweep", "error", err.Error())
	} else {
		s.log.Debug("sweep", "result", res)
	}
	const page = 100
	for ctx.Err() == nil {
		res, err := s.g.DrainOutbox(ctx, isg.NotifierFunc(s.deliver), page)
		if err != nil {
			s.log.Error("outbox drain", "error", err.Error(), "delivered", res.Delivered, "failed", res.Failed)
			return
		}
		if res.Delivered+res.Suppressed < page {
			return
		}
	}
}

// deliver writes a notification to the log instead of e-mailing it. Values that are secrets
// (verification and reset tokens) are left out: the log is not the recipient's mailbox.
func (s *server) deliver(_ context.Context, n isg.Notification) error {
	data := make(map[string]string, len(n.Data))
	for k, v := range n.Data {
		if secretKey(k) {
			v = "[redacted]"
		}
		data[k] = v
	}
	s.log.Info("notification", "id", n.ID, "type", n.Type, "recipient", n.Recipient.String(), "email", n.Email,
		"org", n.Org.String(), "data", data)
	return nil
}

func secretKey(k string) bool {
	k = strings.ToLower(k)
	return strings.Contains(k, "token") || strings.Contains(k, "password") || strings.Contains(k, "secret")
}

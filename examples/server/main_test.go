package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/httpapi"
	"github.com/isgkit/gateway/isg/scenario"
)

// cheapPasswords keeps argon2id fast in tests; the server itself uses the default cost.
var cheapPasswords = isg.WithPasswordParams(isg.PasswordParams{Time: 1, Memory: 64, Threads: 1})

// syncBuffer collects the server's log lines, written from its goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// lines decodes the JSON log lines.
func (s *syncBuffer) lines(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s.String()))
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), "each log line is JSON: %s", sc.Text())
		out = append(out, m)
	}
	return out
}

type testServer struct {
	url    string
	addr   string
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

// stop shuts the server down as SIGINT would and returns what run returned.
func (s *testServer) stop(t testing.TB) error {
	t.Helper()
	s.cancel()
	select {
	case err := <-s.done:
		s.done <- err
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not stop")
		return nil
	}
}

// start runs the server on a free loopback port with args, and stops it at the end of the test.
func start(t testing.TB, commands commandsFunc, args ...string) *testServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &testServer{logs: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	go func() {
		s.done <- runWith(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), s.logs, commands, cheapPasswords)
	}()
	t.Cleanup(func() { _ = s.stop(t) })
	for range 2000 {
		select {
		case err := <-s.done:
			s.done <- err
			t.Fatalf("the server stopped at once: %v\n%s", err, s.logs)
		default:
		}
		for _, l := range s.logs.lines(t) {
			if l["msg"] == "listening" {
				s.addr = l["addr"].(string)
				s.url = "http://" + s.addr
				return s
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("the server never listened:\n%s", s.logs)
	return nil
}

// stores runs a test on the server over each store it offers.
func stores(t *testing.T, test func(t *testing.T, args ...string)) {
	t.Run("sqlite", func(t *testing.T) { test(t, "-db", filepath.Join(t.TempDir(), "isg.sqlite")) })
	t.Run("memory", func(t *testing.T) { test(t, "-memory") })
}

// answer is one HTTP answer, its body decoded.
type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// call sends a JSON body (nil: none) with the given headers.
func call(t testing.TB, method, url string, body any, headers ...string) answer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	a := answer{status: res.StatusCode, header: res.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &a.body)
	return a
}

func (s *testServer) command(t testing.TB, name string, input any, headers ...string) answer {
	t.Helper()
	return call(t, http.MethodPost, s.url+"/v1/commands/"+name, input, headers...)
}

func bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }

// newUser registers an NHS address (validated instantly, REG-1), verifies it and signs in.
func (s *testServer) newUser(t testing.TB, email string) (id, token string) {
	t.Helper()
	reg := s.command(t, "account.register", map[string]any{"email": email, "name": "Ann", "password": "Passw0rd!"})
	require.Equal(t, http.StatusOK, reg.status, reg.raw)
	v := s.command(t, "account.verify_email", map[string]any{"token": reg.body["verification_token"]})
	require.Equal(t, http.StatusOK, v.status, v.raw)
	in := call(t, http.MethodPost, s.url+"/v1/session", map[string]any{"email": email, "password": "Passw0rd!"})
	require.Equal(t, http.StatusOK, in.status, in.raw)
	return reg.body["account"].(map[string]any)["id"].(string), in.body["token"].(string)
}

// TestSessionSignInActs_REG3_REG4_ROLE7: over HTTP a user registers, verifies, signs in and acts
// with the token; a wrong password is 401 (REG-4) with the Gateway's code, no token is 401 for
// a command needing an actor, and neither passwords nor tokens reach the log.
func TestSessionSignInActs_REG3_REG4_ROLE7(t *testing.T) {
	stores(t, func(t *testing.T, args ...string) {
		s := start(t, httpapiCommands, args...)
		reg := s.command(t, "account.register", map[string]any{"email": "ann@trust.nhs.uk", "name": "Ann", "password": "Passw0rd!"})
		require.Equal(t, http.StatusOK, reg.status, reg.raw)
		verification := reg.body["verification_token"].(string)

		early := call(t, http.MethodPost, s.url+"/v1/session", map[string]any{"email": "ann@trust.nhs.uk", "password": "Passw0rd!"})
		assert.Equal(t, http.StatusUnauthorized, early.status, "REG-3: not verified yet")
		assert.Equal(t, "auth.unverified", early.body["code"])

		require.Equal(t, http.StatusOK, s.command(t, "account.verify_email", map[string]any{"token": verification}).status)
		wrong := call(t, http.MethodPost, s.url+"/v1/session", map[string]any{"email": "ann@trust.nhs.uk", "password": "Wr0ng-pass"})
		assert.Equal(t, http.StatusUnauthorized, wrong.status)
		assert.Equal(t, "auth.invalid_credentials", wrong.body["code"])
		unknown := call(t, http.MethodPost, s.url+"/v1/session", map[string]any{"email": "nobody@trust.nhs.uk", "password": "Wr0ng-pass"})
		assert.Equal(t, wrong.status, unknown.status, "REG-4: an unknown address answers as a wrong password")
		assert.Equal(t, wrong.body["code"], unknown.body["code"])

		in := call(t, http.MethodPost, s.url+"/v1/session", map[string]any{"email": "ann@trust.nhs.uk", "password": "Passw0rd!"})
		require.Equal(t, http.StatusOK, in.status, in.raw)
		token := in.body["token"].(string)
		assert.Equal(t, "no-store", in.header.Get("Cache-Control"))
		exp, err := time.Parse(time.RFC3339, in.body["expires_at"].(string))
		require.NoError(t, err)
		assert.WithinDuration(t, time.Now().Add(8*time.Hour), exp, time.Minute, "the default lifetime")

		mine := s.command(t, "account.memberships", nil, bearer(token)...)
		require.Equal(t, http.StatusOK, mine.status, mine.raw)
		assert.Equal(t, false, mine.body["central_admin"])

		anon := s.command(t, "account.memberships", nil)
		assert.Equal(t, http.StatusUnauthorized, anon.status)
		assert.Contains(t, anon.header.Get("WWW-Authenticate"), "Bearer")
		notBearer := s.command(t, "account.memberships", nil, "Authorization", "Basic "+token)
		assert.Equal(t, http.StatusUnauthorized, notBearer.status)

		logs := s.logs.String()
		for _, secret := range []string{"Passw0rd!", "Wr0ng-pass", token, verification} {
			assert.NotContains(t, logs, secret, "the log never holds a password or a token")
		}
		var sawCommand bool
		for _, l := range s.logs.lines(t) {
			if l["msg"] == "request" && l["command"] == "account.memberships" && l["status"] == float64(200) {
				sawCommand = true
				assert.Equal(t, "POST", l["method"])
				assert.NotEmpty(t, l["request_id"])
				assert.Contains(t, l, "duration_ms")
				assert.NotEmpty(t, l["user"], "the signed-in user is named")
			}
		}
		assert.True(t, sawCommand, "the request log names the command and its status:\n%s", logs)
	})
}

// TestSessionTokenTamperedOrExpiredIs401: with a known key, a token the server signed works,
// and an expired one, a changed one or one signed by another key gets 401 and nothing else.
func TestSessionTokenTamperedOrExpiredIs401(t *testing.T) {
	key := bytes.Repeat([]byte{42}, 32)
	s := start(t, httpapiCommands, "-memory", "-session-key", hex.EncodeToString(key))
	id, token := s.newUser(t, "ann@trust.nhs.uk")
	user, err := isg.ParseUserID(id)
	require.NoError(t, err)

	past := time.Now().Add(-9 * time.Hour)
	expired, _ := fixedSessions(t, key, &past).issue(user, isg.OrgID{})
	now := time.Now()
	minted, _ := fixedSessions(t, key, &now).issue(user, isg.OrgID{})
	otherKey, _ := fixedSessions(t, bytes.Repeat([]byte{43}, 32), &now).issue(user, isg.OrgID{})
	parts := strings.Split(token, ".")
	longer := parts[0] + "." + tokenEncoding.EncodeToString([]byte(id+".."+"4102444800")) + "." + parts[2]

	assert.Equal(t, http.StatusOK, s.command(t, "account.memberships", nil, bearer(token)...).status)
	assert.Equal(t, http.StatusOK, s.command(t, "account.memberships", nil, bearer(minted)...).status, "the key from the flag signs")
	for name, tok := range map[string]string{"expired": expired, "another key": otherKey, "a later expiry written in": longer, "garbage": "v1.x.y"} {
		t.Run(name, func(t *testing.T) {
			a := s.command(t, "account.memberships", nil, bearer(tok)...)
			assert.Equal(t, http.StatusUnauthorized, a.status, a.raw)
			assert.Equal(t, "session.invalid", a.body["code"])
			assert.NotContains(t, a.raw, id, "a refused token learns nothing about the account")
			// Even a command anyone may run is refused with a bad token: a caller who sent one
			// meant to be someone.
			assert.Equal(t, http.StatusUnauthorized, s.command(t, "mou.current", nil, bearer(tok)...).status)
			assert.NotContains(t, s.logs.String(), tok, "a refused token is not logged either")
		})
	}
	assert.NotContains(t, s.logs.String(), token)
}

// TestSessionOrgHeaderIsCheckedByTheGate_ROLE7: a user naming, in X-ISG-Org, an organisation
// they hold no role in is refused by the Gateway's gate; naming it at sign-in is refused the
// same way for a malformed, an unknown and another's organisation.
func TestSessionOrgHeaderIsCheckedByTheGate_ROLE7(t *testing.T) {
	s := start(t, httpapiCommands, "-memory")
	_, ann := s.newUser(t, "ann@trust.nhs.uk")
	_, bob := s.newUser(t, "bob@other.nhs.uk")
	org := s.command(t, "org.register", map[string]any{"name": "Leeds Teaching Hospitals", "category": "nhs_trust", "ods_code": "rr8",
		"ico_number": "z5725632", "address": map[string]any{"line1": "Great George St", "town": "Leeds", "postcode": "LS1 3EX"},
		"contact_email": "ig@leeds.nhs.uk", "licence_requested": false}, bearer(ann)...)
	require.Equal(t, http.StatusOK, org.status, org.raw)
	leeds := org.body["id"].(string)

	annIn := call(t, http.MethodPost, s.url+"/v1/session", map[string]any{"email": "ann@trust.nhs.uk", "password": "Passw0rd!"})
	require.Equal(t, http.StatusOK, annIn.status)
	assert.Equal(t, leeds, annIn.body["org"], "the session acts for the user's first organisation by default")
	assert.Equal(t, http.StatusOK, s.command(t, "org.members", nil, bearer(annIn.body["token"].(string))...).status)
	assert.Equal(t, http.StatusOK, s.command(t, "org.members", nil, append(bearer(ann), orgHeader, leeds)...).status)

	intruder := s.command(t, "org.members", nil, append(bearer(bob), orgHeader, leeds)...)
	assert.Equal(t, http.StatusForbidden, intruder.status, intruder.raw)
	assert.Equal(t, "forbidden", intruder.body["code"])
	assert.Equal(t, http.StatusBadRequest, s.command(t, "org.members", nil, append(bearer(bob), orgHeader, "not-an-id")...).status)

	var answers []string
	for _, o := range []string{leeds, "0190a000-0000-7000-8000-0000000000ff", "not-an-id"} {
		a := call(t, http.MethodPost, s.url+"/v1/session", map[string]any{"email": "bob@other.nhs.uk", "password": "Passw0rd!", "org": o})
		assert.Equal(t, http.StatusForbidden, a.status, a.raw)
		answers = append(answers, a.raw)
	}
	assert.Equal(t, answers[0], answers[1], "another's organisation and an unknown one answer alike")
	assert.Equal(t, answers[0], answers[2])
}

// TestRequestBodyLimitIs413: a body over -max-body is 413, whether it says its length or is
// sent in chunks; a body at the limit goes through.
func TestRequestBodyLimitIs413(t *testing.T) {
	s := start(t, httpapiCommands, "-memory", "-max-body", "1024")
	big := `{"email": "` + strings.Repeat("a", 2048) + `@trust.nhs.uk", "password": "x"}`
	a := call(t, http.MethodPost, s.url+"/v1/session", json.RawMessage(big))
	assert.Equal(t, http.StatusRequestEntityTooLarge, a.status)
	assert.Equal(t, "request.too_large", a.body["code"])

	pr, pw := io.Pipe()
	go func() {
		for range 4 {
			pw.Write([]byte(strings.Repeat(" ", 512)))
		}
		pw.Close()
	}()
	req, err := http.NewRequest(http.MethodPost, s.url+"/v1/commands/account.sign_in", pr)
	require.NoError(t, err)
	req.ContentLength = -1 // sent in chunks, no length said
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)

	fits := `{"email": "a@trust.nhs.uk", "password": "x"}`
	fits += strings.Repeat(" ", 1024-len(fits))
	ok := call(t, http.MethodPost, s.url+"/v1/session", json.RawMessage(fits))
	assert.Equal(t, http.StatusUnauthorized, ok.status, "at the limit the request is read and answered: %s", ok.raw)
}

// TestRequestIDIsEchoedAndSafe: a plain request ID is kept and echoed; one that could forge log
// lines is replaced.
func TestRequestIDIsEchoedAndSafe(t *testing.T) {
	s := start(t, httpapiCommands, "-memory")
	a := call(t, http.MethodGet, s.url+"/healthz", nil, requestIDHeader, "abc-123")
	assert.Equal(t, "abc-123", a.header.Get(requestIDHeader))
	b := call(t, http.MethodGet, s.url+"/healthz", nil, requestIDHeader, `x" "status":200`)
	assert.NotContains(t, b.header.Get(requestIDHeader), `"`)
	assert.Len(t, b.header.Get(requestIDHeader), 24)
}

// TestShutdownCompletesInFlightRequests: a request being served when the shutdown begins (the
// listener already closed) is answered in full, and run then returns without error.
func TestShutdownCompletesInFlightRequests(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	slow := func(g *isg.Gateway, m protocolMode) (http.Handler, error) {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(entered)
			<-release
			writeJSON(w, http.StatusOK, map[string]string{"done": "yes"})
		}), nil
	}
	s := start(t, slow, "-memory")
	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		res, err := http.Post(s.url+"/v1/commands/mou.current", "application/json", nil)
		if err != nil {
			got <- result{err: err}
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		got <- result{res.StatusCode, string(b), err}
	}()
	<-entered
	s.cancel()
	// The shutdown has begun once the listener refuses new connections.
	for {
		c, err := net.Dial("tcp", s.addr)
		if err != nil {
			break
		}
		c.Close()
		time.Sleep(2 * time.Millisecond)
	}
	select {
	case err := <-s.done:
		t.Fatalf("run returned with a request in flight: %v", err)
	default:
	}
	close(release)
	a := <-got
	require.NoError(t, a.err, "the in-flight request is answered")
	assert.Equal(t, http.StatusOK, a.status)
	assert.JSONEq(t, `{"done": "yes"}`, a.body)
	assert.NoError(t, s.stop(t))
	assert.Contains(t, s.logs.String(), `"msg":"stopped"`)
}

// TestConformanceNeedsLoopback: conformance mode, which lets a caller act as anyone and wipe the
// store, is refused on any address that is not loopback.
func TestConformanceNeedsLoopback(t *testing.T) {
	for _, addr := range []string{":0", "0.0.0.0:0", "[::]:0", "192.168.1.10:0", "example.com:80", "127.0.0.1"} {
		t.Run(addr, func(t *testing.T) {
			err := runWith(context.Background(), []string{"-memory", "-conformance", "-addr", addr}, io.Discard, httpapiCommands)
			assert.Error(t, err)
		})
	}
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0", "localhost:0", "127.0.0.2:0"} {
		assert.NoError(t, loopbackOnly(addr), addr)
	}
}

// TestPeriodicDrainLogsNotificationsWithoutSecrets_REG8: the ticker drains the outbox into the
// log; a password-reset notice (REG-8) is logged with its token left out.
func TestPeriodicDrainLogsNotificationsWithoutSecrets_REG8(t *testing.T) {
	s := start(t, httpapiCommands, "-memory", "-sweep-every", "10ms")
	s.newUser(t, "ann@trust.nhs.uk")
	a := s.command(t, "account.request_password_reset", map[string]any{"email": "ann@trust.nhs.uk"})
	require.Equal(t, http.StatusOK, a.status, a.raw)
	for range 1000 {
		for _, l := range s.logs.lines(t) {
			if l["msg"] == "notification" && l["type"] == isg.EventPasswordResetRequested {
				data := l["data"].(map[string]any)
				assert.Equal(t, "[redacted]", data["token"])
				assert.Equal(t, "ann@trust.nhs.uk", l["email"])
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no notification logged:\n%s", s.logs)
}

// TestFlagsAreChecked: bad flags stop the server before it opens anything.
func TestFlagsAreChecked(t *testing.T) {
	for _, args := range [][]string{
		{"-session-key", "zz"},
		{"-session-key", "abcd"},
		{"-max-body", "0"},
		{"-memory", "extra"},
		{"-nope"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			err := runWith(context.Background(), append([]string{"-addr", "127.0.0.1:0", "-memory"}, args...), io.Discard, httpapiCommands)
			assert.Error(t, err)
		})
	}
}

// TestScenariosOverTheWire: the server in conformance mode on loopback runs the whole scenario
// suite (testdata/scenarios, and ISG_SCENARIOS) through isg/httpapi's client, each file on a
// fresh store of the kind asked for: the same steps pass over HTTP as in-process.
func TestScenariosOverTheWire(t *testing.T) {
	stores(t, func(t *testing.T, args ...string) {
		s := start(t, httpapiCommands, append([]string{"-conformance"}, args...)...)
		scenario.RunAllOn(t, "../../testdata/scenarios", httpapi.Target(s.url))
		files, err := filepath.Glob("../../testdata/scenarios/*.json")
		require.NoError(t, err)
		var commands, resets int
		for _, l := range s.logs.lines(t) {
			if l["msg"] != "request" {
				continue
			}
			if _, ok := l["command"]; ok {
				commands++
			}
			if l["path"] == "/v1/conformance/reset" && l["status"] == float64(200) {
				resets++
			}
		}
		assert.GreaterOrEqual(t, resets, len(files), "each file started on a fresh store")
		assert.Greater(t, commands, 500, "the steps went through this server")
		t.Logf("%d files, %d command requests", len(files), commands)
	})
}

// TestProductionRefusesConformanceAndNamedActors_ROLE7: served without -conformance, the
// scenario controls do not exist, a request naming its actor in the conformance headers or in
// the body is refused even with a valid session, and the session's own actor is the only one.
func TestProductionRefusesConformanceAndNamedActors_ROLE7(t *testing.T) {
	s := start(t, httpapiCommands, "-memory")
	ann, token := s.newUser(t, "ann@trust.nhs.uk")
	_, bob := s.newUser(t, "bob@trust.nhs.uk")
	for _, path := range []string{"/v1/conformance/reset", "/v1/conformance/clock", "/v1/conformance/drain"} {
		for _, h := range [][]string{nil, bearer(token)} {
			a := call(t, http.MethodPost, s.url+path, map[string]any{"start": "2026-01-01T00:00:00Z"}, h...)
			assert.Equal(t, http.StatusNotFound, a.status, "%s %v", path, h)
			assert.Equal(t, httpapi.CodeConformanceDisabled, a.body["code"])
		}
	}
	named := s.command(t, "account.get", map[string]any{"user": ann}, append(bearer(bob), httpapi.HeaderActorUser, ann)...)
	assert.Equal(t, http.StatusBadRequest, named.status, named.raw)
	assert.Equal(t, httpapi.CodeActorNamed, named.body["code"])
	inBody := s.command(t, "account.get", map[string]any{"user": ann, "actor": map[string]any{"user": ann}}, bearer(bob)...)
	assert.Equal(t, http.StatusBadRequest, inBody.status, inBody.raw)
	assert.Equal(t, isg.CodeCommandBadInput, inBody.body["code"])
	mine := s.command(t, "account.get", map[string]any{"user": ann}, bearer(token)...)
	assert.Equal(t, http.StatusOK, mine.status, mine.raw)
	theirs := s.command(t, "account.get", map[string]any{"user": ann}, bearer(bob)...)
	unknown := s.command(t, "account.get", map[string]any{"user": "0190a000-0000-7000-8000-0000000000ff"}, bearer(bob)...)
	assert.Equal(t, http.StatusNotFound, theirs.status, "another's account is not seen: %s", theirs.raw)
	assert.Equal(t, unknown.status, theirs.status, "an invisible account and an unknown one answer alike")
	assert.Equal(t, unknown.body["code"], theirs.body["code"])

	assert.Equal(t, http.StatusOK, call(t, http.MethodGet, s.url+"/v1/commands", nil).status)
	assert.Equal(t, http.StatusOK, call(t, http.MethodGet, s.url+"/v1/openapi.json", nil).status)
}

// TestConformanceModeHasNoSessions: in conformance mode the caller names the actor, so the
// server issues no sessions.
func TestConformanceModeHasNoSessions(t *testing.T) {
	s := start(t, httpapiCommands, "-memory", "-conformance")
	a := call(t, http.MethodPost, s.url+"/v1/session", map[string]any{"email": "a@nhs.net", "password": "x"})
	assert.Equal(t, http.StatusNotFound, a.status, a.raw)
}

// TestRequestTimeLimit: a request's work runs under -request-timeout through its context, so a
// command stuck on a slow store gives up instead of holding its goroutine.
func TestRequestTimeLimit(t *testing.T) {
	seen := make(chan error, 1)
	stuck := func(g *isg.Gateway, m protocolMode) (http.Handler, error) {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
			seen <- r.Context().Err()
			writeError(w, http.StatusServiceUnavailable, "request.timeout", "took too long")
		}), nil
	}
	s := start(t, stuck, "-memory", "-request-timeout", "50ms")
	a := s.command(t, "mou.current", nil)
	assert.Equal(t, http.StatusServiceUnavailable, a.status)
	assert.ErrorIs(t, <-seen, context.DeadlineExceeded)
}

// BenchmarkSessionCommandRoundTrip: one command with a session token through the whole server
// (request log, limits, token check, httpapi, Gateway) over loopback HTTP, on the memory store.
func BenchmarkSessionCommandRoundTrip(b *testing.B) {
	s := start(b, httpapiCommands, "-memory")
	_, token := s.newUser(b, "ann@trust.nhs.uk")
	body := []byte(`{}`)
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPost, s.url+"/v1/commands/account.memberships", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
}

// BenchmarkSessionCheck: checking one token (MAC, parse, expiry).
func BenchmarkSessionCheck(b *testing.B) {
	now := t0
	s := fixedSessions(b, testKey, &now)
	token, _ := s.issue(alice, leeds)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.check(token); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSessionOfALockedAccountActsNoMore_REG4: a token is stateless, but the Gateway checks the
// account on every command, so once the account is locked (five wrong passwords) its still
// unexpired session is refused.
func TestSessionOfALockedAccountActsNoMore_REG4(t *testing.T) {
	s := start(t, httpapiCommands, "-memory")
	_, token := s.newUser(t, "ann@trust.nhs.uk")
	require.Equal(t, http.StatusOK, s.command(t, "account.memberships", nil, bearer(token)...).status)
	var last answer
	for range 5 {
		last = call(t, http.MethodPost, s.url+"/v1/session", map[string]any{"email": "ann@trust.nhs.uk", "password": "Wr0ng-pass"})
	}
	require.Equal(t, "auth.locked", last.body["code"], last.raw)
	a := s.command(t, "account.memberships", nil, bearer(token)...)
	assert.Equal(t, http.StatusForbidden, a.status, a.raw)
}

// BenchmarkSessionClients8: 8 concurrent clients, each with its own session, each request a write
// (account.set_preferences, switching a notification type on and off) through the whole server,
// on SQLite and on memory.
func BenchmarkSessionClients8(b *testing.B) {
	for _, store := range []struct {
		name string
		args func(b *testing.B) []string
	}{
		{"sqlite", func(b *testing.B) []string { return []string{"-db", filepath.Join(b.TempDir(), "isg.sqlite")} }},
		{"memory", func(*testing.B) []string { return []string{"-memory"} }},
	} {
		b.Run(store.name, func(b *testing.B) {
			s := start(b, httpapiCommands, store.args(b)...)
			tokens := make(chan string, 8)
			for i := range 8 {
				_, tok := s.newUser(b, fmt.Sprintf("user%d@trust.nhs.uk", i))
				tokens <- tok
			}
			bodies := [][]byte{[]byte(`{"off": ["flow.dpo_approved"]}`), []byte(`{"off": []}`)}
			b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0)))
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				token := <-tokens
				for i := 0; pb.Next(); i++ {
					req, _ := http.NewRequest(http.MethodPost, s.url+"/v1/commands/account.set_preferences", bytes.NewReader(bodies[i%2]))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+token)
					res, err := http.DefaultClient.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						b.Errorf("status %d", res.StatusCode)
						return
					}
				}
			})
		})
	}
}

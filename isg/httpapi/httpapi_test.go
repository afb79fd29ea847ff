package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/httpapi"
	"github.com/isgkit/gateway/isg/scenario"
	"github.com/isgkit/gateway/storage/memory"
)

var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// sessions is a toy host session: "Authorization: Bearer <user ID>" of a token the host issued.
type sessions map[string]isg.Actor

func (s sessions) resolve(r *http.Request) (isg.Actor, error) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return isg.Actor{}, nil // anonymous
	}
	if tok == "broken-session-store" {
		return isg.Actor{}, errors.New("session store at 10.0.0.7 refused password hunter2")
	}
	a, ok := s[tok]
	if !ok {
		return isg.Actor{}, &isg.Error{Kind: isg.ErrForbidden, Code: "auth.session_expired", Message: "sign in again"}
	}
	return a, nil
}

// production is a production handler over a memory store with a Central Admin ("ca" token).
type production struct {
	srv   *httptest.Server
	store *memory.Store
	g     *isg.Gateway
	ca    isg.Actor
}

func newProduction(t *testing.T) production {
	t.Helper()
	store := memory.New()
	clock := scenario.NewClock(t0)
	g, err := isg.New(store, cheapPasswords, isg.WithClock(clock))
	require.NoError(t, err)
	ca, err := g.Bootstrap(t.Context(), isg.BootstrapInput{Email: "support@isg.nhs.uk", Name: "Support", Password: "Support#2026"})
	require.NoError(t, err)
	// A reset request leaves a message in the outbox, for the drain test.
	_, err = g.Dispatch(t.Context(), "account.request_password_reset", isg.Actor{}, json.RawMessage(`{"email":"support@isg.nhs.uk"}`))
	require.NoError(t, err)
	s := sessions{"ca": {User: ca.ID}}
	h, err := httpapi.New(g, httpapi.WithActor(s.resolve), httpapi.WithMaxBody(1<<10))
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return production{srv: srv, store: store, g: g, ca: isg.Actor{User: ca.ID}}
}

// do sends a request and returns the status and the decoded refusal (or raw body).
func do(t *testing.T, method, url, contentType, body string, header http.Header) (int, httpapi.ErrorBody, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var eb httpapi.ErrorBody
	if resp.StatusCode != http.StatusOK {
		require.NoError(t, json.Unmarshal(b, &eb), "a refusal has a JSON body: %s", b)
	}
	return resp.StatusCode, eb, b
}

const jsonCT = "application/json"

// TestProductionRefusesEveryConformanceControl: a production handler answers no reset, clock or
// drain route, whoever asks, and the store and clock stay as they were.
func TestProductionRefusesEveryConformanceControl(t *testing.T) {
	p := newProduction(t)
	before := p.store.Dump()
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/v1/conformance/reset", `{"start":"2026-01-01T00:00:00Z"}`},
		{"POST", "/v1/conformance/clock", `{"clock":"2030-01-01T00:00:00Z"}`},
		{"POST", "/v1/conformance/clock", `{"advance":"365d"}`},
		{"GET", "/v1/conformance/clock", ``},
		{"POST", "/v1/conformance/drain", `{}`},
		{"POST", "/v1/conformance/anything", `{}`},
	} {
		for _, auth := range []string{"", "Bearer ca"} {
			h := http.Header{}
			if auth != "" {
				h.Set("Authorization", auth)
			}
			status, eb, _ := do(t, c.method, p.srv.URL+c.path, jsonCT, c.body, h)
			require.Equal(t, http.StatusNotFound, status, "%s %s", c.method, c.path)
			require.Equal(t, httpapi.CodeConformanceDisabled, eb.Code, "%s %s", c.method, c.path)
		}
	}
	require.Equal(t, before, p.store.Dump(), "no control changed the store")
	require.Equal(t, t0, p.g.Now(), "no control moved the clock")
}

// TestProductionRefusesANamedActor_ROLE7: in production the session says who acts; a request
// naming an actor — in the conformance headers, or in the body — is refused before any command
// runs, even when it names the session's own user, and nothing is written.
func TestProductionRefusesANamedActor_ROLE7(t *testing.T) {
	p := newProduction(t)
	before := p.store.Dump()
	url := p.srv.URL + "/v1/commands/platform.break_glass_log"
	for _, h := range []http.Header{
		{httpapi.HeaderActorUser: {p.ca.User.String()}},
		{httpapi.HeaderActorUser: {p.ca.User.String()}, "Authorization": {"Bearer ca"}},
		{httpapi.HeaderActorOrg: {p.ca.User.String()}},
		{httpapi.HeaderActorUser: {""}}, // present but empty is still naming
	} {
		status, eb, _ := do(t, "POST", url, jsonCT, `{}`, h)
		require.Equal(t, http.StatusBadRequest, status, "%v", h)
		require.Equal(t, httpapi.CodeActorNamed, eb.Code, "%v", h)
	}
	// In the body: the input is the command's alone, and a field naming the actor is refused
	// as any unknown field is.
	for _, body := range []string{
		`{"as":{"user":"` + p.ca.User.String() + `"}}`,
		`{"actor":{"user":"` + p.ca.User.String() + `"}}`,
		`{"user":"` + p.ca.User.String() + `"}`,
	} {
		status, eb, _ := do(t, "POST", url, jsonCT, body, nil)
		require.Equal(t, http.StatusBadRequest, status, body)
		require.Equal(t, isg.CodeCommandBadInput, eb.Code, body)
		require.Len(t, eb.Fields, 1, body)
		require.Equal(t, "unknown_field", eb.Fields[0].Code, body)
	}
	// The session's actor acts; an anonymous caller is refused the same command.
	status, _, b := do(t, "POST", url, jsonCT, `{}`, http.Header{"Authorization": {"Bearer ca"}})
	require.Equal(t, http.StatusOK, status, "%s", b)
	status, eb, _ := do(t, "POST", url, jsonCT, `{}`, nil)
	require.Equal(t, http.StatusForbidden, status)
	require.Equal(t, isg.CodeForbidden, eb.Code)
	require.Equal(t, before, p.store.Dump())
}

// TestProductionNeverRunsAsHost_NOTE4: a production caller with no session is not the host, so
// it cannot drain the outbox (a host command); the message stays for the host to deliver.
func TestProductionNeverRunsAsHost_NOTE4(t *testing.T) {
	p := newProduction(t)
	status, eb, _ := do(t, "POST", p.srv.URL+"/v1/commands/outbox.drain", jsonCT, `{}`, nil)
	require.Equal(t, http.StatusForbidden, status)
	require.Equal(t, isg.CodeForbidden, eb.Code)
	res, err := p.g.DrainOutbox(isg.AsHost(t.Context()), isg.NotifierFunc(func(context.Context, isg.Notification) error { return nil }), 0)
	require.NoError(t, err)
	require.Equal(t, 1, res.Delivered, "the message was still in the outbox")
}

// TestRefusalsOverTheWire: the status and body of each kind of refusal the protocol itself and
// the host's resolver make; a 500 reveals nothing of what failed.
func TestRefusalsOverTheWire(t *testing.T) {
	p := newProduction(t)
	before := p.store.Dump()
	url := p.srv.URL + "/v1/commands/"

	// A cross-site form cannot post a command: the content type must be JSON.
	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"} {
		status, eb, _ := do(t, "POST", url+"platform.bootstrap", ct, `{"email":"x@isg.nhs.uk","name":"X","password":"Passw0rd!"}`, nil)
		require.Equal(t, http.StatusUnsupportedMediaType, status, ct)
		require.Equal(t, httpapi.CodeRequestContentType, eb.Code, ct)
	}
	status, eb, _ := do(t, "POST", url+"platform.bootstrap", "application/json; charset=utf-8", `{"email":"x@isg.nhs.uk","name":"X","password":"Passw0rd!"}`, nil)
	require.Equal(t, http.StatusConflict, status, "a JSON content type with parameters is JSON")
	require.Equal(t, isg.CodeBootstrapDone, eb.Code)

	status, eb, _ = do(t, "POST", url+"account.register", jsonCT, `{"email":"`+strings.Repeat("a", 2000)+`"}`, nil)
	require.Equal(t, http.StatusRequestEntityTooLarge, status)
	require.Equal(t, httpapi.CodeRequestTooLarge, eb.Code)

	// Field errors name the field and rule.
	status, eb, _ = do(t, "POST", url+"account.register", jsonCT, `{"email":"nope","name":"A","password":"Passw0rd!"}`, nil)
	require.Equal(t, http.StatusBadRequest, status)
	require.Equal(t, isg.CodeInvalidInput, eb.Code)
	require.Equal(t, "email", eb.Fields[0].Field)
	require.Equal(t, "REG-7", eb.Fields[0].Rule)

	status, eb, _ = do(t, "POST", url+"flow.teleport", jsonCT, `{}`, nil)
	require.Equal(t, http.StatusNotFound, status)
	require.Equal(t, isg.CodeCommandUnknown, eb.Code)
	status, eb, _ = do(t, "GET", p.srv.URL+"/v2/elsewhere", "", ``, nil)
	require.Equal(t, http.StatusNotFound, status)
	require.Equal(t, httpapi.CodeRouteUnknown, eb.Code)

	// The resolver's own refusal: an auth.* code is 401.
	status, eb, _ = do(t, "POST", url+"platform.break_glass_log", jsonCT, `{}`, http.Header{"Authorization": {"Bearer stolen"}})
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, "auth.session_expired", eb.Code)

	// Any other failure is 500 and says nothing of it.
	status, eb, raw := do(t, "POST", url+"platform.break_glass_log", jsonCT, `{}`, http.Header{"Authorization": {"Bearer broken-session-store"}})
	require.Equal(t, http.StatusInternalServerError, status)
	require.Equal(t, httpapi.ErrorBody{Code: isg.CodeInternal, Message: "internal error"}, eb)
	require.NotContains(t, string(raw), "10.0.0.7")
	require.NotContains(t, string(raw), "hunter2")

	require.Equal(t, before, p.store.Dump(), "no refusal wrote anything")

	// REG-4: a sign-in failure is 401, not 403, and carries its code and rule.
	status, eb, _ = do(t, "POST", url+"account.sign_in", jsonCT, `{"email":"support@isg.nhs.uk","password":"wrong"}`, nil)
	require.Equal(t, http.StatusUnauthorized, status)
	require.Equal(t, isg.CodeAuthInvalidCredentials, eb.Code)
	require.Equal(t, "forbidden", eb.Kind)
}

// TestNewRefusesUnsafeConfigurations: production needs a resolver (no default actor), and
// conformance mode needs its reset.
func TestNewRefusesUnsafeConfigurations(t *testing.T) {
	g, err := isg.New(memory.New())
	require.NoError(t, err)
	_, err = httpapi.New(g)
	require.Error(t, err, "production without WithActor")
	_, err = httpapi.New(nil, httpapi.WithActor(sessions{}.resolve))
	require.Error(t, err, "production without a Gateway")
	_, err = httpapi.New(g, httpapi.WithConformance(httpapi.Conformance{}))
	require.Error(t, err, "conformance without Reset")
}

// TestConformanceAnswersLoopbackOnly: a conformance handler lets its caller act as anyone, so it
// refuses a caller from another address, or one behind a proxy, whatever it asks.
func TestConformanceAnswersLoopbackOnly(t *testing.T) {
	calls := 0
	h, err := httpapi.New(nil, httpapi.WithConformance(httpapi.Conformance{Reset: func(_ context.Context, opts ...isg.Option) (*isg.Gateway, error) {
		calls++
		return isg.New(memory.New(), opts...)
	}}))
	require.NoError(t, err)
	serve := func(remote string, header http.Header, path string) int {
		r := httptest.NewRequest("POST", path, strings.NewReader(`{"start":"2026-01-05T09:00:00Z"}`))
		r.RemoteAddr = remote
		r.Header.Set("Content-Type", jsonCT)
		for k, v := range header {
			r.Header[k] = v
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	for _, remote := range []string{"203.0.113.7:4000", "10.0.0.2:80", "[2001:db8::1]:443", "@", ""} {
		require.Equal(t, http.StatusForbidden, serve(remote, nil, "/v1/conformance/reset"), remote)
		require.Equal(t, http.StatusForbidden, serve(remote, nil, "/v1/commands/platform.bootstrap"), remote)
	}
	for _, proxy := range []string{"Forwarded", "X-Forwarded-For", "X-Real-Ip"} {
		require.Equal(t, http.StatusForbidden, serve("127.0.0.1:5000", http.Header{proxy: {"203.0.113.7"}}, "/v1/conformance/reset"), proxy)
	}
	require.Zero(t, calls, "no refused request reset the platform")
	require.Equal(t, http.StatusOK, serve("127.0.0.1:5000", nil, "/v1/conformance/reset"))
	require.Equal(t, http.StatusOK, serve("[::1]:5000", nil, "/v1/conformance/reset"))
	require.Equal(t, 2, calls)
}

// TestListenLoopback refuses every address a remote caller could reach.
func TestListenLoopback(t *testing.T) {
	for _, addr := range []string{":0", "0.0.0.0:0", "[::]:0", "192.0.2.1:0", "example.com:0", "nonsense"} {
		_, err := httpapi.ListenLoopback(addr)
		require.Error(t, err, addr)
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0"} {
		l, err := httpapi.ListenLoopback(addr)
		require.NoError(t, err, addr)
		require.NoError(t, l.Close())
	}
}

// TestConformanceClock: the clock route applies a scenario's clock steps with the runner's
// rules — set then advance, never backwards unless asked — and a refused step changes nothing.
func TestConformanceClock(t *testing.T) {
	srv := conformanceServer(t, stores["memory"])
	c := httpapi.Target(srv.URL)
	err := c.SetClock(t.Context(), scenario.ClockChange{Advance: "1h"})
	require.Equal(t, httpapi.CodeConformanceNotReset, isg.ErrorCode(err), "no clock before a reset")
	require.NoError(t, c.Reset(t.Context(), t0))
	clockNow := func() time.Time {
		var out struct{ Clock time.Time }
		require.NoError(t, json.Unmarshal(get(t, srv.URL+"/v1/conformance/clock"), &out))
		return out.Clock
	}
	require.Equal(t, t0, clockNow())
	require.NoError(t, c.SetClock(t.Context(), scenario.ClockChange{Advance: "2d"}))
	require.Equal(t, t0.Add(48*time.Hour), clockNow())
	earlier := t0.Add(time.Hour)
	for _, bad := range []scenario.ClockChange{{Clock: &earlier}, {Advance: "-1h"}, {Advance: "soon"}, {Backwards: true}} {
		err := c.SetClock(t.Context(), bad)
		require.Equal(t, httpapi.CodeConformanceBadClock, isg.ErrorCode(err), "%+v", bad)
		require.True(t, errors.Is(err, isg.ErrInvalid), "the kind crosses the wire")
		require.Equal(t, t0.Add(48*time.Hour), clockNow(), "a refused step changes nothing")
	}
	require.NoError(t, c.SetClock(t.Context(), scenario.ClockChange{Clock: &earlier, Backwards: true, Advance: "30m"}))
	require.Equal(t, earlier.Add(30*time.Minute), clockNow())
	// Reset starts over: a fresh store (the bootstrap works again) at the new start.
	for range 2 {
		require.NoError(t, c.Reset(t.Context(), t0))
		_, err := c.Dispatch(t.Context(), "platform.bootstrap", isg.Actor{}, json.RawMessage(`{"email":"s@isg.nhs.uk","name":"S","password":"Support#2026"}`))
		require.NoError(t, err)
	}
}

// TestRemoteRunReportsWhatFails: a step whose expectation the server's answer does not meet
// fails over the wire as in-process — the code, rule and fields come through the wire.
func TestRemoteRunReportsWhatFails(t *testing.T) {
	srv := conformanceServer(t, stores["memory"])
	c := httpapi.Target(srv.URL)
	reg := json.RawMessage(`{"email":"nope","name":"A","password":"Passw0rd!"}`)
	for expect, wantErr := range map[string]string{
		`{"error":"invalid_input","rule":"REG-7","fields":["email"],"exact_fields":true}`: "",
		`{"error":"invalid_input","fields":["name"]}`:                                     "field error on \"name\"",
		`{"error":"invalid_input","rule":"REG-2"}`:                                        "want rule REG-2",
		`{"error":"user.email_taken"}`:                                                    "want error user.email_taken",
		`{"ok":true}`:                                                                     "want ok",
	} {
		var e scenario.Expect
		require.NoError(t, json.Unmarshal([]byte(expect), &e))
		f := scenario.File{Name: "x", Start: t0, Steps: []scenario.Step{{Command: "account.register", Input: reg, Expect: &e}}}
		require.NoError(t, c.Reset(t.Context(), t0))
		err := scenario.ExecuteOn(t.Context(), f, c)
		if wantErr == "" {
			require.NoError(t, err, expect)
		} else {
			require.ErrorContains(t, err, wantErr, expect)
		}
	}
}

// TestProtocolCodesAreDocumented: every refusal code the protocol makes of its own is in the
// table of docs/protocol.md, with its status.
func TestProtocolCodesAreDocumented(t *testing.T) {
	src, err := os.ReadFile("httpapi.go")
	require.NoError(t, err)
	doc, err := os.ReadFile("../../docs/protocol.md")
	require.NoError(t, err)
	consts := regexp.MustCompile(`(?m)^\s+(Code\w+) = "([a-z_.]+)"$`).FindAllStringSubmatch(string(src), -1)
	require.Len(t, consts, 9)
	for _, c := range consts {
		require.Regexp(t, "(?m)^\\| `"+regexp.QuoteMeta(c[2])+"` \\| [0-9]{3} \\|", string(doc), "%s (%s) is in docs/protocol.md", c[1], c[2])
	}
}

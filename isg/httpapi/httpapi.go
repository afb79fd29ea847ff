// Package httpapi puts a Gateway behind HTTP: the language-neutral command protocol of
// docs/protocol.md. Every command of isg.Commands is served as POST /v1/commands/{name}, its JSON
// input in the body, its JSON result (exactly what Gateway.Dispatch returns) in a 200 answer, a
// refusal as a status chosen by isg.HTTPStatus and a body carrying the code, rule and fields.
// GET /v1/openapi.json serves the OpenAPI 3.1 description, generated from the declarations
// (OpenAPI), never kept by hand.
//
// Who acts is never the caller's word in production: the host resolves the actor from its own
// session with the function given to WithActor, and a request that names an actor is refused.
// WithConformance is the other mode, for running the scenario suite over the wire (Client,
// RunAll): the caller names the actor in headers and may reset the platform to an empty store,
// set or advance its clock and drain the outbox. That mode answers loopback callers only.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/scenario"
)

// The headers naming the actor in conformance mode. In production a request carrying either is
// refused (CodeActorNamed).
const (
	HeaderActorUser = "ISG-Actor-User"
	HeaderActorOrg  = "ISG-Actor-Org"
)

// The codes of refusals the protocol itself makes, before any command runs; the Gateway's own
// codes (isg/codes.go) cover the rest. docs/protocol.md lists them.
const (
	// CodeActorNamed (400): a production request named its actor in a header; the host's
	// session says who acts.
	CodeActorNamed = "actor.named"
	// CodeActorInvalid (400): a conformance request named an actor that is not a user ID (and
	// organisation ID).
	CodeActorInvalid = "actor.invalid"
	// CodeConformanceDisabled (404): a conformance control asked of a production handler.
	CodeConformanceDisabled = "conformance.disabled"
	// CodeConformanceNotLoopback (403): a conformance handler was called from other than a
	// loopback address, or through a proxy.
	CodeConformanceNotLoopback = "conformance.not_loopback"
	// CodeConformanceNotReset (409): a conformance handler given no Gateway has not been reset
	// yet.
	CodeConformanceNotReset = "conformance.not_reset"
	// CodeConformanceBadClock (400): a clock step the scenario rules refuse (backwards unasked, a
	// negative or malformed advance).
	CodeConformanceBadClock = "conformance.bad_clock"
	// CodeRequestContentType (415): a POST whose Content-Type is not application/json. Requiring
	// it keeps a cross-site form from posting a command with the user's cookies.
	CodeRequestContentType = "request.content_type"
	// CodeRequestTooLarge (413): a body over the limit (WithMaxBody).
	CodeRequestTooLarge = "request.too_large"
	// CodeRouteUnknown (404): no route of the protocol at that path.
	CodeRouteUnknown = "route.unknown"
)

// DefaultMaxBody is the largest request body read by default: room for the largest document a
// command attaches (isg.MaxDocumentSize, 5 MB, base64-encoded in the JSON) and its fields.
const DefaultMaxBody = 8 << 20

// Option configures New.
type Option func(*config)

type config struct {
	resolve     func(r *http.Request) (isg.Actor, error)
	conformance *Conformance
	maxBody     int64
}

// WithActor gives the function that says who acts on a request: the host resolves the actor
// from its own session (a cookie, a bearer token). It returns the zero Actor for an anonymous
// caller, who can run only the commands open to anyone (account.register, account.sign_in, …).
// An *isg.Error it returns is answered like a command's refusal (a code under "auth." is 401);
// any other error is a 500 that reveals nothing. Production mode needs it.
func WithActor(resolve func(r *http.Request) (isg.Actor, error)) Option {
	return func(c *config) { c.resolve = resolve }
}

// WithMaxBody sets the largest request body read (DefaultMaxBody unless set); a larger one is
// refused with 413.
func WithMaxBody(n int64) Option { return func(c *config) { c.maxBody = n } }

// Conformance configures conformance mode (WithConformance): what a scenario run over the wire
// needs of the server.
type Conformance struct {
	// Reset returns a Gateway over a fresh, empty store, built with opts, which hold the
	// conformance clock and an ID source driven by it (as a scenario.Factory does). Each POST
	// /v1/conformance/reset calls it and serves the new Gateway from then on.
	Reset func(ctx context.Context, opts ...isg.Option) (*isg.Gateway, error)
}

// WithConformance turns on conformance mode: the caller names the actor (HeaderActorUser,
// HeaderActorOrg; a call naming none runs as the host, isg.AsHost), and the controls of
// /v1/conformance/ reset the platform, set or advance its clock and drain the outbox.
//
// It lets any caller act as anyone, so the handler answers only requests whose RemoteAddr is a
// loopback address and that carry no proxy header (Forwarded, X-Forwarded-For, X-Real-IP):
// anything else gets 403. Serve it with ListenLoopback, and never behind a proxy — a proxy on the
// same machine makes every caller look local (hence the header check, which a proxy that adds
// none would defeat). WithActor, when also given, resolves the requests that name no actor
// instead of running them as the host.
func WithConformance(c Conformance) Option {
	return func(cfg *config) { cfg.conformance = &c }
}

// ListenLoopback listens on addr, which must name a loopback host ("127.0.0.1:0", "[::1]:8080",
// "localhost:9000"): the listener for a conformance handler. An address on all interfaces
// (":8080", "0.0.0.0:8080") or any other host is refused.
func ListenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("httpapi: listen %q: %w", addr, err)
	}
	if !isLoopbackHost(host) {
		return nil, fmt.Errorf("httpapi: listen %q: conformance mode listens on a loopback address only", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if a, ok := l.Addr().(*net.TCPAddr); !ok || !a.IP.IsLoopback() {
		_ = l.Close()
		return nil, fmt.Errorf("httpapi: listen %q: resolved to %v, not a loopback address", addr, l.Addr())
	}
	return l, nil
}

// New returns the protocol's handler for g. Without WithConformance it is the production
// handler and needs WithActor; with it, g may be nil (the first reset makes one).
func New(g *isg.Gateway, opts ...Option) (http.Handler, error) {
	cfg := config{maxBody: DefaultMaxBody}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.conformance == nil {
		if g == nil {
			return nil, errors.New("httpapi: New needs a Gateway")
		}
		if cfg.resolve == nil {
			return nil, errors.New("httpapi: a production handler needs WithActor: the host's session says who acts")
		}
	} else if cfg.conformance.Reset == nil {
		return nil, errors.New("httpapi: WithConformance needs Reset")
	}
	doc, err := OpenAPI()
	if err != nil {
		return nil, err
	}
	list, err := json.Marshal(isg.Commands())
	if err != nil {
		return nil, err
	}
	h := &handler{cfg: cfg, g: g, openapi: doc, list: list}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/commands/{name}", h.command)
	mux.HandleFunc("GET /v1/commands", func(w http.ResponseWriter, _ *http.Request) { writeRaw(w, http.StatusOK, h.list) })
	mux.HandleFunc("GET /v1/openapi.json", func(w http.ResponseWriter, _ *http.Request) { writeRaw(w, http.StatusOK, h.openapi) })
	if cfg.conformance != nil {
		mux.HandleFunc("POST /v1/conformance/reset", h.reset)
		mux.HandleFunc("POST /v1/conformance/clock", h.setClock)
		mux.HandleFunc("GET /v1/conformance/clock", h.getClock)
		mux.HandleFunc("POST /v1/conformance/drain", h.drain)
	}
	mux.HandleFunc("/v1/conformance/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, &isg.Error{Kind: isg.ErrNotFound, Code: CodeConformanceDisabled, Message: "conformance mode is off: this server serves production traffic"})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, &isg.Error{Kind: isg.ErrNotFound, Code: CodeRouteUnknown, Message: "no such route: see /v1/openapi.json"})
	})
	h.mux = mux
	return h, nil
}

type handler struct {
	cfg     config
	mux     *http.ServeMux
	openapi []byte
	list    []byte

	mu    sync.RWMutex
	g     *isg.Gateway
	clock *scenario.Clock // conformance mode: the clock of the last reset
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.cfg.conformance != nil && !fromLoopback(r) {
		writeError(w, &isg.Error{Kind: isg.ErrForbidden, Code: CodeConformanceNotLoopback, Message: "conformance mode answers loopback callers only"})
		return
	}
	if r.Method == http.MethodPost {
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
			writeBody(w, http.StatusUnsupportedMediaType, ErrorBody{Kind: isg.ErrorKindName(isg.ErrInvalid), Code: CodeRequestContentType, Message: "send the input as Content-Type: application/json"})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, h.cfg.maxBody)
	}
	h.mux.ServeHTTP(w, r)
}

// fromLoopback: the request came from this machine, directly.
func fromLoopback(r *http.Request) bool {
	for _, proxy := range []string{"Forwarded", "X-Forwarded-For", "X-Real-Ip"} {
		if r.Header.Get(proxy) != "" {
			return false
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// gateway returns the Gateway serving now.
func (h *handler) gateway() (*isg.Gateway, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.g == nil {
		return nil, &isg.Error{Kind: isg.ErrConflict, Code: CodeConformanceNotReset, Message: "POST /v1/conformance/reset first"}
	}
	return h.g, nil
}

// actor says who acts on r, and marks a conformance call that names no one as the host's.
func (h *handler) actor(r *http.Request) (context.Context, isg.Actor, error) {
	ctx := r.Context()
	user, org := r.Header.Get(HeaderActorUser), r.Header.Get(HeaderActorOrg)
	named := r.Header.Values(HeaderActorUser) != nil || r.Header.Values(HeaderActorOrg) != nil
	if h.cfg.conformance == nil {
		if named {
			return ctx, isg.Actor{}, &isg.Error{Kind: isg.ErrInvalid, Code: CodeActorNamed, Message: "a request never names its actor: the session says who acts"}
		}
		a, err := h.cfg.resolve(r)
		return ctx, a, err
	}
	if !named {
		if h.cfg.resolve != nil {
			a, err := h.cfg.resolve(r)
			return ctx, a, err
		}
		return isg.AsHost(ctx), isg.Actor{}, nil
	}
	var a isg.Actor
	var err error
	if a.User, err = isg.ParseUserID(user); err != nil {
		return ctx, a, &isg.Error{Kind: isg.ErrInvalid, Code: CodeActorInvalid, Message: "the actor's user is not a user ID",
			Fields: []isg.FieldError{{Field: HeaderActorUser, Code: "uuid", Message: "is not a user ID"}}}
	}
	if org != "" {
		if a.Org, err = isg.ParseOrgID(org); err != nil {
			return ctx, a, &isg.Error{Kind: isg.ErrInvalid, Code: CodeActorInvalid, Message: "the actor's organisation is not an organisation ID",
				Fields: []isg.FieldError{{Field: HeaderActorOrg, Code: "uuid", Message: "is not an organisation ID"}}}
		}
	}
	return ctx, a, nil
}

func (h *handler) command(w http.ResponseWriter, r *http.Request) {
	ctx, actor, err := h.actor(r)
	if err != nil {
		writeError(w, err)
		return
	}
	h.run(ctx, w, r, r.PathValue("name"), actor)
}

// run reads the input and dispatches the command.
func (h *handler) run(ctx context.Context, w http.ResponseWriter, r *http.Request, name string, actor isg.Actor) {
	input, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeBody(w, http.StatusRequestEntityTooLarge, ErrorBody{Kind: isg.ErrorKindName(isg.ErrInvalid), Code: CodeRequestTooLarge, Message: fmt.Sprintf("the body is over %d bytes", tooLarge.Limit)})
			return
		}
		writeError(w, &isg.Error{Kind: isg.ErrInvalid, Code: isg.CodeCommandBadInput, Message: "the body could not be read"})
		return
	}
	g, err := h.gateway()
	if err != nil {
		writeError(w, err)
		return
	}
	res, err := g.Dispatch(ctx, name, actor, input)
	if err != nil {
		writeError(w, err)
		return
	}
	b, err := json.Marshal(res)
	if err != nil {
		writeError(w, err)
		return
	}
	writeRaw(w, http.StatusOK, b)
}

// resetInput is the body of POST /v1/conformance/reset.
type resetInput struct {
	// Start is the clock of the fresh platform: a scenario file's start.
	Start time.Time `json:"start"`
}

// clockOutput answers the clock routes and reset.
type clockOutput struct {
	Clock time.Time `json:"clock"`
}

func (h *handler) reset(w http.ResponseWriter, r *http.Request) {
	var in resetInput
	if err := decode(r, &in); err != nil {
		writeError(w, err)
		return
	}
	if in.Start.IsZero() {
		writeError(w, &isg.Error{Kind: isg.ErrInvalid, Code: isg.CodeInvalidInput, Message: "input is not valid",
			Fields: []isg.FieldError{{Field: "start", Code: "required", Message: "is required: the fresh platform's clock"}}})
		return
	}
	clock := scenario.NewClock(in.Start)
	g, err := h.cfg.conformance.Reset(r.Context(), isg.WithClock(clock), isg.WithIDs(scenario.NewIDs(clock)))
	if err != nil {
		writeError(w, err)
		return
	}
	h.mu.Lock()
	h.g, h.clock = g, clock
	h.mu.Unlock()
	writeJSON(w, clockOutput{Clock: clock.Now()})
}

func (h *handler) currentClock() (*scenario.Clock, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.clock == nil {
		return nil, &isg.Error{Kind: isg.ErrConflict, Code: CodeConformanceNotReset, Message: "POST /v1/conformance/reset first: the clock is the reset's"}
	}
	return h.clock, nil
}

func (h *handler) setClock(w http.ResponseWriter, r *http.Request) {
	clock, err := h.currentClock()
	if err != nil {
		writeError(w, err)
		return
	}
	var in scenario.ClockChange
	if err := decode(r, &in); err != nil {
		writeError(w, err)
		return
	}
	if err := clock.Apply(in); err != nil {
		writeError(w, &isg.Error{Kind: isg.ErrInvalid, Code: CodeConformanceBadClock, Message: err.Error()})
		return
	}
	writeJSON(w, clockOutput{Clock: clock.Now()})
}

func (h *handler) getClock(w http.ResponseWriter, _ *http.Request) {
	clock, err := h.currentClock()
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, clockOutput{Clock: clock.Now()})
}

// drain runs outbox.drain as the host: the same as POST /v1/commands/outbox.drain naming no actor.
func (h *handler) drain(w http.ResponseWriter, r *http.Request) {
	h.run(isg.AsHost(r.Context()), w, r, "outbox.drain", isg.Actor{})
}

// decode reads a conformance control's JSON body strictly: an unknown field is refused.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return &isg.Error{Kind: isg.ErrInvalid, Code: isg.CodeCommandBadInput, Message: err.Error()}
	}
	return nil
}

// ErrorBody is the body of every refusal: the kind (isg.ErrorKindName; absent for a 500), the
// stable code, the rule where one applies, the bad fields and a message for people. A 500 says
// only "internal": what went wrong stays in the server.
type ErrorBody struct {
	Kind    string           `json:"kind,omitempty"`
	Code    string           `json:"code"`
	Rule    string           `json:"rule,omitempty"`
	Fields  []isg.FieldError `json:"fields,omitempty"`
	Message string           `json:"message"`
}

// Err rebuilds the refusal the body describes, so that isg.ErrorCode, errors.Is on the kind and
// errors.As to *isg.Error read it as they would the Gateway's own.
func (b ErrorBody) Err() *isg.Error {
	return &isg.Error{Kind: isg.ErrorKind(b.Kind), Code: b.Code, Rule: b.Rule, Message: b.Message, Fields: b.Fields}
}

// Body returns the refusal body for err, as the handler writes it; for an error of no kind, or
// not an *isg.Error, it is the generic "internal" body.
func Body(err error) ErrorBody {
	var e *isg.Error
	if isg.HTTPStatus(err) == http.StatusInternalServerError || !errors.As(err, &e) {
		return ErrorBody{Code: isg.CodeInternal, Message: "internal error"}
	}
	return ErrorBody{Kind: isg.ErrorKindName(err), Code: e.Code, Rule: e.Rule, Fields: e.Fields, Message: e.Message}
}

func writeError(w http.ResponseWriter, err error) { writeBody(w, isg.HTTPStatus(err), Body(err)) }

func writeBody(w http.ResponseWriter, status int, body ErrorBody) {
	b, _ := json.Marshal(body)
	writeRaw(w, status, b)
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, err)
		return
	}
	writeRaw(w, http.StatusOK, b)
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// isLoopbackHost: host is "localhost" or a loopback IP.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

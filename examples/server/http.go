package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/httpapi"
)

// orgHeader names the organisation a request acts for, overriding the session's default. It is
// only a choice: the Gateway's permission table checks the user's roles there on every command.
const orgHeader = "X-ISG-Org"

// requestIDHeader carries the request's ID, taken from the caller when it is a plain token (so a
// proxy's ID follows the request through) and made up otherwise; the answer echoes it.
const requestIDHeader = "X-Request-Id"

var plainRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestInfo is what the handlers tell the request log; it rides in the request's context.
type requestInfo struct {
	id   string
	user string
}

type requestInfoKey struct{}
type actorKey struct{}

// recorder keeps the status and size of an answer for the log.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logged writes one structured line per request: method, path, command, status, duration (ms),
// request ID, answer size and the signed-in user. Never a body, a query, a header value or a
// token: passwords and session tokens travel only in those.
func (s *server) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(requestIDHeader)
		if !plainRequestID.MatchString(id) {
			var b [12]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set(requestIDHeader, id)
		info := &requestInfo{id: id}
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info)))
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			slog.String("request_id", id),
			slog.Int64("bytes", rec.bytes),
		}
		if name, ok := commandOf(r); ok {
			attrs = append(attrs, slog.String("command", name))
		}
		if info.user != "" {
			attrs = append(attrs, slog.String("user", info.user))
		}
		level := slog.LevelInfo
		if rec.status >= 500 {
			level = slog.LevelError
		}
		s.log.LogAttrs(r.Context(), level, "request", attrs...)
	})
}

// commandOf names the command a request runs, if it runs one.
func commandOf(r *http.Request) (string, bool) {
	name, ok := strings.CutPrefix(r.URL.Path, "/v1/commands/")
	return name, ok && name != ""
}

// limited bounds a request: its body to cfg.maxBody (413 beyond; read whole here, so every
// handler behind sees a body that fits, and the answer is 413 whichever handler it is), and its
// work to cfg.timeout through its context, which the Gateway and the store honour.
func (s *server) limited(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > s.cfg.maxBody {
			writeError(w, http.StatusRequestEntityTooLarge, httpapi.CodeRequestTooLarge, "the request body is larger than the server takes")
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.maxBody))
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				writeError(w, http.StatusRequestEntityTooLarge, httpapi.CodeRequestTooLarge, "the request body is larger than the server takes")
				return
			} else if err != nil {
				writeError(w, http.StatusBadRequest, "request.unreadable", "the request body could not be read")
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// anyoneCommands are the commands that take no actor (registration, sign-in, …): a caller without
// a session may run them, and only them.
var anyoneCommands = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range isg.Commands() {
		m[c.Name] = c.Reach == "anyone"
	}
	return m
}()

// authenticated resolves the actor from the "Authorization: Bearer" session token and the
// X-ISG-Org header. A token that does not check out (tampered, expired, another key's) is 401,
// as is a command needing an actor asked without one; the reason goes to the log only.
func (s *server) authenticated(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" {
			if name, ok := commandOf(r); ok && !s.cfg.conformance {
				if anyone, known := anyoneCommands[name]; known && !anyone {
					unauthorized(w, "this command needs a session: sign in with POST /v1/session")
					return
				}
			}
			next.ServeHTTP(w, r)
			return
		}
		scheme, token, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			unauthorized(w, "use an Authorization: Bearer session token")
			return
		}
		sess, err := s.sessions.check(strings.TrimSpace(token))
		if err != nil {
			s.log.Debug("session refused", "reason", err.Error(), "request_id", infoOf(r).id)
			unauthorized(w, "the session token is invalid or has expired: sign in again")
			return
		}
		actor := isg.Actor{User: sess.User, Org: sess.Org}
		if o := r.Header.Get(orgHeader); o != "" {
			if actor.Org, err = isg.ParseOrgID(o); err != nil {
				writeError(w, http.StatusBadRequest, "request.bad_org", "the "+orgHeader+" header is not an organisation ID")
				return
			}
		}
		infoOf(r).user = actor.User.String()
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), actorKey{}, actor)))
	})
}

func infoOf(r *http.Request) *requestInfo {
	if info, ok := r.Context().Value(requestInfoKey{}).(*requestInfo); ok {
		return info
	}
	return &requestInfo{}
}

// actor is the resolver the command protocol calls: the actor the session token and header
// named, or none for an anonymous request. The request body never names it (in production).
func (s *server) actor(r *http.Request) (isg.Actor, error) {
	a, _ := r.Context().Value(actorKey{}).(isg.Actor)
	return a, nil
}

func unauthorized(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="isg"`)
	writeError(w, http.StatusUnauthorized, "session.invalid", msg)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeError answers a refusal the server makes itself, in the protocol's shape (docs/protocol.md:
// kind, code, message): "invalid_input" below 401, "forbidden" for 401 and 403.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	kind := isg.ErrInvalid
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		kind = isg.ErrForbidden
	}
	writeJSON(w, status, httpapi.ErrorBody{Kind: isg.ErrorKindName(kind), Code: code, Message: msg})
}

// writeGatewayError answers a Gateway refusal as the protocol does: isg.HTTPStatus (a sign-in
// failure is 401) and httpapi.Body (a 500 reveals nothing).
func writeGatewayError(w http.ResponseWriter, err error) {
	writeJSON(w, isg.HTTPStatus(err), httpapi.Body(err))
}

// signInRequest is the body of POST /v1/session.
type signInRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	// Org is the organisation the session acts for by default; omitted, the user's first.
	Org string `json:"org,omitempty"`
}

// signInResponse is its answer.
type signInResponse struct {
	Token     string      `json:"token"`
	ExpiresAt time.Time   `json:"expires_at"`
	Org       isg.OrgID   `json:"org,omitzero"`
	Account   isg.Account `json:"account"`
}

// signIn checks the credentials with Gateway.SignIn (which counts failures and locks, REG-4) and
// issues a session token. Every sign-in failure is 401 with the Gateway's code.
func (s *server) signIn(w http.ResponseWriter, r *http.Request) {
	// JSON only, as the protocol's commands: a cross-site form cannot post one.
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, httpapi.CodeRequestContentType, "send the credentials as Content-Type: application/json")
		return
	}
	var in signInRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "request.bad_input", "the body must be {\"email\", \"password\", \"org\"?}")
		return
	}
	acct, err := s.g.SignIn(r.Context(), isg.SignInInput{Email: in.Email, Password: in.Password})
	if err != nil {
		writeGatewayError(w, err)
		return
	}
	acting, err := s.g.MyOrganisations(r.Context(), isg.Actor{User: acct.ID})
	if err != nil {
		writeGatewayError(w, err)
		return
	}
	var org isg.OrgID
	if in.Org != "" {
		want, err := isg.ParseOrgID(in.Org)
		// The central team supports any organisation (ROLE-7); the gate checks each command.
		found := err == nil && acting.CentralAdmin
		for _, m := range acting.Organisations {
			found = found || (err == nil && m.Org == want)
		}
		if !found {
			// The same answer for a malformed ID, an unknown organisation and one the user is
			// not in: the caller learns only that it cannot act there.
			writeError(w, http.StatusForbidden, "session.not_a_member", "you may not act for that organisation")
			return
		}
		org = want
	} else if len(acting.Organisations) > 0 {
		org = acting.Organisations[0].Org
	}
	token, sess := s.sessions.issue(acct.ID, org)
	infoOf(r).user = acct.ID.String()
	writeJSON(w, http.StatusOK, signInResponse{Token: token, ExpiresAt: sess.Expires, Org: org, Account: acct})
}

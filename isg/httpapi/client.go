package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/scenario"
)

// EnvTarget names the environment variable that points RunAll at a server speaking the
// protocol in conformance mode, e.g. ISG_TARGET=http://127.0.0.1:8080.
const EnvTarget = "ISG_TARGET"

// RunAll is scenario.RunAll that honours ISG_TARGET: when it is set, every file runs over the
// wire against that server (reset before each file, its clock moved by the conformance routes,
// each step's actor named in headers); otherwise on the Gateways newGateway makes, in-process.
// The package isg's TestScenarios runs through it, so
//
//	ISG_TARGET=http://127.0.0.1:8080 go test ./isg -run TestScenarios
//
// checks any platform serving the protocol against every file of testdata/scenarios (and of
// ISG_SCENARIOS).
func RunAll(t *testing.T, dir string, newGateway scenario.Factory) {
	t.Helper()
	if url := os.Getenv(EnvTarget); url != "" {
		scenario.RunAllOn(t, dir, Target(url))
		return
	}
	scenario.RunAll(t, dir, newGateway)
}

// Client calls a server speaking the protocol. It is a scenario.Platform and a scenario.Target,
// so the scenario runner drives a server with it as it drives a Gateway in-process: Dispatch
// decodes a refusal into an *isg.Error with the code, kind, rule and fields of the wire, so a
// file's expectations read it exactly as they read the Gateway's own.
type Client struct {
	base string
	http *http.Client
}

// NewClient returns a client of the server at baseURL ("http://127.0.0.1:8080") over hc, or a
// client of its own when hc is nil.
func NewClient(baseURL string, hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second}}
	}
	return &Client{base: strings.TrimSuffix(baseURL, "/"), http: hc}
}

// Target returns a client of the server at baseURL with a transport of its own: the Platform
// that scenario.RunAllOn drives a server with.
func Target(baseURL string) *Client { return NewClient(baseURL, nil) }

// Dispatch implements scenario.Target: POST /v1/commands/{command} with input, naming the actor
// in headers unless it is the zero Actor (the host's own call, in conformance mode). The result
// is the body of the 200 answer, as a json.RawMessage.
func (c *Client) Dispatch(ctx context.Context, command string, actor isg.Actor, input json.RawMessage) (any, error) {
	h := http.Header{}
	if actor != (isg.Actor{}) {
		h.Set(HeaderActorUser, actor.User.String())
		if !actor.Org.IsZero() {
			h.Set(HeaderActorOrg, actor.Org.String())
		}
	}
	res, err := c.post(ctx, "/v1/commands/"+url.PathEscape(command), h, input)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// SetClock implements scenario.Target with POST /v1/conformance/clock.
func (c *Client) SetClock(ctx context.Context, ch scenario.ClockChange) error {
	b, err := json.Marshal(ch)
	if err != nil {
		return err
	}
	_, err = c.post(ctx, "/v1/conformance/clock", nil, b)
	return err
}

// Reset empties the server's platform (POST /v1/conformance/reset) and sets its clock to start.
func (c *Client) Reset(ctx context.Context, start time.Time) error {
	b, err := json.Marshal(resetInput{Start: start})
	if err != nil {
		return err
	}
	_, err = c.post(ctx, "/v1/conformance/reset", nil, b)
	return err
}

// Fresh implements scenario.Platform: it resets the server, whose platform then serves the one
// file the runner gives it.
func (c *Client) Fresh(t *testing.T, start time.Time) (scenario.Target, error) {
	if err := c.Reset(t.Context(), start); err != nil {
		return nil, fmt.Errorf("reset %s: %w", c.base, err)
	}
	return c, nil
}

// post sends a JSON body and returns the 200 answer's body, or the refusal it decodes.
func (c *Client) post(ctx context.Context, path string, h http.Header, body []byte) (json.RawMessage, error) {
	if len(body) == 0 {
		body = []byte("{}")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusOK {
		return b, nil
	}
	var eb ErrorBody
	if err := json.Unmarshal(b, &eb); err != nil || eb.Code == "" {
		return nil, fmt.Errorf("httpapi: %s %s: status %d with no refusal body: %.200s", http.MethodPost, path, resp.StatusCode, b)
	}
	return nil, &StatusError{Status: resp.StatusCode, Err: eb.Err()}
}

// StatusError is a refusal as a Client received it: the HTTP status and the refusal rebuilt
// from the body. It unwraps to the *isg.Error, so isg.ErrorCode, errors.Is and errors.As see
// through it.
type StatusError struct {
	Status int
	Err    *isg.Error
}

// Error renders the status and the refusal.
func (e *StatusError) Error() string { return fmt.Sprintf("%d: %v", e.Status, e.Err) }

// Unwrap returns the refusal.
func (e *StatusError) Unwrap() error { return e.Err }

package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/httpapi"
	"github.com/isgkit/gateway/isg/scenario"
)

var update = flag.Bool("update", false, "rewrite docs/openapi.json")

// TestOpenAPIGolden keeps docs/openapi.json, the published copy of the description, equal to
// what the declarations generate. Rerun with -update after changing a command.
func TestOpenAPIGolden(t *testing.T) {
	got, err := httpapi.OpenAPI()
	require.NoError(t, err)
	again, err := httpapi.OpenAPI()
	require.NoError(t, err)
	require.Equal(t, string(got), string(again), "the generator is deterministic")
	if *update {
		require.NoError(t, os.WriteFile("../../docs/openapi.json", got, 0o644))
	}
	want, err := os.ReadFile("../../docs/openapi.json")
	require.NoError(t, err)
	require.Equal(t, string(want), string(got), "docs/openapi.json is stale: rerun go test ./isg/httpapi -run TestOpenAPIGolden -update")
}

// openAPIDoc is the generated description, decoded.
type openAPIDoc struct {
	Paths map[string]map[string]json.RawMessage `json:"paths"`
}

// TestOpenAPIMatchesTheLiveHandler: every command the description documents is served, every
// command the handler lists is documented, and the handler serves the same description.
func TestOpenAPIMatchesTheLiveHandler(t *testing.T) {
	srv := conformanceServer(t, stores["memory"])
	c := httpapi.Target(srv.URL)
	require.NoError(t, c.Reset(t.Context(), time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)))

	want, err := httpapi.OpenAPI()
	require.NoError(t, err)
	served := get(t, srv.URL+"/v1/openapi.json")
	require.Equal(t, string(want), string(served))

	var doc openAPIDoc
	require.NoError(t, json.Unmarshal(want, &doc))
	var documented []string
	for p, item := range doc.Paths {
		if name, ok := strings.CutPrefix(p, "/v1/commands/"); ok {
			require.Contains(t, item, "post", p)
			documented = append(documented, name)
		}
	}
	slices.Sort(documented)

	var listed []isg.CommandInfo
	require.NoError(t, json.Unmarshal(get(t, srv.URL+"/v1/commands"), &listed))
	var names []string
	for _, l := range listed {
		names = append(names, l.Name)
	}
	require.Equal(t, isg.CommandNames(), names, "GET /v1/commands lists every command")
	require.Equal(t, names, documented, "the description documents exactly the served commands")

	// Each documented command is routed to the Gateway: whatever it answers to an empty input,
	// it is not an unknown command or route.
	for _, name := range documented {
		_, err := c.Dispatch(t.Context(), name, isg.Actor{}, json.RawMessage(`{}`))
		code := isg.ErrorCode(err)
		require.NotContains(t, []string{isg.CodeCommandUnknown, httpapi.CodeRouteUnknown}, code, name)
	}
	_, err = c.Dispatch(t.Context(), "flow.no_such_thing", isg.Actor{}, nil)
	require.Equal(t, isg.CodeCommandUnknown, isg.ErrorCode(err), "an undocumented command is not served")
	var se *httpapi.StatusError
	require.True(t, errors.As(err, &se))
	require.Equal(t, http.StatusNotFound, se.Status)
}

func get(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, url)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return b
}

// documented validates answers of the protocol against the schemas the description gives them.
type documented struct {
	mu       sync.Mutex
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema
}

const docURL = "https://isgkit.example/openapi.json"

func newDocumented(t testing.TB) *documented {
	t.Helper()
	b, err := httpapi.OpenAPI()
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	require.NoError(t, c.AddResource(docURL, doc))
	return &documented{compiler: c, schemas: map[string]*jsonschema.Schema{}}
}

// pointer escapes a JSON pointer token.
func pointer(s string) string { return strings.NewReplacer("~", "~0", "/", "~1").Replace(s) }

func (d *documented) schema(ptr string) (*jsonschema.Schema, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s, ok := d.schemas[ptr]; ok {
		return s, nil
	}
	s, err := d.compiler.Compile(docURL + "#" + ptr)
	if err != nil {
		return nil, err
	}
	d.schemas[ptr] = s
	return s, nil
}

// check validates body, the answer to command with status, against its documented schema.
func (d *documented) check(command string, status int, body []byte) error {
	ptr := "/components/schemas/Error"
	if status == http.StatusOK {
		ptr = "/paths/" + pointer("/v1/commands/"+command) + "/post/responses/200/content/" + pointer("application/json") + "/schema"
	}
	s, err := d.schema(ptr)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return err
	}
	return s.Validate(v)
}

// validating is a Platform whose every answer is checked against the description: a result
// against the command's documented result schema, a refusal against the Error schema, its
// status against isg.HTTPStatus of the refusal the body describes.
type validating struct {
	t      *testing.T
	client *httpapi.Client
	doc    *documented
	steps  *int64
	mu     *sync.Mutex
}

func (v validating) Fresh(t *testing.T, start time.Time) (scenario.Target, error) {
	if _, err := v.client.Fresh(t, start); err != nil {
		return nil, err
	}
	v.t = t
	return v, nil
}

func (v validating) SetClock(ctx context.Context, c scenario.ClockChange) error {
	return v.client.SetClock(ctx, c)
}

func (v validating) Dispatch(ctx context.Context, command string, actor isg.Actor, input json.RawMessage) (any, error) {
	res, err := v.client.Dispatch(ctx, command, actor, input)
	var body []byte
	status := http.StatusOK
	var se *httpapi.StatusError
	switch {
	case err == nil:
		body = res.(json.RawMessage)
	case errors.As(err, &se):
		status = se.Status
		body, _ = json.Marshal(httpapi.Body(se.Err))
		if want := isg.HTTPStatus(se.Err); want != status && isg.ErrorCode(se.Err) != isg.CodeInternal {
			v.t.Errorf("%s: answered %d for %s, HTTPStatus says %d", command, status, isg.ErrorCode(err), want)
		}
	default:
		return res, err
	}
	if verr := v.doc.check(command, status, body); verr != nil {
		v.t.Errorf("%s: the %d answer does not match the description: %v\n%.600s", command, status, verr, body)
	}
	v.mu.Lock()
	*v.steps++
	v.mu.Unlock()
	return res, err
}

// TestDocumentedSchemasRefuseWrongShapes: the check TestScenariosOverTheWire makes of every
// answer is not vacuous — a result of the wrong shape, or a refusal body without its code,
// fails it.
func TestDocumentedSchemasRefuseWrongShapes(t *testing.T) {
	d := newDocumented(t)
	ok := `{"account":{"id":"0190a3c4-7b2e-7cc1-9f00-000000000001"},"pending_validation":false,"token_expires":"2026-01-05T09:00:00Z","verification_token":"x"}`
	for body, wantOK := range map[string]bool{
		`{"pending_validation":"no"}`: false, // wrong type, required fields missing
		`"a string"`:                  false,
		`{"account":{"id":"0190a3c4-7b2e-7cc1-9f00-000000000001"},"pending_validation":false,"token_expires":"yesterday","verification_token":"x"}`: false, // not a date-time
	} {
		err := d.check("account.register", http.StatusOK, []byte(body))
		require.Equal(t, wantOK, err == nil, "%s: %v", body, err)
	}
	require.Error(t, d.check("account.register", http.StatusConflict, []byte(`{"message":"no code"}`)))
	require.NoError(t, d.check("account.register", http.StatusConflict, []byte(`{"kind":"conflict","code":"user.email_taken","rule":"REG-7","message":"taken"}`)))
	if err := d.check("account.register", http.StatusOK, []byte(ok)); err != nil {
		// Account has required fields of its own: a partial account is refused too.
		require.Contains(t, err.Error(), "missing")
	}
}

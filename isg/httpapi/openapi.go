package httpapi

import (
	"encoding"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/isgkit/gateway/assurance"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/directory"
)

// OpenAPI returns the OpenAPI 3.1 description of the protocol, generated from the command
// declarations (isg.Commands): one path per command, its request schema from the input's Go type
// (JSON names, validate tags as required, format, enum and length where they translate), its
// result schema from the result's Go type, and the refusals. The handler serves it at
// GET /v1/openapi.json; docs/openapi.json is a copy a test keeps equal to it. The same
// declarations always give the same bytes.
func OpenAPI() ([]byte, error) {
	g := &schemaGen{schemas: map[string]any{}, names: map[side]string{}, taken: map[string]side{}, unknown: map[string]bool{}}
	paths := map[string]any{}
	for _, c := range isg.Commands() {
		req, err := g.schema(c.Input, true)
		if err != nil {
			return nil, fmt.Errorf("httpapi: openapi: %s input: %w", c.Name, err)
		}
		res, err := g.schema(c.Result, false)
		if err != nil {
			return nil, fmt.Errorf("httpapi: openapi: %s result: %w", c.Name, err)
		}
		op := map[string]any{
			"operationId": strings.ReplaceAll(c.Name, ".", "_"),
			"summary":     c.Doc,
			"tags":        []string{strings.SplitN(c.Name, ".", 2)[0]},
			"x-command":   c.Name,
			"x-reach":     c.Reach,
			"requestBody": map[string]any{"required": true, "content": jsonContent(req)},
			"responses":   commandResponses(res),
		}
		if c.Rule != "" {
			op["x-rule"] = c.Rule
		}
		if c.HasRow {
			op["x-permission"] = c.Row.String()
		}
		if c.Query {
			op["x-query"] = true
		}
		if c.Host {
			op["x-host"] = true
		}
		paths["/v1/commands/"+c.Name] = map[string]any{"post": op}
	}
	for p, item := range conformancePaths() {
		paths[p] = item
	}
	paths["/v1/commands"] = map[string]any{"get": map[string]any{
		"operationId": "commands_list", "summary": "Lists every command as declared (isg.Commands).", "tags": []string{"protocol"},
		"responses": map[string]any{"200": map[string]any{"description": "The commands.", "content": jsonContent(map[string]any{"type": "array", "items": map[string]any{"$ref": "#/components/schemas/CommandInfo"}})}},
	}}
	paths["/v1/openapi.json"] = map[string]any{"get": map[string]any{
		"operationId": "openapi", "summary": "This document.", "tags": []string{"protocol"},
		"responses": map[string]any{"200": map[string]any{"description": "The OpenAPI 3.1 description.", "content": jsonContent(map[string]any{"type": "object"})}},
	}}
	if len(g.unknown) > 0 {
		// A type writing its own JSON says nothing of its shape to reflection: rather than
		// document any value for it, the generator refuses until customJSON describes it.
		return nil, fmt.Errorf("httpapi: openapi: no schema for types writing their own JSON: %s (describe them in customJSON)", strings.Join(slices.Sorted(maps.Keys(g.unknown)), ", "))
	}
	g.schemas["Error"] = errorSchema()
	g.schemas["CommandInfo"] = commandInfoSchema()
	g.schemas["ClockChange"] = map[string]any{"type": "object", "additionalProperties": false, "properties": map[string]any{
		"clock":     map[string]any{"type": "string", "format": "date-time", "description": "Set the time to this first."},
		"advance":   map[string]any{"type": "string", "description": `Then move it on by a Go duration ("36h") or whole days ("365d"); never negative.`},
		"backwards": map[string]any{"type": "boolean", "description": "Must be true for a clock earlier than the time is."},
	}}
	g.schemas["Clock"] = map[string]any{"type": "object", "required": []string{"clock"}, "properties": map[string]any{"clock": map[string]any{"type": "string", "format": "date-time"}}}
	doc := map[string]any{
		"openapi":           "3.1.0",
		"jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
		"info": map[string]any{
			"title":       "ISG Gateway command protocol",
			"version":     "1",
			"description": "Every command of the Gateway as POST /v1/commands/{name}: the input as the JSON body (Content-Type: application/json; unknown fields are refused), the result as the 200 body, a refusal as a status chosen by the error's kind with a body carrying kind, code, rule, fields and message. The actor is the host's session in production; in conformance mode (loopback only) the ISG-Actor-User and ISG-Actor-Org headers name it. Generated from the command declarations; see docs/protocol.md.",
		},
		"paths":      paths,
		"components": map[string]any{"schemas": g.schemas, "responses": errorResponses(), "parameters": actorParameters()},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// refusalStatuses are the statuses isg.HTTPStatus gives, with what each means.
var refusalStatuses = []struct{ status, description string }{
	{"400", "Invalid input (ErrInvalid): fields names each bad field with its code and rule."},
	{"401", "A sign-in failure (a code under auth.): the caller has not proved who it is."},
	{"403", "Forbidden (ErrForbidden: no role permits it) or not licensed (ErrLicence)."},
	{"404", "Not found (ErrNotFound), or a record the actor may not see: the same answer."},
	{"409", "Conflict (ErrConflict: a concurrent change won, or a duplicate) or a lifecycle step the state does not allow (ErrInvalidTransition)."},
	{"422", "Refused by a governance rule (ErrRule): rule names it."},
	{"500", "An error the module did not make; the body says only internal."},
}

func commandResponses(result any) map[string]any {
	out := map[string]any{"200": map[string]any{"description": "The command's result, as Gateway.Dispatch returns it.", "content": jsonContent(result)}}
	for _, s := range refusalStatuses {
		out[s.status] = map[string]any{"$ref": "#/components/responses/" + s.status}
	}
	return out
}

func errorResponses() map[string]any {
	out := map[string]any{}
	for _, s := range refusalStatuses {
		out[s.status] = map[string]any{"description": s.description, "content": jsonContent(map[string]any{"$ref": "#/components/schemas/Error"})}
	}
	return out
}

func actorParameters() map[string]any {
	param := func(name, what string) map[string]any {
		return map[string]any{"name": name, "in": "header", "required": false, "schema": map[string]any{"type": "string", "format": "uuid"},
			"description": "Conformance mode only: the acting " + what + ". A production server refuses any request carrying it (400 actor.named)."}
	}
	return map[string]any{"ActorUser": param(HeaderActorUser, "user"), "ActorOrg": param(HeaderActorOrg, "organisation")}
}

func conformancePaths() map[string]any {
	op := func(id, summary string, body any, result string) map[string]any {
		o := map[string]any{
			"operationId": id, "summary": summary, "tags": []string{"conformance"},
			"description": "Conformance mode only (loopback callers only); a production server answers 404 conformance.disabled.",
			"responses": map[string]any{
				"200": map[string]any{"description": "Done.", "content": jsonContent(map[string]any{"$ref": "#/components/schemas/" + result})},
				"400": map[string]any{"$ref": "#/components/responses/400"},
				"403": map[string]any{"$ref": "#/components/responses/403"},
				"404": map[string]any{"$ref": "#/components/responses/404"},
				"409": map[string]any{"$ref": "#/components/responses/409"},
			},
		}
		if body != nil {
			o["requestBody"] = map[string]any{"required": true, "content": jsonContent(body)}
		}
		return o
	}
	return map[string]any{
		"/v1/conformance/reset": map[string]any{"post": op("conformance_reset", "Replaces the platform by a fresh, empty store, its clock at start.",
			map[string]any{"type": "object", "required": []string{"start"}, "additionalProperties": false, "properties": map[string]any{"start": map[string]any{"type": "string", "format": "date-time"}}}, "Clock")},
		"/v1/conformance/clock": map[string]any{
			"post": op("conformance_clock", "Applies a clock step of a scenario file: set, then advance; never backwards unless asked.", map[string]any{"$ref": "#/components/schemas/ClockChange"}, "Clock"),
			"get":  op("conformance_clock_get", "Reads the platform's clock.", nil, "Clock"),
		},
		"/v1/conformance/drain": map[string]any{"post": map[string]any{
			"operationId": "conformance_drain", "summary": "Runs outbox.drain as the host (as POST /v1/commands/outbox.drain naming no actor).", "tags": []string{"conformance"},
			"description": "Conformance mode only (loopback callers only); a production server answers 404 conformance.disabled.",
			"requestBody": map[string]any{"required": true, "content": jsonContent(map[string]any{"$ref": "#/paths/~1v1~1commands~1outbox.drain/post/requestBody/content/application~1json/schema"})},
			"responses":   map[string]any{"200": map[string]any{"$ref": "#/paths/~1v1~1commands~1outbox.drain/post/responses/200"}},
		}},
	}
}

func jsonContent(schema any) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": schema}}
}

func errorSchema() map[string]any {
	field := map[string]any{"type": "object", "required": []string{"field", "code", "message"}, "properties": map[string]any{
		"field": map[string]any{"type": "string"}, "code": map[string]any{"type": "string"}, "rule": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"},
	}}
	kinds := []string{}
	for _, k := range []error{isg.ErrInvalid, isg.ErrNotFound, isg.ErrForbidden, isg.ErrConflict, isg.ErrInvalidTransition, isg.ErrLicence, isg.ErrRule} {
		kinds = append(kinds, isg.ErrorKindName(k))
	}
	return map[string]any{"type": "object", "required": []string{"code", "message"}, "properties": map[string]any{
		"kind":    map[string]any{"type": "string", "enum": kinds, "description": "The error's kind (isg.ErrorKindName); absent for internal."},
		"code":    map[string]any{"type": "string", "description": "The stable code (docs/scenarios.md, Error codes; docs/protocol.md for the protocol's own)."},
		"rule":    map[string]any{"type": "string", "description": "The rulebook rule, where one applies."},
		"fields":  map[string]any{"type": "array", "items": field},
		"message": map[string]any{"type": "string"},
	}}
}

func commandInfoSchema() map[string]any {
	s := map[string]any{"type": "string"}
	return map[string]any{"type": "object", "required": []string{"name", "doc", "reach", "query"}, "properties": map[string]any{
		"name": s, "doc": s, "reach": s, "rule": s, "query": map[string]any{"type": "boolean"}, "self_service": s, "host": map[string]any{"type": "boolean"},
	}}
}

// schemaGen turns Go types into JSON Schema 2020-12, named struct types into components: one
// set for requests (additionalProperties false, required from validate tags) and one for results
// (required from the fields encoding/json always writes).
type schemaGen struct {
	schemas map[string]any
	names   map[side]string // the component of each struct type, per side
	taken   map[string]side // the owner of each component name
	unknown map[string]bool // types writing their own JSON that customJSON does not describe
}

// side is a struct type as a request or as a result.
type side struct {
	t   reflect.Type
	req bool
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
	uuidType     = reflect.TypeFor[uuid.UUID]()
	rawType      = reflect.TypeFor[json.RawMessage]()
	textType     = reflect.TypeFor[encoding.TextMarshaler]()
	jsonType     = reflect.TypeFor[json.Marshaler]()
)

// customJSON gives the schema of each type of the module that writes its own JSON, which its Go
// type does not tell; OpenAPI fails when a command's input or result holds one it does not list.
func customJSON() map[reflect.Type]func() (any, error) {
	codes := map[string]any{"type": []string{"array", "null"}, "items": map[string]any{"type": "string"}}
	return map[reflect.Type]func() (any, error){
		reflect.TypeFor[directory.RoleSet](): func() (any, error) { return codes, nil },
		// shopspring/decimal writes a quoted decimal by default (MarshalJSONWithoutQuotes off),
		// and reads a string or a number.
		reflect.TypeFor[decimal.Decimal](): func() (any, error) {
			return map[string]any{"type": []string{"string", "number"}, "pattern": `^-?[0-9]+(\.[0-9]+)?$`}, nil
		},
		reflect.TypeFor[assurance.Criteria](): func() (any, error) { return codes, nil },
		reflect.TypeFor[assurance.Rating](): func() (any, error) {
			return map[string]any{"type": "object", "required": []string{"level", "missing"}, "properties": map[string]any{
				"level":   map[string]any{"type": "string"},
				"colour":  map[string]any{"type": "string"},
				"missing": codes,
			}}, nil
		},
	}
}

func (g *schemaGen) schema(t reflect.Type, req bool) (any, error) {
	return g.schemaOf(t, req, nil)
}

func (g *schemaGen) schemaOf(t reflect.Type, req bool, tags *fieldTags) (any, error) {
	if t == nil {
		return map[string]any{}, nil
	}
	if t.Kind() == reflect.Pointer {
		inner, err := g.schemaOf(t.Elem(), req, tags)
		if err != nil {
			return nil, err
		}
		return nullable(inner), nil
	}
	if f, ok := customJSON()[t]; ok {
		return f()
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}, nil
	case t == durationType:
		return map[string]any{"type": "integer", "description": "nanoseconds"}, nil
	case t == rawType:
		return map[string]any{}, nil
	case t == uuidType || isUUIDWrapper(t):
		return map[string]any{"type": "string", "format": "uuid"}, nil
	}
	if t.Implements(jsonType) || reflect.PointerTo(t).Implements(jsonType) {
		g.unknown[t.String()] = true
		return map[string]any{}, nil
	}
	if t.Implements(textType) || reflect.PointerTo(t).Implements(textType) {
		s := map[string]any{"type": "string"}
		tags.apply(s, "string")
		return s, nil
	}
	switch t.Kind() {
	case reflect.String:
		s := map[string]any{"type": "string"}
		tags.apply(s, "string")
		return s, nil
	case reflect.Bool:
		return map[string]any{"type": "boolean"}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		s := map[string]any{"type": "integer"}
		tags.apply(s, "number")
		return s, nil
	case reflect.Float32, reflect.Float64:
		s := map[string]any{"type": "number"}
		tags.apply(s, "number")
		return s, nil
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			return map[string]any{"type": []string{"string", "null"}, "contentEncoding": "base64"}, nil
		}
		items, err := g.schemaOf(t.Elem(), req, tags.dive())
		if err != nil {
			return nil, err
		}
		s := map[string]any{"type": "array", "items": items}
		if t.Kind() == reflect.Slice {
			s["type"] = []string{"array", "null"} // a nil slice is written as null
		}
		tags.apply(s, "array")
		return s, nil
	case reflect.Map:
		vals, err := g.schemaOf(t.Elem(), req, nil)
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": []string{"object", "null"}, "additionalProperties": vals}, nil
	case reflect.Interface:
		return map[string]any{}, nil
	case reflect.Struct:
		return g.structRef(t, req)
	}
	return nil, fmt.Errorf("no schema for %s (%s)", t, t.Kind())
}

// isUUIDWrapper: the module's typed IDs, a struct embedding uuid.UUID alone.
func isUUIDWrapper(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t.NumField() == 1 && t.Field(0).Anonymous && t.Field(0).Type == uuidType
}

func nullable(s any) any {
	m, ok := s.(map[string]any)
	if !ok {
		return s
	}
	if _, isRef := m["$ref"]; isRef {
		return map[string]any{"anyOf": []any{m, map[string]any{"type": "null"}}}
	}
	switch ty := m["type"].(type) {
	case string:
		m["type"] = []string{ty, "null"}
	case []string:
		if !slices.Contains(ty, "null") {
			m["type"] = append(ty, "null")
		}
	}
	if e, ok := m["enum"].([]string); ok {
		values := make([]any, 0, len(e)+1)
		for _, v := range e {
			values = append(values, v)
		}
		m["enum"] = append(values, nil)
	}
	return m
}

var nonName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// componentName names a struct type for components/schemas: its Go name, type arguments
// shortened to their own names; a request-side schema ends in "Input" (an input type's name
// usually does already), so the two sides never share a schema.
func (g *schemaGen) componentName(t reflect.Type, req bool) string {
	name := t.Name()
	if i := strings.IndexByte(name, '['); i >= 0 {
		args := strings.Split(strings.TrimSuffix(name[i+1:], "]"), ",")
		name = name[:i]
		for _, a := range args {
			a = a[strings.LastIndexAny(a, "/.")+1:]
			name += "_" + a
		}
	}
	name = nonName.ReplaceAllString(name, "_")
	if name == "" {
		name = "Anonymous"
	}
	if req && !strings.HasSuffix(name, "Input") {
		name += "Input"
	}
	base := name
	for i := 2; ; i++ {
		if owner, ok := g.taken[name]; !ok || owner == (side{t, req}) {
			break
		}
		name = base + "_" + strconv.Itoa(i)
	}
	return name
}

func (g *schemaGen) structRef(t reflect.Type, req bool) (any, error) {
	key := side{t, req}
	if name, ok := g.names[key]; ok {
		return map[string]any{"$ref": "#/components/schemas/" + name}, nil
	}
	if t.Name() == "" {
		return g.object(t, req)
	}
	name := g.componentName(t, req)
	g.taken[name] = key
	g.names[key] = name
	g.schemas[name] = map[string]any{} // placeholder: a recursive type refers to itself
	s, err := g.object(t, req)
	if err != nil {
		return nil, err
	}
	g.schemas[name] = s
	return map[string]any{"$ref": "#/components/schemas/" + name}, nil
}

// jsonFields lists the fields encoding/json writes for struct t, embedded structs promoted, in
// order: a field of the outer struct hides one of the same name deeper down.
func jsonFields(t reflect.Type) []reflect.StructField {
	var out []reflect.StructField
	seen := map[string]bool{}
	type pending struct {
		t     reflect.Type
		index []int
	}
	var embedded []pending
	walk := func(t reflect.Type, index []int) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" {
				et := f.Type
				if et.Kind() == reflect.Pointer {
					et = et.Elem()
				}
				if et.Kind() == reflect.Struct {
					embedded = append(embedded, pending{et, append(slices.Clone(index), i)})
					continue
				}
			}
			if !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if seen[name] {
				continue
			}
			seen[name] = true
			f.Index = append(slices.Clone(index), i)
			f.Name = name
			out = append(out, f)
		}
	}
	walk(t, nil)
	for len(embedded) > 0 {
		next := embedded
		embedded = nil
		for _, p := range next {
			walk(p.t, p.index)
		}
	}
	return out
}

func (g *schemaGen) object(t reflect.Type, req bool) (any, error) {
	props := map[string]any{}
	var required []string
	for _, f := range jsonFields(t) {
		var tags *fieldTags
		if req {
			tags = parseTags(f.Tag.Get("validate"))
		}
		s, err := g.schemaOf(f.Type, req, tags)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", t, f.Name, err)
		}
		if m, ok := s.(map[string]any); ok && req {
			if rule := f.Tag.Get("rule"); rule != "" {
				m["x-rule"] = rule // the rule a refusal of the field names
			}
		}
		props[f.Name] = s
		_, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		omitted := strings.Contains(","+opts+",", ",omitempty,") || strings.Contains(","+opts+",", ",omitzero,")
		if req && tags.required() || !req && !omitted {
			required = append(required, f.Name)
		}
	}
	out := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		slices.Sort(required)
		out["required"] = required
	}
	if req {
		out["additionalProperties"] = false // Dispatch refuses unknown fields
	}
	return out, nil
}

// fieldTags is a field's validate tag, as far as JSON Schema can say it: the constraints before
// any "dive" apply to the field, those after it to each element.
type fieldTags struct {
	rules     []string
	elems     *fieldTags
	omitEmpty bool
}

func parseTags(tag string) *fieldTags {
	if tag == "" {
		return nil
	}
	ft := &fieldTags{}
	parts := strings.Split(tag, ",")
	for i, p := range parts {
		if p == "dive" {
			ft.elems = parseTags(strings.Join(parts[i+1:], ","))
			break
		}
		if p == "omitempty" {
			ft.omitEmpty = true
		}
		ft.rules = append(ft.rules, p)
	}
	return ft
}

func (ft *fieldTags) dive() *fieldTags {
	if ft == nil {
		return nil
	}
	return ft.elems
}

func (ft *fieldTags) required() bool { return ft != nil && slices.Contains(ft.rules, "required") }

// apply adds what the tags say that JSON Schema says the same way to s, a schema of the given
// JSON type. A constraint under omitempty would refuse the empty value validate lets through,
// so only the format of such a field is given.
func (ft *fieldTags) apply(s map[string]any, jsonType string) {
	if ft == nil {
		return
	}
	for _, r := range ft.rules {
		name, arg, _ := strings.Cut(r, "=")
		switch name {
		case "email":
			s["format"] = "email"
		case "http_url":
			s["format"] = "uri"
		}
		if ft.omitEmpty {
			continue
		}
		n, numErr := strconv.Atoi(arg)
		switch {
		case name == "required" && jsonType == "string":
			s["minLength"] = 1
		case name == "required" && jsonType == "array":
			s["minItems"] = 1
		case name == "oneof" && jsonType == "string":
			s["enum"] = strings.Fields(arg)
		case name == "hexadecimal":
			s["pattern"] = "^(0[xX])?[0-9a-fA-F]+$"
		case numErr != nil:
		case jsonType == "string" && (name == "min" || name == "gte"):
			s["minLength"] = n
		case jsonType == "string" && (name == "max" || name == "lte"):
			s["maxLength"] = n
		case jsonType == "string" && name == "len":
			s["minLength"], s["maxLength"] = n, n
		case jsonType == "array" && (name == "min" || name == "gte"):
			s["minItems"] = n
		case jsonType == "array" && (name == "max" || name == "lte"):
			s["maxItems"] = n
		case jsonType == "array" && name == "len":
			s["minItems"], s["maxItems"] = n, n
		case jsonType == "number" && (name == "min" || name == "gte"):
			s["minimum"] = n
		case jsonType == "number" && (name == "max" || name == "lte"):
			s["maximum"] = n
		}
	}
}

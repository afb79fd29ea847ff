package isg

import (
	"bytes"
	"context"
	"encoding/json"
)

// handler is a command not yet written as a declaration: a typed Gateway method adapted to the
// command table. Every command moves to a declaration (pipeline.go); this adapter goes with the
// last of them.
type handler struct {
	doc string
	run func(g *Gateway, ctx context.Context, actor Actor, raw json.RawMessage) (any, error)
}

// handle adapts a typed Gateway method to the command table.
func handle[In, Out any](doc string, f func(g *Gateway, ctx context.Context, actor Actor, in In) (Out, error)) handler {
	return handler{doc: doc, run: func(g *Gateway, ctx context.Context, actor Actor, raw json.RawMessage) (any, error) {
		var in In
		if err := decodeStrict(raw, &in); err != nil {
			return nil, err
		}
		return f(g, ctx, actor, in)
	}}
}

// named is a handler with its name, as the command table holds it.
type named struct {
	name string
	handler
}

func (h named) Name() string { return h.name }
func (h named) Doc() string  { return h.doc }
func (h named) describe() CommandInfo {
	return CommandInfo{Name: h.name, Doc: h.doc, Reach: "undeclared"}
}
func (h named) dispatch(ctx context.Context, g *Gateway, actor Actor, raw json.RawMessage) (any, error) {
	return h.run(g, ctx, actor, raw)
}

// decodeStrict decodes JSON input, refusing unknown fields so that a misspelt field is an error,
// never silently ignored.
func decodeStrict(raw json.RawMessage, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = json.RawMessage("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &Error{Kind: ErrInvalid, Code: "command.bad_input", Message: err.Error()}
	}
	if dec.More() {
		return &Error{Kind: ErrInvalid, Code: "command.bad_input", Message: "trailing data after the input object"}
	}
	return nil
}

type orgInput struct {
	Org OrgID `json:"org"`
}

type idInput struct {
	ID string `json:"id"`
}

type noInput struct{}

// handlerTable lists the commands not yet written as declarations, by area. Each area's
// function goes when its commands become declarations.
func handlerTable() map[string]handler {
	t := map[string]handler{}
	for _, set := range []map[string]handler{documentHandlers(), outboxHandlers(), assuranceHandlers(), licensingHandlers()} {
		for name, h := range set {
			t[name] = h
		}
	}
	return t
}

type drained struct {
	DrainResult
	Messages []Notification `json:"messages"`
}

package isg

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// declarations lists every command Dispatch runs: every declaration of the package
// (declarations_gen.go, generated from the source by TestDeclarationsAreListed) but the Go-only
// ones. The Dispatch table, CommandNames, Commands and the permission audit are all built from it.
func declarations() []declared {
	var out []declared
	for _, d := range declaredCommands() {
		if !d.isGoOnly() {
			out = append(out, d)
		}
	}
	return out
}

// commandIndex builds the Dispatch table from the declarations; a name declared twice is a
// programming error caught by the tests.
func commandIndex() map[string]declared {
	t := map[string]declared{}
	for _, d := range declarations() {
		t[d.Name()] = d
	}
	return t
}

// CommandNames lists every command the Gateway dispatches, sorted.
func CommandNames() []string {
	return slices.Sorted(maps.Keys(commandIndex()))
}

// CommandDoc returns the one-line description of a command, or "".
func CommandDoc(name string) string {
	if d, ok := commandIndex()[name]; ok {
		return d.Doc()
	}
	return ""
}

// Commands describes every command as declared, sorted by name: its reach, the permission-table
// row that gates it and the rule a refusal names. A host exposing the commands over its own API
// can build its routing and documentation from it.
func Commands() []CommandInfo {
	t := commandIndex()
	out := make([]CommandInfo, 0, len(t))
	for _, name := range slices.Sorted(maps.Keys(t)) {
		out = append(out, t[name].describe())
	}
	return out
}

// Dispatch runs a command by name with JSON input: the same commands as the Gateway's methods,
// for hosts that expose them over a JSON API and for scenario files. Unknown input fields are
// refused.
//
// Errors: an *Error with code "command.unknown" (ErrNotFound) for an unknown name,
// "command.bad_input" (ErrInvalid) for input that does not decode; otherwise the command's errors.
func (g *Gateway) Dispatch(ctx context.Context, name string, actor Actor, input json.RawMessage) (any, error) {
	c, ok := g.commands[name]
	if !ok {
		return nil, &Error{Kind: ErrNotFound, Code: "command.unknown", Message: fmt.Sprintf("unknown command %q (known: %s)", name, strings.Join(CommandNames(), ", "))}
	}
	return c.dispatch(ctx, g, actor, input)
}

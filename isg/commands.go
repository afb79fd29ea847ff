package isg

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// decodeStrict decodes JSON input, refusing unknown fields so that a misspelt field is an error,
// never silently ignored.
func decodeStrict(raw json.RawMessage, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = json.RawMessage("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &Error{Kind: ErrInvalid, Code: "command.bad_input", Message: err.Error(), Fields: decodeFields(err)}
	}
	if dec.More() {
		return &Error{Kind: ErrInvalid, Code: "command.bad_input", Message: "trailing data after the input object"}
	}
	return nil
}

type noInput struct{}

type drained struct {
	DrainResult
	Messages []Notification `json:"messages"`
}

// decodeFields names the input field a decoding error is about, where the decoder says: a value
// of the wrong type (field code "type") or a field the input type does not have ("unknown_field").
// A syntax error is about no one field and names none.
func decodeFields(err error) []FieldError {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return []FieldError{{Field: te.Field, Code: "type", Message: "cannot hold a JSON " + te.Value + " (" + te.Type.String() + ")"}}
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return []FieldError{{Field: strings.Trim(name, `"`), Code: "unknown_field", Message: "is not an input field of the command"}}
	}
	return nil
}

package isg

import (
	"bytes"
	"encoding/json"
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
		return &Error{Kind: ErrInvalid, Code: "command.bad_input", Message: err.Error()}
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

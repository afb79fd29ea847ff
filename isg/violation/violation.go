// Package violation holds the one error vocabulary every package of the module shares: the
// sentinel kinds matched with errors.Is, and the rich Error carrying a stable code, the rule ID and
// field errors, matched with errors.As.
//
// It imports nothing of the module's so that the pure packages (assurance, agreement, dpia,
// licensing) and the Gateway can all return the same type. Each public package re-exports the type
// and the sentinels under its own name (isg.Error, assurance.Error, …): they are aliases, so a host
// matches an error from any package with any of the names.
package violation

import (
	"errors"
	"strings"
)

// The sentinel kinds. Their text and meaning never change once published; new kinds are only added.
var (
	// ErrInvalid reports input that fails validation; the Error lists the bad fields.
	ErrInvalid = errors.New("invalid input")
	// ErrNotFound reports an unknown ID.
	ErrNotFound = errors.New("not found")
	// ErrForbidden reports an actor without a role that permits the action.
	ErrForbidden = errors.New("forbidden")
	// ErrConflict reports a stale write (optimistic concurrency) or a duplicate unique value.
	ErrConflict = errors.New("conflict")
	// ErrInvalidTransition reports a lifecycle step that the current state does not allow.
	ErrInvalidTransition = errors.New("invalid transition")
	// ErrLicence reports a capability the organisation's licence does not grant.
	ErrLicence = errors.New("licence does not allow this")
	// ErrRule reports any other refusal by a governance rule of the rulebook.
	ErrRule = errors.New("refused by rule")
)

// FieldError names one bad input field, why it is bad and the rule it breaks.
type FieldError struct {
	// Field is the input field's JSON name, dotted for nested fields (address.postcode).
	Field string `json:"field"`
	// Code is a stable, machine-readable reason such as "required" or "min".
	Code string `json:"code"`
	// Rule is the rulebook ID the field breaks (e.g. REG-2), or empty.
	Rule string `json:"rule,omitempty"`
	// Message is a human-readable explanation.
	Message string `json:"message"`
}

// String renders the field error for logs and error text.
func (f FieldError) String() string {
	s := f.Field + ": " + f.Message
	if f.Rule != "" {
		s += " (" + f.Rule + ")"
	}
	return s
}

// Error is the one rich error type of the module. Kind is one of the sentinels above and is what
// errors.Is matches; Code is stable and machine-readable; Rule names the rulebook rule, if any.
type Error struct {
	Kind    error        `json:"-"`
	Code    string       `json:"code"`
	Rule    string       `json:"rule,omitempty"`
	Message string       `json:"message"`
	Fields  []FieldError `json:"fields,omitempty"`
}

// Error renders the code, rule, message and fields on one line.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Code)
	if e.Rule != "" {
		b.WriteString(" [" + e.Rule + "]")
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.String())
	}
	return b.String()
}

// Unwrap exposes the kind so that errors.Is(err, ErrForbidden) and the like work.
func (e *Error) Unwrap() error { return e.Kind }

// New builds an Error of the given kind.
func New(kind error, code, rule, message string) *Error {
	return &Error{Kind: kind, Code: code, Rule: rule, Message: message}
}

// Invalid builds an ErrInvalid Error from field errors. The rule of the error is the rule of the
// first field that names one, so that a single-field refusal reads naturally.
func Invalid(fields ...FieldError) *Error {
	e := &Error{Kind: ErrInvalid, Code: "invalid_input", Message: "input is not valid", Fields: fields}
	for _, f := range fields {
		if f.Rule != "" {
			e.Rule = f.Rule
			break
		}
	}
	return e
}

// Field is shorthand for a one-field ErrInvalid Error.
func Field(field, code, rule, message string) *Error {
	return Invalid(FieldError{Field: field, Code: code, Rule: rule, Message: message})
}

// Code returns the stable code of err: the Code of the first Error in its chain, or a code derived
// from the sentinel kind, or "internal" for anything else. It lets a host map any error to a code
// (and from there to an HTTP status) in one place.
func Code(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	for _, k := range kinds {
		if errors.Is(err, k.err) {
			return k.code
		}
	}
	return "internal"
}

// kinds lists the sentinels with their default codes, in an order that never changes.
var kinds = [...]struct {
	err  error
	code string
}{
	{ErrInvalid, "invalid_input"},
	{ErrNotFound, "not_found"},
	{ErrForbidden, "forbidden"},
	{ErrConflict, "conflict"},
	{ErrInvalidTransition, "invalid_transition"},
	{ErrLicence, "licence"},
	{ErrRule, "rule"},
}

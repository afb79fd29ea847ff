// Package validate holds the module's one validator instance and turns its errors into the
// module's own field errors, so that go-playground/validator types never appear in the public API.
//
// A struct field names the rule it enforces with a `rule:"REG-7"` tag; Struct copies that rule into
// every field error of the field. Field names are taken from the `json` tag.
package validate

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
	"github.com/shopspring/decimal"

	"github.com/isgkit/gateway/isg/violation"
)

// instance is built once, fully configured before first use: validator caches struct metadata and
// is safe for concurrent use once built, and building one per call would throw that cache away.
var instance = sync.OnceValue(build)

func build() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(jsonName)
	// Decimals are compared exactly, never through float64.
	must(v.RegisterValidation("dec_gte0", func(fl validator.FieldLevel) bool {
		d, ok := fl.Field().Interface().(decimal.Decimal)
		return ok && !d.IsNegative()
	}))
	must(v.RegisterValidation("dec_gt0", func(fl validator.FieldLevel) bool {
		d, ok := fl.Field().Interface().(decimal.Decimal)
		return ok && d.IsPositive()
	}))
	must(v.RegisterValidation("pence", func(fl validator.FieldLevel) bool {
		d, ok := fl.Field().Interface().(decimal.Decimal)
		return ok && d.Equal(d.Round(2))
	}))
	must(v.RegisterValidation("uk_postcode", func(fl validator.FieldLevel) bool {
		return ukPostcode.MatchString(strings.ToUpper(strings.TrimSpace(fl.Field().String())))
	}))
	must(v.RegisterValidation("ico_number", func(fl validator.FieldLevel) bool {
		return icoNumber.MatchString(strings.ToUpper(fl.Field().String()))
	}))
	// An address (REG-7) holding a character that displays as nothing — a zero-width space or
	// joiner, a word joiner, a soft hyphen, a byte-order mark, a bidi control (all of Unicode's
	// format category Cf) — or a control character would look like another address.
	must(v.RegisterValidation("no_invisible", func(fl validator.FieldLevel) bool {
		return Visible(fl.Field().String())
	}))
	// Instants are range-checked: a zero time passes (required says whether one is needed), any
	// other must fall in years 1–9999 in UTC, the range a record's JSON can hold.
	must(v.RegisterValidation("instant", func(fl validator.FieldLevel) bool {
		t, ok := fl.Field().Interface().(time.Time)
		return ok && (t.IsZero() || Instant(t))
	}))
	return v
}

// Visible reports whether s is valid UTF-8 with no format (Cf: zero-width characters, soft
// hyphen, BOM, bidi controls) or control (Cc) characters: text that displays as what it is.
func Visible(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.Is(unicode.Cf, r) || unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// MinYear and MaxYear bound every instant input, in UTC: RFC 3339, and so every stored record's
// JSON, holds four-digit years only.
const (
	MinYear = 1
	MaxYear = 9999
)

// Instant reports whether t lies in years MinYear–MaxYear once converted to UTC. The pure
// packages call it for instants that Go callers build; the `instant` tag calls it for inputs.
func Instant(t time.Time) bool {
	y := t.UTC().Year()
	return y >= MinYear && y <= MaxYear
}

// InstantMessage is the message of an instant out of range.
const InstantMessage = "must be an instant in years 1–9999 (UTC)"

// ukPostcode is the shape of a UK postcode (outward code, optional space, inward code), with the
// special GIR 0AA.
var ukPostcode = regexp.MustCompile(`^(GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})$`)

// icoNumber is the shape of an ICO data protection register number: eight characters, a letter
// (Z for registrations since 2000, others for older ones) then letters and digits.
var icoNumber = regexp.MustCompile(`^[A-Z][A-Z0-9]{7}$`)

func must(err error) {
	if err != nil {
		panic(err) // only reachable by a programming error in build
	}
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	switch name {
	case "-":
		return ""
	case "":
		return f.Name
	}
	return name
}

// Struct validates s and returns nil or a *violation.Error of kind ErrInvalid listing every bad
// field. defaultRule is used for fields that carry no `rule` tag of their own.
func Struct(s any, defaultRule string) error {
	err := instance().Struct(s)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return violation.Field("", "invalid", defaultRule, err.Error())
	}
	root := reflect.TypeOf(s)
	fields := make([]violation.FieldError, 0, len(verrs))
	for _, fe := range verrs {
		rule := ruleOf(root, fe.StructNamespace())
		if rule == "" {
			rule = defaultRule
		}
		fields = append(fields, violation.FieldError{
			Field:   fieldPath(fe.Namespace()),
			Code:    fe.Tag(),
			Rule:    rule,
			Message: message(fe),
		})
	}
	return violation.Invalid(fields...)
}

// Check validates s as Struct does and adds the field errors a caller found by code (membership,
// cross-field rules the tags cannot express), so that one refusal lists every problem of an input
// at once rather than one per attempt. It returns nil or a *violation.Error of kind ErrInvalid.
func Check(s any, defaultRule string, extra []violation.FieldError) error {
	var fields []violation.FieldError
	if err := Struct(s, defaultRule); err != nil {
		var e *violation.Error
		if !errors.As(err, &e) {
			return err
		}
		fields = append(fields, e.Fields...)
	}
	fields = append(fields, extra...)
	if len(fields) == 0 {
		return nil
	}
	return violation.Invalid(fields...)
}

// fieldPath drops the struct type name validator puts first: "RegisterInput.address.postcode"
// becomes "address.postcode", and "ByID[github.com/x/agreement.FlowID].id" becomes "id".
func fieldPath(ns string) string {
	_, rest, ok := cutTypeName(ns)
	if !ok {
		return ns
	}
	return rest
}

// cutTypeName splits a namespace after its leading type name. A generic type's name holds its
// type arguments' package paths in brackets, dots and all, so the cut is at the first dot
// outside brackets.
func cutTypeName(ns string) (name, rest string, ok bool) {
	depth := 0
	for i := 0; i < len(ns); i++ {
		switch ns[i] {
		case '[':
			depth++
		case ']':
			depth--
		case '.':
			if depth == 0 {
				return ns[:i], ns[i+1:], true
			}
		}
	}
	return ns, "", false
}

// ruleOf walks the struct namespace (Go field names) and returns the innermost `rule` tag found.
func ruleOf(t reflect.Type, structNS string) string {
	_, fields, ok := cutTypeName(structNS)
	if !ok {
		return ""
	}
	rule := ""
	for _, p := range strings.Split(fields, ".") {
		if i := strings.IndexByte(p, '['); i >= 0 {
			p = p[:i]
		}
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			break
		}
		f, ok := t.FieldByName(p)
		if !ok {
			break
		}
		if r := f.Tag.Get("rule"); r != "" {
			rule = r
		}
		t = f.Type
	}
	return rule
}

func message(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required", "required_if", "required_unless", "required_with", "required_without":
		return "is required"
	case "email":
		return "must be an e-mail address"
	case "min":
		return "must be at least " + fe.Param() + lengthUnit(fe)
	case "max":
		return "must be at most " + fe.Param() + lengthUnit(fe)
	case "len":
		return "must have length " + fe.Param()
	case "oneof":
		return "must be one of: " + fe.Param()
	case "url", "http_url":
		return "must be a URL"
	case "uuid", "uuid4", "uuid7":
		return "must be a UUID"
	case "gte", "gt", "lte", "lt":
		return "must be " + map[string]string{"gte": ">=", "gt": ">", "lte": "<=", "lt": "<"}[fe.Tag()] + " " + fe.Param()
	case "dec_gte0":
		return "must not be negative"
	case "dec_gt0":
		return "must be positive"
	case "pence":
		return "must be a whole number of pence"
	case "uk_postcode":
		return "must be a UK postcode"
	case "ico_number":
		return "must be an ICO registration number (8 characters, e.g. Z1234567)"
	case "no_invisible":
		return "must not hold invisible, format or control characters (zero-width, soft hyphen, BOM, bidi controls)"
	case "instant":
		return InstantMessage
	case "hexadecimal":
		return "must be hexadecimal"
	case "alphanum":
		return "must contain only letters and digits"
	case "excluded_with", "excluded_unless", "excluded_if":
		return "must not be set together with " + fe.Param()
	}
	return "failed the " + fe.Tag() + " check"
}

func lengthUnit(fe validator.FieldError) string {
	switch fe.Kind() {
	case reflect.String:
		return " characters"
	case reflect.Slice, reflect.Map, reflect.Array:
		return " items"
	}
	return ""
}

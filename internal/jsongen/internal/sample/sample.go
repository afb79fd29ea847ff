// Package sample holds types that reach every path of internal/jsongen's generated code that
// the module's records do not (floats, pointers, interfaces, maps with other keys, marshalers
// of their own, name clashes between embedded structs), so that its tests can hold the
// generated encoders to encoding/json for all of them.
package sample

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// ID is a typed UUID, as the module's IDs are.
type ID struct{ uuid.UUID }

// Level is a named string.
type Level string

// Custom has its own MarshalJSON, which the generated code leaves to encoding/json. Its output
// is deliberately not compact and holds HTML characters, so that encoding/json's compaction
// and escaping of it show.
type Custom struct{ S string }

// MarshalJSON writes the value with spaces.
func (c Custom) MarshalJSON() ([]byte, error) {
	return []byte(`{ "s" : "` + strings.ReplaceAll(strings.ReplaceAll(c.S, `\`, ``), `"`, ``) + `<&>" }`), nil
}

// Upper has its own MarshalText.
type Upper string

// MarshalText writes the string in upper case.
func (u Upper) MarshalText() ([]byte, error) { return []byte(strings.ToUpper(string(u))), nil }

// Span has an IsZero method that omitzero uses instead of the zero value.
type Span struct {
	From, To int
}

// IsZero reports an empty span, of any position.
func (s Span) IsZero() bool { return s.From == s.To }

// Point is comparable.
type Point struct {
	X, Y float64
}

// Bag is not comparable: its zero test is field by field.
type Bag struct {
	Items []string `json:"items"`
	At    time.Time
	n     int
}

// Inner is embedded in Record: its fields are promoted, and its Name loses to Record's.
type Inner struct {
	Name  string `json:"name"`
	Depth int    `json:"depth"`
	Dup   string
}

// Other is embedded next to Inner: its Dup cancels Inner's at the same depth.
type Other struct {
	Dup   string
	Extra bool `json:"extra,omitempty"`
}

type hidden struct {
	Visible string `json:"visible"`
}

// Record reaches every path of the generator.
type Record struct {
	ID      ID               `json:"id"`
	Name    string           `json:"name"`
	Level   Level            `json:"level,omitempty"`
	Int     int              `json:"int"`
	Int8    int8             `json:"int8,omitempty"`
	Uint    uint64           `json:"uint"`
	F32     float32          `json:"f32"`
	F64     float64          `json:"f64,omitempty"`
	Bool    bool             `json:"bool,omitempty"`
	When    time.Time        `json:"when"`
	Maybe   *time.Time       `json:"maybe,omitempty"`
	PtrTo   *Point           `json:"ptr_to"`
	PtrStr  *string          `json:"ptr_str,omitzero"`
	Raw     []byte           `json:"raw"`
	Array   [3]int           `json:"array"`
	IDs     []ID             `json:"ids,omitempty"`
	UUIDs   []uuid.UUID      `json:"uuids"`
	ByName  map[string]Point `json:"by_name"`
	ByLevel map[Level][]int  `json:"by_level,omitempty"`
	ByNum   map[int]string   `json:"by_num"`
	ByText  map[Upper]bool   `json:"by_text,omitempty"`
	Any     any              `json:"any"`
	Custom  Custom           `json:"custom"`
	CustPtr *Custom          `json:"cust_ptr"`
	Upper   Upper            `json:"upper"`
	Span    Span             `json:"span,omitzero"`
	Point   Point            `json:"point,omitzero"`
	Bag     Bag              `json:"bag,omitzero"`
	Nested  [][]string       `json:"nested"`
	Skipped string           `json:"-"`
	//lint:ignore SA5008 the name "-", as encoding/json reads this tag
	Dash string `json:"-,"`
	HTML string `json:"a<b>&c"`
	//lint:ignore SA5008 a name encoding/json does not accept, so the Go name is used
	BadTag string `json:"bad\"tag"`
	Untag  string
	Strs   map[string]string `json:"strs,omitzero"`
	secret string
	Inner
	Other
	hidden
}

var _ = Record{secret: "unexported: never encoded"}
var _ = Bag{n: 1}

package jsongen_test

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"pgregory.net/rapid"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/internal/jsongen/internal/sample"
	"github.com/isgkit/gateway/isg/txlog"
)

// appender is what the generated files give their root types.
type appender interface {
	AppendJSON(b []byte, escapeHTML bool) ([]byte, error)
}

// standard is encoding/json's encoding of v: json.Marshal's with HTML escaping, an Encoder's
// with SetEscapeHTML(false) without.
func standard(v any, escapeHTML bool) ([]byte, error) {
	if escapeHTML {
		return json.Marshal(v)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// sameAsEncodingJSON draws a value of T and holds its generated encoding, appended after a
// prefix, to encoding/json's in both escaping modes; a value encoding/json refuses must be
// refused too.
func sameAsEncodingJSON[T appender](t *rapid.T) {
	var v T
	f := filler{t: t, bad: rapid.IntRange(0, 9).Draw(t, "unencodable") == 0}
	f.fill(reflect.ValueOf(&v).Elem(), 0)
	prefix := []byte(rapid.SampledFrom([]string{"", "[", `{"x":1,"y":`}).Draw(t, "prefix"))
	for _, esc := range []bool{true, false} {
		want, wantErr := standard(v, esc)
		got, err := v.AppendJSON(bytes.Clone(prefix), esc)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("escapeHTML=%v: encoding/json's error %v, generated %v", esc, wantErr, err)
		}
		if wantErr != nil {
			continue
		}
		if !bytes.HasPrefix(got, prefix) || !bytes.Equal(got[len(prefix):], want) {
			t.Fatalf("escapeHTML=%v:\nencoding/json: %s\ngenerated:     %s", esc, want, got[min(len(prefix), len(got)):])
		}
		if m, ok := any(v).(memberAppender); ok {
			offsetsAreTheMembers(t, m, prefix, esc, want)
		}
	}
}

// memberAppender is what the generated files give their root types besides AppendJSON.
type memberAppender interface {
	AppendJSONMembers(b []byte, escapeHTML bool, at []uint32) ([]byte, []uint32, error)
}

// offsetsAreTheMembers holds the offsets AppendJSONMembers records to the object it writes
// (want, after prefix): the same bytes as AppendJSON, and for each member in turn a key
// starting where the last member ended (after the comma, or the brace for the first), a colon
// ending it, and a value ending at the next comma, or the closing brace for the last, that is
// the very text encoding/json writes for that member.
func offsetsAreTheMembers(t *rapid.T, v memberAppender, prefix []byte, esc bool, want []byte) {
	got, at, err := v.AppendJSONMembers(bytes.Clone(prefix), esc, nil)
	if err != nil || !bytes.Equal(got[len(prefix):], want) {
		t.Fatalf("escapeHTML=%v: AppendJSONMembers wrote %s (%v), AppendJSON %s", esc, got, err, want)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(want, &obj); err != nil {
		t.Fatal(err)
	}
	if len(at) != 3*len(obj) {
		t.Fatalf("escapeHTML=%v: %d offsets for %d members", esc, len(at), len(obj))
	}
	next := len(prefix) + 1
	for i := 0; i < len(at); i += 3 {
		key, from, end := int(at[i]), int(at[i+1]), int(at[i+2])
		if key != next || from <= key || end < from || got[from-1] != ':' {
			t.Fatalf("escapeHTML=%v: member %d at %d, %d, %d after %d in %s", esc, i/3, key, from, end, next, got)
		}
		var name string
		if err := json.Unmarshal(got[key:from-1], &name); err != nil {
			t.Fatalf("escapeHTML=%v: member %d key %s: %v", esc, i/3, got[key:from-1], err)
		}
		if raw, ok := obj[name]; !ok || !bytes.Equal(raw, got[from:end]) {
			t.Fatalf("escapeHTML=%v: member %q is %s, encoding/json wrote %s", esc, name, got[from:end], raw)
		}
		if i+3 < len(at) && got[end] != ',' || i+3 == len(at) && end != len(got)-1 {
			t.Fatalf("escapeHTML=%v: member %q ends at %d of %s", esc, name, end, got)
		}
		next = end + 1
	}
}

func TestFlowEncodesAsEncodingJSON(t *testing.T) { rapid.Check(t, sameAsEncodingJSON[agreement.Flow]) }

func TestSummaryEncodesAsEncodingJSON(t *testing.T) {
	rapid.Check(t, sameAsEncodingJSON[agreement.Summary])
}

func TestLogEntryEncodesAsEncodingJSON(t *testing.T) { rapid.Check(t, sameAsEncodingJSON[txlog.Entry]) }

func TestLogHeadEncodesAsEncodingJSON(t *testing.T) { rapid.Check(t, sameAsEncodingJSON[txlog.Head]) }

// TestSampleEncodesAsEncodingJSON covers what the records do not reach: floats, pointers,
// interfaces, maps of other keys, marshalers of their own, promoted and cancelled names.
func TestSampleEncodesAsEncodingJSON(t *testing.T) { rapid.Check(t, sameAsEncodingJSON[sample.Record]) }

var (
	timeType = reflect.TypeFor[time.Time]()
	uuidType = reflect.TypeFor[uuid.UUID]()
)

// pieces are what strings are drawn from: everything encoding/json escapes or must pass as is.
var pieces = []string{
	"a", "Leeds", " ", "\"", "\\", "/", "<", ">", "&", "\u2028", "\u2029", "\x00", "\x01", "\x07", "\b", "\f",
	"\n", "\r", "\t", "\x1f", "\x7f", "é", "中", "😀", "\xff", "\xc3", "\xe2\x80", "\xed\xa0\x80", "\ufffd", "\u00a0",
}

func drawString(t *rapid.T) string {
	n := rapid.IntRange(0, 6).Draw(t, "pieces")
	var s strings.Builder
	for range n {
		s.WriteString(rapid.SampledFrom(pieces).Draw(t, "piece"))
	}
	return s.String()
}

// filler draws values; bad lets it draw the times and floats encoding/json refuses, in one run
// of ten, so that the other runs compare encodings rather than errors.
type filler struct {
	t   *rapid.T
	bad bool
}

// drawTime draws times with odd nanoseconds in odd zones, zero times in and out of UTC, and,
// when bad, ones encoding/json cannot write.
func (f filler) drawTime() time.Time {
	t := f.t
	zones := []*time.Location{time.UTC, time.FixedZone("IST", 5*3600+1800), time.FixedZone("", -30*60),
		time.FixedZone("X", 23*3600+59*60), time.FixedZone("Y", -(14 * 3600)), time.FixedZone("odd", 3600+7)}
	switch rapid.IntRange(0, 9).Draw(t, "time kind") {
	case 0:
		return time.Time{}
	case 1:
		return time.Time{}.In(rapid.SampledFrom(zones).Draw(t, "zone"))
	case 2:
		return time.Now() // with a monotonic reading
	case 3:
		if !f.bad {
			return time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.FixedZone("", -(23*3600+59*60)))
		}
		// Outside years 0–9999, or an offset of a day: encoding/json refuses both.
		if rapid.Bool().Draw(t, "far") {
			return time.Date(rapid.SampledFrom([]int{-1, 10000, 12345}).Draw(t, "year"), 1, 1, 0, 0, 0, 0, time.UTC)
		}
		return time.Date(2025, 1, 1, 0, 0, 0, 0, time.FixedZone("day", 24*3600))
	}
	sec := rapid.Int64Range(-62135596800, 253402300799).Draw(t, "sec") // years 1–9999
	nsec := rapid.SampledFrom([]int64{0, 1, 10, 500_000_000, 123_456_789, 999_999_999, 100_000}).Draw(t, "nsec")
	return time.Unix(sec, nsec).In(rapid.SampledFrom(zones).Draw(t, "zone"))
}

func (f filler) drawFloat() float64 {
	fs := []float64{0, math.Copysign(0, -1), 1, -2.5, 1e-7, 1e-6, 123456789e-15, 1e20, 1e21, -1e21, 1.5e300,
		math.SmallestNonzeroFloat64, math.MaxFloat64, 0.1, 1.0 / 3, float64(float32(0.1)), 3.4e38, 1e-45}
	if f.bad {
		fs = append(fs, math.NaN(), math.Inf(1))
	}
	if rapid.Bool().Draw(f.t, "any float") {
		return rapid.Float64().Draw(f.t, "float")
	}
	return rapid.SampledFrom(fs).Draw(f.t, "float")
}

// fill sets v, of any type the records reach, to a drawn value: nil and empty slices and maps
// alike, unexported fields too (they decide zero tests).
func (f filler) fill(v reflect.Value, depth int) {
	t := f.t
	if !v.CanSet() {
		v = reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
	}
	switch v.Type() {
	case timeType:
		v.Set(reflect.ValueOf(f.drawTime()))
		return
	case uuidType:
		var u uuid.UUID
		if rapid.Bool().Draw(t, "set") {
			copy(u[:], rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, "uuid"))
		}
		v.Set(reflect.ValueOf(u))
		return
	}
	zero := depth > 0 && rapid.IntRange(0, 7).Draw(t, "zero") == 0
	if zero && v.Kind() != reflect.Struct {
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(rapid.Bool().Draw(t, "bool"))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(rapid.Int64().Draw(t, "int"))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		v.SetUint(rapid.Uint64().Draw(t, "uint"))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(f.drawFloat())
	case reflect.String:
		v.SetString(drawString(t))
	case reflect.Slice:
		n := rapid.IntRange(0, 3-min(depth, 2)).Draw(t, "len")
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			f.fill(v.Index(i), depth+1)
		}
	case reflect.Array:
		for i := range v.Len() {
			f.fill(v.Index(i), depth+1)
		}
	case reflect.Map:
		n := rapid.IntRange(0, 3).Draw(t, "len")
		v.Set(reflect.MakeMapWithSize(v.Type(), n))
		for range n {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			f.fill(k, depth+1)
			f.fill(e, depth+1)
			v.SetMapIndex(k, e)
		}
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		f.fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Interface:
		var x any
		switch rapid.IntRange(0, 4).Draw(t, "any") {
		case 0:
			x = drawString(t)
		case 1:
			x = f.drawFloat()
		case 2:
			x = map[string]any{drawString(t): drawString(t), "n": rapid.Bool().Draw(t, "b")}
		case 3:
			x = []any{drawString(t), nil, f.drawTime()}
		case 4:
			x = sample.Custom{S: drawString(t)}
		}
		v.Set(reflect.ValueOf(x))
	case reflect.Struct:
		if zero {
			return
		}
		if v.NumField() > 0 && depth > 0 && rapid.IntRange(0, 5).Draw(t, "one field") == 0 {
			// Zero but for one field: where a zero test that looks at too little shows.
			f.fill(v.Field(rapid.IntRange(0, v.NumField()-1).Draw(t, "field")), depth+1)
			return
		}
		for i := range v.NumField() {
			f.fill(v.Field(i), depth+1)
		}
	default:
		t.Fatalf("fill: no values of %s", v.Type())
	}
}

// TestEdgesEncodeAsEncodingJSON holds the generated encoders to encoding/json on values a
// random draw reaches only rarely: the zero tests that look through IsZero or field by field.
func TestEdgesEncodeAsEncodingJSON(t *testing.T) {
	ist := time.FixedZone("IST", 5*3600+1800)
	negZero := math.Copysign(0, -1)
	s := "\u2028<&>"
	values := []appender{
		agreement.Flow{},
		agreement.Flow{Archive: agreement.Archive{At: time.Time{}.In(ist)}}, // zero instant, not the zero value
		agreement.Flow{Archive: agreement.Archive{Extensions: []agreement.RetentionExtension{}}},
		agreement.Flow{ReviewBy: time.Time{}.In(ist), FinalisedAt: time.Unix(0, 1).In(ist)},
		agreement.Flow{FlowTerms: agreement.FlowTerms{Parties: []agreement.OrgID{}, PrivacyAnswers: map[string]string{}, Assets: []uuid.UUID{}}},
		agreement.Summary{ReviewNotices: agreement.ReviewNotices{DueAt: time.Time{}.In(ist)}},
		agreement.Summary{SummaryTerms: agreement.SummaryTerms{CompetentAuthority: agreement.CompetentAuthority{Contact: "x"}}},
		txlog.Entry{At: time.Date(2025, 1, 2, 3, 4, 5, 500_000_000, ist), Old: `"<b>"`, New: "null"},
		sample.Record{},
		sample.Record{Span: sample.Span{From: 3, To: 3}, Point: sample.Point{X: negZero}, F64: negZero},
		sample.Record{Span: sample.Span{From: 3, To: 4}, Point: sample.Point{Y: math.NaN()}, Bag: sample.Bag{At: time.Time{}.In(ist)}},
		sample.Record{PtrStr: &s, Maybe: &time.Time{}, ByText: map[sample.Upper]bool{"b": true, "a": false}, ByNum: map[int]string{10: "x", 9: "y"}},
		sample.Record{Raw: []byte{}, IDs: []sample.ID{}, ByLevel: map[sample.Level][]int{"<": nil, ">": {}}, Any: map[string]any{"<": 1}},
	}
	for i, v := range values {
		for _, esc := range []bool{true, false} {
			want, wantErr := standard(v, esc)
			got, err := v.AppendJSON(nil, esc)
			if wantErr != nil || err != nil {
				assert.Equal(t, wantErr != nil, err != nil, "value %d: errors %v and %v", i, wantErr, err)
				continue
			}
			assert.Equal(t, string(want), string(got), "value %d, escapeHTML=%v", i, esc)
		}
	}
}

// Defined types without the generated methods: snapshots of them take encoding/json's path.
type (
	plainFlow    agreement.Flow
	plainSummary agreement.Summary
)

// snapshotsAgree holds a snapshot taken through the generated encoder (v) to one taken
// through encoding/json (plain, the same value): their members are the logged Old and New
// texts, which are hashed (LOG-2), so they must be the same bytes.
func snapshotsAgree(t *rapid.T, v, plain any, head txlog.Head) {
	a, errA := txlog.TakeSnapshot(v)
	b, errB := txlog.TakeSnapshot(plain)
	if (errA != nil) != (errB != nil) {
		t.Fatalf("errors differ: generated %v, encoding/json %v", errA, errB)
	}
	if errA != nil {
		return
	}
	if d := txlog.DiffSnapshots(a, b); len(d) > 0 {
		t.Fatalf("snapshots differ: %v", d)
	}
	ja, errA := a.JSONWith("log", head)
	jb, errB := b.JSONWith("log", plainHead(head))
	if errA != nil || errB != nil || !bytes.Equal(ja, jb) {
		t.Fatalf("JSONWith differs (%v, %v):\n%s\n%s", errA, errB, ja, jb)
	}
}

type plainHead txlog.Head

func TestSnapshotsAreEncodingJSONs(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		f := filler{t: t, bad: rapid.IntRange(0, 9).Draw(t, "unencodable") == 0}
		var fl agreement.Flow
		var s agreement.Summary
		var h txlog.Head
		f.fill(reflect.ValueOf(&fl).Elem(), 0)
		f.fill(reflect.ValueOf(&s).Elem(), 0)
		f.fill(reflect.ValueOf(&h).Elem(), 0)
		snapshotsAgree(t, fl, plainFlow(fl), h)
		snapshotsAgree(t, s, plainSummary(s), h)
	})
}

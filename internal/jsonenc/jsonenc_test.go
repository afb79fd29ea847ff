package jsonenc_test

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/internal/jsonenc"
)

// standard is encoding/json's encoding of v with the given HTML escaping.
func standard(v any, escapeHTML bool) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// FuzzAppendString holds the string escaper to encoding/json, both escaping modes, on any
// bytes: go test ./internal/jsonenc -fuzz FuzzAppendString
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `"\`, "\x00\x01\x1f\x7f", "\b\f\n\r\t", "<a href='x'>&amp;</a>",
		"\u2028\u2029", "\xff\xfe", "\xc3", "\xe2\x80", "\xed\xa0\x80", "é中😀", "\ufffd", "a\u2028b<\xffc",
		// long enough for whole words, with the byte to escape in different lanes
		"Children Act 1989 s.47", "abcdefg<hijklmno>", "0123456789abcde\"", "abcdefgh\x01ijklmnop&", "Referrals v12\u2028 and \xffmore"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, esc := range []bool{true, false} {
			want, err := standard(s, esc)
			if err != nil {
				t.Fatal(err)
			}
			if got := jsonenc.AppendString([]byte("x"), s, esc); !bytes.Equal(got[1:], want) || got[0] != 'x' {
				t.Fatalf("escapeHTML=%v: %q\nencoding/json: %s\njsonenc:       %s", esc, s, want, got[1:])
			}
		}
	})
}

// FuzzAppendFloat holds the float writer to encoding/json, float64 and float32.
func FuzzAppendFloat(f *testing.F) {
	for _, v := range []float64{0, math.Copysign(0, -1), 1, -1.5, 1e-7, 1e-6, 9.99e-7, 1e20, 1e21, 123456789e300,
		math.SmallestNonzeroFloat64, math.MaxFloat64, math.NaN(), math.Inf(-1), 0.1, 1e-45, 3.4e38} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		for _, c := range []struct {
			v    any
			f    float64
			bits int
		}{{v, v, 64}, {float32(v), float64(float32(v)), 32}} {
			want, wantErr := standard(c.v, false)
			got, err := jsonenc.AppendFloat(nil, c.f, c.bits)
			if (err != nil) != (wantErr != nil) || (err == nil && !bytes.Equal(got, want)) {
				t.Fatalf("%v (%d bits): encoding/json %s %v, jsonenc %s %v", c.v, c.bits, want, wantErr, got, err)
			}
		}
	})
}

// FuzzAppendTime holds the time writer to time.Time's MarshalJSON, in zones of any offset,
// refusals included.
func FuzzAppendTime(f *testing.F) {
	f.Add(int64(0), int64(0), 0)
	f.Add(int64(1735787045), int64(500_000_000), 19800)
	f.Add(int64(-62135596800), int64(1), -3600)
	f.Add(int64(253402300799), int64(999_999_999), 86399)
	f.Add(int64(253402300800), int64(0), 0)
	f.Add(int64(-62167219201), int64(0), 0)
	f.Add(int64(1), int64(0), 86400)
	f.Fuzz(func(t *testing.T, sec, nsec int64, offset int) {
		tm := time.Unix(sec, nsec).In(time.FixedZone("z", offset))
		want, wantErr := standard(tm, false)
		got, err := jsonenc.AppendTime(nil, tm)
		if (err != nil) != (wantErr != nil) || (err == nil && !bytes.Equal(got, want)) {
			t.Fatalf("%v: MarshalJSON %s %v, jsonenc %s %v", tm, want, wantErr, got, err)
		}
	})
}

func TestAppendUUIDAndBytes(t *testing.T) {
	for _, u := range []uuid.UUID{uuid.Nil, uuid.Max, uuid.MustParse("0190d6a2-7c3e-7abc-8def-0123456789ab")} {
		want, _ := json.Marshal(u)
		if got := jsonenc.AppendUUID(nil, u); !bytes.Equal(got, want) {
			t.Errorf("%s: %s", want, got)
		}
	}
	for _, b := range [][]byte{{}, {0}, {0xff, 0xfe, 0xfd, 0xfc}, []byte("<&>")} {
		want, _ := json.Marshal(b)
		if got := jsonenc.AppendBytes(nil, b); !bytes.Equal(got, want) {
			t.Errorf("%s: %s", want, got)
		}
	}
}

// Every byte value at every position of a UUID is written as uuid's String writes it, with the
// other bytes both zero and set, so that a digit leaking into its neighbour shows.
func TestAppendUUIDTextEveryByteEverywhere(t *testing.T) {
	for _, fill := range []byte{0x00, 0xff, 0x5a} {
		for pos := range 16 {
			for v := range 256 {
				var u uuid.UUID
				for i := range u {
					u[i] = fill
				}
				u[pos] = byte(v)
				if got, want := string(jsonenc.AppendUUIDText(nil, u)), u.String(); got != want {
					t.Fatalf("byte %d = %#x among %#x: %s, want %s", pos, v, fill, got, want)
				}
			}
		}
	}
}

// FuzzAppendUUIDText holds the word-at-a-time hex to uuid's String on any sixteen bytes.
func FuzzAppendUUIDText(f *testing.F) {
	f.Add([]byte("0123456789abcdef"))
	f.Add(make([]byte, 16))
	f.Fuzz(func(t *testing.T, b []byte) {
		u, err := uuid.FromBytes(b)
		if err != nil {
			return
		}
		if got, want := string(jsonenc.AppendUUIDText([]byte("x"), u)), "x"+u.String(); got != want {
			t.Fatalf("%x: %s, want %s", b, got, want)
		}
	})
}

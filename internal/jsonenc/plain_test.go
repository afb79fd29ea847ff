package jsonenc_test

import (
	"strings"
	"testing"

	"github.com/isgkit/gateway/internal/jsonenc"
)

// plainRunByByte is PlainRun's definition, a byte at a time.
func plainRunByByte(s string) int {
	i := 0
	for i < len(s) && jsonenc.Plain(s[i]) {
		i++
	}
	return i
}

// TestPlainRunFindsEveryByteInEveryLane puts each of the 256 byte values at each position of a
// run two words long, plain bytes elsewhere (a borrow from the lane below would show here): the
// run ends at the byte exactly when it is not plain.
func TestPlainRunFindsEveryByteInEveryLane(t *testing.T) {
	for c := range 256 {
		for at := range 17 {
			b := []byte(strings.Repeat("a", 17))
			b[at] = byte(c)
			want := plainRunByByte(string(b))
			if got := jsonenc.PlainRun(string(b)); got != want {
				t.Fatalf("byte %#x at %d: string run %d, want %d", c, at, got, want)
			}
			if got := jsonenc.PlainRun(b); got != want {
				t.Fatalf("byte %#x at %d: []byte run %d, want %d", c, at, got, want)
			}
		}
	}
	// The lowest special lane wins however many above it are special too.
	if got := jsonenc.PlainRun("abc\x00\"\\\x80\xff"); got != 3 {
		t.Fatalf("run %d, want 3", got)
	}
}

// FuzzPlainRun holds PlainRun to its byte-at-a-time definition: go test ./internal/jsonenc -fuzz
// FuzzPlainRun
func FuzzPlainRun(f *testing.F) {
	for _, s := range []string{"", "abcdefgh", "abcdefg\"", "0123456789abcdef\\x", "a\x1fbcdefghij", "é中😀 and more text", "\x7f\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := jsonenc.PlainRun(s), plainRunByByte(s); got != want {
			t.Fatalf("%q: run %d, want %d", s, got, want)
		}
	})
}

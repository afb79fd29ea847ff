package pdf

import (
	"testing"

	"github.com/go-pdf/fpdf"
)

// TestCP1252MatchesFpdfsTranslator: the package's own encoder gives, for every character of the
// Basic Multilingual Plane, what fpdf's cp1252 translator gives — the byte the core fonts draw
// — except that it marks what the code page lacks with "?" instead of ".", and blanks control
// characters.
func TestCP1252MatchesFpdfsTranslator(t *testing.T) {
	tr := fpdf.New("P", "mm", "A4", "").UnicodeTranslatorFromDescriptor("cp1252")
	for r := rune(0); r < 0x10000; r++ {
		if r >= 0xd800 && r < 0xe000 {
			continue // surrogates are not characters
		}
		want := tr(string(r))
		switch {
		case r == '\n':
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			want = " "
		case r >= 0x80 && want == ".":
			want = "?"
		}
		if got := cp1252(string(r)); got != want {
			t.Fatalf("U+%04X: got %q, want %q", r, got, want)
		}
	}
}

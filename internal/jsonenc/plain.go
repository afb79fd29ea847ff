package jsonenc

import "math/bits"

// Word-at-a-time constants: a byte repeated in every lane of a uint64, and every lane's high bit.
const (
	lanes    = 0x0101010101010101
	highBits = 0x8080808080808080
)

// PlainRun returns how many bytes at the start of s stand for themselves inside a JSON string,
// as encoding/json writes one with HTML escaping off and as a parser reads one: printable ASCII
// but the quote and the backslash. Most of what the Gateway stores is such runs (names, UUIDs,
// times), which this walks eight bytes at a time instead of one.
func PlainRun[T ~string | ~[]byte](s T) int { return plainRun(s, false) }

// plainRun is PlainRun, with '<', '>' and '&' special too when html is set, as HTML escaping
// makes them.
func plainRun[T ~string | ~[]byte](s T, html bool) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if m := special(word(s, i), html); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(s) && Plain(s[i]) && !(html && htmlSpecial(s[i])); i++ {
	}
	return i
}

// Plain reports whether c stands for itself inside a JSON string: printable ASCII but the quote
// and the backslash.
func Plain(c byte) bool { return 0x20 <= c && c < 0x80 && c != '"' && c != '\\' }

func htmlSpecial(c byte) bool { return c == '<' || c == '>' || c == '&' }

// word reads the eight bytes of s from i, the first in the lowest lane (the compiler makes this
// one load).
func word[T ~string | ~[]byte](s T, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// special sets the high bit of x's lowest lane holding a byte that is not plain (and, with html,
// of one holding '<', '>' or '&'); lanes above it may be set too, by a borrow, so only the lowest
// set bit is exact. A lane below 0x20 borrows in x-0x20; one equal to c is zero after x^c and
// borrows in the -1; one of 0x80 or more has its high bit already. No plain lane sets its high
// bit in any term: it is below 0x80, so every difference stays below it.
func special(x uint64, html bool) uint64 {
	m := x | (x - 0x20*lanes) | ((x ^ '"'*lanes) - lanes) | ((x ^ '\\'*lanes) - lanes)
	if html {
		m |= ((x ^ '<'*lanes) - lanes) | ((x ^ '>'*lanes) - lanes) | ((x ^ '&'*lanes) - lanes)
	}
	return m & highBits
}

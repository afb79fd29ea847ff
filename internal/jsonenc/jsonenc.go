// Package jsonenc is what the encoders internal/jsongen writes call: encoding/json's encodings of
// strings, times, UUIDs, floats and byte slices, appended to a buffer, and a way back to
// encoding/json for a value the generated code does not encode itself. Each function writes
// exactly the bytes encoding/json writes for the same value with the same HTML escaping, so
// that a generated encoder can stand in for json.Marshal (escaping on) or an Encoder with
// SetEscapeHTML(false) (escaping off) wherever the bytes are compared or hashed.
package jsonenc

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string, escaped as encoding/json escapes it: '"', '\\' and
// control characters (as \b \f \n \r \t or \u00XX), invalid UTF-8 as \ufffd, U+2028 and U+2029
// (which break JavaScript string literals), and with escapeHTML '<', '>' and '&' as well.
func AppendString(b []byte, s string, escapeHTML bool) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		i += plainRun(s[i:], escapeHTML)
		if i == len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && (!escapeHTML || (c != '<' && c != '>' && c != '&')) {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// AppendUUID appends u as encoding/json writes a uuid.UUID (its MarshalText, quoted), without
// the allocation MarshalText makes. Its text needs no escaping.
func AppendUUID(b []byte, u uuid.UUID) []byte {
	return append(AppendUUIDText(append(b, '"'), u), '"')
}

// AppendUUIDText appends u's canonical text (lowercase, hyphenated, 36 characters), unquoted:
// what u.String() returns, without its allocation.
func AppendUUIDText(b []byte, u uuid.UUID) []byte {
	// Four bytes at a time, into eight hex digits in one word: a command writes a dozen UUIDs
	// (a flow's, its parties', its log entries'), and hex.Encode's byte loop was 2% of one.
	var s [36]byte
	binary.BigEndian.PutUint64(s[0:], hexWord(binary.BigEndian.Uint32(u[0:])))
	h := hexWord(binary.BigEndian.Uint32(u[4:]))
	binary.BigEndian.PutUint32(s[9:], uint32(h>>32))
	binary.BigEndian.PutUint32(s[14:], uint32(h))
	h = hexWord(binary.BigEndian.Uint32(u[8:]))
	binary.BigEndian.PutUint32(s[19:], uint32(h>>32))
	binary.BigEndian.PutUint32(s[24:], uint32(h))
	binary.BigEndian.PutUint64(s[28:], hexWord(binary.BigEndian.Uint32(u[12:])))
	s[8], s[13], s[18], s[23] = '-', '-', '-', '-'
	return append(b, s[:]...)
}

// hexWord returns the eight lowercase hex digits of v as the bytes of a word, the most
// significant digit in the most significant byte.
func hexWord(v uint32) uint64 {
	// Each nibble into a byte of its own, in order...
	x := uint64(v)
	x = (x | x<<16) & 0x0000ffff0000ffff
	x = (x | x<<8) & 0x00ff00ff00ff00ff
	x = (x | x<<4) & 0x0f0f0f0f0f0f0f0f
	// ...then each byte n to '0'+n, plus the gap from '9'+1 to 'a' where n ≥ 10 (n+6 carries
	// into bit 4 exactly then). No byte carries into the next: each stays under 0x67.
	letters := ((x + 0x0606060606060606) >> 4) & 0x0101010101010101
	return x + 0x3030303030303030 + letters*('a'-'9'-1)
}

// ErrTime is the error of a time encoding/json cannot write: its MarshalJSON refuses a year
// outside 0–9999 and a zone offset of 24 hours or more, which RFC 3339 cannot express.
var ErrTime = errors.New("jsonenc: time has no RFC 3339 form")

// AppendTime appends t as time.Time's MarshalJSON writes it: quoted RFC 3339 with
// nanoseconds, trailing zeros dropped, in t's own zone.
func AppendTime(b []byte, t time.Time) ([]byte, error) {
	b = append(b, '"')
	n0 := len(b)
	b = t.AppendFormat(b, time.RFC3339Nano)
	// MarshalJSON's checks (time.appendStrictRFC3339), on the text AppendFormat wrote.
	switch {
	case len(b) < n0+5 || b[n0+4] != '-':
		return b, ErrTime
	case b[len(b)-1] != 'Z':
		c := b[len(b)-len("Z07:00")]
		h := b[len(b)-len("07:00"):]
		if ('0' <= c && c <= '9') || 10*(h[0]-'0')+(h[1]-'0') >= 24 {
			return b, ErrTime
		}
	}
	return append(b, '"'), nil
}

// ErrFloat is the error of a float encoding/json cannot write: NaN or an infinity.
var ErrFloat = errors.New("jsonenc: NaN and infinities have no JSON form")

// AppendFloat appends f as encoding/json writes a float of the given bits (32 or 64): the
// shortest decimal that reads back as f, in exponent form below 1e-6 or from 1e21, with a
// one-digit negative exponent written without its leading zero.
func AppendFloat(b []byte, f float64, bits int) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, ErrFloat
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	b = strconv.AppendFloat(b, f, format, -1, bits)
	if format == 'e' {
		// e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// AppendBytes appends a non-nil byte slice as encoding/json writes one: standard base64,
// quoted. (A nil slice is null; the caller writes that.)
func AppendBytes(b, v []byte) []byte {
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, v)
	return append(b, '"')
}

// AppendMarshal appends v encoded by encoding/json itself, with the given HTML escaping: the
// generated encoders' way back for a value they do not encode exactly (a type with its own
// MarshalJSON or MarshalText, an interface). encoding/json compacts and escapes a value's
// MarshalJSON output in place by the same rules, so the bytes are those it would have written
// for the value inside its parent.
func AppendMarshal(b []byte, v any, escapeHTML bool) ([]byte, error) {
	buf := bytes.NewBuffer(b)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(v); err != nil {
		return b, err
	}
	out := buf.Bytes()
	return out[:len(out)-1], nil // Encode ends the value with a newline
}

// Appender is what a type with a generated encoder (internal/jsongen) has: AppendJSON appends
// exactly the bytes encoding/json writes for it.
type Appender interface {
	AppendJSON(b []byte, escapeHTML bool) ([]byte, error)
}

// Append appends v's encoding/json encoding with the given HTML escaping: by v's generated
// encoder when it has one, else by encoding/json itself (AppendMarshal). A generated encoder
// fails only where encoding/json does, so on a failure encoding/json runs and its error, which
// says why, is the one returned.
func Append(b []byte, v any, escapeHTML bool) ([]byte, error) {
	if a, ok := v.(Appender); ok {
		if out, err := a.AppendJSON(b, escapeHTML); err == nil {
			return out, nil
		}
	}
	return AppendMarshal(b, v, escapeHTML)
}

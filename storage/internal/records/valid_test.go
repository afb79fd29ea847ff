package records_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/internal/records"
)

// oracle is what CheckBody accepted while it called encoding/json: one JSON value, in UTF-8.
func oracle(b []byte) bool { return json.Valid(b) && utf8.Valid(b) }

func accepts(b []byte) bool {
	return records.CheckBody("test", isg.Record{Kind: "k", ID: "1", Body: b}) == nil
}

// TestCheckBodyRefusesWhatEncodingJSONRefuses: each case is stated (want) and held to the oracle
// as well, so the table cannot drift from encoding/json's judgement.
func TestCheckBodyRefusesWhatEncodingJSONRefuses(t *testing.T) {
	for body, want := range map[string]bool{
		`{}`: true, `[]`: true, ` { } `: true, "\t[\r\n]\n": true, `""`: true, `0`: true, `-0`: true,
		`-0.5e+10`: true, `1E-2`: true, `123`: true, `true`: true, `false`: true, `null`: true,
		`{"a":[1,{"b":null}],"c":"d"}`: true, `[1,2,3]`: true, `"\u00e9\n\"\\\/\b\f\r\t"`: true,
		`"é日本😀"`: true, "\"\xef\xbf\xbd\"": true, `{"a" : 1 , "b" : [ ] }`: true,
		``: false, ` `: false, `{`: false, `}`: false, `[`: false, `]`: false, `{]`: false, `[}`: false,
		`{"a"}`: false, `{"a":}`: false, `{"a":1,}`: false, `[1,]`: false, `[,1]`: false, `{,}`: false,
		`{1:2}`: false, `{"a":1 "b":2}`: false, `[1 2]`: false, `{} {}`: false, `1 2`: false, `{}x`: false,
		`01`: false, `-`: false, `1.`: false, `.5`: false, `1e`: false, `1e+`: false, `+1`: false,
		`0x10`: false, `NaN`: false, `Infinity`: false, `tru`: false, `truex`: false, `nul`: false,
		`"abc`: false, `"\x"`: false, `"\u12"`: false, `"\u12g4"`: false, "\"a\nb\"": false,
		"\"\x00\"": false, "\"\x1f\"": false, "\"\xff\"": false, "\"\xc3\"": false, "\"\xed\xa0\x80\"": false,
		"\xef\xbb\xbf{}": false, `'a'`: false, `{"a":1}}`: false, `[[]]]`: false, `"\`: false,
	} {
		assert.Equal(t, want, accepts([]byte(body)), "%q", body)
		assert.Equal(t, oracle([]byte(body)), want, "the table's own answer for %q", body)
	}
}

// TestCheckBodyNestingLimit: encoding/json refuses nesting deeper than 10,000 containers, and so
// does CheckBody, exactly at the same depth.
func TestCheckBodyNestingLimit(t *testing.T) {
	for _, depth := range []int{1, 33, 10_000, 10_001} {
		b := []byte(strings.Repeat("[", depth) + strings.Repeat("]", depth))
		assert.Equal(t, oracle(b), accepts(b), "depth %d", depth)
		o := []byte(strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth))
		assert.Equal(t, oracle(o), accepts(o), "object depth %d", depth)
	}
	assert.True(t, accepts([]byte(strings.Repeat("[", 10_000)+strings.Repeat("]", 10_000))))
	assert.False(t, accepts([]byte(strings.Repeat("[", 10_001)+strings.Repeat("]", 10_001))))
}

// FuzzCheckBodyMatchesEncodingJSON holds the validator to encoding/json on any bytes:
// go test ./storage/internal/records -fuzz FuzzCheckBodyMatchesEncodingJSON
func FuzzCheckBodyMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":"c\u00e9"}],"d":-1.5e3,"e":true,"f":null}`, `[]`, `"\ud800"`,
		"\"\xed\xa0\x80\"", `{"a":"\"\\"}`, ` 0 `, `[1,]`, `{"a" 1}`, "\"é\"", `1e+5`, `-01`,
		// strings of whole words, with a quote, an escape or a bad byte in different lanes
		`{"name":"Referrals v12 to Police","controls":["Encrypted transfer"]}`, `"0123456\"89abcdef"`,
		"\"0123456789\x1fabcdef\"", "\"abcdefgh\xffijklmnop\"", `"abcdefghijklmno"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := accepts(b), oracle(b); got != want {
			t.Fatalf("CheckBody accepts %q: %v; encoding/json and utf8: %v", b, got, want)
		}
	})
}

// BenchmarkValidity compares CheckBody with the encoding/json check it replaced, on a flow
// body of the size a flow command writes (about 1.3 KB).
func BenchmarkValidity(b *testing.B) {
	body := []byte(`{"id":"0190a3c4-7b2e-7cc1-9f00-000000000001","summary_id":"0190a3c4-7b2e-7cc1-9f00-000000000002","created_by_org":"0190a3c4-7b2e-7cc1-9f00-0000000000aa","created_by":"0190a3c4-7b2e-7cc1-9f00-0000000000ab","created_at":"2026-01-02T03:04:05.123456789Z","updated_at":"2026-01-02T03:04:05.123456789Z","state":"draft","rev":3,"name":"Referrals v12","parties":["0190a3c4-7b2e-7cc1-9f00-0000000000aa","0190a3c4-7b2e-7cc1-9f00-0000000000bb"],"direction":"one_way","from":["0190a3c4-7b2e-7cc1-9f00-0000000000aa"],"to":["0190a3c4-7b2e-7cc1-9f00-0000000000bb"],"frequency":"daily","transfer_mode":"secure_email","controls":["Encrypted transfer","Role-based access"],"personal_data":true,"special_category_data":false,"law_enforcement_data":false,"legal_bases":[{"basis":"art6_1_e","instrument":"Children Act 1989 s.47"}],"log":{"count":12,"last":"5f0c4b1f7a9e3d2c1b0a99887766554433221100ffeeddccbbaa998877665544"},"reviews":[{"org":"0190a3c4-7b2e-7cc1-9f00-0000000000bb","dpo":"0190a3c4-7b2e-7cc1-9f00-0000000000bc","decision":"approved","comment":"Fine \"as is\" — see §3","rev":2,"at":"2026-01-03T10:00:00Z"}]}`)
	b.Run("CheckBody", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if !accepts(body) {
				b.Fatal("refused")
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if !oracle(body) {
				b.Fatal("refused")
			}
		}
	})
}

package isg_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/isgkit/gateway/isg"
)

// TestInstantRegistrationDomains covers REG-1: whole-label, case-insensitive suffix matching.
func TestInstantRegistrationDomains(t *testing.T) {
	tests := []struct {
		email string
		want  bool
	}{
		{"a@nhs.net", true},
		{"a@NHS.NET", true},
		{"a@trust.nhs.uk", true},
		{"a@deep.sub.trust.nhs.uk", true},
		{"a@westyorkshire.police.uk", true},
		{"a@leeds.ac.uk", true},
		{"a@school.sch.uk", true},
		{"a@college.edu.uk", true},
		{"a@leeds.gov.uk", true},
		{"a@cjsm.net", true},
		{"a@army.mod.uk", true},
		{"a@evilnhs.uk", false},
		{"a@nhs.uk.example.com", false},
		{"a@gmail.com", false},
		{"a@notpolice.uk", false},
		{"a@.nhs.uk", false},
		{"a@x..nhs.uk", false},
		{"nhs.uk", false},
		{"a@", false},
		{"@nhs.uk", false},
		{"", false},
		{"a@nhs.uk.", true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, isg.InstantRegistration(tt.email), tt.email)
	}
}

// TestPasswordPolicy covers REG-2.
func TestPasswordPolicy(t *testing.T) {
	tests := []struct {
		pw string
		ok bool
	}{
		{"abcde1!", true},
		{"abcd1!", false},
		{"abcdefg!", false},
		{"abcdefg1", false},
		{"1234567!", true},
		{"pässwö1 ", true},
		{strings.Repeat("a", 126) + "1!", true},
		{strings.Repeat("a", 127) + "1!", false},
		{"", false},
	}
	for _, tt := range tests {
		err := isg.CheckPassword(tt.pw)
		if tt.ok {
			assert.NoError(t, err, tt.pw)
			continue
		}
		var e *isg.Error
		if assert.ErrorAs(t, err, &e, tt.pw) {
			assert.Equal(t, "REG-2", e.Rule)
			assert.Equal(t, "password", e.Fields[0].Field)
			assert.NotContains(t, e.Error(), tt.pw+"x", "never echoes the password")
		}
	}
}

func FuzzInstantRegistration(f *testing.F) {
	for _, s := range []string{"a@nhs.net", "a@evilnhs.uk", "@", "a@b@nhs.uk", "a@.", "\xff@nhs.uk", "a@nhs.uk.example.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, email string) {
		got := isg.InstantRegistration(email)
		// A match must end with a listed domain on a label boundary.
		if got {
			d := strings.ToLower(strings.TrimSuffix(email[strings.LastIndexByte(email, '@')+1:], "."))
			ok := false
			for _, s := range []string{"nhs.net", "nhs.uk", "police.uk", "ac.uk", "sch.uk", "edu.uk", "gov.uk", "cjsm.net", "mod.uk"} {
				ok = ok || d == s || strings.HasSuffix(d, "."+s)
			}
			if !ok {
				t.Fatalf("%q matched without a listed domain", email)
			}
		}
	})
}

func FuzzCheckPassword(f *testing.F) {
	for _, s := range []string{"", "abcde1!", "\x00\x00\x00\x00\x00\x00\x001", "ééééééé1!", strings.Repeat("x", 200), "\xff\xfe1!abcd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pw string) {
		err := isg.CheckPassword(pw)
		// Reference model of REG-2, written independently.
		n, digit, symbol := 0, false, false
		for _, r := range pw {
			n++
			digit = digit || unicode.IsDigit(r)
			symbol = symbol || (!unicode.IsDigit(r) && !unicode.IsLetter(r))
		}
		want := utf8.ValidString(pw) && n >= 7 && n <= 128 && digit && symbol
		if want != (err == nil) {
			t.Fatalf("CheckPassword(%q) = %v, model says ok=%v", pw, err, want)
		}
	})
}

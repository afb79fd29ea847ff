package directory

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// instantDomains are the domains whose addresses may register instantly (REG-1).
var instantDomains = [...]string{"nhs.net", "nhs.uk", "police.uk", "ac.uk", "sch.uk", "edu.uk", "gov.uk", "cjsm.net", "mod.uk"}

// InstantRegistration reports whether an e-mail address may register without validation by the
// central admin team (REG-1): its domain is, or is a subdomain of, one of the public-sector
// domains, compared case-insensitively on whole labels. Anything that is not a plausible address
// answers false.
func InstantRegistration(email string) bool {
	at := strings.LastIndexByte(email, '@')
	if at <= 0 || at == len(email)-1 {
		return false
	}
	domain := strings.ToLower(strings.TrimSuffix(email[at+1:], "."))
	for _, d := range instantDomains {
		if domain == d || strings.HasSuffix(domain, "."+d) && len(domain) > len(d)+1 && domain[len(domain)-len(d)-2] != '.' {
			return true
		}
	}
	return false
}

// Password policy limits (REG-2).
const (
	MinPasswordLength = 7
	MaxPasswordLength = 128
)

// CheckPassword applies the password policy (REG-2): 7 to 128 characters, at least one numeral
// and at least one symbol (a character that is neither a letter nor a digit). It returns a field
// error on "password" naming what is missing; it never echoes the password.
func CheckPassword(pw string) error {
	var problems []string
	n := utf8.RuneCountInString(pw)
	if !utf8.ValidString(pw) {
		problems = append(problems, "must be valid UTF-8")
	}
	if n < MinPasswordLength {
		problems = append(problems, fmt.Sprintf("must have at least %d characters", MinPasswordLength))
	}
	if n > MaxPasswordLength {
		problems = append(problems, fmt.Sprintf("must have at most %d characters", MaxPasswordLength))
	}
	var digit, symbol bool
	for _, r := range pw {
		switch {
		case unicode.IsDigit(r):
			digit = true
		case !unicode.IsLetter(r):
			symbol = true
		}
	}
	if !digit {
		problems = append(problems, "must contain a numeral")
	}
	if !symbol {
		problems = append(problems, "must contain a symbol")
	}
	if len(problems) == 0 {
		return nil
	}
	return &Error{Kind: ErrInvalid, Code: "invalid_input", Rule: "REG-2", Message: "password does not meet the policy",
		Fields: []FieldError{{Field: "password", Code: "password_policy", Rule: "REG-2", Message: strings.Join(problems, "; ")}}}
}

// NormEmail is the form e-mail addresses are compared and indexed in (REG-5: case-insensitive).
func NormEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

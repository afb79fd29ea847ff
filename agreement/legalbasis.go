package agreement

import (
	"strings"

	"github.com/isgkit/gateway/isg/violation"
)

// LegalBasisCode identifies a lawful basis or condition (FLOW-1). The stored form is the local name
// of the article concept in the W3C Data Privacy Vocabulary's GDPR extension — "A6-1-e" is
// https://w3id.org/dpv/legal/eu/gdpr#A6-1-e, Art. 6(1)(e) — because DPV names are stable across
// its versions and other platforms can resolve them. DPV has no term for law-enforcement
// processing under the Data Protection Act 2018, so that one is "DPA2018-Part3".
type LegalBasisCode string

// The lawful bases of UK GDPR Art. 6(1).
const (
	Art6Consent             LegalBasisCode = "A6-1-a"
	Art6Contract            LegalBasisCode = "A6-1-b"
	Art6LegalObligation     LegalBasisCode = "A6-1-c"
	Art6VitalInterests      LegalBasisCode = "A6-1-d"
	Art6PublicTask          LegalBasisCode = "A6-1-e"
	Art6LegitimateInterests LegalBasisCode = "A6-1-f"
)

// The conditions for special-category data of UK GDPR Art. 9(2).
const (
	Art9ExplicitConsent        LegalBasisCode = "A9-2-a"
	Art9EmploymentSocialSecure LegalBasisCode = "A9-2-b"
	Art9VitalInterests         LegalBasisCode = "A9-2-c"
	Art9NotForProfitBody       LegalBasisCode = "A9-2-d"
	Art9MadePublic             LegalBasisCode = "A9-2-e"
	Art9LegalClaims            LegalBasisCode = "A9-2-f"
	Art9SubstantialPublicInt   LegalBasisCode = "A9-2-g"
	Art9HealthSocialCare       LegalBasisCode = "A9-2-h"
	Art9PublicHealth           LegalBasisCode = "A9-2-i"
	Art9ArchivingResearchStats LegalBasisCode = "A9-2-j"
)

// DPA2018Part3LawEnforcement is processing by a competent authority for law-enforcement purposes
// under Part 3 of the Data Protection Act 2018.
const DPA2018Part3LawEnforcement LegalBasisCode = "DPA2018-Part3"

const (
	art6First, art6Last = 'a', 'f'
	art9First, art9Last = 'a', 'j'
)

// Article returns 6 or 9 for a UK GDPR basis, 0 for DPA 2018 Part 3 and -1 for an unknown code.
func (c LegalBasisCode) Article() int {
	switch {
	case c == DPA2018Part3LawEnforcement:
		return 0
	case len(c) == 6 && c[:5] == "A6-1-" && c[5] >= art6First && c[5] <= art6Last:
		return 6
	case len(c) == 6 && c[:5] == "A9-2-" && c[5] >= art9First && c[5] <= art9Last:
		return 9
	}
	return -1
}

// Valid reports whether c is one of the identifiers above, in its stored form.
func (c LegalBasisCode) Valid() bool { return c.Article() >= 0 }

// Citation renders the code the way the UK GDPR and DPA 2018 cite it: "Art. 6(1)(e)",
// "Art. 9(2)(h)", "DPA 2018 Part 3". An unknown code renders as itself.
func (c LegalBasisCode) Citation() string {
	switch c.Article() {
	case 0:
		return "DPA 2018 Part 3"
	case 6:
		return "Art. 6(1)(" + string(c[5]) + ")"
	case 9:
		return "Art. 9(2)(" + string(c[5]) + ")"
	}
	return string(c)
}

// ParseLegalBasis reads a legal-basis identifier in any of the forms people and systems write and
// returns its stored form: the DPV name ("A6-1-e", with or without an "eu-gdpr:", "dpv-gdpr:" or
// "gdpr:" prefix, or as a full DPV IRI), the citation ("Art. 6(1)(e)", "Art6(1)(e)",
// "Article 6(1)(e)") or, for law enforcement, "DPA2018-Part3" / "DPA 2018 Part 3". Letters and
// prefixes are matched without regard to case. Anything else is an ErrInvalid *Error with the
// field error code "legal_basis" (FLOW-1).
func ParseLegalBasis(s string) (LegalBasisCode, error) {
	if c := LegalBasisCode(s); c.Valid() {
		return c, nil // the stored form, as every edit of a stored flow sends it back
	}
	t := strings.ToLower(strings.TrimSpace(s))
	if i := strings.LastIndexAny(t, "#:"); i >= 0 && i < len(t)-1 {
		// An IRI or prefixed name: only DPV's GDPR namespaces are accepted, so that a basis from
		// some other vocabulary is not silently read as a GDPR article.
		ns := t[:i]
		if !knownNamespace(ns) {
			return "", badBasis(s)
		}
		t = t[i+1:]
	}
	// Spaces and dots are presentation only ("Art. 6 (1) (e)"); dropping them leaves one form.
	t = strings.Map(func(r rune) rune {
		if r == ' ' || r == '.' || r == '\t' {
			return -1
		}
		return r
	}, t)
	switch t {
	case "dpa2018-part3", "dpa2018part3", "dpa2018-part-3":
		return DPA2018Part3LawEnforcement, nil
	}
	var art, para byte
	var letter byte
	switch {
	case len(t) == 6 && t[0] == 'a' && t[2] == '-' && t[4] == '-':
		art, para, letter = t[1], t[3], t[5]
	default:
		rest, ok := strings.CutPrefix(t, "article")
		if !ok {
			rest, ok = strings.CutPrefix(t, "art")
		}
		if !ok || len(rest) != 7 || rest[1] != '(' || rest[3] != ')' || rest[4] != '(' || rest[6] != ')' {
			return "", badBasis(s)
		}
		art, para, letter = rest[0], rest[2], rest[5]
	}
	switch {
	case art == '6' && para == '1' && letter >= art6First && letter <= art6Last:
		return LegalBasisCode("A6-1-" + string(letter)), nil
	case art == '9' && para == '2' && letter >= art9First && letter <= art9Last:
		return LegalBasisCode("A9-2-" + string(letter)), nil
	}
	return "", badBasis(s)
}

func knownNamespace(ns string) bool {
	switch ns {
	case "eu-gdpr", "dpv-gdpr", "gdpr",
		"https://w3id.org/dpv/legal/eu/gdpr", "http://w3id.org/dpv/legal/eu/gdpr",
		"https://w3id.org/dpv/dpv-gdpr", "http://w3id.org/dpv/dpv-gdpr",
		"https://w3id.org/dpv/eu/gdpr", "http://w3id.org/dpv/eu/gdpr":
		return true
	}
	return false
}

func badBasis(s string) *Error {
	const max = 40
	if len(s) > max {
		s = s[:max] + "…"
	}
	return violation.Field("basis", FieldCodeLegalBasis, "FLOW-1",
		"is not a UK GDPR Art. 6(1)(a)–(f) or Art. 9(2)(a)–(j) identifier or DPA2018-Part3: "+quote(s))
}

func quote(s string) string { return `"` + strings.ToValidUTF8(s, "?") + `"` }

// LegalBasis is one legal basis a flow relies on, with the law or instrument that supplies it
// (FLOW-1): for Art. 6(1)(e), say, "Children Act 1989 s.47".
type LegalBasis struct {
	Basis      LegalBasisCode `json:"basis"`
	Instrument string         `json:"instrument" validate:"required,max=500"`
}

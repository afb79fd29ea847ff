package agreement_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
)

// TestParseLegalBasis (FLOW-1): the DPV identifiers and the usual citations all read as the DPV
// name; anything else is a typed field error.
func TestParseLegalBasis(t *testing.T) {
	good := []struct {
		in   string
		want agreement.LegalBasisCode
	}{
		{"A6-1-a", agreement.Art6Consent},
		{"a6-1-f", agreement.Art6LegitimateInterests},
		{"eu-gdpr:A6-1-e", agreement.Art6PublicTask},
		{"dpv-gdpr:A6-1-c", agreement.Art6LegalObligation},
		{"https://w3id.org/dpv/legal/eu/gdpr#A9-2-h", agreement.Art9HealthSocialCare},
		{"Art6(1)(b)", agreement.Art6Contract},
		{"Art. 6(1)(d)", agreement.Art6VitalInterests},
		{" Article 9 (2) (j) ", agreement.Art9ArchivingResearchStats},
		{"art9(2)(a)", agreement.Art9ExplicitConsent},
		{"DPA2018-Part3", agreement.DPA2018Part3LawEnforcement},
		{"DPA 2018 Part 3", agreement.DPA2018Part3LawEnforcement},
	}
	for _, tt := range good {
		t.Run(tt.in, func(t *testing.T) {
			got, err := agreement.ParseLegalBasis(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.True(t, got.Valid())
		})
	}
	// Every stored form is returned as it is, and the long way round (lower case, spaces: not the
	// stored form) reads it the same.
	for _, c := range []agreement.LegalBasisCode{agreement.Art6Consent, agreement.Art6Contract, agreement.Art6LegalObligation,
		agreement.Art6VitalInterests, agreement.Art6PublicTask, agreement.Art6LegitimateInterests, agreement.Art9ExplicitConsent,
		agreement.Art9EmploymentSocialSecure, agreement.Art9VitalInterests, agreement.Art9NotForProfitBody, agreement.Art9MadePublic,
		agreement.Art9LegalClaims, agreement.Art9SubstantialPublicInt, agreement.Art9HealthSocialCare, agreement.Art9PublicHealth,
		agreement.Art9ArchivingResearchStats, agreement.DPA2018Part3LawEnforcement} {
		for _, in := range []string{string(c), " " + strings.ToLower(string(c)) + " "} {
			got, err := agreement.ParseLegalBasis(in)
			require.NoError(t, err, in)
			assert.Equal(t, c, got, in)
		}
	}
	bad := []string{"", "A6-1-g", "A9-2-k", "A7-1-a", "A6-2-a", "Art6(1)(g)", "Art 6(1)", "consent",
		"schema:A6-1-a", "https://example.org/gdpr#A6-1-a", "A6-1-aa", "Art9(1)(a)", "DPA2018-Part2", "eu-gdpr:", ":"}
	for _, in := range bad {
		t.Run("bad "+in, func(t *testing.T) {
			_, err := agreement.ParseLegalBasis(in)
			require.ErrorIs(t, err, agreement.ErrInvalid)
			var e *agreement.Error
			require.True(t, errors.As(err, &e))
			assert.Equal(t, "FLOW-1", e.Rule)
			assert.Equal(t, agreement.FieldCodeLegalBasis, e.Fields[0].Code)
		})
	}
}

func TestLegalBasisCodeArticle(t *testing.T) {
	tests := []struct {
		code     agreement.LegalBasisCode
		article  int
		citation string
	}{
		{agreement.Art6PublicTask, 6, "Art. 6(1)(e)"},
		{agreement.Art9PublicHealth, 9, "Art. 9(2)(i)"},
		{agreement.DPA2018Part3LawEnforcement, 0, "DPA 2018 Part 3"},
		{"Art6(1)(e)", -1, "Art6(1)(e)"}, // only the stored form is a code
	}
	for _, tt := range tests {
		assert.Equal(t, tt.article, tt.code.Article(), tt.code)
		assert.Equal(t, tt.citation, tt.code.Citation())
	}
}

// FuzzParseLegalBasis: parsing never panics, and whatever it accepts is a valid stored code that
// parses to itself.
func FuzzParseLegalBasis(f *testing.F) {
	for _, s := range []string{"A6-1-a", "Art. 9(2)(h)", "eu-gdpr:A6-1-e", "DPA 2018 Part 3", "", "#", "a:b#c", "Article6(1)(\xff)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := agreement.ParseLegalBasis(s)
		if err != nil {
			var e *agreement.Error
			if !errors.As(err, &e) || len(e.Fields) != 1 {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if !c.Valid() {
			t.Fatalf("%q parsed to invalid %q", s, c)
		}
		again, err := agreement.ParseLegalBasis(string(c))
		if err != nil || again != c {
			t.Fatalf("%q is not a fixed point: %q %v", c, again, err)
		}
	})
}

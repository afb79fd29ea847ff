package dpia_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"testing"
	"time"

	"github.com/isgkit/gateway/dpia"
)

// FuzzScreeningInput decodes arbitrary JSON as screening answers, as a host's API would, and
// screens them: it never panics, the outcome follows DPIA-3 from the reasons it gives, and an
// answer to an unknown question is refused, never stored.
func FuzzScreeningInput(f *testing.F) {
	f.Add(`{"answers":{"sensitive_data":true,"large_scale":true}}`)
	f.Add(`{"answers":{"ico_tracking":true},"notes":"x"}`)
	f.Add(`{"answers":{"astrology":true}}`)
	f.Add(`{}`)
	fx := newFixture(f)
	d := fx.draft(f)
	f.Fuzz(func(t *testing.T, raw string) {
		var a dpia.ScreeningAnswers
		if json.Unmarshal([]byte(raw), &a) != nil {
			return
		}
		r := dpia.Screen(a)
		want := dpia.NotRequired
		switch {
		case len(r.ICO) > 0 || len(r.EDPB) >= 2:
			want = dpia.Essential
		case len(r.EDPB) == 1:
			want = dpia.Recommended
		}
		if r.Outcome != want {
			t.Fatalf("outcome %s for %d EDPB criteria and %d ICO items", r.Outcome, len(r.EDPB), len(r.ICO))
		}
		n, _, err := fx.m.Screen(d, fx.creator, fx.now, a)
		if err != nil {
			return
		}
		for c := range n.Screening.Answers {
			if !c.Valid() {
				t.Fatalf("an unknown question %q was stored", c)
			}
		}
	})
}

// FuzzTermsInput decodes arbitrary JSON as a DPIA's terms (DPIA-4) and edits a DPIA with them:
// never a panic; accepted terms hold only template questions; the stored DPIA encodes and
// decodes to itself.
func FuzzTermsInput(f *testing.F) {
	f.Add(`{"title":"t","answers":{"need.aims":{"text":"x","attachments":["doc"]}}}`)
	f.Add(`{"title":"","answers":{"nope":{}}}`)
	f.Add(`{"title":"t","executive_summary":"\u0000"}`)
	fx := newFixture(f)
	d := fx.draft(f)
	f.Fuzz(func(t *testing.T, raw string) {
		var terms dpia.Terms
		if json.Unmarshal([]byte(raw), &terms) != nil {
			return
		}
		n, _, err := fx.m.Edit(d, fx.creator, fx.now, terms, time.Time{}, []string{"doc"})
		if err != nil {
			return
		}
		for q := range n.Answers {
			if !q.Valid() {
				t.Fatalf("unknown question %q accepted", q)
			}
		}
		b, err := json.Marshal(n)
		if err != nil {
			t.Fatal(err)
		}
		var back dpia.DPIA
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		again, _ := json.Marshal(back)
		if !bytes.Equal(b, again) {
			t.Fatalf("the DPIA does not round-trip:\n%s\n%s", b, again)
		}
	})
}

// FuzzRiskMapSVG draws the risk map of arbitrary risk descriptions and levels: the picture is
// always well-formed XML.
func FuzzRiskMapSVG(f *testing.F) {
	f.Add("Re-identification <&> \"quoted\"", 4, 5, 3, 5)
	f.Add("\x00\x01 control", 1, 1, 1, 1)
	f.Add("invalid \xff utf-8", 9, -1, 0, 6)
	f.Fuzz(func(t *testing.T, desc string, l, i, rl, ri int) {
		d := dpia.DPIA{Risks: []dpia.Risk{{RiskTerms: dpia.RiskTerms{Description: desc, Likelihood: l, Impact: i, ResidualLikelihood: rl, ResidualImpact: ri}}}}
		dec := xml.NewDecoder(bytes.NewReader([]byte(dpia.RiskMapSVG(d))))
		for {
			_, err := dec.Token()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("not well-formed XML: %v", err)
			}
		}
	})
}

package agreement

import (
	"reflect"
	"strings"
	"testing"

	"github.com/google/uuid"
	"pgregory.net/rapid"

	"github.com/isgkit/gateway/isg/ident"
)

// The fast path must never let through terms the validator refuses: if plainlyValid says yes,
// the validator must say yes too. Terms are drawn around every tag's bounds (empty, at the limit,
// one over, multi-byte text, zero IDs, unknown codes), so a bound mistyped in plainlyValid is found.
func TestPlainlyValidImpliesValidatorAccepts_FLOW1(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		terms := drawTerms(rt)
		if terms.plainlyValid() {
			if err := checkInput(terms, "FLOW-1", nil); err != nil {
				rt.Fatalf("plainlyValid accepted terms the validator refuses: %v", err)
			}
		}
	})
}

// The fast path is taken for ordinary valid terms (else it would save nothing), and an invalid
// input still gets the validator's own field errors through checkTerms.
func TestCheckTermsKeepsTheValidatorsFieldErrors_FLOW1(t *testing.T) {
	a, b := ident.OrgID{UUID: uuid.New()}, ident.OrgID{UUID: uuid.New()}
	good := FlowTerms{Name: "Referrals", Parties: []OrgID{a, b}, Direction: OneWay, From: []OrgID{a}, To: []OrgID{b},
		Frequency: Daily, TransferMode: SecureEmail, Controls: []string{"Encrypted"},
		LegalBases: []LegalBasis{{Basis: Art6PublicTask, Instrument: "Children Act 1989 s.47"}}}
	if !good.plainlyValid() {
		t.Fatal("ordinary valid terms miss the fast path")
	}
	bad := good
	bad.Name = strings.Repeat("x", 201)
	bad.Controls = []string{""}
	err := checkTerms(bad, nil)
	want := checkInput(bad, "FLOW-1", nil)
	if err == nil || want == nil || err.Error() != want.Error() {
		t.Fatalf("checkTerms = %v, want the validator's %v", err, want)
	}
}

// The oneof lists of FlowTerms' tags and the known() switches must name the same codes.
func TestKnownCodesMatchTheOneofTags_FLOW1(t *testing.T) {
	typ := reflect.TypeOf(FlowTerms{})
	for field, known := range map[string]func(string) bool{
		"Direction":    func(s string) bool { return Direction(s).known() },
		"Frequency":    func(s string) bool { return Frequency(s).known() },
		"TransferMode": func(s string) bool { return TransferMode(s).known() },
	} {
		f, _ := typ.FieldByName(field)
		var listed []string
		for _, part := range strings.Split(f.Tag.Get("validate"), ",") {
			if v, ok := strings.CutPrefix(part, "oneof="); ok {
				listed = strings.Fields(v)
			}
		}
		if len(listed) == 0 {
			t.Fatalf("%s has no oneof tag", field)
		}
		for _, v := range listed {
			if !known(v) {
				t.Errorf("%s: tag allows %q, known() does not", field, v)
			}
		}
		if known("not_a_code") || known("") {
			t.Errorf("%s: known() accepts a code the tag does not list", field)
		}
	}
}

// drawTerms draws terms field by field, each usually at an ordinary valid value and otherwise at
// one of the boundaries listed after it, so that both answers of plainlyValid are common.
func drawTerms(rt *rapid.T) FlowTerms {
	pick := func(label string, usual int, edges ...int) int {
		if rapid.IntRange(0, 4).Draw(rt, label+"_edge") > 0 {
			return usual
		}
		return rapid.SampledFrom(edges).Draw(rt, label)
	}
	pickS := func(label, usual string, edges ...string) string {
		if rapid.IntRange(0, 4).Draw(rt, label+"_edge") > 0 {
			return usual
		}
		return rapid.SampledFrom(edges).Draw(rt, label)
	}
	org := func(label string) OrgID {
		if rapid.IntRange(0, 29).Draw(rt, label+"_zero") == 0 {
			return OrgID{}
		}
		return ident.OrgID{UUID: uuid.New()}
	}
	orgs := func(label string, usual int, edges ...int) []OrgID {
		n := pick(label+"_n", usual, edges...)
		out := make([]OrgID, n)
		for i := range out {
			out[i] = org(label)
		}
		return out
	}
	text := func(label string, usual int, edges ...int) string {
		n := pick(label+"_n", usual, edges...)
		unit := pickS(label+"_unit", "a", "é", "€")
		// n units: at the byte limit for "a", over it in bytes but not runes for "é" and "€".
		return strings.Repeat(unit, n)
	}
	texts := func(label string, counts []int, limits ...int) []string {
		n := pick(label+"_count", counts[0], counts[1:]...)
		out := make([]string, n)
		for i := range out {
			out[i] = strings.Repeat("a", limits[0])
		}
		// One item at a boundary at most: a list of a hundred drawn items would almost never be
		// all valid, and the bound on the list's length would go untested.
		if n > 0 {
			out[rapid.IntRange(0, n-1).Draw(rt, label+"_at")] = text(label, limits[0], limits[1:]...)
		}
		return out
	}
	t := FlowTerms{
		Name:            text("name", 9, 0, 1, 199, 200, 201),
		Parties:         orgs("parties", 2, 0, 1, 3, 500, 501),
		Direction:       Direction(pickS("direction", "one_way", "two_way", "", "sideways")),
		From:            orgs("from", 1, 0, 2),
		To:              orgs("to", 1, 0, 2),
		Frequency:       Frequency(pickS("frequency", "daily", "ad_hoc", "continuous", "", "hourly")),
		TransferMode:    TransferMode(pickS("mode", "secure_email", "other", "", "pigeon")),
		TransferDetails: text("details", 0, 2000, 2001),
		Controls:        texts("controls", []int{1, 0, 100, 101}, 9, 0, 1, 1000, 1001),
	}
	for range pick("bases", 1, 0, 30, 31) {
		t.LegalBases = append(t.LegalBases, LegalBasis{Basis: Art6PublicTask, Instrument: text("instrument", 9, 0, 1, 500, 501)})
	}
	if n := pick("answers", 1, 0, 200, 201); n > 0 {
		t.PrivacyAnswers = map[string]string{}
		for i := range n {
			key := text("answer_key", 9, 0, 1, 64, 65)
			if key != "" {
				key += "_" + string(rune('a'+i%26)) + strings.Repeat("z", i/26)
				if len(key) > 64 && rapid.Bool().Draw(rt, "trim") {
					key = key[len(key)-64:]
				}
			}
			t.PrivacyAnswers[key] = text("answer", 9, 0, 4000, 4001)
		}
	}
	for range pick("assets", 0, 1, 500, 501) {
		t.Assets = append(t.Assets, uuid.New())
	}
	for range pick("sources", 0, 1, 50, 51) {
		if rapid.IntRange(0, 29).Draw(rt, "source_zero") == 0 {
			t.Sources = append(t.Sources, FlowID{})
		} else {
			t.Sources = append(t.Sources, FlowID{UUID: uuid.New()})
		}
	}
	return t
}

// Every boundary of every tag, one field at a time from ordinary valid terms: plainlyValid and
// the validator must agree exactly wherever the byte bound and the rune bound coincide (ASCII),
// and plainlyValid may only be stricter elsewhere.
func TestPlainlyValidAtEveryBoundary_FLOW1(t *testing.T) {
	a, b := ident.OrgID{UUID: uuid.New()}, ident.OrgID{UUID: uuid.New()}
	base := func() FlowTerms {
		return FlowTerms{Name: "Referrals", Parties: []OrgID{a, b}, Direction: OneWay, From: []OrgID{a}, To: []OrgID{b},
			Frequency: Daily, TransferMode: SecureEmail, Controls: []string{"Encrypted"}}
	}
	ids := func(n int) []OrgID {
		out := make([]OrgID, n)
		for i := range out {
			out[i] = ident.OrgID{UUID: uuid.New()}
		}
		return out
	}
	strs := func(n int, s string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = s
		}
		return out
	}
	x := strings.Repeat
	cases := map[string]func(*FlowTerms){
		"name empty": func(t *FlowTerms) { t.Name = "" }, "name 200": func(t *FlowTerms) { t.Name = x("a", 200) },
		"name 201": func(t *FlowTerms) { t.Name = x("a", 201) }, "name 150 é": func(t *FlowTerms) { t.Name = x("é", 150) },
		"parties 1": func(t *FlowTerms) { t.Parties = t.Parties[:1] }, "parties 500": func(t *FlowTerms) { t.Parties = append(t.Parties, ids(498)...) },
		"parties 501": func(t *FlowTerms) { t.Parties = append(t.Parties, ids(499)...) }, "party zero": func(t *FlowTerms) { t.Parties[1] = OrgID{} },
		"direction empty": func(t *FlowTerms) { t.Direction = "" }, "direction two_way": func(t *FlowTerms) { t.Direction = TwoWay },
		"from none": func(t *FlowTerms) { t.From = nil }, "from zero": func(t *FlowTerms) { t.From = []OrgID{{}} },
		"to none": func(t *FlowTerms) { t.To = nil }, "to zero": func(t *FlowTerms) { t.To = []OrgID{{}} },
		"frequency bad": func(t *FlowTerms) { t.Frequency = "hourly" }, "mode bad": func(t *FlowTerms) { t.TransferMode = "pigeon" },
		"details 2000": func(t *FlowTerms) { t.TransferDetails = x("a", 2000) }, "details 2001": func(t *FlowTerms) { t.TransferDetails = x("a", 2001) },
		"controls none": func(t *FlowTerms) { t.Controls = nil }, "controls 100": func(t *FlowTerms) { t.Controls = strs(100, "c") },
		"controls 101": func(t *FlowTerms) { t.Controls = strs(101, "c") }, "control empty": func(t *FlowTerms) { t.Controls = []string{""} },
		"control 1000": func(t *FlowTerms) { t.Controls = []string{x("a", 1000)} }, "control 1001": func(t *FlowTerms) { t.Controls = []string{x("a", 1001)} },
		"bases 30": func(t *FlowTerms) {
			for range 30 {
				t.LegalBases = append(t.LegalBases, LegalBasis{Basis: Art6PublicTask, Instrument: "i"})
			}
		},
		"bases 31": func(t *FlowTerms) {
			for range 31 {
				t.LegalBases = append(t.LegalBases, LegalBasis{Basis: Art6PublicTask, Instrument: "i"})
			}
		},
		"instrument empty": func(t *FlowTerms) { t.LegalBases = []LegalBasis{{Basis: Art6PublicTask}} },
		"instrument 500":   func(t *FlowTerms) { t.LegalBases = []LegalBasis{{Basis: Art6PublicTask, Instrument: x("a", 500)}} },
		"instrument 501":   func(t *FlowTerms) { t.LegalBases = []LegalBasis{{Basis: Art6PublicTask, Instrument: x("a", 501)}} },
		"answers 200": func(t *FlowTerms) {
			t.PrivacyAnswers = map[string]string{}
			for i := range 200 {
				t.PrivacyAnswers["q"+string(rune('A'+i%26))+x("z", i/26)] = "y"
			}
		},
		"answers 201": func(t *FlowTerms) {
			t.PrivacyAnswers = map[string]string{}
			for i := range 201 {
				t.PrivacyAnswers["q"+string(rune('A'+i%26))+x("z", i/26)] = "y"
			}
		},
		"answer key empty": func(t *FlowTerms) { t.PrivacyAnswers = map[string]string{"": "y"} },
		"answer key 64":    func(t *FlowTerms) { t.PrivacyAnswers = map[string]string{x("k", 64): "y"} },
		"answer key 65":    func(t *FlowTerms) { t.PrivacyAnswers = map[string]string{x("k", 65): "y"} },
		"answer 4000":      func(t *FlowTerms) { t.PrivacyAnswers = map[string]string{"q": x("a", 4000)} },
		"answer 4001":      func(t *FlowTerms) { t.PrivacyAnswers = map[string]string{"q": x("a", 4001)} },
		"assets 500": func(t *FlowTerms) {
			for range 500 {
				t.Assets = append(t.Assets, uuid.New())
			}
		},
		"assets 501": func(t *FlowTerms) {
			for range 501 {
				t.Assets = append(t.Assets, uuid.New())
			}
		},
		"sources 50": func(t *FlowTerms) {
			for range 50 {
				t.Sources = append(t.Sources, FlowID{UUID: uuid.New()})
			}
		},
		"sources 51": func(t *FlowTerms) {
			for range 51 {
				t.Sources = append(t.Sources, FlowID{UUID: uuid.New()})
			}
		},
		"source zero": func(t *FlowTerms) { t.Sources = []FlowID{{}} },
	}
	for name, mutate := range cases {
		terms := base()
		mutate(&terms)
		valid := checkInput(terms, "FLOW-1", nil) == nil
		fast := terms.plainlyValid()
		multiByte := strings.Contains(name, "é")
		if fast != valid && !(multiByte && valid && !fast) {
			t.Errorf("%s: plainlyValid = %v, validator accepts = %v", name, fast, valid)
		}
	}
}

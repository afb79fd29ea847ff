package agreement

import (
	"reflect"
	"testing"

	"github.com/google/uuid"
	"pgregory.net/rapid"
)

// An edit to the very terms a flow has changes nothing (FLOW-3), and sameTerms decides that as
// reflect.DeepEqual did: terms drawn from small domains (nil, empty and short slices and maps),
// the second a copy of the first with up to two fields drawn again, agree with DeepEqual on
// every pair, equal or not.
func TestSameTermsIsDeepEqual_FLOW3(t *testing.T) {
	ids := []uuid.UUID{uuid.MustParse("00000000-0000-0000-0000-000000000001"), uuid.MustParse("00000000-0000-0000-0000-000000000002")}
	orgs := [][]OrgID{nil, {}, {{UUID: ids[0]}}, {{UUID: ids[1]}}, {{UUID: ids[0]}, {UUID: ids[1]}}}
	setters := []func(rt *rapid.T, x *FlowTerms){
		func(rt *rapid.T, x *FlowTerms) {
			x.Name = rapid.SampledFrom([]string{"", "Referrals"}).Draw(rt, "name")
		},
		func(rt *rapid.T, x *FlowTerms) { x.Parties = rapid.SampledFrom(orgs).Draw(rt, "parties") },
		func(rt *rapid.T, x *FlowTerms) {
			x.Direction = rapid.SampledFrom([]Direction{OneWay, TwoWay}).Draw(rt, "direction")
		},
		func(rt *rapid.T, x *FlowTerms) { x.From = rapid.SampledFrom(orgs).Draw(rt, "from") },
		func(rt *rapid.T, x *FlowTerms) { x.To = rapid.SampledFrom(orgs).Draw(rt, "to") },
		func(rt *rapid.T, x *FlowTerms) {
			x.Frequency = rapid.SampledFrom([]Frequency{Daily, "weekly"}).Draw(rt, "frequency")
		},
		func(rt *rapid.T, x *FlowTerms) {
			x.TransferMode = rapid.SampledFrom([]TransferMode{SecureEmail, "sftp"}).Draw(rt, "mode")
		},
		func(rt *rapid.T, x *FlowTerms) {
			x.TransferDetails = rapid.SampledFrom([]string{"", "TLS"}).Draw(rt, "details")
		},
		func(rt *rapid.T, x *FlowTerms) {
			x.Controls = rapid.SampledFrom([][]string{nil, {}, {"Encrypted"}, {"Encrypted", "Audited"}}).Draw(rt, "controls")
		},
		func(rt *rapid.T, x *FlowTerms) { x.PersonalData = rapid.Bool().Draw(rt, "personal") },
		func(rt *rapid.T, x *FlowTerms) { x.SpecialCategoryData = rapid.Bool().Draw(rt, "special") },
		func(rt *rapid.T, x *FlowTerms) { x.LawEnforcementData = rapid.Bool().Draw(rt, "law") },
		func(rt *rapid.T, x *FlowTerms) {
			x.LegalBases = rapid.SampledFrom([][]LegalBasis{nil, {}, {{Basis: Art6PublicTask, Instrument: "Children Act 1989"}},
				{{Basis: Art6PublicTask, Instrument: "Care Act 2014"}}}).Draw(rt, "bases")
		},
		func(rt *rapid.T, x *FlowTerms) {
			x.PrivacyAnswers = rapid.SampledFrom([]map[string]string{nil, {}, {"q1": "yes"}, {"q1": "no"}, {"q2": "yes"}}).Draw(rt, "answers")
		},
		func(rt *rapid.T, x *FlowTerms) {
			x.Assets = rapid.SampledFrom([][]uuid.UUID{nil, {}, ids[:1], ids}).Draw(rt, "assets")
		},
		func(rt *rapid.T, x *FlowTerms) {
			x.Sources = rapid.SampledFrom([][]FlowID{nil, {}, {{UUID: ids[0]}}, {{UUID: ids[1]}}}).Draw(rt, "sources")
		},
	}
	if n := reflect.TypeFor[FlowTerms]().NumField(); n != len(setters) {
		t.Fatalf("FlowTerms has %d fields and this test draws %d: compare the new one in sameTerms and draw it here", n, len(setters))
	}
	rapid.Check(t, func(rt *rapid.T) {
		var a FlowTerms
		for _, set := range setters {
			set(rt, &a)
		}
		b := a
		for range rapid.IntRange(0, 2).Draw(rt, "changes") {
			setters[rapid.IntRange(0, len(setters)-1).Draw(rt, "field")](rt, &b)
		}
		if got, want := sameTerms(&a, &b), reflect.DeepEqual(a, b); got != want {
			rt.Fatalf("sameTerms = %v, reflect.DeepEqual = %v\na: %+v\nb: %+v", got, want, a, b)
		}
	})
}

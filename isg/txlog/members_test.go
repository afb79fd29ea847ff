package txlog_test

import (
	"encoding/json"
	"testing"

	"github.com/isgkit/gateway/isg/txlog"
)

// FuzzSnapshotFieldsAreTheEncodedValues holds the snapshot's split of an encoded object into
// its top-level fields to what decoding says they are, whatever the text holds — quotes,
// backslashes (runs of them before a quote), braces and brackets inside strings, nesting: each
// changed field's Old and New decode to the values the objects held, and unchanged fields are
// not reported.
func FuzzSnapshotFieldsAreTheEncodedValues(f *testing.F) {
	for _, s := range []string{`plain`, `a"b`, `a\b`, `a\\"b`, `\\\\`, `{"x":[1]}`, `],}{[`, "é\u2028<&>"} {
		f.Add(s, s+`\`)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		// Compare with what encoding/json makes of the text (invalid UTF-8 becomes U+FFFD).
		a, b = decoded(t, a), decoded(t, b)
		type rec struct {
			Name  string            `json:"name"`
			Tags  []string          `json:"tags"`
			Attrs map[string]string `json:"attrs"`
			Same  string            `json:"same"`
		}
		old := rec{Name: a, Tags: []string{a, b}, Attrs: map[string]string{a: b}, Same: a + b}
		new := rec{Name: b, Tags: []string{b}, Attrs: map[string]string{b: a}, Same: a + b}
		changes, err := txlog.Diff(old, new)
		if err != nil {
			t.Fatal(err)
		}
		var gotOld, gotNew rec
		for _, c := range changes {
			if c.Field == "same" {
				t.Fatalf("an unchanged field is reported: %+v", c)
			}
			for side, text := range map[*rec]string{&gotOld: c.Old, &gotNew: c.New} {
				field := map[string]json.RawMessage{c.Field: json.RawMessage(text)}
				raw, err := json.Marshal(field)
				if err != nil {
					t.Fatalf("field %s: %q is not one JSON value: %v", c.Field, text, err)
				}
				if err := json.Unmarshal(raw, side); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, pair := range [][2]any{{gotOld.Name, old.Name}, {gotNew.Name, new.Name}} {
			if a != b && pair[0] != pair[1] {
				t.Fatalf("name decoded as %q, was %q", pair[0], pair[1])
			}
		}
		if a != b && (len(gotOld.Tags) != 2 || gotOld.Tags[0] != a || gotOld.Tags[1] != b || gotNew.Tags[0] != b) {
			t.Fatalf("tags decoded as %q and %q", gotOld.Tags, gotNew.Tags)
		}
		if a != b && (gotOld.Attrs[a] != b || gotNew.Attrs[b] != a) {
			t.Fatalf("attrs decoded as %q and %q", gotOld.Attrs, gotNew.Attrs)
		}
	})
}

func decoded(t *testing.T, s string) string {
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var out string
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

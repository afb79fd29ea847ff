package report_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg/report"
)

// FuzzSharingMapEncoders: whatever organisations call themselves and their datasets, the SVG is
// well-formed and carries the names back exactly (up to the characters XML cannot hold), the DOT
// text quotes every string so that none ends early, and the CSV reads back to the same cells.
func FuzzSharingMapEncoders(f *testing.F) {
	f.Add("Leeds", "Police", "ASB counts")
	f.Add(`"quoted" \ back`, "<tag>&amp;", "]]><!--")
	f.Add("line\nbreak", "tab\there", "=1+1")
	f.Fuzz(func(t *testing.T, viewerName, partnerName, dataset string) {
		ns := report.Names{leeds: viewerName, police: partnerName}
		fl := flow(1, dataset, leeds, agreement.Draft, agreement.OneWay, []agreement.OrgID{leeds}, []agreement.OrgID{police})
		m := report.BuildSharingMap(leeds, []*agreement.Flow{&fl}, ns)

		texts := strings.Join(svgText(t, m.SVG()), "\x00")
		if clean := strings.TrimSpace(dataset); xmlSafe(clean) && clean != "" && !strings.Contains(texts, clean) {
			t.Fatalf("dataset %q is not in the picture", dataset)
		}

		// Outside quoted strings the DOT text holds only its own syntax: strip every quoted
		// string (honouring escapes) and no name may be left over.
		plain := report.BuildSharingMap(leeds, ptrs([]agreement.Flow{flow(1, "x", leeds, agreement.Draft, agreement.OneWay,
			[]agreement.OrgID{leeds}, []agreement.OrgID{police})}), report.Names{leeds: "x", police: "x"})
		if got, want := unquoted(t, m.DOT()), unquoted(t, plain.DOT()); got != want {
			t.Fatalf("a name escaped its quotes: %q, want %q", got, want)
		}

		var buf bytes.Buffer
		if err := m.WriteCSV(&buf); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 {
			t.Fatalf("%d rows", len(rows))
		}
		got := rows[1][3]
		want := dataset
		if want != "" && strings.ContainsRune("=+-@\t", rune(want[0])) {
			want = "'" + want // defused (see TestCSVDefusesFormulas_EXIT1)
		}
		if utf8.ValidString(dataset) && !strings.ContainsRune(dataset, '\r') && got != want {
			t.Fatalf("CSV cell %q, want %q", got, want)
		}
	})
}

// xmlSafe reports whether s holds only characters XML 1.0 can carry, so it must come back as it is.
func xmlSafe(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r <= 0xDFFF) {
			return false
		}
	}
	return true
}

// unquoted is DOT text with every quoted string (escapes honoured) taken out: its bare syntax.
func unquoted(t *testing.T, dot string) string {
	var bare strings.Builder
	in, esc := false, false
	for _, r := range dot {
		switch {
		case esc:
			esc = false
		case in && r == '\\':
			esc = true
		case r == '"':
			in = !in
		case !in:
			bare.WriteRune(r)
		}
	}
	if in {
		t.Fatalf("unbalanced quotes in %q", dot)
	}
	return bare.String()
}

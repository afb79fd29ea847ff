package report_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg/directory"
	"github.com/isgkit/gateway/isg/report"
	"github.com/isgkit/gateway/isg/violation"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

const goldenDOT = "testdata/sharing_map.dot"

// TestAssetSharingShowsOnlySeenFlows_EXIT1_SUM3: the asset's report lists the organisations of
// the flows Leeds sees that draw on it, on their terms; the flow between the Police and Other
// Council naming the same asset, and Secret Org's, are in no row and no total.
func TestAssetSharingShowsOnlySeenFlows_EXIT1_SUM3(t *testing.T) {
	r, err := report.BuildAssetSharing(leeds, asset, fixture(), names)
	require.NoError(t, err)
	assert.Equal(t, 1, r.Flows)
	assert.Equal(t, 1, r.Organisations)
	require.Len(t, r.Rows, 1)
	row := r.Rows[0]
	assert.Equal(t, police, row.Org)
	assert.Equal(t, "West Yorkshire Police", row.OrgName)
	assert.Equal(t, report.RoleReceives, row.Role)
	assert.Equal(t, agreement.Monthly, row.Frequency)
	assert.Equal(t, agreement.SFTP, row.TransferMode)
	assert.Equal(t, []string{"Encrypted", "=cmd|' /C calc'!A0"}, row.Controls)
	assert.Equal(t, agreement.Art6PublicTask, row.LegalBases[0].Basis)
	assert.Equal(t, agreement.Finalised, row.Status)
	assert.False(t, row.Signed, "the police have not signed; Leeds's own signature is not theirs")

	// The Police see their own flow naming the asset, but the asset is not theirs to report on.
	_, err = report.BuildAssetSharing(police, asset, fixture(), names)
	assert.Equal(t, directory.CodeAssetNotFound, violation.Code(err))
	assert.True(t, errors.Is(err, violation.ErrNotFound))
	_, err = report.BuildAssetSharing(agreement.OrgID{}, directory.InformationAsset{}, fixture(), names)
	assert.Equal(t, directory.CodeAssetNotFound, violation.Code(err), "no viewer, no asset: not found, never a panic")
}

// TestSharingMapHidesUnseenFlows_EXIT1_SUM3: Leeds sends ASB counts to the Police and exchanges
// housing referrals both ways with Other Council; the flow it brokered without being a party
// moves none of its data, and flows between others are not on its map.
func TestSharingMapHidesUnseenFlows_EXIT1_SUM3(t *testing.T) {
	m := report.BuildSharingMap(leeds, fixture(), names)
	assert.Equal(t, 2, m.Flows)
	assert.Equal(t, 2, m.Partners)
	assert.Equal(t, 2, m.Datasets)
	type edge struct {
		d       report.Direction
		p       agreement.OrgID
		dataset string
	}
	var got []edge
	for _, r := range m.Rows {
		got = append(got, edge{r.Direction, r.Partner, r.Dataset})
	}
	assert.Equal(t, []edge{
		{report.Sends, police, "Monthly ASB counts"},
		{report.Sends, other, "Housing referrals"},
		{report.Receives, other, "Housing referrals"},
	}, got)
	links := m.Links()
	require.Len(t, links, 3)
	assert.Equal(t, report.Receives, links[0].Direction, "senders to Leeds come first: the left of the picture")
}

// TestFlowsByStatusCountsOnlySeenFlows_EXIT1_SUM3: every state has a line; the counts add up to
// the total, which counts only the three flows Leeds may see (its brokered flow included).
func TestFlowsByStatusCountsOnlySeenFlows_EXIT1_SUM3(t *testing.T) {
	r := report.BuildFlowsByStatus(leeds, fixture(), names)
	assert.Equal(t, 3, r.Total)
	require.Len(t, r.Counts, len(agreement.FlowStates()))
	sum := 0
	byState := map[agreement.FlowState]int{}
	for _, c := range r.Counts {
		sum += c.Count
		byState[c.Status] = c.Count
	}
	assert.Equal(t, r.Total, sum)
	assert.Equal(t, map[agreement.FlowState]int{agreement.Draft: 1, agreement.Approved: 1, agreement.Finalised: 1, agreement.InReview: 0,
		agreement.Rejected: 0, agreement.Signed: 0, agreement.Archived: 0, agreement.Terminated: 0, agreement.Superseded: 0}, byState,
		"the hidden finalised flow and the secret signed one are not counted")
	var order []string
	for _, row := range r.Rows {
		order = append(order, row.Name)
	}
	assert.Equal(t, []string{"Housing referrals", "Brokered exchange", "Monthly ASB counts"}, order, "lifecycle order")
}

// TestReviewsDue_EXIT1_LIFE1_SUM3: the summaries Leeds sees, due by the date asked; the due
// summaries between others are not there.
func TestReviewsDue_EXIT1_LIFE1_SUM3(t *testing.T) {
	now := report.BuildReviewsDue(leeds, summaries(), t0, t0.AddDate(0, 0, -1).AddDate(0, 0, 1))
	require.Len(t, now.Rows, 1)
	assert.Equal(t, "Community safety", now.Rows[0].Title)
	assert.True(t, now.Rows[0].Overdue)
	assert.Equal(t, 1, now.Overdue)
	assert.Equal(t, now, report.BuildReviewsDue(leeds, summaries(), t0, t0.AddDate(0, 0, 0)))
	zero := report.BuildReviewsDue(leeds, summaries(), t0, t0)
	zero.DueBy = t0
	assert.Equal(t, zero, report.BuildReviewsDue(leeds, summaries(), t0, t0), "a zero due-by date means now")

	ahead := report.BuildReviewsDue(leeds, summaries(), t0, t0.AddDate(0, 4, 0))
	assert.Equal(t, 2, ahead.Total)
	assert.Equal(t, 1, ahead.Overdue)
	assert.Equal(t, "Housing", ahead.Rows[1].Title)
	assert.Equal(t, t0.AddDate(0, 3, 0), ahead.Rows[1].DueAt)
	assert.False(t, ahead.Rows[1].Overdue)
}

// TestOutstandingSignatures_EXIT1_SIGN3_SUM3: the Police owe a signature on the ASB flow, by a
// date that passes; Leeds has signed; the hidden flow's overdue signer is not shown.
func TestOutstandingSignatures_EXIT1_SIGN3_SUM3(t *testing.T) {
	r := report.BuildOutstandingSignatures(leeds, fixture(), names, t0)
	assert.Equal(t, 1, r.Total)
	assert.Equal(t, 1, r.Flows)
	assert.Equal(t, 0, r.Overdue, "the hidden flow's sign-by date has passed, but it is not Leeds's to count")
	require.Len(t, r.Rows, 1)
	assert.Equal(t, police, r.Rows[0].Org)
	assert.Equal(t, []agreement.UserID{user(2)}, r.Rows[0].Signers)
	assert.Equal(t, t0.AddDate(0, 0, 7), r.Rows[0].SignBy)

	late := report.BuildOutstandingSignatures(leeds, fixture(), names, t0.AddDate(0, 0, 8))
	assert.Equal(t, 1, late.Overdue)
	assert.True(t, late.Rows[0].Overdue)
}

// TestPartnerAssurance_EXIT1_ASR6_SUM3: Leeds's partners are the Police and Other Council, lowest
// rating first; Dale Trust (only in a flow Leeds brokered) and Secret Org are not its partners,
// though their ratings were handed in.
func TestPartnerAssurance_EXIT1_ASR6_SUM3(t *testing.T) {
	r := report.BuildPartnerAssurance(leeds, fixture(), ratings, names)
	assert.Equal(t, 2, r.Total)
	require.Len(t, r.Rows, 2)
	assert.Equal(t, police, r.Rows[0].Org)
	assert.Equal(t, "limited", r.Rows[0].Rating.Code())
	assert.Equal(t, other, r.Rows[1].Org)
	counts := map[string]int{}
	total := 0
	for _, c := range r.ByLevel {
		counts[c.Level] = c.Count
		total += c.Count
	}
	assert.Equal(t, 2, total)
	assert.Equal(t, 0, counts["none"], "Dale's and Secret Org's red ratings are not counted")
	assert.Equal(t, []agreement.OrgID{police, other}, report.Partners(leeds, fixture()))
}

// everyOutput renders every report of viewer in every form: JSON, CSV, DOT and SVG.
func everyOutput(t *testing.T, viewer agreement.OrgID, flows []*agreement.Flow) string {
	t.Helper()
	var b bytes.Buffer
	a := directory.InformationAsset{ID: asset.ID, Org: viewer, Name: "asset"}
	as, err := report.BuildAssetSharing(viewer, a, flows, names)
	require.NoError(t, err)
	m := report.BuildSharingMap(viewer, flows, names)
	fs := report.BuildFlowsByStatus(viewer, flows, names)
	rd := report.BuildReviewsDue(viewer, summaries(), t0, t0.AddDate(1, 0, 0))
	os := report.BuildOutstandingSignatures(viewer, flows, names, t0)
	pa := report.BuildPartnerAssurance(viewer, flows, ratings, names)
	for _, v := range []any{as, m, fs, rd, os, pa} {
		j, err := json.Marshal(v)
		require.NoError(t, err)
		b.Write(j)
		require.NoError(t, v.(interface{ WriteCSV(io.Writer) error }).WriteCSV(&b))
	}
	require.NoError(t, fs.WriteCountsCSV(&b))
	b.WriteString(m.DOT())
	b.WriteString(m.SVG())
	return b.String()
}

// TestNothingUnseenInAnyOutput_SUM3: no name, dataset, ID or title of what Leeds may not see
// appears anywhere in any of its reports, in any form.
func TestNothingUnseenInAnyOutput_SUM3(t *testing.T) {
	out := everyOutput(t, leeds, fixture())
	for _, s := range []string{"Secret", "Hidden", secret.String(), id(23).String(), id(25).String(), user(9).String()} {
		assert.NotContains(t, out, s)
	}
	assert.Contains(t, out, "Monthly ASB counts", "the check above looks at real output")
}

func readCSV(t *testing.T, write func(io.Writer) error) [][]string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, write(&b))
	rows, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	return rows
}

// TestCSVParsesBack_EXIT1: each report's CSV reads back with encoding/csv to its stable header
// and its rows, cell by cell; a cell a spreadsheet would run as a formula comes back quoted out.
func TestCSVParsesBack_EXIT1(t *testing.T) {
	flows := fixture()
	as, err := report.BuildAssetSharing(leeds, asset, flows, names)
	require.NoError(t, err)
	assert.Equal(t, [][]string{report.HeaderAssetSharing, {asset.ID.String(), "ASB case system", id(21).String(), "Monthly ASB counts", id(40).String(),
		police.String(), "West Yorkshire Police", "receives", "A6-1-e (Crime and Disorder Act 1998 s.115)", "monthly", "sftp",
		"Encrypted; =cmd|' /C calc'!A0", "finalised", "false", ""}}, readCSV(t, as.WriteCSV))

	m := report.BuildSharingMap(leeds, flows, names)
	assert.Equal(t, [][]string{report.HeaderSharingMap,
		{"sends", police.String(), "West Yorkshire Police", "Monthly ASB counts", id(21).String(), "finalised"},
		{"sends", other.String(), `Other <Council> & "Co"`, "Housing referrals", id(22).String(), "draft"},
		{"receives", other.String(), `Other <Council> & "Co"`, "Housing referrals", id(22).String(), "draft"},
	}, readCSV(t, m.WriteCSV))

	fs := report.BuildFlowsByStatus(leeds, flows, names)
	rows := readCSV(t, fs.WriteCSV)
	assert.Equal(t, report.HeaderFlowsByStatus, rows[0])
	assert.Equal(t, []string{"draft", id(22).String(), "Housing referrals", id(40).String(), other.String(), `Other <Council> & "Co"; Leeds City Council`, "2026-09-01T09:00:00Z"}, rows[1])
	assert.Len(t, rows, 4)
	counts := readCSV(t, fs.WriteCountsCSV)
	assert.Equal(t, report.HeaderStatusCounts, counts[0])
	assert.Equal(t, []string{"finalised", "1"}, counts[5])
	assert.Len(t, counts, 1+len(agreement.FlowStates()))

	rd := report.BuildReviewsDue(leeds, summaries(), t0, t0)
	assert.Equal(t, [][]string{report.HeaderReviewsDue, {id(41).String(), "Community safety", "Community safety data", "2026-09-01T09:00:00Z", "", "12", "true"}},
		readCSV(t, rd.WriteCSV))

	os := report.BuildOutstandingSignatures(leeds, flows, names, t0)
	assert.Equal(t, [][]string{report.HeaderOutstandingSignatures, {id(21).String(), "Monthly ASB counts", police.String(), "West Yorkshire Police",
		user(2).String(), "2026-09-01T09:00:00Z", "2026-09-08T09:00:00Z", "false", "false"}}, readCSV(t, os.WriteCSV))

	pa := report.BuildPartnerAssurance(leeds, flows, ratings, names)
	assert.Equal(t, [][]string{report.HeaderPartnerAssurance,
		{police.String(), "West Yorkshire Police", "limited", "amber", "", "1"},
		{other.String(), `Other <Council> & "Co"`, "significant", "green", "", "1"}}, readCSV(t, pa.WriteCSV))
}

// TestCSVDefusesFormulas_EXIT1: a flow name another organisation wrote as a formula is written
// with a leading apostrophe, so a spreadsheet shows it rather than running it.
func TestCSVDefusesFormulas_EXIT1(t *testing.T) {
	flows := fixture()
	for i := range flows {
		flows[i].Name = "=HYPERLINK(\"http://evil\")"
	}
	m := report.BuildSharingMap(leeds, flows, names)
	rows := readCSV(t, m.WriteCSV)
	for _, r := range rows[1:] {
		assert.Equal(t, "'=HYPERLINK(\"http://evil\")", r[3])
	}
	for _, c := range []string{"+1", "-1", "@SUM(A1)", "\tx", "\rx"} {
		flows[3].Name = c
		rows := readCSV(t, report.BuildSharingMap(leeds, flows, names).WriteCSV)
		assert.Equal(t, "'"+c, rows[1][3])
	}
}

// TestSharingMapDOTGolden_EXIT1: the DOT text of the fixture's map is fixed (run with -update
// when a change is meant) and holds every partner and dataset, quoted.
func TestSharingMapDOTGolden_EXIT1(t *testing.T) {
	got := report.BuildSharingMap(leeds, fixture(), names).DOT()
	if *update {
		require.NoError(t, os.WriteFile(goldenDOT, []byte(got), 0o644))
	}
	want, err := os.ReadFile(goldenDOT)
	require.NoError(t, err, "missing golden file; run with -update")
	assert.Equal(t, string(want), got, "the sharing map's DOT changed; run with -update if that is meant")
	assert.Contains(t, got, `"Other <Council> & \"Co\""`, "quotes in names are escaped")
	assert.Equal(t, got, report.BuildSharingMap(leeds, fixture(), names).DOT(), "deterministic")
}

// svgText decodes an SVG document with encoding/xml, failing on anything ill-formed, and
// returns its character data, one string per text node.
func svgText(t testing.TB, doc string) []string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	var texts []string
	root := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "the SVG is well-formed XML")
		switch x := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = x.Name.Space + " " + x.Name.Local
			}
		case xml.CharData:
			if s := strings.TrimSpace(string(x)); s != "" {
				texts = append(texts, s)
			}
		}
	}
	require.Equal(t, "http://www.w3.org/2000/svg svg", root)
	return texts
}

// TestSharingMapSVG_EXIT1_SUM3: the picture is well-formed SVG, names every partner and dataset
// exactly (escaping undone by the decoder), and nothing Leeds may not see.
func TestSharingMapSVG_EXIT1_SUM3(t *testing.T) {
	m := report.BuildSharingMap(leeds, fixture(), names)
	doc := m.SVG()
	texts := svgText(t, doc)
	for _, want := range []string{"Leeds City Council", "West Yorkshire Police", `Other <Council> & "Co"`, "Monthly ASB counts", "Housing referrals"} {
		assert.Contains(t, texts, want)
	}
	for _, s := range texts {
		assert.NotContains(t, s, "Secret")
		assert.NotContains(t, s, "Hidden")
		assert.NotContains(t, s, "Dale")
		assert.NotContains(t, s, "Brokered")
	}
	assert.Equal(t, 2, strings.Count(doc, `class="receives"`)+strings.Count(doc, `class="sends"`)-1, "Other Council on both sides, the Police on the right")
	assert.Equal(t, doc, m.SVG(), "deterministic")

	empty := report.BuildSharingMap(dale, nil, names).SVG()
	assert.Contains(t, svgText(t, empty), "No data shared in the flows this organisation sees.")
}

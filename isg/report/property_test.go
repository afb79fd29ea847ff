package report_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg/directory"
	"github.com/isgkit/gateway/isg/report"
)

var orgs = []agreement.OrgID{leeds, police, other, dale, secret}

// genFlow draws a flow between two to four of the five organisations, created by any of them,
// in any state, maybe drawing on the asset and maybe with sign-off requests.
func genFlow(t *rapid.T, n int) agreement.Flow {
	parties := rapid.SliceOfNDistinct(rapid.SampledFrom(orgs), 2, 4, func(o agreement.OrgID) agreement.OrgID { return o }).Draw(t, "parties")
	cut := rapid.IntRange(1, len(parties)-1).Draw(t, "cut")
	dir := rapid.SampledFrom([]agreement.Direction{agreement.OneWay, agreement.TwoWay}).Draw(t, "direction")
	f := flow(byte(n), rapid.SampledFrom([]string{"A", "B", "C"}).Draw(t, "name"), rapid.SampledFrom(orgs).Draw(t, "creator"),
		rapid.SampledFrom(agreement.FlowStates()).Draw(t, "state"), dir, parties[:cut], parties[cut:])
	if rapid.Bool().Draw(t, "asset") {
		f.Assets = []uuid.UUID{asset.ID.UUID}
	}
	for _, p := range parties {
		if rapid.Bool().Draw(t, "asked") {
			f.SignOff = append(f.SignOff, agreement.SignOffRequest{Signer: agreement.Signer{User: user(byte(n)), Org: p}, RequestedAt: t0,
				SignBy: t0.Add(time.Duration(rapid.IntRange(-48, 48).Draw(t, "sign_by")) * time.Hour)})
		}
		if rapid.Bool().Draw(t, "signed") {
			f.Signatures = append(f.Signatures, agreement.Signature{Statement: agreement.Statement{Signatory: agreement.Signatory{Org: p}, SignedAt: t0}})
		}
	}
	return f
}

func allReports(t *rapid.T, viewer agreement.OrgID, values []agreement.Flow) []byte {
	flows := ptrs(values)
	a := directory.InformationAsset{ID: asset.ID, Org: viewer, Name: "asset"}
	as, err := report.BuildAssetSharing(viewer, a, flows, names)
	require.NoError(t, err)
	m := report.BuildSharingMap(viewer, flows, names)
	out, err := json.Marshal([]any{as, m, m.DOT(), m.SVG(), report.BuildFlowsByStatus(viewer, flows, names),
		report.BuildOutstandingSignatures(viewer, flows, names, t0), report.BuildPartnerAssurance(viewer, flows, ratings, names),
		report.Partners(viewer, flows), report.Organisations(viewer, flows)})
	require.NoError(t, err)
	return out
}

// TestReportsDependOnlyOnSeenFlows_SUM3_EXIT1 (property): for any flows and any viewer, every
// report — rows, totals, CSV-able values, DOT and SVG alike — is exactly what it would be had the
// viewer been handed only the flows it may see: an unseen flow changes nothing, not even a count.
// And every row names a flow the viewer may see, with totals that match the rows.
func TestReportsDependOnlyOnSeenFlows_SUM3_EXIT1(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 12).Draw(t, "n")
		flows := make([]agreement.Flow, n)
		for i := range flows {
			flows[i] = genFlow(t, i+1)
		}
		viewer := rapid.SampledFrom(orgs).Draw(t, "viewer")
		seen := agreement.VisibleFlows(viewer, flows)
		require.Equal(t, string(allReports(t, viewer, seen)), string(allReports(t, viewer, flows)), "an unseen flow changed a report")

		fp := ptrs(flows)
		visible := map[agreement.FlowID]bool{}
		for _, f := range seen {
			visible[f.ID] = true
		}
		fs := report.BuildFlowsByStatus(viewer, fp, names)
		require.Equal(t, len(seen), fs.Total)
		sum := 0
		for _, c := range fs.Counts {
			sum += c.Count
		}
		require.Equal(t, fs.Total, sum)
		for _, r := range fs.Rows {
			require.True(t, visible[r.Flow])
		}
		m := report.BuildSharingMap(viewer, fp, names)
		for _, r := range m.Rows {
			require.True(t, visible[r.Flow])
			require.NotEqual(t, viewer, r.Partner)
		}
		os := report.BuildOutstandingSignatures(viewer, fp, names, t0)
		require.Equal(t, len(os.Rows), os.Total)
		for _, r := range os.Rows {
			require.True(t, visible[r.Flow])
		}
		as, err := report.BuildAssetSharing(viewer, directory.InformationAsset{ID: asset.ID, Org: viewer}, fp, names)
		require.NoError(t, err)
		for _, r := range as.Rows {
			require.True(t, visible[r.Flow])
		}
	})
}

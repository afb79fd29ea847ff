package report

import (
	"io"
	"slices"
	"time"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg/directory"
	"github.com/isgkit/gateway/isg/violation"
)

// AssetShare is one organisation an information asset is shared with through one flow, and on
// which terms (EXIT-1).
type AssetShare struct {
	Flow     agreement.FlowID    `json:"flow"`
	FlowName string              `json:"flow_name"`
	Summary  agreement.SummaryID `json:"summary"`
	Org      OrgID               `json:"org"`
	OrgName  string              `json:"org_name"`
	// Role is what Org does in the flow.
	Role         Role                   `json:"role"`
	LegalBases   []agreement.LegalBasis `json:"legal_bases"`
	Frequency    agreement.Frequency    `json:"frequency"`
	TransferMode agreement.TransferMode `json:"transfer_mode"`
	Controls     []string               `json:"controls"`
	Status       agreement.FlowState    `json:"status"`
	// Signed says whether Org has signed the flow off, and SignedAt when (SIGN-2).
	Signed   bool      `json:"signed"`
	SignedAt time.Time `json:"signed_at,omitzero"`
}

// AssetSharing is the report for one information asset of the viewing organisation: every
// organisation it is shared with, one row per flow drawing on it and organisation in that flow
// other than the viewer, and the totals of those rows.
type AssetSharing struct {
	Asset     directory.AssetID `json:"asset"`
	AssetName string            `json:"asset_name"`
	Rows      []AssetShare      `json:"rows"`
	// Flows counts the visible flows drawing on the asset; Organisations the distinct
	// organisations of Rows.
	Flows         int `json:"flows"`
	Organisations int `json:"organisations"`
}

// HeaderAssetSharing is the header row of AssetSharing.WriteCSV.
var HeaderAssetSharing = []string{"asset_id", "asset_name", "flow_id", "flow_name", "summary_id", "organisation_id",
	"organisation_name", "role", "legal_bases", "frequency", "transfer_mode", "controls", "status", "signed", "signed_at"}

// BuildAssetSharing reports who asset is shared with, from the flows viewer may see that draw on
// it (FLOW-1 Assets). Only the asset's own organisation reports on it.
//
// Errors: ErrNotFound (directory.CodeAssetNotFound) when the asset is not viewer's, as for an
// unknown asset (ORG-10).
func BuildAssetSharing(viewer OrgID, asset directory.InformationAsset, flows []*agreement.Flow, names Names) (AssetSharing, error) {
	if viewer.IsZero() || asset.Org != viewer {
		return AssetSharing{}, violation.New(directory.ErrNotFound, directory.CodeAssetNotFound, "ORG-10", "no information_asset "+asset.ID.String())
	}
	out := AssetSharing{Asset: asset.ID, AssetName: asset.Name, Rows: []AssetShare{}}
	orgs := map[OrgID]bool{}
	for _, f := range visibleFlows(viewer, flows) {
		if !slices.Contains(f.Assets, asset.ID.UUID) {
			continue
		}
		out.Flows++
		for _, p := range f.Parties {
			if p == viewer {
				continue
			}
			orgs[p] = true
			sig, signed := f.SignatureOf(p)
			out.Rows = append(out.Rows, AssetShare{Flow: f.ID, FlowName: f.Name, Summary: f.SummaryID, Org: p, OrgName: names.of(p),
				Role: roleOf(f, p), LegalBases: append([]agreement.LegalBasis{}, f.LegalBases...), Frequency: f.Frequency, TransferMode: f.TransferMode,
				Controls: append([]string{}, f.Controls...), Status: f.State, Signed: signed, SignedAt: sig.Statement.SignedAt})
		}
	}
	out.Organisations = len(orgs)
	return out, nil
}

// WriteCSV writes the report's rows under HeaderAssetSharing.
func (r AssetSharing) WriteCSV(w io.Writer) error {
	rows := make([][]string, len(r.Rows))
	for i, x := range r.Rows {
		rows[i] = []string{r.Asset.String(), r.AssetName, x.Flow.String(), x.FlowName, x.Summary.String(), x.Org.String(), x.OrgName,
			string(x.Role), basesText(x.LegalBases), string(x.Frequency), string(x.TransferMode), joined(x.Controls), string(x.Status),
			yesNo(x.Signed), instant(x.SignedAt)}
	}
	return csvTable(w, HeaderAssetSharing, rows)
}

package report_test

import (
	"time"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/assurance"
	"github.com/isgkit/gateway/isg/directory"
	"github.com/isgkit/gateway/isg/report"
)

var t0 = time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)

func id(n byte) uuid.UUID { return uuid.UUID{0: 0x01, 6: 0x70, 8: 0x80, 15: n} }

func org(n byte) agreement.OrgID   { return agreement.OrgID{UUID: id(n)} }
func user(n byte) agreement.UserID { return agreement.UserID{UUID: id(100 + n)} }

// The fixture: Leeds (the viewer) shares with the Police and with Other Council; the Police and
// Other Council share between themselves, in Leeds's own summary and drawing on Leeds's asset
// too; Leeds set up a sharing between the Police and Dale Trust without being a party; Secret
// Org shares with Dale Trust in nothing Leeds sees. Every name, dataset and rating of what Leeds
// may not see contains "Secret" or "Hidden", so a test can look for any of them anywhere.
var (
	leeds, police, other, dale, secret = org(1), org(2), org(3), org(4), org(5)

	names = report.Names{leeds: "Leeds City Council", police: "West Yorkshire Police", other: "Other <Council> & \"Co\"",
		dale: "Dale Trust", secret: "Secret Org"}

	asset = directory.InformationAsset{ID: directory.AssetID{UUID: id(50)}, Org: leeds, Name: "ASB case system"}
)

func flow(n byte, name string, creator agreement.OrgID, state agreement.FlowState, dir agreement.Direction, from, to []agreement.OrgID) agreement.Flow {
	return agreement.Flow{ID: agreement.FlowID{UUID: id(20 + n)}, SummaryID: agreement.SummaryID{UUID: id(40)}, CreatedByOrg: creator,
		CreatedAt: t0, UpdatedAt: t0, State: state, Rev: 1,
		FlowTerms: agreement.FlowTerms{Name: name, Parties: append(append([]agreement.OrgID{}, from...), to...), Direction: dir, From: from, To: to,
			Frequency: agreement.Monthly, TransferMode: agreement.SFTP, Controls: []string{"Encrypted", "=cmd|' /C calc'!A0"},
			LegalBases: []agreement.LegalBasis{{Basis: agreement.Art6PublicTask, Instrument: "Crime and Disorder Act 1998 s.115"}}}}
}

func fixture() []*agreement.Flow {
	asb := flow(1, "Monthly ASB counts", leeds, agreement.Finalised, agreement.OneWay, []agreement.OrgID{leeds}, []agreement.OrgID{police})
	asb.Assets = []uuid.UUID{asset.ID.UUID}
	asb.SignOff = []agreement.SignOffRequest{{Signer: agreement.Signer{User: user(2), Org: police}, RequestedAt: t0, SignBy: t0.AddDate(0, 0, 7)}}
	asb.Signatures = []agreement.Signature{{Statement: agreement.Statement{Signatory: agreement.Signatory{User: user(1), Org: leeds}, SignedAt: t0.Add(time.Hour)}}}
	referrals := flow(2, "Housing referrals", other, agreement.Draft, agreement.TwoWay, []agreement.OrgID{other}, []agreement.OrgID{leeds})
	hidden := flow(3, "Hidden intelligence", police, agreement.Finalised, agreement.OneWay, []agreement.OrgID{police}, []agreement.OrgID{other})
	hidden.Assets = []uuid.UUID{asset.ID.UUID} // the same asset, between two other organisations
	hidden.SignOff = []agreement.SignOffRequest{{Signer: agreement.Signer{User: user(9), Org: other}, RequestedAt: t0, SignBy: t0}}
	brokered := flow(4, "Brokered exchange", leeds, agreement.Approved, agreement.OneWay, []agreement.OrgID{police}, []agreement.OrgID{dale})
	secretFlow := flow(5, "Secret dataset", secret, agreement.Signed, agreement.OneWay, []agreement.OrgID{secret}, []agreement.OrgID{dale})
	secretFlow.Assets = []uuid.UUID{asset.ID.UUID}
	// Out of ID order, as a careless caller might hand them.
	return []*agreement.Flow{&hidden, &referrals, &secretFlow, &asb, &brokered}
}

// ptrs points at each of xs, as the builders take them.
func ptrs[T any](xs []T) []*T {
	out := make([]*T, len(xs))
	for i := range xs {
		out[i] = &xs[i]
	}
	return out
}

func summaries() []*agreement.Summary {
	s := func(n byte, title string, creator agreement.OrgID, months int, orgs ...agreement.OrgID) agreement.Summary {
		return agreement.Summary{ID: agreement.SummaryID{UUID: id(40 + n)}, CreatedByOrg: creator, CreatedAt: t0.AddDate(0, -months, 0),
			SummaryTerms: agreement.SummaryTerms{Title: title, Organisations: orgs, DataAsset: title + " data", ReviewCycleMonths: months}}
	}
	housing := s(3, "Housing", other, 6, other, leeds)
	housing.CreatedAt = t0.AddDate(0, -3, 0) // due in three months
	return ptrs([]agreement.Summary{
		s(1, "Community safety", leeds, 12, leeds, police, other), // due now
		s(2, "Secret partnership", police, 1, police, other),      // due, but not Leeds's to see
		housing,
		s(4, "Hidden other", secret, 3, secret, dale), // due, hidden
	})
}

var ratings = map[agreement.OrgID]assurance.Rating{
	police: {Level: assurance.LevelLimited}, other: {Level: assurance.LevelSignificant},
	dale: {Level: assurance.LevelNone}, secret: {Level: assurance.LevelNone},
}

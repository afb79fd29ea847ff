package isg

import (
	"context"
	"time"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/assurance"
	"github.com/isgkit/gateway/isg/report"
	"github.com/isgkit/gateway/licensing"
)

// The reports of EXIT-1. Each command checks the ViewReports row (every role at the
// organisation, ROLE-8) and the organisation's licence (LIC-3: licensed organisations only),
// loads the records that name the organisation — never the store's other records — and hands
// them to the pure builders of package report, which apply SUM-3 to every row and total.

// reportPage is how many flows or summaries a report reads at a time through an index key.
const reportPage = 500

// requireReports refuses an organisation whose licence does not allow reports (LIC-3). It runs
// before anything is looked up, so an unlicensed organisation learns nothing of the records it
// names.
func (u *uow) requireReports(org OrgID) error {
	ent, err := u.entitlement(org)
	if err != nil {
		return err
	}
	return licensing.Check(ent, licensing.UseReports)
}

// seenFlows reads every flow indexed under org's visible key (SUM-3: the flows naming it or
// created by it), a page at a time. The cost follows how many flows org sees, not how many the
// store holds. The flows come from the decoded-record cache itself, not copies: the report
// builders only read them and copy what they keep.
func (u *uow) seenFlows(org OrgID) ([]*agreement.Flow, error) {
	return seen(u, u.g.flows, kindFlow, org)
}

// seenSummaries is seenFlows for summaries.
func (u *uow) seenSummaries(org OrgID) ([]*agreement.Summary, error) {
	return seen(u, u.g.summaries, kindSummary, org)
}

func seen[T any](u *uow, c *decodedCache[T], kind Kind, org OrgID) ([]*T, error) {
	k := key("visible", org.String())
	// Counting first sizes the result once. The count is a hint only; a View may see a record
	// come or go between it and the pages.
	n, err := u.tx.Count(u.ctx, kind, k)
	if err != nil {
		return nil, err
	}
	out := make([]*T, 0, n)
	// Where the store lists versions without bodies, a page whose every version is decoded
	// already copies no body at all: once a report has run, the next costs what the
	// organisation sees and not the bytes the store holds. A unit that wrote may read its own
	// staged versions, which the cache never holds, so it reads bodies.
	vf, _ := u.tx.(VersionFinder)
	if u.written.Len() > 0 {
		vf = nil
	}
	p := Page{Limit: reportPage}
	for {
		var got int // how many records the page held
		served := false
		if vf != nil {
			vs, err := vf.FindVersions(u.ctx, kind, k, p)
			if err != nil {
				return nil, err
			}
			if out, served = peekAll(c, vs, out); served {
				got = len(vs)
				if got > 0 {
					p.After = vs[got-1].ID
				}
			}
		}
		if !served { // no VersionFinder, or a version not decoded yet: read the page's bodies
			recs, err := u.tx.Find(u.ctx, kind, k, p)
			if err != nil {
				return nil, err
			}
			for _, r := range recs {
				x, err := c.decodeShared(r)
				if err != nil {
					return nil, err
				}
				out = append(out, x)
			}
			if got = len(recs); got > 0 {
				p.After = recs[got-1].ID
			}
		}
		if got < p.Limit {
			return out, nil
		}
	}
}

// peekAll appends the cached values of every version in vs to out, or returns out as it was and
// false when one of them is not cached.
func peekAll[T any](c *decodedCache[T], vs []RecordVersion, out []*T) ([]*T, bool) {
	n := len(out)
	for _, v := range vs {
		x, ok := c.peek(v.ID, v.Version)
		if !ok {
			return out[:n], false
		}
		out = append(out, x)
	}
	return out, true
}

// orgNames names the organisations of the flows org sees; an organisation with no record (one
// not registered yet, ORG-11) keeps its ID.
func (u *uow) orgNames(org OrgID, flows []*agreement.Flow) (report.Names, error) {
	ids := report.Organisations(org, flows)
	names := make(report.Names, len(ids))
	for _, id := range ids {
		o, err := u.loadOrg(id)
		switch {
		case err == nil:
			names[id] = o.Name
		case !isNotFound(err):
			return nil, err
		}
	}
	return names, nil
}

// reportFlows is what most reports start from: the licence check, then the flows org sees and
// their organisations' names.
func (u *uow) reportFlows(org OrgID) ([]*agreement.Flow, report.Names, error) {
	if err := u.requireReports(org); err != nil {
		return nil, nil, err
	}
	flows, err := u.seenFlows(org)
	if err != nil {
		return nil, nil, err
	}
	names, err := u.orgNames(org, flows)
	return flows, names, err
}

// AssetSharingInput names the information asset to report on.
type AssetSharingInput struct {
	ID AssetID `json:"id" validate:"required" rule:"EXIT-1"`
}

// AssetSharing reports who an information asset of the actor's organisation is shared with and
// on which terms: one row per organisation of each flow the organisation sees that draws on the
// asset, with the legal bases, frequency, transfer mode, controls, status and that
// organisation's signature (EXIT-1).
//
// Errors: ErrForbidden ("forbidden", ROLE-8); ErrLicence ("licence.capability_denied", LIC-3)
// for an organisation on the free model; ErrNotFound ("information_asset.not_found") for an
// unknown asset and another organisation's alike.
func (g *Gateway) AssetSharing(ctx context.Context, actor Actor, in AssetSharingInput) (report.AssetSharing, error) {
	return run(ctx, g, reportAssetSharing, actor, in)
}

var reportAssetSharing = &command[AssetSharingInput, report.AssetSharing]{
	name: "report.asset_sharing", doc: "Who an information asset is shared with, on which terms (EXIT-1).", row: ViewReports, rule: "EXIT-1", query: true,
	apply: func(c *call[AssetSharingInput]) (report.AssetSharing, error) {
		if err := c.requireReports(c.org); err != nil {
			return report.AssetSharing{}, err
		}
		var a InformationAsset
		if _, err := c.load(kindAsset, c.in.ID.String(), &a); err != nil && !isNotFound(err) {
			return report.AssetSharing{}, err
		}
		if a.Org != c.org { // unknown, or another organisation's: the same answer (ORG-10)
			return report.BuildAssetSharing(c.org, InformationAsset{ID: c.in.ID}, nil, nil)
		}
		flows, err := c.seenFlows(c.org)
		if err != nil {
			return report.AssetSharing{}, err
		}
		names, err := c.orgNames(c.org, flows)
		if err != nil {
			return report.AssetSharing{}, err
		}
		return report.BuildAssetSharing(c.org, a, flows, names)
	},
}

// SharingMap is the data sharing map of the actor's organisation: the datasets it sends and
// receives in the flows it sees and is a party to, and with whom (EXIT-1). Its DOT and SVG
// methods draw it.
//
// Errors: ErrForbidden ("forbidden", ROLE-8); ErrLicence ("licence.capability_denied", LIC-3)
// for an organisation on the free model.
func (g *Gateway) SharingMap(ctx context.Context, actor Actor) (report.SharingMap, error) {
	return run(ctx, g, reportSharingMap, actor, struct{}{})
}

var reportSharingMap = &command[struct{}, report.SharingMap]{
	name: "report.sharing_map", doc: "The organisation's data sharing map (EXIT-1).", row: ViewReports, rule: "EXIT-1", query: true,
	apply: func(c *call[struct{}]) (report.SharingMap, error) {
		flows, names, err := c.reportFlows(c.org)
		if err != nil {
			return report.SharingMap{}, err
		}
		return report.BuildSharingMap(c.org, flows, names), nil
	},
}

// FlowsByStatus counts and lists the flows the actor's organisation sees by lifecycle state
// (EXIT-1, SUM-3).
//
// Errors: ErrForbidden ("forbidden", ROLE-8); ErrLicence ("licence.capability_denied", LIC-3)
// for an organisation on the free model.
func (g *Gateway) FlowsByStatus(ctx context.Context, actor Actor) (report.FlowsByStatus, error) {
	return run(ctx, g, reportFlowsByStatus, actor, struct{}{})
}

var reportFlowsByStatus = &command[struct{}, report.FlowsByStatus]{
	name: "report.flows_by_status", doc: "Visible flows counted and listed by state (EXIT-1).", row: ViewReports, rule: "EXIT-1", query: true,
	apply: func(c *call[struct{}]) (report.FlowsByStatus, error) {
		flows, names, err := c.reportFlows(c.org)
		if err != nil {
			return report.FlowsByStatus{}, err
		}
		return report.BuildFlowsByStatus(c.org, flows, names), nil
	},
}

// ReviewsDueInput asks for the reviews falling due by a date.
type ReviewsDueInput struct {
	// DueBy is the last due date to include; unset means now: the reviews due already.
	DueBy time.Time `json:"due_by,omitzero"`
}

// ReviewsDue lists the summaries the actor's organisation sees whose review falls due by
// in.DueBy, soonest first, marking those due already (EXIT-1, LIFE-1).
//
// Errors: ErrForbidden ("forbidden", ROLE-8); ErrLicence ("licence.capability_denied", LIC-3)
// for an organisation on the free model.
func (g *Gateway) ReviewsDue(ctx context.Context, actor Actor, in ReviewsDueInput) (report.ReviewsDue, error) {
	return run(ctx, g, reportReviewsDue, actor, in)
}

var reportReviewsDue = &command[ReviewsDueInput, report.ReviewsDue]{
	name: "report.reviews_due", doc: "Summaries whose review falls due (EXIT-1, LIFE-1).", row: ViewReports, rule: "EXIT-1", query: true,
	apply: func(c *call[ReviewsDueInput]) (report.ReviewsDue, error) {
		if err := c.requireReports(c.org); err != nil {
			return report.ReviewsDue{}, err
		}
		sums, err := c.seenSummaries(c.org)
		if err != nil {
			return report.ReviewsDue{}, err
		}
		return report.BuildReviewsDue(c.org, sums, c.now, c.in.DueBy), nil
	},
}

// OutstandingSignatures lists, for each finalised flow the actor's organisation sees, every
// party that has not signed it off, with the users asked and the sign-by dates (EXIT-1, SIGN-1,
// SIGN-3).
//
// Errors: ErrForbidden ("forbidden", ROLE-8); ErrLicence ("licence.capability_denied", LIC-3)
// for an organisation on the free model.
func (g *Gateway) OutstandingSignatures(ctx context.Context, actor Actor) (report.OutstandingSignatures, error) {
	return run(ctx, g, reportOutstandingSignatures, actor, struct{}{})
}

var reportOutstandingSignatures = &command[struct{}, report.OutstandingSignatures]{
	name: "report.outstanding_signatures", doc: "Signatures still owed, with sign-by dates (EXIT-1, SIGN-3).", row: ViewReports, rule: "EXIT-1", query: true,
	apply: func(c *call[struct{}]) (report.OutstandingSignatures, error) {
		flows, names, err := c.reportFlows(c.org)
		if err != nil {
			return report.OutstandingSignatures{}, err
		}
		return report.BuildOutstandingSignatures(c.org, flows, names, c.now), nil
	},
}

// PartnerAssurance reports the current assurance rating of every organisation sharing with the
// actor's organisation in the flows it sees, lowest first (EXIT-1, ASR-6).
//
// Errors: ErrForbidden ("forbidden", ROLE-8); ErrLicence ("licence.capability_denied", LIC-3)
// for an organisation on the free model.
func (g *Gateway) PartnerAssurance(ctx context.Context, actor Actor) (report.PartnerAssurance, error) {
	return run(ctx, g, reportPartnerAssurance, actor, struct{}{})
}

var reportPartnerAssurance = &command[struct{}, report.PartnerAssurance]{
	name: "report.partner_assurance", doc: "Partners' assurance ratings (EXIT-1, ASR-6).", row: ViewReports, rule: "EXIT-1", query: true,
	apply: func(c *call[struct{}]) (report.PartnerAssurance, error) {
		flows, names, err := c.reportFlows(c.org)
		if err != nil {
			return report.PartnerAssurance{}, err
		}
		partners := report.Partners(c.org, flows)
		ratings := make(map[OrgID]assurance.Rating, len(partners))
		for _, p := range partners {
			if ratings[p], err = c.ratingOf(p); err != nil {
				return report.PartnerAssurance{}, err
			}
		}
		return report.BuildPartnerAssurance(c.org, flows, ratings, names), nil
	},
}

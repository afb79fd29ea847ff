package isg

import (
	"context"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg/txlog"
)

const kindRiskAssessment Kind = "risk_assessment"

// appendLog writes the given changes as new entries of a subject's log (LOG-1) and returns the
// moved head. Copies start their log with what they were copied from rather than a field-by-field
// history they do not have (SUM-4).
func (u *uow) appendLog(actor Actor, subject uuid.UUID, head agreement.LogHead, changes []agreement.Change) (agreement.LogHead, error) {
	return u.appendLogOf(actor, subject, subject.String(), head, changes)
}

// appendLogOf is appendLog for a caller that has the subject's ID as text (id) already.
func (u *uow) appendLogOf(actor Actor, subject uuid.UUID, id string, head agreement.LogHead, changes []agreement.Change) (agreement.LogHead, error) {
	// The entries and their one key (the subject) go into room in the unit: each entry is
	// encoded and put, and a store copies what it keeps.
	entries, next := txlog.AppendTo(u.entryRoom[:0], head, subject, changes, actor.User, actor.Org, u.now)
	u.entryKeys[0] = key("subject", id)
	keys := u.entryKeys[:1:1]
	for i := range entries {
		// By pointer: an entry in an interface would be copied to the heap first.
		if _, err := u.save(kindLogEntry, logEntryID(subject, entries[i].Seq), 0, &entries[i], keys...); err != nil {
			return head, err
		}
	}
	return next, nil
}

func (u *uow) saveRisk(ra agreement.RiskAssessment, version int64) error {
	_, err := u.save(kindRiskAssessment, ra.ID.String(), version, ra, key("flow", ra.FlowID.String()))
	return err
}

// riskOf returns the risk assessment of a flow, if it has one.
func (u *uow) riskOf(f agreement.FlowID) (*agreement.RiskAssessment, int64, error) {
	recs, err := u.tx.Find(u.ctx, kindRiskAssessment, key("flow", f.String()), Page{Limit: 1})
	if err != nil || len(recs) == 0 {
		return nil, 0, err
	}
	var ra agreement.RiskAssessment
	v, err := u.load(kindRiskAssessment, recs[0].ID, &ra)
	return &ra, v, err
}

// CopySummary copies a summary the actor's organisation may see (SUM-4): its information, the
// flows the organisation may see, their risk assessments, its documents and additional contacts,
// as new drafts with new IDs and no reviews, signatures or history. Each copy's log starts with
// what it was copied from.
//
// Errors: ErrForbidden (ROLE-8); ErrNotFound ("summary.not_found") for a summary the organisation
// may not see; ErrRule for a closed organisation.
func (g *Gateway) CopySummary(ctx context.Context, actor Actor, in ByID[agreement.SummaryID]) (agreement.SummaryCopy, error) {
	return run(ctx, g, summaryCopy, actor, in)
}

var summaryCopy = &command[ByID[agreement.SummaryID], agreement.SummaryCopy]{
	name: "summary.copy", doc: "Copy a summary with its flows, risk assessments and documents (SUM-4).", row: EditAgreements, rule: "ROLE-8",
	apply: func(c *call[ByID[agreement.SummaryID]]) (agreement.SummaryCopy, error) {
		return c.copySummary(c.actor, c.in.ID)
	},
}

func (u *uow) copySummary(actor Actor, id agreement.SummaryID) (agreement.SummaryCopy, error) {
	if _, err := u.openOrg(actor.Org); err != nil {
		return agreement.SummaryCopy{}, err
	}
	src, _, err := u.visibleSummary(actor, id)
	if err != nil {
		return agreement.SummaryCopy{}, err
	}
	flows, _, err := findAll[agreement.Flow](u, kindFlow, key("summary", src.ID.String()))
	if err != nil {
		return agreement.SummaryCopy{}, err
	}
	var risks []agreement.RiskAssessment
	for _, f := range flows {
		ra, _, err := u.riskOf(f.ID)
		if err != nil {
			return agreement.SummaryCopy{}, err
		}
		if ra != nil {
			risks = append(risks, *ra)
		}
	}
	c, err := agreement.CopySummary(src, flows, risks, agreement.Actor{User: actor.User, Org: actor.Org}, u.now, u.newID)
	if err != nil {
		return agreement.SummaryCopy{}, err
	}
	heads := map[uuid.UUID]agreement.LogHead{}
	for _, l := range c.Logs {
		if heads[l.Subject], err = u.appendLog(actor, l.Subject, agreement.LogHead{}, l.Changes); err != nil {
			return agreement.SummaryCopy{}, err
		}
	}
	c.Summary.Log = heads[c.Summary.ID.UUID]
	if _, err := u.save(kindSummary, c.Summary.ID.String(), 0, c.Summary, append(summaryKeys(u.texts, c.Summary), u.reviewKeys(c.Summary)...)...); err != nil {
		return agreement.SummaryCopy{}, err
	}
	for i, f := range c.Flows {
		// FLOW-13: a copy keeps only the sources its maker could name itself.
		if f.Sources, err = u.nameableSources(actor.Org, f.Sources); err != nil {
			return agreement.SummaryCopy{}, err
		}
		f.Log = heads[f.ID.UUID]
		c.Flows[i] = f
		if _, err := u.save(kindFlow, f.ID.String(), 0, f, flowKeys(u.texts, f)...); err != nil {
			return agreement.SummaryCopy{}, err
		}
	}
	for _, ra := range c.RiskAssessments {
		if err := u.saveRisk(ra, 0); err != nil {
			return agreement.SummaryCopy{}, err
		}
	}
	if err := u.copyDocuments(actor, "summary/"+src.ID.String(), "summary", c.Summary.ID.String()); err != nil {
		return agreement.SummaryCopy{}, err
	}
	return c, nil
}

// copyDocuments attaches to the copy the documents attached to the source: new records over the
// same content, which is content-addressed and so shared, not duplicated.
func (u *uow) copyDocuments(actor Actor, from, kind, to string) error {
	docs, _, err := findAll[Document](u, kindDocument, key("subject", from))
	if err != nil {
		return err
	}
	for _, d := range docs {
		d.ID, d.SubjectKind, d.SubjectID, d.Org, d.UploadedBy, d.UploadedAt = u.newID().String(), kind, to, actor.Org, actor.User, u.now
		if _, err := u.save(kindDocument, d.ID, 0, d, key("subject", kind+"/"+to)); err != nil {
			return err
		}
	}
	return nil
}

// CopyFlowInput copies a flow beneath a summary (its own or another).
type CopyFlowInput struct {
	Flow    agreement.FlowID    `json:"flow" validate:"required" rule:"FLOW-10"`
	Summary agreement.SummaryID `json:"summary" validate:"required" rule:"FLOW-10"`
}

// CopyFlow copies a flow as a new Draft beneath a summary (FLOW-10): its terms only — no reviews,
// no finalisation, and no risk assessment, which each flow gets afresh.
//
// Errors: ErrInvalid (field errors naming FLOW-10, FLOW-11, ORG-7); ErrForbidden (ROLE-8);
// ErrNotFound ("flow.not_found", "summary.not_found") for what the organisation may not see.
func (g *Gateway) CopyFlow(ctx context.Context, actor Actor, in CopyFlowInput) (FlowView, error) {
	return run(ctx, g, flowCopy, actor, in)
}

var flowCopy = &command[CopyFlowInput, FlowView]{
	name: "flow.copy", doc: "Copy a flow as a new Draft, without its risk assessment (FLOW-10).", row: EditAgreements, rule: "ROLE-8",
	apply: func(c *call[CopyFlowInput]) (FlowView, error) {
		src, _, err := c.visibleFlow(c.actor, c.in.Flow)
		if err != nil {
			return FlowView{}, err
		}
		s, _, err := c.visibleSummary(c.actor, c.in.Summary)
		if err != nil {
			return FlowView{}, err
		}
		if err := c.requireOpenParties("parties", nil, src.Parties, s); err != nil {
			return FlowView{}, err
		}
		f, changes, err := agreement.CopyFlow(src, s, agreement.FlowID{UUID: c.newID()}, agreement.Actor{User: c.actor.User, Org: c.actor.Org}, c.now)
		if err != nil {
			return FlowView{}, err
		}
		// FLOW-13: a copy keeps only the sources its maker could name itself.
		if f.Sources, err = c.nameableSources(c.actor.Org, f.Sources); err != nil {
			return FlowView{}, err
		}
		if f.Log, err = c.appendLog(c.actor, f.ID.UUID, agreement.LogHead{}, changes); err != nil {
			return FlowView{}, err
		}
		if _, err := c.save(kindFlow, f.ID.String(), 0, f, flowKeys(c.texts, f)...); err != nil {
			return FlowView{}, err
		}
		return c.flowView(c.actor, f, c.held)
	},
}

// RiskInput sets a flow's risk assessment.
type RiskInput struct {
	Flow  agreement.FlowID `json:"flow" validate:"required" rule:"RISK-1"`
	Risks []agreement.Risk `json:"risks" rule:"RISK-1"`
}

// SaveRiskAssessment creates a flow's risk assessment, or replaces its risks. The actor's
// organisation must see the flow and hold an editing role.
//
// Errors: ErrInvalid (field errors naming RISK-1); ErrForbidden (ROLE-8); ErrNotFound
// ("flow.not_found") for a flow the organisation may not see.
func (g *Gateway) SaveRiskAssessment(ctx context.Context, actor Actor, in RiskInput) (agreement.RiskAssessment, error) {
	return run(ctx, g, riskSave, actor, in)
}

var riskSave = &command[RiskInput, agreement.RiskAssessment]{
	name: "risk.save", doc: "Create or replace a flow's risk assessment.", row: EditAgreements, rule: "ROLE-8",
	apply: func(c *call[RiskInput]) (agreement.RiskAssessment, error) {
		return c.riskCommand(c.actor, c.in.Flow, func(f agreement.Flow, cur *agreement.RiskAssessment, a agreement.Actor) (agreement.RiskAssessment, error) {
			id := agreement.RiskAssessmentID{UUID: c.newID()}
			if cur != nil {
				id = cur.ID
			}
			ra, err := agreement.NewRiskAssessment(id, f, a, c.now, c.in.Risks)
			if err == nil && cur != nil {
				ra.CreatedBy, ra.CreatedAt, ra.CopiedFrom = cur.CreatedBy, cur.CreatedAt, cur.CopiedFrom
			}
			return ra, err
		})
	},
}

// RiskAssessment returns the risk assessment of a flow the actor's organisation may see.
//
// Errors: ErrForbidden (ROLE-8); ErrNotFound ("flow.not_found" for a flow the organisation may not
// see, "risk_assessment.not_found" for a flow without one).
func (g *Gateway) RiskAssessment(ctx context.Context, actor Actor, in ByID[agreement.FlowID]) (agreement.RiskAssessment, error) {
	return run(ctx, g, riskGet, actor, in)
}

var riskGet = &command[ByID[agreement.FlowID], agreement.RiskAssessment]{
	name: "risk.get", doc: "A flow's risk assessment.", row: ViewOrganisation, rule: "ROLE-8", query: true,
	apply: func(c *call[ByID[agreement.FlowID]]) (agreement.RiskAssessment, error) {
		f, _, err := c.visibleFlow(c.actor, c.in.ID)
		if err != nil {
			return agreement.RiskAssessment{}, err
		}
		ra, _, err := c.riskOf(f.ID)
		if err != nil {
			return agreement.RiskAssessment{}, err
		}
		if ra == nil {
			return agreement.RiskAssessment{}, &Error{Kind: ErrNotFound, Code: "risk_assessment.not_found", Message: "the flow has no risk assessment"}
		}
		return *ra, nil
	},
}

// ImportRiskInput imports another flow's risk assessment.
type ImportRiskInput struct {
	From agreement.FlowID `json:"from" validate:"required" rule:"FLOW-10"`
	To   agreement.FlowID `json:"to" validate:"required" rule:"FLOW-10"`
}

// ImportRiskAssessment copies the risk assessment of one flow to another the actor's organisation
// may see (FLOW-10), replacing the target's. Nothing else changes: not the summary, the flows or
// their privacy answers.
//
// Errors: ErrInvalid; ErrForbidden (ROLE-8); ErrNotFound ("flow.not_found" for a flow the
// organisation may not see, "risk_assessment.not_found" when the source has none).
func (g *Gateway) ImportRiskAssessment(ctx context.Context, actor Actor, in ImportRiskInput) (agreement.RiskAssessment, error) {
	return run(ctx, g, riskImport, actor, in)
}

var riskImport = &command[ImportRiskInput, agreement.RiskAssessment]{
	name: "risk.import", doc: "Import another flow's risk assessment (FLOW-10).", row: EditAgreements, rule: "ROLE-8",
	apply: func(c *call[ImportRiskInput]) (agreement.RiskAssessment, error) {
		from, _, err := c.visibleFlow(c.actor, c.in.From)
		if err != nil {
			return agreement.RiskAssessment{}, err
		}
		src, _, err := c.riskOf(from.ID)
		if err != nil {
			return agreement.RiskAssessment{}, err
		}
		return c.riskCommand(c.actor, c.in.To, func(to agreement.Flow, cur *agreement.RiskAssessment, a agreement.Actor) (agreement.RiskAssessment, error) {
			if src == nil {
				return agreement.RiskAssessment{}, &Error{Kind: ErrNotFound, Code: "risk_assessment.not_found", Rule: "FLOW-10", Message: "the source flow has no risk assessment"}
			}
			id := agreement.RiskAssessmentID{UUID: c.newID()}
			if cur != nil {
				id = cur.ID
			}
			return agreement.ImportRiskAssessment(id, from, *src, to, a, c.now)
		})
	},
}

// GenerateRiskAssessment builds (or rebuilds) a flow's risk assessment from its privacy screening
// answers (RISK-1), keeping risks already reviewed and risks added by hand (RISK-2).
//
// Errors: ErrForbidden (ROLE-8); ErrNotFound ("flow.not_found") for a flow the organisation may
// not see.
func (g *Gateway) GenerateRiskAssessment(ctx context.Context, actor Actor, in ByID[agreement.FlowID]) (agreement.RiskAssessment, error) {
	return run(ctx, g, riskGenerate, actor, in)
}

var riskGenerate = &command[ByID[agreement.FlowID], agreement.RiskAssessment]{
	name: "risk.generate", doc: "Generate a flow's risk assessment from its screening answers (RISK-1, RISK-2).", row: EditAgreements, rule: "ROLE-8",
	apply: func(c *call[ByID[agreement.FlowID]]) (agreement.RiskAssessment, error) {
		return c.riskCommand(c.actor, c.in.ID, func(f agreement.Flow, cur *agreement.RiskAssessment, a agreement.Actor) (agreement.RiskAssessment, error) {
			return agreement.GenerateRiskAssessment(agreement.RiskAssessmentID{UUID: c.newID()}, f, cur, a, c.now)
		})
	},
}

// ReviewRiskInput reviews one risk of a flow's assessment.
type ReviewRiskInput struct {
	Flow  agreement.FlowID `json:"flow" validate:"required" rule:"RISK-2"`
	Index int              `json:"index" validate:"gte=0" rule:"RISK-2"`
	agreement.RiskReview
}

// ReviewRisk records the actor's review of one risk: mitigation and residual levels, who and when
// (RISK-2).
//
// Errors: ErrInvalid (field errors naming RISK-2); ErrForbidden (ROLE-8); ErrNotFound
// ("flow.not_found", "risk_assessment.not_found").
func (g *Gateway) ReviewRisk(ctx context.Context, actor Actor, in ReviewRiskInput) (agreement.RiskAssessment, error) {
	return run(ctx, g, riskReview, actor, in)
}

var riskReview = &command[ReviewRiskInput, agreement.RiskAssessment]{
	name: "risk.review", doc: "Review one risk (RISK-2).", row: EditAgreements, rule: "ROLE-8",
	apply: func(c *call[ReviewRiskInput]) (agreement.RiskAssessment, error) {
		return c.riskCommand(c.actor, c.in.Flow, func(f agreement.Flow, cur *agreement.RiskAssessment, a agreement.Actor) (agreement.RiskAssessment, error) {
			if cur == nil {
				return agreement.RiskAssessment{}, &Error{Kind: ErrNotFound, Code: "risk_assessment.not_found", Rule: "RISK-2", Message: "the flow has no risk assessment"}
			}
			return cur.ReviewRisk(f, c.in.Index, a, c.now, c.in.RiskReview)
		})
	},
}

// riskCommand loads a visible flow and its assessment (if any), applies change and saves the result.
func (u *uow) riskCommand(actor Actor, flow agreement.FlowID,
	change func(f agreement.Flow, cur *agreement.RiskAssessment, a agreement.Actor) (agreement.RiskAssessment, error)) (agreement.RiskAssessment, error) {
	f, _, err := u.visibleFlow(actor, flow)
	if err != nil {
		return agreement.RiskAssessment{}, err
	}
	cur, version, err := u.riskOf(f.ID)
	if err != nil {
		return agreement.RiskAssessment{}, err
	}
	ra, err := change(f, cur, agreement.Actor{User: actor.User, Org: actor.Org})
	if err != nil {
		return agreement.RiskAssessment{}, err
	}
	return ra, u.saveRisk(ra, version)
}

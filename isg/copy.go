package isg

import (
	"context"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/agreement"
)

const kindRiskAssessment Kind = "risk_assessment"

// appendLog writes the given changes as new entries of a subject's log (LOG-1) and returns the
// moved head. Copies start their log with what they were copied from rather than a field-by-field
// history they do not have (SUM-4).
func (u *uow) appendLog(actor Actor, subject uuid.UUID, head agreement.LogHead, changes []agreement.Change) (agreement.LogHead, error) {
	entries, next := agreement.Append(head, subject, changes, actor.User, actor.Org, u.now)
	for _, e := range entries {
		if _, err := u.save(kindLogEntry, logEntryID(subject, e.Seq), 0, e, key("subject", subject.String())); err != nil {
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
func (g *Gateway) CopySummary(ctx context.Context, actor Actor, id string) (agreement.SummaryCopy, error) {
	var out agreement.SummaryCopy
	err := g.update(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, EditAgreements, "ROLE-8"); err != nil {
			return err
		}
		if _, err := u.openOrg(actor.Org); err != nil {
			return err
		}
		src, _, err := u.visibleSummary(actor, id)
		if err != nil {
			return err
		}
		flows, _, err := findAll[agreement.Flow](u, kindFlow, key("summary", src.ID.String()))
		if err != nil {
			return err
		}
		var risks []agreement.RiskAssessment
		for _, f := range flows {
			ra, _, err := u.riskOf(f.ID)
			if err != nil {
				return err
			}
			if ra != nil {
				risks = append(risks, *ra)
			}
		}
		c, err := agreement.CopySummary(src, flows, risks, agreement.Actor{User: actor.User, Org: actor.Org}, u.now, u.newID)
		if err != nil {
			return err
		}
		heads := map[uuid.UUID]agreement.LogHead{}
		for _, l := range c.Logs {
			if heads[l.Subject], err = u.appendLog(actor, l.Subject, agreement.LogHead{}, l.Changes); err != nil {
				return err
			}
		}
		c.Summary.Log = heads[c.Summary.ID.UUID]
		if _, err := u.save(kindSummary, c.Summary.ID.String(), 0, c.Summary, summaryKeys(c.Summary)...); err != nil {
			return err
		}
		for i, f := range c.Flows {
			f.Log = heads[f.ID.UUID]
			c.Flows[i] = f
			if _, err := u.save(kindFlow, f.ID.String(), 0, f, flowKeys(f)...); err != nil {
				return err
			}
		}
		for _, ra := range c.RiskAssessments {
			if err := u.saveRisk(ra, 0); err != nil {
				return err
			}
		}
		if err := u.copyDocuments(actor, "summary/"+src.ID.String(), "summary", c.Summary.ID.String()); err != nil {
			return err
		}
		out = c
		return nil
	})
	return out, err
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
	Flow    string `json:"flow" validate:"required" rule:"FLOW-10"`
	Summary string `json:"summary" validate:"required" rule:"FLOW-10"`
}

// CopyFlow copies a flow as a new Draft beneath a summary (FLOW-10): its terms only — no reviews,
// no finalisation, and no risk assessment, which each flow gets afresh.
func (g *Gateway) CopyFlow(ctx context.Context, actor Actor, in CopyFlowInput) (FlowView, error) {
	if err := validateInput(in, "FLOW-10"); err != nil {
		return FlowView{}, err
	}
	var out FlowView
	err := g.update(ctx, func(u *uow) error {
		held, err := u.authorizeAt(actor, actor.Org, EditAgreements, "ROLE-8")
		if err != nil {
			return err
		}
		src, _, err := u.visibleFlow(actor, in.Flow)
		if err != nil {
			return err
		}
		s, _, err := u.visibleSummary(actor, in.Summary)
		if err != nil {
			return err
		}
		if err := u.requireOpenOrgs("parties", nil, src.Parties); err != nil {
			return err
		}
		f, changes, err := agreement.CopyFlow(src, s, agreement.FlowID{UUID: u.newID()}, agreement.Actor{User: actor.User, Org: actor.Org}, u.now)
		if err != nil {
			return err
		}
		if f.Log, err = u.appendLog(actor, f.ID.UUID, agreement.LogHead{}, changes); err != nil {
			return err
		}
		if _, err := u.save(kindFlow, f.ID.String(), 0, f, flowKeys(f)...); err != nil {
			return err
		}
		out, err = u.flowView(actor, f, held)
		return err
	})
	return out, err
}

// RiskInput sets a flow's risk assessment.
type RiskInput struct {
	Flow  string           `json:"flow" validate:"required" rule:"RISK-1"`
	Risks []agreement.Risk `json:"risks" rule:"RISK-1"`
}

// SaveRiskAssessment creates a flow's risk assessment, or replaces its risks. The actor's
// organisation must see the flow and hold an editing role.
func (g *Gateway) SaveRiskAssessment(ctx context.Context, actor Actor, in RiskInput) (agreement.RiskAssessment, error) {
	if err := validateInput(in, "RISK-1"); err != nil {
		return agreement.RiskAssessment{}, err
	}
	var out agreement.RiskAssessment
	err := g.update(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, EditAgreements, "ROLE-8"); err != nil {
			return err
		}
		f, _, err := u.visibleFlow(actor, in.Flow)
		if err != nil {
			return err
		}
		cur, version, err := u.riskOf(f.ID)
		if err != nil {
			return err
		}
		id := agreement.RiskAssessmentID{UUID: u.newID()}
		if cur != nil {
			id = cur.ID
		}
		ra, err := agreement.NewRiskAssessment(id, f, agreement.Actor{User: actor.User, Org: actor.Org}, u.now, in.Risks)
		if err != nil {
			return err
		}
		if cur != nil {
			ra.CreatedBy, ra.CreatedAt, ra.CopiedFrom = cur.CreatedBy, cur.CreatedAt, cur.CopiedFrom
		}
		out = ra
		return u.saveRisk(ra, version)
	})
	return out, err
}

// RiskAssessment returns the risk assessment of a flow the actor's organisation may see.
func (g *Gateway) RiskAssessment(ctx context.Context, actor Actor, flow string) (agreement.RiskAssessment, error) {
	var out agreement.RiskAssessment
	err := g.view(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, ViewOrganisation, "ROLE-8"); err != nil {
			return err
		}
		f, _, err := u.visibleFlow(actor, flow)
		if err != nil {
			return err
		}
		ra, _, err := u.riskOf(f.ID)
		if err != nil {
			return err
		}
		if ra == nil {
			return &Error{Kind: ErrNotFound, Code: "risk_assessment.not_found", Message: "the flow has no risk assessment"}
		}
		out = *ra
		return nil
	})
	return out, err
}

// ImportRiskInput imports another flow's risk assessment.
type ImportRiskInput struct {
	From string `json:"from" validate:"required" rule:"FLOW-10"`
	To   string `json:"to" validate:"required" rule:"FLOW-10"`
}

// ImportRiskAssessment copies the risk assessment of one flow to another the actor's organisation
// may see (FLOW-10), replacing the target's. Nothing else changes: not the summary, the flows or
// their privacy answers.
func (g *Gateway) ImportRiskAssessment(ctx context.Context, actor Actor, in ImportRiskInput) (agreement.RiskAssessment, error) {
	if err := validateInput(in, "FLOW-10"); err != nil {
		return agreement.RiskAssessment{}, err
	}
	var out agreement.RiskAssessment
	err := g.update(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, EditAgreements, "ROLE-8"); err != nil {
			return err
		}
		from, _, err := u.visibleFlow(actor, in.From)
		if err != nil {
			return err
		}
		to, _, err := u.visibleFlow(actor, in.To)
		if err != nil {
			return err
		}
		src, _, err := u.riskOf(from.ID)
		if err != nil {
			return err
		}
		if src == nil {
			return &Error{Kind: ErrNotFound, Code: "risk_assessment.not_found", Rule: "FLOW-10", Message: "the source flow has no risk assessment"}
		}
		cur, version, err := u.riskOf(to.ID)
		if err != nil {
			return err
		}
		id := agreement.RiskAssessmentID{UUID: u.newID()}
		if cur != nil {
			id = cur.ID
		}
		ra, err := agreement.ImportRiskAssessment(id, from, *src, to, agreement.Actor{User: actor.User, Org: actor.Org}, u.now)
		if err != nil {
			return err
		}
		out = ra
		return u.saveRisk(ra, version)
	})
	return out, err
}

// GenerateRiskAssessment builds (or rebuilds) a flow's risk assessment from its privacy screening
// answers (RISK-1), keeping risks already reviewed and risks added by hand (RISK-2).
func (g *Gateway) GenerateRiskAssessment(ctx context.Context, actor Actor, flow string) (agreement.RiskAssessment, error) {
	return g.riskCommand(ctx, actor, flow, func(u *uow, f agreement.Flow, cur *agreement.RiskAssessment, a agreement.Actor) (agreement.RiskAssessment, error) {
		return agreement.GenerateRiskAssessment(agreement.RiskAssessmentID{UUID: u.newID()}, f, cur, a, u.now)
	})
}

// ReviewRiskInput reviews one risk of a flow's assessment.
type ReviewRiskInput struct {
	Flow  string `json:"flow" validate:"required" rule:"RISK-2"`
	Index int    `json:"index" validate:"gte=0" rule:"RISK-2"`
	agreement.RiskReview
}

// ReviewRisk records the actor's review of one risk: mitigation and residual levels, who and when
// (RISK-2).
func (g *Gateway) ReviewRisk(ctx context.Context, actor Actor, in ReviewRiskInput) (agreement.RiskAssessment, error) {
	if err := validateInput(in, "RISK-2"); err != nil {
		return agreement.RiskAssessment{}, err
	}
	return g.riskCommand(ctx, actor, in.Flow, func(u *uow, f agreement.Flow, cur *agreement.RiskAssessment, a agreement.Actor) (agreement.RiskAssessment, error) {
		if cur == nil {
			return agreement.RiskAssessment{}, &Error{Kind: ErrNotFound, Code: "risk_assessment.not_found", Rule: "RISK-2", Message: "the flow has no risk assessment"}
		}
		return cur.ReviewRisk(f, in.Index, a, u.now, in.RiskReview)
	})
}

// riskCommand loads a visible flow and its assessment (if any), applies change and saves the result.
func (g *Gateway) riskCommand(ctx context.Context, actor Actor, flow string,
	change func(u *uow, f agreement.Flow, cur *agreement.RiskAssessment, a agreement.Actor) (agreement.RiskAssessment, error)) (agreement.RiskAssessment, error) {
	var out agreement.RiskAssessment
	err := g.update(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, EditAgreements, "ROLE-8"); err != nil {
			return err
		}
		f, _, err := u.visibleFlow(actor, flow)
		if err != nil {
			return err
		}
		cur, version, err := u.riskOf(f.ID)
		if err != nil {
			return err
		}
		ra, err := change(u, f, cur, agreement.Actor{User: actor.User, Org: actor.Org})
		if err != nil {
			return err
		}
		out = ra
		return u.saveRisk(ra, version)
	})
	return out, err
}

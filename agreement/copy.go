package agreement

import (
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/isg/violation"
)

// SubjectChanges are the log changes one new summary or flow starts its log with.
type SubjectChanges struct {
	Subject uuid.UUID `json:"subject"`
	Changes []Change  `json:"changes"`
}

// DocumentCopy maps a document of the source summary to its copy, so the host can duplicate the
// bytes it keeps.
type DocumentCopy struct {
	From DocumentID `json:"from"`
	To   DocumentID `json:"to"`
}

// SummaryCopy is everything a summary copy creates (SUM-4).
type SummaryCopy struct {
	Summary         Summary          `json:"summary"`
	Flows           []Flow           `json:"flows,omitempty"`
	RiskAssessments []RiskAssessment `json:"risk_assessments,omitempty"`
	Documents       []DocumentCopy   `json:"documents,omitempty"`
	// Logs holds, for the summary and each flow copy, the first log entries' changes: what it was
	// copied from. Append each to an empty LogHead.
	Logs []SubjectChanges `json:"logs"`
}

// CopySummary copies summary src for actor at time at (SUM-4): its information, its flows, its
// documents, its additional contacts and the flows' risk assessments, as new drafts with IDs
// from newID, made by the actor, with no DPO reviews, signatures, risk review stamps or history.
// Of flows and risks only those of src's flows count; of the flows only those the actor's
// organisation may see (SUM-3) are copied, because a copy must not reveal a flow its maker could
// not open. The copy's log records what it was copied from.
//
// Errors: ErrForbidden (CodeSummaryNotVisible) when the actor's organisation cannot see src;
// ErrInvalid when newID is nil or gives a nil or repeated ID.
func CopySummary(src Summary, flows []Flow, risks []RiskAssessment, actor Actor, at time.Time, newID func() uuid.UUID) (SummaryCopy, error) {
	if !CanSeeSummary(actor.Org, src) {
		return SummaryCopy{}, violation.New(ErrForbidden, CodeSummaryNotVisible, "SUM-3",
			"only an organisation named in the summary or its creator may copy it")
	}
	ids := &idSource{next: newID, seen: map[uuid.UUID]struct{}{}}
	at = at.UTC()
	out := SummaryCopy{}
	s := Summary{
		ID: SummaryID{ids.id()}, CreatedByOrg: actor.Org, CreatedBy: actor.User, CreatedAt: at, UpdatedAt: at,
		CopiedFrom: src.ID, Rev: 1, SummaryTerms: src.SummaryTerms.normalised(),
		// The copy names the same organisations, so the same ones are not registered yet (ORG-11).
		Unregistered: cloneSlice(src.Unregistered),
	}
	for i, d := range s.Documents {
		nd := DocumentID{ids.id()}
		out.Documents = append(out.Documents, DocumentCopy{From: d.ID, To: nd})
		s.Documents[i].ID = nd
	}
	out.Summary = s
	out.Logs = append(out.Logs, SubjectChanges{Subject: s.ID.UUID, Changes: copiedFrom(src.ID.UUID)})

	flowMap := map[FlowID]FlowID{}
	for _, f := range flows {
		if f.SummaryID != src.ID || !CanSeeFlow(actor.Org, f) {
			continue
		}
		if _, dup := flowMap[f.ID]; dup {
			continue
		}
		nf := copyFlow(f, s.ID, FlowID{ids.id()}, actor, at)
		flowMap[f.ID] = nf.ID
		out.Flows = append(out.Flows, nf)
		out.Logs = append(out.Logs, SubjectChanges{Subject: nf.ID.UUID, Changes: copiedFrom(f.ID.UUID)})
	}
	for _, ra := range risks {
		nf, ok := flowMap[ra.FlowID]
		if !ok {
			continue
		}
		out.RiskAssessments = append(out.RiskAssessments, copyAssessment(ra, RiskAssessmentID{ids.id()}, nf, actor.User, at))
	}
	if ids.err != nil {
		return SummaryCopy{}, ids.err
	}
	return out, nil
}

// CopyFlow copies flow src beneath summary s (its own or another) as a new Draft flow with ID id,
// made by actor at time at: its terms only, no reviews, no finalisation and no risk assessments,
// which are generated afresh for each flow (FLOW-10). Its parties must be named in s (FLOW-11).
// It returns the copy and its first log changes.
//
// Errors: ErrForbidden (CodeFlowNotVisible, CodeSummaryNotVisible); ErrInvalid with field errors.
func CopyFlow(src Flow, s Summary, id FlowID, actor Actor, at time.Time) (Flow, []Change, error) {
	if !CanSeeFlow(actor.Org, src) {
		return Flow{}, nil, flowNotVisible()
	}
	if !CanSeeSummary(actor.Org, s) {
		return Flow{}, nil, violation.New(ErrForbidden, CodeSummaryNotVisible, "SUM-3",
			"only an organisation named in the summary or its creator may add a flow to it")
	}
	t, extra := src.FlowTerms.normalised()
	extra = append(extra, t.check(s)...)
	extra = append(extra, checkIDs(id.IsZero(), actor)...)
	if err := checkTerms(t, extra); err != nil {
		return Flow{}, nil, err
	}
	return copyFlow(src, s.ID, id, actor, at), copiedFrom(src.ID.UUID), nil
}

func copyFlow(src Flow, s SummaryID, id FlowID, actor Actor, at time.Time) Flow {
	t, _ := src.FlowTerms.normalised()
	return Flow{
		ID: id, SummaryID: s, CreatedByOrg: actor.Org, CreatedBy: actor.User, CreatedAt: at, UpdatedAt: at,
		CopiedFrom: src.ID, State: Draft, Rev: 1, FlowTerms: t,
	}
}

func copiedFrom(id uuid.UUID) []Change {
	return []Change{{Field: "copied_from", Old: "null", New: strconv.Quote(id.String())}}
}

// idSource hands out IDs from the host's generator and remembers the first bad one, so a copy
// either gets distinct non-nil IDs throughout or fails whole.
type idSource struct {
	next func() uuid.UUID
	seen map[uuid.UUID]struct{}
	err  error
}

func (s *idSource) id() uuid.UUID {
	if s.err != nil {
		return uuid.Nil
	}
	if s.next == nil {
		s.err = violation.Field("new_id", "required", "SUM-4", "an ID source is required")
		return uuid.Nil
	}
	u := s.next()
	if _, dup := s.seen[u]; dup || u == uuid.Nil {
		s.err = violation.Field("new_id", "invalid", "SUM-4", "the ID source gave a nil or repeated ID")
		return uuid.Nil
	}
	s.seen[u] = struct{}{}
	return u
}

package report

import (
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/assurance"
)

// ---- flows by status ----------------------------------------------------------------------

// FlowRow is one flow of FlowsByStatus.
type FlowRow struct {
	Flow      agreement.FlowID    `json:"flow"`
	Name      string              `json:"name"`
	Summary   agreement.SummaryID `json:"summary"`
	Status    agreement.FlowState `json:"status"`
	CreatedBy OrgID               `json:"created_by_org"`
	// Parties are the flow's organisations, by name.
	Parties   []string  `json:"parties"`
	UpdatedAt time.Time `json:"updated_at"`
}

// StatusCount is how many of the visible flows are in one state.
type StatusCount struct {
	Status agreement.FlowState `json:"status"`
	Count  int                 `json:"count"`
}

// FlowsByStatus is every flow the viewer may see, grouped by state: Counts has one entry per
// state of the lifecycle in its order (zero counts included, so a table always has the same
// lines), and Rows the flows in that order, by ID within a state. Total is len(Rows).
type FlowsByStatus struct {
	Counts []StatusCount `json:"counts"`
	Rows   []FlowRow     `json:"rows"`
	Total  int           `json:"total"`
}

// HeaderFlowsByStatus is the header row of FlowsByStatus.WriteCSV; HeaderStatusCounts that of
// WriteCountsCSV.
var (
	HeaderFlowsByStatus = []string{"status", "flow_id", "flow_name", "summary_id", "created_by_org", "parties", "updated_at"}
	HeaderStatusCounts  = []string{"status", "count"}
)

// BuildFlowsByStatus counts and lists the flows viewer may see by state (SUM-3).
func BuildFlowsByStatus(viewer OrgID, flows []*agreement.Flow, names Names) FlowsByStatus {
	states := agreement.FlowStates()
	out := FlowsByStatus{Counts: make([]StatusCount, len(states)), Rows: []FlowRow{}}
	at := map[agreement.FlowState]int{}
	for i, s := range states {
		out.Counts[i].Status, at[s] = s, i
	}
	vis := visibleFlows(viewer, flows)
	for _, f := range vis {
		i, ok := at[f.State]
		if !ok { // a state this build does not know: counted at the end, never dropped
			i = len(out.Counts)
			at[f.State] = i
			out.Counts = append(out.Counts, StatusCount{Status: f.State})
		}
		out.Counts[i].Count++
	}
	slices.SortStableFunc(vis, func(a, b *agreement.Flow) int { return at[a.State] - at[b.State] })
	for _, f := range vis {
		parties := make([]string, len(f.Parties))
		for i, p := range f.Parties {
			parties[i] = names.of(p)
		}
		out.Rows = append(out.Rows, FlowRow{Flow: f.ID, Name: f.Name, Summary: f.SummaryID, Status: f.State, CreatedBy: f.CreatedByOrg,
			Parties: parties, UpdatedAt: f.UpdatedAt})
	}
	out.Total = len(out.Rows)
	return out
}

// WriteCSV writes the rows under HeaderFlowsByStatus.
func (r FlowsByStatus) WriteCSV(w io.Writer) error {
	rows := make([][]string, len(r.Rows))
	for i, x := range r.Rows {
		rows[i] = []string{string(x.Status), x.Flow.String(), x.Name, x.Summary.String(), x.CreatedBy.String(), strings.Join(x.Parties, "; "), instant(x.UpdatedAt)}
	}
	return csvTable(w, HeaderFlowsByStatus, rows)
}

// WriteCountsCSV writes the counts under HeaderStatusCounts.
func (r FlowsByStatus) WriteCountsCSV(w io.Writer) error {
	rows := make([][]string, len(r.Counts))
	for i, c := range r.Counts {
		rows[i] = []string{string(c.Status), strconv.Itoa(c.Count)}
	}
	return csvTable(w, HeaderStatusCounts, rows)
}

// ---- reviews due --------------------------------------------------------------------------

// ReviewRow is one summary whose review falls due (LIFE-1).
type ReviewRow struct {
	Summary        agreement.SummaryID `json:"summary"`
	Title          string              `json:"title"`
	DataAsset      string              `json:"data_asset"`
	DueAt          time.Time           `json:"due_at"`
	LastReviewedAt time.Time           `json:"last_reviewed_at,omitzero"`
	CycleMonths    int                 `json:"cycle_months"`
	// Overdue is set when the review is due at the report's time (Summary.ReviewDue).
	Overdue bool `json:"overdue"`
}

// ReviewsDue lists the visible summaries whose review falls due by DueBy, soonest first.
type ReviewsDue struct {
	At    time.Time   `json:"at"`
	DueBy time.Time   `json:"due_by"`
	Rows  []ReviewRow `json:"rows"`
	// Total is len(Rows); Overdue how many of them are due already.
	Total   int `json:"total"`
	Overdue int `json:"overdue"`
}

// HeaderReviewsDue is the header row of ReviewsDue.WriteCSV.
var HeaderReviewsDue = []string{"summary_id", "title", "data_asset", "due_at", "last_reviewed_at", "cycle_months", "overdue"}

// BuildReviewsDue lists the summaries viewer may see (SUM-3) whose review falls due by dueBy
// (LIFE-1), at time now; a zero dueBy means now: the reviews due already.
func BuildReviewsDue(viewer OrgID, summaries []*agreement.Summary, now, dueBy time.Time) ReviewsDue {
	now = now.UTC()
	if dueBy.IsZero() {
		dueBy = now
	}
	out := ReviewsDue{At: now, DueBy: dueBy.UTC(), Rows: []ReviewRow{}}
	seen := map[agreement.SummaryID]bool{}
	for _, s := range summaries {
		if s == nil || !agreement.CanSeeSummary(viewer, *s) || seen[s.ID] {
			continue
		}
		seen[s.ID] = true
		due := s.ReviewDueAt()
		if due.After(dueBy) {
			continue
		}
		cycle := s.ReviewCycleMonths
		if cycle == 0 {
			cycle = agreement.DefaultReviewCycleMonths
		}
		r := ReviewRow{Summary: s.ID, Title: s.Title, DataAsset: s.DataAsset, DueAt: due.UTC(), LastReviewedAt: s.LastReviewedAt,
			CycleMonths: cycle, Overdue: s.ReviewDue(now)}
		if r.Overdue {
			out.Overdue++
		}
		out.Rows = append(out.Rows, r)
	}
	slices.SortFunc(out.Rows, func(a, b ReviewRow) int {
		if c := a.DueAt.Compare(b.DueAt); c != 0 {
			return c
		}
		return strings.Compare(a.Summary.String(), b.Summary.String())
	})
	out.Total = len(out.Rows)
	return out
}

// WriteCSV writes the rows under HeaderReviewsDue.
func (r ReviewsDue) WriteCSV(w io.Writer) error {
	rows := make([][]string, len(r.Rows))
	for i, x := range r.Rows {
		rows[i] = []string{x.Summary.String(), x.Title, x.DataAsset, instant(x.DueAt), instant(x.LastReviewedAt), strconv.Itoa(x.CycleMonths), yesNo(x.Overdue)}
	}
	return csvTable(w, HeaderReviewsDue, rows)
}

// ---- outstanding signatures ---------------------------------------------------------------

// SignatureRow is one party of a finalised flow that has not signed it off yet (SIGN-1…SIGN-3),
// with the requests made of its users.
type SignatureRow struct {
	Flow     agreement.FlowID `json:"flow"`
	FlowName string           `json:"flow_name"`
	Org      OrgID            `json:"org"`
	OrgName  string           `json:"org_name"`
	// Signers are the users asked to sign for Org; empty when nobody has been asked yet.
	Signers     []agreement.UserID `json:"signers"`
	RequestedAt time.Time          `json:"requested_at,omitzero"`
	// SignBy is the earliest sign-by date of the requests, Enforced whether any is enforced.
	SignBy   time.Time `json:"sign_by,omitzero"`
	Enforced bool      `json:"enforced"`
	// Overdue is set when SignBy has passed at the report's time.
	Overdue bool `json:"overdue"`
}

// OutstandingSignatures lists, for every finalised flow the viewer may see, each party that has
// not signed, by flow ID and party order.
type OutstandingSignatures struct {
	At   time.Time      `json:"at"`
	Rows []SignatureRow `json:"rows"`
	// Total is len(Rows), Flows the distinct flows among them, Overdue the rows past their date.
	Total   int `json:"total"`
	Flows   int `json:"flows"`
	Overdue int `json:"overdue"`
}

// HeaderOutstandingSignatures is the header row of OutstandingSignatures.WriteCSV.
var HeaderOutstandingSignatures = []string{"flow_id", "flow_name", "organisation_id", "organisation_name", "signers", "requested_at",
	"sign_by", "enforced", "overdue"}

// BuildOutstandingSignatures lists the signatures still owed on the finalised flows viewer may
// see (SUM-3), at time now.
func BuildOutstandingSignatures(viewer OrgID, flows []*agreement.Flow, names Names, now time.Time) OutstandingSignatures {
	out := OutstandingSignatures{At: now.UTC(), Rows: []SignatureRow{}}
	for _, f := range visibleFlows(viewer, flows) {
		if f.State != agreement.Finalised {
			continue
		}
		unsigned := f.Unsigned()
		if len(unsigned) > 0 {
			out.Flows++
		}
		for _, p := range unsigned {
			r := SignatureRow{Flow: f.ID, FlowName: f.Name, Org: p, OrgName: names.of(p), Signers: []agreement.UserID{}}
			for _, q := range f.SignOff {
				if q.Org != p {
					continue
				}
				r.Signers = append(r.Signers, q.User)
				if q.RequestedAt.After(r.RequestedAt) {
					r.RequestedAt = q.RequestedAt
				}
				if !q.SignBy.IsZero() && (r.SignBy.IsZero() || q.SignBy.Before(r.SignBy)) {
					r.SignBy = q.SignBy
				}
				r.Enforced = r.Enforced || q.Enforced
			}
			r.Overdue = !r.SignBy.IsZero() && now.After(r.SignBy)
			if r.Overdue {
				out.Overdue++
			}
			out.Rows = append(out.Rows, r)
		}
	}
	out.Total = len(out.Rows)
	return out
}

// WriteCSV writes the rows under HeaderOutstandingSignatures.
func (r OutstandingSignatures) WriteCSV(w io.Writer) error {
	rows := make([][]string, len(r.Rows))
	for i, x := range r.Rows {
		signers := make([]string, len(x.Signers))
		for j, u := range x.Signers {
			signers[j] = u.String()
		}
		rows[i] = []string{x.Flow.String(), x.FlowName, x.Org.String(), x.OrgName, strings.Join(signers, "; "), instant(x.RequestedAt),
			instant(x.SignBy), yesNo(x.Enforced), yesNo(x.Overdue)}
	}
	return csvTable(w, HeaderOutstandingSignatures, rows)
}

// ---- partners' assurance ------------------------------------------------------------------

// PartnerRating is one partner's assurance rating (ASR-6) and how many of the viewer's visible
// flows it shares.
type PartnerRating struct {
	Org    OrgID            `json:"org"`
	Name   string           `json:"name"`
	Rating assurance.Rating `json:"rating"`
	Flows  int              `json:"flows"`
}

// LevelCount is how many partners hold one rating level.
type LevelCount struct {
	Level string `json:"level"`
	Count int    `json:"count"`
}

// PartnerAssurance is the rating of every organisation sharing with the viewer in a visible
// flow, lowest assurance first, with the count per level.
type PartnerAssurance struct {
	Rows    []PartnerRating `json:"rows"`
	ByLevel []LevelCount    `json:"by_level"`
	Total   int             `json:"total"`
}

// HeaderPartnerAssurance is the header row of PartnerAssurance.WriteCSV.
var HeaderPartnerAssurance = []string{"organisation_id", "organisation_name", "level", "colour", "missing", "flows"}

// levelOrder puts the levels needing attention first.
var levelOrder = []assurance.Level{assurance.LevelNone, assurance.LevelLimited, assurance.LevelExpired, assurance.LevelNotSubmitted, assurance.LevelSignificant}

func rank(l assurance.Level) int {
	if i := slices.Index(levelOrder, l); i >= 0 {
		return i
	}
	return len(levelOrder)
}

// BuildPartnerAssurance reports the ratings of viewer's partners (Partners). ratings holds the
// current rating of each; a partner missing from it has not submitted (ASR-6).
func BuildPartnerAssurance(viewer OrgID, flows []*agreement.Flow, ratings map[OrgID]assurance.Rating, names Names) PartnerAssurance {
	count := map[OrgID]int{}
	for _, f := range visibleFlows(viewer, flows) {
		if !f.Names(viewer) {
			continue
		}
		for _, p := range f.Parties {
			if p != viewer {
				count[p]++
			}
		}
	}
	out := PartnerAssurance{Rows: []PartnerRating{}, ByLevel: make([]LevelCount, len(levelOrder))}
	for i, l := range levelOrder {
		out.ByLevel[i].Level = l.Code()
	}
	for _, p := range Partners(viewer, flows) {
		r := ratings[p]
		out.Rows = append(out.Rows, PartnerRating{Org: p, Name: names.of(p), Rating: r, Flows: count[p]})
		if i := rank(r.Level); i < len(levelOrder) {
			out.ByLevel[i].Count++
		}
	}
	slices.SortStableFunc(out.Rows, func(a, b PartnerRating) int {
		if c := rank(a.Rating.Level) - rank(b.Rating.Level); c != 0 {
			return c
		}
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Org.String(), b.Org.String())
	})
	out.Total = len(out.Rows)
	return out
}

// WriteCSV writes the rows under HeaderPartnerAssurance.
func (r PartnerAssurance) WriteCSV(w io.Writer) error {
	rows := make([][]string, len(r.Rows))
	for i, x := range r.Rows {
		rows[i] = []string{x.Org.String(), x.Name, x.Rating.Code(), string(x.Rating.Colour()), strings.Join(x.Rating.Missing.Codes(), "; "), strconv.Itoa(x.Flows)}
	}
	return csvTable(w, HeaderPartnerAssurance, rows)
}

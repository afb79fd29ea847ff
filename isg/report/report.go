package report

import (
	"bytes"
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/isgkit/gateway/agreement"
)

// OrgID identifies an organisation.
type OrgID = agreement.OrgID

// Names are the display names of organisations, by ID. An organisation without one is shown by
// its ID.
type Names map[OrgID]string

func (n Names) of(o OrgID) string {
	if s, ok := n[o]; ok && s != "" {
		return s
	}
	return o.String()
}

// visibleFlows returns the flows viewer may see (SUM-3), in ascending ID order whatever order
// they came in, each once, so that every report is deterministic. It compares IDs as bytes,
// whose order is that of their text, the store's order; flows already in order, as the Gateway
// hands them, are not sorted again.
func visibleFlows(viewer OrgID, flows []*agreement.Flow) []*agreement.Flow {
	out := make([]*agreement.Flow, 0, len(flows))
	for _, f := range flows {
		if f != nil && agreement.CanSeeFlow(viewer, *f) {
			out = append(out, f)
		}
	}
	byID := func(a, b *agreement.Flow) int { return bytes.Compare(a.ID.UUID[:], b.ID.UUID[:]) }
	if !slices.IsSortedFunc(out, byID) {
		slices.SortStableFunc(out, byID)
	}
	return slices.CompactFunc(out, func(a, b *agreement.Flow) bool { return a.ID == b.ID })
}

// sends and receives say whether org sends or receives data in f: on a two-way flow both sides
// do both.
func sends(f *agreement.Flow, org OrgID) bool {
	return slices.Contains(f.From, org) || (f.Direction == agreement.TwoWay && slices.Contains(f.To, org))
}

func receives(f *agreement.Flow, org OrgID) bool {
	return slices.Contains(f.To, org) || (f.Direction == agreement.TwoWay && slices.Contains(f.From, org))
}

// Role is what an organisation does in a flow.
type Role string

// The roles.
const (
	RoleSends    Role = "sends"
	RoleReceives Role = "receives"
	RoleBoth     Role = "sends_and_receives"
)

func roleOf(f *agreement.Flow, org OrgID) Role {
	switch s, r := sends(f, org), receives(f, org); {
	case s && r:
		return RoleBoth
	case s:
		return RoleSends
	default:
		return RoleReceives
	}
}

// Partners returns the organisations that share with viewer in the flows it may see and is a
// party to, excluding viewer, in order of first appearance by flow ID: the organisations whose
// names and ratings a report needs, and no others.
func Partners(viewer OrgID, flows []*agreement.Flow) []OrgID {
	var out []OrgID
	seen := map[OrgID]bool{viewer: true}
	for _, f := range visibleFlows(viewer, flows) {
		if !f.Names(viewer) {
			continue
		}
		for _, p := range f.Parties {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// Organisations returns every organisation named in the flows viewer may see (their parties and
// creators, viewer included), each once: the names a report over those flows may show.
func Organisations(viewer OrgID, flows []*agreement.Flow) []OrgID {
	out := []OrgID{viewer}
	seen := map[OrgID]bool{viewer: true}
	add := func(o OrgID) {
		if !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	for _, f := range visibleFlows(viewer, flows) {
		add(f.CreatedByOrg)
		for _, p := range f.Parties {
			add(p)
		}
	}
	return out
}

// csvTable writes header then rows with encoding/csv, every cell made safe for spreadsheets.
func csvTable(w io.Writer, header []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		for i, c := range r {
			r[i] = cell(c)
		}
		if err := cw.Write(r); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// cell keeps a spreadsheet from running a cell as a formula (CSV injection): the text comes from
// other organisations' users.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func instant(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func yesNo(b bool) string { return strconv.FormatBool(b) }

func joined[T ~string](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, "; ")
}

func basesText(bs []agreement.LegalBasis) string {
	s := make([]string, len(bs))
	for i, b := range bs {
		s[i] = string(b.Basis)
		if b.Instrument != "" {
			s[i] += " (" + b.Instrument + ")"
		}
	}
	return strings.Join(s, "; ")
}

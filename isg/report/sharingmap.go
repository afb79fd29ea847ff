package report

import (
	"cmp"
	"io"
	"slices"
	"strings"

	"github.com/isgkit/gateway/agreement"
)

// Direction says which way a dataset moves between the viewing organisation and a partner.
type Direction string

// The directions of a sharing map.
const (
	// Sends: the viewing organisation sends the dataset to the partner.
	Sends Direction = "sends"
	// Receives: the viewing organisation receives the dataset from the partner.
	Receives Direction = "receives"
)

// Share is one dataset moving between the viewing organisation and one partner in one flow. A
// two-way flow gives a Sends and a Receives row for each partner on the other side.
type Share struct {
	Direction   Direction           `json:"direction"`
	Partner     OrgID               `json:"partner"`
	PartnerName string              `json:"partner_name"`
	Dataset     string              `json:"dataset"`
	Flow        agreement.FlowID    `json:"flow"`
	Status      agreement.FlowState `json:"status"`
}

// SharingMap is the data sharing map of one organisation (EXIT-1): the datasets it shares and
// with whom, from the flows it may see and is a party to. A dataset is a flow's name. Rows are in
// flow ID order, then direction (sends first), then the partner's party order.
type SharingMap struct {
	Org     OrgID   `json:"org"`
	OrgName string  `json:"org_name"`
	Rows    []Share `json:"rows"`
	// Flows counts the flows of Rows, Partners their distinct partners, Datasets their distinct
	// dataset names.
	Flows    int `json:"flows"`
	Partners int `json:"partners"`
	Datasets int `json:"datasets"`
}

// HeaderSharingMap is the header row of SharingMap.WriteCSV.
var HeaderSharingMap = []string{"direction", "partner_id", "partner_name", "dataset", "flow_id", "status"}

// BuildSharingMap draws viewer's data sharing map from the flows it may see (SUM-3). A flow that
// viewer created but is not a party to moves no data of its own, so it is not on its map.
func BuildSharingMap(viewer OrgID, flows []*agreement.Flow, names Names) SharingMap {
	vis := visibleFlows(viewer, flows)
	out := SharingMap{Org: viewer, OrgName: names.of(viewer), Rows: make([]Share, 0, len(vis))} // most flows are one row
	partners, datasets := map[OrgID]bool{}, map[string]bool{}
	for _, f := range vis {
		if !f.Names(viewer) {
			continue
		}
		n := len(out.Rows)
		add := func(d Direction, others []OrgID) {
			for _, p := range others {
				if p == viewer {
					continue
				}
				partners[p], datasets[f.Name] = true, true
				out.Rows = append(out.Rows, Share{Direction: d, Partner: p, PartnerName: names.of(p), Dataset: f.Name, Flow: f.ID, Status: f.State})
			}
		}
		// Data moves from the From side to the To side, and back on a two-way flow.
		if sends(f, viewer) {
			add(Sends, counterparts(f, viewer))
		}
		if receives(f, viewer) {
			add(Receives, counterparts(f, viewer))
		}
		if len(out.Rows) > n {
			out.Flows++
		}
	}
	out.Partners, out.Datasets = len(partners), len(datasets)
	return out
}

// counterparts are the organisations on the other side of f from org.
func counterparts(f *agreement.Flow, org OrgID) []OrgID {
	var out []OrgID
	for _, side := range [][]OrgID{f.From, f.To} {
		if slices.Contains(side, org) {
			continue
		}
		for _, o := range side {
			if !slices.Contains(out, o) {
				out = append(out, o)
			}
		}
	}
	return out
}

// WriteCSV writes the rows under HeaderSharingMap.
func (m SharingMap) WriteCSV(w io.Writer) error {
	rows := make([][]string, len(m.Rows))
	for i, x := range m.Rows {
		rows[i] = []string{string(x.Direction), x.Partner.String(), x.PartnerName, x.Dataset, x.Flow.String(), string(x.Status)}
	}
	return csvTable(w, HeaderSharingMap, rows)
}

// Link is one partner on one side of the map with every dataset moving that way, the edges of
// the picture.
type Link struct {
	Direction   Direction `json:"direction"`
	Partner     OrgID     `json:"partner"`
	PartnerName string    `json:"partner_name"`
	// Datasets are the distinct dataset names, sorted.
	Datasets []string `json:"datasets"`
}

// Links groups the rows by direction and partner: senders to the viewer (Receives) first, then
// the partners it sends to, each side by partner name and then ID, so that the DOT text and the
// picture come out the same for the same map.
func (m SharingMap) Links() []Link {
	type k struct {
		d Direction
		p OrgID
	}
	at := map[k]int{}
	var out []Link
	for _, r := range m.Rows {
		i, ok := at[k{r.Direction, r.Partner}]
		if !ok {
			i = len(out)
			at[k{r.Direction, r.Partner}] = i
			out = append(out, Link{Direction: r.Direction, Partner: r.Partner, PartnerName: r.PartnerName})
		}
		if !slices.Contains(out[i].Datasets, r.Dataset) {
			out[i].Datasets = append(out[i].Datasets, r.Dataset)
		}
	}
	for i := range out {
		slices.Sort(out[i].Datasets)
	}
	slices.SortFunc(out, func(a, b Link) int {
		if a.Direction != b.Direction {
			if a.Direction == Receives {
				return -1
			}
			return 1
		}
		return cmp.Or(strings.Compare(a.PartnerName, b.PartnerName), strings.Compare(a.Partner.String(), b.Partner.String()))
	})
	return out
}

// DOT renders the map as a Graphviz digraph, left to right: the organisations sending to the
// viewer on the left, the viewer in the middle, those it receives data on the right; each edge
// is labelled with its datasets, one a line. A partner sharing both ways appears on both sides.
// The text is deterministic, and every string in it is quoted and escaped.
func (m SharingMap) DOT() string {
	var b strings.Builder
	center := "org:" + m.Org.String()
	b.WriteString("digraph sharing_map {\n\trankdir=LR;\n\tnode [shape=box, style=rounded, fontname=\"sans-serif\"];\n")
	b.WriteString("\tedge [fontname=\"sans-serif\", fontsize=10];\n")
	b.WriteString("\t" + dotQuote(center) + " [label=" + dotQuote(m.OrgName) + ", style=\"rounded,bold\"];\n")
	for _, l := range m.Links() {
		node := string(l.Direction) + ":" + l.Partner.String()
		b.WriteString("\t" + dotQuote(node) + " [label=" + dotQuote(l.PartnerName) + "];\n")
		from, to := node, center
		if l.Direction == Sends {
			from, to = center, node
		}
		b.WriteString("\t" + dotQuote(from) + " -> " + dotQuote(to) + " [label=" + dotQuote(strings.Join(l.Datasets, "\n")) + "];\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// dotQuote makes s a DOT quoted string: backslashes and quotes escaped, so that no name can end
// the string or start an escape sequence of its own, and line breaks as \n.
func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)
	return `"` + r.Replace(s) + `"`
}

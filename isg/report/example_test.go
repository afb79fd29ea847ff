package report_test

import (
	"fmt"
	"os"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg/report"
)

// A council sends ASB counts to the police; the police send intelligence to a third body, which
// the council may not see. The council's sharing map shows its own flow only, as rows, CSV and
// DOT (SVG() draws the same picture).
func Example() {
	ids := func(n byte) uuid.UUID { return uuid.UUID{15: n} }
	council, police, other := agreement.OrgID{UUID: ids(1)}, agreement.OrgID{UUID: ids(2)}, agreement.OrgID{UUID: ids(3)}
	names := report.Names{council: "Leeds City Council", police: "West Yorkshire Police", other: "Other Council"}
	oneWay := func(n byte, name string, from, to agreement.OrgID) agreement.Flow {
		return agreement.Flow{ID: agreement.FlowID{UUID: ids(n)}, CreatedByOrg: from, State: agreement.Finalised,
			FlowTerms: agreement.FlowTerms{Name: name, Parties: []agreement.OrgID{from, to}, Direction: agreement.OneWay,
				From: []agreement.OrgID{from}, To: []agreement.OrgID{to}}}
	}
	asb, intelligence := oneWay(10, "ASB counts", council, police), oneWay(11, "Intelligence", police, other)
	flows := []*agreement.Flow{&asb, &intelligence}

	m := report.BuildSharingMap(council, flows, names)
	fmt.Println(m.Flows, "flow,", m.Partners, "partner")
	if err := m.WriteCSV(os.Stdout); err != nil {
		fmt.Println(err)
	}
	fmt.Print(m.DOT())
	// Output:
	// 1 flow, 1 partner
	// direction,partner_id,partner_name,dataset,flow_id,status
	// sends,00000000-0000-0000-0000-000000000002,West Yorkshire Police,ASB counts,00000000-0000-0000-0000-00000000000a,finalised
	// digraph sharing_map {
	// 	rankdir=LR;
	// 	node [shape=box, style=rounded, fontname="sans-serif"];
	// 	edge [fontname="sans-serif", fontsize=10];
	// 	"org:00000000-0000-0000-0000-000000000001" [label="Leeds City Council", style="rounded,bold"];
	// 	"sends:00000000-0000-0000-0000-000000000002" [label="West Yorkshire Police"];
	// 	"org:00000000-0000-0000-0000-000000000001" -> "sends:00000000-0000-0000-0000-000000000002" [label="ASB counts"];
	// }
}

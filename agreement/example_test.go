package agreement_test

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/agreement"
)

// A trust and a council share safeguarding records: the trust creates the summary and a flow,
// asks the council's DPO to review it, the DPO approves and the trust finalises.
func Example() {
	ids := func(n byte) uuid.UUID { return uuid.UUID{15: n} }
	trust, council := agreement.OrgID{UUID: ids(1)}, agreement.OrgID{UUID: ids(2)}
	officer := agreement.Actor{User: agreement.UserID{UUID: ids(3)}, Org: trust}
	dpo := agreement.Actor{User: agreement.UserID{UUID: ids(4)}, Org: council}
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

	s, err := agreement.NewSummary(agreement.SummaryID{UUID: ids(10)}, officer, now, agreement.SummaryTerms{
		Title: "Child safeguarding", Organisations: []agreement.OrgID{trust, council},
		DataAsset: "Safeguarding referrals", Purpose: "Protect children at risk",
		Benefits: "Faster multi-agency response", Format: "Electronic",
		InformationShared: []agreement.InfoCategory{agreement.InfoPersonal, agreement.InfoSpecialCategory},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	f, err := agreement.NewFlow(agreement.FlowID{UUID: ids(11)}, s, officer, now, agreement.FlowTerms{
		Name: "Referrals to children's services", Parties: []agreement.OrgID{trust, council},
		Direction: agreement.OneWay, From: []agreement.OrgID{trust}, To: []agreement.OrgID{council},
		Frequency: agreement.Daily, TransferMode: agreement.SecureEmail,
		Controls:     []string{"Encrypted in transit", "Role-based access"},
		PersonalData: true, SpecialCategoryData: true,
		LegalBases: []agreement.LegalBasis{
			{Basis: "Art. 6(1)(e)", Instrument: "Children Act 1989 s.47"},
			{Basis: "Art. 9(2)(h)", Instrument: "DPA 2018 Sch.1 para 2"},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	m := agreement.NewFlowMachine()
	fmt.Println(f.State, m.Permitted(f, officer, now))

	_, _, err = m.Finalise(f, officer, now)
	fmt.Println("finalise from draft:", agreement.Code(err))

	f, events, _ := m.RequestReview(f, officer, now, agreement.ReviewRequest{
		DPOs: []agreement.Reviewer{{DPO: dpo.User, Org: council}}, ReviewBy: now.AddDate(0, 0, 14),
	})
	fmt.Println(f.State, events[0].Type)

	f, events, _ = m.Approve(f, dpo, now.Add(time.Hour), agreement.Verdict{Details: "Proportionate"})
	fmt.Println(f.State, events[0].Type, "notify", events[0].Requester == officer.User)

	f, events, _ = m.Finalise(f, officer, now.Add(2*time.Hour))
	fmt.Println(f.State, events[0].Type, f.LegalBases[0].Basis, f.LegalBases[1].Basis.Citation())
	// Output:
	// draft [edit request_review]
	// finalise from draft: flow.dpo_approval_required
	// in_review flow.dpo_review_requested
	// approved flow.dpo_approved notify true
	// finalised flow.finalised A6-1-e Art. 9(2)(h)
}

package licensing_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/isgkit/gateway/licensing"
)

// A contract, one licence request answered, the capabilities it gives, the contract ending, and
// the renewal cap.
func Example() {
	rules := licensing.NewRules() // once, kept by the Gateway
	start := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	council := licensing.OrgID{UUID: uuid.MustParse("0190a1b2-0000-7000-8000-000000000001")}
	charity := licensing.OrgID{UUID: uuid.MustParse("0190a1b2-0000-7000-8000-000000000002")}

	contract, _, err := licensing.NewContract(licensing.ContractInput{
		Org:   council,
		Group: "Cumbria and Lancashire",
		Term:  licensing.Period{Start: start, End: start.AddDate(1, 0, 0)},
		Price: decimal.RequireFromString("4250.00"),
	}, licensing.ContractID{UUID: uuid.MustParse("0190a1b2-0000-7000-8000-0000000000c1")}, start)
	if err != nil {
		panic(err)
	}

	// The charity asked for a licence when it registered (LIC-7); a Super Administrator allocates.
	req, _, _ := licensing.NewRequest(licensing.RequestInput{Org: charity, Contract: contract.ID, Kind: licensing.Group, Private: true},
		licensing.RequestID{UUID: uuid.MustParse("0190a1b2-0000-7000-8000-0000000000b1")}, start)
	req, contract, events, err := rules.AllocateRequest(req, contract,
		licensing.LicenceID{UUID: uuid.MustParse("0190a1b2-0000-7000-8000-0000000000a1")}, start.Add(time.Hour))
	if err != nil {
		panic(err)
	}
	fmt.Println(req.Status, events[0].Type, "warning:", events[0].Warning)
	fmt.Printf("%d of %d licences in use\n", contract.InUse(), contract.Capacity)

	// The Gateway computes the entitlement once per command, then checks capabilities (LIC-3, LIC-4).
	now := start.AddDate(0, 2, 0)
	ent := licensing.EntitlementFor(charity, []licensing.Contract{contract}, now)
	fmt.Println("entitlement:", ent)
	fmt.Println("upload:", licensing.Check(ent, licensing.UploadDocuments))
	err = licensing.Check(ent, licensing.CreateActivity)
	fmt.Println("create activity refused:", errors.Is(err, licensing.ErrLicence), err.(*licensing.Error).Rule)

	// LIC-5: the contract ends early; the charity falls back to the free model, its licence kept.
	contract, _, _ = contract.End(now)
	ent = licensing.EntitlementFor(charity, []licensing.Contract{contract}, now)
	fmt.Println("after the end:", ent, "- licences kept:", len(contract.Licences))
	fmt.Println("4th user:", licensing.CheckUserCount(ent, 3))

	// LIC-6: a renewal may cost at most 5 % more, rounded to pence half-up.
	fmt.Println("renewal cap after 10.10:", licensing.MaxRenewalPrice(decimal.RequireFromString("10.10")))
	// Output:
	// allocated licence.allocated warning: group licences are for sharing with public-sector organisations
	// 1 of 100 licences in use
	// entitlement: group
	// upload: <nil>
	// create activity refused: true LIC-4
	// after the end: free - licences kept: 1
	// 4th user: licence.user_limit [LIC-3]: a free-licence organisation may have at most 3 users; user 4 needs a group licence
	// renewal cap after 10.10: 10.61
}

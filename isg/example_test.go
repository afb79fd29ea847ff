package isg_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/memory"
)

// A host registers a user, verifies the address, registers an organisation and signs the MoU.
func Example() {
	ctx := context.Background()
	g, err := isg.New(memory.New())
	if err != nil {
		panic(err)
	}
	ca, _ := g.Bootstrap(ctx, isg.BootstrapInput{Email: "support@isg.nhs.uk", Name: "Support", Password: "Support#2026"})

	reg, err := g.Register(ctx, isg.RegisterInput{Email: "sam@leeds.nhs.uk", Name: "Sam", Password: "Passw0rd!"})
	if err != nil {
		panic(err)
	}
	fmt.Println("registered:", reg.Account.State, "pending validation:", reg.PendingValidation)
	acc, _ := g.VerifyEmail(ctx, isg.TokenInput{Token: reg.VerificationToken}) // the host e-mails the token
	fmt.Println("verified:", acc.State)

	org, _ := g.RegisterOrganisation(ctx, isg.Actor{User: acc.ID}, isg.RegisterOrganisationInput{
		Name: "Leeds Teaching Hospitals", Category: isg.CategoryNHSTrust, ODSCode: "RR8",
		Address:      isg.Address{Line1: "Great George Street", Town: "Leeds", Postcode: "LS1 3EX"},
		ContactEmail: "ig@leeds.nhs.uk",
	})
	sam := isg.Actor{User: acc.ID, Org: org.ID}

	mou, _ := g.PublishMoU(ctx, isg.Actor{User: ca.ID}, isg.PublishMoUInput{Text: "Memorandum of Understanding v1"})
	_, err = g.SignMoU(ctx, sam, isg.SignMoUInput{Version: mou.Version, Hash: mou.Hash})
	var e *isg.Error
	if errors.As(err, &e) {
		fmt.Println("refused:", e.Code, e.Rule) // an Administrator is not a Senior Officer
	}
	_, _ = g.SetRoles(ctx, sam, isg.SetRolesInput{User: acc.ID, Roles: []isg.Role{isg.Administrator, isg.SeniorOfficer}})
	sig, _ := g.SignMoU(ctx, sam, isg.SignMoUInput{Version: mou.Version, Hash: mou.Hash})
	fmt.Println("signed MoU version", sig.MoUVersion, "as", sig.SignerRole)

	p, _ := g.SetupProgress(ctx, sam, isg.OrgRef{Org: org.ID})
	fmt.Printf("setup %d of %d\n", p.Done, p.Total)
	// Output:
	// registered: unverified pending validation: false
	// verified: active
	// refused: forbidden ROLE-3
	// signed MoU version 1 as senior_officer
	// setup 3 of 5
}

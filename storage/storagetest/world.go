package storagetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/scenario"
)

// start is the clock of every Gateway-level case at its first step.
var start = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// password is every test account's password: it passes the policy (REG-2).
const password = "Passw0rd!"

// world is the fixture of the Gateway-level cases: Gateways over one store's data sharing a
// settable clock, a Central Admin, and helpers that build users, organisations and agreements
// through the public API only.
type world struct {
	t     *testing.T
	ctx   context.Context
	g     *isg.Gateway
	clock *scenario.Clock
	ca    isg.UserID
	seq   atomic.Int64
	// blobs is the document store every Gateway of the world shares, as processes share one
	// object store.
	blobs *isg.MemoryBlobs
}

// newWorld builds a Gateway over s and bootstraps the platform's Central Admin.
func newWorld(t *testing.T, s isg.Store) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), clock: scenario.NewClock(start), blobs: isg.NewMemoryBlobs()}
	w.g = w.gateway(s)
	ca, err := w.g.Bootstrap(w.ctx, isg.BootstrapInput{Email: "support@isg.nhs.uk", Name: "ISG Support", Password: "Support#2026"})
	require.NoError(t, err)
	w.ca = ca.ID
	return w
}

// gateway returns another Gateway over s on the world's clock, as another process would run.
func (w *world) gateway(s isg.Store) *isg.Gateway {
	return NewGateway(w.t, s, isg.WithClock(w.clock), isg.WithBlobStore(w.blobs))
}

// next returns a number unique in the world, for names and addresses.
func (w *world) next() int64 { return w.seq.Add(1) }

// user registers an account at email and verifies it; one outside the instant-registration
// domains is validated by the Central Admin too (REG-1).
func (w *world) user(email string) isg.UserID {
	w.t.Helper()
	reg, err := w.g.Register(w.ctx, isg.RegisterInput{Email: email, Name: "User " + email, Password: password})
	require.NoError(w.t, err, "register %s", email)
	acc, err := w.g.VerifyEmail(w.ctx, isg.TokenInput{Token: reg.VerificationToken})
	require.NoError(w.t, err)
	if acc.State == isg.AccountAwaitingValidation {
		_, err = w.g.ValidateAccount(w.ctx, isg.Actor{User: w.ca}, isg.UserRef{User: acc.ID})
		require.NoError(w.t, err)
	}
	return acc.ID
}

// org registers an organisation whose first Administrator is admin.
func (w *world) org(admin isg.UserID, name string) isg.OrgID {
	w.t.Helper()
	o, err := w.g.RegisterOrganisation(w.ctx, isg.Actor{User: admin}, isg.RegisterOrganisationInput{
		Name: name, Category: isg.CategoryLocalAuthority, ContactEmail: "ig@example.gov.uk",
		Address: isg.Address{Line1: "1 Civic Square", Town: "Leeds", Postcode: "LS1 1UR"},
	})
	require.NoError(w.t, err, "register organisation %s", name)
	return o.ID
}

// grant gives who exactly roles at org, acting as admin there.
func (w *world) grant(admin isg.UserID, org isg.OrgID, who isg.UserID, roles ...isg.Role) {
	w.t.Helper()
	_, err := w.g.SetRoles(w.ctx, isg.Actor{User: admin, Org: org}, isg.SetRolesInput{User: who, Roles: roles})
	require.NoError(w.t, err)
}

// summaryTerms names orgs in a summary with every optional field filled.
func summaryTerms(title string, orgs ...isg.OrgID) agreement.SummaryTerms {
	return agreement.SummaryTerms{
		Title: title, Organisations: orgs, DataAsset: "Emergency department attendances",
		Purpose: "Share concerns about adults at risk", Benefits: "Earlier protection of adults at risk",
		Format: "Electronic", ReviewCycleMonths: 12,
		InformationShared:  []agreement.InfoCategory{agreement.InfoPersonal, agreement.InfoSpecialCategory},
		InformationDetails: "Name, date of birth, NHS number, the concern — \u00e9 漢字 😀",
		Contacts:           []agreement.Contact{{Name: "Ivy Governance", Role: "IG lead", Email: "ivy@leeds.nhs.uk", Phone: "0113 000 0000", Org: orgs[0]}},
	}
}

// flowTerms is a one-way flow of personal and special-category data from one party to another.
func flowTerms(name string, from, to isg.OrgID) agreement.FlowTerms {
	return agreement.FlowTerms{
		Name: name, Parties: []isg.OrgID{from, to}, Direction: agreement.OneWay,
		From: []isg.OrgID{from}, To: []isg.OrgID{to}, Frequency: agreement.AdHoc, TransferMode: agreement.SecureEmail,
		TransferDetails: "NHSmail to the force's safeguarding hub", Controls: []string{"Secure e-mail", "Role-based access"},
		PersonalData: true, SpecialCategoryData: true,
		LegalBases: []agreement.LegalBasis{
			{Basis: agreement.Art6PublicTask, Instrument: "Care Act 2014 s.42"},
			{Basis: agreement.Art9HealthSocialCare, Instrument: "DPA 2018 Sch.1 para 2"},
		},
	}
}

// sharing creates a summary naming both organisations and a Draft flow from one to the other,
// acting for from.
func (w *world) sharing(actor isg.Actor, to isg.OrgID) (agreement.Summary, isg.FlowView) {
	w.t.Helper()
	n := w.next()
	s, err := w.g.SaveSummary(w.ctx, actor, isg.SummaryInput{SummaryTerms: summaryTerms(fmt.Sprintf("Sharing %d", n), actor.Org, to)})
	require.NoError(w.t, err)
	f, err := w.g.CreateFlow(w.ctx, actor, isg.CreateFlowInput{Summary: s.ID, FlowTerms: flowTerms(fmt.Sprintf("Flow %d", n), actor.Org, to)})
	require.NoError(w.t, err)
	return s, f
}

// same fails the test unless want and got encode to the same JSON: the Gateway stores
// aggregates as JSON, so that is the form in which every field must survive the store.
func same(t *testing.T, what string, want, got any) {
	t.Helper()
	w, err := json.Marshal(want)
	require.NoError(t, err)
	g, err := json.Marshal(got)
	require.NoError(t, err)
	require.JSONEq(t, string(w), string(g), "%s: what the store gave back differs from what the command wrote", what)
}

// all returns a listing's items: the suite's listings fit in one page.
func all[T any](l isg.Listing[T], err error) ([]T, error) { return l.Items, err }

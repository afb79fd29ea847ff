package storagetest

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/assurance"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/licensing"
)

// testGatewayRoundTrip writes every aggregate through one Gateway's commands and reads each back
// through another Gateway's queries: what a command returns is what it stored, so any field the store loses,
// truncates or re-encodes shows as a difference. Inputs fill optional fields and carry non-ASCII
// text, decimals and times, so that every field is exercised.
func testGatewayRoundTrip(t *testing.T, s isg.Store) {
	w := newWorld(t, s)
	ctx, g := w.ctx, w.g
	// q reads everything back, as another process would: a Gateway that wrote nothing has
	// nothing cached of what it reads, so every value comes from the store.
	q := w.gateway(s)
	as := func(u isg.UserID, o isg.OrgID) isg.Actor { return isg.Actor{User: u, Org: o} }
	account := func(id isg.UserID) isg.Account {
		t.Helper()
		a, err := q.GetAccount(ctx, isg.Actor{User: id}, isg.UserRef{User: id})
		require.NoError(t, err)
		return a
	}
	// Accounts that cannot act yet (unverified, awaiting validation) are read by the central
	// team: they belong to no organisation, so no support access is logged.
	pending := func(id isg.UserID) isg.Account {
		t.Helper()
		a, err := q.GetAccount(ctx, isg.Actor{User: w.ca}, isg.UserRef{User: id})
		require.NoError(t, err)
		return a
	}
	organisation := func(id isg.OrgID) isg.Organisation {
		t.Helper()
		o, err := q.GetOrganisation(ctx, isg.Actor{User: w.ca}, isg.OrgRef{Org: id})
		require.NoError(t, err)
		return o
	}
	flow := func(actor isg.Actor, id agreement.FlowID) isg.FlowView {
		t.Helper()
		f, err := q.Flow(ctx, actor, isg.ByID[agreement.FlowID]{ID: id})
		require.NoError(t, err)
		return f
	}

	// Accounts (REG-1…4): registration, verification, validation, preferences, sign-in counts.
	reg, err := g.Register(ctx, isg.RegisterInput{Email: "Ann@Leeds.NHS.uk", Name: "Ann Admin — Åsa", Password: password})
	require.NoError(t, err)
	same(t, "registered account", reg.Account, pending(reg.Account.ID))
	annAcc, err := g.VerifyEmail(ctx, isg.TokenInput{Token: reg.VerificationToken})
	require.NoError(t, err)
	same(t, "verified account", annAcc, account(annAcc.ID))
	ann := annAcc.ID

	reg, err = g.Register(ctx, isg.RegisterInput{Email: "cara@carers-charity.org.uk", Name: "Cara Charity", Password: password})
	require.NoError(t, err)
	caraAcc, err := g.VerifyEmail(ctx, isg.TokenInput{Token: reg.VerificationToken})
	require.NoError(t, err)
	require.Equal(t, isg.AccountAwaitingValidation, caraAcc.State)
	same(t, "account awaiting validation", caraAcc, pending(caraAcc.ID))
	caraAcc, err = g.ValidateAccount(ctx, isg.Actor{User: w.ca}, isg.UserRef{User: caraAcc.ID})
	require.NoError(t, err)
	same(t, "validated account", caraAcc, account(caraAcc.ID))
	cara := caraAcc.ID

	prefs, err := g.SetPreferences(ctx, isg.Actor{User: ann}, isg.Preferences{Off: []string{isg.EventMoUSigned, isg.EventDelegationGranted}})
	require.NoError(t, err)
	same(t, "preferences", prefs, account(ann))
	_, err = g.SignIn(ctx, isg.SignInInput{Email: "ann@leeds.nhs.uk", Password: "Wr0ng!pass"})
	require.Equal(t, "auth.invalid_credentials", isg.ErrorCode(err))
	require.Equal(t, 1, account(ann).FailedSignIns, "a failed sign-in is counted in the store (REG-4)")
	signedIn, err := g.SignIn(ctx, isg.SignInInput{Email: "ann@leeds.nhs.uk", Password: password})
	require.NoError(t, err)
	same(t, "signed-in account", signedIn, account(ann))

	// Organisations (ORG-1, ORG-4, ORG-5, ORG-8, ORG-9, ORG-10).
	leedsOrg, err := g.RegisterOrganisation(ctx, isg.Actor{User: ann}, isg.RegisterOrganisationInput{
		Name: "Leeds Teaching Hospitals NHS Trust", Category: isg.CategoryNHSTrust, ODSCode: "rr8", ICONumber: "z5725632",
		Address:      isg.Address{Line1: "St James's University Hospital", Line2: "Beckett Street", Town: "Leeds", Postcode: "LS9 7TF"},
		ContactEmail: "IG@Leeds.nhs.uk",
	})
	require.NoError(t, err)
	same(t, "organisation", leedsOrg, organisation(leedsOrg.ID))
	leeds := leedsOrg.ID
	leedsOrg, err = g.UpdateOrganisation(ctx, as(ann, leeds), isg.UpdateOrganisationInput{
		BreachContact: &isg.Contact{Name: "Bree Breach", Email: "breach@leeds.nhs.uk", Phone: "0113 206 0000"},
		SARContact:    &isg.Contact{Name: "Sol Access", Email: "sar@leeds.nhs.uk"},
		PrivacyNotice: &isg.PrivacyNotice{URL: "https://www.leedsth.nhs.uk/privacy?lang=cy&x=ŵ"},
	})
	require.NoError(t, err)
	same(t, "updated organisation", leedsOrg, organisation(leeds))

	pete := w.user("pete@westyorkshire.police.uk")
	policeOrg, err := g.RegisterOrganisation(ctx, isg.Actor{User: pete}, isg.RegisterOrganisationInput{
		Name: "West Yorkshire Police", Category: isg.CategoryPolice, ICONumber: "Z4888193",
		Address: isg.Address{Line1: "Laburnum Road", Town: "Wakefield", Postcode: "WF1 3QP"}, ContactEmail: "ig@westyorkshire.police.uk",
	})
	require.NoError(t, err)
	police := policeOrg.ID
	policeOrg, err = g.ConfirmDPOExemption(ctx, as(pete, police), isg.ConfirmDPOExemptionInput{GuidanceAcknowledged: true})
	require.NoError(t, err)
	same(t, "DPO exemption", policeOrg, organisation(police))
	found, err := q.SearchOrganisations(ctx, isg.Actor{User: ann}, isg.SearchInput{Query: "z4888193"})
	require.NoError(t, err)
	require.Len(t, found, 1)
	same(t, "organisation found by ICO number", policeOrg, found[0].Organisation)

	supported, err := g.RegisterSupportedOrganisation(ctx, as(ann, leeds), isg.RegisterOrganisationInput{
		Name: "Leeds Carers' Café", Category: isg.CategoryCharity, ContactEmail: "hello@carers-cafe.org.uk",
		Address: isg.Address{Line1: "2 Briggate", Town: "Leeds", Postcode: "LS1 6HD"},
	})
	require.NoError(t, err)
	supportedList, err := all(q.SupportedOrganisations(ctx, as(ann, leeds), isg.ListPage{}))
	require.NoError(t, err)
	require.Len(t, supportedList, 1)
	same(t, "supported organisation", supported, supportedList[0])

	asset, err := g.SaveAsset(ctx, as(ann, leeds), isg.AssetInput{Name: "ED attendances", Location: "Patient administration system",
		Owner: "Head of Information", Kinds: []isg.DataKind{isg.DataPersonal, isg.DataSpecialCategory}, DataSubjects: "patients", Format: "both"})
	require.NoError(t, err)
	assets, err := all(q.Assets(ctx, as(ann, leeds), isg.ListPage{}))
	require.NoError(t, err)
	same(t, "information assets", []isg.InformationAsset{asset}, assets)

	// Invitations and roles (REG-5, ROLE-8, ORG-4): the invitation's roles attach on registration.
	_, err = g.Invite(ctx, as(ann, leeds), isg.InviteInput{Email: "Sam@Leeds.nhs.uk", Roles: []isg.Role{isg.SeniorOfficer, isg.DPO}})
	require.NoError(t, err)
	sam := w.user("sam@leeds.nhs.uk")
	samAcc := account(sam)
	require.Len(t, samAcc.Memberships, 1, "the invitation was stored and found on registration")
	assert.Equal(t, isg.Of(isg.SeniorOfficer, isg.DPO), samAcc.Memberships[0].Roles)
	members, err := all(q.Members(ctx, as(ann, leeds), isg.ListPage{}))
	require.NoError(t, err)
	var wantMembers []isg.Member
	for _, id := range []isg.UserID{ann, sam} {
		a := account(id)
		wantMembers = append(wantMembers, isg.Member{User: a.ID, Email: a.Email, Name: a.Name, Roles: a.Memberships[0].Roles})
	}
	require.ElementsMatch(t, wantMembers, members)
	peteAcc, err := g.SetRoles(ctx, as(pete, police), isg.SetRolesInput{User: pete, Roles: []isg.Role{isg.Administrator, isg.DPO}})
	require.NoError(t, err)
	same(t, "account after a role change", peteAcc, account(pete))
	assert.False(t, organisation(police).DPOExempt, "assigning a DPO cleared the stored exemption (ORG-4)")

	// Support access (ROLE-7): Central Admin reading an organisation is logged for it to see.
	_, err = all(q.Members(ctx, as(w.ca, leeds), isg.ListPage{}))
	require.NoError(t, err)
	accessLog, err := all(q.SupportAccessLog(ctx, as(ann, leeds), isg.ListPage{}))
	require.NoError(t, err)
	require.Len(t, accessLog, 1)
	assert.Equal(t, w.ca, accessLog[0].User)

	// Delegation (ROLE-5) and the MoU (MOU-1): the delegate signs, so the delegation was read back.
	ends := w.clock.Now().AddDate(0, 3, 0)
	delegation, err := g.Delegate(ctx, as(sam, leeds), isg.DelegateInput{To: ann, Ends: ends})
	require.NoError(t, err)
	mou, err := g.PublishMoU(ctx, isg.Actor{User: w.ca}, isg.PublishMoUInput{Text: "Memorandum of Understanding — the parties share lawfully. Cytundeb: ŵ ŷ."})
	require.NoError(t, err)
	current, err := q.CurrentMoU(ctx)
	require.NoError(t, err)
	same(t, "MoU", mou, current)
	sig, err := g.SignMoU(ctx, as(ann, leeds), isg.SignMoUInput{Version: mou.Version, Hash: mou.Hash})
	require.NoError(t, err)
	assert.Equal(t, isg.Delegate, sig.SignerRole)
	signed, err := q.DownloadSignedMoU(ctx, isg.Actor{User: pete}, isg.OrgRef{Org: leeds})
	require.NoError(t, err)
	same(t, "MoU signature", sig, signed.Signature)
	same(t, "signed MoU", mou, signed.MoU)
	assert.True(t, signed.Valid)
	w.clock.Advance(time.Minute)
	revoked, err := g.RevokeDelegation(ctx, as(sam, leeds), isg.ByID[isg.DelegationID]{ID: delegation.ID})
	require.NoError(t, err)
	wantDelegation := delegation
	wantDelegation.RevokedAt = w.clock.Now()
	same(t, "delegation as stored, then revoked", wantDelegation, revoked)

	// Assurance (ASR-1…4): a submission and its replacement.
	met, score := true, 96
	answers := assurance.Answers{ICONumber: "Z5725632", ICOExpiresAt: start.AddDate(1, 6, 0), Standard: assurance.StandardDSPToolkit,
		DSPToolkit:   &assurance.DSPToolkit{StandardsMet: &met, Year: start.Year(), Score: &score, Evidence: "DSPT 2025/26 published — standards met"},
		StaffTrained: true, StaffScreened: true, PrivacyNoticeURL: "https://www.leedsth.nhs.uk/privacy"}
	rated, err := g.SubmitAssurance(ctx, as(sam, leeds), answers)
	require.NoError(t, err)
	seen, err := q.Assurance(ctx, isg.Actor{User: pete}, isg.AssuranceQuery{Org: leeds})
	require.NoError(t, err)
	same(t, "assurance", rated, seen)
	w.clock.Advance(time.Hour)
	answers.StaffScreened, answers.ImprovementPlan = false, "Screening on entry from next quarter."
	rated, err = g.SubmitAssurance(ctx, as(sam, leeds), answers)
	require.NoError(t, err)
	seen, err = q.Assurance(ctx, isg.Actor{User: pete}, isg.AssuranceQuery{Org: leeds})
	require.NoError(t, err)
	same(t, "replaced assurance", rated, seen)

	// Licensing (LIC-1, LIC-2, LIC-6, LIC-7).
	contract, err := g.CreateContract(ctx, isg.Actor{User: w.ca}, licensing.ContractInput{
		Org: leeds, Group: "West Yorkshire Health and Care Partnership", Capacity: 5,
		Term:  licensing.Period{Start: start, End: start.AddDate(1, 0, 0)},
		Price: decimal.RequireFromString("15000.01"), SuperAdmins: []isg.UserID{ann},
	})
	require.NoError(t, err)
	contractID := contract.ID
	readContract := func() licensing.Contract {
		t.Helper()
		c, err := q.Contract(ctx, isg.Actor{User: w.ca}, isg.ByID[licensing.ContractID]{ID: contractID})
		require.NoError(t, err)
		return c
	}
	same(t, "contract", contract, readContract())
	for _, o := range []isg.OrgID{leeds, police} {
		alloc, err := g.AllocateLicence(ctx, isg.Actor{User: ann}, isg.AllocateInput{Contract: contractID, Org: o, Kind: licensing.Group})
		require.NoError(t, err)
		c := readContract()
		i := slices.IndexFunc(c.Licences, func(l licensing.Licence) bool { return l.ID == alloc.Licence.ID })
		require.GreaterOrEqual(t, i, 0, "the allocated licence is in the stored contract")
		same(t, "licence", alloc.Licence, c.Licences[i])
	}
	contract, err = g.SetSuperAdmin(ctx, isg.Actor{User: w.ca}, isg.SuperAdminInput{Contract: contractID, User: pete})
	require.NoError(t, err)
	same(t, "contract with a second Super Administrator", contract, readContract())
	bea := w.user("bea@bradford.gov.uk")
	_, err = g.RegisterOrganisation(ctx, isg.Actor{User: bea}, isg.RegisterOrganisationInput{
		Name: "Bradford Council", Category: isg.CategoryLocalAuthority, ContactEmail: "ig@bradford.gov.uk",
		Address:        isg.Address{Line1: "City Hall", Town: "Bradford", Postcode: "BD1 1HY"},
		LicensingGroup: contractID.String(), LicenceRequested: true,
	})
	require.NoError(t, err)
	requests, err := q.LicenceRequests(ctx, isg.Actor{User: ann}, isg.ByID[licensing.ContractID]{ID: contractID})
	require.NoError(t, err)
	require.Len(t, requests, 1, "the licence request made at registration was stored")
	answered, err := g.AnswerLicenceRequest(ctx, isg.Actor{User: ann}, isg.AnswerRequestInput{Request: requests[0].ID, Allocate: true})
	require.NoError(t, err)
	wantRequest := requests[0]
	wantRequest.Status, wantRequest.DecidedAt, wantRequest.Licence = answered.Status, w.clock.Now(), answered.Licence
	same(t, "licence request as stored, then answered", wantRequest, answered)
	requests, err = q.LicenceRequests(ctx, isg.Actor{User: ann}, isg.ByID[licensing.ContractID]{ID: contractID})
	require.NoError(t, err)
	assert.Empty(t, requests, "the answered request left the pending index")
	contract, err = g.RenewContract(ctx, isg.Actor{User: w.ca}, isg.RenewInput{Contract: contractID, Price: decimal.RequireFromString("15750.01"),
		Term: licensing.Period{Start: start.AddDate(1, 0, 0), End: start.AddDate(2, 0, 0)}})
	require.NoError(t, err)
	same(t, "renewed contract", contract, readContract())

	// Summaries and flows through DPO review to Finalised (SUM-1…4, FLOW-1…10, RISK-1, LOG-1).
	samAt, peteAt := as(sam, leeds), as(pete, police)
	sum, err := g.SaveSummary(ctx, samAt, isg.SummaryInput{SummaryTerms: summaryTerms("Safeguarding adults", leeds, police)})
	require.NoError(t, err)
	readSum, err := q.Summary(ctx, peteAt, isg.ByID[agreement.SummaryID]{ID: sum.ID})
	require.NoError(t, err)
	same(t, "summary", sum, readSum)
	terms := summaryTerms("Safeguarding adults at risk", leeds, police)
	terms.Benefits = "Earlier protection; fewer repeat attendances"
	sum, err = g.SaveSummary(ctx, samAt, isg.SummaryInput{ID: sum.ID, SummaryTerms: terms})
	require.NoError(t, err)
	readSum, err = q.Summary(ctx, samAt, isg.ByID[agreement.SummaryID]{ID: sum.ID})
	require.NoError(t, err)
	same(t, "edited summary", sum, readSum)
	sums, err := q.Summaries(ctx, peteAt, isg.ListPage{})
	require.NoError(t, err)
	same(t, "summaries listed", []agreement.Summary{sum}, sums.Items)

	ft := flowTerms("Adult safeguarding referrals", leeds, police)
	ft.Assets = []uuid.UUID{asset.ID.UUID}
	ft.PrivacyAnswers = map[string]string{"subjects_informed": "yes", "encrypted_in_transit": "yes", "vulnerable_subjects": "yes"}
	f, err := g.CreateFlow(ctx, samAt, isg.CreateFlowInput{Summary: sum.ID, FlowTerms: ft})
	require.NoError(t, err)
	id := f.ID
	same(t, "created flow", f, flow(samAt, id))
	risk, err := g.SaveRiskAssessment(ctx, samAt, isg.RiskInput{Flow: id, Risks: []agreement.Risk{{Code: "q1", Description: "Referral sent to the wrong force",
		Likelihood: 3, Impact: 4, Mitigation: "Named recipients only", ResidualLikelihood: 1, ResidualImpact: 4}}})
	require.NoError(t, err)
	readRisk, err := q.RiskAssessment(ctx, samAt, isg.ByID[agreement.FlowID]{ID: id})
	require.NoError(t, err)
	same(t, "risk assessment", risk, readRisk)

	steps := []struct {
		name  string
		actor isg.Actor
		run   func() (isg.FlowView, error)
	}{
		{"review requested", samAt, func() (isg.FlowView, error) {
			return g.RequestReview(ctx, samAt, isg.FlowStep[agreement.ReviewRequest]{Flow: id, Input: agreement.ReviewRequest{
				DPOs: []agreement.Reviewer{{DPO: pete, Org: police}}, ReviewBy: w.clock.Now().AddDate(0, 0, 14), Comment: "Please review by the board date."}})
		}},
		{"rejected", peteAt, func() (isg.FlowView, error) {
			return g.RejectFlow(ctx, peteAt, isg.FlowStep[agreement.Verdict]{Flow: id, Input: agreement.Verdict{Details: "Say how long the police keep referrals."}})
		}},
		{"edited", samAt, func() (isg.FlowView, error) {
			ft.Controls = append(ft.Controls, "Police retain referrals for 6 years")
			return g.EditFlow(ctx, samAt, isg.FlowStep[agreement.FlowTerms]{Flow: id, Input: ft})
		}},
		{"re-review requested", samAt, func() (isg.FlowView, error) {
			return g.RequestRereview(ctx, samAt, isg.FlowStep[agreement.Rereview]{Flow: id, Input: agreement.Rereview{DPO: pete, Changes: "Added the retention period."}})
		}},
		{"approved", peteAt, func() (isg.FlowView, error) {
			return g.ApproveFlow(ctx, peteAt, isg.FlowStep[agreement.Verdict]{Flow: id, Input: agreement.Verdict{Details: "Thank you."}})
		}},
		{"finalised", samAt, func() (isg.FlowView, error) { return g.FinaliseFlow(ctx, samAt, isg.ByID[agreement.FlowID]{ID: id}) }},
	}
	for _, step := range steps {
		w.clock.Advance(time.Minute)
		got, err := step.run()
		require.NoError(t, err, step.name)
		same(t, "flow "+step.name, got, flow(step.actor, id))
		f = got
	}
	require.Equal(t, agreement.Finalised, f.State)
	ofSummary, err := q.FlowsOfSummary(ctx, peteAt, isg.ByID[agreement.SummaryID]{ID: sum.ID})
	require.NoError(t, err)
	same(t, "flows of the summary", []agreement.Flow{f.Flow}, ofSummary)
	flows, err := q.Flows(ctx, as(ann, leeds), isg.ListPage{})
	require.NoError(t, err)
	same(t, "flows listed", []agreement.Flow{f.Flow}, flows.Items)
	flowLog, err := q.FlowLog(ctx, peteAt, isg.ByID[agreement.FlowID]{ID: id})
	require.NoError(t, err)
	summaryLog, err := q.SummaryLog(ctx, peteAt, isg.ByID[agreement.SummaryID]{ID: sum.ID})
	require.NoError(t, err)
	for _, subject := range []struct {
		kind string
		log  isg.AgreementLog
	}{{"flow", flowLog}, {"summary", summaryLog}} {
		log := subject.log
		assert.True(t, log.Verified, "%s log verifies: %s", subject.kind, log.Problem)
		assert.Len(t, log.Entries, int(log.Head.Count), "%s log", subject.kind)
		assert.NotEmpty(t, log.Entries, "%s log", subject.kind)
	}

	copied, err := g.CopyFlow(ctx, samAt, isg.CopyFlowInput{Flow: id, Summary: sum.ID})
	require.NoError(t, err)
	same(t, "copied flow", copied, flow(samAt, copied.ID))
	sumCopy, err := g.CopySummary(ctx, samAt, isg.ByID[agreement.SummaryID]{ID: sum.ID})
	require.NoError(t, err)
	readSum, err = q.Summary(ctx, samAt, isg.ByID[agreement.SummaryID]{ID: sumCopy.Summary.ID})
	require.NoError(t, err)
	same(t, "copied summary", sumCopy.Summary, readSum)
	for _, cf := range sumCopy.Flows {
		same(t, "flow of a copied summary", cf, flow(samAt, cf.ID).Flow)
	}
	for _, ra := range sumCopy.RiskAssessments {
		got, err := q.RiskAssessment(ctx, samAt, isg.ByID[agreement.FlowID]{ID: ra.FlowID})
		require.NoError(t, err)
		same(t, "risk assessment of a copied flow", ra, got)
	}

	// Documents (DOC-1): the record in the store, the content in the blob store.
	content := bytes.Repeat([]byte("DPIA \x00\xff é\n"), 4096)
	doc, err := g.UploadDocument(ctx, samAt, isg.UploadInput{SubjectKind: "flow", SubjectID: id.String(), Name: "DPIA — référence.pdf", Content: content})
	require.NoError(t, err)
	docs, err := q.Documents(ctx, peteAt, isg.DocumentsInput{SubjectKind: "flow", SubjectID: id.String()})
	require.NoError(t, err)
	same(t, "documents", []isg.Document{doc}, docs)
	got, err := q.DocumentContent(ctx, peteAt, doc.ID)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(content, got), "document content")

	// Merge (ORG-6): Leeds absorbs the organisation it supports, whose Administrator ann also is.
	m, err := g.RequestMerge(ctx, as(ann, leeds), isg.RequestMergeInput{Merging: []isg.OrgID{supported.ID}, Reason: "Brought in-house", DisclaimerAcknowledged: true})
	require.NoError(t, err)
	merges, err := all(q.MergeRequests(ctx, as(ann, leeds), isg.ListPage{}))
	require.NoError(t, err)
	same(t, "merge request", []isg.MergeRequest{m}, merges)
	m, err = g.AnswerMerge(ctx, as(ann, supported.ID), isg.AnswerMergeInput{Merge: m.ID, Approve: true})
	require.NoError(t, err)
	require.Equal(t, isg.MergeCompleted, m.State)
	merges, err = all(q.MergeRequests(ctx, as(ann, leeds), isg.ListPage{}))
	require.NoError(t, err)
	same(t, "completed merge", []isg.MergeRequest{m}, merges)
	mergedOrg := organisation(supported.ID)
	assert.Equal(t, isg.OrgMerged, mergedOrg.Status)
	assert.Equal(t, leeds, mergedOrg.MergedInto)

	// Closure (ORG-7): requested, closed and restored; the request read back each time.
	carers := w.org(cara, "Carers Together")
	closure, err := g.RequestClosure(ctx, as(cara, carers), isg.RequestClosureInput{Reason: "Funding ended — ceased trading"})
	require.NoError(t, err)
	w.clock.Advance(time.Hour)
	closed, err := g.DecideClosure(ctx, isg.Actor{User: w.ca}, isg.DecideClosureInput{Closure: closure.ID, Decision: "close"})
	require.NoError(t, err)
	want := closure
	want.State, want.DecidedBy, want.ClosedAt, want.Version = isg.ClosureClosed, w.ca, w.clock.Now(), closed.Version
	same(t, "closure request as stored, then decided", want, closed)
	assert.Equal(t, isg.OrgClosed, organisation(carers).Status)
	w.clock.Advance(time.Hour)
	restored, err := g.DecideClosure(ctx, isg.Actor{User: w.ca}, isg.DecideClosureInput{Closure: closure.ID, Decision: "restore"})
	require.NoError(t, err)
	want = closed
	want.State, want.RestoredAt, want.Version = isg.ClosureRestored, w.clock.Now(), restored.Version
	same(t, "closed request as stored, then restored", want, restored)
	assert.Equal(t, isg.OrgActive, organisation(carers).Status)

	// Notifications (NOTE-1): what each user's list shows is what is delivered, and the
	// delivery is recorded.
	users := []isg.UserID{w.ca, ann, sam, pete, cara, bea}
	listed := map[string]isg.Notification{}
	for _, u := range users {
		ns, err := all(q.Notifications(ctx, isg.Actor{User: u}, isg.ListPage{}))
		require.NoError(t, err)
		for _, n := range ns {
			require.Equal(t, "pending", n.Status)
			listed[n.ID] = n
		}
	}
	require.NotEmpty(t, listed)
	var mu sync.Mutex
	delivered := map[string]isg.Notification{}
	_, err = g.DrainOutbox(ctx, isg.NotifierFunc(func(_ context.Context, n isg.Notification) error {
		mu.Lock()
		defer mu.Unlock()
		delivered[n.ID] = n
		return nil
	}), 1000)
	require.NoError(t, err)
	for id, n := range listed {
		d, ok := delivered[id]
		require.True(t, ok, "listed notification %s (%s) was delivered", id, n.Type)
		n.Attempts, n.LeaseUntil = 1, w.clock.Now().Add(isg.DrainLease)
		same(t, "notification "+n.Type, n, d)
	}
	for _, u := range users {
		ns, err := all(q.Notifications(ctx, isg.Actor{User: u}, isg.ListPage{}))
		require.NoError(t, err)
		for _, n := range ns {
			assert.Equal(t, "sent", n.Status, "notification %s", n.ID)
			assert.Equal(t, w.clock.Now(), n.SentAt, "notification %s", n.ID)
		}
	}
}

// Command lifecycle walks through the governance journey on the embedded in-memory store and
// prints what happened at each step: the platform's support team is bootstrapped, users register
// and verify their addresses, organisations register, roles are assigned, the MoU is published
// and signed, an organisation's assurance rating moves from Not Submitted to Significant, a group
// contract allocates licences, a data flow carrying personal data goes through DPO review
// (rejected, fixed, approved) to Finalised, a support request goes to the group's Super
// Administrator, is escalated to the central team, answered there and resolved, a DPIA goes from
// screening to approval with an ICO prior consultation, the agreement is signed off by both
// parties, verified, a tampered copy caught, varied and archived a year later when its review
// falls due, the agreement in force is published on the public register with both parties'
// agreement, Leeds' reports, the agreement and DPIA as PDF and its data return are written to a
// folder (an empty store imports the data return with matching receipts), and the notifications
// raised on the way are drained.
//
//	go run ./examples/lifecycle            # writes to a new temporary folder it names at the end
//	go run ./examples/lifecycle -out ./out # or to a folder of your choosing
//
// With -db the walk-through runs on storage/sqlite in that file instead, and can be run again on
// the same file: it then finds what an earlier run left (the bootstrap done, the addresses and
// ODS code taken, the MoU signed, the licences allocated, the flow finalised, the support
// request resolved, the DPIA approved) and carries on
// from it, saying "resumed" where it reuses something rather than making it again.
//
//	go run ./examples/lifecycle -db lifecycle.sqlite
package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/assurance"
	"github.com/isgkit/gateway/dpia"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/licensing"
	"github.com/isgkit/gateway/storage/memory"
	"github.com/isgkit/gateway/storage/sqlite"
)

func main() {
	db := flag.String("db", "", "run on storage/sqlite in this file instead of in memory; run again on the same file to resume")
	out := flag.String("out", "", "write the reports, the PDFs, the sharing map and the data return to this folder (default: a new temporary folder)")
	flag.Parse()
	ctx := context.Background()
	var err error
	if *out == "" {
		if *out, err = os.MkdirTemp("", "isg-walkthrough-"); err != nil {
			fmt.Fprintln(os.Stderr, "lifecycle:", err)
			os.Exit(1)
		}
	}
	if *db == "" {
		err = run(ctx, os.Stdout, *out)
	} else {
		err = runFile(ctx, os.Stdout, *db, *out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "lifecycle:", err)
		os.Exit(1)
	}
}

// journey carries the state of the walk-through from step to step.
type journey struct {
	ctx  context.Context
	g    *isg.Gateway
	out  io.Writer
	step int

	ca         isg.UserID
	leedsAdmin isg.UserID
	leedsSO    isg.UserID
	wypAdmin   isg.UserID
	leeds      isg.OrgID
	wyp        isg.OrgID
	clock      *movingClock
	// outDir is the folder the journey writes what it takes away to, and written its files.
	outDir  string
	written []string
}

// movingClock is the wall clock moved on by the journey.
type movingClock struct{ ahead time.Duration }

func (c *movingClock) Now() time.Time { return time.Now().Add(c.ahead) }

func (j *journey) say(format string, args ...any) {
	j.step++
	fmt.Fprintf(j.out, "%2d. %s\n", j.step, fmt.Sprintf(format, args...))
}

func (j *journey) detail(format string, args ...any) {
	fmt.Fprintf(j.out, "    %s\n", fmt.Sprintf(format, args...))
}

// run walks through the journey on the embedded in-memory store, writing what it takes away
// into the folder outDir.
func run(ctx context.Context, out io.Writer, outDir string) error {
	return walk(ctx, out, memory.New(), outDir)
}

// runFile walks through the journey on storage/sqlite in the file at path, resuming from what an
// earlier run left there.
func runFile(ctx context.Context, out io.Writer, path, outDir string, opts ...isg.Option) (err error) {
	store, err := sqlite.Open(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := store.Close(); err == nil {
			err = cerr
		}
	}()
	return walk(ctx, out, store, outDir, opts...)
}

func walk(ctx context.Context, out io.Writer, store isg.Store, outDir string, opts ...isg.Option) error {
	// The journey ends a year on (a summary's review falls due), on a clock it moves itself.
	clock := &movingClock{}
	g, err := isg.New(store, append([]isg.Option{isg.WithClock(clock)}, opts...)...)
	if err != nil {
		return err
	}
	j := &journey{ctx: ctx, g: g, out: out, clock: clock, outDir: outDir}
	for _, step := range []func() error{j.bootstrap, j.register, j.organisations, j.roles, j.mou, j.assurance, j.licensing, j.flow,
		j.support, j.dpia, j.signOff, j.yearLater, j.publish, j.takeaway, j.notifications} {
		if err := step(); err != nil {
			return err
		}
	}
	j.say("What Leeds took away is in %s: %s", outDir, strings.Join(j.written, ", "))
	return nil
}

func (j *journey) bootstrap() error {
	ca, err := j.g.Bootstrap(j.ctx, isg.BootstrapInput{Email: "support@isg.nhs.uk", Name: "ISG Support", Password: "Support#2026"})
	if isg.ErrorCode(err) == "bootstrap.done" {
		// A store an earlier run filled: the central admin team signs in instead.
		if ca, err = j.g.SignIn(j.ctx, isg.SignInInput{Email: "support@isg.nhs.uk", Password: "Support#2026"}); err != nil {
			return err
		}
		j.ca = ca.ID
		j.say("Resumed: the central admin team was bootstrapped on an earlier run and signs in: %s", ca.Email)
		return nil
	}
	if err != nil {
		return err
	}
	j.ca = ca.ID
	j.say("Bootstrapped the central admin team: %s", ca.Email)
	return nil
}

// account registers and verifies a user, showing the domain policy (REG-1).
func (j *journey) account(email, name string) (isg.UserID, error) {
	reg, err := j.g.Register(j.ctx, isg.RegisterInput{Email: email, Name: name, Password: "Passw0rd!"})
	if isg.ErrorCode(err) == "user.email_taken" {
		return j.resumeAccount(email)
	}
	if err != nil {
		return isg.UserID{}, err
	}
	acc, err := j.g.VerifyEmail(j.ctx, isg.TokenInput{Token: reg.VerificationToken})
	if err != nil {
		return isg.UserID{}, err
	}
	if acc.State == isg.AccountAwaitingValidation {
		if acc, err = j.g.ValidateAccount(j.ctx, isg.Actor{User: j.ca}, isg.UserRef{User: acc.ID}); err != nil {
			return isg.UserID{}, err
		}
		j.detail("%s is outside the public-sector domains: verified, then validated by central admin -> %s", email, acc.State)
	} else {
		j.detail("%s registered instantly and verified -> %s", email, acc.State)
	}
	return acc.ID, nil
}

// resumeAccount finds the account an earlier run registered at email and finishes what that run
// may not have: verifying the address and the central admin's validation.
func (j *journey) resumeAccount(email string) (isg.UserID, error) {
	acc, err := j.g.SignIn(j.ctx, isg.SignInInput{Email: email, Password: "Passw0rd!"})
	switch isg.ErrorCode(err) {
	case "":
	case "auth.unverified":
		// The earlier run stopped before verifying: ask for a new token and use it.
		reg, err := j.g.ResendVerification(j.ctx, isg.EmailInput{Email: email})
		if err != nil {
			return isg.UserID{}, err
		}
		if acc, err = j.g.VerifyEmail(j.ctx, isg.TokenInput{Token: reg.VerificationToken}); err != nil {
			return isg.UserID{}, err
		}
	case "auth.awaiting_validation":
		// The central admin team was told of the account when it was verified (REG-1); the
		// notification names it.
		ns, err := all(j.g.Notifications(j.ctx, isg.Actor{User: j.ca}, isg.ListPage{}))
		if err != nil {
			return isg.UserID{}, err
		}
		for _, n := range ns {
			if n.Type == isg.EventAccountAwaitingValidation && n.Data["email"] == email {
				acc.ID, err = isg.ParseUserID(n.Data["user"])
				if err != nil {
					return isg.UserID{}, err
				}
				acc.State = isg.AccountAwaitingValidation
			}
		}
		if acc.ID.IsZero() {
			return isg.UserID{}, fmt.Errorf("no validation request for %s", email)
		}
	default:
		return isg.UserID{}, err
	}
	if acc.State == isg.AccountAwaitingValidation {
		if acc, err = j.g.ValidateAccount(j.ctx, isg.Actor{User: j.ca}, isg.UserRef{User: acc.ID}); err != nil {
			return isg.UserID{}, err
		}
	}
	j.detail("%s was registered on an earlier run -> resumed (%s)", email, acc.State)
	return acc.ID, nil
}

func (j *journey) register() error {
	j.say("Users register; weak passwords are refused")
	_, err := j.g.Register(j.ctx, isg.RegisterInput{Email: "weak@leeds.nhs.uk", Name: "Weak", Password: "password"})
	j.detail("password \"password\" -> %s (%s)", isg.ErrorCode(err), ruleOf(err))
	if j.leedsAdmin, err = j.account("ada@leeds.nhs.uk", "Ada Admin"); err != nil {
		return err
	}
	if j.leedsSO, err = j.account("sam@leeds.nhs.uk", "Sam Senior"); err != nil {
		return err
	}
	if j.wypAdmin, err = j.account("will@westyorkshire.police.uk", "Will Admin"); err != nil {
		return err
	}
	if _, err = j.account("cara@carers-charity.org.uk", "Cara Charity"); err != nil {
		return err
	}
	_, err = j.g.SignIn(j.ctx, isg.SignInInput{Email: "sam@leeds.nhs.uk", Password: "Passw0rd!"})
	j.detail("sam signs in -> %v", okOr(err))
	return nil
}

func (j *journey) organisations() error {
	leeds, resumedLeeds, err := j.organisation(j.leedsAdmin, isg.RegisterOrganisationInput{
		Name: "Leeds Teaching Hospitals NHS Trust", Category: isg.CategoryNHSTrust, ODSCode: "RR8", ICONumber: "Z5725632",
		Address: isg.Address{Line1: "St James's University Hospital", Town: "Leeds", Postcode: "LS9 7TF"}, ContactEmail: "ig@leeds.nhs.uk",
	})
	if err != nil {
		return err
	}
	wyp, resumedWYP, err := j.organisation(j.wypAdmin, isg.RegisterOrganisationInput{
		Name: "West Yorkshire Police", Category: isg.CategoryPolice, ICONumber: "Z4888193",
		Address: isg.Address{Line1: "Laburnum Road", Town: "Wakefield", Postcode: "WF1 3QP"}, ContactEmail: "ig@westyorkshire.police.uk",
	})
	if err != nil {
		return err
	}
	j.leeds, j.wyp = leeds.ID, wyp.ID
	j.say("Organisations registered: %s (ODS %s) and %s; each registrant is its first Administrator", leeds.Name, leeds.ODSCode, wyp.Name)
	for _, o := range []struct {
		name    string
		resumed bool
	}{{leeds.Name, resumedLeeds}, {wyp.Name, resumedWYP}} {
		if o.resumed {
			j.detail("%s was registered on an earlier run -> resumed", o.name)
		}
	}
	return j.progress(j.leeds)
}

// organisation registers an organisation, or finds the one an earlier run registered: by name
// among those where admin is an Administrator (a name is not unique; the ODS code is, and a
// second registration with it would be refused).
func (j *journey) organisation(admin isg.UserID, in isg.RegisterOrganisationInput) (isg.Organisation, bool, error) {
	found, err := j.g.SearchOrganisations(j.ctx, isg.Actor{User: admin}, isg.SearchInput{Query: in.Name})
	if err != nil {
		return isg.Organisation{}, false, err
	}
	acc, err := j.g.GetAccount(j.ctx, isg.Actor{User: admin}, isg.UserRef{User: admin})
	if err != nil {
		return isg.Organisation{}, false, err
	}
	for _, o := range found {
		for _, m := range acc.Memberships {
			if m.Org == o.ID && m.Roles.Has(isg.Administrator) {
				return o.Organisation, true, nil
			}
		}
	}
	o, err := j.g.RegisterOrganisation(j.ctx, isg.Actor{User: admin}, in)
	return o, false, err
}

func (j *journey) progress(org isg.OrgID) error {
	p, err := j.g.SetupProgress(j.ctx, isg.Actor{User: j.ca}, isg.OrgRef{Org: org})
	if err != nil {
		return err
	}
	var todo []string
	for _, s := range p.Steps {
		if !s.Done {
			todo = append(todo, s.Code)
		}
	}
	j.detail("setup progress %d/%d, still to do: %v", p.Done, p.Total, todo)
	return nil
}

func (j *journey) roles() error {
	leedsAdmin := isg.Actor{User: j.leedsAdmin, Org: j.leeds}
	if _, err := j.g.SetRoles(j.ctx, leedsAdmin, isg.SetRolesInput{User: j.leedsSO, Roles: []isg.Role{isg.SeniorOfficer, isg.DPO}}); err != nil {
		return err
	}
	j.say("Leeds' administrator makes Sam Senior Officer and DPO")
	_, err := j.g.SetRoles(j.ctx, leedsAdmin, isg.SetRolesInput{User: j.leedsAdmin, Roles: []isg.Role{isg.IGOfficer}})
	j.detail("the last Administrator stepping down -> %s (%s)", isg.ErrorCode(err), ruleOf(err))
	inv, err := j.g.Invite(j.ctx, isg.Actor{User: j.wypAdmin, Org: j.wyp}, isg.InviteInput{Email: "Sol@WestYorkshire.Police.uk", Roles: []isg.Role{isg.SeniorOfficer}})
	if err != nil {
		return err
	}
	j.detail("West Yorkshire Police invites %s as %s", inv.Email, inv.Roles)
	sol, err := j.account("sol@westyorkshire.police.uk", "Sol Senior")
	if err != nil {
		return err
	}
	acc, err := j.g.GetAccount(j.ctx, isg.Actor{User: sol}, isg.UserRef{User: sol})
	if err != nil {
		return err
	}
	j.detail("Sol registered with the invited address and holds %s", acc.Memberships[0].Roles)
	return j.progress(j.leeds)
}

const mouText = "Memorandum of Understanding: the parties agree to share information lawfully, securely and only as documented on the Gateway."

func (j *journey) mou() error {
	m, err := j.g.CurrentMoU(j.ctx)
	switch {
	case err == nil && m.Text == mouText:
		j.say("Resumed: central admin published MoU version %d (sha256 %s…) on an earlier run", m.Version, m.Hash[:12])
	case err == nil || isg.ErrorCode(err) == "mou.not_published":
		if m, err = j.g.PublishMoU(j.ctx, isg.Actor{User: j.ca}, isg.PublishMoUInput{Text: mouText}); err != nil {
			return err
		}
		j.say("Central admin publishes MoU version %d (sha256 %s…)", m.Version, m.Hash[:12])
	default:
		return err
	}
	_, err = j.g.SignMoU(j.ctx, isg.Actor{User: j.leedsAdmin, Org: j.leeds}, isg.SignMoUInput{Version: m.Version, Hash: m.Hash})
	j.detail("Leeds' administrator tries to sign -> %s (%s)", isg.ErrorCode(err), ruleOf(err))
	sig, err := j.g.SignMoU(j.ctx, isg.Actor{User: j.leedsSO, Org: j.leeds}, isg.SignMoUInput{Version: m.Version, Hash: m.Hash})
	switch isg.ErrorCode(err) {
	case "":
		j.detail("Sam signs as %s at %s", sig.SignerRole, sig.SignedAt.Format("2006-01-02 15:04"))
	case "mou.already_signed":
		d, err := j.g.DownloadSignedMoU(j.ctx, isg.Actor{User: j.leedsSO}, isg.OrgRef{Org: j.leeds})
		if err != nil {
			return err
		}
		j.detail("Sam signed as %s at %s on an earlier run -> resumed", d.Signature.SignerRole, d.Signature.SignedAt.Format("2006-01-02 15:04"))
	default:
		return err
	}
	d, err := j.g.DownloadSignedMoU(j.ctx, isg.Actor{User: j.wypAdmin}, isg.OrgRef{Org: j.leeds})
	if err != nil {
		return err
	}
	j.detail("anyone can download Leeds' signed MoU; its hash verifies: %v", d.Valid)
	return j.progress(j.leeds)
}

func (j *journey) rating(org isg.OrgID) string {
	v, err := j.g.Assurance(j.ctx, isg.Actor{User: j.ca}, isg.AssuranceQuery{Org: org})
	if err != nil {
		return isg.ErrorCode(err)
	}
	if len(v.Rating.Missing.Codes()) > 0 {
		return fmt.Sprintf("%s (%s), missing %v", v.Rating.Code(), v.Rating.Colour(), v.Rating.Missing.Codes())
	}
	return fmt.Sprintf("%s (%s)", v.Rating.Code(), v.Rating.Colour())
}

func (j *journey) assurance() error {
	before := j.rating(j.leeds)
	first := strings.HasPrefix(before, "not_submitted")
	if first {
		j.say("Leeds submits organisational assurance; its rating moves from Not Submitted")
	} else {
		j.say("Resumed: Leeds submitted organisational assurance on an earlier run, and submits it again")
	}
	j.detail("before: %s", before)
	sam := isg.Actor{User: j.leedsSO, Org: j.leeds}
	answers := assurance.Answers{ICONumber: "Z5725632", ICOExpiresAt: j.g.Now().AddDate(0, 9, 0), Standard: assurance.StandardISO27001,
		StaffTrained: true, StaffScreened: false}
	_, err := j.g.SubmitAssurance(j.ctx, sam, answers)
	j.detail("without an improvement plan below Significant -> %s (%s)", isg.ErrorCode(err), ruleOf(err))
	answers.ImprovementPlan = "Screening on entry from next quarter; publish the privacy notice."
	if _, err := j.g.SubmitAssurance(j.ctx, sam, answers); err != nil {
		return err
	}
	if first {
		j.detail("first submission: %s", j.rating(j.leeds))
	} else {
		j.detail("resubmission: %s", j.rating(j.leeds))
	}
	met, score := true, 96
	answers.Standard, answers.DSPToolkit = assurance.StandardDSPToolkit, &assurance.DSPToolkit{StandardsMet: &met, Year: j.g.Now().Year(), Score: &score, Evidence: "DSPT published"}
	answers.StaffScreened, answers.PrivacyNoticeURL, answers.ImprovementPlan = true, "https://www.leedsth.nhs.uk/privacy", ""
	v, err := j.g.SubmitAssurance(j.ctx, sam, answers)
	if err != nil {
		return err
	}
	j.detail("updated: %s, valid until %s", j.rating(j.leeds), v.ExpiresAt.Format("2 January 2006"))
	return j.progress(j.leeds)
}

func (j *journey) licensing() error {
	before, err := j.g.OrganisationCapabilities(j.ctx, isg.Actor{User: j.wypAdmin, Org: j.wyp})
	if err != nil {
		return err
	}
	if before.Allowed["upload_documents"] {
		// Licences are allocated only here: an earlier run did this step.
		j.say("Resumed: central admin recorded a group contract on an earlier run, and its licences are allocated")
		j.detail("West Yorkshire Police holds a group licence: upload documents %v, reports %v", before.Allowed["upload_documents"], before.Allowed["use_reports"])
		return nil
	}
	now := j.g.Now()
	c, err := j.g.CreateContract(j.ctx, isg.Actor{User: j.ca}, licensing.ContractInput{
		Org: j.leeds, Group: "West Yorkshire Health and Care Partnership",
		Term:  licensing.Period{Start: now, End: now.AddDate(1, 0, 0)},
		Price: decimal.RequireFromString("15000.00"), SuperAdmins: []isg.UserID{j.leedsAdmin},
	})
	if err != nil {
		return err
	}
	j.say("Central admin records a group contract for %s: %d licences at £%s a year", c.Group, c.Capacity, c.Terms[0].Price.StringFixed(2))
	j.detail("West Yorkshire Police on the free model: upload documents %v, reports %v", before.Allowed["upload_documents"], before.Allowed["use_reports"])
	for _, org := range []isg.OrgID{j.leeds, j.wyp} {
		if _, err := j.g.AllocateLicence(j.ctx, isg.Actor{User: j.leedsAdmin}, isg.AllocateInput{Contract: c.ID, Org: org, Kind: licensing.Group}); err != nil {
			return err
		}
	}
	after, err := j.g.OrganisationCapabilities(j.ctx, isg.Actor{User: j.wypAdmin, Org: j.wyp})
	if err != nil {
		return err
	}
	j.detail("the Super Administrator allocates group licences to Leeds and the police: upload documents %v, reports %v", after.Allowed["upload_documents"], after.Allowed["use_reports"])
	_, err = j.g.RenewContract(j.ctx, isg.Actor{User: j.ca}, isg.RenewInput{Contract: c.ID, Price: decimal.RequireFromString("15750.01"),
		Term: licensing.Period{Start: now.AddDate(1, 0, 0), End: now.AddDate(2, 0, 0)}})
	j.detail("renewal at £15,750.01 (over +5 %%) -> %s (%s); the cap is £%s", isg.ErrorCode(err), ruleOf(err), licensing.MaxRenewalPrice(c.Terms[0].Price).StringFixed(2))
	// Renewed at the cap, the licences stay valid into the second year, when the journey ends.
	renewed, err := j.g.RenewContract(j.ctx, isg.Actor{User: j.ca}, isg.RenewInput{Contract: c.ID, Price: licensing.MaxRenewalPrice(c.Terms[0].Price),
		Term: licensing.Period{Start: now.AddDate(1, 0, 0), End: now.AddDate(2, 0, 0)}})
	if err != nil {
		return err
	}
	j.detail("renewal at the cap for a second year -> %d terms, to %s", len(renewed.Terms), renewed.Terms[len(renewed.Terms)-1].End.Format("January 2006"))
	return nil
}

// finalised returns the finalised flow named name that Leeds can see, if an earlier run made one.
func (j *journey) finalised(name string) (agreement.Flow, bool, error) {
	sam := isg.Actor{User: j.leedsSO, Org: j.leeds}
	page := isg.ListPage{Limit: 100}
	for {
		l, err := j.g.Flows(j.ctx, sam, page)
		if err != nil {
			return agreement.Flow{}, false, err
		}
		for _, f := range l.Items {
			if f.Name == name && f.VariationOf.IsZero() && f.State != agreement.Draft && f.FinalisedAt.After(time.Time{}) {
				return f, true, nil
			}
		}
		if l.Next == "" {
			return agreement.Flow{}, false, nil
		}
		page.After = l.Next
	}
}

func (j *journey) flow() error {
	sam := isg.Actor{User: j.leedsSO, Org: j.leeds}
	will := isg.Actor{User: j.wypAdmin, Org: j.wyp}
	if _, err := j.g.SetRoles(j.ctx, will, isg.SetRolesInput{User: j.wypAdmin, Roles: []isg.Role{isg.Administrator, isg.DPO}}); err != nil {
		return err
	}
	if done, ok, err := j.finalised("Adult safeguarding referrals"); err != nil {
		return err
	} else if ok {
		log, err := j.g.FlowLog(j.ctx, will, isg.ByID[agreement.FlowID]{ID: done.ID})
		if err != nil {
			return err
		}
		j.say("Resumed: Leeds finalised the flow %q on an earlier run (now %s)", done.Name, done.State)
		j.detail("its log has %d entries and verifies: %v", len(log.Entries), log.Verified)
		return nil
	}
	s, err := j.g.SaveSummary(j.ctx, sam, isg.SummaryInput{SummaryTerms: agreement.SummaryTerms{
		Title: "Safeguarding adults", Organisations: []isg.OrgID{j.leeds, j.wyp}, DataAsset: "Emergency department attendances",
		Purpose: "Share concerns about adults at risk with the police", Benefits: "Earlier protection of adults at risk",
		Format: "Electronic", ReviewCycleMonths: 12, InformationShared: []agreement.InfoCategory{agreement.InfoPersonal, agreement.InfoSpecialCategory},
	}})
	if err != nil {
		return err
	}
	j.say("Leeds creates the data sharing summary %q naming Leeds and the police", s.Title)
	terms := agreement.FlowTerms{
		Name: "Adult safeguarding referrals", Parties: []isg.OrgID{j.leeds, j.wyp}, Direction: agreement.OneWay,
		From: []isg.OrgID{j.leeds}, To: []isg.OrgID{j.wyp}, Frequency: agreement.AdHoc, TransferMode: agreement.SecureEmail,
		Controls: []string{"Secure e-mail", "Role-based access"}, PersonalData: true, SpecialCategoryData: true,
		LegalBases: []agreement.LegalBasis{{Basis: agreement.Art6PublicTask, Instrument: "Care Act 2014 s.42"}},
	}
	_, err = j.g.CreateFlow(j.ctx, sam, isg.CreateFlowInput{Summary: s.ID, FlowTerms: terms})
	j.detail("a flow with special-category data and no Art. 9 condition -> %s (%s)", isg.ErrorCode(err), ruleOf(err))
	terms.LegalBases = append(terms.LegalBases, agreement.LegalBasis{Basis: agreement.Art9HealthSocialCare, Instrument: "DPA 2018 Sch.1 para 2"})
	f, err := j.g.CreateFlow(j.ctx, sam, isg.CreateFlowInput{Summary: s.ID, FlowTerms: terms})
	if err != nil {
		return err
	}
	id := f.ID
	j.detail("flow %q created: %s; the police's rating shows as %s", f.Name, f.State, f.PartyRatings[j.wyp.String()].Code())
	f, err = j.g.RequestReview(j.ctx, sam, isg.FlowStep[agreement.ReviewRequest]{Flow: id, Input: agreement.ReviewRequest{DPOs: []agreement.Reviewer{{DPO: j.wypAdmin, Org: j.wyp}}, ReviewBy: j.g.Now().AddDate(0, 0, 14)}})
	if err != nil {
		return err
	}
	j.detail("DPO review requested from the police's DPO: %s (locked)", f.State)
	if f, err = j.g.RejectFlow(j.ctx, will, isg.FlowStep[agreement.Verdict]{Flow: id, Input: agreement.Verdict{Details: "Say how long the police keep referrals."}}); err != nil {
		return err
	}
	j.detail("the DPO rejects: %s — %q", f.State, "Say how long the police keep referrals.")
	_, err = j.g.FinaliseFlow(j.ctx, sam, isg.ByID[agreement.FlowID]{ID: id})
	j.detail("finalising with the rejection open -> %s (%s)", isg.ErrorCode(err), ruleOf(err))
	terms.Controls = append(terms.Controls, "Police retain referrals for 6 years")
	if _, err = j.g.EditFlow(j.ctx, sam, isg.FlowStep[agreement.FlowTerms]{Flow: id, Input: terms}); err != nil {
		return err
	}
	if f, err = j.g.RequestRereview(j.ctx, sam, isg.FlowStep[agreement.Rereview]{Flow: id, Input: agreement.Rereview{DPO: j.wypAdmin, Changes: "Added the retention period."}}); err != nil {
		return err
	}
	j.detail("Leeds fixes the flow and asks again: %s", f.State)
	if f, err = j.g.ApproveFlow(j.ctx, will, isg.FlowStep[agreement.Verdict]{Flow: id, Input: agreement.Verdict{Details: "Thank you."}}); err != nil {
		return err
	}
	j.detail("the DPO approves: %s", f.State)
	if f, err = j.g.FinaliseFlow(j.ctx, sam, isg.ByID[agreement.FlowID]{ID: id}); err != nil {
		return err
	}
	log, err := j.g.FlowLog(j.ctx, will, isg.ByID[agreement.FlowID]{ID: id})
	if err != nil {
		return err
	}
	j.detail("Leeds finalises: %s; the flow's log has %d entries and verifies: %v", f.State, len(log.Entries), log.Verified)
	return nil
}

const supportSubject = "Sign-off requests are not reaching our Senior Officer"

// support raises a support request from the police to their group's Super Administrator (Leeds'
// administrator, under the group contract), who escalates it to the central team; the central
// team answers and the police resolve it (SUP-1). Each step tells the other side.
func (j *journey) support() error {
	will := isg.Actor{User: j.wypAdmin, Org: j.wyp}
	raised, err := j.g.SupportRequests(j.ctx, will, isg.SupportRequestsInput{State: isg.SupportResolved})
	if err != nil {
		return err
	}
	for _, r := range raised.Items {
		if r.Subject == supportSubject {
			j.say("Resumed: the police's support request %q was resolved on an earlier run (%d steps)", r.Subject, len(r.Entries))
			return nil
		}
	}
	r, err := j.g.RaiseSupportRequest(j.ctx, will, isg.RaiseSupportInput{Subject: supportSubject,
		Description: "Sol was asked to sign off a flow but received no notification."})
	if err != nil {
		return err
	}
	j.say("The police raise a support request to their group's Super Administrator: %s", r.State)
	ada := isg.Actor{User: j.leedsAdmin, Org: j.leeds}
	_, err = j.g.SupportRequest(j.ctx, isg.Actor{User: j.ca, Org: j.wyp}, isg.ByID[isg.SupportRequestID]{ID: r.ID})
	j.detail("the central team before escalation -> %s (%s)", isg.ErrorCode(err), ruleOf(err))
	if r, err = j.g.EscalateSupportRequest(j.ctx, ada, isg.SupportStepInput{Request: r.ID, Version: r.Version,
		Text: "Sol's notification preferences are on; the outbox shows nothing sent."}); err != nil {
		return err
	}
	j.detail("the Super Administrator cannot resolve it and escalates it: %s", r.State)
	if r, err = j.g.AnswerSupportRequest(j.ctx, isg.Actor{User: j.ca, Org: j.wyp}, isg.SupportStepInput{Request: r.ID, Version: r.Version,
		Text: "The host's outbox drain had stopped; it is running again and the message was delivered."}); err != nil {
		return err
	}
	j.detail("the central team answers: %s", r.State)
	if r, err = j.g.ResolveSupportRequest(j.ctx, will, isg.SupportStepInput{Request: r.ID, Version: r.Version, Text: "Received, thank you."}); err != nil {
		return err
	}
	j.detail("the police resolve it: %s after %d steps; reopenable until %s", r.State, len(r.Entries), r.ReopenUntil().Format("2 January 2006"))
	return nil
}

const dpiaTitle = "Patient portal DPIA"

// approvedDPIA returns the approved DPIA an earlier run made, if any (review due once the
// journey has moved a year on).
func (j *journey) approvedDPIA(sam isg.Actor) (dpia.DPIA, bool, error) {
	page := isg.ListPage{Limit: 100}
	for {
		l, err := j.g.DPIAs(j.ctx, sam, page)
		if err != nil {
			return dpia.DPIA{}, false, err
		}
		for _, d := range l.Items {
			if d.Title == dpiaTitle && (d.State == dpia.Approved || d.State == dpia.ReviewDue) {
				return d, true, nil
			}
		}
		if l.Next == "" {
			return dpia.DPIA{}, false, nil
		}
		page.After = l.Next
	}
}

// dpia takes a DPIA of a new patient portal from screening to approval (DPIA-1…DPIA-9): its red
// residual risk needs the ICO's answer to a prior consultation before the DPO may approve it.
func (j *journey) dpia() error {
	ada := isg.Actor{User: j.leedsAdmin, Org: j.leeds}
	sam := isg.Actor{User: j.leedsSO, Org: j.leeds}
	if done, ok, err := j.approvedDPIA(sam); err != nil {
		return err
	} else if ok {
		log, err := j.g.DPIALog(j.ctx, sam, isg.ByID[dpia.ID]{ID: done.ID})
		if err != nil {
			return err
		}
		j.say("Resumed: Leeds approved the DPIA %q on an earlier run", done.Title)
		j.detail("its log has %d entries and verifies: %v", len(log.Entries), log.Verified)
		return nil
	}
	caps, err := j.g.OrganisationCapabilities(j.ctx, ada)
	if err != nil {
		return err
	}
	if !caps.Allowed["create_activity"] {
		_, err := j.g.SaveActivity(j.ctx, ada, isg.ActivityInput{ActivityTerms: dpia.ActivityTerms{Name: "Patient portal", Kind: dpia.KindSystem}})
		j.say("Leeds starts a DPIA for its new patient portal")
		j.detail("an activity without a DPIA licence -> %s (%s)", isg.ErrorCode(err), ruleOf(err))
		contracts, err := j.g.Contracts(j.ctx, ada)
		if err != nil {
			return err
		}
		for _, c := range contracts {
			if c.Org == j.leeds {
				if _, err := j.g.AllocateLicence(j.ctx, isg.Actor{User: j.leedsAdmin}, isg.AllocateInput{Contract: c.ID, Org: j.leeds, Kind: licensing.DPIA}); err != nil {
					return err
				}
				j.detail("the Super Administrator allocates Leeds a DPIA licence")
				break
			}
		}
	} else {
		j.say("Leeds starts a DPIA for its new patient portal (it holds a DPIA licence)")
	}
	act, err := j.g.SaveActivity(j.ctx, ada, isg.ActivityInput{ActivityTerms: dpia.ActivityTerms{Name: "Patient portal", Kind: dpia.KindSystem, Lead: "Ada Admin"}})
	if err != nil {
		return err
	}
	d, err := j.g.CreateDPIA(j.ctx, ada, isg.CreateDPIAInput{Activity: act.ID, Terms: dpia.Terms{Title: dpiaTitle}})
	if err != nil {
		return err
	}
	id := d.ID
	if d, err = j.g.ScreenDPIA(j.ctx, ada, isg.DPIAStep[dpia.ScreeningAnswers]{DPIA: id, Input: dpia.ScreeningAnswers{
		Answers: map[dpia.Criterion]bool{dpia.SensitiveData: true, dpia.InnovativeUse: true}}}); err != nil {
		return err
	}
	j.detail("DPIA screening: %s (%s)", d.Screening.Result.Outcome, d.Screening.Result.Reason)
	if _, err = j.g.AddDPIAContributor(j.ctx, ada, isg.DPIAStep[dpia.Member]{DPIA: id, Input: dpia.Member{User: j.leedsSO, Org: j.leeds}}); err != nil {
		return err
	}
	if _, err = j.g.NameDPIAApprovers(j.ctx, ada, isg.DPIAStep[isg.ApproversInput]{DPIA: id, Input: isg.ApproversInput{
		Approvers: []dpia.Approver{{User: j.leedsSO, Org: j.leeds, Capacity: dpia.CapacityDPO}}}}); err != nil {
		return err
	}
	if d, err = j.g.SaveDPIARisk(j.ctx, ada, isg.DPIAStep[dpia.RiskInput]{DPIA: id, Input: dpia.RiskInput{RiskTerms: dpia.RiskTerms{
		Description: "Patients' records exposed through the portal", Likelihood: 4, Impact: 5, Measures: "Two-factor sign-in", ResidualLikelihood: 3, ResidualImpact: 5}}}); err != nil {
		return err
	}
	j.detail("Sam (DPO) is a contributor and the named approver; %d red residual risk outstanding", len(d.Status.OutstandingRedRisks))
	if _, err = j.g.SubmitDPIA(j.ctx, ada, isg.ByID[dpia.ID]{ID: id}); err != nil {
		return err
	}
	for _, s := range dpia.EvaluatedSections() {
		if _, err = j.g.EvaluateDPIA(j.ctx, sam, isg.DPIAStep[dpia.EvaluationInput]{DPIA: id, Input: dpia.EvaluationInput{Section: s, Verdict: dpia.Acceptable}}); err != nil {
			return err
		}
	}
	if _, err = j.g.GiveDPOOpinion(j.ctx, sam, isg.DPIAStep[dpia.OpinionInput]{DPIA: id, Input: dpia.OpinionInput{
		Opinion: "Consult the ICO on the residual risk.", SubjectsConsulted: true}}); err != nil {
		return err
	}
	_, err = j.g.ApproveDPIA(j.ctx, sam, isg.DPIAStep[dpia.ApprovalInput]{DPIA: id})
	j.detail("the DPO approving with the red risk unconsulted -> %s (%s)", isg.ErrorCode(err), ruleOf(err))
	sent := j.g.Now().Add(-time.Minute)
	if d, err = j.g.RecordICOConsultation(j.ctx, ada, isg.DPIAStep[dpia.ConsultationInput]{DPIA: id, Input: dpia.ConsultationInput{
		SentAt: sent, Reference: "ICO/PC/2026-17", Outcome: "Proceed with the measures advised.", OutcomeAt: j.g.Now()}}); err != nil {
		return err
	}
	j.detail("Leeds records the ICO prior consultation (answer due %s) and its outcome", d.Consultation.DueAt.Format("2 January 2006"))
	if d, err = j.g.ApproveDPIA(j.ctx, sam, isg.DPIAStep[dpia.ApprovalInput]{DPIA: id, Input: dpia.ApprovalInput{Comments: "Approved with the ICO's advice."}}); err != nil {
		return err
	}
	log, err := j.g.DPIALog(j.ctx, sam, isg.ByID[dpia.ID]{ID: id})
	if err != nil {
		return err
	}
	j.detail("the DPO approves the DPIA: %s, review on %s; its log has %d entries and verifies: %v", d.State, d.ReviewDate.Format("2 January 2006"), len(log.Entries), log.Verified)
	return nil
}

func (j *journey) notifications() error {
	res, err := j.g.DrainOutbox(j.ctx, isg.NotifierFunc(func(_ context.Context, n isg.Notification) error {
		j.detail("notify %-40s %s", n.Email, n.Type)
		return nil
	}), 100)
	if err != nil {
		return err
	}
	j.say("Outbox drained: %d delivered", res.Delivered)
	return nil
}

func ruleOf(err error) string {
	var e *isg.Error
	if errors.As(err, &e) {
		return e.Rule
	}
	return ""
}

func okOr(err error) string {
	if err != nil {
		return isg.ErrorCode(err)
	}
	return "ok"
}

// all returns a listing's items: the walk-through's listings fit in one page.
func all[T any](l isg.Listing[T], err error) ([]T, error) { return l.Items, err }

// signOff takes the finalised flow through sign-off by both parties (SIGN-1…SIGN-4), verifies
// the signatures, catches a tampered copy, and replaces the agreement by a signed variation
// (SIGN-6).
func (j *journey) signOff() error {
	sam := isg.Actor{User: j.leedsSO, Org: j.leeds}
	will := isg.Actor{User: j.wypAdmin, Org: j.wyp}
	f, ok, err := j.finalised("Adult safeguarding referrals")
	if err != nil || !ok {
		return err
	}
	if f.State != agreement.Finalised {
		j.say("Resumed: the flow %q was signed off on an earlier run (now %s)", f.Name, f.State)
		return nil
	}
	sol, err := j.seniorOfficer(will)
	if err != nil {
		return err
	}
	signers := []agreement.Signer{{User: j.leedsSO, Org: j.leeds}, {User: sol, Org: j.wyp}}
	if _, err := j.g.RequestSignOff(j.ctx, sam, isg.FlowStep[agreement.SignOffInput]{Flow: f.ID, Input: agreement.SignOffInput{
		Signers: signers, Comments: "For signature before the safeguarding board", SignBy: j.g.Now().AddDate(0, 0, 14)}}); err != nil {
		return err
	}
	j.say("Leeds asks Sam (Leeds) and Sol (police) to sign the flow off, by a date")
	_, err = j.g.SignFlow(j.ctx, will, isg.ByID[agreement.FlowID]{ID: f.ID})
	j.detail("the police's Administrator, not asked and no signatory -> %s (%s)", isg.ErrorCode(err), ruleOf(err))
	v, err := j.g.SignFlow(j.ctx, sam, isg.ByID[agreement.FlowID]{ID: f.ID})
	if err != nil {
		return err
	}
	j.detail("Sam signs for Leeds: %s, %d of %d parties", v.State, len(v.Signatures), len(v.Parties))
	if v, err = j.g.SignFlow(j.ctx, isg.Actor{User: sol, Org: j.wyp}, isg.ByID[agreement.FlowID]{ID: f.ID}); err != nil {
		return err
	}
	sig := v.Signatures[1]
	j.detail("Sol signs for the police: %s; the signature is %s by key %s over terms %s…", v.State, sig.Algorithm, sig.Statement.KeyID, sig.Statement.TermsHash[:12])
	report, err := j.g.VerifySignatures(j.ctx, will, isg.ByID[agreement.FlowID]{ID: f.ID})
	if err != nil {
		return err
	}
	j.detail("every signature verifies: %v", report.Valid)
	if err := j.tamperedCopy(will, v.Flow); err != nil {
		return err
	}
	return j.vary(sam, will, sol, v.Flow, signers)
}

// seniorOfficer finds the police's Senior Officer (Sol, who registered by invitation).
func (j *journey) seniorOfficer(will isg.Actor) (isg.UserID, error) {
	members, err := all(j.g.Members(j.ctx, will, isg.ListPage{Limit: 100}))
	if err != nil {
		return isg.UserID{}, err
	}
	for _, m := range members {
		if m.Roles.Has(isg.SeniorOfficer) {
			return m.User, nil
		}
	}
	return isg.UserID{}, fmt.Errorf("the police have no Senior Officer")
}

// tamperedCopy changes one term of a copy of the signed flow, as someone editing an exported
// agreement would, and verifies it independently with the published keys: it fails, naming the
// signature and the reason (SIGN-4).
func (j *journey) tamperedCopy(who isg.Actor, f agreement.Flow) error {
	log, err := j.g.FlowLog(j.ctx, who, isg.ByID[agreement.FlowID]{ID: f.ID})
	if err != nil {
		return err
	}
	keys, err := all(j.g.SigningKeys(j.ctx, who, isg.ListPage{Limit: 100}))
	if err != nil {
		return err
	}
	ring := func(id string) (agreement.PublicKey, error) {
		for _, k := range keys {
			if k.ID == id {
				pub, err := x509.ParsePKIXPublicKey(k.PublicKey)
				return agreement.PublicKey{ID: k.ID, Key: pub}, err
			}
		}
		return agreement.PublicKey{}, fmt.Errorf("no key %s", id)
	}
	copied := f.Clone()
	copied.Controls = append(copied.Controls, "Shared with the press")
	report := agreement.VerifySignatures(copied, copied.Signatures, log.Entries, ring)
	j.detail("a copy with a term added verifies: %v — %s", report.Valid, report.Checks[0].Code)
	return nil
}

// vary amends the signed agreement by a variation, reviewed, finalised and signed by both
// parties: the original is then Superseded (SIGN-6).
func (j *journey) vary(sam, will isg.Actor, sol isg.UserID, original agreement.Flow, signers []agreement.Signer) error {
	v, err := j.g.VaryFlow(j.ctx, sam, isg.ByID[agreement.FlowID]{ID: original.ID})
	if err != nil {
		return err
	}
	j.say("Leeds varies the signed agreement: a new %s linked to the original", v.State)
	terms := v.FlowTerms
	terms.Controls = append(terms.Controls, "Quarterly audit of access")
	steps := []func() error{
		func() error {
			_, err := j.g.EditFlow(j.ctx, sam, isg.FlowStep[agreement.FlowTerms]{Flow: v.ID, Input: terms})
			return err
		},
		func() error {
			_, err := j.g.RequestReview(j.ctx, sam, isg.FlowStep[agreement.ReviewRequest]{Flow: v.ID, Input: agreement.ReviewRequest{
				DPOs: []agreement.Reviewer{{DPO: j.wypAdmin, Org: j.wyp}}, ReviewBy: j.g.Now().AddDate(0, 0, 14)}})
			return err
		},
		func() error {
			_, err := j.g.ApproveFlow(j.ctx, will, isg.FlowStep[agreement.Verdict]{Flow: v.ID, Input: agreement.Verdict{Details: "The audit is welcome."}})
			return err
		},
		func() error { _, err := j.g.FinaliseFlow(j.ctx, sam, isg.ByID[agreement.FlowID]{ID: v.ID}); return err },
		func() error {
			_, err := j.g.RequestSignOff(j.ctx, sam, isg.FlowStep[agreement.SignOffInput]{Flow: v.ID, Input: agreement.SignOffInput{Signers: signers}})
			return err
		},
		func() error { _, err := j.g.SignFlow(j.ctx, sam, isg.ByID[agreement.FlowID]{ID: v.ID}); return err },
		func() error {
			_, err := j.g.SignFlow(j.ctx, isg.Actor{User: sol, Org: j.wyp}, isg.ByID[agreement.FlowID]{ID: v.ID})
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	was, err := j.g.Flow(j.ctx, sam, isg.ByID[agreement.FlowID]{ID: original.ID})
	if err != nil {
		return err
	}
	j.detail("the variation, reviewed, finalised and signed by both, takes effect: the original is %s", was.State)
	return nil
}

// yearLater moves the clock on a year: the summary's review falls due and its creator is told
// (LIFE-1); the superseded agreement, no longer required, is archived with a retention period
// (LIFE-2).
func (j *journey) yearLater() error {
	sam := isg.Actor{User: j.leedsSO, Org: j.leeds}
	f, ok, err := j.finalised("Adult safeguarding referrals")
	if err != nil || !ok {
		return err
	}
	if f.State == agreement.Archived {
		j.say("Resumed: the superseded agreement was archived on an earlier run")
		return nil
	}
	j.clock.ahead += 366 * 24 * time.Hour
	res, err := j.g.Sweep(j.ctx)
	if err != nil {
		return err
	}
	j.say("A year later the periodic sweep runs: %d review notice(s) sent", res.ReviewNotices)
	s, err := j.g.Summary(j.ctx, sam, isg.ByID[agreement.SummaryID]{ID: f.SummaryID})
	if err != nil {
		return err
	}
	j.detail("the summary %q is review due: %v", s.Title, s.ReviewDue(j.g.Now()))
	a, err := j.g.ArchiveFlow(j.ctx, sam, isg.FlowStep[agreement.ArchiveInput]{Flow: f.ID, Input: agreement.ArchiveInput{
		Reason: "Replaced by its signed variation", RetainUntil: j.g.Now().AddDate(6, 0, 0)}})
	if err != nil {
		return err
	}
	j.detail("Leeds archives the superseded agreement: %s, kept until %s", a.State, a.Archive.RetainUntil.Format("January 2006"))
	return nil
}

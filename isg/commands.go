package isg

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/isgkit/gateway/assurance"
	"github.com/isgkit/gateway/licensing"
)

// handler is a command not yet written as a declaration: a typed Gateway method adapted to the
// command table. Every command moves to a declaration (pipeline.go); this adapter goes with the
// last of them.
type handler struct {
	doc string
	run func(g *Gateway, ctx context.Context, actor Actor, raw json.RawMessage) (any, error)
}

// handle adapts a typed Gateway method to the command table.
func handle[In, Out any](doc string, f func(g *Gateway, ctx context.Context, actor Actor, in In) (Out, error)) handler {
	return handler{doc: doc, run: func(g *Gateway, ctx context.Context, actor Actor, raw json.RawMessage) (any, error) {
		var in In
		if err := decodeStrict(raw, &in); err != nil {
			return nil, err
		}
		return f(g, ctx, actor, in)
	}}
}

// named is a handler with its name, as the command table holds it.
type named struct {
	name string
	handler
}

func (h named) Name() string { return h.name }
func (h named) Doc() string  { return h.doc }
func (h named) describe() CommandInfo {
	return CommandInfo{Name: h.name, Doc: h.doc, Reach: "undeclared"}
}
func (h named) dispatch(ctx context.Context, g *Gateway, actor Actor, raw json.RawMessage) (any, error) {
	return h.run(g, ctx, actor, raw)
}

// decodeStrict decodes JSON input, refusing unknown fields so that a misspelt field is an error,
// never silently ignored.
func decodeStrict(raw json.RawMessage, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = json.RawMessage("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &Error{Kind: ErrInvalid, Code: "command.bad_input", Message: err.Error()}
	}
	if dec.More() {
		return &Error{Kind: ErrInvalid, Code: "command.bad_input", Message: "trailing data after the input object"}
	}
	return nil
}

type tokenInput struct {
	Token string `json:"token"`
}

type emailInput struct {
	Email string `json:"email"`
}

type userInput struct {
	User UserID `json:"user"`
}

type orgInput struct {
	Org OrgID `json:"org"`
}

type idInput struct {
	ID string `json:"id"`
}

type noInput struct{}

// commandTable lists every command. Later features add their own entries through commandSets.
func handlerTable() map[string]handler {
	t := map[string]handler{
		"platform.bootstrap": handle("Create the first Central Admin.", func(g *Gateway, ctx context.Context, _ Actor, in BootstrapInput) (Account, error) {
			return g.Bootstrap(ctx, in)
		}),
		"account.register": handle("Register an account (REG-1…3, REG-5).", func(g *Gateway, ctx context.Context, _ Actor, in RegisterInput) (Registration, error) {
			return g.Register(ctx, in)
		}),
		"account.verify_email": handle("Consume an e-mail verification token (REG-3).", func(g *Gateway, ctx context.Context, _ Actor, in tokenInput) (Account, error) {
			return g.VerifyEmail(ctx, in.Token)
		}),
		"account.resend_verification": handle("Issue a new verification token.", func(g *Gateway, ctx context.Context, _ Actor, in emailInput) (Registration, error) {
			return g.ResendVerification(ctx, in.Email)
		}),
		"account.validate": handle("Central Admin validates an account (REG-1).", func(g *Gateway, ctx context.Context, a Actor, in userInput) (Account, error) {
			return g.ValidateAccount(ctx, a, in.User)
		}),
		"account.sign_in": handle("Sign in (REG-3, REG-4).", func(g *Gateway, ctx context.Context, _ Actor, in SignInInput) (Account, error) {
			return g.SignIn(ctx, in)
		}),
		"account.unlock": handle("Unlock a locked account (REG-4).", func(g *Gateway, ctx context.Context, a Actor, in userInput) (Account, error) {
			return g.Unlock(ctx, a, in.User)
		}),
		"account.get": handle("Read an account.", func(g *Gateway, ctx context.Context, a Actor, in userInput) (Account, error) {
			return g.GetAccount(ctx, a, in.User)
		}),
		"account.set_preferences": handle("Set notification preferences (NOTE-2).", func(g *Gateway, ctx context.Context, a Actor, in Preferences) (Account, error) {
			return g.SetPreferences(ctx, a, in)
		}),
		"account.notifications": handle("List the acting user's notifications.", func(g *Gateway, ctx context.Context, a Actor, _ noInput) ([]Notification, error) {
			return g.Notifications(ctx, a)
		}),
		"org.register": handle("Register an organisation (ORG-1).", func(g *Gateway, ctx context.Context, a Actor, in RegisterOrganisationInput) (Organisation, error) {
			return g.RegisterOrganisation(ctx, a, in)
		}),
		"org.get": handle("Read an organisation.", func(g *Gateway, ctx context.Context, a Actor, in orgInput) (Organisation, error) {
			return g.GetOrganisation(ctx, a, in.Org)
		}),
		"org.update": handle("Edit details, contacts and privacy notice (ORG-5, ORG-9).", func(g *Gateway, ctx context.Context, a Actor, in UpdateOrganisationInput) (Organisation, error) {
			return g.UpdateOrganisation(ctx, a, in)
		}),
		"org.confirm_dpo_exemption": handle("Confirm a DPO exemption (ORG-4).", func(g *Gateway, ctx context.Context, a Actor, in ConfirmDPOExemptionInput) (Organisation, error) {
			return g.ConfirmDPOExemption(ctx, a, in)
		}),
		"org.progress": handle("Setup progress (ORG-2).", func(g *Gateway, ctx context.Context, a Actor, in orgInput) (Progress, error) {
			return g.SetupProgress(ctx, a, in.Org)
		}),
		"org.search": handle("Find organisations by name or ICO number.", func(g *Gateway, ctx context.Context, a Actor, in struct {
			Query string `json:"query"`
		}) ([]OrganisationListing, error) {
			return g.SearchOrganisations(ctx, a, in.Query)
		}),
		"org.register_supported": handle("Register a supported organisation (ORG-8).", func(g *Gateway, ctx context.Context, a Actor, in RegisterOrganisationInput) (Organisation, error) {
			return g.RegisterSupportedOrganisation(ctx, a, in)
		}),
		"org.supported": handle("List supported organisations (ORG-8).", func(g *Gateway, ctx context.Context, a Actor, _ noInput) ([]Organisation, error) {
			return g.SupportedOrganisations(ctx, a)
		}),
		"org.invite": handle("Invite an address to roles (REG-5).", func(g *Gateway, ctx context.Context, a Actor, in InviteInput) (Invitation, error) {
			return g.Invite(ctx, a, in)
		}),
		"org.set_roles": handle("Assign and revoke roles (ORG-3).", func(g *Gateway, ctx context.Context, a Actor, in SetRolesInput) (Account, error) {
			return g.SetRoles(ctx, a, in)
		}),
		"org.members": handle("List members and roles.", func(g *Gateway, ctx context.Context, a Actor, _ noInput) ([]Member, error) {
			return g.Members(ctx, a)
		}),
		"org.request_merge": handle("Request a merge (ORG-6).", func(g *Gateway, ctx context.Context, a Actor, in RequestMergeInput) (MergeRequest, error) {
			return g.RequestMerge(ctx, a, in)
		}),
		"org.answer_merge": handle("Approve or reject a merge (ORG-6).", func(g *Gateway, ctx context.Context, a Actor, in AnswerMergeInput) (MergeRequest, error) {
			return g.AnswerMerge(ctx, a, in)
		}),
		"org.merges": handle("List merge requests.", func(g *Gateway, ctx context.Context, a Actor, _ noInput) ([]MergeRequest, error) {
			return g.MergeRequests(ctx, a)
		}),
		"org.request_closure": handle("Request closure (ORG-7).", func(g *Gateway, ctx context.Context, a Actor, in RequestClosureInput) (ClosureRequest, error) {
			return g.RequestClosure(ctx, a, in)
		}),
		"org.decide_closure": handle("Close, decline or restore (ORG-7).", func(g *Gateway, ctx context.Context, a Actor, in DecideClosureInput) (ClosureRequest, error) {
			return g.DecideClosure(ctx, a, in)
		}),
		"org.support_access": handle("List Central Admin's support actions at the organisation (ROLE-7).", func(g *Gateway, ctx context.Context, a Actor, _ noInput) ([]SupportAccess, error) {
			return g.SupportAccessLog(ctx, a)
		}),
		"inventory.save_asset": handle("Add or edit an information asset (ORG-10).", func(g *Gateway, ctx context.Context, a Actor, in AssetInput) (InformationAsset, error) {
			return g.SaveAsset(ctx, a, in)
		}),
		"inventory.assets": handle("List the data inventory (ORG-10).", func(g *Gateway, ctx context.Context, a Actor, _ noInput) ([]InformationAsset, error) {
			return g.Assets(ctx, a)
		}),
		"role.delegate": handle("Delegate signing authority (ROLE-5).", func(g *Gateway, ctx context.Context, a Actor, in DelegateInput) (Delegation, error) {
			return g.Delegate(ctx, a, in)
		}),
		"role.revoke_delegation": handle("Revoke a delegation (ROLE-5).", func(g *Gateway, ctx context.Context, a Actor, in idInput) (Delegation, error) {
			return g.RevokeDelegation(ctx, a, in.ID)
		}),
		"mou.publish": handle("Publish a new MoU version (MOU-1).", func(g *Gateway, ctx context.Context, a Actor, in PublishMoUInput) (MoU, error) {
			return g.PublishMoU(ctx, a, in)
		}),
		"mou.current": handle("Read the current MoU.", func(g *Gateway, ctx context.Context, _ Actor, _ noInput) (MoU, error) {
			return g.CurrentMoU(ctx)
		}),
		"mou.sign": handle("Sign the MoU (MOU-1, ROLE-3).", func(g *Gateway, ctx context.Context, a Actor, in SignMoUInput) (MoUSignature, error) {
			return g.SignMoU(ctx, a, in)
		}),
		"mou.download": handle("Download an organisation's signed MoU (MOU-1).", func(g *Gateway, ctx context.Context, a Actor, in orgInput) (SignedMoU, error) {
			return g.DownloadSignedMoU(ctx, a, in.Org)
		}),
		"document.upload": handle("Attach a document (DOC-1); content is base64 in JSON.", func(g *Gateway, ctx context.Context, a Actor, in UploadInput) (Document, error) {
			return g.UploadDocument(ctx, a, in)
		}),
		"document.list": handle("List the documents attached to a subject.", func(g *Gateway, ctx context.Context, a Actor, in struct {
			SubjectKind string `json:"subject_kind"`
			SubjectID   string `json:"subject_id"`
		}) ([]Document, error) {
			return g.Documents(ctx, a, in.SubjectKind, in.SubjectID)
		}),
		"outbox.drain": handle("Drain the outbox into a recording notifier and return what was delivered.", func(g *Gateway, ctx context.Context, _ Actor, in struct {
			Max int `json:"max"`
		}) (drained, error) {
			var d drained
			res, err := g.DrainOutbox(ctx, NotifierFunc(func(_ context.Context, n Notification) error {
				d.Messages = append(d.Messages, n)
				return nil
			}), in.Max)
			d.DrainResult = res
			return d, err
		}),
	}
	for _, set := range []map[string]handler{assuranceCommands(), licensingCommands(), agreementCommands()} {
		for name, c := range set {
			t[name] = c
		}
	}
	return t
}

type drained struct {
	DrainResult
	Messages []Notification `json:"messages"`
}

func assuranceCommands() map[string]handler {
	return map[string]handler{
		"assurance.submit": handle("Submit or update assurance (ASR-1…4, ROLE-4).", func(g *Gateway, ctx context.Context, a Actor, in assurance.Answers) (AssuranceView, error) {
			return g.SubmitAssurance(ctx, a, in)
		}),
		"assurance.get": handle("An organisation's assurance and rating (ASR-6).", func(g *Gateway, ctx context.Context, a Actor, in orgInput) (AssuranceView, error) {
			return g.Assurance(ctx, a, in.Org)
		}),
		"assurance.history": handle("Every submission an organisation made (ASR-6).", func(g *Gateway, ctx context.Context, a Actor, in orgInput) ([]assurance.Submission, error) {
			return g.AssuranceHistory(ctx, a, in.Org)
		}),
		"platform.sweep": handle("Run the periodic sweep (ASR-3, ASR-5).", func(g *Gateway, ctx context.Context, _ Actor, _ noInput) (SweepResult, error) {
			return g.Sweep(ctx)
		}),
	}
}

func licensingCommands() map[string]handler {
	return map[string]handler{
		"licensing.create_contract": handle("Create a group contract (LIC-1, LIC-2).", func(g *Gateway, ctx context.Context, a Actor, in licensing.ContractInput) (licensing.Contract, error) {
			return g.CreateContract(ctx, a, in)
		}),
		"licensing.contracts": handle("The contracts the organisation holds or holds a licence under.", func(g *Gateway, ctx context.Context, a Actor, _ noInput) ([]licensing.Contract, error) {
			return g.Contracts(ctx, a)
		}),
		"licensing.contract": handle("Read a contract.", func(g *Gateway, ctx context.Context, a Actor, in idInput) (licensing.Contract, error) {
			return g.Contract(ctx, a, in.ID)
		}),
		"licensing.set_super_admin": handle("Add or remove a Super Administrator (LIC-2).", func(g *Gateway, ctx context.Context, a Actor, in SuperAdminInput) (licensing.Contract, error) {
			return g.SetSuperAdmin(ctx, a, in)
		}),
		"licensing.allocate": handle("Allocate a licence (LIC-1, LIC-7).", func(g *Gateway, ctx context.Context, a Actor, in AllocateInput) (Allocation, error) {
			return g.AllocateLicence(ctx, a, in)
		}),
		"licensing.revoke": handle("Revoke a licence (LIC-5).", func(g *Gateway, ctx context.Context, a Actor, in RevokeInput) (licensing.Contract, error) {
			return g.RevokeLicence(ctx, a, in)
		}),
		"licensing.requests": handle("List a contract's pending licence requests (LIC-7).", func(g *Gateway, ctx context.Context, a Actor, in idInput) ([]licensing.Request, error) {
			return g.LicenceRequests(ctx, a, in.ID)
		}),
		"licensing.answer_request": handle("Allocate or decline a licence request (LIC-7).", func(g *Gateway, ctx context.Context, a Actor, in AnswerRequestInput) (licensing.Request, error) {
			return g.AnswerLicenceRequest(ctx, a, in)
		}),
		"licensing.renew": handle("Renew a contract (LIC-6).", func(g *Gateway, ctx context.Context, a Actor, in RenewInput) (licensing.Contract, error) {
			return g.RenewContract(ctx, a, in)
		}),
		"licensing.end": handle("End a contract (LIC-5).", func(g *Gateway, ctx context.Context, a Actor, in idInput) (licensing.Contract, error) {
			return g.EndContract(ctx, a, in.ID)
		}),
		"licensing.capabilities": handle("What the organisation's licences allow (LIC-3, LIC-4).", func(g *Gateway, ctx context.Context, a Actor, _ noInput) (Capabilities, error) {
			return g.OrganisationCapabilities(ctx, a)
		}),
	}
}

func agreementCommands() map[string]handler {
	return map[string]handler{}
}

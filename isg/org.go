package isg

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/isgkit/gateway/assurance"
)

const kindOrg Kind = "organisation"

// Category is the kind of public body (or partner) an organisation is.
type Category string

// Organisation categories.
const (
	CategoryNHSTrust         Category = "nhs_trust"
	CategoryGPPractice       Category = "gp_practice"
	CategoryLocalAuthority   Category = "local_authority"
	CategoryPolice           Category = "police"
	CategorySchool           Category = "school"
	CategoryCharity          Category = "charity"
	CategoryCentralGov       Category = "central_government"
	CategoryPrivate          Category = "private"
	CategoryOtherPublic      Category = "other_public"
	CategoryHealthAndCare    Category = "health_and_care"
	categoryValidationValues          = "nhs_trust gp_practice local_authority police school charity central_government private other_public health_and_care"
)

// OrgStatus is an organisation's standing.
type OrgStatus string

// Organisation statuses.
const (
	OrgActive OrgStatus = "active"
	// OrgClosed organisations keep their agreements and history but cannot be added to new
	// summaries or flows (ORG-7).
	OrgClosed OrgStatus = "closed"
	// OrgMerged organisations were merged into another (ORG-6); MergedInto names it.
	OrgMerged OrgStatus = "merged"
)

// Address is a postal address.
type Address struct {
	Line1    string `json:"line1" validate:"required,max=200"`
	Line2    string `json:"line2,omitempty" validate:"max=200"`
	Town     string `json:"town" validate:"required,max=100"`
	Postcode string `json:"postcode" validate:"required,uk_postcode"`
}

// Contact is a named contact point.
type Contact struct {
	Name  string `json:"name" validate:"required,max=200"`
	Email string `json:"email" validate:"required,email,max=254"`
	Phone string `json:"phone,omitempty" validate:"max=40"`
}

// PrivacyNotice is an organisation's privacy notice: a document or a URL, never both (ORG-5).
type PrivacyNotice struct {
	URL      string `json:"url,omitempty" validate:"required_without=Document,excluded_with=Document,omitempty,http_url,max=2000" rule:"ORG-5"`
	Document string `json:"document,omitempty" validate:"max=200" rule:"ORG-5"`
}

// Organisation is a registered body.
type Organisation struct {
	ID           OrgID    `json:"id"`
	Name         string   `json:"name"`
	Category     Category `json:"category"`
	ODSCode      string   `json:"ods_code,omitempty"`
	ICONumber    string   `json:"ico_number,omitempty"`
	Address      Address  `json:"address"`
	ContactEmail string   `json:"contact_email"`
	// LicensingGroup is the licensing contract the organisation sits under, empty for none.
	LicensingGroup   string `json:"licensing_group,omitempty"`
	LicenceRequested bool   `json:"licence_requested"`
	// LeadOrg is set on a supported organisation: the lead that registered it (ORG-8).
	LeadOrg OrgID `json:"lead_org,omitzero"`
	// BreachContact is the main contact in the event of a breach; SARContact handles subject
	// access requests and complaints (ORG-9).
	BreachContact *Contact       `json:"breach_contact,omitempty"`
	SARContact    *Contact       `json:"sar_contact,omitempty"`
	PrivacyNotice *PrivacyNotice `json:"privacy_notice,omitempty"`
	// DPOExempt is a confirmed DPO exemption (ORG-4); assigning a DPO clears it.
	DPOExempt            bool      `json:"dpo_exempt"`
	DPOExemptConfirmedBy UserID    `json:"dpo_exempt_confirmed_by,omitzero"`
	Status               OrgStatus `json:"status"`
	MergedInto           OrgID     `json:"merged_into,omitzero"`
	ClosedAt             time.Time `json:"closed_at,omitzero"`
	CreatedBy            UserID    `json:"created_by"`
	CreatedAt            time.Time `json:"created_at"`
	Version              int64     `json:"version"`
}

func (o *Organisation) keys() []IndexKey {
	ks := []IndexKey{key("all", "1"), key("name", strings.ToLower(o.Name)), key("status", string(o.Status))}
	if o.ODSCode != "" {
		ks = append(ks, uniqueKey("ods", strings.ToUpper(o.ODSCode)))
	}
	if o.ICONumber != "" {
		ks = append(ks, key("ico", strings.ToUpper(o.ICONumber)))
	}
	if !o.LeadOrg.IsZero() {
		ks = append(ks, key("lead", o.LeadOrg.String()))
	}
	if o.LicensingGroup != "" {
		ks = append(ks, key("group", o.LicensingGroup))
	}
	return ks
}

func (u *uow) loadOrg(id OrgID) (Organisation, error) {
	var o Organisation
	v, err := u.load(kindOrg, id.String(), &o)
	o.Version = v
	return o, err
}

// findOrgs lists the organisations holding an index key, each with its stored version.
func (u *uow) findOrgs(k IndexKey) ([]Organisation, error) {
	orgs, versions, err := findAll[Organisation](u, kindOrg, k)
	for i := range orgs {
		orgs[i].Version = versions[i]
	}
	return orgs, err
}

func (u *uow) saveOrg(o Organisation) (Organisation, error) {
	v, err := u.save(kindOrg, o.ID.String(), o.Version, o, o.keys()...)
	o.Version = v
	return o, err
}

// RegisterOrganisationInput is the organisation registration form (ORG-1).
type RegisterOrganisationInput struct {
	Name         string   `json:"name" validate:"required,max=200" rule:"ORG-1"`
	Category     Category `json:"category" validate:"required,oneof=nhs_trust gp_practice local_authority police school charity central_government private other_public health_and_care" rule:"ORG-1"`
	ODSCode      string   `json:"ods_code,omitempty" validate:"omitempty,alphanum,min=3,max=10" rule:"REG-7"`
	ICONumber    string   `json:"ico_number,omitempty" validate:"omitempty,ico_number" rule:"REG-7"`
	Address      Address  `json:"address" rule:"ORG-1"`
	ContactEmail string   `json:"contact_email" validate:"required,email,max=254" rule:"ORG-1"`
	// LicensingGroup is the ID of the group's licensing contract; required when a licence is
	// requested (LIC-7).
	LicensingGroup   string `json:"licensing_group,omitempty" validate:"required_if=LicenceRequested true,omitempty,uuid" rule:"LIC-7"`
	LicenceRequested bool   `json:"licence_requested"`
}

// RegisterOrganisation registers an organisation (ORG-1); the acting user becomes its first
// Administrator. The actor's Org is ignored (there is none yet).
//
// Errors: ErrInvalid (field errors, REG-7); ErrForbidden when the actor is not an active account;
// ErrConflict (code "organisation.ods_taken") for an ODS code already registered.
func (g *Gateway) RegisterOrganisation(ctx context.Context, actor Actor, in RegisterOrganisationInput) (Organisation, error) {
	if err := validateInput(in, "ORG-1"); err != nil {
		return Organisation{}, err
	}
	var out Organisation
	err := g.update(ctx, func(u *uow) error {
		x, err := u.activeUser(actor.User)
		if err != nil {
			return err
		}
		o, err := u.createOrg(x, in, OrgID{})
		if err != nil {
			return err
		}
		out = o
		return nil
	})
	return out, err
}

func (u *uow) createOrg(creator user, in RegisterOrganisationInput, lead OrgID) (Organisation, error) {
	if in.ODSCode != "" {
		n, err := u.tx.Count(u.ctx, kindOrg, key("ods", strings.ToUpper(in.ODSCode)))
		if err != nil {
			return Organisation{}, err
		}
		if n > 0 {
			return Organisation{}, &Error{Kind: ErrConflict, Code: "organisation.ods_taken", Rule: "ORG-1", Message: "an organisation with this ODS code is registered",
				Fields: []FieldError{{Field: "ods_code", Code: "taken", Rule: "ORG-1", Message: "is already registered"}}}
		}
	}
	if in.LicensingGroup != "" {
		if err := u.requireGroup(in.LicensingGroup); err != nil {
			return Organisation{}, err
		}
	}
	o := Organisation{ID: OrgID{UUID: u.newID()}, Name: in.Name, Category: in.Category, ODSCode: strings.ToUpper(in.ODSCode),
		ICONumber: strings.ToUpper(in.ICONumber), Address: in.Address, ContactEmail: normEmail(in.ContactEmail),
		LicensingGroup: in.LicensingGroup, LicenceRequested: in.LicenceRequested, LeadOrg: lead,
		Status: OrgActive, CreatedBy: creator.ID, CreatedAt: u.now}
	o, err := u.saveOrg(o)
	if err != nil {
		return Organisation{}, err
	}
	creator = creator.withRoles(o.ID, creator.rolesAt(o.ID)|RoleSet(Administrator))
	if _, err := u.saveUser(creator); err != nil {
		return Organisation{}, err
	}
	if in.LicenceRequested {
		if err := u.onLicenceRequested(o); err != nil {
			return Organisation{}, err
		}
	}
	return o, nil
}

func (u *uow) activeUser(id UserID) (user, error) { return u.activeUserFor(id, "ROLE-7") }

// GetOrganisation returns an organisation. Any active user may read any organisation's public
// details (ORG-2 progress and ORG-5 privacy notices are visible to all organisations).
func (g *Gateway) GetOrganisation(ctx context.Context, actor Actor, id OrgID) (Organisation, error) {
	var out Organisation
	err := g.view(ctx, func(u *uow) error {
		if _, err := u.activeUser(actor.User); err != nil {
			return err
		}
		o, err := u.loadOrg(id)
		out = o
		return err
	})
	return out, err
}

// UpdateOrganisationInput edits an organisation's details. Nil fields are left unchanged.
type UpdateOrganisationInput struct {
	Name          *string        `json:"name,omitempty" validate:"omitnil,min=1,max=200" rule:"ORG-1"`
	Address       *Address       `json:"address,omitempty" rule:"ORG-1"`
	ContactEmail  *string        `json:"contact_email,omitempty" validate:"omitnil,email,max=254" rule:"ORG-1"`
	ICONumber     *string        `json:"ico_number,omitempty" validate:"omitnil,ico_number" rule:"REG-7"`
	BreachContact *Contact       `json:"breach_contact,omitempty" rule:"ORG-9"`
	SARContact    *Contact       `json:"sar_contact,omitempty" rule:"ORG-9"`
	PrivacyNotice *PrivacyNotice `json:"privacy_notice,omitempty" rule:"ORG-5"`
}

// UpdateOrganisation edits details, contacts (ORG-9) and the privacy notice (ORG-5) of the
// actor's organisation. Needs EditOrganisation (Administrator, Senior Officer).
//
// Errors: ErrInvalid; ErrForbidden; ErrNotFound; ErrRule (code "organisation.closed") for a
// closed or merged organisation.
func (g *Gateway) UpdateOrganisation(ctx context.Context, actor Actor, in UpdateOrganisationInput) (Organisation, error) {
	if err := validateInput(in, "ORG-1"); err != nil {
		return Organisation{}, err
	}
	var out Organisation
	err := g.update(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, EditOrganisation, "ROLE-8"); err != nil {
			return err
		}
		o, err := u.openOrg(actor.Org)
		if err != nil {
			return err
		}
		if in.Name != nil {
			o.Name = *in.Name
		}
		if in.Address != nil {
			o.Address = *in.Address
		}
		if in.ContactEmail != nil {
			o.ContactEmail = normEmail(*in.ContactEmail)
		}
		if in.ICONumber != nil {
			o.ICONumber = strings.ToUpper(*in.ICONumber)
		}
		if in.BreachContact != nil {
			c := *in.BreachContact
			o.BreachContact = &c
		}
		if in.SARContact != nil {
			c := *in.SARContact
			o.SARContact = &c
		}
		if in.PrivacyNotice != nil {
			p := *in.PrivacyNotice
			o.PrivacyNotice = &p
		}
		out, err = u.saveOrg(o)
		return err
	})
	return out, err
}

// openOrg loads an organisation that is still active: closed and merged ones take no changes.
func (u *uow) openOrg(id OrgID) (Organisation, error) {
	o, err := u.loadOrg(id)
	if err != nil {
		return o, err
	}
	if o.Status != OrgActive {
		return o, &Error{Kind: ErrRule, Code: "organisation.closed", Rule: "ORG-7", Message: "the organisation is " + string(o.Status)}
	}
	return o, nil
}

// ConfirmDPOExemptionInput confirms that the organisation needs no DPO (ORG-4).
type ConfirmDPOExemptionInput struct {
	// GuidanceAcknowledged must be true: the confirmer has read the guidance on when a DPO is needed.
	GuidanceAcknowledged bool `json:"guidance_acknowledged" validate:"required" rule:"ORG-4"`
}

// ConfirmDPOExemption records a DPO exemption for the actor's organisation (ORG-4). Needs an
// Administrator or Senior Officer. Refused while the organisation has a DPO.
func (g *Gateway) ConfirmDPOExemption(ctx context.Context, actor Actor, in ConfirmDPOExemptionInput) (Organisation, error) {
	if err := validateInput(in, "ORG-4"); err != nil {
		return Organisation{}, err
	}
	var out Organisation
	err := g.update(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, ConfirmDPOExemption, "ORG-4"); err != nil {
			return err
		}
		o, err := u.openOrg(actor.Org)
		if err != nil {
			return err
		}
		n, err := u.tx.Count(u.ctx, kindUser, key("role", roleKey(o.ID, DPO)))
		if err != nil {
			return err
		}
		if n > 0 {
			return &Error{Kind: ErrRule, Code: "organisation.has_dpo", Rule: "ORG-4", Message: "the organisation has a DPO; an exemption is not needed"}
		}
		o.DPOExempt, o.DPOExemptConfirmedBy = true, actor.User
		out, err = u.saveOrg(o)
		return err
	})
	return out, err
}

// SetupStep is one step of an organisation's setup (ORG-2).
type SetupStep struct {
	Code string `json:"code"`
	Done bool   `json:"done"`
}

// Progress is an organisation's setup progress (ORG-2), visible to every organisation.
type Progress struct {
	Org   OrgID       `json:"org"`
	Steps []SetupStep `json:"steps"`
	Done  int         `json:"done"`
	Total int         `json:"total"`
}

// SetupProgress reports the setup steps done (ORG-2): administrator registered, senior officer
// registered, assurance submitted, MoU signed, DPO assigned or exemption confirmed. Any active user
// may read any organisation's progress. Summaries and flows may be created before it is complete.
func (g *Gateway) SetupProgress(ctx context.Context, actor Actor, org OrgID) (Progress, error) {
	var out Progress
	err := g.view(ctx, func(u *uow) error {
		if _, err := u.activeUser(actor.User); err != nil {
			return err
		}
		o, err := u.loadOrg(org)
		if err != nil {
			return err
		}
		count := func(r Role) (bool, error) {
			n, err := u.tx.Count(u.ctx, kindUser, key("role", roleKey(org, r)))
			return n > 0, err
		}
		adm, err1 := count(Administrator)
		so, err2 := count(SeniorOfficer)
		dpo, err3 := count(DPO)
		assured, err4 := u.hasAssurance(org)
		signed, err5 := u.hasSignedMoU(org)
		if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
			return err
		}
		out = Progress{Org: org, Steps: []SetupStep{
			{"administrator_registered", adm}, {"senior_officer_registered", so}, {"assurance_submitted", assured},
			{"mou_signed", signed}, {"dpo_assigned_or_exempt", dpo || o.DPOExempt},
		}}
		for _, s := range out.Steps {
			if s.Done {
				out.Done++
			}
		}
		out.Total = len(out.Steps)
		return nil
	})
	return out, err
}

// OrganisationListing is an organisation as found in a search, with its current assurance
// rating: low assurance never blocks sharing, but it is always shown (ASR-6).
type OrganisationListing struct {
	Organisation
	Rating assurance.Rating `json:"rating"`
}

// SearchOrganisations finds active organisations by exact name (case-insensitive) or ICO number,
// for picking merge partners and flow parties, each with its current rating (ASR-6).
func (g *Gateway) SearchOrganisations(ctx context.Context, actor Actor, nameOrICO string) ([]OrganisationListing, error) {
	var out []OrganisationListing
	err := g.view(ctx, func(u *uow) error {
		if _, err := u.activeUser(actor.User); err != nil {
			return err
		}
		byName, err := u.findOrgs(key("name", strings.ToLower(strings.TrimSpace(nameOrICO))))
		if err != nil {
			return err
		}
		byICO, err := u.findOrgs(key("ico", strings.ToUpper(strings.TrimSpace(nameOrICO))))
		if err != nil {
			return err
		}
		seen := map[OrgID]bool{}
		for _, o := range append(byName, byICO...) {
			if seen[o.ID] || o.Status != OrgActive {
				continue
			}
			seen[o.ID] = true
			v, err := u.assuranceView(o.ID)
			if err != nil {
				return err
			}
			out = append(out, OrganisationListing{Organisation: o, Rating: v.Rating})
		}
		return nil
	})
	return out, err
}

// RegisterSupportedOrganisation lets an Administrator of a lead organisation register a supported
// organisation (ORG-8). The administrator becomes an Administrator of it too; it sits under the
// lead's licensing group.
func (g *Gateway) RegisterSupportedOrganisation(ctx context.Context, actor Actor, in RegisterOrganisationInput) (Organisation, error) {
	if err := validateInput(in, "ORG-1"); err != nil {
		return Organisation{}, err
	}
	var out Organisation
	err := g.update(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, RegisterSupportedOrganisation, "ORG-8"); err != nil {
			return err
		}
		lead, err := u.openOrg(actor.Org)
		if err != nil {
			return err
		}
		x, err := u.activeUser(actor.User)
		if err != nil {
			return err
		}
		in.LicensingGroup = lead.LicensingGroup
		o, err := u.createOrg(x, in, lead.ID)
		if err != nil {
			return err
		}
		out = o
		return u.notifyRoles(EventSupportedRegistered, lead.ID, Of(Administrator), map[string]string{"supported": o.ID.String()})
	})
	return out, err
}

// SupportedOrganisations lists the organisations the actor's organisation leads (ORG-8). Only the
// lead organisation sees the list.
func (g *Gateway) SupportedOrganisations(ctx context.Context, actor Actor) ([]Organisation, error) {
	var out []Organisation
	err := g.view(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, ViewOrganisation, "ORG-8"); err != nil {
			return err
		}
		var err error
		out, err = u.findOrgs(key("lead", actor.Org.String()))
		return err
	})
	return out, err
}

// orgHandlers lists the handlers of organisations, members, roles, delegations, merges, closures and the inventory.
func orgHandlers() map[string]handler {
	return map[string]handler{
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
	}
}

// orgCommands declares the commands of organisations, members, roles, delegations, merges, closures and the inventory.
func orgCommands() []declared {
	return nil
}

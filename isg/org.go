package isg

import (
	"context"
	"strings"

	"github.com/isgkit/gateway/assurance"
	"github.com/isgkit/gateway/isg/directory"
)

const kindOrg Kind = "organisation"

// Category is the kind of public body (or partner) an organisation is (directory.Category).
type Category = directory.Category

// Organisation categories (directory's).
const (
	CategoryNHSTrust       = directory.CategoryNHSTrust
	CategoryGPPractice     = directory.CategoryGPPractice
	CategoryLocalAuthority = directory.CategoryLocalAuthority
	CategoryPolice         = directory.CategoryPolice
	CategorySchool         = directory.CategorySchool
	CategoryCharity        = directory.CategoryCharity
	CategoryCentralGov     = directory.CategoryCentralGov
	CategoryPrivate        = directory.CategoryPrivate
	CategoryOtherPublic    = directory.CategoryOtherPublic
	CategoryHealthAndCare  = directory.CategoryHealthAndCare
)

// OrgStatus is an organisation's standing (directory.OrgStatus).
type OrgStatus = directory.OrgStatus

// Organisation statuses (directory's).
const (
	// OrgActive organisations take part in everything.
	OrgActive = directory.OrgActive
	// OrgClosed organisations keep their agreements and history but cannot be added to new
	// summaries or flows (ORG-7).
	OrgClosed = directory.OrgClosed
	// OrgMerged organisations were merged into another (ORG-6); MergedInto names it.
	OrgMerged = directory.OrgMerged
)

// Address is a postal address (directory.Address).
type Address = directory.Address

// Contact is a named contact point (directory.Contact).
type Contact = directory.Contact

// PrivacyNotice is an organisation's privacy notice: a document or a URL, never both (ORG-5).
type PrivacyNotice = directory.PrivacyNotice

// Organisation is a registered body (directory.Organisation).
type Organisation = directory.Organisation

// SetupStep is one step of an organisation's setup (ORG-2).
type SetupStep = directory.SetupStep

// Progress is an organisation's setup progress (ORG-2), visible to every organisation.
type Progress = directory.Progress

// RegisterOrganisationInput is the organisation registration form (ORG-1).
type RegisterOrganisationInput = directory.OrganisationInput

// UpdateOrganisationInput edits an organisation's details; nil fields are left unchanged.
type UpdateOrganisationInput = directory.OrganisationChanges

func orgKeys(o Organisation) []IndexKey {
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
	v, err := u.save(kindOrg, o.ID.String(), o.Version, o, orgKeys(o)...)
	o.Version = v
	if err != nil {
		return o, err
	}
	// The public register names the organisation (EXIT-3, register.go).
	return o, u.republish(key("register_org", o.ID.String()))
}

// openOrg loads an organisation that is still active: closed and merged ones take no changes
// (ORG-7).
func (u *uow) openOrg(id OrgID) (Organisation, error) {
	o, err := u.loadOrg(id)
	if err != nil {
		return o, err
	}
	return o, o.RequireOpen()
}

// RegisterOrganisation registers an organisation (ORG-1); the acting user becomes its first
// Administrator. Any active user may; the actor's Org is ignored (there is none yet). An
// organisation registering with an ICO number that summaries named before it registered joins
// them and their flows at once, in place of the placeholder (ORG-11); the move is logged in the
// registering user's name, and the new Administrators and each summary's creating organisation
// are told ("summary.unregistered_joined").
//
// Errors: ErrInvalid (field errors naming ORG-1, REG-7, LIC-7; "licensing_group" naming no
// contract); ErrForbidden ("forbidden", ROLE-7) when the actor is not an active account;
// ErrConflict ("organisation.ods_taken", ORG-1) for an ODS code already registered.
func (g *Gateway) RegisterOrganisation(ctx context.Context, actor Actor, in RegisterOrganisationInput) (Organisation, error) {
	return run(ctx, g, orgRegister, actor, in)
}

var orgRegister = &command[RegisterOrganisationInput, Organisation]{
	name: "org.register", doc: "Register an organisation (ORG-1).", rule: "ORG-1", reach: signedIn,
	apply: func(c *call[RegisterOrganisationInput]) (Organisation, error) {
		x, err := c.loadUser(c.actor.User)
		if err != nil {
			return Organisation{}, err
		}
		return c.createOrg(x, c.in, OrgID{})
	},
}

// createOrg registers an organisation created by x, under lead for a supported one (ORG-8), and
// makes x its Administrator.
func (u *uow) createOrg(x user, in RegisterOrganisationInput, lead OrgID) (Organisation, error) {
	taken := false
	if in.ODSCode != "" {
		n, err := u.tx.Count(u.ctx, kindOrg, key("ods", strings.ToUpper(in.ODSCode)))
		if err != nil {
			return Organisation{}, err
		}
		taken = n > 0
	}
	o, err := directory.NewOrganisation(OrgID{UUID: u.newID()}, in, x.ID, lead, taken, u.now)
	if err != nil {
		return Organisation{}, err
	}
	if in.LicensingGroup != "" {
		if err := u.requireGroup(in.LicensingGroup); err != nil {
			return Organisation{}, err
		}
	}
	if o, err = u.saveOrg(o); err != nil {
		return Organisation{}, err
	}
	if _, err := u.saveUser(x, x.WithRoles(o.ID, x.rolesAt(o.ID)|RoleSet(Administrator))); err != nil {
		return Organisation{}, err
	}
	// ORG-11: an organisation registering with an ICO number that agreements named it by joins
	// them now, its Administrator (x) already in place to be told.
	if err := u.joinUnregistered(Actor{User: x.ID, Org: o.ID}, o); err != nil {
		return Organisation{}, err
	}
	if in.LicenceRequested {
		if err := u.onLicenceRequested(o); err != nil {
			return Organisation{}, err
		}
	}
	return o, nil
}

// GetOrganisation returns an organisation. Any active user may read any organisation's public
// details (ORG-2 progress and ORG-5 privacy notices are visible to all organisations). Which lead
// supports an organisation (LeadOrg) is shown only to users of the two (ORG-8).
//
// Errors: ErrInvalid (no organisation named); ErrForbidden ("forbidden", ROLE-7) for an unknown or
// inactive actor; ErrNotFound ("organisation.not_found").
func (g *Gateway) GetOrganisation(ctx context.Context, actor Actor, in OrgRef) (Organisation, error) {
	return run(ctx, g, orgGet, actor, in)
}

var orgGet = &command[OrgRef, Organisation]{
	name: "org.get", doc: "Read an organisation.", rule: "ROLE-7", reach: signedIn, query: true,
	apply: func(c *call[OrgRef]) (Organisation, error) {
		o, err := c.loadOrg(c.in.Org)
		if err != nil {
			return o, err
		}
		return c.seenBy(c.actor, o)
	},
}

// seenBy is o as the acting user may see it (ORG-8: the lead supporting it only to the two).
func (u *uow) seenBy(actor Actor, o Organisation) (Organisation, error) {
	if o.LeadOrg.IsZero() {
		return o, nil
	}
	x, err := u.actingUser(actor.User, "ORG-8")
	if err != nil {
		return o, err
	}
	return o.SeenBy(func(id OrgID) bool { return x.at(id) != 0 }), nil
}

// UpdateOrganisation edits details, contacts (ORG-9) and the privacy notice (ORG-5) of the
// actor's organisation: the EditOrganisation row (Administrator, Senior Officer). Taking an ICO
// number that summaries named a placeholder by joins them as registering with it would (ORG-11).
//
// Errors: ErrInvalid (field errors naming ORG-1, ORG-5, ORG-9, REG-7); ErrForbidden ("forbidden",
// ROLE-8); ErrNotFound ("organisation.not_found"); ErrRule ("organisation.closed", ORG-7) for a
// closed or merged organisation.
func (g *Gateway) UpdateOrganisation(ctx context.Context, actor Actor, in UpdateOrganisationInput) (Organisation, error) {
	return run(ctx, g, orgUpdate, actor, in)
}

var orgUpdate = &command[UpdateOrganisationInput, Organisation]{
	name: "org.update", doc: "Edit details, contacts and privacy notice (ORG-5, ORG-9).", row: EditOrganisation, rule: "ROLE-8",
	apply: func(c *call[UpdateOrganisationInput]) (Organisation, error) {
		o, err := c.loadOrg(c.org)
		if err != nil {
			return Organisation{}, err
		}
		before := o.ICONumber
		if o, err = directory.Update(o, c.in); err != nil {
			return Organisation{}, err
		}
		if o, err = c.saveOrg(o); err != nil {
			return Organisation{}, err
		}
		// ORG-11: taking an ICO number that agreements named a placeholder by joins them, as
		// registering with it would.
		if o.ICONumber != before {
			if err := c.joinUnregistered(Actor{User: c.actor.User, Org: o.ID}, o); err != nil {
				return Organisation{}, err
			}
		}
		return o, nil
	},
}

// ConfirmDPOExemptionInput confirms that the organisation needs no DPO (ORG-4).
type ConfirmDPOExemptionInput struct {
	// GuidanceAcknowledged must be true: the confirmer has read the guidance on when a DPO is needed.
	GuidanceAcknowledged bool `json:"guidance_acknowledged" validate:"required" rule:"ORG-4"`
}

// ConfirmDPOExemption records a DPO exemption for the actor's organisation (ORG-4): the
// ConfirmDPOExemption row (Administrator, Senior Officer). Refused while the organisation has a DPO.
//
// Errors: ErrInvalid (the guidance must be acknowledged, ORG-4); ErrForbidden ("forbidden",
// ORG-4); ErrNotFound ("organisation.not_found"); ErrRule ("organisation.has_dpo", ORG-4;
// "organisation.closed", ORG-7).
func (g *Gateway) ConfirmDPOExemption(ctx context.Context, actor Actor, in ConfirmDPOExemptionInput) (Organisation, error) {
	return run(ctx, g, orgConfirmDPOExemption, actor, in)
}

var orgConfirmDPOExemption = &command[ConfirmDPOExemptionInput, Organisation]{
	name: "org.confirm_dpo_exemption", doc: "Confirm a DPO exemption (ORG-4).", row: ConfirmDPOExemption, rule: "ORG-4",
	apply: func(c *call[ConfirmDPOExemptionInput]) (Organisation, error) {
		o, err := c.loadOrg(c.org)
		if err != nil {
			return Organisation{}, err
		}
		dpos, err := c.tx.Count(c.ctx, kindUser, key("role", roleKey(o.ID, DPO)))
		if err != nil {
			return Organisation{}, err
		}
		if o, err = directory.ConfirmDPOExemption(o, c.actor.User, dpos > 0); err != nil {
			return Organisation{}, err
		}
		return c.saveOrg(o)
	},
}

// SetupProgress reports the setup steps done (ORG-2): administrator registered, senior officer
// registered, assurance submitted, MoU signed, DPO assigned or exemption confirmed. Any active
// user may read any organisation's progress. Summaries and flows may be created before it is
// complete.
//
// Errors: ErrInvalid (no organisation named); ErrForbidden ("forbidden", ROLE-7) for an unknown or
// inactive actor; ErrNotFound ("organisation.not_found").
func (g *Gateway) SetupProgress(ctx context.Context, actor Actor, in OrgRef) (Progress, error) {
	return run(ctx, g, orgProgress, actor, in)
}

var orgProgress = &command[OrgRef, Progress]{
	name: "org.progress", doc: "Setup progress (ORG-2).", rule: "ORG-2", reach: signedIn, query: true,
	apply: func(c *call[OrgRef]) (Progress, error) {
		o, err := c.loadOrg(c.in.Org)
		if err != nil {
			return Progress{}, err
		}
		var f directory.SetupFacts
		for _, held := range []struct {
			role Role
			to   *bool
		}{{Administrator, &f.Administrator}, {SeniorOfficer, &f.SeniorOfficer}, {DPO, &f.DPO}} {
			n, err := c.tx.Count(c.ctx, kindUser, key("role", roleKey(o.ID, held.role)))
			if err != nil {
				return Progress{}, err
			}
			*held.to = n > 0
		}
		if f.AssuranceSubmitted, err = c.hasAssurance(o.ID); err != nil {
			return Progress{}, err
		}
		if f.MoUSigned, err = c.hasSignedMoU(o.ID); err != nil {
			return Progress{}, err
		}
		return directory.SetupProgress(o, f), nil
	},
}

// OrganisationListing is an organisation as found in a search, with its current assurance
// rating: low assurance never blocks sharing, but it is always shown (ASR-6).
type OrganisationListing struct {
	Organisation
	Rating assurance.Rating `json:"rating"`
}

// SearchInput is a search for organisations by exact name or ICO number.
type SearchInput struct {
	Query string `json:"query"`
}

// SearchOrganisations finds active organisations by exact name (case-insensitive) or ICO number,
// for picking merge partners and flow parties, each with its current rating (ASR-6). Any active
// user may search. Which lead supports an organisation is shown only to users of the two (ORG-8).
//
// Errors: ErrForbidden ("forbidden", ROLE-7) for an unknown or inactive actor.
func (g *Gateway) SearchOrganisations(ctx context.Context, actor Actor, in SearchInput) ([]OrganisationListing, error) {
	return run(ctx, g, orgSearch, actor, in)
}

var orgSearch = &command[SearchInput, []OrganisationListing]{
	name: "org.search", doc: "Find organisations by name or ICO number.", rule: "ASR-6", reach: signedIn, query: true,
	apply: func(c *call[SearchInput]) ([]OrganisationListing, error) {
		q := strings.TrimSpace(c.in.Query)
		byName, err := c.findOrgs(key("name", strings.ToLower(q)))
		if err != nil {
			return nil, err
		}
		byICO, err := c.findOrgs(key("ico", strings.ToUpper(q)))
		if err != nil {
			return nil, err
		}
		var out []OrganisationListing
		for _, o := range directory.Searchable(append(byName, byICO...)) {
			v, err := c.assuranceView(o.ID)
			if err != nil {
				return nil, err
			}
			if o, err = c.seenBy(c.actor, o); err != nil {
				return nil, err
			}
			out = append(out, OrganisationListing{Organisation: o, Rating: v.Rating})
		}
		return out, nil
	},
}

// RegisterSupportedOrganisation lets an Administrator of a lead organisation register a supported
// organisation (ORG-8): the RegisterSupportedOrganisation row. The administrator becomes an
// Administrator of it too; it sits under the lead's licensing group. The lead's Administrators
// are told. Given an ICO number that summaries named it by, it joins them as RegisterOrganisation
// does (ORG-11).
//
// Errors: ErrInvalid (field errors naming ORG-1, REG-7); ErrForbidden ("forbidden", ORG-8);
// ErrNotFound ("organisation.not_found"); ErrRule ("organisation.closed", ORG-7) for a closed
// lead; ErrConflict ("organisation.ods_taken", ORG-1).
func (g *Gateway) RegisterSupportedOrganisation(ctx context.Context, actor Actor, in RegisterOrganisationInput) (Organisation, error) {
	return run(ctx, g, orgRegisterSupported, actor, in)
}

var orgRegisterSupported = &command[RegisterOrganisationInput, Organisation]{
	name: "org.register_supported", doc: "Register a supported organisation (ORG-8).", row: RegisterSupportedOrganisation, rule: "ORG-8",
	apply: func(c *call[RegisterOrganisationInput]) (Organisation, error) {
		lead, err := c.openOrg(c.org)
		if err != nil {
			return Organisation{}, err
		}
		x, err := c.loadUser(c.actor.User)
		if err != nil {
			return Organisation{}, err
		}
		in := c.in
		in.LicensingGroup = lead.LicensingGroup
		o, err := c.createOrg(x, in, lead.ID)
		if err != nil {
			return Organisation{}, err
		}
		return o, c.deliver(directory.SupportedRegistered(lead.ID, o.ID))
	},
}

// SupportedOrganisations lists the organisations the actor's organisation leads (ORG-8), a page at
// a time. Only the
// lead organisation sees the list: every role there may (ViewOrganisation).
//
// Errors: ErrForbidden ("forbidden", ORG-8); ErrNotFound ("organisation.not_found").
func (g *Gateway) SupportedOrganisations(ctx context.Context, actor Actor, in ListPage) (Listing[Organisation], error) {
	return run(ctx, g, orgSupported, actor, in)
}

var orgSupported = &command[ListPage, Listing[Organisation]]{
	name: "org.supported", doc: "List supported organisations (ORG-8).", row: ViewOrganisation, rule: "ORG-8", query: true, arrayOnWire: true,
	apply: func(c *call[ListPage]) (Listing[Organisation], error) {
		return listKey(c.uow, kindOrg, key("lead", c.org.String()), c.in, decodeVersioned(func(x *Organisation, v int64) { x.Version = v }))
	},
}

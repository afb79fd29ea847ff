package directory

import (
	"strings"
	"time"
)

// Category is the kind of public body (or partner) an organisation is.
type Category string

// Organisation categories. Their text is stable: it is stored.
const (
	CategoryNHSTrust       Category = "nhs_trust"
	CategoryGPPractice     Category = "gp_practice"
	CategoryLocalAuthority Category = "local_authority"
	CategoryPolice         Category = "police"
	CategorySchool         Category = "school"
	CategoryCharity        Category = "charity"
	CategoryCentralGov     Category = "central_government"
	CategoryPrivate        Category = "private"
	CategoryOtherPublic    Category = "other_public"
	CategoryHealthAndCare  Category = "health_and_care"
)

// OrgStatus is an organisation's standing.
type OrgStatus string

// Organisation statuses.
const (
	// OrgActive organisations take part in everything.
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
	Email string `json:"email" validate:"required,no_invisible,email,max=254"`
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
	// Version is the stored version, filled in by the Gateway.
	Version int64 `json:"version"`
}

// SeenBy returns o as seen by a user for whom memberOf reports the organisations they hold a role
// at (ORG-8): which lead supports o is shown only to the users of o and of its lead; anyone else
// reads o without LeadOrg. Central Admin is no exception here: it reads the list at the lead, as
// support, where that is logged (ROLE-7).
func (o Organisation) SeenBy(memberOf func(OrgID) bool) Organisation {
	if !o.LeadOrg.IsZero() && !memberOf(o.ID) && !memberOf(o.LeadOrg) {
		o.LeadOrg = OrgID{}
	}
	return o
}

// RequireOpen refuses an organisation that is closed or merged: it takes no changes (ORG-7).
func (o Organisation) RequireOpen() error {
	if o.Status != OrgActive {
		return refuse(ErrRule, CodeOrganisationClosed, "ORG-7", "the organisation is "+string(o.Status))
	}
	return nil
}

// OrganisationInput is the organisation registration form (ORG-1).
type OrganisationInput struct {
	Name         string   `json:"name" validate:"required,max=200" rule:"ORG-1"`
	Category     Category `json:"category" validate:"required,oneof=nhs_trust gp_practice local_authority police school charity central_government private other_public health_and_care" rule:"ORG-1"`
	ODSCode      string   `json:"ods_code,omitempty" validate:"omitempty,alphanum,min=3,max=10" rule:"REG-7"`
	ICONumber    string   `json:"ico_number,omitempty" validate:"omitempty,ico_number" rule:"REG-7"`
	Address      Address  `json:"address" rule:"ORG-1"`
	ContactEmail string   `json:"contact_email" validate:"required,no_invisible,email,max=254" rule:"ORG-1"`
	// LicensingGroup is the ID of the group's licensing contract; required when a licence is
	// requested (LIC-7).
	LicensingGroup   string `json:"licensing_group,omitempty" validate:"required_if=LicenceRequested true,omitempty,uuid" rule:"LIC-7"`
	LicenceRequested bool   `json:"licence_requested"`
}

// NewOrganisation registers an organisation (ORG-1) created by creator, under lead when it is a
// supported organisation (ORG-8, zero otherwise). odsTaken says an organisation already holds the
// ODS code. Codes are kept in upper case and the contact address in its compared form.
func NewOrganisation(id OrgID, in OrganisationInput, creator UserID, lead OrgID, odsTaken bool, now time.Time) (Organisation, error) {
	if odsTaken {
		return Organisation{}, &Error{Kind: ErrConflict, Code: CodeODSTaken, Rule: "ORG-1", Message: "an organisation with this ODS code is registered",
			Fields: []FieldError{{Field: "ods_code", Code: "taken", Rule: "ORG-1", Message: "is already registered"}}}
	}
	return Organisation{ID: id, Name: in.Name, Category: in.Category, ODSCode: strings.ToUpper(in.ODSCode),
		ICONumber: strings.ToUpper(in.ICONumber), Address: in.Address, ContactEmail: NormEmail(in.ContactEmail),
		LicensingGroup: in.LicensingGroup, LicenceRequested: in.LicenceRequested, LeadOrg: lead,
		Status: OrgActive, CreatedBy: creator, CreatedAt: now}, nil
}

// SupportedRegistered is the event of a lead registering a supported organisation (ORG-8): the
// lead's Administrators are told.
func SupportedRegistered(lead OrgID, supported OrgID) Event {
	return Event{Type: EventSupportedRegistered, Org: lead, Data: map[string]string{"supported": supported.String()},
		To: Audience{Roles: Of(Administrator), RolesAt: []OrgID{lead}}}
}

// OrganisationChanges edits an organisation's details. Nil fields are left unchanged.
type OrganisationChanges struct {
	Name          *string        `json:"name,omitempty" validate:"omitnil,min=1,max=200" rule:"ORG-1"`
	Address       *Address       `json:"address,omitempty" rule:"ORG-1"`
	ContactEmail  *string        `json:"contact_email,omitempty" validate:"omitnil,no_invisible,email,max=254" rule:"ORG-1"`
	ICONumber     *string        `json:"ico_number,omitempty" validate:"omitnil,ico_number" rule:"REG-7"`
	BreachContact *Contact       `json:"breach_contact,omitempty" rule:"ORG-9"`
	SARContact    *Contact       `json:"sar_contact,omitempty" rule:"ORG-9"`
	PrivacyNotice *PrivacyNotice `json:"privacy_notice,omitempty" rule:"ORG-5"`
}

// Update applies changes to an open organisation (ORG-1, ORG-5, ORG-9). The result shares no
// pointer with the input or the changes.
func Update(o Organisation, in OrganisationChanges) (Organisation, error) {
	if err := o.RequireOpen(); err != nil {
		return o, err
	}
	if in.Name != nil {
		o.Name = *in.Name
	}
	if in.Address != nil {
		o.Address = *in.Address
	}
	if in.ContactEmail != nil {
		o.ContactEmail = NormEmail(*in.ContactEmail)
	}
	if in.ICONumber != nil {
		o.ICONumber = strings.ToUpper(*in.ICONumber)
	}
	o.BreachContact = cloned(o.BreachContact, in.BreachContact)
	o.SARContact = cloned(o.SARContact, in.SARContact)
	o.PrivacyNotice = cloned(o.PrivacyNotice, in.PrivacyNotice)
	return o, nil
}

// cloned returns a copy of the new value when one is given, else a copy of the old one, so that
// an updated organisation never aliases its predecessor.
func cloned[T any](old, new *T) *T {
	if new == nil {
		new = old
	}
	if new == nil {
		return nil
	}
	c := *new
	return &c
}

// ConfirmDPOExemption records by's confirmation that the open organisation needs no DPO (ORG-4);
// refused while it has one (hasDPO).
func ConfirmDPOExemption(o Organisation, by UserID, hasDPO bool) (Organisation, error) {
	if err := o.RequireOpen(); err != nil {
		return o, err
	}
	if hasDPO {
		return o, refuse(ErrRule, CodeHasDPO, "ORG-4", "the organisation has a DPO; an exemption is not needed")
	}
	o.DPOExempt, o.DPOExemptConfirmedBy = true, by
	return o, nil
}

// Searchable keeps the organisations a search may offer: active ones, each once, in the order
// found (ORG-6: only active organisations take part).
func Searchable(found []Organisation) []Organisation {
	var out []Organisation
	seen := map[OrgID]bool{}
	for _, o := range found {
		if seen[o.ID] || o.Status != OrgActive {
			continue
		}
		seen[o.ID] = true
		out = append(out, o)
	}
	return out
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

// SetupFacts are what the Gateway found of an organisation's setup (ORG-2).
type SetupFacts struct {
	Administrator, SeniorOfficer, DPO bool
	AssuranceSubmitted, MoUSigned     bool
}

// SetupProgress reports the setup steps done (ORG-2), in their fixed order: administrator
// registered, senior officer registered, assurance submitted, MoU signed, DPO assigned or
// exemption confirmed.
func SetupProgress(o Organisation, f SetupFacts) Progress {
	p := Progress{Org: o.ID, Steps: []SetupStep{
		{"administrator_registered", f.Administrator}, {"senior_officer_registered", f.SeniorOfficer},
		{"assurance_submitted", f.AssuranceSubmitted}, {"mou_signed", f.MoUSigned},
		{"dpo_assigned_or_exempt", f.DPO || o.DPOExempt},
	}}
	for _, s := range p.Steps {
		if s.Done {
			p.Done++
		}
	}
	p.Total = len(p.Steps)
	return p
}

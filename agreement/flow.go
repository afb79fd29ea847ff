package agreement

import (
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/isg/violation"
)

// Direction says which way data moves between a flow's From and To organisations.
type Direction string

// The directions.
const (
	// OneWay: data moves from the From organisations to the To organisations only.
	OneWay Direction = "one_way"
	// TwoWay: data moves both ways between the From and To organisations.
	TwoWay Direction = "two_way"
)

// Frequency is how often data moves.
type Frequency string

// The frequencies.
const (
	OneOff     Frequency = "one_off"
	Daily      Frequency = "daily"
	Weekly     Frequency = "weekly"
	Monthly    Frequency = "monthly"
	Quarterly  Frequency = "quarterly"
	Annually   Frequency = "annually"
	AdHoc      Frequency = "ad_hoc"
	Continuous Frequency = "continuous"
)

// TransferMode is how data moves.
type TransferMode string

// The transfer modes.
const (
	SecureEmail    TransferMode = "secure_email"
	SFTP           TransferMode = "sftp"
	API            TransferMode = "api"
	SharedSystem   TransferMode = "shared_system"
	Portal         TransferMode = "portal"
	RemovableMedia TransferMode = "removable_media"
	Post           TransferMode = "post"
	InPerson       TransferMode = "in_person"
	Verbal         TransferMode = "verbal"
	OtherMode      TransferMode = "other"
)

// FlowTerms is everything about a flow that its users write (FLOW-1): the input of NewFlow and
// Edit, and stored flattened in the Flow. An edit replaces the terms whole, and any change of
// them is a new content revision that voids earlier DPO approvals (FLOW-8).
type FlowTerms struct {
	Name string `json:"name" validate:"required,max=200"`
	// Parties are the organisations in the flow; each must be named in the summary (FLOW-11).
	Parties   []OrgID   `json:"parties" validate:"min=2,max=500,dive,required"`
	Direction Direction `json:"direction" validate:"required,oneof=one_way two_way"`
	// From and To are parties: the senders and the receivers (for two-way, the two sides).
	From            []OrgID      `json:"from" validate:"min=1,dive,required"`
	To              []OrgID      `json:"to" validate:"min=1,dive,required"`
	Frequency       Frequency    `json:"frequency" validate:"required,oneof=one_off daily weekly monthly quarterly annually ad_hoc continuous"`
	TransferMode    TransferMode `json:"transfer_mode" validate:"required,oneof=secure_email sftp api shared_system portal removable_media post in_person verbal other"`
	TransferDetails string       `json:"transfer_details,omitempty" validate:"max=2000"`
	// Controls are the safeguards in place (encryption, access control, retention…).
	Controls []string `json:"controls" validate:"min=1,max=100,dive,required,max=1000"`
	// PersonalData marks a flow carrying personal data: it needs DPO approval (FLOW-4) and an
	// Art. 6 basis (or DPA 2018 Part 3 for law enforcement).
	PersonalData bool `json:"personal_data"`
	// SpecialCategoryData marks special-category personal data: it needs an Art. 9 condition as
	// well as an Art. 6 basis.
	SpecialCategoryData bool `json:"special_category_data"`
	// LawEnforcementData marks processing for law-enforcement purposes under DPA 2018 Part 3: it
	// needs the DPA2018-Part3 basis and a summary with the Law Enforcement category (SUM-1).
	LawEnforcementData bool         `json:"law_enforcement_data"`
	LegalBases         []LegalBasis `json:"legal_bases,omitempty" validate:"max=30,dive"`
	// PrivacyAnswers are the privacy screening answers, by question code.
	PrivacyAnswers map[string]string `json:"privacy_answers,omitempty" validate:"max=200,dive,keys,required,max=64,endkeys,max=4000"`
	// Assets are the information assets of the data inventory (ORG-10) the flow draws on.
	Assets []uuid.UUID `json:"assets,omitempty" validate:"max=500"`
	// Sources are the flows the creating organisation received this flow's data through (FLOW-13):
	// onward sharing, which a DPO of every original organisation up the chain must approve before
	// the flow is finalised (see OriginalsOf). Only the creating organisation names them, and only
	// flows it receives data in (CheckSources).
	Sources []FlowID `json:"sources,omitempty" validate:"max=50,dive,required" rule:"FLOW-13"`
}

// Flow is a data flow (FLOW-1): the detail of one sharing beneath a summary, reviewed by DPOs
// and, once finalised, signed off by every organisation it names. Its lifecycle belongs to
// FlowMachine; the fields below State are written only through it.
type Flow struct {
	ID           FlowID    `json:"id"`
	SummaryID    SummaryID `json:"summary_id"`
	CreatedByOrg OrgID     `json:"created_by_org"`
	CreatedBy    UserID    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	UpdatedBy    UserID    `json:"updated_by,omitzero"`
	// CopiedFrom is the flow this one was copied from (SUM-4), if any.
	CopiedFrom FlowID    `json:"copied_from,omitzero"`
	State      FlowState `json:"state"`
	// Rev counts content revisions of the terms, starting at 1; an approval is of one Rev.
	Rev int64 `json:"rev"`
	// ---- FLOW-13 onward sharing and SIGN-6 variations (onward.go, variation.go) ----------------
	// OnwardReviews are the approvals of onward sharing asked of DPOs of the original
	// organisations (FLOW-13), one record per DPO and organisation, kept apart from Reviews: the
	// original organisations are not parties, and their answers neither lock nor unlock the flow.
	OnwardReviews []DPOReview `json:"onward_reviews,omitempty"`
	// VariationOf is the flow this one varies (SIGN-6): set when the variation is made, never
	// changed. When this flow is Signed, that one is Superseded.
	VariationOf FlowID `json:"variation_of,omitzero"`
	// SupersededBy is the signed variation that superseded this flow (SIGN-6), and SupersededAt when.
	SupersededBy FlowID    `json:"superseded_by,omitzero"`
	SupersededAt time.Time `json:"superseded_at,omitzero"`
	// ---- end FLOW-13 / SIGN-6 ------------------------------------------------------------------
	FlowTerms
	// ReviewBy is the latest review-by date of the DPO review requests (FLOW-5): once it has
	// passed the flow may be finalised without an approval (FLOW-8).
	ReviewBy    time.Time   `json:"review_by,omitzero"`
	Reviews     []DPOReview `json:"reviews,omitempty"`
	FinalisedAt time.Time   `json:"finalised_at,omitzero"`
	FinalisedBy UserID      `json:"finalised_by,omitzero"`
	// SignOff holds the requests to sign (SIGN-1), one per user and organisation asked.
	SignOff []SignOffRequest `json:"signoff,omitempty"`
	// Signatures holds at most one signature per organisation (SIGN-2).
	Signatures []Signature `json:"signatures,omitempty"`
	// WetSignatures are wet-signed scans attached by parties (SIGN-5).
	WetSignatures []WetSignature `json:"wet_signatures,omitempty"`
	// Log is the head of the flow's transaction log (LOG-2). The Gateway replaces it after each
	// Append; Diff ignores it.
	Log LogHead `json:"log"`

	// ---- the end of the lifecycle (LIFE-2…LIFE-4; life.go), written only by FlowMachine and
	// SweepFlow ----
	// Notices are the notices to leave the flow (LIFE-3), oldest first, open or closed.
	Notices []LeaveNotice `json:"notices,omitempty"`
	// Withdrawals record each organisation that left the flow by notice (LIFE-3); none of them
	// is in Parties.
	Withdrawals []Withdrawal `json:"withdrawals,omitempty"`
	// TerminatedAt is when the flow was terminated (LIFE-3).
	TerminatedAt time.Time `json:"terminated_at,omitzero"`
	// Disputes are the disputes raised on the flow (LIFE-4), numbered from 1.
	Disputes []Dispute `json:"disputes,omitempty"`
	// Archive is set when the flow is archived (LIFE-2).
	Archive Archive `json:"archive,omitzero"`

	// ---- the public register (EXIT-3; register.go) ----
	// Publication holds the parties' agreements to publish the flow on the public register, one
	// per organisation: it is published while in force and every current party's holds for the
	// current parties (Published).
	Publication []PublicationConsent `json:"publication,omitempty"`
}

// Names reports whether the flow names org as a party.
func (f Flow) Names(org OrgID) bool { return slices.Contains(f.Parties, org) }

// NeedsDPOApproval reports whether the flow carries personal or special-category data and so
// cannot be finalised without DPO review (FLOW-4).
func (f Flow) NeedsDPOApproval() bool { return f.PersonalData || f.SpecialCategoryData }

// NewFlow creates a Draft flow beneath summary s, made by actor at time at (FLOW-1, SUM-2). The
// actor's organisation must be able to see the summary; every party must be named in it
// (FLOW-11). Legal bases are stored in their canonical form (see ParseLegalBasis).
//
// Errors: ErrForbidden (SUM-3) when the actor's organisation cannot see the summary; ErrInvalid
// with field errors (FLOW-1, FLOW-11, SUM-1) for bad terms or a zero ID or actor.
func NewFlow(id FlowID, s Summary, actor Actor, at time.Time, t FlowTerms) (Flow, error) {
	if !CanSeeSummary(actor.Org, s) {
		return Flow{}, violation.New(ErrForbidden, CodeSummaryNotVisible, "SUM-3",
			"only an organisation named in the summary or its creator may add a flow to it")
	}
	t, extra := t.normalised()
	extra = append(extra, t.check(s)...)
	extra = append(extra, checkIDs(id.IsZero(), actor)...)
	if err := checkTerms(t, extra); err != nil {
		return Flow{}, err
	}
	at = at.UTC()
	return Flow{
		ID: id, SummaryID: s.ID, CreatedByOrg: actor.Org, CreatedBy: actor.User,
		CreatedAt: at, UpdatedAt: at, State: Draft, Rev: 1, FlowTerms: t,
	}, nil
}

// CheckFlowTerms validates t against its summary s as NewFlow and Edit do, so a host can report
// problems before submitting. It returns nil or an ErrInvalid *Error listing every bad field.
func CheckFlowTerms(s Summary, t FlowTerms) error {
	t, extra := t.normalised()
	return checkTerms(t, append(extra, t.check(s)...))
}

// normalised returns a copy sharing no slice or map with t, with legal bases in canonical form,
// and the field errors of bases that do not parse.
func (t FlowTerms) normalised() (FlowTerms, []FieldError) {
	var bad []FieldError
	// The three lists of organisations in one allocation, each empty one nil as cloneSlice
	// leaves it.
	t.Parties, t.From, t.To = cloneSides(nilIfEmpty(t.Parties), nilIfEmpty(t.From), nilIfEmpty(t.To))
	t.Controls = cloneSlice(t.Controls)
	t.Assets = cloneSlice(t.Assets)
	t.Sources = cloneSlice(t.Sources)
	t.PrivacyAnswers = cloneMap(t.PrivacyAnswers)
	t.LegalBases = cloneSlice(t.LegalBases)
	for i, lb := range t.LegalBases {
		c, err := ParseLegalBasis(string(lb.Basis))
		if err != nil {
			fe := err.(*Error).Fields[0]
			fe.Field = indexed("legal_bases", i) + ".basis"
			bad = append(bad, fe)
			continue
		}
		t.LegalBases[i].Basis = c
	}
	return t, bad
}

// check finds what the struct tags cannot express: membership, direction, and the legal bases
// the data flags require.
func (t FlowTerms) check(s Summary) []FieldError {
	var f []FieldError
	for _, i := range duplicates(t.Parties) {
		f = append(f, fieldErr(indexed("parties", i), FieldCodeDuplicate, "FLOW-1", "names an organisation twice"))
	}
	for i, p := range t.Parties {
		if !p.IsZero() && !s.Names(p) {
			f = append(f, fieldErr(indexed("parties", i), FieldCodeNotOnSummary, "FLOW-11",
				"must first be named in the flow's summary"))
		}
	}
	for _, side := range []struct {
		name string
		orgs []OrgID
	}{{"from", t.From}, {"to", t.To}} {
		for _, i := range duplicates(side.orgs) {
			f = append(f, fieldErr(indexed(side.name, i), FieldCodeDuplicate, "FLOW-1", "names an organisation twice"))
		}
		for i, o := range side.orgs {
			if !o.IsZero() && !slices.Contains(t.Parties, o) {
				f = append(f, fieldErr(indexed(side.name, i), FieldCodeNotParty, "FLOW-1", "must be a party of the flow"))
			}
		}
	}
	if t.Direction == OneWay {
		for i, o := range t.To {
			if slices.Contains(t.From, o) {
				f = append(f, fieldErr(indexed("to", i), FieldCodeDirectionOverlap, "FLOW-1",
					"a one-way flow cannot send to an organisation it sends from"))
			}
		}
	}
	for _, i := range duplicates(t.Assets) {
		f = append(f, fieldErr(indexed("assets", i), FieldCodeDuplicate, "FLOW-1", "names an asset twice"))
	}
	for i, a := range t.Assets {
		if a == uuid.Nil {
			f = append(f, fieldErr(indexed("assets", i), "required", "FLOW-1", "is required"))
		}
	}
	for _, i := range duplicates(t.Sources) {
		f = append(f, fieldErr(indexed("sources", i), FieldCodeDuplicate, "FLOW-13", "names a source flow twice"))
	}
	return append(f, t.checkBases(s)...)
}

func (t FlowTerms) checkBases(s Summary) []FieldError {
	var f []FieldError
	codes := make([]LegalBasisCode, len(t.LegalBases))
	var art6, art9, part3 bool
	for i, lb := range t.LegalBases {
		codes[i] = lb.Basis
		switch lb.Basis.Article() {
		case 6:
			art6 = true
		case 9:
			art9 = true
		case 0:
			part3 = true
		}
	}
	for _, i := range duplicates(codes) {
		f = append(f, fieldErr(indexed("legal_bases", i)+".basis", FieldCodeDuplicate, "FLOW-1", "names a basis twice"))
	}
	if (t.SpecialCategoryData || t.LawEnforcementData) && !t.PersonalData {
		f = append(f, fieldErr("personal_data", FieldCodeNeedsPersonal, "FLOW-1",
			"special-category and law-enforcement data are personal data: set personal_data"))
	}
	if t.LawEnforcementData {
		// DPA 2018 Part 3 replaces the UK GDPR bases for law-enforcement processing, including
		// its sensitive processing (s.35), so Art. 6/9 are not demanded of such a flow.
		if !part3 {
			f = append(f, fieldErr("legal_bases", FieldCodePart3Required, "FLOW-1",
				"law-enforcement data needs the DPA2018-Part3 basis"))
		}
		if !s.LawEnforcement {
			f = append(f, fieldErr("law_enforcement_data", FieldCodeSummaryNotLE, "SUM-1",
				"the summary must have the Law Enforcement category, with its competent-authority details"))
		}
		return f
	}
	if part3 {
		f = append(f, fieldErr("legal_bases", FieldCodePart3NotLE, "FLOW-1",
			"DPA2018-Part3 applies only to a flow carrying law-enforcement data"))
	}
	if (t.PersonalData || t.SpecialCategoryData) && !art6 {
		f = append(f, fieldErr("legal_bases", FieldCodeArt6Required, "FLOW-1",
			"personal data needs a UK GDPR Art. 6(1) basis"))
	}
	if t.SpecialCategoryData && !art9 {
		f = append(f, fieldErr("legal_bases", FieldCodeArt9Required, "FLOW-1",
			"special-category data needs an Art. 9(2) condition as well as an Art. 6(1) basis"))
	}
	return f
}

// sameTerms reports whether a and b are the same terms exactly as reflect.DeepEqual would: a nil
// slice or map differs from an empty one. An edit to equal terms changes nothing (FLOW-3), so
// every edit asks; DeepEqual boxed both sides on the heap and walked them by reflection. A new
// field of FlowTerms must be compared here (a test counts them).
func sameTerms(a, b *FlowTerms) bool {
	return a.Name == b.Name && a.Direction == b.Direction && a.Frequency == b.Frequency &&
		a.TransferMode == b.TransferMode && a.TransferDetails == b.TransferDetails &&
		a.PersonalData == b.PersonalData && a.SpecialCategoryData == b.SpecialCategoryData &&
		a.LawEnforcementData == b.LawEnforcementData &&
		sameSlice(a.Parties, b.Parties) && sameSlice(a.From, b.From) && sameSlice(a.To, b.To) &&
		sameSlice(a.Controls, b.Controls) && sameSlice(a.LegalBases, b.LegalBases) &&
		sameSlice(a.Assets, b.Assets) && sameSlice(a.Sources, b.Sources) &&
		(a.PrivacyAnswers == nil) == (b.PrivacyAnswers == nil) && maps.Equal(a.PrivacyAnswers, b.PrivacyAnswers)
}

func nilIfEmpty[E any](s []E) []E {
	if len(s) == 0 {
		return nil
	}
	return s
}

// sameSlice is slices.Equal that, as reflect.DeepEqual, tells a nil slice from an empty one.
func sameSlice[E comparable](a, b []E) bool {
	return (a == nil) == (b == nil) && slices.Equal(a, b)
}

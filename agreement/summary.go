package agreement

import (
	"reflect"
	"slices"
	"time"

	"github.com/isgkit/gateway/isg/violation"
)

// DefaultReviewCycleMonths is the review cycle a summary gets when none is given (LIFE-1).
const DefaultReviewCycleMonths = 12

// InfoCategory is one kind of information a summary says is shared (SUM-1). Law Enforcement is
// not among them: it is the summary's LawEnforcement flag because it brings its own details.
type InfoCategory string

// The information categories.
const (
	InfoPersonal        InfoCategory = "personal"
	InfoSpecialCategory InfoCategory = "special_category"
	InfoPseudonymised   InfoCategory = "pseudonymised"
	InfoAnonymised      InfoCategory = "anonymised"
	InfoAggregated      InfoCategory = "aggregated"
	InfoCommercial      InfoCategory = "commercial"
	InfoOther           InfoCategory = "other"
)

// CompetentAuthority describes the competent authority behind law-enforcement processing (DPA 2018
// Part 3; SUM-1). It is required when the summary's LawEnforcement flag is set and refused when it
// is not, so that a summary never carries law-enforcement details it does not claim.
type CompetentAuthority struct {
	// Name is the competent authority (a body of DPA 2018 Schedule 7 or one with statutory
	// law-enforcement functions).
	Name string `json:"name"`
	// StatutoryBasis is the Schedule 7 entry or the enactment giving the functions.
	StatutoryBasis string `json:"statutory_basis"`
	// Purposes are the law-enforcement purposes (DPA 2018 s.31) the processing serves.
	Purposes string `json:"purposes"`
	// Contact is an optional contact for the authority's data protection matters.
	Contact string `json:"contact,omitempty"`
}

// Contact is an additional contact recorded on a summary.
type Contact struct {
	Name  string `json:"name" validate:"required,max=200"`
	Role  string `json:"role,omitempty" validate:"max=200"`
	Email string `json:"email,omitempty" validate:"omitempty,no_invisible,email,max=254"`
	Phone string `json:"phone,omitempty" validate:"max=50"`
	// Org is the organisation the contact belongs to, if any.
	Org OrgID `json:"org,omitzero"`
}

// DocumentRef refers to a document attached to a summary. The bytes are the host's; the
// reference is what a copy duplicates (with a new ID) and what the log records.
type DocumentRef struct {
	ID     DocumentID `json:"id" validate:"required"`
	Name   string     `json:"name" validate:"required,max=255"`
	Size   int64      `json:"size" validate:"gte=0"`
	SHA256 string     `json:"sha256,omitempty" validate:"omitempty,len=64,hexadecimal"`
}

// SummaryTerms is everything about a summary that its users write (SUM-1): the input of
// NewSummary and Summary.Update, and stored flattened in the Summary.
type SummaryTerms struct {
	Title string `json:"title" validate:"required,max=200"`
	// Organisations are the organisations involved; every flow's parties come from here (FLOW-11).
	Organisations     []OrgID        `json:"organisations" validate:"min=1,max=1000,dive,required"`
	DataAsset         string         `json:"data_asset" validate:"required,max=500"`
	Purpose           string         `json:"purpose" validate:"required,max=4000"`
	Benefits          string         `json:"benefits" validate:"required,max=4000"`
	Format            string         `json:"format" validate:"required,max=500"`
	ReviewCycleMonths int            `json:"review_cycle_months" validate:"min=1,max=12" rule:"LIFE-1"`
	InformationShared []InfoCategory `json:"information_shared" validate:"max=7,dive,oneof=personal special_category pseudonymised anonymised aggregated commercial other"`
	// InformationDetails says in words what is shared.
	InformationDetails string `json:"information_details,omitempty" validate:"max=4000"`
	// LawEnforcement marks the Law Enforcement category: the sharing includes processing by a
	// competent authority for law-enforcement purposes. Flows beneath may then carry
	// law-enforcement data, and CompetentAuthority is required.
	LawEnforcement     bool               `json:"law_enforcement"`
	CompetentAuthority CompetentAuthority `json:"competent_authority,omitzero"`
	Contacts           []Contact          `json:"contacts,omitempty" validate:"max=100,dive"`
	Documents          []DocumentRef      `json:"documents,omitempty" validate:"max=500,dive"`
}

// Summary is a data sharing summary (SUM-1, SUM-2): the overview of a sharing for one purpose,
// naming every organisation involved. Its flows are separate aggregates that point to it by
// SummaryID, so that each can be reviewed and signed without touching the others. The store's
// version is not kept here; Rev counts content changes.
type Summary struct {
	ID           SummaryID `json:"id"`
	CreatedByOrg OrgID     `json:"created_by_org"`
	CreatedBy    UserID    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	UpdatedBy    UserID    `json:"updated_by,omitzero"`
	// CopiedFrom is the summary this one was copied from (SUM-4), if any.
	CopiedFrom SummaryID `json:"copied_from,omitzero"`
	// Rev counts the content revisions, starting at 1.
	Rev int64 `json:"rev"`
	// LastReviewedAt is when the sharing was last reviewed (MarkReviewed); zero until the
	// first review, when the cycle runs from CreatedAt (LIFE-1).
	LastReviewedAt time.Time `json:"last_reviewed_at,omitzero"`
	SummaryTerms
	// Unregistered are the organisations among Organisations that are not registered yet, named
	// from the ICO register (ORG-11): placeholders shown as not registered until they join. Only
	// NameUnregistered adds to it; an edit removing an organisation drops its entry.
	Unregistered []UnregisteredParty `json:"unregistered,omitempty"`
	// Log is the head of the summary's transaction log (LOG-2). The Gateway replaces it after
	// each Append; Diff ignores it.
	Log LogHead `json:"log"`
}

// Names reports whether the summary names org among its organisations.
func (s Summary) Names(org OrgID) bool { return slices.Contains(s.Organisations, org) }

// NewSummary creates a summary made by actor at time at. A zero ReviewCycleMonths becomes
// DefaultReviewCycleMonths. The creating organisation need not be one of the organisations
// involved (a body may set up a sharing between others).
//
// Errors: ErrInvalid with field errors (SUM-1) for bad terms or a zero ID or actor.
func NewSummary(id SummaryID, actor Actor, at time.Time, t SummaryTerms) (Summary, error) {
	t = t.normalised()
	extra := t.check()
	extra = append(extra, checkIDs(id.IsZero(), actor)...)
	if err := checkInput(t, "SUM-1", extra); err != nil {
		return Summary{}, err
	}
	at = at.UTC()
	return Summary{
		ID: id, CreatedByOrg: actor.Org, CreatedBy: actor.User, CreatedAt: at, UpdatedAt: at,
		Rev: 1, SummaryTerms: t,
	}, nil
}

func checkIDs(zeroID bool, actor Actor) []FieldError {
	var f []FieldError
	if zeroID {
		f = append(f, fieldErr("id", "required", "", "is required"))
	}
	if actor.User.IsZero() || actor.Org.IsZero() {
		f = append(f, fieldErr("actor", "required", "", "needs a user and an organisation"))
	}
	return f
}

// Update replaces the summary's terms with t, returning the new summary; the receiver is left
// unchanged. flows are the summary's flows (others are ignored): an organisation a flow still
// names cannot be removed (FLOW-11), nor can the Law Enforcement category while a flow carries
// law-enforcement data (SUM-1). Terms equal to the current ones return the summary as it is. An
// organisation not registered yet that the terms no longer name leaves Unregistered (ORG-11).
//
// Errors: ErrForbidden (SUM-3) when actor's organisation may not see the summary; ErrInvalid with
// field errors for bad terms; ErrRule (FLOW-11, SUM-1) as above.
func (s Summary) Update(actor Actor, at time.Time, t SummaryTerms, flows []Flow) (Summary, error) {
	if !CanSeeSummary(actor.Org, s) {
		return s, violation.New(ErrForbidden, CodeSummaryNotVisible, "SUM-3",
			"only an organisation named in the summary or its creator may edit it")
	}
	t = t.normalised()
	if err := checkInput(t, "SUM-1", t.check()); err != nil {
		return s, err
	}
	for _, f := range flows {
		if f.SummaryID != s.ID {
			continue
		}
		for _, p := range f.Parties {
			if !slices.Contains(t.Organisations, p) {
				return s, violation.New(ErrRule, CodeOrgInFlow, "FLOW-11",
					"organisation "+p.String()+" is named in flow "+f.ID.String()+" and must stay on the summary")
			}
		}
		if f.LawEnforcementData && !t.LawEnforcement {
			return s, violation.New(ErrRule, CodeLawEnforcementInFlow, "SUM-1",
				"flow "+f.ID.String()+" carries law-enforcement data, so the summary keeps the Law Enforcement category")
		}
	}
	if reflect.DeepEqual(t, s.SummaryTerms) {
		return s, nil
	}
	n := s
	n.SummaryTerms = t
	n.Unregistered = s.keptUnregistered(t.Organisations)
	n.Rev++
	n.UpdatedAt = at.UTC()
	n.UpdatedBy = actor.User
	return n, nil
}

// normalised returns a copy that shares no slice with t, with the default review cycle applied.
func (t SummaryTerms) normalised() SummaryTerms {
	if t.ReviewCycleMonths == 0 {
		t.ReviewCycleMonths = DefaultReviewCycleMonths
	}
	t.Organisations = cloneSlice(t.Organisations)
	t.InformationShared = cloneSlice(t.InformationShared)
	t.Contacts = cloneSlice(t.Contacts)
	t.Documents = cloneSlice(t.Documents)
	return t
}

// check finds what the struct tags cannot express.
func (t SummaryTerms) check() []FieldError {
	var f []FieldError
	for _, i := range duplicates(t.Organisations) {
		f = append(f, fieldErr(indexed("organisations", i), FieldCodeDuplicate, "SUM-1", "names an organisation twice"))
	}
	for _, i := range duplicates(t.InformationShared) {
		f = append(f, fieldErr(indexed("information_shared", i), FieldCodeDuplicate, "SUM-1", "names a category twice"))
	}
	docIDs := make([]DocumentID, len(t.Documents))
	for i, d := range t.Documents {
		docIDs[i] = d.ID
	}
	for _, i := range duplicates(docIDs) {
		f = append(f, fieldErr(indexed("documents", i)+".id", FieldCodeDuplicate, "SUM-1", "names a document twice"))
	}
	if len(t.InformationShared) == 0 && !t.LawEnforcement {
		f = append(f, fieldErr("information_shared", "required", "SUM-1", "must name at least one category, or set law_enforcement"))
	}
	ca := t.CompetentAuthority
	switch {
	case t.LawEnforcement:
		for _, r := range []struct{ name, v string }{
			{"name", ca.Name}, {"statutory_basis", ca.StatutoryBasis}, {"purposes", ca.Purposes},
		} {
			if r.v == "" {
				f = append(f, fieldErr("competent_authority."+r.name, "required", "SUM-1",
					"is required when the Law Enforcement category is set"))
			} else if len(r.v) > 2000 {
				f = append(f, fieldErr("competent_authority."+r.name, "max", "SUM-1", "must be at most 2000 characters"))
			}
		}
		if len(ca.Contact) > 500 {
			f = append(f, fieldErr("competent_authority.contact", "max", "SUM-1", "must be at most 500 characters"))
		}
	case ca != CompetentAuthority{}:
		f = append(f, fieldErr("competent_authority", "excluded_unless", "SUM-1",
			"may be given only with the Law Enforcement category (law_enforcement)"))
	}
	return f
}

// ReviewDueAt is when the summary's next review falls due: the last review, or its creation
// before any review, plus the review cycle in months (LIFE-1).
func (s Summary) ReviewDueAt() time.Time {
	from := s.LastReviewedAt
	if from.IsZero() {
		from = s.CreatedAt
	}
	cycle := s.ReviewCycleMonths
	if cycle == 0 {
		cycle = DefaultReviewCycleMonths
	}
	return from.AddDate(0, cycle, 0)
}

// ReviewDue reports whether the summary is flagged review due at now: ReviewDueAt is reached
// (LIFE-1).
func (s Summary) ReviewDue(now time.Time) bool { return !now.Before(s.ReviewDueAt()) }

// MarkReviewed records that actor's organisation reviewed the sharing at time at, which starts a
// new review cycle. The terms are unchanged (an edit is Update).
//
// Errors: ErrForbidden (SUM-3) when the actor's organisation may not see the summary.
func (s Summary) MarkReviewed(actor Actor, at time.Time) (Summary, error) {
	if !CanSeeSummary(actor.Org, s) {
		return s, violation.New(ErrForbidden, CodeSummaryNotVisible, "SUM-3",
			"only an organisation named in the summary or its creator may review it")
	}
	n := s
	n.LastReviewedAt = at.UTC()
	n.UpdatedAt = at.UTC()
	n.UpdatedBy = actor.User
	return n, nil
}

package pdf

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/isgkit/gateway/isg/riskmatrix"
)

// Agreement is what the document of a finalised or signed data flow shows (EXIT-2): the
// summary it sits under, the flow's terms, its parties with their assurance ratings, the DPO
// reviews, the risk assessment and the signatures, each with the result of verifying it when
// the document was produced. The Gateway builds it; every name is resolved and every judgement
// made before it reaches this package.
type Agreement struct {
	// Produced is when the document was made; it is printed, with AccuracyNote, and is the
	// PDF's creation date.
	Produced   time.Time
	Summary    Summary
	Flow       Flow
	Parties    []Party
	Reviews    []Review
	Risk       *RiskAssessment // nil when the flow has none
	Signatures []Signature
	// SignaturesValid is the verification's overall result: at least one signature and every
	// one verified (agreement.SignatureReport.Valid).
	SignaturesValid bool
	// Unsigned names the parties that have not signed yet.
	Unsigned []string
	// WetSignatures are the wet-signed scans attached as evidence (SIGN-5).
	WetSignatures []WetSignature
}

// Summary is the data sharing summary a flow sits under (SUM-1).
type Summary struct {
	ID                 string
	Title              string
	CreatedBy          string // the creating organisation's name
	DataAsset          string
	Purpose            string
	Benefits           string
	Format             string
	InformationShared  []string
	InformationDetails string
	ReviewCycleMonths  int
	LawEnforcement     bool
}

// Flow is a flow's terms and state (FLOW-1, FLOW-2).
type Flow struct {
	ID                  string
	Name                string
	State               string
	Rev                 int64
	Direction           string
	From, To            []string // organisation names
	Frequency           string
	TransferMode        string
	TransferDetails     string
	Controls            []string
	PersonalData        bool
	SpecialCategoryData bool
	LawEnforcementData  bool
	LegalBases          []LegalBasis
	FinalisedAt         time.Time
	// VariationOf is the ID of the flow this one varies (SIGN-6), if any.
	VariationOf string
}

// LegalBasis is one legal basis of a flow with the instrument relied on.
type LegalBasis struct {
	Basis      string
	Instrument string
}

// Party is an organisation named in the flow, with its assurance rating as it stood when the
// document was produced (ASR-6).
type Party struct {
	Name string
	ID   string
	// Rating is the assurance level's code ("significant", "not_submitted", …); Missing lists
	// the criteria it lacks.
	Rating  string
	Missing []string
	// Unregistered marks an organisation named from the ICO register that has not joined yet
	// (ORG-11).
	Unregistered bool
	Signed       bool
}

// Review is one DPO's part in the flow's review (FLOW-5…FLOW-7).
type Review struct {
	DPO          string // the DPO's name
	Org          string // the organisation reviewed for
	RequestedAt  time.Time
	Decision     string // "approved", "rejected", or "" while awaited
	Awaiting     bool
	Details      string
	DecidedAt    time.Time
	DecidedRev   int64
	RereviewNote string
	Withdrawn    bool
}

// RiskAssessment is the flow's risk assessment (RISK-1, RISK-2).
type RiskAssessment struct {
	UpdatedAt time.Time
	// Highest is the highest residual grade, "" with no risks.
	Highest string
	Risks   []Risk
}

// Risk is one risk scored on the 5×5 matrix before and after mitigation.
type Risk struct {
	Code                               string
	Description                        string
	Likelihood, Impact                 int
	Mitigation                         string
	ResidualLikelihood, ResidualImpact int
	ReviewedBy                         string
	ReviewedAt                         time.Time
}

// Signature is one organisation's signature (SIGN-4) and the result of verifying it against
// the flow's terms and log when the document was produced.
type Signature struct {
	Signatory string // the signatory's name
	Role      string
	Org       string
	SignedAt  time.Time
	Late      bool
	Algorithm string
	KeyID     string
	TermsHash string
	Verified  bool
	// Code and Reason say why verification failed (agreement.SignatureCheck).
	Code, Reason string
}

// WetSignature is a wet-signed scan attached as evidence (SIGN-5).
type WetSignature struct {
	Org        string
	Document   string
	AttachedBy string
	AttachedAt time.Time
}

// AgreementSections are the headings of an agreement's document, in order.
var AgreementSections = [...]string{"1. Summary", "2. Flow terms", "3. Parties and assurance", "4. DPO reviews", "5. Risk assessment", "6. Signatures"}

// WriteAgreement writes the PDF document of a finalised or signed agreement to w: a cover
// naming the flow, the date produced and AccuracyNote, then AgreementSections. The same value
// always gives the same bytes.
//
// Errors: the writer's error, or the PDF library's, wrapped.
func WriteAgreement(w io.Writer, a Agreement) error {
	d := newDoc("Data sharing agreement: "+a.Flow.Name, a.Summary.Title, a.Produced)
	d.title("Data sharing agreement", a.Flow.Name+" - "+a.Summary.Title)
	d.field("Produced", stamp(a.Produced))
	d.field("Flow", a.Flow.ID)
	d.field("State", words(a.Flow.State))
	d.note(AccuracyNote)

	s := a.Summary
	d.heading(AgreementSections[0])
	d.field("Title", s.Title)
	d.field("Summary", s.ID)
	d.field("Created by", s.CreatedBy)
	d.field("Data asset", s.DataAsset)
	d.field("Purpose", s.Purpose)
	d.field("Benefits", s.Benefits)
	d.field("Format", s.Format)
	d.field("Information shared", joinedWords(s.InformationShared))
	d.field("Details", s.InformationDetails)
	d.field("Review cycle", plural(s.ReviewCycleMonths, "month"))
	d.field("Law enforcement", yesNo(s.LawEnforcement))

	f := a.Flow
	d.heading(AgreementSections[1])
	d.field("Name", f.Name)
	d.field("Revision", strconv.FormatInt(f.Rev, 10))
	d.field("Direction", words(f.Direction))
	d.field("From", joined(f.From))
	d.field("To", joined(f.To))
	d.field("Frequency", words(f.Frequency))
	d.field("Transfer", words(f.TransferMode))
	d.field("Transfer details", f.TransferDetails)
	d.field("Personal data", yesNo(f.PersonalData))
	d.field("Special category data", yesNo(f.SpecialCategoryData))
	d.field("Law enforcement data", yesNo(f.LawEnforcementData))
	d.field("Finalised", stamp(f.FinalisedAt))
	if f.VariationOf != "" {
		d.field("Varies flow", f.VariationOf)
	}
	d.subheading("Legal bases")
	var bases []string
	for _, b := range f.LegalBases {
		bases = append(bases, b.Basis+": "+b.Instrument)
	}
	d.list(bases)
	d.subheading("Controls")
	d.list(f.Controls)

	d.heading(AgreementSections[2])
	if len(a.Parties) == 0 {
		d.para("None.")
	}
	for _, p := range a.Parties {
		d.subheading(p.Name)
		d.field("Organisation", p.ID)
		rating := words(p.Rating)
		if p.Unregistered {
			rating = "not registered yet (no assurance)"
		}
		d.field("Assurance rating", rating)
		if len(p.Missing) > 0 {
			d.field("Missing", joinedWords(p.Missing))
		}
		d.field("Signed", yesNo(p.Signed))
	}

	d.heading(AgreementSections[3])
	if len(a.Reviews) == 0 {
		d.para("No DPO review was requested.")
	}
	for _, r := range a.Reviews {
		d.subheading(r.DPO + ", DPO for " + r.Org)
		decision := words(r.Decision)
		switch {
		case r.Withdrawn:
			decision += " (the organisation has left the flow)"
		case r.Awaiting:
			decision = "awaiting decision"
		}
		d.field("Decision", decision)
		d.field("Requested", stamp(r.RequestedAt))
		d.field("Decided", stamp(r.DecidedAt))
		if r.DecidedRev > 0 {
			d.field("On revision", strconv.FormatInt(r.DecidedRev, 10))
		}
		d.field("Details", r.Details)
		if r.RereviewNote != "" {
			d.field("Re-review asked", r.RereviewNote)
		}
	}

	d.heading(AgreementSections[4])
	if a.Risk == nil {
		d.para("No risk assessment was recorded for this flow.")
	} else {
		d.field("Updated", stamp(a.Risk.UpdatedAt))
		d.field("Highest residual risk", a.Risk.Highest)
		if len(a.Risk.Risks) == 0 {
			d.para("The assessment lists no risks.")
		}
		for i, r := range a.Risk.Risks {
			d.subheading(fmt.Sprintf("Risk %d. %s", i+1, r.Description))
			if r.Code != "" {
				d.field("Screening question", r.Code)
			}
			d.field("Before mitigation", rating(r.Likelihood, r.Impact))
			d.field("Mitigation", r.Mitigation)
			d.field("Residual", rating(r.ResidualLikelihood, r.ResidualImpact))
			reviewed := "Not reviewed"
			if !r.ReviewedAt.IsZero() {
				reviewed = r.ReviewedBy + ", " + stamp(r.ReviewedAt)
			}
			d.field("Reviewed", reviewed)
		}
	}

	d.heading(AgreementSections[5])
	overall := "Every signature verified against the flow's terms and log."
	switch {
	case len(a.Signatures) == 0:
		overall = "No signature has been recorded yet."
	case !a.SignaturesValid:
		overall = "Verification FAILED for at least one signature: the flow's terms or log no longer match what was signed."
	}
	d.field("Verification", overall)
	d.field("Verified on", stamp(a.Produced))
	if len(a.Unsigned) > 0 {
		d.field("Not yet signed by", joined(a.Unsigned))
	}
	for _, sg := range a.Signatures {
		d.subheading(sg.Org + ": " + sg.Signatory + " (" + words(sg.Role) + ")")
		signed := stamp(sg.SignedAt)
		if sg.Late {
			signed += " (after the sign-by date)"
		}
		d.field("Signed", signed)
		d.field("Algorithm", sg.Algorithm)
		d.field("Key", sg.KeyID)
		d.field("Terms hash", sg.TermsHash)
		result := "Verified"
		if !sg.Verified {
			result = "NOT VERIFIED: " + sg.Code
			if sg.Reason != "" {
				result += " - " + sg.Reason
			}
		}
		d.field("Verification", result)
	}
	if len(a.WetSignatures) > 0 {
		d.subheading("Wet-signed scans attached as evidence")
		for _, ws := range a.WetSignatures {
			d.field(ws.Org, "document "+ws.Document+", attached by "+ws.AttachedBy+", "+stamp(ws.AttachedAt))
		}
	}
	return d.write(w)
}

// rating writes a likelihood and impact with their score and grade: "likelihood 4 x impact 3
// = 12 (high)".
func rating(likelihood, impact int) string {
	rt, err := riskmatrix.Rate(likelihood, impact)
	if err != nil {
		return fmt.Sprintf("likelihood %d x impact %d (not on the matrix)", likelihood, impact)
	}
	return fmt.Sprintf("likelihood %d x impact %d = %d (%s)", likelihood, impact, rt.Score, rt.Grade)
}

// plural writes a count of a unit.
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// joinedWords lists codes as words.
func joinedWords(codes []string) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = words(c)
	}
	return joined(out)
}

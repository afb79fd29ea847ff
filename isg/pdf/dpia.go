package pdf

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/isgkit/gateway/isg/riskmatrix"
)

// DPIA is what the document of an approved DPIA shows (EXIT-2): its template sections with the
// answers, the evaluation of each section and the DPO's opinion, the action plan, the risk map
// with the register, and the approvals. The Gateway builds it from the approved version.
type DPIA struct {
	// Produced is when the document was made; it is printed, with AccuracyNote.
	Produced         time.Time
	ID               string
	Title            string
	Organisation     string
	Activity         string
	Version          int
	State            string
	ExecutiveSummary string
	ReviewDate       time.Time
	ApprovedAt       time.Time
	// Screening is the outcome of the screening (DPIA-3) and its reason; empty when not screened.
	Screening, ScreeningReason string
	// Consultation is the ICO prior consultation, if one was made (DPIA-7).
	Consultation *Consultation
	Sections     []Section
	Evaluations  []Evaluation
	Opinion      *Opinion
	Actions      []Action
	Risks        []MapRisk
	Approvals    []Approval
}

// Section is one section of the ICO template with its questions answered (DPIA-4).
type Section struct {
	Code    string // "need", "processing", …
	Title   string
	Answers []Answer
}

// Answer is one question of the template and its answer.
type Answer struct {
	Question string
	Text     string
	// Attachments counts the documents attached to the answer.
	Attachments int
}

// Consultation is an ICO prior consultation (DPIA-7).
type Consultation struct {
	SentAt    time.Time
	Reference string
	DueAt     time.Time
	Outcome   string
	OutcomeAt time.Time
}

// Evaluation is an evaluator's latest judgement of a section (DPIA-9).
type Evaluation struct {
	Section string
	Verdict string
	Comment string
	By      string
	At      time.Time
}

// Opinion is the DPO's advice (DPIA-9).
type Opinion struct {
	Opinion            string
	SubjectsConsulted  bool
	NotConsultedReason string
	By                 string
	At                 time.Time
}

// Action is an item of the action plan (DPIA-9).
type Action struct {
	Section     string
	Description string
	Owner       string
	Due         time.Time
	DoneAt      time.Time
}

// MapRisk is one risk of the register as the risk map places it: numbered as in the register,
// with its likelihood and impact before and after its measures (DPIA-6).
type MapRisk struct {
	Label                              int
	Description                        string
	Measures                           string
	Likelihood, Impact                 int
	ResidualLikelihood, ResidualImpact int
}

// Approval is one approver's latest decision (DPIA-6).
type Approval struct {
	Approver  string
	Capacity  string
	Decision  string
	Comments  string
	DPOAdvice string
	Reasons   string
	Rev       int64
	At        time.Time
}

// DPIASections are the headings of a DPIA's document, in order.
var DPIASections = [...]string{"1. Assessment", "2. Evaluation", "3. Action plan", "4. Risk map", "5. Approvals"}

// WriteDPIA writes the PDF document of an approved DPIA to w: a cover naming it, the date
// produced and AccuracyNote, then DPIASections. The same value always gives the same bytes.
//
// Errors: the writer's error, or the PDF library's, wrapped.
func WriteDPIA(w io.Writer, x DPIA) error {
	d := newDoc("DPIA: "+x.Title, "Data protection impact assessment", x.Produced)
	d.title("Data protection impact assessment", x.Title)
	d.field("Produced", stamp(x.Produced))
	d.field("DPIA", x.ID)
	d.field("Organisation", x.Organisation)
	d.field("Activity", x.Activity)
	d.field("Version", strconv.Itoa(x.Version))
	d.field("State", words(x.State))
	d.field("Approved", stamp(x.ApprovedAt))
	d.field("Review date", day(x.ReviewDate))
	d.note(AccuracyNote)

	d.heading(DPIASections[0])
	d.subheading("Executive summary")
	d.para(orNone(x.ExecutiveSummary))
	d.subheading("Screening")
	if x.Screening == "" {
		d.para("Not screened.")
	} else {
		d.field("Outcome", words(x.Screening))
		d.field("Reason", x.ScreeningReason)
	}
	if c := x.Consultation; c != nil {
		d.subheading("ICO prior consultation")
		d.field("Sent", stamp(c.SentAt))
		d.field("Reference", c.Reference)
		d.field("Answer due", day(c.DueAt))
		d.field("Outcome", c.Outcome)
		d.field("Answered", stamp(c.OutcomeAt))
	}
	for _, s := range x.Sections {
		d.subheading(s.Title)
		if len(s.Answers) == 0 {
			d.para("Not answered.")
		}
		for _, a := range s.Answers {
			d.f.SetFont("Helvetica", "I", 9)
			d.f.MultiCell(0, lineH, d.text(a.Question), "", "L", false)
			text := a.Text
			if a.Attachments > 0 {
				text += fmt.Sprintf(" [%s attached]", plural(a.Attachments, "document"))
			}
			d.para(orNone(text))
			d.f.Ln(1)
		}
	}

	d.heading(DPIASections[1])
	if len(x.Evaluations) == 0 {
		d.para("No section was evaluated.")
	}
	for _, e := range x.Evaluations {
		d.subheading("Section " + words(e.Section) + ": " + words(e.Verdict))
		d.field("By", e.By+", "+stamp(e.At))
		d.field("Comment", e.Comment)
	}
	d.subheading("DPO's opinion")
	if o := x.Opinion; o == nil {
		d.para("Not recorded.")
	} else {
		d.field("Opinion", o.Opinion)
		consulted := yesNo(o.SubjectsConsulted)
		if !o.SubjectsConsulted && o.NotConsultedReason != "" {
			consulted += ": " + o.NotConsultedReason
		}
		d.field("Data subjects consulted", consulted)
		d.field("By", o.By+", "+stamp(o.At))
	}

	d.heading(DPIASections[2])
	if len(x.Actions) == 0 {
		d.para("No corrective action was needed.")
	}
	for i, a := range x.Actions {
		d.subheading(fmt.Sprintf("Action %d (section %s)", i+1, words(a.Section)))
		d.field("Action", a.Description)
		d.field("Owner", a.Owner)
		d.field("Due", day(a.Due))
		done := "Open"
		if !a.DoneAt.IsZero() {
			done = "Done " + stamp(a.DoneAt)
		}
		d.field("Status", done)
	}

	if len(x.Risks) > 0 {
		d.ensure(mapHeight + 20) // keep the heading with its map
	}
	d.heading(DPIASections[3])
	if len(x.Risks) == 0 {
		d.para("The register lists no risks.")
	} else {
		d.riskMap(x.Risks)
		for _, r := range x.Risks {
			d.subheading(fmt.Sprintf("Risk %d. %s", r.Label, r.Description))
			d.field("Before its measures", rating(r.Likelihood, r.Impact))
			d.field("Measures", r.Measures)
			d.field("Residual", rating(r.ResidualLikelihood, r.ResidualImpact))
		}
	}

	d.heading(DPIASections[4])
	if len(x.Approvals) == 0 {
		d.para("No approval recorded.")
	}
	for _, a := range x.Approvals {
		d.subheading(a.Approver + " (" + words(a.Capacity) + "): " + words(a.Decision))
		d.field("Decided", stamp(a.At))
		d.field("On revision", strconv.FormatInt(a.Rev, 10))
		d.field("Comments", a.Comments)
		if a.DPOAdvice != "" {
			advice := words(a.DPOAdvice)
			if a.Reasons != "" {
				advice += ": " + a.Reasons
			}
			d.field("DPO's advice", advice)
		}
	}
	return d.write(w)
}

// riskMap draws the 5×5 matrix, likelihood up the side and impact along the bottom, each cell
// in its grade's colour, and each risk's number where it starts (in brackets) and where its
// measures leave it: the PDF form of dpia.RiskMapSVG.
func (d *doc) riskMap(risks []MapRisk) {
	const cell, left = mapCell, 14.0
	d.ensure(mapHeight)
	x0, y0 := d.f.GetX()+left, d.f.GetY()+2
	d.f.SetFont("Helvetica", "", 8)
	d.f.SetDrawColor(255, 255, 255)
	for l := riskmatrix.MaxLevel; l >= riskmatrix.MinLevel; l-- {
		y := y0 + float64(riskmatrix.MaxLevel-l)*cell
		for i := riskmatrix.MinLevel; i <= riskmatrix.MaxLevel; i++ {
			rt, _ := riskmatrix.Rate(l, i)
			r, g, b := gradeFill(rt.Grade)
			d.f.SetFillColor(r, g, b)
			d.f.Rect(x0+float64(i-1)*cell, y, cell, cell, "FD")
		}
		d.f.Text(x0-5, y+cell/2+1, strconv.Itoa(l))
	}
	for i := riskmatrix.MinLevel; i <= riskmatrix.MaxLevel; i++ {
		d.f.Text(x0+float64(i-1)*cell+cell/2-1, y0+5*cell+4, strconv.Itoa(i))
	}
	d.f.Text(x0+2*cell, y0+5*cell+9, "impact")
	d.f.TransformBegin()
	d.f.TransformRotate(90, x0-9, y0+3*cell)
	d.f.Text(x0-9, y0+3*cell, "likelihood")
	d.f.TransformEnd()
	// Labels sharing a cell are laid out left to right, then down, so each stays readable.
	placed := map[[2]int]int{}
	put := func(likelihood, impact int, label string) {
		k := [2]int{likelihood, impact}
		n := placed[k]
		placed[k] = n + 1
		x := x0 + float64(impact-1)*cell + 2 + float64(n%3)*6.5
		y := y0 + float64(riskmatrix.MaxLevel-likelihood)*cell + 5 + float64(n/3%4)*4.5
		d.f.Text(x, y, label)
	}
	d.f.SetFont("Helvetica", "B", 8)
	for _, r := range risks {
		if !riskmatrix.ValidLevel(r.Likelihood) || !riskmatrix.ValidLevel(r.Impact) ||
			!riskmatrix.ValidLevel(r.ResidualLikelihood) || !riskmatrix.ValidLevel(r.ResidualImpact) {
			continue // not on the matrix: a stored risk always is
		}
		label := strconv.Itoa(r.Label)
		if r.Likelihood != r.ResidualLikelihood || r.Impact != r.ResidualImpact {
			put(r.Likelihood, r.Impact, "("+label+")")
		}
		put(r.ResidualLikelihood, r.ResidualImpact, label)
	}
	d.f.SetDrawColor(0, 0, 0)
	d.f.SetXY(marginLeft, y0+5*cell+12)
	d.f.SetFont("Helvetica", "I", 8.5)
	d.f.MultiCell(0, 4.5, d.text("Each risk is numbered as in the register: (n) where it starts, n where its measures leave it."), "", "L", false)
}

// The risk map's cell side and its whole height with the axis labels, in millimetres.
const (
	mapCell   = 22.0
	mapHeight = 5*mapCell + 20
)

// orNone writes "None." for empty text.
func orNone(s string) string {
	if s == "" {
		return "None."
	}
	return s
}

package dpia

import (
	"cmp"
	"maps"
	"slices"
	"strings"
)

// Section is a section of the ICO's DPIA template (DPIA-4). Its text is stable.
type Section string

// The template's sections, in the ICO template's order (steps 1–7).
const (
	SectionNeed         Section = "need"         // step 1: identify the need for a DPIA
	SectionProcessing   Section = "processing"   // step 2: the nature, scope, context and purposes of the processing
	SectionConsultation Section = "consultation" // step 3: the consultation process
	SectionNecessity    Section = "necessity"    // step 4: necessity and proportionality
	SectionRisks        Section = "risks"        // step 5: identify and assess risks (with the risk register)
	SectionMeasures     Section = "measures"     // step 6: measures to reduce risk
	SectionSignOff      Section = "signoff"      // step 7: sign off and record outcomes
)

// Sections lists the template's sections in order.
func Sections() []Section {
	return []Section{SectionNeed, SectionProcessing, SectionConsultation, SectionNecessity, SectionRisks, SectionMeasures, SectionSignOff}
}

// EvaluatedSections are the sections evaluators judge (DPIA-9): every section but sign-off, which
// is the approval itself.
func EvaluatedSections() []Section { return slices.Clone(evaluatedSections[:]) }

// evaluatedSections is EvaluatedSections without the copy, for the approval check's hot path.
var evaluatedSections = [...]Section{SectionNeed, SectionProcessing, SectionConsultation, SectionNecessity, SectionRisks, SectionMeasures}

// Valid reports whether s is a section of the template.
func (s Section) Valid() bool { return slices.Contains(Sections(), s) }

// Evaluated reports whether s is a section evaluators judge.
func (s Section) Evaluated() bool { return slices.Contains(evaluatedSections[:], s) }

// Question is a question of the template, "section.name". Its text is stable.
type Question string

// Section returns the section the question belongs to.
func (q Question) Section() Section {
	s, _, _ := strings.Cut(string(q), ".")
	return Section(s)
}

// QuestionInfo describes one question: its code and the ICO template's wording.
type QuestionInfo struct {
	Code Question `json:"code"`
	Text string   `json:"text"`
}

// questions is the template, after the ICO's sample DPIA template.
var questions = [...]QuestionInfo{
	{"need.aims", "Explain broadly what the project aims to achieve and what type of processing it involves."},
	{"need.why_dpia", "Summarise why you identified the need for a DPIA."},
	{"processing.nature", "Describe the nature of the processing: how you will collect, use, store and delete data; the source of the data; who it is shared with; any processing likely to be high-risk."},
	{"processing.scope", "Describe the scope of the processing: the nature of the data (special category or criminal offence data?), how much, how often, how long it is kept, how many individuals, the geographical area."},
	{"processing.context", "Describe the context of the processing: the relationship with the individuals, how much control they have, whether they would expect it, whether they include children or other vulnerable groups, prior concerns, the state of technology, current issues of public concern, approved codes of conduct or certification."},
	{"processing.purposes", "Describe the purposes of the processing: what you want to achieve, the intended effect on individuals, the benefits for you and more broadly."},
	{"consultation.process", "Describe when and how you will seek individuals' views, or justify why it is not appropriate; who else within the organisation you need to involve; whether processors and security experts or other experts will be consulted."},
	{"necessity.lawful_basis", "What is your lawful basis for processing? Does the processing actually achieve your purpose? Is there another way to achieve the same outcome?"},
	{"necessity.minimisation", "How will you prevent function creep? How will you ensure data quality and data minimisation?"},
	{"necessity.rights", "What information will you give individuals? How will you help to support their rights?"},
	{"necessity.processors_and_transfers", "What measures do you take to ensure processors comply? How do you safeguard any international transfers?"},
	{"risks.description", "Describe the source of risk and the nature of potential impact on individuals, including associated compliance and corporate risks (the risk register records each risk's likelihood and severity)."},
	{"measures.description", "Identify additional measures you could take to reduce or eliminate the risks identified as medium or high, their effect on each risk, and whether each residual risk is approved."},
	{"signoff.consultation_responses", "Consultation responses reviewed by: if your decision departs from individuals' views, explain your reasons."},
	{"signoff.kept_under_review_by", "This DPIA will be kept under review by: the name of the person responsible for keeping the DPIA under review."},
	{"signoff.comments", "Comments on the sign-off and outcomes."},
}

// Questions lists the template's questions in order.
func Questions() []QuestionInfo { return slices.Clone(questions[:]) }

// Valid reports whether q is a question of the template.
func (q Question) Valid() bool {
	for _, x := range questions {
		if x.Code == q {
			return true
		}
	}
	return false
}

// Answer is the answer to one template question: free text and the documents attached to it,
// which are documents uploaded to the DPIA (also listed as its additional documents, DPIA-4).
type Answer struct {
	Text string `json:"text,omitempty" validate:"max=20000"`
	// Attachments are IDs of documents uploaded to this DPIA.
	Attachments []string `json:"attachments,omitempty" validate:"max=50,dive,required,max=100"`
}

// Terms is everything about a DPIA that its contributors write: its title, review date,
// executive summary and the template's answers. No field is mandatory but the title (DPIA-4):
// a DPIA is worked on a little at a time. An edit replaces the terms whole and is a new revision
// (Rev+1), so approvals count only for the revision approved.
type Terms struct {
	Title string `json:"title" validate:"required,max=200"`
	// ExecutiveSummary is the DPIA's summary; the ICO prior consultation, when there is one, is
	// recorded with it (DPIA-7: Consultation).
	ExecutiveSummary string `json:"executive_summary,omitempty" validate:"max=20000"`
	// Answers are the template's answers, by question.
	Answers map[Question]Answer `json:"answers,omitempty" validate:"max=100,dive"`
}

// check finds what the struct tags cannot: unknown questions, repeated or unknown attachments.
// uploaded lists the documents uploaded to the DPIA.
func (t Terms) check(uploaded []string) []FieldError {
	var out []FieldError
	for _, q := range sortedKeys(t.Answers) {
		field := "answers." + string(q)
		if !q.Valid() {
			out = append(out, fieldErr(field, FieldCodeUnknownQuestion, "DPIA-4", "is not a question of the DPIA template"))
			continue
		}
		seen := map[string]bool{}
		for i, d := range t.Answers[q].Attachments {
			f := indexed(field+".attachments", i)
			switch {
			case seen[d]:
				out = append(out, fieldErr(f, FieldCodeDuplicate, "DPIA-4", "attaches a document twice"))
			case d != "" && !slices.Contains(uploaded, d):
				out = append(out, fieldErr(f, FieldCodeNotUploaded, "DPIA-4", "is not a document uploaded to this DPIA"))
			}
			seen[d] = true
		}
	}
	return out
}

// normalised copies t so it shares no map or slice with its input; empty answers are dropped.
func (t Terms) normalised() Terms {
	if len(t.Answers) == 0 {
		t.Answers = nil
		return t
	}
	answers := make(map[Question]Answer, len(t.Answers))
	for q, a := range t.Answers {
		if a.Text == "" && len(a.Attachments) == 0 {
			continue
		}
		a.Attachments = cloneSlice(a.Attachments)
		answers[q] = a
	}
	if len(answers) == 0 {
		answers = nil
	}
	t.Answers = answers
	return t
}

func (t Terms) clone() Terms {
	if t.Answers != nil {
		m := make(map[Question]Answer, len(t.Answers))
		for q, a := range t.Answers {
			a.Attachments = cloneSlice(a.Attachments)
			m[q] = a
		}
		t.Answers = m
	}
	return t
}

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K { return slices.Sorted(maps.Keys(m)) }

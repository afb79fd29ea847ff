package dpia

import (
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/isg/txlog"
)

// State is a DPIA's lifecycle state. Its text is stable: it is stored.
type State string

// The states, in lifecycle order (see Machine).
const (
	// Draft: created, nothing written yet; the first edit moves it on.
	Draft State = "draft"
	// InProgress: its contributors are writing it (the CNIL PIA tool's "edit").
	InProgress State = "in_progress"
	// AwaitingApproval: submitted to its approvers, who evaluate each section and approve or
	// reject (the CNIL tool's "evaluate" and "validate"); locked for editing.
	AwaitingApproval State = "awaiting_approval"
	// Approved: every named approver approved this version. Never edited in place (DPIA-10).
	Approved State = "approved"
	// Rejected: an approver rejected it; contributors may edit it again.
	Rejected State = "rejected"
	// ReviewDue: approved, and its review date has come (DPIA-8).
	ReviewDue State = "review_due"
	// Superseded: a newer version of it was approved; kept, readable, as history (DPIA-10).
	Superseded State = "superseded"
	// Closed: no longer needed (the activity ended or never went ahead); kept as history.
	Closed State = "closed"
)

// States lists every state in lifecycle order.
func States() []State {
	return []State{Draft, InProgress, AwaitingApproval, Approved, Rejected, ReviewDue, Superseded, Closed}
}

// Valid reports whether s is one of the declared states.
func (s State) Valid() bool { return slices.Contains(States(), s) }

// Capacity is why an approver is named (DPIA-6). Its text is stable.
type Capacity string

// The capacities of the ISG's approvals tab.
const (
	CapacityDPO               Capacity = "dpo"
	CapacityIGLead            Capacity = "ig_lead"
	CapacityComplianceManager Capacity = "compliance_manager"
)

// Approver is a contributor the DPIA names to evaluate and approve it (DPIA-6, DPIA-9).
type Approver struct {
	User     UserID   `json:"user" validate:"required"`
	Org      OrgID    `json:"org" validate:"required"`
	Capacity Capacity `json:"capacity" validate:"required,oneof=dpo ig_lead compliance_manager"`
}

func (a Approver) member() Member { return Member{User: a.User, Org: a.Org} }

// Contributor is a user who may open and edit the DPIA (DPIA-2), for an organisation on its
// contacts at which the user holds a role.
type Contributor struct {
	Member
	AddedBy UserID    `json:"added_by"`
	AddedAt time.Time `json:"added_at"`
}

// TaskID identifies a task of a DPIA.
type TaskID struct{ uuid.UUID }

// ActionID identifies an action of a DPIA's action plan.
type ActionID struct{ uuid.UUID }

// IsZero reports whether the ID is unset.
func (id TaskID) IsZero() bool { return id.UUID == uuid.Nil }

// IsZero reports whether the ID is unset.
func (id ActionID) IsZero() bool { return id.UUID == uuid.Nil }

// TaskInput is a task to assign (DPIA-5).
type TaskInput struct {
	Title       string `json:"title" validate:"required,max=200"`
	Description string `json:"description,omitempty" validate:"max=4000"`
	// Assignee must be a contributor (DPIA-5).
	Assignee Member    `json:"assignee"`
	Due      time.Time `json:"due,omitzero" validate:"instant"`
}

// Task is a piece of work on the DPIA, assigned to a contributor (DPIA-5).
type Task struct {
	ID TaskID `json:"id"`
	TaskInput
	CreatedBy UserID    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	DoneBy    UserID    `json:"done_by,omitzero"`
	DoneAt    time.Time `json:"done_at,omitzero"`
}

// Done reports whether the task is completed.
func (t Task) Done() bool { return !t.DoneAt.IsZero() }

// Verdict is an evaluator's judgement of a section (DPIA-9, after the CNIL PIA tool).
type Verdict string

// The verdicts.
const (
	// ToCorrect returns the DPIA to editing.
	ToCorrect Verdict = "to_correct"
	// Improvable needs a corrective action, which joins the action plan.
	Improvable Verdict = "improvable"
	// Acceptable needs nothing more.
	Acceptable Verdict = "acceptable"
)

// ActionInput is a corrective action an improvable section needs (DPIA-9).
type ActionInput struct {
	Description string `json:"description" validate:"required,max=4000"`
	// Owner must be a contributor.
	Owner Member    `json:"owner"`
	Due   time.Time `json:"due" validate:"required,instant"`
}

// Action is an item of the DPIA's action plan (DPIA-9).
type Action struct {
	ID      ActionID `json:"id"`
	Section Section  `json:"section"`
	ActionInput
	CreatedBy UserID    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	DoneBy    UserID    `json:"done_by,omitzero"`
	DoneAt    time.Time `json:"done_at,omitzero"`
	// OverdueNotifiedAt is when the sweep flagged the action overdue (once).
	OverdueNotifiedAt time.Time `json:"overdue_notified_at,omitzero"`
}

// Done reports whether the action is completed.
func (a Action) Done() bool { return !a.DoneAt.IsZero() }

// Overdue reports whether the action is past its due date at now and not done.
func (a Action) Overdue(now time.Time) bool { return !a.Done() && now.After(a.Due) }

// Evaluation is the latest judgement of one section (DPIA-9).
type Evaluation struct {
	Section Section `json:"section"`
	Verdict Verdict `json:"verdict"`
	Comment string  `json:"comment,omitempty"`
	// Action is the corrective action of an improvable section.
	Action ActionID  `json:"action,omitzero"`
	By     Member    `json:"by"`
	At     time.Time `json:"at"`
}

// DPOOpinion is the DPO's advice on the DPIA and whether data subjects (or their representatives)
// were consulted, and why not (DPIA-9; the ICO template's "summary of DPO advice").
type DPOOpinion struct {
	Opinion            string    `json:"opinion"`
	SubjectsConsulted  bool      `json:"subjects_consulted"`
	NotConsultedReason string    `json:"not_consulted_reason,omitempty"`
	By                 Member    `json:"by"`
	At                 time.Time `json:"at"`
}

// Decision is an approver's approval or rejection (DPIA-6).
type Decision string

// The decisions.
const (
	DecisionApproved Decision = "approved"
	DecisionRejected Decision = "rejected"
)

// Advice says what an approver made of the DPO's advice (the ICO template's sign-off table).
type Advice string

// The answers to the DPO's advice.
const (
	AdviceAccepted  Advice = "accepted"
	AdviceOverruled Advice = "overruled"
)

// Approval is the latest decision of one approver, with comments; for an approver other than the
// DPO, whether the DPO's advice was accepted or overruled, with reasons when overruled. It
// counts for the revision (Rev) it was given on.
type Approval struct {
	Approver  Member    `json:"approver"`
	Decision  Decision  `json:"decision"`
	Comments  string    `json:"comments,omitempty"`
	DPOAdvice Advice    `json:"dpo_advice,omitempty"`
	Reasons   string    `json:"reasons,omitempty"`
	Rev       int64     `json:"rev"`
	At        time.Time `json:"at"`
}

// DPIA is one version of a data protection impact assessment under an activity (DPIA-1). Its
// lifecycle belongs to Machine; the fields below State are written only through it. Only its
// contributors open it (DPIA-2).
type DPIA struct {
	ID         ID         `json:"id"`
	ActivityID ActivityID `json:"activity_id"`
	// Org is the organisation whose activity it assesses.
	Org OrgID `json:"org"`
	// Root is the ID of the DPIA's first version; every version shares it (DPIA-10).
	Root ID `json:"root"`
	// Version counts the versions from 1; PreviousVersion is the approved version this one
	// revises.
	Version         int       `json:"version"`
	PreviousVersion ID        `json:"previous_version,omitzero"`
	CreatedBy       UserID    `json:"created_by"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
	UpdatedBy       UserID    `json:"updated_by,omitzero"`
	State           State     `json:"state"`
	// Rev counts content revisions from 1; an approval is of one Rev.
	Rev int64 `json:"rev"`
	Terms
	// ReviewDate is when the DPIA is to be reviewed (DPIA-8); set on approval when unset.
	ReviewDate   time.Time     `json:"review_date,omitzero"`
	Screening    *Screening    `json:"screening,omitempty"`
	Contacts     []OrgID       `json:"contacts"`
	Contributors []Contributor `json:"contributors"`
	Approvers    []Approver    `json:"approvers,omitempty"`
	Tasks        []Task        `json:"tasks,omitempty"`
	Risks        []Risk        `json:"risks,omitempty"`
	Consultation *Consultation `json:"consultation,omitempty"`
	Evaluations  []Evaluation  `json:"evaluations,omitempty"`
	Actions      []Action      `json:"actions,omitempty"`
	DPOOpinion   *DPOOpinion   `json:"dpo_opinion,omitempty"`
	Approvals    []Approval    `json:"approvals,omitempty"`
	SubmittedAt  time.Time     `json:"submitted_at,omitzero"`
	ApprovedAt   time.Time     `json:"approved_at,omitzero"`
	// ReviewFlaggedAt is when the sweep found the review date reached (DPIA-8).
	ReviewFlaggedAt time.Time `json:"review_flagged_at,omitzero"`
	// SupersededBy is the version approved in this one's place (DPIA-10).
	SupersededBy ID        `json:"superseded_by,omitzero"`
	ClosedAt     time.Time `json:"closed_at,omitzero"`
	ClosedReason string    `json:"closed_reason,omitempty"`
	// Log is the head of the DPIA's transaction log (LOG-2).
	Log txlog.Head `json:"log"`
}

// New creates version 1 of a DPIA under activity a, in Draft (DPIA-1). The actor must be of the
// activity's organisation; it becomes the creator and first contributor (DPIA-2), and its
// organisation the first contact. The Gateway has checked the DPIA licence (LIC-4).
//
// Errors: ErrNotFound (CodeActivityNotFound) when the actor's organisation is not the
// activity's; ErrInvalid with field errors.
func New(id ID, a Activity, actor Actor, at time.Time, t Terms, reviewDate time.Time) (DPIA, error) {
	if !a.VisibleTo(actor.Org) {
		return DPIA{}, ActivityNotFound(a.ID)
	}
	t = t.normalised()
	if err := checkInput(newInput{Terms: t, ReviewDate: reviewDate}, "DPIA-4", append(t.check(nil), checkIDs(id.IsZero(), actor)...)); err != nil {
		return DPIA{}, err
	}
	at = at.UTC()
	return DPIA{
		ID: id, ActivityID: a.ID, Org: a.Org, Root: id, Version: 1, CreatedBy: actor.User, CreatedAt: at, UpdatedAt: at,
		State: Draft, Rev: 1, Terms: t, ReviewDate: reviewDate.UTC(), Contacts: []OrgID{actor.Org},
		Contributors: []Contributor{{Member: actor.member(), AddedBy: actor.User, AddedAt: at}},
	}, nil
}

type newInput struct {
	Terms      `validate:"-"`
	ReviewDate time.Time `json:"review_date" validate:"instant"`
}

// CanOpen reports whether the actor may open the DPIA: it is one of its contributors, for the
// organisation it acts for (DPIA-2). Nobody else learns anything of it.
func (d DPIA) CanOpen(actor Actor) bool { return d.IsContributor(actor.member()) }

// IsContributor reports whether m is a contributor.
func (d DPIA) IsContributor(m Member) bool {
	if m.User.IsZero() || m.Org.IsZero() {
		return false
	}
	return slices.ContainsFunc(d.Contributors, func(c Contributor) bool { return c.Member == m })
}

// OnContacts reports whether org is on the DPIA's contacts.
func (d DPIA) OnContacts(org OrgID) bool { return slices.Contains(d.Contacts, org) }

// approver returns the index of the approver m, or -1.
func (d DPIA) approver(m Member) int {
	return slices.IndexFunc(d.Approvers, func(a Approver) bool { return a.member() == m })
}

// DPO returns the approver the DPIA names as DPO, if any.
func (d DPIA) DPO() (Approver, bool) {
	i := slices.IndexFunc(d.Approvers, func(a Approver) bool { return a.Capacity == CapacityDPO })
	if i < 0 {
		return Approver{}, false
	}
	return d.Approvers[i], true
}

// OutstandingRedRisks lists the risks whose residual risk is red (extreme), in register order:
// what the approvals tab shows approvers (DPIA-6).
func (d DPIA) OutstandingRedRisks() []Risk {
	var out []Risk
	for _, r := range d.Risks {
		if r.Red() {
			out = append(out, r)
		}
	}
	return out
}

// Open reports whether the version is still being worked on: not approved, superseded or closed.
// At most one open version of a DPIA exists beside its approved one (DPIA-10).
func (d DPIA) Open() bool {
	switch d.State {
	case Draft, InProgress, AwaitingApproval, Rejected:
		return true
	}
	return false
}

// Clone returns a deep copy: no slice, map or pointer of the copy shares memory with d.
func (d DPIA) Clone() DPIA {
	c := d
	c.Terms = d.Terms.clone()
	if d.Screening != nil {
		s := *d.Screening
		if s.Answers != nil {
			s.Answers = make(map[Criterion]bool, len(d.Screening.Answers))
			for k, v := range d.Screening.Answers {
				s.Answers[k] = v
			}
		}
		s.Result.EDPB, s.Result.ICO = cloneSlice(s.Result.EDPB), cloneSlice(s.Result.ICO)
		c.Screening = &s
	}
	if d.Consultation != nil {
		x := *d.Consultation
		c.Consultation = &x
	}
	if d.DPOOpinion != nil {
		x := *d.DPOOpinion
		c.DPOOpinion = &x
	}
	c.Contacts, c.Contributors, c.Approvers = cloneSlice(d.Contacts), cloneSlice(d.Contributors), cloneSlice(d.Approvers)
	c.Tasks, c.Risks, c.Evaluations = cloneSlice(d.Tasks), cloneSlice(d.Risks), cloneSlice(d.Evaluations)
	c.Actions, c.Approvals = cloneSlice(d.Actions), cloneSlice(d.Approvals)
	return c
}

// Clone returns a copy of the activity (it holds no shared memory but its log head's string).
func (a Activity) Clone() Activity { return a }

// MoveOrganisation returns d with the organisation from replaced by to wherever it names it as
// the owner, a contact, a contributor's, an approver's, a task assignee's or an action owner's
// organisation, each kept once (ORG-6: a merged organisation's DPIAs move to the survivor). The
// record of what happened — evaluations, the DPO's opinion, approvals — is left as it was.
func MoveOrganisation(d DPIA, from, to OrgID) DPIA {
	n := d.Clone()
	move := func(o OrgID) OrgID {
		if o == from {
			return to
		}
		return o
	}
	n.Org = move(n.Org)
	n.Contacts = n.Contacts[:0:0]
	for _, o := range d.Contacts {
		if o = move(o); !slices.Contains(n.Contacts, o) {
			n.Contacts = append(n.Contacts, o)
		}
	}
	n.Contributors = n.Contributors[:0:0]
	for _, c := range d.Contributors {
		c.Org = move(c.Org)
		if !n.IsContributor(c.Member) {
			n.Contributors = append(n.Contributors, c)
		}
	}
	n.Approvers = n.Approvers[:0:0]
	for _, a := range d.Approvers {
		a.Org = move(a.Org)
		if n.approver(a.member()) < 0 {
			n.Approvers = append(n.Approvers, a)
		}
	}
	n.Approvers = cloneSlice(n.Approvers)
	for i := range n.Tasks {
		n.Tasks[i].Assignee.Org = move(n.Tasks[i].Assignee.Org)
	}
	for i := range n.Actions {
		n.Actions[i].Owner.Org = move(n.Actions[i].Owner.Org)
	}
	return n
}

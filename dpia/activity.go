package dpia

import (
	"time"

	"github.com/isgkit/gateway/isg/txlog"
	"github.com/isgkit/gateway/isg/violation"
)

// ActivityKind says what an activity introduces (DPIA-1). Its text is stable.
type ActivityKind string

// The activity kinds: the ISG's "any new project, process or system (including software and
// hardware)".
const (
	KindProject ActivityKind = "project"
	KindProcess ActivityKind = "process"
	KindSystem  ActivityKind = "system"
)

// ActivityTerms is what an organisation writes of an activity.
type ActivityTerms struct {
	Name        string       `json:"name" validate:"required,max=200"`
	Kind        ActivityKind `json:"kind" validate:"required,oneof=project process system"`
	Description string       `json:"description,omitempty" validate:"max=4000"`
	// Lead names the person responsible for the project, process or system (its project manager).
	Lead string `json:"lead,omitempty" validate:"max=200"`
}

// Activity is any new project, process or system an organisation introduces (DPIA-1); it holds
// any number of DPIAs, which point back to it by ActivityID. An activity belongs to one
// organisation, whose users all see it in the organisation's activity list; its DPIAs open only
// to their contributors (DPIA-2).
type Activity struct {
	ID        ActivityID `json:"id"`
	Org       OrgID      `json:"org"`
	CreatedBy UserID     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	UpdatedBy UserID     `json:"updated_by,omitzero"`
	ActivityTerms
	// Log is the head of the activity's transaction log (LOG-2).
	Log txlog.Head `json:"log"`
}

// NewActivity creates an activity of the actor's organisation (DPIA-1). The Gateway has checked
// that the organisation holds a DPIA licence (LIC-4).
//
// Errors: ErrInvalid with field errors (DPIA-1).
func NewActivity(id ActivityID, actor Actor, at time.Time, t ActivityTerms) (Activity, error) {
	if err := checkInput(t, "DPIA-1", checkIDs(id.IsZero(), actor)); err != nil {
		return Activity{}, err
	}
	at = at.UTC()
	return Activity{ID: id, Org: actor.Org, CreatedBy: actor.User, CreatedAt: at, UpdatedAt: at, ActivityTerms: t}, nil
}

// Update replaces the activity's terms. Only its own organisation may (anyone else is told it
// does not exist).
//
// Errors: ErrNotFound (CodeActivityNotFound); ErrInvalid with field errors.
func (a Activity) Update(actor Actor, at time.Time, t ActivityTerms) (Activity, error) {
	if !a.VisibleTo(actor.Org) {
		return a, ActivityNotFound(a.ID)
	}
	if err := checkInput(t, "DPIA-1", nil); err != nil {
		return a, err
	}
	n := a
	n.ActivityTerms, n.UpdatedAt, n.UpdatedBy = t, at.UTC(), actor.User
	return n, nil
}

// VisibleTo reports whether org sees the activity: it is the activity's own organisation.
func (a Activity) VisibleTo(org OrgID) bool { return !org.IsZero() && a.Org == org }

// ActivityNotFound is the one answer to an activity the actor's organisation may not see, or that
// does not exist.
func ActivityNotFound(id ActivityID) error {
	return violation.New(ErrNotFound, CodeActivityNotFound, "DPIA-1", "no activity "+id.String())
}

// checkIDs refuses a zero ID or actor: they are the Gateway's to give.
func checkIDs(zeroID bool, actor Actor) []FieldError {
	var out []FieldError
	if zeroID {
		out = append(out, fieldErr("id", "required", "", "is required"))
	}
	if actor.User.IsZero() || actor.Org.IsZero() {
		out = append(out, fieldErr("actor", "required", "ROLE-7", "every command names its actor and organisation"))
	}
	return out
}

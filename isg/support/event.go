package support

import "time"

// EventType names what happened to a support request. Its text is stable: it is the type of the
// notification the Gateway writes, which a user may switch off (NOTE-2).
type EventType string

// The events of the request lifecycle (SUP-1). Each tells the other side of the step.
const (
	// EventRaised: a request was raised; the group's Super Administrators are told.
	EventRaised EventType = "support.request_raised"
	// EventAnswered: a Super Administrator answered; the requester is told.
	EventAnswered EventType = "support.request_answered"
	// EventEscalated: a Super Administrator escalated the request; the central admin team is told,
	// and the requester, whose request is now with the central team.
	EventEscalated EventType = "support.request_escalated"
	// EventAnsweredByCentral: the central team answered an escalated request; the requester and
	// the group's Super Administrators, who escalated it, are told.
	EventAnsweredByCentral EventType = "support.request_answered_by_central"
	// EventResolved: the request was resolved. Resolved by the requester's side, the Super
	// Administrators are told (and the central team, if it was escalated); resolved by the support
	// side, the requester is.
	EventResolved EventType = "support.request_resolved"
	// EventReopened: the requester's side reopened the request; it is back with the group's Super
	// Administrators, who are told (and the central team, if it was escalated).
	EventReopened EventType = "support.request_reopened"
)

// EventTypes lists every event type of the package, in lifecycle order.
func EventTypes() []EventType {
	return []EventType{EventRaised, EventAnswered, EventEscalated, EventAnsweredByCentral, EventResolved, EventReopened}
}

// Audience is who an event is for. Its parts add up; the Gateway tells each person once and
// never the actor who took the step.
type Audience struct {
	// Users are told by account (the requester).
	Users []UserID `json:"users,omitempty"`
	// SuperAdmins tells the Super Administrators of the request's group.
	SuperAdmins bool `json:"super_admins,omitempty"`
	// Central tells the central admin team.
	Central bool `json:"central,omitempty"`
}

// Event is what a step raised, with what the Gateway needs to tell its audience (NOTE-1), in the
// unit of work that saves the step.
type Event struct {
	Type    EventType `json:"type"`
	Request RequestID `json:"request"`
	Org     OrgID     `json:"org"`
	Group   GroupID   `json:"group"`
	Subject string    `json:"subject"`
	State   State     `json:"state"`
	By      UserID    `json:"by"`
	At      time.Time `json:"at"`
	// Note is the step's text: the answer, the escalation note, the reason for reopening.
	Note string   `json:"note,omitempty"`
	To   Audience `json:"to"`
}

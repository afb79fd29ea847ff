package dpia

import (
	"slices"
	"time"
)

// live reports whether anything can still fall due on the DPIA: it is neither superseded nor
// closed.
func (d DPIA) live() bool { return d.State != Superseded && d.State != Closed }

// NextDue returns the earliest time after which the passage of time alone changes something the
// sweep reports on the DPIA: its review date reached (DPIA-8), the ICO's answer to a prior
// consultation overdue (DPIA-7), an action of the plan overdue (DPIA-9). Each is reported once, so
// one already reported is not due again. ok is false when nothing is pending. The Gateway
// indexes the DPIA under the day of it, so its sweep reads only the DPIAs falling due.
func NextDue(d DPIA) (next time.Time, ok bool) {
	if !d.live() {
		return time.Time{}, false
	}
	consider := func(t time.Time) {
		if !ok || t.Before(next) {
			next, ok = t, true
		}
	}
	if d.State == Approved && !d.ReviewDate.IsZero() {
		consider(d.ReviewDate)
	}
	if c := d.Consultation; c != nil && !c.Answered() && c.OverdueNotifiedAt.IsZero() {
		consider(c.DueAt)
	}
	for _, a := range d.Actions {
		if !a.Done() && a.OverdueNotifiedAt.IsZero() {
			consider(a.Due)
		}
	}
	return next, ok
}

// Sweep applies what the passage of time alone has brought about at now, each thing once: an
// approved DPIA whose review date has come is flagged ReviewDue (DPIA-8) and its contributors
// told; an ICO answer past its due date (DPIA-7) and each action past its due date (DPIA-9) are
// flagged overdue and told once. It returns the new DPIA, the events and whether anything
// changed; a DPIA with nothing due is returned as it is. The review flag goes through the
// machine, like every change of state.
func (m *Machine) Sweep(d DPIA, now time.Time) (DPIA, []Event, bool) {
	if !d.live() {
		return d, nil, false
	}
	now = now.UTC()
	var events []Event
	changed := false
	if d.State == Approved && !d.ReviewDate.IsZero() && !now.Before(d.ReviewDate) {
		if n, raised, err := m.fire(d, TriggerFlagReview, command{at: now, change: func(fc *firing) error {
			fc.d.ReviewFlaggedAt = fc.at
			fc.toContributors(EventReviewDue, "")
			return nil
		}}); err == nil {
			events = append(events, raised...)
			d, changed = n, true
		}
	}
	if c := d.Consultation; c.Overdue(now) && c.OverdueNotifiedAt.IsZero() {
		x := *c
		x.OverdueNotifiedAt = now
		d.Consultation = &x
		events = append(events, sweptEvent(d, EventConsultationOverdue, now, contributorsOf(d), x.Reference))
		changed = true
	}
	cloned := false
	for i, a := range d.Actions {
		if !a.Overdue(now) || !a.OverdueNotifiedAt.IsZero() {
			continue
		}
		if !cloned {
			d.Actions, cloned = slices.Clone(d.Actions), true
		}
		d.Actions[i].OverdueNotifiedAt = now
		events = append(events, sweptEvent(d, EventActionOverdue, now, []Member{a.Owner}, a.Description))
		changed = true
	}
	if changed {
		d.UpdatedAt = now
	}
	return d, events, changed
}

func sweptEvent(d DPIA, t EventType, now time.Time, to []Member, note string) Event {
	return Event{Type: t, DPIA: d.ID, Activity: d.ActivityID, Org: d.Org, At: now, To: to, Note: note}
}

func contributorsOf(d DPIA) []Member {
	out := make([]Member, len(d.Contributors))
	for i, c := range d.Contributors {
		out[i] = c.Member
	}
	return out
}

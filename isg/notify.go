package isg

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/assurance"
	"github.com/isgkit/gateway/dpia"
	"github.com/isgkit/gateway/isg/directory"
	"github.com/isgkit/gateway/isg/support"
	"github.com/isgkit/gateway/licensing"
)

const kindNotification Kind = "notification"

// Notification types of the directory's rules (directory's codes). Codes are stable; a user's
// preferences switch them off one by one (NOTE-2).
const (
	EventAccountAwaitingValidation = directory.EventAccountAwaitingValidation
	EventAccountLocked             = directory.EventAccountLocked
	EventUserInvited               = directory.EventUserInvited
	EventRolesChanged              = directory.EventRolesChanged
	EventDelegationGranted         = directory.EventDelegationGranted
	EventDelegationRevoked         = directory.EventDelegationRevoked
	EventMergeRequested            = directory.EventMergeRequested
	EventMergeApproved             = directory.EventMergeApproved
	EventMergeRejected             = directory.EventMergeRejected
	EventMergeCompleted            = directory.EventMergeCompleted
	EventClosureRequested          = directory.EventClosureRequested
	EventOrganisationClosed        = directory.EventOrganisationClosed
	EventOrganisationRestored      = directory.EventOrganisationRestored
	EventSupportedRegistered       = directory.EventSupportedRegistered
	EventMoUSigned                 = directory.EventMoUSigned
)

// Notification is one message to one recipient, written to the outbox in the same unit of work as
// the change that raised it (NOTE-1), so a committed change never loses its notification.
type Notification struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	// Recipient is the user to tell; zero when the message goes to an address with no account yet
	// (an invitation).
	Recipient UserID `json:"recipient,omitzero"`
	Email     string `json:"email"`
	// Org is the organisation the event concerns, when there is one.
	Org       OrgID             `json:"org,omitzero"`
	Data      map[string]string `json:"data,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
	// Attempts counts delivery attempts; LeaseUntil is when a claimed message may be claimed again.
	Attempts   int       `json:"attempts"`
	LeaseUntil time.Time `json:"lease_until,omitzero"`
	// Status is "pending", "sent" or "suppressed" (a sandbox, NOTE-3).
	Status string    `json:"status"`
	SentAt time.Time `json:"sent_at,omitzero"`
	// SuppressedAt is when a sandbox suppressed the message instead of delivering it (NOTE-3).
	SuppressedAt time.Time `json:"suppressed_at,omitzero"`
}

// Notifier delivers notifications; the host implements it (e-mail, in-app, …). Deliver may be
// called more than once for the same message if the host crashes before the outbox records it as
// sent: implement it idempotently by Notification.ID where duplicates matter.
type Notifier interface {
	Deliver(ctx context.Context, n Notification) error
}

// NotifierFunc adapts a function to Notifier.
type NotifierFunc func(ctx context.Context, n Notification) error

// Deliver calls f.
func (f NotifierFunc) Deliver(ctx context.Context, n Notification) error { return f(ctx, n) }

func (n *Notification) keys() []IndexKey {
	ks := []IndexKey{key("type", n.Type)}
	switch n.Status {
	case "pending":
		ks = append(ks, key("pending", "1"))
	case "sent", "suppressed":
		// Finished messages are indexed by the day they finished, for the retention purge, and
		// under one key the purge reads once, on its first run, to find any written before it.
		ks = append(ks, key("done", "1"), dayKey("done_on", n.finishedAt()))
	}
	if !n.Recipient.IsZero() {
		ks = append(ks, key("recipient", n.Recipient.String()))
	}
	return ks
}

// scrub removes the secrets a message carried for its delivery once it is delivered (or
// suppressed): a password reset token (REG-8) then exists nowhere but as the account's digest.
func (n *Notification) scrub() {
	if _, ok := n.Data["token"]; ok {
		data := maps.Clone(n.Data)
		delete(data, "token")
		n.Data = data
	}
}

// finishedAt is when a message left the outbox's pending state: sent, or suppressed in a sandbox.
func (n *Notification) finishedAt() time.Time {
	if n.Status == "suppressed" {
		return n.SuppressedAt
	}
	return n.SentAt
}

// enqueue writes one notification to the outbox.
func (u *uow) enqueue(typ string, to UserID, email string, org OrgID, data map[string]string) error {
	n := Notification{ID: u.newID().String(), Type: typ, Recipient: to, Email: email, Org: org, Data: data,
		CreatedAt: u.now, Status: "pending"}
	_, err := u.save(kindNotification, n.ID, 0, n, n.keys()...)
	return err
}

// notifyUser notifies one user unless they switched the type off (NOTE-2).
func (u *uow) notifyUser(typ string, x user, org OrgID, data map[string]string) error {
	if !x.Preferences.Wants(typ) {
		return nil
	}
	return u.enqueue(typ, x.ID, x.Email, org, data)
}

// DrainResult counts what one DrainOutbox call did.
type DrainResult struct {
	Delivered  int `json:"delivered"`
	Failed     int `json:"failed"`
	Suppressed int `json:"suppressed"`
}

// DrainLease is how long a claimed message is reserved for the drainer that claimed it. A drainer
// that dies mid-delivery releases its messages when the lease runs out.
const DrainLease = time.Minute

// DrainOutbox delivers up to max pending notifications through n and marks each delivered one as
// sent. It is at-least-once: a message is claimed (leased) in one unit of work, delivered outside
// any, then marked sent in another; a crash between delivery and marking delivers it again after
// the lease. A message marked sent is never delivered again, and competing drainers (several
// Gateway processes on one store) never claim the same message at once. In a sandbox (NOTE-3)
// messages are marked "suppressed" and n is never called. A failed delivery stays pending for the
// next drain; the returned error joins the delivery errors. Under heavy contention between
// drainers the claim itself may keep losing to others after the Gateway's retries; it then
// returns an error matching ErrConflict having delivered nothing: drain again.
//
// Errors: the Notifier's delivery errors, joined (the counts still say what was delivered); the
// store's errors; ErrConflict as above.
func (g *Gateway) DrainOutbox(ctx context.Context, n Notifier, max int) (DrainResult, error) {
	var res DrainResult
	if max <= 0 {
		max = 100
	}
	// A claim can fail part way (another drainer kept winning a later page): what it leased before
	// is delivered all the same, or it would wait out its lease for nothing.
	claimed, claimErr := g.claimPending(ctx, max)
	if claimErr != nil && len(claimed) == 0 {
		return res, claimErr
	}
	if g.sandbox {
		res.Suppressed = len(claimed)
		return res, claimErr
	}
	errs := []error{claimErr}
	for _, m := range claimed {
		if err := n.Deliver(ctx, m); err != nil {
			res.Failed++
			errs = append(errs, fmt.Errorf("notification %s: %w", m.ID, err))
			continue
		}
		err := g.update(ctx, func(u *uow) error {
			var cur Notification
			v, err := u.load(kindNotification, m.ID, &cur)
			if err != nil {
				return err
			}
			if cur.Status != "pending" {
				return nil
			}
			cur.Status, cur.SentAt, cur.LeaseUntil = "sent", u.now, time.Time{}
			cur.scrub()
			_, err = u.save(kindNotification, cur.ID, v, cur, cur.keys()...)
			return err
		})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		res.Delivered++
	}
	return res, errors.Join(errs...)
}

// claimPending leases up to max claimable messages. The pending messages are listed in a
// read-only unit and claimed in a read-write one by reading each again: the claim conflicts only
// with a drainer claiming the same messages, never with the commands adding new ones, which a
// listing inside the claim would (a record entering a listed key is a conflict). Messages another
// drainer holds are skipped, and paging goes on past them, so they cannot hide claimable ones.
func (g *Gateway) claimPending(ctx context.Context, max int) ([]Notification, error) {
	var claimed []Notification
	after := ""
	for len(claimed) < max {
		var ids []string
		err := g.view(ctx, func(u *uow) error {
			recs, err := u.tx.Find(u.ctx, kindNotification, key("pending", "1"), Page{After: after, Limit: max})
			for _, r := range recs {
				ids = append(ids, r.ID)
			}
			return err
		})
		if err != nil || len(ids) == 0 {
			return claimed, err
		}
		after = ids[len(ids)-1]
		var batch []Notification
		err = g.update(ctx, func(u *uow) error {
			batch = batch[:0]
			for _, id := range ids {
				if len(claimed)+len(batch) == max {
					return nil
				}
				var m Notification
				v, err := u.load(kindNotification, id, &m)
				if err != nil {
					return err
				}
				if m.Status != "pending" || u.now.Before(m.LeaseUntil) {
					continue
				}
				if u.g.sandbox {
					m.Status, m.SuppressedAt = "suppressed", u.now
					m.scrub()
				} else {
					m.Attempts++
					m.LeaseUntil = u.now.Add(DrainLease)
				}
				if _, err := u.save(kindNotification, m.ID, v, m, m.keys()...); err != nil {
					return err
				}
				batch = append(batch, m)
			}
			return nil
		})
		if err != nil {
			return claimed, err
		}
		claimed = append(claimed, batch...)
	}
	return claimed, nil
}

const outboxSchedule = "outbox"

// purgeOutbox removes the finished messages older than the outbox retention, when one is set and
// the store can delete (isg.Deleter); otherwise it removes nothing.
func (g *Gateway) purgeOutbox(ctx context.Context) (int, error) {
	if g.outboxRetention <= 0 {
		return 0, nil
	}
	cutoff := g.Now().Add(-g.outboxRetention)
	var ids []string
	canDelete := false
	err := g.view(ctx, func(u *uow) error {
		_, canDelete = u.tx.(Deleter)
		if !canDelete {
			return nil
		}
		cur, found, err := u.loadCursor(outboxSchedule)
		if err != nil {
			return err
		}
		if !found {
			ids, err = u.listIDs(kindNotification, key("done", "1"))
			return err
		}
		for _, day := range daysThrough(cur.Day, cutoff) {
			done, err := u.listIDs(kindNotification, key("done_on", day))
			if err != nil {
				return err
			}
			ids = append(ids, done...)
		}
		return nil
	})
	if err != nil || !canDelete {
		return 0, err
	}
	purged := 0
	for batch := range slices.Chunk(ids, 100) {
		n := 0
		err := g.update(ctx, func(u *uow) error {
			n = 0
			del, ok := u.tx.(Deleter)
			if !ok {
				return nil
			}
			for _, id := range batch {
				var m Notification
				v, err := u.load(kindNotification, id, &m)
				if isNotFound(err) {
					continue // purged by another instance
				}
				if err != nil {
					return err
				}
				if m.Status == "pending" || !m.finishedAt().Before(cutoff) {
					continue
				}
				u.markWritten(kindNotification, id)
				if err := del.Delete(u.ctx, kindNotification, id, v); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return purged, err
		}
		purged += n
	}
	return purged, g.advanceCursor(ctx, outboxSchedule, cutoff)
}

// DrainInput bounds one outbox.drain: at most Max messages (100 when zero or less).
type DrainInput struct {
	Max int `json:"max"`
}

// outboxDrain drains the outbox into a notifier that records the messages, and returns them: for
// scenario files and hosts that deliver from a JSON API. A host drains with DrainOutbox. Through
// Dispatch only the host (no actor, a context marked by AsHost) or Central Admin (row
// DrainOutbox, at the platform) takes the messages: an actor-facing call never does (NOTE-4).
var outboxDrain = &command[DrainInput, drained]{
	name: "outbox.drain", doc: "Drain the outbox into a recording notifier and return what was delivered (NOTE-4: the host, or Central Admin).",
	row: DrainOutbox, rule: "NOTE-4", reach: platform, host: true,
	job: func(ctx context.Context, g *Gateway, in DrainInput) (drained, error) {
		d := drained{Messages: []Notification{}}
		res, err := g.DrainOutbox(ctx, NotifierFunc(func(_ context.Context, n Notification) error {
			d.Messages = append(d.Messages, n)
			return nil
		}), in.Max)
		d.DrainResult = res
		return d, err
	},
}

// deliver turns the events a pure rule returned into outbox messages (NOTE-1): it resolves each
// event's audience to accounts, tells each account once, and honours its preferences (NOTE-2).
// This is the one way a command notifies anyone: the rule decides who is told, the Gateway only
// finds them.
func (u *uow) deliver(events ...directory.Event) error {
	for _, e := range events {
		seen := map[UserID]bool{}
		tell := func(x user) error {
			if seen[x.ID] {
				return nil
			}
			seen[x.ID] = true
			return u.notifyUser(e.Type, x, e.Org, e.Data)
		}
		ids := slices.Clone(e.To.Users)
		for _, org := range e.To.SuperAdminsOf {
			o, err := u.loadOrg(org)
			if err != nil {
				return err
			}
			sas, err := u.superAdminsOf(o)
			if err != nil {
				return err
			}
			ids = append(ids, sas...)
		}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			x, err := u.loadUser(id)
			if err != nil {
				return err
			}
			if err := tell(x); err != nil {
				return err
			}
		}
		for _, org := range e.To.RolesAt {
			for _, r := range e.To.Roles.Roles() {
				users, versions, err := findAll[user](u, kindUser, key("role", roleKey(org, r)))
				if err != nil {
					return err
				}
				for i, x := range users {
					x.version = versions[i]
					if err := tell(x); err != nil {
						return err
					}
				}
			}
		}
		if e.To.CentralAdmins {
			users, _, err := findAll[user](u, kindUser, key("central_admin", "1"))
			if err != nil {
				return err
			}
			for _, x := range users {
				if err := tell(x); err != nil {
					return err
				}
			}
		}
		if e.To.Email != "" {
			if err := u.enqueue(e.Type, UserID{}, e.To.Email, e.Org, e.Data); err != nil {
				return err
			}
		}
	}
	return nil
}

// NotificationTypes lists every notification type the Gateway raises that a user may switch off,
// sorted: the only values a user's preferences may hold (NOTE-2, account.set_preferences). The
// one type left out is the password reset token, which the user asked for (REG-8).
func NotificationTypes() []string {
	types := []string{
		directory.EventAccountAwaitingValidation, directory.EventAccountLocked, directory.EventUserInvited,
		directory.EventRolesChanged, directory.EventDelegationGranted, directory.EventDelegationRevoked,
		directory.EventMergeRequested, directory.EventMergeApproved, directory.EventMergeRejected,
		directory.EventMergeCompleted, directory.EventClosureRequested, directory.EventOrganisationClosed,
		directory.EventOrganisationRestored, directory.EventSupportedRegistered, directory.EventMoUSigned,
		directory.EventCentralAdminAdded, directory.EventInvitationAnswered, directory.EventPasswordReset,
		directory.EventBreakGlassUnlock,
		directory.EventUnregisteredJoined, // ORG-11
	}
	for _, t := range []agreement.EventType{agreement.EventPartyAdded, agreement.EventReviewRequested, agreement.EventApproved,
		agreement.EventRejected, agreement.EventRereviewRequested, agreement.EventFinalised,
		agreement.EventSignOffRequested, agreement.EventOrgSigned, agreement.EventSignedLate, agreement.EventFlowSigned, agreement.EventSignByReminder} {
		types = append(types, string(t))
	}
	// the end of the lifecycle (LIFE-1…LIFE-4; lifecycle.go)
	for _, t := range lifecycleNotificationTypes() {
		types = append(types, string(t))
	}
	types = append(types, onwardNotificationTypes()...)   // FLOW-13, SIGN-6
	types = append(types, registerNotificationTypes()...) // EXIT-3
	for _, t := range support.EventTypes() {
		types = append(types, string(t))
	}
	for _, t := range []assurance.EventType{assurance.EventSubmitted, assurance.EventRatingChanged, assurance.EventRatingExpired} {
		types = append(types, string(t))
	}
	for _, t := range []licensing.EventType{licensing.EventContractCreated, licensing.EventContractRenewed, licensing.EventContractEnded,
		licensing.EventLicenceLapsed, licensing.EventSuperAdminAdded, licensing.EventSuperAdminRemoved, licensing.EventLicenceAllocated,
		licensing.EventLicenceRevoked, licensing.EventLicenceRequested, licensing.EventRequestDeclined} {
		types = append(types, string(t))
	}
	for _, t := range dpia.EventTypes() {
		types = append(types, string(t))
	}
	slices.Sort(types)
	return types
}

// checkPreferences refuses a notification type the Gateway does not raise, and one named twice,
// so that preferences hold only what they can switch off and stay bounded (NOTE-2).
func checkPreferences(p Preferences) error {
	known := NotificationTypes()
	var fields []FieldError
	for i, t := range p.Off {
		field := fmt.Sprintf("off[%d]", i)
		switch {
		case len(fields) >= 10:
			// enough to say what is wrong; a long hostile list is not echoed back in full
		case !slices.Contains(known, t):
			fields = append(fields, FieldError{Field: field, Code: "notification_type", Rule: "NOTE-2", Message: "is not a notification type (see isg.NotificationTypes)"})
		case slices.Contains(p.Off[:i], t):
			fields = append(fields, FieldError{Field: field, Code: "duplicate", Rule: "NOTE-2", Message: "names a notification type twice"})
		}
	}
	if len(fields) > 0 {
		return &Error{Kind: ErrInvalid, Code: "invalid_input", Rule: "NOTE-2", Message: "unknown notification types", Fields: fields}
	}
	return nil
}

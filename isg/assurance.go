package isg

import (
	"context"
	"time"

	"github.com/isgkit/gateway/assurance"
)

// Notification types of assurance (ASR-5).
const (
	EventRatingChanged = "assurance.rating_changed"
	EventRatingExpired = "assurance.rating_expired"
)

// assuranceRecord is an organisation's current submission and the point up to which the periodic
// sweep has looked at it, kept together so that a sweep's notification and its progress commit in
// one unit of work and no change is ever reported twice.
type assuranceRecord struct {
	Submission assurance.Submission `json:"submission"`
	SweptTo    time.Time            `json:"swept_to"`
}

const (
	kindAssurance        Kind = "assurance"
	kindAssuranceHistory Kind = "assurance_history"
)

// hasAssurance reports whether org has submitted assurance (ORG-2).
func (u *uow) hasAssurance(org OrgID) (bool, error) {
	n, err := u.tx.Count(u.ctx, kindAssurance, key("org", org.String()))
	return n > 0, err
}

// AssuranceView is an organisation's assurance as any organisation sees it (ASR-6): the current
// submission with its evidence, and the rating now with the criteria it misses.
type AssuranceView struct {
	Org        OrgID                 `json:"org"`
	Submission *assurance.Submission `json:"submission"`
	Rating     assurance.Rating      `json:"rating"`
	// ExpiresAt is when the submission lapses (ASR-3); zero when there is none.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

func view(org OrgID, s *assurance.Submission, now time.Time) AssuranceView {
	v := AssuranceView{Org: org, Submission: s, Rating: assurance.Rate(s, now)}
	if s != nil {
		v.ExpiresAt = assurance.ExpiresAt(s)
	}
	return v
}

func (u *uow) loadAssurance(org OrgID) (*assuranceRecord, int64, error) {
	var r assuranceRecord
	v, err := u.load(kindAssurance, org.String(), &r)
	if isNotFound(err) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	return &r, v, nil
}

// SubmitAssurance submits or updates the actor's organisation's assurance (ASR-1…4): at any time,
// by a Senior Officer, Administrator or IG/Project Officer (ROLE-4). When the rating changes,
// every partner organisation is notified (ASR-5). Earlier submissions are kept as history.
//
// Errors: ErrInvalid (field errors naming ASR-1 or ASR-4); ErrForbidden (ROLE-4); ErrRule for a
// closed organisation.
func (g *Gateway) SubmitAssurance(ctx context.Context, actor Actor, in assurance.Answers) (AssuranceView, error) {
	var out AssuranceView
	err := g.update(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, SubmitAssurance, "ROLE-4"); err != nil {
			return err
		}
		if _, err := u.openOrg(actor.Org); err != nil {
			return err
		}
		cur, version, err := u.loadAssurance(actor.Org)
		if err != nil {
			return err
		}
		var prev *assurance.Submission
		if cur != nil {
			prev = &cur.Submission
		}
		s, events, err := assurance.Submit(prev, in, actor.User, actor.Org, u.now)
		if err != nil {
			return err
		}
		rec := assuranceRecord{Submission: s, SweptTo: u.now}
		if _, err := u.save(kindAssurance, actor.Org.String(), version, rec, rec.keys(actor.Org.String())...); err != nil {
			return err
		}
		if _, err := u.save(kindAssuranceHistory, u.newID().String(), 0, s, key("org", actor.Org.String())); err != nil {
			return err
		}
		for _, e := range events {
			if err := u.notifyRatingEvent(e); err != nil {
				return err
			}
		}
		out = view(actor.Org, &s, u.now)
		return nil
	})
	return out, err
}

// notifyRatingEvent tells every partner of the organisation of a rating change (ASR-5). Partner
// organisations' Administrators, Senior Officers and IG/Project Officers are told: they are the
// roles that act on a partner's assurance.
func (u *uow) notifyRatingEvent(e assurance.Event) error {
	if !e.Notifies() {
		return nil
	}
	typ := EventRatingChanged
	if e.Type == assurance.EventRatingExpired {
		typ = EventRatingExpired
	}
	partners, err := u.partnersOf(e.Org)
	if err != nil {
		return err
	}
	data := map[string]string{"org": e.Org.String(), "from": e.From.Code(), "to": e.To.Code()}
	for _, p := range partners {
		if err := u.notifyRoles(typ, p, Of(Administrator, SeniorOfficer, IGOfficer), data); err != nil {
			return err
		}
	}
	return nil
}

// Assurance returns an organisation's assurance and current rating. Once submitted it and its
// evidence are visible to every organisation (ASR-6).
func (g *Gateway) Assurance(ctx context.Context, actor Actor, org OrgID) (AssuranceView, error) {
	var out AssuranceView
	err := g.view(ctx, func(u *uow) error {
		if _, err := u.activeUser(actor.User); err != nil {
			return err
		}
		if _, err := u.loadOrg(org); err != nil {
			return err
		}
		var err error
		out, err = u.assuranceView(org)
		return err
	})
	return out, err
}

func (u *uow) assuranceView(org OrgID) (AssuranceView, error) {
	cur, _, err := u.loadAssurance(org)
	if err != nil {
		return AssuranceView{}, err
	}
	if cur == nil {
		return view(org, nil, u.now), nil
	}
	return view(org, &cur.Submission, u.now), nil
}

// keys index an assurance record by its organisation and by the UTC day of its next change by
// the passage of time alone (assurance.NextChange after SweptTo), so that the sweep reads only the
// records falling due, never every organisation's.
func (r *assuranceRecord) keys(org string) []IndexKey {
	ks := []IndexKey{key("org", org)}
	if next, ok := assurance.NextChange(&r.Submission, r.SweptTo); ok {
		ks = append(ks, dayKey("due", next))
	}
	return ks
}

// SweepResult counts what one Sweep did.
type SweepResult struct {
	// RatingEvents is how many rating changes (expiries, lapsed ICO registrations) were raised.
	RatingEvents int `json:"rating_events"`
	// Purged is how many delivered or suppressed outbox messages older than the retention set
	// with WithOutboxRetention were removed.
	Purged int `json:"purged"`
}

// Sweep is the periodic job a host runs on a schedule (hourly, say). It notices what changes with
// the passing of time alone — an assurance submission expiring after a year (ASR-3) or an ICO
// registration lapsing — and notifies partners (ASR-5); and it removes outbox messages older than
// the retention set with WithOutboxRetention. It is idempotent and safe to run on every Gateway
// instance at once: each organisation's progress is saved with its notification in one unit of
// work, so a change is reported exactly once.
//
// Its work is proportional to what falls due, not to the size of the store: each record is
// indexed by the day of its next change, and a cursor remembers the day the sweep has reached, so
// a sweep reads the buckets from that day to today and writes only the records that changed (a
// sweep with nothing due writes nothing). The very first sweep on a store, which has no cursor,
// looks at every organisation once, so records written before the cursor existed are not missed.
//
// Errors: the store's errors, unchanged; ErrConflict when other sweeps kept winning the same
// records after the Gateway's retries (run it again: nothing is reported twice).
func (g *Gateway) Sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	n, err := g.sweepAssurance(ctx)
	res.RatingEvents = n
	if err != nil {
		return res, err
	}
	res.Purged, err = g.purgeOutbox(ctx)
	return res, err
}

const assuranceSchedule = "assurance"

// sweepAssurance raises the rating changes that fell due since the last sweep.
func (g *Gateway) sweepAssurance(ctx context.Context) (int, error) {
	today := g.Now()
	var ids []string
	var full bool
	err := g.view(ctx, func(u *uow) error {
		cur, found, err := u.loadCursor(assuranceSchedule)
		if err != nil {
			return err
		}
		if full = !found; full {
			ids, err = u.listIDs(kindOrg, key("all", "1"))
			return err
		}
		for _, day := range daysThrough(cur.Day, today) {
			due, err := u.listIDs(kindAssurance, key("due", day))
			if err != nil {
				return err
			}
			ids = append(ids, due...)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	events := 0
	for _, id := range ids {
		// raised is set by the attempt that commits: a conflicting attempt is run again, and
		// counting inside it would count a change another instance reported.
		raised := false
		err := g.update(ctx, func(u *uow) error {
			raised = false
			var rec assuranceRecord
			version, err := u.load(kindAssurance, id, &rec)
			if isNotFound(err) {
				return nil // an organisation that never submitted (first sweep only)
			}
			if err != nil {
				return err
			}
			next, ok := assurance.NextChange(&rec.Submission, rec.SweptTo)
			// On the first sweep every record is rewritten once, so that it carries its due key.
			if !full && (!ok || next.After(u.now)) {
				return nil
			}
			e, changed := assurance.Sweep(&rec.Submission, rec.SweptTo, u.now)
			rec.SweptTo = u.now
			if _, err := u.save(kindAssurance, id, version, rec, rec.keys(id)...); err != nil {
				return err
			}
			if changed {
				raised = true
				return u.notifyRatingEvent(e)
			}
			return nil
		})
		if err != nil {
			return events, err
		}
		if raised {
			events++
		}
	}
	return events, g.advanceCursor(ctx, assuranceSchedule, today)
}

// AssuranceHistory lists every submission an organisation has made, oldest first: like the
// current one, visible to every organisation (ASR-6).
func (g *Gateway) AssuranceHistory(ctx context.Context, actor Actor, org OrgID) ([]assurance.Submission, error) {
	var out []assurance.Submission
	err := g.view(ctx, func(u *uow) error {
		if _, err := u.activeUser(actor.User); err != nil {
			return err
		}
		if _, err := u.loadOrg(org); err != nil {
			return err
		}
		var err error
		out, _, err = findAll[assurance.Submission](u, kindAssuranceHistory, key("org", org.String()))
		return err
	})
	return out, err
}

// assuranceHandlers lists the handlers of assurance and the sweep.
func assuranceHandlers() map[string]handler {
	return map[string]handler{
		"assurance.submit": handle("Submit or update assurance (ASR-1…4, ROLE-4).", func(g *Gateway, ctx context.Context, a Actor, in assurance.Answers) (AssuranceView, error) {
			return g.SubmitAssurance(ctx, a, in)
		}),
		"assurance.get": handle("An organisation's assurance and rating (ASR-6).", func(g *Gateway, ctx context.Context, a Actor, in orgInput) (AssuranceView, error) {
			return g.Assurance(ctx, a, in.Org)
		}),
		"assurance.history": handle("Every submission an organisation made (ASR-6).", func(g *Gateway, ctx context.Context, a Actor, in orgInput) ([]assurance.Submission, error) {
			return g.AssuranceHistory(ctx, a, in.Org)
		}),
		"platform.sweep": handle("Run the periodic sweep (ASR-3, ASR-5).", func(g *Gateway, ctx context.Context, _ Actor, _ noInput) (SweepResult, error) {
			return g.Sweep(ctx)
		}),
	}
}

// assuranceCommands declares the commands of assurance and the sweep.
func assuranceCommands() []declared {
	return nil
}

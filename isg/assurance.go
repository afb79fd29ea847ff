package isg

import (
	"context"
	"time"

	"github.com/isgkit/gateway/assurance"
	"github.com/isgkit/gateway/isg/directory"
)

// Notification types of assurance (ASR-5): the types of package assurance's rating events,
// which are what the notifications carry.
const (
	EventRatingChanged = string(assurance.EventRatingChanged)
	EventRatingExpired = string(assurance.EventRatingExpired)
)

// assuranceRecord is an organisation's current submission and the point up to which the periodic
// sweep has looked at it, kept together so that a sweep's notification and its progress commit in
// one unit of work and no change is ever reported twice.
type assuranceRecord struct {
	Submission assurance.Submission `json:"submission"`
	SweptTo    time.Time            `json:"swept_to"`
}

// clone copies the record deeply, for the decoded-record cache.
func (r assuranceRecord) clone() assuranceRecord {
	r.Submission = r.Submission.Clone()
	return r
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
	r, v, found, err := lookupCached(u, u.g.assurance, kindAssurance, org.String(), false)
	if !found && err == nil {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	return &r, v, nil
}

// SubmitAssurance submits or updates the actor's organisation's assurance (ASR-1…4): at any time,
// by a Senior Officer, Administrator or IG/Project Officer (row SubmitAssurance, ROLE-4). When
// the rating changes, every partner organisation is notified (ASR-5). Earlier submissions are
// kept as history.
//
// Errors: ErrInvalid (field errors naming ASR-1 or ASR-4); ErrForbidden ("forbidden", ROLE-4);
// ErrNotFound ("organisation.not_found"); ErrRule ("organisation.closed", ORG-7).
func (g *Gateway) SubmitAssurance(ctx context.Context, actor Actor, in assurance.Answers) (AssuranceView, error) {
	return run(ctx, g, assuranceSubmit, actor, in)
}

var assuranceSubmit = &command[assurance.Answers, AssuranceView]{
	name: "assurance.submit", doc: "Submit or update assurance (ASR-1…4, ROLE-4).", row: SubmitAssurance, rule: "ROLE-4",
	apply: func(c *call[assurance.Answers]) (AssuranceView, error) {
		if _, err := c.openOrg(c.org); err != nil {
			return AssuranceView{}, err
		}
		cur, version, err := c.loadAssurance(c.org)
		if err != nil {
			return AssuranceView{}, err
		}
		var prev *assurance.Submission
		if cur != nil {
			prev = &cur.Submission
		}
		s, events, err := assurance.Submit(prev, c.in, c.actor.User, c.org, c.now)
		if err != nil {
			return AssuranceView{}, err
		}
		rec := assuranceRecord{Submission: s, SweptTo: c.now}
		if _, err := c.save(kindAssurance, c.org.String(), version, rec, rec.keys(c.org.String())...); err != nil {
			return AssuranceView{}, err
		}
		if _, err := c.save(kindAssuranceHistory, c.newID().String(), 0, s, key("org", c.org.String())); err != nil {
			return AssuranceView{}, err
		}
		for _, e := range events {
			if err := c.notifyRating(e); err != nil {
				return AssuranceView{}, err
			}
		}
		return view(c.org, &s, c.now), nil
	},
}

// notifyRating tells the partners of the organisation whose rating changed (ASR-5), through the
// one mapping from rating events to notifications.
func (u *uow) notifyRating(e assurance.Event) error {
	if !e.Notifies() {
		return nil
	}
	partners, err := u.partnersOf(e.Org)
	if err != nil {
		return err
	}
	return u.deliver(ratingNotices(e, partners)...)
}

// ratingNotices turns a rating event into notifications (ASR-5, NOTE-1): one per partner
// organisation (every organisation named together with it in a summary or flow), to its
// Administrators, Senior Officers and IG/Project Officers, the roles that act on a partner's
// assurance. Events that notify nobody (assurance.Event.Notifies) give none.
func ratingNotices(e assurance.Event, partners []OrgID) []directory.Event {
	if !e.Notifies() {
		return nil
	}
	data := map[string]string{"org": e.Org.String(), "from": e.From.Code(), "to": e.To.Code()}
	out := make([]directory.Event, 0, len(partners))
	for _, p := range partners {
		out = append(out, directory.Event{Type: string(e.Type), Org: p, Data: data,
			To: directory.Audience{Roles: Of(Administrator, SeniorOfficer, IGOfficer), RolesAt: []OrgID{p}}})
	}
	return out
}

// AssuranceQuery names the organisation whose assurance is read.
type AssuranceQuery struct {
	Org OrgID `json:"org"`
}

// Assurance returns an organisation's assurance and current rating. Once submitted it and its
// evidence are visible to every organisation: any signed-in, active user may read it (ASR-6).
//
// Errors: ErrForbidden ("forbidden", ROLE-7) for no actor or an unknown or inactive one;
// ErrNotFound ("organisation.not_found").
func (g *Gateway) Assurance(ctx context.Context, actor Actor, in AssuranceQuery) (AssuranceView, error) {
	return run(ctx, g, assuranceGet, actor, in)
}

var assuranceGet = &command[AssuranceQuery, AssuranceView]{
	name: "assurance.get", doc: "An organisation's assurance and rating (ASR-6).", rule: "ROLE-7", reach: signedIn, query: true,
	apply: func(c *call[AssuranceQuery]) (AssuranceView, error) {
		if _, err := c.loadOrg(c.in.Org); err != nil {
			return AssuranceView{}, err
		}
		return c.assuranceView(c.in.Org)
	},
}

// ratingOf is an organisation's assurance rating now (ASR-6). It reads the cached submission
// itself, not a copy: nothing here changes or keeps it.
func (u *uow) ratingOf(org OrgID) (assurance.Rating, error) {
	return u.ratingOfID(org.String())
}

// ratingOfID is ratingOf for a caller that holds the organisation's ID as a string already.
func (u *uow) ratingOfID(org string) (assurance.Rating, error) {
	r, _, found, err := lookupCached(u, u.g.assurance, kindAssurance, org, true)
	if err != nil || !found {
		return assurance.Rate(nil, u.now), err
	}
	return assurance.Rate(&r.Submission, u.now), nil
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

	// The end of the lifecycle (lifecycle.go).
	// ReviewNotices is how many summary review notices were sent: review coming, review due
	// (LIFE-1).
	ReviewNotices int `json:"review_notices"`
	// DisputeEscalations is how many disputes unresolved after 7 days went to every party's
	// Senior Officers (LIFE-4).
	DisputeEscalations int `json:"dispute_escalations"`
	// DisputesForMediation is how many disputes unresolved 14 days after their escalation were
	// marked for mediation (LIFE-4).
	DisputesForMediation int `json:"disputes_for_mediation"`
	// RetentionEnded is how many archived flows reached the end of their retention, their
	// parties told (LIFE-2).
	RetentionEnded int `json:"retention_ended"`
	// SignByReminders is how many signers were reminded that a sign-by date is near and their
	// organisation has not signed (SIGN-3).
	SignByReminders int `json:"sign_by_reminders"`
	// DPIAEvents is how many DPIA notices were raised: review dates reached (DPIA-8), ICO answers
	// overdue (DPIA-7), actions overdue (DPIA-9).
	DPIAEvents int `json:"dpia_events"`
}

// Sweep is the periodic job a host runs on a schedule (hourly, say). It notices what changes with
// the passing of time alone — an assurance submission expiring after a year (ASR-3) or an ICO
// registration lapsing — and notifies partners (ASR-5); it tells a summary's creating
// organisation that its review is coming (3 months before, WithReviewNotice) and that it is due
// (LIFE-1); it escalates an unresolved dispute to every party's Senior Officers after 7 days and
// marks it for mediation 14 days later (LIFE-4); it tells an archived flow's parties when its
// retention has ended (LIFE-2); it flags the DPIAs whose review date has come (DPIA-8) and the
// ICO answers and action-plan items gone overdue (DPIA-7, DPIA-9), telling their contributors
// once; and it removes outbox messages older than the retention set
// with WithOutboxRetention. It is idempotent and safe to run on every Gateway
// instance at once: each organisation's progress is saved with its notification in one unit of
// work, so a change is reported exactly once.
//
// Its work is proportional to what falls due, not to the size of the store: each record is
// indexed by the day of its next change, and a cursor remembers the day the sweep has reached, so
// a sweep reads the buckets from that day to today and writes only the records that changed (a
// sweep with nothing due writes nothing). The very first sweep on a store, which has no cursor,
// looks at every organisation, every summary and every flow in force or past it once, so records
// written before the cursor existed are not missed.
//
// Errors: the store's errors, unchanged; ErrConflict when other sweeps kept winning the same
// records after the Gateway's retries (run it again: nothing is reported twice).
func (g *Gateway) Sweep(ctx context.Context) (SweepResult, error) {
	return run(ctx, g, platformSweep, Actor{}, noInput{})
}

var platformSweep = &command[noInput, SweepResult]{
	name: "platform.sweep", doc: "Run the periodic sweep (ASR-3, ASR-5, LIFE-1, LIFE-2, LIFE-4).", reach: anyone,
	job: func(ctx context.Context, g *Gateway, _ noInput) (SweepResult, error) { return g.sweep(ctx) },
}

// sweep runs the assurance pass, the flow and summary passes (lifecycle.go) and then the outbox
// purge (see Sweep).
func (g *Gateway) sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	n, err := g.sweepAssurance(ctx)
	res.RatingEvents = n
	if err != nil {
		return res, err
	}
	if err := g.sweepFlows(ctx, &res); err != nil {
		return res, err
	}
	if err := g.sweepReviews(ctx, &res); err != nil {
		return res, err
	}
	if res.DPIAEvents, err = g.sweepDPIAs(ctx); err != nil {
		return res, err
	}
	res.Purged, err = g.purgeOutbox(ctx)
	return res, err
}

const assuranceSchedule = "assurance"

// sweepAssurance raises the rating changes that fell due since the last sweep.
func (g *Gateway) sweepAssurance(ctx context.Context) (int, error) {
	today := g.Now()
	ids, full, reached, err := g.dueIDs(ctx, assuranceSchedule, kindAssurance, "due", kindOrg, key("all", "1"), today)
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
				return u.notifyRating(e)
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
	if reached == today.UTC().Format(time.DateOnly) {
		return events, nil // the cursor is already at today: nothing to move
	}
	return events, g.advanceCursor(ctx, assuranceSchedule, today)
}

// AssuranceHistory lists every submission an organisation has made, oldest first: like the
// current one, visible to every signed-in, active user (ASR-6).
//
// Errors: ErrForbidden ("forbidden", ROLE-7) for no actor or an unknown or inactive one;
// ErrNotFound ("organisation.not_found").
func (g *Gateway) AssuranceHistory(ctx context.Context, actor Actor, in AssuranceQuery) ([]assurance.Submission, error) {
	return run(ctx, g, assuranceHistory, actor, in)
}

var assuranceHistory = &command[AssuranceQuery, []assurance.Submission]{
	name: "assurance.history", doc: "Every submission an organisation made (ASR-6).", rule: "ROLE-7", reach: signedIn, query: true,
	apply: func(c *call[AssuranceQuery]) ([]assurance.Submission, error) {
		if _, err := c.loadOrg(c.in.Org); err != nil {
			return nil, err
		}
		out, _, err := findAll[assurance.Submission](c.uow, kindAssuranceHistory, key("org", c.in.Org.String()))
		return out, err
	},
}

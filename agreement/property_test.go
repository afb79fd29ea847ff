package agreement_test

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/isgkit/gateway/agreement"
)

// The reference model of the flow lifecycle: the rules of FLOW-3…FLOW-8 written plainly, without
// the state machine, so that the two can be compared step by step.
type modelReview struct {
	decision   agreement.Decision
	decidedRev int64
	withdrawn  bool
	// awaiting: asked (again) and not answered since.
	awaiting bool
}

type reviewKey struct {
	dpo agreement.UserID
	org agreement.OrgID
}

type model struct {
	state    agreement.FlowState
	rev      int64
	creator  agreement.OrgID
	parties  []agreement.OrgID
	personal bool
	reviews  map[reviewKey]*modelReview
	reviewBy time.Time
	// sign-off (SIGN-1…SIGN-3): who was asked, with the request's sign-by; who signed.
	asked  map[reviewKey]modelAsk
	signed map[agreement.OrgID]bool
	// the end of the lifecycle (LIFE-3, LIFE-4)
	from, to  []agreement.OrgID
	withdrawn map[agreement.OrgID]bool
	notices   []*modelNotice
	disputes  []*modelDispute
	// FLOW-13: the sources named (an index into flowRun.sourceChoices) and the onward reviews.
	sources int
	onward  map[reviewKey]*modelReview
}

type modelAsk struct {
	signBy, requestedAt time.Time
	enforced, reminded  bool
}

// modelNotice is a notice to leave (LIFE-3): open until every other party approved (the org
// leaves), one rejected, its giver withdrew it, or the flow ended.
type modelNotice struct {
	org      agreement.OrgID
	open     bool
	approved map[agreement.OrgID]bool
}

// modelDispute is a dispute (LIFE-4) and the escalations it has had.
type modelDispute struct {
	raised, escalated, mediation time.Time
	resolved                     bool
}

// originalsOf are, written out by hand for the fixture's chain (see newChain), the original
// organisations of each choice of sources: none; the outsider's flow, which the outsider received
// from the police; that and the council's flow.
func (r *flowRun) modelOriginals() []agreement.OrgID {
	w := r.w
	return [][]agreement.OrgID{nil, {w.outsider, w.police}, {w.council, w.outsider, w.police}}[r.model.sources]
}

// approvedBy: a DPO of org approved the current revision, in a party review or an onward one.
func (m *model) approvedBy(org agreement.OrgID) bool {
	for _, rs := range []map[reviewKey]*modelReview{m.reviews, m.onward} {
		for k, rv := range rs {
			if k.org == org && !rv.withdrawn && rv.decision == agreement.DecisionApproved && rv.decidedRev == m.rev {
				return true
			}
		}
	}
	return false
}

func (m *model) preFinal() bool {
	switch m.state {
	case agreement.Draft, agreement.InReview, agreement.Approved, agreement.Rejected:
		return true
	}
	return false
}

func (m *model) named(org agreement.OrgID) bool {
	for _, p := range m.parties {
		if p == org {
			return true
		}
	}
	return false
}

func (m *model) openRejection(except *reviewKey) bool {
	for k, r := range m.reviews {
		if !r.withdrawn && r.decision == agreement.DecisionRejected && (except == nil || k != *except) {
			return true
		}
	}
	return false
}

func (m *model) currentApproval() bool {
	for _, r := range m.reviews {
		if !r.withdrawn && r.decision == agreement.DecisionApproved && r.decidedRev == m.rev {
			return true
		}
	}
	return false
}

func (m *model) live(k reviewKey) *modelReview {
	if r, ok := m.reviews[k]; ok && !r.withdrawn {
		return r
	}
	return nil
}

// flowRun drives one flow through random commands against the model.
type flowRun struct {
	w       *world
	m       *agreement.FlowMachine
	s       agreement.Summary
	f       agreement.Flow
	model   model
	now     time.Time
	log     []agreement.LogEntry
	head    agreement.LogHead
	editors []agreement.Actor
	dpos    []agreement.Actor
	// FLOW-13 and SIGN-6: the source flows, the choices of sources an edit draws from, the DPOs
	// asked for onward approval, and the variations made.
	chain         map[agreement.FlowID]agreement.Flow
	sourceChoices [][]agreement.FlowID
	onwardDPOs    []agreement.Actor
	variations    []agreement.Flow
}

func newFlowRun(t *rapid.T) *flowRun {
	w := newWorld()
	r := &flowRun{w: w, m: agreement.NewFlowMachine(), now: w.now}
	c := newChain(t)
	r.w, w = c.w, c.w
	r.now = w.now
	r.s, r.chain = c.s, c.flows
	r.sourceChoices = [][]agreement.FlowID{nil, {c.fromOutsider.ID}, {c.fromCouncil.ID, c.fromOutsider.ID}}
	sources := rapid.IntRange(0, 2).Draw(t, "sources")
	startFinalised := rapid.Bool().Draw(t, "start finalised")
	if startFinalised {
		sources = 0 // a flow with sources is finalised only with onward approvals
	}
	terms := w.flowTerms()
	terms.Sources = r.sourceChoices[sources]
	f, err := agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, r.s, w.officer, w.now, terms)
	if err != nil {
		t.Fatal(err)
	}
	r.f = f
	r.model = model{state: agreement.Draft, rev: 1, creator: w.trust, parties: r.f.Parties, personal: true, reviews: map[reviewKey]*modelReview{},
		sources: sources, onward: map[reviewKey]*modelReview{},
		asked: map[reviewKey]modelAsk{}, signed: map[agreement.OrgID]bool{},
		from: r.f.From, to: r.f.To, withdrawn: map[agreement.OrgID]bool{}}
	if startFinalised {
		// Half the runs start at sign-off, which random review steps would seldom reach.
		terms := w.flowTerms()
		terms.PersonalData, terms.LegalBases = false, nil
		f, err := agreement.NewFlow(r.f.ID, r.s, w.officer, w.now, terms)
		if err == nil {
			f, _, err = r.m.Finalise(f, w.officer, w.now)
		}
		if err != nil {
			t.Fatal(err)
		}
		r.f = f
		r.model.state, r.model.personal = agreement.Finalised, false
	}
	r.editors = []agreement.Actor{w.officer, w.councilOfficer, w.policeOfficer, w.stranger}
	r.dpos = []agreement.Actor{w.trustDPO, w.councilDPO, w.policeDPO, {User: w.councilDPO.User, Org: w.police}}
	r.onwardDPOs = []agreement.Actor{w.councilDPO, w.policeDPO, c.outsiderDPO, w.trustDPO, {User: c.outsiderDPO.User, Org: w.police}}
	return r
}

// apply checks a command's outcome against the model's verdict, logs the change and keeps the
// result. The input flow must come back unchanged whatever happens.
func (r *flowRun) apply(t *rapid.T, what string, allowed bool, run func() (agreement.Flow, []agreement.Event, error)) bool {
	before := r.f
	snapshot := cloneFlow(r.f)
	got, events, err := run()
	if !reflect.DeepEqual(snapshot, before) {
		t.Fatalf("%s changed its input flow", what)
	}
	if allowed != (err == nil) {
		t.Fatalf("%s: model says allowed=%v, machine says %v (state %s)", what, allowed, err, before.State)
	}
	if err != nil {
		var e *agreement.Error
		if !errors.As(err, &e) || e.Code == "" {
			t.Fatalf("%s: untyped refusal %v", what, err)
		}
		if !reflect.DeepEqual(got, before) {
			t.Fatalf("%s: a refusal returned a changed flow", what)
		}
		if len(events) != 0 {
			t.Fatalf("%s: a refusal raised events", what)
		}
		return false
	}
	changes, derr := agreement.Diff(before, got)
	if derr != nil {
		t.Fatal(derr)
	}
	if want := referenceDiff(before, got); !reflect.DeepEqual(want, changes) {
		t.Fatalf("%s: Diff %v, reference %v", what, changes, want)
	}
	var entries []agreement.LogEntry
	actor := r.w.officer
	entries, r.head = agreement.Append(r.head, got.ID.UUID, changes, actor.User, actor.Org, r.now)
	r.log = append(r.log, entries...)
	got.Log = r.head // as the Gateway does after each Append, so signatures bind a real head
	r.f = got
	return true
}

func cloneFlow(f agreement.Flow) agreement.Flow {
	c := f
	c.Parties = slices.Clone(f.Parties)
	c.From = slices.Clone(f.From)
	c.To = slices.Clone(f.To)
	c.Notices = append([]agreement.LeaveNotice(nil), f.Notices...)
	for i := range c.Notices {
		c.Notices[i].Answers = append([]agreement.NoticeAnswer(nil), f.Notices[i].Answers...)
	}
	c.Withdrawals = append([]agreement.Withdrawal(nil), f.Withdrawals...)
	c.Disputes = append([]agreement.Dispute(nil), f.Disputes...)
	c.Archive.Extensions = append([]agreement.RetentionExtension(nil), f.Archive.Extensions...)
	c.Archive.DeletionApprovals = append([]agreement.DeletionApproval(nil), f.Archive.DeletionApprovals...)
	c.Reviews = append([]agreement.DPOReview(nil), f.Reviews...)
	c.OnwardReviews = append([]agreement.DPOReview(nil), f.OnwardReviews...)
	c.Sources = append([]agreement.FlowID(nil), f.Sources...)
	c.Controls = append([]string(nil), f.Controls...)
	if f.PrivacyAnswers != nil {
		c.PrivacyAnswers = map[string]string{}
		for k, v := range f.PrivacyAnswers {
			c.PrivacyAnswers[k] = v
		}
	}
	return c
}

func (r *flowRun) edit(t *rapid.T) {
	w := r.w
	actor := rapid.SampledFrom(r.editors).Draw(t, "editor")
	parties := rapid.SampledFrom([][]agreement.OrgID{
		{w.trust, w.council}, {w.trust, w.council, w.police}, {w.trust, w.police}, {w.council, w.police},
	}).Draw(t, "parties")
	terms := w.flowTerms()
	terms.Parties, terms.From, terms.To = parties, parties[:1], parties[1:]
	terms.Frequency = rapid.SampledFrom([]agreement.Frequency{agreement.Daily, agreement.Weekly}).Draw(t, "frequency")
	terms.PersonalData = rapid.Bool().Draw(t, "personal")
	if !terms.PersonalData {
		terms.LegalBases = nil
	}
	sources := rapid.IntRange(0, 2).Draw(t, "sources")
	terms.Sources = r.sourceChoices[sources]
	changed := !reflect.DeepEqual(terms, r.f.FlowTerms)

	m := &r.model
	var allowed bool
	switch m.state {
	case agreement.Draft:
		allowed = actor.Org == m.creator || m.named(actor.Org)
	case agreement.Rejected:
		allowed = actor.Org == m.creator
		if allowed && changed {
			for k, rv := range m.reviews {
				if !rv.withdrawn && rv.decision == agreement.DecisionRejected && !contains(parties, k.org) {
					allowed = false
				}
			}
		}
	}
	prev := r.f
	if r.apply(t, "edit", allowed, func() (agreement.Flow, []agreement.Event, error) {
		return r.m.Edit(r.f, r.s, actor, r.now, terms)
	}) && changed {
		if prev.State != agreement.Draft && prev.State != agreement.Rejected {
			t.Fatalf("edited while %s", prev.State) // FLOW-3, FLOW-5
		}
		m.rev++
		m.parties, m.personal, m.sources = parties, terms.PersonalData, sources
		m.from, m.to = parties[:1], parties[1:]
		for k, rv := range m.reviews {
			if !contains(parties, k.org) {
				rv.withdrawn = true
			}
		}
	}
}

func sameOrgs(a, b []agreement.OrgID) bool {
	if len(a) != len(b) {
		return false
	}
	for _, o := range a {
		if !contains(b, o) {
			return false
		}
	}
	return true
}

func contains(orgs []agreement.OrgID, o agreement.OrgID) bool {
	for _, x := range orgs {
		if x == o {
			return true
		}
	}
	return false
}

func (r *flowRun) requestReview(t *rapid.T) {
	actor := rapid.SampledFrom(r.editors).Draw(t, "requester")
	picked := rapid.SliceOfNDistinct(rapid.SampledFrom(r.dpos), 1, 3, func(a agreement.Actor) agreement.Actor { return a }).Draw(t, "dpos")
	due := r.now.Add(time.Duration(rapid.IntRange(1, 20).Draw(t, "days")) * 24 * time.Hour)
	req := agreement.ReviewRequest{ReviewBy: due}
	m := &r.model
	valid := true
	for _, d := range picked {
		req.DPOs = append(req.DPOs, agreement.Reviewer{DPO: d.User, Org: d.Org})
		if !m.named(d.Org) {
			valid = false
		}
	}
	allowed := valid && (actor.Org == m.creator || m.named(actor.Org)) &&
		(m.state == agreement.Draft || m.state == agreement.InReview || m.state == agreement.Approved)
	if r.apply(t, "request_review", allowed, func() (agreement.Flow, []agreement.Event, error) {
		return r.m.RequestReview(r.f, actor, r.now, req)
	}) {
		if m.state == agreement.Draft {
			m.state = agreement.InReview
		}
		for _, d := range picked {
			k := reviewKey{d.User, d.Org}
			if m.live(k) == nil {
				m.reviews[k] = &modelReview{}
			}
			m.live(k).awaiting = true
		}
		if due.After(m.reviewBy) {
			m.reviewBy = due
		}
	}
}

func (r *flowRun) decide(t *rapid.T, approve bool) {
	actor := rapid.SampledFrom(r.dpos).Draw(t, "dpo")
	m := &r.model
	k := reviewKey{actor.User, actor.Org}
	decision := agreement.DecisionRejected
	if approve {
		decision = agreement.DecisionApproved
	}
	rv := m.live(k)
	// FLOW-6: the same decision on the same version is not taken twice unless asked again.
	allowed := rv != nil && !(!rv.awaiting && rv.decision == decision && rv.decidedRev == m.rev) &&
		(m.state == agreement.InReview || m.state == agreement.Approved || m.state == agreement.Rejected)
	name := "reject"
	run := func() (agreement.Flow, []agreement.Event, error) {
		return r.m.Reject(r.f, actor, r.now, agreement.Verdict{Details: "no"})
	}
	if approve {
		name = "approve"
		run = func() (agreement.Flow, []agreement.Event, error) {
			return r.m.Approve(r.f, actor, r.now, agreement.Verdict{})
		}
	}
	if !r.apply(t, name, allowed, run) {
		return
	}
	rv.decidedRev, rv.awaiting = m.rev, false
	if !approve {
		rv.decision = agreement.DecisionRejected
		m.state = agreement.Rejected
		return
	}
	rv.decision = agreement.DecisionApproved
	if !m.openRejection(&k) && m.state != agreement.Approved {
		m.state = agreement.Approved // FLOW-6: one approval and no open rejection
	}
}

func (r *flowRun) rereview(t *rapid.T) {
	actor := rapid.SampledFrom(r.editors).Draw(t, "answerer")
	target := rapid.SampledFrom(r.dpos).Draw(t, "target").User
	m := &r.model
	open := false
	for k, rv := range m.reviews {
		if k.dpo == target && !rv.withdrawn && rv.decision == agreement.DecisionRejected {
			open = true
		}
	}
	allowed := actor.Org == m.creator && open && (m.state == agreement.InReview || m.state == agreement.Rejected)
	if r.apply(t, "rereview", allowed, func() (agreement.Flow, []agreement.Event, error) {
		return r.m.RequestRereview(r.f, actor, r.now, agreement.Rereview{DPO: target, Changes: "fixed"})
	}) {
		m.state = agreement.InReview // FLOW-7: locks again; the rejection stays open
		for k, rv := range m.reviews {
			if k.dpo == target && !rv.withdrawn && rv.decision == agreement.DecisionRejected {
				rv.awaiting = true // asked again
			}
		}
	}
}

func (r *flowRun) finalise(t *rapid.T) {
	actor := rapid.SampledFrom(r.editors).Draw(t, "finaliser")
	withOriginals := rapid.Bool().Draw(t, "with_originals")
	m := &r.model
	var allowed bool
	switch m.state {
	case agreement.Draft:
		allowed = actor.Org == m.creator && !m.personal // FLOW-4
	case agreement.InReview, agreement.Approved, agreement.Rejected:
		allowed = actor.Org == m.creator && !m.openRejection(nil) &&
			(m.currentApproval() || r.now.After(m.reviewBy)) // FLOW-8
	}
	if m.sources > 0 { // FLOW-13: every original approved this version, none holds a rejection
		allowed = allowed && withOriginals
		for _, o := range r.modelOriginals() {
			allowed = allowed && m.approvedBy(o)
		}
		for k, rv := range m.onward {
			if rv.decision == agreement.DecisionRejected && contains(r.modelOriginals(), k.org) {
				allowed = false
			}
		}
	}
	before := r.f
	if r.apply(t, "finalise", allowed, func() (agreement.Flow, []agreement.Event, error) {
		if withOriginals {
			return r.m.FinaliseOnward(r.f, actor, r.now, agreement.OriginalsOf(r.f, r.chain))
		}
		return r.m.Finalise(r.f, actor, r.now)
	}) {
		// FLOW-13's invariant, on the flow itself: never finalised without a current approval
		// from every original.
		if len(before.Sources) > 0 {
			for _, o := range r.modelOriginals() {
				if !before.OnwardApprovedBy(o) {
					t.Fatalf("finalised without onward approval from %s", o)
				}
			}
		}
		// the invariant, checked on the flow itself rather than the model
		if before.HasOpenRejection() {
			t.Fatalf("finalised with an open rejection")
		}
		if before.State == agreement.Draft && before.NeedsDPOApproval() {
			t.Fatalf("finalised personal data without DPO review")
		}
		if before.State != agreement.Draft && !before.HasCurrentApproval() && !before.ReviewByPassed(r.now) {
			t.Fatalf("finalised without an approval of the current version before review-by passed")
		}
		m.state = agreement.Finalised
	}
}

// signers are who may be picked to sign: each editor for its own organisation, and one user
// for an organisation it does not belong to.
func (r *flowRun) signers() []agreement.Actor {
	return append(append([]agreement.Actor(nil), r.editors...), agreement.Actor{User: r.w.officer.User, Org: r.w.council})
}

func (r *flowRun) requestSignOff(t *rapid.T) {
	actor := rapid.SampledFrom(r.editors).Draw(t, "requester")
	pool := r.signers()
	if rapid.Bool().Draw(t, "parties' own signers") {
		// Random picks from everyone seldom name only valid signers; half the time ask every
		// party's own user, so that runs get as far as Signed.
		pool = nil
		for _, e := range r.editors {
			if r.model.named(e.Org) && !r.model.signed[e.Org] {
				pool = append(pool, e)
			}
		}
		if len(pool) == 0 {
			return
		}
		actor = pool[0]
	}
	var picked []agreement.Actor
	if len(pool) < len(r.signers()) {
		picked = pool
	} else {
		picked = rapid.SliceOfNDistinct(rapid.SampledFrom(pool), 1, 3, func(a agreement.Actor) agreement.Actor { return a }).Draw(t, "signers")
	}
	in := agreement.SignOffInput{}
	if rapid.Bool().Draw(t, "has sign-by") {
		in.SignBy = r.now.Add(time.Duration(rapid.IntRange(1, 20).Draw(t, "sign-by days")) * 24 * time.Hour)
		in.EnforceSignBy = rapid.Bool().Draw(t, "enforced")
	}
	m := &r.model
	allowed := m.state == agreement.Finalised && (actor.Org == m.creator || m.named(actor.Org))
	for _, p := range picked {
		in.Signers = append(in.Signers, agreement.Signer(p))
		if !m.named(p.Org) || m.signed[p.Org] {
			allowed = false
		}
	}
	if r.apply(t, "request_signoff", allowed, func() (agreement.Flow, []agreement.Event, error) {
		return r.m.RequestSignOff(r.f, actor, r.now, in)
	}) {
		for _, p := range picked {
			m.asked[reviewKey{p.User, p.Org}] = modelAsk{signBy: in.SignBy, requestedAt: r.now, enforced: in.EnforceSignBy}
		}
	}
}

// requestOnward asks DPOs for onward approval (FLOW-13): the creator of a flow with sources,
// before it is finalised, of DPOs of original organisations only.
func (r *flowRun) requestOnward(t *rapid.T) {
	actor := rapid.SampledFrom(r.editors).Draw(t, "requester")
	picked := rapid.SliceOfNDistinct(rapid.SampledFrom(r.onwardDPOs), 1, 3, func(a agreement.Actor) agreement.Actor { return a }).Draw(t, "dpos")
	req := agreement.OnwardRequest{ReviewBy: r.now.AddDate(0, 0, 14)}
	m := &r.model
	allowed := actor.Org == m.creator && m.sources > 0 && m.preFinal()
	for _, d := range picked {
		req.DPOs = append(req.DPOs, agreement.Reviewer{DPO: d.User, Org: d.Org})
		allowed = allowed && contains(r.modelOriginals(), d.Org)
	}
	before := r.f
	if r.apply(t, "request_onward", allowed, func() (agreement.Flow, []agreement.Event, error) {
		return r.m.RequestOnward(r.f, actor, r.now, req, agreement.OriginalsOf(r.f, r.chain))
	}) {
		if r.f.State != before.State || !r.f.ReviewBy.Equal(before.ReviewBy) {
			t.Fatalf("an onward request moved the flow or its review-by date")
		}
		for _, d := range picked {
			k := reviewKey{d.User, d.Org}
			if m.onward[k] == nil {
				m.onward[k] = &modelReview{}
			}
			m.onward[k].awaiting = true
		}
	}
}

func (r *flowRun) sign(t *rapid.T) {
	m := &r.model
	pool := r.signers()
	if len(m.asked) > 0 && rapid.Bool().Draw(t, "an asked signer") {
		pool = nil
		for k := range m.asked {
			pool = append(pool, agreement.Actor{User: k.dpo, Org: k.org})
		}
		slices.SortFunc(pool, func(a, b agreement.Actor) int {
			return strings.Compare(a.User.String()+a.Org.String(), b.User.String()+b.Org.String())
		})
	}
	actor := rapid.SampledFrom(pool).Draw(t, "signer")
	ask, asked := m.asked[reviewKey{actor.User, actor.Org}]
	late := !ask.signBy.IsZero() && r.now.After(ask.signBy)
	allowed := m.state == agreement.Finalised && asked && m.named(actor.Org) && !m.signed[actor.Org] && !(late && ask.enforced) // SIGN-1…3
	before := r.f
	if !r.apply(t, "sign", allowed, func() (agreement.Flow, []agreement.Event, error) {
		st, err := agreement.NewStatement(r.f, agreement.Signatory{User: actor.User, Role: "senior_officer", Org: actor.Org}, r.now, propertyKey.ID)
		if err != nil {
			return r.f, nil, err
		}
		sig, err := agreement.Sign(st, propertySigner, nil)
		if err != nil {
			return r.f, nil, err
		}
		return r.m.Sign(r.f, actor, r.now, sig)
	}) {
		return
	}
	if before.State != agreement.Finalised {
		t.Fatalf("signed a %s flow", before.State) // SIGN-1
	}
	m.signed[actor.Org] = true
	if sig, _ := r.f.SignatureOf(actor.Org); sig.Late != late {
		t.Fatalf("late = %v, model %v", sig.Late, late) // SIGN-3
	}
	if m.allSigned() {
		m.state = agreement.Signed // SIGN-2
	}
}

func (r *flowRun) addParty(t *rapid.T) {
	actor := rapid.SampledFrom(r.editors).Draw(t, "adder")
	org := rapid.SampledFrom([]agreement.OrgID{r.w.trust, r.w.council, r.w.police, r.w.outsider}).Draw(t, "new party")
	m := &r.model
	// FLOW-11, FLOW-12; an organisation that left by notice comes back only by variation (LIFE-3).
	allowed := m.state == agreement.Finalised && actor.Org == m.creator && org != r.w.outsider && !m.named(org) && !m.withdrawn[org]
	if r.apply(t, "add_party", allowed, func() (agreement.Flow, []agreement.Event, error) {
		return agreement.AddParty(r.f, r.s, actor, r.now, org, agreement.SideTo)
	}) {
		m.parties = append(append([]agreement.OrgID(nil), m.parties...), org)
		m.to = append(append([]agreement.OrgID(nil), m.to...), org)
	}
}

// decideOnward approves or rejects onward sharing as a DPO asked, of an organisation still an
// original (FLOW-13); the flow's state never moves.
func (r *flowRun) decideOnward(t *rapid.T, approve bool) {
	actor := rapid.SampledFrom(r.onwardDPOs).Draw(t, "onward_dpo")
	m := &r.model
	k := reviewKey{actor.User, actor.Org}
	decision := agreement.DecisionRejected
	if approve {
		decision = agreement.DecisionApproved
	}
	rv := m.onward[k]
	allowed := rv != nil && contains(r.modelOriginals(), actor.Org) && m.preFinal() &&
		!(!rv.awaiting && rv.decision == decision && rv.decidedRev == m.rev)
	o := agreement.OriginalsOf(r.f, r.chain)
	before := r.f
	if r.apply(t, string(decision)+"_onward", allowed, func() (agreement.Flow, []agreement.Event, error) {
		if approve {
			return r.m.ApproveOnward(r.f, actor, r.now, agreement.Verdict{}, o)
		}
		return r.m.RejectOnward(r.f, actor, r.now, agreement.Verdict{Details: "no"}, o)
	}) {
		if r.f.State != before.State {
			t.Fatalf("an onward decision moved the flow from %s to %s", before.State, r.f.State)
		}
		rv.decision, rv.decidedRev, rv.awaiting = decision, m.rev, false
	}
}

// vary makes a variation (SIGN-6): the creator of a finalised or signed flow only; the original
// is untouched.
func (r *flowRun) vary(t *rapid.T) {
	actor := rapid.SampledFrom(r.editors).Draw(t, "varier")
	m := &r.model
	allowed := (m.state == agreement.Finalised || m.state == agreement.Signed) && actor.Org == m.creator
	snapshot := cloneFlow(r.f)
	v, events, err := r.m.Vary(r.f, r.s, agreement.FlowID{UUID: r.w.uuid()}, actor, r.now)
	if !reflect.DeepEqual(snapshot, cloneFlow(r.f)) {
		t.Fatalf("vary changed the original")
	}
	if allowed != (err == nil) {
		t.Fatalf("vary: model says allowed=%v, machine says %v (state %s)", allowed, err, r.f.State)
	}
	if err != nil {
		return
	}
	if v.State != agreement.Draft || v.VariationOf != r.f.ID || !reflect.DeepEqual(v.FlowTerms, r.f.FlowTerms) ||
		len(v.Reviews)+len(v.OnwardReviews)+len(v.Signatures) != 0 || len(events) != 1 {
		t.Fatalf("a variation is a fresh Draft of the original's terms: %+v", v)
	}
	r.variations = append(r.variations, v)
}

// supersede offers the original a variation in some state, perhaps leaving out a party (SIGN-6):
// only a signed variation of it naming every party supersedes it, and only while in force. Sign-off
// is not on this branch, so a variation's state is set here.
func (r *flowRun) supersede(t *rapid.T) {
	m := &r.model
	v := agreement.Flow{ID: agreement.FlowID{UUID: r.w.uuid()}, VariationOf: agreement.FlowID{UUID: r.w.uuid()}, FlowTerms: r.f.FlowTerms}
	if len(r.variations) > 0 && rapid.Bool().Draw(t, "a_variation_of_it") {
		v = rapid.SampledFrom(r.variations).Draw(t, "variation")
	}
	v.State = rapid.SampledFrom([]agreement.FlowState{agreement.Draft, agreement.Finalised, agreement.Signed}).Draw(t, "variation_state")
	v.Parties = slices.Clone(v.Parties)
	if len(v.Parties) > 0 && rapid.Bool().Draw(t, "drop_a_party") {
		v.Parties = v.Parties[1:]
	}
	keeps := true
	for _, p := range m.parties {
		keeps = keeps && contains(v.Parties, p)
	}
	allowed := (m.state == agreement.Finalised || m.state == agreement.Signed) &&
		v.State == agreement.Signed && v.VariationOf == r.f.ID && keeps
	if r.apply(t, "supersede", allowed, func() (agreement.Flow, []agreement.Event, error) {
		return r.m.Supersede(r.f, r.w.officer, r.now, v, nil)
	}) {
		if r.f.SupersededBy != v.ID {
			t.Fatalf("superseded by %s, not the variation %s", r.f.SupersededBy, v.ID)
		}
		m.state = agreement.Superseded
		for _, n := range m.notices {
			n.open = false // open notices lapse (LIFE-3)
		}
	}
}

func (r *flowRun) check(t *rapid.T) {
	f, m := r.f, &r.model
	if got, want := agreement.OriginalsOf(f, r.chain).Orgs(), r.modelOriginals(); !sameOrgs(got, want) {
		t.Fatalf("originals %v, model %v", got, want)
	}
	if f.State != m.state {
		t.Fatalf("state %s, model %s", f.State, m.state)
	}
	if f.Rev != m.rev {
		t.Fatalf("rev %d, model %d", f.Rev, m.rev)
	}
	switch f.State {
	case agreement.Approved:
		if f.HasOpenRejection() || !f.HasCurrentApproval() {
			t.Fatalf("approved without a current approval or with an open rejection")
		}
	case agreement.Rejected:
		if !f.HasOpenRejection() {
			t.Fatalf("rejected with no open rejection")
		}
	}
	if err := agreement.Verify(r.head, r.log); err != nil {
		t.Fatalf("log does not verify: %v", err)
	}
	// FLOW-2: the steps offered to each actor are those the state machine permits, guard for
	// guard, although Permitted evaluates the configured guards itself (offers.go).
	originals := agreement.OriginalsOf(f, r.chain)
	for _, a := range slices.Concat(r.signers(), r.dpos, r.onwardDPOs, []agreement.Actor{{User: r.w.officer.User, Org: r.w.outsider}}) {
		got, want := r.m.PermittedWith(f, a, r.now, originals), r.m.PermittedByStateless(f, a, r.now, originals)
		if !slices.Equal(got, want) {
			t.Fatalf("%s flow: %v offered to %v, stateless permits %v", f.State, got, a, want)
		}
	}
	// SIGN-1, SIGN-2: signatures only once finalised (and kept after, for the history), one per
	// organisation; Signed exactly when every current party has signed.
	switch f.State {
	case agreement.Draft, agreement.InReview, agreement.Approved, agreement.Rejected:
		if len(f.Signatures) > 0 {
			t.Fatalf("a %s flow holds signatures", f.State)
		}
	}
	orgs := map[agreement.OrgID]bool{}
	for _, sig := range f.Signatures {
		if orgs[sig.Statement.Signatory.Org] {
			t.Fatalf("two signatures for one organisation")
		}
		orgs[sig.Statement.Signatory.Org] = true
	}
	if in := f.State == agreement.Finalised || f.State == agreement.Signed; in && (f.State == agreement.Signed) != f.FullySigned() {
		t.Fatalf("state %s, fully signed %v", f.State, f.FullySigned())
	}
	// SIGN-4, LOG-3: every stored signature verifies against the flow and its log as they are.
	if len(f.Signatures) > 0 {
		report := agreement.VerifySignatures(f, f.Signatures, r.log, func(string) (agreement.PublicKey, error) { return propertyKey, nil })
		if !report.Valid {
			t.Fatalf("a stored signature does not verify: %+v", report.Checks)
		}
	}
	// LIFE-3: the parties are the model's; a withdrawn organisation is never a party, nor on a
	// side; a terminated flow has fewer than two parties, or no sender or receiver left.
	if !slices.Equal(f.Parties, m.parties) || !slices.Equal(f.From, m.from) || !slices.Equal(f.To, m.to) {
		t.Fatalf("parties %v from %v to %v, model %v %v %v", f.Parties, f.From, f.To, m.parties, m.from, m.to)
	}
	for _, wd := range f.Withdrawals {
		if f.Names(wd.Org) || contains(f.From, wd.Org) || contains(f.To, wd.Org) || !m.withdrawn[wd.Org] {
			t.Fatalf("withdrawn organisation %v is still in the flow", wd.Org)
		}
	}
	if len(f.Withdrawals) != len(m.withdrawn) {
		t.Fatalf("%d withdrawals, model %d", len(f.Withdrawals), len(m.withdrawn))
	}
	if f.State == agreement.Terminated && len(f.Parties) >= 2 && len(f.From) > 0 && len(f.To) > 0 {
		t.Fatalf("terminated with parties %v from %v to %v", f.Parties, f.From, f.To)
	}
	if f.State.InForce() && (len(f.Parties) < 2 || len(f.From) == 0 || len(f.To) == 0) {
		t.Fatalf("in force with parties %v from %v to %v", f.Parties, f.From, f.To)
	}
	open := 0
	for _, n := range f.Notices {
		if n.Open() {
			open++
			if !f.State.InForce() {
				t.Fatalf("an open notice on a %s flow", f.State)
			}
		}
	}
	modelOpen := 0
	for _, n := range m.notices {
		if n.open {
			modelOpen++
		}
	}
	if open != modelOpen || len(f.Notices) != len(m.notices) {
		t.Fatalf("%d notices, %d open; model %d, %d", len(f.Notices), open, len(m.notices), modelOpen)
	}
	// LIFE-4: escalations no earlier than their periods, as the model has them.
	if len(f.Disputes) != len(m.disputes) {
		t.Fatalf("%d disputes, model %d", len(f.Disputes), len(m.disputes))
	}
	for i, d := range f.Disputes {
		md := m.disputes[i]
		if d.Open() == md.resolved || !d.EscalatedAt.Equal(md.escalated) || !d.MediationAt.Equal(md.mediation) {
			t.Fatalf("dispute %d: %+v, model %+v", d.Number, d, *md)
		}
		if !d.EscalatedAt.IsZero() && d.EscalatedAt.Before(d.RaisedAt.AddDate(0, 0, 7)) {
			t.Fatalf("dispute %d escalated before 7 days", d.Number)
		}
		if !d.MediationAt.IsZero() && d.MediationAt.Before(d.EscalatedAt.AddDate(0, 0, 14)) {
			t.Fatalf("dispute %d marked for mediation before 14 days after its escalation", d.Number)
		}
	}
}

// ---- the end of the lifecycle (LIFE-3, LIFE-4) ----------------------------------------------

func (m *model) openNoticeOf(org agreement.OrgID) *modelNotice {
	for _, n := range m.notices {
		if n.open && n.org == org {
			return n
		}
	}
	return nil
}

func without(orgs []agreement.OrgID, o agreement.OrgID) []agreement.OrgID {
	var out []agreement.OrgID
	for _, x := range orgs {
		if x != o {
			out = append(out, x)
		}
	}
	return out
}

// settle withdraws every organisation whose open notice all other parties approved, oldest
// notice first, until none is complete or the flow ends (LIFE-3).
func (m *model) settle() {
	for {
		var done *modelNotice
		for _, n := range m.notices {
			if !n.open || !m.named(n.org) {
				continue
			}
			all := true
			for _, p := range m.parties {
				if p != n.org && !n.approved[p] {
					all = false
				}
			}
			if all {
				done = n
				break
			}
		}
		if done == nil {
			return
		}
		done.open = false
		m.parties, m.from, m.to = without(m.parties, done.org), without(m.from, done.org), without(m.to, done.org)
		m.withdrawn[done.org] = true
		for k, rv := range m.reviews {
			if k.org == done.org {
				rv.withdrawn = true
			}
		}
		if len(m.parties) < 2 || len(m.from) == 0 || len(m.to) == 0 {
			for _, n := range m.notices {
				n.open = false
			}
			m.state = agreement.Terminated
			return
		}
	}
}

func (r *flowRun) giveNotice(t *rapid.T) {
	actor := rapid.SampledFrom(r.editors).Draw(t, "leaver")
	m := &r.model
	allowed := m.state.InForce() && m.named(actor.Org) && m.openNoticeOf(actor.Org) == nil
	if r.apply(t, "give_notice", allowed, func() (agreement.Flow, []agreement.Event, error) {
		return r.m.GiveNotice(r.f, actor, r.now, agreement.NoticeInput{Reason: "leaving"})
	}) {
		m.notices = append(m.notices, &modelNotice{org: actor.Org, open: true, approved: map[agreement.OrgID]bool{}})
	}
}

func (r *flowRun) answerNotice(t *rapid.T, approve bool) {
	actor := rapid.SampledFrom(r.editors).Draw(t, "answerer")
	leaver := rapid.SampledFrom(r.editors).Draw(t, "leaver").Org
	m := &r.model
	n := m.openNoticeOf(leaver)
	allowed := m.state.InForce() && m.named(actor.Org) && leaver != actor.Org && n != nil && !n.approved[actor.Org]
	name, run := "reject_notice", func() (agreement.Flow, []agreement.Event, error) {
		return r.m.RejectNotice(r.f, actor, r.now, agreement.NoticeAnswerInput{Org: leaver, Comment: "no"})
	}
	if approve {
		name, run = "approve_notice", func() (agreement.Flow, []agreement.Event, error) {
			return r.m.ApproveNotice(r.f, actor, r.now, agreement.NoticeAnswerInput{Org: leaver})
		}
	}
	if !r.apply(t, name, allowed, run) {
		return
	}
	if !approve {
		n.open = false
		return
	}
	n.approved[actor.Org] = true
	m.settle()
	if m.state == agreement.Finalised && m.allSigned() {
		m.state = agreement.Signed // SIGN-2: the last unsigned party has left
	}
}

// allSigned: every current party has signed.
func (m *model) allSigned() bool {
	for _, p := range m.parties {
		if !m.signed[p] {
			return false
		}
	}
	return len(m.parties) > 0
}

func (r *flowRun) withdrawNotice(t *rapid.T) {
	actor := rapid.SampledFrom(r.editors).Draw(t, "giver")
	m := &r.model
	n := m.openNoticeOf(actor.Org)
	allowed := m.state.InForce() && m.named(actor.Org) && n != nil
	if r.apply(t, "withdraw_notice", allowed, func() (agreement.Flow, []agreement.Event, error) {
		return r.m.WithdrawNotice(r.f, actor, r.now)
	}) {
		n.open = false
	}
}

func (r *flowRun) raiseDispute(t *rapid.T) {
	actor := rapid.SampledFrom(r.editors).Draw(t, "raiser")
	m := &r.model
	allowed := m.state.InForce() && m.named(actor.Org)
	if r.apply(t, "raise_dispute", allowed, func() (agreement.Flow, []agreement.Event, error) {
		return r.m.RaiseDispute(r.f, actor, r.now, agreement.DisputeInput{Description: "disagreement"})
	}) {
		m.disputes = append(m.disputes, &modelDispute{raised: r.now})
	}
}

func (r *flowRun) resolveDispute(t *rapid.T) {
	actor := rapid.SampledFrom(r.editors).Draw(t, "resolver")
	m := &r.model
	n := rapid.IntRange(1, len(m.disputes)+1).Draw(t, "dispute")
	open := n <= len(m.disputes) && !m.disputes[n-1].resolved
	ended := m.state == agreement.Terminated || m.state == agreement.Superseded
	allowed := (m.state.InForce() || ended) && m.named(actor.Org) && open
	if r.apply(t, "resolve_dispute", allowed, func() (agreement.Flow, []agreement.Event, error) {
		return r.m.ResolveDispute(r.f, actor, r.now, agreement.ResolutionInput{Dispute: n, Resolution: "agreed"})
	}) {
		m.disputes[n-1].resolved = true
	}
}

// sweep runs the flow's timers (LIFE-4): each open dispute escalates 7 days after it was raised,
// then is marked for mediation 14 days after that escalation, one step a sweep, each once.
func (r *flowRun) sweep(t *rapid.T) {
	var events []agreement.Event
	r.apply(t, "sweep", true, func() (agreement.Flow, []agreement.Event, error) {
		g, evs := agreement.SweepFlow(r.f, r.now)
		events = evs
		return g, evs, nil
	})
	want := 0
	for _, d := range r.model.disputes {
		switch {
		case d.resolved || !d.mediation.IsZero():
		case d.escalated.IsZero() && !r.now.Before(d.raised.AddDate(0, 0, 7)):
			d.escalated = r.now
			want++
		case !d.escalated.IsZero() && !r.now.Before(d.escalated.AddDate(0, 0, 14)):
			d.mediation = r.now
			want++
		}
	}
	// SIGN-3: each signer still to sign is reminded once, SignByReminderLead before the date.
	m := &r.model
	for k, a := range m.asked {
		due := a.signBy.Add(-agreement.SignByReminderLead)
		if due.Before(a.requestedAt) {
			due = a.requestedAt
		}
		if m.state == agreement.Finalised && !a.signBy.IsZero() && !a.reminded && m.named(k.org) && !m.signed[k.org] && !r.now.Before(due) {
			a.reminded = true
			m.asked[k] = a
			want++
		}
	}
	if len(events) != want {
		t.Fatalf("sweep raised %d events, model %d", len(events), want)
	}
}

// The property runs sign with one fixed Ed25519 test key, a platform key that signs for any
// signatory.
var (
	propertySigner = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	propertyKey    = agreement.PublicKey{ID: "property-key", Key: propertySigner.Public()}
)

// TestFlowLifecycleProperties drives random command sequences by random actors, with time moving
// past review-by and sign-by dates, against the reference model (FLOW-3…FLOW-8, FLOW-12,
// SIGN-1…SIGN-3), and checks the transaction log built from the Diffs of every change verifies
// throughout (LOG-1, LOG-2) and every stored signature with it (SIGN-4, LOG-3). The flow may name
// sources, and onward approvals are asked and given (FLOW-13: never finalised without a current
// approval from every original); once finalised it may be varied and superseded (SIGN-6: only by
// a signed variation of it naming every party). Past Finalised it drives termination (LIFE-3:
// notice, approval, rejection, withdrawal; a Terminated flow has fewer than two parties or an
// empty side, a withdrawn party is never a party) and disputes with the sweep's escalations
// (LIFE-4: after 7 days, then 14 days later, each once) and sign-by reminders (SIGN-3: once each).
func TestFlowLifecycleProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		r := newFlowRun(t)
		var finalTerms *agreement.FlowTerms
		t.Repeat(map[string]func(*rapid.T){
			"edit":            r.edit,
			"request_review":  r.requestReview,
			"approve":         func(t *rapid.T) { r.decide(t, true) },
			"reject":          func(t *rapid.T) { r.decide(t, false) },
			"rereview":        r.rereview,
			"finalise":        r.finalise,
			"request_signoff": r.requestSignOff,
			"sign":            r.sign,
			"add_party":       r.addParty,
			// the end of the lifecycle (LIFE-3, LIFE-4)
			"give_notice":     r.giveNotice,
			"approve_notice":  func(t *rapid.T) { r.answerNotice(t, true) },
			"reject_notice":   func(t *rapid.T) { r.answerNotice(t, false) },
			"withdraw_notice": r.withdrawNotice,
			"raise_dispute":   r.raiseDispute,
			"resolve_dispute": r.resolveDispute,
			"sweep":           r.sweep,
			"request_onward":  r.requestOnward,
			"approve_onward":  func(t *rapid.T) { r.decideOnward(t, true) },
			"reject_onward":   func(t *rapid.T) { r.decideOnward(t, false) },
			"vary":            r.vary,
			"supersede":       r.supersede,
			"wait": func(t *rapid.T) {
				r.now = r.now.Add(time.Duration(rapid.Int64Range(0, int64(10*24*time.Hour)).Draw(t, "wait")))
			},
			"": func(t *rapid.T) {
				r.check(t)
				if r.f.State == agreement.Finalised || r.f.State == agreement.Signed || r.f.State == agreement.Superseded {
					// FLOW-3: the terms never change once finalised; the parties may, as
					// organisations join or leave (FLOW-12, LIFE-3), which is why they are left out.
					ft := cloneFlow(r.f).FlowTerms
					ft.Parties, ft.From, ft.To = nil, nil, nil
					if finalTerms == nil {
						finalTerms = &ft
					} else if !reflect.DeepEqual(*finalTerms, ft) {
						t.Fatalf("a finalised flow changed") // FLOW-3, SIGN-6
					}
				}
			},
		})
	})
}

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
}

type modelAsk struct {
	signBy   time.Time
	enforced bool
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
}

func newFlowRun(t *rapid.T) *flowRun {
	w := newWorld()
	r := &flowRun{w: w, m: agreement.NewFlowMachine(), now: w.now}
	r.s = w.summary(t)
	r.f = w.flow(t, r.s)
	r.model = model{state: agreement.Draft, rev: 1, creator: w.trust, parties: r.f.Parties, personal: true, reviews: map[reviewKey]*modelReview{},
		asked: map[reviewKey]modelAsk{}, signed: map[agreement.OrgID]bool{}}
	if rapid.Bool().Draw(t, "start finalised") {
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
	c.Parties = append([]agreement.OrgID(nil), f.Parties...)
	c.Reviews = append([]agreement.DPOReview(nil), f.Reviews...)
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
		m.parties, m.personal = parties, terms.PersonalData
		for k, rv := range m.reviews {
			if !contains(parties, k.org) {
				rv.withdrawn = true
			}
		}
	}
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
	m := &r.model
	var allowed bool
	switch m.state {
	case agreement.Draft:
		allowed = actor.Org == m.creator && !m.personal // FLOW-4
	case agreement.InReview, agreement.Approved, agreement.Rejected:
		allowed = actor.Org == m.creator && !m.openRejection(nil) &&
			(m.currentApproval() || r.now.After(m.reviewBy)) // FLOW-8
	}
	before := r.f
	if r.apply(t, "finalise", allowed, func() (agreement.Flow, []agreement.Event, error) {
		return r.m.Finalise(r.f, actor, r.now)
	}) {
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
			m.asked[reviewKey{p.User, p.Org}] = modelAsk{signBy: in.SignBy, enforced: in.EnforceSignBy}
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
	all := true
	for _, p := range m.parties {
		all = all && m.signed[p]
	}
	if all {
		m.state = agreement.Signed // SIGN-2
	}
}

func (r *flowRun) addParty(t *rapid.T) {
	actor := rapid.SampledFrom(r.editors).Draw(t, "adder")
	org := rapid.SampledFrom([]agreement.OrgID{r.w.trust, r.w.council, r.w.police, r.w.outsider}).Draw(t, "new party")
	m := &r.model
	allowed := m.state == agreement.Finalised && actor.Org == m.creator && org != r.w.outsider && !m.named(org) // FLOW-11, FLOW-12
	if r.apply(t, "add_party", allowed, func() (agreement.Flow, []agreement.Event, error) {
		return agreement.AddParty(r.f, r.s, actor, r.now, org, agreement.SideTo)
	}) {
		m.parties = append(append([]agreement.OrgID(nil), m.parties...), org)
	}
}

func (r *flowRun) check(t *rapid.T) {
	f, m := r.f, &r.model
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
	// SIGN-1, SIGN-2: signatures only once finalised, one per organisation; Signed exactly when
	// every current party has signed.
	if len(f.Signatures) > 0 && f.State != agreement.Finalised && f.State != agreement.Signed {
		t.Fatalf("a %s flow holds signatures", f.State)
	}
	orgs := map[agreement.OrgID]bool{}
	for _, sig := range f.Signatures {
		if orgs[sig.Statement.Signatory.Org] {
			t.Fatalf("two signatures for one organisation")
		}
		orgs[sig.Statement.Signatory.Org] = true
	}
	if (f.State == agreement.Signed) != f.FullySigned() {
		t.Fatalf("state %s, fully signed %v", f.State, f.FullySigned())
	}
	// SIGN-4, LOG-3: every stored signature verifies against the flow and its log as they are.
	if len(f.Signatures) > 0 {
		report := agreement.VerifySignatures(f, f.Signatures, r.log, func(string) (agreement.PublicKey, error) { return propertyKey, nil })
		if !report.Valid {
			t.Fatalf("a stored signature does not verify: %+v", report.Checks)
		}
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
// SIGN-1…SIGN-3), and checks the transaction
// log built from the Diffs of every change verifies throughout (LOG-1, LOG-2).
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
			"wait": func(t *rapid.T) {
				r.now = r.now.Add(time.Duration(rapid.Int64Range(0, int64(10*24*time.Hour)).Draw(t, "wait")))
			},
			"": func(t *rapid.T) {
				r.check(t)
				if r.f.State == agreement.Finalised || r.f.State == agreement.Signed {
					// Parties may join a finalised flow (FLOW-12); nothing else of its terms changes.
					ft := cloneFlow(r.f).FlowTerms
					ft.Parties, ft.From, ft.To = nil, nil, nil
					if finalTerms == nil {
						finalTerms = &ft
					} else if !reflect.DeepEqual(*finalTerms, ft) {
						t.Fatalf("a finalised flow changed") // FLOW-3
					}
				}
			},
		})
	})
}

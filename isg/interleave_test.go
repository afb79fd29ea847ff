package isg_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/support"
	"github.com/isgkit/gateway/licensing"
	"github.com/isgkit/gateway/storage/memory"
	"github.com/isgkit/gateway/storage/sqlite"
)

// pausingStore wraps a Store so that a test can interleave two commands deterministically: the
// first Find or Count of the armed kind and index name, once it has its answer, blocks its unit of
// work until the test releases it. Between the two the test runs a second command to commit, so
// the first command commits (or retries) on a listing that is no longer true. Random load finds
// such races by luck; this proves the rule (DESIGN.md, "What the Store promises").
type pausingStore struct {
	isg.Store
	mu      sync.Mutex
	kind    isg.Kind
	name    string
	armed   bool
	reached chan struct{}
	release chan struct{}
}

// arm makes the next listing of kind by index name pause.
func (p *pausingStore) arm(kind isg.Kind, name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.kind, p.name, p.armed = kind, name, true
	p.reached, p.release = make(chan struct{}), make(chan struct{})
}

// pauseHere blocks the caller if it is the armed listing, disarming it.
func (p *pausingStore) pauseHere(kind isg.Kind, key isg.IndexKey) {
	p.mu.Lock()
	hit := p.armed && kind == p.kind && key.Name == p.name
	if hit {
		p.armed = false
	}
	reached, release := p.reached, p.release
	p.mu.Unlock()
	if hit {
		close(reached)
		<-release
	}
}

func (p *pausingStore) Update(ctx context.Context, fn func(isg.Tx) error) error {
	return p.Store.Update(ctx, func(tx isg.Tx) error { return fn(pausingTx{Tx: tx, p: p}) })
}

type pausingTx struct {
	isg.Tx
	p *pausingStore
}

func (t pausingTx) Find(ctx context.Context, kind isg.Kind, key isg.IndexKey, page isg.Page) ([]isg.Record, error) {
	recs, err := t.Tx.Find(ctx, kind, key, page)
	t.p.pauseHere(kind, key)
	return recs, err
}

// Get pauses after reading the record armed with armGet: a rule over one record (one
// signature per organisation) is interleaved like a rule over a listing.
func (t pausingTx) Get(ctx context.Context, kind isg.Kind, id string) (isg.Record, error) {
	rec, err := t.Tx.Get(ctx, kind, id)
	t.p.pauseHere(kind, isg.IndexKey{Name: getMarker + id})
	return rec, err
}

// getMarker prefixes the "index name" under which armGet arms a Get of one record.
const getMarker = "get:"

// interleaveGet is interleave with first paused after it has read record id of kind.
func interleaveGet(t *testing.T, p *pausingStore, kind isg.Kind, id string, first, second func() error) (error, error) {
	t.Helper()
	return interleave(t, p, kind, getMarker+id, first, second)
}

func (t pausingTx) Count(ctx context.Context, kind isg.Kind, key isg.IndexKey) (int, error) {
	n, err := t.Tx.Count(ctx, kind, key)
	t.p.pauseHere(kind, key)
	return n, err
}

// interleave runs first until its armed listing has answered, then second to completion, then
// lets first go on, and returns both errors.
func interleave(t *testing.T, p *pausingStore, kind isg.Kind, name string, first, second func() error) (error, error) {
	t.Helper()
	p.arm(kind, name)
	done := make(chan error, 1)
	go func() { done <- first() }()
	select {
	case <-p.reached:
	case err := <-done:
		t.Fatalf("the first command ended before listing %s by %s: %v", kind, name, err)
	}
	errSecond := second()
	close(p.release)
	return <-done, errSecond
}

// interleaveStores names the stores every interleaving runs on.
var interleaveStores = []struct {
	name string
	open func(t *testing.T) isg.Store
}{
	{"memory", func(*testing.T) isg.Store { return memory.New() }},
	{"sqlite", func(t *testing.T) isg.Store {
		s, err := sqlite.Open(filepath.Join(t.TempDir(), "isg.db"), sqlite.WithSyncMode(sqlite.SyncNormal))
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	}},
}

// onEachStore runs the test body once per store with a world over a pausing wrapper of it.
func onEachStore(t *testing.T, bootstrap bool, body func(t *testing.T, w *world, p *pausingStore)) {
	for _, st := range interleaveStores {
		t.Run(st.name, func(t *testing.T) {
			p := &pausingStore{Store: st.open(t)}
			g, err := isg.New(p, cheapPasswords)
			require.NoError(t, err)
			w := &world{t: t, g: g}
			if bootstrap {
				ca, err := g.Bootstrap(ctx, isg.BootstrapInput{Email: "support@isg.nhs.uk", Name: "Support", Password: "Support#2026"})
				require.NoError(t, err)
				w.ca = ca.ID
			}
			body(t, w, p)
		})
	}
}

// TestInterleavedBootstrapsMakeOneCentralAdmin: REG-7 — a second Bootstrap that counted no
// Central Admin before the first committed must not create a second one.
func TestInterleavedBootstrapsMakeOneCentralAdmin(t *testing.T) {
	onEachStore(t, false, func(t *testing.T, w *world, p *pausingStore) {
		errA, errB := interleave(t, p, "user", "central_admin",
			func() error {
				_, err := w.g.Bootstrap(ctx, isg.BootstrapInput{Email: "a@isg.nhs.uk", Name: "A", Password: "Support#2026"})
				return err
			},
			func() error {
				_, err := w.g.Bootstrap(ctx, isg.BootstrapInput{Email: "b@isg.nhs.uk", Name: "B", Password: "Support#2026"})
				return err
			})
		require.NoError(t, errB)
		assert.Equal(t, "bootstrap.done", isg.ErrorCode(errA))
		_, err := w.g.SignIn(ctx, isg.SignInInput{Email: "a@isg.nhs.uk", Password: "Support#2026"})
		assert.Error(t, err, "the paused Bootstrap's account must not exist")
	})
}

// TestInterleavedInvitationsKeepTheUserCap: LIC-3 — a free-model organisation with one user slot
// left: an invitation that counted the slot free before another invitation took it is refused.
func TestInterleavedInvitationsKeepTheUserCap(t *testing.T) {
	onEachStore(t, true, func(t *testing.T, w *world, p *pausingStore) {
		admin := w.user("admin@leeds.gov.uk")
		org := w.org(admin, "Leeds")
		actor := isg.Actor{User: admin, Org: org}
		_, err := w.g.Invite(ctx, actor, isg.InviteInput{Email: "one@leeds.gov.uk", Roles: []isg.Role{isg.IGOfficer}})
		require.NoError(t, err)
		errA, errB := interleave(t, p, "invitation", "pending_org",
			func() error {
				_, err := w.g.Invite(ctx, actor, isg.InviteInput{Email: "two@leeds.gov.uk", Roles: []isg.Role{isg.IGOfficer}})
				return err
			},
			func() error {
				_, err := w.g.Invite(ctx, actor, isg.InviteInput{Email: "three@leeds.gov.uk", Roles: []isg.Role{isg.IGOfficer}})
				return err
			})
		require.NoError(t, errB)
		assert.ErrorIs(t, errA, isg.ErrLicence)
		members, err := all(w.g.Members(ctx, actor, isg.ListPage{}))
		require.NoError(t, err)
		assert.Len(t, members, 1, "only the administrator holds roles; the other two are invitations")
	})
}

// TestInterleavedSelfDemotionsKeepAnAdministrator: ORG-3 — the last two Administrators each
// removing their own role: the one that counted two before the other committed is refused. The
// two commands read and write disjoint records, so only the listing joins them.
func TestInterleavedSelfDemotionsKeepAnAdministrator(t *testing.T) {
	onEachStore(t, true, func(t *testing.T, w *world, p *pausingStore) {
		a, b := w.user("a@nhs.net"), w.user("b@nhs.net")
		org := w.org(a, "Trust")
		w.grant(a, org, a, isg.Administrator, isg.SeniorOfficer)
		w.grant(a, org, b, isg.Administrator, isg.SeniorOfficer)
		demoteSelf := func(who isg.UserID) func() error {
			return func() error {
				_, err := w.g.SetRoles(ctx, isg.Actor{User: who, Org: org}, isg.SetRolesInput{User: who, Roles: []isg.Role{isg.SeniorOfficer}})
				return err
			}
		}
		errA, errB := interleave(t, p, "user", "role", demoteSelf(a), demoteSelf(b))
		require.NoError(t, errB)
		assert.Equal(t, "organisation.last_administrator", isg.ErrorCode(errA))
		assert.Equal(t, 1, w.administrators(org))
	})
}

// TestInterleavedClosureRequestsOpenOne: ORG-7 — a closure request that found none open before
// another was made is refused: one organisation has at most one open request.
func TestInterleavedClosureRequestsOpenOne(t *testing.T) {
	onEachStore(t, true, func(t *testing.T, w *world, p *pausingStore) {
		admin := w.user("admin@leeds.gov.uk")
		org := w.org(admin, "Leeds")
		actor := isg.Actor{User: admin, Org: org}
		request := func() error {
			_, err := w.g.RequestClosure(ctx, actor, isg.RequestClosureInput{Reason: "merged into the ICB"})
			return err
		}
		errA, errB := interleave(t, p, "closure_request", "org", request, request)
		require.NoError(t, errB)
		assert.Equal(t, "closure.pending", isg.ErrorCode(errA))
	})
}

// TestInterleavedSummaryEditKeepsFlowParties: FLOW-11 — an edit dropping an organisation from a
// summary, which found no flow naming it, must not commit once a flow naming it was created.
func TestInterleavedSummaryEditKeepsFlowParties(t *testing.T) {
	onEachStore(t, true, func(t *testing.T, w *world, p *pausingStore) {
		a, c := w.user("a@north.gov.uk"), w.user("c@police.uk")
		north, _, police := w.org(a, "North"), w.org(w.user("b@south.gov.uk"), "South"), w.org(c, "Police")
		na := isg.Actor{User: a, Org: north}
		s, err := w.g.SaveSummary(ctx, na, isg.SummaryInput{SummaryTerms: summaryTerms(north, police)})
		require.NoError(t, err)
		errEdit, errCreate := interleave(t, p, "flow", "summary",
			func() error {
				_, err := w.g.SaveSummary(ctx, na, isg.SummaryInput{ID: s.ID, SummaryTerms: summaryTerms(north)})
				return err
			},
			func() error {
				_, err := w.g.CreateFlow(ctx, na, isg.CreateFlowInput{Summary: s.ID, FlowTerms: flowTerms(north, police)})
				return err
			})
		require.NoError(t, errCreate)
		assert.ErrorIs(t, errEdit, isg.ErrRule)
		got, err := w.g.Summary(ctx, na, isg.ByID[agreement.SummaryID]{ID: s.ID})
		require.NoError(t, err)
		assert.Equal(t, []isg.OrgID{north, police}, got.Organisations)
	})
}

// TestInterleavedMergeMovesNewFlow: ORG-6 — a merge that listed the merged organisation's flows
// before a new flow naming it committed must still move that flow to the survivor.
func TestInterleavedMergeMovesNewFlow(t *testing.T) {
	onEachStore(t, true, func(t *testing.T, w *world, p *pausingStore) {
		a, b, c := w.user("a@north.gov.uk"), w.user("b@south.gov.uk"), w.user("c@police.uk")
		north, south, police := w.org(a, "North"), w.org(b, "South"), w.org(c, "Police")
		pa := isg.Actor{User: c, Org: police}
		s, err := w.g.SaveSummary(ctx, pa, isg.SummaryInput{SummaryTerms: summaryTerms(south, police)})
		require.NoError(t, err)
		m, err := w.g.RequestMerge(ctx, isg.Actor{User: a, Org: north}, isg.RequestMergeInput{Merging: []isg.OrgID{south}, Reason: "reorganisation", DisclaimerAcknowledged: true})
		require.NoError(t, err)
		var flow agreement.FlowID
		errMerge, errCreate := interleave(t, p, "flow", "visible",
			func() error {
				_, err := w.g.AnswerMerge(ctx, isg.Actor{User: b, Org: south}, isg.AnswerMergeInput{Merge: m.ID, Approve: true})
				return err
			},
			func() error {
				f, err := w.g.CreateFlow(ctx, pa, isg.CreateFlowInput{Summary: s.ID, FlowTerms: flowTerms(police, south)})
				flow = f.ID
				return err
			})
		require.NoError(t, errCreate)
		require.NoError(t, errMerge)
		got, err := w.g.Flow(ctx, pa, isg.ByID[agreement.FlowID]{ID: flow})
		require.NoError(t, err)
		assert.Equal(t, []isg.OrgID{police, north}, got.Parties, "the flow names the survivor, not the merged organisation")
	})
}

// TestInterleavedInviteKeepsTheMergedUserCap: ORG-6, LIC-3 — a merge whose last approval counted
// the users the free-model survivor would have (3) before an invitation at the survivor committed
// must not complete with 4: it retries on the new count and is refused.
func TestInterleavedInviteKeepsTheMergedUserCap(t *testing.T) {
	onEachStore(t, true, func(t *testing.T, w *world, p *pausingStore) {
		a, b := w.user("a@north.gov.uk"), w.user("b@south.gov.uk")
		north, south := w.org(a, "North"), w.org(b, "South")
		w.grant(a, north, w.user("c@north.gov.uk"), isg.IGOfficer)
		m, err := w.g.RequestMerge(ctx, isg.Actor{User: a, Org: north}, isg.RequestMergeInput{Merging: []isg.OrgID{south}, Reason: "reorganisation", DisclaimerAcknowledged: true})
		require.NoError(t, err, "North 2 + South 1 = 3 users")
		errMerge, errInvite := interleave(t, p, "user", "member",
			func() error {
				_, err := w.g.AnswerMerge(ctx, isg.Actor{User: b, Org: south}, isg.AnswerMergeInput{Merge: m.ID, Approve: true})
				return err
			},
			func() error {
				_, err := w.g.Invite(ctx, isg.Actor{User: a, Org: north}, isg.InviteInput{Email: "d@north.gov.uk", Roles: []isg.Role{isg.IGOfficer}})
				return err
			})
		require.NoError(t, errInvite, "North alone has 2 users and room for a third")
		assert.ErrorIs(t, errMerge, isg.ErrLicence)
		o, err := w.g.GetOrganisation(ctx, isg.Actor{User: a}, isg.OrgRef{Org: south})
		require.NoError(t, err)
		assert.Equal(t, isg.OrgActive, o.Status, "South was not merged past the cap")
	})
}

// TestInterleavedBreakGlassUnlocksOne: REG-4 — two locked Central Admins and two break-glass
// unlocks: the one that counted no active Central Admin before the other committed must not
// unlock a second; once one is active, it unlocks the other.
func TestInterleavedBreakGlassUnlocksOne(t *testing.T) {
	onEachStore(t, true, func(t *testing.T, w *world, p *pausingStore) {
		second := w.user("second@isg.nhs.uk")
		_, err := w.g.AddCentralAdmin(ctx, isg.Actor{User: w.ca}, isg.UserRef{User: second})
		require.NoError(t, err)
		lockOut(t, w.g, "support@isg.nhs.uk")
		lockOut(t, w.g, "second@isg.nhs.uk")
		errA, errB := interleave(t, p, "user", "central_admin",
			func() error {
				_, err := w.g.BreakGlassUnlock(ctx, isg.BreakGlassInput{User: w.ca, Operator: "op A", Reason: "lockout"})
				return err
			},
			func() error {
				_, err := w.g.BreakGlassUnlock(ctx, isg.BreakGlassInput{User: second, Operator: "op B", Reason: "lockout"})
				return err
			})
		require.NoError(t, errB)
		assert.Equal(t, "break_glass.not_needed", isg.ErrorCode(errA))
		log, err := w.g.BreakGlassLog(ctx, isg.Actor{User: second}, isg.ListPage{})
		require.NoError(t, err)
		assert.Len(t, log.Items, 1)
	})
}

// TestInterleavedAnswersPostOne: SUP-1 — two Super Administrators of the group answering one
// request at once: the one whose unit read the request before the other's answer committed is
// refused with a conflict (support.stale, ErrConflict) and posts nothing; reading again it finds
// the other's answer, and a retry on that fresh version is judged on it (nothing is left to
// answer). The requester is told of one answer.
func TestInterleavedAnswersPostOne(t *testing.T) {
	onEachStore(t, true, func(t *testing.T, w *world, p *pausingStore) {
		d := newDesk(w)
		r := d.raise("Sign-off button missing")
		answer := func(who isg.UserID, text string) func() error {
			return func() error {
				_, err := w.g.AnswerSupportRequest(ctx, isg.Actor{User: who, Org: d.icb}, isg.SupportStepInput{Request: r.ID, Version: r.Version, Text: text})
				return err
			}
		}
		errSue, errLee := interleaveGet(t, p, "support_request", r.ID.String(), answer(d.sa2, "Sue's answer"), answer(d.sa1, "Lee's answer"))
		require.NoError(t, errLee)
		assert.ErrorIs(t, errSue, isg.ErrConflict)
		assert.Equal(t, "support.stale", isg.ErrorCode(errSue))

		fresh, err := w.g.SupportRequest(ctx, isg.Actor{User: d.sa2, Org: d.icb}, isg.ByID[support.RequestID]{ID: r.ID})
		require.NoError(t, err)
		assert.Equal(t, isg.SupportAnswered, fresh.State)
		require.Len(t, fresh.Entries, 2, "one answer was posted")
		assert.Equal(t, "Lee's answer", fresh.Entries[1].Text)
		_, err = w.g.AnswerSupportRequest(ctx, isg.Actor{User: d.sa2, Org: d.icb}, isg.SupportStepInput{Request: r.ID, Version: fresh.Version, Text: "Sue's answer"})
		assert.Equal(t, "support.invalid_transition", isg.ErrorCode(err), "the retry is judged on fresh state")

		ns, err := w.g.Notifications(ctx, isg.Actor{User: d.requester}, isg.ListPage{})
		require.NoError(t, err)
		answered := 0
		for _, n := range ns.Items {
			if n.Type == string(support.EventAnswered) {
				answered++
			}
		}
		assert.Equal(t, 1, answered, "the requester is told of one answer")
	})
}

// TestInterleavedMergeMovesNewSupportRequest: ORG-6, SUP-1 — a merge that listed the merged
// organisation's support requests before a new one was raised there must still move it.
func TestInterleavedMergeMovesNewSupportRequest(t *testing.T) {
	onEachStore(t, true, func(t *testing.T, w *world, p *pausingStore) {
		d := newDesk(w)
		_, err := w.g.AllocateLicence(ctx, isg.Actor{User: d.sa1}, isg.AllocateInput{Contract: d.group, Org: d.icb, Kind: licensing.Group})
		require.NoError(t, err)
		m, err := w.g.RequestMerge(ctx, isg.Actor{User: d.sa1, Org: d.icb}, isg.RequestMergeInput{Merging: []isg.OrgID{d.leeds}, Reason: "reorganisation", DisclaimerAcknowledged: true})
		require.NoError(t, err)
		var raised isg.SupportRequestView
		errMerge, errRaise := interleave(t, p, "support_request", "org",
			func() error {
				_, err := w.g.AnswerMerge(ctx, isg.Actor{User: d.admin, Org: d.leeds}, isg.AnswerMergeInput{Merge: m.ID, Approve: true})
				return err
			},
			func() error {
				var err error
				raised, err = w.g.RaiseSupportRequest(ctx, isg.Actor{User: d.requester, Org: d.leeds}, isg.RaiseSupportInput{Subject: "s", Description: "d"})
				return err
			})
		require.NoError(t, errRaise)
		require.NoError(t, errMerge)
		got, err := w.g.SupportRequest(ctx, isg.Actor{User: d.requester, Org: d.icb}, isg.ByID[support.RequestID]{ID: raised.ID})
		require.NoError(t, err)
		assert.Equal(t, d.icb, got.Org, "the request raised during the merge moved to the survivor")
	})
}

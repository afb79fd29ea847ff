package isg_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/scenario"
	"github.com/isgkit/gateway/storage/memory"
)

// faultyStore fails the Nth store call of a unit of work (counted across Get, Put, Find and
// Count); 0 never fails.
type faultyStore struct {
	*memory.Store
	failAt atomic.Int64
	calls  atomic.Int64
}

var errInjected = errors.New("injected fault")

func (s *faultyStore) Update(ctx context.Context, fn func(isg.Tx) error) error {
	return s.Store.Update(ctx, func(tx isg.Tx) error { return fn(&faultyTx{Tx: tx, s: s}) })
}

func (s *faultyStore) View(ctx context.Context, fn func(isg.Tx) error) error {
	return s.Store.View(ctx, func(tx isg.Tx) error { return fn(&faultyTx{Tx: tx, s: s}) })
}

type faultyTx struct {
	isg.Tx
	s *faultyStore
}

func (t *faultyTx) tick() error {
	n := t.s.calls.Add(1)
	if f := t.s.failAt.Load(); f != 0 && n == f {
		return fmt.Errorf("call %d: %w", n, errInjected)
	}
	return nil
}

func (t *faultyTx) Get(ctx context.Context, k isg.Kind, id string) (isg.Record, error) {
	if err := t.tick(); err != nil {
		return isg.Record{}, err
	}
	return t.Tx.Get(ctx, k, id)
}

func (t *faultyTx) Put(ctx context.Context, r isg.Record) (int64, error) {
	if err := t.tick(); err != nil {
		return 0, err
	}
	return t.Tx.Put(ctx, r)
}

func (t *faultyTx) Find(ctx context.Context, k isg.Kind, key isg.IndexKey, p isg.Page) ([]isg.Record, error) {
	if err := t.tick(); err != nil {
		return nil, err
	}
	return t.Tx.Find(ctx, k, key, p)
}

func (t *faultyTx) Count(ctx context.Context, k isg.Kind, key isg.IndexKey) (int, error) {
	if err := t.tick(); err != nil {
		return 0, err
	}
	return t.Tx.Count(ctx, k, key)
}

// Delete forwards isg.Deleter (the memory store has it), failing in turn like every other call:
// a flow's deletion (LIFE-2) removes many records, and a failure at any must remove none.
func (t *faultyTx) Delete(ctx context.Context, k isg.Kind, id string, version int64) error {
	if err := t.tick(); err != nil {
		return err
	}
	return t.Tx.(isg.Deleter).Delete(ctx, k, id, version)
}

// TestFailedCommandsWriteNothing fails every store call of each command in turn and checks that
// the store then holds exactly what it held before: a failed step leaves no partial state.
func TestFailedCommandsWriteNothing(t *testing.T) {
	type fixture struct {
		a, b         isg.UserID
		north, south isg.OrgID
		merge        isg.MergeID
		summary      agreement.SummaryID
		draft        agreement.FlowID // a Draft flow
		inReview     agreement.FlowID // a flow awaiting the DPO b's review
	}
	commands := []struct {
		name string
		run  func(g *isg.Gateway, f fixture) error
	}{
		{"register", func(g *isg.Gateway, f fixture) error {
			_, err := g.Register(ctx, isg.RegisterInput{Email: "new@nhs.net", Name: "New", Password: "Passw0rd!"})
			return err
		}},
		{"register organisation", func(g *isg.Gateway, f fixture) error {
			_, err := g.RegisterOrganisation(ctx, isg.Actor{User: f.a}, isg.RegisterOrganisationInput{Name: "X", Category: isg.CategoryCharity,
				Address: isg.Address{Line1: "1", Town: "T", Postcode: "LS1 1AA"}, ContactEmail: "x@x.org", ODSCode: "X12"})
			return err
		}},
		{"invite", func(g *isg.Gateway, f fixture) error {
			_, err := g.Invite(ctx, isg.Actor{User: f.a, Org: f.north}, isg.InviteInput{Email: "b@south.gov.uk", Roles: []isg.Role{isg.SeniorOfficer}})
			return err
		}},
		{"complete merge", func(g *isg.Gateway, f fixture) error {
			_, err := g.AnswerMerge(ctx, isg.Actor{User: f.b, Org: f.south}, isg.AnswerMergeInput{Merge: f.merge, Approve: true})
			return err
		}},
		{"unlock", func(g *isg.Gateway, f fixture) error {
			_, err := g.Unlock(ctx, isg.Actor{User: f.a, Org: f.north}, isg.UserRef{User: f.b})
			if isg.ErrorCode(err) == "forbidden" {
				return nil
			}
			return err
		}},
		{"create summary", func(g *isg.Gateway, f fixture) error {
			_, err := g.SaveSummary(ctx, isg.Actor{User: f.a, Org: f.north}, isg.SummaryInput{SummaryTerms: summaryTerms(f.north, f.south)})
			return err
		}},
		{"create flow", func(g *isg.Gateway, f fixture) error {
			_, err := g.CreateFlow(ctx, isg.Actor{User: f.a, Org: f.north}, isg.CreateFlowInput{Summary: f.summary, FlowTerms: flowTerms(f.north, f.south)})
			return err
		}},
		{"request review", func(g *isg.Gateway, f fixture) error {
			_, err := g.RequestReview(ctx, isg.Actor{User: f.a, Org: f.north}, isg.FlowStep[agreement.ReviewRequest]{Flow: f.draft, Input: agreement.ReviewRequest{
				DPOs: []agreement.Reviewer{{DPO: f.b, Org: f.south}}, ReviewBy: g.Now().AddDate(0, 0, 7)}})
			return err
		}},
		{"approve", func(g *isg.Gateway, f fixture) error {
			_, err := g.ApproveFlow(ctx, isg.Actor{User: f.b, Org: f.south}, isg.FlowStep[agreement.Verdict]{Flow: f.inReview, Input: agreement.Verdict{Details: "ok"}})
			return err
		}},
		{"copy summary", func(g *isg.Gateway, f fixture) error {
			_, err := g.CopySummary(ctx, isg.Actor{User: f.a, Org: f.north}, isg.ByID[agreement.SummaryID]{ID: f.summary})
			return err
		}},
		{"submit assurance", func(g *isg.Gateway, f fixture) error {
			_, err := g.SubmitAssurance(ctx, isg.Actor{User: f.a, Org: f.north}, significant())
			return err
		}},
		{"sign in", func(g *isg.Gateway, f fixture) error {
			_, err := g.SignIn(ctx, isg.SignInInput{Email: "a@north.gov.uk", Password: "wrong!pw1"})
			if isg.ErrorCode(err) == "auth.invalid_credentials" {
				return nil
			}
			return err
		}},
	}
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			for n := int64(1); ; n++ {
				fs := &faultyStore{Store: memory.New()}
				g, err := isg.New(fs, cheapPasswords)
				require.NoError(t, err)
				w := &world{t: t, g: g}
				var f fixture
				f.a, f.b = w.user("a@north.gov.uk"), w.user("b@south.gov.uk")
				f.north, f.south = w.org(f.a, "North"), w.org(f.b, "South")
				_, err = g.SaveAsset(ctx, isg.Actor{User: f.b, Org: f.south}, isg.AssetInput{Name: "Records", Location: "L", Owner: "O", Kinds: []isg.DataKind{isg.DataPersonal}, DataSubjects: "residents", Format: "electronic"})
				require.NoError(t, err)
				m, err := g.RequestMerge(ctx, isg.Actor{User: f.a, Org: f.north}, isg.RequestMergeInput{Merging: []isg.OrgID{f.south}, Reason: "r", DisclaimerAcknowledged: true})
				require.NoError(t, err)
				f.merge = m.ID
				w.grant(f.b, f.south, f.b, isg.Administrator, isg.DPO)
				north := isg.Actor{User: f.a, Org: f.north}
				s, err := g.SaveSummary(ctx, north, isg.SummaryInput{SummaryTerms: summaryTerms(f.north, f.south)})
				require.NoError(t, err)
				f.summary = s.ID
				for _, id := range []*agreement.FlowID{&f.draft, &f.inReview} {
					fl, err := g.CreateFlow(ctx, north, isg.CreateFlowInput{Summary: f.summary, FlowTerms: flowTerms(f.north, f.south)})
					require.NoError(t, err)
					*id = fl.ID
				}
				_, err = g.RequestReview(ctx, north, isg.FlowStep[agreement.ReviewRequest]{Flow: f.inReview, Input: agreement.ReviewRequest{DPOs: []agreement.Reviewer{{DPO: f.b, Org: f.south}}, ReviewBy: g.Now().AddDate(0, 0, 7)}})
				require.NoError(t, err)

				before := fs.Dump()
				fs.calls.Store(0)
				fs.failAt.Store(n)
				err = c.run(g, f)
				if err == nil {
					require.Greater(t, n, int64(1), "the command makes store calls")
					return // n passed the command's last store call
				}
				require.ErrorIs(t, err, errInjected)
				assert.Equal(t, before, fs.Dump(), "store changed after a failure at call %d", n)
			}
		})
	}
}

// TestEveryScenarioStepWritesNothingWhenTheStoreFails runs every step of every scenario file —
// and so every command the scenarios use — with a failure at each of its store calls in turn:
// each failed attempt must return the injected error and leave the store exactly as it was; the
// attempt in which no fault fires is the step's real run and is checked against the file.
// DrainOutbox and Sweep are several units of work by design (claim, deliver, mark; one per
// organisation) and have their own failure tests, so they run here without faults.
func TestEveryScenarioStepWritesNothingWhenTheStoreFails(t *testing.T) {
	paths, err := filepath.Glob("../testdata/scenarios/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	multiUnit := map[string]bool{"outbox.drain": true, "platform.sweep": true}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, err := scenario.Load(path)
			require.NoError(t, err)
			fs := &faultyStore{Store: memory.New()}
			clock := scenario.NewClock(f.Start)
			g, err := isg.New(fs, cheapPasswords, isg.WithClock(clock))
			require.NoError(t, err)
			calls := 0
			around := func(s scenario.Step, dispatch func() (any, error)) (any, error) {
				if multiUnit[s.Command] {
					return dispatch()
				}
				for n := int64(1); ; n++ {
					// The commits that wrote, not a dump of the whole store: a scenario's store grows
					// with every step, and each step fails at every one of its store calls in turn.
					before := fs.Changes()
					fs.calls.Store(0)
					fs.failAt.Store(n)
					res, err := dispatch()
					fired := fs.calls.Load() >= n
					fs.failAt.Store(0)
					if !fired {
						calls += int(n - 1)
						return res, err
					}
					require.ErrorIs(t, err, errInjected, "%s: store call %d failed, so must the command", s.Command, n)
					require.Equal(t, before, fs.Changes(), "%s (%s): store written after a failure at call %d", s.Command, s.Name, n)
				}
			}
			require.NoError(t, scenario.Execute(ctx, f, g, clock, scenario.Around(around)))
			t.Logf("%d steps, %d store calls each failed in turn", len(f.Steps), calls)
		})
	}
}

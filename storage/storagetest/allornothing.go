package storagetest

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/assurance"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/licensing"
)

// testGatewayAllOrNothing: a failed command writes nothing. Each command is run with its first
// store call failing, then its second, and so on until it succeeds; after every failure the
// records and index keys the command tried to write (and the keys those records held) are read
// back and must be exactly as before it ran. A unit of work can only have changed what it Put,
// and the Faulty sees every Put, so this catches any partial write, whichever call failed and
// whatever the store had staged. Stores implementing Dumper are compared whole as well.
//
// The commands run one after another on one store, each on the state the previous one left, so
// that later commands find what they need (a flow to review, a review to approve, …); a failed
// attempt leaves the state unchanged — that is the property checked — so the next attempt starts
// from the same state.
func testGatewayAllOrNothing(t *testing.T, s isg.Store) {
	f := NewFaulty(s)
	w := newWorld(t, f)
	ctx, g := w.ctx, w.g
	a, b := w.user("a@north.gov.uk"), w.user("b@south.gov.uk")
	north, south := w.org(a, "North"), w.org(b, "South")
	w.grant(b, south, b, isg.Administrator, isg.DPO)
	atNorth, atSouth := isg.Actor{User: a, Org: north}, isg.Actor{User: b, Org: south}
	_, err := g.SaveAsset(ctx, atSouth, isg.AssetInput{Name: "Records", Location: "L", Owner: "O", Kinds: []isg.DataKind{isg.DataPersonal}, DataSubjects: "residents", Format: "electronic"})
	require.NoError(t, err)
	w.sharing(atSouth, north) // moved by the merge
	sum, fv := w.sharing(atNorth, south)
	flowID := fv.ID
	contract, err := g.CreateContract(ctx, isg.Actor{User: w.ca}, licensing.ContractInput{Org: north, Group: "Group", Capacity: 3,
		Term: licensing.Period{Start: start, End: start.AddDate(1, 0, 0)}, Price: decimal.RequireFromString("100.00"), SuperAdmins: []isg.UserID{a}})
	require.NoError(t, err)
	merge, err := g.RequestMerge(ctx, atNorth, isg.RequestMergeInput{Merging: []isg.OrgID{south}, Reason: "r", DisclaimerAcknowledged: true})
	require.NoError(t, err)
	met, score := true, 80

	commands := []struct {
		name string
		run  func() error
	}{
		{"register", func() error {
			_, err := g.Register(ctx, isg.RegisterInput{Email: "new@nhs.net", Name: "New", Password: password})
			return err
		}},
		{"register organisation", func() error {
			_, err := g.RegisterOrganisation(ctx, isg.Actor{User: a}, isg.RegisterOrganisationInput{Name: "X", Category: isg.CategoryCharity,
				Address: isg.Address{Line1: "1", Town: "T", Postcode: "LS1 1AA"}, ContactEmail: "x@x.org", ODSCode: "X12"})
			return err
		}},
		{"invite", func() error {
			_, err := g.Invite(ctx, atNorth, isg.InviteInput{Email: "c@north.gov.uk", Roles: []isg.Role{isg.SeniorOfficer}})
			return err
		}},
		{"create summary", func() error {
			_, err := g.SaveSummary(ctx, atNorth, isg.SummaryInput{SummaryTerms: summaryTerms("Another", north, south)})
			return err
		}},
		{"create flow", func() error {
			_, err := g.CreateFlow(ctx, atNorth, isg.CreateFlowInput{Summary: sum.ID, FlowTerms: flowTerms("Another", north, south)})
			return err
		}},
		{"request review", func() error {
			_, err := g.RequestReview(ctx, atNorth, isg.FlowStep[agreement.ReviewRequest]{Flow: flowID, Input: agreement.ReviewRequest{
				DPOs: []agreement.Reviewer{{DPO: b, Org: south}}, ReviewBy: start.AddDate(0, 0, 14)}})
			return err
		}},
		{"approve", func() error {
			_, err := g.ApproveFlow(ctx, atSouth, isg.FlowStep[agreement.Verdict]{Flow: flowID, Input: agreement.Verdict{Details: "ok"}})
			return err
		}},
		{"finalise", func() error {
			_, err := g.FinaliseFlow(ctx, atNorth, isg.ByID[agreement.FlowID]{ID: flowID})
			return err
		}},
		{"submit assurance", func() error {
			_, err := g.SubmitAssurance(ctx, atNorth, assurance.Answers{Standard: assurance.StandardDSPToolkit,
				ICONumber: "Z1234567", ICOExpiresAt: start.AddDate(2, 0, 0),
				DSPToolkit:   &assurance.DSPToolkit{StandardsMet: &met, Year: start.Year(), Score: &score, Evidence: "e"},
				StaffTrained: true, StaffScreened: true, PrivacyNoticeURL: "https://north.gov.uk/privacy"})
			return err
		}},
		{"allocate licence", func() error {
			_, err := g.AllocateLicence(ctx, isg.Actor{User: a}, isg.AllocateInput{Contract: contract.ID, Org: north, Kind: licensing.Group})
			return err
		}},
		{"answer merge", func() error {
			_, err := g.AnswerMerge(ctx, atSouth, isg.AnswerMergeInput{Merge: merge.ID, Approve: true})
			return err
		}},
	}
	// swallowed names the store calls a command is known to carry on past when they fail, treating
	// the failure as "not found" instead of failing: a Gateway issue, reported to its owner, not a
	// store's. The command then commits, so the case logs it, takes the state it committed as the
	// new "before" and goes on with the next call; any other swallowed failure fails the case.
	swallowed := map[string]string{}
	dumper, _ := s.(Dumper)
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			w.clock.Advance(time.Minute)
			var before state
			var dump map[isg.Kind]map[string]isg.Record
			snapshot := func() {
				all, keys := f.universe(true)
				var err error
				before, err = f.read(ctx, all, keys)
				require.NoError(t, err)
				if dumper != nil {
					dump = dumper.Dump()
				}
			}
			snapshot()
			for n := 1; ; n++ {
				f.FailAt(n)
				err := c.run()
				if !f.Fired() {
					f.FailAt(0)
					require.NoError(t, err, "the command fails with no store call failing")
					require.Greater(t, n, 1, "the command makes store calls")
					t.Logf("%d store calls, each failed in turn", n-1)
					return
				}
				if op := f.firedAt(); err == nil && swallowed[c.name] == op {
					t.Logf("known Gateway issue: store call %d (%s) failed and %s carried on as if nothing was found", n, op, c.name)
					snapshot()
					continue
				}
				require.ErrorIs(t, err, ErrInjected, "store call %d failed, and the command must fail with its error (nil means the Gateway ignored it)", n)
				recs, keys := f.universe(false)
				after, readErr := f.read(ctx, recs, keys)
				require.NoError(t, readErr)
				if d := before.diff(after); d != "" {
					t.Fatalf("store call %d failed and the command returned %v, yet the store changed: %s", n, err, d)
				}
				if dumper != nil {
					require.Equal(t, dump, dumper.Dump(), "store call %d failed, yet the store changed", n)
				}
			}
		})
	}
}

package isg_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/directory"
)

// TestInterleavedPlaceholdersORG11: ORG-11 — naming an ICO number reads a listing (the
// organisations holding it) and registering reads one (the placeholders for it). Whichever
// commits first, the other must not commit on its stale answer: an organisation with the number
// never ends up beside a placeholder for it that would never join, and two namings of one number
// make one placeholder.
func TestInterleavedPlaceholdersORG11(t *testing.T) {
	const ico = "Z9876543"
	p := directory.PlaceholderID(ico)
	setup := func(t *testing.T, w *world) (isg.Actor, agreement.Summary, agreement.Summary) {
		a := w.user("a@north.gov.uk")
		north := w.org(a, "North")
		na := isg.Actor{User: a, Org: north}
		s1, err := w.g.SaveSummary(ctx, na, isg.SummaryInput{SummaryTerms: summaryTerms(north)})
		require.NoError(t, err)
		s2, err := w.g.SaveSummary(ctx, na, isg.SummaryInput{SummaryTerms: summaryTerms(north)})
		require.NoError(t, err)
		return na, s1, s2
	}
	name := func(w *world, na isg.Actor, s agreement.Summary) func() error {
		return func() error {
			_, err := w.g.NameUnregistered(ctx, na, isg.NameUnregisteredInput{Summary: s.ID, ICONumber: ico, Name: "Leeds Mind"})
			return err
		}
	}
	register := func(w *world, org *isg.OrgID) func() error {
		m := w.charityUser("ceo@mind.org.uk")
		return func() error {
			o, err := w.g.RegisterOrganisation(ctx, isg.Actor{User: m}, registration("Mind in Leeds", ico))
			*org = o.ID
			return err
		}
	}
	names := func(t *testing.T, w *world, na isg.Actor, s agreement.Summary) ([]isg.OrgID, []agreement.UnregisteredParty) {
		got, err := w.g.Summary(ctx, na, isg.ByID[agreement.SummaryID]{ID: s.ID})
		require.NoError(t, err)
		return got.Organisations, got.Unregistered
	}

	t.Run("a registration commits while a naming has listed no holder", func(t *testing.T) {
		onEachStore(t, true, func(t *testing.T, w *world, ps *pausingStore) {
			na, s, _ := setup(t, w)
			var mind isg.OrgID
			errName, errReg := interleave(t, ps, "organisation", "ico", name(w, na, s), register(w, &mind))
			require.NoError(t, errReg)
			require.NoError(t, errName, "the naming retries on the new listing")
			orgs, unreg := names(t, w, na, s)
			assert.Equal(t, []isg.OrgID{na.Org, mind}, orgs, "the retry names the registered organisation")
			assert.Empty(t, unreg)
		})
	})
	t.Run("a naming commits while a registration has listed no placeholder", func(t *testing.T) {
		onEachStore(t, true, func(t *testing.T, w *world, ps *pausingStore) {
			na, s, _ := setup(t, w)
			var mind isg.OrgID
			errReg, errName := interleave(t, ps, "placeholder", "ico", register(w, &mind), name(w, na, s))
			require.NoError(t, errName)
			require.NoError(t, errReg, "the registration retries on the new listing")
			orgs, unreg := names(t, w, na, s)
			assert.Equal(t, []isg.OrgID{na.Org, mind}, orgs, "the retried registration joined the summary")
			assert.Empty(t, unreg)
		})
	})
	t.Run("two namings of one number make one placeholder", func(t *testing.T) {
		onEachStore(t, true, func(t *testing.T, w *world, ps *pausingStore) {
			na, s1, s2 := setup(t, w)
			errA, errB := interleave(t, ps, "organisation", "ico", name(w, na, s1), name(w, na, s2))
			require.NoError(t, errA)
			require.NoError(t, errB)
			for _, s := range []agreement.Summary{s1, s2} {
				orgs, unreg := names(t, w, na, s)
				assert.Equal(t, []isg.OrgID{na.Org, p}, orgs)
				assert.Equal(t, []agreement.UnregisteredParty{{Org: p, ICONumber: ico, Name: "Leeds Mind"}}, unreg)
			}
			// One placeholder: one registration joins both summaries.
			var mind isg.OrgID
			require.NoError(t, register(w, &mind)())
			for _, s := range []agreement.Summary{s1, s2} {
				orgs, unreg := names(t, w, na, s)
				assert.Equal(t, []isg.OrgID{na.Org, mind}, orgs)
				assert.Empty(t, unreg)
			}
		})
	})
}

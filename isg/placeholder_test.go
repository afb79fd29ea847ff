package isg_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/directory"
)

// registration is the registration form of an organisation holding an ICO number.
func registration(name, ico string) isg.RegisterOrganisationInput {
	return isg.RegisterOrganisationInput{Name: name, Category: isg.CategoryCharity, ICONumber: ico,
		Address: isg.Address{Line1: "1 Park Row", Town: "Leeds", Postcode: "LS1 5HD"}, ContactEmail: "ig@mind.org.uk"}
}

// noticeFlowTerms is a flow without personal data, finalised without DPO review (FLOW-4).
func noticeFlowTerms(from, to isg.OrgID) agreement.FlowTerms {
	t := flowTerms(from, to)
	t.Name, t.PersonalData, t.LegalBases = "Service directory", false, nil
	return t
}

// charityUser registers a user at a charity's own domain, outside the instant list, whom the
// central admin team validates (REG-1).
func (w *world) charityUser(email string) isg.UserID {
	w.t.Helper()
	id := w.user(email)
	_, err := w.g.ValidateAccount(ctx, isg.Actor{User: w.ca}, isg.UserRef{User: id})
	require.NoError(w.t, err)
	return id
}

// drained takes every message from the outbox.
func (w *world) drained() []isg.Notification {
	w.t.Helper()
	r := &recorder{}
	_, err := w.g.DrainOutbox(ctx, r, 1000)
	require.NoError(w.t, err)
	return r.got
}

// TestUnregisteredPartyJoinsWhenItRegistersORG11: ORG-11 end to end — a summary names an
// organisation by ICO number before it registers; it is shown as not registered, flows may name
// it (FLOW-11), it cannot be asked to review, no organisation can act for it and nothing is sent
// to it; when an organisation with that number registers, in the same unit of work it becomes the
// party of the summary and the flows, sees them, is told, the summary's creator is told, and both
// logs record the move in the registering user's name and still verify.
func TestUnregisteredPartyJoinsWhenItRegistersORG11(t *testing.T) {
	w := newWorld(t)
	a, b, outsider, north, south, east := w.threeOrgs()
	na := isg.Actor{User: a, Org: north}
	s, err := w.g.SaveSummary(ctx, na, isg.SummaryInput{SummaryTerms: summaryTerms(north, south)})
	require.NoError(t, err)

	// SUM-3: an organisation that cannot see the summary is told what an unknown ID gets.
	in := isg.NameUnregisteredInput{Summary: s.ID, ICONumber: "z9876543", Name: "Leeds Mind"}
	_, hidden := w.g.NameUnregistered(ctx, isg.Actor{User: outsider, Org: east}, in)
	_, unknown := w.g.NameUnregistered(ctx, na, isg.NameUnregisteredInput{Summary: agreement.SummaryID{UUID: east.UUID}, ICONumber: "Z9876543", Name: "Leeds Mind"})
	assert.Equal(t, "summary.not_found", isg.ErrorCode(hidden))
	assert.Equal(t, isg.ErrorCode(unknown), isg.ErrorCode(hidden))
	assert.Equal(t, "SUM-3", hidden.(*isg.Error).Rule)

	named, err := w.g.NameUnregistered(ctx, isg.Actor{User: b, Org: south}, in)
	require.NoError(t, err, "a named organisation may name another, as it may edit")
	placeholder := directory.PlaceholderID("Z9876543")
	assert.Equal(t, []isg.OrgID{north, south, placeholder}, named.Organisations)
	assert.Equal(t, []agreement.UnregisteredParty{{Org: placeholder, ICONumber: "Z9876543", Name: "Leeds Mind"}}, named.Unregistered)
	got, err := w.g.Summary(ctx, na, isg.ByID[agreement.SummaryID]{ID: s.ID})
	require.NoError(t, err)
	assert.Equal(t, named.Unregistered, got.Unregistered, "the summary shows it as not registered")
	again, err := w.g.NameUnregistered(ctx, na, in)
	require.NoError(t, err)
	assert.Equal(t, named.Log, again.Log, "naming it again changes and logs nothing")

	// FLOW-11: flows name it like any organisation of the summary.
	notice, err := w.g.CreateFlow(ctx, na, isg.CreateFlowInput{Summary: s.ID, FlowTerms: noticeFlowTerms(north, placeholder)})
	require.NoError(t, err)
	assert.Equal(t, named.Unregistered, notice.Unregistered, "the flow shows its party as not registered")
	draft, err := w.g.CreateFlow(ctx, na, isg.CreateFlowInput{Summary: s.ID, FlowTerms: flowTerms(north, placeholder)})
	require.NoError(t, err)

	// It cannot review: it has no DPO, and the refusal says why.
	dpo := w.charityUser("dpo@mind.org.uk")
	review := isg.FlowStep[agreement.ReviewRequest]{Flow: draft.ID, Input: agreement.ReviewRequest{
		DPOs: []agreement.Reviewer{{DPO: dpo, Org: placeholder}}, ReviewBy: w.g.Now().AddDate(0, 0, 14)}}
	_, err = w.g.RequestReview(ctx, na, review)
	require.ErrorIs(t, err, isg.ErrInvalid)
	assert.Equal(t, []isg.FieldError{{Field: "dpos[0].org", Code: agreement.FieldCodeUnregistered, Rule: "ORG-11",
		Message: "is not registered yet: it has no DPO and cannot review until it joins"}}, err.(*isg.Error).Fields)

	// Nobody acts for it: it is no organisation, not even to Central Admin.
	_, err = w.g.Summaries(ctx, isg.Actor{User: w.ca, Org: placeholder}, isg.ListPage{})
	assert.Equal(t, "organisation.not_found", isg.ErrorCode(err))
	_, err = w.g.GetOrganisation(ctx, isg.Actor{User: a}, isg.OrgRef{Org: placeholder})
	assert.Equal(t, "organisation.not_found", isg.ErrorCode(err))
	// summary.save does not take it by ID: a summary names it by its number.
	_, err = w.g.SaveSummary(ctx, na, isg.SummaryInput{SummaryTerms: summaryTerms(north, placeholder)})
	assert.Equal(t, []string{"organisations[1]"}, fieldNames(err))

	// It is never told anything: finalising tells the parties, but not the placeholder.
	w.drained()
	_, err = w.g.FinaliseFlow(ctx, na, isg.ByID[agreement.FlowID]{ID: notice.ID})
	require.NoError(t, err)
	sent := w.drained()
	require.NotEmpty(t, sent, "north's Administrator is told of the finalisation")
	for _, n := range sent {
		assert.NotEqual(t, placeholder, n.Org, "no message is about the placeholder: %+v", n)
	}

	// The organisation registers with the number (any case): it joins at once.
	m := w.charityUser("ceo@mind.org.uk")
	mind, err := w.g.RegisterOrganisation(ctx, isg.Actor{User: m}, registration("Mind in Leeds", "Z9876543"))
	require.NoError(t, err)
	ma := isg.Actor{User: m, Org: mind.ID}
	sum, err := w.g.Summary(ctx, ma, isg.ByID[agreement.SummaryID]{ID: s.ID})
	require.NoError(t, err, "the organisation now sees the summary")
	assert.Equal(t, []isg.OrgID{north, south, mind.ID}, sum.Organisations)
	assert.Empty(t, sum.Unregistered)
	for _, id := range []agreement.FlowID{notice.ID, draft.ID} {
		f, err := w.g.Flow(ctx, ma, isg.ByID[agreement.FlowID]{ID: id})
		require.NoError(t, err, "the organisation now sees the flow")
		assert.Equal(t, []isg.OrgID{north, mind.ID}, f.Parties)
		assert.Equal(t, []isg.OrgID{mind.ID}, f.To)
		assert.Empty(t, f.Unregistered)
		assert.Empty(t, f.PendingParties(sum), "nothing left to keep it from being Signed")
	}
	list, err := w.g.Flows(ctx, ma, isg.ListPage{})
	require.NoError(t, err)
	assert.Equal(t, 2, list.Total)

	// LOG-1: the move is in both logs, in the registering user's name, and they still verify.
	slog, err := w.g.SummaryLog(ctx, ma, isg.ByID[agreement.SummaryID]{ID: s.ID})
	require.NoError(t, err)
	assert.True(t, slog.Verified, slog.Problem)
	var moved []string
	for _, e := range slog.Entries {
		if e.User == m {
			moved = append(moved, e.Field)
			assert.Equal(t, mind.ID, e.Org)
		}
	}
	assert.ElementsMatch(t, []string{"organisations", "unregistered"}, moved)
	flog, err := w.g.FlowLog(ctx, ma, isg.ByID[agreement.FlowID]{ID: notice.ID})
	require.NoError(t, err)
	assert.True(t, flog.Verified, flog.Problem)
	last := flog.Entries[len(flog.Entries)-1]
	assert.Equal(t, m, last.User)

	// NOTE-1: its Administrator is told what it joined; the summary's creator who took the name.
	var toMind, toNorth []isg.Notification
	for _, n := range w.drained() {
		if n.Type != isg.EventUnregisteredJoined {
			continue
		}
		switch n.Recipient {
		case m:
			toMind = append(toMind, n)
		case a:
			toNorth = append(toNorth, n)
		default:
			t.Errorf("unexpected recipient %v", n.Recipient)
		}
	}
	require.Len(t, toMind, 1)
	assert.Equal(t, map[string]string{"summary": s.ID.String(), "ico_number": "Z9876543", "flows": "2"}, toMind[0].Data)
	require.Len(t, toNorth, 1)
	assert.Equal(t, map[string]string{"summary": s.ID.String(), "ico_number": "Z9876543", "named_as": "Leeds Mind",
		"org": mind.ID.String(), "org_name": "Mind in Leeds"}, toNorth[0].Data)

	// Now a party, it can be asked to review, and its number names it.
	w.grant(m, mind.ID, dpo, isg.DPO)
	review.Input.DPOs[0].Org = mind.ID
	_, err = w.g.RequestReview(ctx, na, review)
	require.NoError(t, err)
	s2, err := w.g.SaveSummary(ctx, na, isg.SummaryInput{SummaryTerms: summaryTerms(north)})
	require.NoError(t, err)
	s2, err = w.g.NameUnregistered(ctx, na, isg.NameUnregisteredInput{Summary: s2.ID, ICONumber: "Z9876543", Name: "whatever"})
	require.NoError(t, err)
	assert.Equal(t, []isg.OrgID{north, mind.ID}, s2.Organisations)
	assert.Empty(t, s2.Unregistered)

	// The placeholder's "organisation" sees nothing, before or after: nobody can act for it.
	_, err = w.g.Flows(ctx, isg.Actor{User: w.ca, Org: placeholder}, isg.ListPage{})
	assert.Equal(t, "organisation.not_found", isg.ErrorCode(err))
}

// fieldNames lists the fields an error names.
func fieldNames(err error) []string {
	e, ok := err.(*isg.Error)
	if !ok {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

// TestEveryWayOfTakingTheNumberJoinsORG11: ORG-11 — whichever way an organisation comes to hold
// the ICO number, it joins: registering (org.register), being registered by its lead as a
// supported organisation (org.register_supported, ORG-8), or taking the number as its own
// (org.update). A copy of the summary (SUM-4) and a copied flow (FLOW-10) move with it.
func TestEveryWayOfTakingTheNumberJoinsORG11(t *testing.T) {
	ways := []struct {
		name string
		join func(w *world, lead isg.Actor) isg.OrgID
	}{
		{"org.register", func(w *world, _ isg.Actor) isg.OrgID {
			o, err := w.g.RegisterOrganisation(ctx, isg.Actor{User: w.charityUser("ceo@mind.org.uk")}, registration("Mind", "Z9876543"))
			require.NoError(w.t, err)
			return o.ID
		}},
		{"org.register_supported", func(w *world, lead isg.Actor) isg.OrgID {
			o, err := w.g.RegisterSupportedOrganisation(ctx, lead, registration("Mind", "Z9876543"))
			require.NoError(w.t, err)
			return o.ID
		}},
		{"org.update", func(w *world, _ isg.Actor) isg.OrgID {
			m := w.charityUser("ceo@mind.org.uk")
			o, err := w.g.RegisterOrganisation(ctx, isg.Actor{User: m}, registration("Mind", "Z1111111"))
			require.NoError(w.t, err)
			ico := "z9876543"
			_, err = w.g.UpdateOrganisation(ctx, isg.Actor{User: m, Org: o.ID}, isg.UpdateOrganisationInput{ICONumber: &ico})
			require.NoError(w.t, err)
			return o.ID
		}},
	}
	for _, way := range ways {
		t.Run(way.name, func(t *testing.T) {
			w := newWorld(t)
			a, _, _, north, south, _ := w.threeOrgs()
			na := isg.Actor{User: a, Org: north}
			s, err := w.g.SaveSummary(ctx, na, isg.SummaryInput{SummaryTerms: summaryTerms(north, south)})
			require.NoError(t, err)
			_, err = w.g.NameUnregistered(ctx, na, isg.NameUnregisteredInput{Summary: s.ID, ICONumber: "Z9876543", Name: "Leeds Mind"})
			require.NoError(t, err)
			p := directory.PlaceholderID("Z9876543")
			f, err := w.g.CreateFlow(ctx, na, isg.CreateFlowInput{Summary: s.ID, FlowTerms: flowTerms(north, p)})
			require.NoError(t, err)
			cp, err := w.g.CopySummary(ctx, na, isg.ByID[agreement.SummaryID]{ID: s.ID})
			require.NoError(t, err)
			assert.Equal(t, []agreement.UnregisteredParty{{Org: p, ICONumber: "Z9876543", Name: "Leeds Mind"}}, cp.Summary.Unregistered)
			fc, err := w.g.CopyFlow(ctx, na, isg.CopyFlowInput{Flow: f.ID, Summary: s.ID})
			require.NoError(t, err, "a copied flow keeps its placeholder party")

			org := way.join(w, na)
			for _, id := range []agreement.SummaryID{s.ID, cp.Summary.ID} {
				got, err := w.g.Summary(ctx, na, isg.ByID[agreement.SummaryID]{ID: id})
				require.NoError(t, err)
				assert.Equal(t, []isg.OrgID{north, south, org}, got.Organisations)
				assert.Empty(t, got.Unregistered)
			}
			for _, id := range []agreement.FlowID{f.ID, fc.ID, cp.Flows[0].ID} {
				got, err := w.g.Flow(ctx, na, isg.ByID[agreement.FlowID]{ID: id})
				require.NoError(t, err)
				assert.Equal(t, []isg.OrgID{north, org}, got.Parties)
			}
			sums, err := w.g.Summaries(ctx, isg.Actor{User: w.ca, Org: org}, isg.ListPage{})
			require.NoError(t, err)
			assert.Equal(t, 2, sums.Total, "the joined organisation sees both summaries")
		})
	}
}

// TestNameUnregisteredRefusalsORG11: ORG-11 — naming by ICO number: a registered holder is named
// itself, whatever name is given; a number several registered organisations hold, or only closed
// ones, is refused on ico_number; the number has registration's shape (REG-7).
func TestNameUnregisteredRefusalsORG11(t *testing.T) {
	w := newWorld(t)
	a, _, _, north, south, _ := w.threeOrgs()
	na := isg.Actor{User: a, Org: north}
	s, err := w.g.SaveSummary(ctx, na, isg.SummaryInput{SummaryTerms: summaryTerms(north, south)})
	require.NoError(t, err)
	one, err := w.g.RegisterOrganisation(ctx, isg.Actor{User: w.charityUser("x@one.org.uk")}, registration("One", "Z1111111"))
	require.NoError(t, err)
	for _, name := range []string{"Two A", "Two B"} {
		_, err := w.g.RegisterOrganisation(ctx, isg.Actor{User: w.charityUser(name[4:] + "@two.org.uk")}, registration(name, "Z2222222"))
		require.NoError(t, err)
	}
	c := w.charityUser("x@closed.org.uk")
	closed, err := w.g.RegisterOrganisation(ctx, isg.Actor{User: c}, registration("Closed", "Z3333333"))
	require.NoError(t, err)
	r, err := w.g.RequestClosure(ctx, isg.Actor{User: c, Org: closed.ID}, isg.RequestClosureInput{Reason: "wound up"})
	require.NoError(t, err)
	_, err = w.g.DecideClosure(ctx, isg.Actor{User: w.ca}, isg.DecideClosureInput{Closure: r.ID, Decision: "close"})
	require.NoError(t, err)

	got, err := w.g.NameUnregistered(ctx, na, isg.NameUnregisteredInput{Summary: s.ID, ICONumber: "z1111111", Name: "Not its name"})
	require.NoError(t, err)
	assert.Equal(t, []isg.OrgID{north, south, one.ID}, got.Organisations)
	assert.Empty(t, got.Unregistered)

	for _, tc := range []struct {
		ico, code string
	}{{"Z2222222", "ico_number_ambiguous"}, {"Z3333333", "organisation_closed"}, {"Z12", "ico_number"}, {"", "required"}} {
		t.Run(tc.code, func(t *testing.T) {
			_, err := w.g.NameUnregistered(ctx, na, isg.NameUnregisteredInput{Summary: s.ID, ICONumber: tc.ico, Name: "X"})
			require.ErrorIs(t, err, isg.ErrInvalid)
			e := err.(*isg.Error)
			require.Len(t, e.Fields, 1)
			assert.Equal(t, "ico_number", e.Fields[0].Field)
			assert.Equal(t, tc.code, e.Fields[0].Code)
		})
	}
	_, err = w.g.NameUnregistered(ctx, na, isg.NameUnregisteredInput{Summary: s.ID, ICONumber: "Z4444444"})
	assert.Equal(t, []string{"name"}, fieldNames(err))
}

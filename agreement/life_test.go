package agreement_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
)

// inForce is a finalised flow between the trust (creator, sender), the council and the police
// (receivers), carrying no personal data so that the creator finalises it straight away.
func (w *world) inForce(t testing.TB, m *agreement.FlowMachine) (agreement.Summary, agreement.Flow) {
	t.Helper()
	s := w.summary(t)
	terms := w.flowTerms()
	terms.Parties = []agreement.OrgID{w.trust, w.council, w.police}
	terms.To = []agreement.OrgID{w.council, w.police}
	terms.PersonalData, terms.LegalBases = false, nil
	f, err := agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, s, w.officer, w.now, terms)
	require.NoError(t, err)
	f, _, err = m.Finalise(f, w.officer, w.now)
	require.NoError(t, err)
	return s, f
}

func eventTypes(events []agreement.Event) []agreement.EventType {
	out := make([]agreement.EventType, len(events))
	for i, e := range events {
		out[i] = e.Type
	}
	return out
}

// TestNoticeToLeave: LIFE-3 — a party gives notice with a reason; each other party approves or
// rejects; when all have approved the organisation is withdrawn from Parties, From and To and
// recorded; its signature stays.
func TestNoticeToLeave(t *testing.T) {
	w := newWorld()
	m := agreement.NewFlowMachine()
	_, f := w.inForce(t, m)
	f.Signatures = []agreement.Signature{{Statement: agreement.Statement{Signatory: agreement.Signatory{Org: w.police}}, Algorithm: "Ed25519", Value: []byte{1}}}
	later := w.now.AddDate(0, 1, 0)

	_, _, err := m.GiveNotice(f, w.policeOfficer, later, agreement.NoticeInput{Reason: "  "})
	assert.Equal(t, []string{"reason/required"}, fieldCodes(t, err), "LIFE-3: a notice says why")
	_, _, err = m.GiveNotice(f, w.stranger, later, agreement.NoticeInput{Reason: "x"})
	assert.Equal(t, agreement.CodeNotParty, agreement.Code(err))

	before, _ := json.Marshal(f)
	g, events, err := m.GiveNotice(f, w.policeOfficer, later, agreement.NoticeInput{Reason: "Service moved to the ICB"})
	require.NoError(t, err)
	after, _ := json.Marshal(f)
	assert.JSONEq(t, string(before), string(after), "the input flow is never changed")
	require.Len(t, g.Notices, 1)
	assert.Equal(t, agreement.NoticeOpen, g.Notices[0].Status)
	assert.Equal(t, []agreement.EventType{agreement.EventNoticeGiven}, eventTypes(events))
	assert.Equal(t, []agreement.OrgID{w.trust, w.council}, events[0].Parties, "the other parties are asked")
	assert.Equal(t, w.police, events[0].Org)

	_, _, err = m.GiveNotice(g, w.policeOfficer, later, agreement.NoticeInput{Reason: "again"})
	assert.Equal(t, agreement.CodeNoticeOpen, agreement.Code(err), "one open notice per organisation")
	_, _, err = m.ApproveNotice(g, w.policeOfficer, later, agreement.NoticeAnswerInput{Org: w.police})
	assert.Equal(t, agreement.CodeOwnNotice, agreement.Code(err), "the leaver does not answer its own notice")
	_, _, err = m.ApproveNotice(g, w.officer, later, agreement.NoticeAnswerInput{Org: w.council})
	assert.Equal(t, agreement.CodeNoOpenNotice, agreement.Code(err))
	_, _, err = m.ApproveNotice(g, w.stranger, later, agreement.NoticeAnswerInput{Org: w.police})
	assert.Equal(t, agreement.CodeNotParty, agreement.Code(err))

	assert.Contains(t, m.Permitted(g, w.officer, later), agreement.TriggerApproveNotice)
	assert.NotContains(t, m.Permitted(g, w.policeOfficer, later), agreement.TriggerApproveNotice, "not offered to the leaver")
	assert.Contains(t, m.Permitted(g, w.policeOfficer, later), agreement.TriggerWithdrawNotice)

	g, events, err = m.ApproveNotice(g, w.officer, later, agreement.NoticeAnswerInput{Org: w.police, Comment: "Agreed"})
	require.NoError(t, err)
	assert.Equal(t, []agreement.EventType{agreement.EventNoticeApproved}, eventTypes(events))
	assert.Equal(t, w.policeOfficer.User, events[0].Requester, "the giver is told")
	assert.True(t, g.Names(w.police), "one approval of two: still a party")
	_, _, err = m.ApproveNotice(g, w.officer, later, agreement.NoticeAnswerInput{Org: w.police})
	assert.Equal(t, agreement.CodeAlreadyAnswered, agreement.Code(err))
	assert.NotContains(t, m.Permitted(g, w.officer, later), agreement.TriggerApproveNotice, "answered already")

	g, events, err = m.ApproveNotice(g, w.councilOfficer, later, agreement.NoticeAnswerInput{Org: w.police})
	require.NoError(t, err)
	assert.Equal(t, []agreement.EventType{agreement.EventNoticeApproved, agreement.EventPartyWithdrawn}, eventTypes(events))
	assert.Equal(t, agreement.Finalised, g.State, "two organisations remain")
	assert.Equal(t, []agreement.OrgID{w.trust, w.council}, g.Parties)
	assert.Equal(t, []agreement.OrgID{w.council}, g.To)
	assert.Equal(t, []agreement.Withdrawal{{Org: w.police, At: later, To: true}}, g.Withdrawals)
	assert.Equal(t, agreement.NoticeAccepted, g.Notices[0].Status)
	assert.ElementsMatch(t, []agreement.OrgID{w.trust, w.council, w.police}, events[1].Parties, "the leaver and those remaining are told")
	assert.Equal(t, f.Signatures, g.Signatures, "FLOW-12: signatures stay; the content hash excludes the parties")
	assert.Equal(t, agreement.ContentHash(f), agreement.ContentHash(g))

	_, _, err = m.GiveNotice(g, w.policeOfficer, later, agreement.NoticeInput{Reason: "x"})
	assert.Equal(t, agreement.CodeNotParty, agreement.Code(err), "a withdrawn organisation is no longer a party")
	s := w.summary(t)
	s.ID = g.SummaryID
	_, _, err = agreement.AddParty(g, s, w.officer, later, w.police, agreement.SideTo)
	assert.Equal(t, []string{"org/withdrawn"}, fieldCodes(t, err), "LIFE-3: it rejoins through a variation, not by the creator alone")
}

// TestNoticeRejectedAndWithdrawn: LIFE-3 — a rejection, with its reason, refuses the notice and
// tells its giver, who may give notice again; the giver may withdraw an open notice.
func TestNoticeRejectedAndWithdrawn(t *testing.T) {
	w := newWorld()
	m := agreement.NewFlowMachine()
	_, f := w.inForce(t, m)
	f, _, err := m.GiveNotice(f, w.policeOfficer, w.now, agreement.NoticeInput{Reason: "Budget"})
	require.NoError(t, err)

	_, _, err = m.RejectNotice(f, w.councilOfficer, w.now, agreement.NoticeAnswerInput{Org: w.police})
	assert.Equal(t, []string{"comment/required"}, fieldCodes(t, err), "a rejection says why")
	g, events, err := m.RejectNotice(f, w.councilOfficer, w.now, agreement.NoticeAnswerInput{Org: w.police, Comment: "Statutory duty to share"})
	require.NoError(t, err)
	assert.Equal(t, agreement.NoticeRejected, g.Notices[0].Status)
	assert.True(t, g.Names(w.police))
	require.Len(t, events, 1)
	assert.Equal(t, agreement.EventNoticeRejected, events[0].Type)
	assert.Equal(t, w.policeOfficer.User, events[0].Requester)
	assert.Equal(t, "Statutory duty to share", events[0].Note)
	_, _, err = m.ApproveNotice(g, w.officer, w.now, agreement.NoticeAnswerInput{Org: w.police})
	assert.Equal(t, agreement.CodeNoOpenNotice, agreement.Code(err), "a refused notice is closed")

	g, _, err = m.GiveNotice(g, w.policeOfficer, w.now, agreement.NoticeInput{Reason: "Budget, again"})
	require.NoError(t, err, "notice may be given again")
	_, _, err = m.WithdrawNotice(g, w.councilOfficer, w.now)
	assert.Equal(t, agreement.CodeNoOpenNotice, agreement.Code(err), "only the giver withdraws")
	g, events, err = m.WithdrawNotice(g, w.policeOfficer, w.now)
	require.NoError(t, err)
	assert.Equal(t, agreement.NoticeWithdrawn, g.Notices[1].Status)
	assert.Equal(t, []agreement.OrgID{w.trust, w.council}, events[0].Parties)
	_, _, err = m.WithdrawNotice(g, w.policeOfficer, w.now)
	assert.Equal(t, agreement.CodeNoOpenNotice, agreement.Code(err))
}

// TestTermination: LIFE-3 — with fewer than two organisations left, or no sender or receiver,
// the flow is Terminated and open notices lapse; one leaving may complete another's notice.
func TestTermination(t *testing.T) {
	w := newWorld()
	m := agreement.NewFlowMachine()

	t.Run("LIFE-3 the only sender leaves: nothing is shared, Terminated", func(t *testing.T) {
		_, f := w.inForce(t, m)
		f, _, err := m.GiveNotice(f, w.officer, w.now, agreement.NoticeInput{Reason: "Closing the service"})
		require.NoError(t, err)
		f, _, err = m.ApproveNotice(f, w.councilOfficer, w.now, agreement.NoticeAnswerInput{Org: w.trust})
		require.NoError(t, err)
		g, events, err := m.ApproveNotice(f, w.policeOfficer, w.now, agreement.NoticeAnswerInput{Org: w.trust})
		require.NoError(t, err)
		assert.Equal(t, agreement.Terminated, g.State)
		assert.Equal(t, []agreement.OrgID{w.council, w.police}, g.Parties)
		assert.Empty(t, g.From)
		assert.Equal(t, w.now, g.TerminatedAt)
		assert.Equal(t, []agreement.EventType{agreement.EventNoticeApproved, agreement.EventPartyWithdrawn, agreement.EventTerminated}, eventTypes(events))
	})

	t.Run("LIFE-3 two notices: the second completes as the first leaves, then fewer than two remain", func(t *testing.T) {
		_, f := w.inForce(t, m)
		var err error
		f, _, err = m.GiveNotice(f, w.councilOfficer, w.now, agreement.NoticeInput{Reason: "a"})
		require.NoError(t, err)
		f, _, err = m.GiveNotice(f, w.policeOfficer, w.now, agreement.NoticeInput{Reason: "b"})
		require.NoError(t, err)
		// The trust approves both; the police approve the council's: the council leaves, and
		// the police's notice then needs only the trust, which has approved it.
		f, _, err = m.ApproveNotice(f, w.officer, w.now, agreement.NoticeAnswerInput{Org: w.council})
		require.NoError(t, err)
		f, _, err = m.ApproveNotice(f, w.officer, w.now, agreement.NoticeAnswerInput{Org: w.police})
		require.NoError(t, err)
		g, events, err := m.ApproveNotice(f, w.policeOfficer, w.now, agreement.NoticeAnswerInput{Org: w.council})
		require.NoError(t, err)
		assert.Equal(t, agreement.Terminated, g.State)
		assert.Equal(t, []agreement.OrgID{w.trust}, g.Parties)
		assert.Len(t, g.Withdrawals, 2)
		assert.Equal(t, []agreement.EventType{agreement.EventNoticeApproved, agreement.EventPartyWithdrawn,
			agreement.EventPartyWithdrawn, agreement.EventTerminated}, eventTypes(events))
	})

	t.Run("LIFE-3 a two-party flow: one leaving terminates it, and the other's notice lapses", func(t *testing.T) {
		s := w.summary(t)
		terms := w.flowTerms()
		terms.PersonalData, terms.LegalBases = false, nil
		f, err := agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, s, w.officer, w.now, terms)
		require.NoError(t, err)
		f, _, err = m.Finalise(f, w.officer, w.now)
		require.NoError(t, err)
		f, _, err = m.GiveNotice(f, w.officer, w.now, agreement.NoticeInput{Reason: "a"})
		require.NoError(t, err)
		f, _, err = m.GiveNotice(f, w.councilOfficer, w.now, agreement.NoticeInput{Reason: "b"})
		require.NoError(t, err)
		g, _, err := m.ApproveNotice(f, w.councilOfficer, w.now, agreement.NoticeAnswerInput{Org: w.trust})
		require.NoError(t, err)
		assert.Equal(t, agreement.Terminated, g.State)
		assert.Equal(t, []agreement.OrgID{w.council}, g.Parties, "never fewer than one: the flow ends first")
		assert.Equal(t, agreement.NoticeLapsed, g.Notices[1].Status)
		_, _, err = m.GiveNotice(g, w.councilOfficer, w.now, agreement.NoticeInput{Reason: "c"})
		assert.ErrorIs(t, err, agreement.ErrInvalidTransition, "a terminated flow is not in force")
	})
}

// TestNoticeNeedsAFlowInForce: LIFE-3, LIFE-4 — notice and disputes act on a flow in force only.
func TestNoticeNeedsAFlowInForce(t *testing.T) {
	w := newWorld()
	m := agreement.NewFlowMachine()
	draft := w.flow(t, w.summary(t))
	_, _, err := m.GiveNotice(draft, w.officer, w.now, agreement.NoticeInput{Reason: "x"})
	assert.Equal(t, agreement.CodeInvalidTransition, agreement.Code(err))
	_, _, err = m.RaiseDispute(draft, w.officer, w.now, agreement.DisputeInput{Description: "x"})
	assert.Equal(t, agreement.CodeInvalidTransition, agreement.Code(err))
	_, _, err = m.Archive(draft, w.officer, w.now, agreement.ArchiveInput{Reason: "x", RetainUntil: w.now.AddDate(6, 0, 0)})
	assert.Equal(t, agreement.CodeInvalidTransition, agreement.Code(err), "LIFE-2: a draft is not archived")
}

// TestDisputeEscalation: LIFE-4 — a party raises a dispute; the others are told; unresolved
// after 7 calendar days it escalates to every party's Senior Officers, and 14 days after that it
// is marked for mediation, each once; a resolution by any party ends it.
func TestDisputeEscalation(t *testing.T) {
	w := newWorld()
	m := agreement.NewFlowMachine()
	_, f := w.inForce(t, m)

	_, _, err := m.RaiseDispute(f, w.stranger, w.now, agreement.DisputeInput{Description: "x"})
	assert.Equal(t, agreement.CodeNotParty, agreement.Code(err))
	_, _, err = m.RaiseDispute(f, w.councilOfficer, w.now, agreement.DisputeInput{})
	assert.Equal(t, []string{"description/required"}, fieldCodes(t, err))

	f, events, err := m.RaiseDispute(f, w.councilOfficer, w.now, agreement.DisputeInput{Description: "Data sent outside the agreed controls"})
	require.NoError(t, err)
	require.Len(t, f.Disputes, 1)
	assert.Equal(t, 1, f.Disputes[0].Number)
	assert.Equal(t, agreement.EventDisputeRaised, events[0].Type)
	assert.Equal(t, []agreement.OrgID{w.trust, w.police}, events[0].Parties, "the other parties are told")

	next, ok := agreement.NextFlowChange(f)
	require.True(t, ok)
	assert.Equal(t, w.now.AddDate(0, 0, 7), next, "7 calendar days")

	g, events := agreement.SweepFlow(f, next.Add(-time.Second))
	assert.Empty(t, events, "not before")
	assert.Equal(t, f, g)

	late := next.AddDate(0, 0, 2) // the sweep ran two days late
	g, events = agreement.SweepFlow(f, late)
	require.Equal(t, []agreement.EventType{agreement.EventDisputeEscalated}, eventTypes(events))
	assert.ElementsMatch(t, []agreement.OrgID{w.trust, w.council, w.police}, events[0].Parties, "every party's Senior Officers")
	assert.Equal(t, late, g.Disputes[0].EscalatedAt)
	assert.True(t, f.Disputes[0].EscalatedAt.IsZero(), "the input is unchanged")
	again, events := agreement.SweepFlow(g, late)
	assert.Empty(t, events, "each escalation once")
	assert.Equal(t, g, again)

	next, ok = agreement.NextFlowChange(g)
	require.True(t, ok)
	assert.Equal(t, late.AddDate(0, 0, 14), next, "14 days after the escalation was raised")
	g, events = agreement.SweepFlow(g, next)
	assert.Equal(t, []agreement.EventType{agreement.EventDisputeMediation}, eventTypes(events))
	assert.Equal(t, next, g.Disputes[0].MediationAt)
	_, ok = agreement.NextFlowChange(g)
	assert.False(t, ok, "nothing after mediation")

	_, _, err = m.ResolveDispute(g, w.officer, next, agreement.ResolutionInput{Dispute: 2, Resolution: "x"})
	assert.Equal(t, agreement.CodeNoOpenDispute, agreement.Code(err))
	_, _, err = m.ResolveDispute(g, w.stranger, next, agreement.ResolutionInput{Dispute: 1, Resolution: "x"})
	assert.Equal(t, agreement.CodeNotParty, agreement.Code(err))
	r, events, err := m.ResolveDispute(g, w.officer, next, agreement.ResolutionInput{Dispute: 1, Resolution: "Mediated: controls restated"})
	require.NoError(t, err)
	assert.False(t, r.Disputes[0].Open())
	assert.Equal(t, agreement.EventDisputeResolved, events[0].Type)
	_, _, err = m.ResolveDispute(r, w.officer, next, agreement.ResolutionInput{Dispute: 1, Resolution: "again"})
	assert.Equal(t, agreement.CodeNoOpenDispute, agreement.Code(err), "resolved once")

	// Resolved before the escalation: it never escalates.
	_, f2 := w.inForce(t, m)
	f2, _, err = m.RaiseDispute(f2, w.officer, w.now, agreement.DisputeInput{Description: "x"})
	require.NoError(t, err)
	f2, _, err = m.ResolveDispute(f2, w.policeOfficer, w.now.AddDate(0, 0, 1), agreement.ResolutionInput{Dispute: 1, Resolution: "talked"})
	require.NoError(t, err)
	_, ok = agreement.NextFlowChange(f2)
	assert.False(t, ok)
	_, events = agreement.SweepFlow(f2, w.now.AddDate(1, 0, 0))
	assert.Empty(t, events)
}

// TestDisputeOutlivesTermination: LIFE-4 — a dispute open when the flow is terminated still
// escalates and is resolved by a remaining party; and LIFE-2 — the flow is not archived until
// it is resolved.
func TestDisputeOutlivesTermination(t *testing.T) {
	w := newWorld()
	m := agreement.NewFlowMachine()
	_, f := w.inForce(t, m)
	f, _, err := m.RaiseDispute(f, w.councilOfficer, w.now, agreement.DisputeInput{Description: "x"})
	require.NoError(t, err)
	f, _, err = m.GiveNotice(f, w.officer, w.now, agreement.NoticeInput{Reason: "y"})
	require.NoError(t, err)
	f, _, err = m.ApproveNotice(f, w.councilOfficer, w.now, agreement.NoticeAnswerInput{Org: w.trust})
	require.NoError(t, err)
	f, _, err = m.ApproveNotice(f, w.policeOfficer, w.now, agreement.NoticeAnswerInput{Org: w.trust})
	require.NoError(t, err)
	require.Equal(t, agreement.Terminated, f.State)
	_, events := agreement.SweepFlow(f, w.now.AddDate(0, 0, 7))
	assert.Equal(t, []agreement.EventType{agreement.EventDisputeEscalated}, eventTypes(events))

	_, _, err = m.Archive(f, w.councilOfficer, w.now, agreement.ArchiveInput{Reason: "ended", RetainUntil: w.now.AddDate(6, 0, 0)})
	assert.Equal(t, agreement.CodeDisputeOpen, agreement.Code(err))
	_, _, err = m.ResolveDispute(f, w.officer, w.now, agreement.ResolutionInput{Dispute: 1, Resolution: "z"})
	assert.Equal(t, agreement.CodeNotParty, agreement.Code(err), "the trust has left")
	f, _, err = m.ResolveDispute(f, w.councilOfficer, w.now, agreement.ResolutionInput{Dispute: 1, Resolution: "z"})
	require.NoError(t, err)
	f, _, err = m.Archive(f, w.councilOfficer, w.now, agreement.ArchiveInput{Reason: "ended", RetainUntil: w.now.AddDate(6, 0, 0)})
	require.NoError(t, err, "LIFE-2: a terminated flow is archived by a remaining party")
	assert.Equal(t, agreement.Archived, f.State)
	assert.Equal(t, agreement.Terminated, f.Archive.From)
}

// TestArchiveRetentionDeletion: LIFE-2 — an agreement in force is archived by its creator with a
// reason and a retention end; an extension needs a documented reason and a later end and voids
// deletion approvals; deletion needs the retention ended and every party's approval; the sweep
// tells the parties once when the retention ends.
func TestArchiveRetentionDeletion(t *testing.T) {
	w := newWorld()
	m := agreement.NewFlowMachine()
	_, f := w.inForce(t, m)
	f, _, err := m.GiveNotice(f, w.policeOfficer, w.now, agreement.NoticeInput{Reason: "y"})
	require.NoError(t, err)
	end := w.now.AddDate(6, 0, 0)

	_, _, err = m.Archive(f, w.councilOfficer, w.now, agreement.ArchiveInput{Reason: "Service decommissioned", RetainUntil: end})
	assert.Equal(t, agreement.CodeNotCreator, agreement.Code(err), "a partner does not end the sharing for all; it gives notice")
	_, _, err = m.Archive(f, w.officer, w.now, agreement.ArchiveInput{RetainUntil: w.now})
	assert.ElementsMatch(t, []string{"reason/required", "retain_until/not_future"}, fieldCodes(t, err))
	a, events, err := m.Archive(f, w.officer, w.now, agreement.ArchiveInput{Reason: "Service decommissioned", RetainUntil: end})
	require.NoError(t, err)
	assert.Equal(t, agreement.Archived, a.State)
	assert.Equal(t, agreement.Archive{At: w.now, By: w.officer.User, Org: w.trust, From: agreement.Finalised, Reason: "Service decommissioned", RetainUntil: end}, a.Archive)
	assert.Equal(t, agreement.NoticeLapsed, a.Notices[0].Status, "open notices lapse")
	assert.Equal(t, agreement.EventArchived, events[0].Type)
	assert.Equal(t, end, events[0].Due)
	_, _, err = m.RaiseDispute(a, w.officer, w.now, agreement.DisputeInput{Description: "x"})
	assert.ErrorIs(t, err, agreement.ErrInvalidTransition, "an archived flow is not in force")

	next, ok := agreement.NextFlowChange(a)
	require.True(t, ok)
	assert.Equal(t, end, next)

	// Deletion approvals may come early; deletion waits for the end and for every party.
	a, _, err = m.ApproveDeletion(a, w.officer, w.now)
	require.NoError(t, err)
	_, _, err = m.ApproveDeletion(a, w.officer, w.now)
	assert.Equal(t, agreement.CodeAlreadyAnswered, agreement.Code(err))
	_, _, err = m.ApproveDeletion(a, w.stranger, w.now)
	assert.Equal(t, agreement.CodeNotParty, agreement.Code(err))
	a, _, err = m.ApproveDeletion(a, w.councilOfficer, w.now)
	require.NoError(t, err)
	_, err = m.Delete(a, w.officer, end)
	assert.Equal(t, agreement.CodeDeletionNotApproved, agreement.Code(err), "the police have not approved")

	// The extension: a documented reason, a later end; approvals given so far are void.
	_, _, err = m.ExtendRetention(a, w.councilOfficer, w.now, agreement.RetentionInput{RetainUntil: end, Reason: ""})
	assert.ElementsMatch(t, []string{"retain_until/not_extended", "reason/required"}, fieldCodes(t, err))
	_, _, err = m.ExtendRetention(a, w.stranger, w.now, agreement.RetentionInput{RetainUntil: end.AddDate(1, 0, 0), Reason: "x"})
	assert.Equal(t, agreement.CodeNotParty, agreement.Code(err))
	x, events, err := m.ExtendRetention(a, w.councilOfficer, w.now.AddDate(1, 0, 0), agreement.RetentionInput{RetainUntil: end.AddDate(2, 0, 0), Reason: "Public inquiry: records on hold"})
	require.NoError(t, err)
	assert.Equal(t, end.AddDate(2, 0, 0), x.Archive.RetainUntil)
	assert.Equal(t, []agreement.RetentionExtension{{By: w.councilOfficer.User, Org: w.council, At: w.now.AddDate(1, 0, 0),
		Reason: "Public inquiry: records on hold", Previous: end, Until: end.AddDate(2, 0, 0)}}, x.Archive.Extensions)
	assert.Empty(t, x.Archive.DeletionApprovals, "the partners must see the new reason and approve again")
	assert.Equal(t, agreement.EventRetentionExtended, events[0].Type)

	// The end of retention, told once.
	newEnd := x.Archive.RetainUntil
	_, events = agreement.SweepFlow(x, end)
	assert.Empty(t, events, "the old end no longer counts")
	y, events := agreement.SweepFlow(x, newEnd)
	assert.Equal(t, []agreement.EventType{agreement.EventRetentionEnded}, eventTypes(events))
	_, events = agreement.SweepFlow(y, newEnd.AddDate(0, 1, 0))
	assert.Empty(t, events)
	_, ok = agreement.NextFlowChange(y)
	assert.False(t, ok)

	_, err = m.Delete(y, w.officer, newEnd.Add(-time.Second))
	assert.Equal(t, agreement.CodeRetentionNotEnded, agreement.Code(err))
	for _, p := range []agreement.Actor{w.officer, w.councilOfficer, w.policeOfficer} {
		y, _, err = m.ApproveDeletion(y, p, newEnd)
		require.NoError(t, err)
	}
	assert.Contains(t, m.Permitted(y, w.officer, newEnd), agreement.TriggerDelete)
	_, err = m.Delete(y, w.stranger, newEnd)
	assert.Equal(t, agreement.CodeNotParty, agreement.Code(err))
	d, err := m.Delete(y, w.policeOfficer, newEnd)
	require.NoError(t, err)
	assert.Equal(t, y.ID, d.Flow)
	assert.Equal(t, y.Parties, d.Parties)
	assert.Equal(t, y.Archive, d.Archive, "the disposal keeps who approved and every extension")
	assert.Equal(t, agreement.ContentHash(y), d.ContentHash)
	assert.Equal(t, newEnd, d.DeletedAt)
}

// TestArchiveWhenTheCreatorHasLeft: LIFE-2 — once the creating organisation has left a flow in
// force, a remaining party archives it.
func TestArchiveWhenTheCreatorHasLeft(t *testing.T) {
	w := newWorld()
	m := agreement.NewFlowMachine()
	_, f := w.inForce(t, m)
	terms := f.FlowTerms
	terms.From = []agreement.OrgID{w.trust, w.council}
	terms.To = []agreement.OrgID{w.police}
	f.FlowTerms = terms
	f, _, err := m.GiveNotice(f, w.officer, w.now, agreement.NoticeInput{Reason: "handing over"})
	require.NoError(t, err)
	for _, p := range []agreement.Actor{w.councilOfficer, w.policeOfficer} {
		f, _, err = m.ApproveNotice(f, p, w.now, agreement.NoticeAnswerInput{Org: w.trust})
		require.NoError(t, err)
	}
	require.Equal(t, agreement.Finalised, f.State)
	_, _, err = m.Archive(f, w.officer, w.now, agreement.ArchiveInput{Reason: "x", RetainUntil: w.now.AddDate(1, 0, 0)})
	assert.Equal(t, agreement.CodeNotCreator, agreement.Code(err), "the creator left")
	_, _, err = m.Archive(f, w.councilOfficer, w.now, agreement.ArchiveInput{Reason: "x", RetainUntil: w.now.AddDate(1, 0, 0)})
	assert.NoError(t, err)
}

// TestReviewNotices: LIFE-1 — the creating organisation is told 3 months before the review date
// (or the host's lead time) and again when it is due, each once; a review starts afresh.
func TestReviewNotices(t *testing.T) {
	w := newWorld()
	s := w.summary(t) // 12-month cycle from w.now
	due := w.now.AddDate(1, 0, 0)
	advance := due.AddDate(0, -3, 0)

	next, ok := s.NextReviewNotice(agreement.DefaultReviewNoticeMonths)
	require.True(t, ok)
	assert.Equal(t, advance, next)
	_, events := s.SweepReview(3, advance.Add(-time.Second))
	assert.Empty(t, events)

	s1, events := s.SweepReview(3, advance)
	require.Len(t, events, 1)
	assert.Equal(t, agreement.EventReviewUpcoming, events[0].Type)
	assert.Equal(t, []agreement.OrgID{w.trust}, events[0].Parties, "the creating organisation")
	assert.Equal(t, due, events[0].Due)
	_, events = s1.SweepReview(3, advance.AddDate(0, 1, 0))
	assert.Empty(t, events, "the advance notice once")
	next, _ = s1.NextReviewNotice(3)
	assert.Equal(t, due, next)

	s2, events := s1.SweepReview(3, due)
	require.Len(t, events, 1)
	assert.Equal(t, agreement.EventReviewDue, events[0].Type)
	_, events = s2.SweepReview(3, due.AddDate(1, 0, 0))
	assert.Empty(t, events, "the due notice once")
	_, ok = s2.NextReviewNotice(3)
	assert.False(t, ok)

	r, err := s2.RecordReview(w.councilOfficer, due.AddDate(0, 0, 10), "Still needed; controls unchanged")
	require.NoError(t, err)
	assert.Equal(t, agreement.ReviewNotices{}, r.ReviewNotices, "a review starts afresh")
	assert.Equal(t, "Still needed; controls unchanged", r.ReviewNote)
	next, _ = r.NextReviewNotice(3)
	assert.Equal(t, due.AddDate(0, 0, 10).AddDate(1, -3, 0), next)
	_, err = s2.RecordReview(w.stranger, due, "")
	assert.ErrorIs(t, err, agreement.ErrForbidden)

	t.Run("LIFE-1 found already due: only the due notice", func(t *testing.T) {
		got, events := s.SweepReview(3, due.AddDate(0, 1, 0))
		assert.Equal(t, []agreement.EventType{agreement.EventReviewDue}, eventTypes(events))
		assert.True(t, got.ReviewNotices.AdvanceAt.IsZero())
		_, ok := got.NextReviewNotice(3)
		assert.False(t, ok)
	})
	t.Run("LIFE-1 a host's lead time; 0 switches the advance notice off", func(t *testing.T) {
		next, _ := s.NextReviewNotice(1)
		assert.Equal(t, due.AddDate(0, -1, 0), next)
		next, _ = s.NextReviewNotice(0)
		assert.Equal(t, due, next)
	})
	t.Run("LIFE-1 a cycle no longer than the lead time has no advance notice", func(t *testing.T) {
		short := s
		short.ReviewCycleMonths = 3
		next, _ := short.NextReviewNotice(3)
		assert.Equal(t, w.now.AddDate(0, 3, 0), next)
	})
	t.Run("LIFE-1 a changed cycle moves the date: notices for it start afresh", func(t *testing.T) {
		moved := s2
		moved.ReviewCycleMonths = 6
		next, ok := moved.NextReviewNotice(3)
		require.True(t, ok)
		assert.Equal(t, w.now.AddDate(0, 3, 0), next)
	})
}

package isg_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg"
)

// onwardWorld: the Origin sends data to the Hub (src, beneath the Origin's summary); the Hub
// passes it on to the Recipient (onward, beneath the Hub's summary, naming src as its source). The
// Outsider is in neither. Each has an Administrator; the Origin, Recipient and Outsider a DPO.
type onwardWorld struct {
	*world
	origin, hub, recipient, outsider                 isg.OrgID
	oAdmin, oDPO, hAdmin, rAdmin, rDPO, eAdmin, eDPO isg.UserID
	s1, s2                                           agreement.SummaryID
	src, onward                                      agreement.FlowID
}

// plainTerms are terms without personal data, so that a flow may be finalised from Draft.
func plainTerms(from, to isg.OrgID, sources ...agreement.FlowID) agreement.FlowTerms {
	t := flowTerms(from, to)
	t.PersonalData, t.LegalBases, t.Sources = false, nil, sources
	return t
}

func newOnwardWorld(t *testing.T, w *world) *onwardWorld {
	t.Helper()
	o := &onwardWorld{world: w}
	o.oAdmin, o.oDPO, o.hAdmin = w.user("admin@origin.nhs.uk"), w.user("dpo@origin.nhs.uk"), w.user("admin@hub.gov.uk")
	o.rAdmin, o.rDPO, o.eAdmin, o.eDPO = w.user("admin@recipient.gov.uk"), w.user("dpo@recipient.gov.uk"), w.user("admin@outsider.gov.uk"), w.user("dpo@outsider.gov.uk")
	o.origin, o.hub, o.recipient, o.outsider = w.org(o.oAdmin, "Origin"), w.org(o.hAdmin, "Hub"), w.org(o.rAdmin, "Recipient"), w.org(o.eAdmin, "Outsider")
	w.grant(o.oAdmin, o.origin, o.oDPO, isg.DPO)
	w.grant(o.rAdmin, o.recipient, o.rDPO, isg.DPO)
	w.grant(o.eAdmin, o.outsider, o.eDPO, isg.DPO)
	s1, err := w.g.SaveSummary(ctx, o.at(o.oAdmin, o.origin), isg.SummaryInput{SummaryTerms: summaryTerms(o.origin, o.hub)})
	require.NoError(t, err)
	src, err := w.g.CreateFlow(ctx, o.at(o.oAdmin, o.origin), isg.CreateFlowInput{Summary: s1.ID, FlowTerms: plainTerms(o.origin, o.hub)})
	require.NoError(t, err)
	s2, err := w.g.SaveSummary(ctx, o.at(o.hAdmin, o.hub), isg.SummaryInput{SummaryTerms: summaryTerms(o.hub, o.recipient)})
	require.NoError(t, err)
	onward, err := w.g.CreateFlow(ctx, o.at(o.hAdmin, o.hub), isg.CreateFlowInput{Summary: s2.ID, FlowTerms: plainTerms(o.hub, o.recipient, src.ID)})
	require.NoError(t, err)
	o.s1, o.s2, o.src, o.onward = s1.ID, s2.ID, src.ID, onward.ID
	return o
}

func (o *onwardWorld) at(user isg.UserID, org isg.OrgID) isg.Actor {
	return isg.Actor{User: user, Org: org}
}

func (o *onwardWorld) ask(by isg.Actor, dpos ...agreement.Reviewer) (isg.FlowView, error) {
	return o.g.RequestOnwardApproval(ctx, by, isg.FlowStep[agreement.OnwardRequest]{Flow: o.onward, Input: agreement.OnwardRequest{
		DPOs: dpos, ReviewBy: o.g.Now().AddDate(0, 0, 14), Comment: "May we pass your data on to the Recipient?"}})
}

func (o *onwardWorld) get(by isg.Actor) (isg.FlowView, error) {
	return o.g.Flow(ctx, by, isg.ByID[agreement.FlowID]{ID: o.onward})
}

func errJSON(t *testing.T, err error) string {
	t.Helper()
	require.Error(t, err)
	b, jerr := json.Marshal(err)
	require.NoError(t, jerr)
	return string(b)
}

// TestOnwardApprovalThroughTheGateway: FLOW-13 — the Hub cannot finalise a flow passing on the
// Origin's data until a DPO of the Origin, asked by the Hub, approves it; the DPO asked reads
// just the terms; nobody else outside the flow learns it exists; the requester hears each answer.
func TestOnwardApprovalThroughTheGateway(t *testing.T) {
	o := newOnwardWorld(t, newWorld(t))
	hub, rec := o.at(o.hAdmin, o.hub), o.at(o.rAdmin, o.recipient)
	originDPO := o.at(o.oDPO, o.origin)

	v, err := o.get(hub)
	require.NoError(t, err)
	assert.Equal(t, []isg.OrgID{o.origin}, v.Originals, "the Origin sent the data the Hub passes on")
	assert.Equal(t, []agreement.Trigger{agreement.TriggerEdit, agreement.TriggerRequestOnward, agreement.TriggerRequestReview}, v.Next,
		"finalise is not offered before the Origin approves")
	_, err = o.g.FinaliseFlow(ctx, hub, isg.ByID[agreement.FlowID]{ID: o.onward})
	assert.Equal(t, agreement.CodeOnwardApprovalRequired, isg.ErrorCode(err))

	_, err = o.ask(rec, agreement.Reviewer{DPO: o.oDPO, Org: o.origin})
	assert.Equal(t, "flow.not_creator", isg.ErrorCode(err), "the Recipient does not ask on the Hub's behalf")
	_, err = o.ask(hub, agreement.Reviewer{DPO: o.eDPO, Org: o.outsider})
	assert.Equal(t, []string{"dpos[0].org/not_original"}, fieldsOf(t, err))
	_, err = o.ask(hub, agreement.Reviewer{DPO: o.oAdmin, Org: o.origin})
	assert.Equal(t, []string{"dpos[0].dpo/not_dpo"}, fieldsOf(t, err), "only a DPO of the Origin approves (ROLE-6)")

	// Before being asked the Origin's DPO cannot see the flow at all.
	unknown := agreement.FlowID{UUID: uuid.New()}
	_, errUnknown := o.g.Flow(ctx, originDPO, isg.ByID[agreement.FlowID]{ID: unknown})
	_, err = o.get(originDPO)
	assert.Equal(t, "flow.not_found", isg.ErrorCode(err))
	assert.Equal(t, strings.ReplaceAll(errJSON(t, errUnknown), unknown.String(), "ID"), strings.ReplaceAll(errJSON(t, err), o.onward.String(), "ID"),
		"exactly as for an unknown ID")

	v, err = o.ask(hub, agreement.Reviewer{DPO: o.oDPO, Org: o.origin})
	require.NoError(t, err)
	assert.Equal(t, agreement.Draft, v.State, "not locked: an onward request moves nothing")
	require.Len(t, v.OnwardReviews, 1)
	n := o.notifications(o.oDPO)
	require.NotEmpty(t, n)
	last := n[len(n)-1]
	assert.Equal(t, string(agreement.EventOnwardRequested), last.Type)
	assert.Equal(t, o.origin, last.Org)
	assert.Equal(t, "May we pass your data on to the Recipient?", last.Data["note"])
	assert.NotEmpty(t, last.Data["review_by"])

	// The DPO asked reads the terms, its own organisation's answer and the steps it may take.
	seen, err := o.get(originDPO)
	require.NoError(t, err)
	assert.Equal(t, "Referrals", seen.Name)
	assert.Equal(t, []agreement.FlowID{o.src}, seen.Sources)
	assert.Equal(t, []agreement.Trigger{agreement.TriggerApproveOnward, agreement.TriggerRejectOnward}, seen.Next)
	assert.Empty(t, seen.Originals)
	assert.Zero(t, seen.Log, "not the log")
	assert.Zero(t, seen.UpdatedBy, "nor who last changed it")
	_, err = o.g.FlowLog(ctx, originDPO, isg.ByID[agreement.FlowID]{ID: o.onward})
	assert.Equal(t, "flow.not_found", isg.ErrorCode(err), "nor may it read the log")
	list, err := o.g.Flows(ctx, originDPO, isg.ListPage{})
	require.NoError(t, err)
	assert.Equal(t, 1, list.Total, "being asked makes the Origin no party: it lists its own flow only")

	// Anyone else outside the flow, whatever their role: not found, as for an unknown ID — the
	// Origin's Administrator, another DPO of the Origin not asked, the Outsider's DPO.
	otherDPO := o.user("dpo2@origin.nhs.uk")
	o.grant(o.oAdmin, o.origin, otherDPO, isg.DPO)
	for _, who := range []isg.Actor{o.at(o.oAdmin, o.origin), o.at(otherDPO, o.origin), o.at(o.eDPO, o.outsider)} {
		_, err = o.get(who)
		assert.Equal(t, "flow.not_found", isg.ErrorCode(err), "%v", who)
		_, err = o.g.ApproveOnward(ctx, who, isg.FlowStep[agreement.Verdict]{Flow: o.onward})
		assert.Contains(t, []string{"flow.not_found", "forbidden"}, isg.ErrorCode(err), "%v: the row, or the record hidden", who)
	}
	_, err = o.g.ApproveOnward(ctx, o.at(o.eDPO, o.outsider), isg.FlowStep[agreement.Verdict]{Flow: o.onward})
	assert.Equal(t, "flow.not_found", isg.ErrorCode(err), "a DPO of an organisation neither party nor asked")
	_, err = o.g.ApproveOnward(ctx, o.at(o.rDPO, o.recipient), isg.FlowStep[agreement.Verdict]{Flow: o.onward})
	assert.Equal(t, "flow.not_reviewer", isg.ErrorCode(err), "a DPO of a party that is no original cannot approve onward")
	_, err = o.g.ApproveOnward(ctx, o.at(o.hAdmin, o.hub), isg.FlowStep[agreement.Verdict]{Flow: o.onward})
	assert.Equal(t, "flow.not_reviewer", isg.ErrorCode(err), "the creator's own non-DPO is told it was not asked")

	seen, err = o.g.RejectOnward(ctx, originDPO, isg.FlowStep[agreement.Verdict]{Flow: o.onward, Input: agreement.Verdict{Details: "Only aggregate figures, please."}})
	require.NoError(t, err)
	assert.Empty(t, seen.Reviews)
	assert.Equal(t, agreement.DecisionRejected, seen.OnwardReviews[0].Decision)
	n = o.notifications(o.hAdmin)
	assert.Equal(t, string(agreement.EventOnwardRejected), n[len(n)-1].Type, "the requester is told")
	assert.Equal(t, "Only aggregate figures, please.", n[len(n)-1].Data["note"])
	_, err = o.g.FinaliseFlow(ctx, hub, isg.ByID[agreement.FlowID]{ID: o.onward})
	assert.Equal(t, agreement.CodeOpenOnwardRejection, isg.ErrorCode(err))

	_, err = o.g.ApproveOnward(ctx, originDPO, isg.FlowStep[agreement.Verdict]{Flow: o.onward, Input: agreement.Verdict{Details: "Agreed for aggregates."}})
	require.NoError(t, err)
	n = o.notifications(o.hAdmin)
	assert.Equal(t, string(agreement.EventOnwardApproved), n[len(n)-1].Type)
	v, err = o.get(hub)
	require.NoError(t, err)
	assert.Contains(t, v.Next, agreement.TriggerFinalise)
	v, err = o.g.FinaliseFlow(ctx, hub, isg.ByID[agreement.FlowID]{ID: o.onward})
	require.NoError(t, err)
	assert.Equal(t, agreement.Finalised, v.State)

	log, err := o.g.FlowLog(ctx, hub, isg.ByID[agreement.FlowID]{ID: o.onward})
	require.NoError(t, err)
	assert.True(t, log.Verified, log.Problem)
	fields := map[string]bool{}
	for _, e := range log.Entries {
		fields[e.Field] = true
	}
	assert.True(t, fields["onward_reviews"] && fields["sources"], "LOG-1: the sources and every onward answer are logged")
}

// TestOnwardApprovalVoidedByAnEdit: FLOW-13 (as FLOW-8) — an approval counts for the version
// approved only.
func TestOnwardApprovalVoidedByAnEdit(t *testing.T) {
	o := newOnwardWorld(t, newWorld(t))
	hub := o.at(o.hAdmin, o.hub)
	_, err := o.ask(hub, agreement.Reviewer{DPO: o.oDPO, Org: o.origin})
	require.NoError(t, err)
	_, err = o.g.ApproveOnward(ctx, o.at(o.oDPO, o.origin), isg.FlowStep[agreement.Verdict]{Flow: o.onward})
	require.NoError(t, err)
	terms := plainTerms(o.hub, o.recipient, o.src)
	terms.Frequency = agreement.Weekly
	_, err = o.g.EditFlow(ctx, hub, isg.FlowStep[agreement.FlowTerms]{Flow: o.onward, Input: terms})
	require.NoError(t, err)
	_, err = o.g.FinaliseFlow(ctx, hub, isg.ByID[agreement.FlowID]{ID: o.onward})
	assert.Equal(t, agreement.CodeOnwardApprovalRequired, isg.ErrorCode(err))
}

func (o *onwardWorld) notifications(user isg.UserID) []isg.Notification {
	o.t.Helper()
	n, err := all(o.g.Notifications(ctx, isg.Actor{User: user}, isg.ListPage{}))
	require.NoError(o.t, err)
	return n
}

// fieldsOf lists "field/code" of every field error of err.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	var e *isg.Error
	require.ErrorAs(t, err, &e)
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field+"/"+f.Code)
	}
	return out
}

// TestSourcesAreCheckedWhenNamed: FLOW-13 — a source the creator cannot see is refused exactly as
// an unknown ID; one it sends in is no source; a loop is refused; only the creator changes the
// sources; a copy keeps only the sources its maker could name.
func TestSourcesAreCheckedWhenNamed(t *testing.T) {
	o := newOnwardWorld(t, newWorld(t))
	hub, rec := o.at(o.hAdmin, o.hub), o.at(o.rAdmin, o.recipient)
	// A flow of the Origin's to the Outsider: the Hub cannot see it.
	s3, err := o.g.SaveSummary(ctx, o.at(o.oAdmin, o.origin), isg.SummaryInput{SummaryTerms: summaryTerms(o.origin, o.outsider)})
	require.NoError(t, err)
	hidden, err := o.g.CreateFlow(ctx, o.at(o.oAdmin, o.origin), isg.CreateFlowInput{Summary: s3.ID, FlowTerms: plainTerms(o.origin, o.outsider)})
	require.NoError(t, err)

	create := func(by isg.Actor, sources ...agreement.FlowID) error {
		_, err := o.g.CreateFlow(ctx, by, isg.CreateFlowInput{Summary: o.s2, FlowTerms: plainTerms(o.hub, o.recipient, sources...)})
		return err
	}
	errHidden, errUnknown := create(hub, hidden.ID), create(hub, agreement.FlowID{UUID: uuid.New()})
	assert.Equal(t, []string{"sources[0]/unknown_source"}, fieldsOf(t, errHidden))
	assert.Equal(t, errJSON(t, errUnknown), errJSON(t, errHidden), "a source the creator cannot see is refused exactly as an unknown ID")
	assert.Equal(t, []string{"sources[0]/not_receiver"}, fieldsOf(t, create(hub, o.onward)), "the Hub sends in its onward flow")
	assert.Equal(t, []string{"sources[1]/duplicate"}, fieldsOf(t, create(hub, o.src, o.src)))

	// The Recipient's flow back to the Hub, and the Hub's flow naming it: naming that flow as
	// the first one's source would close a loop.
	back, err := o.g.CreateFlow(ctx, rec, isg.CreateFlowInput{Summary: o.s2, FlowTerms: plainTerms(o.recipient, o.hub)})
	require.NoError(t, err)
	fwd, err := o.g.CreateFlow(ctx, hub, isg.CreateFlowInput{Summary: o.s2, FlowTerms: plainTerms(o.hub, o.recipient, back.ID)})
	require.NoError(t, err)
	_, err = o.g.EditFlow(ctx, rec, isg.FlowStep[agreement.FlowTerms]{Flow: back.ID, Input: plainTerms(o.recipient, o.hub, fwd.ID)})
	assert.Equal(t, []string{"sources[0]/cycle"}, fieldsOf(t, err))
	_, err = o.g.EditFlow(ctx, rec, isg.FlowStep[agreement.FlowTerms]{Flow: back.ID, Input: plainTerms(o.recipient, o.hub, back.ID)})
	assert.Equal(t, []string{"sources[0]/cycle"}, fieldsOf(t, err), "nor its own source")

	_, err = o.g.EditFlow(ctx, rec, isg.FlowStep[agreement.FlowTerms]{Flow: o.onward, Input: plainTerms(o.hub, o.recipient)})
	assert.Equal(t, []string{"sources/creator_only"}, fieldsOf(t, err), "a partner cannot lift the need for the Origin's permission")
	_, err = o.g.EditFlow(ctx, rec, isg.FlowStep[agreement.FlowTerms]{Flow: o.onward, Input: plainTerms(o.hub, o.recipient, o.src)})
	assert.NoError(t, err, "a partner's edit that keeps the sources")

	// Copies (SUM-4, FLOW-10): the Hub's copy keeps the source; the Recipient's drops it.
	mine, err := o.g.CopyFlow(ctx, hub, isg.CopyFlowInput{Flow: o.onward, Summary: o.s2})
	require.NoError(t, err)
	assert.Equal(t, []agreement.FlowID{o.src}, mine.Sources)
	assert.Equal(t, []isg.OrgID{o.origin}, mine.Originals)
	theirs, err := o.g.CopyFlow(ctx, rec, isg.CopyFlowInput{Flow: o.onward, Summary: o.s2})
	require.NoError(t, err)
	assert.Empty(t, theirs.Sources, "the Recipient received nothing through the Origin's flow")
	sc, err := o.g.CopySummary(ctx, rec, isg.ByID[agreement.SummaryID]{ID: o.s2})
	require.NoError(t, err)
	for _, f := range sc.Flows {
		assert.NotContains(t, f.Sources, o.src, "nor in a summary copy")
	}
}

// finalised creates a flow from the Hub to the Recipient beneath s2 and finalises it.
func (o *onwardWorld) finalised(t *testing.T) isg.FlowView {
	t.Helper()
	hub := o.at(o.hAdmin, o.hub)
	f, err := o.g.CreateFlow(ctx, hub, isg.CreateFlowInput{Summary: o.s2, FlowTerms: plainTerms(o.hub, o.recipient)})
	require.NoError(t, err)
	f, err = o.g.FinaliseFlow(ctx, hub, isg.ByID[agreement.FlowID]{ID: f.ID})
	require.NoError(t, err)
	return f
}

// TestVaryThroughTheGateway: SIGN-6 — the creating organisation varies a finalised flow into a
// linked Draft with its terms; its parties are told; a variation keeps every open party.
func TestVaryThroughTheGateway(t *testing.T) {
	o := newOnwardWorld(t, newWorld(t))
	hub, rec := o.at(o.hAdmin, o.hub), o.at(o.rAdmin, o.recipient)
	orig := o.finalised(t)
	assert.Contains(t, orig.Next, agreement.TriggerVary, "a finalised flow is varied")

	_, err := o.g.VaryFlow(ctx, hub, isg.ByID[agreement.FlowID]{ID: o.onward})
	assert.Equal(t, "flow.invalid_transition", isg.ErrorCode(err), "a draft is edited, not varied")
	var e *isg.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "SIGN-6", e.Rule)
	_, err = o.g.VaryFlow(ctx, rec, isg.ByID[agreement.FlowID]{ID: orig.ID})
	assert.Equal(t, "flow.not_creator", isg.ErrorCode(err))
	_, err = o.g.VaryFlow(ctx, o.at(o.eAdmin, o.outsider), isg.ByID[agreement.FlowID]{ID: orig.ID})
	assert.Equal(t, "flow.not_found", isg.ErrorCode(err))
	_, err = o.g.VaryFlow(ctx, o.at(o.rDPO, o.recipient), isg.ByID[agreement.FlowID]{ID: orig.ID})
	assert.Equal(t, "flow.not_creator", isg.ErrorCode(err), "a DPO holds no editing role, and is told why it may not")

	v, err := o.g.VaryFlow(ctx, hub, isg.ByID[agreement.FlowID]{ID: orig.ID})
	require.NoError(t, err)
	assert.Equal(t, agreement.Draft, v.State)
	assert.Equal(t, orig.ID, v.VariationOf)
	assert.Equal(t, orig.FlowTerms, v.FlowTerms)
	n := o.notifications(o.rAdmin)
	assert.Equal(t, string(agreement.EventVariationCreated), n[len(n)-1].Type, "the parties are told")
	assert.Equal(t, orig.ID.String(), n[len(n)-1].Data["original"])
	log, err := o.g.FlowLog(ctx, hub, isg.ByID[agreement.FlowID]{ID: v.ID})
	require.NoError(t, err)
	assert.True(t, log.Verified, log.Problem)

	amended := plainTerms(o.hub, o.recipient)
	amended.Controls = []string{"Encrypted", "Quarterly audit"}
	got, err := o.g.EditFlow(ctx, rec, isg.FlowStep[agreement.FlowTerms]{Flow: v.ID, Input: amended})
	require.NoError(t, err, "amended by any party, as a draft")
	assert.Equal(t, amended.Controls, got.Controls)
	before, err := o.g.Flow(ctx, hub, isg.ByID[agreement.FlowID]{ID: orig.ID})
	require.NoError(t, err)
	assert.Equal(t, orig.Controls, before.Controls, "the original is untouched")

	// The Recipient cannot be left out of the variation: it must sign it too.
	_, err = o.g.SaveSummary(ctx, hub, isg.SummaryInput{ID: o.s2, SummaryTerms: summaryTerms(o.hub, o.recipient, o.outsider)})
	require.NoError(t, err)
	_, err = o.g.EditFlow(ctx, hub, isg.FlowStep[agreement.FlowTerms]{Flow: v.ID, Input: plainTerms(o.hub, o.outsider)})
	assert.Equal(t, []string{"parties/original_party_missing"}, fieldsOf(t, err))
	_, err = o.g.EditFlow(ctx, hub, isg.FlowStep[agreement.FlowTerms]{Flow: v.ID, Input: agreement.FlowTerms{
		Name: "Referrals", Parties: []isg.OrgID{o.hub, o.recipient, o.outsider}, Direction: agreement.OneWay,
		From: []isg.OrgID{o.hub}, To: []isg.OrgID{o.recipient, o.outsider}, Frequency: agreement.Daily,
		TransferMode: agreement.SecureEmail, Controls: []string{"Encrypted"}}})
	assert.NoError(t, err, "a party may be added")
}

// TestAfterSignedSupersedesTheOriginal: SIGN-6 — when a variation is Signed its original becomes
// Superseded in the same unit of work, logged, its parties told; a second variation signed later
// cannot take effect; nor one leaving out a party that joined the original since. Sign-off is not
// on this branch: MarkSigned stands in for it.
func TestAfterSignedSupersedesTheOriginal(t *testing.T) {
	o := newOnwardWorld(t, newWorld(t))
	hub := o.at(o.hAdmin, o.hub)
	orig := o.finalised(t)
	require.NoError(t, isg.MarkSigned(ctx, o.g, hub, orig.ID))
	signed, err := o.g.Flow(ctx, hub, isg.ByID[agreement.FlowID]{ID: orig.ID})
	require.NoError(t, err)
	require.Equal(t, agreement.Signed, signed.State)
	assert.Contains(t, signed.Next, agreement.TriggerVary, "a signed flow is varied")

	first, err := o.g.VaryFlow(ctx, hub, isg.ByID[agreement.FlowID]{ID: orig.ID})
	require.NoError(t, err)
	second, err := o.g.VaryFlow(ctx, hub, isg.ByID[agreement.FlowID]{ID: orig.ID})
	require.NoError(t, err, "several variations may be drafted at once")

	err = isg.AfterSigned(ctx, o.g, hub, first.ID)
	assert.Equal(t, agreement.CodeVariationNotSigned, isg.ErrorCode(err), "a draft variation does not take effect")
	require.NoError(t, isg.AfterSigned(ctx, o.g, hub, orig.ID), "an original is no variation: nothing follows")

	for _, id := range []agreement.FlowID{first.ID, second.ID} {
		_, err = o.g.FinaliseFlow(ctx, hub, isg.ByID[agreement.FlowID]{ID: id})
		require.NoError(t, err)
		require.NoError(t, isg.MarkSigned(ctx, o.g, hub, id))
	}
	rAdmin := o.at(o.rAdmin, o.recipient)
	require.NoError(t, isg.AfterSigned(ctx, o.g, rAdmin, first.ID))
	got, err := o.g.Flow(ctx, hub, isg.ByID[agreement.FlowID]{ID: orig.ID})
	require.NoError(t, err)
	assert.Equal(t, agreement.Superseded, got.State)
	assert.Equal(t, first.ID, got.SupersededBy)
	assert.Equal(t, []agreement.Trigger{agreement.TriggerArchive}, got.Next, "a superseded flow is only archived (LIFE-2)")
	n := o.notifications(o.rAdmin)
	assert.Equal(t, string(agreement.EventSuperseded), n[len(n)-1].Type)
	assert.Equal(t, first.ID.String(), n[len(n)-1].Data["superseded_by"])
	log, err := o.g.FlowLog(ctx, hub, isg.ByID[agreement.FlowID]{ID: orig.ID})
	require.NoError(t, err)
	assert.True(t, log.Verified, log.Problem)
	lastEntry := log.Entries[len(log.Entries)-1]
	assert.Equal(t, o.rAdmin, lastEntry.User, "logged in the name of the signer who completed the variation")

	err = isg.AfterSigned(ctx, o.g, hub, second.ID)
	assert.Equal(t, agreement.CodeAlreadySuperseded, isg.ErrorCode(err), "the first signed variation took effect")
	_, err = o.g.VaryFlow(ctx, hub, isg.ByID[agreement.FlowID]{ID: orig.ID})
	assert.Equal(t, "flow.invalid_transition", isg.ErrorCode(err), "vary the variation in force instead")
	_, err = o.g.VaryFlow(ctx, hub, isg.ByID[agreement.FlowID]{ID: first.ID})
	assert.NoError(t, err)
}

// TestAfterSignedNeedsEveryPartyOfTheOriginal: SIGN-6 — a party added to the original after the
// variation was made (FLOW-12) has not signed the variation, so it cannot supersede the original.
func TestAfterSignedNeedsEveryPartyOfTheOriginal(t *testing.T) {
	o := newOnwardWorld(t, newWorld(t))
	hub := o.at(o.hAdmin, o.hub)
	orig := o.finalised(t)
	v, err := o.g.VaryFlow(ctx, hub, isg.ByID[agreement.FlowID]{ID: orig.ID})
	require.NoError(t, err)
	_, err = o.g.SaveSummary(ctx, hub, isg.SummaryInput{ID: o.s2, SummaryTerms: summaryTerms(o.hub, o.recipient, o.outsider)})
	require.NoError(t, err)
	_, err = o.g.AddParty(ctx, hub, isg.AddPartyInput{Flow: orig.ID, Org: o.outsider, Side: agreement.SideTo})
	require.NoError(t, err)
	_, err = o.g.FinaliseFlow(ctx, hub, isg.ByID[agreement.FlowID]{ID: v.ID})
	require.NoError(t, err)
	require.NoError(t, isg.MarkSigned(ctx, o.g, hub, v.ID))
	err = isg.AfterSigned(ctx, o.g, hub, v.ID)
	assert.Equal(t, agreement.CodeVariationDropsParty, isg.ErrorCode(err))
	got, err := o.g.Flow(ctx, hub, isg.ByID[agreement.FlowID]{ID: orig.ID})
	require.NoError(t, err)
	assert.Equal(t, agreement.Finalised, got.State, "nothing was saved")
}

// TestInterleavedVariationsSupersedeOnce: SIGN-6 — two variations of one original completing
// their signatures at once: the one that superseded the original before the other committed wins;
// the other, retried on fresh state, is refused. The pause is the first notification listing of
// the supersession, after the original was written and before the unit committed.
func TestInterleavedVariationsSupersedeOnce(t *testing.T) {
	onEachStore(t, true, func(t *testing.T, w *world, p *pausingStore) {
		o := newOnwardWorld(t, w)
		hub := o.at(o.hAdmin, o.hub)
		orig := o.finalised(t)
		var vs []agreement.FlowID
		for range 2 {
			v, err := o.g.VaryFlow(ctx, hub, isg.ByID[agreement.FlowID]{ID: orig.ID})
			require.NoError(t, err)
			_, err = o.g.FinaliseFlow(ctx, hub, isg.ByID[agreement.FlowID]{ID: v.ID})
			require.NoError(t, err)
			require.NoError(t, isg.MarkSigned(ctx, o.g, hub, v.ID))
			vs = append(vs, v.ID)
		}
		errFirst, errSecond := interleave(t, p, "user", "role",
			func() error { return isg.AfterSigned(ctx, o.g, hub, vs[0]) },
			func() error { return isg.AfterSigned(ctx, o.g, hub, vs[1]) })
		require.NoError(t, errSecond)
		assert.Equal(t, agreement.CodeAlreadySuperseded, isg.ErrorCode(errFirst))
		got, err := o.g.Flow(ctx, hub, isg.ByID[agreement.FlowID]{ID: orig.ID})
		require.NoError(t, err)
		assert.Equal(t, vs[1], got.SupersededBy, "superseded once, by the variation that committed first")
		log, err := o.g.FlowLog(ctx, hub, isg.ByID[agreement.FlowID]{ID: orig.ID})
		require.NoError(t, err)
		assert.True(t, log.Verified, log.Problem)
	})
}

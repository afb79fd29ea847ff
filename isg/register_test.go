package isg_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/scenario"
	"github.com/isgkit/gateway/storage/memory"
)

// regPerson is a user of the register fixture: what must never reach the public register.
type regPerson struct {
	id    isg.UserID
	name  string
	email string
}

// regWorld: North (sender), South and West (receivers), each with one user holding
// Administrator, Senior Officer and IG Officer; East, an outsider holding the same; Ivy, an IG
// Officer only at North. The summary's contacts and the flow's controls and transfer details
// name the users, as people do write, so that a leak of free text is caught.
type regWorld struct {
	t                    testing.TB
	g                    *isg.Gateway
	clock                *scenario.Clock
	north, south, west   isg.Actor
	east, ivy            isg.Actor
	summary              agreement.SummaryID
	flow                 agreement.FlowID
	people               []regPerson
	northOrg, southOrg   isg.OrgID
	westOrg, eastOrg     isg.OrgID
	summaryTermsForWorld agreement.SummaryTerms
}

func newRegWorld(t testing.TB, store isg.Store) *regWorld {
	t.Helper()
	clock := newClock()
	g, err := isg.New(store, cheapPasswords, isg.WithClock(clock))
	require.NoError(t, err)
	_, err = g.Bootstrap(ctx, isg.BootstrapInput{Email: "support@isg.nhs.uk", Name: "Support", Password: "Support#2026"})
	require.NoError(t, err)
	w := &regWorld{t: t, g: g, clock: clock}
	person := func(email, name string) isg.UserID {
		reg, err := g.Register(ctx, isg.RegisterInput{Email: email, Name: name, Password: "Passw0rd!"})
		require.NoError(t, err)
		_, err = g.VerifyEmail(ctx, isg.TokenInput{Token: reg.VerificationToken})
		require.NoError(t, err)
		w.people = append(w.people, regPerson{id: reg.Account.ID, name: name, email: email})
		return reg.Account.ID
	}
	org := func(email, name, orgName string) (isg.Actor, isg.OrgID) {
		u := person(email, name)
		o, err := g.RegisterOrganisation(ctx, isg.Actor{User: u}, isg.RegisterOrganisationInput{Name: orgName, Category: isg.CategoryLocalAuthority,
			Address: isg.Address{Line1: "1 High St", Town: "Leeds", Postcode: "LS1 1AA"}, ContactEmail: "ig@" + strings.Split(email, "@")[1]})
		require.NoError(t, err)
		_, err = g.SetRoles(ctx, isg.Actor{User: u, Org: o.ID}, isg.SetRolesInput{User: u, Roles: []isg.Role{isg.Administrator, isg.SeniorOfficer, isg.IGOfficer}})
		require.NoError(t, err)
		return isg.Actor{User: u, Org: o.ID}, o.ID
	}
	w.north, w.northOrg = org("annabel.northcott@north.gov.uk", "Annabel Northcott", "North Council")
	w.south, w.southOrg = org("barnaby.southey@south.nhs.uk", "Barnaby Southey", "South Trust")
	w.west, w.westOrg = org("cordelia.westwood@west.police.uk", "Cordelia Westwood", "West Police")
	w.east, w.eastOrg = org("dorian.eastman@east.gov.uk", "Dorian Eastman", "East Council")
	ivy := person("ivo.ingleby@north.gov.uk", "Ivo Ingleby")
	_, err = g.SetRoles(ctx, w.north, isg.SetRolesInput{User: ivy, Roles: []isg.Role{isg.IGOfficer}})
	require.NoError(t, err)
	w.ivy = isg.Actor{User: ivy, Org: w.northOrg}

	st := summaryTerms(w.northOrg, w.southOrg, w.westOrg)
	st.Title, st.DataAsset, st.Purpose = "Youth offending", "Monthly caseload counts", "Planning youth offending services"
	st.InformationShared = []agreement.InfoCategory{agreement.InfoAggregated}
	st.Contacts = []agreement.Contact{{Name: "Annabel Northcott", Email: "annabel.northcott@north.gov.uk", Role: "IG lead"},
		{Name: "Barnaby Southey", Email: "barnaby.southey@south.nhs.uk"}}
	w.summaryTermsForWorld = st
	s, err := g.SaveSummary(ctx, w.north, isg.SummaryInput{SummaryTerms: st})
	require.NoError(t, err)
	w.summary = s.ID
	w.flow = w.finalised(w.southOrg, w.westOrg)
	return w
}

// finalised is a flow from North to the receivers named, finalised (no personal data), whose
// free text names the fixture's users.
func (w *regWorld) finalised(to ...isg.OrgID) agreement.FlowID {
	w.t.Helper()
	terms := agreement.FlowTerms{Name: "Caseload counts", Parties: append([]isg.OrgID{w.northOrg}, to...), Direction: agreement.OneWay,
		From: []isg.OrgID{w.northOrg}, To: to, Frequency: agreement.Monthly, TransferMode: agreement.SFTP,
		TransferDetails: "Keys from annabel.northcott@north.gov.uk; Cordelia Westwood holds the receiving account",
		Controls:        []string{"Aggregated counts only", "Barnaby Southey reviews access quarterly"},
		LegalBases:      []agreement.LegalBasis{{Basis: agreement.Art6PublicTask, Instrument: "Crime and Disorder Act 1998 s.115"}}}
	f, err := w.g.CreateFlow(ctx, w.north, isg.CreateFlowInput{Summary: w.summary, FlowTerms: terms})
	require.NoError(w.t, err)
	_, err = w.g.FinaliseFlow(ctx, w.north, isg.ByID[agreement.FlowID]{ID: f.ID})
	require.NoError(w.t, err)
	return f.ID
}

func (w *regWorld) consent(a isg.Actor, flow agreement.FlowID) error {
	_, err := w.g.ConsentToPublish(ctx, a, isg.ByID[agreement.FlowID]{ID: flow})
	return err
}

func (w *regWorld) publishAll(flow agreement.FlowID, parties ...isg.Actor) {
	w.t.Helper()
	for _, a := range parties {
		require.NoError(w.t, w.consent(a, flow))
	}
}

// published reports whether flow is on the register, by both reads, and checks they agree.
func (w *regWorld) published(flow agreement.FlowID) bool {
	w.t.Helper()
	_, err := w.g.RegisterEntry(ctx, flow)
	if err != nil {
		require.Equal(w.t, "register_entry.not_found", isg.ErrorCode(err), "%v", err)
	}
	l, lerr := w.g.PublicRegister(ctx, isg.ListPage{})
	require.NoError(w.t, lerr)
	listed := false
	for _, e := range l.Items {
		listed = listed || e.Flow == flow
	}
	assert.Equal(w.t, err == nil, listed, "register.get and register.list agree")
	assert.Equal(w.t, len(l.Items), l.Total)
	return err == nil
}

func (w *regWorld) notifications(a isg.Actor, typ agreement.EventType) int {
	w.t.Helper()
	ns, err := all(w.g.Notifications(ctx, isg.Actor{User: a.User}, isg.ListPage{Limit: 500}))
	require.NoError(w.t, err)
	n := 0
	for _, x := range ns {
		if x.Type == string(typ) {
			n++
		}
	}
	return n
}

// TestPublicRegisterNeedsEveryParty_EXIT3: a flow is published only when every party has
// agreed — with one missing nothing is published — and the last agreement publishes it, with
// what is shared, between whom, why, on which basis and until when.
func TestPublicRegisterNeedsEveryParty_EXIT3(t *testing.T) {
	w := newRegWorld(t, memory.New())
	require.NoError(t, w.consent(w.north, w.flow))
	w.clock.Advance(time.Hour)
	require.NoError(t, w.consent(w.south, w.flow))
	assert.False(t, w.published(w.flow), "West has not agreed")
	assert.Equal(t, "register.already_agreed", isg.ErrorCode(w.consent(w.south, w.flow)))

	w.clock.Advance(time.Hour)
	require.NoError(t, w.consent(w.west, w.flow))
	require.True(t, w.published(w.flow), "the last party's agreement publishes it")
	e, err := w.g.RegisterEntry(ctx, w.flow)
	require.NoError(t, err)
	assert.Equal(t, w.flow, e.Flow)
	assert.Equal(t, "Caseload counts", e.Title)
	assert.Equal(t, "Youth offending", e.Agreement)
	assert.Equal(t, "Monthly caseload counts", e.DataAsset)
	assert.Equal(t, []agreement.InfoCategory{agreement.InfoAggregated}, e.Categories)
	assert.Equal(t, "Planning youth offending services", e.Purpose)
	assert.Equal(t, []agreement.RegisterBasis{{Basis: agreement.Art6PublicTask, Citation: agreement.Art6PublicTask.Citation(), Instrument: "Crime and Disorder Act 1998 s.115"}}, e.LegalBases)
	assert.Equal(t, []agreement.RegisterParty{{Org: w.northOrg, Name: "North Council", Sends: true}, {Org: w.southOrg, Name: "South Trust", Receives: true},
		{Org: w.westOrg, Name: "West Police", Receives: true}}, e.Parties)
	assert.Equal(t, agreement.Finalised, e.State)
	assert.Equal(t, t0, e.InForceFrom)
	assert.Equal(t, t0.AddDate(1, 0, 0), e.ReviewDue, "the summary's review, a year on")
	assert.Equal(t, t0.Add(2*time.Hour), e.PublishedAt, "when the last party agreed")
	assert.Equal(t, 1, w.notifications(w.south, agreement.EventPublished), "every party is told once")

	// A withdrawal takes it off; agreeing again puts it back.
	_, err = w.g.WithdrawPublication(ctx, w.south, isg.ByID[agreement.FlowID]{ID: w.flow})
	require.NoError(t, err)
	assert.False(t, w.published(w.flow))
	_, err = w.g.WithdrawPublication(ctx, w.south, isg.ByID[agreement.FlowID]{ID: w.flow})
	assert.Equal(t, "register.not_agreed", isg.ErrorCode(err))
	require.NoError(t, w.consent(w.south, w.flow))
	assert.True(t, w.published(w.flow))
}

// TestPublicRegisterFollowsItsSources_EXIT3: the entry shows the summary's and the
// organisations' current words — an edit of either is on the register at once — and signing the
// flow shows it signed.
func TestPublicRegisterFollowsItsSources_EXIT3(t *testing.T) {
	w := newRegWorld(t, memory.New())
	w.publishAll(w.flow, w.north, w.south, w.west)
	st := w.summaryTermsForWorld
	st.Purpose = "Planning and commissioning youth offending services"
	_, err := w.g.SaveSummary(ctx, w.north, isg.SummaryInput{ID: w.summary, SummaryTerms: st})
	require.NoError(t, err)
	name := "West Yorkshire Police"
	_, err = w.g.UpdateOrganisation(ctx, w.west, isg.UpdateOrganisationInput{Name: &name})
	require.NoError(t, err)
	e, err := w.g.RegisterEntry(ctx, w.flow)
	require.NoError(t, err)
	assert.Equal(t, st.Purpose, e.Purpose)
	assert.Equal(t, name, e.Parties[2].Name)

	_, err = w.g.RequestSignOff(ctx, w.north, isg.FlowStep[agreement.SignOffInput]{Flow: w.flow, Input: agreement.SignOffInput{
		Signers: []agreement.Signer{{User: w.north.User, Org: w.northOrg}, {User: w.south.User, Org: w.southOrg}, {User: w.west.User, Org: w.westOrg}}}})
	require.NoError(t, err)
	for _, a := range []isg.Actor{w.north, w.south, w.west} {
		_, err = w.g.SignFlow(ctx, a, isg.ByID[agreement.FlowID]{ID: w.flow})
		require.NoError(t, err)
	}
	e, err = w.g.RegisterEntry(ctx, w.flow)
	require.NoError(t, err)
	assert.Equal(t, agreement.Signed, e.State)
}

// TestPublicRegisterRefusesOutsiders_EXIT3_SUM3: an organisation not party to the flow, holding
// every role the row asks, cannot agree or withdraw: it gets exactly what an unknown flow ID gets.
// A party's IG Officer is refused by the row; the creating organisation's, by its own
// flow.not_party when it is no party.
func TestPublicRegisterRefusesOutsiders_EXIT3_SUM3(t *testing.T) {
	w := newRegWorld(t, memory.New())
	unknown := agreement.FlowID{UUID: uuid.Must(uuid.NewV7())}
	for _, cmd := range []string{"register.consent", "register.withdraw"} {
		raw := func(id agreement.FlowID) json.RawMessage { return json.RawMessage(`{"id":"` + id.String() + `"}`) }
		_, seen := w.g.Dispatch(ctx, cmd, w.east, raw(w.flow))
		_, none := w.g.Dispatch(ctx, cmd, w.east, raw(unknown))
		require.Error(t, seen)
		assert.Equal(t, "flow.not_found", isg.ErrorCode(seen), cmd)
		assert.Equal(t, strings.ReplaceAll(errJSON(t, none), unknown.String(), "ID"), strings.ReplaceAll(errJSON(t, seen), w.flow.String(), "ID"), cmd)
		_, err := w.g.Dispatch(ctx, cmd, w.ivy, raw(w.flow))
		assert.Equal(t, "forbidden", isg.ErrorCode(err), "%s: an IG Officer does not decide publication", cmd)
	}
	_, err := w.g.Dispatch(ctx, "register.consent", isg.Actor{}, json.RawMessage(`{"id":"`+w.flow.String()+`"}`))
	assert.Equal(t, "forbidden", isg.ErrorCode(err), "agreeing needs an actor")
	f, err := w.g.Flow(ctx, w.north, isg.ByID[agreement.FlowID]{ID: w.flow})
	require.NoError(t, err)
	assert.Empty(t, f.Publication, "nothing was recorded")
	// The same unknown and unpublished answer on the read side.
	_, none := w.g.RegisterEntry(ctx, unknown)
	_, unpublished := w.g.RegisterEntry(ctx, w.flow)
	assert.Equal(t, strings.ReplaceAll(errJSON(t, none), unknown.String(), "ID"), strings.ReplaceAll(errJSON(t, unpublished), w.flow.String(), "ID"))
}

// TestRegisterLeavesWhenTheFlowEnds_EXIT3: a published flow leaves the register when it is
// terminated (the last partner leaving by notice), archived, or superseded by a signed variation
// — which is published in its place once its own parties agree — and when its parties change
// (a party added: every party agrees again).
func TestRegisterLeavesWhenTheFlowEnds_EXIT3(t *testing.T) {
	t.Run("terminated", func(t *testing.T) {
		w := newRegWorld(t, memory.New())
		flow := w.finalised(w.southOrg)
		w.publishAll(flow, w.north, w.south)
		require.True(t, w.published(flow))
		_, err := w.g.GiveNotice(ctx, w.south, isg.FlowStep[agreement.NoticeInput]{Flow: flow, Input: agreement.NoticeInput{Reason: "Service ends"}})
		require.NoError(t, err)
		v, err := w.g.ApproveNotice(ctx, w.north, isg.FlowStep[agreement.NoticeAnswerInput]{Flow: flow, Input: agreement.NoticeAnswerInput{Org: w.southOrg}})
		require.NoError(t, err)
		require.Equal(t, agreement.Terminated, v.State)
		assert.False(t, w.published(flow))
	})
	t.Run("archived", func(t *testing.T) {
		w := newRegWorld(t, memory.New())
		w.publishAll(w.flow, w.north, w.south, w.west)
		v, err := w.g.ArchiveFlow(ctx, w.north, isg.FlowStep[agreement.ArchiveInput]{Flow: w.flow, Input: agreement.ArchiveInput{Reason: "No longer needed", RetainUntil: t0.AddDate(6, 0, 0)}})
		require.NoError(t, err)
		require.Equal(t, agreement.Archived, v.State)
		assert.False(t, w.published(w.flow))
		assert.Equal(t, "register.not_in_force", isg.ErrorCode(w.consent(w.north, w.flow)), "nor can it be published again")
	})
	t.Run("superseded", func(t *testing.T) {
		w := newRegWorld(t, memory.New())
		w.publishAll(w.flow, w.north, w.south, w.west)
		variation, err := w.g.VaryFlow(ctx, w.north, isg.ByID[agreement.FlowID]{ID: w.flow})
		require.NoError(t, err)
		assert.Empty(t, variation.Publication, "a variation starts with no agreement to publish")
		_, err = w.g.FinaliseFlow(ctx, w.north, isg.ByID[agreement.FlowID]{ID: variation.ID})
		require.NoError(t, err)
		_, err = w.g.RequestSignOff(ctx, w.north, isg.FlowStep[agreement.SignOffInput]{Flow: variation.ID, Input: agreement.SignOffInput{
			Signers: []agreement.Signer{{User: w.north.User, Org: w.northOrg}, {User: w.south.User, Org: w.southOrg}, {User: w.west.User, Org: w.westOrg}}}})
		require.NoError(t, err)
		for i, a := range []isg.Actor{w.north, w.south, w.west} {
			require.True(t, w.published(w.flow), "the original stays on the register until the variation is signed by all (%d)", i)
			_, err = w.g.SignFlow(ctx, a, isg.ByID[agreement.FlowID]{ID: variation.ID})
			require.NoError(t, err)
		}
		original, err := w.g.Flow(ctx, w.north, isg.ByID[agreement.FlowID]{ID: w.flow})
		require.NoError(t, err)
		require.Equal(t, agreement.Superseded, original.State)
		assert.False(t, w.published(w.flow), "the superseded original leaves the register")
		w.publishAll(variation.ID, w.north, w.south, w.west)
		e, err := w.g.RegisterEntry(ctx, variation.ID)
		require.NoError(t, err)
		assert.Equal(t, w.flow, e.VariationOf, "the variation is published in its place")
		assert.Equal(t, agreement.Signed, e.State)
	})
	t.Run("party added", func(t *testing.T) {
		w := newRegWorld(t, memory.New())
		flow := w.finalised(w.southOrg)
		w.publishAll(flow, w.north, w.south)
		require.True(t, w.published(flow))
		_, err := w.g.AddParty(ctx, w.north, isg.AddPartyInput{Flow: flow, Org: w.westOrg, Side: agreement.SideTo})
		require.NoError(t, err)
		assert.False(t, w.published(flow), "West has not agreed")
		require.NoError(t, w.consent(w.west, flow))
		assert.False(t, w.published(flow), "North and South agreed to publish a sharing between the two of them only")
		w.publishAll(flow, w.north, w.south)
		e, err := w.g.RegisterEntry(ctx, flow)
		require.NoError(t, err)
		assert.Len(t, e.Parties, 3)
	})
}

// TestRegisterHoldsNoPersonalData_EXIT3: every field the register publishes — by the Go reads,
// and by register.list and register.get through Dispatch with no actor — is scanned for the
// fixture's users' IDs, names and e-mail addresses, after the flow was reviewed, signed and
// agreed by named users whose names the flow's free text and the summary's contacts carry. The
// entry's type holds no user ID field at all.
func TestRegisterHoldsNoPersonalData_EXIT3(t *testing.T) {
	w := newRegWorld(t, memory.New())
	_, err := w.g.RequestSignOff(ctx, w.north, isg.FlowStep[agreement.SignOffInput]{Flow: w.flow, Input: agreement.SignOffInput{
		Signers:  []agreement.Signer{{User: w.north.User, Org: w.northOrg}, {User: w.south.User, Org: w.southOrg}, {User: w.west.User, Org: w.westOrg}},
		Comments: "Annabel Northcott asks you to sign by Friday"}})
	require.NoError(t, err)
	for _, a := range []isg.Actor{w.north, w.south, w.west} {
		_, err = w.g.SignFlow(ctx, a, isg.ByID[agreement.FlowID]{ID: w.flow})
		require.NoError(t, err)
	}
	w.publishAll(w.flow, w.north, w.south, w.west)
	f, err := w.g.Flow(ctx, w.north, isg.ByID[agreement.FlowID]{ID: w.flow})
	require.NoError(t, err)
	require.Equal(t, agreement.Signed, f.State)
	require.Len(t, f.Publication, 3, "the consents name their users on the flow, which only its parties see")
	report, err := w.g.VerifySignatures(ctx, w.north, isg.ByID[agreement.FlowID]{ID: w.flow})
	require.NoError(t, err)
	assert.True(t, report.Valid, "agreeing to publish changes no signed term")
	log, err := w.g.FlowLog(ctx, w.north, isg.ByID[agreement.FlowID]{ID: w.flow})
	require.NoError(t, err)
	assert.True(t, log.Verified, "each agreement is logged and the log verifies (LOG-1, LOG-3): %s", log.Problem)
	logged := false
	for _, e := range log.Entries {
		logged = logged || strings.HasPrefix(e.Field, "publication")
	}
	assert.True(t, logged, "the agreements are in the flow's log")

	e, err := w.g.RegisterEntry(ctx, w.flow)
	require.NoError(t, err)
	var values []string
	collectStrings(reflect.ValueOf(e), "entry", func(path, s string) { values = append(values, path+"="+s) })
	require.NotEmpty(t, values)
	for _, read := range []struct {
		cmd string
		in  string
	}{{"register.get", `{"id":"` + w.flow.String() + `"}`}, {"register.list", `{}`}} {
		out, err := w.g.Dispatch(ctx, read.cmd, isg.Actor{}, json.RawMessage(read.in))
		require.NoError(t, err, "anyone reads the register: no actor")
		b, err := json.Marshal(out)
		require.NoError(t, err)
		require.Contains(t, string(b), w.flow.String())
		values = append(values, read.cmd+" JSON="+string(b))
	}
	for _, v := range values {
		low := strings.ToLower(v)
		for _, p := range w.people {
			for _, secret := range []string{p.id.String(), strings.ToLower(p.name), strings.ToLower(p.email)} {
				assert.NotContains(t, low, secret, "the register publishes a user's data")
			}
			for _, part := range strings.Fields(strings.ToLower(p.name)) {
				assert.NotContains(t, low, part, "the register publishes part of a user's name")
			}
		}
	}
	assertNoUserField(t, reflect.TypeFor[agreement.RegisterEntry](), "RegisterEntry")
}

// collectStrings calls fn with every string reachable in v, and the text form of every value
// that writes its own (IDs, times).
func collectStrings(v reflect.Value, path string, fn func(path, s string)) {
	if s, ok := v.Interface().(interface{ String() string }); ok && v.Kind() != reflect.String {
		fn(path, s.String())
	}
	switch v.Kind() {
	case reflect.String:
		fn(path, v.String())
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				collectStrings(v.Field(i), path+"."+v.Type().Field(i).Name, fn)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			collectStrings(v.Index(i), path+"[]", fn)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			collectStrings(k, path+"{}", fn)
			collectStrings(v.MapIndex(k), path+"{}", fn)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			collectStrings(v.Elem(), path, fn)
		}
	}
}

// assertNoUserField fails for any field of t, however deep, that holds a user's ID.
func assertNoUserField(t *testing.T, typ reflect.Type, path string) {
	t.Helper()
	user := reflect.TypeFor[isg.UserID]()
	switch typ.Kind() {
	case reflect.Struct:
		if typ == user {
			t.Errorf("%s holds a user ID", path)
			return
		}
		if typ == reflect.TypeFor[time.Time]() {
			return
		}
		for i := range typ.NumField() {
			assertNoUserField(t, typ.Field(i).Type, path+"."+typ.Field(i).Name)
		}
	case reflect.Slice, reflect.Array, reflect.Pointer:
		assertNoUserField(t, typ.Elem(), path+"[]")
	case reflect.Map:
		assertNoUserField(t, typ.Key(), path+"{key}")
		assertNoUserField(t, typ.Elem(), path+"{}")
	}
}

// TestRegisterReadsNeedNoAccount_EXIT3: register.list and register.get run through Dispatch with
// a zero Actor, and are declared for anyone; an actor's call reads the same.
func TestRegisterReadsNeedNoAccount_EXIT3(t *testing.T) {
	w := newRegWorld(t, memory.New())
	w.publishAll(w.flow, w.north, w.south, w.west)
	for _, c := range isg.Commands() {
		if c.Name == "register.list" || c.Name == "register.get" {
			assert.Equal(t, "anyone", c.Reach, c.Name)
			assert.True(t, c.Query, c.Name)
		}
	}
	out, err := w.g.Dispatch(ctx, "register.list", isg.Actor{}, json.RawMessage(`{"limit": 10}`))
	require.NoError(t, err)
	l, ok := out.(isg.Listing[agreement.RegisterEntry])
	require.True(t, ok, "%T", out)
	require.Equal(t, 1, l.Total)
	assert.Equal(t, w.flow, l.Items[0].Flow)
	out, err = w.g.Dispatch(ctx, "register.get", isg.Actor{}, json.RawMessage(`{"id":"`+w.flow.String()+`"}`))
	require.NoError(t, err)
	assert.Equal(t, l.Items[0], out)
	outsider, err := w.g.Dispatch(ctx, "register.get", w.east, json.RawMessage(`{"id":"`+w.flow.String()+`"}`))
	require.NoError(t, err)
	assert.Equal(t, out, outsider, "the register is the same for everyone")
	_, err = w.g.Dispatch(ctx, "register.list", isg.Actor{}, json.RawMessage(`{"limit": 501}`))
	assert.Equal(t, "invalid_input", isg.ErrorCode(err))
}

// TestInterleavedLastConsentsPublishOnce_EXIT3: South and West, the last two parties, agree at
// once. South's agreement pauses as it notifies, its flow write staged while it still saw West's
// agreement missing; West's commits. South's commit then conflicts, and its retry finds West's
// agreement and publishes: once, with both agreements, the entry written once and every party
// told once.
func TestInterleavedLastConsentsPublishOnce_EXIT3(t *testing.T) {
	for _, st := range interleaveStores {
		t.Run(st.name, func(t *testing.T) {
			p := &pausingStore{Store: st.open(t)}
			w := newRegWorld(t, p)
			require.NoError(t, w.consent(w.north, w.flow))
			errSouth, errWest := interleave(t, p, "user", "role",
				func() error { return w.consent(w.south, w.flow) },
				func() error { return w.consent(w.west, w.flow) })
			require.NoError(t, errWest)
			require.NoError(t, errSouth)
			f, err := w.g.Flow(ctx, w.north, isg.ByID[agreement.FlowID]{ID: w.flow})
			require.NoError(t, err)
			orgs := []isg.OrgID{}
			for _, c := range f.Publication {
				orgs = append(orgs, c.Org)
			}
			assert.ElementsMatch(t, []isg.OrgID{w.northOrg, w.southOrg, w.westOrg}, orgs, "both agreements kept")
			require.True(t, w.published(w.flow))
			var version int64
			require.NoError(t, p.Store.View(ctx, func(tx isg.Tx) error {
				r, err := tx.Get(ctx, "register_entry", w.flow.String())
				version = r.Version
				return err
			}))
			assert.Equal(t, int64(1), version, "the entry was written once")
			for _, a := range []isg.Actor{w.north, w.south, w.west} {
				assert.Equal(t, 1, w.notifications(a, agreement.EventPublished), "told once")
			}
		})
	}
}

// TestInterleavedTerminationRacesConsent_EXIT3: the last agreement and the termination of a
// two-party flow race, in both orders. Whichever commits first, the other runs again on its
// result: the flow ends Terminated and off the register.
func TestInterleavedTerminationRacesConsent_EXIT3(t *testing.T) {
	for _, st := range interleaveStores {
		for _, consentFirst := range []bool{true, false} {
			name := st.name + "/termination_commits_first"
			if !consentFirst {
				name = st.name + "/consent_commits_first"
			}
			t.Run(name, func(t *testing.T) {
				p := &pausingStore{Store: st.open(t)}
				w := newRegWorld(t, p)
				flow := w.finalised(w.southOrg)
				require.NoError(t, w.consent(w.north, flow))
				_, err := w.g.GiveNotice(ctx, w.south, isg.FlowStep[agreement.NoticeInput]{Flow: flow, Input: agreement.NoticeInput{Reason: "Service ends"}})
				require.NoError(t, err)
				consent := func() error { return w.consent(w.south, flow) }
				terminate := func() error {
					_, err := w.g.ApproveNotice(ctx, w.north, isg.FlowStep[agreement.NoticeAnswerInput]{Flow: flow, Input: agreement.NoticeAnswerInput{Org: w.southOrg}})
					return err
				}
				if consentFirst {
					// South's agreement, publishing, pauses with its writes staged; the
					// termination commits; South's retry finds it no longer a party.
					errConsent, errTerm := interleave(t, p, "user", "role", consent, terminate)
					require.NoError(t, errTerm)
					assert.Equal(t, "flow.not_found", isg.ErrorCode(errConsent), "South has left the flow: %v", errConsent)
				} else {
					// The termination pauses; South's agreement publishes and commits; the
					// termination's retry takes the flow off the register.
					errTerm, errConsent := interleave(t, p, "user", "role", terminate, consent)
					require.NoError(t, errConsent)
					require.NoError(t, errTerm)
				}
				f, err := w.g.Flow(ctx, w.north, isg.ByID[agreement.FlowID]{ID: flow})
				require.NoError(t, err)
				assert.Equal(t, agreement.Terminated, f.State)
				assert.False(t, w.published(flow))
			})
		}
	}
}

// BenchmarkPublicRegisterPage_EXIT3 reads one page of 50 entries of a register of 200, with no
// account.
func BenchmarkPublicRegisterPage_EXIT3(b *testing.B) {
	w := newRegWorld(b, memory.New())
	for range 200 {
		f := w.finalised(w.southOrg, w.westOrg)
		w.publishAll(f, w.north, w.south, w.west)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		l, err := w.g.PublicRegister(ctx, isg.ListPage{Limit: 50})
		if err != nil || len(l.Items) != 50 {
			b.Fatal(err, len(l.Items))
		}
	}
}

// BenchmarkConsentToPublish_EXIT3 is the last party's agreement, publishing the entry.
func BenchmarkConsentToPublish_EXIT3(b *testing.B) {
	w := newRegWorld(b, memory.New())
	b.ReportAllocs()
	for range b.N {
		b.StopTimer()
		f := w.finalised(w.southOrg)
		w.publishAll(f, w.north)
		b.StartTimer()
		if err := w.consent(w.south, f); err != nil {
			b.Fatal(err)
		}
	}
}

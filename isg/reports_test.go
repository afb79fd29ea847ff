package isg_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/report"
	"github.com/isgkit/gateway/storage/memory"
)

// reportWorld is the multi-organisation fixture of the report tests: North (licensed) shares
// ASB counts with South, drawing on North's asset, and exchanges housing referrals both ways with
// East; South shares "Hidden intelligence" with East in North's own summary, naming North's asset
// too; South and East have a summary of their own. North sees two flows and one summary.
type reportWorld struct {
	*world
	a, b, c            isg.UserID // the Administrators of North, South, East
	dpo                isg.UserID // North's DPO, its weakest role for reports
	north, south, east isg.OrgID
	asset, eastAsset   isg.AssetID
	asb, housing       agreement.FlowID
	hidden             agreement.FlowID
}

func newReportWorld(t *testing.T) *reportWorld {
	t.Helper()
	return buildReportWorld(t, newWorld(t))
}

// worldOn is newWorld over the store s.
func worldOn(t *testing.T, s isg.Store, opts ...isg.Option) *world {
	t.Helper()
	g, err := isg.New(s, append([]isg.Option{cheapPasswords}, opts...)...)
	require.NoError(t, err)
	ca, err := g.Bootstrap(ctx, isg.BootstrapInput{Email: "support@isg.nhs.uk", Name: "Support", Password: "Support#2026"})
	require.NoError(t, err)
	return &world{t: t, g: g, ca: ca.ID}
}

func buildReportWorld(t *testing.T, base *world) *reportWorld {
	t.Helper()
	w := &reportWorld{world: base}
	w.a, w.b, w.c, w.north, w.south, w.east = w.threeOrgs()
	w.dpo = w.user("dpo@north.gov.uk")
	w.grant(w.a, w.north, w.dpo, isg.DPO)
	w.grant(w.b, w.south, w.b, isg.Administrator, isg.SeniorOfficer) // South's signatory
	w.licensed(w.north)
	na, sa, ea := isg.Actor{User: w.a, Org: w.north}, isg.Actor{User: w.b, Org: w.south}, isg.Actor{User: w.c, Org: w.east}
	asset := func(actor isg.Actor, name string) isg.AssetID {
		a, err := w.g.SaveAsset(ctx, actor, isg.AssetInput{Name: name, Location: "HQ", Owner: "IAO", Kinds: []isg.DataKind{isg.DataPersonal},
			DataSubjects: "residents", Format: "electronic"})
		require.NoError(t, err)
		return a.ID
	}
	w.asset, w.eastAsset = asset(na, "ASB case system"), asset(ea, "East housing records")
	s, err := w.g.SaveSummary(ctx, na, isg.SummaryInput{SummaryTerms: summaryTerms(w.north, w.south, w.east)})
	require.NoError(t, err)
	_, err = w.g.SaveSummary(ctx, sa, isg.SummaryInput{SummaryTerms: summaryTerms(w.south, w.east)})
	require.NoError(t, err)
	create := func(actor isg.Actor, name string, from, to isg.OrgID, assets ...isg.AssetID) agreement.FlowID {
		terms := flowTerms(from, to)
		terms.Name, terms.PersonalData, terms.LegalBases = name, false, nil
		for _, a := range assets {
			terms.Assets = append(terms.Assets, a.UUID)
		}
		f, err := w.g.CreateFlow(ctx, actor, isg.CreateFlowInput{Summary: s.ID, FlowTerms: terms})
		require.NoError(t, err)
		return f.ID
	}
	w.asb = create(na, "ASB counts", w.north, w.south, w.asset)
	_, err = w.g.FinaliseFlow(ctx, na, isg.ByID[agreement.FlowID]{ID: w.asb})
	require.NoError(t, err)
	_, err = w.g.RequestSignOff(ctx, na, isg.FlowStep[agreement.SignOffInput]{Flow: w.asb, Input: agreement.SignOffInput{
		Signers: []agreement.Signer{{User: w.b, Org: w.south}}, SignBy: w.g.Now().AddDate(0, 0, 7)}})
	require.NoError(t, err)
	w.housing = create(ea, "Housing referrals", w.east, w.north)
	w.hidden = create(sa, "Hidden intelligence", w.south, w.east, w.asset)
	_, err = w.g.FinaliseFlow(ctx, sa, isg.ByID[agreement.FlowID]{ID: w.hidden})
	require.NoError(t, err)
	return w
}

func (w *reportWorld) northAdmin() isg.Actor { return isg.Actor{User: w.a, Org: w.north} }

// everyReport runs each report command through Dispatch as actor and returns the JSON results,
// or the first error.
func everyReport(g *isg.Gateway, actor isg.Actor, asset isg.AssetID) (map[string]string, error) {
	out := map[string]string{}
	for name, in := range map[string]any{
		"report.asset_sharing": isg.AssetSharingInput{ID: asset}, "report.sharing_map": struct{}{}, "report.flows_by_status": struct{}{},
		"report.reviews_due": isg.ReviewsDueInput{DueBy: g.Now().AddDate(2, 0, 0)}, "report.outstanding_signatures": struct{}{},
		"report.partner_assurance": struct{}{},
	} {
		raw, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		res, err := g.Dispatch(ctx, name, actor, raw)
		if err != nil {
			return nil, err
		}
		j, err := json.Marshal(res)
		if err != nil {
			return nil, err
		}
		out[name] = string(j)
	}
	return out, nil
}

// TestReportsShowOnlyWhatTheOrganisationSees_EXIT1_SUM3: each report of North lists and counts
// its two flows and one summary; the flow between South and East — in North's summary, naming
// North's asset — and their own summary are in no row and no total.
func TestReportsShowOnlyWhatTheOrganisationSees_EXIT1_SUM3(t *testing.T) {
	w := newReportWorld(t)
	actor := isg.Actor{User: w.dpo, Org: w.north} // any role at North may

	as, err := w.g.AssetSharing(ctx, actor, isg.AssetSharingInput{ID: w.asset})
	require.NoError(t, err)
	assert.Equal(t, 1, as.Flows)
	assert.Equal(t, 1, as.Organisations)
	require.Len(t, as.Rows, 1)
	assert.Equal(t, w.asb, as.Rows[0].Flow)
	assert.Equal(t, w.south, as.Rows[0].Org)
	assert.Equal(t, "South", as.Rows[0].OrgName)
	assert.Equal(t, agreement.Finalised, as.Rows[0].Status)

	m, err := w.g.SharingMap(ctx, actor)
	require.NoError(t, err)
	assert.Equal(t, 2, m.Flows)
	assert.Equal(t, 2, m.Partners)
	var flows []agreement.FlowID
	for _, r := range m.Rows {
		flows = append(flows, r.Flow)
	}
	assert.Equal(t, []agreement.FlowID{w.asb, w.housing}, flows)
	assert.Equal(t, "North", m.OrgName)

	fs, err := w.g.FlowsByStatus(ctx, actor)
	require.NoError(t, err)
	assert.Equal(t, 2, fs.Total)
	for _, c := range fs.Counts {
		switch c.Status {
		case agreement.Draft, agreement.Finalised:
			assert.Equal(t, 1, c.Count, c.Status) // South's finalised flow is not counted
		default:
			assert.Zero(t, c.Count, c.Status)
		}
	}

	rd, err := w.g.ReviewsDue(ctx, actor, isg.ReviewsDueInput{DueBy: w.g.Now().AddDate(2, 0, 0)})
	require.NoError(t, err)
	assert.Equal(t, 1, rd.Total, "South and East's summary falls due too, but is not North's to see")
	none, err := w.g.ReviewsDue(ctx, actor, isg.ReviewsDueInput{})
	require.NoError(t, err)
	assert.Zero(t, none.Total, "nothing is due today")

	os, err := w.g.OutstandingSignatures(ctx, actor)
	require.NoError(t, err)
	assert.Equal(t, 2, os.Total, "North and South owe a signature on ASB counts; the hidden flow's two are not North's")
	assert.Equal(t, 1, os.Flows)
	for _, r := range os.Rows {
		assert.Equal(t, w.asb, r.Flow)
	}

	pa, err := w.g.PartnerAssurance(ctx, actor)
	require.NoError(t, err)
	assert.Equal(t, 2, pa.Total)

	all, err := everyReport(w.g, actor, w.asset)
	require.NoError(t, err)
	for name, j := range all {
		assert.NotContains(t, j, w.hidden.String(), name)
		assert.NotContains(t, j, "Hidden intelligence", name)
	}
}

// TestReportsRefuseUnlicensedAndOutsiders_EXIT1_LIC3_ROLE8: South (free model) is refused every
// report with licence.capability_denied, before its asset is looked up; a user with no role at
// North, and a call with no actor, are refused; nothing is written.
func TestReportsRefuseUnlicensedAndOutsiders_EXIT1_LIC3_ROLE8(t *testing.T) {
	w := newReportWorld(t)
	_, err := everyReport(w.g, isg.Actor{User: w.b, Org: w.south}, w.asset)
	var e *isg.Error
	require.ErrorAs(t, err, &e)
	assert.ErrorIs(t, err, isg.ErrLicence)
	assert.Equal(t, "licence.capability_denied", e.Code)
	assert.Equal(t, "LIC-3", e.Rule)
	for _, name := range []string{"report.asset_sharing", "report.sharing_map", "report.flows_by_status", "report.reviews_due",
		"report.outstanding_signatures", "report.partner_assurance"} {
		_, err := w.g.Dispatch(ctx, name, isg.Actor{User: w.c, Org: w.east}, json.RawMessage(`{"id":"`+w.eastAsset.String()+`"}`))
		if name != "report.asset_sharing" {
			_, err = w.g.Dispatch(ctx, name, isg.Actor{User: w.c, Org: w.east}, json.RawMessage(`{}`))
		}
		assert.Equal(t, "licence.capability_denied", isg.ErrorCode(err), name)

		_, err = w.g.Dispatch(ctx, name, isg.Actor{User: w.b, Org: w.north}, json.RawMessage(`{"id":"`+w.asset.String()+`"}`))
		if name != "report.asset_sharing" {
			_, err = w.g.Dispatch(ctx, name, isg.Actor{User: w.b, Org: w.north}, json.RawMessage(`{}`))
		}
		assert.Equal(t, "forbidden", isg.ErrorCode(err), "%s: South's administrator holds no role at North", name)
		_, err = w.g.Dispatch(ctx, name, isg.Actor{}, json.RawMessage(`{"id":"`+w.asset.String()+`"}`))
		if name != "report.asset_sharing" {
			_, err = w.g.Dispatch(ctx, name, isg.Actor{}, json.RawMessage(`{}`))
		}
		assert.ErrorIs(t, err, isg.ErrForbidden, name)
	}
}

// TestAssetReportHidesOtherOrganisationsAssets_EXIT1_ORG10: another organisation's asset, one
// its flows name, and an ID naming nothing get the very same refusal.
func TestAssetReportHidesOtherOrganisationsAssets_EXIT1_ORG10(t *testing.T) {
	w := newReportWorld(t)
	w.licensed(w.south)
	south := isg.Actor{User: w.b, Org: w.south}
	_, errOther := w.g.AssetSharing(ctx, south, isg.AssetSharingInput{ID: w.asset}) // named by South's own flow
	_, errUnknown := w.g.AssetSharing(ctx, south, isg.AssetSharingInput{ID: isg.AssetID{UUID: uuid.Must(uuid.NewV7())}})
	var a, b *isg.Error
	require.ErrorAs(t, errOther, &a)
	require.ErrorAs(t, errUnknown, &b)
	assert.ErrorIs(t, errOther, isg.ErrNotFound)
	assert.Equal(t, "information_asset.not_found", a.Code)
	assert.Equal(t, a.Code, b.Code)
	assert.Equal(t, a.Rule, b.Rule)
	assert.Equal(t, "no information_asset "+w.asset.String(), a.Message, "the same words, but for the ID asked")
	assert.True(t, strings.HasPrefix(b.Message, "no information_asset "))
	_, err := w.g.AssetSharing(ctx, south, isg.AssetSharingInput{})
	var fe *isg.Error
	require.ErrorAs(t, err, &fe, "no asset named: a field error, not a panic")
	assert.Equal(t, "invalid_input", fe.Code)
	assert.Equal(t, "id", fe.Fields[0].Field)
	assert.Equal(t, "EXIT-1", fe.Fields[0].Rule)

	// South, now licensed, sees its own flow drawing on North's asset in its sharing map, with
	// North's flow to it, but never the East–North housing flow.
	m, err := w.g.SharingMap(ctx, south)
	require.NoError(t, err)
	for _, r := range m.Rows {
		assert.NotEqual(t, w.housing, r.Flow)
	}
	assert.Equal(t, 2, m.Flows)
}

// TestReportCSVThroughTheGateway_EXIT1: the CSV of a report the Gateway built reads back with
// encoding/csv to the header and the rows of the Go value.
func TestReportCSVThroughTheGateway_EXIT1(t *testing.T) {
	w := newReportWorld(t)
	m, err := w.g.SharingMap(ctx, w.northAdmin())
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, m.WriteCSV(&b))
	rows, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	require.Equal(t, report.HeaderSharingMap, rows[0])
	require.Len(t, rows, 1+len(m.Rows))
	for i, r := range m.Rows {
		assert.Equal(t, []string{string(r.Direction), r.Partner.String(), r.PartnerName, r.Dataset, r.Flow.String(), string(r.Status)}, rows[i+1])
	}
	assert.Equal(t, []string{"sends", w.south.String(), "South", "ASB counts", w.asb.String(), "finalised"}, rows[1])
}

// recordingStore records every listing and read a unit makes, by kind and index key.
type recordingStore struct {
	isg.Store
	mu    sync.Mutex
	finds []string
	gets  map[isg.Kind]int
	// versions passes on the Views' isg.VersionFinder, recording its listings as "versions
	// kind key=value".
	versions bool
}

func (s *recordingStore) View(ctx context.Context, fn func(isg.Tx) error) error {
	return s.Store.View(ctx, func(tx isg.Tx) error {
		if vf, ok := tx.(isg.VersionFinder); ok && s.versions {
			return fn(recordingVersionsTx{recordingTx{Tx: tx, s: s}, vf})
		}
		return fn(recordingTx{Tx: tx, s: s})
	})
}

type recordingVersionsTx struct {
	recordingTx
	vf isg.VersionFinder
}

func (t recordingVersionsTx) FindVersions(ctx context.Context, kind isg.Kind, key isg.IndexKey, page isg.Page) ([]isg.RecordVersion, error) {
	t.s.mu.Lock()
	t.s.finds = append(t.s.finds, "versions "+string(kind)+" "+key.Name+"="+key.Value)
	t.s.mu.Unlock()
	return t.vf.FindVersions(ctx, kind, key, page)
}

// flowBodyFinds returns how many of the recorded listings read flow bodies, and forgets them.
func (s *recordingStore) flowBodyFinds() (bodies, versions int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.finds {
		switch {
		case strings.HasPrefix(f, "flow "):
			bodies++
		case strings.HasPrefix(f, "versions flow "):
			versions++
		}
	}
	s.finds = nil
	return bodies, versions
}

type recordingTx struct {
	isg.Tx
	s *recordingStore
}

func (t recordingTx) Find(ctx context.Context, kind isg.Kind, key isg.IndexKey, page isg.Page) ([]isg.Record, error) {
	t.s.mu.Lock()
	t.s.finds = append(t.s.finds, string(kind)+" "+key.Name+"="+key.Value)
	t.s.mu.Unlock()
	return t.Tx.Find(ctx, kind, key, page)
}

func (t recordingTx) Get(ctx context.Context, kind isg.Kind, id string) (isg.Record, error) {
	t.s.mu.Lock()
	t.s.gets[kind]++
	t.s.mu.Unlock()
	return t.Tx.Get(ctx, kind, id)
}

// TestReportsReadOnlyWhatNamesTheOrganisation_EXIT1: a report lists flows and summaries only
// through North's own visible key — never a whole kind, never another organisation's key — and
// reads no flow one at a time, so its cost follows what North sees.
func TestReportsReadOnlyWhatNamesTheOrganisation_EXIT1(t *testing.T) {
	rec := &recordingStore{Store: memory.New(), gets: map[isg.Kind]int{}}
	w := buildReportWorld(t, worldOn(t, rec))
	rec.mu.Lock()
	rec.finds, rec.gets = nil, map[isg.Kind]int{}
	rec.mu.Unlock()
	_, err := everyReport(w.g, w.northAdmin(), w.asset)
	require.NoError(t, err)
	require.NotEmpty(t, rec.finds, "the recording sees the reports' units")
	for _, f := range rec.finds {
		kind, k, _ := strings.Cut(f, " ")
		if kind == "flow" || kind == "summary" {
			assert.Equal(t, "visible="+w.north.String(), k, "a report listed %s", f)
		}
	}
	assert.Zero(t, rec.gets["flow"], "flows come from the listing, not one Get each")
	assert.Zero(t, rec.gets["summary"])
}

// TestReportsServeDecodedFlowsByVersion_EXIT1: on a store with isg.VersionFinder a report lists
// the versions of the flows North sees and, when it holds each decoded at that version, reads no
// body at all; a flow changed by another Gateway on the same store (another process: this one's
// cache knows nothing of it) is read again and shown as it now is, never as it was.
func TestReportsServeDecodedFlowsByVersion_EXIT1(t *testing.T) {
	rec := &recordingStore{Store: memory.New(), gets: map[isg.Kind]int{}, versions: true}
	w := buildReportWorld(t, worldOn(t, rec))
	names := func() []string {
		t.Helper()
		m, err := w.g.SharingMap(ctx, w.northAdmin())
		require.NoError(t, err)
		var out []string
		for _, r := range m.Rows {
			out = append(out, r.Dataset)
		}
		return out
	}
	names() // decodes whatever the commands did not leave decoded
	rec.flowBodyFinds()
	assert.ElementsMatch(t, []string{"ASB counts", "Housing referrals"}, names())
	bodies, versions := rec.flowBodyFinds()
	assert.Equal(t, 1, versions, "one page of versions")
	assert.Zero(t, bodies, "every version was decoded already: no body read")

	other, err := isg.New(rec.Store, cheapPasswords)
	require.NoError(t, err)
	terms := flowTerms(w.east, w.north)
	terms.Name, terms.PersonalData, terms.LegalBases = "Housing referrals v2", false, nil
	_, err = other.EditFlow(ctx, isg.Actor{User: w.c, Org: w.east}, isg.FlowStep[agreement.FlowTerms]{Flow: w.housing, Input: terms})
	require.NoError(t, err)

	assert.ElementsMatch(t, []string{"ASB counts", "Housing referrals v2"}, names(), "the edit another Gateway made shows")
	bodies, _ = rec.flowBodyFinds()
	assert.Equal(t, 1, bodies, "the page holding a version not decoded yet is read with its bodies")
	names()
	bodies, _ = rec.flowBodyFinds()
	assert.Zero(t, bodies, "and decoded once")
}

// viewPausing lets interleave pause a read-only unit too: reports run in Views.
type viewPausing struct{ *pausingStore }

func (v viewPausing) View(ctx context.Context, fn func(isg.Tx) error) error {
	return v.pausingStore.Store.View(ctx, func(tx isg.Tx) error { return fn(pausingTx{Tx: tx, p: v.pausingStore}) })
}

// TestReportTotalsHoldUnderConcurrentChange_EXIT1_SUM3: a report paused after it counted North's
// flows, while a flow naming North and one between South and East are created, still gives
// totals that are its rows — whichever flows it ends up reading — and never the other
// organisations' flow; the next report counts the new flow. On every store.
func TestReportTotalsHoldUnderConcurrentChange_EXIT1_SUM3(t *testing.T) {
	for _, st := range interleaveStores {
		t.Run(st.name, func(t *testing.T) {
			p := &pausingStore{Store: st.open(t)}
			w := buildReportWorld(t, worldOn(t, viewPausing{p}))
			s, err := w.g.Summaries(ctx, w.northAdmin(), isg.ListPage{})
			require.NoError(t, err)
			sum := s.Items[0].ID
			create := func(actor isg.Actor, name string, from, to isg.OrgID) (agreement.FlowID, error) {
				terms := flowTerms(from, to)
				terms.Name = name
				f, err := w.g.CreateFlow(ctx, actor, isg.CreateFlowInput{Summary: sum, FlowTerms: terms})
				return f.ID, err
			}
			var got report.FlowsByStatus
			var late, lateHidden agreement.FlowID
			errReport, errCreate := interleave(t, p, "flow", "visible",
				func() (err error) { got, err = w.g.FlowsByStatus(ctx, w.northAdmin()); return err },
				func() (err error) {
					if late, err = create(w.northAdmin(), "Late flow", w.north, w.south); err != nil {
						return err
					}
					lateHidden, err = create(isg.Actor{User: w.b, Org: w.south}, "Late hidden", w.south, w.east)
					return err
				})
			require.NoError(t, errCreate)
			require.NoError(t, errReport)
			total := 0
			for _, c := range got.Counts {
				total += c.Count
			}
			assert.Equal(t, got.Total, total)
			assert.Equal(t, len(got.Rows), got.Total)
			assert.Contains(t, []int{2, 3}, got.Total, "before or after the late flow, never between")
			for _, r := range got.Rows {
				assert.NotEqual(t, lateHidden, r.Flow)
				assert.NotEqual(t, w.hidden, r.Flow)
			}
			after, err := w.g.FlowsByStatus(ctx, w.northAdmin())
			require.NoError(t, err)
			assert.Equal(t, 3, after.Total)
			var ids []agreement.FlowID
			for _, r := range after.Rows {
				ids = append(ids, r.Flow)
			}
			assert.Contains(t, ids, late)
		})
	}
}

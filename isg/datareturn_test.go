package isg_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gowebpki/jcs"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/dpia"
	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/licensing"
	"github.com/isgkit/gateway/storage/memory"
	"github.com/isgkit/gateway/storage/sqlite"
)

// returnWorld is North (Ann, Administrator and Senior Officer; licensed for groups and DPIAs)
// and South (Ben) sharing a summary of flows, one of them signed by both and carrying a document;
// North's MoU signature, assurance, an information asset, an activity with a DPIA; Dan, who holds
// roles at North and at East; and East (Cat), in nothing North shares, with a summary and flow
// of its own with South and an asset.
type returnWorld struct {
	*world
	ann, ben, cat, dan isg.UserID
	north, south, east isg.OrgID
	na, sb, ce         isg.Actor
	summary            agreement.SummaryID
	flows              []agreement.FlowID
	signed             agreement.FlowID
	dpia               isg.DPIAView
	// eastOnly are strings only East's records hold: none may appear in North's return.
	eastOnly []string
}

func newReturnWorld(t testing.TB, store isg.Store, flows int) *returnWorld {
	t.Helper()
	g, err := isg.New(store, cheapPasswords)
	require.NoError(t, err)
	ca, err := g.Bootstrap(ctx, isg.BootstrapInput{Email: "support@isg.nhs.uk", Name: "Support", Password: "Support#2026"})
	require.NoError(t, err)
	w := &world{t: t, g: g, ca: ca.ID}
	x := &returnWorld{world: w}
	x.ann, x.ben, x.cat, x.dan = w.user("ann@north.gov.uk"), w.user("ben@south.gov.uk"), w.user("cat@east.gov.uk"), w.user("dan@north.gov.uk")
	x.north, x.south, x.east = w.org(x.ann, "North"), w.org(x.ben, "South"), w.org(x.cat, "East")
	w.grant(x.ann, x.north, x.ann, isg.Administrator, isg.SeniorOfficer)
	w.grant(x.ben, x.south, x.ben, isg.Administrator, isg.SeniorOfficer)
	w.grant(x.ann, x.north, x.dan, isg.IGOfficer)
	w.grant(x.cat, x.east, x.dan, isg.InfoAssetOwner)
	x.na, x.sb, x.ce = isg.Actor{User: x.ann, Org: x.north}, isg.Actor{User: x.ben, Org: x.south}, isg.Actor{User: x.cat, Org: x.east}
	w.dpiaLicensed(x.north, true)

	mou, err := g.PublishMoU(ctx, isg.Actor{User: w.ca}, isg.PublishMoUInput{Text: "Memorandum of Understanding v1"})
	require.NoError(t, err)
	_, err = g.SignMoU(ctx, x.na, isg.SignMoUInput{Version: mou.Version, Hash: mou.Hash})
	require.NoError(t, err)
	_, err = g.SubmitAssurance(ctx, x.na, significant())
	require.NoError(t, err)
	asset := isg.AssetInput{Name: "Case records", Location: "Leeds", Owner: "Ann", Kinds: []isg.DataKind{isg.DataPersonal},
		DataSubjects: "Children", Format: "electronic"}
	_, err = g.SaveAsset(ctx, x.na, asset)
	require.NoError(t, err)
	asset.Name, asset.Owner = "Eastern secrets", "Cat of East"
	_, err = g.SaveAsset(ctx, x.ce, asset)
	require.NoError(t, err)

	s, err := g.SaveSummary(ctx, x.na, isg.SummaryInput{SummaryTerms: summaryTerms(x.north, x.south)})
	require.NoError(t, err)
	x.summary = s.ID
	for i := range flows {
		terms := flowTerms(x.north, x.south)
		terms.Name = fmt.Sprintf("Referrals %d", i)
		terms.PersonalData, terms.LegalBases = false, nil
		f, err := g.CreateFlow(ctx, x.na, isg.CreateFlowInput{Summary: s.ID, FlowTerms: terms})
		require.NoError(t, err)
		x.flows = append(x.flows, f.ID)
	}
	x.signed = x.flows[0]
	_, err = g.FinaliseFlow(ctx, x.na, isg.ByID[agreement.FlowID]{ID: x.signed})
	require.NoError(t, err)
	_, err = g.RequestSignOff(ctx, x.na, isg.FlowStep[agreement.SignOffInput]{Flow: x.signed,
		Input: agreement.SignOffInput{Signers: []agreement.Signer{{User: x.ann, Org: x.north}, {User: x.ben, Org: x.south}}}})
	require.NoError(t, err)
	for _, a := range []isg.Actor{x.na, x.sb} {
		_, err = g.SignFlow(ctx, a, isg.ByID[agreement.FlowID]{ID: x.signed})
		require.NoError(t, err)
	}
	_, err = g.UploadDocument(ctx, x.na, isg.UploadInput{SubjectKind: "flow", SubjectID: x.signed.String(), Name: "terms.pdf", Content: []byte("%PDF terms")})
	require.NoError(t, err)

	act, err := g.SaveActivity(ctx, x.na, isg.ActivityInput{ActivityTerms: dpia.ActivityTerms{Name: "Care record", Kind: dpia.KindSystem}})
	require.NoError(t, err)
	x.dpia, err = g.CreateDPIA(ctx, x.na, isg.CreateDPIAInput{Activity: act.ID, Terms: dpia.Terms{Title: "Care record DPIA"}})
	require.NoError(t, err)

	// East's own sharing with South, which North is not named in.
	es, err := g.SaveSummary(ctx, x.ce, isg.SummaryInput{SummaryTerms: summaryTerms(x.east, x.south)})
	require.NoError(t, err)
	et := flowTerms(x.east, x.south)
	et.Name = "Eastern referrals"
	ef, err := g.CreateFlow(ctx, x.ce, isg.CreateFlowInput{Summary: es.ID, FlowTerms: et})
	require.NoError(t, err)
	x.eastOnly = []string{x.east.String(), x.cat.String(), "cat@east.gov.uk", es.ID.String(), ef.ID.String(), "Eastern referrals", "Eastern secrets"}
	return x
}

// export takes North's return, as Ann.
func (x *returnWorld) export(t testing.TB) ([]byte, isg.Receipt) {
	t.Helper()
	var buf bytes.Buffer
	r, err := x.g.ExportData(ctx, x.na, isg.ExportDataInput{}, &buf)
	require.NoError(t, err)
	return buf.Bytes(), r
}

var returnStores = []struct {
	name string
	open func(t testing.TB) isg.Store
}{
	{"memory", func(testing.TB) isg.Store { return memory.New() }},
	{"sqlite", func(t testing.TB) isg.Store {
		s, err := sqlite.Open(filepath.Join(t.TempDir(), "isg.db"), sqlite.WithSyncMode(sqlite.SyncNormal))
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	}},
}

// TestDataReturnRoundTripEXIT2: EXIT-2 (003 §14, sent and received receipts) — on each store, an
// organisation's return imported into an empty store gives the received receipt of the very bytes
// sent; exported again from there it is byte for byte the same document with the same digest,
// including on the other adapter; and after the import every transaction log chain and every
// signature verifies.
func TestDataReturnRoundTripEXIT2(t *testing.T) {
	var first []byte
	for _, st := range returnStores {
		t.Run(st.name, func(t *testing.T) {
			x := newReturnWorld(t, st.open(t), 3)
			doc, sent := x.export(t)
			sum := sha256.Sum256(doc)
			assert.Equal(t, hex.EncodeToString(sum[:]), sent.SHA256, "the receipt hashes exactly the bytes written")
			assert.Equal(t, int64(len(doc)), sent.Bytes)
			assert.Equal(t, "sent", sent.Direction)
			assert.Equal(t, x.north, sent.Org)
			assert.Equal(t, map[string]int{"organisation": 1, "user": 2, "mou_signature": 1, "mou": 1, "assurance": 1,
				"assurance_history": 1, "information_asset": 1, "summary": 1, "flow": 3, "document": 1, "activity": 1, "dpia": 1,
				"signing_key": 1, "log_entry": sent.Counts["log_entry"]}, sent.Counts)
			assert.Positive(t, sent.Counts["log_entry"])

			again, _ := x.export(t)
			assert.Equal(t, doc, again, "the same data gives the same bytes")

			g2, err := isg.New(st.open(t), cheapPasswords)
			require.NoError(t, err)
			got, err := g2.ImportDataReturn(ctx, bytes.NewReader(doc))
			require.NoError(t, err)
			assert.Equal(t, "received", got.Direction)
			got.Direction, got.At, sent.At = sent.Direction, time.Time{}, time.Time{}
			assert.Equal(t, sent, got, "the received receipt is the sent one's")

			// The imported Administrator acts at once; a licence is the new platform's to grant.
			licensed(t, g2, x.north)
			var buf bytes.Buffer
			back, err := g2.ExportData(ctx, x.na, isg.ExportDataInput{}, &buf)
			require.NoError(t, err)
			assert.Equal(t, string(doc), buf.String(), "export → import → export gives the same bytes")
			assert.Equal(t, sent.SHA256, back.SHA256)

			for _, f := range x.flows {
				l, err := g2.FlowLog(ctx, x.na, isg.ByID[agreement.FlowID]{ID: f})
				require.NoError(t, err)
				assert.True(t, l.Verified, "LOG-2 after import: %s", l.Problem)
				assert.NotEmpty(t, l.Entries)
			}
			l, err := g2.SummaryLog(ctx, x.na, isg.ByID[agreement.SummaryID]{ID: x.summary})
			require.NoError(t, err)
			assert.True(t, l.Verified, l.Problem)
			l, err = g2.DPIALog(ctx, x.na, isg.ByID[dpia.ID]{ID: x.dpia.ID})
			require.NoError(t, err)
			assert.True(t, l.Verified, l.Problem)
			rep, err := g2.VerifySignatures(ctx, x.na, isg.ByID[agreement.FlowID]{ID: x.signed})
			require.NoError(t, err)
			assert.True(t, rep.Valid, "SIGN-4 after import: %+v", rep)
			assert.Len(t, rep.Checks, 2)

			// The imported data is live: an imported flow is edited, logged and still verifies.
			terms := flowTerms(x.north, x.south)
			terms.Name, terms.PersonalData, terms.LegalBases = "Referrals, edited after the return", false, nil
			_, err = g2.EditFlow(ctx, x.na, isg.FlowStep[agreement.FlowTerms]{Flow: x.flows[1], Input: terms})
			require.NoError(t, err)
			l, err = g2.FlowLog(ctx, x.na, isg.ByID[agreement.FlowID]{ID: x.flows[1]})
			require.NoError(t, err)
			assert.True(t, l.Verified, l.Problem)
			assert.Equal(t, `"Referrals, edited after the return"`, l.Entries[len(l.Entries)-1].New)

			if first == nil {
				first = doc
			} else {
				// Different IDs and times on each run, so compare shapes: the line count.
				assert.Equal(t, bytes.Count(first, []byte("\n")), bytes.Count(doc, []byte("\n")))
			}
		})
	}
}

// licensed gives org a group licence on g, through a Central Admin bootstrapped there.
func licensed(t testing.TB, g *isg.Gateway, org isg.OrgID) {
	t.Helper()
	ca, err := g.Bootstrap(ctx, isg.BootstrapInput{Email: "support@new.nhs.uk", Name: "Support", Password: "Support#2026"})
	require.NoError(t, err)
	now := g.Now()
	c, err := g.CreateContract(ctx, isg.Actor{User: ca.ID}, licensing.ContractInput{Org: org, Group: "N",
		Term: licensing.Period{Start: now.Add(-time.Hour), End: now.AddDate(1, 0, 0)}, Price: decimal.RequireFromString("100.00")})
	require.NoError(t, err)
	_, err = g.AllocateLicence(ctx, isg.Actor{User: ca.ID}, isg.AllocateInput{Contract: c.ID, Org: org, Kind: licensing.Group})
	require.NoError(t, err)
}

// TestDataReturnAcrossAdaptersEXIT2: EXIT-2 — the bytes do not depend on the store adapter: a
// return taken on memory, imported into SQLite and exported there is the same document.
func TestDataReturnAcrossAdaptersEXIT2(t *testing.T) {
	x := newReturnWorld(t, memory.New(), 2)
	doc, sent := x.export(t)
	g2, err := isg.New(returnStores[1].open(t), cheapPasswords)
	require.NoError(t, err)
	_, err = g2.ImportDataReturn(ctx, bytes.NewReader(doc))
	require.NoError(t, err)
	licensed(t, g2, x.north)
	var buf bytes.Buffer
	back, err := g2.ExportData(ctx, x.na, isg.ExportDataInput{}, &buf)
	require.NoError(t, err)
	assert.Equal(t, string(doc), buf.String())
	assert.Equal(t, sent.SHA256, back.SHA256)
}

// TestDataReturnHoldsNothingOfAnUnrelatedOrganisationEXIT2_SUM3: EXIT-2, SUM-3 — North's return
// holds none of East's records (its summary, flow, asset, Administrator), and of Dan, who holds
// roles at both, only his roles at North; no password hash, token or private key ever.
func TestDataReturnHoldsNothingOfAnUnrelatedOrganisationEXIT2_SUM3(t *testing.T) {
	x := newReturnWorld(t, memory.New(), 2)
	doc, _ := x.export(t)
	for _, s := range x.eastOnly {
		assert.NotContains(t, string(doc), s, "an unrelated organisation's data leaked")
	}
	for _, s := range []string{"password_hash\":\"$", "argon2", "\"seed\":\"", "token_digest", "reset_digest", "central_admin\":true", "support@isg.nhs.uk"} {
		assert.NotContains(t, string(doc), s)
	}
	assert.Contains(t, string(doc), "dan@north.gov.uk")
	assert.Contains(t, string(doc), x.south.String(), "a shared flow names its partner: it is both parties' data")
	for line := range strings.SplitSeq(string(doc), "\n") {
		if strings.HasPrefix(line, `{"kind":"user"`) {
			assert.Equal(t, 1, strings.Count(line, `"org":`), "a user's roles elsewhere are not the organisation's: %s", line)
		}
	}
}

// TestDataReturnIsTheAccountableOfficersEXIT2_LIC3_ROLE8: ROLE-8 — Administrators and Senior
// Officers take the return, no other role; LIC-3 — a free-model organisation has no guaranteed
// return of data and is refused, naming the capability, until it holds a licence; an actor of
// another organisation reads the same refusal as one with no role.
func TestDataReturnIsTheAccountableOfficersEXIT2_LIC3_ROLE8(t *testing.T) {
	x := newReturnWorld(t, memory.New(), 1)
	var buf bytes.Buffer
	_, err := x.g.ExportData(ctx, isg.Actor{User: x.dan, Org: x.north}, isg.ExportDataInput{}, &buf)
	assert.Equal(t, "forbidden", isg.ErrorCode(err), "an IG Officer does not take the return")
	_, err = x.g.ExportData(ctx, isg.Actor{User: x.cat, Org: x.north}, isg.ExportDataInput{}, &buf)
	assert.ErrorIs(t, err, isg.ErrForbidden, "another organisation's Administrator")
	_, err = x.g.ExportData(ctx, isg.Actor{}, isg.ExportDataInput{}, &buf)
	assert.ErrorIs(t, err, isg.ErrForbidden, "an anonymous caller")
	assert.Zero(t, buf.Len(), "a refusal writes nothing")

	_, err = x.g.ExportData(ctx, x.ce, isg.ExportDataInput{}, &buf)
	assert.ErrorIs(t, err, isg.ErrLicence, "LIC-3: a free-model organisation has no guaranteed return of data")
	assert.Equal(t, "licence.capability_denied", isg.ErrorCode(err))
	var e *isg.Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, "LIC-3", e.Rule)
	require.NotEmpty(t, e.Fields)
	assert.Equal(t, "guaranteed_data_return", e.Fields[0].Code)
	assert.Zero(t, buf.Len())

	licensed2(t, x)
	_, err = x.g.ExportData(ctx, x.ce, isg.ExportDataInput{}, &buf)
	require.NoError(t, err, "licensed, East takes its own return")
	assert.NotContains(t, buf.String(), x.summary.String(), "and sees nothing of North's")
}

func licensed2(t *testing.T, x *returnWorld) {
	now := x.g.Now()
	c, err := x.g.CreateContract(ctx, isg.Actor{User: x.ca}, licensing.ContractInput{Org: x.east, Group: "E",
		Term: licensing.Period{Start: now.Add(-time.Hour), End: now.AddDate(1, 0, 0)}, Price: decimal.RequireFromString("100.00")})
	require.NoError(t, err)
	_, err = x.g.AllocateLicence(ctx, isg.Actor{User: x.ca}, isg.AllocateInput{Contract: c.ID, Org: x.east, Kind: licensing.Group})
	require.NoError(t, err)
}

// TestDataReturnImportRefusesTamperingEXIT2: EXIT-2 — changing any one byte of the document, or
// cutting it short, makes the import refuse with a typed error and write nothing: the store
// stays empty, so the untouched document still imports afterwards. A non-empty store is refused.
func TestDataReturnImportRefusesTamperingEXIT2(t *testing.T) {
	x := newReturnWorld(t, memory.New(), 2)
	doc, sent := x.export(t)
	store := memory.New()
	g2, err := isg.New(store, cheapPasswords)
	require.NoError(t, err)
	// Every 61st byte, flipped in the low bit, and the bytes around every line break.
	var offsets []int
	for i := 0; i < len(doc); i += 61 {
		offsets = append(offsets, i)
	}
	for i, b := range doc {
		if b == '\n' {
			offsets = append(offsets, i, max(i-1, 0), min(i+1, len(doc)-1))
		}
	}
	for _, i := range offsets {
		bad := bytes.Clone(doc)
		bad[i] ^= 1
		_, err := g2.ImportDataReturn(ctx, bytes.NewReader(bad))
		require.Error(t, err, "byte %d changed", i)
		code := isg.ErrorCode(err)
		require.Contains(t, []string{isg.CodeDataReturnMalformed, isg.CodeDataReturnDigestMismatch}, code, "byte %d: %v", i, err)
		require.ErrorIs(t, err, isg.ErrInvalid)
		require.Empty(t, store.Dump(), "byte %d: a refused import writes nothing", i)
	}
	for _, n := range []int{0, 10, len(doc) / 2, len(doc) - 2, len(doc) - 1} {
		_, err := g2.ImportDataReturn(ctx, bytes.NewReader(doc[:n]))
		require.ErrorIs(t, err, isg.ErrInvalid, "cut at %d", n)
		require.Empty(t, store.Dump())
	}
	_, err = g2.ImportDataReturn(ctx, bytes.NewReader(append(bytes.Clone(doc), '\n')))
	require.Equal(t, isg.CodeDataReturnMalformed, isg.ErrorCode(err), "bytes after the trailer")

	got, err := g2.ImportDataReturn(ctx, bytes.NewReader(doc))
	require.NoError(t, err)
	assert.Equal(t, sent.SHA256, got.SHA256)
	_, err = g2.ImportDataReturn(ctx, bytes.NewReader(doc))
	assert.ErrorIs(t, err, isg.ErrConflict)
	assert.Equal(t, isg.CodeDataReturnStoreNotEmpty, isg.ErrorCode(err))
	_, err = x.g.ImportDataReturn(ctx, bytes.NewReader(doc))
	assert.Equal(t, isg.CodeDataReturnStoreNotEmpty, isg.ErrorCode(err), "the source store is not empty either")
}

// reseal recomputes a document's trailer digest over its records, as a forger can: the SHA-256
// detects corruption, not forgery, so the import checks what each record holds as well.
func reseal(t *testing.T, doc []byte) []byte {
	t.Helper()
	i := bytes.LastIndex(doc, []byte("\n],\"counts\":"))
	require.Positive(t, i)
	sum := sha256.Sum256(doc[:i+1])
	j := bytes.LastIndex(doc, []byte(`"sha256":"`)) + len(`"sha256":"`)
	out := bytes.Clone(doc)
	copy(out[j:], hex.EncodeToString(sum[:]))
	return out
}

// TestDataReturnImportRefusesForgedRecordsEXIT2: EXIT-2 — a document resealed after its records
// were changed to give an account a password hash or Central Admin, to plant a private signing
// key, or to slip in another organisation's flow is refused, writing nothing: an import never
// makes an account that signs in or a key that signs.
func TestDataReturnImportRefusesForgedRecordsEXIT2(t *testing.T) {
	x := newReturnWorld(t, memory.New(), 1)
	doc, _ := x.export(t)
	unchanged := reseal(t, doc)
	require.Equal(t, doc, unchanged, "resealing an unchanged document changes nothing")
	forgeries := map[string]struct{ from, to, why string }{
		"password hash":   {`"password_hash":""`, `"password_hash":"x"`, "never does"},
		"central admin":   {`"email":"ann@north.gov.uk"`, `"central_admin":true,"email":"ann@north.gov.uk"`, "never does"},
		"private key":     {`"seed":null`, `"seed":"AAAA"`, "public half"},
		"unknown field":   {`"body":{"address"`, `"body":{"zz":1,"address"`, "does not decode"},
		"another's roles": {`"org":"` + x.north.String() + `","roles"`, `"org":"` + x.east.String() + `","roles"`, "never does"},
	}
	for name, f := range forgeries {
		t.Run(name, func(t *testing.T) {
			forged := reseal(t, forgeLine(t, doc, f.from, f.to))
			store := memory.New()
			g2, err := isg.New(store, cheapPasswords)
			require.NoError(t, err)
			_, err = g2.ImportDataReturn(ctx, bytes.NewReader(forged))
			require.Error(t, err)
			assert.Equal(t, isg.CodeDataReturnMalformed, isg.ErrorCode(err), "%v", err)
			assert.Contains(t, err.Error(), f.why, "refused for what it holds, not for its spelling")
			assert.Empty(t, store.Dump())
		})
	}
}

// forgeLine replaces from by to in the first record line holding from and spells the line again
// as the exporter would (RFC 8785 body), as a forger would.
func forgeLine(t *testing.T, doc []byte, from, to string) []byte {
	t.Helper()
	lines := strings.Split(string(doc), "\n")
	for i, l := range lines {
		if !strings.Contains(l, from) || !strings.HasPrefix(l, `{"kind":`) {
			continue
		}
		text, comma := strings.CutSuffix(l, ",")
		var rec struct {
			Kind string          `json:"kind"`
			ID   string          `json:"id"`
			Body json.RawMessage `json:"body"`
		}
		require.NoError(t, json.Unmarshal([]byte(strings.Replace(text, from, to, 1)), &rec))
		body, err := jcs.Transform(rec.Body)
		require.NoError(t, err)
		line := `{"kind":"` + rec.Kind + `","id":"` + rec.ID + `","body":` + string(body) + `}`
		if comma {
			line += ","
		}
		lines[i] = line
		return []byte(strings.Join(lines, "\n"))
	}
	t.Fatalf("no record line holds %s", from)
	return nil
}

// TestDataReturnThroughDispatchEXIT2: EXIT-2 — through Dispatch the document travels inline as a
// string of its exact bytes with the receipt, and data_return.import runs for the host (a context
// marked AsHost, no actor) and not for an anonymous caller.
func TestDataReturnThroughDispatchEXIT2(t *testing.T) {
	x := newReturnWorld(t, memory.New(), 1)
	res, err := x.g.Dispatch(ctx, "organisation.export_data", x.na, json.RawMessage(`{}`))
	require.NoError(t, err)
	out := res.(isg.DataExport)
	sum := sha256.Sum256([]byte(out.Document))
	assert.Equal(t, hex.EncodeToString(sum[:]), out.Receipt.SHA256)
	doc, _ := x.export(t)
	assert.Equal(t, string(doc), out.Document, "the same bytes as the streamed export")

	in, err := json.Marshal(isg.ImportDataInput{Document: out.Document})
	require.NoError(t, err)
	store := memory.New()
	g2, err := isg.New(store, cheapPasswords)
	require.NoError(t, err)
	_, err = g2.Dispatch(ctx, "data_return.import", isg.Actor{}, in)
	assert.ErrorIs(t, err, isg.ErrForbidden, "an anonymous caller never imports")
	assert.Empty(t, store.Dump())
	res, err = g2.Dispatch(isg.AsHost(ctx), "data_return.import", isg.Actor{}, in)
	require.NoError(t, err)
	assert.Equal(t, out.Receipt.SHA256, res.(isg.Receipt).SHA256)
}

// FuzzDataReturnImportEXIT2: EXIT-2 — whatever bytes an import is given it never panics, and it
// either imports a whole document or writes nothing at all.
func FuzzDataReturnImportEXIT2(f *testing.F) {
	x := newReturnWorld(f, memory.New(), 1)
	doc, _ := x.export(f)
	f.Add(doc)
	f.Add(doc[:len(doc)/2])
	f.Add([]byte(`{"format":"isg-data-return/1","org":"` + x.north.String() + `","records":[` + "\n" + `],"counts":{},"sha256":"e3b0"}` + "\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		store := memory.New()
		g, err := isg.New(store, cheapPasswords)
		require.NoError(t, err)
		r, err := g.ImportDataReturn(ctx, bytes.NewReader(b))
		if err != nil {
			require.Empty(t, store.Dump(), "a refused import writes nothing: %v", err)
			require.NotEqual(t, "internal", isg.ErrorCode(err), "a typed refusal: %v", err)
			return
		}
		sum := sha256.Sum256(b)
		require.Equal(t, hex.EncodeToString(sum[:]), r.SHA256)
		n := 0
		for _, recs := range store.Dump() {
			n += len(recs)
		}
		require.Equal(t, r.Records, n, "every record of the document, and nothing else")
	})
}

// BenchmarkDataReturnExportEXIT2 measures the export of an organisation sharing 100 and 1,000
// flows (EXIT-2: memory stays flat as the data grows). B/op and allocs/op are what the export
// allocates, almost all of it short-lived; peak-live-B is the most live heap the export held
// above what was live before it, measured after a garbage collection at every 64 KiB written, in
// one run outside the timed loop: it follows the page size, not the number of flows.
func BenchmarkDataReturnExportEXIT2(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("flows=%d", n), func(b *testing.B) {
			x := newReturnWorld(b, memory.New(), n)
			var size int64
			var records int
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				r, err := x.g.ExportData(ctx, x.na, isg.ExportDataInput{}, io.Discard)
				if err != nil {
					b.Fatal(err)
				}
				size, records = r.Bytes, r.Records
			}
			b.StopTimer()
			b.ReportMetric(float64(size), "doc-B")
			b.ReportMetric(float64(records), "records")
			b.ReportMetric(float64(peakLive(b, x)), "peak-live-B")
		})
	}
}

// peakLive exports once, sampling the live heap at every write (see the benchmark).
func peakLive(t testing.TB, x *returnWorld) uint64 {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	w := &sampling{base: before.HeapAlloc}
	_, err := x.g.ExportData(ctx, x.na, isg.ExportDataInput{}, w)
	require.NoError(t, err)
	return w.peak
}

// sampling is a writer that discards the document and samples the live heap at every write (the
// export writes in 64 KiB chunks).
type sampling struct {
	base, peak uint64
}

func (s *sampling) Write(p []byte) (int, error) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	if m.HeapAlloc > s.base {
		s.peak = max(s.peak, m.HeapAlloc-s.base)
	}
	return len(p), nil
}

// TestInterleavedImportsTakeOneEXIT2: EXIT-2 — two imports into one empty store, the second
// committing after the first found the store empty: the first is refused as store_not_empty and
// writes nothing, so the store holds one copy of the data (exported again, the same bytes).
func TestInterleavedImportsTakeOneEXIT2(t *testing.T) {
	x := newReturnWorld(t, memory.New(), 1)
	doc, sent := x.export(t)
	onEachStore(t, false, func(t *testing.T, w *world, p *pausingStore) {
		errFirst, errSecond := interleave(t, p, "organisation", "all",
			func() error { _, err := w.g.ImportDataReturn(ctx, bytes.NewReader(doc)); return err },
			func() error { _, err := w.g.ImportDataReturn(ctx, bytes.NewReader(doc)); return err })
		require.NoError(t, errSecond)
		assert.ErrorIs(t, errFirst, isg.ErrConflict)
		assert.Equal(t, isg.CodeDataReturnStoreNotEmpty, isg.ErrorCode(errFirst))
		licensed(t, w.g, x.north)
		var buf bytes.Buffer
		back, err := w.g.ExportData(ctx, x.na, isg.ExportDataInput{}, &buf)
		require.NoError(t, err)
		assert.Equal(t, sent.SHA256, back.SHA256, "one copy of the data")
	})
}

// TestDataReturnImportRefusesRepeatsEXIT2: EXIT-2 — a resealed document repeating a record, or
// giving two accounts one e-mail address, is refused as malformed, writing nothing.
func TestDataReturnImportRefusesRepeatsEXIT2(t *testing.T) {
	x := newReturnWorld(t, memory.New(), 1)
	doc, _ := x.export(t)
	lines := strings.Split(string(doc), "\n")
	var user string
	for _, l := range lines {
		if strings.HasPrefix(l, `{"kind":"user"`) {
			user = l
			break
		}
	}
	require.NotEmpty(t, user)
	repeated := strings.Join(slices.Insert(slices.Clone(lines), 2, user), "\n")
	// The same account under another ID: the e-mail address is a unique key.
	twin := strings.ReplaceAll(user, x.ann.String(), "019b8d62-7a80-7000-8000-0000000000ff")
	twin = strings.ReplaceAll(twin, x.dan.String(), "019b8d62-7a80-7000-8000-0000000000ff")
	twinned := strings.Join(slices.Insert(slices.Clone(lines), 2, twin), "\n")
	for name, d := range map[string]string{"record": repeated, "e-mail address": twinned} {
		t.Run(name, func(t *testing.T) {
			counts := strings.Replace(d, `"user":2`, `"user":3`, 1)
			store := memory.New()
			g2, err := isg.New(store, cheapPasswords)
			require.NoError(t, err)
			_, err = g2.ImportDataReturn(ctx, bytes.NewReader(reseal(t, []byte(counts))))
			assert.Equal(t, isg.CodeDataReturnMalformed, isg.ErrorCode(err), "%v", err)
			assert.Contains(t, fmt.Sprint(err), "repeats")
			assert.Empty(t, store.Dump())
		})
	}
}

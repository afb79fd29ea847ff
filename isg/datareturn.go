package isg

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gowebpki/jcs"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/assurance"
	"github.com/isgkit/gateway/dpia"
	"github.com/isgkit/gateway/isg/directory"
	"github.com/isgkit/gateway/isg/txlog"
	"github.com/isgkit/gateway/isg/violation"
	"github.com/isgkit/gateway/licensing"
)

// The data return (EXIT-2; 003 §14 "sent and received receipts"): an organisation's complete data
// as one JSON document, written as the store is paged through so that memory stays flat however
// much there is, with a SHA-256 receipt of exactly the bytes sent; and its import into an empty
// store, which returns the receipt of exactly the bytes received. docs/data-return.md describes
// the format.
//
// The document is line-oriented JSON: every line ends with "\n" and the whole is one JSON value.
//
//	{"format":"isg-data-return/1","org":"<org ID>","records":[
//	{"kind":"organisation","id":"<ID>","body":{…}},
//	{"kind":"user","id":"<ID>","body":{…}},
//	…
//	{"kind":"signing_key","id":"<ID>","body":{…}}
//	],"counts":{"flow":2,…},"sha256":"<hex>"}
//
// Each record body is canonical JSON (RFC 8785), so the same data gives the same bytes on every
// store adapter; the trailer's sha256 is the hex SHA-256 of every byte before the trailer line
// (the header and the record lines), and counts is the number of records of each kind. The
// document holds no clock reading of its own: the receipt carries the time.

// DataReturnFormat is the format name the first line of a data return document carries. A
// later, incompatible layout gets a new name; an importer refuses a name it does not know.
const DataReturnFormat = "isg-data-return/1"

// The error codes of the data return are CodeDataReturnStoreNotEmpty, CodeDataReturnMalformed and
// CodeDataReturnDigestMismatch (codes.go, generated from docs/scenarios.md).

// maxReturnLine bounds one line of a document read by ImportDataReturn: a record bigger than
// this is refused rather than read into memory.
const maxReturnLine = 32 << 20

// returnPage is how many records one Find of the export reads.
const returnPage = 128

// Receipt is the receipt of a data return (003 §14): the SHA-256 of exactly the bytes sent (an
// export's) or received (an import's), how many there were, the records of each kind and when.
// A sender's and a receiver's receipt of the same document agree on everything but Direction
// and At: comparing them proves the bytes arrived unchanged.
type Receipt struct {
	// Direction is "sent" for an export's receipt, "received" for an import's.
	Direction string `json:"direction"`
	// Org is the organisation whose data the document returns.
	Org OrgID `json:"org"`
	// Format is the document's format name (DataReturnFormat).
	Format string `json:"format"`
	// SHA256 is the lowercase hex SHA-256 of every byte of the document.
	SHA256 string `json:"sha256"`
	// Bytes is the document's length.
	Bytes int64 `json:"bytes"`
	// Records is the number of records; Counts the number of each kind.
	Records int            `json:"records"`
	Counts  map[string]int `json:"counts"`
	// At is when the document was produced or received, by the Gateway's clock. It is not part
	// of the document, which holds no clock reading.
	At time.Time `json:"at"`
}

// ExportDataInput asks for the data return of the actor's organisation (EXIT-2). It has no
// fields: an organisation returns its own data only.
type ExportDataInput struct {
	w io.Writer
}

// DataExport is the result of organisation.export_data through Dispatch: the document, as a
// string holding its exact bytes (a JSON string, so that no re-encoding by a host's JSON layer
// can change the bytes the receipt hashes), and the receipt.
type DataExport struct {
	Document string  `json:"document"`
	Receipt  Receipt `json:"receipt"`
}

// ImportDataInput carries a data return document inline, as the exact bytes ExportData wrote (the
// document field of organisation.export_data's result).
type ImportDataInput struct {
	Document string `json:"document" validate:"required" rule:"EXIT-2"`
}

// ExportData writes the data return of the actor's organisation to w (EXIT-2): its complete data
// as one JSON document (docs/data-return.md), streamed as the store is paged through, so memory
// stays flat however much the organisation holds. It returns the sent receipt: the SHA-256 of
// exactly the bytes written. The export reads one unit of work (a snapshot on the SQL stores).
// Row ExportData (Administrator, Senior Officer); the organisation needs the guaranteed return of
// data its licence gives (LIC-3): a free-model organisation is refused. On an error the bytes
// already written are incomplete: they lack the trailer, so an import refuses them.
//
// Errors: ErrForbidden ("forbidden", ROLE-8); ErrLicence ("licence.capability_denied",
// guaranteed_data_return, LIC-3) for a free-model organisation; w's error, wrapped; a store error.
func (g *Gateway) ExportData(ctx context.Context, actor Actor, in ExportDataInput, w io.Writer) (Receipt, error) {
	in.w = w
	out, err := run(ctx, g, orgExportData, actor, in)
	return out.Receipt, err
}

var orgExportData = &command[ExportDataInput, DataExport]{
	name: "organisation.export_data", doc: "Return an organisation's complete data as one JSON document with a SHA-256 receipt (EXIT-2).",
	row: ExportData, rule: "EXIT-2", query: true,
	apply: func(c *call[ExportDataInput]) (DataExport, error) {
		ent, err := c.entitlement(c.org)
		if err != nil {
			return DataExport{}, err
		}
		if err := licensing.Check(ent, licensing.GuaranteedDataReturn); err != nil {
			return DataExport{}, err
		}
		w, buf := c.in.w, (*bytes.Buffer)(nil)
		if w == nil {
			// Through Dispatch the document travels inline, so it is built here.
			buf = new(bytes.Buffer)
			w = buf
		}
		r, err := c.exportData(c.org, w)
		if err != nil {
			return DataExport{}, err
		}
		out := DataExport{Receipt: r}
		if buf != nil {
			out.Document = buf.String()
		}
		return out, nil
	},
}

// ImportDataReturn reads a data return document from r into the Gateway's store, which must be
// empty (EXIT-2), and returns the received receipt: the SHA-256 of exactly the bytes read. It is
// the host's own operation, with no actor (a new deployment taking an organisation's data in),
// and it is all or nothing: every record is written in one unit of work that commits only once
// the whole document has been read, each line found exactly as the exporter writes it and the
// records found to hash to the trailer's SHA-256; anything else writes nothing. Records get the
// index keys the Gateway gives them, and their store versions start again at 1.
//
// The SHA-256 detects a document altered or cut short on the way; it is no signature, for anyone
// may recompute it: compare the received receipt with the sender's to know the bytes are the
// ones sent. Records are checked to be the organisation's and to carry nothing an export never
// holds (a password hash, a private key, a Central Admin), so an import cannot make an account
// that signs in or a key that signs.
//
// Errors: ErrConflict ("data_return.store_not_empty", EXIT-2) for a store holding data;
// ErrInvalid ("data_return.malformed", the field naming the line; "data_return.digest_mismatch")
// for a document that is not one the exporter wrote; r's error, wrapped; a store error.
func (g *Gateway) ImportDataReturn(ctx context.Context, r io.Reader) (Receipt, error) {
	var rec Receipt
	err := g.store.Update(ctx, func(tx Tx) error {
		u := &uow{}
		u.reset(g, ctx, tx, g.clock.Now().UTC(), nil)
		var err error
		rec, err = u.importData(r)
		return err
	})
	if errors.Is(err, ErrConflict) && !isRuleConflict(err) {
		// Another unit wrote to the store while this one read it empty (another import, a
		// bootstrap): the store is no longer empty. The document cannot be read again, so the
		// import is not retried: the host retries with the document if it still wants to.
		return Receipt{}, violation.New(ErrConflict, CodeDataReturnStoreNotEmpty, "EXIT-2",
			"the store was written to while the import read it, so it is no longer empty")
	}
	if err != nil {
		return Receipt{}, err
	}
	return rec, nil
}

var dataReturnImport = &command[ImportDataInput, Receipt]{
	name: "data_return.import", doc: "Import a data return into an empty store and return the received receipt (EXIT-2: the host, or CA).",
	row: ImportData, rule: "EXIT-2", reach: platform, host: true,
	job: func(ctx context.Context, g *Gateway, in ImportDataInput) (Receipt, error) {
		return g.ImportDataReturn(ctx, strings.NewReader(in.Document))
	},
}

// ---- writing ----------------------------------------------------------------------------------

// returnWriter writes a document, hashing every byte (the receipt) and every byte before the
// trailer (the trailer's own digest), and counting records.
type returnWriter struct {
	w       *bufio.Writer
	all     hash.Hash
	content hash.Hash
	n       int64
	records int
	counts  map[string]int
	err     error
	line    []byte
}

func (rw *returnWriter) write(b []byte, content bool) {
	if rw.err != nil {
		return
	}
	rw.all.Write(b)
	if content {
		rw.content.Write(b)
	}
	var n int
	n, rw.err = rw.w.Write(b)
	rw.n += int64(n)
}

// record writes one record line: kind and ID, and the body made canonical (RFC 8785).
func (rw *returnWriter) record(kind Kind, id string, body []byte) error {
	if rw.err != nil {
		return rw.err
	}
	canon, err := jcs.Transform(body)
	if err != nil {
		return fmt.Errorf("isg: canonicalising %s %s: %w", kind, id, err)
	}
	if rw.records > 0 {
		rw.write([]byte(",\n"), true)
	}
	rw.line = appendRecordLine(rw.line[:0], kind, id, canon)
	rw.write(rw.line, true)
	rw.records++
	rw.counts[string(kind)]++
	return rw.err
}

// appendRecordLine appends a record's line, without its separator, to b: the one spelling of a
// record an importer accepts.
func appendRecordLine(b []byte, kind Kind, id string, canonBody []byte) []byte {
	b = append(b, `{"kind":`...)
	b = appendJSONString(b, string(kind))
	b = append(b, `,"id":`...)
	b = appendJSONString(b, id)
	b = append(b, `,"body":`...)
	b = append(b, canonBody...)
	return append(b, '}')
}

// appendJSONString appends s as RFC 8785 spells a string.
func appendJSONString(b []byte, s string) []byte {
	enc, _ := json.Marshal(s) // a string always encodes
	canon, err := jcs.Transform(enc)
	if err != nil {
		return append(b, enc...)
	}
	return append(b, canon...)
}

func headerLine(org OrgID) []byte {
	return []byte(`{"format":"` + DataReturnFormat + `","org":"` + org.String() + `","records":[` + "\n")
}

// trailerLine is the last line: the counts of each kind and the SHA-256 of every byte before it.
func trailerLine(counts map[string]int, digest []byte) []byte {
	b := []byte(`],"counts":{`)
	kinds := make([]string, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for i, k := range kinds {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(counts[k]), 10)
	}
	b = append(b, `},"sha256":"`...)
	b = hex.AppendEncode(b, digest)
	return append(b, "\"}\n"...)
}

// exportData writes org's data return to w in the unit (a View) and returns the sent receipt.
//
// What is the organisation's (EXIT-2, SUM-3; docs/data-return.md): its organisation record;
// each account holding a role there, as it concerns the organisation only — name, e-mail
// address, account state and the roles held there, never a password hash, a token, roles at
// other organisations or the account's preferences; its MoU signatures and the MoU versions they
// sign; its assurance and every submission it made; its information assets; every summary and
// flow it may see (SUM-3: named in it or created it — a shared flow is every party's data), each
// with its transaction log, its risk assessment and its documents' metadata; its activities and
// the DPIAs of its activities, with their logs and documents; and the public half of every
// platform key that signed its flows. Another organisation's own records never are.
func (u *uow) exportData(org OrgID, w io.Writer) (Receipt, error) {
	rw := &returnWriter{w: bufio.NewWriterSize(w, 64<<10), all: sha256.New(), content: sha256.New(), counts: map[string]int{}}
	rw.write(headerLine(org), true)
	e := exporter{u: u, rw: rw, org: org, keys: map[string]bool{}, mous: map[int]bool{}}
	if err := e.all(); err != nil {
		return Receipt{}, err
	}
	if rw.records > 0 {
		rw.write([]byte("\n"), true) // ends the last record's line
	}
	rw.write(trailerLine(rw.counts, rw.content.Sum(nil)), false)
	if rw.err == nil {
		rw.err = rw.w.Flush()
	}
	if rw.err != nil {
		return Receipt{}, fmt.Errorf("isg: writing the data return: %w", rw.err)
	}
	return Receipt{Direction: "sent", Org: org, Format: DataReturnFormat, SHA256: hex.EncodeToString(rw.all.Sum(nil)),
		Bytes: rw.n, Records: rw.records, Counts: rw.counts, At: u.now}, nil
}

// exporter walks what an organisation holds, page by page.
type exporter struct {
	u   *uow
	rw  *returnWriter
	org OrgID
	// keys are the signing key IDs its flows' signatures name; mous the MoU versions it signed.
	// Both are bounded by the platform's keys and MoU versions, not by the data.
	keys map[string]bool
	mous map[int]bool
}

// each pages through the records of kind holding k, calling f on each.
func (e *exporter) each(kind Kind, k IndexKey, f func(Record) error) error {
	after := ""
	for {
		recs, err := e.u.tx.Find(e.u.ctx, kind, k, Page{After: after, Limit: returnPage})
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := f(r); err != nil {
				return err
			}
		}
		if len(recs) < returnPage {
			return nil
		}
		after = recs[len(recs)-1].ID
	}
}

// copyAll writes every record of kind holding k as it is stored.
func (e *exporter) copyAll(kind Kind, k IndexKey) error {
	return e.each(kind, k, func(r Record) error { return e.rw.record(kind, r.ID, r.Body) })
}

// one writes the record of kind with id, if there is one.
func (e *exporter) one(kind Kind, id string) error {
	r, err := e.u.tx.Get(e.u.ctx, kind, id)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	return e.rw.record(kind, id, r.Body)
}

// logged writes a logged record's log entries and its documents' metadata.
func (e *exporter) logged(subjectKind, id string) error {
	if err := e.copyAll(kindLogEntry, key("subject", id)); err != nil {
		return err
	}
	return e.copyAll(kindDocument, key("subject", subjectKind+"/"+id))
}

func (e *exporter) all() error {
	org := e.org.String()
	steps := []func() error{
		func() error { return e.one(kindOrg, org) },
		func() error { return e.each(kindUser, key("member", org), e.user) },
		func() error {
			return e.each(kindMoUSignature, key("org", org), func(r Record) error {
				var s MoUSignature
				if err := json.Unmarshal(r.Body, &s); err != nil {
					return fmt.Errorf("isg: decoding %s %s: %w", kindMoUSignature, r.ID, err)
				}
				e.mous[s.MoUVersion] = true
				return e.rw.record(kindMoUSignature, r.ID, r.Body)
			})
		},
		func() error {
			versions := make([]int, 0, len(e.mous))
			for v := range e.mous {
				versions = append(versions, v)
			}
			slices.Sort(versions)
			for _, v := range versions {
				if err := e.one(kindMoU, directory.MoUKey(v)); err != nil {
					return err
				}
			}
			return nil
		},
		func() error { return e.one(kindAssurance, org) },
		func() error { return e.copyAll(kindAssuranceHistory, key("org", org)) },
		func() error { return e.copyAll(kindDocument, key("subject", directory.SubjectAssurance+"/"+org)) },
		func() error { return e.copyAll(kindAsset, key("org", org)) },
		func() error {
			return e.each(kindSummary, key("visible", org), func(r Record) error {
				if err := e.rw.record(kindSummary, r.ID, r.Body); err != nil {
					return err
				}
				return e.logged(directory.SubjectSummary, r.ID)
			})
		},
		func() error { return e.each(kindFlow, key("visible", org), e.flow) },
		func() error {
			return e.each(kindActivity, key("org", org), func(r Record) error {
				if err := e.rw.record(kindActivity, r.ID, r.Body); err != nil {
					return err
				}
				return e.copyAll(kindLogEntry, key("subject", r.ID))
			})
		},
		func() error { return e.each(kindDPIA, key("org", org), e.dpia) },
		e.signingKeys,
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	return nil
}

// user writes an account as it concerns the organisation (see exportData).
func (e *exporter) user(r Record) error {
	var x directory.User
	if err := json.Unmarshal(r.Body, &x); err != nil {
		return fmt.Errorf("isg: decoding %s %s: %w", kindUser, r.ID, err)
	}
	body, err := json.Marshal(returnedUser(x, e.org))
	if err != nil {
		return err
	}
	return e.rw.record(kindUser, r.ID, body)
}

// returnedUser is the account as a data return holds it: what the organisation holds of it.
func returnedUser(x directory.User, org OrgID) directory.User {
	return directory.User{ID: x.ID, Email: x.Email, Name: x.Name, State: x.State, CreatedAt: x.CreatedAt,
		Memberships: []directory.Membership{{Org: org, Roles: x.RolesAt(org)}}}
}

// flowSignatures is what the export reads of a flow: the keys that signed it.
type flowSignatures struct {
	Signatures []struct {
		Statement struct {
			KeyID string `json:"key_id"`
		} `json:"statement"`
	} `json:"signatures"`
}

func (e *exporter) flow(r Record) error {
	var f flowSignatures
	if err := json.Unmarshal(r.Body, &f); err != nil {
		return fmt.Errorf("isg: decoding %s %s: %w", kindFlow, r.ID, err)
	}
	for _, s := range f.Signatures {
		if strings.HasPrefix(s.Statement.KeyID, PlatformKeyPrefix) {
			e.keys[s.Statement.KeyID] = true
		}
	}
	if err := e.rw.record(kindFlow, r.ID, r.Body); err != nil {
		return err
	}
	if err := e.logged(directory.SubjectFlow, r.ID); err != nil {
		return err
	}
	return e.copyAll(kindRiskAssessment, key("flow", r.ID))
}

func (e *exporter) dpia(r Record) error {
	var d struct {
		Org OrgID `json:"org"`
	}
	if err := json.Unmarshal(r.Body, &d); err != nil {
		return fmt.Errorf("isg: decoding %s %s: %w", kindDPIA, r.ID, err)
	}
	if d.Org != e.org {
		// A DPIA naming the organisation as a contact is its owner's, not the contact's.
		return nil
	}
	if err := e.rw.record(kindDPIA, r.ID, r.Body); err != nil {
		return err
	}
	return e.logged(directory.SubjectDPIA, r.ID)
}

// signingKeys writes the public half of each platform key that signed the organisation's flows.
// Keys of a host's own KeyRing are the host's to hand over.
func (e *exporter) signingKeys() error {
	ids := make([]string, 0, len(e.keys))
	for id := range e.keys {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		var k platformKey
		if _, err := e.u.load(kindSigningKey, id, &k); err != nil {
			if isNotFound(err) {
				continue // the signature then fails verification as it does here
			}
			return err
		}
		k.Seed = nil
		body, err := json.Marshal(k)
		if err != nil {
			return err
		}
		if err := e.rw.record(kindSigningKey, id, body); err != nil {
			return err
		}
	}
	return nil
}

// ---- reading ----------------------------------------------------------------------------------

// returnKinds are the kinds a data return holds, each with how its record is checked to be the
// organisation's and the index keys the Gateway gives it.
var returnKinds = map[Kind]func(u *uow, org OrgID, id string, body []byte) ([]IndexKey, error){
	kindOrg: func(_ *uow, org OrgID, id string, body []byte) ([]IndexKey, error) {
		var o Organisation
		if err := decodeReturned(body, &o); err != nil {
			return nil, err
		}
		if o.ID.String() != id || o.ID != org {
			return nil, errors.New("is not the organisation the document returns")
		}
		return orgKeys(o), nil
	},
	kindUser: func(_ *uow, org OrgID, id string, body []byte) ([]IndexKey, error) {
		var x directory.User
		if err := decodeReturned(body, &x); err != nil {
			return nil, err
		}
		if x.ID.String() != id {
			return nil, errors.New("names another ID in its body")
		}
		// Only what an export writes: no secret, no platform role, no other organisation.
		a, _ := json.Marshal(returnedUser(x, org))
		b, _ := json.Marshal(x)
		if !bytes.Equal(a, b) || x.RolesAt(org) == 0 {
			return nil, errors.New("holds what a data return never does (a secret, a platform role, roles elsewhere, preferences)")
		}
		return (&user{User: x}).keys(), nil
	},
	kindMoUSignature: func(_ *uow, org OrgID, id string, body []byte) ([]IndexKey, error) {
		var s MoUSignature
		if err := decodeReturned(body, &s); err != nil {
			return nil, err
		}
		if s.ID != id || s.Org != org {
			return nil, errors.New("is not the organisation's")
		}
		return []IndexKey{key("org", s.Org.String())}, nil
	},
	kindMoU: func(_ *uow, _ OrgID, id string, body []byte) ([]IndexKey, error) {
		var m MoU
		if err := decodeReturned(body, &m); err != nil {
			return nil, err
		}
		if directory.MoUKey(m.Version) != id {
			return nil, errors.New("names another version in its body")
		}
		return []IndexKey{key("all", "1")}, nil
	},
	kindAssurance: func(_ *uow, org OrgID, id string, body []byte) ([]IndexKey, error) {
		var r assuranceRecord
		if err := decodeReturned(body, &r); err != nil {
			return nil, err
		}
		if id != org.String() {
			return nil, errors.New("is not the organisation's")
		}
		return r.keys(id), nil
	},
	kindAssuranceHistory: func(_ *uow, org OrgID, _ string, body []byte) ([]IndexKey, error) {
		var s assurance.Submission
		if err := decodeReturned(body, &s); err != nil {
			return nil, err
		}
		return []IndexKey{key("org", org.String())}, nil
	},
	kindDocument: func(_ *uow, _ OrgID, id string, body []byte) ([]IndexKey, error) {
		var d Document
		if err := decodeReturned(body, &d); err != nil {
			return nil, err
		}
		if d.ID != id {
			return nil, errors.New("names another ID in its body")
		}
		return []IndexKey{key("subject", d.SubjectKind+"/"+d.SubjectID)}, nil
	},
	kindAsset: func(_ *uow, org OrgID, id string, body []byte) ([]IndexKey, error) {
		var a InformationAsset
		if err := decodeReturned(body, &a); err != nil {
			return nil, err
		}
		if a.ID.String() != id || a.Org != org {
			return nil, errors.New("is not the organisation's")
		}
		return []IndexKey{key("org", a.Org.String())}, nil
	},
	kindSummary: func(u *uow, org OrgID, id string, body []byte) ([]IndexKey, error) {
		var s agreement.Summary
		if err := decodeReturned(body, &s); err != nil {
			return nil, err
		}
		if s.ID.String() != id || !agreement.CanSeeSummary(org, s) {
			return nil, errors.New("is not a summary the organisation sees")
		}
		return append(summaryKeys(u.texts, s), u.reviewKeys(s)...), nil
	},
	kindFlow: func(_ *uow, org OrgID, id string, body []byte) ([]IndexKey, error) {
		var f agreement.Flow
		if err := decodeReturned(body, &f); err != nil {
			return nil, err
		}
		if f.ID.String() != id || !agreement.CanSeeFlow(org, f) {
			return nil, errors.New("is not a flow the organisation sees")
		}
		return flowKeys(nil, f), nil
	},
	kindLogEntry: func(_ *uow, _ OrgID, id string, body []byte) ([]IndexKey, error) {
		var e txlog.Entry
		if err := decodeReturned(body, &e); err != nil {
			return nil, err
		}
		if logEntryID(e.Subject, e.Seq) != id {
			return nil, errors.New("names another subject or sequence in its body")
		}
		return []IndexKey{key("subject", e.Subject.String())}, nil
	},
	kindRiskAssessment: func(_ *uow, _ OrgID, id string, body []byte) ([]IndexKey, error) {
		var ra agreement.RiskAssessment
		if err := decodeReturned(body, &ra); err != nil {
			return nil, err
		}
		if ra.ID.String() != id {
			return nil, errors.New("names another ID in its body")
		}
		return []IndexKey{key("flow", ra.FlowID.String())}, nil
	},
	kindActivity: func(_ *uow, org OrgID, id string, body []byte) ([]IndexKey, error) {
		var a dpia.Activity
		if err := decodeReturned(body, &a); err != nil {
			return nil, err
		}
		if a.ID.String() != id || a.Org != org {
			return nil, errors.New("is not the organisation's")
		}
		return activityKeys(a), nil
	},
	kindDPIA: func(_ *uow, org OrgID, id string, body []byte) ([]IndexKey, error) {
		var d dpia.DPIA
		if err := decodeReturned(body, &d); err != nil {
			return nil, err
		}
		if d.ID.String() != id || d.Org != org {
			return nil, errors.New("is not the organisation's")
		}
		return dpiaKeys(d), nil
	},
	kindSigningKey: func(_ *uow, _ OrgID, id string, body []byte) ([]IndexKey, error) {
		var k platformKey
		if err := decodeReturned(body, &k); err != nil {
			return nil, err
		}
		if k.ID != id || !strings.HasPrefix(id, PlatformKeyPrefix) || len(k.Seed) != 0 {
			return nil, errors.New("is not the public half of a platform key")
		}
		// A returned key only verifies: it never becomes the key that signs, which the
		// importing Gateway makes afresh on first use.
		return []IndexKey{signingKeysAll}, nil
	},
}

// decodeReturned decodes a record body strictly: a field this version does not know is refused,
// so that nothing passes an import unread.
func decodeReturned(body []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("does not decode: %w", err)
	}
	return nil
}

// emptyProbes are the index keys through which any data a Gateway writes is reached: a store
// holding no record under any of them holds no organisation, account of the platform, MoU,
// signing key or contract, and so nothing an import could collide with.
var emptyProbes = []struct {
	kind Kind
	key  IndexKey
}{
	{kindOrg, key("all", "1")},
	{kindMoU, key("all", "1")},
	{kindSigningKey, signingKeysAll},
	{kindUser, key("central_admin", "1")},
	{kindContract, key("all", "1")},
}

func malformed(line int, why string) error {
	e := violation.Field(fmt.Sprintf("line %d", line), CodeDataReturnMalformed, "EXIT-2", why)
	e.Code = CodeDataReturnMalformed
	e.Message = fmt.Sprintf("not a data return as exported: line %d %s", line, why)
	return e
}

// importData reads a document into the (empty) store of the unit and returns the received
// receipt; see ImportDataReturn.
func (u *uow) importData(r io.Reader) (Receipt, error) {
	for _, p := range emptyProbes {
		n, err := u.tx.Count(u.ctx, p.kind, p.key)
		if err != nil {
			return Receipt{}, err
		}
		if n > 0 {
			return Receipt{}, violation.New(ErrConflict, CodeDataReturnStoreNotEmpty, "EXIT-2",
				"a data return is imported only into an empty store: this one holds "+string(p.kind)+" records")
		}
	}
	all, content := sha256.New(), sha256.New()
	counted := &countingReader{r: r}
	br := bufio.NewReaderSize(io.TeeReader(counted, all), 64<<10)
	var buf []byte
	readLine := func() ([]byte, error) {
		buf = buf[:0]
		for {
			part, err := br.ReadSlice('\n')
			buf = append(buf, part...)
			if len(buf) > maxReturnLine {
				return nil, errLineTooLong
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			return buf, err
		}
	}
	lineNo := 1
	line, err := readLine()
	if err != nil && !errors.Is(err, io.EOF) {
		return Receipt{}, readErr(lineNo, err)
	}
	org, ok := parseHeader(line)
	if !ok {
		return Receipt{}, malformed(lineNo, "is not a "+DataReturnFormat+" header")
	}
	content.Write(line)
	counts := map[string]int{}
	records := 0
	var rebuilt []byte
	seen := map[string]bool{}
	for {
		lineNo++
		if line, err = readLine(); err != nil && !errors.Is(err, io.EOF) {
			return Receipt{}, readErr(lineNo, err)
		}
		if records == 0 && bytes.HasPrefix(line, []byte("]")) {
			break // no records: the trailer (refused below, for the organisation is missing)
		}
		content.Write(line)
		text, more := bytes.CutSuffix(line, []byte(",\n"))
		if !more {
			if text, ok = bytes.CutSuffix(line, []byte("\n")); !ok {
				return Receipt{}, malformed(lineNo, "is cut short")
			}
		}
		if err := u.importRecord(org, lineNo, records, text, &rebuilt, seen); err != nil {
			return Receipt{}, err
		}
		var kind struct {
			Kind string `json:"kind"`
		}
		_ = json.Unmarshal(text, &kind) // importRecord decoded it already
		records++
		counts[kind.Kind]++
		if !more {
			lineNo++
			if line, err = readLine(); err != nil && !errors.Is(err, io.EOF) {
				return Receipt{}, readErr(lineNo, err)
			}
			break
		}
	}
	want := trailerLine(counts, content.Sum(nil))
	if !bytes.Equal(line, want) {
		if bytes.HasPrefix(line, []byte(`],"counts":`)) && bytes.HasSuffix(line, []byte("\"}\n")) {
			return Receipt{}, violation.New(ErrInvalid, CodeDataReturnDigestMismatch, "EXIT-2",
				"the records do not hash to the SHA-256, or number the counts, the trailer states: the document was altered or cut short")
		}
		return Receipt{}, malformed(lineNo, "is not the trailer")
	}
	if n, _ := br.Read(make([]byte, 1)); n > 0 {
		return Receipt{}, malformed(lineNo+1, "follows the trailer")
	}
	if records == 0 {
		return Receipt{}, malformed(2, "is not the organisation, which comes first")
	}
	return Receipt{Direction: "received", Org: org, Format: DataReturnFormat, SHA256: hex.EncodeToString(all.Sum(nil)),
		Bytes: counted.n, Records: records, Counts: counts, At: u.now}, nil
}

// importRecord checks one record line (without its separator) and stages its record: it must be
// of a kind a data return holds, spelt exactly as the exporter spells it, the organisation's, and
// the first must be the organisation itself.
func (u *uow) importRecord(org OrgID, lineNo, index int, text []byte, rebuilt *[]byte, seen map[string]bool) error {
	var rec struct {
		Kind Kind            `json:"kind"`
		ID   string          `json:"id"`
		Body json.RawMessage `json:"body"`
	}
	if err := json.Unmarshal(text, &rec); err != nil {
		return malformed(lineNo, "is not a record")
	}
	keysOf, known := returnKinds[rec.Kind]
	if !known {
		return malformed(lineNo, fmt.Sprintf("is of a kind a data return never holds (%q)", rec.Kind))
	}
	if index == 0 && rec.Kind != kindOrg {
		return malformed(lineNo, "is not the organisation, which comes first")
	}
	canon, err := jcs.Transform(rec.Body)
	if err != nil || rec.ID == "" {
		return malformed(lineNo, "is not a record")
	}
	if *rebuilt = appendRecordLine((*rebuilt)[:0], rec.Kind, rec.ID, canon); !bytes.Equal(*rebuilt, text) {
		return malformed(lineNo, "is not spelt as the exporter spells it (RFC 8785)")
	}
	keys, err := keysOf(u, org, rec.ID, canon)
	if err != nil {
		return malformed(lineNo, fmt.Sprintf("(%s %s) %v", rec.Kind, rec.ID, err))
	}
	// A record or unique key the document repeats is the document's fault; any other conflict
	// is another unit writing to the store (ImportDataReturn: store_not_empty). The set holds one
	// short string per record, as the unit holds every record staged anyway.
	claims := []string{string(rec.Kind) + "\x00" + rec.ID}
	for _, k := range keys {
		if k.Unique {
			claims = append(claims, string(rec.Kind)+"\x00"+k.Name+"\x00"+k.Value+"\x00unique")
		}
	}
	for _, c := range claims {
		if seen[c] {
			return malformed(lineNo, fmt.Sprintf("(%s %s) repeats a record, or another record's unique key", rec.Kind, rec.ID))
		}
		seen[c] = true
	}
	if _, err := u.putHostBytes(rec.Kind, rec.ID, canon, keys...); err != nil {
		if errors.Is(err, ErrInvalid) {
			return malformed(lineNo, fmt.Sprintf("(%s %s) cannot be held by the store: %v", rec.Kind, rec.ID, err))
		}
		return err
	}
	return nil
}

var errLineTooLong = errors.New("line too long")

func readErr(line int, err error) error {
	if errors.Is(err, errLineTooLong) {
		return malformed(line, fmt.Sprintf("is longer than %d bytes", maxReturnLine))
	}
	return fmt.Errorf("isg: reading the data return: %w", err)
}

// parseHeader reads the organisation from a header line, which must be spelt exactly as
// headerLine spells it.
func parseHeader(line []byte) (OrgID, bool) {
	const prefix = `{"format":"` + DataReturnFormat + `","org":"`
	rest, ok := bytes.CutPrefix(line, []byte(prefix))
	if !ok {
		return OrgID{}, false
	}
	id, ok := bytes.CutSuffix(rest, []byte(`","records":[`+"\n"))
	if !ok {
		return OrgID{}, false
	}
	org, err := ParseOrgID(string(id))
	if err != nil || org.IsZero() || !bytes.Equal(headerLine(org), line) {
		return OrgID{}, false
	}
	return org, true
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

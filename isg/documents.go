package isg

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/dpia"
	"github.com/isgkit/gateway/isg/directory"
	"github.com/isgkit/gateway/isg/support"
	"github.com/isgkit/gateway/licensing"
)

const kindDocument Kind = "document"

// MaxDocumentSize is the largest document that may be attached: 5 MB (DOC-1).
const MaxDocumentSize = directory.MaxDocumentSize

// BlobStore keeps document contents; the host implements it (object storage, a file share, a
// database table). Blobs are content-addressed by their SHA-256, so Put of the same content twice
// is harmless and a blob written by a command that then failed is an orphan, never a corruption.
type BlobStore interface {
	// Put stores content under key. It must be durable when it returns nil.
	Put(ctx context.Context, key string, content []byte) error
	// Get returns the content stored under key, or an error matching ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
}

// MemoryBlobs is an in-memory BlobStore, the default: for tests, examples and sandboxes.
type MemoryBlobs struct {
	mu    sync.RWMutex
	blobs map[string][]byte
}

var _ BlobStore = (*MemoryBlobs)(nil)

// NewMemoryBlobs returns an empty in-memory BlobStore.
func NewMemoryBlobs() *MemoryBlobs { return &MemoryBlobs{blobs: map[string][]byte{}} }

// Put implements BlobStore.
func (m *MemoryBlobs) Put(_ context.Context, key string, content []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.blobs[key] = append([]byte(nil), content...)
	return nil
}

// Get implements BlobStore.
func (m *MemoryBlobs) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	b, ok := m.blobs[key]
	if !ok {
		return nil, fmt.Errorf("blob %s: %w", key, ErrNotFound)
	}
	return append([]byte(nil), b...), nil
}

// WithBlobStore sets where document contents are kept (default: in memory).
func WithBlobStore(b BlobStore) Option {
	return func(g *Gateway) error { g.blobs = b; return nil }
}

// Document is an attached file's record: what it is attached to, who uploaded it, its size and
// the SHA-256 of its content (the blob key). It is directory.Document.
type Document = directory.Document

// UploadInput attaches a document.
type UploadInput struct {
	SubjectKind string `json:"subject_kind" validate:"required,oneof=summary flow assurance support_request dpia" rule:"DOC-1"`
	SubjectID   string `json:"subject_id" validate:"required,max=100" rule:"DOC-1"`
	Name        string `json:"name" validate:"required,max=255" rule:"DOC-1"`
	Content     []byte `json:"content" validate:"required" rule:"DOC-1"`
	// digest is the content's SHA-256, computed once before the unit of work.
	digest string
}

// UploadDocument attaches a document of at most MaxDocumentSize bytes to a summary or a flow the
// actor's organisation may see, to the organisation's own assurance, to a support request the
// actor may see (DOC-1, SUP-1, SUP-2), or to a DPIA the actor contributes to (one of its
// additional documents, which its template's answers may attach, DPIA-4); a DPIA licence allows
// attaching to DPIAs as a group licence does. The organisation
// must be open and hold a licence that allows uploads (LIC-3), and the actor an uploading role
// (row UploadDocuments). The content is stored (BlobStore, content-addressed) only once every
// check has passed, so a refused upload stores nothing.
//
// Errors: ErrInvalid ("document.too_large", DOC-1, or field errors); ErrForbidden ("forbidden",
// ROLE-8); ErrLicence ("licence.capability_denied", LIC-3); ErrRule ("organisation.closed",
// ORG-7); ErrNotFound ("summary.not_found", "flow.not_found", SUM-3;
// "support_request.not_found", SUP-2; "document.subject_not_found", DOC-1) for an unknown or
// invisible subject; the BlobStore's error, wrapped.
func (g *Gateway) UploadDocument(ctx context.Context, actor Actor, in UploadInput) (Document, error) {
	return run(ctx, g, documentUpload, actor, in)
}

var documentUpload = &command[UploadInput, Document]{
	name: "document.upload", doc: "Attach a document (DOC-1); content is base64 in JSON.", row: UploadDocuments, rule: "ROLE-8",
	before: func(_ *Gateway, in *UploadInput) error {
		if err := directory.CheckDocumentSize(len(in.Content)); err != nil {
			return err
		}
		sum := sha256.Sum256(in.Content)
		in.digest = hex.EncodeToString(sum[:])
		return nil
	},
	apply: func(c *call[UploadInput]) (Document, error) {
		if _, err := c.openOrg(c.org); err != nil {
			return Document{}, err
		}
		ent, err := c.entitlement(c.org)
		if err != nil {
			return Document{}, err
		}
		subject, err := c.subject(c.actor, c.org, c.in.SubjectKind, c.in.SubjectID)
		if err != nil {
			return Document{}, err
		}
		licence := licensing.Check(ent, licensing.UploadDocuments)
		if subject.Kind == directory.SubjectDPIA && ent.Allows(licensing.CreateActivity) {
			// Evidence for a DPIA is part of what a DPIA licence is for (DOC-1 names DPIAs):
			// an organisation holding one attaches to DPIAs without a group licence.
			licence = nil
		}
		d, err := directory.NewDocument(directory.Upload{ID: c.newID().String(), Org: c.org, By: c.actor.User, Name: c.in.Name,
			Size: len(c.in.Content), SHA256: c.in.digest, Licence: licence, Subject: subject}, c.now)
		if err != nil {
			return Document{}, err
		}
		// Every check has passed: store the content, then the record. A retried unit stores the
		// same content under the same key again, which is harmless; a unit that then fails to
		// commit leaves an orphan blob, never a record without its content.
		if err := c.g.blobs.Put(c.ctx, d.SHA256, c.in.Content); err != nil {
			return Document{}, fmt.Errorf("isg: storing document: %w", err)
		}
		if _, err := c.save(kindDocument, d.ID, 0, d, key("subject", d.SubjectKind+"/"+d.SubjectID)); err != nil {
			return Document{}, err
		}
		return d, nil
	},
}

// subject finds out what the directory's document rules need of a subject: whether the actor's
// organisation may see the summary or flow named (SUM-3), or the actor the support request named
// (SUP-2). An ID that does not parse or names nothing is not visible.
// The ID is canonicalised (a UUID's lower-case, hyphenated text): an upper-case, braced or
// "urn:uuid:" spelling names the same record, and its documents are filed and listed under the
// one spelling, so a document cannot be filed where listings and copies never look.
func (u *uow) subject(actor Actor, org OrgID, kind, id string) (directory.Subject, error) {
	s := directory.Subject{Kind: kind, ID: id}
	parsed, perr := uuid.Parse(id)
	if perr == nil {
		s.ID = parsed.String()
	}
	var err error
	switch kind {
	case directory.SubjectSummary:
		if perr != nil {
			return s, nil
		}
		var sum agreement.Summary
		if sum, _, err = u.loadSummary(agreement.SummaryID{UUID: parsed}); err == nil {
			s.Visible = agreement.CanSeeSummary(org, sum)
		}
	case directory.SubjectFlow:
		if perr != nil {
			return s, nil
		}
		var f agreement.Flow
		if f, _, err = u.loadFlow(agreement.FlowID{UUID: parsed}); err == nil {
			s.Visible = agreement.CanSeeFlow(org, f)
		}
	case directory.SubjectSupportRequest:
		if perr != nil {
			return s, nil
		}
		var r support.Request
		if r, err = u.loadSupportRequest(support.RequestID{UUID: parsed}); err == nil {
			var a support.Actor
			if a, _, _, err = u.relation(actor, r); err == nil {
				s.Visible = r.VisibleTo(a)
			}
		}
	case directory.SubjectDPIA:
		if perr != nil {
			return s, nil
		}
		var d dpia.DPIA
		if d, _, err = u.loadDPIA(dpia.ID{UUID: parsed}); err == nil {
			s.Visible = d.CanOpen(dpia.Actor{User: actor.User, Org: org})
		}
	}
	if isNotFound(err) {
		err = nil
	}
	return s, err
}

// DocumentsInput names the subject whose documents are listed.
type DocumentsInput struct {
	SubjectKind string `json:"subject_kind"`
	SubjectID   string `json:"subject_id"`
}

// Documents lists the documents attached to a subject the actor's organisation may see (or, for
// a support request, the actor: SUP-2): every role at the organisation (row ViewOrganisation).
//
// Errors: ErrForbidden ("forbidden", ROLE-8); ErrNotFound ("summary.not_found",
// "flow.not_found", SUM-3; "support_request.not_found", SUP-2; "document.subject_not_found",
// DOC-1) for an unknown or invisible subject.
func (g *Gateway) Documents(ctx context.Context, actor Actor, in DocumentsInput) ([]Document, error) {
	return run(ctx, g, documentList, actor, in)
}

var documentList = &command[DocumentsInput, []Document]{
	name: "document.list", doc: "List the documents attached to a subject.", row: ViewOrganisation, rule: "ROLE-8", query: true,
	apply: func(c *call[DocumentsInput]) ([]Document, error) {
		subject, err := c.subject(c.actor, c.org, c.in.SubjectKind, c.in.SubjectID)
		if err != nil {
			return nil, err
		}
		if err := directory.CheckSubject(c.org, subject); err != nil {
			return nil, err
		}
		out, _, err := findAll[Document](c.uow, kindDocument, key("subject", subject.Kind+"/"+subject.ID))
		return out, err
	},
}

// DocumentContent returns a document's content, checked against its recorded SHA-256, to every
// role at the actor's organisation (row ViewOrganisation) when the organisation may see the
// document's subject. A document whose subject the organisation may not see is answered exactly
// as an unknown document (ROLE-7): the subject's own not-found error would tell that it exists.
// The ID may be given in any spelling a UUID parses from.
//
// Errors: ErrForbidden ("forbidden", ROLE-8); ErrNotFound ("document.not_found") for an
// unknown document and for one whose subject the organisation may not see, alike; an error when
// the stored content does not match its SHA-256; the BlobStore's error.
func (g *Gateway) DocumentContent(ctx context.Context, actor Actor, id string) ([]byte, error) {
	if parsed, err := uuid.Parse(id); err == nil {
		id = parsed.String()
	}
	var d Document
	err := g.view(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, ViewOrganisation, "ROLE-8"); err != nil {
			return err
		}
		if _, err := u.load(kindDocument, id, &d); err != nil {
			return err
		}
		subject, err := u.subject(actor, actor.Org, d.SubjectKind, d.SubjectID)
		if err != nil {
			return err
		}
		err = directory.CheckSubject(actor.Org, subject)
		if errors.Is(err, ErrNotFound) {
			return notFound(kindDocument, id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	b, err := g.blobs.Get(ctx, d.SHA256)
	if err != nil {
		return nil, err
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != d.SHA256 {
		return nil, fmt.Errorf("isg: document %s: content does not match its SHA-256", id)
	}
	return b, nil
}

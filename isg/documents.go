package isg

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/isgkit/gateway/licensing"
)

const kindDocument Kind = "document"

// MaxDocumentSize is the largest document that may be attached: 5 MB (DOC-1).
const MaxDocumentSize = 5 * 1024 * 1024

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
// the SHA-256 of its content (the blob key).
type Document struct {
	ID string `json:"id"`
	// Subject is what the document is attached to: "summary", "flow" or "assurance", with its ID.
	SubjectKind string    `json:"subject_kind"`
	SubjectID   string    `json:"subject_id"`
	Org         OrgID     `json:"org"`
	Name        string    `json:"name"`
	Size        int       `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedBy  UserID    `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

// UploadInput attaches a document.
type UploadInput struct {
	SubjectKind string `json:"subject_kind" validate:"required,oneof=summary flow assurance" rule:"DOC-1"`
	SubjectID   string `json:"subject_id" validate:"required,max=100" rule:"DOC-1"`
	Name        string `json:"name" validate:"required,max=255" rule:"DOC-1"`
	Content     []byte `json:"content" validate:"required" rule:"DOC-1"`
}

// UploadDocument attaches a document of at most MaxDocumentSize bytes to a summary, a flow or the
// organisation's assurance (DOC-1). The actor's organisation must hold a licence that allows
// uploads (LIC-3) and the actor an uploading role (ROLE-8), and must be able to see the subject.
//
// Errors: ErrInvalid ("document.too_large", DOC-1, or field errors); ErrForbidden; ErrLicence
// (LIC-3); ErrNotFound for an unknown or invisible subject.
func (g *Gateway) UploadDocument(ctx context.Context, actor Actor, in UploadInput) (Document, error) {
	if len(in.Content) > MaxDocumentSize {
		return Document{}, &Error{Kind: ErrInvalid, Code: "document.too_large", Rule: "DOC-1",
			Message: fmt.Sprintf("documents are limited to %d bytes; this one has %d", MaxDocumentSize, len(in.Content)),
			Fields:  []FieldError{{Field: "content", Code: "max_size", Rule: "DOC-1", Message: "must be at most 5 MB"}}}
	}
	if err := validateInput(in, "DOC-1"); err != nil {
		return Document{}, err
	}
	sum := sha256.Sum256(in.Content)
	digest := hex.EncodeToString(sum[:])
	// Check what can be checked before writing the blob, so a refused upload stores nothing.
	if err := g.view(ctx, func(u *uow) error { return u.checkUpload(actor, in) }); err != nil {
		return Document{}, err
	}
	if err := g.blobs.Put(ctx, digest, in.Content); err != nil {
		return Document{}, fmt.Errorf("isg: storing document: %w", err)
	}
	var out Document
	err := g.update(ctx, func(u *uow) error {
		if err := u.checkUpload(actor, in); err != nil {
			return err
		}
		d := Document{ID: u.newID().String(), SubjectKind: in.SubjectKind, SubjectID: in.SubjectID, Org: actor.Org,
			Name: in.Name, Size: len(in.Content), SHA256: digest, UploadedBy: actor.User, UploadedAt: u.now}
		if _, err := u.save(kindDocument, d.ID, 0, d, key("subject", d.SubjectKind+"/"+d.SubjectID)); err != nil {
			return err
		}
		out = d
		return nil
	})
	return out, err
}

func (u *uow) checkUpload(actor Actor, in UploadInput) error {
	if _, err := u.authorizeAt(actor, actor.Org, UploadDocuments, "ROLE-8"); err != nil {
		return err
	}
	if _, err := u.openOrg(actor.Org); err != nil {
		return err
	}
	if err := u.requireCapability(actor.Org, licensing.UploadDocuments); err != nil {
		return err
	}
	return u.requireSubjectVisible(actor, in.SubjectKind, in.SubjectID)
}

// Documents lists the documents attached to a subject the actor can see.
func (g *Gateway) Documents(ctx context.Context, actor Actor, subjectKind, subjectID string) ([]Document, error) {
	var out []Document
	err := g.view(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, ViewOrganisation, "ROLE-8"); err != nil {
			return err
		}
		if err := u.requireSubjectVisible(actor, subjectKind, subjectID); err != nil {
			return err
		}
		var err error
		out, _, err = findAll[Document](u, kindDocument, key("subject", subjectKind+"/"+subjectID))
		return err
	})
	return out, err
}

// DocumentContent returns a document's content, checked against its recorded SHA-256.
func (g *Gateway) DocumentContent(ctx context.Context, actor Actor, id string) ([]byte, error) {
	var d Document
	err := g.view(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, ViewOrganisation, "ROLE-8"); err != nil {
			return err
		}
		if _, err := u.load(kindDocument, id, &d); err != nil {
			return err
		}
		return u.requireSubjectVisible(actor, d.SubjectKind, d.SubjectID)
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

// requireSubjectVisible refuses subjects the actor's organisation may not see, as not found.
func (u *uow) requireSubjectVisible(actor Actor, kind, id string) error {
	switch kind {
	case "assurance":
		// Assurance and its evidence are visible to every organisation (ASR-6); only the
		// organisation itself attaches to its own.
		if id != actor.Org.String() {
			return &Error{Kind: ErrNotFound, Code: "document.subject_not_found", Rule: "DOC-1", Message: "documents attach to the acting organisation's own assurance"}
		}
		return nil
	}
	return u.requireAgreementVisible(actor, kind, id)
}

// documentHandlers lists the handlers of documents.
func documentHandlers() map[string]handler {
	return map[string]handler{
		"document.upload": handle("Attach a document (DOC-1); content is base64 in JSON.", func(g *Gateway, ctx context.Context, a Actor, in UploadInput) (Document, error) {
			return g.UploadDocument(ctx, a, in)
		}),
		"document.list": handle("List the documents attached to a subject.", func(g *Gateway, ctx context.Context, a Actor, in struct {
			SubjectKind string `json:"subject_kind"`
			SubjectID   string `json:"subject_id"`
		}) ([]Document, error) {
			return g.Documents(ctx, a, in.SubjectKind, in.SubjectID)
		}),
	}
}

// documentCommands declares the commands of documents.
func documentCommands() []declared {
	return nil
}

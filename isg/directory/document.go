package directory

import (
	"fmt"
	"time"

	"github.com/isgkit/gateway/isg/violation"
)

// MaxDocumentSize is the largest document that may be attached: 5 MB, 5 × 1024 × 1024 bytes
// (DOC-1).
const MaxDocumentSize = 5 * 1024 * 1024

// The kinds of subject a document is attached to (DOC-1).
const (
	SubjectSummary   = "summary"
	SubjectFlow      = "flow"
	SubjectAssurance = "assurance"
	// SubjectSupportRequest is a support request (SUP-1), whose documents are seen by those who
	// see the request (SUP-2).
	SubjectSupportRequest = "support_request"
	// SubjectDPIA: a DPIA's documents, attached to its template's questions or not, are its
	// additional documents (DPIA-4); only its contributors see them (DPIA-2).
	SubjectDPIA = "dpia"
)

// Document is an attached file's record: what it is attached to, who uploaded it, its size and
// the SHA-256 of its content (the key its content is kept under).
type Document struct {
	ID string `json:"id"`
	// SubjectKind and SubjectID are what the document is attached to: "summary", "flow" or
	// "assurance", with its ID (for assurance, the organisation's).
	SubjectKind string    `json:"subject_kind"`
	SubjectID   string    `json:"subject_id"`
	Org         OrgID     `json:"org"`
	Name        string    `json:"name"`
	Size        int       `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedBy  UserID    `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

// Subject is what a document is attached to, as an organisation asks for it, with what the
// Gateway found: whether the organisation may see the summary or flow named (SUM-3: it is named
// in it or created it), the acting user the support request named (SUP-2), or the acting user is
// a contributor of the DPIA named (DPIA-2). Visible is not consulted for assurance, whose rule is
// this package's.
type Subject struct {
	Kind    string
	ID      string
	Visible bool
}

// Upload is a request to attach a document: the new document's ID, the uploading organisation
// and user, the subject, and the content's name, size and SHA-256.
type Upload struct {
	ID     string
	Org    OrgID
	By     UserID
	Name   string
	Size   int
	SHA256 string
	// Licence is the answer of the organisation's licence to uploading (LIC-3): nil when its
	// licence allows it, otherwise the refusal, as package licensing's Check gives it for the
	// UploadDocuments capability (a free-licence organisation cannot upload).
	Licence error
	Subject Subject
}

// CheckDocumentSize refuses content larger than MaxDocumentSize (DOC-1) with an *Error of kind
// ErrInvalid, code "document.too_large" and a field error on "content".
func CheckDocumentSize(size int) error {
	if size <= MaxDocumentSize {
		return nil
	}
	return &violation.Error{Kind: violation.ErrInvalid, Code: "document.too_large", Rule: "DOC-1",
		Message: fmt.Sprintf("documents are limited to %d bytes; this one has %d", MaxDocumentSize, size),
		Fields:  []violation.FieldError{{Field: "content", Code: "max_size", Rule: "DOC-1", Message: "must be at most 5 MB"}}}
}

// CheckSubject reports whether org may see the documents of a subject, to list or read them: a
// summary or flow it may see (SUM-3), or its own assurance. Otherwise it returns an error of kind
// ErrNotFound, the same for a subject that does not exist and for one org may not see:
// "summary.not_found" or "flow.not_found" (SUM-3), or "document.subject_not_found" (DOC-1) for
// another organisation's assurance or an unknown kind of subject.
func CheckSubject(org OrgID, s Subject) error {
	switch s.Kind {
	case SubjectSummary, SubjectFlow:
		if s.Visible && !org.IsZero() {
			return nil
		}
		return violation.New(violation.ErrNotFound, s.Kind+".not_found", "SUM-3", "no "+s.Kind+" "+s.ID)
	case SubjectSupportRequest:
		if s.Visible && !org.IsZero() {
			return nil
		}
		return violation.New(violation.ErrNotFound, "support_request.not_found", "SUP-2", "no support request "+s.ID)
	case SubjectDPIA:
		if s.Visible && !org.IsZero() {
			return nil
		}
		return violation.New(violation.ErrNotFound, "dpia.not_found", "DPIA-2", "no dpia "+s.ID)
	case SubjectAssurance:
		// Only the organisation itself attaches to, and lists, its own assurance's documents.
		if !org.IsZero() && s.ID == org.String() {
			return nil
		}
		return violation.New(violation.ErrNotFound, "document.subject_not_found", "DOC-1", "documents attach to the acting organisation's own assurance")
	default:
		return violation.New(violation.ErrNotFound, "document.subject_not_found", "DOC-1", "no such "+s.Kind)
	}
}

// NewDocument records an upload (DOC-1) at now. The checks are made in this order, and the first
// refusal is returned: the size (CheckDocumentSize), the organisation's licence (in.Licence,
// LIC-3), then the subject (CheckSubject). The ID, organisation, user and name must be set
// (ErrInvalid otherwise).
func NewDocument(in Upload, now time.Time) (Document, error) {
	var fields []violation.FieldError
	if in.ID == "" {
		fields = append(fields, violation.FieldError{Field: "id", Code: "required", Message: "is required"})
	}
	if in.Org.IsZero() {
		fields = append(fields, violation.FieldError{Field: "org", Code: "required", Message: "is required"})
	}
	if in.By.IsZero() {
		fields = append(fields, violation.FieldError{Field: "uploaded_by", Code: "required", Message: "is required"})
	}
	if in.Name == "" {
		fields = append(fields, violation.FieldError{Field: "name", Code: "required", Rule: "DOC-1", Message: "is required"})
	}
	if len(fields) > 0 {
		return Document{}, violation.Invalid(fields...)
	}
	if err := CheckDocumentSize(in.Size); err != nil {
		return Document{}, err
	}
	if in.Licence != nil {
		return Document{}, in.Licence
	}
	if err := CheckSubject(in.Org, in.Subject); err != nil {
		return Document{}, err
	}
	return Document{ID: in.ID, SubjectKind: in.Subject.Kind, SubjectID: in.Subject.ID, Org: in.Org, Name: in.Name,
		Size: in.Size, SHA256: in.SHA256, UploadedBy: in.By, UploadedAt: now}, nil
}

package directory_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg/directory"
	"github.com/isgkit/gateway/isg/ident"
	"github.com/isgkit/gateway/isg/violation"
)

var (
	now    = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	docOrg = ident.OrgID{UUID: uuid.MustParse("01900000-0000-7000-8000-000000000001")}
	user   = ident.UserID{UUID: uuid.MustParse("01900000-0000-7000-8000-000000000002")}
	// refused stands for the licence's refusal of uploads, as package licensing gives it (LIC-3).
	refused = violation.New(violation.ErrLicence, "licence.capability_denied", "LIC-3", "the free model does not upload")
)

func upload(size int, licence error, s directory.Subject) directory.Upload {
	return directory.Upload{ID: "d1", Org: docOrg, By: user, Name: "dspt.pdf", Size: size, SHA256: "abc", Licence: licence, Subject: s}
}

func own() directory.Subject {
	return directory.Subject{Kind: directory.SubjectAssurance, ID: docOrg.String()}
}

// TestNewDocument covers DOC-1 (5 MB at most, 5 × 1024 × 1024 bytes), LIC-3 (the organisation's
// licence must allow uploads) and the subject rules (SUM-3: a visible summary or flow; only the
// organisation's own assurance), checked in that order.
func TestNewDocument(t *testing.T) {
	tests := []struct {
		name string
		in   directory.Upload
		kind error
		code string
		rule string
	}{
		{"DOC-1: exactly 5 MB", upload(directory.MaxDocumentSize, nil, own()), nil, "", ""},
		{"DOC-1: one byte more", upload(directory.MaxDocumentSize+1, nil, own()), violation.ErrInvalid, "document.too_large", "DOC-1"},
		{"DOC-1: size is checked before the licence", upload(directory.MaxDocumentSize+1, refused, own()), violation.ErrInvalid, "document.too_large", "DOC-1"},
		{"LIC-3: a free-licence organisation cannot upload", upload(10, refused, own()), violation.ErrLicence, "licence.capability_denied", "LIC-3"},
		{"LIC-3: the licence is checked before the subject", upload(10, refused, directory.Subject{Kind: directory.SubjectSummary, ID: "x"}), violation.ErrLicence, "licence.capability_denied", "LIC-3"},
		{"SUM-3: a visible summary", upload(10, nil, directory.Subject{Kind: directory.SubjectSummary, ID: "s", Visible: true}), nil, "", ""},
		{"SUM-3: an invisible summary reads as unknown", upload(10, nil, directory.Subject{Kind: directory.SubjectSummary, ID: "s"}), violation.ErrNotFound, "summary.not_found", "SUM-3"},
		{"SUM-3: an invisible flow reads as unknown", upload(10, nil, directory.Subject{Kind: directory.SubjectFlow, ID: "f"}), violation.ErrNotFound, "flow.not_found", "SUM-3"},
		{"DOC-1: another organisation's assurance", upload(10, nil, directory.Subject{Kind: directory.SubjectAssurance, ID: "other"}), violation.ErrNotFound, "document.subject_not_found", "DOC-1"},
		{"DOC-1: an unknown kind of subject", upload(10, nil, directory.Subject{Kind: "report", ID: "x", Visible: true}), violation.ErrNotFound, "document.subject_not_found", "DOC-1"},
		{"a name is required", func() directory.Upload { u := upload(10, nil, own()); u.Name = ""; return u }(), violation.ErrInvalid, "invalid_input", "DOC-1"},
		{"an ID is required", func() directory.Upload { u := upload(10, nil, own()); u.ID = ""; return u }(), violation.ErrInvalid, "invalid_input", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			d, err := directory.NewDocument(in, now)
			assert.Equal(t, tt.in, in, "the input is left unchanged")
			if tt.kind == nil {
				require.NoError(t, err)
				assert.Equal(t, directory.Document{ID: "d1", SubjectKind: in.Subject.Kind, SubjectID: in.Subject.ID, Org: docOrg, Name: "dspt.pdf",
					Size: in.Size, SHA256: "abc", UploadedBy: user, UploadedAt: now}, d)
				return
			}
			assert.ErrorIs(t, err, tt.kind)
			var e *violation.Error
			require.True(t, errors.As(err, &e))
			assert.Equal(t, tt.code, e.Code)
			assert.Equal(t, tt.rule, e.Rule)
			assert.Zero(t, d)
		})
	}
}

// TestCheckDocumentSize: DOC-1's limit is 5 × 1024 × 1024 bytes, and a refusal names the field.
func TestCheckDocumentSize(t *testing.T) {
	assert.NoError(t, directory.CheckDocumentSize(0))
	assert.NoError(t, directory.CheckDocumentSize(5*1024*1024))
	err := directory.CheckDocumentSize(5*1024*1024 + 1)
	var e *violation.Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, "document.too_large", e.Code)
	require.Len(t, e.Fields, 1)
	assert.Equal(t, "content", e.Fields[0].Field)
}

// TestCheckSubject: listing or reading documents follows the subject's visibility (SUM-3), and an
// actor with no organisation sees nothing.
func TestCheckSubject(t *testing.T) {
	assert.NoError(t, directory.CheckSubject(docOrg, own()))
	assert.NoError(t, directory.CheckSubject(docOrg, directory.Subject{Kind: directory.SubjectFlow, ID: "f", Visible: true}))
	assert.ErrorIs(t, directory.CheckSubject(ident.OrgID{}, directory.Subject{Kind: directory.SubjectFlow, ID: "f", Visible: true}), violation.ErrNotFound)
	assert.ErrorIs(t, directory.CheckSubject(ident.OrgID{}, directory.Subject{Kind: directory.SubjectAssurance, ID: ident.OrgID{}.String()}), violation.ErrNotFound)
}

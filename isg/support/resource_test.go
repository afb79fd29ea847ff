package support_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg/support"
	"github.com/isgkit/gateway/isg/violation"
)

// TestLibraryKeepsVersions: SUP-3 — publish, revise (every version kept, none changed),
// withdraw; a withdrawn resource takes no further step.
func TestLibraryKeepsVersions(t *testing.T) {
	l := support.NewLibrary()
	by := userID()
	r, err := l.Publish(support.PublishInput{ID: support.ResourceID{UUID: uuid.New()}, By: by,
		Content: support.Content{Title: "Registering an organisation", URL: "https://example.nhs.uk/guide"}}, t0)
	require.NoError(t, err)
	assert.Equal(t, 1, r.Current().Number)
	before := fmt.Sprint(r)

	v2, err := l.Revise(r, by, support.Content{Title: "Registering an organisation", Body: "Step by step…"}, "added the steps", t0.AddDate(0, 0, 1))
	require.NoError(t, err)
	assert.Equal(t, before, fmt.Sprint(r), "the caller's resource is unchanged")
	require.Len(t, v2.Versions, 2)
	assert.Equal(t, r.Versions[0], v2.Versions[0], "version 1 is kept as it was")
	assert.Equal(t, 2, v2.Current().Number)
	assert.Equal(t, "added the steps", v2.Current().Note)

	same, err := l.Revise(v2, by, v2.Current().Content, "nothing", t0.AddDate(0, 0, 2))
	require.NoError(t, err)
	assert.Len(t, same.Versions, 2, "the same content is no new version")

	got, ok := v2.VersionNumbered(1)
	assert.True(t, ok)
	assert.Equal(t, "https://example.nhs.uk/guide", got.URL)
	_, ok = v2.VersionNumbered(3)
	assert.False(t, ok)

	w, err := l.Withdraw(v2, by, "superseded by the new guide", t0.AddDate(0, 0, 3))
	require.NoError(t, err)
	assert.Equal(t, support.ResourceWithdrawn, w.State)
	assert.Len(t, w.Versions, 2, "withdrawing keeps the versions")
	_, err = l.Revise(w, by, support.Content{Title: "t", Body: "b"}, "", t0)
	assert.Equal(t, support.CodeResourceWithdrawn, violation.Code(err))
	_, err = l.Withdraw(w, by, "again", t0)
	assert.Equal(t, support.CodeResourceWithdrawn, violation.Code(err))
}

// TestResourceContentIsChecked: SUP-3 — a title and a body, link or file; bounded text; http(s)
// links only.
func TestResourceContentIsChecked(t *testing.T) {
	l := support.NewLibrary()
	tests := []struct {
		name    string
		content support.Content
		fields  []string
	}{
		{"nothing but a title", support.Content{Title: "t"}, []string{"body"}},
		{"no title", support.Content{Body: "b"}, []string{"title"}},
		{"a javascript: link", support.Content{Title: "t", URL: "javascript:alert(1)"}, []string{"url"}},
		{"a file without a name", support.Content{Title: "t", File: &support.File{Size: 3, SHA256: "ab"}}, []string{"file_name"}},
		{"a long title", support.Content{Title: string(make([]rune, support.MaxTitle+1)), Body: "b"}, []string{"title"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := l.Publish(support.PublishInput{ID: support.ResourceID{UUID: uuid.New()}, By: userID(), Content: tt.content}, t0)
			var e *support.Error
			require.True(t, errors.As(err, &e), "%v", err)
			var got []string
			for _, f := range e.Fields {
				got = append(got, f.Field)
				assert.NotEmpty(t, f.Code)
			}
			assert.Equal(t, tt.fields, got)
		})
	}
	_, err := l.Withdraw(support.Resource{State: support.ResourcePublished}, userID(), " ", t0)
	assert.ErrorIs(t, err, support.ErrInvalid, "a withdrawal gives its reason")
}

package isg_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/licensing"
)

// licensed gives org a group licence under a fresh contract.
func (w *world) licensed(org isg.OrgID) {
	w.t.Helper()
	now := w.g.Now()
	c, err := w.g.CreateContract(ctx, isg.Actor{User: w.ca}, licensing.ContractInput{Org: org, Group: "G",
		Term: licensing.Period{Start: now.Add(-time.Hour), End: now.AddDate(1, 0, 0)}, Price: decimal.RequireFromString("100.00")})
	require.NoError(w.t, err)
	_, err = w.g.AllocateLicence(ctx, isg.Actor{User: w.ca}, isg.AllocateInput{Contract: c.ID.String(), Org: org, Kind: licensing.Group})
	require.NoError(w.t, err)
}

// TestUploadLimits covers DOC-1: 5 MB at most, and free-licence organisations cannot upload (LIC-3).
func TestUploadLimits(t *testing.T) {
	w := newWorld(t)
	a := w.user("a@york.gov.uk")
	org := w.org(a, "York")
	actor := isg.Actor{User: a, Org: org}
	doc := isg.UploadInput{SubjectKind: "assurance", SubjectID: org.String(), Name: "dspt.pdf", Content: []byte("%PDF-1.7 evidence")}

	_, err := w.g.UploadDocument(ctx, actor, doc)
	var e *isg.Error
	require.ErrorAs(t, err, &e)
	assert.ErrorIs(t, err, isg.ErrLicence)
	assert.Equal(t, "LIC-3", e.Rule, "free model cannot upload")

	w.licensed(org)
	d, err := w.g.UploadDocument(ctx, actor, doc)
	require.NoError(t, err)
	assert.Equal(t, len(doc.Content), d.Size)
	got, err := w.g.DocumentContent(ctx, actor, d.ID)
	require.NoError(t, err)
	assert.Equal(t, doc.Content, got)

	doc.Content = make([]byte, isg.MaxDocumentSize)
	_, err = w.g.UploadDocument(ctx, actor, doc)
	require.NoError(t, err, "exactly 5 MB is allowed")
	doc.Content = make([]byte, isg.MaxDocumentSize+1)
	_, err = w.g.UploadDocument(ctx, actor, doc)
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "document.too_large", e.Code)
	assert.Equal(t, "DOC-1", e.Rule)

	list, err := w.g.Documents(ctx, actor, "assurance", org.String())
	require.NoError(t, err)
	assert.Len(t, list, 2)
}

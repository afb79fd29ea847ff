package isg_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
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
	_, err = w.g.AllocateLicence(ctx, isg.Actor{User: w.ca}, isg.AllocateInput{Contract: c.ID, Org: org, Kind: licensing.Group})
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

	list, err := w.g.Documents(ctx, actor, isg.DocumentsInput{SubjectKind: "assurance", SubjectID: org.String()})
	require.NoError(t, err)
	assert.Len(t, list, 2)
}

// TestDocumentSubjectsFollowVisibility: a summary the organisation may not see reads exactly as
// an unknown one, for uploading and listing (SUM-3, ROLE-7); a visible one takes documents from
// an uploading role only (row UploadDocuments: not a DPO), and a refused upload stores nothing.
func TestDocumentSubjectsFollowVisibility(t *testing.T) {
	blobs := isg.NewMemoryBlobs()
	w := newWorld(t, isg.WithBlobStore(blobs))
	a, b := w.user("a@north.gov.uk"), w.user("b@south.gov.uk")
	north, south := w.org(a, "North"), w.org(b, "South")
	w.licensed(north)
	w.licensed(south)
	s, err := w.g.SaveSummary(ctx, isg.Actor{User: b, Org: south}, isg.SummaryInput{SummaryTerms: summaryTerms(south)})
	require.NoError(t, err)
	unknown := s.ID
	unknown.UUID[15] ^= 0xff

	northAdmin := isg.Actor{User: a, Org: north}
	content := []byte("%PDF-1.7 secret")
	upload := func(actor isg.Actor, id string) error {
		_, err := w.g.UploadDocument(ctx, actor, isg.UploadInput{SubjectKind: "summary", SubjectID: id, Name: "x.pdf", Content: content})
		return err
	}
	list := func(actor isg.Actor, id string) error {
		_, err := w.g.Documents(ctx, actor, isg.DocumentsInput{SubjectKind: "summary", SubjectID: id})
		return err
	}
	for name, f := range map[string]func(isg.Actor, string) error{"upload": upload, "list": list} {
		hidden, missing := f(northAdmin, s.ID.String()), f(northAdmin, unknown.String())
		assert.Equal(t, "summary.not_found", isg.ErrorCode(hidden), name)
		assert.Equal(t, hidden.Error(), strings.ReplaceAll(missing.Error(), unknown.String(), s.ID.String()), name)
	}
	_, err = blobs.Get(ctx, sha256Hex(content))
	assert.ErrorIs(t, err, isg.ErrNotFound, "a refused upload stores no content")

	dpo := w.user("dpo@south.gov.uk")
	w.grant(b, south, dpo, isg.DPO)
	assert.ErrorIs(t, upload(isg.Actor{User: dpo, Org: south}, s.ID.String()), isg.ErrForbidden, "a DPO does not upload")
	require.NoError(t, upload(isg.Actor{User: b, Org: south}, s.ID.String()))
	require.NoError(t, list(isg.Actor{User: dpo, Org: south}, s.ID.String()), "every role lists")
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

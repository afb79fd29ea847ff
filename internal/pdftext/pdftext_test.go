package pdftext_test

import (
	"bytes"
	"testing"

	"github.com/go-pdf/fpdf"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/internal/pdftext"
)

// TestExtractReadsWhatWasWritten: the reader gives back a document's words, white space folded,
// so checks hold wherever lines wrap (EXIT-2's tests rely on it).
func TestExtractReadsWhatWasWritten(t *testing.T) {
	f := fpdf.New("P", "mm", "A4", "")
	f.AddPage()
	f.SetFont("Helvetica", "", 12)
	f.MultiCell(40, 5, "Produced on 2 December 2026,   accurate only on that day.", "", "L", false)
	var b bytes.Buffer
	require.NoError(t, f.Output(&b))
	assert.Equal(t, "Produced on 2 December 2026, accurate only on that day.", pdftext.Extract(t, b.Bytes()))
}

// Package pdftext extracts the text of a PDF for tests, with Debian's pdftotext (poppler-utils):
// an independent reader, so a test proves what any PDF reader would show, not what the writer
// meant to write.
//
// When pdftotext is missing a test is skipped locally, but fails when the environment variable
// CI is set: CI (.ci/run) installs it, and a check that silently did not run there would hide
// missing work.
package pdftext

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Extract returns the text of doc as pdftotext reads it (UTF-8, in reading layout so that a label and its value share a line, one page after
// another), with runs of white space folded to one space so that a check does not depend on
// where a line wrapped.
func Extract(t testing.TB, doc []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("pdftotext is not installed (Debian: apt-get install poppler-utils); CI must have it: %v", err)
		}
		t.Skip("pdftotext is not installed (Debian: apt-get install poppler-utils)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-layout", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(doc)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("pdftotext: %v: %s", err, stderr.String())
	}
	if stderr.Len() > 0 {
		// pdftotext warns on a malformed file but still prints what it could read.
		t.Fatalf("pdftotext complained about the document: %s", stderr.String())
	}
	return strings.Join(strings.Fields(out.String()), " ")
}

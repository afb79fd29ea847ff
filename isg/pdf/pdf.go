package pdf

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/isgkit/gateway/isg/riskmatrix"
)

// AccuracyNote is the sentence every document carries beside the date it was produced: what it
// shows — the terms, the parties' assurance, each signature's verification — is as the
// Gateway's records stood then, and may have changed since.
const AccuracyNote = "This document is accurate only on the day it was produced: the agreement, the parties' assurance ratings and the verification of its signatures may have changed since. Check the Information Sharing Gateway for the current position."

// ContentType is the media type of every document this package writes.
const ContentType = "application/pdf"

// page geometry, in millimetres on A4
const (
	marginLeft   = 18.0
	marginTop    = 18.0
	marginRight  = 18.0
	marginBottom = 20.0
	lineH        = 5.0
	labelW       = 48.0
)

// doc wraps one fpdf document with the few layouts the exports use. Every text goes through
// text, the UTF-8 to Windows-1252 translation the core fonts need.
type doc struct {
	f *fpdf.Fpdf
}

// newDoc starts a document whose dates are produced (so the bytes depend only on the value)
// and whose footer gives the date, the accuracy note's short form and the page.
func newDoc(title, subject string, produced time.Time) *doc {
	f := fpdf.New("P", "mm", "A4", "")
	d := &doc{f: f}
	produced = produced.UTC()
	f.SetCreationDate(produced)
	f.SetModificationDate(produced)
	f.SetCatalogSort(true)
	// Uncompressed: a page of text is a few kilobytes and the core fonts embed nothing, while a
	// fresh zlib writer per page stream cost nine tenths of the allocations; and the bytes then
	// depend on this package alone, not on compress/flate's output in a given Go release.
	f.SetCompression(false)
	f.SetProducer("isgkit gateway (github.com/go-pdf/fpdf)", false)
	f.SetCreator("Information Sharing Gateway", false)
	f.SetTitle(d.text(title), false)
	f.SetSubject(d.text(subject), false)
	f.SetMargins(marginLeft, marginTop, marginRight)
	f.SetAutoPageBreak(true, marginBottom)
	f.AliasNbPages("{nb}")
	footer := d.text("Produced " + stamp(produced) + ". Accurate only on that day.")
	f.SetFooterFunc(func() {
		f.SetY(-14)
		f.SetFont("Helvetica", "I", 8)
		f.SetTextColor(90, 90, 90)
		f.CellFormat(0, 5, footer, "", 0, "L", false, 0, "")
		f.CellFormat(0, 5, fmt.Sprintf("Page %d of {nb}", f.PageNo()), "", 0, "R", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})
	f.AddPage()
	return d
}

// text makes s safe for a core font: it is translated to Windows-1252, the code page of the
// core fonts; a character outside it becomes "?", and control characters but line breaks become
// spaces, so nothing a user wrote can reach the PDF's syntax undecoded.
func (d *doc) text(s string) string { return cp1252(s) }

// cp1252 encodes s in Windows-1252 as described at doc.text. It is fpdf's
// UnicodeTranslatorFromDescriptor("cp1252") with "?" for "." as the mark of a character
// it cannot show, and without parsing the code page's map file for every document.
func cp1252(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r == '\n':
			b = append(b, '\n')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			b = append(b, ' ')
		case r < 0x80 || (r >= 0xa0 && r <= 0xff):
			b = append(b, byte(r))
		default:
			c, ok := cp1252High(r)
			if !ok {
				c = '?'
			}
			b = append(b, c)
		}
	}
	return string(b)
}

// cp1252High is where Windows-1252 differs from Latin-1: the characters it puts at 0x80–0x9F.
func cp1252High(r rune) (byte, bool) {
	switch r {
	case '\u20ac':
		return 0x80, true
	case '\u201a':
		return 0x82, true
	case '\u0192':
		return 0x83, true
	case '\u201e':
		return 0x84, true
	case '\u2026':
		return 0x85, true
	case '\u2020':
		return 0x86, true
	case '\u2021':
		return 0x87, true
	case '\u02c6':
		return 0x88, true
	case '\u2030':
		return 0x89, true
	case '\u0160':
		return 0x8a, true
	case '\u2039':
		return 0x8b, true
	case '\u0152':
		return 0x8c, true
	case '\u017d':
		return 0x8e, true
	case '\u2018':
		return 0x91, true
	case '\u2019':
		return 0x92, true
	case '\u201c':
		return 0x93, true
	case '\u201d':
		return 0x94, true
	case '\u2022':
		return 0x95, true
	case '\u2013':
		return 0x96, true
	case '\u2014':
		return 0x97, true
	case '\u02dc':
		return 0x98, true
	case '\u2122':
		return 0x99, true
	case '\u0161':
		return 0x9a, true
	case '\u203a':
		return 0x9b, true
	case '\u0153':
		return 0x9c, true
	case '\u017e':
		return 0x9e, true
	case '\u0178':
		return 0x9f, true
	}
	return 0, false
}

// title writes the document's title block.
func (d *doc) title(title, sub string) {
	d.f.SetFont("Helvetica", "B", 18)
	d.f.MultiCell(0, 8, d.text(title), "", "L", false)
	if sub != "" {
		d.f.SetFont("Helvetica", "", 11)
		d.f.MultiCell(0, 6, d.text(sub), "", "L", false)
	}
	d.f.Ln(2)
}

// heading starts a numbered section.
func (d *doc) heading(s string) {
	d.f.Ln(3)
	d.f.SetFont("Helvetica", "B", 13)
	d.f.SetFillColor(230, 236, 244)
	d.f.CellFormat(0, 8, d.text(s), "", 1, "L", true, 0, "")
	d.f.Ln(1)
}

// subheading names one record within a section.
func (d *doc) subheading(s string) {
	d.f.Ln(1)
	d.f.SetFont("Helvetica", "B", 10.5)
	d.f.MultiCell(0, lineH+0.5, d.text(s), "", "L", false)
}

// field writes a label and its value; an empty value is written as "-", so that every label
// the document promises is there.
func (d *doc) field(label, value string) {
	if value == "" {
		value = "-"
	}
	d.ensure(lineH)
	d.f.SetFont("Helvetica", "B", 9.5)
	x := d.f.GetX()
	y := d.f.GetY()
	d.f.MultiCell(labelW, lineH, d.text(label), "", "L", false)
	yLabel := d.f.GetY()
	page := d.f.PageNo()
	d.f.SetXY(x+labelW, y)
	d.f.SetFont("Helvetica", "", 9.5)
	d.f.MultiCell(0, lineH, d.text(value), "", "L", false)
	if d.f.PageNo() == page && yLabel > d.f.GetY() {
		d.f.SetY(yLabel)
	}
	d.f.SetX(x)
}

// para writes running text.
func (d *doc) para(s string) {
	d.f.SetFont("Helvetica", "", 9.5)
	d.f.MultiCell(0, lineH, d.text(s), "", "L", false)
}

// note writes text set apart in a box: the accuracy note.
func (d *doc) note(s string) {
	d.f.Ln(1)
	d.f.SetFont("Helvetica", "B", 9.5)
	d.f.SetFillColor(255, 244, 214)
	d.f.MultiCell(0, lineH+0.5, d.text(s), "1", "L", true)
	d.f.Ln(1)
}

// list writes items as a bulleted list, or "none" for no items.
func (d *doc) list(items []string) {
	d.f.SetFont("Helvetica", "", 9.5)
	if len(items) == 0 {
		d.f.MultiCell(0, lineH, "None.", "", "L", false)
		return
	}
	for _, it := range items {
		x := d.f.GetX()
		d.f.CellFormat(5, lineH, d.text("•"), "", 0, "L", false, 0, "")
		d.f.MultiCell(0, lineH, d.text(it), "", "L", false)
		d.f.SetX(x)
	}
}

// ensure starts a new page unless h millimetres are left on this one.
func (d *doc) ensure(h float64) {
	_, pageH := d.f.GetPageSize()
	if d.f.GetY()+h > pageH-marginBottom {
		d.f.AddPage()
	}
}

// write finishes the document into w.
func (d *doc) write(w io.Writer) error {
	if err := d.f.Error(); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	if err := d.f.Output(w); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	return nil
}

// gradeFill is the NHS matrix's colour of a grade, as RGB.
func gradeFill(g riskmatrix.Grade) (int, int, int) {
	switch g.Colour() {
	case "green":
		return 143, 206, 143
	case "yellow":
		return 255, 230, 128
	case "amber":
		return 255, 184, 77
	case "red":
		return 255, 107, 107
	}
	return 255, 255, 255
}

// stamp writes an instant in words, in UTC: "2 December 2026 at 09:05 UTC".
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 January 2006 at 15:04 UTC")
}

// day writes a date in words: "2 December 2026".
func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 January 2006")
}

// yesNo writes a flag.
func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// words turns a stable code ("one_way", "in_review") into words ("one way", "in review").
func words(code string) string { return strings.ReplaceAll(code, "_", " ") }

// joined lists names, or "" for none.
func joined(names []string) string { return strings.Join(names, ", ") }

package report

import (
	"encoding/xml"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The picture's fixed geometry, in SVG user units. The layout is three columns: senders on the
// left, the viewing organisation in the middle, receivers on the right; one partner a row,
// each row tall enough for its datasets.
const (
	svgMargin   = 20
	svgNodeW    = 220
	svgGap      = 240 // between columns, where the edge labels go
	svgNodeH    = 36
	svgLine     = 14 // one line of an edge label
	svgRowPad   = 14
	svgTitleH   = 30
	svgMaxChars = 34 // a name longer than this is cut in the box; the full name is its <title>
)

// SVG renders the map as a standalone SVG picture, laid out by this package (no Graphviz): the
// viewing organisation in the middle, the partners sending to it on the left, those it sends to
// on the right, each arrow labelled with its datasets. The output is deterministic for a map,
// and every name is XML-escaped, so the picture is well-formed whatever the names hold.
func (m SharingMap) SVG() string {
	var left, right []Link
	for _, l := range m.Links() {
		if l.Direction == Receives {
			left = append(left, l)
		} else {
			right = append(right, l)
		}
	}
	colH := func(ls []Link) int {
		h := 0
		for _, l := range ls {
			h += rowH(l)
		}
		return h
	}
	body := max(colH(left), colH(right), svgNodeH+2*svgRowPad)
	width := 2*svgMargin + 3*svgNodeW + 2*svgGap
	height := 2*svgMargin + svgTitleH + body
	leftX, midX, rightX := svgMargin, svgMargin+svgNodeW+svgGap, svgMargin+2*(svgNodeW+svgGap)
	top := svgMargin + svgTitleH
	midY := top + body/2

	var b strings.Builder
	w, h := strconv.Itoa(width), strconv.Itoa(height)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="` + w + `" height="` + h + `" viewBox="0 0 ` + w + " " + h +
		`" font-family="sans-serif" font-size="12">` + "\n")
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">` +
		`<path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>` + "\n")
	b.WriteString(`<rect width="100%" height="100%" fill="white"/>` + "\n")
	b.WriteString(`<text x="` + itoa(svgMargin) + `" y="` + itoa(svgMargin+14) + `" font-size="16" font-weight="bold">Data sharing map: ` +
		esc(m.OrgName) + "</text>\n")
	if len(left) == 0 && len(right) == 0 {
		b.WriteString(`<text x="` + itoa(midX) + `" y="` + itoa(midY+svgNodeH) + `" fill="#777">No data shared in the flows this organisation sees.</text>` + "\n")
	}
	node(&b, "org", m.OrgName, midX, midY-svgNodeH/2, true)
	side := func(ls []Link, x int, toCenter bool) {
		y := top
		for _, l := range ls {
			rh := rowH(l)
			cy := y + rh/2
			node(&b, string(l.Direction), l.PartnerName, x, cy-svgNodeH/2, false)
			// The edge runs between the facing sides of the two boxes; its label sits beside the
			// partner's end, where rows never overlap.
			x1, x2, lx, anchor := x+svgNodeW, midX, x+svgNodeW+8, "start"
			if !toCenter {
				x1, x2, lx, anchor = midX+svgNodeW, x, x-8, "end"
			}
			b.WriteString(`<g class="edge"><line x1="` + itoa(x1) + `" y1="` + itoa(cy) + `" x2="` + itoa(x2) + `" y2="` + itoa(midY) +
				`" stroke="#555" stroke-width="1.5" marker-end="url(#arrow)"/>`)
			ly := cy - 6 - (len(l.Datasets)-1)*svgLine
			b.WriteString(`<text x="` + itoa(lx) + `" y="` + itoa(ly) + `" text-anchor="` + anchor + `" font-size="11" fill="#333">`)
			for i, d := range l.Datasets {
				dy := "0"
				if i > 0 {
					dy = itoa(svgLine)
				}
				b.WriteString(`<tspan x="` + itoa(lx) + `" dy="` + dy + `">` + esc(d) + `</tspan>`)
			}
			b.WriteString("</text></g>\n")
			y += rh
		}
	}
	side(left, leftX, true)
	side(right, rightX, false)
	b.WriteString("</svg>\n")
	return b.String()
}

// rowH is the height of a partner's row: its box, or its label's lines, whichever is taller.
func rowH(l Link) int { return max(svgNodeH, len(l.Datasets)*svgLine+svgLine) + svgRowPad }

func node(b *strings.Builder, class, name string, x, y int, bold bool) {
	stroke, weight := "#333", "normal"
	if bold {
		stroke, weight = "#000", "bold"
	}
	b.WriteString(`<g class="` + class + `"><title>` + esc(name) + `</title><rect x="` + itoa(x) + `" y="` + itoa(y) + `" width="` + itoa(svgNodeW) +
		`" height="` + itoa(svgNodeH) + `" rx="6" fill="#f4f7fb" stroke="` + stroke + `"/><text x="` + itoa(x+svgNodeW/2) + `" y="` + itoa(y+svgNodeH/2+4) +
		`" text-anchor="middle" font-weight="` + weight + `">` + esc(short(name)) + "</text></g>\n")
}

func short(s string) string {
	if utf8.RuneCountInString(s) <= svgMaxChars {
		return s
	}
	r := []rune(s)
	return string(r[:svgMaxChars-1]) + "…"
}

// esc escapes text for XML character data and attribute values; xml.EscapeText also replaces
// characters XML cannot hold (control characters) with U+FFFD, so the document stays well-formed.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder never fails
	return b.String()
}

func itoa(n int) string { return strconv.Itoa(n) }

package dpia

import (
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/isgkit/gateway/isg/riskmatrix"
)

// MapPoint is one risk on the risk map: its position on the 5×5 matrix before its measures
// (inherent) and after them (residual).
type MapPoint struct {
	Risk RiskID `json:"risk"`
	// Label numbers the risk on the map, 1 for the register's first.
	Label       int    `json:"label"`
	Description string `json:"description"`
	Inherent    Rating `json:"inherent"`
	Residual    Rating `json:"residual"`
}

// RiskMap is each risk's position before and after its measures, in register order.
func RiskMap(d DPIA) []MapPoint {
	out := make([]MapPoint, len(d.Risks))
	for i, r := range d.Risks {
		out[i] = MapPoint{Risk: r.ID, Label: i + 1, Description: r.Description, Inherent: r.Inherent(), Residual: r.Residual()}
	}
	return out
}

// The map's geometry, in SVG user units.
const (
	mapCell   = 80
	mapLeft   = 60 // room for the likelihood labels
	mapTop    = 20
	mapBottom = 50 // room for the impact labels
	mapSide   = 5 * mapCell
)

// cellColour is the fill of a matrix cell: the NHS matrix's green, yellow, amber and red.
var cellColour = map[string]string{"green": "#8fce8f", "yellow": "#ffe680", "amber": "#ffb84d", "red": "#ff6b6b"}

// RiskMapSVG draws the risk map as a standalone SVG picture: the 5×5 matrix coloured by grade
// (likelihood up the side, impact along the bottom), each risk as a hollow circle where it starts
// and a filled one where its measures leave it, joined by an arrow, numbered as in RiskMap. A
// risk whose measures do not move it shows one filled circle. The drawing depends only on the
// DPIA, so the same register always gives the same bytes.
func RiskMapSVG(d DPIA) string {
	w, h := mapLeft+mapSide+20, mapTop+mapSide+mapBottom
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", w, h, w, h)
	b.WriteString(`<title>DPIA risk map: each risk before and after its measures</title>` + "\n")
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#333"/></marker></defs>` + "\n")
	for l := riskmatrix.MaxLevel; l >= riskmatrix.MinLevel; l-- {
		for i := riskmatrix.MinLevel; i <= riskmatrix.MaxLevel; i++ {
			rt, _ := riskmatrix.Rate(l, i)
			x, y := cellOrigin(l, i)
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#ffffff"><title>likelihood %d × impact %d = %d (%s)</title></rect>`+"\n",
				x, y, mapCell, mapCell, cellColour[rt.Grade.Colour()], l, i, rt.Score, rt.Grade)
		}
		_, y := cellOrigin(l, 1)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%d</text>`+"\n", mapLeft-8, y+mapCell/2+4, l)
	}
	for i := riskmatrix.MinLevel; i <= riskmatrix.MaxLevel; i++ {
		x, _ := cellOrigin(1, i)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">%d</text>`+"\n", x+mapCell/2, mapTop+mapSide+18, i)
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">impact</text>`+"\n", mapLeft+mapSide/2, mapTop+mapSide+40)
	fmt.Fprintf(&b, `<text x="14" y="%d" text-anchor="middle" transform="rotate(-90 14 %d)">likelihood</text>`+"\n", mapTop+mapSide/2, mapTop+mapSide/2)
	// Risks sharing a cell are fanned out around its centre so that each stays visible.
	placed := map[[2]int]int{}
	at := func(r Rating) (int, int) {
		x, y := cellOrigin(r.Likelihood, r.Impact)
		k := [2]int{r.Likelihood, r.Impact}
		n := placed[k]
		placed[k] = n + 1
		dx, dy := (n%3-1)*22, (n/3%3-1)*22
		return x + mapCell/2 + dx, y + mapCell/2 + dy
	}
	for _, p := range RiskMap(d) {
		if p.Inherent.Score == 0 || p.Residual.Score == 0 {
			continue // not on the matrix: a stored risk always is
		}
		desc := xmlText(p.Description)
		x1, y1 := at(p.Inherent)
		if p.Inherent.Likelihood == p.Residual.Likelihood && p.Inherent.Impact == p.Residual.Impact {
			fmt.Fprintf(&b, `<g><title>%d. %s: %d, unchanged by its measures</title><circle cx="%d" cy="%d" r="10" fill="#333"/><text x="%d" y="%d" text-anchor="middle" fill="#fff">%d</text></g>`+"\n",
				p.Label, desc, p.Residual.Score, x1, y1, x1, y1+4, p.Label)
			continue
		}
		x2, y2 := at(p.Residual)
		fmt.Fprintf(&b, `<g><title>%d. %s: %d before its measures, %d after</title>`, p.Label, desc, p.Inherent.Score, p.Residual.Score)
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333" stroke-width="1.5" marker-end="url(#arrow)"/>`, x1, y1, x2, y2)
		fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="10" fill="#fff" stroke="#333" stroke-width="1.5"/><text x="%d" y="%d" text-anchor="middle">%d</text>`, x1, y1, x1, y1+4, p.Label)
		fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="10" fill="#333"/><text x="%d" y="%d" text-anchor="middle" fill="#fff">%d</text></g>`+"\n", x2, y2, x2, y2+4, p.Label)
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// cellOrigin is the top-left corner of the cell of a likelihood and impact: likelihood rises up
// the side, impact along the bottom.
func cellOrigin(likelihood, impact int) (int, int) {
	return mapLeft + (impact-1)*mapCell, mapTop + (riskmatrix.MaxLevel-likelihood)*mapCell
}

// xmlText escapes s for XML character data and attributes, replacing what XML cannot hold
// (control characters, invalid UTF-8) with U+FFFD.
func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder never fails
	return b.String()
}

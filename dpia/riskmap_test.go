package dpia_test

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/dpia"
	"github.com/isgkit/gateway/isg/riskmatrix"
)

// TestRiskMap: DPIA-6 — each risk's position before and after its measures on the shared 5×5
// matrix (RISK-1's grades), as data and as an SVG picture with every cell and both positions.
func TestRiskMap(t *testing.T) {
	f := newFixture(t)
	d := f.staffed(t)
	d = f.ok(f.m.SaveRisk(d, f.creator, f.tick(), dpia.RiskInput{RiskTerms: red}, dpia.RiskID{UUID: newID()}))
	low := dpia.RiskTerms{Description: "Lost paper copy", Likelihood: 2, Impact: 2, ResidualLikelihood: 2, ResidualImpact: 2}
	d = f.ok(f.m.SaveRisk(d, f.creator, f.tick(), dpia.RiskInput{RiskTerms: low}, dpia.RiskID{UUID: newID()}))
	points := dpia.RiskMap(d)
	require.Len(t, points, 2)
	assert.Equal(t, dpia.Rating{Likelihood: 4, Impact: 5, Score: 20, Grade: riskmatrix.Extreme}, points[0].Inherent)
	assert.Equal(t, dpia.Rating{Likelihood: 3, Impact: 5, Score: 15, Grade: riskmatrix.Extreme}, points[0].Residual)
	assert.Equal(t, riskmatrix.Moderate, points[1].Residual.Grade, "2×2 = 4")

	svg := dpia.RiskMapSVG(d)
	assert.NoError(t, xml.Unmarshal([]byte(svg), new(struct{})), "well-formed")
	assert.Equal(t, 25, strings.Count(svg, "<rect "), "every cell of the matrix")
	assert.Contains(t, svg, "20 before its measures, 15 after")
	assert.Contains(t, svg, "unchanged by its measures")
	assert.Equal(t, svg, dpia.RiskMapSVG(d), "deterministic")
}

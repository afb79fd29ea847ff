package riskmatrix_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg/riskmatrix"
)

// TestRateWholeMatrix checks all 25 cells against the NHS 5×5 matrix bands (RISK-1 grading).
func TestRateWholeMatrix(t *testing.T) {
	want := [5][5]riskmatrix.Grade{}
	for l := 1; l <= 5; l++ {
		for i := 1; i <= 5; i++ {
			switch s := l * i; {
			case s <= 3:
				want[l-1][i-1] = riskmatrix.Low
			case s <= 6:
				want[l-1][i-1] = riskmatrix.Moderate
			case s <= 12:
				want[l-1][i-1] = riskmatrix.High
			default:
				want[l-1][i-1] = riskmatrix.Extreme
			}
		}
	}
	for l := 1; l <= 5; l++ {
		for i := 1; i <= 5; i++ {
			r, err := riskmatrix.Rate(l, i)
			require.NoError(t, err)
			assert.Equal(t, l*i, r.Score)
			assert.Equal(t, want[l-1][i-1], r.Grade, "l=%d i=%d", l, i)
		}
	}
}

func TestGradeBoundaries(t *testing.T) {
	tests := []struct {
		score int
		grade riskmatrix.Grade
	}{
		{1, riskmatrix.Low}, {3, riskmatrix.Low}, {4, riskmatrix.Moderate}, {6, riskmatrix.Moderate},
		{8, riskmatrix.High}, {12, riskmatrix.High}, {15, riskmatrix.Extreme}, {25, riskmatrix.Extreme},
	}
	for _, tt := range tests {
		g, err := riskmatrix.GradeOf(tt.score)
		require.NoError(t, err)
		assert.Equal(t, tt.grade, g, "score %d", tt.score)
	}
	assert.Equal(t, "red", riskmatrix.Extreme.Colour())
	assert.Less(t, riskmatrix.High.Rank(), riskmatrix.Extreme.Rank())
}

func TestOutOfRange(t *testing.T) {
	tests := []struct {
		name string
		l, i int
	}{
		{"zero likelihood", 0, 3}, {"six impact", 3, 6}, {"negative", -1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := riskmatrix.Rate(tt.l, tt.i)
			assert.ErrorIs(t, err, riskmatrix.ErrLevel)
		})
	}
	for _, s := range []int{0, 7, 11, 13, 14, 26, -4} {
		_, err := riskmatrix.GradeOf(s)
		assert.ErrorIs(t, err, riskmatrix.ErrScore, "score %d", s)
	}
}

func ExampleRate() {
	r, _ := riskmatrix.Rate(3, 4)
	fmt.Println(r.Score, r.Grade, r.Grade.Colour())
	// Output: 12 high amber
}

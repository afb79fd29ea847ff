// Package riskmatrix is the 5×5 NHS risk matrix that data-flow risk assessments (RISK-1) and DPIAs
// share: likelihood and impact each from 1 (rare, negligible) to 5 (almost certain, catastrophic),
// score = likelihood × impact, graded low (1–3), moderate (4–6), high (8–12) or extreme (15–25).
//
// It is a leaf: it imports nothing of the module's, so every pure package can use it without
// pulling in another, and its errors are its own sentinels for the caller to turn into field
// errors.
package riskmatrix

import (
	"errors"
	"fmt"
)

// The bounds of a likelihood or impact level.
const (
	MinLevel = 1
	MaxLevel = 5
)

// ErrLevel reports a likelihood or impact outside MinLevel…MaxLevel.
var ErrLevel = errors.New("riskmatrix: level must be 1 to 5")

// ErrScore reports a score that no pair of levels produces (0, 7, 11, 13, 14, above 25…).
var ErrScore = errors.New("riskmatrix: not a score of the 5×5 matrix")

// Grade is the band a score falls in. Its text is stable: it is stored and shown.
type Grade string

// The grades, lowest first.
const (
	Low      Grade = "low"
	Moderate Grade = "moderate"
	High     Grade = "high"
	Extreme  Grade = "extreme"
)

// Colour is the colour the NHS matrix paints the grade: green, yellow, amber or red.
func (g Grade) Colour() string {
	switch g {
	case Low:
		return "green"
	case Moderate:
		return "yellow"
	case High:
		return "amber"
	case Extreme:
		return "red"
	}
	return ""
}

// Rank orders the grades (Low 1 … Extreme 4) so callers can compare them; an unknown grade is 0.
func (g Grade) Rank() int {
	switch g {
	case Low:
		return 1
	case Moderate:
		return 2
	case High:
		return 3
	case Extreme:
		return 4
	}
	return 0
}

// ValidLevel reports whether l is a likelihood or impact level of the matrix.
func ValidLevel(l int) bool { return l >= MinLevel && l <= MaxLevel }

// Score returns likelihood × impact, or ErrLevel if either is out of range.
func Score(likelihood, impact int) (int, error) {
	if !ValidLevel(likelihood) {
		return 0, fmt.Errorf("likelihood %d: %w", likelihood, ErrLevel)
	}
	if !ValidLevel(impact) {
		return 0, fmt.Errorf("impact %d: %w", impact, ErrLevel)
	}
	return likelihood * impact, nil
}

// GradeOf grades a score. Scores 7, 11, 13 and 14 cannot come from two levels and, like anything
// outside 1…25, give ErrScore rather than a guessed band.
func GradeOf(score int) (Grade, error) {
	switch score {
	case 1, 2, 3:
		return Low, nil
	case 4, 5, 6:
		return Moderate, nil
	case 8, 9, 10, 12:
		return High, nil
	case 15, 16, 20, 25:
		return Extreme, nil
	}
	return "", fmt.Errorf("score %d: %w", score, ErrScore)
}

// Rating is a scored and graded pair of levels.
type Rating struct {
	Likelihood int   `json:"likelihood"`
	Impact     int   `json:"impact"`
	Score      int   `json:"score"`
	Grade      Grade `json:"grade"`
}

// Rate scores and grades a likelihood and impact, or returns ErrLevel.
func Rate(likelihood, impact int) (Rating, error) {
	s, err := Score(likelihood, impact)
	if err != nil {
		return Rating{}, err
	}
	g, _ := GradeOf(s) // every product of two levels is a matrix score
	return Rating{Likelihood: likelihood, Impact: impact, Score: s, Grade: g}, nil
}

package dpia_test

import (
	"encoding/json"
	"flag"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/dpia"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/dpia and testdata/vectors")

// questions are the nineteen screening questions, the EDPB's nine first.
func questions() []dpia.Criterion { return append(dpia.EDPBCriteria(), dpia.ICOList()...) }

// answersOf turns a bit mask over questions() into answers.
func answersOf(mask uint32) dpia.ScreeningAnswers {
	a := dpia.ScreeningAnswers{Answers: map[dpia.Criterion]bool{}}
	for i, q := range questions() {
		a.Answers[q] = mask&(1<<i) != 0
	}
	return a
}

// TestScreeningRuleExhaustively: DPIA-3 — every one of the 2^19 combinations of answers to the
// nine EDPB WP248 criteria and the ten ICO items gets the outcome the rulebook states: Essential
// for two or more criteria or any ICO item, Recommended for exactly one criterion, Not required
// for none; the reasons name exactly the questions answered yes.
func TestScreeningRuleExhaustively(t *testing.T) {
	require.Len(t, dpia.EDPBCriteria(), 9)
	require.Len(t, dpia.ICOList(), 10)
	qs := questions()
	for mask := uint32(0); mask < 1<<len(qs); mask++ {
		edpb, ico := 0, 0
		for i := range qs {
			if mask&(1<<i) != 0 {
				if i < 9 {
					edpb++
				} else {
					ico++
				}
			}
		}
		want := dpia.NotRequired
		switch {
		case edpb >= 2 || ico > 0:
			want = dpia.Essential
		case edpb == 1:
			want = dpia.Recommended
		}
		r := dpia.Screen(answersOf(mask))
		if r.Outcome != want || len(r.EDPB) != edpb || len(r.ICO) != ico {
			t.Fatalf("mask %019b: got %s (%d EDPB, %d ICO), want %s (%d, %d)", mask, r.Outcome, len(r.EDPB), len(r.ICO), want, edpb, ico)
		}
	}
}

// TestScreeningIsAdvisory: DPIA-3 — an outcome is recorded with its reasons and never blocks: a
// DPIA screened "not required" goes all the way to approval, and unanswered questions do not hold.
func TestScreeningIsAdvisory(t *testing.T) {
	f := newFixture(t)
	d := f.ok(f.m.Screen(f.draft(t), f.creator, f.tick(), dpia.ScreeningAnswers{Notes: "Nothing new here."}))
	require.NotNil(t, d.Screening)
	assert.Equal(t, dpia.NotRequired, d.Screening.Result.Outcome)
	assert.NotEmpty(t, d.Screening.Result.Reason)
	assert.Equal(t, f.creator.User, d.Screening.ScreenedBy)
	_, _, err := f.m.Screen(d, f.creator, f.tick(), dpia.ScreeningAnswers{Answers: map[dpia.Criterion]bool{"astrology": true}})
	assert.Equal(t, []string{"answers.astrology:unknown_question"}, fields(err))
	essential := f.ok(f.m.Screen(d, f.creator, f.tick(), dpia.ScreeningAnswers{Answers: map[dpia.Criterion]bool{dpia.ICOBiometrics: true}}))
	assert.Equal(t, dpia.Essential, essential.Screening.Result.Outcome)
	assert.Equal(t, []dpia.Criterion{dpia.ICOBiometrics}, essential.Screening.Result.ICO)
	// Screened not required, it is still approved like any other.
	g := f.approved(t)
	assert.Equal(t, dpia.Approved, g.State)
}

const vectorFile = "../testdata/vectors/dpia_screening.json"

type screeningVector struct {
	Name    string           `json:"name"`
	Yes     []dpia.Criterion `json:"yes"`
	Outcome dpia.Outcome     `json:"outcome"`
	EDPB    []dpia.Criterion `json:"edpb"`
	ICO     []dpia.Criterion `json:"ico"`
}

type screeningVectors struct {
	Description string            `json:"description"`
	Rule        string            `json:"rule"`
	Vectors     []screeningVector `json:"vectors"`
}

// vectors are the cases of the committed vector file: no answer; each question alone; every pair
// of EDPB criteria; an ICO item with and without criteria; everything.
func vectors() []screeningVector {
	var out []screeningVector
	add := func(name string, yes ...dpia.Criterion) {
		a := dpia.ScreeningAnswers{Answers: map[dpia.Criterion]bool{}}
		for _, c := range yes {
			a.Answers[c] = true
		}
		r := dpia.Screen(a)
		out = append(out, screeningVector{Name: name, Yes: slices.Clone(yes), Outcome: r.Outcome, EDPB: r.EDPB, ICO: r.ICO})
	}
	add("nothing holds")
	for _, c := range questions() {
		add("only "+string(c), c)
	}
	e := dpia.EDPBCriteria()
	for i := range e {
		for j := i + 1; j < len(e); j++ {
			add(string(e[i])+" and "+string(e[j]), e[i], e[j])
		}
	}
	add("one criterion and an ICO item", dpia.VulnerableSubjects, dpia.ICOTracking)
	add("every question", questions()...)
	return out
}

// TestScreeningVectors: DPIA-3 — the committed vector file testdata/vectors/dpia_screening.json
// (answers → outcome, for other platforms) is recomputed from the rule; -update rewrites it.
func TestScreeningVectors(t *testing.T) {
	want := screeningVectors{Description: "DPIA screening (DPIA-3): the questions answered yes, and the outcome and the criteria the rule finds. Every question not listed is answered no.",
		Rule: "DPIA-3", Vectors: vectors()}
	if *update {
		b, err := json.MarshalIndent(want, "", "  ")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(vectorFile, append(b, '\n'), 0o644))
	}
	b, err := os.ReadFile(vectorFile)
	require.NoError(t, err, "missing vector file; run with -update")
	var got screeningVectors
	require.NoError(t, json.Unmarshal(b, &got))
	require.NotEmpty(t, got.Vectors)
	for _, v := range got.Vectors {
		a := dpia.ScreeningAnswers{Answers: map[dpia.Criterion]bool{}}
		for _, c := range v.Yes {
			a.Answers[c] = true
		}
		r := dpia.Screen(a)
		assert.Equal(t, v.Outcome, r.Outcome, v.Name)
		assert.Equal(t, v.EDPB, r.EDPB, v.Name)
		assert.Equal(t, v.ICO, r.ICO, v.Name)
	}
	assert.Equal(t, want, got, "the vector file is stale: run go test ./dpia -run Vectors -update")
}

package assurance_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/assurance"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors/assurance_rating.json from the cases in vectors_test.go")

var vectorPath = filepath.Join("..", "testdata", "vectors", "assurance_rating.json")

const vectorFormat = `ISG assurance rating vectors, version 1 (rules ASR-2, ASR-3). ` +
	`Each case gives a submission as the Gateway stores it (null: the organisation has none) and an instant "now"; ` +
	`rate it and compare the level code, the badge colour and the missing criteria (codes, in the order ` +
	`ico_registered, ig_framework, staff_trained, staff_screened, privacy_notice; listed only for limited ` +
	`and none, empty for every other level). Criteria: ico_registered = ico_number given and now < ico_expires_at; ` +
	`ig_framework = standard is one of dsp_toolkit, iso_27001, cyber_essentials, cyber_essentials_plus, other; ` +
	`staff_trained; staff_screened; privacy_notice = privacy_notice_url or privacy_notice_document given. ` +
	`0 missing: significant (green); 1: limited (amber); more: none (red); no submission: not_submitted (grey); ` +
	`expired (grey) when now >= submitted_at + 1 calendar year, added on the UTC calendar date ` +
	`(a UTC 29 February rolls to 1 March). Times are RFC 3339. Every submission here also passes validation ` +
	`(ASR-1, ASR-4) as of its submitted_at.`

type vectorFile struct {
	Format string       `json:"format"`
	Cases  []vectorCase `json:"cases"`
}

type vectorCase struct {
	Name            string                `json:"name"`
	Rule            string                `json:"rule"`
	Submission      *assurance.Submission `json:"submission"`
	Now             time.Time             `json:"now"`
	ExpectedLevel   string                `json:"expected_level"`
	ExpectedColour  string                `json:"expected_colour"`
	ExpectedMissing []string              `json:"expected_missing"`
}

var colourOf = map[string]string{
	"significant": "green", "limited": "amber", "none": "red", "not_submitted": "grey", "expired": "grey",
}

// vectorCases states the expected answers from the rule text, not from Rate, so the file is a
// specification that Rate is then checked against.
func vectorCases() []vectorCase {
	var cases []vectorCase
	add := func(name, rule string, s *assurance.Submission, at time.Time, level string, missing ...string) {
		if missing == nil {
			missing = []string{}
		}
		cases = append(cases, vectorCase{Name: name, Rule: rule, Submission: s, Now: at,
			ExpectedLevel: level, ExpectedColour: colourOf[level], ExpectedMissing: missing})
	}

	// ASR-2: the 32 combinations of the five criteria.
	for mask := range 1 << len(allCriteria) {
		var m assurance.Criteria
		var codes []string
		for i, c := range allCriteria {
			if mask&(1<<i) != 0 {
				m |= c
				codes = append(codes, c.String())
			}
		}
		name := "combination: all criteria met"
		if len(codes) > 0 {
			name = "combination: missing " + m.String()
		}
		level := expectedLevel(len(codes))
		if level == "significant" {
			codes = nil
		}
		add(name, "ASR-2", submission(answersMissing(m), submittedAt), now, level, codes...)
	}

	// ASR-3: no submission, and the one-year expiry.
	add("no submission", "ASR-3", nil, now, "not_submitted")
	longICO := fullAnswers()
	longICO.ICOExpiresAt = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	exp := submittedAt.AddDate(1, 0, 0)
	add("expiry: one second before", "ASR-3", submission(longICO, submittedAt), exp.Add(-time.Second), "significant")
	add("expiry: one nanosecond before", "ASR-3", submission(longICO, submittedAt), exp.Add(-time.Nanosecond), "significant")
	add("expiry: at the instant", "ASR-3", submission(longICO, submittedAt), exp, "expired")
	add("expiry: a year later", "ASR-3", submission(longICO, submittedAt), exp.AddDate(1, 0, 0), "expired")
	add("expiry: a poor submission expires too, with nothing missing reported", "ASR-3",
		submission(answersMissing(assurance.AllCriteria), submittedAt), exp, "expired")
	add("expiry: now before submitted_at rates the answers", "ASR-3", submission(longICO, submittedAt), submittedAt.Add(-time.Minute), "significant")

	leap := time.Date(2024, 2, 29, 10, 0, 0, 0, time.UTC)
	add("leap day: current on 28 February next year", "ASR-3", submission(longICO, leap), time.Date(2025, 2, 28, 23, 59, 59, 0, time.UTC), "significant")
	add("leap day: current just before 1 March at the submission time", "ASR-3", submission(longICO, leap), time.Date(2025, 3, 1, 9, 59, 59, 999999999, time.UTC), "significant")
	add("leap day: expired on 1 March at the submission time", "ASR-3", submission(longICO, leap), time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC), "expired")
	mar := time.Date(2023, 3, 1, 10, 0, 0, 0, time.UTC)
	add("into a leap year: current on 29 February", "ASR-3", submission(longICO, mar), time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC), "significant")
	add("into a leap year: expired on 1 March", "ASR-3", submission(longICO, mar), time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC), "expired")
	// 00:30 on 1 March at +01:00 is 23:30 on 29 February UTC: the UTC date rolls to 1 March 2025
	// 23:30 UTC, a day later than adding a year to the local date would give.
	offset := time.Date(2024, 3, 1, 0, 30, 0, 0, time.FixedZone("", 3600))
	add("offset time: the year is added to the UTC date (still current)", "ASR-3", submission(longICO, offset), time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC), "significant")
	add("offset time: the year is added to the UTC date (expired)", "ASR-3", submission(longICO, offset), time.Date(2025, 3, 1, 23, 30, 0, 0, time.UTC), "expired")

	// ASR-2: the ICO registration's own expiry.
	icoAt := func(t time.Time) *assurance.Submission {
		a := fullAnswers()
		a.ICOExpiresAt = t
		a.ImprovementPlan = "Renew the ICO registration."
		return submission(a, submittedAt)
	}
	add("ICO: expires one second after now", "ASR-2", icoAt(now.Add(time.Second)), now, "significant")
	add("ICO: expires exactly now (the expiry instant does not count)", "ASR-2", icoAt(now), now, "limited", "ico_registered")
	add("ICO: expired since submission", "ASR-2", icoAt(submittedAt.AddDate(0, 1, 0)), now, "limited", "ico_registered")
	icoAndTraining := icoAt(submittedAt.AddDate(0, 1, 0))
	icoAndTraining.StaffTrained = false
	add("ICO: expired registration and untrained staff", "ASR-2", icoAndTraining, now, "none", "ico_registered", "staff_trained")

	// ASR-2: every framework counts.
	for _, st := range []assurance.Standard{assurance.StandardCyberEssentials, assurance.StandardCyberEssentialsPlus, assurance.StandardOther} {
		a := fullAnswers()
		a.Standard = st
		if st == assurance.StandardOther {
			a.StandardOther = "PCI DSS"
		}
		add("framework: "+string(st), "ASR-2", submission(a, submittedAt), now, "significant")
	}
	dsp := fullAnswers()
	dsp.Standard = assurance.StandardDSPToolkit
	dsp.DSPToolkit = &assurance.DSPToolkit{StandardsMet: ptr(true), Year: 2024, Score: ptr(100), Evidence: "DSPT 2023-24 publication"}
	add("framework: dsp_toolkit, standards met", "ASR-2", submission(dsp, submittedAt), now, "significant")
	notMet := fullAnswers()
	notMet.Standard = assurance.StandardDSPToolkit
	notMet.DSPToolkit = &assurance.DSPToolkit{StandardsMet: ptr(false), NotMetReason: "Two assertions outstanding.", Year: 2024, Score: ptr(62)}
	add("framework: dsp_toolkit, standards not met still counts as a framework", "ASR-2", submission(notMet, submittedAt), now, "significant")

	// ASR-2: a privacy notice by document.
	doc := fullAnswers()
	doc.PrivacyNoticeURL, doc.PrivacyNoticeDocument = "", "document-0190a1b2"
	add("privacy notice: uploaded document", "ASR-2", submission(doc, submittedAt), now, "significant")

	return cases
}

func encodeVectors(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(vectorFile{Format: vectorFormat, Cases: vectorCases()}))
	return buf.Bytes()
}

// TestVectors checks Rate against every case of the portable vector file (ASR-2, ASR-3), and that
// the file is what vectorCases generates. Regenerate it with
//
//	go test ./assurance -run TestVectors -update
func TestVectors(t *testing.T) {
	want := encodeVectors(t)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(vectorPath), 0o755))
		require.NoError(t, os.WriteFile(vectorPath, want, 0o644))
	}
	got, err := os.ReadFile(vectorPath)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "vector file is stale: run go test ./assurance -run TestVectors -update")

	var file vectorFile
	require.NoError(t, json.Unmarshal(got, &file))
	require.GreaterOrEqual(t, len(file.Cases), 40)
	names := map[string]bool{}
	for _, c := range file.Cases {
		t.Run(c.Rule+"/"+c.Name, func(t *testing.T) {
			require.False(t, names[c.Name], "case names are unique")
			names[c.Name] = true
			r := assurance.Rate(c.Submission, c.Now)
			assert.Equal(t, c.ExpectedLevel, r.Code())
			assert.Equal(t, c.ExpectedColour, string(r.Colour()))
			assert.Equal(t, c.ExpectedMissing, r.Missing.Codes())
			if c.Submission != nil {
				assert.NoError(t, assurance.Validate(*c.Submission, c.Submission.SubmittedAt), "vector submissions are valid (ASR-1, ASR-4)")
			}
		})
	}
}

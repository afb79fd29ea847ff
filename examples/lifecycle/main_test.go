package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/storage/sqlite"
)

// TestWalkThrough runs the README's first command in-process and checks the milestones it prints.
func TestWalkThrough(t *testing.T) {
	var out bytes.Buffer
	dir := t.TempDir()
	require.NoError(t, run(context.Background(), &out, dir))
	// What the journey takes away is real: PDFs, an SVG that parses, CSVs with a header and rows,
	// and the data return as the JSON document the receipt names.
	for name, check := range map[string]func([]byte) bool{
		"agreement.pdf": func(b []byte) bool { return bytes.HasPrefix(b, []byte("%PDF-")) },
		"dpia.pdf":      func(b []byte) bool { return bytes.HasPrefix(b, []byte("%PDF-")) },
		"sharing-map.svg": func(b []byte) bool {
			return xml.Unmarshal(b, new(struct{ XMLName xml.Name })) == nil && bytes.Contains(b, []byte("West Yorkshire Police"))
		},
		"sharing-map.csv": func(b []byte) bool {
			rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
			return err == nil && len(rows) >= 2
		},
		"flows-by-status.csv": func(b []byte) bool {
			rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
			return err == nil && len(rows) == 3
		},
		"data-return.json": json.Valid,
	} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err, name)
		assert.True(t, check(b), "%s is not what it should be", name)
	}
	for _, want := range []string{
		"password \"password\" -> invalid_input (REG-2)",
		"validated by central admin -> active",
		"the last Administrator stepping down -> organisation.last_administrator (ORG-3)",
		"Leeds' administrator tries to sign -> forbidden (ROLE-3)",
		"its hash verifies: true",
		"before: not_submitted (grey)",
		"updated: significant (green)",
		"upload documents true, reports true",
		"licence.renewal_price_cap (LIC-6)",
		"no Art. 9 condition -> invalid_input (FLOW-1)",
		"finalising with the rejection open -> flow.open_rejection (FLOW-8)",
		"the DPO approves: approved",
		"Leeds finalises: finalised",
		"verifies: true",
		"The police raise a support request to their group's Super Administrator: open",
		"the central team before escalation -> support_request.not_found (SUP-2)",
		"escalates it: escalated",
		"the central team answers: answered_by_central",
		"the police resolve it: resolved after 4 steps",
		"support.request_escalated",
		"support.request_resolved",
		// DPIA-3, LIC-4, DPIA-7: the DPIA at the end of the journey.
		"an activity without a DPIA licence -> licence.capability_denied (LIC-4)",
		"DPIA screening: essential",
		"the DPO approving with the red risk unconsulted -> dpia.red_risk_unconsulted (DPIA-7)",
		"the DPO approves the DPIA: approved",
		// SIGN-1…SIGN-4, SIGN-6, LIFE-1, LIFE-2: the agreement signed, checked, varied, reviewed, archived.
		"not asked and no signatory -> flow.not_signatory (SIGN-1)",
		"Sam signs for Leeds: finalised, 1 of 2 parties",
		"Sol signs for the police: signed; the signature is Ed25519",
		"every signature verifies: true",
		"a copy with a term added verifies: false — signature.terms_changed",
		"signed by both, takes effect: the original is superseded",
		"1 review notice(s) sent",
		"is review due: true",
		"Leeds archives the superseded agreement: archived",
		// EXIT-3, EXIT-1, EXIT-2: published, reported on, exported, returned.
		"with the police yet to agree, the register has it -> register_entry.not_found",
		"anyone reads, with no account: \"Adult safeguarding referrals\" between Leeds Teaching Hospitals NHS Trust and West Yorkshire Police",
		"its data sharing map shows 1 dataset(s) shared with 1 partner(s)",
		"flows by status: 1 signed, 1 archived",
		"Leeds exports the agreement in force as PDF",
		"and the approved DPIA \"Patient portal DPIA\"",
		"the same as sent: true",
		"sharing-map.svg, sharing-map.csv, flows-by-status.csv, partner-assurance.csv, reviews-due.csv, agreement.pdf, dpia.pdf, data-return.json",
		"flow.signed",
		"summary.review_due",
		"Outbox drained:",
	} {
		assert.Contains(t, out.String(), want)
	}
}

// TestWalkThroughResumes runs the walk-through twice on one SQLite file (-db): the first run is
// the walk-through as on memory; the second finds everything the first left and reuses it rather
// than failing on it, saying so.
func TestWalkThroughResumes(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "lifecycle.sqlite")
	var first bytes.Buffer
	require.NoError(t, runFile(ctx, &first, path, t.TempDir()))
	assert.NotContains(t, first.String(), "esumed", "nothing to resume in a new file")
	for _, want := range []string{"validated by central admin -> active", "its hash verifies: true", "updated: significant (green)",
		"licence.renewal_price_cap (LIC-6)", "Leeds finalises: finalised", "verifies: true", "the police resolve it: resolved", "the DPO approves the DPIA: approved", "Outbox drained:"} {
		assert.Contains(t, first.String(), want)
	}

	for run := 2; run <= 3; run++ {
		var again bytes.Buffer
		require.NoError(t, runFile(ctx, &again, path, t.TempDir()), "run %d on the same file", run)
		for _, want := range []string{
			"Resumed: the central admin team was bootstrapped on an earlier run",
			"password \"password\" -> invalid_input (REG-2)",
			"ada@leeds.nhs.uk was registered on an earlier run -> resumed (active)",
			"cara@carers-charity.org.uk was registered on an earlier run -> resumed (active)",
			"Leeds Teaching Hospitals NHS Trust was registered on an earlier run -> resumed",
			"West Yorkshire Police was registered on an earlier run -> resumed",
			"the last Administrator stepping down -> organisation.last_administrator (ORG-3)",
			"Resumed: central admin published MoU version 1",
			"Sam signed as senior_officer at",
			"updated: significant (green)",
			"Resumed: central admin recorded a group contract on an earlier run",
			"upload documents true, reports true",
			"Resumed: Leeds finalised the flow \"Adult safeguarding referrals\" on an earlier run",
			"Resumed: the police's support request \"Sign-off requests are not reaching our Senior Officer\" was resolved on an earlier run (4 steps)",
			"Resumed: Leeds approved the DPIA \"Patient portal DPIA\" on an earlier run",
			"Resumed: the agreement in force was published on the public register on an earlier run",
			"the same as sent: true",
			"verifies: true",
			"Outbox drained:",
		} {
			assert.Contains(t, again.String(), want, "run %d", run)
		}
	}
}

// TestWalkThroughResumesInterrupted resumes from a file an interrupted run left: the platform
// bootstrapped, one address registered but never verified, another verified but not yet
// validated by the central admin team.
func TestWalkThroughResumesInterrupted(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "lifecycle.sqlite")
	store, err := sqlite.Open(path)
	require.NoError(t, err)
	g, err := isg.New(store)
	require.NoError(t, err)
	_, err = g.Bootstrap(ctx, isg.BootstrapInput{Email: "support@isg.nhs.uk", Name: "ISG Support", Password: "Support#2026"})
	require.NoError(t, err)
	_, err = g.Register(ctx, isg.RegisterInput{Email: "ada@leeds.nhs.uk", Name: "Ada Admin", Password: "Passw0rd!"})
	require.NoError(t, err)
	reg, err := g.Register(ctx, isg.RegisterInput{Email: "cara@carers-charity.org.uk", Name: "Cara Charity", Password: "Passw0rd!"})
	require.NoError(t, err)
	_, err = g.VerifyEmail(ctx, isg.TokenInput{Token: reg.VerificationToken})
	require.NoError(t, err)
	require.NoError(t, store.Close())

	var out bytes.Buffer
	require.NoError(t, runFile(ctx, &out, path, t.TempDir()))
	for _, want := range []string{
		"Resumed: the central admin team was bootstrapped on an earlier run",
		"ada@leeds.nhs.uk was registered on an earlier run -> resumed (active)",
		"sam@leeds.nhs.uk registered instantly and verified -> active",
		"cara@carers-charity.org.uk was registered on an earlier run -> resumed (active)",
		"Leeds finalises: finalised",
	} {
		assert.Contains(t, out.String(), want)
	}
}

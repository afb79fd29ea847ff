package isg_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg"
)

// TestOneLogRecordPerCommand: WithLogger gets one Debug record per command with its name, actor,
// outcome code and duration, for a success and for a refusal alike; never the input.
func TestOneLogRecordPerCommand(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w := newWorld(t, isg.WithLogger(logger))
	a := w.user("a@leeds.gov.uk")
	org := w.org(a, "Leeds")
	actor := isg.Actor{User: a, Org: org}
	buf.Reset()

	_, err := w.g.SaveSummary(ctx, actor, isg.SummaryInput{SummaryTerms: summaryTerms(org)})
	require.NoError(t, err)
	_, err = w.g.Summary(ctx, actor, isg.ByID[agreement.SummaryID]{ID: agreement.SummaryID{UUID: w.ca.UUID}})
	require.Error(t, err)

	var records []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(buf.String()), "\n") {
		var r map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &r))
		if r["msg"] == "isg: command" {
			records = append(records, r)
		}
	}
	require.Len(t, records, 2)
	assert.Equal(t, "summary.save", records[0]["command"])
	assert.Equal(t, "ok", records[0]["outcome"])
	assert.Equal(t, a.String(), records[0]["user"])
	assert.Equal(t, org.String(), records[0]["org"])
	assert.Contains(t, records[0], "duration")
	assert.Equal(t, "summary.get", records[1]["command"])
	assert.Equal(t, "summary.not_found", records[1]["outcome"])
	assert.NotContains(t, buf.String(), "Safeguarding children", "inputs are never logged")
}

package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWalkThrough runs the README's first command in-process and checks the milestones it prints.
func TestWalkThrough(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
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
		"Outbox drained:",
	} {
		assert.Contains(t, out.String(), want)
	}
}

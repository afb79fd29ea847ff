package ident_test

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg/ident"
)

func TestIDsRoundTripAsJSONText(t *testing.T) {
	id := ident.OrgID{uuid.Must(uuid.NewV7())}
	b, err := json.Marshal(map[string]ident.OrgID{"org": id})
	require.NoError(t, err)
	assert.Equal(t, `{"org":"`+id.String()+`"}`, string(b))
	var back map[string]ident.OrgID
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, id, back["org"])
	assert.False(t, id.IsZero())
	assert.True(t, ident.UserID{}.IsZero())
	p, err := ident.ParseOrgID(id.String())
	require.NoError(t, err)
	assert.Equal(t, id, p)
	_, err = ident.ParseUserID("nope")
	assert.Error(t, err)
}

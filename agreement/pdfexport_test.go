package agreement_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg/violation"
)

// TestCheckExport_EXIT2: only a flow in force — Finalised or Signed — is exported, and only by
// an organisation named in it; every other state is refused with the state rule's code.
func TestCheckExport_EXIT2(t *testing.T) {
	party, creator := agreement.OrgID{UUID: uuid.New()}, agreement.OrgID{UUID: uuid.New()}
	for _, s := range agreement.FlowStates() {
		f := agreement.Flow{State: s, CreatedByOrg: creator, FlowTerms: agreement.FlowTerms{Parties: []agreement.OrgID{party, {UUID: uuid.New()}}}}
		err := agreement.CheckExport(f, party)
		if s == agreement.Finalised || s == agreement.Signed {
			assert.NoError(t, err, s)
		} else {
			assert.ErrorIs(t, err, violation.ErrInvalidTransition, s)
			assert.Equal(t, agreement.CodeNotExportable, violation.Code(err), s)
		}
		err = agreement.CheckExport(f, creator)
		assert.ErrorIs(t, err, violation.ErrForbidden, "%s: the creator, not named", s)
		assert.Equal(t, agreement.CodeNotParty, violation.Code(err))
	}
}

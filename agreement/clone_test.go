package agreement_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"

	"github.com/isgkit/gateway/agreement"
)

// TestFlowCloneSharesNothing walks every field of Flow by reflection, so a slice or map field
// added later without a deep copy in Clone fails here.
func TestFlowCloneSharesNothing(t *testing.T) {
	o := agreement.OrgID{UUID: uuid.New()}
	f := agreement.Flow{State: agreement.Draft, FlowTerms: agreement.FlowTerms{
		Parties: []agreement.OrgID{o}, From: []agreement.OrgID{o}, To: []agreement.OrgID{o}, Controls: []string{"c"},
		LegalBases: []agreement.LegalBasis{{Basis: agreement.Art6PublicTask, Instrument: "i"}}, PrivacyAnswers: map[string]string{"q": "a"},
		Assets: []uuid.UUID{uuid.New()}, Sources: []agreement.FlowID{{UUID: uuid.New()}}},
		Reviews:       []agreement.DPOReview{{DPO: agreement.UserID{UUID: uuid.New()}, RequestedAt: time.Now()}},
		OnwardReviews: []agreement.DPOReview{{DPO: agreement.UserID{UUID: uuid.New()}, Org: o}},
		Signatures:    []agreement.Signature{{Algorithm: "Ed25519", Value: []byte{1}}},
		SignOff:       []agreement.SignOffRequest{{Comments: "c"}}, WetSignatures: []agreement.WetSignature{{Org: o}}}
	// the end of the lifecycle (LIFE-2…LIFE-4)
	f.Notices = []agreement.LeaveNotice{{Org: o, Status: agreement.NoticeOpen, Answers: []agreement.NoticeAnswer{{Org: o, Approved: true}}}}
	f.Withdrawals = []agreement.Withdrawal{{Org: o}}
	f.Disputes = []agreement.Dispute{{Number: 1, Org: o}}
	f.Archive = agreement.Archive{Reason: "r", Extensions: []agreement.RetentionExtension{{Reason: "x"}}, DeletionApprovals: []agreement.DeletionApproval{{Org: o}}}
	f.Publication = []agreement.PublicationConsent{{Org: o, Parties: []agreement.OrgID{o}}} // EXIT-3
	c := f.Clone()
	assert.Equal(t, f, c)
	var walk func(a, b reflect.Value, path string)
	walk = func(a, b reflect.Value, path string) {
		switch a.Kind() {
		case reflect.Struct:
			for i := range a.NumField() {
				walk(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name)
			}
		case reflect.Slice, reflect.Map:
			if a.Len() == 0 {
				t.Errorf("%s: give the test a non-empty value so the copy is checked", path)
				return
			}
			assert.NotEqual(t, a.Pointer(), b.Pointer(), "%s shares memory with the original", path)
		}
	}
	walk(reflect.ValueOf(f), reflect.ValueOf(c), "Flow")
	assert.NotSame(t, &f.Signatures[0].Value[0], &c.Signatures[0].Value[0], "a signature's value shares memory")
	assert.NotSame(t, &f.Notices[0].Answers[0], &c.Notices[0].Answers[0], "a notice's answers share memory")
	assert.NotSame(t, &f.Publication[0].Parties[0], &c.Publication[0].Parties[0], "a consent's parties share memory")
}

// TestFlowCloneSidesAreApart: a clone's parties and sides share one allocation, so each must end
// at its own length — growing one never writes into the next — and a nil or empty side is kept
// as it was, for it encodes differently (LIFE-3: a terminated flow may have an empty side).
func TestFlowCloneSidesAreApart(t *testing.T) {
	a, b, x := agreement.OrgID{UUID: uuid.New()}, agreement.OrgID{UUID: uuid.New()}, agreement.OrgID{UUID: uuid.New()}
	f := agreement.Flow{FlowTerms: agreement.FlowTerms{Parties: []agreement.OrgID{a, b}, From: []agreement.OrgID{a}, To: []agreement.OrgID{b}}}
	c := f.Clone()
	c.Parties = append(c.Parties, x)
	c.From[0] = x
	assert.Equal(t, []agreement.OrgID{a, b, x}, c.Parties)
	assert.Equal(t, []agreement.OrgID{x}, c.From)
	assert.Equal(t, []agreement.OrgID{b}, c.To, "growing the parties wrote into the next side")
	assert.Equal(t, []agreement.OrgID{a, b}, f.Parties)
	assert.Equal(t, []agreement.OrgID{a}, f.From)

	empty := agreement.Flow{FlowTerms: agreement.FlowTerms{Parties: []agreement.OrgID{a}, From: []agreement.OrgID{}, To: nil}}
	ec := empty.Clone()
	assert.NotNil(t, ec.From, "an empty side became nil")
	assert.Empty(t, ec.From)
	assert.Nil(t, ec.To, "a nil side became empty")
}

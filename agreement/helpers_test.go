package agreement_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/agreement"
)

// tb is what the fixtures need of a test: *testing.T, *testing.B and *rapid.T all have it.
type tb interface {
	Helper()
	Errorf(format string, args ...any)
	FailNow()
}

// world is a small cast: three organisations on a summary (trust creates, council and police are
// partners), an outsider, officers at each and a DPO at each.
type world struct {
	trust, council, police, outsider agreement.OrgID
	officer, councilOfficer          agreement.Actor // editing roles at trust and council
	policeOfficer, stranger          agreement.Actor
	trustDPO, councilDPO, policeDPO  agreement.Actor
	now                              time.Time
	next                             byte
}

func newWorld() *world {
	w := &world{now: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	w.trust, w.council, w.police, w.outsider = w.org(), w.org(), w.org(), w.org()
	w.officer = agreement.Actor{User: w.user(), Org: w.trust}
	w.councilOfficer = agreement.Actor{User: w.user(), Org: w.council}
	w.policeOfficer = agreement.Actor{User: w.user(), Org: w.police}
	w.stranger = agreement.Actor{User: w.user(), Org: w.outsider}
	w.trustDPO = agreement.Actor{User: w.user(), Org: w.trust}
	w.councilDPO = agreement.Actor{User: w.user(), Org: w.council}
	w.policeDPO = agreement.Actor{User: w.user(), Org: w.police}
	return w
}

func (w *world) uuid() uuid.UUID {
	w.next++
	return uuid.UUID{0: 0x01, 6: 0x70, 8: 0x80, 15: w.next}
}
func (w *world) org() agreement.OrgID   { return agreement.OrgID{UUID: w.uuid()} }
func (w *world) user() agreement.UserID { return agreement.UserID{UUID: w.uuid()} }

func (w *world) summaryTerms() agreement.SummaryTerms {
	return agreement.SummaryTerms{
		Title: "Child safeguarding", Organisations: []agreement.OrgID{w.trust, w.council, w.police},
		DataAsset: "Safeguarding referrals", Purpose: "Protect children at risk",
		Benefits: "Faster multi-agency response", Format: "Electronic",
		InformationShared: []agreement.InfoCategory{agreement.InfoPersonal},
	}
}

func (w *world) summary(t tb) agreement.Summary {
	t.Helper()
	s, err := agreement.NewSummary(agreement.SummaryID{UUID: w.uuid()}, w.officer, w.now, w.summaryTerms())
	require.NoError(t, err)
	return s
}

func (w *world) flowTerms() agreement.FlowTerms {
	return agreement.FlowTerms{
		Name: "Referrals", Parties: []agreement.OrgID{w.trust, w.council},
		Direction: agreement.OneWay, From: []agreement.OrgID{w.trust}, To: []agreement.OrgID{w.council},
		Frequency: agreement.Daily, TransferMode: agreement.SecureEmail,
		Controls:       []string{"Encrypted in transit"},
		PersonalData:   true,
		LegalBases:     []agreement.LegalBasis{{Basis: agreement.Art6PublicTask, Instrument: "Children Act 1989 s.47"}},
		PrivacyAnswers: map[string]string{"q1": "yes"},
	}
}

func (w *world) flow(t tb, s agreement.Summary) agreement.Flow {
	t.Helper()
	f, err := agreement.NewFlow(agreement.FlowID{UUID: w.uuid()}, s, w.officer, w.now, w.flowTerms())
	require.NoError(t, err)
	return f
}

// inReview is a flow under review by the council's DPO, due in two weeks.
func (w *world) inReview(t testing.TB, m *agreement.FlowMachine) (agreement.Summary, agreement.Flow) {
	t.Helper()
	s := w.summary(t)
	f, _, err := m.RequestReview(w.flow(t, s), w.officer, w.now, agreement.ReviewRequest{
		DPOs: []agreement.Reviewer{{DPO: w.councilDPO.User, Org: w.council}}, ReviewBy: w.now.AddDate(0, 0, 14),
	})
	require.NoError(t, err)
	return s, f
}

// fieldCodes returns "field/code" for every field error of err.
func fieldCodes(t testing.TB, err error) []string {
	t.Helper()
	var e *agreement.Error
	require.True(t, errors.As(err, &e), "want *agreement.Error, got %v", err)
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field+"/"+f.Code)
	}
	return out
}

func ruleOf(t testing.TB, err error) string {
	t.Helper()
	var e *agreement.Error
	require.True(t, errors.As(err, &e), "want *agreement.Error, got %v", err)
	return e.Rule
}

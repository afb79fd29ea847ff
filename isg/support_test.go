package isg_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/support"
	"github.com/isgkit/gateway/licensing"
)

// desk is the Standard Support fixture: West Yorkshire ICB holds a group contract whose Super
// Administrators are sa1 and sa2; Leeds holds a group licence under it (Administrator admin,
// IG Officer requester, DPO colleague); York is an organisation of no group (Administrator
// outsider); Humber ICB holds another contract (Super Administrator otherSA).
type desk struct {
	w                                                        *world
	icb, leeds, york, humber                                 isg.OrgID
	group, otherGroup                                        licensing.ContractID
	sa1, sa2, admin, requester, colleague, outsider, otherSA isg.UserID
}

func newDesk(w *world) desk {
	w.t.Helper()
	d := desk{w: w}
	d.sa1, d.sa2 = w.user("sa1@wy.icb.nhs.uk"), w.user("sa2@wy.icb.nhs.uk")
	d.admin, d.requester, d.colleague = w.user("ann@leeds.nhs.uk"), w.user("ian@leeds.nhs.uk"), w.user("dee@leeds.nhs.uk")
	d.outsider, d.otherSA = w.user("otto@york.gov.uk"), w.user("hal@humber.nhs.uk")
	d.icb, d.leeds = w.org(d.sa1, "West Yorkshire ICB"), w.org(d.admin, "Leeds")
	d.york, d.humber = w.org(d.outsider, "York"), w.org(d.otherSA, "Humber ICB")
	w.grant(d.admin, d.leeds, d.requester, isg.IGOfficer)
	w.grant(d.admin, d.leeds, d.colleague, isg.DPO)
	d.group = d.contract(d.icb, d.sa1, d.sa2)
	d.otherGroup = d.contract(d.humber, d.otherSA)
	_, err := w.g.AllocateLicence(ctx, isg.Actor{User: d.sa1}, isg.AllocateInput{Contract: d.group, Org: d.leeds, Kind: licensing.Group})
	require.NoError(w.t, err)
	return d
}

func (d desk) contract(org isg.OrgID, sas ...isg.UserID) licensing.ContractID {
	d.w.t.Helper()
	now := d.w.g.Now()
	c, err := d.w.g.CreateContract(ctx, isg.Actor{User: d.w.ca}, licensing.ContractInput{Org: org, Group: "G " + org.String()[:8],
		Term: licensing.Period{Start: now.Add(-time.Hour), End: now.AddDate(1, 0, 0)}, Price: decimal.RequireFromString("100.00"), SuperAdmins: sas})
	require.NoError(d.w.t, err)
	return c.ID
}

// raise raises a request from the requester at Leeds.
func (d desk) raise(subject string) isg.SupportRequestView {
	d.w.t.Helper()
	r, err := d.w.g.RaiseSupportRequest(ctx, isg.Actor{User: d.requester, Org: d.leeds}, isg.RaiseSupportInput{Subject: subject, Description: "Details of " + subject})
	require.NoError(d.w.t, err)
	return r
}

// escalated raises a request and has sa1 escalate it.
func (d desk) escalated(subject string) isg.SupportRequestView {
	d.w.t.Helper()
	r := d.raise(subject)
	r, err := d.w.g.EscalateSupportRequest(ctx, isg.Actor{User: d.sa1, Org: d.icb}, isg.SupportStepInput{Request: r.ID, Version: r.Version, Text: "Platform fault"})
	require.NoError(d.w.t, err)
	return r
}

// TestSupportRefusalsDoNotTellRequestsFromUnknownIDs: SUP-2, ROLE-7 — for every command naming a
// support request, a reader outside it (another organisation's Administrator, another group's
// Super Administrator, another role at the requesting organisation, the central team before
// escalation) gets exactly the answer an ID naming nothing gets: code, kind and rule.
func TestSupportRefusalsDoNotTellRequestsFromUnknownIDs(t *testing.T) {
	w := newWorld(t)
	d := newDesk(w)
	r := d.raise("Sign-off button missing")
	nowhere := support.RequestID{UUID: uuid.Must(uuid.NewV7())}
	readers := map[string]isg.Actor{
		"another organisation's Administrator": {User: d.outsider, Org: d.york},
		"another group's Super Administrator":  {User: d.otherSA, Org: d.humber},
		"another role at the organisation":     {User: d.colleague, Org: d.leeds},
		"the central team, before escalation":  {User: w.ca, Org: d.leeds},
		"the central team, at no organisation": {User: w.ca},
	}
	commands := map[string]func(me isg.Actor, id support.RequestID) error{
		"support.get": func(me isg.Actor, id support.RequestID) error {
			_, err := w.g.SupportRequest(ctx, me, isg.ByID[support.RequestID]{ID: id})
			return err
		},
		"support.answer": func(me isg.Actor, id support.RequestID) error {
			_, err := w.g.AnswerSupportRequest(ctx, me, isg.SupportStepInput{Request: id, Version: 1, Text: "x"})
			return err
		},
		"support.escalate": func(me isg.Actor, id support.RequestID) error {
			_, err := w.g.EscalateSupportRequest(ctx, me, isg.SupportStepInput{Request: id, Version: 1, Text: "x"})
			return err
		},
		"support.resolve": func(me isg.Actor, id support.RequestID) error {
			_, err := w.g.ResolveSupportRequest(ctx, me, isg.SupportStepInput{Request: id, Version: 1})
			return err
		},
		"support.reopen": func(me isg.Actor, id support.RequestID) error {
			_, err := w.g.ReopenSupportRequest(ctx, me, isg.SupportStepInput{Request: id, Version: 1, Text: "x"})
			return err
		},
		"document.list": func(me isg.Actor, id support.RequestID) error {
			_, err := w.g.Documents(ctx, me, isg.DocumentsInput{SubjectKind: "support_request", SubjectID: id.String()})
			return err
		},
		"document.upload": func(me isg.Actor, id support.RequestID) error {
			_, err := w.g.UploadDocument(ctx, me, isg.UploadInput{SubjectKind: "support_request", SubjectID: id.String(), Name: "x.png", Content: []byte("x")})
			return err
		},
	}
	w.licensed(d.york) // so that York's upload reaches the subject check
	for who, me := range readers {
		for name, run := range commands {
			t.Run(who+"/"+name, func(t *testing.T) {
				seen, unknown := run(me, r.ID), run(me, nowhere)
				require.Error(t, seen)
				assert.Equal(t, sameAnswer(unknown), sameAnswer(seen))
			})
		}
	}
	for _, me := range []isg.Actor{{User: d.outsider, Org: d.york}, {User: d.colleague, Org: d.leeds}} {
		_, err := w.g.SupportRequest(ctx, me, isg.ByID[support.RequestID]{ID: r.ID})
		assert.Equal(t, "support_request.not_found", isg.ErrorCode(err))
		assert.ErrorIs(t, err, isg.ErrNotFound)
	}
	log, err := w.g.SupportAccessLog(ctx, isg.Actor{User: d.admin, Org: d.leeds}, isg.ListPage{})
	require.NoError(t, err)
	assert.Empty(t, log.Items, "ROLE-7: no support access is logged for a request the central team may not see")
}

// TestSupportListingsCountOnlyWhatTheReaderSees: SUP-2 — listings and their totals: the
// requester's own, the organisation's for its Administrators only, a group's for its Super
// Administrators only, the escalated ones for the central team once escalated.
func TestSupportListingsCountOnlyWhatTheReaderSees(t *testing.T) {
	w := newWorld(t)
	d := newDesk(w)
	d.raise("first")
	d.escalated("second")
	list := func(me isg.Actor, in isg.SupportRequestsInput) (int, error) {
		l, err := w.g.SupportRequests(ctx, me, in)
		assert.Len(t, l.Items, l.Total, "one page holds them all")
		return l.Total, err
	}
	tests := []struct {
		name  string
		me    isg.Actor
		in    isg.SupportRequestsInput
		total int
		code  string
	}{
		{"the requester's own", isg.Actor{User: d.requester, Org: d.leeds}, isg.SupportRequestsInput{}, 2, ""},
		{"the requester's own, open", isg.Actor{User: d.requester, Org: d.leeds}, isg.SupportRequestsInput{State: support.Open}, 1, ""},
		{"another user raised none", isg.Actor{User: d.colleague, Org: d.leeds}, isg.SupportRequestsInput{}, 0, ""},
		{"the organisation's, for its Administrator", isg.Actor{User: d.admin, Org: d.leeds}, isg.SupportRequestsInput{Scope: isg.ScopeOrganisation}, 2, ""},
		{"the organisation's, for another role: none", isg.Actor{User: d.requester, Org: d.leeds}, isg.SupportRequestsInput{Scope: isg.ScopeOrganisation}, 0, ""},
		{"another organisation's Administrator: none of Leeds'", isg.Actor{User: d.outsider, Org: d.york}, isg.SupportRequestsInput{Scope: isg.ScopeOrganisation}, 0, ""},
		{"the group's, for its Super Administrator", isg.Actor{User: d.sa2, Org: d.icb}, isg.SupportRequestsInput{Scope: isg.ScopeGroup, Group: d.group}, 2, ""},
		{"the group's escalated ones", isg.Actor{User: d.sa2, Org: d.icb}, isg.SupportRequestsInput{Scope: isg.ScopeGroup, Group: d.group, State: support.Escalated}, 1, ""},
		{"another group's Super Administrator: as an unknown group", isg.Actor{User: d.otherSA, Org: d.humber}, isg.SupportRequestsInput{Scope: isg.ScopeGroup, Group: d.group}, 0, "contract.not_found"},
		{"the central team's escalations", isg.Actor{User: w.ca}, isg.SupportRequestsInput{Scope: isg.ScopeEscalated}, 1, ""},
		{"the central team does not list a group's queue", isg.Actor{User: w.ca}, isg.SupportRequestsInput{Scope: isg.ScopeGroup, Group: d.group}, 0, "contract.not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			total, err := list(tt.me, tt.in)
			assert.Equal(t, tt.code, isg.ErrorCode(err))
			assert.Equal(t, tt.total, total)
		})
	}
	_, unknown := list(isg.Actor{User: d.otherSA, Org: d.humber}, isg.SupportRequestsInput{Scope: isg.ScopeGroup, Group: licensing.ContractID{UUID: uuid.New()}})
	_, hidden := list(isg.Actor{User: d.otherSA, Org: d.humber}, isg.SupportRequestsInput{Scope: isg.ScopeGroup, Group: d.group})
	assert.Equal(t, sameAnswer(unknown), sameAnswer(hidden))
}

// TestSupportRequestsPage: SUP-2 — the listing pages like every listing.
func TestSupportRequestsPage(t *testing.T) {
	w := newWorld(t)
	d := newDesk(w)
	for _, s := range []string{"a", "b", "c"} {
		d.raise(s)
	}
	sa := isg.Actor{User: d.sa1, Org: d.icb}
	first, err := w.g.SupportRequests(ctx, sa, isg.SupportRequestsInput{Scope: isg.ScopeGroup, Group: d.group, ListPage: isg.ListPage{Limit: 2}})
	require.NoError(t, err)
	assert.Equal(t, 3, first.Total)
	require.Len(t, first.Items, 2)
	next, err := w.g.SupportRequests(ctx, sa, isg.SupportRequestsInput{Scope: isg.ScopeGroup, Group: d.group, ListPage: isg.ListPage{Limit: 2, After: first.Next}})
	require.NoError(t, err)
	require.Len(t, next.Items, 1)
	assert.Equal(t, "c", next.Items[0].Subject)
	assert.Equal(t, int64(1), next.Items[0].Version, "listed requests carry their version, for the next step")
}

// TestEscalationNeedsCentralSupport: LIC-3, SUP-1 — when the organisation's licence is revoked
// its open request stays with the group: escalation is refused; a request already escalated
// stays with the central team, which answers it.
func TestEscalationNeedsCentralSupport(t *testing.T) {
	w := newWorld(t)
	d := newDesk(w)
	before := d.escalated("escalated while licensed")
	open := d.raise("raised while licensed")
	c, err := w.g.Contract(ctx, isg.Actor{User: w.ca}, isg.ByID[licensing.ContractID]{ID: d.group})
	require.NoError(t, err)
	_, err = w.g.RevokeLicence(ctx, isg.Actor{User: d.sa1}, isg.RevokeInput{Contract: d.group, Licence: c.Licences[0].ID})
	require.NoError(t, err)

	_, err = w.g.EscalateSupportRequest(ctx, isg.Actor{User: d.sa1, Org: d.icb}, isg.SupportStepInput{Request: open.ID, Version: open.Version, Text: "x"})
	assert.ErrorIs(t, err, isg.ErrLicence)
	assert.Equal(t, "licence.capability_denied", isg.ErrorCode(err))
	answered, err := w.g.AnswerSupportRequest(ctx, isg.Actor{User: w.ca}, isg.SupportStepInput{Request: before.ID, Version: before.Version, Text: "Fixed"})
	require.NoError(t, err)
	assert.Equal(t, isg.SupportAnsweredByCentral, answered.State)
}

// TestMergeMovesOpenSupportRequests: ORG-6, SUP-1 — a merge moves the merged organisation's
// requests that are not settled to the survivor (and to its group), with their history; their
// requester keeps seeing them there, and a settled request stays where it was.
func TestMergeMovesOpenSupportRequests(t *testing.T) {
	clock := newClock()
	w := newWorld(t, isg.WithClock(clock))
	d := newDesk(w)
	_, err := w.g.AllocateLicence(ctx, isg.Actor{User: d.sa1}, isg.AllocateInput{Contract: d.group, Org: d.icb, Kind: licensing.Group})
	require.NoError(t, err)
	open := d.escalated("open at the merge")
	settled := d.raise("settled before the merge")
	_, err = w.g.ResolveSupportRequest(ctx, isg.Actor{User: d.requester, Org: d.leeds}, isg.SupportStepInput{Request: settled.ID, Version: settled.Version})
	require.NoError(t, err)

	clock.Advance(15 * 24 * time.Hour)

	m, err := w.g.RequestMerge(ctx, isg.Actor{User: d.sa1, Org: d.icb}, isg.RequestMergeInput{Merging: []isg.OrgID{d.leeds}, Reason: "reorganisation", DisclaimerAcknowledged: true})
	require.NoError(t, err)
	_, err = w.g.AnswerMerge(ctx, isg.Actor{User: d.admin, Org: d.leeds}, isg.AnswerMergeInput{Merge: m.ID, Approve: true})
	require.NoError(t, err)

	got, err := w.g.SupportRequest(ctx, isg.Actor{User: d.requester, Org: d.icb}, isg.ByID[support.RequestID]{ID: open.ID})
	require.NoError(t, err, "the requester, now at the survivor, still sees it")
	assert.Equal(t, d.icb, got.Org)
	assert.Equal(t, isg.SupportEscalated, got.State, "its state is kept")
	assert.Equal(t, open.Entries, got.Entries[:len(open.Entries)], "its history is kept")
	last := got.Entries[len(got.Entries)-1]
	assert.Equal(t, support.EntryMoved, last.Kind)
	assert.Equal(t, d.leeds, last.FromOrg)
	mine, err := w.g.SupportRequests(ctx, isg.Actor{User: d.requester, Org: d.icb}, isg.SupportRequestsInput{})
	require.NoError(t, err)
	assert.Equal(t, 1, mine.Total, "listed at the survivor: the settled one stayed")

	stayed, err := w.g.SupportRequests(ctx, isg.Actor{User: d.sa1, Org: d.icb}, isg.SupportRequestsInput{Scope: isg.ScopeGroup, Group: d.group, State: support.Resolved})
	require.NoError(t, err)
	require.Equal(t, 1, stayed.Total)
	assert.Equal(t, d.leeds, stayed.Items[0].Org, "a settled request is left as it was")
}

// TestResourceRefusalsDoNotTellResourcesFromUnknownIDs: SUP-3 — a group's resource, and a
// withdrawn one, are answered to anyone outside their audience exactly as an unknown ID.
func TestResourceRefusalsDoNotTellResourcesFromUnknownIDs(t *testing.T) {
	w := newWorld(t)
	d := newDesk(w)
	grouped, err := w.g.PublishResource(ctx, isg.Actor{User: d.sa1, Org: d.icb}, isg.PublishResourceInput{Group: d.group,
		ResourceContentInput: isg.ResourceContentInput{Title: "Our sign-off guide", Body: "…"}})
	require.NoError(t, err)
	platform, err := w.g.PublishResource(ctx, isg.Actor{User: w.ca}, isg.PublishResourceInput{ResourceContentInput: isg.ResourceContentInput{Title: "Old guide", Body: "…"}})
	require.NoError(t, err)
	_, err = w.g.WithdrawResource(ctx, isg.Actor{User: w.ca}, isg.WithdrawResourceInput{ID: platform.ID, Reason: "replaced"})
	require.NoError(t, err)
	nowhere := support.ResourceID{UUID: uuid.Must(uuid.NewV7())}
	commands := map[string]func(me isg.Actor, id support.ResourceID) error{
		"resource.get": func(me isg.Actor, id support.ResourceID) error {
			_, err := w.g.Resource(ctx, me, isg.ByID[support.ResourceID]{ID: id})
			return err
		},
		"resource.revise": func(me isg.Actor, id support.ResourceID) error {
			_, err := w.g.ReviseResource(ctx, me, isg.ReviseResourceInput{ID: id, ResourceContentInput: isg.ResourceContentInput{Title: "t", Body: "b"}})
			return err
		},
		"resource.withdraw": func(me isg.Actor, id support.ResourceID) error {
			_, err := w.g.WithdrawResource(ctx, me, isg.WithdrawResourceInput{ID: id, Reason: "r"})
			return err
		},
		"resource file": func(me isg.Actor, id support.ResourceID) error {
			_, err := w.g.ResourceFileContent(ctx, me, isg.ResourceFileInput{ID: id})
			return err
		},
	}
	cases := map[string]struct {
		me isg.Actor
		id support.ResourceID
	}{
		"an outsider and a group's resource":       {isg.Actor{User: d.outsider, Org: d.york}, grouped.ID},
		"another group's Super Administrator":      {isg.Actor{User: d.otherSA, Org: d.humber}, grouped.ID},
		"a user and a withdrawn platform resource": {isg.Actor{User: d.requester, Org: d.leeds}, platform.ID},
	}
	for who, c := range cases {
		for name, run := range commands {
			t.Run(who+"/"+name, func(t *testing.T) {
				seen, unknown := run(c.me, c.id), run(c.me, nowhere)
				require.Error(t, seen)
				assert.Equal(t, "resource.not_found", isg.ErrorCode(seen))
				assert.Equal(t, sameAnswer(unknown), sameAnswer(seen))
			})
		}
	}
	got, err := w.g.Resource(ctx, isg.Actor{User: d.colleague, Org: d.leeds}, isg.ByID[support.ResourceID]{ID: grouped.ID})
	require.NoError(t, err, "a member of the group reads it")
	assert.Equal(t, "Our sign-off guide", got.Current().Title)
	l, err := w.g.Resources(ctx, isg.Actor{User: d.outsider, Org: d.york}, isg.ResourcesInput{})
	require.NoError(t, err)
	assert.Equal(t, 0, l.Total, "the withdrawn platform resource is not counted")
}

// TestResourceFiles: SUP-3, DOC-1 — a version's file is kept content-addressed and read back
// checked; every version keeps its own; more than 5 MB is refused.
func TestResourceFiles(t *testing.T) {
	w := newWorld(t)
	ca := isg.Actor{User: w.ca}
	r, err := w.g.PublishResource(ctx, ca, isg.PublishResourceInput{ResourceContentInput: isg.ResourceContentInput{Title: "Guide", FileName: "guide.pdf", Content: []byte("%PDF v1")}})
	require.NoError(t, err)
	r, err = w.g.ReviseResource(ctx, ca, isg.ReviseResourceInput{ID: r.ID, ResourceContentInput: isg.ResourceContentInput{Title: "Guide", FileName: "guide.pdf", Content: []byte("%PDF v2")}, Note: "v2"})
	require.NoError(t, err)
	reader := isg.Actor{User: w.user("anyone@leeds.nhs.uk")}
	for v, want := range map[int]string{0: "%PDF v2", 1: "%PDF v1", 2: "%PDF v2"} {
		f, err := w.g.ResourceFileContent(ctx, reader, isg.ResourceFileInput{ID: r.ID, Version: v})
		require.NoError(t, err)
		assert.Equal(t, want, string(f.Content), "version %d", v)
		assert.Equal(t, "guide.pdf", f.Name)
	}
	_, err = w.g.ResourceFileContent(ctx, reader, isg.ResourceFileInput{ID: r.ID, Version: 3})
	assert.Equal(t, support.CodeNoFile, isg.ErrorCode(err))
	_, err = w.g.PublishResource(ctx, ca, isg.PublishResourceInput{ResourceContentInput: isg.ResourceContentInput{Title: "Big", FileName: "big.pdf", Content: make([]byte, isg.MaxDocumentSize+1)}})
	assert.Equal(t, "document.too_large", isg.ErrorCode(err))
	_, err = w.g.PublishResource(ctx, ca, isg.PublishResourceInput{ResourceContentInput: isg.ResourceContentInput{Title: "Nameless", Content: []byte("x")}})
	assert.ErrorIs(t, err, isg.ErrInvalid, "a file has a name")
}

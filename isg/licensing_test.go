package isg_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/licensing"
)

// licensingWorld is a contracting organisation (icb, whose Administrator lee is also a Super
// Administrator of its contract), a second Super Administrator sue who holds no role there, an
// organisation that requested a licence under the contract (care, Administrator pat) and an
// outsider (Administrator of another organisation, in no group).
type licensingWorld struct {
	*world
	lee, sue, pat, out isg.UserID
	icb, care, other   isg.OrgID
	contract           licensing.Contract
	request            licensing.Request
}

func newLicensingWorld(t *testing.T, opts ...isg.Option) *licensingWorld {
	t.Helper()
	w := &licensingWorld{world: newWorld(t, opts...)}
	w.lee, w.sue, w.pat, w.out = w.user("lee@wy.nhs.uk"), w.user("sue@wy.nhs.uk"), w.user("pat@care.gov.uk"), w.user("out@else.gov.uk")
	w.icb = w.org(w.lee, "ICB")
	w.other = w.org(w.out, "Elsewhere")
	now := w.g.Now()
	c, err := w.g.CreateContract(ctx, isg.Actor{User: w.ca}, licensing.ContractInput{Org: w.icb, Group: "WY",
		Term:  licensing.Period{Start: now.Add(-time.Hour), End: now.AddDate(1, 0, 0)},
		Price: decimal.RequireFromString("1000.00"), SuperAdmins: []isg.UserID{w.lee, w.sue}})
	require.NoError(t, err)
	w.contract = c
	o, err := w.g.RegisterOrganisation(ctx, isg.Actor{User: w.pat}, isg.RegisterOrganisationInput{
		Name: "Care", Category: isg.CategoryLocalAuthority, Address: isg.Address{Line1: "1 High St", Town: "Leeds", Postcode: "LS1 1AA"},
		ContactEmail: "ig@care.gov.uk", LicensingGroup: c.ID.String(), LicenceRequested: true})
	require.NoError(t, err)
	w.care = o.ID
	reqs, err := w.g.LicenceRequests(ctx, isg.Actor{User: w.ca}, isg.ByID[licensing.ContractID]{ID: c.ID})
	require.NoError(t, err)
	require.Len(t, reqs, 1)
	w.request = reqs[0]
	return w
}

// licensingCommand runs one command on the world's contract as actor.
type licensingCommand struct {
	name string
	run  func(w *licensingWorld, actor isg.Actor) error
}

func (w *licensingWorld) managing() []licensingCommand {
	return []licensingCommand{
		{"licensing.set_super_admin", func(w *licensingWorld, a isg.Actor) error {
			_, err := w.g.SetSuperAdmin(ctx, a, isg.SuperAdminInput{Contract: w.contract.ID, User: w.out})
			return err
		}},
		{"licensing.allocate", func(w *licensingWorld, a isg.Actor) error {
			_, err := w.g.AllocateLicence(ctx, a, isg.AllocateInput{Contract: w.contract.ID, Org: w.other, Kind: licensing.DPIA})
			return err
		}},
		{"licensing.revoke", func(w *licensingWorld, a isg.Actor) error {
			c, err := w.g.AllocateLicence(ctx, isg.Actor{User: w.ca}, isg.AllocateInput{Contract: w.contract.ID, Org: w.icb, Kind: licensing.DPIA})
			require.NoError(w.t, err)
			_, err = w.g.RevokeLicence(ctx, a, isg.RevokeInput{Contract: w.contract.ID, Licence: c.Licence.ID})
			return err
		}},
		{"licensing.requests", func(w *licensingWorld, a isg.Actor) error {
			_, err := w.g.LicenceRequests(ctx, a, isg.ByID[licensing.ContractID]{ID: w.contract.ID})
			return err
		}},
		{"licensing.answer_request", func(w *licensingWorld, a isg.Actor) error {
			_, err := w.g.AnswerLicenceRequest(ctx, a, isg.AnswerRequestInput{Request: w.request.ID, Reason: "no"})
			return err
		}},
	}
}

// TestLicensingRowsAreTheGate: every licensing command is gated by its permission-table row
// alone (ROLE-7, ROLE-8), so a host that tightens ManageLicences to Central Admin refuses a Super
// Administrator everywhere, whether or not they hold a role at the contracting organisation,
// while Central Admin still acts (LIC-2, LIC-7).
func TestLicensingRowsAreTheGate(t *testing.T) {
	tight, err := isg.DefaultPermissions().Tighten(isg.ManageLicences, isg.Of(isg.CentralAdmin))
	require.NoError(t, err)
	for _, cmd := range (&licensingWorld{}).managing() {
		t.Run(cmd.name, func(t *testing.T) {
			tests := []struct {
				name  string
				perms []isg.Option
				actor func(w *licensingWorld) isg.Actor
				want  error
			}{
				{"default: SA who is Adm at the contracting organisation", nil, func(w *licensingWorld) isg.Actor { return isg.Actor{User: w.lee} }, nil},
				{"default: SA with no role there", nil, func(w *licensingWorld) isg.Actor { return isg.Actor{User: w.sue} }, nil},
				{"default: Central Admin", nil, func(w *licensingWorld) isg.Actor { return isg.Actor{User: w.ca} }, nil},
				{"tightened: SA who is Adm there", []isg.Option{isg.WithPermissions(tight)}, func(w *licensingWorld) isg.Actor { return isg.Actor{User: w.lee} }, isg.ErrForbidden},
				{"tightened: SA with no role there", []isg.Option{isg.WithPermissions(tight)}, func(w *licensingWorld) isg.Actor { return isg.Actor{User: w.sue} }, isg.ErrForbidden},
				{"tightened: Central Admin", []isg.Option{isg.WithPermissions(tight)}, func(w *licensingWorld) isg.Actor { return isg.Actor{User: w.ca} }, nil},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					w := newLicensingWorld(t, tt.perms...)
					err := cmd.run(w, tt.actor(w))
					if tt.want == nil {
						assert.NoError(t, err)
					} else {
						assert.ErrorIs(t, err, tt.want)
					}
				})
			}
		})
	}
}

// TestContractOfAnotherGroupReadsAsNotFound: an actor who holds no role at the contracting
// organisation and is not one of the contract's Super Administrators is told the contract does
// not exist, with exactly the error of an unknown ID (ROLE-7, LIC-8).
func TestContractOfAnotherGroupReadsAsNotFound(t *testing.T) {
	w := newLicensingWorld(t)
	unknown := w.contract
	unknown.ID = licensing.ContractID{UUID: w.contract.ID.UUID}
	unknown.ID.UUID[15] ^= 0xff
	outsider := isg.Actor{User: w.out, Org: w.other}
	reads := []struct {
		name string
		run  func(id licensing.ContractID) error
	}{
		{"licensing.contract", func(id licensing.ContractID) error {
			_, err := w.g.Contract(ctx, outsider, isg.ByID[licensing.ContractID]{ID: id})
			return err
		}},
		{"licensing.requests", func(id licensing.ContractID) error {
			_, err := w.g.LicenceRequests(ctx, outsider, isg.ByID[licensing.ContractID]{ID: id})
			return err
		}},
		{"licensing.allocate", func(id licensing.ContractID) error {
			_, err := w.g.AllocateLicence(ctx, outsider, isg.AllocateInput{Contract: id, Org: w.other, Kind: licensing.Group})
			return err
		}},
		{"licensing.set_super_admin", func(id licensing.ContractID) error {
			_, err := w.g.SetSuperAdmin(ctx, outsider, isg.SuperAdminInput{Contract: id, User: w.out})
			return err
		}},
	}
	for _, r := range reads {
		t.Run(r.name, func(t *testing.T) {
			hidden, missing := r.run(w.contract.ID), r.run(unknown.ID)
			assert.ErrorIs(t, hidden, isg.ErrNotFound)
			assert.Equal(t, isg.ErrorCode(missing), isg.ErrorCode(hidden), "an invisible contract and an unknown one get the same answer")
			assert.Equal(t, "contract.not_found", isg.ErrorCode(hidden))
		})
	}
}

// TestContractReaders: who reads a contract, by the row ViewContracts at its contracting
// organisation and the contract's own Super Administrators (LIC-8); a host that tightens the row
// tightens both reads (ROLE-7).
func TestContractReaders(t *testing.T) {
	tight, err := isg.DefaultPermissions().Tighten(isg.ViewContracts, isg.Of(isg.CentralAdmin))
	require.NoError(t, err)
	tests := []struct {
		name  string
		perms []isg.Option
		actor func(w *licensingWorld) isg.Actor
		code  string
	}{
		{"Adm of the contracting organisation", nil, func(w *licensingWorld) isg.Actor { return isg.Actor{User: w.lee, Org: w.icb} }, ""},
		{"SA with no role there", nil, func(w *licensingWorld) isg.Actor { return isg.Actor{User: w.sue} }, ""},
		{"Central Admin", nil, func(w *licensingWorld) isg.Actor { return isg.Actor{User: w.ca} }, ""},
		{"a licensee's Adm", nil, func(w *licensingWorld) isg.Actor { return isg.Actor{User: w.pat, Org: w.care} }, "contract.not_found"},
		{"an IGO of the contracting organisation", nil, func(w *licensingWorld) isg.Actor {
			igo := w.user("igo@wy.nhs.uk")
			w.grant(w.lee, w.icb, igo, isg.IGOfficer)
			return isg.Actor{User: igo, Org: w.icb}
		}, "forbidden"},
		{"tightened: SA with no role there", []isg.Option{isg.WithPermissions(tight)}, func(w *licensingWorld) isg.Actor { return isg.Actor{User: w.sue} }, "forbidden"},
		{"tightened: Adm of the contracting organisation", []isg.Option{isg.WithPermissions(tight)}, func(w *licensingWorld) isg.Actor { return isg.Actor{User: w.lee, Org: w.icb} }, "forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newLicensingWorld(t, tt.perms...)
			_, err := w.g.Contract(ctx, tt.actor(w), isg.ByID[licensing.ContractID]{ID: w.contract.ID})
			assert.Equal(t, tt.code, isg.ErrorCode(err))
		})
	}
	t.Run("tightened: the contracts listing too", func(t *testing.T) {
		w := newLicensingWorld(t, isg.WithPermissions(tight))
		_, err := w.g.Contracts(ctx, isg.Actor{User: w.lee, Org: w.icb})
		assert.ErrorIs(t, err, isg.ErrForbidden)
	})
}

// TestSuperAdministratorsManageOnlyTheirOwnContract: the Super Administrators of one contract of
// an organisation are not Super Administrators of its other contracts (LIC-2).
func TestSuperAdministratorsManageOnlyTheirOwnContract(t *testing.T) {
	w := newLicensingWorld(t)
	now := w.g.Now()
	bob := w.user("bob@wy.nhs.uk")
	second, err := w.g.CreateContract(ctx, isg.Actor{User: w.ca}, licensing.ContractInput{Org: w.icb, Group: "WY 2",
		Term: licensing.Period{Start: now.Add(-time.Hour), End: now.AddDate(1, 0, 0)}, Price: decimal.RequireFromString("10.00"), SuperAdmins: []isg.UserID{bob}})
	require.NoError(t, err)
	_, err = w.g.AllocateLicence(ctx, isg.Actor{User: bob}, isg.AllocateInput{Contract: w.contract.ID, Org: w.other, Kind: licensing.Group})
	assert.Equal(t, "contract.not_found", isg.ErrorCode(err), "bob is not a Super Administrator of the first contract")
	_, err = w.g.AllocateLicence(ctx, isg.Actor{User: w.sue}, isg.AllocateInput{Contract: second.ID, Org: w.other, Kind: licensing.Group})
	assert.Equal(t, "contract.not_found", isg.ErrorCode(err), "sue is not a Super Administrator of the second")
	_, err = w.g.AllocateLicence(ctx, isg.Actor{User: bob}, isg.AllocateInput{Contract: second.ID, Org: w.other, Kind: licensing.Group})
	assert.NoError(t, err)
}

// TestContractsAreTheCentralTeams: creating, renewing and ending contracts is row
// ManageContracts, Central Admin only; a Super Administrator is refused (LIC-1, LIC-5, LIC-6).
func TestContractsAreTheCentralTeams(t *testing.T) {
	w := newLicensingWorld(t)
	now := w.g.Now()
	sa := isg.Actor{User: w.lee, Org: w.icb}
	_, err := w.g.CreateContract(ctx, sa, licensing.ContractInput{Org: w.icb, Group: "X",
		Term: licensing.Period{Start: now, End: now.AddDate(1, 0, 0)}, Price: decimal.RequireFromString("1.00")})
	assert.ErrorIs(t, err, isg.ErrForbidden)
	_, err = w.g.RenewContract(ctx, sa, isg.RenewInput{Contract: w.contract.ID, Price: decimal.RequireFromString("1000.00"),
		Term: licensing.Period{Start: w.contract.Terms[0].End, End: w.contract.Terms[0].End.AddDate(1, 0, 0)}})
	assert.ErrorIs(t, err, isg.ErrForbidden)
	_, err = w.g.EndContract(ctx, sa, isg.ByID[licensing.ContractID]{ID: w.contract.ID})
	assert.ErrorIs(t, err, isg.ErrForbidden)
	_, err = w.g.EndContract(ctx, isg.Actor{User: w.ca}, isg.ByID[licensing.ContractID]{ID: w.contract.ID})
	assert.NoError(t, err)
}

// TestLicenceRequestAnswers: the requesting organisation's people know the request and are
// refused; anyone else is told it does not exist (LIC-7, ROLE-7).
func TestLicenceRequestAnswers(t *testing.T) {
	w := newLicensingWorld(t)
	_, err := w.g.AnswerLicenceRequest(ctx, isg.Actor{User: w.pat, Org: w.care}, isg.AnswerRequestInput{Request: w.request.ID, Allocate: true})
	assert.Equal(t, "forbidden", isg.ErrorCode(err))
	_, err = w.g.AnswerLicenceRequest(ctx, isg.Actor{User: w.out, Org: w.other}, isg.AnswerRequestInput{Request: w.request.ID, Allocate: true})
	assert.Equal(t, "licence_request.not_found", isg.ErrorCode(err))
}

// TestCentralAdminLicensingIsSupportAccess: Central Admin allocating under a contract acts by
// its powers alone at the contracting organisation, which the organisation can read (ROLE-7).
func TestCentralAdminLicensingIsSupportAccess(t *testing.T) {
	w := newLicensingWorld(t)
	_, err := w.g.AllocateLicence(ctx, isg.Actor{User: w.ca}, isg.AllocateInput{Contract: w.contract.ID, Org: w.other, Kind: licensing.Group})
	require.NoError(t, err)
	log, err := all(w.g.SupportAccessLog(ctx, isg.Actor{User: w.lee, Org: w.icb}, isg.ListPage{}))
	require.NoError(t, err)
	var actions []string
	for _, s := range log {
		actions = append(actions, s.Action)
	}
	assert.Contains(t, actions, "manage_licences")
}

// TestLicensingNotificationsComeFromItsEvents: each licensing event that tells someone reaches the
// audience the mapping names, with the IDs the event carries (NOTE-1): the request to the
// contract's Super Administrators (LIC-7), allocation, decline, revocation and lapse to the
// organisation's Administrators (LIC-5).
func TestLicensingNotificationsComeFromItsEvents(t *testing.T) {
	w := newLicensingWorld(t)
	lastOf := func(u isg.UserID) isg.Notification {
		t.Helper()
		ns, err := all(w.g.Notifications(ctx, isg.Actor{User: u}, isg.ListPage{}))
		require.NoError(t, err)
		require.NotEmpty(t, ns)
		return ns[len(ns)-1]
	}
	for _, sa := range []isg.UserID{w.lee, w.sue} {
		n := lastOf(sa)
		assert.Equal(t, string(licensing.EventLicenceRequested), n.Type)
		assert.Equal(t, w.care.String(), n.Data["org"])
		assert.Equal(t, w.request.ID.String(), n.Data["request"])
	}

	_, err := w.g.AnswerLicenceRequest(ctx, isg.Actor{User: w.sue}, isg.AnswerRequestInput{Request: w.request.ID, Reason: "not this year"})
	require.NoError(t, err)
	n := lastOf(w.pat)
	assert.Equal(t, string(licensing.EventRequestDeclined), n.Type)
	assert.Equal(t, "not this year", n.Data["reason"])
	assert.Equal(t, w.care, n.Org)

	alloc, err := w.g.AllocateLicence(ctx, isg.Actor{User: w.sue}, isg.AllocateInput{Contract: w.contract.ID, Org: w.care, Kind: licensing.Group})
	require.NoError(t, err)
	n = lastOf(w.pat)
	assert.Equal(t, string(licensing.EventLicenceAllocated), n.Type)
	assert.Equal(t, alloc.Licence.ID.String(), n.Data["licence"])
	assert.Equal(t, "group", n.Data["kind"])

	_, err = w.g.RevokeLicence(ctx, isg.Actor{User: w.sue}, isg.RevokeInput{Contract: w.contract.ID, Licence: alloc.Licence.ID})
	require.NoError(t, err)
	assert.Equal(t, string(licensing.EventLicenceRevoked), lastOf(w.pat).Type)

	_, err = w.g.AllocateLicence(ctx, isg.Actor{User: w.sue}, isg.AllocateInput{Contract: w.contract.ID, Org: w.care, Kind: licensing.DPIA})
	require.NoError(t, err)
	_, err = w.g.EndContract(ctx, isg.Actor{User: w.ca}, isg.ByID[licensing.ContractID]{ID: w.contract.ID})
	require.NoError(t, err)
	n = lastOf(w.pat)
	assert.Equal(t, string(licensing.EventLicenceLapsed), n.Type)
	assert.Equal(t, w.contract.ID.String(), n.Data["contract"])
	before, err := all(w.g.Notifications(ctx, isg.Actor{User: w.lee}, isg.ListPage{}))
	require.NoError(t, err)
	for _, n := range before {
		assert.NotEqual(t, string(licensing.EventContractEnded), n.Type, "ending a contract tells its licensees, not its Super Administrators")
	}
}

// TestConvertedCommandsDeclareTheirGate is the permission audit of licensing, assurance,
// documents and the outbox: each command's reach and row as declared (ROLE-1, ROLE-7).
func TestConvertedCommandsDeclareTheirGate(t *testing.T) {
	type gate struct {
		reach string
		row   isg.Action
	}
	at := func(row isg.Action) gate { return gate{"at an organisation", row} }
	platform := func(row isg.Action) gate { return gate{"the platform", row} }
	want := map[string]gate{
		"licensing.create_contract": platform(isg.ManageContracts),
		"licensing.renew":           platform(isg.ManageContracts),
		"licensing.end":             platform(isg.ManageContracts),
		"licensing.contract":        at(isg.ViewContracts),
		"licensing.contracts":       at(isg.ViewContracts),
		"licensing.set_super_admin": at(isg.ManageLicences),
		"licensing.allocate":        at(isg.ManageLicences),
		"licensing.revoke":          at(isg.ManageLicences),
		"licensing.requests":        at(isg.ManageLicences),
		"licensing.answer_request":  at(isg.ManageLicences),
		"licensing.capabilities":    at(isg.ViewOrganisation),
		"assurance.submit":          at(isg.SubmitAssurance),
		"assurance.get":             {reach: "any signed-in user"},
		"assurance.history":         {reach: "any signed-in user"},
		"platform.sweep":            {reach: "anyone"},
		"document.upload":           at(isg.UploadDocuments),
		"document.list":             at(isg.ViewOrganisation),
		"outbox.drain":              platform(isg.DrainOutbox),
	}
	seen := 0
	for _, c := range isg.Commands() {
		g, ok := want[c.Name]
		if !ok {
			continue
		}
		seen++
		assert.Equal(t, g.reach, c.Reach, c.Name)
		if c.HasRow {
			assert.Equal(t, g.row, c.Row, c.Name)
		}
	}
	assert.Equal(t, len(want), seen, "every command is declared")
}

// TestLicenseeSeesItsOwnLicenceNotThePriceLIC8: LIC-8 — a licensed organisation reads, of the
// contract it holds a licence under, its own licence and who the Super Administrators are, not
// the price, the terms or the other licensees; the contracting organisation, the contract's Super
// Administrators and Central Admin read the whole contract; reading it by ID, a licensee is told
// it does not exist, as for an unknown ID.
func TestLicenseeSeesItsOwnLicenceNotThePriceLIC8(t *testing.T) {
	w := newLicensingWorld(t)
	_, err := w.g.AnswerLicenceRequest(ctx, isg.Actor{User: w.ca}, isg.AnswerRequestInput{Request: w.request.ID, Allocate: true})
	require.NoError(t, err)
	_, err = w.g.AllocateLicence(ctx, isg.Actor{User: w.ca}, isg.AllocateInput{Contract: w.contract.ID, Org: w.other, Kind: licensing.Group})
	require.NoError(t, err)

	view := func(actor isg.Actor) licensing.Contract {
		t.Helper()
		got, err := w.g.Contracts(ctx, actor)
		require.NoError(t, err)
		require.Len(t, got, 1)
		return got[0]
	}
	k := view(isg.Actor{User: w.pat, Org: w.care})
	assert.Equal(t, w.contract.ID, k.ID)
	assert.Equal(t, "WY", k.Group)
	assert.True(t, k.LicenseeView)
	assert.ElementsMatch(t, []isg.UserID{w.lee, w.sue}, k.SuperAdmins, "who its Super Administrators are")
	require.Len(t, k.Licences, 1, "its own licence only")
	assert.Equal(t, w.care, k.Licences[0].Org)
	assert.Empty(t, k.Terms, "no terms, so no price")
	assert.Zero(t, k.Capacity)
	b, err := json.Marshal(k)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "1000", "the price is nowhere in what the licensee reads")
	assert.NotContains(t, string(b), w.other.String(), "nor the other licensee")

	for name, actor := range map[string]isg.Actor{
		"the contracting organisation": {User: w.lee, Org: w.icb},
		"Central Admin":                {User: w.ca, Org: w.care},
	} {
		t.Run(name, func(t *testing.T) {
			full := view(actor)
			assert.False(t, full.LicenseeView)
			assert.Len(t, full.Licences, 2)
			require.NotEmpty(t, full.Terms)
			assert.Equal(t, "1000", full.Terms[0].Price.String())
		})
	}
	_, seen := w.g.Contract(ctx, isg.Actor{User: w.pat, Org: w.care}, isg.ByID[licensing.ContractID]{ID: w.contract.ID})
	_, unknown := w.g.Contract(ctx, isg.Actor{User: w.pat, Org: w.care}, isg.ByID[licensing.ContractID]{ID: licensing.ContractID{UUID: uuid.Must(uuid.NewV7())}})
	assert.Equal(t, "contract.not_found", isg.ErrorCode(seen))
	assert.Equal(t, sameAnswer(unknown), sameAnswer(seen), "ROLE-7")
}

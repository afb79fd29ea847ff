package isg

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg/directory"
)

// The public register (EXIT-3). The rules — who agrees, when a flow is published, what an entry
// holds — are agreement's (agreement/register.go). Here the Gateway keeps one register_entry
// record per flow ever published, under the flow's ID:
//
//   - It is written by putFlow, the one writer of flows, in the same unit of work as the flow
//     change, whenever the flow was or is published (Flow.Published). So the consent that
//     completes the agreement publishes the entry, and any change that takes the flow out of
//     Finalised or Signed — termination, archive, supersession by a signed variation, by a
//     command or by the sweep — or changes its parties takes it off, whatever the path: no
//     command has to remember to.
//   - An entry that leaves the register is not deleted but emptied: its body keeps no data and
//     its record no index key. A store need not delete records (Deleter is optional), and a
//     deleted record's ID must not be used again, while a flow may be published again (a
//     withdrawn consent given anew).
//   - The entry shows the summary's data asset, purpose and review date and the parties' names,
//     so it is rewritten when the summary or a party organisation is saved (putSummary, saveOrg
//     find the entries to rewrite under an index key each).
//
// Reading the register needs no account (reach anyone): register.list and register.get, or the
// Go methods PublicRegister and RegisterEntry. A flow never published, one no longer published
// and an unknown ID get the same register_entry.not_found.

const kindRegisterEntry Kind = "register_entry"

// registerKey lists every published entry.
var registerKey = key("register", "public")

// registerRecord is the stored register_entry: the entry while the flow is published, nothing
// once it has left the register.
type registerRecord struct {
	Entry *agreement.RegisterEntry `json:"entry,omitempty"`
}

// syncRegister keeps the flow's register entry in step with the flow, in the unit that saves it:
// called by putFlow with the flow as it was read (old) and as it is saved (f). A flow that was
// not published and is not costs nothing.
func (u *uow) syncRegister(old, f agreement.Flow) error {
	if !old.Published() && !f.Published() {
		return nil
	}
	return u.writeRegisterEntry(f)
}

// writeRegisterEntry writes f's entry as f now is: published, or emptied. It writes nothing when
// the stored entry already says the same.
func (u *uow) writeRegisterEntry(f agreement.Flow) error {
	id := f.ID.String()
	var version int64
	var stored []byte
	switch rec, err := u.tx.Get(u.ctx, kindRegisterEntry, id); {
	case err == nil:
		version, stored = rec.Version, rec.Body
	case !isNotFound(err):
		return err
	}
	var out registerRecord
	var keys []IndexKey
	if f.Published() {
		s, _, err := u.loadSummary(f.SummaryID)
		if err != nil {
			return err
		}
		names := make(map[OrgID]string, len(f.Parties))
		keys = append(keys, registerKey, key("register_summary", s.ID.String()))
		for _, p := range f.Parties {
			o, err := u.loadOrg(p)
			if err != nil {
				return err
			}
			names[p] = o.Name
			keys = append(keys, key("register_org", p.String()))
		}
		e, _ := agreement.NewRegisterEntry(f, s, names)
		out.Entry = &e
	} else if version == 0 {
		return nil // never published: nothing to take off
	}
	body, err := json.Marshal(out)
	if err != nil {
		return fmt.Errorf("isg: encoding %s %s: %w", kindRegisterEntry, id, err)
	}
	if version != 0 && bytes.Equal(body, stored) {
		return nil
	}
	_, err = u.put(kindRegisterEntry, id, version, body, keys...)
	return err
}

// republish rewrites the published entries holding k — those of a summary, or naming an
// organisation — from their flows, after the summary or organisation was saved in this unit.
func (u *uow) republish(k IndexKey) error {
	recs, err := u.tx.Find(u.ctx, kindRegisterEntry, k, Page{})
	if err != nil {
		return err
	}
	for _, r := range recs {
		id, err := agreement.ParseFlowID(r.ID)
		if err != nil {
			return fmt.Errorf("isg: register entry %s: %w", r.ID, err)
		}
		f, _, err := u.loadFlow(id)
		if err != nil {
			return err
		}
		if err := u.writeRegisterEntry(f); err != nil {
			return err
		}
	}
	return nil
}

// decodeRegisterEntry decodes a published entry; one that has left the register is not found.
func decodeRegisterEntry(r Record) (agreement.RegisterEntry, error) {
	rec, err := decodeRecord[registerRecord](r)
	if err != nil {
		return agreement.RegisterEntry{}, err
	}
	if rec.Entry == nil {
		return agreement.RegisterEntry{}, registerEntryNotFound(r.ID)
	}
	return *rec.Entry, nil
}

func registerEntryNotFound(id string) error {
	e := directory.NotFound(string(kindRegisterEntry), id)
	e.Rule = "EXIT-3"
	return e
}

// registerNotices says who a register event concerns (NOTE-1): the other parties' Administrators
// and Senior Officers, who decide for their organisations, when one agrees or withdraws; every
// party's when the flow is published.
func registerNotices(e agreement.Event, data map[string]string) (out []directory.Event, ok bool) {
	switch e.Type {
	case agreement.EventPublicationAgreed, agreement.EventPublished, agreement.EventPublicationWithdrawn:
	default:
		return nil, false
	}
	data["org"] = e.Org.String()
	for _, p := range e.Parties {
		out = append(out, directory.Event{Type: string(e.Type), Org: p, Data: data, To: directory.Audience{Roles: Of(Administrator, SeniorOfficer), RolesAt: []OrgID{p}}})
	}
	return out, true
}

// registerNotificationTypes are the notification types the public register raises.
func registerNotificationTypes() []string {
	return []string{string(agreement.EventPublicationAgreed), string(agreement.EventPublished), string(agreement.EventPublicationWithdrawn)}
}

// ---- commands ---------------------------------------------------------------------------------

// ConsentToPublish records the actor's organisation's agreement to publish a finalised or signed
// flow on the public register (EXIT-3): its Administrators and Senior Officers (row
// PublishFlow). The last party's agreement publishes it, in the same unit of work. The other
// parties' Administrators and Senior Officers are told; every party's when it is published.
//
// Errors: ErrForbidden ("forbidden", ROLE-8; "flow.not_party" for the creating organisation when
// it is not a party); ErrNotFound ("flow.not_found") for a flow the organisation may not see,
// exactly as for an unknown ID; ErrInvalidTransition ("register.not_in_force") for a flow
// neither finalised nor signed; ErrConflict ("register.already_agreed").
func (g *Gateway) ConsentToPublish(ctx context.Context, actor Actor, in ByID[agreement.FlowID]) (FlowView, error) {
	return run(ctx, g, registerConsent, actor, in)
}

var registerConsent = flowByID("register.consent", "Agree, for the actor's organisation, to publish a flow on the public register (EXIT-3).", PublishFlow, "EXIT-3",
	func(c *call[ByID[agreement.FlowID]], f agreement.Flow, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
		return agreement.ConsentToPublish(f, a, c.now)
	})

// WithdrawPublication withdraws the actor's organisation's agreement to publish a flow (EXIT-3),
// row PublishFlow: the flow leaves the public register, in the same unit of work, until the
// organisation agrees again. The other parties' Administrators and Senior Officers are told.
//
// Errors: ErrForbidden ("forbidden", ROLE-8; "flow.not_party"); ErrNotFound ("flow.not_found")
// for a flow the organisation may not see; ErrConflict ("register.not_agreed") when the
// organisation holds no agreement to withdraw.
func (g *Gateway) WithdrawPublication(ctx context.Context, actor Actor, in ByID[agreement.FlowID]) (FlowView, error) {
	return run(ctx, g, registerWithdraw, actor, in)
}

var registerWithdraw = flowByID("register.withdraw", "Withdraw the actor's organisation's agreement to publish a flow (EXIT-3).", PublishFlow, "EXIT-3",
	func(c *call[ByID[agreement.FlowID]], f agreement.Flow, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
		return agreement.WithdrawPublication(f, a, c.now)
	})

// PublicRegister lists one page of the public register (EXIT-3): every published flow, in the
// order the flows were created, with the total. It needs no actor and no account: anyone reads
// the register. An entry holds no user's data (agreement.RegisterEntry).
//
// Errors: ErrInvalid (a limit over 500).
func (g *Gateway) PublicRegister(ctx context.Context, page ListPage) (Listing[agreement.RegisterEntry], error) {
	return run(ctx, g, registerList, Actor{}, page)
}

var registerList = &command[ListPage, Listing[agreement.RegisterEntry]]{
	name: "register.list", doc: "List the public register, with its total; no account needed (EXIT-3).", rule: "EXIT-3", reach: anyone, query: true,
	apply: func(c *call[ListPage]) (Listing[agreement.RegisterEntry], error) {
		return listKey(c.uow, kindRegisterEntry, registerKey, c.in, decodeRegisterEntry)
	},
}

// RegisterEntry returns the public register's entry of one flow (EXIT-3). It needs no actor and
// no account.
//
// Errors: ErrInvalid (no ID); ErrNotFound ("register_entry.not_found") for a flow not published
// now — never published, withdrawn, ended or superseded — exactly as for an unknown ID.
func (g *Gateway) RegisterEntry(ctx context.Context, id agreement.FlowID) (agreement.RegisterEntry, error) {
	return run(ctx, g, registerGet, Actor{}, ByID[agreement.FlowID]{ID: id})
}

var registerGet = &command[ByID[agreement.FlowID], agreement.RegisterEntry]{
	name: "register.get", doc: "Read one entry of the public register; no account needed (EXIT-3).", rule: "EXIT-3", reach: anyone, query: true,
	apply: func(c *call[ByID[agreement.FlowID]]) (agreement.RegisterEntry, error) {
		rec, err := c.tx.Get(c.ctx, kindRegisterEntry, c.in.ID.String())
		if isNotFound(err) {
			return agreement.RegisterEntry{}, registerEntryNotFound(c.in.ID.String())
		}
		if err != nil {
			return agreement.RegisterEntry{}, err
		}
		return decodeRegisterEntry(rec)
	},
}

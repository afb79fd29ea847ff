package isg

import (
	"context"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg/directory"
)

// Parties not yet registered (ORG-11): the Gateway's half. The rules are directory's
// (NameByICONumber, Placeholder.Join, UnregisteredJoined: what naming a number means, and who is
// told of a join) and agreement's (Summary.NameUnregistered, Summary.CheckReviewRequest,
// Flow.PendingParties: what a placeholder party may not do); here they are loaded, applied and
// saved.

const kindPlaceholder Kind = "placeholder"

// Placeholder records an organisation not yet registered that an agreement names by its ICO
// number (ORG-11; directory.Placeholder).
type Placeholder = directory.Placeholder

// EventUnregisteredJoined is the notification of an organisation joining, in a placeholder's
// place, a summary that named it before it registered (ORG-11).
const EventUnregisteredJoined = directory.EventUnregisteredJoined

// placeholderKeys index a placeholder by its ICO number, which registration looks up (a listing,
// so that a naming and a registration of the same number never both miss each other), and by
// state.
func placeholderKeys(p Placeholder) []IndexKey {
	return []IndexKey{key("ico", p.ICONumber), key("state", string(p.State))}
}

// loadPlaceholder reads the placeholder with the given ID, nil when there is none. Found or not,
// the read joins the unit's read set.
func (u *uow) loadPlaceholder(id OrgID) (*Placeholder, error) {
	var p Placeholder
	v, err := u.load(kindPlaceholder, id.String(), &p)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p.Version = v
	return &p, nil
}

func (u *uow) savePlaceholder(p Placeholder) (Placeholder, error) {
	v, err := u.save(kindPlaceholder, p.ID.String(), p.Version, p, placeholderKeys(p)...)
	p.Version = v
	return p, err
}

// NameUnregisteredInput names an organisation in a summary by its ICO registration number and
// name, as the ICO register gives them (ORG-11).
type NameUnregisteredInput struct {
	Summary agreement.SummaryID `json:"summary" validate:"required" rule:"ORG-11"`
	// ICONumber is checked for the shape organisation registration accepts (REG-7).
	ICONumber string `json:"ico_number" validate:"required,ico_number" rule:"REG-7"`
	Name      string `json:"name" validate:"required,max=200" rule:"ORG-11"`
}

// NameUnregistered names an organisation in a summary by its ICO registration number and name
// (ORG-11), for the summary's creating organisation or any organisation it names, as for an edit
// (SUM-3): Administrators, Senior Officers and IG/Project Officers (ROLE-8). The number decides:
//
//   - held by one registered, active organisation: that organisation is named (whatever name was
//     given), exactly as summary.save adding it would;
//   - held by no registered organisation: the placeholder for the number is named — the same one
//     for every summary naming the number, its ID derived from the number alone — and the summary
//     lists it in unregistered, with the number and the name given. Flows beneath may name it
//     (FLOW-11); it cannot be asked to review, sign or be told anything, and a flow naming it
//     cannot be Signed, until it joins. An organisation registering with the number, or taking
//     it as its own (org.update), joins every summary and flow naming the placeholder, in the
//     same unit of work, and is told; so is each summary's creating organisation.
//
// Naming an organisation the summary names already leaves it as it is. The answer tells the
// caller nothing it could not read already: the register is public, and registered
// organisations are found by ICO number (org.search).
//
// Errors: ErrInvalid (field errors naming REG-7 for the number's shape, ORG-11: name, and
// "ico_number_ambiguous" for a number several registered organisations hold; ORG-7:
// "organisation_closed" for one held only by closed or merged organisations; SUM-1 for a summary
// already naming 1000); ErrForbidden (ROLE-8); ErrNotFound ("summary.not_found") for a summary
// the organisation may not see, exactly as for an unknown ID; ErrRule ("organisation.closed",
// ORG-7) when the actor's organisation is closed.
func (g *Gateway) NameUnregistered(ctx context.Context, actor Actor, in NameUnregisteredInput) (agreement.Summary, error) {
	return run(ctx, g, summaryNameUnregistered, actor, in)
}

var summaryNameUnregistered = &command[NameUnregisteredInput, agreement.Summary]{
	name: "summary.name_unregistered", doc: "Name an organisation in a summary by ICO number and name; one not registered yet is a placeholder (ORG-11).",
	row: EditAgreements, rule: "ROLE-8",
	apply: func(c *call[NameUnregisteredInput]) (agreement.Summary, error) {
		if _, err := c.openOrg(c.actor.Org); err != nil {
			return agreement.Summary{}, err
		}
		// Visibility first: a summary the actor may not see is refused before the number is
		// looked at, as an unknown one is.
		old, version, err := c.visibleSummary(c.actor, c.in.Summary)
		if err != nil {
			return agreement.Summary{}, err
		}
		ico := directory.NormICONumber(c.in.ICONumber)
		// The listing of holders joins the unit's listings: an organisation registering with the
		// number meanwhile makes this a conflict, retried, and the retry names it.
		holders, err := c.findOrgs(key("ico", ico))
		if err != nil {
			return agreement.Summary{}, err
		}
		existing, err := c.loadPlaceholder(directory.PlaceholderID(ico))
		if err != nil {
			return agreement.Summary{}, err
		}
		n, err := directory.NameByICONumber(ico, c.in.Name, holders, existing, c.actor.User, c.actor.Org, c.now)
		if err != nil {
			return agreement.Summary{}, err
		}
		a := agreement.Actor{User: c.actor.User, Org: c.actor.Org}
		var s agreement.Summary
		if n.Registered {
			s, err = old.NameOrganisation(a, c.now, n.Org)
		} else {
			s, err = old.NameUnregistered(a, c.now, agreement.UnregisteredParty{Org: n.Org, ICONumber: ico, Name: c.in.Name})
		}
		if err != nil {
			return agreement.Summary{}, err
		}
		if n.Save {
			if _, err := c.savePlaceholder(n.Placeholder); err != nil {
				return agreement.Summary{}, err
			}
		}
		if s.Rev == old.Rev {
			return old, nil // named already: nothing to log
		}
		return c.putSummary(c.actor, old, s, version)
	},
}

// joinUnregistered lets o, just registered or just given its ICO number, join in the place of the
// pending placeholder for its number (ORG-11): every summary and flow naming the placeholder moves
// to o (moveAgreements, which logs each change in actor's name), the placeholder is marked joined
// and kept, and o's Administrators and each summary's creating organisation are told. Finding the
// placeholder is a listing, so a naming of the number committed meanwhile makes this unit a
// conflict, retried on fresh state, and the organisation still joins.
func (u *uow) joinUnregistered(actor Actor, o Organisation) error {
	if o.ICONumber == "" {
		return nil
	}
	ps, versions, err := findAll[Placeholder](u, kindPlaceholder, key("ico", directory.NormICONumber(o.ICONumber)))
	if err != nil {
		return err
	}
	for i, p := range ps {
		p.Version = versions[i]
		joined, ok := p.Join(o, actor.User, u.now)
		if !ok {
			continue
		}
		sums, _, err := findAll[agreement.Summary](u, kindSummary, key("visible", p.ID.String()))
		if err != nil {
			return err
		}
		flows, _, err := findAll[agreement.Flow](u, kindFlow, key("visible", p.ID.String()))
		if err != nil {
			return err
		}
		if err := u.moveAgreements(actor, p.ID, o.ID); err != nil {
			return err
		}
		if _, err := u.savePlaceholder(joined); err != nil {
			return err
		}
		for _, s := range sums {
			js := directory.JoinedSummary{ID: s.ID.String(), Creator: s.CreatedByOrg}
			for _, e := range s.UnregisteredOf([]OrgID{p.ID}) {
				js.NamedAs = e.Name
			}
			for _, f := range flows {
				if f.SummaryID == s.ID {
					js.Flows++
				}
			}
			if err := u.deliver(directory.UnregisteredJoined(joined, o, js)...); err != nil {
				return err
			}
		}
	}
	return nil
}

// withoutUnregistered drops, from the notifications of a flow step, the organisations its summary
// s names as not registered (ORG-11): a placeholder is never told anything. It has no users to
// tell, so this writes nothing less to the outbox today; it keeps the rule where the audience is
// chosen rather than relying on an empty role index. A notice left with nobody to tell is dropped.
func withoutUnregistered(s agreement.Summary, events []directory.Event) []directory.Event {
	if len(s.Unregistered) == 0 {
		return events
	}
	out := events[:0:0]
	for _, e := range events {
		var at []OrgID
		for _, o := range e.To.RolesAt {
			if !s.IsUnregistered(o) {
				at = append(at, o)
			}
		}
		e.To.RolesAt = at
		if len(e.To.Users) == 0 && len(at) == 0 && !e.To.CentralAdmins && len(e.To.SuperAdminsOf) == 0 && e.To.Email == "" {
			continue
		}
		out = append(out, e)
	}
	return out
}

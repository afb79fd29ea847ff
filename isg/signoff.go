package isg

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/isg/directory"
	"github.com/isgkit/gateway/isg/violation"
	"github.com/isgkit/gateway/licensing"
)

// signOffRoles are the roles at org by which user x may sign a flow off: those of the
// permission table's SignOffFlow row (ROLE-2: Senior Officer, Information Asset Owner, or a
// delegate of a Senior Officer, ROLE-5) that x holds there.
func (u *uow) signOffRoles(x user, org OrgID) (RoleSet, error) {
	who := u.g.perms.Who(SignOffFlow)
	held := x.rolesAt(org)
	if who.Has(Delegate) && held != 0 {
		ok, err := u.hasDelegation(org, x.ID)
		if err != nil {
			return 0, err
		}
		if ok {
			held |= RoleSet(Delegate)
		}
	}
	return held & who, nil
}

// signatoryRole is the role a signature records (SIGN-4): the actor's own signing role before a
// delegated one.
func signatoryRole(held RoleSet) Role {
	for _, r := range []Role{SeniorOfficer, InfoAssetOwner, Delegate} {
		if held.Has(r) {
			return r
		}
	}
	return SeniorOfficer
}

// RequestSignOff asks users with a sign-off role (ROLE-2, delegates included) at organisations
// named in a finalised flow to sign it off (SIGN-1), with the requester's comments and an
// optional sign-by date, enforced or not (SIGN-3). Each signer is notified. Asking a user again
// renews the request.
//
// Errors: ErrInvalid (field errors naming SIGN-1, SIGN-2, SIGN-3, ROLE-2: "not_signatory" for a
// user without a sign-off role there or not active); ErrForbidden (ROLE-8, "flow.not_party");
// ErrNotFound ("flow.not_found") for a flow the organisation may not see; ErrInvalidTransition
// unless the flow is Finalised.
func (g *Gateway) RequestSignOff(ctx context.Context, actor Actor, in FlowStep[agreement.SignOffInput]) (FlowView, error) {
	return run(ctx, g, flowRequestSignOff, actor, in)
}

var flowRequestSignOff = flowStep("flow.request_signoff", "Ask users to sign a finalised flow off (SIGN-1, SIGN-3).", EditAgreements, "ROLE-8",
	func(c *call[FlowStep[agreement.SignOffInput]], f agreement.Flow, sum agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
		var fields []FieldError
		for i, s := range c.in.Input.Signers {
			if s.User.IsZero() || s.Org.IsZero() {
				continue // the pure rule names the missing field
			}
			if sum.IsUnregistered(s.Org) {
				fields = append(fields, FieldError{Field: fmt.Sprintf("signers[%d].org", i), Code: "unregistered", Rule: "ORG-11",
					Message: "an organisation not yet registered cannot sign"})
				continue
			}
			x, err := c.loadUser(s.User)
			if err != nil && !isNotFound(err) {
				return f, nil, err
			}
			var roles RoleSet
			if err == nil && x.State == AccountActive {
				if roles, err = c.signOffRoles(x, s.Org); err != nil {
					return f, nil, err
				}
			}
			if roles == 0 {
				fields = append(fields, FieldError{Field: fmt.Sprintf("signers[%d].user", i), Code: "not_signatory", Rule: "ROLE-2",
					Message: "is not an active user with a sign-off role at the organisation named"})
			}
		}
		next, events, err := c.g.flowMachine.RequestSignOff(f, a, c.now, c.in.Input)
		var e *Error
		if err != nil && !(errors.As(err, &e) && errors.Is(err, ErrInvalid)) {
			return f, nil, err
		}
		if e != nil {
			fields = append(e.Fields, fields...)
		}
		if len(fields) > 0 {
			return f, nil, violation.Invalid(fields...)
		}
		return next, events, nil
	})

// AttachWetSignature records, for the actor's organisation, a wet-signed scan of a finalised or
// signed flow (SIGN-5). The scan is first uploaded to the flow with UploadDocument by the same
// organisation; attaching it needs a licence that allows uploads (licensed organisations only,
// LIC-3). The scan is kept as evidence: it does not replace the organisation's electronic
// signature (SIGN-4).
//
// Errors: ErrInvalid (field errors: "document.not_found" for a document that is not the
// organisation's upload to this flow); ErrForbidden (ROLE-8, "flow.not_party"); ErrLicence
// ("licence.capability_denied", LIC-3); ErrNotFound ("flow.not_found"); ErrInvalidTransition
// ("flow.already_wet_signed", or the flow is not finalised).
func (g *Gateway) AttachWetSignature(ctx context.Context, actor Actor, in FlowStep[WetSignatureInput]) (FlowView, error) {
	return run(ctx, g, flowAttachWetSignature, actor, in)
}

// WetSignatureInput names the uploaded scan of a wet signature (SIGN-5).
type WetSignatureInput struct {
	Document string `json:"document"`
}

var flowAttachWetSignature = flowStep("flow.attach_wet_signature", "Attach a wet-signed scan to a finalised flow (SIGN-5).", SignOffFlow, "ROLE-2",
	func(c *call[FlowStep[WetSignatureInput]], f agreement.Flow, _ agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
		var doc agreement.DocumentID
		if c.in.Input.Document != "" {
			var d Document
			id, err := uuid.Parse(c.in.Input.Document)
			if err == nil {
				_, err = c.load(kindDocument, id.String(), &d)
			}
			if err != nil && !isNotFound(err) && id != uuid.Nil {
				return f, nil, err
			}
			if err != nil || d.SubjectKind != directory.SubjectFlow || d.SubjectID != f.ID.String() || d.Org != c.actor.Org {
				return f, nil, violation.Invalid(FieldError{Field: "document", Code: "not_uploaded", Rule: "SIGN-5",
					Message: "is not a document this organisation uploaded to the flow"})
			}
			doc.UUID = id
		}
		next, events, err := c.g.flowMachine.AttachWetSignature(f, a, c.now, doc)
		if err != nil {
			return f, nil, err
		}
		ent, err := c.entitlement(c.actor.Org)
		if err != nil {
			return f, nil, err
		}
		if err := licensing.Check(ent, licensing.UploadDocuments); err != nil {
			return f, nil, err
		}
		return next, events, nil
	})

// signOffNotices says who a sign-off event concerns (NOTE-1): each user asked to sign, with the
// requester's comments and the sign-by date (SIGN-1, SIGN-3); the requester of a signature and of
// a late one; every party's Administrators and Senior Officers once the flow is Signed (SIGN-2).
func signOffNotices(e agreement.Event, data map[string]string) []directory.Event {
	typ := string(e.Type)
	if !e.SignBy.IsZero() {
		data["sign_by"] = e.SignBy.Format(time.RFC3339)
	}
	var out []directory.Event
	switch e.Type {
	case agreement.EventSignOffRequested:
		for _, s := range e.Signers {
			out = append(out, directory.Event{Type: typ, Org: s.Org, Data: data, To: directory.Audience{Users: []UserID{s.User}}})
		}
	case agreement.EventOrgSigned, agreement.EventSignedLate:
		if !e.Requester.IsZero() {
			out = append(out, directory.Event{Type: typ, Org: e.Actor.Org, Data: data, To: directory.Audience{Users: []UserID{e.Requester}}})
		}
	case agreement.EventFlowSigned:
		for _, p := range e.Parties {
			out = append(out, directory.Event{Type: typ, Org: p, Data: data, To: directory.Audience{Roles: Of(Administrator, SeniorOfficer), RolesAt: []OrgID{p}}})
		}
	}
	return out
}

// SignFlow signs a finalised flow off for the actor's organisation (SIGN-2, SIGN-4): the actor
// must have been asked to sign for it (SIGN-1) and hold a sign-off role there (ROLE-2, a
// delegate included). The signature is an advanced electronic signature over the statement
// agreement.NewStatement builds — signatory, role, organisation, time, the hash of the flow's
// canonical terms and its log head — made by the key the host's Signers choose (by default one
// platform Ed25519 key). One signature per organisation: when two of its users sign at once,
// exactly one is recorded and the other is refused "flow.already_signed". After an enforced
// sign-by date signing is refused; after one not enforced it is recorded as late and the
// requester told (SIGN-3). The last party's signature makes the flow Signed, and a variation so
// signed supersedes its original (SIGN-6).
//
// Errors: ErrForbidden (ROLE-2, "flow.not_signatory"); ErrNotFound ("flow.not_found") for a flow
// the organisation may not see; ErrInvalidTransition ("flow.already_signed", or the flow is not
// Finalised); ErrRule ("flow.sign_by_passed"); the Signers' error, wrapped.
func (g *Gateway) SignFlow(ctx context.Context, actor Actor, in ByID[agreement.FlowID]) (FlowView, error) {
	return run(ctx, g, flowSign, actor, in)
}

var flowSign = &command[ByID[agreement.FlowID], FlowView]{
	name: "flow.sign", doc: "Sign a finalised flow off for the actor's organisation (SIGN-2, SIGN-4).", row: SignOffFlow, rule: "ROLE-2",
	refuse: func(c *call[ByID[agreement.FlowID]]) error {
		return c.flowRefusal(c.actor, c.in.ID, func(f agreement.Flow, _ agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
			return f, nil, c.g.flowMachine.CheckSign(f, a, c.now)
		})
	},
	apply: func(c *call[ByID[agreement.FlowID]]) (FlowView, error) {
		return c.flowCommand(c.actor, c.held, c.in.ID, func(f agreement.Flow, _ agreement.Summary, a agreement.Actor) (agreement.Flow, []agreement.Event, error) {
			// Ask the flow first: a signature the flow would refuse is never made.
			if err := c.g.flowMachine.CheckSign(f, a, c.now); err != nil {
				return f, nil, err
			}
			sig, err := c.signStatement(agreement.Signatory{User: a.User, Role: signatoryRole(c.held & c.g.perms.Who(SignOffFlow)).String(), Org: a.Org}, f)
			if err != nil {
				return f, nil, err
			}
			return c.g.flowMachine.Sign(f, a, c.now, sig)
		})
	},
}

// VerifySignatures recomputes every signature of a flow the actor's organisation may see (SIGN-4,
// LOG-3): each statement's signature under its key (found through the key ring, so keys rotated
// since still verify), the key's owner against the signatory, the hash of the flow's terms now
// against the hash signed, and the flow's log against the head each signature bound. A changed
// term, or log entries dropped and the head rewritten, fails verification naming the signature
// and the reason.
//
// Errors: ErrForbidden (ROLE-8); ErrNotFound ("flow.not_found") for a flow the organisation may
// not see; the store's or key ring's error.
func (g *Gateway) VerifySignatures(ctx context.Context, actor Actor, in ByID[agreement.FlowID]) (agreement.SignatureReport, error) {
	return run(ctx, g, flowVerifySignatures, actor, in)
}

var flowVerifySignatures = &command[ByID[agreement.FlowID], agreement.SignatureReport]{
	name: "flow.verify_signatures", doc: "Verify a flow's signatures against its terms and log (SIGN-4, LOG-3).",
	row: ViewOrganisation, rule: "ROLE-8", query: true,
	apply: func(c *call[ByID[agreement.FlowID]]) (agreement.SignatureReport, error) {
		f, _, err := c.visibleFlow(c.actor, c.in.ID)
		if err != nil {
			return agreement.SignatureReport{}, err
		}
		return c.verifyFlow(f)
	},
}

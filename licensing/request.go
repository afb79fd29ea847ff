package licensing

import (
	"errors"
	"time"

	"github.com/isgkit/gateway/internal/validate"
	"github.com/isgkit/gateway/isg/violation"
)

// RequestStatus is a licence request's stored lifecycle state (LIC-7).
type RequestStatus string

// The request states: pending → allocated | declined.
const (
	RequestPending   RequestStatus = "pending"
	RequestAllocated RequestStatus = "allocated"
	RequestDeclined  RequestStatus = "declined"
)

// Request is an organisation's request for a licence under a group's contract, typically made
// when it registers (ORG-1, LIC-7). A Super Administrator of that contract allocates or declines it.
type Request struct {
	ID       RequestID  `json:"id"`
	Org      OrgID      `json:"org_id"`
	Contract ContractID `json:"contract_id"`
	Kind     Kind       `json:"kind"`
	// Private is whether the organisation is private: allocating then warns (LIC-7).
	Private     bool          `json:"private,omitempty"`
	Status      RequestStatus `json:"status"`
	RequestedAt time.Time     `json:"requested_at"`
	DecidedAt   time.Time     `json:"decided_at,omitzero"`
	// Licence is the licence allocated in answer, once allocated.
	Licence LicenceID `json:"licence_id,omitzero"`
	// Reason is the reason given for a decline.
	Reason string `json:"reason,omitempty"`
}

// RequestInput is what NewRequest needs: who asks, under which group's contract, for what.
type RequestInput struct {
	Org      OrgID      `json:"org_id" validate:"required"`
	Contract ContractID `json:"contract_id" validate:"required"`
	Kind     Kind       `json:"kind" validate:"required,oneof=group dpia"`
	Private  bool       `json:"private"`
}

// maxReasonLen bounds the free text of a decline, which is stored and sent in notifications.
const maxReasonLen = 2000

// NewRequest records a pending licence request (LIC-7) and raises EventLicenceRequested, on which
// the Gateway notifies the contract's Super Administrators. It returns ErrInvalid with field
// errors for a zero ID, org or contract or an unknown kind.
func NewRequest(in RequestInput, id RequestID, now time.Time) (Request, []Event, error) {
	var fields []FieldError
	if id.IsZero() {
		fields = append(fields, FieldError{Field: "id", Code: "required", Message: "is required"})
	}
	if err := validate.Struct(in, "LIC-7"); err != nil {
		var ve *Error
		if !errors.As(err, &ve) {
			return Request{}, nil, err
		}
		fields = append(fields, ve.Fields...)
	}
	if fields != nil {
		return Request{}, nil, violation.Invalid(fields...)
	}
	r := Request{ID: id, Org: in.Org, Contract: in.Contract, Kind: in.Kind, Private: in.Private,
		Status: RequestPending, RequestedAt: now}
	return r, []Event{{Type: EventLicenceRequested, At: now, Contract: in.Contract, Org: in.Org, Request: id, Kind: in.Kind}}, nil
}

// AllocateRequest answers a pending request by allocating a licence with the given ID under c,
// which must be the contract the request names. It returns the allocated request, the new
// contract and EventLicenceAllocated (Request set; Warning set for a private organisation, LIC-7).
// Errors:
//   - ErrInvalid for a zero licence ID or a request naming another contract;
//   - ErrInvalidTransition (CodeInvalidTransition, LIC-7) unless the request is pending;
//   - the refusals of Allocate: CodeContractInactive (LIC-5), CodeAlreadyHeld, CodeAllocationLimit (LIC-1).
//
// On any error neither the request nor the contract has changed.
func (r *Rules) AllocateRequest(req Request, c Contract, id LicenceID, now time.Time) (Request, Contract, []Event, error) {
	if err := allocationInput(req.Org, req.Kind, id); err != nil {
		return req, c, nil, err
	}
	if req.Contract != c.ID {
		return req, c, nil, violation.Field("contract_id", "mismatch", "LIC-7", "the request names another contract")
	}
	next := req
	if err := fire(r.request, &scope{request: &next, contract: &c, now: now}, ActionAllocate); err != nil {
		return req, c, nil, err
	}
	n, l := addLicence(c, req.Org, req.Kind, req.Private, now, id, req.ID)
	next.Licence, next.DecidedAt = id, now
	return next, n, []Event{allocatedEvent(c.ID, l)}, nil
}

// DeclineRequest declines a pending request with an optional reason (at most 2000 characters)
// and raises EventRequestDeclined. It returns ErrInvalid for an over-long reason and
// ErrInvalidTransition (CodeInvalidTransition, LIC-7) unless the request is pending.
func (r *Rules) DeclineRequest(req Request, reason string, now time.Time) (Request, []Event, error) {
	if len(reason) > maxReasonLen {
		return req, nil, violation.Field("reason", "max", "", "must be at most 2000 characters")
	}
	next := req
	if err := fire(r.request, &scope{request: &next, now: now}, ActionDecline); err != nil {
		return req, nil, err
	}
	next.DecidedAt, next.Reason = now, reason
	return next, []Event{{Type: EventRequestDeclined, At: now, Contract: req.Contract, Org: req.Org, Request: req.ID, Kind: req.Kind, Reason: reason}}, nil
}

// RequestActions returns what may happen next to req, given the contract it names, at now: for a
// host's UI (e.g. to show or hide "Allocate"). Allocate is listed only when Allocate's rules would
// pass too.
func (r *Rules) RequestActions(req Request, c Contract, now time.Time) []Action {
	return permitted(r.request, &scope{request: &req, contract: &c, now: now})
}

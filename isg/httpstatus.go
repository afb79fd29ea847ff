package isg

import (
	"errors"
	"net/http"
	"strings"

	"github.com/isgkit/gateway/isg/violation"
)

// HTTPStatus is the one mapping from a Gateway error to an HTTP status, used by the protocol's
// handler (package isg/httpapi) and meant for hosts that write handlers of their own, so every
// transport answers a refusal the same way (docs/protocol.md):
//
//   - nil: 200;
//   - a sign-in failure (a code under "auth.", REG-1, REG-3, REG-4): 401, although its kind is
//     ErrForbidden — the caller has not proved who it is, which is not the same as a known actor
//     lacking a role;
//   - ErrInvalid: 400;
//   - ErrForbidden and ErrLicence: 403 (a licence that does not grant a capability refuses the
//     organisation, however often it asks; 402 would promise that paying on the spot helps);
//   - ErrNotFound: 404 (an unknown command too; a record the actor may not see answers the same);
//   - ErrConflict and ErrInvalidTransition: 409 — both say the record's state, not the request,
//     is in the way; the code tells a stale write (retry with fresh state) from a step the
//     lifecycle does not allow;
//   - ErrRule: 422;
//   - anything else (a store failure, say): 500.
func HTTPStatus(err error) int {
	if err == nil {
		return http.StatusOK
	}
	var e *Error
	if errors.As(err, &e) && strings.HasPrefix(e.Code, "auth.") {
		return http.StatusUnauthorized
	}
	switch {
	case errors.Is(err, ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, ErrForbidden), errors.Is(err, ErrLicence):
		return http.StatusForbidden
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, ErrConflict), errors.Is(err, ErrInvalidTransition):
		return http.StatusConflict
	case errors.Is(err, ErrRule):
		return http.StatusUnprocessableEntity
	}
	return http.StatusInternalServerError
}

// errorKinds lists the sentinel kinds in a fixed order, each under its published name: the code
// ErrorCode gives an error of that kind alone ("invalid_input", "not_found", …).
var errorKinds = [...]error{ErrInvalid, ErrNotFound, ErrForbidden, ErrConflict, ErrInvalidTransition, ErrLicence, ErrRule}

// ErrorKindName names the kind of err for the wire: "invalid_input", "not_found", "forbidden",
// "conflict", "invalid_transition", "licence" or "rule" — the code ErrorCode gives the bare
// sentinel — or "" for an error of no kind. ErrorKind is its inverse.
func ErrorKindName(err error) string {
	for _, k := range errorKinds {
		if errors.Is(err, k) {
			return violation.Code(k)
		}
	}
	return ""
}

// ErrorKind returns the sentinel kind ErrorKindName calls name, or nil for a name it does not
// give. A client of the protocol rebuilds a refusal from the wire with it, so that errors.Is
// matches as it would in-process:
//
//	&isg.Error{Kind: isg.ErrorKind(body.Kind), Code: body.Code, Rule: body.Rule, …}
func ErrorKind(name string) error {
	for _, k := range errorKinds {
		if violation.Code(k) == name {
			return k
		}
	}
	return nil
}

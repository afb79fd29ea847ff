package main

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/isgkit/gateway/isg"
)

// protocolMode is how the server wants the command protocol served.
type protocolMode struct {
	// resolve finds a request's actor (production mode).
	resolve func(*http.Request) (isg.Actor, error)
	// conformance opens the scenario controls; only on loopback (parseFlags).
	conformance bool
	store       string
}

// commandsFunc builds the handler of the command protocol (everything under /v1/ but the
// session) over g. It is a parameter of the server so that tests can put their own in.
type commandsFunc func(g *isg.Gateway, m protocolMode) (http.Handler, error)

// httpapiCommands serves the command protocol. TEMPORARY until isg/httpapi is merged: a minimal
// POST /v1/commands/{name} over Gateway.Dispatch.
func httpapiCommands(g *isg.Gateway, m protocolMode) (http.Handler, error) {
	if m.conformance {
		return nil, errors.New("conformance mode needs isg/httpapi")
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/commands/{name}", func(w http.ResponseWriter, r *http.Request) {
		actor, err := m.resolve(r)
		if err != nil {
			writeGatewayError(w, err)
			return
		}
		body, _ := io.ReadAll(r.Body)
		if len(body) == 0 {
			body = []byte("{}")
		}
		res, err := g.Dispatch(r.Context(), r.PathValue("name"), actor, json.RawMessage(body))
		if err != nil {
			writeGatewayError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, res)
	})
	return mux, nil
}

func statusOf(err error) int {
	var e *isg.Error
	if errors.As(err, &e) && len(e.Code) > 5 && e.Code[:5] == "auth." {
		return http.StatusUnauthorized
	}
	switch {
	case errors.Is(err, isg.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, isg.ErrForbidden), errors.Is(err, isg.ErrLicence):
		return http.StatusForbidden
	case errors.Is(err, isg.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, isg.ErrConflict), errors.Is(err, isg.ErrInvalidTransition):
		return http.StatusConflict
	case errors.Is(err, isg.ErrRule):
		return http.StatusUnprocessableEntity
	}
	return http.StatusInternalServerError
}

package isg_test

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
)

// TestHTTPStatusOfEveryCode_REG4: every code of the published code table (docs/scenarios.md,
// the source of isg/codes.go) gets the status of its kind, but the sign-in failures, which are
// 401 although their kind is ErrForbidden (REG-1, REG-3, REG-4).
func TestHTTPStatusOfEveryCode_REG4(t *testing.T) {
	byKind := map[string]struct {
		kind   error
		status int
	}{
		"ErrInvalid":           {isg.ErrInvalid, http.StatusBadRequest},
		"ErrForbidden":         {isg.ErrForbidden, http.StatusForbidden},
		"ErrLicence":           {isg.ErrLicence, http.StatusForbidden},
		"ErrNotFound":          {isg.ErrNotFound, http.StatusNotFound},
		"ErrConflict":          {isg.ErrConflict, http.StatusConflict},
		"ErrInvalidTransition": {isg.ErrInvalidTransition, http.StatusConflict},
		"ErrRule":              {isg.ErrRule, http.StatusUnprocessableEntity},
		"—":                    {nil, http.StatusInternalServerError},
	}
	signIn := map[string]bool{"auth.invalid_credentials": true, "auth.unverified": true, "auth.awaiting_validation": true, "auth.locked": true}
	doc, err := os.ReadFile("../docs/scenarios.md")
	require.NoError(t, err)
	_, table, _ := strings.Cut(string(doc), "## Error codes")
	seen, kinds := 0, map[string]bool{}
	for _, line := range strings.Split(table, "\n") {
		m := codeRow.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		code, kind := m[1], m[2]
		k, ok := byKind[kind]
		require.True(t, ok, "code %s has a kind (%s) the mapping does not know", code, kind)
		want := k.status
		if signIn[code] {
			want = http.StatusUnauthorized
		} else {
			require.False(t, strings.HasPrefix(code, "auth."), "%s is under auth. but not listed as a sign-in failure here", code)
		}
		var e error = &isg.Error{Kind: k.kind, Code: code, Message: "x"}
		require.Equal(t, want, isg.HTTPStatus(e), code)
		require.Equal(t, want, isg.HTTPStatus(fmt.Errorf("wrapped: %w", e)), "%s, wrapped", code)
		seen++
		kinds[kind] = true
	}
	require.Greater(t, seen, 50, "the table's rows were read")
	require.Len(t, kinds, len(byKind), "every kind appears in the table")
	for name, k := range byKind {
		if k.kind == nil {
			continue
		}
		require.Equal(t, k.status, isg.HTTPStatus(k.kind), "bare sentinel %s", name)
		require.Equal(t, k.kind, isg.ErrorKind(isg.ErrorKindName(k.kind)), "kind name of %s round-trips", name)
	}
	require.Equal(t, http.StatusOK, isg.HTTPStatus(nil))
	require.Equal(t, http.StatusInternalServerError, isg.HTTPStatus(errors.New("disk on fire")))
	require.Equal(t, "", isg.ErrorKindName(errors.New("disk on fire")))
	require.Nil(t, isg.ErrorKind("nonsense"))
	for code := range signIn {
		require.Equal(t, http.StatusUnauthorized, isg.HTTPStatus(&isg.Error{Kind: isg.ErrForbidden, Code: code}), code)
	}
}

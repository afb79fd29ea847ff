package violation_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/isgkit/gateway/isg/violation"
)

func TestErrorMatchesKindAndCarriesRule(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", violation.New(violation.ErrForbidden, "role.forbidden", "ROLE-7", "no role"))
	assert.ErrorIs(t, err, violation.ErrForbidden)
	assert.NotErrorIs(t, err, violation.ErrNotFound)
	var e *violation.Error
	assert.True(t, errors.As(err, &e))
	assert.Equal(t, "ROLE-7", e.Rule)
	assert.Equal(t, "role.forbidden", violation.Code(err))
}

func TestInvalidTakesRuleOfFirstFieldNamingOne(t *testing.T) {
	e := violation.Invalid(
		violation.FieldError{Field: "name", Code: "required", Message: "is required"},
		violation.FieldError{Field: "password", Code: "password", Rule: "REG-2", Message: "too weak"},
	)
	assert.Equal(t, "REG-2", e.Rule)
	assert.ErrorIs(t, e, violation.ErrInvalid)
	assert.Equal(t, "invalid_input [REG-2]: input is not valid: name: is required; password: too weak (REG-2)", e.Error())
}

func TestCodeOfPlainErrors(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{errors.New("boom"), "internal"},
		{fmt.Errorf("x: %w", violation.ErrConflict), "conflict"},
		{violation.ErrNotFound, "not_found"},
		{violation.ErrLicence, "licence"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, violation.Code(tt.err))
	}
}

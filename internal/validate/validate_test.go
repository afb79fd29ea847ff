package validate_test

import (
	"errors"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/internal/validate"
	"github.com/isgkit/gateway/isg/violation"
)

type address struct {
	Postcode string `json:"postcode" validate:"required,max=8" rule:"ORG-1"`
}

type input struct {
	Name    string          `json:"name" validate:"required"`
	Email   string          `json:"email" validate:"required,email" rule:"REG-7"`
	Address address         `json:"address"`
	Price   decimal.Decimal `json:"price" validate:"dec_gte0,pence"`
}

func TestStructNamesFieldsByJSONAndRule(t *testing.T) {
	err := validate.Struct(input{Email: "nope", Price: decimal.RequireFromString("-1.005")}, "X-1")
	require.Error(t, err)
	var e *violation.Error
	require.True(t, errors.As(err, &e))
	assert.ErrorIs(t, err, violation.ErrInvalid)
	got := map[string]violation.FieldError{}
	for _, f := range e.Fields {
		got[f.Field+"/"+f.Code] = f
	}
	assert.Equal(t, "X-1", got["name/required"].Rule)
	assert.Equal(t, "REG-7", got["email/email"].Rule)
	assert.Equal(t, "ORG-1", got["address.postcode/required"].Rule)
	assert.Contains(t, got, "price/dec_gte0")
}

func TestDecimalTagsCompareExactly(t *testing.T) {
	ok := input{Name: "a", Email: "a@b.nhs.uk", Address: address{"LS1 4AP"}}
	ok.Price = decimal.RequireFromString("1.005")
	var e *violation.Error
	require.True(t, errors.As(validate.Struct(ok, ""), &e))
	assert.Equal(t, "pence", e.Fields[0].Code)
}

func TestStructAcceptsValid(t *testing.T) {
	assert.NoError(t, validate.Struct(input{Name: "a", Email: "a@b.nhs.uk", Address: address{"LS1 4AP"}, Price: decimal.RequireFromString("1.05")}, ""))
}

type byID[T any] struct {
	ID    T       `json:"id" validate:"required" rule:"SUM-3"`
	Inner address `json:"inner"`
}

type flowID struct{ N int }

// A generic input's type name carries its type arguments' package paths, dots and all: the
// field is still named by its JSON path, and its rule tag still found.
func TestGenericInputsNameTheirFields(t *testing.T) {
	err := validate.Struct(byID[flowID]{}, "X-1")
	var e *violation.Error
	require.True(t, errors.As(err, &e))
	got := map[string]string{}
	for _, f := range e.Fields {
		got[f.Field] = f.Rule
	}
	assert.Equal(t, map[string]string{"id": "SUM-3", "inner.postcode": "ORG-1"}, got)
}

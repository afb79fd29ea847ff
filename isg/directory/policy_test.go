package directory_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg/directory"
)

// REG-1: instant registration matches whole labels, case-insensitively.
func TestInstantRegistrationREG1(t *testing.T) {
	tests := []struct {
		email string
		want  bool
	}{
		{"a@nhs.net", true},
		{"a@Trust.NHS.uk", true},
		{"a@met.police.uk", true},
		{"a@cjsm.net", true},
		{"a@school.sch.uk.", true},
		{"a@evilnhs.uk", false},
		{"a@nhs.uk.example.com", false},
		{"a@gmail.com", false},
		{"a@..nhs.uk", false},
		{"nhs.uk", false},
		{"a@", false},
		{"@nhs.uk", false},
	}
	for _, tt := range tests {
		t.Run(tt.email, func(t *testing.T) {
			assert.Equal(t, tt.want, directory.InstantRegistration(tt.email))
		})
	}
}

// REG-2: 7 to 128 characters, a numeral and a symbol; the error names the field, never the password.
func TestCheckPasswordREG2(t *testing.T) {
	tests := []struct {
		name, pw string
		ok       bool
	}{
		{"meets the policy", "Passw0rd!", true},
		{"seven characters", "abcde1!", true},
		{"six characters", "abcd1!", false},
		{"no numeral", "Password!", false},
		{"no symbol", "Passw0rd", false},
		{"128 characters", strings.Repeat("a", 126) + "1!", true},
		{"129 characters", strings.Repeat("a", 127) + "1!", false},
		{"not UTF-8", "abc1!\xff\xfe", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := directory.CheckPassword(tt.pw)
			if tt.ok {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, directory.ErrInvalid)
			var e *directory.Error
			require.True(t, errors.As(err, &e))
			assert.Equal(t, "REG-2", e.Rule)
			require.Len(t, e.Fields, 1)
			assert.Equal(t, "password", e.Fields[0].Field)
			assert.NotContains(t, e.Error(), tt.pw)
		})
	}
}

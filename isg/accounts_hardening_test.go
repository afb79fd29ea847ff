package isg_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/isg"
)

// fieldCode returns the code of the field error on field, or "".
func fieldCode(err error, field string) string {
	var e *isg.Error
	if !errors.As(err, &e) {
		return ""
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return f.Code
		}
	}
	return ""
}

// TestInvisibleCharactersInAddressesAreRefused: REG-7 — an address holding a character that
// displays as nothing (Unicode format characters: zero-width space, non-joiner, joiner, word
// joiner, BOM, soft hyphen, bidi controls) or a control character is refused with a field error
// wherever an address is input, so that no account or invitation looks like another's address.
func TestInvisibleCharactersInAddressesAreRefused(t *testing.T) {
	w := newWorld(t)
	ann := w.user("ann@leeds.gov.uk")
	leeds := w.org(ann, "Leeds")
	for _, r := range []string{"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u2066", "\x07"} {
		email := "bob@leeds" + r + ".nhs.uk"
		t.Run(fmt.Sprintf("U+%04X", []rune(r)[0]), func(t *testing.T) {
			_, err := w.g.Register(ctx, isg.RegisterInput{Email: email, Name: "Bob", Password: "Passw0rd!"})
			assert.Equal(t, "no_invisible", fieldCode(err, "email"), "register: %v", err)
			_, err = w.g.Invite(ctx, isg.Actor{User: ann, Org: leeds}, isg.InviteInput{Email: email, Roles: []isg.Role{isg.IGOfficer}})
			assert.Equal(t, "no_invisible", fieldCode(err, "email"), "invite: %v", err)
			_, err = w.g.SignIn(ctx, isg.SignInInput{Email: email, Password: "Passw0rd!"})
			assert.Equal(t, "no_invisible", fieldCode(err, "email"), "sign in: %v", err)
			_, err = w.g.ResendVerification(ctx, isg.EmailInput{Email: email})
			assert.Equal(t, "no_invisible", fieldCode(err, "email"), "resend: %v", err)
			_, err = w.g.RequestPasswordReset(ctx, isg.EmailInput{Email: email})
			assert.Equal(t, "no_invisible", fieldCode(err, "email"), "reset: %v", err)
			_, err = w.g.RegisterOrganisation(ctx, isg.Actor{User: ann}, isg.RegisterOrganisationInput{Name: "X" + r, Category: isg.CategoryLocalAuthority,
				Address: isg.Address{Line1: "1 High St", Town: "Leeds", Postcode: "LS1 1AA"}, ContactEmail: email})
			assert.Equal(t, "no_invisible", fieldCode(err, "contact_email"), "organisation: %v", err)
		})
	}
	t.Run("plain address", func(t *testing.T) {
		_, err := w.g.Register(ctx, isg.RegisterInput{Email: "bob@leeds.nhs.uk", Name: "Bob", Password: "Passw0rd!"})
		require.NoError(t, err)
	})
}

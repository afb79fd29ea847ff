package validate_test

import (
	"fmt"

	"github.com/isgkit/gateway/internal/validate"
)

// Struct validates with the module's one validator and names each bad field by its JSON name,
// with the rule from its rule tag.
func Example() {
	type input struct {
		Email    string `json:"email" validate:"required,email" rule:"REG-7"`
		Postcode string `json:"postcode" validate:"uk_postcode" rule:"ORG-1"`
	}
	fmt.Println(validate.Struct(input{Email: "not-an-address", Postcode: "LS1 4AP"}, ""))
	// Output: invalid_input [REG-7]: input is not valid: email: must be an e-mail address (REG-7)
}

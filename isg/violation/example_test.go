package violation_test

import (
	"errors"
	"fmt"

	"github.com/isgkit/gateway/isg/violation"
)

// A host matches the kind with errors.Is, reads the rule and fields with errors.As, and maps any
// error to a stable code with Code.
func Example() {
	err := fmt.Errorf("saving: %w", violation.Field("password", "password_policy", "REG-2", "must contain a numeral"))
	var e *violation.Error
	if errors.As(err, &e) {
		fmt.Println(errors.Is(err, violation.ErrInvalid), e.Rule, e.Fields[0].Field)
	}
	fmt.Println(violation.Code(err), violation.Code(errors.New("disk full")))
	// Output:
	// true REG-2 password
	// invalid_input internal
}

package ident_test

import (
	"fmt"

	"github.com/isgkit/gateway/isg/ident"
)

// IDs are typed, so an organisation ID is never passed where a user ID belongs, and they read and
// write as plain UUID text.
func Example() {
	org, err := ident.ParseOrgID("0192f3a4-5b6c-7d8e-9f00-112233445566")
	fmt.Println(org, err, org.IsZero(), ident.UserID{}.IsZero())
	// Output: 0192f3a4-5b6c-7d8e-9f00-112233445566 <nil> false true
}

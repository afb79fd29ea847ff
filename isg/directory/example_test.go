package directory_test

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/isg/directory"
)

// An account lives through its lifecycle without a store: the rules take values and the time and
// return new values and the events to deliver.
func Example() {
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	accounts := directory.NewAccountMachine()
	x, _, _ := directory.Register(directory.NewAccount{ID: directory.UserID{UUID: uuid.Nil}, Email: "Sam@Leeds.NHS.uk", Name: "Sam",
		PasswordHash: "(hashed by the Gateway)", TokenDigest: "(digest)", TokenExpires: now.Add(48 * time.Hour)}, false, nil, now)
	fmt.Println(x.Email, x.State)

	x, _, _ = accounts.Verify(x, now.Add(time.Hour))
	fmt.Println(x.State)

	for range directory.MaxFailedSignIns {
		o := accounts.SignIn(x, false, now)
		x = o.User
		if len(o.Events) > 0 {
			fmt.Println(o.Refusal, "→ tell", o.Events[0].Type)
		}
	}
	x, _ = accounts.Unlock(x)
	fmt.Println(x.State, x.FailedSignIns)
	// Output:
	// sam@leeds.nhs.uk unverified
	// active
	// auth.locked [REG-4]: the account is locked after repeated failed sign-ins; ask an administrator to unlock it → tell account.locked
	// active 0
}

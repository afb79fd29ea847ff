package scenario_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/scenario"
	"github.com/isgkit/gateway/storage/memory"
)

// A host runs a scenario file against its own Gateway outside go test: Load checks the file,
// Execute runs its steps and reports the first that does not go as written.
func Example() {
	dir, _ := os.MkdirTemp("", "scenario")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "lockout.json")
	_ = os.WriteFile(path, []byte(`{
	  "name": "lockout", "start": "2026-01-05T09:00:00Z",
	  "steps": [
	    {"command": "account.register", "input": {"email": "ann@trust.nhs.uk", "name": "Ann", "password": "Passw0rd!"},
	     "expect": {"ok": true}, "save": {"token": "verification_token"}},
	    {"command": "account.verify_email", "input": {"token": "$token"}, "expect": {"ok": true}},
	    {"command": "account.sign_in", "input": {"email": "ann@trust.nhs.uk", "password": "wrong-1!"}, "expect": {"error": "auth.invalid_credentials"}},
	    {"command": "account.sign_in", "input": {"email": "ann@trust.nhs.uk", "password": "Passw0rd!"}, "expect": {"ok": true}, "check": {"failed_sign_ins": 0}}
	  ]}`), 0o644)

	f, err := scenario.Load(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	clock := scenario.NewClock(f.Start)
	g, _ := isg.New(memory.New(), isg.WithClock(clock), isg.WithPasswordParams(isg.PasswordParams{Time: 1, Memory: 64, Threads: 1}))
	fmt.Println(f.Name, len(f.Steps), "steps:", scenario.Execute(context.Background(), f, g, clock))
	// Output: lockout 4 steps: <nil>
}

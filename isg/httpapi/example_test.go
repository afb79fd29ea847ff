package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/httpapi"
	"github.com/isgkit/gateway/storage/memory"
)

// A host serves the protocol in production: its own session middleware says who acts (here a
// toy bearer token), the handler does the rest. A refusal comes back with its status and code.
func Example() {
	g, _ := isg.New(memory.New(), isg.WithPasswordParams(isg.PasswordParams{Time: 1, Memory: 64, Threads: 1}))
	admin, _ := g.Bootstrap(context.Background(), isg.BootstrapInput{Email: "support@isg.nhs.uk", Name: "Support", Password: "Support#2026"})
	session := map[string]isg.Actor{"token-of-support": {User: admin.ID}}

	h, err := httpapi.New(g, httpapi.WithActor(func(r *http.Request) (isg.Actor, error) {
		return session[r.Header.Get("Authorization")], nil // the zero Actor: anonymous
	}))
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	post := func(command, token, body string) {
		req, _ := http.NewRequest("POST", srv.URL+"/v1/commands/"+command, bytes.NewBufferString(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var out map[string]any
		_ = json.Unmarshal(b, &out)
		fmt.Println(command, resp.StatusCode, out["code"], out["total"])
	}
	post("account.sign_in", "", `{"email":"support@isg.nhs.uk","password":"wrong"}`)
	post("platform.break_glass_log", "", `{}`)
	post("platform.break_glass_log", "token-of-support", `{}`)
	// Output:
	// account.sign_in 401 auth.invalid_credentials <nil>
	// platform.break_glass_log 403 forbidden <nil>
	// platform.break_glass_log 200 <nil> 0
}

package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/httpapi"
	"github.com/isgkit/gateway/storage/memory"
)

// FuzzCommandRequest throws arbitrary command names, bodies and actor headers at a production
// handler: it never panics and never fails with a 500 — every answer is a 200 or a refusal
// with a JSON body carrying a code — and a request naming an actor is always refused.
func FuzzCommandRequest(f *testing.F) {
	g, err := isg.New(memory.New(), cheapPasswords)
	if err != nil {
		f.Fatal(err)
	}
	h, err := httpapi.New(g, httpapi.WithActor(func(*http.Request) (isg.Actor, error) { return isg.Actor{}, nil }), httpapi.WithMaxBody(4<<10))
	if err != nil {
		f.Fatal(err)
	}
	f.Add("account.register", `{"email":"a@leeds.gov.uk","name":"A","password":"Passw0rd!"}`, "")
	f.Add("account.sign_in", `{"email":1}`, "")
	f.Add("flow.get", `{"id":"not-a-uuid"}`, "0190a3c4-7b2e-7cc1-9f00-000000000001")
	f.Add("outbox.drain", `{"max":-1}`, "")
	f.Add("../../etc/passwd", `[`, "x")
	f.Add("org.search", `{"q":"\u0000"} trailing`, "")
	f.Fuzz(func(t *testing.T, name, body, actor string) {
		if name == "" || name == "." || name == ".." {
			return // not a path segment
		}
		r := httptest.NewRequest(http.MethodPost, "/v1/commands/"+url.PathEscape(name), strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		if actor != "" {
			r.Header.Set(httpapi.HeaderActorUser, actor)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code == http.StatusInternalServerError {
			t.Fatalf("%s %q: 500 %s", name, body, w.Body)
		}
		if actor != "" && w.Code == http.StatusOK {
			t.Fatalf("%s ran with a named actor", name)
		}
		if w.Code != http.StatusOK {
			var eb httpapi.ErrorBody
			if err := json.Unmarshal(w.Body.Bytes(), &eb); err != nil || eb.Code == "" {
				t.Fatalf("%s: %d without a refusal body: %s", name, w.Code, w.Body)
			}
		}
	})
}

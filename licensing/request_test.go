package licensing_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/isgkit/gateway/licensing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func newRequest(t testing.TB, n int, o licensing.OrgID, kind licensing.Kind, private bool) licensing.Request {
	t.Helper()
	r, events, err := licensing.NewRequest(licensing.RequestInput{Org: o, Contract: contractID(1), Kind: kind, Private: private}, reqID(n), t0)
	require.NoError(t, err)
	require.Len(t, events, 1)
	require.Equal(t, licensing.EventLicenceRequested, events[0].Type)
	require.Equal(t, licensing.RequestPending, r.Status)
	return r
}

func TestNewRequest_LIC7_Validation(t *testing.T) {
	tests := []struct {
		name   string
		in     licensing.RequestInput
		id     licensing.RequestID
		fields []string
	}{
		{"valid", licensing.RequestInput{Org: org(1), Contract: contractID(1), Kind: licensing.DPIA}, reqID(1), nil},
		{"everything missing", licensing.RequestInput{}, licensing.RequestID{}, []string{"id", "org_id", "contract_id", "kind"}},
		{"unknown kind", licensing.RequestInput{Org: org(1), Contract: contractID(1), Kind: "gold"}, reqID(1), []string{"kind"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, events, err := licensing.NewRequest(tt.in, tt.id, t0)
			if tt.fields == nil {
				require.NoError(t, err)
				assert.Equal(t, licensing.RequestPending, r.Status)
				assert.Equal(t, t0, r.RequestedAt)
				assert.Equal(t, licensing.Event{Type: licensing.EventLicenceRequested, At: t0, Contract: contractID(1), Org: org(1), Request: reqID(1), Kind: licensing.DPIA}, events[0])
				return
			}
			assert.ErrorIs(t, err, licensing.ErrInvalid)
			assert.Equal(t, tt.fields, fieldNames(asError(t, err)))
		})
	}
}

// LIC-7: an organisation may request a licence when registering; a Super Administrator of the
// chosen group allocates or declines it; allocating to a private organisation warns.
func TestRequestLifecycle_LIC7(t *testing.T) {
	rules := licensing.NewRules()
	c := newContract(t, "100")
	full := c
	full.Capacity = 2
	full = fill(t, rules, full, 2)
	pending := newRequest(t, 1, org(50), licensing.Group, false)
	private := newRequest(t, 2, org(51), licensing.Group, true)
	allocated, _, _, err := rules.AllocateRequest(pending, c, licID(1), t0)
	require.NoError(t, err)
	declined, _, err := rules.DeclineRequest(pending, "not in our area", t0)
	require.NoError(t, err)
	otherContract := pending
	otherContract.Contract = contractID(2)

	type step int
	const (
		allocate step = iota
		decline
	)
	tests := []struct {
		name    string
		req     licensing.Request
		c       licensing.Contract
		step    step
		want    licensing.RequestStatus
		warning string
		kind    error
		code    string
		rule    string
	}{
		{name: "pending → allocated", req: pending, c: c, step: allocate, want: licensing.RequestAllocated},
		{name: "pending → declined", req: pending, c: c, step: decline, want: licensing.RequestDeclined},
		{name: "private organisation → allocated with a warning", req: private, c: c, step: allocate, want: licensing.RequestAllocated,
			warning: licensing.PrivateOrgWarning},
		{name: "an allocated request cannot be declined", req: allocated, c: c, step: decline,
			kind: licensing.ErrInvalidTransition, code: licensing.CodeInvalidTransition, rule: "LIC-7"},
		{name: "an allocated request cannot be allocated again", req: allocated, c: c, step: allocate,
			kind: licensing.ErrInvalidTransition, code: licensing.CodeInvalidTransition, rule: "LIC-7"},
		{name: "a declined request cannot be allocated", req: declined, c: c, step: allocate,
			kind: licensing.ErrInvalidTransition, code: licensing.CodeInvalidTransition, rule: "LIC-7"},
		{name: "LIC-1 a full contract refuses and the request stays pending", req: pending, c: full, step: allocate,
			kind: licensing.ErrLicence, code: licensing.CodeAllocationLimit, rule: "LIC-1"},
		{name: "LIC-5 an ended contract refuses", req: pending, c: endAt(t, c, t0), step: allocate,
			kind: licensing.ErrLicence, code: licensing.CodeContractInactive, rule: "LIC-5"},
		{name: "the request must name the contract", req: otherContract, c: c, step: allocate,
			kind: licensing.ErrInvalid, code: "invalid_input", rule: "LIC-7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				got    licensing.Request
				gotC   = tt.c
				events []licensing.Event
				err    error
			)
			if tt.step == allocate {
				got, gotC, events, err = rules.AllocateRequest(tt.req, tt.c, licID(9), t0)
			} else {
				got, events, err = rules.DeclineRequest(tt.req, "not in our area", t0)
			}
			if tt.kind != nil {
				e := asError(t, err)
				assert.ErrorIs(t, err, tt.kind)
				assert.Equal(t, tt.code, e.Code)
				assert.Equal(t, tt.rule, e.Rule)
				assert.Equal(t, tt.req, got, "a refused step changes nothing")
				assert.Equal(t, tt.c, gotC)
				assert.Nil(t, events)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Status)
			assert.Equal(t, licensing.RequestPending, tt.req.Status, "the input request is unchanged")
			assert.Equal(t, t0, got.DecidedAt)
			require.Len(t, events, 1)
			ev := events[0]
			assert.Equal(t, tt.req.ID, ev.Request)
			assert.Equal(t, tt.req.Org, ev.Org)
			if tt.want == licensing.RequestDeclined {
				assert.Equal(t, licensing.EventRequestDeclined, ev.Type)
				assert.Equal(t, "not in our area", got.Reason)
				assert.Equal(t, "not in our area", ev.Reason)
				return
			}
			assert.Equal(t, licensing.EventLicenceAllocated, ev.Type)
			assert.Equal(t, licID(9), got.Licence)
			assert.Len(t, gotC.Licences, len(tt.c.Licences)+1)
			l := gotC.Licences[len(gotC.Licences)-1]
			assert.Equal(t, tt.req.ID, l.Request)
			assert.Equal(t, tt.req.Org, l.Org)
			assert.Equal(t, tt.warning, l.Warning, "LIC-7: the warning is on the licence")
			assert.Equal(t, tt.warning, ev.Warning, "LIC-7: the warning is in the event")
			assert.Equal(t, licensing.NewEntitlement(licensing.Group), licensing.EntitlementFor(tt.req.Org, []licensing.Contract{gotC}, t0))
		})
	}

	t.Run("an over-long decline reason is invalid", func(t *testing.T) {
		_, _, err := rules.DeclineRequest(pending, strings.Repeat("x", 2001), t0)
		assert.Equal(t, []string{"reason"}, fieldNames(asError(t, err)))
	})
	t.Run("a corrupt stored status is refused", func(t *testing.T) {
		bad := pending
		bad.Status = "approved"
		_, _, err := rules.DeclineRequest(bad, "", t0)
		assert.ErrorIs(t, err, licensing.ErrInvalid)
	})
}

func endAt(t testing.TB, c licensing.Contract, at time.Time) licensing.Contract {
	t.Helper()
	ended, _, err := c.End(at)
	require.NoError(t, err)
	return ended
}

// LIC-7: what a host's UI may offer next.
func TestRequestActions_LIC7(t *testing.T) {
	rules := licensing.NewRules()
	c := newContract(t, "100")
	full := c
	full.Capacity = 1
	full = fill(t, rules, full, 1)
	pending := newRequest(t, 1, org(50), licensing.Group, false)
	allocated, _, _, err := rules.AllocateRequest(pending, c, licID(1), t0)
	require.NoError(t, err)

	tests := []struct {
		name string
		req  licensing.Request
		c    licensing.Contract
		want []licensing.Action
	}{
		{"pending with room", pending, c, []licensing.Action{licensing.ActionAllocate, licensing.ActionDecline}},
		{"LIC-1 pending on a full contract may only be declined", pending, full, []licensing.Action{licensing.ActionDecline}},
		{"allocated is final", allocated, c, []licensing.Action{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, rules.RequestActions(tt.req, tt.c, t0))
		})
	}
}

// The lifecycles' DOT graphs are golden: a change to a machine must come with its picture.
// Run `go test ./licensing/ -run Graph -update` to rewrite them.
func TestLifecycleGraphs(t *testing.T) {
	rules := licensing.NewRules()
	for name, got := range map[string]string{"request.dot": rules.RequestGraph(), "licence.dot": rules.LicenceGraph()} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name)
			if *update {
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, string(want), got)
		})
	}
	assert.Contains(t, rules.RequestGraph(), "[capacityLeft]", "LIC-1 is a guard of allocation")
	assert.Contains(t, rules.RequestGraph(), "[contractActive]", "LIC-5 is a guard of allocation")
}

// One Rules is shared by the whole Gateway; run with -race.
func TestRules_ConcurrentUse(t *testing.T) {
	rules := licensing.NewRules()
	c := newContract(t, "100")
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			// assert, not require: FailNow must not be called off the test goroutine.
			req, _, err := licensing.NewRequest(licensing.RequestInput{Org: org(i), Contract: c.ID, Kind: licensing.Group, Private: i%2 == 0}, reqID(i), t0)
			assert.NoError(t, err)
			next, nc, _, err := rules.AllocateRequest(req, c, licID(i+1), t0)
			assert.NoError(t, err)
			assert.Equal(t, licensing.RequestAllocated, next.Status)
			_, _, err = rules.Revoke(nc, licID(i+1), t0)
			assert.NoError(t, err)
			_, _, err = rules.DeclineRequest(next, "", t0)
			assert.ErrorIs(t, err, licensing.ErrInvalidTransition)
		})
	}
	wg.Wait()
	assert.Empty(t, c.Licences, "the shared input is untouched")
}

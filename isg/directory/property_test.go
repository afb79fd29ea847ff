package directory_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"pgregory.net/rapid"

	"github.com/isgkit/gateway/isg/directory"
)

// accountModel is the reference for the account lifecycle (REG-1, REG-3, REG-4): a plain switch
// over the rulebook, against which the machine is checked on random histories. Failures count
// and lock in every state, a locked account unlocks into the state it locked in, and a right
// password clears the count whatever the state (REG-4 as decided); entering a new state by
// verification or validation starts with no failures.
type accountModel struct {
	state      directory.AccountState
	lockedFrom directory.AccountState
	needsVal   bool
	failures   int
}

func (m *accountModel) signIn(ok bool) (code string) {
	switch {
	case m.state == directory.AccountLocked:
		return directory.CodeLocked
	case !ok:
		m.failures++
		if m.failures >= directory.MaxFailedSignIns {
			m.lockedFrom, m.state = m.state, directory.AccountLocked
			return directory.CodeLocked
		}
		return directory.CodeInvalidCredentials
	case m.state == directory.AccountUnverified:
		m.failures = 0
		return directory.CodeUnverified
	case m.state == directory.AccountAwaitingValidation:
		m.failures = 0
		return directory.CodeAwaitingValidation
	}
	m.failures = 0
	return ""
}

// TestAccountMachineMatchesModel: REG-1, REG-3, REG-4 on random histories of verification,
// validation, sign-in and unlocking.
func TestAccountMachineMatchesModel(t *testing.T) {
	am := directory.NewAccountMachine()
	rapid.Check(t, func(t *rapid.T) {
		email := rapid.SampledFrom([]string{"a@nhs.net", "a@gmail.com"}).Draw(t, "email")
		x, _, _ := directory.Register(directory.NewAccount{ID: userID(), Email: email, TokenExpires: t0.AddDate(1, 0, 0)}, false, nil, t0)
		model := &accountModel{state: directory.AccountUnverified, needsVal: x.NeedsValidation}
		check := func(t *rapid.T) {
			if x.State != model.state || x.FailedSignIns != model.failures {
				t.Fatalf("machine %s/%d, model %s/%d", x.State, x.FailedSignIns, model.state, model.failures)
			}
		}
		t.Repeat(map[string]func(*rapid.T){
			"verify": func(t *rapid.T) {
				next, _, err := am.Verify(x, t0)
				if (err == nil) != (model.state == directory.AccountUnverified) {
					t.Fatalf("verify from %s: %v", model.state, err)
				}
				if err == nil {
					model.state, model.failures = directory.AccountActive, 0
					if model.needsVal {
						model.state = directory.AccountAwaitingValidation
					}
					x = next
				}
				check(t)
			},
			"validate": func(t *rapid.T) {
				next, err := am.Validate(x)
				if (err == nil) != (model.state == directory.AccountAwaitingValidation) {
					t.Fatalf("validate from %s: %v", model.state, err)
				}
				if err == nil {
					model.state, model.failures, x = directory.AccountActive, 0, next
				}
				check(t)
			},
			"sign in": func(t *rapid.T) {
				ok := rapid.Bool().Draw(t, "password ok")
				want := model.signIn(ok)
				o := am.SignIn(x, ok, t0)
				if got := codeOf(o.Refusal); got != want {
					t.Fatalf("sign-in (ok=%v): got %q, want %q", ok, got, want)
				}
				if o.Save {
					x = o.User
				}
				check(t)
			},
			"unlock": func(t *rapid.T) {
				next, err := am.Unlock(x)
				if (err == nil) != (model.state == directory.AccountLocked) {
					t.Fatalf("unlock from %s: %v", model.state, err)
				}
				if err == nil {
					model.state, model.failures, x = model.lockedFrom, 0, next
				}
				check(t)
			},
		})
	})
}

// TestMergeMachineMatchesModel: ORG-6 on random answers: completed exactly when every merging
// organisation approved, rejected at the first rejection, and nothing after either.
func TestMergeMachineMatchesModel(t *testing.T) {
	mm := directory.NewMergeMachine()
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 4).Draw(t, "merging")
		survivor := directory.Organisation{ID: orgID(), Status: directory.OrgActive}
		var merging []directory.Organisation
		for range n {
			merging = append(merging, directory.Organisation{ID: orgID(), Status: directory.OrgActive})
		}
		m, _, err := mm.Request(directory.MergeInput{ID: directory.MergeID{UUID: uuid.Must(uuid.NewV7())}, Survivor: survivor, Merging: merging}, t0)
		if err != nil {
			t.Fatal(err)
		}
		state, approved := directory.MergePending, []directory.OrgID{}
		for range rapid.IntRange(1, 8).Draw(t, "answers") {
			who := rapid.SampledFrom(m.Merging).Draw(t, "who")
			approve := rapid.Bool().Draw(t, "approve")
			a, err := mm.Answer(m, directory.MergeParties{Orgs: append([]directory.Organisation{survivor}, merging...)}, who, approve, t0)
			wantErr := state != directory.MergePending || slices.Contains(approved, who)
			if (err != nil) != wantErr {
				t.Fatalf("answer by %v in %s (approved %v): %v", who, state, approved, err)
			}
			if err != nil {
				continue
			}
			if !approve {
				state = directory.MergeRejected
			} else if approved = append(approved, who); len(approved) == n {
				state = directory.MergeCompleted
			}
			if a.Request.State != state || a.Completed != (state == directory.MergeCompleted) {
				t.Fatalf("machine %s (completed %v), model %s", a.Request.State, a.Completed, state)
			}
			if !mm.Open(a.Request) != (state != directory.MergePending) {
				t.Fatalf("Open disagrees in %s", state)
			}
			m = a.Request
		}
	})
}

// TestClosureMachineMatchesModel: ORG-7 on random decisions against the rulebook's table.
func TestClosureMachineMatchesModel(t *testing.T) {
	cm := directory.NewClosureMachine()
	allowed := map[directory.ClosureState]map[directory.Decision]directory.ClosureState{
		directory.ClosureRequested: {directory.DecisionClose: directory.ClosureClosed, directory.DecisionDecline: directory.ClosureDeclined},
		directory.ClosureClosed:    {directory.DecisionRestore: directory.ClosureRestored},
	}
	rapid.Check(t, func(t *rapid.T) {
		o := directory.Organisation{ID: orgID(), Status: directory.OrgActive}
		c, _, err := cm.Request(directory.ClosureID{UUID: uuid.Must(uuid.NewV7())}, o, "r", userID(), nil, t0)
		if err != nil {
			t.Fatal(err)
		}
		for range rapid.IntRange(1, 6).Draw(t, "decisions") {
			d := rapid.SampledFrom([]directory.Decision{directory.DecisionClose, directory.DecisionDecline, directory.DecisionRestore}).Draw(t, "decision")
			next, ok := allowed[c.State][d]
			got, err := cm.Decide(c, o, d, userID(), t0)
			if (err == nil) != ok {
				t.Fatalf("%s from %s: %v", d, c.State, err)
			}
			if cm.Pending(c) != (c.State == directory.ClosureRequested) {
				t.Fatalf("Pending disagrees in %s", c.State)
			}
			if err != nil {
				continue
			}
			if got.Request.State != next {
				t.Fatalf("%s from %s: got %s, want %s", d, c.State, got.Request.State, next)
			}
			if wantStatus := map[directory.Decision]directory.OrgStatus{directory.DecisionClose: directory.OrgClosed, directory.DecisionRestore: directory.OrgActive}; got.OrgChanged && got.Org.Status != wantStatus[d] {
				t.Fatalf("%s left the organisation %s", d, got.Org.Status)
			}
			c, o = got.Request, got.Org
		}
	})
}

func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return err.(*directory.Error).Code
}

// The machines are configured once and shared: firing from many goroutines at once must be safe
// (run with -race).
func TestMachinesAreSafeForConcurrentUse(t *testing.T) {
	am, mm := directory.NewAccountMachine(), directory.NewMergeMachine()
	survivor, south := directory.Organisation{ID: orgID(), Status: directory.OrgActive}, directory.Organisation{ID: orgID(), Status: directory.OrgActive}
	m, _, err := mm.Request(directory.MergeInput{Survivor: survivor, Merging: []directory.Organisation{south}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan bool)
	for range 8 {
		go func() {
			x, _, _ := directory.Register(directory.NewAccount{ID: userID(), Email: "a@nhs.net", TokenExpires: t0.Add(time.Hour)}, false, nil, t0)
			x, _, err := am.Verify(x, t0)
			a, err2 := mm.Answer(m, directory.MergeParties{Orgs: []directory.Organisation{survivor, south}}, south.ID, true, t0)
			done <- err == nil && err2 == nil && x.State == directory.AccountActive && a.Completed
		}()
	}
	for range 8 {
		if !<-done {
			t.Fatal("a concurrent step failed")
		}
	}
}

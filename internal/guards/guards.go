// Package guards names the guards of a qmuntal/stateless machine and maps the unmet ones to the
// typed refusals they mean, for the lifecycles of package agreement and package dpia: stateless
// reports an unmet guard only by its function's name.
package guards

import (
	"reflect"
	"runtime"
	"strings"

	"github.com/qmuntal/stateless"

	"github.com/isgkit/gateway/isg/violation"
)

// Refusal is the error an unmet guard means: its kind (a violation sentinel), stable code, rule
// and cause.
type Refusal struct {
	Kind              error
	Code, Rule, Cause string
}

// Table maps a guard's name, as stateless reports an unmet guard, to its refusal. It is filled
// while a machine is configured and only read after.
type Table map[string]Refusal

// Add records r as what g's failing means.
func (t Table) Add(g stateless.GuardFunc, r Refusal) { t[Name(g)] = r }

// First returns the refusal of the first unmet guard that has one, as a *violation.Error, or nil
// when none has: the state then simply has no such step.
func (t Table) First(unmet []string) error {
	for _, g := range unmet {
		if r, ok := t[g]; ok {
			return violation.New(r.Kind, r.Code, r.Rule, r.Cause)
		}
	}
	return nil
}

// Name is the name stateless reports for an unmet guard: the function's last dotted part.
func Name(g stateless.GuardFunc) string {
	name := runtime.FuncForPC(reflect.ValueOf(g).Pointer()).Name()
	return name[strings.LastIndexByte(name, '.')+1:]
}

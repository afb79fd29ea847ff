package isg

import (
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/internal/validate"
)

// A flow step's check without reflection answers as the validator does, for a step naming a
// flow and for one naming none, and the step has no other validated field it would skip: a
// field added with a validate tag fails this test until valid checks it too.
func TestFlowStepValidAgreesWithTheValidator_FLOW1(t *testing.T) {
	for _, step := range []FlowStep[agreement.FlowTerms]{{}, {Flow: agreement.FlowID{UUID: uuid.New()}}} {
		err := validate.Struct(&step, "FLOW-1")
		if step.valid() != (err == nil) {
			t.Fatalf("step %v: valid() = %v, validator: %v", step.Flow, step.valid(), err)
		}
		if err := validateInput(&step, "FLOW-1"); (err == nil) != step.valid() {
			t.Fatalf("step %v: validateInput: %v", step.Flow, err)
		}
	}
	typ := reflect.TypeFor[FlowStep[agreement.FlowTerms]]()
	tags := map[string]string{}
	for i := range typ.NumField() {
		tags[typ.Field(i).Name] = typ.Field(i).Tag.Get("validate")
	}
	if want := map[string]string{"Flow": "required", "Input": "-"}; !reflect.DeepEqual(tags, want) {
		t.Fatalf("FlowStep's validate tags are %v, valid() checks %v", tags, want)
	}
}

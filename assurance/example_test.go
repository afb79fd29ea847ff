package assurance_test

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/assurance"
)

// An organisation submits its assurance; the Gateway stores the submission, shows the rating,
// and tells partners when it changes (ASR-2, ASR-3, ASR-5).
func Example() {
	org := assurance.OrgID{UUID: uuid.MustParse("0190a1b2-0000-7000-8000-000000000001")}
	user := assurance.UserID{UUID: uuid.MustParse("0190a1b2-0000-7000-8000-0000000000aa")}
	now := time.Date(2024, 2, 29, 10, 0, 0, 0, time.UTC)

	answers := assurance.Answers{
		ICONumber:        "z1234567",
		ICOExpiresAt:     time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC),
		Standard:         assurance.StandardCyberEssentials,
		StaffTrained:     true,
		StaffScreened:    false,
		PrivacyNoticeURL: "https://example.nhs.uk/privacy",
		ImprovementPlan:  "Pre-employment screening for all new starters from April.",
	}
	s, events, err := assurance.Submit(nil, answers, user, org, now)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range events {
		fmt.Printf("%s: %s -> %s, notify partners: %t\n", e.Type, e.From.Code(), e.To, e.Notifies())
	}

	r := assurance.Rate(&s, now)
	fmt.Println(r.Code(), r.Colour(), r.Missing.Codes())

	expires := assurance.ExpiresAt(&s)
	fmt.Println("expires", expires.Format(time.DateOnly))
	if ev, ok := assurance.Sweep(&s, expires.Add(-24*time.Hour), expires); ok {
		fmt.Printf("%s: %s -> %s\n", ev.Type, ev.From.Code(), ev.To.Code())
	}
	// Output:
	// assurance.submitted: not_submitted -> limited (staff_screened), notify partners: false
	// assurance.rating_changed: not_submitted -> limited (staff_screened), notify partners: true
	// limited amber [staff_screened]
	// expires 2025-03-01
	// assurance.rating_expired: limited -> expired
}

// A submission short of Significant without an improvement plan is refused (ASR-4).
func ExampleValidate() {
	s := assurance.Submission{
		Answers:     assurance.Answers{Standard: assurance.StandardNone, StaffTrained: true},
		Org:         assurance.OrgID{UUID: uuid.MustParse("0190a1b2-0000-7000-8000-000000000001")},
		SubmittedBy: assurance.UserID{UUID: uuid.MustParse("0190a1b2-0000-7000-8000-0000000000aa")},
		SubmittedAt: time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC),
	}
	err := assurance.Validate(s, s.SubmittedAt)
	fmt.Println(err)
	// Output:
	// invalid_input [ASR-4]: input is not valid: improvement_plan: is required because the submission rates none (missing ico_registered,ig_framework,staff_screened,privacy_notice) (ASR-4)
}

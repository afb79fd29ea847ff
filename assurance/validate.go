package assurance

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/isgkit/gateway/internal/validate"
	"github.com/isgkit/gateway/isg/violation"
)

// Rule IDs named by field errors.
const (
	ruleContent = "ASR-1"
	rulePlan    = "ASR-4"
)

// ValidICONumber reports whether s has the shape of an ICO data protection register number:
// eight ASCII letters and digits, the first a letter (Z1234567, ZA123456; older registrations
// use other letters). Case is ignored; Submit stores it upper-cased. The shape matches the one
// the Gateway checks at organisation registration (REG-7), so an organisation's own number is
// accepted in both places.
func ValidICONumber(s string) bool {
	if len(s) != 8 || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isLetter(s[i]) && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') }

// Validate checks a submission against ASR-1 and ASR-4 as of now. It returns nil or a *Error of
// kind ErrInvalid whose Fields name every bad field (JSON names, dotted for the toolkit:
// "dsp_toolkit.score") with the rule it breaks. Field codes are stable:
//
//   - required: a field that must be given is missing or blank; ASR-4 for improvement_plan
//     (the answers rate below Significant at now and no plan is given), ASR-1 otherwise: org_id,
//     submitted_by, submitted_at, standard; ico_expires_at with ico_number and the reverse;
//     standard_other for the other standard; dsp_toolkit (and its standards_met, year, score)
//     for the DSP Toolkit; dsp_toolkit.not_met_reason when the standards were not met.
//   - excluded: a field given that does not apply: standard_other or dsp_toolkit for another
//     standard, privacy_notice_document together with privacy_notice_url.
//   - ico_number: not the shape ValidICONumber accepts.
//   - min, max: dsp_toolkit.year outside DSPTFirstYear … now's year (UTC), dsp_toolkit.score
//     outside 0 … DSPTMaxScore, a text longer than its limit.
//   - oneof: standard is not one of Standards(); http_url: privacy_notice_url is not an http(s)
//     URL.
//
// A privacy notice is optional: giving neither a URL nor a document is valid and only misses
// that rating criterion (ASR-2), as an unregistered organisation may leave ico_number empty.
// An expired ICO registration is valid too, and rates lower.
//
// Validate looks at the submission as given; Submit trims and normalises before calling it.
func Validate(s Submission, now time.Time) error {
	var fields []FieldError
	add := func(field, code, rule, msg string) {
		fields = append(fields, FieldError{Field: field, Code: code, Rule: rule, Message: msg})
	}

	if err := validate.Struct(s.Answers, ruleContent); err != nil {
		var ve *violation.Error
		if !errors.As(err, &ve) {
			return err
		}
		fields = append(fields, ve.Fields...)
	}

	if s.Org.IsZero() {
		add("org_id", "required", ruleContent, "is required")
	}
	if s.SubmittedBy.IsZero() {
		add("submitted_by", "required", ruleContent, "is required")
	}
	if s.SubmittedAt.IsZero() {
		add("submitted_at", "required", ruleContent, "is required")
	}

	a := &s.Answers
	switch {
	case a.ICONumber != "" && !ValidICONumber(a.ICONumber):
		add("ico_number", "ico_number", ruleContent, "must be an ICO registration number (8 letters and digits starting with a letter, e.g. Z1234567)")
	case a.ICONumber == "" && !a.ICOExpiresAt.IsZero():
		add("ico_number", "required", ruleContent, "is required with ico_expires_at")
	}
	if a.ICONumber != "" && a.ICOExpiresAt.IsZero() {
		add("ico_expires_at", "required", ruleContent, "is required with ico_number")
	}

	if a.Standard == StandardOther {
		if blank(a.StandardOther) {
			add("standard_other", "required", ruleContent, "is required when the standard is other")
		}
	} else if a.StandardOther != "" {
		add("standard_other", "excluded", ruleContent, "is only given when the standard is other")
	}

	if a.Standard == StandardDSPToolkit {
		fields = checkToolkit(fields, a.DSPToolkit, now)
	} else if a.DSPToolkit != nil {
		add("dsp_toolkit", "excluded", ruleContent, "is only given when the standard is dsp_toolkit")
	}

	if a.PrivacyNoticeURL != "" && a.PrivacyNoticeDocument != "" {
		add("privacy_notice_document", "excluded", ruleContent, "must not be given together with privacy_notice_url: give one privacy notice")
	} else if a.PrivacyNoticeDocument != "" && blank(a.PrivacyNoticeDocument) {
		add("privacy_notice_document", "required", ruleContent, "must not be blank")
	}

	// ASR-4 judges the criteria at now, not the one-year expiry: a submission is never refused
	// for being old, only for lacking a plan while short of Significant.
	if blank(a.ImprovementPlan) {
		if m := a.Missing(now); m != 0 {
			add("improvement_plan", "required", rulePlan, "is required because the submission rates "+
				levelOf(m).Level.Code()+" (missing "+m.String()+")")
		}
	}

	if len(fields) == 0 {
		return nil
	}
	return violation.Invalid(fields...)
}

// checkToolkit adds the conditional ASR-1 checks of the DSP Toolkit answers. The validator has
// already checked what does not depend on other fields or on now (required standards_met and
// score, score range, lengths).
func checkToolkit(fields []FieldError, d *DSPToolkit, now time.Time) []FieldError {
	add := func(field, code, msg string) {
		fields = append(fields, FieldError{Field: field, Code: code, Rule: ruleContent, Message: msg})
	}
	if d == nil {
		add("dsp_toolkit", "required", "is required when the standard is dsp_toolkit")
		return fields
	}
	if d.StandardsMet != nil && !*d.StandardsMet && blank(d.NotMetReason) {
		add("dsp_toolkit.not_met_reason", "required", "is required when the standards were not met")
	}
	last := now.UTC().Year()
	switch {
	case d.Year == 0:
		add("dsp_toolkit.year", "required", "is required")
	case d.Year < DSPTFirstYear:
		add("dsp_toolkit.year", "min", "must be at least "+strconv.Itoa(DSPTFirstYear))
	case d.Year > last:
		add("dsp_toolkit.year", "max", "must be at most "+strconv.Itoa(last)+" (a completion year cannot be in the future)")
	}
	return fields
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

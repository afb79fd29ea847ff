package agreement

import "github.com/google/uuid"

// checkTerms validates flow terms as checkInput does. Editing terms is the hottest command, and
// the validator's reflection was a tenth of its time, so an input that plainly meets every tag
// on FlowTerms skips it; any other input — one that might break a tag — goes through the
// validator, which alone words the field errors. plainlyValid may answer false for a valid
// input (it is conservative: byte lengths stand in for rune counts), never true for an invalid
// one; TestPlainlyValidImpliesValidatorAccepts_FLOW1 holds it to that.
func checkTerms(t FlowTerms, extra []FieldError) error {
	if len(extra) == 0 && t.plainlyValid() {
		return nil
	}
	return checkInput(t, "FLOW-1", extra)
}

// plainlyValid reports whether t meets every validate tag of FlowTerms and LegalBasis. A string
// of at most n bytes has at most n runes, so a byte bound is a safe stand-in for the tags' rune
// bounds.
func (t FlowTerms) plainlyValid() bool {
	return t.Name != "" && len(t.Name) <= 200 &&
		len(t.Parties) >= 2 && len(t.Parties) <= 500 && noZeroOrg(t.Parties) &&
		t.Direction.known() &&
		len(t.From) >= 1 && noZeroOrg(t.From) &&
		len(t.To) >= 1 && noZeroOrg(t.To) &&
		t.Frequency.known() && t.TransferMode.known() &&
		len(t.TransferDetails) <= 2000 &&
		len(t.Controls) >= 1 && len(t.Controls) <= 100 && boundedText(t.Controls, 1000) &&
		len(t.LegalBases) <= 30 && plainBases(t.LegalBases) &&
		len(t.PrivacyAnswers) <= 200 && plainAnswers(t.PrivacyAnswers) &&
		len(t.Assets) <= 500 &&
		len(t.Sources) <= 50 && noZeroFlow(t.Sources)
}

func noZeroOrg(orgs []OrgID) bool {
	for _, o := range orgs {
		if o.UUID == uuid.Nil {
			return false
		}
	}
	return true
}

func noZeroFlow(flows []FlowID) bool {
	for _, f := range flows {
		if f.UUID == uuid.Nil {
			return false
		}
	}
	return true
}

// boundedText: every item present and at most n bytes long.
func boundedText(items []string, n int) bool {
	for _, s := range items {
		if s == "" || len(s) > n {
			return false
		}
	}
	return true
}

func plainBases(bases []LegalBasis) bool {
	for _, b := range bases {
		if b.Instrument == "" || len(b.Instrument) > 500 {
			return false
		}
	}
	return true
}

func plainAnswers(answers map[string]string) bool {
	for k, v := range answers {
		if k == "" || len(k) > 64 || len(v) > 4000 {
			return false
		}
	}
	return true
}

// known reports whether d is one of the tag's oneof values.
func (d Direction) known() bool { return d == OneWay || d == TwoWay }

func (f Frequency) known() bool {
	switch f {
	case OneOff, Daily, Weekly, Monthly, Quarterly, Annually, AdHoc, Continuous:
		return true
	}
	return false
}

func (m TransferMode) known() bool {
	switch m {
	case SecureEmail, SFTP, API, SharedSystem, Portal, RemovableMedia, Post, InPerson, Verbal, OtherMode:
		return true
	}
	return false
}

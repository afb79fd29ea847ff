package assurance

import (
	"encoding/json"
	"fmt"
	"math/bits"
	"strings"
	"time"
)

// Level is an assurance rating level (ASR-2, ASR-3). The zero value is LevelNotSubmitted. Store
// and exchange a level by its Code, which never changes meaning; the numeric values are not part
// of the contract.
type Level uint8

// The levels of ASR-2 and ASR-3.
const (
	// LevelNotSubmitted (grey): the organisation has no submission.
	LevelNotSubmitted Level = iota
	// LevelSignificant (green): all five criteria are met.
	LevelSignificant
	// LevelLimited (amber): exactly one criterion is missing.
	LevelLimited
	// LevelNone (red): more than one criterion is missing.
	LevelNone
	// LevelExpired (grey): the submission is a year old or older.
	LevelExpired
)

// levelInfo is indexed by Level; a Level outside it reports "unknown" rather than panicking.
var levelInfo = [...]struct {
	code   string
	colour Colour
}{
	LevelNotSubmitted: {"not_submitted", ColourGrey},
	LevelSignificant:  {"significant", ColourGreen},
	LevelLimited:      {"limited", ColourAmber},
	LevelNone:         {"none", ColourRed},
	LevelExpired:      {"expired", ColourGrey},
}

// Code returns the level's stable code: "significant", "limited", "none", "not_submitted" or
// "expired" ("unknown" for a value outside the enumeration).
func (l Level) Code() string {
	if int(l) < len(levelInfo) {
		return levelInfo[l].code
	}
	return "unknown"
}

// Colour returns the badge colour the ISG shows for the level.
func (l Level) Colour() Colour {
	if int(l) < len(levelInfo) {
		return levelInfo[l].colour
	}
	return ""
}

// String returns the level's code.
func (l Level) String() string { return l.Code() }

// MarshalText encodes the level as its code.
func (l Level) MarshalText() ([]byte, error) {
	if int(l) >= len(levelInfo) {
		return nil, fmt.Errorf("assurance: unknown level %d", uint8(l))
	}
	return []byte(l.Code()), nil
}

// UnmarshalText decodes a level from its code.
func (l *Level) UnmarshalText(b []byte) error {
	v, err := ParseLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// ParseLevel returns the level with the given code.
func ParseLevel(code string) (Level, error) {
	for i, info := range levelInfo {
		if info.code == code {
			return Level(i), nil
		}
	}
	return 0, fmt.Errorf("assurance: unknown level code %q", code)
}

// Colour is a rating's badge colour.
type Colour string

// The badge colours of ASR-2 and ASR-3.
const (
	// ColourGreen is Significant's.
	ColourGreen Colour = "green"
	// ColourAmber is Limited's.
	ColourAmber Colour = "amber"
	// ColourRed is None's.
	ColourRed Colour = "red"
	// ColourGrey is Not Submitted's and Expired's.
	ColourGrey Colour = "grey"
)

// Criteria is a set of the five rating criteria of ASR-2, as a bit mask so that rating needs no
// allocation. Ask for Codes only when the names are needed.
type Criteria uint8

// The criteria of ASR-2.
const (
	// CriterionICO: registered with the ICO, and the registration has not expired.
	CriterionICO Criteria = 1 << iota
	// CriterionFramework: an IG compliance framework is in use (any standard but none).
	CriterionFramework
	// CriterionTraining: staff are trained in IG.
	CriterionTraining
	// CriterionScreening: staff are screened on entry.
	CriterionScreening
	// CriterionPrivacyNotice: a privacy notice link or document is supplied.
	CriterionPrivacyNotice

	// AllCriteria is the set of all five.
	AllCriteria = CriterionICO | CriterionFramework | CriterionTraining | CriterionScreening | CriterionPrivacyNotice
)

// criterionCodes is in bit order, which is also the order Codes lists them in.
var criterionCodes = [...]string{
	"ico_registered", "ig_framework", "staff_trained", "staff_screened", "privacy_notice",
}

// Has reports whether every criterion of c2 is in c.
func (c Criteria) Has(c2 Criteria) bool { return c&c2 == c2 }

// Len returns how many criteria c holds.
func (c Criteria) Len() int { return bits.OnesCount8(uint8(c & AllCriteria)) }

// Codes returns the stable codes of the criteria in c, in the fixed order ico_registered,
// ig_framework, staff_trained, staff_screened, privacy_notice. It returns an empty, non-nil
// slice for the empty set so that JSON shows [].
func (c Criteria) Codes() []string {
	return c.AppendCodes(make([]string, 0, c.Len()))
}

// AppendCodes appends the codes of c to dst, for callers that reuse a buffer.
func (c Criteria) AppendCodes(dst []string) []string {
	for i, code := range criterionCodes {
		if c&(1<<i) != 0 {
			dst = append(dst, code)
		}
	}
	return dst
}

// String joins the codes with commas.
func (c Criteria) String() string { return strings.Join(c.Codes(), ",") }

// MarshalJSON encodes the set as an array of codes.
func (c Criteria) MarshalJSON() ([]byte, error) { return json.Marshal(c.Codes()) }

// UnmarshalJSON decodes an array of codes; null is the empty set.
func (c *Criteria) UnmarshalJSON(b []byte) error {
	var codes []string
	if err := json.Unmarshal(b, &codes); err != nil {
		return err
	}
	var v Criteria
	for _, code := range codes {
		one, err := ParseCriterion(code)
		if err != nil {
			return err
		}
		v |= one
	}
	*c = v
	return nil
}

// ParseCriterion returns the criterion with the given code.
func ParseCriterion(code string) (Criteria, error) {
	for i, c := range criterionCodes {
		if c == code {
			return 1 << i, nil
		}
	}
	return 0, fmt.Errorf("assurance: unknown criterion code %q", code)
}

// Rating is an organisation's assurance rating at one instant: the level and, for Significant,
// Limited and None, the criteria that are missing. Missing is empty for NotSubmitted and
// Expired, because there is no current submission to judge. Rating is a small value; compare
// ratings with ==, or with Changed for the notification rule of ASR-5.
type Rating struct {
	Level   Level    `json:"level"`
	Missing Criteria `json:"missing"`
}

// Code returns the level's code.
func (r Rating) Code() string { return r.Level.Code() }

// Colour returns the level's badge colour.
func (r Rating) Colour() Colour { return r.Level.Colour() }

// String renders the rating for logs, e.g. "limited (staff_trained)".
func (r Rating) String() string {
	if r.Missing == 0 {
		return r.Level.Code()
	}
	return r.Level.Code() + " (" + r.Missing.String() + ")"
}

// ratingJSON is Rating's wire form; colour is derived from the level and only written, so a
// host UI gets it without a lookup.
type ratingJSON struct {
	Level   Level    `json:"level"`
	Colour  Colour   `json:"colour,omitempty"`
	Missing Criteria `json:"missing"`
}

// MarshalJSON encodes {"level":…, "colour":…, "missing":[…]}.
func (r Rating) MarshalJSON() ([]byte, error) {
	return json.Marshal(ratingJSON{Level: r.Level, Colour: r.Colour(), Missing: r.Missing})
}

// UnmarshalJSON decodes the form MarshalJSON writes; the colour is ignored.
func (r *Rating) UnmarshalJSON(b []byte) error {
	var w ratingJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*r = Rating{Level: w.Level, Missing: w.Missing}
	return nil
}

// Missing returns the ASR-2 criteria the answers do not meet at now. Only the ICO criterion
// depends on now. It ignores the one-year validity of a submission (ASR-3), which Rate applies.
func (a *Answers) Missing(now time.Time) Criteria {
	var m Criteria
	// An ICO number without an unexpired expiry does not count: ASR-2 asks for an unexpired
	// registration, and a zero expiry cannot prove one.
	if a.ICONumber == "" || !now.Before(a.ICOExpiresAt) {
		m |= CriterionICO
	}
	if !a.Standard.inUse() {
		m |= CriterionFramework
	}
	if !a.StaffTrained {
		m |= CriterionTraining
	}
	if !a.StaffScreened {
		m |= CriterionScreening
	}
	if a.PrivacyNoticeURL == "" && a.PrivacyNoticeDocument == "" {
		m |= CriterionPrivacyNotice
	}
	return m
}

// ExpiresAt returns the instant from which s is Expired (ASR-3): SubmittedAt plus one calendar
// year, computed in UTC with time.AddDate, so a submission made on 29 February expires on
// 1 March of the next year. UTC makes the instant the same whatever zone the time was stored or
// read back in. ExpiresAt returns the zero time for a nil submission.
func ExpiresAt(s *Submission) time.Time {
	if s == nil {
		return time.Time{}
	}
	return s.SubmittedAt.UTC().AddDate(1, 0, 0)
}

// Rate returns the rating of s at now (ASR-2, ASR-3). A nil s means the organisation has no
// submission: NotSubmitted. From ExpiresAt(s) on the rating is Expired. Otherwise all five
// criteria met is Significant, exactly one missing Limited, more None.
//
// Rate judges whatever it is given, valid or not, and never panics; an unknown standard counts
// as no framework. It does not allocate.
func Rate(s *Submission, now time.Time) Rating {
	if s == nil {
		return Rating{Level: LevelNotSubmitted}
	}
	if !now.Before(ExpiresAt(s)) {
		return Rating{Level: LevelExpired}
	}
	return levelOf(s.Missing(now))
}

// levelOf applies the count rule of ASR-2.
func levelOf(m Criteria) Rating {
	switch m.Len() {
	case 0:
		return Rating{Level: LevelSignificant}
	case 1:
		return Rating{Level: LevelLimited, Missing: m}
	}
	return Rating{Level: LevelNone, Missing: m}
}

// Changed reports whether a move from one rating to another is a rating change that partners
// must be told of (ASR-5). Only the level counts: the badge partners see is the level, so a
// Limited organisation that fixes one gap and opens another has not changed rating.
func Changed(from, to Rating) bool { return from.Level != to.Level }

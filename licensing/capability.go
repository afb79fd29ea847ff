package licensing

import (
	"strconv"
	"strings"
	"time"

	"github.com/isgkit/gateway/isg/violation"
)

// Kind is the kind of a licence. Its text form is part of the stored format.
type Kind string

// The licence kinds.
const (
	// Group is the organisation licence a group contract hands out (LIC-1); it lifts the free
	// model's limits (LIC-3).
	Group Kind = "group"
	// DPIA lets an organisation create Activities and their DPIAs (LIC-4). It is independent of
	// Group: an organisation holding only a DPIA licence is otherwise on the free model.
	DPIA Kind = "dpia"
)

// Valid reports whether k is one of the licence kinds.
func (k Kind) Valid() bool { return k.bit() != 0 }

func (k Kind) bit() Entitlement {
	switch k {
	case Group:
		return 1 << 0
	case DPIA:
		return 1 << 1
	}
	return 0
}

// Entitlement is the set of licence kinds an organisation holds and that are valid at one moment.
// It is a small value computed once per command (EntitlementFor) and then checked many times at
// the cost of one AND. The zero value, Free, is the free model.
type Entitlement uint8

// Free is the entitlement of an organisation with no valid licence: the free model of LIC-3.
const Free Entitlement = 0

// NewEntitlement returns the entitlement holding exactly the given kinds; invalid kinds are
// ignored. It suits hosts that cache what they hold and tests.
func NewEntitlement(kinds ...Kind) Entitlement {
	var e Entitlement
	for _, k := range kinds {
		e |= k.bit()
	}
	return e
}

// Has reports whether the entitlement includes a valid licence of kind k.
func (e Entitlement) Has(k Kind) bool {
	b := k.bit()
	return b != 0 && e&b == b
}

// String lists the kinds held, "free" for none, e.g. "group+dpia".
func (e Entitlement) String() string {
	if e == Free {
		return "free"
	}
	var parts []string
	for _, k := range [...]Kind{Group, DPIA} {
		if e.Has(k) {
			parts = append(parts, string(k))
		}
	}
	return strings.Join(parts, "+")
}

// EntitlementFor computes what org holds at now from the contracts that may hold its licences
// (typically the contract of its licensing group; any others are harmless). A licence counts when
// it names org, was allocated at or before now, is not revoked at now, and its contract is active
// at now (LIC-5). So when a contract ends or runs out its organisations fall back to Free, and
// nothing is deleted: renewing or re-licensing brings the capabilities back.
func EntitlementFor(org OrgID, contracts []Contract, now time.Time) Entitlement {
	var e Entitlement
	for i := range contracts {
		c := &contracts[i]
		if !c.activeAt(now) {
			continue
		}
		for j := range c.Licences {
			if l := &c.Licences[j]; l.Org == org && l.validAt(now) {
				e |= l.Kind.bit()
			}
		}
	}
	return e
}

// Capability is something an organisation may or may not do depending on its licences. Its
// String is a stable name; the numeric value is not part of any stored format.
type Capability uint8

// The capabilities of LIC-3 and LIC-4.
const (
	// NamedInDataShares: be named as a party in data sharing summaries and flows. Free (LIC-3).
	NamedInDataShares Capability = iota + 1
	// SignOffFlows: sign off data flows. Free (LIC-3).
	SignOffFlows
	// UploadDocuments: attach documents (DOC-1, SIGN-5). Needs a Group licence (LIC-3).
	UploadDocuments
	// UseReports: view reports (EXIT-1). Needs a Group licence (LIC-3).
	UseReports
	// ExportPDF: export agreements to PDF (EXIT-2). Needs a Group licence (LIC-3).
	ExportPDF
	// CentralSupport: raise support with the central team. Needs a Group licence (LIC-3).
	CentralSupport
	// ExtraUsers: have more than FreeUserLimit organisation users. Needs a Group licence (LIC-3);
	// CheckUserCount applies it to a count.
	ExtraUsers
	// GuaranteedDataReturn: the guaranteed return of data. Needs a Group licence (LIC-3).
	GuaranteedDataReturn
	// CreateActivity: create an Activity and so a DPIA. Needs a DPIA licence (LIC-4).
	CreateActivity
	capabilityEnd
)

// FreeUserLimit is how many organisation users the free model allows (LIC-3).
const FreeUserLimit = 3

// Capabilities returns every capability in a fixed order, for a host's UI and for exhaustive tests.
func Capabilities() []Capability {
	cs := make([]Capability, 0, capabilityEnd-1)
	for c := Capability(1); c < capabilityEnd; c++ {
		cs = append(cs, c)
	}
	return cs
}

// requirement is the table of LIC-3 and LIC-4 as a switch rather than a package-level map: the
// compiler turns it into a jump table, it cannot be changed at run time, and it costs no lookup
// allocation on the hot path.
func (c Capability) requirement() (need Entitlement, rule, name, label string) {
	g, d := Group.bit(), DPIA.bit()
	switch c {
	case NamedInDataShares:
		return Free, "LIC-3", "named_in_data_shares", "be named in data shares"
	case SignOffFlows:
		return Free, "LIC-3", "sign_off_flows", "sign off data flows"
	case UploadDocuments:
		return g, "LIC-3", "upload_documents", "upload documents"
	case UseReports:
		return g, "LIC-3", "use_reports", "use reports"
	case ExportPDF:
		return g, "LIC-3", "export_pdf", "export agreements to PDF"
	case CentralSupport:
		return g, "LIC-3", "central_support", "raise support with the central team"
	case ExtraUsers:
		return g, "LIC-3", "extra_users", "have more than 3 organisation users" // 3 is FreeUserLimit; a literal keeps the hot path free of allocation
	case GuaranteedDataReturn:
		return g, "LIC-3", "guaranteed_data_return", "have guaranteed return of data"
	case CreateActivity:
		return d, "LIC-4", "create_activity", "create an activity or DPIA"
	}
	return 0, "", "", ""
}

// String returns the capability's stable name, e.g. "upload_documents".
func (c Capability) String() string {
	if _, _, name, _ := c.requirement(); name != "" {
		return name
	}
	return "capability(" + strconv.Itoa(int(c)) + ")"
}

// Rule returns the rulebook rule that grants or withholds the capability ("LIC-3" or "LIC-4"),
// or "" for an unknown capability.
func (c Capability) Rule() string {
	_, rule, _, _ := c.requirement()
	return rule
}

// Allows reports whether the entitlement grants c. An unknown capability is never allowed. It does
// not allocate.
func (e Entitlement) Allows(c Capability) bool {
	need, rule, _, _ := c.requirement()
	return rule != "" && e&need == need
}

// Check returns nil if ent grants c. Otherwise it returns an *Error of kind ErrLicence, code
// CodeCapabilityDenied, the rule (LIC-3 or LIC-4), a message naming the capability and one field
// error {Field: "capability", Code: c.String()}; an unknown capability gives ErrInvalid. The
// allowed path does not allocate; Gateway commands call it once per licensed step.
func Check(ent Entitlement, c Capability) error {
	need, rule, name, label := c.requirement()
	if rule == "" {
		return violation.Field("capability", "unknown", "", "unknown capability "+c.String())
	}
	if ent&need == need {
		return nil
	}
	return &Error{Kind: ErrLicence, Code: CodeCapabilityDenied, Rule: rule,
		Message: "the organisation's licence (" + ent.String() + ") does not allow it to " + label,
		Fields:  []FieldError{{Field: "capability", Code: name, Rule: rule, Message: "needs a " + need.String() + " licence"}}}
}

// CheckUserCount reports whether an organisation that has currentUsers users may add one more:
// the free model stops at FreeUserLimit (LIC-3), a Group licence lifts the limit. It returns nil,
// an *Error of kind ErrLicence with code CodeUserLimit and rule LIC-3, or ErrInvalid for a
// negative count.
func CheckUserCount(ent Entitlement, currentUsers int) error {
	if currentUsers < 0 {
		return violation.Field("current_users", "gte", "", "must be >= 0")
	}
	if currentUsers < FreeUserLimit || ent.Allows(ExtraUsers) {
		return nil
	}
	return &Error{Kind: ErrLicence, Code: CodeUserLimit, Rule: "LIC-3",
		Message: "a free-licence organisation may have at most " + strconv.Itoa(FreeUserLimit) +
			" users; user " + strconv.Itoa(currentUsers+1) + " needs a group licence"}
}

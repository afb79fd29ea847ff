package agreement

import (
	"time"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/isg/txlog"
)

// The transaction log of summaries and flows is the module's one log, package txlog, shared with
// the DPIAs: the names below are aliases and thin wrappers, so a summary's or flow's log is
// written, hashed and verified exactly as any other logged record's.

// Change is one changed field of a summary or flow (LOG-1): its JSON name and its old and new
// values as JSON text. A field absent on one side (an unset optional field) reads "null".
type Change = txlog.Change

// Logged are the aggregates of this package whose changes the transaction log records.
type Logged interface{ Summary | Flow }

// Diff lists the fields that differ between old and new, one Change each, sorted by field name
// (LOG-1). Values are compared and reported as the JSON the aggregate is stored as (encoding/json,
// HTML escaping off); nested values — a flow's reviews, a summary's contacts — are one field.
// Bookkeeping that changes with every command is left out: updated_at, updated_by, rev and log.
// State changes and review decisions are fields like any other.
//
// The only error is a value encoding/json cannot encode (a time outside years 0–9999).
func Diff[T Logged](old, new T) ([]Change, error) { return txlog.Diff(old, new) }

// Snapshot is a summary's or flow's fields in the form Diff compares them (txlog.Snapshot).
type Snapshot = txlog.Snapshot

// TakeSnapshot encodes v's fields as Diff compares them. The only error is a value encoding/json
// cannot encode.
func TakeSnapshot[T Logged](v T) (Snapshot, error) { return txlog.TakeSnapshot(v) }

// DiffSnapshots is Diff of the values the snapshots were taken of.
func DiffSnapshots(old, new Snapshot) []Change { return txlog.DiffSnapshots(old, new) }

// LogEntry is one entry of a summary's or flow's transaction log (LOG-1, LOG-2; txlog.Entry).
type LogEntry = txlog.Entry

// LogHead is what a summary or flow keeps of its log: how many entries it has and the last
// entry's Hash (txlog.Head).
type LogHead = txlog.Head

// Append chains one entry per change onto a log whose head is head, and returns the entries and
// the new head (txlog.Append).
func Append(head LogHead, subject uuid.UUID, changes []Change, user UserID, org OrgID, at time.Time) ([]LogEntry, LogHead) {
	return txlog.Append(head, subject, changes, user, org, at)
}

// EntryHash computes an entry's Hash from its other fields; txlog.EntryHash documents the
// canonical form.
func EntryHash(e LogEntry) string { return txlog.EntryHash(e) }

// CodeLogBroken (ErrRule; LOG-2) is the code of the error Verify returns.
const CodeLogBroken = txlog.CodeLogBroken

// VerifyError reports the first entry at which a log fails verification (txlog.VerifyError).
type VerifyError = txlog.VerifyError

// Verify checks a whole log, oldest entry first, against the head its summary or flow keeps
// (LOG-2); see txlog.Verify.
func Verify(head LogHead, entries []LogEntry) error { return txlog.Verify(head, entries) }

// VerifyRecord holds a summary's or flow's current value against its log (LOG-3): every field
// the log names has now the value of the last entry naming it, and a flow whose log never names
// its state is still a Draft (a copy starts with only a copied_from entry, SUM-4, FLOW-10).
func VerifyRecord[T Logged](v T, entries []LogEntry) error {
	return txlog.VerifyRecord(v, entries, string(Draft))
}

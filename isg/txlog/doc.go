// Package txlog is the module's one hash-chained transaction log (LOG-1…LOG-3), shared by every
// logged aggregate: data sharing summaries and flows (package agreement), activities and DPIAs
// (package dpia).
//
// Diff (or TakeSnapshot and DiffSnapshots) lists what a command changed, field by field, as the
// aggregate's canonical JSON; Append chains those changes into Entry values by SHA-256 and moves
// the Head the aggregate keeps; Verify checks a whole log against that head and names the first
// bad entry (LOG-2); VerifyRecord holds the record's current value against its log (LOG-3).
// EntryHash documents the canonical form, for any platform to reproduce.
//
// It is a leaf: it imports only the shared ID and error vocabulary (isg/ident, isg/violation),
// so every pure package can log without importing another. It does no I/O, reads no clock and
// holds no globals: the caller passes the time and stores the entries.
package txlog

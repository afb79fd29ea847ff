package isg

import (
	"context"

	"github.com/isgkit/gateway/isg/violation"
)

// Kind names a type of stored record ("organisation", "user", "flow", …). Kinds are part of the
// stored format: they never change meaning once published.
type Kind string

// IndexKey is one secondary-index entry of a record. Find returns the records holding a key.
type IndexKey struct {
	// Name is the index, e.g. "member" or "email".
	Name string
	// Value is the key within the index, e.g. an organisation ID.
	Value string
	// Unique keys may be held by one record of the kind at a time; a Put that would give a second
	// record the same unique key fails with ErrConflict.
	Unique bool
}

// Record is the unit a Store keeps: one aggregate, encoded by the Gateway, with its version and
// its index keys. A Store never looks inside Body.
type Record struct {
	Kind Kind
	// ID is the record's ID, unique within its kind. Find returns records in ascending ID order;
	// the Gateway uses time-ordered IDs (UUIDv7) so that order is creation order.
	ID string
	// Version is the stored version. On Put it is the version the caller read (0 for a record that
	// must not exist yet); the store keeps Version+1.
	Version int64
	// Body is the encoded aggregate (JSON).
	Body []byte
	// Keys replaces the record's index keys on every Put.
	Keys []IndexKey
}

// Page bounds a Find: records with ID greater than After, at most Limit of them (0 means no limit).
type Page struct {
	After string
	Limit int
}

// Store is the persistence a host provides: units of work over versioned records. The Gateway
// defines all typed access on top of this one small interface, so an adapter implements Get, Put,
// Find and Count once and every aggregate — present and future — works with it.
//
// storage/memory is the embedded default; storage/sqlite and storage/postgres are the SQL adapters;
// storage/storagetest is the conformance suite any adapter must pass.
type Store interface {
	// Update runs fn in a read-write unit of work. If fn returns nil the unit commits: every Put
	// becomes visible at once, or — when a record read or written changed since (optimistic
	// concurrency) — none does and Update returns an error matching ErrConflict. If fn returns an
	// error or panics, nothing is written; the error is returned (the panic propagates).
	// fn may be called only once; the Gateway retries conflicts itself.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only unit of work; Put inside it fails.
	View(ctx context.Context, fn func(Tx) error) error
}

// Tx is one unit of work. It is not safe for concurrent use; it sees its own writes.
type Tx interface {
	// Get returns the record, or an error matching ErrNotFound.
	Get(ctx context.Context, kind Kind, id string) (Record, error)
	// Put creates or replaces a record. rec.Version must equal the stored version (0: the record
	// must not exist), else the error matches ErrConflict; so does a unique key held by another
	// record of the kind. It returns the new version.
	Put(ctx context.Context, rec Record) (int64, error)
	// Find returns the records of kind holding the index key (Unique is ignored), in ascending ID
	// order, within the page.
	Find(ctx context.Context, kind Kind, key IndexKey, page Page) ([]Record, error)
	// Count returns how many records of kind hold the index key.
	Count(ctx context.Context, kind Kind, key IndexKey) (int, error)
}

// Sentinel errors shared by every package of the module; see the violation kinds.
var (
	ErrInvalid           = violation.ErrInvalid
	ErrNotFound          = violation.ErrNotFound
	ErrForbidden         = violation.ErrForbidden
	ErrConflict          = violation.ErrConflict
	ErrInvalidTransition = violation.ErrInvalidTransition
	ErrLicence           = violation.ErrLicence
	ErrRule              = violation.ErrRule
)

// Error is the module's rich error: a stable Code, the Rule ID where one applies, and field errors.
// Match it with errors.As; match its kind with errors.Is against the sentinels above.
type Error = violation.Error

// FieldError names one bad input field, the reason and the rule.
type FieldError = violation.FieldError

// ErrorCode maps any error to its stable code ("forbidden", "flow.open_rejection", …; "internal"
// for errors the module did not make). A host maps codes to HTTP statuses in one place.
func ErrorCode(err error) string { return violation.Code(err) }

// Deleter is an optional capability of a Tx, in the style of hashicorp/raft's extension
// interfaces: removing a record for good. The Gateway checks for it at run time
// (tx.(isg.Deleter)) and uses it only for data a host has asked it to forget, such as outbox
// messages older than WithOutboxRetention; on a store without it those records are kept.
type Deleter interface {
	// Delete removes the record of kind with id, which the caller read at version. Like a Put it
	// is staged and takes effect when the unit commits; the record then leaves every index key it
	// held, which is a membership change to units that listed those keys. Within the unit the
	// record reads as absent (Get: ErrNotFound; Find and Count leave it out). It returns an error
	// matching ErrNotFound when no such record exists, ErrConflict when the stored version is not
	// version (now or at commit), and ErrInvalid when the unit wrote the record itself or is a
	// View. A deleted record's ID must not be used again: a unit that read it before would not see
	// that it changed.
	Delete(ctx context.Context, kind Kind, id string, version int64) error
}

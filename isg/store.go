package isg

import (
	"context"

	"github.com/isgkit/gateway/isg/violation"
)

// Kind names a type of stored record ("organisation", "user", "flow", …). Kinds are part of the
// stored format: they never change meaning once published.
type Kind string

// IndexKey is one secondary-index entry of a record. Find returns the records holding a key, and
// Count counts them; both ignore Unique. A record enters a key when a Put (or its creation) gives
// it the key and leaves it when a Put drops the key or a Delete removes the record: those are the
// changes of a key's membership that a unit of work which listed the key conflicts with.
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
// its index keys. A Store does not interpret Body, but it may keep it as JSON (a jsonb or JSON
// text column a host queries with SQL, see docs/sql.md), so Body must be one JSON value.
//
// Memory is never shared across the interface: Put copies what it keeps of the record it is
// given, so the caller may reuse Body and Keys once Put returns; a record Get or Find returns is
// the caller's, and the store neither keeps nor reuses its Body or Keys, so the caller may change
// them.
type Record struct {
	Kind Kind
	// ID is the record's ID, unique within its kind. Find returns records in ascending ID order;
	// the Gateway uses time-ordered IDs (UUIDv7) so that order is creation order.
	ID string
	// Version is the stored version. On Put it is the version the caller read (0 for a record that
	// must not exist yet); the store keeps Version+1.
	Version int64
	// Body is the encoded aggregate: one JSON value (RFC 8259). Put refuses anything else with
	// an error matching ErrInvalid (PutEncoded, see EncodedPutter, may take the caller's word
	// for it). A store returns the same JSON value it was given, but not necessarily the same
	// bytes: it may re-encode it (PostgreSQL's jsonb drops whitespace, orders object keys its
	// own way, keeps the last of duplicate keys and spells numbers as it stores them). Nothing
	// may depend on a body's bytes, only on its decoded value: the Gateway decodes every body it
	// reads, and hashes and signs canonical encodings it makes itself, never stored bytes. A
	// store may also refuse, with ErrInvalid, a JSON value it cannot hold (storage/postgres: a
	// string with a \u0000 escape); the adapter documents it.
	Body []byte
	// Keys replaces the record's index keys on every Put. A store need not keep their order; a
	// record listing a key twice holds it once (Find returns it once, Count counts it once).
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
//
// # What a Store promises
//
// A unit of work run by Update is serializable as a whole: it commits only if nothing it read has
// changed by the time it commits, so it takes effect as if it had run alone at that moment. What
// it read is
//
//   - its read set: every record it got with Get, or that Find returned, at the version it saw
//     (a record it found absent must still be absent), and every record it wrote, at the version
//     it wrote it over; and
//   - its listings: every index key it listed with Find or counted with Count. A record entering
//     or leaving such a key since the listing — created or deleted in it, or re-keyed into or out
//     of it — is a conflict, as a changed record is.
//
// So a rule over a listing ("at most three users", "no open closure request") holds under
// concurrency without a lock record. A store may report a conflict where there is none, when that
// is cheaper (a change of a listed key outside the page a Find read, say), but never miss one.
// What a unit did not read is no conflict: a Put is not a listing, so units that add records to
// one key without listing it (every command adds to the outbox) commit side by side, and a
// rewrite that keeps a record's keys changes no key's membership, so it conflicts with units that
// got the record but not with units that only counted its keys.
//
// Optimistic concurrency is expected: a store should hold no lock while fn runs, so that units
// on different records never wait for each other, and check at commit.
//
// # Errors, and what the Gateway does with them
//
// Update's error matches ErrConflict when the unit did not commit because of another unit: its
// read set or a listing changed, a version it wrote over was not the stored one, or a unique key
// it claimed is held by another record. The Gateway runs the whole command again on fresh state
// then, a bounded number of times; ErrConflict is the only error it retries, and only when the
// store raised it (a conflict the Gateway raised itself, such as a duplicate e-mail address,
// carries an *Error). Any other error from Update — fn's own, a canceled context, or a failure of
// the store such as a lost connection — means that nothing was committed; the Gateway returns it
// to its caller unchanged. A store must therefore never report an error for a unit it committed,
// nor commit part of one.
type Store interface {
	// Update runs fn once, in a read-write unit of work, and commits the unit if fn returns nil:
	// every Put and Delete becomes visible to other units at once, or none does. The commit fails
	// with an error matching ErrConflict, writing nothing, if the unit's read set or listings
	// changed since it read them (see Store); a unit that wrote nothing is checked the same way.
	// If fn returns an error, nothing is written and Update returns that error; if fn panics,
	// nothing is written and the panic propagates; if ctx is done before the commit, nothing is
	// written and the error matches ctx.Err(). Update never calls fn again: the Gateway retries.
	// The Tx must not be used after fn returns.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only unit of work. Put and Delete inside it fail with an error
	// matching ErrInvalid, and nothing is checked or written when it ends; View returns fn's
	// error. Whether a View sees one snapshot however long it runs is the adapter's to say
	// (storage/sqlite and storage/postgres: yes; storage/memory: each read sees the latest
	// commit). The Tx must not be used after fn returns.
	View(ctx context.Context, fn func(Tx) error) error
}

// Tx is one unit of work. It is not safe for concurrent use. It sees its own writes: Get, Find
// and Count answer as if the unit's staged Puts and Deletes were committed, and other units see
// none of them until the unit commits.
type Tx interface {
	// Get returns the record of kind with id. It returns an error matching ErrNotFound when
	// there is none, including a record the unit deleted. Found or not, the record joins the
	// unit's read set: the commit fails with ErrConflict if it has changed, appeared or gone
	// since. The returned record is the caller's (see Record).
	Get(ctx context.Context, kind Kind, id string) (Record, error)
	// Put stages rec, replacing the record's body and keys, and returns the version it will
	// have: rec.Version+1. rec.Version must be the version the unit knows of the record — its
	// own earlier Put's, else its read's, else the stored one; 0 for a record that must not exist
	// yet — or the error matches ErrConflict, now or at commit; so does a unique key another
	// record of the kind holds, now or at commit. The error matches ErrInvalid for an empty kind
	// or ID, a body that is not one JSON value, a record the unit deleted, a Put in a View, or a
	// string the store cannot hold (the adapter documents which); the unit goes on, and its
	// other writes commit if fn returns nil. The record joins the read set at the version it replaces. The
	// store copies rec (see Record).
	Put(ctx context.Context, rec Record) (int64, error)
	// Find returns the records of kind holding key (Unique is ignored) whose ID is greater than
	// page.After, in ascending byte order of ID, at most page.Limit of them (0: no limit). A
	// negative limit is ErrInvalid. The records returned join the unit's read set, as with Get,
	// and the key joins its listings: the commit fails with ErrConflict if a record has entered
	// or left the key since (within the page, or anywhere in the key: the adapter chooses). The
	// returned records are the caller's (see Record).
	Find(ctx context.Context, kind Kind, key IndexKey, page Page) ([]Record, error)
	// Count returns how many records of kind hold key (Unique is ignored). The key joins the
	// unit's listings, as with Find; the records counted do not join its read set.
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
	// version (now or at commit), and ErrInvalid when the unit already wrote the record itself
	// (Put or Delete; nor may it Put the record after deleting it) or is a View. A deleted
	// record's ID must not be used again: a unit that read the record before would not see that
	// it changed, once a new record of that ID reached the version it read.
	Delete(ctx context.Context, kind Kind, id string, version int64) error
}

// VersionFinder is an optional capability of a Tx: Find answering each record's ID and version
// without its body. The Gateway checks for it at run time and uses it where it has decoded the
// records before (the reports of EXIT-1 read a thousand flows a run): a version it holds decoded
// needs no body, and copying the bodies was most of the cost. A store without it is served by Find.
type VersionFinder interface {
	// FindVersions is Find with bodies and keys left out: the same records, in the same order,
	// at the same versions, joining the unit's read set and listings exactly as Find's do.
	FindVersions(ctx context.Context, kind Kind, key IndexKey, page Page) ([]RecordVersion, error)
}

// EncodedPutter is an optional capability of a Tx: Put of a body its caller vouches is one JSON
// value, which the store may then take without checking that it is. The Gateway checks for it
// at run time and uses it for every record it encodes itself, whose bodies are JSON by
// construction (its encoders are tested against encoding/json); bytes a host hands it, such as
// the records of ImportDataReturn, go through Put. Checking a body is a scan of all of it: on
// memory, about 8% of a flow edit's cost. A store without it is served by Put.
type EncodedPutter interface {
	// PutEncoded is Put for a body that is one JSON value: it copies, versions, conflicts and
	// refuses exactly as Put does — in a View, for an empty kind or ID, for a record the unit
	// deleted, and for a string the store cannot hold — except that it need not check that the
	// body is JSON. A body that is not is the caller's fault; the store may refuse it, now or at
	// commit, or keep it as it is.
	PutEncoded(ctx context.Context, rec Record) (int64, error)
}

// RecordVersion names one version of a record of a known kind: what VersionFinder lists.
type RecordVersion struct {
	ID      string
	Version int64
}

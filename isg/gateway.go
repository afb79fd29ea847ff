package isg

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/agreement"
	"github.com/isgkit/gateway/dpia"
	"github.com/isgkit/gateway/internal/fewmap"
	"github.com/isgkit/gateway/internal/jsonenc"
	"github.com/isgkit/gateway/internal/uuidtext"
	"github.com/isgkit/gateway/isg/ident"
	"github.com/isgkit/gateway/isg/support"
	"github.com/isgkit/gateway/licensing"
)

// OrgID identifies an organisation.
type OrgID = ident.OrgID

// UserID identifies a user account.
type UserID = ident.UserID

// Actor is who a command is for: a signed-in user acting for one organisation (ROLE-7). The host
// authenticates the user; the Gateway checks the user's roles at the organisation.
type Actor struct {
	User UserID `json:"user"`
	Org  OrgID  `json:"org"`
}

// Clock tells the Gateway the time. The host's clock in production, a fixed one in tests.
type Clock interface{ Now() time.Time }

// IDSource makes new record IDs. The default makes UUIDv7s, which sort by creation time.
type IDSource interface{ NewID() uuid.UUID }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

type uuidV7 struct{}

func (uuidV7) NewID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// Gateway is the host's one entry point: every command and query of the governance model. It is
// safe for concurrent use. Create it with New.
type Gateway struct {
	store       Store
	clock       Clock
	ids         IDSource
	random      io.Reader
	log         *slog.Logger
	sandbox     bool
	perms       Permissions
	tokenTTL    time.Duration
	retries     int
	machines    *machines
	auth        *authCache
	versions    VersionReader // the store's, or nil
	changes     ChangeCounter // the store's when it also has versions, or nil
	flows       *decodedCache[agreement.Flow]
	summaries   *decodedCache[agreement.Summary]
	assurance   *decodedCache[assuranceRecord]
	support     *decodedCache[support.Request]
	flowMachine *agreement.FlowMachine
	blobs       BlobStore
	licensing   *licensing.Rules
	commands    map[string]declared
	pwParams    PasswordParams
	// outboxRetention is how long finished outbox messages are kept; 0 keeps them.
	outboxRetention time.Duration
	// signers and keyRing are the host's signing keys (SIGN-4, isg/signing.go); nil: the
	// platform key in the store.
	signers Signers
	keyRing KeyRing
	// reviewNoticeMonths is the lead time of a summary's advance review notice (LIFE-1,
	// WithReviewNotice).
	reviewNoticeMonths int
	// The DPIA module: its lifecycle machine, configured once, and its decoded records.
	dpiaMachine *dpia.Machine
	dpias       *decodedCache[dpia.DPIA]
	activities  *decodedCache[dpia.Activity]
	// units holds finished read-write units of work (*unit) for the next command: a unit's
	// record, its encoding buffer (a flow command encodes a few kilobytes, and a buffer grown
	// once serves the next unit instead of growing again) and the function its attempts run.
	units sync.Pool
	// texts writes IDs as text for every unit, remembering those named recently.
	texts *uuidtext.Cache
}

// Option configures a Gateway.
type Option func(*Gateway) error

// WithClock sets the clock (default: the system clock).
func WithClock(c Clock) Option {
	return func(g *Gateway) error { g.clock = c; return nil }
}

// WithIDs sets the ID source (default: UUIDv7).
func WithIDs(s IDSource) Option {
	return func(g *Gateway) error { g.ids = s; return nil }
}

// WithRandom sets the source of secret tokens and of the platform signing key (default:
// crypto/rand). Only tests should change it.
func WithRandom(r io.Reader) Option {
	return func(g *Gateway) error { g.random = r; return nil }
}

// WithLogger sets the structured logger (default: discard). At Debug level the Gateway writes one
// record per command, message "isg: command", with the attributes command (its name, e.g.
// "flow.edit"), user and org (the actor), outcome ("ok" or the error's stable code, see
// ErrorCode) and duration; and one record per retry after a store conflict. It never logs inputs,
// results or secrets.
func WithLogger(l *slog.Logger) Option {
	return func(g *Gateway) error { g.log = l; return nil }
}

// WithSandbox marks a sandbox deployment: notifications are still recorded in the outbox, but
// DrainOutbox delivers none of them (NOTE-3).
func WithSandbox(on bool) Option {
	return func(g *Gateway) error { g.sandbox = on; return nil }
}

// WithPermissions replaces the permission table. Build it from DefaultPermissions with Tighten,
// which refuses to loosen it.
func WithPermissions(p Permissions) Option {
	return func(g *Gateway) error {
		def := DefaultPermissions()
		for _, a := range Actions() {
			if p.Who(a)&^def.Who(a) != 0 {
				return fmt.Errorf("isg: permission table loosens %s (ROLE-8)", a)
			}
		}
		g.perms = p
		return nil
	}
}

// WithOutboxRetention makes Sweep remove outbox messages delivered (or suppressed, NOTE-3) more
// than d ago, on a store whose units of work can delete records (isg.Deleter; memory, sqlite and
// postgres can). The default, 0, keeps every message. Pending messages are never removed.
func WithOutboxRetention(d time.Duration) Option {
	return func(g *Gateway) error {
		if d < 0 {
			return errors.New("isg: outbox retention must not be negative")
		}
		g.outboxRetention = d
		return nil
	}
}

// WithTokenTTL sets how long an e-mail verification token stays valid (default 48 hours, REG-3).
func WithTokenTTL(d time.Duration) Option {
	return func(g *Gateway) error {
		if d <= 0 {
			return errors.New("isg: token TTL must be positive")
		}
		g.tokenTTL = d
		return nil
	}
}

// New returns a Gateway over the store. Every state machine is configured here, once, before the
// Gateway can be shared.
func New(store Store, opts ...Option) (*Gateway, error) {
	if store == nil {
		return nil, errors.New("isg: New needs a Store")
	}
	g := &Gateway{
		store: store, clock: systemClock{}, ids: uuidV7{}, random: rand.Reader,
		log: slog.New(slog.DiscardHandler), perms: DefaultPermissions(), tokenTTL: 48 * time.Hour,
		retries: 4, pwParams: DefaultPasswordParams, blobs: NewMemoryBlobs(),
		reviewNoticeMonths: agreement.DefaultReviewNoticeMonths,
	}
	for _, o := range opts {
		if err := o(g); err != nil {
			return nil, err
		}
	}
	if err := g.checkSigning(); err != nil {
		return nil, err
	}
	g.machines = newMachines()
	g.auth = newAuthCache()
	g.texts = new(uuidtext.Cache)
	g.versions, _ = store.(VersionReader)
	if g.versions != nil {
		g.changes, _ = store.(ChangeCounter)
	}
	g.flows = newDecodedCache(agreement.Flow.Clone)
	g.summaries = newDecodedCache(agreement.Summary.Clone)
	g.assurance = newDecodedCache(assuranceRecord.clone)
	g.support = newDecodedCache(support.Request.Clone)
	g.flowMachine = agreement.NewFlowMachine()
	g.licensing = licensing.NewRules()
	g.dpiaMachine = dpia.NewMachine()
	g.dpias = newDecodedCache(dpia.DPIA.Clone)
	g.activities = newDecodedCache(dpia.Activity.Clone)
	g.commands = commandIndex()
	return g, nil
}

// Permissions returns the permission table in force.
func (g *Gateway) Permissions() Permissions { return g.perms }

// uow is one command's unit of work: the store transaction plus the command's time and actor.
type uow struct {
	g   *Gateway
	ctx context.Context
	tx  Tx
	// encoded is tx as an EncodedPutter, nil if the store offers none: asked once a unit.
	encoded EncodedPutter
	now     time.Time
	// readOnly marks a query unit of work: nothing may be recorded in it.
	readOnly bool
	// supportReads are Central Admin's support reads, logged after the query (ROLE-7).
	supportReads []supportRead
	// committed run once the unit has committed: caching what it wrote, which must never be
	// remembered from an attempt that did not commit.
	committed []committer
	// written names the records the unit has written (Put or Delete). A version it reads of one
	// of them may be its own staged one, which another unit's commit could reach too with other
	// content, so the decoded-record caches neither serve nor learn those; any other record reads
	// at a committed version, cached or not, even after the unit has written.
	written fewmap.Map[recordName, struct{}] // a command writes a few: a flow and its log entries
	// contract is the licensing contract a command acts on, set by the command's at function:
	// the gate then counts that contract's own Super Administrators at its contracting
	// organisation, and no others (LIC-2, ROLE-8; see isSuperAdminOf).
	contract *licensing.Contract
	// group is the licensing group of the support request a command acts on, set by its at
	// function, at groupAt, the request's organisation: the gate counts that group's Super
	// Administrators there (SUP-1), whatever group the organisation has chosen since.
	group   *licensing.Contract
	groupAt OrgID
	// scratch is marshal's buffer, reused across the unit's saves.
	scratch []byte
	// texts writes the IDs the unit names as record IDs and keys: the Gateway's, since a
	// command names its flow, summary, organisations and actor several times over (load, keys,
	// view), and every uuid.String is an allocation. Nil writes without remembering.
	texts *uuidtext.Cache
	// Room for what a command's unit holds a few of, in the unit's own allocation: its
	// after-commit steps, a log entry's index key and a flow's keys (a store copies the keys
	// it keeps, so they are the unit's to reuse once put).
	committedRoom [2]committer
	entryKeys     [1]IndexKey
	keyRoom       [8]IndexKey
	// and the changes a save logs and their entries, which are encoded, put and let go of
	changeRoom [2]agreement.Change
	entryRoom  [2]agreement.LogEntry
}

// reset makes u a new unit of work on tx, as a fresh uow would be: an attempt after a conflict
// keeps nothing of the one before.
func (u *uow) reset(g *Gateway, ctx context.Context, tx Tx, now time.Time, scratch []byte) {
	*u = uow{g: g, ctx: ctx, tx: tx, now: now, scratch: scratch, texts: g.texts}
	u.encoded, _ = tx.(EncodedPutter)
}

// afterCommit runs f once the unit has committed.
func (u *uow) afterCommit(f func()) { u.afterCommitOf(commitFunc(f)) }

// afterCommitOf runs c.committed once the unit has committed. A value that knows what to do
// itself (a decoded cache entry) is kept without the closure afterCommit would need.
func (u *uow) afterCommitOf(c committer) {
	if u.committed == nil {
		u.committed = u.committedRoom[:0]
	}
	u.committed = append(u.committed, c)
}

// committer is what a unit does once it has committed.
type committer interface{ committed() }

// commitFunc is a func as a committer; a func is one word, so an interface holds it as is.
type commitFunc func()

func (f commitFunc) committed() { f() }

// update runs fn in a read-write unit of work and retries it when a concurrent command changed a
// record it touched: every attempt re-reads, so a retry is the command run again on fresh state.
func (g *Gateway) update(ctx context.Context, fn func(u *uow) error) error {
	w := g.takeUnit()
	defer g.returnUnit(w)
	w.ctx, w.fn = ctx, fn
	var err error
	for attempt := 0; attempt <= g.retries; attempt++ {
		err = g.store.Update(ctx, w.attempt)
		if err == nil {
			for _, c := range w.u.committed {
				c.committed()
			}
			return nil
		}
		if !errors.Is(err, ErrConflict) || isRuleConflict(err) {
			return err
		}
		g.log.DebugContext(ctx, "isg: retrying after conflict", "attempt", attempt+1, "err", err)
	}
	return err
}

// unit is what update reuses from one command to the next: the unit of work and the function
// every attempt runs, bound once, since a closure or a uow made per command would be allocated
// per command. One unit serves all of a command's attempts: each starts it afresh (reset), so
// nothing of an attempt that did not commit is carried into the next, but its grown encoding
// buffer.
type unit struct {
	g       *Gateway
	u       uow
	ctx     context.Context
	fn      func(*uow) error
	attempt func(Tx) error // run, bound once
}

func (w *unit) run(tx Tx) error {
	w.u.reset(w.g, w.ctx, tx, w.g.clock.Now().UTC(), w.u.scratch[:0])
	return w.fn(&w.u)
}

// scratchCap is the largest encoding buffer kept for the next unit: one that grew past it (a
// unit that wrote a large document, say) is left to the collector rather than pinned.
const scratchCap = 64 << 10

// takeUnit returns a unit of work for a command, one a finished command gave back if there is
// one.
func (g *Gateway) takeUnit() *unit {
	if w, ok := g.units.Get().(*unit); ok {
		return w
	}
	w := &unit{g: g}
	w.attempt = w.run
	w.u.scratch = make([]byte, 0, 4<<10) // a flow command's encodings: its log entries and the flow
	return w
}

// returnUnit gives a finished command's unit back, keeping nothing of the command but its
// encoding buffer. A Store copies what it keeps of a record (see Record), and no command's
// result refers into its unit, so nothing reads the unit once update has returned.
func (g *Gateway) returnUnit(w *unit) {
	scratch := w.u.scratch[:0]
	if cap(scratch) > scratchCap {
		scratch = nil // marshal makes a new one
	}
	w.u, w.ctx, w.fn = uow{scratch: scratch}, nil, nil
	g.units.Put(w)
}

// isRuleConflict tells a conflict the Gateway raised on purpose (a duplicate, say) from a store's
// optimistic-concurrency conflict, which is worth retrying.
func isRuleConflict(err error) bool {
	var e *Error
	return errors.As(err, &e)
}

// view runs fn in a read-only unit of work. Central Admin's support reads found by the permission
// check are logged afterwards in a unit of their own (ROLE-7): a query cannot write.
func (g *Gateway) view(ctx context.Context, fn func(u *uow) error) error {
	now := g.clock.Now().UTC()
	var reads []supportRead
	err := g.store.View(ctx, func(tx Tx) error {
		u := &uow{g: g, ctx: ctx, tx: tx, now: now, readOnly: true, texts: g.texts}
		err := fn(u)
		reads = u.supportReads
		return err
	})
	if err != nil || len(reads) == 0 {
		return err
	}
	return g.update(ctx, func(u *uow) error {
		for _, r := range reads {
			if err := u.logSupportAccess(r.org, r.user, r.action); err != nil {
				return err
			}
		}
		return nil
	})
}

func (u *uow) newID() uuid.UUID { return u.g.ids.NewID() }

// load reads and decodes one record into v and returns its version.
func (u *uow) load(kind Kind, id string, v any) (int64, error) {
	rec, err := u.tx.Get(u.ctx, kind, id)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return 0, notFound(kind, id)
		}
		return 0, err
	}
	if err := json.Unmarshal(rec.Body, v); err != nil {
		return 0, fmt.Errorf("isg: decoding %s %s: %w", kind, id, err)
	}
	return rec.Version, nil
}

// save encodes v and writes it at the version it was read at (0 to create).
func (u *uow) save(kind Kind, id string, version int64, v any, keys ...IndexKey) (int64, error) {
	body, err := u.marshal(v)
	if err != nil {
		return 0, fmt.Errorf("isg: encoding %s %s: %w", kind, id, err)
	}
	return u.put(kind, id, version, body, keys...)
}

// marshal is json.Marshal(v), by v's generated encoder when its type has one. The encoding is
// written into the unit's scratch buffer, which the next marshal overwrites: save hands it
// straight to Put, and a Store copies what it keeps of a record (see Record), so a unit's saves
// (a log entry per change) share one buffer.
func (u *uow) marshal(v any) ([]byte, error) {
	if u.scratch == nil {
		u.scratch = make([]byte, 0, 512) // a log entry of short values; append grows it for others
	}
	b, err := jsonenc.Append(u.scratch[:0], v, true)
	if err != nil {
		return nil, err
	}
	u.scratch = b
	return b, nil
}

// put writes a record the Gateway encoded at the version it was read at (0 to create): with
// PutEncoded where the store offers it, as the body is JSON by construction.
func (u *uow) put(kind Kind, id string, version int64, body []byte, keys ...IndexKey) (int64, error) {
	u.markWritten(kind, id)
	rec := Record{Kind: kind, ID: id, Version: version, Body: body, Keys: keys}
	if u.encoded != nil {
		return u.encoded.PutEncoded(u.ctx, rec)
	}
	return u.tx.Put(u.ctx, rec)
}

// putHostBytes is put for a body a host supplied, which the store checks is JSON.
func (u *uow) putHostBytes(kind Kind, id string, body []byte, keys ...IndexKey) (int64, error) {
	u.markWritten(kind, id)
	return u.tx.Put(u.ctx, Record{Kind: kind, ID: id, Body: body, Keys: keys})
}

// recordName is a record's kind and ID.
type recordName struct {
	kind Kind
	id   string
}

// markWritten notes that the unit writes the record (see uow.written).
func (u *uow) markWritten(kind Kind, id string) { u.written.Set(recordName{kind, id}, struct{}{}) }

// wrote reports whether the unit has written the record.
func (u *uow) wrote(kind Kind, id string) bool {
	_, ok := u.written.Get(recordName{kind, id})
	return ok
}

// findAll decodes every record of kind holding key into values made by newT.
func findAll[T any](u *uow, kind Kind, key IndexKey) ([]T, []int64, error) {
	recs, err := u.tx.Find(u.ctx, kind, key, Page{})
	if err != nil {
		return nil, nil, err
	}
	out := make([]T, len(recs))
	versions := make([]int64, len(recs))
	for i, r := range recs {
		if err := json.Unmarshal(r.Body, &out[i]); err != nil {
			return nil, nil, fmt.Errorf("isg: decoding %s %s: %w", kind, r.ID, err)
		}
		versions[i] = r.Version
	}
	return out, versions, nil
}

func key(name, value string) IndexKey       { return IndexKey{Name: name, Value: value} }
func uniqueKey(name, value string) IndexKey { return IndexKey{Name: name, Value: value, Unique: true} }

// ParseOrgID parses the text form of an organisation ID.
func ParseOrgID(s string) (OrgID, error) { return ident.ParseOrgID(s) }

// ParseUserID parses the text form of a user ID.
func ParseUserID(s string) (UserID, error) { return ident.ParseUserID(s) }

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// Now returns the Gateway's clock reading, in UTC: hosts use it to build inputs consistent with
// the Gateway's notion of time (a test clock, say).
func (g *Gateway) Now() time.Time { return g.clock.Now().UTC() }

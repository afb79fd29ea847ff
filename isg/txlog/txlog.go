package txlog

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/internal/jsonenc"
	"github.com/isgkit/gateway/isg/ident"
	"github.com/isgkit/gateway/isg/violation"
)

// Change is one changed field of a logged record (LOG-1): its JSON name and its old and new
// values as JSON text. A field absent on one side (an unset optional field) reads "null".
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Diff lists the fields that differ between old and new, one Change each, sorted by field name
// (LOG-1). Values are compared and reported as the JSON the aggregate is stored as (encoding/json,
// HTML escaping off); nested values — a flow's reviews, a summary's contacts — are one field.
// Bookkeeping that changes with every command is left out: updated_at, updated_by, rev and log.
// State changes and review decisions are fields like any other.
//
// The only error is a value encoding/json cannot encode (a time outside years 0–9999).
func Diff(old, new any) ([]Change, error) {
	o, err := TakeSnapshot(old)
	if err != nil {
		return nil, err
	}
	n, err := TakeSnapshot(new)
	if err != nil {
		return nil, err
	}
	return DiffSnapshots(o, n), nil
}

// Snapshot is a logged record's fields in the form Diff compares them: each top-level field's
// canonical JSON. A holder that keeps the snapshot of a value it saved can diff the next change
// against it without encoding the old value again (the Gateway does: encoding is most of a
// diff's cost). A snapshot is immutable.
type Snapshot struct {
	enc    string   // the encoding
	fields []member // its top-level members, in order
}

// TakeSnapshot encodes v's fields as Diff compares them. The only error is a value encoding/json
// cannot encode.
func TakeSnapshot(v any) (Snapshot, error) {
	return takeSnapshot(v, 40) // a summary's or flow's fields number a few dozen
}

// TakeSnapshotLike is TakeSnapshot of a value of the type like was taken of: a new version of
// the same record, whose fields number about as many. It only saves memory.
func TakeSnapshotLike(v any, like Snapshot) (Snapshot, error) {
	return takeSnapshot(v, len(like.fields)+4) // room for fields omitempty left out before
}

func takeSnapshot(v any, fields int) (Snapshot, error) {
	if a, ok := v.(memberAppender); ok {
		if s, ok := generatedSnapshot(a, fields); ok {
			return s, nil
		}
		// A value the generated encoder refuses: encode reports why as encoding/json does.
	}
	b, err := encode(v)
	if err != nil {
		return Snapshot{}, err
	}
	m, err := members(b, fields)
	return Snapshot{enc: b, fields: m}, err
}

// JSONWith returns the JSON object the snapshot was taken of with the value of one top-level
// field replaced by value's encoding (or added, if the object had no such field). The Gateway
// stores a flow as its snapshot with the log head moved on, instead of encoding the whole flow
// a second time.
func (s Snapshot) JSONWith(field string, value any) ([]byte, error) {
	n := 2 + len(field) + 3 + 64 // the value is a log head, as a rule: a few dozen bytes
	for _, m := range s.fields {
		n += int(m.end-m.at) + 1
	}
	return s.AppendJSONWith(make([]byte, 0, n), field, value)
}

// AppendJSONWith appends what JSONWith returns to dst, for a caller that reuses one buffer.
func (s Snapshot) AppendJSONWith(dst []byte, field string, value any) ([]byte, error) {
	// The encoding is compact and names each key once (encoding/json's of a struct or a map),
	// so the object with one value replaced is the bytes before that value, the new value and
	// the bytes after it: three copies, not one for every member.
	for _, m := range s.fields {
		if m.is(s.enc, field) {
			b, err := jsonenc.Append(append(dst, s.enc[:m.from]...), value, false)
			if err != nil {
				return nil, unencodable(err)
			}
			return append(b, s.enc[m.end:]...), nil
		}
	}
	b := append(dst, '{')
	if len(s.fields) > 0 {
		b = append(append(b, s.enc[1:len(s.enc)-1]...), ',')
	}
	// The key as the rest of the snapshot is written: HTML escaping off.
	b, err := jsonenc.Append(append(jsonenc.AppendString(b, field, false), ':'), value, false)
	if err != nil {
		return nil, unencodable(err)
	}
	return append(b, '}'), nil
}

// DiffSnapshots is Diff of the values the snapshots were taken of.
func DiffSnapshots(old, new Snapshot) []Change { return AppendDiff(nil, old, new) }

// AppendDiff appends DiffSnapshots to dst, for a caller that reuses one slice for the changes it
// logs and lets go of. The changes appended are sorted by field; dst's own are left as they are.
func AppendDiff(dst []Change, old, new Snapshot) []Change {
	base := len(dst)
	out := dst
	// Both snapshots are encodings of one type, so their fields come in the same order, with a
	// field left out where omitempty dropped it: walk them side by side, and only when a field
	// turns up out of order look it up.
	var index map[string]int // by raw key
	lookup := func(rawKey string) (int, bool) {
		if index == nil {
			index = make(map[string]int, len(old.fields))
			for i, m := range old.fields {
				index[m.rawKey(old.enc)] = i
			}
		}
		i, ok := index[rawKey]
		return i, ok
	}
	seen := make([]bool, len(old.fields))
	next := 0
	for _, m := range new.fields {
		ov, at := "null", -1
		raw, val := m.rawKey(new.enc), m.val(new.enc)
		for j := next; j < len(old.fields) && j < next+2; j++ {
			if old.fields[j].rawKey(old.enc) == raw {
				at = j
				break
			}
		}
		if at < 0 {
			if i, ok := lookup(raw); ok {
				at = i
			}
		} else {
			next = at + 1
		}
		if at >= 0 {
			ov = old.fields[at].val(old.enc)
			seen[at] = true
		}
		if ov != val {
			if key := keyOf(raw); !unlogged(key) {
				out = append(out, Change{Field: key, Old: ov, New: val})
			}
		}
	}
	for i, m := range old.fields {
		if key := keyOf(m.rawKey(old.enc)); !seen[i] && !unlogged(key) {
			out = append(out, Change{Field: key, Old: m.val(old.enc), New: "null"})
		}
	}
	slices.SortFunc(out[base:], func(a, b Change) int { return strings.Compare(a.Field, b.Field) })
	return out
}

// unlogged are bookkeeping fields that change with every command and say nothing a reader of
// the log needs.
func unlogged(field string) bool {
	switch field {
	case "updated_at", "updated_by", "rev", "log":
		return true
	}
	return false
}

// snapshotSize is the buffer an encoding starts with: a new flow or summary encodes in about
// 1 KB, one under review or signed in 2–4 KB, which append reaches in a doubling or two.
const snapshotSize = 1024

// encode writes v's canonical JSON (HTML escaping off) and returns it as a string without a
// copy: the members of a snapshot are offsets into it. A type with a generated encoder writes
// the very bytes encoding/json would (its tests hold it to that): the snapshot's members are
// the logged Old and New texts, which are hashed (LOG-2).
func encode(v any) (string, error) {
	b, err := jsonenc.Append(make([]byte, 0, snapshotSize), v, false)
	if err != nil {
		return "", unencodable(err)
	}
	// b is never written again, so it may back the string (as a strings.Builder's does).
	return unsafe.String(unsafe.SliceData(b), len(b)), nil
}

// memberAppender is what internal/jsongen generates for a root type (a flow, a summary): its
// encoding, as encode writes it, with three offsets per top-level member.
type memberAppender interface {
	AppendJSONMembers(b []byte, escapeHTML bool, at []uint32) ([]byte, []uint32, error)
}

// generatedSnapshot takes the snapshot from the offsets the generated encoder records while it
// writes, instead of parsing them back out of the bytes (members). ok is false when the encoder
// fails.
func generatedSnapshot(a memberAppender, fields int) (s Snapshot, ok bool) {
	// The offsets come as at, from, end triples: a member's very layout, so the slice becomes
	// the members without a copy.
	_ = [1]struct{}{}[unsafe.Sizeof(member{})-3*unsafe.Sizeof(uint32(0))]
	b, at, err := a.AppendJSONMembers(make([]byte, 0, snapshotSize), false, make([]uint32, 0, 3*fields))
	if err != nil || len(at)%3 != 0 || uint64(len(b)) > math.MaxUint32 {
		return Snapshot{}, false
	}
	m := unsafe.Slice((*member)(unsafe.Pointer(unsafe.SliceData(at))), len(at)/3)
	return Snapshot{enc: unsafe.String(unsafe.SliceData(b), len(b)), fields: m}, true
}

// unencodable is the error of a value encoding/json cannot encode.
func unencodable(err error) error {
	return violation.New(violation.ErrInvalid, "log.unencodable", "LOG-1", err.Error())
}

// member is one top-level member of an encoded object, as offsets into the encoding: its key as
// written (quoted) from at up to the colon at from-1, and its value from from up to end. The
// decoded key is not kept: it is the quoted one unquoted (keyOf), and two encodings of one type
// write a key alike, so comparing raw keys is comparing keys. Offsets, not substrings: a third
// of the memory, and nothing in a snapshot's members for the garbage collector to follow, which
// matters to a cache holding thousands of them.
type member struct{ at, from, end uint32 }

// rawKey returns the member's key as written in enc, quoted.
func (m member) rawKey(enc string) string { return enc[m.at : m.from-1] }

// val returns the member's value as written in enc.
func (m member) val(enc string) string { return enc[m.from:m.end] }

// keyOf returns a raw key decoded. Only a key with an escape in it (no struct tag the Gateway
// encodes has one) costs a decoding.
func keyOf(rawKey string) string {
	k := rawKey[1 : len(rawKey)-1]
	if strings.IndexByte(k, '\\') < 0 {
		return k
	}
	var unescaped string
	_ = json.Unmarshal([]byte(rawKey), &unescaped) // members checked that it decodes
	return unescaped
}

// is reports whether the member's decoded key is key, without decoding it: an escape makes the
// raw key longer than the key it decodes to, so one of the same length is the key itself or
// another.
func (m member) is(enc, key string) bool {
	raw := m.rawKey(enc)
	k := raw[1 : len(raw)-1]
	switch {
	case len(k) == len(key):
		return k == key && strings.IndexByte(k, '\\') < 0
	case len(k) > len(key):
		return strings.IndexByte(k, '\\') >= 0 && keyOf(raw) == key
	}
	return false
}

// members splits the compact JSON object encoding/json wrote into its top-level members, in
// order, without decoding the values: reading them back through a map cost several times more
// than the encoding and would only hand the same bytes back. fields sizes the result.
func members(b string, fields int) ([]member, error) {
	bad := func() error {
		return violation.New(violation.ErrInvalid, "log.unencodable", "LOG-1", "not a JSON object")
	}
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' || uint64(len(b)) > math.MaxUint32 {
		return nil, bad()
	}
	out := make([]member, 0, fields)
	i := 1
	for i < len(b)-1 {
		if b[i] != '"' {
			return nil, bad()
		}
		end := stringEnd(b, i)
		if end < 0 || end+1 >= len(b) || b[end+1] != ':' {
			return nil, bad()
		}
		raw := b[i : end+1]
		if strings.IndexByte(raw, '\\') >= 0 {
			// Checked here, so that key never meets a key that does not decode; into a variable
			// of its own, for taking a string's address would move every key to the heap.
			var unescaped string
			if err := json.Unmarshal([]byte(raw), &unescaped); err != nil {
				return nil, bad()
			}
		}
		v := end + 2
		j, err := valueEnd(b, v)
		if err != nil {
			return nil, bad()
		}
		out = append(out, member{at: uint32(i), from: uint32(v), end: uint32(j)})
		i = j
		if b[i] == ',' {
			i++
		}
	}
	return out, nil
}

// stringEnd returns the index of the quote closing the string that opens at b[i]. It jumps from
// quote to quote (strings.IndexByte is vectorised; a flow's text is mostly inside strings) and
// takes a quote as the end when an even number of backslashes precedes it.
func stringEnd(b string, i int) int {
	for j := i + 1; ; j++ {
		k := strings.IndexByte(b[j:], '"')
		if k < 0 {
			return -1
		}
		j += k
		escapes := 0
		for p := j - 1; p > i && b[p] == '\\'; p-- {
			escapes++
		}
		if escapes%2 == 0 {
			return j
		}
	}
}

// valueEnd returns the index just past the JSON value starting at b[i]: the ',' or '}' that
// ends it at depth zero.
func valueEnd(b string, i int) (int, error) {
	depth := 0
	for j := i; j < len(b); j++ {
		switch b[j] {
		case '"':
			if j = stringEnd(b, j); j < 0 {
				return 0, errors.New("unterminated string")
			}
		case '{', '[':
			depth++
		case ']':
			depth--
		case '}':
			if depth == 0 {
				return j, nil
			}
			depth--
		case ',':
			if depth == 0 {
				return j, nil
			}
		}
	}
	return 0, errors.New("unterminated value")
}

// Entry is one entry of a record's transaction log (LOG-1): who changed which field when, from
// what to what; chained to the entry before by hash (LOG-2).
type Entry struct {
	// Subject is the record (summary, flow, activity, DPIA…) the entry belongs to.
	Subject uuid.UUID `json:"subject"`
	// Seq numbers the subject's entries from 1 without gaps.
	Seq  int64        `json:"seq"`
	User ident.UserID `json:"user"`
	Org  ident.OrgID  `json:"org"`
	At   time.Time    `json:"at"`
	// Field, Old and New are a Change.
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
	// PrevHash is the Hash of entry Seq-1, or "" for the first entry.
	PrevHash string `json:"prev_hash"`
	// Hash is the lowercase hex SHA-256 of the entry's canonical form (see EntryHash).
	Hash string `json:"hash"`
}

// Head is what a logged record keeps of its log: how many entries it has and the last
// entry's Hash. Stored with the aggregate under the store's optimistic concurrency, it is what
// makes a truncated log or one with forged entries appended detectable by Verify.
type Head struct {
	Count int64  `json:"count"`
	Last  string `json:"last,omitempty"`
}

// Append chains one entry per change onto a log whose head is head, and returns the entries and
// the new head. Entries record at in UTC. With no changes it returns no entries and head as is.
func Append(head Head, subject uuid.UUID, changes []Change, user ident.UserID, org ident.OrgID, at time.Time) ([]Entry, Head) {
	if len(changes) == 0 {
		return nil, head
	}
	return AppendTo(make([]Entry, 0, len(changes)), head, subject, changes, user, org, at)
}

// AppendTo is Append that appends the entries to dst, for a caller that reuses one slice for the
// entries it writes out and lets go of.
func AppendTo(dst []Entry, head Head, subject uuid.UUID, changes []Change, user ident.UserID, org ident.OrgID, at time.Time) ([]Entry, Head) {
	if len(changes) == 0 {
		return dst, head
	}
	at = at.UTC()
	// Size the scratch buffer once for the largest entry: the fixed part of the canonical form
	// is under 250 bytes. An entry of short values (most are) fits the one on the stack.
	most := 0
	for _, c := range changes {
		most = max(most, len(c.Field)+len(c.Old)+len(c.New))
	}
	var stack [512]byte
	buf := stack[:0]
	if 256+most > len(stack) {
		buf = make([]byte, 0, 256+most)
	}
	for _, c := range changes {
		e := Entry{
			Subject: subject, Seq: head.Count + 1, User: user, Org: org, At: at,
			Field: c.Field, Old: c.Old, New: c.New, PrevHash: head.Last,
		}
		var h [2 * sha256.Size]byte
		h, buf = entryHash(buf, &e)
		e.Hash = string(h[:])
		dst = append(dst, e)
		head = Head{Count: e.Seq, Last: e.Hash}
	}
	return dst, head
}

// EntryHash computes an entry's Hash from its other fields. This is the canonical form, for any
// platform to reproduce:
//
//	SHA-256 over the ASCII tag "ISG-LOG-1" followed by nine fields, each written as its length in
//	bytes (4-byte unsigned big-endian) and then its UTF-8 bytes, in this order:
//	  1. seq        decimal, no sign or leading zeros ("1", "42")
//	  2. subject    UUID, lowercase, hyphenated (36 characters)
//	  3. user       UUID as above
//	  4. org        UUID as above
//	  5. at         the time in UTC as RFC 3339 with nanoseconds, trailing zeros of the fraction
//	              dropped and the fraction omitted when zero ("2025-01-02T03:04:05.5Z"), i.e. Go's
//	              time.RFC3339Nano
//	  6. field      the field's JSON name
//	  7. old        the old value's JSON text, exactly as stored
//	  8. new        the new value's JSON text, exactly as stored
//	  9. prev_hash  the previous entry's hash as lowercase hex, or empty for the first entry
//
// and written as 64 lowercase hex digits. The length prefixes keep one field's text from being
// read as part of its neighbour's.
func EntryHash(e Entry) string {
	h, _ := entryHash(nil, &e)
	return string(h[:])
}

const logTag = "ISG-LOG-1"

// canonical appends the entry's canonical form (see EntryHash) to b.
func canonical(b []byte, e *Entry) []byte {
	b = append(b, logTag...)
	at := len(b)
	b = append(b, 0, 0, 0, 0)
	b = strconv.AppendInt(b, e.Seq, 10)
	binary.BigEndian.PutUint32(b[at:], uint32(len(b)-at-4))
	b = appendField(b, func(b []byte) []byte { return jsonenc.AppendUUIDText(b, e.Subject) })
	b = appendField(b, func(b []byte) []byte { return jsonenc.AppendUUIDText(b, e.User.UUID) })
	b = appendField(b, func(b []byte) []byte { return jsonenc.AppendUUIDText(b, e.Org.UUID) })
	b = appendField(b, func(b []byte) []byte { return e.At.UTC().AppendFormat(b, time.RFC3339Nano) })
	for _, s := range [...]string{e.Field, e.Old, e.New, e.PrevHash} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	return b
}

// appendField writes a length-prefixed field whose text f appends.
func appendField(b []byte, f func([]byte) []byte) []byte {
	at := len(b)
	b = f(append(b, 0, 0, 0, 0))
	binary.BigEndian.PutUint32(b[at:], uint32(len(b)-at-4))
	return b
}

// entryHash hashes e using buf as scratch space and returns the hex digest and the buffer for
// reuse, so a log of any length is hashed with one growing buffer.
func entryHash(buf []byte, e *Entry) ([2 * sha256.Size]byte, []byte) {
	buf = canonical(buf[:0], e)
	sum := sha256.Sum256(buf)
	var h [2 * sha256.Size]byte
	hex.Encode(h[:], sum[:])
	return h, buf
}

// CodeLogBroken (ErrRule; LOG-2) is the code of the error Verify returns: "log.broken".
const CodeLogBroken = "log.broken"

// VerifyError reports the first entry at which a log fails verification. It unwraps to a
// *violation.Error of kind ErrRule with CodeLogBroken, so errors.Is(err, violation.ErrRule) and
// errors.As(err, &*violation.Error) hold.
type VerifyError struct {
	// Index is the entry's position in the slice given to Verify; for a truncated log it is the
	// position of the first missing entry, for entries beyond the head the first extra one.
	Index int
	// Seq is the sequence number expected at Index.
	Seq int64
	// Reason says what is wrong.
	Reason string
}

// Error names the entry and the reason.
func (e *VerifyError) Error() string {
	return "transaction log broken at entry " + strconv.Itoa(e.Index) + " (seq " + strconv.FormatInt(e.Seq, 10) + "): " + e.Reason
}

// Unwrap gives the module's error for the failure.
func (e *VerifyError) Unwrap() error {
	return violation.New(violation.ErrRule, CodeLogBroken, "LOG-2", e.Error())
}

// Verify checks a whole log, oldest entry first, against the head its record keeps
// (LOG-2): sequence numbers 1, 2, 3… on one subject, each entry chained to the one before and
// hashing to its Hash, and as many entries as the head counts, ending at its Last hash. It
// returns nil or a *VerifyError naming the first bad entry, so an altered, removed, reordered,
// truncated or appended entry is reported where it is.
func Verify(head Head, entries []Entry) error {
	var buf []byte
	prev := ""
	for i := range entries {
		e := &entries[i]
		want := int64(i) + 1
		bad := func(reason string) error { return &VerifyError{Index: i, Seq: want, Reason: reason} }
		switch {
		case want > head.Count:
			return bad("entry beyond the head's count of " + strconv.FormatInt(head.Count, 10) + " (appended without the record)")
		case e.Seq != want:
			return bad("sequence number is " + strconv.FormatInt(e.Seq, 10) + " (entry removed, reordered or inserted)")
		case i > 0 && e.Subject != entries[0].Subject:
			return bad("belongs to another subject")
		case e.PrevHash != prev:
			return bad("does not chain to the entry before (prev_hash differs)")
		}
		var h [2 * sha256.Size]byte
		h, buf = entryHash(buf, e)
		if string(h[:]) != e.Hash {
			return bad("content does not match its hash (entry altered)")
		}
		prev = e.Hash
	}
	n := int64(len(entries))
	switch {
	case n < head.Count:
		return &VerifyError{Index: len(entries), Seq: n + 1, Reason: "missing: the head counts " +
			strconv.FormatInt(head.Count, 10) + " entries (log truncated)"}
	case prev != head.Last:
		i := max(len(entries)-1, 0)
		return &VerifyError{Index: i, Seq: int64(i) + 1, Reason: "last hash differs from the head's"}
	}
	return nil
}

// VerifyRecord holds a record's current value against its log (LOG-3): every field the log names
// has now the value of the last entry naming it, and a record whose log never names its "state"
// field is still in initialState (a copied flow starts with only a copied_from entry, SUM-4,
// FLOW-10). A change written to the store without an entry is detected. Run it after Verify has
// found the chain intact; entries are in sequence order. The error is a *VerifyError naming the
// field.
func VerifyRecord(v any, entries []Entry, initialState string) error {
	snap, err := TakeSnapshot(v)
	if err != nil {
		return err
	}
	last := make(map[string]int, len(snap.fields))
	for i, e := range entries {
		last[e.Field] = i
	}
	for _, m := range snap.fields {
		key, val := keyOf(m.rawKey(snap.enc)), m.val(snap.enc)
		if unlogged(key) {
			continue
		}
		i, logged := last[key]
		switch {
		case logged && entries[i].New != val:
			return &VerifyError{Index: i, Seq: entries[i].Seq,
				Reason: "the record's " + key + " is not what its last entry set (changed without an entry)"}
		case !logged && key == "state" && val != strconv.Quote(initialState):
			return &VerifyError{Index: len(entries), Seq: int64(len(entries)) + 1,
				Reason: "the record's state changed without an entry"}
		}
		delete(last, key)
	}
	// A field the log set that the record no longer has must have been logged away (New null).
	for field, i := range last {
		if entries[i].New != "null" && !unlogged(field) {
			return &VerifyError{Index: i, Seq: entries[i].Seq,
				Reason: "the record has no " + field + ", which its last entry set (removed without an entry)"}
		}
	}
	return nil
}

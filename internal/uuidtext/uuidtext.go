// Package uuidtext writes UUIDs as text and remembers the texts of those it wrote recently, so
// that the IDs a service names on every request (its users, organisations and records) are
// written, and allocated, once rather than on every request.
package uuidtext

import (
	"encoding/binary"
	"sync/atomic"
	"unsafe"

	"github.com/google/uuid"

	"github.com/isgkit/gateway/internal/jsonenc"
)

// slots is how many texts a Cache remembers: direct-mapped, so at most this many, which bounds
// a Cache at 32 KB of slots and about 256 KB of texts however many IDs pass through it.
const slots = 1 << 12

// A Cache writes UUIDs as text (what uuid.UUID.String returns), remembering a text per slot.
// An ID whose slot holds another ID's text is written afresh and takes the slot over: IDs that
// share a slot (chosen by a caller, say) cost an allocation each time, never a wrong text. A
// Cache is safe for concurrent use; its zero value is ready, and a nil *Cache writes every ID
// without remembering it.
type Cache struct {
	slot [slots]atomic.Pointer[entry]
}

// entry is one remembered text. It is never changed once published, so a reader that loads it
// needs no lock; the text points into buf, so an entry is one allocation.
type entry struct {
	id   uuid.UUID
	buf  [36]byte
	text string
}

// Text returns id's canonical text: lowercase and hyphenated, 36 characters.
func (c *Cache) Text(id uuid.UUID) string {
	if c == nil {
		var b [36]byte
		return string(jsonenc.AppendUUIDText(b[:0], id))
	}
	s := &c.slot[slotOf(id)]
	if e := s.Load(); e != nil && e.id == id {
		return e.text
	}
	e := &entry{id: id}
	jsonenc.AppendUUIDText(e.buf[:0], id)
	e.text = unsafe.String(&e.buf[0], len(e.buf))
	s.Store(e)
	return e.text
}

// slotOf spreads IDs over the slots by bits that vary between IDs: a version 4 UUID is random
// throughout, and a version 7 one is random in its last eight bytes (its first hold the time).
func slotOf(id uuid.UUID) uint64 {
	return (binary.LittleEndian.Uint64(id[:8]) ^ binary.LittleEndian.Uint64(id[8:])) % slots
}

package isg

import (
	"context"
	"sync"
	"sync/atomic"
)

// VersionReader is an optional capability of a Store: the committed version of a record (0 when
// it does not exist), read outside any unit of work and without loading the record. Where a
// store offers it, Can answers from memberships it has already decoded, after checking with the
// store that they are still current; a store without it is served by the full check.
type VersionReader interface {
	Version(ctx context.Context, kind Kind, id string) (int64, error)
}

// ChangeCounter is an optional capability of a Store: a count of the commits that wrote
// something, read without a lock. It must never repeat a value, and a commit must change it
// before any of its writes can be read. Where a store offers it together with VersionReader,
// Can remembers the count at which it last confirmed a user's memberships and organisation
// against the store, and while the count is unchanged answers without asking the store again:
// nothing can have changed. A store shared by several processes cannot keep such a count in
// memory and should not offer it.
type ChangeCounter interface {
	Changes() uint64
}

// authCache keeps the memberships Can has decoded, by user, each with the version of the user
// record it came from. An entry is used only while the store still holds that version, so a
// change made by any process — a role revoked, an account locked — is seen at once.
//
// Entries sit in a sync.Map, whose reads take no lock: Can is called from every request of a
// host's UI at once, and a read lock's shared counter was most of its cost on one core and
// contended across many.
type authCache struct {
	users sync.Map // UserID → *cachedUser
	size  atomic.Int64
}

type cachedUser struct {
	id           string
	version      int64
	active       bool
	centralAdmin bool
	// at holds the user's roles by organisation, each with the organisation's ID as text: Can
	// checks the organisation still exists by that text, and one lookup finds both without
	// building a string.
	at map[OrgID]*heldAt
}

// heldAt is the roles a user holds at an organisation, and the organisation's ID as text.
type heldAt struct {
	roles RoleSet
	org   string
	// confirmed is 1 + the store's ChangeCounter value read before Can last found this user's
	// record at the entry's version and the organisation existing; 0 is never. The only field
	// of an entry that changes after it is made.
	confirmed atomic.Uint64
}

// cap bounds the cache: past it, entries are dropped wholesale, which costs only re-decoding.
const authCacheCap = 100_000

func newAuthCache() *authCache {
	return &authCache{}
}

// load returns the user's entry, or nil.
func (c *authCache) load(id UserID) *cachedUser {
	if v, ok := c.users.Load(id); ok {
		return v.(*cachedUser)
	}
	return nil
}

// allows answers from the cache: ok is false when the cache cannot answer (no entry, a stale
// entry, or an answer that needs more than the actor's own roles: delegation, Super
// Administrator, Central Admin or a refusal, which the full check explains).
//
// cc may be nil. When it is not, and its count is the one at which the entry was last
// confirmed, no commit has happened since, so the store need not be asked again. The count is
// read before the versions, so a commit that lands between them leaves the entry confirmed at
// a count that has already passed, and the next check asks the store again.
func (c *authCache) allows(ctx context.Context, vr VersionReader, cc ChangeCounter, p *Permissions, actor Actor, action Action) (allowed, ok bool) {
	cu := c.load(actor.User)
	if cu == nil || !cu.active {
		return false, false
	}
	held := cu.at[actor.Org]
	if held == nil || !p.Allows(action, held.roles) {
		return false, false
	}
	var count uint64
	if cc != nil {
		count = cc.Changes()
		if held.confirmed.Load() == count+1 {
			return true, true
		}
	}
	if v, err := vr.Version(ctx, kindUser, cu.id); err != nil || v != cu.version {
		return false, false
	}
	if v, err := vr.Version(ctx, kindOrg, held.org); err != nil || v == 0 {
		return false, false
	}
	if cc != nil {
		held.confirmed.Store(count + 1)
	}
	return true, true
}

// newCachedUser decodes x's memberships into an entry.
func newCachedUser(x user) *cachedUser {
	cu := &cachedUser{id: x.ID.String(), version: x.version, active: x.State == AccountActive, centralAdmin: x.CentralAdmin,
		at: make(map[OrgID]*heldAt, len(x.Memberships))}
	for _, m := range x.Memberships {
		cu.at[m.Org] = &heldAt{roles: m.Roles, org: m.Org.String()}
	}
	return cu
}

// get returns the user's entry if it was decoded from the given version of the user record.
func (c *authCache) get(id UserID, version int64) *cachedUser {
	cu := c.load(id)
	if cu == nil || cu.version != version {
		return nil
	}
	return cu
}

// put decodes x's memberships into the cache and returns the entry. Entries are never changed
// once made, but for heldAt.confirmed, which is atomic, so readers share them without copying.
func (c *authCache) put(x user) *cachedUser {
	cu := newCachedUser(x)
	for {
		old, loaded := c.users.LoadOrStore(x.ID, cu)
		if !loaded {
			// The count is approximate under concurrent puts and clears; it only bounds memory.
			if c.size.Add(1) > authCacheCap {
				c.users.Clear()
				c.size.Store(0)
			}
			return cu
		}
		// An older version never replaces a newer one a concurrent put stored first, and an
		// entry of the same version is kept, with what Can has confirmed of it.
		if prev := old.(*cachedUser); prev.version >= cu.version {
			return prev
		}
		if c.users.CompareAndSwap(x.ID, old, cu) {
			return cu
		}
	}
}

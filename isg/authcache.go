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
	at map[OrgID]heldAt
}

// heldAt is the roles a user holds at an organisation, and the organisation's ID as text.
type heldAt struct {
	roles RoleSet
	org   string
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
func (c *authCache) allows(ctx context.Context, vr VersionReader, p *Permissions, actor Actor, action Action) (allowed, ok bool) {
	cu := c.load(actor.User)
	if cu == nil || !cu.active {
		return false, false
	}
	held, member := cu.at[actor.Org]
	if !member || !p.Allows(action, held.roles) {
		return false, false
	}
	if v, err := vr.Version(ctx, kindUser, cu.id); err != nil || v != cu.version {
		return false, false
	}
	if v, err := vr.Version(ctx, kindOrg, held.org); err != nil || v == 0 {
		return false, false
	}
	return true, true
}

// newCachedUser decodes x's memberships into an entry.
func newCachedUser(x user) *cachedUser {
	cu := &cachedUser{id: x.ID.String(), version: x.version, active: x.State == AccountActive, centralAdmin: x.CentralAdmin,
		at: make(map[OrgID]heldAt, len(x.Memberships))}
	for _, m := range x.Memberships {
		cu.at[m.Org] = heldAt{roles: m.Roles, org: m.Org.String()}
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
// once made, so readers share them without copying.
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
		// An older version never replaces a newer one a concurrent put stored first.
		if old.(*cachedUser).version > cu.version || c.users.CompareAndSwap(x.ID, old, cu) {
			return cu
		}
	}
}

package isg

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"

	"github.com/isgkit/gateway/isg/directory"
	"github.com/isgkit/gateway/isg/support"
	"github.com/isgkit/gateway/isg/violation"
	"github.com/isgkit/gateway/licensing"
)

const kindResource Kind = "resource"

// Resource is a resource of the support library (SUP-3): support.Resource.
type Resource = support.Resource

// ResourceID identifies a resource.
type ResourceID = support.ResourceID

// platformShelf names the platform-wide library in the index.
const platformShelf = "platform"

// resourceKeys index a resource under its library: "shelf" holds every resource of it (its
// publishers' view, withdrawn ones included), "library" the published ones (its audience's).
func resourceKeys(r support.Resource) []IndexKey {
	shelf := platformShelf
	if !r.Group.IsZero() {
		shelf = r.Group.String()
	}
	ks := []IndexKey{key("shelf", shelf)}
	if r.State == support.ResourcePublished {
		ks = append(ks, key("library", shelf))
	}
	return ks
}

func (u *uow) loadResource(id support.ResourceID) (support.Resource, error) {
	var r support.Resource
	v, err := u.load(kindResource, id.String(), &r)
	if isNotFound(err) {
		return support.Resource{}, support.ResourceNotFound(id)
	}
	r.Version = v
	return r, err
}

func (u *uow) saveResource(r support.Resource) (support.Resource, error) {
	v, err := u.save(kindResource, r.ID.String(), r.Version, r, resourceKeys(r)...)
	r.Version = v
	return r, err
}

// libraryReader is what actor is to the library of group (zero: the platform's), with the
// group's contract: of the central team, a Super Administrator of the group, a member (a role at
// an organisation of the group, support.Member). An unknown group is "contract.not_found".
func (u *uow) libraryReader(actor Actor, group support.GroupID) (support.Reader, licensing.Contract, error) {
	x, err := u.actingUser(actor.User, "SUP-3")
	if err != nil {
		return support.Reader{}, licensing.Contract{}, err
	}
	rd := support.Reader{Central: x.centralAdmin}
	if group.IsZero() {
		return rd, licensing.Contract{}, nil
	}
	c, _, err := u.contractByID(group)
	if isNotFound(err) {
		return rd, c, contractNotFound(group)
	} else if err != nil {
		return rd, c, err
	}
	rd.SuperAdmin = c.IsSuperAdmin(actor.User)
	for _, org := range slices.SortedFunc(maps.Keys(x.held), func(a, b OrgID) int { return bytes.Compare(a.UUID[:], b.UUID[:]) }) {
		if x.at(org) == 0 {
			continue
		}
		o, err := u.loadOrg(org)
		if err != nil {
			return rd, c, err
		}
		if support.Member(c, org, o.LicensingGroup, u.now) {
			rd.Member = true
			break
		}
	}
	return rd, c, nil
}

// atLibrary is where publishing to the library of group is checked: at the platform for the
// platform's (Central Admin's row), at the group's contracting organisation for a group's, with
// the contract's own Super Administrators counted there (u.contract). Someone who may not read
// that group's library is told the group does not exist, as for an unknown ID.
func atLibrary(u *uow, actor Actor, group support.GroupID) (target, error) {
	rd, c, err := u.libraryReader(actor, group)
	if err != nil {
		return target{}, err
	}
	if group.IsZero() {
		return target{reach: platform}, nil
	}
	if !rd.Reads(group) {
		return target{}, contractNotFound(group)
	}
	u.contract = &c
	return target{org: c.Org}, nil
}

// atResource is where a change to a resource is checked (atLibrary of its library); a resource
// the actor may not see is answered exactly as an unknown one (SUP-3). The actor is checked
// first, so a call naming no active actor gets the same refusal whatever the ID.
func atResource(u *uow, actor Actor, id support.ResourceID) (target, error) {
	if _, err := u.actingUser(actor.User, "SUP-3"); err != nil {
		return target{}, err
	}
	r, err := u.loadResource(id)
	if err != nil {
		return target{}, err
	}
	rd, _, err := u.libraryReader(actor, r.Group)
	if err != nil {
		return target{}, err
	}
	if !r.VisibleTo(rd) {
		return target{}, support.ResourceNotFound(id)
	}
	return atLibrary(u, actor, r.Group)
}

// ResourceContentInput is one version's content: a title and at least one of a body of text, a
// link and a file.
type ResourceContentInput struct {
	Title string `json:"title" validate:"required,max=200" rule:"SUP-3"`
	Body  string `json:"body,omitempty" validate:"max=100000" rule:"SUP-3"`
	URL   string `json:"url,omitempty" validate:"omitempty,http_url,max=2000" rule:"SUP-3"`
	// FileName names the file whose content is Content (base64 in JSON, at most 5 MB, DOC-1).
	FileName string `json:"file_name,omitempty" validate:"required_with=Content,max=255" rule:"SUP-3"`
	Content  []byte `json:"content,omitempty" rule:"DOC-1"`
	// digest is the content's SHA-256, computed once before the unit of work.
	digest string
}

// prepare checks the file's size (DOC-1) and digests it, before the unit of work.
func (in *ResourceContentInput) prepare() error {
	if len(in.Content) == 0 {
		return nil
	}
	if err := directory.CheckDocumentSize(len(in.Content)); err != nil {
		return err
	}
	sum := sha256.Sum256(in.Content)
	in.digest = hex.EncodeToString(sum[:])
	return nil
}

func (in ResourceContentInput) content() support.Content {
	c := support.Content{Title: in.Title, Body: in.Body, URL: in.URL}
	if len(in.Content) > 0 {
		c.File = &support.File{Name: in.FileName, Size: len(in.Content), SHA256: in.digest}
	}
	return c
}

// store keeps the file's content, once every check has passed: content-addressed, so a retried
// unit storing it again is harmless and a unit that then fails leaves an orphan, never a
// resource without its content.
func (in ResourceContentInput) store(u *uow) error {
	if len(in.Content) == 0 {
		return nil
	}
	if err := u.g.blobs.Put(u.ctx, in.digest, in.Content); err != nil {
		return fmt.Errorf("isg: storing a resource's file: %w", err)
	}
	return nil
}

// PublishResourceInput publishes a resource.
type PublishResourceInput struct {
	// Group is the group whose library the resource joins; unset for a platform-wide resource.
	Group licensing.ContractID `json:"group,omitzero" rule:"SUP-3"`
	ResourceContentInput
}

// PublishResource publishes a resource to the library (SUP-3) as its version 1: a platform-wide
// one by Central Admin (row PublishResources at the platform), every signed-in user's to read;
// a group's by the group's Super Administrators (the row at its contracting organisation; Central
// Admin too, for support, logged: ROLE-7), its members' to read.
//
// Errors: ErrInvalid (field errors naming SUP-3; "document.too_large", DOC-1); ErrForbidden
// ("forbidden", SUP-3); ErrNotFound ("contract.not_found") for an unknown group or one whose
// library the actor may not read; the BlobStore's error, wrapped.
func (g *Gateway) PublishResource(ctx context.Context, actor Actor, in PublishResourceInput) (support.Resource, error) {
	return run(ctx, g, resourcePublish, actor, in)
}

var resourcePublish = &command[PublishResourceInput, support.Resource]{
	name: "resource.publish", doc: "Publish a resource, platform-wide or to a group's library (SUP-3).", row: PublishResources, rule: "SUP-3",
	before: func(_ *Gateway, in *PublishResourceInput) error { return in.prepare() },
	at: func(u *uow, actor Actor, in PublishResourceInput) (target, error) {
		return atLibrary(u, actor, in.Group)
	},
	apply: func(c *call[PublishResourceInput]) (support.Resource, error) {
		r, err := c.g.machines.library.Publish(support.PublishInput{ID: support.ResourceID{UUID: c.newID()}, Group: c.in.Group, By: c.actor.User,
			Content: c.in.content()}, c.now)
		if err != nil {
			return support.Resource{}, err
		}
		if err := c.in.store(c.uow); err != nil {
			return support.Resource{}, err
		}
		return c.saveResource(r)
	},
}

// ReviseResourceInput adds a version to a resource.
type ReviseResourceInput struct {
	ID support.ResourceID `json:"id" validate:"required" rule:"SUP-3"`
	ResourceContentInput
	// Note says what changed.
	Note string `json:"note,omitempty" validate:"max=2000" rule:"SUP-3"`
}

// ReviseResource adds a version to a published resource (SUP-3): every earlier version is kept
// as it was; content equal to the current version's changes nothing. Its publishers do it, as
// for PublishResource.
//
// Errors: ErrInvalid (field errors naming SUP-3; "document.too_large", DOC-1); ErrForbidden
// ("forbidden", SUP-3); ErrNotFound ("resource.not_found", SUP-3) for an unknown resource or one
// the actor may not see; ErrInvalidTransition ("resource.withdrawn"); the BlobStore's error.
func (g *Gateway) ReviseResource(ctx context.Context, actor Actor, in ReviseResourceInput) (support.Resource, error) {
	return run(ctx, g, resourceRevise, actor, in)
}

var resourceRevise = &command[ReviseResourceInput, support.Resource]{
	name: "resource.revise", doc: "Add a version to a resource; earlier versions are kept (SUP-3).", row: PublishResources, rule: "SUP-3",
	before: func(_ *Gateway, in *ReviseResourceInput) error { return in.prepare() },
	at:     func(u *uow, actor Actor, in ReviseResourceInput) (target, error) { return atResource(u, actor, in.ID) },
	apply: func(c *call[ReviseResourceInput]) (support.Resource, error) {
		old, err := c.loadResource(c.in.ID)
		if err != nil {
			return support.Resource{}, err
		}
		r, err := c.g.machines.library.Revise(old, c.actor.User, c.in.content(), c.in.Note, c.now)
		if err != nil || len(r.Versions) == len(old.Versions) {
			return r, err
		}
		if err := c.in.store(c.uow); err != nil {
			return support.Resource{}, err
		}
		return c.saveResource(r)
	},
}

// WithdrawResourceInput withdraws a resource.
type WithdrawResourceInput struct {
	ID     support.ResourceID `json:"id" validate:"required" rule:"SUP-3"`
	Reason string             `json:"reason" validate:"required,max=2000" rule:"SUP-3"`
}

// WithdrawResource takes a resource out of its library, with the reason (SUP-3): its audience no
// longer sees it; its publishers still do, with every version. Its publishers do it, as for
// PublishResource.
//
// Errors: ErrInvalid (field errors naming SUP-3); ErrForbidden ("forbidden", SUP-3); ErrNotFound
// ("resource.not_found", SUP-3); ErrInvalidTransition ("resource.withdrawn").
func (g *Gateway) WithdrawResource(ctx context.Context, actor Actor, in WithdrawResourceInput) (support.Resource, error) {
	return run(ctx, g, resourceWithdraw, actor, in)
}

var resourceWithdraw = &command[WithdrawResourceInput, support.Resource]{
	name: "resource.withdraw", doc: "Withdraw a resource from its library (SUP-3).", row: PublishResources, rule: "SUP-3",
	at: func(u *uow, actor Actor, in WithdrawResourceInput) (target, error) {
		return atResource(u, actor, in.ID)
	},
	apply: func(c *call[WithdrawResourceInput]) (support.Resource, error) {
		old, err := c.loadResource(c.in.ID)
		if err != nil {
			return support.Resource{}, err
		}
		r, err := c.g.machines.library.Withdraw(old, c.actor.User, c.in.Reason, c.now)
		if err != nil {
			return support.Resource{}, err
		}
		return c.saveResource(r)
	},
}

// visibleResource loads a resource the actor may see (SUP-3); any other is answered exactly as
// an unknown ID.
func (u *uow) visibleResource(actor Actor, id support.ResourceID) (support.Resource, error) {
	r, err := u.loadResource(id)
	if err != nil {
		return r, err
	}
	rd, _, err := u.libraryReader(actor, r.Group)
	if err != nil {
		return support.Resource{}, err
	}
	if !r.VisibleTo(rd) {
		return support.Resource{}, support.ResourceNotFound(id)
	}
	return r, nil
}

// Resource returns a resource with every version, to its audience (SUP-3): a platform-wide one
// to any signed-in user, a group's to its members, its Super Administrators and Central Admin; a
// withdrawn one to its publishers only.
//
// Errors: ErrInvalid for a missing ID; ErrForbidden ("forbidden") for an actor who is not active;
// ErrNotFound ("resource.not_found", SUP-3) for an unknown resource and, exactly the same, for
// one the actor may not see.
func (g *Gateway) Resource(ctx context.Context, actor Actor, in ByID[support.ResourceID]) (support.Resource, error) {
	return run(ctx, g, resourceGet, actor, in)
}

var resourceGet = &command[ByID[support.ResourceID], support.Resource]{
	name: "resource.get", doc: "Read a resource of the library (SUP-3).", reach: signedIn, rule: "SUP-3", query: true,
	apply: func(c *call[ByID[support.ResourceID]]) (support.Resource, error) {
		return c.visibleResource(c.actor, c.in.ID)
	},
}

// ResourcesInput asks for one page of a library.
type ResourcesInput struct {
	// Group is the group whose library is listed; unset for the platform-wide library.
	Group licensing.ContractID `json:"group,omitzero" rule:"SUP-3"`
	// All lists withdrawn resources too, for the library's publishers; others see the published
	// ones whatever it says.
	All bool `json:"all,omitempty"`
	ListPage
}

// Resources lists one page of a library, oldest first, with the total the actor may see
// (SUP-3): the platform-wide library for any signed-in user, a group's for its members, its
// Super Administrators and Central Admin. Publishers may ask for withdrawn resources too (All).
//
// Errors: ErrInvalid (a limit over 500); ErrForbidden ("forbidden") for an actor who is not
// active; ErrNotFound ("contract.not_found") for an unknown group and, alike, one whose library
// the actor may not read.
func (g *Gateway) Resources(ctx context.Context, actor Actor, in ResourcesInput) (Listing[support.Resource], error) {
	return run(ctx, g, resourceList, actor, in)
}

var resourceList = &command[ResourcesInput, Listing[support.Resource]]{
	name: "resource.list", doc: "List a library: platform-wide, or a group's (SUP-3).", reach: signedIn, rule: "SUP-3", query: true,
	apply: func(c *call[ResourcesInput]) (Listing[support.Resource], error) {
		rd, _, err := c.libraryReader(c.actor, c.in.Group)
		if err != nil {
			return Listing[support.Resource]{}, err
		}
		if !rd.Reads(c.in.Group) {
			return Listing[support.Resource]{}, contractNotFound(c.in.Group)
		}
		shelf := platformShelf
		if !c.in.Group.IsZero() {
			shelf = c.in.Group.String()
		}
		index := "library"
		if c.in.All && rd.Publishes(c.in.Group) {
			index = "shelf"
		}
		return listKey(c.uow, kindResource, key(index, shelf), c.in.ListPage, decodeVersioned(func(r *support.Resource, v int64) { r.Version = v }))
	},
}

// ResourceFileInput names a resource's version (0: the current one) whose file is read.
type ResourceFileInput struct {
	ID      support.ResourceID `json:"id"`
	Version int                `json:"version"`
}

// ResourceFile is a resource version's file.
type ResourceFile struct {
	Name    string `json:"name"`
	Content []byte `json:"content"`
}

// ResourceFileContent returns the file of a version of a resource the actor may see (SUP-3),
// checked against its recorded SHA-256. A Go method only, as DocumentContent: a host serves the
// bytes itself.
//
// Errors: ErrForbidden ("forbidden") for an actor who is not active; ErrNotFound
// ("resource.not_found", SUP-3) for an unknown resource and for one the actor may not see,
// alike; ("resource.no_file") for a version that does not exist or has no file; an error when the
// stored content does not match its SHA-256; the BlobStore's error.
func (g *Gateway) ResourceFileContent(ctx context.Context, actor Actor, in ResourceFileInput) (ResourceFile, error) {
	var f support.File
	err := g.view(ctx, func(u *uow) error {
		if _, err := u.gate(actor, signedIn, target{}, 0, "SUP-3"); err != nil {
			return err
		}
		r, err := u.visibleResource(actor, in.ID)
		if err != nil {
			return err
		}
		v, ok := r.VersionNumbered(in.Version)
		if !ok || v.File == nil {
			return violation.New(ErrNotFound, support.CodeNoFile, "SUP-3", fmt.Sprintf("resource %s has no file in version %d", in.ID, in.Version))
		}
		f = *v.File
		return nil
	})
	if err != nil {
		return ResourceFile{}, err
	}
	b, err := g.blobs.Get(ctx, f.SHA256)
	if err != nil {
		return ResourceFile{}, err
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != f.SHA256 {
		return ResourceFile{}, fmt.Errorf("isg: resource %s: content does not match its SHA-256", in.ID)
	}
	return ResourceFile{Name: f.Name, Content: b}, nil
}

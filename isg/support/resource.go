package support

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/qmuntal/stateless"

	"github.com/isgkit/gateway/isg/violation"
)

// ResourceState is where a resource of the library is (SUP-3). Its text is stable: it is stored.
type ResourceState string

// The resource states: Published (revised any number of times) → Withdrawn.
const (
	// ResourcePublished: in the library, seen by its audience.
	ResourcePublished ResourceState = "published"
	// ResourceWithdrawn: out of the library; only its publishers still see it, with its versions.
	ResourceWithdrawn ResourceState = "withdrawn"
)

// The bounds of a resource's content.
const (
	MaxTitle    = 200
	MaxBody     = 100_000
	MaxURL      = 2000
	MaxFileName = 255
	MaxNote     = 2000
)

// File is a file attached to a resource's version: its name, size (within DOC-1's 5 MB, checked
// by the Gateway before it stores the content) and the SHA-256 its content is kept under.
type File struct {
	Name   string `json:"name"`
	Size   int    `json:"size"`
	SHA256 string `json:"sha256"`
}

// Content is what one version of a resource holds: a title and at least one of a body of text,
// a link and a file.
type Content struct {
	Title string `json:"title"`
	Body  string `json:"body,omitempty"`
	URL   string `json:"url,omitempty"`
	File  *File  `json:"file,omitempty"`
}

func (c Content) equal(d Content) bool {
	return c.Title == d.Title && c.Body == d.Body && c.URL == d.URL &&
		(c.File == nil) == (d.File == nil) && (c.File == nil || *c.File == *d.File)
}

// check names every field of c that breaks SUP-3's bounds.
func (c Content) check() error {
	var fields []FieldError
	switch {
	case !validText(c.Title) || len([]rune(c.Title)) > MaxTitle:
		fields = append(fields, FieldError{Field: "title", Code: "max", Rule: "SUP-3", Message: fmt.Sprintf("must be valid text of at most %d characters", MaxTitle)})
	case blank(c.Title):
		fields = append(fields, required("title", "SUP-3", "is required"))
	}
	if !validText(c.Body) || len([]rune(c.Body)) > MaxBody {
		fields = append(fields, FieldError{Field: "body", Code: "max", Rule: "SUP-3", Message: fmt.Sprintf("must be valid text of at most %d characters", MaxBody)})
	}
	if c.URL != "" {
		if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(c.URL) > MaxURL {
			fields = append(fields, FieldError{Field: "url", Code: "http_url", Rule: "SUP-3", Message: fmt.Sprintf("must be an http or https URL of at most %d characters", MaxURL)})
		}
	}
	if c.File != nil && (blank(c.File.Name) || !validText(c.File.Name) || len([]rune(c.File.Name)) > MaxFileName) {
		fields = append(fields, FieldError{Field: "file_name", Code: "max", Rule: "SUP-3", Message: fmt.Sprintf("a file needs a name of at most %d characters", MaxFileName)})
	}
	if blank(c.Body) && c.URL == "" && c.File == nil {
		fields = append(fields, FieldError{Field: "body", Code: "required_without", Rule: "SUP-3", Message: "a resource holds a body of text, a URL or a file"})
	}
	if len(fields) > 0 {
		return violation.Invalid(fields...)
	}
	return nil
}

// ResourceVersion is one version of a resource. Versions are numbered from 1 and only ever
// appended: a revision never changes what an earlier version said.
type ResourceVersion struct {
	Number int `json:"number"`
	Content
	// Note says what changed (empty on the first version).
	Note string    `json:"note,omitempty"`
	By   UserID    `json:"by"`
	At   time.Time `json:"at"`
}

// Resource is a piece of support documentation in the resources library (SUP-3): platform-wide
// (Group unset), published by the central admin team for every user of the platform; or a
// group's, published by the group's Super Administrators for the group. It keeps every version.
//
// A Resource is a value: every method returns a new Resource and leaves its receiver, and the
// backing array of its Versions, unchanged.
type Resource struct {
	ID ResourceID `json:"id"`
	// Group is the group whose library holds the resource; unset for a platform-wide one.
	Group       GroupID           `json:"group,omitzero"`
	State       ResourceState     `json:"state"`
	Versions    []ResourceVersion `json:"versions"`
	PublishedBy UserID            `json:"published_by"`
	PublishedAt time.Time         `json:"published_at"`
	// WithdrawnBy, WithdrawnAt and WithdrawnReason are set once it is withdrawn.
	WithdrawnBy     UserID    `json:"withdrawn_by,omitzero"`
	WithdrawnAt     time.Time `json:"withdrawn_at,omitzero"`
	WithdrawnReason string    `json:"withdrawn_reason,omitempty"`
	// Version is the stored version, filled in by the Gateway.
	Version int64 `json:"version"`
}

// Current is the resource's latest version.
func (r Resource) Current() ResourceVersion {
	if len(r.Versions) == 0 {
		return ResourceVersion{}
	}
	return r.Versions[len(r.Versions)-1]
}

// VersionNumbered returns version n (1 is the first; 0 the current one).
func (r Resource) VersionNumbered(n int) (ResourceVersion, bool) {
	if n == 0 && len(r.Versions) > 0 {
		return r.Current(), true
	}
	for _, v := range r.Versions {
		if v.Number == n {
			return v, true
		}
	}
	return ResourceVersion{}, false
}

// Reader is what a user is to the library, for one group's resources (or the platform's), as
// the Gateway found it.
type Reader struct {
	// Central: the user is of the central admin team.
	Central bool
	// SuperAdmin: the user is a Super Administrator of the group.
	SuperAdmin bool
	// Member: the user holds a role at an organisation of the group (Member).
	Member bool
}

// Publishes reports whether rd publishes, revises and withdraws the resources of group (zero:
// the platform's): the central team for the platform's; a group's Super Administrators for the
// group's, and the central team, which may act for any organisation for support (ROLE-7). The
// Gateway's permission rows gate the same; this decides what a publisher sees.
func (rd Reader) Publishes(group GroupID) bool {
	if group.IsZero() {
		return rd.Central
	}
	return rd.SuperAdmin || rd.Central
}

// Reads reports whether rd may read the library of group (zero: the platform's, which every
// signed-in user reads): the group's members and its publishers (SUP-3).
func (rd Reader) Reads(group GroupID) bool { return group.IsZero() || rd.Member || rd.Publishes(group) }

// VisibleTo reports whether rd may see r (SUP-3: each resource is visible to its audience only):
// a published resource to the readers of its library (Reads), a withdrawn one to its publishers
// only. The Gateway answers anyone else exactly as for an unknown ID (ResourceNotFound).
func (r Resource) VisibleTo(rd Reader) bool {
	if rd.Publishes(r.Group) {
		return true
	}
	return r.State == ResourcePublished && rd.Reads(r.Group)
}

// The library's steps.
const (
	trRevise   = "revise"
	trWithdraw = "withdraw"
)

// Library is the resource lifecycle (SUP-3): published → (revised) → withdrawn, one stateless
// machine configured once by NewLibrary and shared. Who may publish is the Gateway's permission
// table; the library keeps every version and never changes one.
type Library struct {
	sm *stateless.StateMachine
}

type resourceKey struct{}

// NewLibrary builds the resource lifecycle. A Library must come from here.
func NewLibrary() *Library {
	sm := stateless.NewStateMachineWithExternalStorage(
		func(ctx context.Context) (stateless.State, error) {
			r, _ := ctx.Value(resourceKey{}).(*Resource)
			if r == nil {
				return ResourcePublished, nil
			}
			if r.State != ResourcePublished && r.State != ResourceWithdrawn {
				return nil, refuse(ErrInvalidTransition, CodeResourceWithdrawn, "SUP-3", fmt.Sprintf("unknown resource state %q", r.State))
			}
			return r.State, nil
		},
		func(ctx context.Context, s stateless.State) error {
			ctx.Value(resourceKey{}).(*Resource).State = s.(ResourceState)
			return nil
		}, stateless.FiringImmediate)
	sm.Configure(ResourcePublished).PermitReentry(trRevise).Permit(trWithdraw, ResourceWithdrawn)
	sm.Configure(ResourceWithdrawn)
	sm.OnUnhandledTrigger(func(_ context.Context, state stateless.State, trigger stateless.Trigger, _ []string) error {
		return refuse(ErrInvalidTransition, CodeResourceWithdrawn, "SUP-3", fmt.Sprintf("a %v resource takes no %v: it is neither revised nor withdrawn again", state, trigger))
	})
	return &Library{sm: sm}
}

// Graph returns the lifecycle as DOT text; testdata/machines/resource.dot is its golden copy.
func (l *Library) Graph() string { return l.sm.ToGraph() }

func (l *Library) fire(r Resource, trigger string) (Resource, error) {
	cp := r
	if err := l.sm.FireCtx(context.WithValue(context.Background(), resourceKey{}, &cp), trigger); err != nil {
		return r, err
	}
	return cp, nil
}

// PublishInput is a new resource: its ID, the group whose library it joins (zero: the
// platform's), who publishes it and its first version's content.
type PublishInput struct {
	ID      ResourceID
	Group   GroupID
	By      UserID
	Content Content
}

// Publish puts a new resource in a library (SUP-3) as its version 1.
//
// Errors: ErrInvalid (field errors: id and by required; title, body, url, file_name; a body, URL
// or file is needed, SUP-3).
func (l *Library) Publish(in PublishInput, now time.Time) (Resource, error) {
	var fields []FieldError
	if in.ID.IsZero() {
		fields = append(fields, required("id", "", "is required"))
	}
	if in.By.IsZero() {
		fields = append(fields, required("by", "", "is required"))
	}
	if len(fields) > 0 {
		return Resource{}, violation.Invalid(fields...)
	}
	if err := in.Content.check(); err != nil {
		return Resource{}, err
	}
	now = now.UTC()
	return Resource{ID: in.ID, Group: in.Group, State: ResourcePublished, PublishedBy: in.By, PublishedAt: now,
		Versions: []ResourceVersion{{Number: 1, Content: in.Content, By: in.By, At: now}}}, nil
}

// Revise adds a version with content c and a note of what changed (SUP-3); earlier versions are
// kept unchanged. Content equal to the current version's changes nothing.
//
// Errors: ErrInvalid (field errors as for Publish; note at most MaxNote characters);
// ErrInvalidTransition (CodeResourceWithdrawn).
func (l *Library) Revise(r Resource, by UserID, c Content, note string, now time.Time) (Resource, error) {
	if err := c.check(); err != nil {
		return r, err
	}
	if !validText(note) || len([]rune(note)) > MaxNote {
		return r, violation.Field("note", "max", "SUP-3", fmt.Sprintf("must be valid text of at most %d characters", MaxNote))
	}
	next, err := l.fire(r, trRevise)
	if err != nil || c.equal(r.Current().Content) {
		return r, err
	}
	next.Versions = append(slices.Clip(r.Versions), ResourceVersion{Number: r.Current().Number + 1, Content: c, Note: note, By: by, At: now.UTC()})
	return next, nil
}

// Withdraw takes a resource out of its library, with the reason (SUP-3): its audience no longer
// sees it; its publishers still do, with every version.
//
// Errors: ErrInvalid (reason required, at most MaxNote characters); ErrInvalidTransition
// (CodeResourceWithdrawn).
func (l *Library) Withdraw(r Resource, by UserID, reason string, now time.Time) (Resource, error) {
	switch {
	case blank(reason):
		return r, violation.Invalid(required("reason", "SUP-3", "is required"))
	case !validText(reason) || len([]rune(reason)) > MaxNote:
		return r, violation.Field("reason", "max", "SUP-3", fmt.Sprintf("must be valid text of at most %d characters", MaxNote))
	}
	next, err := l.fire(r, trWithdraw)
	if err != nil {
		return r, err
	}
	next.WithdrawnBy, next.WithdrawnAt, next.WithdrawnReason = by, now.UTC(), reason
	return next, nil
}

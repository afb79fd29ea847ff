package isg

import (
	"context"
	"errors"

	"github.com/isgkit/gateway/isg/directory"
)

const (
	kindMoU          Kind = "mou"
	kindMoUSignature Kind = "mou_signature"
)

// MoU is one version of the Memorandum of Understanding text (MOU-1); directory.MoU.
type MoU = directory.MoU

// MoUSignature is an organisation's signature of one MoU version (MOU-1); directory.MoUSignature.
type MoUSignature = directory.MoUSignature

// SignedMoU is a signed MoU as downloaded, with Valid telling whether the text still hashes to
// the signed hash; directory.SignedMoU.
type SignedMoU = directory.SignedMoU

// HashText is the MoU text hash: lowercase hex SHA-256 of the UTF-8 text as published.
func HashText(text string) string { return directory.HashText(text) }

// PublishMoUInput is a new MoU text.
type PublishMoUInput struct {
	Text string `json:"text" validate:"required,max=200000" rule:"MOU-1"`
}

// PublishMoU publishes the next version of the MoU text (MOU-1): the PublishMoU row, at the
// platform (Central Admin). Earlier versions and their signatures are kept.
//
// Errors: ErrInvalid (field errors naming MOU-1); ErrForbidden ("forbidden", MOU-1) unless the
// actor is Central Admin.
func (g *Gateway) PublishMoU(ctx context.Context, actor Actor, in PublishMoUInput) (MoU, error) {
	return run(ctx, g, mouPublish, actor, in)
}

var mouPublish = &command[PublishMoUInput, MoU]{
	name: "mou.publish", doc: "Publish a new MoU version (MOU-1).", row: PublishMoU, rule: "MOU-1", reach: platform,
	apply: func(c *call[PublishMoUInput]) (MoU, error) {
		cur, err := c.currentMoU()
		if err != nil && !errors.Is(err, ErrNotFound) {
			return MoU{}, err
		}
		m := directory.Publish(cur.Version, c.in.Text, c.actor.User, c.now)
		_, err = c.save(kindMoU, directory.MoUKey(m.Version), 0, m, key("all", "1"))
		return m, err
	},
}

// currentMoU returns the newest MoU version, or ErrNotFound when none is published.
func (u *uow) currentMoU() (MoU, error) {
	all, _, err := findAll[MoU](u, kindMoU, key("all", "1"))
	if err != nil {
		return MoU{}, err
	}
	if len(all) == 0 {
		return MoU{}, &Error{Kind: ErrNotFound, Code: directory.CodeMoUNotPublished, Rule: "MOU-1", Message: "no MoU has been published"}
	}
	return all[len(all)-1], nil
}

// CurrentMoU returns the newest MoU version. Anyone may read it.
//
// Errors: ErrNotFound ("mou.not_published", MOU-1) before the first version is published.
func (g *Gateway) CurrentMoU(ctx context.Context) (MoU, error) {
	return run(ctx, g, mouCurrent, Actor{}, noInput{})
}

var mouCurrent = &command[noInput, MoU]{
	name: "mou.current", doc: "Read the current MoU.", rule: "MOU-1", reach: anyone, query: true,
	apply: func(c *call[noInput]) (MoU, error) { return c.currentMoU() },
}

// SignMoUInput signs the MoU version the signer read. Naming the version (and its hash) makes sure
// the text signed is the text shown, even if a new version is published meanwhile.
type SignMoUInput struct {
	Version int    `json:"version" validate:"required,min=1" rule:"MOU-1"`
	Hash    string `json:"hash" validate:"required,len=64,hexadecimal" rule:"MOU-1"`
}

// SignMoU signs the current MoU for the actor's organisation (MOU-1): the SignMoU row, a Senior
// Officer or a delegate of one (ROLE-3, ROLE-5). The organisation's Administrators and Senior
// Officers are told.
//
// Errors: ErrInvalid (field errors naming MOU-1); ErrForbidden ("forbidden", ROLE-3); ErrNotFound
// ("organisation.not_found", "mou.not_published"); ErrRule ("organisation.closed", ORG-7;
// "mou.not_current", MOU-1, when the version is not the newest or the hash does not match its
// text); ErrConflict ("mou.already_signed", MOU-1).
func (g *Gateway) SignMoU(ctx context.Context, actor Actor, in SignMoUInput) (MoUSignature, error) {
	return run(ctx, g, mouSign, actor, in)
}

var mouSign = &command[SignMoUInput, MoUSignature]{
	name: "mou.sign", doc: "Sign the MoU (MOU-1, ROLE-3).", row: SignMoU, rule: "ROLE-3",
	apply: func(c *call[SignMoUInput]) (MoUSignature, error) {
		o, err := c.loadOrg(c.org)
		if err != nil {
			return MoUSignature{}, err
		}
		if err := o.RequireOpen(); err != nil {
			return MoUSignature{}, err
		}
		cur, err := c.currentMoU()
		if err != nil {
			return MoUSignature{}, err
		}
		signed, err := c.exists(kindMoUSignature, directory.SignatureKey(o.ID, cur.Version))
		if err != nil {
			return MoUSignature{}, err
		}
		s, events, err := directory.Sign(directory.Signing{Org: o, Current: cur, Version: c.in.Version, Hash: c.in.Hash,
			Signer: c.actor.User, Held: c.held, Signed: signed}, c.now)
		if err != nil {
			return MoUSignature{}, err
		}
		if _, err := c.save(kindMoUSignature, s.ID, 0, s, key("org", s.Org.String())); err != nil {
			return MoUSignature{}, err
		}
		return s, c.deliver(events...)
	},
}

// OrgRef names one organisation.
type OrgRef struct {
	Org OrgID `json:"org" validate:"required"`
}

// DownloadSignedMoU returns an organisation's newest MoU signature with the text it signed
// (MOU-1). Any active user may download any organisation's signed MoU.
//
// Errors: ErrInvalid (no organisation named); ErrForbidden ("forbidden", ROLE-7) for an unknown
// or inactive actor; ErrNotFound ("mou.not_signed", MOU-1) when the organisation never signed.
func (g *Gateway) DownloadSignedMoU(ctx context.Context, actor Actor, in OrgRef) (SignedMoU, error) {
	return run(ctx, g, mouDownload, actor, in)
}

var mouDownload = &command[OrgRef, SignedMoU]{
	name: "mou.download", doc: "Download an organisation's signed MoU (MOU-1).", rule: "MOU-1", reach: signedIn, query: true,
	apply: func(c *call[OrgRef]) (SignedMoU, error) {
		sigs, _, err := findAll[MoUSignature](c.uow, kindMoUSignature, key("org", c.in.Org.String()))
		if err != nil {
			return SignedMoU{}, err
		}
		if len(sigs) == 0 {
			return SignedMoU{}, &Error{Kind: ErrNotFound, Code: directory.CodeMoUNotSigned, Rule: "MOU-1", Message: "the organisation has not signed the MoU"}
		}
		s := sigs[len(sigs)-1]
		var m MoU
		if _, err := c.load(kindMoU, directory.MoUKey(s.MoUVersion), &m); err != nil {
			return SignedMoU{}, err
		}
		return directory.Signed(m, s), nil
	},
}

// hasSignedMoU reports whether org signed the current MoU version (ORG-2).
func (u *uow) hasSignedMoU(org OrgID) (bool, error) {
	cur, err := u.currentMoU()
	if errors.Is(err, ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return u.exists(kindMoUSignature, directory.SignatureKey(org, cur.Version))
}

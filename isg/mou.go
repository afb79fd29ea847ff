package isg

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

const (
	kindMoU          Kind = "mou"
	kindMoUSignature Kind = "mou_signature"
)

// MoU is one version of the Memorandum of Understanding text (MOU-1).
type MoU struct {
	Version     int       `json:"version"`
	Text        string    `json:"text"`
	Hash        string    `json:"hash"`
	PublishedBy UserID    `json:"published_by"`
	PublishedAt time.Time `json:"published_at"`
}

// MoUSignature is an organisation's signature of one MoU version (MOU-1): version, signer, time
// and the SHA-256 of the text signed.
type MoUSignature struct {
	ID         string    `json:"id"`
	Org        OrgID     `json:"org"`
	MoUVersion int       `json:"mou_version"`
	Hash       string    `json:"hash"`
	Signer     UserID    `json:"signer"`
	SignerRole Role      `json:"signer_role"`
	SignedAt   time.Time `json:"signed_at"`
}

// HashText is the MoU text hash: lowercase hex SHA-256 of the UTF-8 text as published.
func HashText(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

func mouID(version int) string { return fmt.Sprintf("%010d", version) }

// PublishMoUInput is a new MoU text.
type PublishMoUInput struct {
	Text string `json:"text" validate:"required,max=200000" rule:"MOU-1"`
}

// PublishMoU publishes the next version of the MoU text (MOU-1). Central Admin only. Earlier
// versions and their signatures are kept.
func (g *Gateway) PublishMoU(ctx context.Context, actor Actor, in PublishMoUInput) (MoU, error) {
	if err := validateInput(in, "MOU-1"); err != nil {
		return MoU{}, err
	}
	var out MoU
	err := g.update(ctx, func(u *uow) error {
		if err := u.requireCentralAdmin(actor, "MOU-1"); err != nil {
			return err
		}
		cur, err := u.currentMoU()
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		m := MoU{Version: cur.Version + 1, Text: in.Text, Hash: HashText(in.Text), PublishedBy: actor.User, PublishedAt: u.now}
		if _, err := u.save(kindMoU, mouID(m.Version), 0, m, key("all", "1")); err != nil {
			return err
		}
		out = m
		return nil
	})
	return out, err
}

// currentMoU returns the newest MoU version, or ErrNotFound when none is published.
func (u *uow) currentMoU() (MoU, error) {
	all, _, err := findAll[MoU](u, kindMoU, key("all", "1"))
	if err != nil {
		return MoU{}, err
	}
	if len(all) == 0 {
		return MoU{}, &Error{Kind: ErrNotFound, Code: "mou.not_published", Rule: "MOU-1", Message: "no MoU has been published"}
	}
	return all[len(all)-1], nil
}

// CurrentMoU returns the newest MoU version.
func (g *Gateway) CurrentMoU(ctx context.Context) (MoU, error) {
	var out MoU
	err := g.view(ctx, func(u *uow) error {
		var err error
		out, err = u.currentMoU()
		return err
	})
	return out, err
}

// SignMoUInput signs the MoU version the signer read. Naming the version (and its hash) makes sure
// the text signed is the text shown, even if a new version is published meanwhile.
type SignMoUInput struct {
	Version int    `json:"version" validate:"required,min=1" rule:"MOU-1"`
	Hash    string `json:"hash" validate:"required,len=64,hexadecimal" rule:"MOU-1"`
}

// SignMoU signs the current MoU for the actor's organisation (MOU-1). Only a Senior Officer or a
// delegate of one may sign (ROLE-3).
//
// Errors: ErrInvalid; ErrForbidden (ROLE-3); ErrRule ("mou.not_current" when the version is not the
// newest or the hash does not match its text); ErrConflict ("mou.already_signed").
func (g *Gateway) SignMoU(ctx context.Context, actor Actor, in SignMoUInput) (MoUSignature, error) {
	if err := validateInput(in, "MOU-1"); err != nil {
		return MoUSignature{}, err
	}
	var out MoUSignature
	err := g.update(ctx, func(u *uow) error {
		held, err := u.authorizeAt(actor, actor.Org, SignMoU, "ROLE-3")
		if err != nil {
			return err
		}
		if _, err := u.openOrg(actor.Org); err != nil {
			return err
		}
		cur, err := u.currentMoU()
		if err != nil {
			return err
		}
		if cur.Version != in.Version || cur.Hash != in.Hash {
			return &Error{Kind: ErrRule, Code: "mou.not_current", Rule: "MOU-1", Message: fmt.Sprintf("the current MoU is version %d with hash %s", cur.Version, cur.Hash)}
		}
		role := SeniorOfficer
		if !held.Has(SeniorOfficer) {
			role = Delegate
		}
		s := MoUSignature{ID: actor.Org.String() + "/" + mouID(cur.Version), Org: actor.Org, MoUVersion: cur.Version, Hash: cur.Hash,
			Signer: actor.User, SignerRole: role, SignedAt: u.now}
		if _, err := u.tx.Get(u.ctx, kindMoUSignature, s.ID); err == nil {
			return &Error{Kind: ErrConflict, Code: "mou.already_signed", Rule: "MOU-1", Message: "the organisation has already signed this version"}
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if _, err := u.save(kindMoUSignature, s.ID, 0, s, key("org", actor.Org.String())); err != nil {
			return err
		}
		out = s
		return u.notifyRoles(EventMoUSigned, actor.Org, Of(Administrator, SeniorOfficer), map[string]string{"version": fmt.Sprint(cur.Version)})
	})
	return out, err
}

// SignedMoU is a signed MoU as downloaded: the text and the signature, with Valid telling whether
// the text still hashes to the signed hash.
type SignedMoU struct {
	MoU       MoU          `json:"mou"`
	Signature MoUSignature `json:"signature"`
	Valid     bool         `json:"valid"`
}

// DownloadSignedMoU returns an organisation's newest MoU signature with the text it signed
// (MOU-1). Any active user may download any organisation's signed MoU.
//
// Errors: ErrNotFound ("mou.not_signed") when the organisation never signed.
func (g *Gateway) DownloadSignedMoU(ctx context.Context, actor Actor, org OrgID) (SignedMoU, error) {
	var out SignedMoU
	err := g.view(ctx, func(u *uow) error {
		if _, err := u.activeUser(actor.User); err != nil {
			return err
		}
		sigs, _, err := findAll[MoUSignature](u, kindMoUSignature, key("org", org.String()))
		if err != nil {
			return err
		}
		if len(sigs) == 0 {
			return &Error{Kind: ErrNotFound, Code: "mou.not_signed", Rule: "MOU-1", Message: "the organisation has not signed the MoU"}
		}
		s := sigs[len(sigs)-1]
		var m MoU
		if _, err := u.load(kindMoU, mouID(s.MoUVersion), &m); err != nil {
			return err
		}
		out = SignedMoU{MoU: m, Signature: s, Valid: HashText(m.Text) == s.Hash}
		return nil
	})
	return out, err
}

// hasSignedMoU reports whether org signed the current MoU version (ORG-2).
func (u *uow) hasSignedMoU(org OrgID) (bool, error) {
	cur, err := u.currentMoU()
	if errors.Is(err, ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	_, err = u.tx.Get(u.ctx, kindMoUSignature, org.String()+"/"+mouID(cur.Version))
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

package directory

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
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

// MoUKey is a version's stored ID: zero-padded, so that versions sort in order.
func MoUKey(version int) string { return fmt.Sprintf("%010d", version) }

// SignatureKey is the ID of org's signature of a version: one per organisation and version.
func SignatureKey(org OrgID, version int) string { return org.String() + "/" + MoUKey(version) }

// Publish makes the version after latest (0 when none is published) of the MoU text (MOU-1).
// Earlier versions and their signatures are kept.
func Publish(latest int, text string, by UserID, now time.Time) MoU {
	return MoU{Version: latest + 1, Text: text, Hash: HashText(text), PublishedBy: by, PublishedAt: now}
}

// Signing is what a signature of the MoU needs.
type Signing struct {
	// Org signs; it must be open.
	Org Organisation
	// Current is the newest version; Version and Hash are what the signer read, so the text
	// signed is the text shown even if a new version is published meanwhile.
	Current MoU
	Version int
	Hash    string
	// Signer signs holding Held at Org: a Senior Officer, or a delegate of one (ROLE-3, ROLE-5).
	Signer UserID
	Held   RoleSet
	// Signed says the organisation has signed this version already.
	Signed bool
}

// Sign records the organisation's signature of the current MoU (MOU-1). Its Administrators and
// Senior Officers are told.
func Sign(s Signing, now time.Time) (MoUSignature, []Event, error) {
	if err := s.Org.RequireOpen(); err != nil {
		return MoUSignature{}, nil, err
	}
	if s.Current.Version != s.Version || s.Current.Hash != s.Hash {
		return MoUSignature{}, nil, refuse(ErrRule, CodeMoUNotCurrent, "MOU-1", fmt.Sprintf("the current MoU is version %d with hash %s", s.Current.Version, s.Current.Hash))
	}
	if s.Signed {
		return MoUSignature{}, nil, refuse(ErrConflict, CodeMoUAlreadySigned, "MOU-1", "the organisation has already signed this version")
	}
	role := SeniorOfficer
	if !s.Held.Has(SeniorOfficer) {
		role = Delegate
	}
	sig := MoUSignature{ID: SignatureKey(s.Org.ID, s.Current.Version), Org: s.Org.ID, MoUVersion: s.Current.Version, Hash: s.Current.Hash,
		Signer: s.Signer, SignerRole: role, SignedAt: now}
	return sig, []Event{{Type: EventMoUSigned, Org: s.Org.ID, Data: map[string]string{"version": fmt.Sprint(s.Current.Version)},
		To: Audience{Roles: Of(Administrator, SeniorOfficer), RolesAt: []OrgID{s.Org.ID}}}}, nil
}

// SignedMoU is a signed MoU as downloaded: the text and the signature, with Valid telling whether
// the text still hashes to the signed hash.
type SignedMoU struct {
	MoU       MoU          `json:"mou"`
	Signature MoUSignature `json:"signature"`
	Valid     bool         `json:"valid"`
}

// Signed pairs a signature with the text of the version it signed and checks the hash (MOU-1).
func Signed(m MoU, s MoUSignature) SignedMoU {
	return SignedMoU{MoU: m, Signature: s, Valid: HashText(m.Text) == s.Hash}
}

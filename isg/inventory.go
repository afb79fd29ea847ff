package isg

import (
	"context"
	"slices"
	"time"
)

const kindAsset Kind = "information_asset"

// DataKind is a kind of data an information asset holds (ORG-10).
type DataKind string

// Data kinds.
const (
	DataPersonal        DataKind = "personal"
	DataSpecialCategory DataKind = "special_category"
	DataCommercial      DataKind = "commercial"
	DataOther           DataKind = "other"
)

// InformationAsset is an entry of an organisation's data inventory (ORG-10): a system or a set
// of manual records. Data flows may name the assets they draw on.
type InformationAsset struct {
	ID           string     `json:"id"`
	Org          OrgID      `json:"org"`
	Name         string     `json:"name"`
	Location     string     `json:"location"`
	Owner        string     `json:"owner"`
	Kinds        []DataKind `json:"kinds"`
	DataSubjects string     `json:"data_subjects"`
	Format       string     `json:"format"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	Version      int64      `json:"version"`
}

// AssetInput describes an information asset.
type AssetInput struct {
	// ID is empty to add an asset, or the asset to edit.
	ID       string `json:"id,omitempty"`
	Name     string `json:"name" validate:"required,max=200" rule:"ORG-10"`
	Location string `json:"location" validate:"required,max=500" rule:"ORG-10"`
	// Owner is the Information Asset Owner.
	Owner        string     `json:"owner" validate:"required,max=200" rule:"ORG-10"`
	Kinds        []DataKind `json:"kinds" validate:"required,min=1,dive,oneof=personal special_category commercial other" rule:"ORG-10"`
	DataSubjects string     `json:"data_subjects" validate:"required,max=500" rule:"ORG-10"`
	Format       string     `json:"format" validate:"required,oneof=electronic manual both" rule:"ORG-10"`
}

// SaveAsset adds or edits an information asset of the actor's organisation (ORG-10). Needs
// EditInventory (Administrator, IG/Project Officer, Information Asset Owner).
func (g *Gateway) SaveAsset(ctx context.Context, actor Actor, in AssetInput) (InformationAsset, error) {
	if err := validateInput(in, "ORG-10"); err != nil {
		return InformationAsset{}, err
	}
	var out InformationAsset
	err := g.update(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, EditInventory, "ROLE-8"); err != nil {
			return err
		}
		if _, err := u.openOrg(actor.Org); err != nil {
			return err
		}
		a := InformationAsset{ID: in.ID, Org: actor.Org, CreatedAt: u.now}
		if in.ID != "" {
			v, err := u.load(kindAsset, in.ID, &a)
			if err != nil {
				return err
			}
			if a.Org != actor.Org {
				return &Error{Kind: ErrNotFound, Code: "information_asset.not_found", Message: "no such asset at the organisation"}
			}
			a.Version = v
		} else {
			a.ID = u.newID().String()
		}
		a.Name, a.Location, a.Owner, a.Kinds, a.DataSubjects, a.Format = in.Name, in.Location, in.Owner, slices.Clone(in.Kinds), in.DataSubjects, in.Format
		a.UpdatedAt = u.now
		v, err := u.save(kindAsset, a.ID, a.Version, a, key("org", a.Org.String()))
		a.Version = v
		out = a
		return err
	})
	return out, err
}

// Assets lists the data inventory of the actor's organisation.
func (g *Gateway) Assets(ctx context.Context, actor Actor) ([]InformationAsset, error) {
	var out []InformationAsset
	err := g.view(ctx, func(u *uow) error {
		if _, err := u.authorizeAt(actor, actor.Org, ViewOrganisation, "ROLE-8"); err != nil {
			return err
		}
		var versions []int64
		var err error
		out, versions, err = findAll[InformationAsset](u, kindAsset, key("org", actor.Org.String()))
		for i := range out {
			out[i].Version = versions[i]
		}
		return err
	})
	return out, err
}

// moveInventory moves every asset of from to to (ORG-6).
func (u *uow) moveInventory(from, to OrgID) error {
	assets, versions, err := findAll[InformationAsset](u, kindAsset, key("org", from.String()))
	if err != nil {
		return err
	}
	for i, a := range assets {
		a.Org = to
		if _, err := u.save(kindAsset, a.ID, versions[i], a, key("org", to.String())); err != nil {
			return err
		}
	}
	return nil
}

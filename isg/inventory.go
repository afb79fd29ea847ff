package isg

import (
	"context"

	"github.com/isgkit/gateway/isg/directory"
)

const kindAsset Kind = "information_asset"

// DataKind is a kind of data an information asset holds (ORG-10); directory.DataKind.
type DataKind = directory.DataKind

// Data kinds (directory's).
const (
	DataPersonal        = directory.DataPersonal
	DataSpecialCategory = directory.DataSpecialCategory
	DataCommercial      = directory.DataCommercial
	DataOther           = directory.DataOther
)

// InformationAsset is an entry of an organisation's data inventory (ORG-10);
// directory.InformationAsset.
type InformationAsset = directory.InformationAsset

// AssetID identifies an information asset.
type AssetID = directory.AssetID

// AssetInput describes an information asset (directory.AssetInput).
type AssetInput = directory.AssetInput

func (u *uow) saveAsset(a InformationAsset) (InformationAsset, error) {
	v, err := u.save(kindAsset, a.ID.String(), a.Version, a, key("org", a.Org.String()))
	a.Version = v
	return a, err
}

// SaveAsset adds or edits an information asset of the actor's organisation (ORG-10): the
// EditInventory row (Administrator, IG/Project Officer, Information Asset Owner).
//
// Errors: ErrInvalid (field errors naming ORG-10); ErrForbidden ("forbidden", ROLE-8);
// ErrNotFound ("information_asset.not_found") for an unknown asset and another organisation's
// alike; ErrRule ("organisation.closed", ORG-7).
func (g *Gateway) SaveAsset(ctx context.Context, actor Actor, in AssetInput) (InformationAsset, error) {
	return run(ctx, g, inventorySaveAsset, actor, in)
}

var inventorySaveAsset = &command[AssetInput, InformationAsset]{
	name: "inventory.save_asset", doc: "Add or edit an information asset (ORG-10).", row: EditInventory, rule: "ROLE-8",
	apply: func(c *call[AssetInput]) (InformationAsset, error) {
		o, err := c.loadOrg(c.org)
		if err != nil {
			return InformationAsset{}, err
		}
		var cur *InformationAsset
		id := c.in.ID
		if !id.IsZero() {
			var a InformationAsset
			v, err := c.load(kindAsset, id.String(), &a)
			if err != nil {
				return InformationAsset{}, err
			}
			a.Version, cur = v, &a
		} else {
			id = AssetID{UUID: c.newID()}
		}
		a, err := directory.SaveAsset(o, cur, id, c.in, c.now)
		if err != nil {
			return InformationAsset{}, err
		}
		return c.saveAsset(a)
	},
}

// Assets lists the data inventory of the actor's organisation, a page at a time; every role there may
// (ViewOrganisation).
//
// Errors: ErrForbidden ("forbidden", ROLE-8); ErrNotFound ("organisation.not_found").
func (g *Gateway) Assets(ctx context.Context, actor Actor, in ListPage) (Listing[InformationAsset], error) {
	return run(ctx, g, inventoryAssets, actor, in)
}

var inventoryAssets = &command[ListPage, Listing[InformationAsset]]{
	name: "inventory.assets", doc: "List the data inventory (ORG-10).", row: ViewOrganisation, rule: "ROLE-8", query: true, arrayOnWire: true,
	apply: func(c *call[ListPage]) (Listing[InformationAsset], error) {
		return listKey(c.uow, kindAsset, key("org", c.org.String()), c.in, decodeVersioned(func(x *InformationAsset, v int64) { x.Version = v }))
	},
}

// moveInventory moves every asset of from to to (ORG-6).
func (u *uow) moveInventory(from, to OrgID) error {
	assets, versions, err := findAll[InformationAsset](u, kindAsset, key("org", from.String()))
	if err != nil {
		return err
	}
	for i, a := range assets {
		a.Version = versions[i]
		if _, err := u.saveAsset(directory.MoveAsset(a, to)); err != nil {
			return err
		}
	}
	return nil
}

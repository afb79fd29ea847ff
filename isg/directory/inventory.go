package directory

import (
	"slices"
	"time"
)

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
	ID           AssetID    `json:"id"`
	Org          OrgID      `json:"org"`
	Name         string     `json:"name"`
	Location     string     `json:"location"`
	Owner        string     `json:"owner"`
	Kinds        []DataKind `json:"kinds"`
	DataSubjects string     `json:"data_subjects"`
	Format       string     `json:"format"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	// Version is the stored version, filled in by the Gateway.
	Version int64 `json:"version"`
}

// AssetInput describes an information asset.
type AssetInput struct {
	// ID is unset to add an asset, or the asset to edit.
	ID       AssetID `json:"id,omitzero"`
	Name     string  `json:"name" validate:"required,max=200" rule:"ORG-10"`
	Location string  `json:"location" validate:"required,max=500" rule:"ORG-10"`
	// Owner is the Information Asset Owner.
	Owner        string     `json:"owner" validate:"required,max=200" rule:"ORG-10"`
	Kinds        []DataKind `json:"kinds" validate:"required,min=1,dive,oneof=personal special_category commercial other" rule:"ORG-10"`
	DataSubjects string     `json:"data_subjects" validate:"required,max=500" rule:"ORG-10"`
	Format       string     `json:"format" validate:"required,oneof=electronic manual both" rule:"ORG-10"`
}

// SaveAsset adds an asset to the open organisation o's inventory (cur nil; id is the new asset's)
// or edits cur, which must be o's: another organisation's asset is not found, as an unknown one
// is (ORG-10).
func SaveAsset(o Organisation, cur *InformationAsset, id AssetID, in AssetInput, now time.Time) (InformationAsset, error) {
	if err := o.RequireOpen(); err != nil {
		return InformationAsset{}, err
	}
	a := InformationAsset{ID: id, Org: o.ID, CreatedAt: now}
	if cur != nil {
		if cur.Org != o.ID {
			return InformationAsset{}, refuse(ErrNotFound, CodeAssetNotFound, "", "no such asset at the organisation")
		}
		a = *cur
	}
	a.Name, a.Location, a.Owner, a.Kinds, a.DataSubjects, a.Format = in.Name, in.Location, in.Owner, slices.Clone(in.Kinds), in.DataSubjects, in.Format
	a.UpdatedAt = now
	return a, nil
}

// MoveAsset moves an asset to the surviving organisation of a merge (ORG-6).
func MoveAsset(a InformationAsset, to OrgID) InformationAsset {
	a.Org = to
	return a
}

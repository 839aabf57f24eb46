package model

import "time"

// OrgKind is the kind of an organisation, as the contract names them.
type OrgKind string

// The organisation kinds of the contract.
const (
	OrgBureau             OrgKind = "bureau"
	OrgAidCenter          OrgKind = "aid_center"
	OrgLawFirm            OrgKind = "law_firm"
	OrgLegalServiceOffice OrgKind = "legal_service_office"
	OrgJudicialOffice     OrgKind = "judicial_office"
	OrgJudicialOrgan      OrgKind = "judicial_organ"
)

// OrgKinds lists every kind, in the order forms show them.
var OrgKinds = []OrgKind{OrgBureau, OrgAidCenter, OrgLawFirm, OrgLegalServiceOffice, OrgJudicialOffice, OrgJudicialOrgan}

// OrgKindLabels are the Chinese names shown to people.
var OrgKindLabels = map[OrgKind]string{
	OrgBureau: "司法局", OrgAidCenter: "法律援助中心", OrgLawFirm: "律师事务所",
	OrgLegalServiceOffice: "法律服务所", OrgJudicialOffice: "司法所", OrgJudicialOrgan: "司法机关",
}

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool { _, ok := OrgKindLabels[k]; return ok }

// Org is an organisation: the bureau, the aid centre, a firm, an office. Organisations nest
// (bureau → aid centre, firms, offices) through ParentID.
type Org struct {
	ID        uint64  `gorm:"primaryKey"`
	Name      string  `gorm:"size:100;not null;uniqueIndex"`
	Kind      OrgKind `gorm:"size:32;not null;index"`
	ParentID  *uint64 `gorm:"index"`
	Disabled  bool    `gorm:"not null;default:false"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// OrgResponse is an organisation on the wire.
type OrgResponse struct {
	ID        ID      `json:"id"`
	Name      string  `json:"name"`
	Kind      OrgKind `json:"kind"`
	KindLabel string  `json:"kind_label"`
	ParentID  *ID     `json:"parent_id"`
	Disabled  bool    `json:"disabled"`
	CreatedAt Time    `json:"created_at"`
	UpdatedAt Time    `json:"updated_at"`
}

// NewOrgResponse converts an organisation for the wire.
func NewOrgResponse(o *Org) OrgResponse {
	r := OrgResponse{ID: ID(o.ID), Name: o.Name, Kind: o.Kind, KindLabel: OrgKindLabels[o.Kind], Disabled: o.Disabled,
		CreatedAt: NewTime(o.CreatedAt), UpdatedAt: NewTime(o.UpdatedAt)}
	if o.ParentID != nil {
		p := ID(*o.ParentID)
		r.ParentID = &p
	}
	return r
}

// CreateOrgRequest is what an admin may set on a new organisation.
type CreateOrgRequest struct {
	Name     string  `json:"name"`
	Kind     OrgKind `json:"kind"`
	ParentID *ID     `json:"parent_id"`
}

// UpdateOrgRequest changes an organisation; absent fields stay.
type UpdateOrgRequest struct {
	Name     *string `json:"name"`
	ParentID *ID     `json:"parent_id"`
	Disabled *bool   `json:"disabled"`
}

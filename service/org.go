package service

import (
	"context"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"fayuan/internal/clock"
	"fayuan/model"
)

// Orgs manages organisations (admin only).
type Orgs struct {
	db    *gorm.DB
	clock clock.Clock
	audit *Audit
}

// NewOrgs builds the organisation service.
func NewOrgs(db *gorm.DB, c clock.Clock, audit *Audit) *Orgs {
	return &Orgs{db: db, clock: c, audit: audit}
}

var (
	errOrgNotFound  = model.NotFound("org_not_found", "机构不存在")
	errOrgNameTaken = model.Conflict("org_name_taken", "已有同名机构")
)

// List returns every organisation, parents before children by id.
func (s *Orgs) List(ctx context.Context, by model.Actor, p model.Page) (*model.List[model.OrgResponse], error) {
	if !by.Is(model.RoleAdmin) {
		return nil, model.ErrRoleForbidden
	}
	var total int64
	if err := s.db.WithContext(ctx).Model(&model.Org{}).Count(&total).Error; err != nil {
		return nil, err
	}
	var rows []model.Org
	if err := s.db.WithContext(ctx).Order("id").Offset(p.Offset()).Limit(p.PageSize).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := &model.List[model.OrgResponse]{Items: make([]model.OrgResponse, len(rows)), Total: total, Page: p.Page, PageSize: p.PageSize}
	for i := range rows {
		out.Items[i] = model.NewOrgResponse(&rows[i])
	}
	return out, nil
}

// Create adds an organisation under an existing parent.
func (s *Orgs) Create(ctx context.Context, by model.Actor, req model.CreateOrgRequest) (*model.OrgResponse, error) {
	if !by.Is(model.RoleAdmin) {
		return nil, model.ErrRoleForbidden
	}
	name := strings.TrimSpace(req.Name)
	bad := map[string]string{}
	if n := utf8.RuneCountInString(name); n == 0 || n > 100 {
		bad["name"] = "机构名称应为 1–100 个字"
	}
	if !req.Kind.Valid() {
		bad["kind"] = "机构类型应为 bureau、aid_center、law_firm、legal_service_office、judicial_office 或 judicial_organ"
	}
	if len(bad) > 0 {
		return nil, model.Invalid(bad)
	}
	now := s.clock.Now()
	o := model.Org{Name: name, Kind: req.Kind, CreatedAt: now, UpdatedAt: now}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if req.ParentID != nil && *req.ParentID != 0 {
			if err := tx.Take(&model.Org{}, uint64(*req.ParentID)).Error; err != nil {
				return notFoundAs(err, model.InvalidField("parent_id", "上级机构不存在"))
			}
			pid := uint64(*req.ParentID)
			o.ParentID = &pid
		}
		if err := tx.Create(&o).Error; err != nil {
			return duplicateAs(err, errOrgNameTaken)
		}
		return s.audit.Record(tx, by, Entry{Action: "org.create", ObjectType: "org", ObjectID: o.ID, After: auditOrg(&o)})
	})
	if err != nil {
		return nil, err
	}
	r := model.NewOrgResponse(&o)
	return &r, nil
}

// Update renames, moves or disables an organisation. A move that would make it its own
// ancestor is refused.
func (s *Orgs) Update(ctx context.Context, by model.Actor, id model.ID, req model.UpdateOrgRequest) (*model.OrgResponse, error) {
	if !by.Is(model.RoleAdmin) {
		return nil, model.ErrRoleForbidden
	}
	var o model.Org
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Take(&o, uint64(id)).Error; err != nil {
			return notFoundAs(err, errOrgNotFound)
		}
		before := auditOrg(&o)
		if req.Name != nil {
			name := strings.TrimSpace(*req.Name)
			if n := utf8.RuneCountInString(name); n == 0 || n > 100 {
				return model.InvalidField("name", "机构名称应为 1–100 个字")
			}
			o.Name = name
		}
		if req.ParentID != nil {
			if err := s.checkParent(tx, o.ID, uint64(*req.ParentID)); err != nil {
				return err
			}
			o.ParentID = nil
			if *req.ParentID != 0 {
				pid := uint64(*req.ParentID)
				o.ParentID = &pid
			}
		}
		if req.Disabled != nil {
			o.Disabled = *req.Disabled
		}
		o.UpdatedAt = s.clock.Now()
		// UpdateColumns: Updates would overwrite updated_at with the wall clock, not the injected one.
		if err := tx.Select("name", "parent_id", "disabled", "updated_at").UpdateColumns(&o).Error; err != nil {
			return duplicateAs(err, errOrgNameTaken)
		}
		return s.audit.Record(tx, by, Entry{Action: "org.update", ObjectType: "org", ObjectID: o.ID, Before: before, After: auditOrg(&o)})
	})
	if err != nil {
		return nil, err
	}
	r := model.NewOrgResponse(&o)
	return &r, nil
}

// checkParent walks up from parent and refuses a cycle back to id.
func (s *Orgs) checkParent(tx *gorm.DB, id, parent uint64) error {
	for depth := 0; parent != 0; depth++ {
		if parent == id || depth > 20 {
			return model.InvalidField("parent_id", "上级机构不能是本机构或其下级")
		}
		var p model.Org
		if err := tx.Take(&p, parent).Error; err != nil {
			return notFoundAs(err, model.InvalidField("parent_id", "上级机构不存在"))
		}
		if p.ParentID == nil {
			return nil
		}
		parent = *p.ParentID
	}
	return nil
}

// auditOrg is what an organisation's audit hash covers: the fields an admin sets, not the
// timestamps, whose precision differs between the clock and the database, so that the hash one
// write leaves is the hash the next write finds.
func auditOrg(o *model.Org) map[string]any {
	return map[string]any{"name": o.Name, "kind": o.Kind, "parent_id": o.ParentID, "disabled": o.Disabled}
}

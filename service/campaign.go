package service

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fayuan/campaigns"
	"fayuan/internal/clock"
	"fayuan/model"
)

// TemplateSource yields campaign templates by key; campaigns.Templates is the real one.
type TemplateSource interface {
	Get(key string) ([]byte, error)
	Keys() ([]string, error)
}

// Campaigns manages campaigns: their definition, exclusions and the phase windows.
type Campaigns struct {
	db        *gorm.DB
	clock     clock.Clock
	audit     *Audit
	templates TemplateSource
	seed      func() int64
	samples   sync.Map // sampleKey → sampleDone: the callers' visited samples, see visitsDoneCounted
}

// NewCampaigns builds the campaign service. seed draws a new campaign's visit-sample seed; nil
// draws from crypto/rand.
func NewCampaigns(db *gorm.DB, c clock.Clock, audit *Audit, templates TemplateSource, seed func() int64) *Campaigns {
	if seed == nil {
		seed = randomSeed
	}
	return &Campaigns{db: db, clock: c, audit: audit, templates: templates, seed: seed}
}

// randomSeed is a positive seed below 2^31, so it survives JavaScript's numbers unchanged.
func randomSeed() int64 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return int64(binary.BigEndian.Uint32(b[:])>>1) + 1
}

var (
	errCampaignNotFound = model.NotFound("campaign_not_found", "评查回访活动不存在")
	errTemplateNotFound = model.InvalidField("template", "没有这个活动模板")
	errForceReason      = model.InvalidField("reason", "强制修改须填写原因")
)

// Templates lists the campaign templates a manager may start from.
func (s *Campaigns) Templates(ctx context.Context, by model.Actor) ([]model.TemplateResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	keys, err := s.templates.Keys()
	if err != nil {
		return nil, err
	}
	out := []model.TemplateResponse{}
	for _, k := range keys {
		spec, err := s.template(k)
		if err != nil {
			continue // a broken file of a bureau's own is reported when someone uses it
		}
		out = append(out, model.TemplateResponse{Key: k, Name: spec.Name, DocumentNo: spec.DocumentNo})
	}
	return out, nil
}

// template decodes a template file strictly: a misspelt field in a bureau's file must not pass
// silently. Settings the file leaves out keep their defaults.
func (s *Campaigns) template(key string) (model.CampaignSpec, error) {
	spec := model.CampaignSpec{Settings: model.DefaultCampaignSettings()}
	b, err := s.templates.Get(key)
	if errors.Is(err, campaigns.ErrNotFound) {
		return spec, errTemplateNotFound
	}
	if err != nil {
		return spec, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&spec); err != nil {
		return spec, model.InvalidField("template", "模板文件格式有误："+err.Error())
	}
	return spec, nil
}

// List returns the campaigns, newest first (managers).
func (s *Campaigns) List(ctx context.Context, by model.Actor, p model.Page) (*model.List[model.CampaignResponse], error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	q := s.db.WithContext(ctx).Model(&model.Campaign{})
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, err
	}
	var rows []model.Campaign
	if err := q.Order("id DESC").Offset(p.Offset()).Limit(p.PageSize).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := &model.List[model.CampaignResponse]{Items: make([]model.CampaignResponse, len(rows)), Total: total, Page: p.Page, PageSize: p.PageSize}
	for i := range rows {
		out.Items[i] = model.NewCampaignResponse(&rows[i], true)
	}
	return out, nil
}

// Get returns one campaign to a manager or to anyone working in it; to anyone else it does
// not exist.
func (s *Campaigns) Get(ctx context.Context, by model.Actor, id model.ID) (*model.CampaignResponse, error) {
	c, err := visibleCampaign(s.db.WithContext(ctx), by, uint64(id))
	if err != nil {
		return nil, err
	}
	r := model.NewCampaignResponse(c, by.Is(model.RoleManager))
	return &r, nil
}

// visibleCampaign loads a campaign by may see: managers see all, others the campaigns they hold
// or held an assignment in.
func visibleCampaign(tx *gorm.DB, by model.Actor, id uint64) (*model.Campaign, error) {
	var c model.Campaign
	if err := tx.Take(&c, id).Error; err != nil {
		return nil, notFoundAs(err, errCampaignNotFound)
	}
	if by.Is(model.RoleManager) {
		return &c, nil
	}
	for _, q := range []*gorm.DB{
		tx.Model(&model.CaseAssignment{}).Where("campaign_id = ? AND user_id = ?", id, by.UserID),
		tx.Model(&model.AssignmentEvent{}).Where("campaign_id = ? AND from_user_id = ?", id, by.UserID),
		tx.Model(&model.ReviewSheet{}).Where("campaign_id = ? AND reviewer_id = ?", id, by.UserID),
	} {
		found, err := exists(q)
		if err != nil {
			return nil, err
		}
		if found {
			return &c, nil
		}
	}
	return nil, errCampaignNotFound
}

// exists reports whether q finds any row, reading at most one.
func exists(q *gorm.DB) (bool, error) {
	var one []int
	err := q.Select("1").Limit(1).Scan(&one).Error
	return len(one) > 0, err
}

// Create starts a campaign from a template, a full body, or a template with changes.
func (s *Campaigns) Create(ctx context.Context, by model.Actor, req model.CreateCampaignRequest) (*model.CampaignResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	spec := model.CampaignSpec{Settings: model.DefaultCampaignSettings()}
	key := strings.TrimSpace(req.Template)
	if key != "" {
		var err error
		if spec, err = s.template(key); err != nil {
			return nil, err
		}
	}
	applyFields(&spec, req.CampaignFields)
	if err := validateSpec(&spec); err != nil {
		return nil, err
	}
	if spec.Settings.VisitSeed == 0 {
		spec.Settings.VisitSeed = s.seed()
	}
	now := s.clock.Now()
	c := model.Campaign{Template: key, Version: 1, CreatedAt: now, UpdatedAt: now}
	if by.UserID != 0 {
		uid := by.UserID
		c.CreatedBy = &uid
	}
	c.Apply(spec)
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		if err := rebuildProgress(tx, &c); err != nil {
			return err
		}
		return s.audit.Record(tx, by, Entry{Action: "campaign.create", ObjectType: "campaign", ObjectID: c.ID, After: spec})
	})
	if err != nil {
		return nil, err
	}
	r := model.NewCampaignResponse(&c, true)
	return &r, nil
}

// Update edits a campaign. An edit of the scopes that would leave cases with records outside
// them is refused with 409 scope_drops_records unless forced with a reason; the records stay.
func (s *Campaigns) Update(ctx context.Context, by model.Actor, id model.ID, req model.UpdateCampaignRequest) (*model.CampaignResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	reason := strings.TrimSpace(req.Reason)
	if req.Force && reason == "" {
		return nil, errForceReason
	}
	if len([]rune(reason)) > 500 {
		return nil, model.InvalidField("reason", "原因最多 500 字")
	}
	var c model.Campaign
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockCampaign(tx, uint64(id), &c); err != nil {
			return err
		}
		if req.Version != nil && *req.Version != c.Version {
			return model.ErrVersionConflict
		}
		before := c.Spec()
		spec := c.Spec()
		applyFields(&spec, req.CampaignFields)
		if err := validateSpec(&spec); err != nil {
			return err
		}
		if !reflect.DeepEqual(before.Scopes, spec.Scopes) {
			dropped, err := droppedRecords(tx, c.ID, spec.Scopes)
			if err != nil {
				return err
			}
			if dropped.total() > 0 && !req.Force {
				return model.Conflict("scope_drops_records", "修改后的范围会移出已有回访或评查记录的案件，如确需修改，请填写原因并强制提交").
					WithDetails(map[string]any{"cases": dropped.total(), "by_phase": dropped})
			}
		}
		c.Apply(spec)
		c.Version++
		c.UpdatedAt = s.clock.Now()
		if err := tx.Model(&c).Select("*").Omit("id", "template", "created_by", "created_at").UpdateColumns(&c).Error; err != nil {
			return err
		}
		if !reflect.DeepEqual(before.Scopes, spec.Scopes) {
			if err := rebuildProgress(tx, &c); err != nil {
				return err
			}
		}
		return s.audit.Record(tx, by, Entry{Action: "campaign.update", ObjectType: "campaign", ObjectID: c.ID,
			Before: before, After: spec, Reason: reason})
	})
	if err != nil {
		return nil, err
	}
	r := model.NewCampaignResponse(&c, true)
	return &r, nil
}

// lockCampaign reads a campaign with a row lock, so edits, extensions and assignment runs of one
// campaign queue one behind the other on every replica.
func lockCampaign(tx *gorm.DB, id uint64, c *model.Campaign) error {
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(c, id).Error
	return notFoundAs(err, errCampaignNotFound)
}

// droppedCounts are the cases with records that an edit would leave outside the scopes, by phase.
type droppedCounts map[model.Phase]int64

func (d droppedCounts) total() int64 {
	var n int64
	for _, v := range d {
		n += v
	}
	return n
}

// droppedRecords counts, per phase, the cases holding records of the campaign (for now its
// assignments) that the scopes would no longer cover.
func droppedRecords(tx *gorm.DB, campaignID uint64, scopes model.Scopes) (droppedCounts, error) {
	out := droppedCounts{}
	for _, p := range model.Phases {
		scope := scopes.FollowUp
		if p == model.PhaseReviews {
			scope = scopes.Review
		}
		cond, args := scopeCond("c", scope)
		var n int64
		err := tx.Table("case_assignments AS a").Joins("JOIN cases c ON c.id = a.case_id").
			Where("a.campaign_id = ? AND a.phase = ?", campaignID, string(p)).
			Where("NOT ("+cond+")", args...).Count(&n).Error
		if err != nil {
			return nil, err
		}
		if n > 0 {
			out[p] = n
		}
	}
	return out, nil
}

package service

import (
	"context"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	fdb "fayuan/internal/db"
	"fayuan/model"
)

var (
	errExclusionNotFound = model.NotFound("exclusion_not_found", "排除申请不存在")
	errExclusionExists   = model.Conflict("exclusion_exists", "该案件已有排除申请")
	errExclusionSelf     = model.Conflict("second_manager_required", "排除须由另一名管理人员确认，申请人不能自己确认")
	errExclusionDone     = model.Conflict("exclusion_already_confirmed", "该排除已确认")
)

// ExclusionFilter narrows the exclusion list.
type ExclusionFilter struct {
	Status string
	Page   model.Page
}

// RequestExclusion asks to take a case of the follow-up scope out of the denominator; it counts
// only once a second manager confirms it.
func (s *Campaigns) RequestExclusion(ctx context.Context, by model.Actor, id model.ID, req model.CreateExclusionRequest) (*model.ExclusionResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	x := model.CampaignExclusion{CampaignID: uint64(id), CaseID: uint64(req.CaseID), Reason: req.Reason,
		Note: strings.TrimSpace(req.Note), Evidence: strings.TrimSpace(req.Evidence), Status: model.ExclusionPending,
		RequestedBy: by.UserID, RequestedAt: s.clock.Now()}
	bad := map[string]string{}
	if req.CaseID == 0 {
		bad["case_id"] = "不能为空"
	}
	if _, ok := model.ExclusionReasonLabels[req.Reason]; !ok {
		bad["reason"] = "原因应为 deceased、moved_away、terminated 或 other"
	}
	if req.Reason == model.ExclusionOther && x.Note == "" {
		bad["note"] = "原因为“其他”时须说明"
	}
	if utf8.RuneCountInString(x.Note) > 500 {
		bad["note"] = "说明最多 500 字"
	}
	if n := utf8.RuneCountInString(x.Evidence); n == 0 || n > 1000 {
		bad["evidence"] = "请写明依据（如死亡证明、村委会证明），最多 1000 字"
	}
	if len(bad) > 0 {
		return nil, model.Invalid(bad)
	}
	var cs model.Case
	err := fdb.Transact(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		var c model.Campaign
		if err := tx.Take(&c, uint64(id)).Error; err != nil {
			return notFoundAs(err, errCampaignNotFound)
		}
		if err := tx.Take(&cs, x.CaseID).Error; err != nil {
			return notFoundAs(err, model.InvalidField("case_id", "案件不存在"))
		}
		if !InScope(c.Scope(model.PhaseCalls), &cs) {
			return model.InvalidField("case_id", "该案件不在本活动的回访范围内")
		}
		if err := tx.Create(&x).Error; err != nil {
			return duplicateAs(err, errExclusionExists)
		}
		return s.audit.Record(tx, by, Entry{Action: "campaign.exclusion_request", ObjectType: "campaign_exclusion", ObjectID: x.ID,
			After: x, Reason: string(x.Reason)})
	})
	if err != nil {
		return nil, err
	}
	r := model.NewExclusionResponse(&x, cs.CaseNo)
	return &r, nil
}

// ConfirmExclusion confirms another manager's exclusion request.
func (s *Campaigns) ConfirmExclusion(ctx context.Context, by model.Actor, id, xid model.ID) (*model.ExclusionResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	var x model.CampaignExclusion
	var caseNo string
	err := fdb.Transact(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		err := tx.Where("id = ? AND campaign_id = ?", uint64(xid), uint64(id)).Take(&x).Error
		if err != nil {
			return notFoundAs(err, errExclusionNotFound)
		}
		switch {
		case x.Status == model.ExclusionConfirmed:
			return errExclusionDone
		case x.RequestedBy == by.UserID:
			return errExclusionSelf
		}
		before := x
		now, uid := s.clock.Now(), by.UserID
		x.Status, x.ConfirmedBy, x.ConfirmedAt = model.ExclusionConfirmed, &uid, &now
		res := tx.Model(&model.CampaignExclusion{}).Where("id = ? AND status = ?", x.ID, model.ExclusionPending).
			UpdateColumns(map[string]any{"status": x.Status, "confirmed_by": uid, "confirmed_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errExclusionDone // another manager confirmed it a moment ago
		}
		if err := tx.Model(&model.Case{}).Select("case_no").Where("id = ?", x.CaseID).Scan(&caseNo).Error; err != nil {
			return err
		}
		if err := s.CaseChanged(tx, x.CampaignID, x.CaseID); err != nil {
			return err
		}
		return s.audit.Record(tx, by, Entry{Action: "campaign.exclusion_confirm", ObjectType: "campaign_exclusion", ObjectID: x.ID,
			Before: before, After: x})
	})
	if err != nil {
		return nil, err
	}
	r := model.NewExclusionResponse(&x, caseNo)
	return &r, nil
}

// ListExclusions lists a campaign's exclusions, oldest first.
func (s *Campaigns) ListExclusions(ctx context.Context, by model.Actor, id model.ID, f ExclusionFilter) (*model.List[model.ExclusionResponse], error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	db := s.db.WithContext(ctx)
	if err := db.Take(&model.Campaign{}, uint64(id)).Error; err != nil {
		return nil, notFoundAs(err, errCampaignNotFound)
	}
	q := db.Model(&model.CampaignExclusion{}).Where("campaign_id = ?", uint64(id))
	switch f.Status {
	case "":
	case model.ExclusionPending, model.ExclusionConfirmed:
		q = q.Where("status = ?", f.Status)
	default:
		return nil, model.InvalidField("status", "状态应为 pending 或 confirmed")
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, err
	}
	var rows []model.CampaignExclusion
	if err := q.Order("id").Offset(f.Page.Offset()).Limit(f.Page.PageSize).Find(&rows).Error; err != nil {
		return nil, err
	}
	caseNos := map[uint64]string{}
	if len(rows) > 0 {
		ids := make([]uint64, len(rows))
		for i, r := range rows {
			ids[i] = r.CaseID
		}
		var cs []model.Case
		if err := db.Select("id", "case_no").Where("id IN ?", ids).Find(&cs).Error; err != nil {
			return nil, err
		}
		for _, c := range cs {
			caseNos[c.ID] = c.CaseNo
		}
	}
	out := &model.List[model.ExclusionResponse]{Items: make([]model.ExclusionResponse, len(rows)), Total: total, Page: f.Page.Page, PageSize: f.Page.PageSize}
	for i := range rows {
		out.Items[i] = model.NewExclusionResponse(&rows[i], caseNos[rows[i].CaseID])
	}
	return out, nil
}

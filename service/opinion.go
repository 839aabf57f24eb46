package service

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"fayuan/model"
)

// RecordOpinion records a judicial organ's opinion of a handler (征询司法机关意见). Managers only.
func (s *Hearings) RecordOpinion(ctx context.Context, by model.Actor, campaignID model.ID, req model.OpinionRequest) (*model.OpinionResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	var out *model.OpinionResponse
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		camp, err := campaignByID(tx, uint64(campaignID))
		if err != nil {
			return err
		}
		now := s.clock.Now()
		op := model.OrganOpinion{CampaignID: camp.ID, OrganName: strings.TrimSpace(req.OrganName), OpinionOn: req.Date,
			Rating: req.Rating, Text: strings.TrimSpace(req.Text), CreatedBy: by.UserID, CreatedAt: now}
		bad := map[string]string{}
		if req.HandlerID == nil {
			bad["handler_id"] = "请选择承办人"
		} else {
			var hd model.Handler
			if err := tx.Take(&hd, uint64(*req.HandlerID)).Error; err != nil {
				if !errors.Is(err, gorm.ErrRecordNotFound) {
					return err
				}
				bad["handler_id"] = "承办人不存在"
			}
			op.HandlerID = hd.ID
		}
		switch {
		case req.OrgID != nil:
			var org model.Org
			if err := tx.Take(&org, uint64(*req.OrgID)).Error; err != nil {
				if !errors.Is(err, gorm.ErrRecordNotFound) {
					return err
				}
				bad["org_id"] = "机构不存在"
			} else if org.Kind != model.OrgJudicialOrgan {
				bad["org_id"] = "应为司法机关（法院、检察院、公安机关）"
			} else {
				id := org.ID
				op.OrgID, op.OrganName = &id, org.Name
			}
		case op.OrganName == "" || utf8.RuneCountInString(op.OrganName) > 100:
			bad["organ_name"] = "请选择司法机关或填写其名称（1–100 个字）"
		}
		if d, ok := parseDate(req.Date); !ok {
			bad["date"] = "日期格式应为 YYYY-MM-DD"
		} else if d.After(now) {
			bad["date"] = "日期不能晚于今天"
		}
		if _, ok := model.OpinionRatingLabels[req.Rating]; !ok {
			bad["rating"] = "评价应为 good（好）、fair（一般）或 poor（差）"
		}
		if n := utf8.RuneCountInString(op.Text); n == 0 || n > 2000 {
			bad["text"] = "意见内容应为 1–2000 个字"
		}
		if len(bad) > 0 {
			return model.Invalid(bad)
		}
		if err := tx.Create(&op).Error; err != nil {
			return err
		}
		if err := s.audit.Record(tx, by, Entry{Action: "opinion.create", ObjectType: "organ_opinion", ObjectID: op.ID, After: op}); err != nil {
			return err
		}
		out, err = opinionResponse(tx, &op)
		return err
	})
	return out, err
}

// ListOpinions lists the campaign's organs' opinions, newest first; handler filters.
func (s *Hearings) ListOpinions(ctx context.Context, by model.Actor, campaignID model.ID, handler uint64, p model.Page) (*model.List[model.OpinionResponse], error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	db := s.db.WithContext(ctx)
	if _, err := campaignByID(db, uint64(campaignID)); err != nil {
		return nil, err
	}
	q := db.Model(&model.OrganOpinion{}).Where("campaign_id = ?", uint64(campaignID))
	if handler != 0 {
		q = q.Where("handler_id = ?", handler)
	}
	out := &model.List[model.OpinionResponse]{Items: []model.OpinionResponse{}, Page: p.Page, PageSize: p.PageSize}
	if err := q.Count(&out.Total).Error; err != nil {
		return nil, err
	}
	var rows []model.OrganOpinion
	if err := q.Order("opinion_on DESC, id DESC").Offset(p.Offset()).Limit(p.PageSize).Find(&rows).Error; err != nil {
		return nil, err
	}
	for i := range rows {
		r, err := opinionResponse(db, &rows[i])
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, *r)
	}
	return out, nil
}

func opinionResponse(db *gorm.DB, op *model.OrganOpinion) (*model.OpinionResponse, error) {
	hd, err := handlerSummary(db, op.HandlerID)
	if err != nil {
		return nil, err
	}
	r := &model.OpinionResponse{ID: model.ID(op.ID), CampaignID: model.ID(op.CampaignID), Handler: hd, OrganName: op.OrganName,
		Date: op.OpinionOn, Rating: op.Rating, RatingLabel: model.OpinionRatingLabels[op.Rating], Text: op.Text,
		CreatedAt: model.NewTime(op.CreatedAt)}
	if op.OrgID != nil {
		id := model.ID(*op.OrgID)
		r.OrgID = &id
	}
	return r, nil
}

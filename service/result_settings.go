package service

import (
	"context"
	"encoding/json"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fayuan/internal/review"
	"fayuan/model"
)

// defaultObjectionDays is the objection window the notice's campaign uses.
const defaultObjectionDays = 7

// resultSettings reads a campaign's result rules, defaults when none were set.
func resultSettings(tx *gorm.DB, campaignID uint64) (model.ResultSettings, review.Policy, error) {
	st := model.ResultSettings{CampaignID: campaignID, ObjectionDays: defaultObjectionDays}
	err := tx.Take(&st, campaignID).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return st, review.Policy{}, err
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		st.Version = 0
	}
	p := review.DefaultPolicy()
	if st.PolicyJSON != "" {
		p = review.Policy{}
		if err := json.Unmarshal([]byte(st.PolicyJSON), &p); err != nil {
			return st, p, err
		}
	}
	return st, p, nil
}

func resultSettingsResponse(st model.ResultSettings, p review.Policy) *model.ResultSettingsResponse {
	return &model.ResultSettingsResponse{ObjectionDays: st.ObjectionDays, HearingWeightPercent: st.HearingWeightPercent,
		OpinionPoorPoints: review.Tenths(st.OpinionPoorTenths), Policy: p, Version: st.Version}
}

// Settings reads a campaign's result rules.
func (s *Results) Settings(ctx context.Context, by model.Actor, campaignID model.ID) (*model.ResultSettingsResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	db := s.db.WithContext(ctx)
	if _, err := campaignByID(db, uint64(campaignID)); err != nil {
		return nil, err
	}
	st, p, err := resultSettings(db, uint64(campaignID))
	if err != nil {
		return nil, err
	}
	return resultSettingsResponse(st, p), nil
}

// PutSettings replaces a campaign's result rules. Audited with before and after.
func (s *Results) PutSettings(ctx context.Context, by model.Actor, campaignID model.ID, req model.ResultSettingsRequest) (*model.ResultSettingsResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	bad := map[string]string{}
	if req.ObjectionDays < 1 || req.ObjectionDays > 60 {
		bad["objection_days"] = "异议期应为 1–60 天"
	}
	if req.HearingWeightPercent < 0 || req.HearingWeightPercent > 50 {
		bad["hearing_weight_percent"] = "庭审旁听权重应为 0–50（%）"
	}
	if req.OpinionPoorPoints < 0 || req.OpinionPoorPoints > 200 {
		bad["opinion_poor_points"] = "每条“差”评意见扣分应为 0–20 分"
	}
	p := review.DefaultPolicy()
	if req.Policy != nil {
		p = *req.Policy
		if err := p.Validate(); err != nil {
			bad["policy"] = err.Error()
		}
	}
	if len(bad) > 0 {
		return nil, model.Invalid(bad)
	}
	var out *model.ResultSettingsResponse
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		camp, err := campaignByID(tx.Clauses(clause.Locking{Strength: "UPDATE"}), uint64(campaignID))
		if err != nil {
			return err
		}
		before, _, err := resultSettings(tx, camp.ID)
		if err != nil {
			return err
		}
		if req.Version != before.Version {
			return model.Conflict("stale_version", "结果规则已被他人修改，请刷新后重试")
		}
		b, _ := json.Marshal(p)
		after := model.ResultSettings{CampaignID: camp.ID, ObjectionDays: req.ObjectionDays, HearingWeightPercent: req.HearingWeightPercent,
			OpinionPoorTenths: int64(req.OpinionPoorPoints), PolicyJSON: string(b), Version: before.Version + 1, UpdatedAt: s.clock.Now()}
		if err := tx.Save(&after).Error; err != nil {
			return err
		}
		if err := s.audit.Record(tx, by, Entry{Action: "results.settings", ObjectType: "campaign", ObjectID: camp.ID, Before: before, After: after}); err != nil {
			return err
		}
		out = resultSettingsResponse(after, p)
		return nil
	})
	return out, err
}

package service

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"gorm.io/gorm"

	"fayuan/model"
)

// Recipients' subscribe messages say nothing about the case or the report: a phone is often
// shared in the family. Keywords (the templates are configured, their layout is ours):
//   thanks:    thing1 subject, time2 when answered, thing3 note
//   concluded: thing1 subject, phrase2 status, time3 when concluded, thing4 note
// The staff's assignment message: thing1 phase·campaign, number2 cases, date3 the phase's last
// day, thing4 what to do.

// addSurveySubscription counts one more permission the recipient's WeChat account gave for a
// template, capped like the staff's.
func addSurveySubscription(tx *gorm.DB, campaignID, caseID uint64, openID, templateID string, now time.Time) error {
	res := tx.Model(&model.SurveySubscription{}).
		Where("campaign_id = ? AND case_id = ? AND openid = ? AND template_id = ?", campaignID, caseID, openID, templateID).
		UpdateColumns(map[string]any{
			"remaining":  gorm.Expr("CASE WHEN remaining < ? THEN remaining + 1 ELSE remaining END", maxSubscriptions),
			"updated_at": now,
		})
	if res.Error != nil || res.RowsAffected > 0 {
		return res.Error
	}
	var n int64
	if err := tx.Model(&model.SurveySubscription{}).
		Where("campaign_id = ? AND case_id = ? AND openid = ? AND template_id = ?", campaignID, caseID, openID, templateID).
		Count(&n).Error; err != nil || n > 0 {
		return err
	}
	return tx.Create(&model.SurveySubscription{CampaignID: campaignID, CaseID: caseID, OpenID: openID, TemplateID: templateID,
		Remaining: 1, UpdatedAt: now}).Error
}

// thank sends the recipient's thank-you after an answer, when they subscribed.
func (s *Surveys) thank(ctx context.Context, link *model.SurveyLink, v *model.SurveyAnswerVersion, openID string) {
	data := map[string]string{"thing1": "法律援助案件回访", "time2": v.AnsweredAt.In(model.Shanghai).Format("2006-01-02 15:04"),
		"thing3": "感谢您的反馈，我们会认真核实"}
	s.deliver(ctx, model.SurveyMessage{CampaignID: link.CampaignID, CaseID: link.CaseID, Kind: model.NotifySurveyThanks,
		RefID: v.ID, TemplateID: s.cfg.ThanksTemplate}, openID, openID != "", data)
}

// AlertConcluded tells the recipient whose survey answer opened the alert that it was
// concluded, without any detail. Alerts from calls and visits are not the recipient's own.
func (s *Surveys) AlertConcluded(ctx context.Context, a *model.AlertResponse) {
	if a.Channel != model.ChannelSurvey {
		return
	}
	var subs []model.SurveySubscription
	err := s.db.WithContext(ctx).Where("campaign_id = ? AND case_id = ? AND template_id = ? AND remaining > 0",
		uint64(a.CampaignID), uint64(a.CaseID), s.cfg.ConcludedTemplate).Order("updated_at DESC, id DESC").Limit(1).Find(&subs).Error
	if err != nil {
		s.log.Error("survey concluded notice", "alert_id", uint64(a.ID), "err", err.Error())
		return
	}
	openID := ""
	if len(subs) > 0 {
		openID = subs[0].OpenID
	}
	at := s.clock.Now()
	if a.ConcludedAt != nil {
		at = a.ConcludedAt.Time
	}
	data := map[string]string{"thing1": "您反映的问题", "phrase2": "已办结", "time3": at.In(model.Shanghai).Format("2006-01-02 15:04"),
		"thing4": "感谢您的监督"}
	s.deliver(ctx, model.SurveyMessage{CampaignID: uint64(a.CampaignID), CaseID: uint64(a.CaseID), Kind: model.NotifySurveyConcluded,
		RefID: uint64(a.ID), TemplateID: s.cfg.ConcludedTemplate}, openID, true, data)
}

// deliver records a recipient's message once per (kind, ref) and sends it if they subscribed,
// spending one permission; failures are recorded and logged, never returned. bound false: the
// recipient answered without a WeChat account, so nothing could be subscribed.
func (s *Surveys) deliver(ctx context.Context, n model.SurveyMessage, openID string, bound bool, data map[string]string) {
	db := s.db.WithContext(ctx)
	now := s.clock.Now()
	b, _ := json.Marshal(data)
	n.DataJSON, n.Status, n.CreatedAt, n.UpdatedAt = string(b), model.NotifySending, now, now
	inserted, err := insertIgnore(db, "survey_messages",
		[]string{"campaign_id", "case_id", "kind", "ref_id", "template_id", "status", "data", "created_at", "updated_at"},
		[]any{n.CampaignID, n.CaseID, n.Kind, n.RefID, n.TemplateID, n.Status, n.DataJSON, now, now})
	if err != nil || !inserted {
		if err != nil {
			s.log.Error("survey message not recorded", "kind", n.Kind, "err", err.Error())
		}
		return
	}
	sub := db.Model(&model.SurveySubscription{}).Where("campaign_id = ? AND case_id = ? AND openid = ? AND template_id = ?",
		n.CampaignID, n.CaseID, openID, n.TemplateID)
	switch {
	case s.messages == nil || s.messages.sender == nil || n.TemplateID == "":
		n.Status = model.NotifySkippedNotConfigured
	case !bound:
		n.Status = model.NotifySkippedNotBound
	default:
		res := sub.Session(&gorm.Session{}).Where("remaining > 0").UpdateColumn("remaining", gorm.Expr("remaining - 1"))
		if res.Error != nil {
			s.log.Error("survey subscription", "err", res.Error.Error())
			return
		}
		if res.RowsAffected != 1 {
			n.Status = model.NotifySkippedNotSubscribed
			break
		}
		var none bool
		n.Status, n.ErrCode, n.Error, none = s.messages.send(ctx, openID, n.TemplateID, data, "campaign_id", n.CampaignID, "case_id", n.CaseID, "kind", n.Kind)
		if n.Status == model.NotifyFailed {
			back := gorm.Expr("remaining + 1")
			if none {
				back = gorm.Expr("0")
			}
			_ = sub.Session(&gorm.Session{}).UpdateColumn("remaining", back).Error
		}
	}
	if err := db.Model(&model.SurveyMessage{}).Where("kind = ? AND ref_id = ?", n.Kind, n.RefID).Updates(map[string]any{
		"status": n.Status, "err_code": n.ErrCode, "error": n.Error, "updated_at": s.clock.Now()}).Error; err != nil {
		s.log.Error("survey message not recorded", "kind", n.Kind, "err", err.Error())
	}
}

// NotifyAssigned sends each staff member given cases by an assignment run their message, at
// most one per campaign and day (recorded in notifications like the reminders). It runs after
// the run's commit; failures are recorded and never reach the manager.
func (r *Reminders) NotifyAssigned(ctx context.Context, campaignID uint64, phase model.Phase, byStaff []model.StaffLoad) {
	if phase != model.PhaseCalls && phase != model.PhaseVisits {
		return
	}
	db := r.db.WithContext(ctx)
	var c model.Campaign
	if err := db.Take(&c, campaignID).Error; err != nil {
		r.log.Error("assignment message", "campaign_id", campaignID, "err", err.Error())
		return
	}
	_, end := c.Window(phase)
	todo := "请在截止日前完成回访"
	if phase == model.PhaseVisits {
		todo = "请在截止日前完成走访"
	}
	day := r.clock.Now().In(model.Shanghai).Format(time.DateOnly)
	for _, l := range byStaff {
		if l.Assigned <= 0 {
			continue
		}
		var u model.User
		if err := db.Select("id", "wechat_openid", "disabled").Take(&u, uint64(l.StaffID)).Error; err != nil || u.Disabled {
			continue
		}
		n := model.Notification{CampaignID: c.ID, UserID: u.ID, Kind: model.NotifyStaffAssignment, Day: day, Phase: string(phase),
			TemplateID: r.cfg.AssignmentTemplate, Pending: l.Assigned}
		data := map[string]string{"thing1": fit(model.PhaseLabels[phase]+"·"+c.Name, 20), "number2": strconv.Itoa(l.Assigned),
			"date3": end, "thing4": todo}
		if err := r.deliver(ctx, &n, u.WechatOpenID, data, &RunReport{}); err != nil {
			r.log.Error("assignment message", "campaign_id", campaignID, "user_id", u.ID, "err", err.Error())
		}
	}
}

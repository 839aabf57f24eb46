package service

import (
	"context"
	"slices"
	"time"

	"gorm.io/gorm"

	"fayuan/model"
)

// maxSubscriptions caps the one-time permissions kept per user and template: a user tapping
// "allow" a hundred times is not asking for a hundred reminders.
const maxSubscriptions = 50

// ErrSubscribeNotBound: a subscription belongs to the WeChat account bound to the user.
var ErrSubscribeNotBound = model.Conflict("wechat_not_bound", "请先在小程序中绑定微信，再订阅消息")

// Templates lists the configured subscribe-message templates (reminder first, no blanks, no repeats).
func (r *Reminders) Templates() []string {
	var out []string
	for _, t := range []string{r.cfg.ReminderTemplate, r.cfg.summaryTemplate(), r.cfg.AssignmentTemplate} {
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// Subscribe counts one more permission for each template the user just accepted in
// wx.requestSubscribeMessage. Only configured templates are accepted, and only from a user with
// a WeChat binding.
func (r *Reminders) Subscribe(ctx context.Context, by model.Actor, req model.SubscribeRequest) (*model.SubscriptionsResponse, error) {
	known := r.Templates()
	ids := dedupeValues(req.TemplateIDs)
	if len(ids) == 0 || len(ids) > 10 {
		return nil, model.InvalidField("template_ids", "请提供 1–10 个消息模板")
	}
	for _, id := range ids {
		if !slices.Contains(known, id) {
			return nil, model.InvalidField("template_ids", "消息模板不存在或未启用")
		}
	}
	db := r.db.WithContext(ctx)
	var u model.User
	if err := db.Select("id", "wechat_openid").Take(&u, by.UserID).Error; err != nil {
		return nil, err
	}
	if u.WechatOpenID == nil {
		return nil, ErrSubscribeNotBound
	}
	now := r.clock.Now()
	for _, id := range ids {
		if err := addSubscription(db, by.UserID, id, now); err != nil {
			return nil, err
		}
	}
	var rows []model.WechatSubscription
	if err := db.Where("user_id = ? AND template_id IN ?", by.UserID, known).Order("template_id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := &model.SubscriptionsResponse{Items: []model.SubscriptionResponse{}}
	for _, s := range rows {
		out.Items = append(out.Items, model.SubscriptionResponse{TemplateID: s.TemplateID, Remaining: s.Remaining})
	}
	return out, nil
}

// addSubscription adds one permission, up to the cap; the first one inserts the row, and a
// concurrent first insert falls back to the increment.
func addSubscription(db *gorm.DB, userID uint64, templateID string, now time.Time) error {
	inc := func() (int64, error) {
		res := db.Model(&model.WechatSubscription{}).Where("user_id = ? AND template_id = ?", userID, templateID).
			UpdateColumns(map[string]any{
				"remaining":  gorm.Expr("CASE WHEN remaining < ? THEN remaining + 1 ELSE remaining END", maxSubscriptions),
				"updated_at": now,
			})
		return res.RowsAffected, res.Error
	}
	n, err := inc()
	if err != nil || n > 0 {
		return err
	}
	var exists int64
	if err := db.Model(&model.WechatSubscription{}).Where("user_id = ? AND template_id = ?", userID, templateID).Count(&exists).Error; err != nil || exists > 0 {
		return err // MySQL counts an unchanged row (at the cap, same second) as not affected
	}
	inserted, err := insertIgnore(db, "wechat_subscriptions", []string{"user_id", "template_id", "remaining", "updated_at"},
		[]any{userID, templateID, 1, now})
	if err != nil || inserted {
		return err
	}
	_, err = inc()
	return err
}

// takeSubscription uses up one permission; false when none is left.
func takeSubscription(db *gorm.DB, userID uint64, templateID string) (bool, error) {
	res := db.Model(&model.WechatSubscription{}).Where("user_id = ? AND template_id = ? AND remaining > 0", userID, templateID).
		UpdateColumn("remaining", gorm.Expr("remaining - 1"))
	return res.RowsAffected == 1, res.Error
}

// settleSubscription corrects the count after a failed send: WeChat's 43101 says the user has
// no permission left on its side; any other failure did not use the permission up.
func settleSubscription(db *gorm.DB, userID uint64, templateID string, none bool) error {
	q := db.Model(&model.WechatSubscription{}).Where("user_id = ? AND template_id = ?", userID, templateID)
	if none {
		return q.UpdateColumn("remaining", 0).Error
	}
	return q.UpdateColumn("remaining", gorm.Expr("remaining + 1")).Error
}

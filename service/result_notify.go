package service

import (
	"context"
	"sort"

	"fayuan/model"
)

// NotifyResults tells each handler, by subscribe message on the reminder template, that their
// results are published: thing1 the campaign, number2 the files, number3 the objection days,
// date4 the last day to object, thing5 what to do. Only subscribed users get it; failures are
// recorded in notifications, never returned: publishing never waits on WeChat. It answers how
// many messages were sent.
func (r *Reminders) NotifyResults(ctx context.Context, c *model.Campaign, files map[uint64]int, deadline string) int {
	users := make([]uint64, 0, len(files))
	for u := range files {
		users = append(users, u)
	}
	sort.Slice(users, func(i, j int) bool { return users[i] < users[j] })
	day := r.clock.Now().In(model.Shanghai).Format("2006-01-02")
	daysLeft := dayDiff(day, deadline)
	var rep RunReport
	for _, id := range users {
		var u model.User
		if err := r.db.WithContext(ctx).Take(&u, id).Error; err != nil || u.Disabled {
			continue
		}
		n := model.Notification{CampaignID: c.ID, UserID: u.ID, Kind: model.NotifyResultsPublished, Day: day, Phase: string(model.PhaseReviews),
			TemplateID: r.cfg.ReminderTemplate, Pending: files[id], DaysLeft: daysLeft}
		data := reminderData(fit("评查结果·"+c.Name, 20), files[id], daysLeft, deadline, "请查看扣分理由，有异议请在期限内提出")
		if err := r.deliver(ctx, &n, u.WechatOpenID, data, &rep); err != nil {
			r.log.Warn("results notification not recorded", "campaign_id", c.ID, "user_id", u.ID, "err", err)
		}
	}
	return rep.Sent
}

package service

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"fayuan/internal/clock"
	"fayuan/internal/wechat"
	"fayuan/model"
)

// SubscribeSender sends one subscribe message (wechat.Client does).
type SubscribeSender interface {
	SendSubscribe(ctx context.Context, m wechat.SubscribeMessage) error
}

// ReminderConfig names the subscribe-message templates. Both use the keywords thing1 (phase and
// campaign), number2 (pending cases), number3 (days left, today included), date4 (the phase's
// last day) and thing5 (what to do).
type ReminderConfig struct {
	ReminderTemplate string // the staff member's daily reminder; empty: recorded as skipped
	SummaryTemplate  string // the managers' summary; empty: ReminderTemplate
	// AssignmentTemplate tells staff they were given cases (keywords thing1 phase·campaign,
	// number2 cases, date3 the phase's last day, thing4 what to do); empty: not sent.
	AssignmentTemplate string
}

func (c ReminderConfig) summaryTemplate() string {
	if c.SummaryTemplate != "" {
		return c.SummaryTemplate
	}
	return c.ReminderTemplate
}

// summaryDays is how close to a phase's end the managers hear about staff behind pace.
const summaryDays = 3

// Reminders is the daily reminder job and the subscriptions it spends.
type Reminders struct {
	db     *gorm.DB
	clock  clock.Clock
	sender SubscribeSender // nil when WeChat is not configured
	cfg    ReminderConfig
	log    *slog.Logger
}

// NewReminders builds the reminder job; sender is nil when WeChat is not configured.
func NewReminders(db *gorm.DB, c clock.Clock, sender SubscribeSender, cfg ReminderConfig, log *slog.Logger) *Reminders {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Reminders{db: db, clock: c, sender: sender, cfg: cfg, log: log}
}

// RunReport counts what a run did; records another run (or replica) already wrote are not counted.
type RunReport struct {
	Sent, Failed, Skipped int
}

// staffLoad is one staff member's share of a phase.
type staffLoad struct {
	UserID        uint64
	Pending, Done int
}

// RunDaily sends the day's reminders (day is read as an Asia/Shanghai date) for every campaign
// whose calls or visits phase is open that day: each staff member with pending cases gets their
// pending count and the days left; when the phase ends within 3 days and someone is behind pace,
// every manager gets a summary. Behind pace means pending > 0 and pending > (done ÷ days
// elapsed before today) × days left, i.e. the pace so far does not finish in time; on the
// phase's first day, with no pace yet, any pending case counts. Each message is recorded once
// per (campaign, user, kind, day) before it goes out, so a rerun or a second replica sends
// nothing twice. Sending failures are recorded and never fail the run; only database errors do.
func (r *Reminders) RunDaily(ctx context.Context, day time.Time) (RunReport, error) {
	var rep RunReport
	d := day.In(model.Shanghai).Format(time.DateOnly)
	var camps []model.Campaign
	err := r.db.WithContext(ctx).Where("(calls_start <= ? AND calls_end >= ?) OR (visits_start <= ? AND visits_end >= ?)", d, d, d, d).
		Order("id").Find(&camps).Error
	if err != nil {
		return rep, err
	}
	for i := range camps {
		if err := r.runCampaign(ctx, &camps[i], d, &rep); err != nil {
			return rep, err
		}
	}
	r.log.Info("reminders run", "day", d, "campaigns", len(camps), "sent", rep.Sent, "failed", rep.Failed, "skipped", rep.Skipped)
	return rep, nil
}

func (r *Reminders) runCampaign(ctx context.Context, c *model.Campaign, d string, rep *RunReport) error {
	phase := model.PhaseCalls
	if s, e := c.Window(model.PhaseCalls); d < s || d > e {
		phase = model.PhaseVisits
	}
	start, end := c.Window(phase)
	elapsed, daysLeft := dayDiff(start, d), dayDiff(d, end)+1
	var loads []staffLoad
	err := r.db.WithContext(ctx).Model(&model.CaseAssignment{}).
		Select("user_id, SUM(CASE WHEN status = ? THEN 1 ELSE 0 END) AS pending, SUM(CASE WHEN status = ? THEN 0 ELSE 1 END) AS done",
			model.AssignmentPending, model.AssignmentPending).
		Where("campaign_id = ? AND phase = ?", c.ID, string(phase)).Group("user_id").Order("user_id").Scan(&loads).Error
	if err != nil {
		return err
	}
	users, err := r.users(ctx, loads)
	if err != nil {
		return err
	}
	title := fit(model.PhaseLabels[phase]+"·"+c.Name, 20)
	todo := "请在截止日前完成回访"
	if phase == model.PhaseVisits {
		todo = "请在截止日前完成走访"
	}
	behind, behindPending := 0, 0
	for _, l := range loads {
		u, ok := users[l.UserID]
		if !ok || l.Pending == 0 {
			continue // disabled, or nothing left to do: no message
		}
		if daysLeft <= summaryDays && behindPace(l, elapsed, daysLeft) {
			behind++
			behindPending += l.Pending
		}
		n := model.Notification{CampaignID: c.ID, UserID: u.ID, Kind: model.NotifyStaffReminder, Day: d, Phase: string(phase),
			TemplateID: r.cfg.ReminderTemplate, Pending: l.Pending, DaysLeft: daysLeft}
		if err := r.deliver(ctx, &n, u.WechatOpenID, reminderData(title, l.Pending, daysLeft, end, todo), rep); err != nil {
			return err
		}
	}
	if behind == 0 {
		return nil
	}
	var managers []model.User
	if err := r.db.WithContext(ctx).Where("disabled = ? AND roles LIKE ?", false, "%"+string(model.RoleManager)+"%").Order("id").Find(&managers).Error; err != nil {
		return err
	}
	note := fit(strconv.Itoa(behind)+"人进度落后，请督促", 20)
	for _, m := range managers {
		if !m.Roles().Has(model.RoleManager) {
			continue
		}
		n := model.Notification{CampaignID: c.ID, UserID: m.ID, Kind: model.NotifyManagerSummary, Day: d, Phase: string(phase),
			TemplateID: r.cfg.summaryTemplate(), Pending: behindPending, DaysLeft: daysLeft}
		if err := r.deliver(ctx, &n, m.WechatOpenID, reminderData(title, behindPending, daysLeft, end, note), rep); err != nil {
			return err
		}
	}
	return nil
}

// users loads the enabled accounts among the loads' staff.
func (r *Reminders) users(ctx context.Context, loads []staffLoad) (map[uint64]model.User, error) {
	ids := make([]uint64, len(loads))
	for i, l := range loads {
		ids[i] = l.UserID
	}
	out := map[uint64]model.User{}
	if len(ids) == 0 {
		return out, nil
	}
	var us []model.User
	if err := r.db.WithContext(ctx).Where("id IN ? AND disabled = ?", ids, false).Find(&us).Error; err != nil {
		return nil, err
	}
	for _, u := range us {
		out[u.ID] = u
	}
	return out, nil
}

// behindPace: pending × elapsed > done × days left, in integers; no pace yet on the first day.
func behindPace(l staffLoad, elapsed, daysLeft int) bool {
	if l.Pending == 0 {
		return false
	}
	if elapsed <= 0 {
		return true
	}
	return l.Pending*elapsed > l.Done*daysLeft
}

func reminderData(title string, pending, daysLeft int, end, note string) map[string]string {
	return map[string]string{"thing1": title, "number2": strconv.Itoa(pending), "number3": strconv.Itoa(daysLeft),
		"date4": end, "thing5": note}
}

// deliver records the notification, then sends it unless another run recorded it first. Only a
// database error is returned.
func (r *Reminders) deliver(ctx context.Context, n *model.Notification, openid *string, data map[string]string, rep *RunReport) error {
	db := r.db.WithContext(ctx)
	now := r.clock.Now()
	b, _ := json.Marshal(data)
	n.DataJSON, n.Status, n.CreatedAt, n.UpdatedAt = string(b), model.NotifySending, now, now
	inserted, err := insertIgnore(db, "notifications",
		[]string{"campaign_id", "user_id", "kind", "day", "phase", "template_id", "status", "pending", "days_left", "data", "created_at", "updated_at"},
		[]any{n.CampaignID, n.UserID, n.Kind, n.Day, n.Phase, n.TemplateID, n.Status, n.Pending, n.DaysLeft, n.DataJSON, now, now})
	if err != nil || !inserted {
		return err // !inserted: already recorded today, by this run's predecessor or another replica
	}
	if err := db.Model(&model.Notification{}).Select("id").
		Where("campaign_id = ? AND user_id = ? AND kind = ? AND day = ?", n.CampaignID, n.UserID, n.Kind, n.Day).Take(n).Error; err != nil {
		return err
	}
	switch {
	case r.sender == nil || n.TemplateID == "":
		n.Status = model.NotifySkippedNotConfigured
	case openid == nil:
		n.Status = model.NotifySkippedNotBound
	default:
		ok, err := takeSubscription(db, n.UserID, n.TemplateID)
		if err != nil {
			return err
		}
		if !ok {
			n.Status = model.NotifySkippedNotSubscribed
			break
		}
		var none bool
		n.Status, n.ErrCode, n.Error, none = r.send(ctx, *openid, n.TemplateID, data, "campaign_id", n.CampaignID, "user_id", n.UserID, "kind", n.Kind)
		if n.Status == model.NotifyFailed {
			if err := settleSubscription(db, n.UserID, n.TemplateID, none); err != nil {
				return err
			}
		}
	}
	switch n.Status {
	case model.NotifySent:
		rep.Sent++
	case model.NotifyFailed:
		rep.Failed++
	default:
		rep.Skipped++
	}
	return db.Model(&model.Notification{}).Where("id = ?", n.ID).Updates(map[string]any{
		"status": n.Status, "err_code": n.ErrCode, "error": n.Error, "updated_at": r.clock.Now()}).Error
}

// send sends one subscribe message and says how it went: sent, or failed with WeChat's errcode
// and the (redacted) error, none telling that WeChat says the user has no permission left. A
// failure is logged with attrs and never returned: a message is never worth failing a run or a
// request for.
func (r *Reminders) send(ctx context.Context, openid, templateID string, data map[string]string, attrs ...any) (status string, code int, text string, none bool) {
	err := r.sender.SendSubscribe(ctx, wechat.SubscribeMessage{ToOpenID: openid, TemplateID: templateID, Data: data})
	if err == nil {
		return model.NotifySent, 0, "", false
	}
	code, text = wechat.Code(err), fit(err.Error(), 255)
	r.log.Warn("subscribe message not sent", append(attrs, "errcode", code, "err", text)...)
	return model.NotifyFailed, code, text, errors.Is(err, wechat.ErrNotSubscribed)
}

// insertIgnore inserts one row unless it breaks a unique key, and reports whether it did. Plain
// SQL because gorm's OnConflict{DoNothing} adds RETURNING on MariaDB, which then counts the
// existing row as affected.
func insertIgnore(db *gorm.DB, table string, cols []string, vals []any) (bool, error) {
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
	stmt := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES (" + marks + ")"
	if db.Dialector.Name() == "mysql" {
		stmt += " ON DUPLICATE KEY UPDATE id = id" // 0 rows affected: the driver does not ask for found rows
	} else {
		stmt += " ON CONFLICT DO NOTHING"
	}
	res := db.Exec(stmt, vals...)
	return res.RowsAffected == 1, res.Error
}

// fit shortens s to at most max characters, marking the cut with "…".
func fit(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max-1]) + "…"
}

// dayDiff is the number of calendar days from a to b ("YYYY-MM-DD"), negative when b is earlier.
func dayDiff(a, b string) int {
	ta, ok1 := parseDate(a)
	tb, ok2 := parseDate(b)
	if !ok1 || !ok2 {
		return 0
	}
	return int(math.Round(tb.Sub(ta).Hours() / 24))
}

// ListNotifications lists the campaign's notification records, newest day first.
func (r *Reminders) ListNotifications(ctx context.Context, by model.Actor, id model.ID, p model.Page) (*model.List[model.NotificationResponse], error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	db := r.db.WithContext(ctx)
	var c model.Campaign
	if err := db.Select("id").Take(&c, uint64(id)).Error; err != nil {
		return nil, notFoundAs(err, errCampaignNotFound)
	}
	q := db.Model(&model.Notification{}).Where("campaign_id = ?", c.ID)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, err
	}
	var rows []model.Notification
	if err := q.Order("day DESC, id").Offset(p.Offset()).Limit(p.PageSize).Find(&rows).Error; err != nil {
		return nil, err
	}
	names := map[uint64]string{}
	var ids []uint64
	for _, n := range rows {
		ids = append(ids, n.UserID)
	}
	if len(ids) > 0 {
		var us []model.User
		if err := db.Select("id", "display_name").Where("id IN ?", ids).Find(&us).Error; err != nil {
			return nil, err
		}
		for _, u := range us {
			names[u.ID] = u.DisplayName
		}
	}
	out := &model.List[model.NotificationResponse]{Items: make([]model.NotificationResponse, len(rows)), Total: total, Page: p.Page, PageSize: p.PageSize}
	for i, n := range rows {
		item := model.NotificationResponse{ID: model.ID(n.ID), UserID: model.ID(n.UserID), UserName: names[n.UserID], Kind: n.Kind,
			Day: n.Day, Phase: model.Phase(n.Phase), TemplateID: n.TemplateID, Status: n.Status, Error: n.Error,
			Pending: n.Pending, DaysLeft: n.DaysLeft, Data: map[string]string{},
			CreatedAt: model.NewTime(n.CreatedAt), UpdatedAt: model.NewTime(n.UpdatedAt)}
		if n.ErrCode != 0 {
			code := n.ErrCode
			item.ErrCode = &code
		}
		_ = json.Unmarshal([]byte(n.DataJSON), &item.Data)
		out.Items[i] = item
	}
	return out, nil
}

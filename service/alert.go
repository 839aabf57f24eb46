package service

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fayuan/internal/clock"
	"fayuan/model"
)

// Alerts opens, lists and chases the reports of illegal fees, negligence and dissatisfaction
// (群众身边腐败和作风问题) that the recipients' answers raise, whatever the channel.
type Alerts struct {
	db    *gorm.DB
	clock clock.Clock
	audit *Audit
	// concluded are told of each concluded alert after the commit (the recipient's notice).
	concluded []func(ctx context.Context, a *model.AlertResponse)
}

// AfterConclude registers functions told of each alert concluded, after the commit; they must
// not fail or block the conclusion.
func (s *Alerts) AfterConclude(f ...func(ctx context.Context, a *model.AlertResponse)) {
	s.concluded = append(s.concluded, f...)
}

// NewAlerts builds the alert service.
func NewAlerts(db *gorm.DB, c clock.Clock, audit *Audit) *Alerts {
	return &Alerts{db: db, clock: c, audit: audit}
}

var (
	errAlertNotFound       = model.NotFound("alert_not_found", "线索不存在")
	errAlertClosed         = model.Conflict("alert_closed", "该线索已办结")
	errInvestigatorRecused = model.Conflict("investigator_recused", "调查人员不能来自承办人所在机构（回避）")
	errInvestigatorInvalid = model.InvalidField("investigator_id", "调查人员应为有效的管理人员或回访人员账号")
)

// alertsFor lists the alerts an answer raises: a "yes" to question 1 or 2, or 不满意.
func alertsFor(a *model.Answers) map[string]string {
	out := map[string]string{}
	if model.Str(a.ChargedFee) == model.AnswerYes {
		out[model.AlertFee] = model.Str(a.ChargedFeeNote)
	}
	if model.Str(a.Negligent) == model.AnswerYes {
		out[model.AlertNegligence] = model.Str(a.NegligentNote)
	}
	if model.Str(a.Satisfied) == model.AnswerDissatisfied {
		words := "不满意（" + model.Str(a.DissatisfiedAbout) + "）"
		if s := strings.TrimSpace(model.Str(a.Suggestion)); s != "" {
			words += "：" + s
		}
		out[model.AlertDissatisfaction] = words
	}
	return out
}

// Open stores, inside the caller's transaction, the alerts that answers raise, so an answer and
// its alerts commit or fail together. The source (channel and id) is the record holding the
// answers; a later answer opens alerts of its own and never touches these.
func (s *Alerts) Open(tx *gorm.DB, by model.Actor, c *model.Campaign, k *model.Case, channel string, sourceID uint64, answers *model.Answers) error {
	now := s.clock.Now()
	due := now.AddDate(0, 0, c.Settings().AlertDueDays)
	for _, kind := range []string{model.AlertFee, model.AlertNegligence, model.AlertDissatisfaction} {
		words, ok := alertsFor(answers)[kind]
		if !ok {
			continue
		}
		a := model.Alert{CampaignID: c.ID, CaseID: k.ID, Kind: kind, Severity: model.AlertSeverity[kind], Channel: channel,
			SourceID: sourceID, HandlerID: k.HandlerID, HandlerName: k.HandlerName, HandlerOrgID: k.HandlerOrgID,
			Words: truncate(words, 2000), Status: model.AlertOpen, OpenedBy: by.UserID, OpenedAt: now, DueAt: due, UpdatedAt: now}
		if err := tx.Create(&a).Error; err != nil {
			return err
		}
		if err := s.audit.Record(tx, by, Entry{Action: "alert.open", ObjectType: "alert", ObjectID: a.ID,
			Reason: kind + " from " + channel}); err != nil {
			return err
		}
	}
	return nil
}

// List answers a manager's query of a campaign's alerts, most severe and oldest first, with
// the campaign's counts by kind and status.
func (s *Alerts) List(ctx context.Context, by model.Actor, campaignID model.ID, f model.AlertFilter) (*model.AlertList, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	db := s.db.WithContext(ctx)
	if _, err := visibleCampaign(db, by, uint64(campaignID)); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	base := db.Model(&model.Alert{}).Where("campaign_id = ?", uint64(campaignID))
	out := &model.AlertList{Items: []model.AlertResponse{}, Page: f.Page.Page, PageSize: f.Page.PageSize,
		ByKind: map[string]int{}, ByStatus: map[string]int{}}
	var counts []struct {
		Kind, Status string
		N            int
		Overdue      int
	}
	err := base.Session(&gorm.Session{}).Select("kind, status, COUNT(*) AS n, SUM(CASE WHEN status <> ? AND due_at < ? THEN 1 ELSE 0 END) AS overdue",
		model.AlertClosed, now).Group("kind, status").Scan(&counts).Error
	if err != nil {
		return nil, err
	}
	for _, c := range counts {
		out.ByKind[c.Kind] += c.N
		out.ByStatus[c.Status] += c.N
		out.Overdue += c.Overdue
	}
	q := base.Session(&gorm.Session{})
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.Status == "overdue" {
		q = q.Where("status <> ? AND due_at < ?", model.AlertClosed, now)
	} else if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.OrgID != 0 {
		q = q.Where("handler_org_id = ?", f.OrgID)
	}
	if err := q.Session(&gorm.Session{}).Count(&out.Total).Error; err != nil {
		return nil, err
	}
	var rows []model.Alert
	if err := q.Order("severity DESC, opened_at, id").Offset(f.Page.Offset()).Limit(f.Page.PageSize).Find(&rows).Error; err != nil {
		return nil, err
	}
	caseNos, err := s.caseNos(db, rows)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		out.Items = append(out.Items, model.NewAlertResponse(&rows[i], caseNos[rows[i].CaseID], now))
	}
	return out, nil
}

func (s *Alerts) caseNos(db *gorm.DB, rows []model.Alert) (map[uint64]string, error) {
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.CaseID
	}
	out := map[uint64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var cs []struct {
		ID     uint64
		CaseNo string
	}
	err := db.Model(&model.Case{}).Select("id, case_no").Where("id IN ?", ids).Scan(&cs).Error
	for _, c := range cs {
		out[c.ID] = c.CaseNo
	}
	return out, err
}

// Assign gives an alert to an investigator from outside the handler's organisation (回避).
func (s *Alerts) Assign(ctx context.Context, by model.Actor, id model.ID, req model.AssignAlertRequest) (*model.AlertResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	return s.change(ctx, by, id, "alert.assign", func(tx *gorm.DB, a *model.Alert, now time.Time) error {
		var u model.User
		if err := tx.Take(&u, uint64(req.InvestigatorID)).Error; err != nil || u.Disabled ||
			!u.Roles().Has(model.RoleManager, model.RoleStaff) {
			return errInvestigatorInvalid
		}
		if a.HandlerOrgID != nil && u.OrgID == *a.HandlerOrgID || a.HandlerID != nil && isHandlerUser(tx, *a.HandlerID, u.ID) {
			return errInvestigatorRecused
		}
		inv := u.ID
		a.InvestigatorID, a.AssignedAt, a.Status = &inv, &now, model.AlertInvestigating
		return nil
	})
}

// isHandlerUser reports whether the handler record is the user's own.
func isHandlerUser(tx *gorm.DB, handlerID, userID uint64) bool {
	found, _ := exists(tx.Model(&model.Handler{}).Where("id = ? AND user_id = ?", handlerID, userID))
	return found
}

// Conclude closes an alert with findings, a conclusion and the action taken: by its assigned
// investigator, or a manager from outside the handler's organisation.
func (s *Alerts) Conclude(ctx context.Context, by model.Actor, id model.ID, req model.ConcludeAlertRequest) (*model.AlertResponse, error) {
	bad := map[string]string{}
	if strings.TrimSpace(req.Findings) == "" {
		bad["findings"] = "必须填写调查情况"
	}
	switch req.Conclusion {
	case model.ConclusionSubstantiated, model.ConclusionNotSubstantiated, model.ConclusionReferred:
	default:
		bad["conclusion"] = "结论应为 substantiated、not_substantiated 或 referred"
	}
	if strings.TrimSpace(req.Action) == "" {
		bad["action"] = "必须填写处理措施"
	}
	if len([]rune(req.Action)) > 1000 {
		bad["action"] = "处理措施不超过 1000 字"
	}
	out, err := s.change(ctx, by, id, "alert.conclude", func(tx *gorm.DB, a *model.Alert, now time.Time) error {
		investigator := a.InvestigatorID != nil && *a.InvestigatorID == by.UserID
		if !investigator && !by.Is(model.RoleManager) {
			return errAlertNotFound
		}
		if a.HandlerOrgID != nil && by.OrgID == *a.HandlerOrgID {
			return errInvestigatorRecused
		}
		if len(bad) > 0 {
			return model.Invalid(bad)
		}
		who := by.UserID
		a.Findings, a.Conclusion, a.Action = req.Findings, req.Conclusion, req.Action
		a.ConcludedBy, a.ConcludedAt, a.Status = &who, &now, model.AlertClosed
		return nil
	})
	if err == nil {
		for _, f := range s.concluded {
			f(ctx, out)
		}
	}
	return out, err
}

// change locks an open alert, applies fn and saves it with an audit row.
func (s *Alerts) change(ctx context.Context, by model.Actor, id model.ID, action string, fn func(*gorm.DB, *model.Alert, time.Time) error) (*model.AlertResponse, error) {
	var out model.AlertResponse
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var a model.Alert
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&a, uint64(id)).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return errAlertNotFound
		}
		if err != nil {
			return err
		}
		if !by.Is(model.RoleManager) && (a.InvestigatorID == nil || *a.InvestigatorID != by.UserID) {
			return errAlertNotFound
		}
		if a.Status == model.AlertClosed {
			return errAlertClosed
		}
		now := s.clock.Now()
		if err := fn(tx, &a, now); err != nil {
			return err
		}
		a.UpdatedAt = now
		if err := tx.Save(&a).Error; err != nil {
			return err
		}
		if err := s.audit.Record(tx, by, Entry{Action: action, ObjectType: "alert", ObjectID: a.ID, After: a}); err != nil {
			return err
		}
		var caseNo string
		if err := tx.Model(&model.Case{}).Where("id = ?", a.CaseID).Pluck("case_no", &caseNo).Error; err != nil {
			return err
		}
		out = model.NewAlertResponse(&a, caseNo, now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

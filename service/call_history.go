package service

import (
	"context"
	"strings"

	"gorm.io/gorm"

	"fayuan/model"
)

// CaseHistory adds the case's calls, in time order, to its detail. Cases.Get has already decided
// that by may see the case; the recipient's answers and the callers' notes are shown only to
// managers and to the staff assigned to call or visit it — a handler or a reviewer sees that a
// call took place and its outcome, not what the recipient said about the handler.
func (s *Calls) CaseHistory(ctx context.Context, by model.Actor, c *model.Case, d *model.CaseDetailResponse) error {
	db := s.db.WithContext(ctx)
	full, err := seesAnswers(db, by, c.ID)
	if err != nil {
		return err
	}
	var calls []model.Call
	if err := db.Where("case_id = ?", c.ID).Order("called_at, id").Find(&calls).Error; err != nil {
		return err
	}
	if len(calls) == 0 {
		return nil
	}
	ids := make([]uint64, len(calls))
	users := map[uint64]string{}
	for i, call := range calls {
		ids[i] = call.ID
		users[call.UserID] = ""
	}
	var versions []model.CallVersion
	if err := db.Where("call_id IN ?", ids).Order("call_id, version").Find(&versions).Error; err != nil {
		return err
	}
	byCall := map[uint64][]model.CallVersion{}
	for _, v := range versions {
		byCall[v.CallID] = append(byCall[v.CallID], v)
		users[v.RecordedBy] = ""
	}
	if err := displayNames(db, users); err != nil {
		return err
	}
	checks, err := callVisitChecks(db, ids)
	if err != nil {
		return err
	}
	for i := range calls {
		call := &calls[i]
		item := model.CallHistoryItem{ID: model.ID(call.ID), CampaignID: model.ID(call.CampaignID), CalledAt: model.NewTime(call.CalledAt),
			Outcome: call.Outcome, OutcomeLabel: model.OutcomeLabels[call.Outcome], DurationS: call.DurationS,
			CallerID: model.ID(call.UserID), CallerName: users[call.UserID], Late: call.Late, Flags: splitFlags(call.Flags),
			Extra: call.Extra, Version: call.Version, Versions: []model.CallVersionResponse{}, CreatedAt: model.NewTime(call.CreatedAt)}
		if full {
			item.Answers, item.Note, item.VisitCheck = callAnswers(call), call.Note, checks[call.ID]
		} else {
			// The handler under evaluation (or a reviewer) learns that calls happened, not who made
			// them: callers must not be exposed to pressure.
			item.CallerID, item.CallerName = 0, ""
		}
		for _, v := range byCall[call.ID] {
			vr := model.CallVersionResponse{Version: v.Version, Outcome: v.Outcome, RecordedByID: model.ID(v.RecordedBy),
				RecordedByName: users[v.RecordedBy], RecordedAt: model.NewTime(v.RecordedAt), Reason: v.Reason}
			if full {
				vr.Answers, vr.Note = callAnswers(&model.Call{AnswersJSON: v.AnswersJSON}), v.Note
			} else {
				vr.RecordedByID, vr.RecordedByName = 0, ""
			}
			item.Versions = append(item.Versions, vr)
		}
		d.Calls = append(d.Calls, item)
	}
	return nil
}

// seesAnswers reports whether by may read what recipients said on case caseID.
func seesAnswers(db *gorm.DB, by model.Actor, caseID uint64) (bool, error) {
	if by.Is(model.RoleManager) {
		return true, nil
	}
	if !by.Is(model.RoleStaff) {
		return false, nil
	}
	return exists(db.Model(&model.CaseAssignment{}).Where("case_id = ? AND user_id = ? AND phase IN ?", caseID, by.UserID, phonePhases))
}

// displayNames fills users (id → "") with the accounts' display names.
func displayNames(db *gorm.DB, users map[uint64]string) error {
	ids := make([]uint64, 0, len(users))
	for id := range users {
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil
	}
	var rows []struct {
		ID          uint64
		DisplayName string
	}
	if err := db.Model(&model.User{}).Select("id, display_name").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		users[r.ID] = r.DisplayName
	}
	return nil
}

func splitFlags(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

package service

import (
	"encoding/json"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fayuan/model"
)

// workOrder orders the work list: never-called cases first, then pending cases whose next
// attempt is due (at least the campaign's minimum gap since the last one), then pending cases
// not yet due, then the finished ones; within each, by town and village.
func workOrder(c *model.Campaign, now time.Time) clause.OrderBy {
	due := now.Add(-time.Duration(c.Settings().MinRetryGapMinutes) * time.Minute).UTC()
	return clause.OrderBy{Expression: clause.Expr{
		SQL: "CASE WHEN a.attempts = 0 THEN 0 WHEN a.status = ? AND a.last_attempt_at <= ? THEN 1 WHEN a.status = ? THEN 2 ELSE 3 END, " +
			"c.town, c.village, c.case_no, a.case_id",
		Vars:               []any{model.AssignmentPending, due, model.AssignmentPending},
		WithoutParentheses: true,
	}}
}

// answersSoFar gives each case of rows the answers of its latest reached call ({} when none),
// so a visitor or a caller working offline sees what the recipient already said.
func answersSoFar(db *gorm.DB, campaignID uint64, rows []workRow) (map[uint64]map[string]any, error) {
	out := make(map[uint64]map[string]any, len(rows))
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.CaseID
		out[r.CaseID] = map[string]any{}
	}
	if len(ids) == 0 {
		return out, nil
	}
	var calls []model.Call
	err := db.Select("case_id, answers, called_at, id").
		Where("campaign_id = ? AND case_id IN ? AND outcome = ?", campaignID, ids, model.OutcomeReached).
		Order("called_at, id").Find(&calls).Error
	if err != nil {
		return nil, err
	}
	for _, c := range calls {
		m := map[string]any{}
		if json.Unmarshal([]byte(c.AnswersJSON), &m) == nil {
			out[c.CaseID] = m // later calls overwrite earlier ones
		}
	}
	return out, nil
}

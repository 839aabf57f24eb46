package service

import (
	"encoding/json"
	"slices"
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

// workPage counts the caller's list and reads one page of it. A caller may hold tens of
// thousands of cases: without UpdatedSince the page is read from idx_assign_work_order, where
// each category of workOrder is an index range already in order (orderedPage); only then are the
// page's few full rows read.
func workPage(db, base *gorm.DB, c *model.Campaign, p model.Phase, user uint64, q WorkListQuery, now time.Time) (int64, []workRow, error) {
	var total int64
	var ids []uint64
	if q.UpdatedSince == nil {
		table := "case_assignments"
		if db.Dialector.Name() == "mysql" { // with a LIMIT, MariaDB may pick the shorter caller index and sort
			table += " FORCE INDEX (idx_assign_work_order)"
		}
		mine := func() *gorm.DB {
			return db.Table(table).Where("campaign_id = ? AND phase = ? AND user_id = ?", c.ID, string(p), user)
		}
		// The total from whichever index is narrowest (every assignment has its case: no join).
		err := db.Model(&model.CaseAssignment{}).Where("campaign_id = ? AND phase = ? AND user_id = ?", c.ID, string(p), user).Count(&total).Error
		if err != nil {
			return 0, nil, err
		}
		if ids, err = orderedPage(db, mine, c, q.Page, total, now); err != nil {
			return 0, nil, err
		}
	} else {
		if err := base.Session(&gorm.Session{}).Count(&total).Error; err != nil {
			return 0, nil, err
		}
		err := base.Session(&gorm.Session{}).Select("a.case_id").Order(workOrder(c, now)).
			Offset(q.Page.Offset()).Limit(q.Page.PageSize).Pluck("a.case_id", &ids).Error
		if err != nil {
			return 0, nil, err
		}
	}
	if len(ids) == 0 {
		return total, nil, nil
	}
	var rows []workRow
	err := db.Table("case_assignments AS a").Joins("JOIN cases c ON c.id = a.case_id").
		Where("a.campaign_id = ? AND a.phase = ? AND a.case_id IN ?", c.ID, string(p), ids).
		Select("a.case_id, c.case_no, a.status, a.attempts, a.last_outcome, c.recipient_name, c.recipient_phone_enc, " +
			"c.town, c.village, c.cause, c.category, c.closed_on, c.handler_name, a.updated_at AS assigned_updated_at, c.updated_at AS case_updated_at").
		Scan(&rows).Error
	if err != nil {
		return 0, nil, err
	}
	at := make(map[uint64]int, len(ids))
	for i, id := range ids {
		at[id] = i
	}
	slices.SortFunc(rows, func(a, b workRow) int { return at[a.CaseID] - at[b.CaseID] })
	return total, rows, nil
}

// orderedPage reads the case ids of one page of workOrder from idx_assign_work_order (the
// assignment's work bucket, then the case's town, village and number copied onto it): each
// category is a range of that index, so the page is a few LIMIT-ed range reads, and a category
// wholly before the page is only counted. Pending cases tried before are one bucket; whether
// their retry is due is read from last_attempt_at, the index's last column.
func orderedPage(db *gorm.DB, mine func() *gorm.DB, c *model.Campaign, pg model.Page, total int64, now time.Time) ([]uint64, error) {
	due := now.Add(-time.Duration(c.Settings().MinRetryGapMinutes) * time.Minute).UTC()
	cats := []func(*gorm.DB) *gorm.DB{
		func(q *gorm.DB) *gorm.DB { return q.Where("work_bucket = 0") },
		func(q *gorm.DB) *gorm.DB { return q.Where("work_bucket = 1 AND last_attempt_at <= ?", due) },
		func(q *gorm.DB) *gorm.DB {
			return q.Where("work_bucket = 1 AND (last_attempt_at > ? OR last_attempt_at IS NULL)", due)
		},
		func(q *gorm.DB) *gorm.DB { return q.Where("work_bucket = 3") },
	}
	skip, need := int64(pg.Offset()), pg.PageSize
	if skip >= total {
		return nil, nil
	}
	var ids []uint64
	for _, cat := range cats {
		if need <= 0 {
			break
		}
		if skip > 0 {
			var n int64
			if err := cat(mine()).Count(&n).Error; err != nil {
				return nil, err
			}
			if n <= skip {
				skip -= n
				continue
			}
		}
		var got []uint64
		err := cat(mine()).Order("town, village, case_no, case_id").Offset(int(skip)).Limit(need).Pluck("case_id", &got).Error
		if err != nil {
			return nil, err
		}
		skip, need, ids = 0, need-len(got), append(ids, got...)
	}
	return ids, nil
}

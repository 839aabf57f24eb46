package service

import (
	"context"

	"fayuan/model"
)

// CaseHistory adds the case's published results, in the order they were published, to its
// detail. Managers read every campaign's result of the case; a handler only the results of their
// own files, as on the results page; anyone else none. A result never names its reviewers.
func (s *Results) CaseHistory(ctx context.Context, by model.Actor, c *model.Case, d *model.CaseDetailResponse) error {
	manager := by.Is(model.RoleManager)
	if !manager && !by.Is(model.RoleHandler) {
		return nil
	}
	db := s.db.WithContext(ctx)
	q := db.Where("case_id = ?", c.ID)
	if !manager {
		mine, err := ownHandlers(db, by)
		if err != nil || len(mine) == 0 {
			return err
		}
		q = q.Where("handler_id IN ?", mine)
	}
	var rows []model.CaseResult
	if err := q.Order("published_at, id").Find(&rows).Error; err != nil {
		return err
	}
	for i := range rows {
		_, policy, err := resultSettings(db, rows[i].CampaignID)
		if err != nil {
			return err
		}
		r, err := s.response(db, &rows[i], policy)
		if err != nil {
			return err
		}
		d.Results = append(d.Results, model.CaseResultItem{CampaignID: model.ID(rows[i].CampaignID), ResultResponse: *r})
	}
	return nil
}

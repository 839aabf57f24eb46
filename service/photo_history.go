package service

import (
	"context"
	"sort"

	"fayuan/model"
)

// CaseHistory adds a case's photos to its detail, in the time they were taken (or received):
// to managers all of them, to staff those of the visits they may see, to no one else (a
// handler's own case's detail never shows the photos of a recipient's home).
func (s *Photos) CaseHistory(ctx context.Context, by model.Actor, c *model.Case, d *model.CaseDetailResponse) error {
	d.Photos = []any{}
	if !by.Is(model.RoleManager, model.RoleStaff) {
		return nil
	}
	db := s.db.WithContext(ctx)
	var ps []model.Photo
	if err := db.Where("case_id = ?", c.ID).Order("id").Find(&ps).Error; err != nil {
		return err
	}
	visible := map[uint64]bool{}
	var shown []model.Photo
	for _, p := range ps {
		ok, seen := visible[p.VisitID]
		if !seen {
			_, err := visibleVisit(db, by, p.VisitID)
			ok = err == nil
			visible[p.VisitID] = ok
		}
		if ok {
			shown = append(shown, p)
		}
	}
	at := func(p model.Photo) int64 {
		if p.TakenAt != nil {
			return p.TakenAt.UnixNano()
		}
		return p.CreatedAt.UnixNano()
	}
	sort.SliceStable(shown, func(i, j int) bool { return at(shown[i]) < at(shown[j]) })
	for i := range shown {
		d.Photos = append(d.Photos, s.response(&shown[i]))
	}
	return nil
}

package service

import (
	"slices"

	"gorm.io/gorm"

	"fayuan/model"
)

// visitsDone is the visits phase's done: the cases of the visit selection with a recorded visit
// (every visit carries answers), and its rate over the selection's size inScope. Visits on
// cases outside the selection (a manager's own) are kept but not counted.
func visitsDone(db *gorm.DB, c *model.Campaign, inScope int64) (int64, float64, error) {
	var visited []uint64
	if err := db.Model(&model.Visit{}).Distinct("case_id").Where("campaign_id = ? AND answers IS NOT NULL AND answers <> ''", c.ID).
		Pluck("case_id", &visited).Error; err != nil {
		return 0, 0, err
	}
	if len(visited) == 0 {
		return 0, 0, nil
	}
	sel, err := visitSelection(db, c)
	if err != nil {
		return 0, 0, err
	}
	var done int64
	for _, id := range visited {
		if _, ok := slices.BinarySearch(sel, id); ok {
			done++
		}
	}
	return done, ratio(done, inScope), nil
}

package service

import (
	"fmt"
	"time"

	"gorm.io/gorm"

	"fayuan/model"
)

// CallFlags flags each photo (by content hash) that appears in two or more different visits of
// the campaign: one photo cannot show two homes. The flag names the uploader of its latest copy.
func (s *Photos) CallFlags(tx *gorm.DB, campaignID uint64, _ model.FlagSettings) ([]model.PlausibilityFlag, error) {
	var hashes []string
	if err := tx.Model(&model.Photo{}).Where("campaign_id = ?", campaignID).Group("sha256").
		Having("COUNT(DISTINCT visit_id) > 1").Order("sha256").Pluck("sha256", &hashes).Error; err != nil {
		return nil, err
	}
	if len(hashes) == 0 {
		return nil, nil
	}
	var rows []struct {
		ID, VisitID, UserID uint64
		SHA256              string `gorm:"column:sha256"`
		CreatedAt           time.Time
	}
	if err := tx.Model(&model.Photo{}).Select("id, visit_id, user_id, sha256, created_at").
		Where("campaign_id = ? AND sha256 IN ?", campaignID, hashes).Order("sha256, created_at, id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	var out []model.PlausibilityFlag
	for i := 0; i < len(rows); {
		j := i
		f := model.PlausibilityFlag{Kind: model.FlagSamePhoto, CallIDs: []model.ID{}}
		seen := map[uint64]bool{}
		for ; j < len(rows) && rows[j].SHA256 == rows[i].SHA256; j++ {
			f.PhotoIDs = append(f.PhotoIDs, model.ID(rows[j].ID))
			if !seen[rows[j].VisitID] {
				seen[rows[j].VisitID] = true
				f.VisitIDs = append(f.VisitIDs, model.ID(rows[j].VisitID))
			}
			f.CallerID = model.ID(rows[j].UserID)
		}
		f.Detail = fmt.Sprintf("同一张照片（内容完全相同）出现在 %d 次不同的走访中", len(f.VisitIDs))
		out = append(out, f)
		i = j
	}
	return out, nil
}

package service

import (
	"slices"

	"gorm.io/gorm"

	"fayuan/internal/caseimport"
	"fayuan/model"
)

// importChanged recomputes the progress of an import's created and changed cases in every
// campaign, a thousand cases per statement rather than one case at a time. With no campaign
// there is nothing to keep, and nothing is read.
func importChanged(tx *gorm.DB, p *caseimport.Parsed, pl *importPlan) error {
	var camps int64
	if err := tx.Model(&model.Campaign{}).Count(&camps).Error; err != nil || camps == 0 {
		return err
	}
	nos := make([]string, 0, len(pl.creates)+len(pl.updates))
	for _, i := range slices.Concat(pl.creates, pl.updates) {
		if no, ok := pl.storedNo[i]; ok {
			nos = append(nos, no)
		} else {
			nos = append(nos, p.Rows[i].CaseNo)
		}
	}
	var ids []uint64
	for chunk := range slices.Chunk(nos, importChunk) {
		var got []uint64
		if err := tx.Model(&model.Case{}).Where("case_no IN ?", chunk).Pluck("id", &got).Error; err != nil {
			return err
		}
		ids = append(ids, got...)
	}
	slices.Sort(ids)
	return casesChanged(tx, ids)
}

package service

import (
	"gorm.io/gorm"

	"fayuan/model"
)

// 回避 applies to hearings as to calls, visits and reviews: the handler under evaluation and
// the people of their firm or office neither record, observe, score nor read a hearing of theirs.
var (
	errHearingRecused  = model.Conflict("recused", "承办人本人及其所在机构的人员不能记录该庭审旁听（回避）")
	errObserverRecused = model.Conflict("recused", "旁听人员是承办人本人或与承办人同一机构（回避）")
	errSheetNotYours   = model.Forbidden("sheet_not_yours", "只能填写自己的评分表；未登记账号的旁听人员由记录人代填，其他情况请联系管理人员")
)

// hearingRecused reports whether the user (of org) must keep out of a hearing of the handler:
// they work in the handler's organisation, or they are the handler.
func hearingRecused(tx *gorm.DB, userID, orgID uint64, h *model.Hearing) (bool, error) {
	if orgID == h.HandlerOrgID {
		return true, nil
	}
	return exists(tx.Model(&model.Handler{}).Where("id = ? AND user_id = ?", h.HandlerID, userID))
}

// hearingAccess says whether by may see the hearing and whether they see who observed it.
// Managers see every hearing, named; anyone else only the hearings they recorded or observe,
// never one they are recused from. Whoever sees a hearing here is its manager, recorder or
// observer, so named follows see; the handler's own view (the results page) is unnamed.
func hearingAccess(tx *gorm.DB, by model.Actor, h *model.Hearing) (see, named bool, err error) {
	if by.Is(model.RoleManager) {
		return true, true, nil
	}
	if rec, err := hearingRecused(tx, by.UserID, by.OrgID, h); err != nil || rec {
		return false, false, err
	}
	if h.CreatedBy == by.UserID {
		return true, true, nil
	}
	obs, err := exists(tx.Model(&model.HearingObserver{}).Where("hearing_id = ? AND user_id = ?", h.ID, by.UserID))
	return obs, obs, err
}

// visibleHearings narrows a query on hearings to those by may see, as hearingAccess decides.
func visibleHearings(db, q *gorm.DB, by model.Actor) *gorm.DB {
	if by.Is(model.RoleManager) {
		return q
	}
	own := db.Model(&model.Handler{}).Select("id").Where("user_id = ?", by.UserID)
	observed := db.Model(&model.HearingObserver{}).Select("hearing_id").Where("user_id = ?", by.UserID)
	return q.Where("handler_org_id <> ? AND handler_id NOT IN (?)", by.OrgID, own).
		Where("(created_by = ? OR id IN (?))", by.UserID, observed)
}

// mayScore reports whether by may put o's sheet: a manager, the observer themself, or for a
// named observer without an account the one who recorded the hearing.
func mayScore(by model.Actor, h *model.Hearing, o *model.HearingObserver) bool {
	switch {
	case by.Is(model.RoleManager):
		return true
	case o.UserID != nil:
		return *o.UserID == by.UserID
	default:
		return h.CreatedBy == by.UserID
	}
}

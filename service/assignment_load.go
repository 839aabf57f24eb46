package service

import (
	"slices"
	"strings"

	"gorm.io/gorm"

	"fayuan/model"
)

// loadStaff checks that every listed user is an active account of the role the phase needs
// (staff for calls and visits, reviewer for reviews) and loads their organisation, the handler
// records linked to them, and how many cases of the phase they hold.
func loadStaff(tx *gorm.DB, c *model.Campaign, p model.Phase, ids []model.ID) ([]*member, error) {
	role, label := model.RoleStaff, "在岗的回访人员"
	if p == model.PhaseReviews {
		role, label = model.RoleReviewer, "在岗的评查人员"
	}
	raw := make([]uint64, len(ids))
	for i, id := range ids {
		raw[i] = uint64(id)
	}
	var users []model.User
	if err := tx.Where("id IN ?", raw).Find(&users).Error; err != nil {
		return nil, err
	}
	byID := map[uint64]*model.User{}
	for i := range users {
		byID[users[i].ID] = &users[i]
	}
	var staff []*member
	var bad []string
	for _, id := range raw {
		u, ok := byID[id]
		if !ok || u.Disabled || !u.Roles().Has(role) {
			bad = append(bad, model.ID(id).String())
			continue
		}
		staff = append(staff, &member{ID: u.ID, Name: u.DisplayName, OrgID: u.OrgID, Handlers: map[uint64]bool{}})
	}
	if len(bad) > 0 {
		return nil, model.InvalidField("staff_ids", "以下用户不是"+label+"："+strings.Join(bad, "、"))
	}
	var handlers []model.Handler
	if err := tx.Where("user_id IN ?", raw).Find(&handlers).Error; err != nil {
		return nil, err
	}
	loads, err := countByUser(tx.Model(&model.CaseAssignment{}).Where("campaign_id = ? AND phase = ? AND user_id IN ?", c.ID, string(p), raw))
	if err != nil {
		return nil, err
	}
	for _, m := range staff {
		m.Load = loads[m.ID]
		for _, h := range handlers {
			if h.UserID != nil && *h.UserID == m.ID {
				m.Handlers[h.ID] = true
			}
		}
	}
	return staff, nil
}

// explicitCandidates sorts listed cases into those to give and those that cannot be given. A
// case already held by a listed member who may keep it is left where it is; one held by anyone
// else becomes a candidate to move.
func explicitCandidates(tx *gorm.DB, c *model.Campaign, p model.Phase, ids []model.ID, staff []*member) (
	cands, unassignable []candidate, reasons map[uint64]string, err error) {
	raw := make([]uint64, len(ids))
	for i, id := range ids {
		raw[i] = uint64(id)
	}
	var cases []model.Case
	err = tx.Select("id", "case_no", "town", "handler_id", "handler_org_id", "source", "category", "closed_on").
		Where("id IN ?", raw).Find(&cases).Error
	if err != nil {
		return nil, nil, nil, err
	}
	byID := map[uint64]*model.Case{}
	for i := range cases {
		byID[cases[i].ID] = &cases[i]
	}
	var held []model.CaseAssignment
	if err = tx.Where("campaign_id = ? AND phase = ? AND case_id IN ?", c.ID, string(p), raw).Find(&held).Error; err != nil {
		return nil, nil, nil, err
	}
	holder := map[uint64]uint64{}
	for _, a := range held {
		holder[a.CaseID] = a.UserID
	}
	var excluded []uint64
	if p != model.PhaseReviews {
		err = tx.Model(&model.CampaignExclusion{}).Where("campaign_id = ? AND status = ? AND case_id IN ?", c.ID, model.ExclusionConfirmed, raw).
			Pluck("case_id", &excluded).Error
		if err != nil {
			return nil, nil, nil, err
		}
	}
	reasons = map[uint64]string{}
	scope := c.Scope(p)
	for _, id := range raw {
		cs, ok := byID[id]
		reason := ""
		switch {
		case !ok:
			reason = model.UnassignableNotFound
		case !InScope(scope, cs):
			reason = model.UnassignableOutOfScope
		case slices.Contains(excluded, id):
			reason = model.UnassignableExcluded
		}
		if reason != "" {
			u := candidate{ID: id}
			if ok {
				u.CaseNo = cs.CaseNo
			}
			unassignable = append(unassignable, u)
			reasons[id] = reason
			continue
		}
		cand := candidate{ID: cs.ID, CaseNo: cs.CaseNo, Town: cs.Town, HandlerID: cs.HandlerID, HandlerOrgID: cs.HandlerOrgID}
		if uid, ok := holder[id]; ok {
			cand.Current = &uid
			i := slices.IndexFunc(staff, func(m *member) bool { return m.ID == uid })
			if i >= 0 && !staff[i].recused(cand) {
				continue // already with a listed member who may keep it
			}
			if i >= 0 {
				staff[i].Load-- // it is about to leave them
			}
		}
		cands = append(cands, cand)
	}
	return cands, unassignable, reasons, nil
}

// staffLoads reports each member's share of this run and their total in the phase, as the
// database holds them after the run.
func staffLoads(tx *gorm.DB, c *model.Campaign, p model.Phase, run *model.AssignmentRun, staff []*member) ([]model.StaffLoad, error) {
	ids := make([]uint64, len(staff))
	for i, m := range staff {
		ids[i] = m.ID
	}
	given, err := countByUser(tx.Model(&model.CaseAssignment{}).Where("run_id = ?", run.ID))
	if err != nil {
		return nil, err
	}
	totals, err := countByUser(tx.Model(&model.CaseAssignment{}).Where("campaign_id = ? AND phase = ? AND user_id IN ?", c.ID, string(p), ids))
	if err != nil {
		return nil, err
	}
	out := make([]model.StaffLoad, len(staff))
	for i, m := range staff {
		out[i] = model.StaffLoad{StaffID: model.ID(m.ID), Name: m.Name, Assigned: int(given[m.ID]), Total: totals[m.ID]}
	}
	return out, nil
}

// countByUser counts q's assignment rows per user.
func countByUser(q *gorm.DB) (map[uint64]int64, error) {
	var rows []struct {
		UserID uint64
		N      int64
	}
	if err := q.Select("user_id, COUNT(*) AS n").Group("user_id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := map[uint64]int64{}
	for _, r := range rows {
		out[r.UserID] = r.N
	}
	return out, nil
}

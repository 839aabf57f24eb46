package service

import (
	"context"

	"gorm.io/gorm"

	"fayuan/model"
)

// CaseHistory adds the case's visits, in time order, to its detail. Cases.Get has already
// decided that by may see the case. As with calls, what the recipient said, where they live
// (the location) and who went are shown only to managers and the staff assigned to call or
// visit the case; a handler or a reviewer sees that a visit took place, when, and its
// verification.
func (s *Visits) CaseHistory(ctx context.Context, by model.Actor, c *model.Case, d *model.CaseDetailResponse) error {
	db := s.db.WithContext(ctx)
	var visits []model.Visit
	if err := db.Where("case_id = ?", c.ID).Order("visited_at, id").Find(&visits).Error; err != nil {
		return err
	}
	if len(visits) == 0 {
		return nil
	}
	full, err := seesAnswers(db, by, c.ID)
	if err != nil {
		return err
	}
	ids := make([]uint64, len(visits))
	names := map[uint64]string{}
	for i, v := range visits {
		ids[i] = v.ID
		names[v.UserID] = ""
	}
	var parts []model.VisitParticipant
	if err := db.Where("visit_id IN ?", ids).Order("id").Find(&parts).Error; err != nil {
		return err
	}
	byVisit := map[uint64][]model.VisitParticipant{}
	for _, p := range parts {
		byVisit[p.VisitID] = append(byVisit[p.VisitID], p)
		if p.UserID != nil {
			names[*p.UserID] = ""
		}
	}
	if err := displayNames(db, names); err != nil {
		return err
	}
	for i := range visits {
		r := visitResponse(&visits[i], byVisit[visits[i].ID], names)
		if !full {
			// The handler under evaluation learns neither who visited nor what was said.
			r.ClientID, r.VisitorID, r.VisitorName, r.Participants = "", 0, "", []model.VisitParticipantResponse{}
			r.Location, r.Answers, r.Differences, r.Suggestions, r.Note = nil, nil, []model.VisitDifference{}, "", ""
			r.VerificationClaimed = ""
		}
		d.Visits = append(d.Visits, r)
	}
	return nil
}

// callVisitChecks tells, for each of the calls that some visit compared, what the visits found:
// inconsistent when any visit was, with that visit's differences (the latest such visit).
func callVisitChecks(db *gorm.DB, callIDs []uint64) (map[uint64]*model.CallVisitCheck, error) {
	out := map[uint64]*model.CallVisitCheck{}
	if len(callIDs) == 0 {
		return out, nil
	}
	var visits []model.Visit
	if err := db.Select("id, call_id, verification, differences").Where("call_id IN ?", callIDs).
		Order("visited_at, id").Find(&visits).Error; err != nil {
		return nil, err
	}
	for _, v := range visits {
		c := out[*v.CallID]
		if c == nil {
			c = &model.CallVisitCheck{Verification: model.VerificationConsistent, Differences: []model.VisitDifference{}}
			out[*v.CallID] = c
		}
		c.VisitIDs = append(c.VisitIDs, model.ID(v.ID))
		if v.Verification == model.VerificationInconsistent {
			c.Verification, c.Differences = v.Verification, visitDifferences(v.Differences)
		}
	}
	return out, nil
}

package service

import (
	"context"
	"strconv"
	"time"

	"gorm.io/gorm"

	"fayuan/model"
)

// WorkListQuery is what the staff member asks for.
type WorkListQuery struct {
	Phase        string
	UpdatedSince *time.Time
	Page         model.Page
}

// workRow is one assignment joined with its case.
type workRow struct {
	CaseID            uint64
	CaseNo            string
	Status            string
	Attempts          int
	LastOutcome       string
	RecipientName     string
	RecipientPhoneEnc string
	Town              string
	Village           string
	Cause             string
	Category          model.Category
	ClosedOn          *string
	HandlerName       string
	AssignedUpdatedAt time.Time
	CaseUpdatedAt     time.Time
}

// WorkList returns the caller's own cases of a phase — never-called first, then pending cases
// whose retry is due (the campaign's minimum gap since the last attempt), then by town —
// with the recipient's phone in full: the caller is the one who must call. One audit row per
// fetch records that phones were read. With UpdatedSince it returns only what changed since,
// and the cases moved away from the caller since, for an offline phone to sync.
func (s *Assignments) WorkList(ctx context.Context, by model.Actor, id model.ID, q WorkListQuery) (*model.WorkList, error) {
	if !by.Is(model.RoleStaff) {
		return nil, model.ErrRoleForbidden
	}
	p := model.Phase(q.Phase)
	if p != model.PhaseCalls && p != model.PhaseVisits {
		return nil, model.InvalidField("phase", "阶段应为 calls 或 visits")
	}
	db := s.db.WithContext(ctx)
	c, err := visibleCampaign(db, by, uint64(id))
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	base := db.Table("case_assignments AS a").Joins("JOIN cases c ON c.id = a.case_id").
		Where("a.campaign_id = ? AND a.phase = ? AND a.user_id = ?", c.ID, string(p), by.UserID)
	if q.UpdatedSince != nil {
		since := q.UpdatedSince.UTC()
		base = base.Where("(a.updated_at >= ? OR c.updated_at >= ?)", since, since)
	}
	total, rows, err := workPage(db, base, c, p, by.UserID, q, now)
	if err != nil {
		return nil, err
	}
	out := &model.WorkList{Items: make([]model.WorkItem, len(rows)), Total: total, Page: q.Page.Page, PageSize: q.Page.PageSize,
		RemovedCaseIDs: []model.ID{}, SyncedAt: model.NewTime(now)}
	answers, err := answersSoFar(db, c.ID, rows)
	if err != nil {
		return nil, err
	}
	phones := 0
	for i, r := range rows {
		phone, err := s.vault.Decrypt(r.RecipientPhoneEnc)
		if err != nil {
			phone = "" // a value under a key this server lacks: the rest of the list still works
		}
		if phone != "" {
			phones++
		}
		updated := r.AssignedUpdatedAt
		if r.CaseUpdatedAt.After(updated) {
			updated = r.CaseUpdatedAt
		}
		item := model.WorkItem{CaseID: model.ID(r.CaseID), CaseNo: r.CaseNo, Status: r.Status, Attempts: r.Attempts,
			Recipient:    model.WorkRecipient{Name: r.RecipientName, Phone: phone, Town: r.Town, Village: r.Village},
			AnswersSoFar: answers[r.CaseID], Cause: r.Cause, Category: r.Category, ClosedOn: r.ClosedOn, HandlerName: r.HandlerName,
			UpdatedAt: model.NewTime(updated)}
		if r.LastOutcome != "" {
			o := r.LastOutcome
			item.LastOutcome = &o
		}
		if p == model.PhaseVisits {
			visited := r.Status == model.AssignmentVisited
			item.Visited = &visited
		}
		out.Items[i] = item
	}
	if q.UpdatedSince != nil {
		if out.RemovedCaseIDs, err = s.movedAway(db, c.ID, p, by.UserID, q.UpdatedSince.UTC()); err != nil {
			return nil, err
		}
	}
	if phones > 0 {
		err := s.audit.Record(db, by, Entry{Action: "case.read_phone", ObjectType: "campaign", ObjectID: c.ID,
			Reason: "work list " + string(p) + ": " + strconv.Itoa(phones) + " phones"})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// movedAway lists the cases reassigned from user since the time that user no longer holds.
func (s *Assignments) movedAway(db *gorm.DB, campaignID uint64, p model.Phase, user uint64, since time.Time) ([]model.ID, error) {
	var ids []uint64
	err := db.Model(&model.AssignmentEvent{}).Distinct("case_id").
		Where("campaign_id = ? AND phase = ? AND from_user_id = ? AND at >= ?", campaignID, string(p), user, since).
		Where("NOT EXISTS (SELECT 1 FROM case_assignments a WHERE a.campaign_id = ? AND a.phase = ? AND a.case_id = assignment_events.case_id AND a.user_id = ?)",
			campaignID, string(p), user).
		Order("case_id").Pluck("case_id", &ids).Error
	out := make([]model.ID, len(ids))
	for i, id := range ids {
		out[i] = model.ID(id)
	}
	return out, err
}

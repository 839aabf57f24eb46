package service

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fayuan/model"
)

var (
	errRectNotFound = model.NotFound("rectification_not_found", "整改任务不存在")
	errRectStep     = model.Conflict("rectification_step", "整改任务当前状态不能进行此操作")
)

func rectificationResponse(r *model.Rectification) *model.RectificationResponse {
	return &model.RectificationResponse{ID: model.ID(r.ID), CaseID: model.ID(r.CaseID), Status: r.Status, InterviewOn: r.InterviewOn,
		InterviewNote: r.InterviewNote, HandlerText: r.HandlerText, SubmittedAt: model.TimePtr(r.SubmittedAt),
		ClosingNote: r.ClosingNote, ClosedAt: model.TimePtr(r.ClosedAt)}
}

// Interview records the interview (约谈) of a rectification: date and note. Managers.
func (s *Results) Interview(ctx context.Context, by model.Actor, id model.ID, req model.InterviewRequest) (*model.RectificationResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	note, err := text("note", req.Note, 2000)
	if err != nil {
		return nil, err
	}
	d, ok := parseDate(req.Date)
	if !ok {
		return nil, model.InvalidField("date", "日期格式应为 YYYY-MM-DD")
	}
	return s.rectify(ctx, by, id, "rectification.interview", func(r *model.Rectification, now time.Time) error {
		if d.After(now) {
			return model.InvalidField("date", "约谈日期不能晚于今天")
		}
		if r.Status != model.RectOpen && r.Status != model.RectInterviewed {
			return errRectStep
		}
		r.Status, r.InterviewOn, r.InterviewNote = model.RectInterviewed, req.Date, note
		return nil
	})
}

// Submit records the handler's written rectification, after the interview.
func (s *Results) Submit(ctx context.Context, by model.Actor, id model.ID, req model.RectificationTextRequest) (*model.RectificationResponse, error) {
	if !by.Is(model.RoleHandler) {
		return nil, model.ErrRoleForbidden
	}
	t, err := text("text", req.Text, 4000)
	if err != nil {
		return nil, err
	}
	return s.rectify(ctx, by, id, "rectification.submit", func(r *model.Rectification, now time.Time) error {
		if r.Status != model.RectInterviewed && r.Status != model.RectSubmitted {
			return errRectStep
		}
		r.Status, r.HandlerText, r.SubmittedAt = model.RectSubmitted, t, &now
		return nil
	})
}

// Close closes a rectification with a manager's note, once the handler's text is in.
func (s *Results) Close(ctx context.Context, by model.Actor, id model.ID, req model.RectificationTextRequest) (*model.RectificationResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	t, err := text("text", req.Text, 2000)
	if err != nil {
		return nil, err
	}
	return s.rectify(ctx, by, id, "rectification.close", func(r *model.Rectification, now time.Time) error {
		if r.Status != model.RectSubmitted {
			return errRectStep
		}
		uid := by.UserID
		r.Status, r.ClosingNote, r.ClosedBy, r.ClosedAt = model.RectClosed, t, &uid, &now
		return nil
	})
}

// rectify runs one step on a locked rectification the caller may see; a handler sees only
// their own. Audited with before and after.
func (s *Results) rectify(ctx context.Context, by model.Actor, id model.ID, action string, fn func(*model.Rectification, time.Time) error) (*model.RectificationResponse, error) {
	var out *model.RectificationResponse
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r model.Rectification
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&r, uint64(id)).Error; err != nil {
			return notFoundAs(err, errRectNotFound)
		}
		if !by.Is(model.RoleManager) {
			mine, err := ownHandlers(tx, by)
			if err != nil {
				return err
			}
			if r.HandlerID == nil || !containsID(mine, *r.HandlerID) {
				return errRectNotFound
			}
		}
		before := r
		now := s.clock.Now()
		if err := fn(&r, now); err != nil {
			return err
		}
		r.UpdatedAt = now
		if err := tx.Save(&r).Error; err != nil {
			return err
		}
		if err := s.audit.Record(tx, by, Entry{Action: action, ObjectType: "rectification", ObjectID: r.ID, Before: before, After: r}); err != nil {
			return err
		}
		out = rectificationResponse(&r)
		return nil
	})
	return out, err
}

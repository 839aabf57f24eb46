package service

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fayuan/internal/review"
	"fayuan/model"
)

var (
	errWindowClosed     = model.Conflict("objection_window_closed", "异议期已过，不能再提出异议")
	errAlreadyObjected  = model.Conflict("already_objected", "该结果已提出过异议")
	errNotObjected      = model.Conflict("not_objected", "该结果没有待处理的异议")
	errWindowOpen       = model.Conflict("objection_window_open", "异议期未满，暂不能确认结果")
	errObjectionPending = model.Conflict("objection_pending", "异议尚未处理，请先作出处理决定")
	errResultFinal      = model.Conflict("result_final", "结果已确认，不能再更改")
)

// facts gathers what a result's consequence is decided from: the result, the case's subsidy
// and whether a follow-up's fee alert about the case was found true in this campaign.
func facts(tx *gorm.DB, r *model.CaseResult) (review.Facts, error) {
	var k model.Case
	if err := tx.Take(&k, r.CaseID).Error; err != nil {
		return review.Facts{}, err
	}
	fee, err := exists(tx.Model(&model.Alert{}).Where("campaign_id = ? AND case_id = ? AND kind = ? AND conclusion = ?",
		r.CampaignID, r.CaseID, model.AlertFee, model.ConclusionSubstantiated))
	if err != nil {
		return review.Facts{}, err
	}
	var d resultDetails
	_ = json.Unmarshal([]byte(r.DetailsJSON), &d)
	var other []string
	_ = json.Unmarshal([]byte(r.ViolationsJSON), &other)
	return review.Facts{
		Final:        review.Final{Sheets: d.Sheets, Score: review.Tenths(r.Score), Veto: r.Veto, Grade: review.Grade(r.Grade)},
		SubsidyCents: k.SubsidyCents, FeeAlertSubstantiated: fee, SeriouslyIrresponsible: r.SeriouslyIrresponsible,
		OtherViolations: other,
	}, nil
}

// response builds a result's wire shape: the confirmed consequence once final, otherwise the
// consequence the policy proposes from today's facts.
func (s *Results) response(db *gorm.DB, r *model.CaseResult, policy review.Policy) (*model.ResultResponse, error) {
	var k model.Case
	if err := db.Take(&k, r.CaseID).Error; err != nil {
		return nil, err
	}
	var d resultDetails
	_ = json.Unmarshal([]byte(r.DetailsJSON), &d)
	out := &model.ResultResponse{CaseID: model.ID(r.CaseID), CaseNo: k.CaseNo, FileScore: review.Tenths(r.FileScore),
		Score: review.Tenths(r.Score), Grade: r.Grade, GradeLabel: review.Grade(r.Grade).Label(), Veto: r.Veto, Status: r.Status,
		Deductions: d.Deductions, Reasons: d.Reasons, PublishedAt: model.NewTime(r.PublishedAt),
		ObjectionDeadline: model.NewTime(r.WindowEndsAt), SubsidyCents: k.SubsidyCents,
		SeriouslyIrresponsible: r.SeriouslyIrresponsible, Version: r.Version}
	if out.Deductions == nil {
		out.Deductions = []model.ResultDeduction{}
	}
	if r.HandlerID != nil {
		hd, err := handlerSummary(db, *r.HandlerID)
		if err != nil {
			return nil, err
		}
		out.Handler = &hd
	}
	if r.ObjectedAt != nil {
		out.Objection = &model.ResultObjection{Reason: r.ObjectionReason, At: model.NewTime(*r.ObjectedAt)}
	}
	if r.DecidedAt != nil {
		out.Decision = &model.ResultDecision{Outcome: r.DecisionOutcome, Reason: r.DecisionReason, At: model.NewTime(*r.DecidedAt)}
	}
	f, err := facts(db, r)
	if err != nil {
		return nil, err
	}
	out.FeeAlertSubstantiated = f.FeeAlertSubstantiated
	if r.Status == model.ResultFinal && r.ConsequenceJSON != "" {
		var c review.Consequence
		if err := json.Unmarshal([]byte(r.ConsequenceJSON), &c); err != nil {
			return nil, err
		}
		out.Consequence, out.ConsequenceConfirmed = &c, true
	} else if c, err := review.Decide(f, policy); err == nil {
		out.Consequence = &c
	}
	var rect model.Rectification
	if err := db.Where("result_id = ?", r.ID).Limit(1).Find(&rect).Error; err != nil {
		return nil, err
	}
	if rect.ID != 0 {
		out.Rectification = rectificationResponse(&rect)
	}
	return out, nil
}

// change runs fn on a locked result of the campaign and audits it with before and after.
func (s *Results) change(ctx context.Context, by model.Actor, campaignID, caseID model.ID, action, reason string,
	fn func(tx *gorm.DB, r *model.CaseResult, policy review.Policy, now time.Time) error) (*model.ResultResponse, error) {
	var out *model.ResultResponse
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		camp, err := campaignByID(tx, uint64(campaignID))
		if err != nil {
			return err
		}
		var r model.CaseResult
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("campaign_id = ? AND case_id = ?", camp.ID, uint64(caseID)).
			Take(&r).Error; err != nil {
			return notFoundAs(err, errResultNotFound)
		}
		if !by.Is(model.RoleManager) {
			mine, err := ownHandlers(tx, by)
			if err != nil {
				return err
			}
			if r.HandlerID == nil || !containsID(mine, *r.HandlerID) {
				return errResultNotFound
			}
		}
		_, policy, err := resultSettings(tx, camp.ID)
		if err != nil {
			return err
		}
		before := r
		now := s.clock.Now()
		if err := fn(tx, &r, policy, now); err != nil {
			return err
		}
		r.Version++
		r.UpdatedAt = now
		if err := tx.Save(&r).Error; err != nil {
			return err
		}
		if err := s.audit.Record(tx, by, Entry{Action: action, ObjectType: "case_result", ObjectID: r.ID, Reason: reason,
			Before: before, After: r}); err != nil {
			return err
		}
		out, err = s.response(tx, &r, policy)
		return err
	})
	return out, err
}

func containsID(ids []uint64, id uint64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// text checks a required free text of at most max characters.
func text(field, v string, max int) (string, error) {
	v = strings.TrimSpace(v)
	if n := utf8.RuneCountInString(v); n == 0 || n > max {
		return v, model.InvalidField(field, "请填写（1–"+strconv.Itoa(max)+" 个字）")
	}
	return v, nil
}

// Object files the handler's objection, within the window (after it: 409).
func (s *Results) Object(ctx context.Context, by model.Actor, campaignID, caseID model.ID, req model.ObjectionRequest) (*model.ResultResponse, error) {
	if !by.Is(model.RoleHandler) {
		return nil, model.ErrRoleForbidden
	}
	reason, err := text("reason", req.Reason, 2000)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, by, campaignID, caseID, "result.object", reason, func(tx *gorm.DB, r *model.CaseResult, _ review.Policy, now time.Time) error {
		switch {
		case r.Status == model.ResultFinal:
			return errResultFinal
		case r.ObjectedAt != nil:
			return errAlreadyObjected
		case now.After(r.WindowEndsAt):
			return errWindowClosed
		}
		r.Status, r.ObjectionReason, r.ObjectedAt = model.ResultObjected, reason, &now
		return nil
	})
}

// Decide records a manager's written decision on an objection: upheld, or amended to a new
// score (the grade follows the campaign's bands; a standing veto keeps 不合格).
func (s *Results) Decide(ctx context.Context, by model.Actor, campaignID, caseID model.ID, req model.DecisionRequest) (*model.ResultResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	reason, err := text("reason", req.Reason, 2000)
	if err != nil {
		return nil, err
	}
	switch req.Outcome {
	case model.DecisionUpheld:
		if req.Score != nil || req.Veto != nil {
			return nil, model.InvalidField("score", "维持原结果时不能修改分数或一票否决")
		}
	case model.DecisionAmended:
		if req.Score == nil && req.Veto == nil {
			return nil, model.InvalidField("score", "变更结果须给出新的分数或一票否决")
		}
		if req.Score != nil && (*req.Score < 0 || *req.Score > review.FullMarks) {
			return nil, model.InvalidField("score", "分数应在 0–100 之间")
		}
	default:
		return nil, model.InvalidField("outcome", "处理结果应为 upheld（维持）或 amended（变更）")
	}
	return s.change(ctx, by, campaignID, caseID, "result.decide", reason, func(tx *gorm.DB, r *model.CaseResult, _ review.Policy, now time.Time) error {
		if r.Status != model.ResultObjected {
			if r.Status == model.ResultFinal {
				return errResultFinal
			}
			return errNotObjected
		}
		if req.Outcome == model.DecisionAmended {
			var camp model.Campaign
			if err := tx.Take(&camp, r.CampaignID).Error; err != nil {
				return err
			}
			if req.Score != nil {
				r.Score = int64(*req.Score)
			}
			if req.Veto != nil {
				r.Veto = *req.Veto
			}
			r.Grade = string(campaignBands(&camp).Grade(review.Tenths(r.Score)))
			if r.Veto {
				r.Grade = string(review.Unqualified)
			}
		}
		uid := by.UserID
		r.Status, r.DecisionOutcome, r.DecisionReason, r.DecidedBy, r.DecidedAt = model.ResultDecided, req.Outcome, reason, &uid, &now
		return nil
	})
}

// Confirm makes a result final once no objection is pending and the window has passed (or the
// objection was decided), with the bureau's findings; the consequence is decided by the
// campaign's policy and a 不合格 result opens its rectification task.
func (s *Results) Confirm(ctx context.Context, by model.Actor, campaignID, caseID model.ID, req model.ConfirmRequest) (*model.ResultResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	var other []string
	bad := map[string]string{}
	for _, v := range req.OtherViolations {
		v = strings.TrimSpace(v)
		if n := utf8.RuneCountInString(v); n == 0 || n > 200 {
			bad["other_violations"] = "每项违规行为应为 1–200 个字"
		}
		other = append(other, v)
	}
	if len(other) > 20 {
		bad["other_violations"] = "至多 20 项"
	}
	note := strings.TrimSpace(req.Note)
	if utf8.RuneCountInString(note) > 2000 {
		bad["note"] = "至多 2000 个字"
	}
	if req.SeriouslyIrresponsible && note == "" {
		bad["note"] = "认定办案严重不负责任须写明理由"
	}
	if len(bad) > 0 {
		return nil, model.Invalid(bad)
	}
	return s.change(ctx, by, campaignID, caseID, "result.confirm", note, func(tx *gorm.DB, r *model.CaseResult, policy review.Policy, now time.Time) error {
		switch {
		case r.Version != req.Version:
			return model.Conflict("stale_version", "结果已被更改，请刷新后重试")
		case r.Status == model.ResultFinal:
			return errResultFinal
		case r.Status == model.ResultObjected:
			return errObjectionPending
		case r.Status == model.ResultProvisional && !now.After(r.WindowEndsAt):
			return errWindowOpen
		}
		b, _ := json.Marshal(other)
		r.SeriouslyIrresponsible, r.ViolationsJSON = req.SeriouslyIrresponsible, string(b)
		f, err := facts(tx, r)
		if err != nil {
			return err
		}
		c, err := review.Decide(f, policy)
		if err != nil {
			return err
		}
		cb, _ := json.Marshal(c)
		uid := by.UserID
		r.Status, r.ConsequenceJSON, r.ConfirmNote, r.ConfirmedBy, r.ConfirmedAt = model.ResultFinal, string(cb), note, &uid, &now
		r.Grade = string(c.Grade) // a substantiated fee alert may make it 不合格 by the policy
		if !c.Rectification {
			return nil
		}
		return tx.Create(&model.Rectification{ResultID: r.ID, CampaignID: r.CampaignID, CaseID: r.CaseID, HandlerID: r.HandlerID,
			Status: model.RectOpen, CreatedAt: now, UpdatedAt: now}).Error
	})
}

package service

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	fdb "fayuan/internal/db"
	"fayuan/model"
)

// CorrectionWindow is how long a caller may correct their own call record.
const CorrectionWindow = 24 * time.Hour

var (
	errCallNotFound        = model.NotFound("call_not_found", "回访记录不存在")
	errCorrectionWindow    = model.Forbidden("correction_window_closed", "记录超过 24 小时，只能由管理人员更正")
	errCallVersionStale    = model.Conflict("stale_version", "该记录已被他人更正，请刷新后重试")
	errCorrectionReason    = model.InvalidField("reason", "管理人员更正他人或超过 24 小时的记录时须填写原因")
	errCorrectionNoVersion = model.InvalidField("version", "须提供所更正记录的版本号")
)

// Correct changes a recorded call's outcome, answers or note. The caller may correct their own
// record within CorrectionWindow of recording it; otherwise only a manager, with a reason. Every
// version is kept, the case's follow-up summary is recomputed, and answers newly saying "yes" or
// 不满意 open alerts; an existing alert is never closed or downgraded.
func (s *Calls) Correct(ctx context.Context, by model.Actor, id model.ID, req model.CorrectCallRequest) (*model.CallResponse, error) {
	manager := by.Is(model.RoleManager)
	if !manager && !by.Is(model.RoleStaff) {
		return nil, model.ErrRoleForbidden
	}
	var out *model.CallResponse
	err := fdb.Transact(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		var call model.Call
		if err := tx.Take(&call, uint64(id)).Error; err != nil {
			return notFoundAs(err, errCallNotFound)
		}
		// The case's summary row is locked first, in the same order as Record, so a correction and a
		// new call on one case queue instead of deadlocking.
		var a model.CaseAssignment
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("campaign_id = ? AND phase = ? AND case_id = ?",
			call.CampaignID, string(model.PhaseCalls), call.CaseID).Take(&a).Error
		assigned := err == nil
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&call, uint64(id)).Error; err != nil {
			return err
		}
		own := call.UserID == by.UserID
		inWindow := s.clock.Now().Before(call.CreatedAt.Add(CorrectionWindow))
		switch {
		case !own && !manager:
			return errCallNotFound
		case !manager && (!assigned || a.UserID != by.UserID):
			// The case was moved to someone else: its calls are no longer this caller's to edit.
			return errCallNotFound
		case manager:
			if _, err := visibleCampaign(tx, by, call.CampaignID); err != nil {
				return errCallNotFound
			}
			if !(own && inWindow) && strings.TrimSpace(req.Reason) == "" {
				return errCorrectionReason
			}
		case !inWindow:
			return errCorrectionWindow
		}
		if req.Version <= 0 {
			return errCorrectionNoVersion
		}
		if req.Version != call.Version {
			return errCallVersionStale
		}
		before := call
		if err := applyCorrection(&call, req); err != nil {
			return err
		}
		if call.Version == 1 {
			if err := tx.Create(versionOf(&before, before.UserID, before.CreatedAt, "")).Error; err != nil {
				return err
			}
		}
		call.Version++
		if err := tx.Create(versionOf(&call, by.UserID, s.clock.Now(), strings.TrimSpace(req.Reason))).Error; err != nil {
			return err
		}
		res := tx.Model(&model.Call{}).Where("id = ? AND version = ?", call.ID, before.Version).Updates(map[string]any{
			"outcome": call.Outcome, "answers": call.AnswersJSON, "note": call.Note, "version": call.Version})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return errCallVersionStale
		}
		var camp model.Campaign
		if err := tx.Take(&camp, call.CampaignID).Error; err != nil {
			return err
		}
		if assigned && !call.Extra {
			if err := s.resummarise(tx, &a, camp.Settings()); err != nil {
				return err
			}
		}
		var kase model.Case
		if err := tx.Take(&kase, call.CaseID).Error; err != nil {
			return err
		}
		if err := s.openNewAlerts(tx, by, &camp, &kase, &call); err != nil {
			return err
		}
		if err := refreshProgress(tx, &camp, []uint64{kase.ID}); err != nil { // CaseChanged, the campaign in hand
			return err
		}
		if err := s.audit.Record(tx, by, Entry{Action: "call.correct", ObjectType: "call", ObjectID: call.ID,
			Reason: truncate(strings.TrimSpace(req.Reason), 500), Before: before, After: call}); err != nil {
			return err
		}
		out = newCallResponse(&call, &kase, a.Status, a.Attempts)
		return nil
	})
	return out, err
}

// applyCorrection merges req into call and validates the result as a recorded call would be.
func applyCorrection(call *model.Call, req model.CorrectCallRequest) error {
	bad := map[string]string{}
	if req.Outcome != nil {
		if _, ok := model.OutcomeLabels[*req.Outcome]; !ok {
			bad["outcome"] = "回访结果应为 reached、no_answer、busy、powered_off、wrong_number、refused 或 not_recipient"
		}
		if *req.Outcome != call.Outcome && *req.Outcome != model.OutcomeReached && req.Answers == nil {
			call.AnswersJSON = "" // no longer reached: its answers go with it (kept in the versions)
		}
		call.Outcome = *req.Outcome
	}
	if req.Answers != nil {
		b, _ := json.Marshal(req.Answers)
		call.AnswersJSON = string(b)
	}
	if req.Note != nil {
		if len([]rune(*req.Note)) > 1000 {
			bad["note"] = "备注不超过 1000 字"
		}
		call.Note = *req.Note
	}
	if len([]rune(req.Reason)) > 1000 {
		bad["reason"] = "原因不超过 1000 字"
	}
	switch ans := callAnswers(call); {
	case bad["outcome"] != "":
	case call.Outcome == model.OutcomeReached && ans == nil:
		bad["answers"] = "接通并完成回访时必须记录四个问题的回答"
	case call.Outcome == model.OutcomeReached:
		for k, v := range ans.Problems("answers.") {
			bad[k] = v
		}
	case ans != nil:
		bad["answers"] = "只有接通并完成回访（reached）才有回答"
	}
	if len(bad) > 0 {
		return model.Invalid(bad)
	}
	return nil
}

// callAnswers decodes a call's stored answers (nil when none).
func callAnswers(c *model.Call) *model.Answers {
	if c.AnswersJSON == "" {
		return nil
	}
	var a model.Answers
	if json.Unmarshal([]byte(c.AnswersJSON), &a) != nil {
		return nil
	}
	return &a
}

func versionOf(c *model.Call, by uint64, at time.Time, reason string) *model.CallVersion {
	return &model.CallVersion{CallID: c.ID, Version: c.Version, Outcome: c.Outcome, AnswersJSON: c.AnswersJSON,
		Note: c.Note, RecordedBy: by, RecordedAt: at, Reason: reason}
}

// openNewAlerts opens the alerts the corrected answers raise that this call has not raised yet.
// Alerts already open stay as they are, whatever the correction says now.
func (s *Calls) openNewAlerts(tx *gorm.DB, by model.Actor, camp *model.Campaign, k *model.Case, call *model.Call) error {
	ans := callAnswers(call)
	if ans == nil {
		return nil
	}
	var have []string
	if err := tx.Model(&model.Alert{}).Where("channel = ? AND source_id = ?", model.ChannelCall, call.ID).
		Pluck("kind", &have).Error; err != nil {
		return err
	}
	only := *ans
	for _, kind := range have {
		switch kind {
		case model.AlertFee:
			only.ChargedFee = nil
		case model.AlertNegligence:
			only.Negligent = nil
		case model.AlertDissatisfaction:
			only.Satisfied = nil
		}
	}
	return s.alerts.Open(tx, by, camp, k, model.ChannelCall, call.ID, &only)
}

// resummarise recomputes the case's follow-up summary a (locked by the caller) from all its
// counted calls in time order, as if they had come in order with their current outcomes.
func (s *Calls) resummarise(tx *gorm.DB, a *model.CaseAssignment, st model.CampaignSettings) error {
	var calls []model.Call
	// A locking read: the latest committed calls, including one recorded while this transaction
	// queued for the assignment, which its snapshot (from reading the corrected call) lacks.
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id", "called_at", "outcome").Where("campaign_id = ? AND case_id = ? AND extra = ?", a.CampaignID, a.CaseID, false).
		Order("called_at, id").Find(&calls).Error; err != nil {
		return err
	}
	status, days := model.AssignmentPending, map[string]bool{}
	var last time.Time
	outcome := ""
	for i, c := range calls {
		days[c.CalledAt.In(model.Shanghai).Format("2006-01-02")] = true
		status = FollowUpStatus(status, c.Outcome, i+1, len(days), st)
		last, outcome = c.CalledAt, c.Outcome
	}
	a.Status, a.Attempts, a.LastOutcome, a.UpdatedAt = status, len(calls), outcome, s.clock.Now()
	upd := map[string]any{"status": a.Status, "attempts": a.Attempts, "last_outcome": a.LastOutcome, "updated_at": a.UpdatedAt}
	if len(calls) > 0 {
		a.LastAttemptAt = &last
		upd["last_attempt_at"] = last
	}
	return tx.Model(&model.CaseAssignment{}).Where("id = ?", a.ID).Updates(upd).Error
}

package service

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fayuan/internal/clock"
	fdb "fayuan/internal/db"
	"fayuan/internal/pii"
	"fayuan/model"
)

// Calls records phone follow-up attempts (电话回访) and keeps each case's follow-up summary.
type Calls struct {
	db        *gorm.DB
	clock     clock.Clock
	audit     *Audit
	campaigns *Campaigns
	alerts    *Alerts
	// flagSources are other features' plausibility checks (the visits' inconsistency rate).
	flagSources []FlagSource
	// exports are other features' export kinds (AddExport).
	exports map[string]ExportFunc
}

// NewCalls builds the call service.
func NewCalls(db *gorm.DB, c clock.Clock, audit *Audit, campaigns *Campaigns, alerts *Alerts) *Calls {
	return &Calls{db: db, clock: c, audit: audit, campaigns: campaigns, alerts: alerts}
}

var (
	errCallCaseNotFound   = model.NotFound("case_not_found", "案件不存在或未分配给您")
	errClientIDConflict   = model.Conflict("client_id_conflict", "该 client_id 已用于另一条内容不同的记录")
	uuidRE                = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	errDuplicateClientRow = errors.New("call: client_id already stored")
)

// validateCall names every bad field of a call attempt; answers are required for reached and
// refused otherwise.
func validateCall(req *model.RecordCallRequest) error {
	bad := map[string]string{}
	if !uuidRE.MatchString(req.ClientID) {
		bad["client_id"] = "应为手机生成的 UUID"
	}
	if req.CalledAt == nil || req.CalledAt.IsZero() {
		bad["called_at"] = "必须填写通话时间（RFC 3339）"
	}
	if _, ok := model.OutcomeLabels[req.Outcome]; !ok {
		bad["outcome"] = "回访结果应为 reached、no_answer、busy、powered_off、wrong_number、refused 或 not_recipient"
	}
	switch {
	case req.Outcome == model.OutcomeReached && req.Answers == nil:
		bad["answers"] = "接通并完成回访时必须记录四个问题的回答"
	case req.Outcome == model.OutcomeReached:
		for k, v := range req.Answers.Problems("answers.") {
			bad[k] = v
		}
	case req.Answers != nil && bad["outcome"] == "":
		bad["answers"] = "只有接通并完成回访（reached）才有回答"
	}
	if len([]rune(req.Note)) > 1000 {
		bad["note"] = "备注不超过 1000 字"
	}
	if req.DurationS != nil && (*req.DurationS < 0 || *req.DurationS > 6*3600) {
		bad["duration_s"] = "通话时长应为 0–21600 秒"
	}
	if len(req.RecordingRef) > 255 {
		bad["recording_ref"] = "录音编号不超过 255 个字符"
	}
	if len(bad) > 0 {
		return model.Invalid(bad)
	}
	return nil
}

// Record checks the caller's assignment and the phase window, then stores the attempt, updates
// the case's follow-up summary, opens the alerts its answers call for and writes the audit row,
// all in one transaction. A client_id seen before returns the first record (created false), or
// 409 when the body differs; the unique key (user, client_id) settles races between replicas.
func (s *Calls) Record(ctx context.Context, by model.Actor, campaignID, caseID model.ID, req model.RecordCallRequest) (*model.CallResponse, bool, error) {
	manager := by.Is(model.RoleManager)
	if !manager && !by.Is(model.RoleStaff) {
		return nil, false, model.ErrRoleForbidden
	}
	if err := validateCall(&req); err != nil {
		return nil, false, err
	}
	req.ClientID = strings.ToLower(req.ClientID)
	hash := digest(req)
	db := s.db.WithContext(ctx)
	// No read of the client_id before the transaction: the unique key (user, client_id) finds
	// a replay, and the stored record is read only when the transaction fails (below).
	var out *model.CallResponse
	err := fdb.Transact(db, func(tx *gorm.DB) error {
		// The summary row is locked first: calls on one case queue here, and a queued replay
		// meets the unique key only after the first has committed.
		var a model.CaseAssignment
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("campaign_id = ? AND phase = ? AND case_id = ?", uint64(campaignID), string(model.PhaseCalls), uint64(caseID)).Take(&a).Error
		assigned := err == nil
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		if !manager && (!assigned || a.UserID != by.UserID) {
			return errCallCaseNotFound
		}
		counted := assigned && a.Status != model.AssignmentReached // the summary counts this call
		camp, kase, times, err := loadCallContext(tx, uint64(campaignID), uint64(caseID), counted)
		if err != nil {
			return err
		}
		verdict, err := Judge(camp, model.PhaseCalls, req.CalledAt.Time, s.clock.Now())
		if err != nil {
			return err
		}
		if kase.ID == 0 {
			return errCallCaseNotFound
		}
		if !assigned && !InScope(camp.Scope(model.PhaseCalls), kase) {
			return errCallCaseNotFound // a manager's call must still be on one of this campaign's cases
		}
		call := model.Call{CampaignID: camp.ID, CaseID: kase.ID, UserID: by.UserID, ClientID: req.ClientID,
			BodyHash: hash, CalledAt: req.CalledAt.UTC(), Outcome: req.Outcome, Note: req.Note, DurationS: req.DurationS,
			RecordingRef: req.RecordingRef, Late: verdict.Late, Flags: strings.Join(verdict.Flags, ","),
			Extra: assigned && !counted, CreatedAt: s.clock.Now()}
		if req.Answers != nil {
			b, _ := json.Marshal(req.Answers)
			call.AnswersJSON = string(b)
		}
		if err := tx.Create(&call).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return errDuplicateClientRow
			}
			return err
		}
		if counted {
			if err := s.summarise(tx, &a, &call, append(times, call.CalledAt), camp.Settings()); err != nil {
				return err
			}
		}
		if req.Answers != nil {
			if err := s.alerts.Open(tx, by, camp, kase, model.ChannelCall, call.ID, req.Answers); err != nil {
				return err
			}
		}
		if call.Outcome == model.OutcomeReached { // progress counts reached calls only: the others change nothing
			if err := refreshProgress(tx, camp, []uint64{kase.ID}); err != nil { // CaseChanged, the campaign in hand
				return err
			}
		}
		if err := s.audit.Record(tx, by, Entry{Action: "call.record", ObjectType: "call", ObjectID: call.ID,
			Reason: "case " + caseID.String() + ": " + call.Outcome, After: call}); err != nil {
			return err
		}
		out = newCallResponse(&call, kase, a.Status, a.Attempts)
		return nil
	})
	if err != nil {
		// A client_id stored before answers as it did then (the same record, or 409 for another
		// body), whatever else has changed since — phase closed, case reassigned — so every
		// failure looks for it; the duplicate key is the usual way here.
		replayed, found, rerr := s.replay(db, by, campaignID, caseID, req.ClientID, hash)
		switch {
		case found || rerr != nil && errors.Is(err, errDuplicateClientRow):
			return replayed, false, rerr
		case errors.Is(err, errDuplicateClientRow):
			return nil, false, errors.New("call: duplicate client_id but no stored row")
		}
		return nil, false, err
	}
	return out, true, nil
}

// replay finds the caller's call stored under clientID: the same body on the same case answers
// it again; another body, or the same body sent to another case, is 409 — it was never stored
// there. Another user's client_id never matches.
func (s *Calls) replay(db *gorm.DB, by model.Actor, campaignID, caseID model.ID, clientID, hash string) (*model.CallResponse, bool, error) {
	var call model.Call
	err := db.Where("user_id = ? AND client_id = ?", by.UserID, clientID).Take(&call).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if call.BodyHash != hash || call.CampaignID != uint64(campaignID) || call.CaseID != uint64(caseID) {
		return nil, true, errClientIDConflict
	}
	var kase model.Case
	if err := db.Take(&kase, call.CaseID).Error; err != nil {
		return nil, true, err
	}
	var a model.CaseAssignment
	_ = db.Where("campaign_id = ? AND phase = ? AND case_id = ?", call.CampaignID, string(model.PhaseCalls), call.CaseID).Take(&a).Error
	return newCallResponse(&call, &kase, a.Status, a.Attempts), true, nil
}

// newCallResponse converts a call, filling the registration form from its case.
func newCallResponse(c *model.Call, k *model.Case, status string, attempts int) *model.CallResponse {
	r := &model.CallResponse{ID: model.ID(c.ID), ClientID: c.ClientID, CampaignID: model.ID(c.CampaignID), CaseID: model.ID(c.CaseID),
		CallerID: model.ID(c.UserID), CalledAt: model.NewTime(c.CalledAt), Outcome: c.Outcome, OutcomeLabel: model.OutcomeLabels[c.Outcome],
		Note: c.Note, DurationS: c.DurationS, RecordingRef: c.RecordingRef, Late: c.Late, Flags: []string{}, Extra: c.Extra,
		Form: model.CallForm{Cause: k.Cause, RecipientName: pii.MaskName(k.RecipientName), HandlerName: k.HandlerName,
			ClosedOn: k.ClosedOn, CallDate: c.CalledAt.In(model.Shanghai).Format("2006-01-02")},
		Status: status, Attempts: attempts, CreatedAt: model.NewTime(c.CreatedAt)}
	if c.Flags != "" {
		r.Flags = strings.Split(c.Flags, ",")
	}
	if c.AnswersJSON != "" {
		var a model.Answers
		if json.Unmarshal([]byte(c.AnswersJSON), &a) == nil {
			r.Answers = &a
		}
	}
	if r.Status == "" {
		r.Status = model.AssignmentPending
	}
	return r
}

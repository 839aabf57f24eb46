package service

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fayuan/internal/clock"
	fdb "fayuan/internal/db"
	"fayuan/model"
)

// Visits records the field visits (进村入户) of the visits phase: a staff member (with township
// cadres) meets the recipient at home, asks the four questions again and checks them against
// what the phone follow-up recorded.
type Visits struct {
	db        *gorm.DB
	clock     clock.Clock
	audit     *Audit
	campaigns *Campaigns
	alerts    *Alerts
	onDelete  []func(ctx context.Context, visitID uint64) error
}

// NewVisits builds the visit service.
func NewVisits(db *gorm.DB, c clock.Clock, audit *Audit, campaigns *Campaigns, alerts *Alerts) *Visits {
	return &Visits{db: db, clock: c, audit: audit, campaigns: campaigns, alerts: alerts}
}

// OnDelete registers f to run after a visit's deletion has committed — the photos remove their
// files there. Register while wiring the server, before it serves.
func (s *Visits) OnDelete(f func(ctx context.Context, visitID uint64) error) {
	s.onDelete = append(s.onDelete, f)
}

func init() {
	// A visit always carries answers, so every visit reached the recipient.
	RegisterContactSource(ContactSource{Table: "visits", Cond: "answers IS NOT NULL AND answers <> ''"})
}

// maxVisitParticipants bounds each list of a visit's participants.
const maxVisitParticipants = 20

var (
	errVisitCaseNotFound     = model.NotFound("case_not_found", "案件不存在或未分配给您")
	errVisitNotFound         = model.NotFound("visit_not_found", "走访记录不存在")
	errVisitDeleteWindow     = model.Forbidden("delete_window_closed", "走访记录上传超过 24 小时，只能由管理人员删除")
	errVisitNotVisitor       = model.Forbidden("not_visitor", "只有走访人本人（上传后 24 小时内）或管理人员可以删除走访记录")
	errVisitDuplicateRow     = errors.New("visit: client_id already stored")
	errVisitParticipantStaff = "应为有效的回访人员或管理人员账号"
)

// validateVisit names every bad field of a visit.
func validateVisit(req *model.RecordVisitRequest) error {
	bad := map[string]string{}
	if !uuidRE.MatchString(req.ClientID) {
		bad["client_id"] = "应为手机生成的 UUID"
	}
	if req.VisitedAt == nil || req.VisitedAt.IsZero() {
		bad["visited_at"] = "必须填写走访时间（RFC 3339）"
	}
	if req.Answers == nil {
		bad["answers"] = "走访时必须当面重新询问并记录四个问题的回答"
	} else {
		for k, v := range req.Answers.Problems("answers.") {
			bad[k] = v
		}
	}
	if l := req.Location; l != nil {
		validLocation(l, bad)
	}
	if p := req.Participants; p != nil {
		if len(p.StaffIDs) > maxVisitParticipants || len(p.Cadres) > maxVisitParticipants {
			bad["participants"] = "同行人员不超过 20 人"
		}
		for _, name := range p.Cadres {
			if n := len([]rune(strings.TrimSpace(name))); n == 0 || n > 64 {
				bad["participants.cadres"] = "每位同行干部应填写姓名（及单位），不超过 64 字"
			}
		}
	}
	switch req.Verification {
	case "", model.VerificationConsistent, model.VerificationInconsistent, model.VerificationNotReachedByPhone:
	default:
		bad["verification"] = "取值应为 consistent / inconsistent / not_reached_by_phone"
	}
	if len([]rune(req.Note)) > 1000 {
		bad["note"] = "备注不超过 1000 字"
	}
	if len([]rune(req.Suggestions)) > 2000 {
		bad["suggestions"] = "意见建议不超过 2000 字"
	}
	if len(bad) > 0 {
		return model.Invalid(bad)
	}
	return nil
}

// validLocation checks a location's ranges; the coordinate system is required so that nobody
// has to guess later whether a point is GPS or map coordinates.
func validLocation(l *model.VisitLocation, bad map[string]string) {
	finite := func(v *float64) bool { return v != nil && !math.IsNaN(*v) && !math.IsInf(*v, 0) }
	if !finite(l.Lat) || *l.Lat < -90 || *l.Lat > 90 {
		bad["location.lat"] = "纬度应为 -90 至 90"
	}
	if !finite(l.Lng) || *l.Lng < -180 || *l.Lng > 180 {
		bad["location.lng"] = "经度应为 -180 至 180"
	}
	if l.Accuracy != nil && (!finite(l.Accuracy) || *l.Accuracy < 0 || *l.Accuracy > 100000) {
		bad["location.accuracy"] = "定位精度应为 0–100000 米"
	}
	if l.CoordType != model.CoordWGS84 && l.CoordType != model.CoordGCJ02 {
		bad["location.coord_type"] = "坐标系应为 wgs84 或 gcj02"
	}
	if len([]rune(l.Address)) > 255 {
		bad["location.address"] = "地址不超过 255 字"
	}
}

// Record checks the visitor's assignment and the phase window, then stores the visit with its
// participants, computes its verification against the phone answers, moves the case's visits
// assignment to visited, opens the alerts its answers call for and writes the audit row, all in
// one transaction. A client_id seen before returns the first record (created false), or 409 when
// the body differs; the unique key (user, client_id) settles concurrent retries.
func (s *Visits) Record(ctx context.Context, by model.Actor, campaignID, caseID model.ID, req model.RecordVisitRequest) (*model.VisitResponse, bool, error) {
	manager := by.Is(model.RoleManager)
	if !manager && !by.Is(model.RoleStaff) {
		return nil, false, model.ErrRoleForbidden
	}
	if err := validateVisit(&req); err != nil {
		return nil, false, err
	}
	req.ClientID = strings.ToLower(req.ClientID)
	// The case is part of the body: the same client_id sent for another case is a different record.
	hash := digest(struct {
		Campaign, Case model.ID
		Req            model.RecordVisitRequest
	}{campaignID, caseID, req})
	db := s.db.WithContext(ctx)
	if out, found, err := s.replay(db, by, req.ClientID, hash); found || err != nil {
		return out, false, err
	}
	var id uint64
	err := fdb.Transact(db, func(tx *gorm.DB) error {
		// The assignment row is locked first: visits of one case queue here, and a queued replay
		// meets the unique key only after the first has committed.
		var a model.CaseAssignment
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("campaign_id = ? AND phase = ? AND case_id = ?", uint64(campaignID), string(model.PhaseVisits), uint64(caseID)).Take(&a).Error
		assigned := err == nil
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		if !manager && (!assigned || a.UserID != by.UserID) {
			return errVisitCaseNotFound
		}
		camp, verdict, err := s.campaigns.JudgeNow(tx, uint64(campaignID), model.PhaseVisits, req.VisitedAt.Time)
		if err != nil {
			return err
		}
		var kase model.Case
		if err := tx.Take(&kase, uint64(caseID)).Error; err != nil {
			return notFoundAs(err, errVisitCaseNotFound)
		}
		if !assigned && !InScope(camp.Scope(model.PhaseCalls), &kase) {
			return errVisitCaseNotFound // a manager's visit must still be on one of this campaign's cases
		}
		staff, err := participantStaff(tx, req.Participants, by.UserID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		v := model.Visit{CampaignID: camp.ID, CaseID: kase.ID, UserID: by.UserID, ClientID: req.ClientID, BodyHash: hash,
			VisitedAt: req.VisitedAt.UTC(), Suggestions: req.Suggestions, Note: req.Note, Late: verdict.Late, CreatedAt: now}
		if l := req.Location; l != nil {
			v.Lat, v.Lng, v.Accuracy, v.CoordType, v.Address = l.Lat, l.Lng, l.Accuracy, l.CoordType, l.Address
		}
		b, _ := json.Marshal(req.Answers)
		v.AnswersJSON = string(b)
		if err := s.verify(tx, &v, req.Answers); err != nil {
			return err
		}
		flags := slices.Clone(verdict.Flags)
		// The visitor's own conclusion is kept as a confirmation, and flagged when it disagrees.
		v.VerificationClaimed = req.Verification
		if req.Verification != "" && req.Verification != v.Verification {
			flags = append(flags, model.FlagVerificationDisputed)
		}
		v.Flags = strings.Join(flags, ",")
		if err := tx.Create(&v).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return errVisitDuplicateRow
			}
			return err
		}
		if err := storeParticipants(tx, v.ID, staff, req.Participants); err != nil {
			return err
		}
		if assigned {
			if err := tx.Model(&model.CaseAssignment{}).Where("id = ?", a.ID).Updates(map[string]any{
				"status": model.AssignmentVisited, "attempts": gorm.Expr("attempts + 1"), "last_outcome": model.AssignmentVisited,
				"last_attempt_at": v.VisitedAt, "updated_at": now}).Error; err != nil {
				return err
			}
		}
		if err := s.alerts.Open(tx, by, camp, &kase, model.ChannelVisit, v.ID, req.Answers); err != nil {
			return err
		}
		if err := s.campaigns.CaseChanged(tx, camp.ID, kase.ID); err != nil {
			return err
		}
		if err := s.audit.Record(tx, by, Entry{Action: "visit.record", ObjectType: "visit", ObjectID: v.ID,
			Reason: "case " + caseID.String() + ": " + v.Verification, After: v}); err != nil {
			return err
		}
		id = v.ID
		return nil
	})
	if errors.Is(err, errVisitDuplicateRow) {
		out, found, err := s.replay(db, by, req.ClientID, hash)
		if err == nil && !found {
			err = errors.New("visit: duplicate client_id but no stored row")
		}
		return out, false, err
	}
	if err != nil {
		return nil, false, err
	}
	var v model.Visit
	if err := db.Take(&v, id).Error; err != nil {
		return nil, false, err
	}
	out, err := s.response(db, &v)
	return out, true, err
}

// replay finds the visitor's visit stored under clientID: the same body answers it again, a
// different one is 409. Another user's client_id never matches.
func (s *Visits) replay(db *gorm.DB, by model.Actor, clientID, hash string) (*model.VisitResponse, bool, error) {
	var v model.Visit
	err := db.Where("user_id = ? AND client_id = ?", by.UserID, clientID).Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if v.BodyHash != hash {
		return nil, true, errClientIDConflict
	}
	out, err := s.response(db, &v)
	return out, true, err
}

// participantStaff loads the listed staff accounts: each must be an enabled staff member or
// manager. The visitor listed as their own participant is dropped.
func participantStaff(tx *gorm.DB, p *model.VisitParticipants, visitor uint64) ([]uint64, error) {
	if p == nil || len(p.StaffIDs) == 0 {
		return nil, nil
	}
	var ids []uint64
	for _, id := range p.StaffIDs {
		if uint64(id) != visitor && !slices.Contains(ids, uint64(id)) {
			ids = append(ids, uint64(id))
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var users []model.User
	if err := tx.Where("id IN ? AND disabled = ?", ids, false).Find(&users).Error; err != nil {
		return nil, err
	}
	ok := 0
	for _, u := range users {
		if u.Roles().Has(model.RoleStaff, model.RoleManager) {
			ok++
		}
	}
	if ok != len(ids) {
		return nil, model.InvalidField("participants.staff_ids", errVisitParticipantStaff)
	}
	slices.Sort(ids)
	return ids, nil
}

// storeParticipants writes the visit's staff participants and named cadres.
func storeParticipants(tx *gorm.DB, visitID uint64, staff []uint64, p *model.VisitParticipants) error {
	var rows []model.VisitParticipant
	for _, id := range staff {
		u := id
		rows = append(rows, model.VisitParticipant{VisitID: visitID, UserID: &u})
	}
	if p != nil {
		for _, name := range p.Cadres {
			rows = append(rows, model.VisitParticipant{VisitID: visitID, Name: strings.TrimSpace(name)})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return tx.Create(&rows).Error
}

// Visible returns the visit when by may see it — its visitor, a staff participant, or a
// manager — and 404 visit_not_found to everyone else, so that nobody learns it exists.
func (s *Visits) Visible(ctx context.Context, by model.Actor, visitID model.ID) (*model.Visit, error) {
	return visibleVisit(s.db.WithContext(ctx), by, uint64(visitID))
}

func visibleVisit(db *gorm.DB, by model.Actor, id uint64) (*model.Visit, error) {
	var v model.Visit
	if err := db.Take(&v, id).Error; err != nil {
		return nil, notFoundAs(err, errVisitNotFound)
	}
	if by.Is(model.RoleManager) || by.Is(model.RoleStaff) && v.UserID == by.UserID {
		return &v, nil
	}
	if by.Is(model.RoleStaff) {
		found, err := exists(db.Model(&model.VisitParticipant{}).Where("visit_id = ? AND user_id = ?", v.ID, by.UserID))
		if err != nil {
			return nil, err
		}
		if found {
			return &v, nil
		}
	}
	return nil, errVisitNotFound
}

// Get answers one visit to someone who may see it.
func (s *Visits) Get(ctx context.Context, by model.Actor, id model.ID) (*model.VisitResponse, error) {
	db := s.db.WithContext(ctx)
	v, err := visibleVisit(db, by, uint64(id))
	if err != nil {
		return nil, err
	}
	return s.response(db, v)
}

// Delete removes a visit with its participants: a manager at any time, its visitor within 24
// hours of its receipt. The alerts it opened stay (an alert closes only with findings). The
// case's visits assignment goes back to pending when no visit remains. The OnDelete hooks run
// after the commit; their first error is returned, the visit being gone all the same.
func (s *Visits) Delete(ctx context.Context, by model.Actor, id model.ID) error {
	db := s.db.WithContext(ctx)
	err := fdb.Transact(db, func(tx *gorm.DB) error {
		v, err := visibleVisit(tx, by, uint64(id))
		if err != nil {
			return err
		}
		if !by.Is(model.RoleManager) {
			if v.UserID != by.UserID {
				return errVisitNotVisitor
			}
			if s.clock.Now().Sub(v.CreatedAt) > model.VisitDeleteWindow {
				return errVisitDeleteWindow
			}
		}
		var a model.CaseAssignment
		err = tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("campaign_id = ? AND phase = ? AND case_id = ?", v.CampaignID, string(model.PhaseVisits), v.CaseID).Take(&a).Error
		assigned := err == nil
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		if err := tx.Where("visit_id = ?", v.ID).Delete(&model.VisitParticipant{}).Error; err != nil {
			return err
		}
		if res := tx.Delete(&model.Visit{}, v.ID); res.Error != nil || res.RowsAffected == 0 {
			return notFoundAs(orNotFound(res), errVisitNotFound)
		}
		if assigned {
			if err := s.resummarise(tx, &a); err != nil {
				return err
			}
		}
		if err := s.campaigns.CaseChanged(tx, v.CampaignID, v.CaseID); err != nil {
			return err
		}
		return s.audit.Record(tx, by, Entry{Action: "visit.delete", ObjectType: "visit", ObjectID: v.ID,
			Reason: "case " + model.ID(v.CaseID).String(), Before: v})
	})
	if err != nil {
		return err
	}
	var first error
	for _, f := range s.onDelete {
		if err := f(ctx, uint64(id)); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// orNotFound turns a delete that matched nothing (a concurrent delete) into ErrRecordNotFound.
func orNotFound(res *gorm.DB) error {
	if res.Error != nil {
		return res.Error
	}
	return gorm.ErrRecordNotFound
}

// resummarise recounts a visits assignment from the visits left. The read locks: it sees the
// latest committed visits, where a plain read would see the snapshot of the transaction's first
// read, taken before it queued for the assignment behind a visit being recorded.
func (s *Visits) resummarise(tx *gorm.DB, a *model.CaseAssignment) error {
	var left []model.Visit
	if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id, visited_at").Where("campaign_id = ? AND case_id = ?", a.CampaignID, a.CaseID).
		Order("visited_at DESC, id DESC").Find(&left).Error; err != nil {
		return err
	}
	up := map[string]any{"status": model.AssignmentPending, "attempts": 0, "last_outcome": "", "last_attempt_at": nil,
		"updated_at": s.clock.Now()}
	if len(left) > 0 {
		up["status"], up["attempts"], up["last_outcome"], up["last_attempt_at"] =
			model.AssignmentVisited, len(left), model.AssignmentVisited, left[0].VisitedAt
	}
	return tx.Model(&model.CaseAssignment{}).Where("id = ?", a.ID).Updates(up).Error
}

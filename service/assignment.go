package service

import (
	"context"
	"strconv"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fayuan/internal/clock"
	"fayuan/internal/pii"
	"fayuan/model"
)

// Assignments gives a campaign's cases to the staff who call, visit or review them, and serves
// each staff member their work list.
type Assignments struct {
	db    *gorm.DB
	clock clock.Clock
	audit *Audit
	vault *pii.Vault
	// assigned are told of each run's gifts per staff member after the commit (their messages).
	assigned []func(ctx context.Context, campaignID uint64, phase model.Phase, byStaff []model.StaffLoad)
}

// AfterAssign registers functions told, after the commit, how many cases each staff member got
// in a run; they must not fail or block the run.
func (s *Assignments) AfterAssign(f ...func(ctx context.Context, campaignID uint64, phase model.Phase, byStaff []model.StaffLoad)) {
	s.assigned = append(s.assigned, f...)
}

// NewAssignments builds the assignment service.
func NewAssignments(db *gorm.DB, c clock.Clock, audit *Audit, vault *pii.Vault) *Assignments {
	return &Assignments{db: db, clock: c, audit: audit, vault: vault}
}

// maxExplicitCases bounds case_ids in one request.
const maxExplicitCases = 5000

// Assign shares the phase's unassigned cases (or the listed ones) among the staff. It never
// gives a case twice: the unique key on (campaign, phase, case) skips a row another run already
// wrote, and the run counts only the rows that carry its own id. Listed cases held by someone
// not listed move, and the move is kept in assignment_events.
func (s *Assignments) Assign(ctx context.Context, by model.Actor, id model.ID, req model.AssignRequest) (*model.AssignResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	bad := map[string]string{}
	if !req.Phase.Valid() {
		bad["phase"] = "阶段应为 calls、visits 或 reviews"
	}
	staffIDs := dedupeValues(req.StaffIDs)
	if len(staffIDs) == 0 || len(staffIDs) > 500 {
		bad["staff_ids"] = "请选择 1–500 名人员"
	}
	caseIDs := dedupeValues(req.CaseIDs)
	if len(caseIDs) > maxExplicitCases {
		bad["case_ids"] = "一次最多指定 " + strconv.Itoa(maxExplicitCases) + " 件案件"
	}
	if len(bad) > 0 {
		return nil, model.Invalid(bad)
	}
	var out *model.AssignResponse
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var c model.Campaign
		if err := lockCampaign(tx, uint64(id), &c); err != nil {
			return err
		}
		staff, err := loadStaff(tx, &c, req.Phase, staffIDs)
		if err != nil {
			return err
		}
		run := model.AssignmentRun{CampaignID: c.ID, Phase: string(req.Phase), ActorID: by.UserID, Mode: "auto", At: s.clock.Now()}
		var cands, unassignable []candidate
		var reasons map[uint64]string
		if req.CaseIDs != nil {
			run.Mode = "explicit"
			cands, unassignable, reasons, err = explicitCandidates(tx, &c, req.Phase, caseIDs, staff)
		} else {
			err = phaseCases(tx, &c, req.Phase).
				Select("cases.id, cases.case_no, cases.town, cases.handler_id, cases.handler_org_id").
				Where("NOT EXISTS (SELECT 1 FROM case_assignments a WHERE a.campaign_id = ? AND a.phase = ? AND a.case_id = cases.id)", c.ID, string(req.Phase)).
				Order("cases.town, cases.id").Scan(&cands).Error
		}
		if err != nil {
			return err
		}
		if req.Phase == model.PhaseVisits {
			if reasons == nil {
				reasons = map[uint64]string{}
			}
			if cands, unassignable, err = keepVisitSelection(tx, &c, cands, unassignable, reasons, req.CaseIDs != nil); err != nil {
				return err
			}
		}
		if err := tx.Create(&run).Error; err != nil {
			return err
		}
		gifts, nobody := plan(cands, staff, req.Phase == model.PhaseVisits)
		if reasons == nil {
			reasons = map[uint64]string{}
		}
		for _, n := range nobody {
			reasons[n.ID] = model.UnassignableRecused
		}
		unassignable = append(unassignable, nobody...)
		assigned, moved, err := s.write(tx, &run, gifts)
		if err != nil {
			return err
		}
		if err := assignmentsChanged(tx, &c, req.Phase, gifts); err != nil {
			return err
		}
		run.Assigned, run.Reassigned, run.Unassignable = assigned, moved, len(unassignable)
		if err := tx.Model(&run).Select("assigned", "reassigned", "unassignable").UpdateColumns(&run).Error; err != nil {
			return err
		}
		out = &model.AssignResponse{RunID: model.ID(run.ID), Assigned: assigned, Reassigned: moved, Unassignable: []model.Unassignable{}}
		for _, u := range unassignable {
			r := reasons[u.ID]
			out.Unassignable = append(out.Unassignable, model.Unassignable{CaseID: model.ID(u.ID), CaseNo: u.CaseNo, Reason: r, Message: model.UnassignableLabels[r]})
		}
		if out.ByStaff, err = staffLoads(tx, &c, req.Phase, &run, staff); err != nil {
			return err
		}
		return s.audit.Record(tx, by, Entry{Action: "assignment.run", ObjectType: "campaign", ObjectID: c.ID,
			After:  map[string]any{"run_id": run.ID, "phase": run.Phase, "mode": run.Mode, "staff_ids": staffIDs, "assigned": assigned, "reassigned": moved, "unassignable": len(unassignable)},
			Reason: run.Phase + " " + run.Mode})
	})
	if err == nil {
		for _, f := range s.assigned {
			f(ctx, uint64(id), req.Phase, out.ByStaff)
		}
	}
	return out, err
}

// write inserts the new assignments, skipping any another run wrote first, moves the
// reassigned ones, and records the history of both. It returns how many cases this run gave and
// how many of them moved.
func (s *Assignments) write(tx *gorm.DB, run *model.AssignmentRun, gifts []give) (assigned, moved int, err error) {
	now := run.At
	var rows []model.CaseAssignment
	var moves []give
	for _, g := range gifts {
		if g.Case.Current != nil {
			moves = append(moves, g)
			continue
		}
		rows = append(rows, model.CaseAssignment{CampaignID: run.CampaignID, Phase: run.Phase, CaseID: g.Case.ID, UserID: g.To.ID,
			RunID: run.ID, Status: model.AssignmentPending, CreatedAt: now, UpdatedAt: now})
	}
	inserted, err := InsertAssignments(tx, run.ID, rows)
	if err != nil {
		return 0, 0, err
	}
	events := make([]model.AssignmentEvent, 0, len(inserted)+len(moves))
	for _, a := range inserted {
		events = append(events, model.AssignmentEvent{RunID: run.ID, CampaignID: run.CampaignID, Phase: run.Phase, CaseID: a.CaseID, ToUserID: a.UserID, At: now})
	}
	for _, g := range moves {
		res := tx.Model(&model.CaseAssignment{}).
			Where("campaign_id = ? AND phase = ? AND case_id = ? AND user_id = ?", run.CampaignID, run.Phase, g.Case.ID, *g.Case.Current).
			UpdateColumns(map[string]any{"user_id": g.To.ID, "run_id": run.ID, "updated_at": now})
		if res.Error != nil {
			return 0, 0, res.Error
		}
		if res.RowsAffected == 1 {
			moved++
			events = append(events, model.AssignmentEvent{RunID: run.ID, CampaignID: run.CampaignID, Phase: run.Phase, CaseID: g.Case.ID,
				FromUserID: g.Case.Current, ToUserID: g.To.ID, At: now})
		}
	}
	if len(events) > 0 {
		if err := tx.CreateInBatches(&events, 500).Error; err != nil {
			return 0, 0, err
		}
	}
	return len(inserted) + moved, moved, nil
}

// InsertAssignments inserts rows (all carrying runID), skipping every row whose (campaign,
// phase, case) another run holds already, and returns the rows this run did insert. Two runs
// racing on the same cases thus each learn exactly what they got, and no case is held twice.
func InsertAssignments(tx *gorm.DB, runID uint64, rows []model.CaseAssignment) ([]model.CaseAssignment, error) {
	if len(rows) > 0 {
		// The ids gorm writes back into rows cannot be trusted when rows were skipped; what this
		// run inserted is read back by its run id instead.
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&rows, 500).Error; err != nil {
			return nil, err
		}
		if err := copyCaseKeys(tx, "case_assignments.run_id = ?", runID); err != nil {
			return nil, err
		}
	}
	var inserted []model.CaseAssignment
	err := tx.Select("case_id", "user_id").Where("run_id = ?", runID).Order("case_id").Find(&inserted).Error
	return inserted, err
}

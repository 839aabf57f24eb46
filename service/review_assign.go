package service

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fayuan/model"
)

// Reasons a reviewer is recused from a file (回避), and a file is left to nobody.
const (
	recuseHandler  = "handler"  // they handled the case
	recuseOrg      = "same_org" // they work in the handler's firm or office
	recuseDeclared = "declared" // they declared a conflict with the case or its handler

	UnassignableTooFew     = "too_few_reviewers"
	UnassignableNotSampled = "not_sampled"
)

var recuseWords = map[string]string{recuseHandler: "本人承办", recuseOrg: "与承办人同一机构", recuseDeclared: "已申报回避"}

// reviewFile is a file as the assignment sees it.
type reviewFile struct {
	candidate
	File      model.ReviewFile
	Reviewers map[uint64]bool // reviewers with a sheet on it
	Primaries int
	MaxSlot   int
	Third     bool
}

// reviewerPool is the reviewers a run may use, with their declared conflicts.
type reviewerPool struct {
	members   []*member
	conflicts map[uint64][]model.ReviewerConflict
}

// recusal says why m must not review f, or "".
func (p *reviewerPool) recusal(m *member, f *reviewFile) string {
	switch {
	case f.HandlerID != nil && m.Handlers[*f.HandlerID]:
		return recuseHandler
	case f.HandlerOrgID != nil && *f.HandlerOrgID == m.OrgID:
		return recuseOrg
	}
	for _, x := range p.conflicts[m.ID] {
		if (x.CaseID != nil && *x.CaseID == f.ID) || (x.HandlerID != nil && f.HandlerID != nil && *x.HandlerID == *f.HandlerID) {
			return recuseDeclared
		}
	}
	return ""
}

// eligible lists the pool's members who may take f and are not on it yet, least loaded first
// (then in the order listed).
func (p *reviewerPool) eligible(f *reviewFile) []*member {
	var out []*member
	for _, m := range p.members {
		if !f.Reviewers[m.ID] && p.recusal(m, f) == "" {
			out = append(out, m)
		}
	}
	slices.SortStableFunc(out, func(a, b *member) int { return cmp.Compare(a.Load, b.Load) })
	return out
}

// loadPool loads reviewers by id (all must be enabled reviewers), their loads in the campaign
// (sheets held) and their conflicts.
func loadPool(tx *gorm.DB, c *model.Campaign, ids []model.ID) (*reviewerPool, error) {
	staff, err := loadStaff(tx, c, model.PhaseReviews, ids)
	if err != nil {
		if e, ok := model.AsError(err); ok {
			if f, ok := e.Details["fields"].(map[string]string); ok && f["staff_ids"] != "" {
				return nil, model.InvalidField("reviewer_ids", f["staff_ids"])
			}
		}
		return nil, err
	}
	return fillPool(tx, c, staff)
}

func fillPool(tx *gorm.DB, c *model.Campaign, staff []*member) (*reviewerPool, error) {
	ids := make([]uint64, len(staff))
	for i, m := range staff {
		ids[i] = m.ID
	}
	var counts []struct {
		ReviewerID uint64
		N          int64
	}
	if err := tx.Table("review_sheets").Select("reviewer_id, COUNT(*) AS n").Where("campaign_id = ? AND reviewer_id IN ?", c.ID, orNone(ids)).
		Group("reviewer_id").Scan(&counts).Error; err != nil {
		return nil, err
	}
	loads := map[uint64]int64{}
	for _, r := range counts {
		loads[r.ReviewerID] = r.N
	}
	var conflicts []model.ReviewerConflict
	if err := tx.Where("campaign_id = ? AND reviewer_id IN ?", c.ID, orNone(ids)).Find(&conflicts).Error; err != nil {
		return nil, err
	}
	p := &reviewerPool{members: staff, conflicts: map[uint64][]model.ReviewerConflict{}}
	for _, m := range staff {
		m.Load = loads[m.ID]
	}
	for _, x := range conflicts {
		p.conflicts[x.ReviewerID] = append(p.conflicts[x.ReviewerID], x)
	}
	return p, nil
}

func orNone(ids []uint64) []uint64 {
	if len(ids) == 0 {
		return []uint64{0}
	}
	return ids
}

// loadFiles loads a campaign's files (all, or the listed cases) with their cases' handlers and
// the reviewers already on them.
func loadFiles(tx *gorm.DB, campaignID uint64, caseIDs []uint64) ([]*reviewFile, error) {
	q := fileQuery(tx, campaignID)
	if caseIDs != nil {
		q = q.Where("f.case_id IN ?", orNone(caseIDs))
	}
	var rows []fileRow
	if err := q.Order("f.case_id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	ids := make([]uint64, len(rows))
	files := make([]*reviewFile, len(rows))
	byCase := map[uint64]*reviewFile{}
	for i, r := range rows {
		ids[i] = r.CaseID
		files[i] = &reviewFile{candidate: candidate{ID: r.CaseID, CaseNo: r.CaseNo, HandlerID: r.HandlerID, HandlerOrgID: r.HandlerOrgID},
			File: r.ReviewFile, Reviewers: map[uint64]bool{}}
		byCase[r.CaseID] = files[i]
	}
	var sheets []model.ReviewSheet
	if err := tx.Select("case_id", "reviewer_id", "slot", "third").Where("campaign_id = ? AND case_id IN ?", campaignID, orNone(ids)).Find(&sheets).Error; err != nil {
		return nil, err
	}
	for _, sh := range sheets {
		f := byCase[sh.CaseID]
		f.Reviewers[sh.ReviewerID] = true
		f.MaxSlot = max(f.MaxSlot, sh.Slot)
		if sh.Third {
			f.Third = true
		} else {
			f.Primaries++
		}
	}
	return files, nil
}

// newSheet is a sheet to insert for f, given to m.
func (s *Reviews) newSheet(tx *gorm.DB, c *model.Campaign, f *reviewFile, m *member, runID uint64, third bool) (model.ReviewSheet, error) {
	var cs model.Case
	if err := tx.Select("id", "category").Take(&cs, f.ID).Error; err != nil {
		return model.ReviewSheet{}, err
	}
	key, version, err := rubricFor(tx, c.ID, string(cs.Category))
	if err != nil {
		return model.ReviewSheet{}, err
	}
	f.MaxSlot++
	f.Reviewers[m.ID] = true
	m.Load++
	m.Given++
	now := s.clock.Now()
	return model.ReviewSheet{CampaignID: c.ID, CaseID: f.ID, Slot: f.MaxSlot, ReviewerID: m.ID, Third: third, RunID: runID,
		RubricKey: key, RubricVersion: version, Status: model.SheetDraft, Version: 1, Score: 1000, Grade: "excellent",
		CreatedAt: now, UpdatedAt: now}, nil
}

// Assign gives the campaign's sampled files to reviewers (manager). Without case_ids: every file
// with fewer than per_case primary sheets gets the rest, least loaded eligible reviewers first,
// most constrained files first; a file recusal leaves with too few eligible reviewers is given
// to nobody and listed. With case_ids: exactly the listed reviewers on exactly the listed files,
// and any recusal → 409 with nothing written. A file is never given twice: the unique keys on
// (campaign, case, slot) and (campaign, case, reviewer) skip what a racing run wrote first, and
// the run counts only its own rows. Every sheet given is audited.
func (s *Reviews) Assign(ctx context.Context, by model.Actor, campaignID model.ID, req model.ReviewAssignRequest) (*model.ReviewAssignResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	bad := map[string]string{}
	reviewerIDs := dedupeValues(req.ReviewerIDs)
	if len(reviewerIDs) == 0 || len(reviewerIDs) > 500 {
		bad["reviewer_ids"] = "请选择 1–500 名评查人员"
	}
	if req.PerCase != 0 && (req.PerCase < 2 || req.PerCase > 3) {
		bad["per_case"] = "每份案卷应由 2 或 3 名评查人员评分"
	}
	caseIDs := dedupeValues(req.CaseIDs)
	if len(caseIDs) > maxExplicitCases {
		bad["case_ids"] = "一次最多指定 " + strconv.Itoa(maxExplicitCases) + " 件案卷"
	}
	if req.Sample != nil && req.CaseIDs != nil {
		bad["sample"] = "指定案卷时不能同时抽样"
	}
	if len(bad) > 0 {
		return nil, model.Invalid(bad)
	}
	if req.Sample != nil {
		if err := checkSample(req.Sample); err != nil {
			return nil, err
		}
	}
	var out *model.ReviewAssignResponse
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var c model.Campaign
		if err := lockCampaign(tx, uint64(campaignID), &c); err != nil {
			return err
		}
		set, err := reviewSettings(tx, c.ID)
		if err != nil {
			return err
		}
		perCase := req.PerCase
		if perCase == 0 {
			perCase = set.PerCase
		}
		pool, err := loadPool(tx, &c, reviewerIDs)
		if err != nil {
			return err
		}
		out = &model.ReviewAssignResponse{Unassignable: []model.ReviewUnassignable{}}
		if req.Sample == nil && req.CaseIDs == nil {
			if any, err := exists(tx.Model(&model.ReviewFile{}).Where("campaign_id = ?", c.ID)); err != nil {
				return err
			} else if !any {
				req.Sample = &model.SampleRequest{All: true}
			}
		}
		if req.Sample != nil {
			if out.Sample, err = s.sample(tx, by, &c, *req.Sample); err != nil {
				return err
			}
		}
		run := model.AssignmentRun{CampaignID: c.ID, Phase: string(model.PhaseReviews), ActorID: by.UserID, Mode: "auto", At: s.clock.Now()}
		if req.CaseIDs != nil {
			run.Mode = "explicit"
		}
		if err := tx.Create(&run).Error; err != nil {
			return err
		}
		var rows []model.ReviewSheet
		if req.CaseIDs != nil {
			rows, err = s.explicit(tx, &c, &run, pool, caseIDs, perCase, out)
		} else {
			rows, err = s.auto(tx, &c, &run, pool, perCase, out)
		}
		if err != nil {
			return err
		}
		inserted, err := insertSheets(tx, run.ID, rows)
		if err != nil {
			return err
		}
		out.RunID, out.Assigned = model.ID(run.ID), len(inserted)
		files := map[uint64]bool{}
		for _, sh := range inserted {
			files[sh.CaseID] = true
			if err := s.audit.Record(tx, by, Entry{Action: "review.assign", ObjectType: "review_sheet", ObjectID: sh.ID,
				After:  map[string]any{"run_id": run.ID, "case_id": sh.CaseID, "reviewer_id": sh.ReviewerID, "slot": sh.Slot, "third": sh.Third, "rubric": sh.RubricKey, "rubric_version": sh.RubricVersion},
				Reason: "reviews " + run.Mode}); err != nil {
				return err
			}
		}
		out.Files = len(files)
		run.Assigned, run.Unassignable = len(inserted), len(out.Unassignable)
		if err := tx.Model(&run).Select("assigned", "unassignable").UpdateColumns(&run).Error; err != nil {
			return err
		}
		for _, m := range pool.members {
			out.ByReviewer = append(out.ByReviewer, model.StaffLoad{StaffID: model.ID(m.ID), Name: m.Name, Assigned: m.Given, Total: m.Load})
		}
		return s.audit.Record(tx, by, Entry{Action: "review.assign_run", ObjectType: "campaign", ObjectID: c.ID,
			After:  map[string]any{"run_id": run.ID, "mode": run.Mode, "reviewer_ids": reviewerIDs, "per_case": perCase, "assigned": len(inserted), "unassignable": len(out.Unassignable)},
			Reason: "reviews " + run.Mode})
	})
	return out, err
}

// auto plans the rest of every file's primary sheets.
func (s *Reviews) auto(tx *gorm.DB, c *model.Campaign, run *model.AssignmentRun, pool *reviewerPool, perCase int, out *model.ReviewAssignResponse) ([]model.ReviewSheet, error) {
	all, err := loadFiles(tx, c.ID, nil)
	if err != nil {
		return nil, err
	}
	var todo []*reviewFile
	for _, f := range all {
		if f.Primaries < perCase {
			todo = append(todo, f)
		}
	}
	slices.SortStableFunc(todo, func(a, b *reviewFile) int { return cmp.Compare(len(pool.eligible(a)), len(pool.eligible(b))) })
	var rows []model.ReviewSheet
	for _, f := range todo {
		need := perCase - f.Primaries
		el := pool.eligible(f)
		if len(el) < need {
			out.Unassignable = append(out.Unassignable, model.ReviewUnassignable{CaseID: model.ID(f.ID), CaseNo: f.CaseNo,
				Reason: UnassignableTooFew, Message: "回避后可评查人员不足 " + strconv.Itoa(need) + " 名，未分配给任何人",
				Eligible: len(el), Needed: need})
			continue
		}
		for _, m := range el[:need] {
			sh, err := s.newSheet(tx, c, f, m, run.ID, false)
			if err != nil {
				return nil, err
			}
			rows = append(rows, sh)
		}
	}
	return rows, nil
}

// explicit puts exactly the listed reviewers on the listed files; any recusal refuses the run.
func (s *Reviews) explicit(tx *gorm.DB, c *model.Campaign, run *model.AssignmentRun, pool *reviewerPool, caseIDs []model.ID, perCase int, out *model.ReviewAssignResponse) ([]model.ReviewSheet, error) {
	raw := make([]uint64, len(caseIDs))
	for i, id := range caseIDs {
		raw[i] = uint64(id)
	}
	files, err := loadFiles(tx, c.ID, raw)
	if err != nil {
		return nil, err
	}
	found := map[uint64]*reviewFile{}
	for _, f := range files {
		found[f.ID] = f
	}
	var refused []string
	for _, f := range files {
		for _, m := range pool.members {
			if why := pool.recusal(m, f); why != "" {
				refused = append(refused, f.CaseNo+" × "+m.Name+"（"+recuseWords[why]+"）")
			}
		}
	}
	if len(refused) > 0 {
		return nil, model.Conflict("recused", "以下指定违反回避规定："+strings.Join(refused, "；"))
	}
	var rows []model.ReviewSheet
	for _, id := range raw {
		f := found[id]
		if f == nil {
			var cs model.Case
			no := ""
			if tx.Select("case_no").Take(&cs, id).Error == nil {
				no = cs.CaseNo
			}
			out.Unassignable = append(out.Unassignable, model.ReviewUnassignable{CaseID: model.ID(id), CaseNo: no,
				Reason: UnassignableNotSampled, Message: "该案件未被抽中评查，请先抽样"})
			continue
		}
		for _, m := range pool.members {
			if f.Reviewers[m.ID] {
				continue
			}
			third := false
			if f.Primaries >= perCase {
				if !f.File.NeedsThird || f.Third {
					return nil, model.Conflict("file_full", "案卷 "+f.CaseNo+" 已有足够的评查人员")
				}
				third = true
			}
			sh, err := s.newSheet(tx, c, f, m, run.ID, third)
			if err != nil {
				return nil, err
			}
			if third {
				f.Third = true
				if err := tx.Model(&model.ReviewFile{}).Where("id = ?", f.File.ID).Update("third_status", model.ThirdAssigned).Error; err != nil {
					return nil, err
				}
			} else {
				f.Primaries++
			}
			rows = append(rows, sh)
		}
	}
	return rows, nil
}

// insertSheets inserts rows, skipping any whose slot or reviewer a racing run took first, and
// returns the rows this run did insert.
func insertSheets(tx *gorm.DB, runID uint64, rows []model.ReviewSheet) ([]model.ReviewSheet, error) {
	if len(rows) > 0 {
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&rows, 500).Error; err != nil {
			return nil, err
		}
	}
	var inserted []model.ReviewSheet
	err := tx.Where("run_id = ?", runID).Order("case_id, slot").Find(&inserted).Error
	return inserted, err
}

// assignThird gives a file whose two sheets call for a third reviewer to the least loaded
// eligible reviewer of the whole service (same recusal), or marks it as needing one. Called in
// the transaction that submitted the second sheet.
func (s *Reviews) assignThird(tx *gorm.DB, by model.Actor, c *model.Campaign, fileID, caseID uint64) error {
	var users []model.User
	if err := tx.Where("disabled = ?", false).Where(roleMatch(tx), string(model.RoleReviewer)).Order("id").Find(&users).Error; err != nil {
		return err
	}
	ids := make([]model.ID, len(users))
	for i, u := range users {
		ids[i] = model.ID(u.ID)
	}
	status := model.ThirdUnassignable
	var sheet *model.ReviewSheet
	if len(ids) > 0 {
		pool, err := loadPool(tx, c, ids)
		if err != nil {
			return err
		}
		files, err := loadFiles(tx, c.ID, []uint64{caseID})
		if err != nil || len(files) == 0 {
			return err
		}
		if el := pool.eligible(files[0]); len(el) > 0 && !files[0].Third {
			run := model.AssignmentRun{CampaignID: c.ID, Phase: string(model.PhaseReviews), ActorID: by.UserID, Mode: "third", At: s.clock.Now()}
			if err := tx.Create(&run).Error; err != nil {
				return err
			}
			sh, err := s.newSheet(tx, c, files[0], el[0], run.ID, true)
			if err != nil {
				return err
			}
			inserted, err := insertSheets(tx, run.ID, []model.ReviewSheet{sh})
			if err != nil {
				return err
			}
			if len(inserted) == 1 {
				status, sheet = model.ThirdAssigned, &inserted[0]
				if err := tx.Model(&run).UpdateColumn("assigned", 1).Error; err != nil {
					return err
				}
			}
		}
	}
	if err := tx.Model(&model.ReviewFile{}).Where("id = ?", fileID).Updates(map[string]any{"needs_third": true, "third_status": status}).Error; err != nil {
		return err
	}
	e := Entry{Action: "review.assign_third", ObjectType: "review_file", ObjectID: fileID, After: map[string]any{"case_id": caseID, "third_status": status}}
	if sheet != nil {
		e.After = map[string]any{"case_id": caseID, "third_status": status, "sheet_id": sheet.ID, "reviewer_id": sheet.ReviewerID}
	}
	return s.audit.Record(tx, by, e)
}

// DeclareConflict records a reviewer's conflict with a case or a handler in a campaign (回避申报);
// later runs never give them such a file. Audited.
func (s *Reviews) DeclareConflict(ctx context.Context, by model.Actor, campaignID model.ID, req model.ConflictRequest) (*model.ConflictResponse, error) {
	if !by.Is(model.RoleReviewer) {
		return nil, model.ErrRoleForbidden
	}
	bad := map[string]string{}
	if (req.CaseID == nil) == (req.HandlerID == nil) {
		bad["case_id"] = "请指明回避的案件（case_id）或承办人（handler_id），二选一"
	}
	if n := len([]rune(strings.TrimSpace(req.Reason))); n == 0 || n > 500 {
		bad["reason"] = "请写明回避理由（1–500 字）"
	}
	if len(bad) > 0 {
		return nil, model.Invalid(bad)
	}
	var out *model.ConflictResponse
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var c model.Campaign
		if err := tx.Take(&c, uint64(campaignID)).Error; err != nil {
			return notFoundAs(err, errCampaignNotFound)
		}
		row := model.ReviewerConflict{CampaignID: c.ID, ReviewerID: by.UserID, Reason: strings.TrimSpace(req.Reason), CreatedAt: s.clock.Now()}
		if req.CaseID != nil {
			if ok, err := exists(tx.Model(&model.Case{}).Where("id = ?", uint64(*req.CaseID))); err != nil || !ok {
				if err == nil {
					err = model.InvalidField("case_id", "案件不存在")
				}
				return err
			}
			id := uint64(*req.CaseID)
			row.CaseID = &id
		} else {
			if ok, err := exists(tx.Model(&model.Handler{}).Where("id = ?", uint64(*req.HandlerID))); err != nil || !ok {
				if err == nil {
					err = model.InvalidField("handler_id", "承办人不存在")
				}
				return err
			}
			id := uint64(*req.HandlerID)
			row.HandlerID = &id
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		out = conflictResponse(&row)
		if err := s.audit.Record(tx, by, Entry{Action: "review.conflict", ObjectType: "reviewer_conflict", ObjectID: row.ID, After: row, Reason: row.Reason}); err != nil {
			return err
		}
		return s.withdraw(tx, by, &row)
	})
	return out, err
}

func conflictResponse(x *model.ReviewerConflict) *model.ConflictResponse {
	r := &model.ConflictResponse{ID: model.ID(x.ID), ReviewerID: model.ID(x.ReviewerID), Reason: x.Reason, CreatedAt: model.NewTime(x.CreatedAt)}
	if x.CaseID != nil {
		id := model.ID(*x.CaseID)
		r.CaseID = &id
	}
	if x.HandlerID != nil {
		id := model.ID(*x.HandlerID)
		r.HandlerID = &id
	}
	return r
}

// Conflicts lists declared conflicts: a manager all of the campaign's, a reviewer their own.
func (s *Reviews) Conflicts(ctx context.Context, by model.Actor, campaignID model.ID) ([]model.ConflictResponse, error) {
	q := s.db.WithContext(ctx).Where("campaign_id = ?", uint64(campaignID))
	if !by.Is(model.RoleManager) {
		q = q.Where("reviewer_id = ?", by.UserID)
	}
	var rows []model.ReviewerConflict
	if err := q.Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]model.ConflictResponse, 0, len(rows))
	for i := range rows {
		out = append(out, *conflictResponse(&rows[i]))
	}
	return out, nil
}

// withdraw removes the declarant's draft sheets a new conflict covers, so the files go back to
// be assigned to someone else; a submitted sheet stays (the manager decides). A withdrawn third
// sheet leaves its file waiting for a manual third assignment.
func (s *Reviews) withdraw(tx *gorm.DB, by model.Actor, x *model.ReviewerConflict) error {
	q := tx.Where("campaign_id = ? AND reviewer_id = ? AND status = ?", x.CampaignID, x.ReviewerID, model.SheetDraft)
	if x.CaseID != nil {
		q = q.Where("case_id = ?", *x.CaseID)
	} else {
		q = q.Where("case_id IN (?)", tx.Model(&model.Case{}).Select("id").Where("handler_id = ?", *x.HandlerID))
	}
	var sheets []model.ReviewSheet
	if err := q.Find(&sheets).Error; err != nil {
		return err
	}
	for _, sh := range sheets {
		if err := tx.Where("sheet_id = ?", sh.ID).Delete(&model.ReviewItem{}).Error; err != nil {
			return err
		}
		if err := tx.Delete(&model.ReviewSheet{}, sh.ID).Error; err != nil {
			return err
		}
		if sh.Third {
			if err := tx.Model(&model.ReviewFile{}).Where("campaign_id = ? AND case_id = ?", sh.CampaignID, sh.CaseID).
				Update("third_status", "").Error; err != nil {
				return err
			}
		}
		if err := s.audit.Record(tx, by, Entry{Action: "review.withdraw", ObjectType: "review_sheet", ObjectID: sh.ID, Before: sh,
			Reason: "回避申报"}); err != nil {
			return err
		}
	}
	return nil
}

package service

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fayuan/internal/review"
	"fayuan/model"
)

// ListSheets lists a campaign's sheets: a reviewer their own, a manager all of them — except
// that a manager who also scores a file is blind on it like any reviewer: a colleague's sheet of
// that file is left out until every sheet of the file is submitted, and listed without its
// reviewer after.
func (s *Reviews) ListSheets(ctx context.Context, by model.Actor, campaignID model.ID, pg model.Page) (*model.List[model.SheetSummary], error) {
	if !by.Is(model.RoleManager) && !by.Is(model.RoleReviewer) {
		return nil, model.ErrRoleForbidden
	}
	db := s.db.WithContext(ctx)
	var c model.Campaign
	if err := db.Take(&c, uint64(campaignID)).Error; err != nil {
		return nil, notFoundAs(err, errCampaignNotFound)
	}
	q := db.Table("review_sheets AS s").Joins("JOIN cases c ON c.id = s.case_id").
		Joins("JOIN review_files f ON f.campaign_id = s.campaign_id AND f.case_id = s.case_id").Where("s.campaign_id = ?", c.ID)
	held := map[uint64]bool{} // cases of this campaign the caller holds a sheet on
	if by.Is(model.RoleManager) {
		var mine []uint64
		if err := db.Model(&model.ReviewSheet{}).Where("campaign_id = ? AND reviewer_id = ?", c.ID, by.UserID).Pluck("case_id", &mine).Error; err != nil {
			return nil, err
		}
		for _, id := range mine {
			held[id] = true
		}
		if len(mine) > 0 {
			q = q.Where("(s.reviewer_id = ? OR NOT EXISTS (SELECT 1 FROM review_sheets m WHERE m.campaign_id = s.campaign_id AND m.case_id = s.case_id AND m.reviewer_id = ?)"+
				" OR NOT EXISTS (SELECT 1 FROM review_sheets o WHERE o.campaign_id = s.campaign_id AND o.case_id = s.case_id AND o.status <> ?))",
				by.UserID, by.UserID, model.SheetSubmitted)
		}
	} else {
		q = q.Where("s.reviewer_id = ?", by.UserID)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, err
	}
	var rows []struct {
		model.ReviewSheet
		CaseNo     string
		FileStatus string
	}
	if err := q.Select("s.*, c.case_no, f.status AS file_status").Order("s.case_id, s.slot").
		Offset(pg.Offset()).Limit(pg.PageSize).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := &model.List[model.SheetSummary]{Items: []model.SheetSummary{}, Total: total, Page: pg.Page, PageSize: pg.PageSize}
	for _, r := range rows {
		sum := model.SheetSummary{ID: model.ID(r.ID), CaseID: model.ID(r.CaseID), CaseNo: r.CaseNo, Status: r.Status, Version: r.Version,
			Template: model.RubricRef{Key: r.RubricKey, Version: r.RubricVersion}, Third: r.Third, FileStatus: r.FileStatus,
			Score: review.Tenths(r.Score), Grade: r.Grade, UpdatedAt: model.NewTime(r.UpdatedAt)}
		if by.Is(model.RoleManager) && (r.ReviewerID == by.UserID || !held[r.CaseID]) {
			id := model.ID(r.ReviewerID)
			sum.ReviewerID = &id
		}
		out.Items = append(out.Items, sum)
	}
	return out, nil
}

// visibleSheet loads a sheet the caller may read: their own; a colleague's sheet of a file the
// caller also scores only once every sheet of the file is submitted (blind review until then),
// even for a manager; any other for a manager. Anything else is 404.
func visibleSheet(tx *gorm.DB, by model.Actor, id uint64) (*model.ReviewSheet, error) {
	var sh model.ReviewSheet
	if err := tx.Take(&sh, id).Error; err != nil {
		return nil, notFoundAs(err, errSheetNotFound)
	}
	if sh.ReviewerID == by.UserID {
		return &sh, nil
	}
	if !by.Is(model.RoleManager) && !by.Is(model.RoleReviewer) {
		return nil, errSheetNotFound
	}
	mine, err := exists(tx.Model(&model.ReviewSheet{}).Where("campaign_id = ? AND case_id = ? AND reviewer_id = ?", sh.CampaignID, sh.CaseID, by.UserID))
	if err != nil {
		return nil, err
	}
	if !mine {
		if by.Is(model.RoleManager) {
			return &sh, nil
		}
		return nil, errSheetNotFound
	}
	open, err := exists(tx.Model(&model.ReviewSheet{}).Where("campaign_id = ? AND case_id = ? AND status <> ?", sh.CampaignID, sh.CaseID, model.SheetSubmitted))
	if err != nil {
		return nil, err
	}
	if open {
		return nil, errSheetNotFound
	}
	return &sh, nil
}

// GetSheet answers one sheet (see visibleSheet for who may read it).
func (s *Reviews) GetSheet(ctx context.Context, by model.Actor, id model.ID) (*model.SheetResponse, error) {
	db := s.db.WithContext(ctx)
	sh, err := visibleSheet(db, by, uint64(id))
	if err != nil {
		return nil, err
	}
	return s.sheetResponse(db, sh)
}

func (s *Reviews) sheetResponse(tx *gorm.DB, sh *model.ReviewSheet) (*model.SheetResponse, error) {
	rb, err := s.rubric(tx, sh.RubricKey, sh.RubricVersion)
	if err != nil {
		return nil, err
	}
	var items []model.ReviewItem
	if err := tx.Where("sheet_id = ?", sh.ID).Find(&items).Error; err != nil {
		return nil, err
	}
	var c model.Campaign
	if err := tx.Take(&c, sh.CampaignID).Error; err != nil {
		return nil, err
	}
	var f fileRow
	if err := fileQuery(tx, sh.CampaignID).Where("f.case_id = ?", sh.CaseID).Scan(&f).Error; err != nil {
		return nil, err
	}
	entries := map[string]model.ReviewItem{}
	for _, it := range items {
		entries[it.Code] = it
	}
	applied := map[string]string{}
	vetoes := vetoesOf(sh)
	for _, v := range vetoes {
		applied[v.Code] = v.Reason
	}
	out := &model.SheetResponse{ID: model.ID(sh.ID), CampaignID: model.ID(sh.CampaignID), CaseID: model.ID(sh.CaseID), CaseNo: f.CaseNo,
		Template: model.RubricRef{Key: rb.ID, Version: rb.Version, Title: rb.Title}, Status: sh.Status, Version: sh.Version,
		Third: sh.Third, FileStatus: f.Status, Veto: sh.Veto, Score: review.Tenths(sh.Score), Grade: sh.Grade,
		GradeLabel: review.Grade(sh.Grade).Label(), Late: sh.Late, SubmittedAt: model.TimePtr(sh.SubmittedAt),
		UpdatedAt: model.NewTime(sh.UpdatedAt), Items: []model.SheetItem{}, Vetoes: []model.SheetVeto{}, Reasons: []string{}}
	for _, it := range rb.Items {
		e := entries[it.Code]
		ded := it.Deductions
		if ded == nil {
			ded = []review.Deduction{}
		}
		out.Items = append(out.Items, model.SheetItem{Code: it.Code, Section: it.Section, Label: it.Label, Max: it.Max,
			Deduction: review.Tenths(e.Deduction), Reason: e.Reason, NotApplicable: e.NotApplicable, NAAllowed: it.NAAllowed, Deductions: ded})
	}
	for _, v := range rb.Vetoes {
		reason, ok := applied[v.Code]
		out.Vetoes = append(out.Vetoes, model.SheetVeto{Code: v.Code, Label: v.Label, Applied: ok, Reason: reason})
	}
	if res, err := review.Score(rb, sheetOf(items, vetoes), bandsOf(&c)); err == nil && res.Reasons != nil {
		out.Reasons = res.Reasons
	}
	return out, nil
}

// SaveSheet saves the caller's own sheet: the entries replace the draft's, the engine scores
// them, and with submit the sheet is locked. Refused (and nothing changed): another's sheet
// (404), a stale or missing version (409 / 422), a submitted sheet (409), a file not yet
// received (409 file_not_received), a save outside the reviews phase (409 phase_closed, judged
// on the save time). Submitting the file's last sheet decides it: the final result, or a third
// reviewer. Audited with before and after.
func (s *Reviews) SaveSheet(ctx context.Context, by model.Actor, id model.ID, req model.SaveSheetRequest) (*model.SheetResponse, error) {
	if req.Version == nil {
		return nil, model.InvalidField("version", "请提交评分表的当前版本号")
	}
	// A sheet never moves to another file, so its file is known before the transaction: the
	// file row is locked first, before any plain read, so that saves of one file's sheets queue
	// and each sees what the one before committed (on InnoDB a plain read would fix the snapshot
	// early, and two simultaneous submits would each take the other's sheet for a draft).
	var key model.ReviewSheet
	if err := s.db.WithContext(ctx).Select("id", "campaign_id", "case_id").Take(&key, uint64(id)).Error; err != nil {
		return nil, notFoundAs(err, errSheetNotFound)
	}
	var out *model.SheetResponse
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var file model.ReviewFile
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("campaign_id = ? AND case_id = ?", key.CampaignID, key.CaseID).
			Take(&file).Error; err != nil {
			return notFoundAs(err, errSheetNotFound)
		}
		var sh model.ReviewSheet
		if err := tx.Take(&sh, uint64(id)).Error; err != nil {
			return notFoundAs(err, errSheetNotFound)
		}
		if sh.ReviewerID != by.UserID {
			return errSheetNotFound
		}
		camp, verdict, err := s.campaigns.JudgeNow(tx, sh.CampaignID, model.PhaseReviews, s.clock.Now())
		if err != nil {
			return err
		}
		switch {
		case file.Status != model.FileReceived:
			return model.Conflict("file_not_received", "该案卷尚未上报并经法律援助中心确认接收，暂不能评分")
		case sh.Status == model.SheetSubmitted:
			return model.Conflict("sheet_submitted", "评分表已提交，不能再修改")
		case *req.Version != sh.Version:
			return staleSheet(sh.Version)
		}
		rb, err := s.rubric(tx, sh.RubricKey, sh.RubricVersion)
		if err != nil {
			return err
		}
		sheet := review.Sheet{}
		for _, it := range req.Items {
			sheet.Entries = append(sheet.Entries, review.Entry{Item: it.Code, Deduction: it.Deduction, Reason: strings.TrimSpace(it.Reason), NA: it.NotApplicable})
		}
		marks := req.Vetoes
		if req.Veto != nil {
			marks = append([]model.VetoInput{*req.Veto}, marks...)
		}
		for _, v := range marks {
			sheet.Vetoes = append(sheet.Vetoes, review.VetoMark{Code: v.Code, Reason: strings.TrimSpace(v.Reason)})
		}
		bad := map[string]string{}
		for i, e := range sheet.Entries {
			if it := rb.Item(e.Item); it != nil && e.Deduction > it.Max {
				bad["items["+strconv.Itoa(i)+"].deduction"] = "条目 " + e.Item + " 的扣分不能超过该条目分值 " + it.Max.String()
			}
			if len([]rune(e.Reason)) > 500 {
				bad["items["+strconv.Itoa(i)+"].reason"] = "理由最多 500 字"
			}
		}
		res, err := review.Score(rb, sheet, bandsOf(camp))
		if err != nil {
			var ie *review.InvalidError
			if !errors.As(err, &ie) {
				return err
			}
			for _, p := range ie.Problems {
				f := strings.Replace(strings.Replace(p.Field, "entries[", "items[", 1), ".na", ".not_applicable", 1)
				f = strings.Replace(f, "].item", "].code", 1)
				bad[f] = p.Message
			}
		}
		if len(bad) > 0 {
			return model.Invalid(bad)
		}
		before, err := s.sheetResponse(tx, &sh)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		vj, _ := json.Marshal(sheet.Vetoes)
		upd := map[string]any{"version": sh.Version + 1, "vetoes": string(vj), "score": int64(res.Score), "veto": res.Veto,
			"grade": string(res.Grade), "late": sh.Late || verdict.Late, "updated_at": now}
		if req.Submit {
			upd["status"], upd["submitted_at"] = model.SheetSubmitted, now
		}
		r := tx.Model(&model.ReviewSheet{}).Where("id = ? AND version = ? AND status = ?", sh.ID, sh.Version, model.SheetDraft).Updates(upd)
		if r.Error != nil {
			return r.Error
		}
		if r.RowsAffected != 1 {
			return staleSheet(sh.Version)
		}
		if err := tx.Where("sheet_id = ?", sh.ID).Delete(&model.ReviewItem{}).Error; err != nil {
			return err
		}
		var rows []model.ReviewItem
		for _, e := range sheet.Entries {
			if e.Deduction != 0 || e.NA || e.Reason != "" {
				rows = append(rows, model.ReviewItem{SheetID: sh.ID, Code: e.Item, Deduction: int64(e.Deduction), Reason: e.Reason, NotApplicable: e.NA})
			}
		}
		if len(rows) > 0 {
			if err := tx.Create(&rows).Error; err != nil {
				return err
			}
		}
		if err := tx.Take(&sh, sh.ID).Error; err != nil {
			return err
		}
		if out, err = s.sheetResponse(tx, &sh); err != nil {
			return err
		}
		action := "review.save"
		if req.Submit {
			action = "review.submit"
		}
		if err := s.audit.Record(tx, by, Entry{Action: action, ObjectType: "review_sheet", ObjectID: sh.ID, Before: before, After: out,
			Reason: "score " + before.Score.String() + " → " + out.Score.String()}); err != nil {
			return err
		}
		if req.Submit {
			return s.decide(tx, by, camp, &file)
		}
		return nil
	})
	return out, err
}

func staleSheet(current int) error {
	return model.Conflict("stale_version", "评分表已被修改（当前版本 "+strconv.Itoa(current)+"），请刷新后再保存").
		WithDetails(map[string]any{"version": current})
}

// decide runs after a sheet is submitted: once every primary sheet is in, the file gets its
// final result, or a third reviewer when the two call for one; once the third is in, the median.
func (s *Reviews) decide(tx *gorm.DB, by model.Actor, c *model.Campaign, file *model.ReviewFile) error {
	// A locking read: the latest committed sheets, whatever snapshot the transaction holds.
	sheets, err := fileSheets(tx.Clauses(clause.Locking{Strength: "UPDATE"}), c.ID, file.CaseID)
	if err != nil {
		return err
	}
	set, err := reviewSettings(tx, c.ID)
	if err != nil {
		return err
	}
	f, err := decideFile(sheets, bandsOf(c), triggersOf(set))
	if err != nil || f == nil {
		return err
	}
	if f.NeedsThird {
		if file.NeedsThird {
			return nil // the third is assigned or listed already and has not submitted
		}
		return s.assignThird(tx, by, c, file.ID, file.CaseID)
	}
	now := s.clock.Now()
	score := int64(f.Score)
	if err := tx.Model(&model.ReviewFile{}).Where("id = ?", file.ID).Updates(map[string]any{"final_score": score,
		"final_grade": string(f.Grade), "final_veto": f.Veto, "final_at": now, "updated_at": now}).Error; err != nil {
		return err
	}
	return s.audit.Record(tx, by, Entry{Action: "review.final", ObjectType: "review_file", ObjectID: file.ID,
		After: f, Reason: f.Score.String() + " " + f.Grade.Label()})
}

package service

import (
	"context"
	"sort"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fayuan/internal/review"
	"fayuan/model"
)

// Case files (卷宗上报): the handler's side hands a sampled file in, the aid centre confirms
// receipt, and only then may its sheets be scored.

func validDay(d string) bool {
	t, err := time.ParseInLocation("2006-01-02", d, model.Shanghai)
	return err == nil && t.Format("2006-01-02") == d
}

// handInDue is the last day to hand files in: the set date, or the reviews phase's first day
// plus HandInDays.
func handInDue(c *model.Campaign, set model.CampaignReviewSettings) string {
	if set.HandInDue != "" {
		return set.HandInDue
	}
	start, err := time.ParseInLocation("2006-01-02", c.ReviewsStart, model.Shanghai)
	if err != nil {
		return ""
	}
	return start.AddDate(0, 0, set.HandInDays).Format("2006-01-02")
}

// fileRow is a file with its case's handler, for lists.
type fileRow struct {
	model.ReviewFile
	CaseNo       string
	Category     model.Category
	HandlerID    *uint64
	HandlerName  string
	HandlerOrgID *uint64
}

func fileQuery(tx *gorm.DB, campaignID uint64) *gorm.DB {
	return tx.Table("review_files AS f").Joins("JOIN cases c ON c.id = f.case_id").
		Select("f.*, c.case_no, c.category, c.handler_id, c.handler_name, c.handler_org_id").
		Where("f.campaign_id = ?", campaignID)
}

// mayHandIn reports whether by may hand in the file of cs: a manager, the case's handler, or a
// handler or staff member of the same firm or office.
func mayHandIn(tx *gorm.DB, by model.Actor, cs *fileRow) (bool, error) {
	if by.Is(model.RoleManager) {
		return true, nil
	}
	if cs.HandlerOrgID != nil && *cs.HandlerOrgID == by.OrgID && (by.Is(model.RoleHandler) || by.Is(model.RoleStaff)) {
		return true, nil
	}
	if !by.Is(model.RoleHandler) {
		return false, nil
	}
	if cs.HandlerID == nil {
		return false, nil
	}
	return exists(tx.Model(&model.Handler{}).Where("id = ? AND user_id = ?", *cs.HandlerID, by.UserID))
}

func lockedFile(tx *gorm.DB, campaignID, caseID uint64) (*fileRow, error) {
	var f model.ReviewFile
	err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("campaign_id = ? AND case_id = ?", campaignID, caseID).Take(&f).Error
	if err != nil {
		return nil, notFoundAs(err, errFileNotFound)
	}
	var rows []fileRow
	if err := fileQuery(tx, campaignID).Where("f.id = ?", f.ID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errFileNotFound
	}
	return &rows[0], nil
}

// HandIn marks a sampled file as handed in (卷宗已上报). Again on a handed-in file changes
// nothing; on a received one → 409. Others' files are 404.
func (s *Reviews) HandIn(ctx context.Context, by model.Actor, campaignID, caseID model.ID) (*model.FileResponse, error) {
	return s.moveFile(ctx, by, campaignID, caseID, false)
}

// Receive confirms the aid centre has the file (卷宗已接收): its sheets open for scoring.
func (s *Reviews) Receive(ctx context.Context, by model.Actor, campaignID, caseID model.ID) (*model.FileResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	return s.moveFile(ctx, by, campaignID, caseID, true)
}

func (s *Reviews) moveFile(ctx context.Context, by model.Actor, campaignID, caseID model.ID, receive bool) (*model.FileResponse, error) {
	var out *model.FileResponse
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var c model.Campaign
		if err := tx.Take(&c, uint64(campaignID)).Error; err != nil {
			return notFoundAs(err, errCampaignNotFound)
		}
		f, err := lockedFile(tx, c.ID, uint64(caseID))
		if err != nil {
			return err
		}
		if ok, err := mayHandIn(tx, by, f); err != nil || !ok {
			if err == nil {
				err = errFileNotFound
			}
			return err
		}
		before := f.ReviewFile
		now := s.clock.Now()
		action := "review.file.hand_in"
		switch {
		case receive && f.Status == model.FileReceived:
			return model.Conflict("file_already_received", "该案卷已确认接收")
		case receive && f.Status != model.FileHandedIn:
			return model.Conflict("file_not_handed_in", "该案卷尚未上报，不能确认接收")
		case receive:
			f.Status, f.ReceivedAt, f.ReceivedBy, action = model.FileReceived, &now, &by.UserID, "review.file.receive"
		case f.Status == model.FileReceived:
			return model.Conflict("file_already_received", "该案卷已确认接收")
		case f.Status == model.FileHandedIn:
			out, err = s.fileResponse(tx, &c, f)
			return err
		default:
			f.Status, f.HandedInAt, f.HandedInBy = model.FileHandedIn, &now, &by.UserID
		}
		f.Version++
		f.UpdatedAt = now
		if err := tx.Model(&model.ReviewFile{}).Where("id = ?", f.ID).Updates(map[string]any{"status": f.Status,
			"handed_in_at": f.HandedInAt, "handed_in_by": f.HandedInBy, "received_at": f.ReceivedAt, "received_by": f.ReceivedBy,
			"version": f.Version, "updated_at": now}).Error; err != nil {
			return err
		}
		if out, err = s.fileResponse(tx, &c, f); err != nil {
			return err
		}
		return s.audit.Record(tx, by, Entry{Action: action, ObjectType: "review_file", ObjectID: f.ID,
			Before: before, After: f.ReviewFile, Reason: f.CaseNo})
	})
	return out, err
}

func (s *Reviews) fileResponse(tx *gorm.DB, c *model.Campaign, f *fileRow) (*model.FileResponse, error) {
	set, err := reviewSettings(tx, c.ID)
	if err != nil {
		return nil, err
	}
	orgs, err := loadOrgs(tx, f.HandlerOrgID)
	if err != nil {
		return nil, err
	}
	r := fileResponseOf(f, handInDue(c, set), today(s.clock.Now()), orgs)
	return &r, nil
}

func today(now time.Time) string { return now.In(model.Shanghai).Format("2006-01-02") }

func fileResponseOf(f *fileRow, due, today string, orgs map[uint64]*model.Org) model.FileResponse {
	r := model.FileResponse{CaseID: model.ID(f.CaseID), CaseNo: f.CaseNo, Category: f.Category, HandlerName: f.HandlerName,
		Status: f.Status, DueOn: due, Overdue: f.Status == model.FileSampled && due != "" && today > due,
		HandedInAt: model.TimePtr(f.HandedInAt), ReceivedAt: model.TimePtr(f.ReceivedAt),
		NeedsThird: f.NeedsThird, ThirdStatus: f.ThirdStatus, FinalGrade: f.FinalGrade, FinalVeto: f.FinalVeto, Version: f.Version}
	if f.HandlerOrgID != nil {
		id := model.ID(*f.HandlerOrgID)
		r.OrgID = &id
		if o := orgs[*f.HandlerOrgID]; o != nil {
			r.OrgName = o.Name
		}
	}
	if f.FinalScore != nil {
		t := review.Tenths(*f.FinalScore)
		r.FinalScore = &t
	}
	return r
}

// Files lists a campaign's sampled files: a manager all of them, a handler or staff member those
// of their own firm or office. status filters.
func (s *Reviews) Files(ctx context.Context, by model.Actor, campaignID model.ID, status string) ([]model.FileResponse, error) {
	if !by.Is(model.RoleManager) && !by.Is(model.RoleHandler) && !by.Is(model.RoleStaff) {
		return nil, model.ErrRoleForbidden
	}
	db := s.db.WithContext(ctx)
	var c model.Campaign
	if err := db.Take(&c, uint64(campaignID)).Error; err != nil {
		return nil, notFoundAs(err, errCampaignNotFound)
	}
	q := fileQuery(db, c.ID)
	if !by.Is(model.RoleManager) {
		q = q.Where("c.handler_org_id = ?", by.OrgID)
	}
	if status != "" {
		q = q.Where("f.status = ?", status)
	}
	var rows []fileRow
	if err := q.Order("c.case_no").Scan(&rows).Error; err != nil {
		return nil, err
	}
	return s.fileResponses(db, &c, rows)
}

func (s *Reviews) fileResponses(db *gorm.DB, c *model.Campaign, rows []fileRow) ([]model.FileResponse, error) {
	set, err := reviewSettings(db, c.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]*uint64, len(rows))
	for i := range rows {
		ids[i] = rows[i].HandlerOrgID
	}
	orgs, err := loadOrgs(db, ids...)
	if err != nil {
		return nil, err
	}
	due, now := handInDue(c, set), today(s.clock.Now())
	out := make([]model.FileResponse, 0, len(rows))
	for i := range rows {
		out = append(out, fileResponseOf(&rows[i], due, now, orgs))
	}
	return out, nil
}

// Overdue lists, by firm or office, the files still not handed in after the deadline.
func (s *Reviews) Overdue(ctx context.Context, by model.Actor, campaignID model.ID) ([]model.OverdueOrg, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	all, err := s.Files(ctx, by, campaignID, model.FileSampled)
	if err != nil {
		return nil, err
	}
	byOrg := map[string]*model.OverdueOrg{}
	var keys []string
	for _, f := range all {
		if !f.Overdue {
			continue
		}
		k := f.OrgName
		if byOrg[k] == nil {
			byOrg[k] = &model.OverdueOrg{OrgID: f.OrgID, OrgName: f.OrgName, DueOn: f.DueOn}
			keys = append(keys, k)
		}
		byOrg[k].Files = append(byOrg[k].Files, f)
	}
	sort.Strings(keys)
	out := make([]model.OverdueOrg, 0, len(keys))
	for _, k := range keys {
		out = append(out, *byOrg[k])
	}
	return out, nil
}

package service

import (
	"context"
	"strconv"
	"strings"

	"fayuan/internal/review"
	"fayuan/model"
)

var reviewExportHeader = []string{"案号", "案件类别", "承办人", "承办机构", "卷宗状态", "评分表", "评查表版本", "评查人员", "第三评查",
	"评分状态", "得分", "一票否决", "等次", "扣分明细", "案卷最终得分", "案卷最终等次", "否决成立"}

var fileStatusWords = map[string]string{model.FileSampled: "待上报", model.FileHandedIn: "已上报", model.FileReceived: "已接收"}

// ExportReviews is the reviews export: one row per scoresheet, with its deductions and reasons
// and the file's final result. Reviewer names are for the bureau's managers only.
func (s *Reviews) ExportReviews(ctx context.Context, by model.Actor, campaignID model.ID) (string, []byte, error) {
	if !by.Is(model.RoleManager) {
		return "", nil, model.ErrRoleForbidden
	}
	db := s.db.WithContext(ctx)
	var c model.Campaign
	if err := db.Take(&c, uint64(campaignID)).Error; err != nil {
		return "", nil, notFoundAs(err, errCampaignNotFound)
	}
	var files []fileRow
	if err := fileQuery(db, c.ID).Order("c.case_no").Scan(&files).Error; err != nil {
		return "", nil, err
	}
	ids := make([]*uint64, len(files))
	for i := range files {
		ids[i] = files[i].HandlerOrgID
	}
	orgs, err := loadOrgs(db, ids...)
	if err != nil {
		return "", nil, err
	}
	var sheets []model.ReviewSheet
	if err := db.Where("campaign_id = ?", c.ID).Order("case_id, slot").Find(&sheets).Error; err != nil {
		return "", nil, err
	}
	byCase := map[uint64][]model.ReviewSheet{}
	var reviewerIDs []uint64
	for _, sh := range sheets {
		byCase[sh.CaseID] = append(byCase[sh.CaseID], sh)
		reviewerIDs = append(reviewerIDs, sh.ReviewerID)
	}
	var users []model.User
	if err := db.Select("id", "display_name").Where("id IN ?", orNone(reviewerIDs)).Find(&users).Error; err != nil {
		return "", nil, err
	}
	names := map[uint64]string{}
	for _, u := range users {
		names[u.ID] = u.DisplayName
	}
	out, err := newSheet("案卷评查", reviewExportHeader)
	if err != nil {
		return "", nil, err
	}
	defer out.close()
	for i := range files {
		fl := &files[i]
		org := ""
		if fl.HandlerOrgID != nil && orgs[*fl.HandlerOrgID] != nil {
			org = orgs[*fl.HandlerOrgID].Name
		}
		final, finalGrade, vetoStands := "", "", ""
		if fl.FinalScore != nil {
			final, finalGrade = review.Tenths(*fl.FinalScore).String(), review.Grade(fl.FinalGrade).Label()
			vetoStands = yesNo(fl.FinalVeto)
		} else if fl.NeedsThird && fl.ThirdStatus == model.ThirdUnassignable {
			finalGrade = "需第三名评查人员（回避后无人可派）"
		}
		head := []any{fl.CaseNo, model.CategoryLabels[fl.Category], fl.HandlerName, org, fileStatusWords[fl.Status]}
		list := byCase[fl.CaseID]
		if len(list) == 0 {
			line := append(head, "", "", "", "", "未分配", "", "", "", "", final, finalGrade, vetoStands)
			if err := out.add(line); err != nil {
				return "", nil, err
			}
			continue
		}
		for j := range list {
			sh := &list[j]
			detail := ""
			if v, err := s.sheetView(db, sh); err == nil {
				detail = strings.Join(v.Reasons, "\n")
			}
			status, score, grade := "草稿", "", ""
			if sh.Status == model.SheetSubmitted {
				status, score, grade = "已提交", review.Tenths(sh.Score).String(), review.Grade(sh.Grade).Label()
			}
			line := append(append([]any{}, head...), "评分表 "+strconv.Itoa(sh.Slot), sh.RubricKey+" v"+strconv.Itoa(sh.RubricVersion),
				names[sh.ReviewerID], yesNo(sh.Third), status, score, yesNo(sh.Veto && sh.Status == model.SheetSubmitted), grade, detail,
				final, finalGrade, vetoStands)
			if err := out.add(line); err != nil {
				return "", nil, err
			}
		}
	}
	b, err := out.bytes()
	if err != nil {
		return "", nil, err
	}
	if err := s.audit.Record(db, by, Entry{Action: "campaign.export", ObjectType: "campaign", ObjectID: c.ID,
		Reason: "reviews: " + strconv.Itoa(out.rows) + " rows"}); err != nil {
		return "", nil, err
	}
	return "案卷评查结果-" + c.Name + "-" + s.clock.Now().In(model.Shanghai).Format("20060102") + ".xlsx", b, nil
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

package service

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"fayuan/model"
)

// visitExportHeader are the columns of the visits export: the case, the visit, the four
// questions in the registration form's words, and the verification against the phone.
var visitExportHeader = []string{"案号", "案由", "受援人", "案件承办人", "乡镇", "村(社区)", "走访时间", "上传时间", "走访人", "同行人员",
	"纬度", "经度", "坐标系", "定位精度(米)", "走访地址",
	"一、是否收费或索要钱财物", "收费情况", "二、有无懈怠行为", "懈怠情况", "三、是否满意", "不满意方面", "四、意见和建议", "回答人",
	"核实结果", "与电话回访不一致之处", "走访人填写的核实结论", "走访意见建议", "备注", "逾期补传", "提示"}

var fieldWords = map[string]string{"charged_fee": "是否收费", "negligent": "有无懈怠", "satisfied": "是否满意"}

// ExportFile serves export?kind=visits (registered with Calls.AddExport): the campaign must be
// visible to by, and the download is audited with its row count.
func (s *Visits) ExportFile(ctx context.Context, by model.Actor, campaignID model.ID) (string, []byte, error) {
	db := s.db.WithContext(ctx)
	camp, err := visibleCampaign(db, by, uint64(campaignID))
	if err != nil {
		return "", nil, err
	}
	name, b, rows, err := s.Export(db, camp)
	if err != nil {
		return "", nil, err
	}
	return name, b, s.audit.Record(db, by, Entry{Action: "campaign.export", ObjectType: "campaign", ObjectID: camp.ID,
		Reason: "visits: " + strconv.Itoa(rows) + " rows"})
}

// Export is the visits' .xlsx (走访记录), one row per visit in visit time order, with the
// recipient's name but never a phone or ID number. Registered with Calls.AddExport.
func (s *Visits) Export(db *gorm.DB, camp *model.Campaign) (string, []byte, int, error) {
	var visits []model.Visit
	if err := db.Where("campaign_id = ?", camp.ID).Order("visited_at, id").Find(&visits).Error; err != nil {
		return "", nil, 0, err
	}
	caseIDs, visitIDs := []uint64{}, []uint64{}
	names := map[uint64]string{}
	for _, v := range visits {
		caseIDs, visitIDs = append(caseIDs, v.CaseID), append(visitIDs, v.ID)
		names[v.UserID] = ""
	}
	cases := map[uint64]model.Case{}
	byVisit := map[uint64][]string{}
	if len(visits) > 0 {
		var rows []model.Case
		if err := db.Where("id IN ?", caseIDs).Find(&rows).Error; err != nil {
			return "", nil, 0, err
		}
		for _, k := range rows {
			cases[k.ID] = k
		}
		var parts []model.VisitParticipant
		if err := db.Where("visit_id IN ?", visitIDs).Order("id").Find(&parts).Error; err != nil {
			return "", nil, 0, err
		}
		for _, p := range parts {
			if p.UserID != nil {
				names[*p.UserID] = ""
			}
		}
		if err := displayNames(db, names); err != nil {
			return "", nil, 0, err
		}
		for _, p := range parts {
			name := p.Name
			if p.UserID != nil {
				name = names[*p.UserID]
			}
			byVisit[p.VisitID] = append(byVisit[p.VisitID], name)
		}
	}
	sh, err := newSheet("走访记录", visitExportHeader)
	if err != nil {
		return "", nil, 0, err
	}
	defer sh.close()
	for i := range visits {
		v := &visits[i]
		if err := sh.add(visitExportLine(v, cases[v.CaseID], names[v.UserID], byVisit[v.ID])); err != nil {
			return "", nil, 0, err
		}
	}
	b, err := sh.bytes()
	if err != nil {
		return "", nil, 0, err
	}
	name := "法律援助案件走访记录-" + camp.Name + "-" + s.clock.Now().In(model.Shanghai).Format("20060102") + ".xlsx"
	return name, b, len(visits), nil
}

// visitExportLine is one visit's row.
func visitExportLine(v *model.Visit, k model.Case, visitor string, participants []string) []any {
	a := callAnswers(&model.Call{AnswersJSON: v.AnswersJSON})
	if a == nil {
		a = &model.Answers{}
	}
	answeredBy := ""
	switch model.Str(a.AnsweredBy) {
	case "recipient":
		answeredBy = "本人"
	case model.AnsweredByFamily:
		answeredBy = "家属（" + model.Str(a.Relationship) + "）"
	}
	var diffs []string
	for _, d := range visitDifferences(v.Differences) {
		diffs = append(diffs, fmt.Sprintf("%s：电话“%s”，走访“%s”", fieldWords[d.Field], answerWords[d.Phone], answerWords[d.Visit]))
	}
	loc := []any{"", "", "", "", ""}
	if v.Lat != nil && v.Lng != nil {
		acc := any("")
		if v.Accuracy != nil {
			acc = *v.Accuracy
		}
		loc = []any{*v.Lat, *v.Lng, strings.ToUpper(v.CoordType), acc, v.Address}
	}
	late := ""
	if v.Late {
		late = "是"
	}
	line := []any{k.CaseNo, k.Cause, k.RecipientName, k.HandlerName, k.Town, k.Village,
		v.VisitedAt.In(model.Shanghai).Format("2006-01-02 15:04"), v.CreatedAt.In(model.Shanghai).Format("2006-01-02 15:04"),
		visitor, strings.Join(participants, "、")}
	line = append(line, loc...)
	return append(line, answerWords[model.Str(a.ChargedFee)], model.Str(a.ChargedFeeNote), answerWords[model.Str(a.Negligent)],
		model.Str(a.NegligentNote), answerWords[model.Str(a.Satisfied)], aboutWords[model.Str(a.DissatisfiedAbout)],
		model.Str(a.Suggestion), answeredBy, model.VerificationLabels[v.Verification], strings.Join(diffs, "；"),
		model.VerificationLabels[v.VerificationClaimed], v.Suggestions, v.Note, late, v.Flags)
}

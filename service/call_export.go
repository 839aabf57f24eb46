package service

import (
	"context"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"fayuan/model"
)

// formRow is one case's registration form (电话回访登记表): the case, its summary and the call
// that fills the answers — the first reached call, or else the latest attempt.
type formRow struct {
	Case     model.Case
	Call     *model.Call
	Answers  *model.Answers
	Status   string
	Attempts int
	Caller   string
}

// Words of the form's answers and statuses.
var (
	answerWords = map[string]string{model.AnswerYes: "是", model.AnswerNo: "否", model.AnswerUnsure: "不确定",
		model.AnswerSatisfied: "满意", model.AnswerDissatisfied: "不满意"}
	aboutWords  = map[string]string{"attitude": "办案态度", "result": "办理结果", "both": "办案态度和办理结果"}
	statusWords = map[string]string{model.AssignmentPending: "待回访", model.AssignmentReached: "已回访",
		model.AssignmentRefused: "拒绝回访", model.AssignmentUnreachable: "无法联系", "excluded": "已核减"}
	exportHeader = []string{"案号", "案由", "受援人", "案件承办人", "结案时间", "回访日期",
		"一、是否收费或索要钱财物", "收费情况", "二、有无懈怠行为", "懈怠情况", "三、是否满意", "不满意方面",
		"四、意见和建议", "回答人", "回访结果", "回访次数", "回访状态", "回访人"}
)

// Export builds a manager's .xlsx download of a campaign and returns its file name and bytes.
// kind "calls" is the registration forms, one row per case in the follow-up scope: the
// attachment's columns with the recipient's name but never a phone or ID number. Audited.
func (s *Calls) Export(ctx context.Context, by model.Actor, campaignID model.ID, kind string) (string, []byte, error) {
	if !by.Is(model.RoleManager) {
		return "", nil, model.ErrRoleForbidden
	}
	if f := s.exports[kind]; f != nil {
		return f(ctx, by, campaignID)
	}
	if kind != "calls" {
		return "", nil, model.InvalidField("kind", "可导出："+strings.Join(s.exportKinds(), "、"))
	}
	db := s.db.WithContext(ctx)
	camp, err := visibleCampaign(db, by, uint64(campaignID))
	if err != nil {
		return "", nil, err
	}
	cond, args := scopeCond("cases", camp.Scope(model.PhaseCalls))
	var cases []model.Case
	if err := db.Table("cases").Where(cond, args...).Order("closed_on, case_no").Find(&cases).Error; err != nil {
		return "", nil, err
	}
	rows, err := formRows(db, camp, cases)
	if err != nil {
		return "", nil, err
	}
	sh, err := newSheet("电话回访登记表", exportHeader)
	if err != nil {
		return "", nil, err
	}
	defer sh.close()
	for _, r := range rows {
		if err := sh.add(exportLine(r)); err != nil {
			return "", nil, err
		}
	}
	b, err := sh.bytes()
	if err != nil {
		return "", nil, err
	}
	if err := s.audit.Record(db, by, Entry{Action: "campaign.export", ObjectType: "campaign", ObjectID: camp.ID,
		Reason: kind + ": " + strconv.Itoa(len(rows)) + " rows"}); err != nil {
		return "", nil, err
	}
	name := "柞水县法律援助案件电话回访登记表-" + camp.Name + "-" + s.clock.Now().In(model.Shanghai).Format("20060102") + ".xlsx"
	return name, b, nil
}

// exportLine is one case's row of the calls export.
func exportLine(r formRow) []any {
	a := r.Answers
	if a == nil {
		a = &model.Answers{}
	}
	callDate, outcome := "", ""
	if r.Call != nil {
		callDate, outcome = r.Call.CalledAt.In(model.Shanghai).Format("2006-01-02"), model.OutcomeLabels[r.Call.Outcome]
	}
	closed := ""
	if r.Case.ClosedOn != nil {
		closed = *r.Case.ClosedOn
	}
	answeredBy := ""
	switch model.Str(a.AnsweredBy) {
	case "recipient":
		answeredBy = "本人"
	case model.AnsweredByFamily:
		answeredBy = "家属（" + model.Str(a.Relationship) + "）"
	}
	return []any{r.Case.CaseNo, r.Case.Cause, r.Case.RecipientName, r.Case.HandlerName, closed, callDate,
		answerWords[model.Str(a.ChargedFee)], model.Str(a.ChargedFeeNote), answerWords[model.Str(a.Negligent)], model.Str(a.NegligentNote),
		answerWords[model.Str(a.Satisfied)], aboutWords[model.Str(a.DissatisfiedAbout)], model.Str(a.Suggestion), answeredBy,
		outcome, r.Attempts, statusWords[r.Status], r.Caller}
}

// formRows loads, for each case, its summary in the campaign's calls phase, the call that fills
// the form and the caller's display name.
func formRows(db *gorm.DB, camp *model.Campaign, cases []model.Case) ([]formRow, error) {
	ids := make([]uint64, len(cases))
	for i, c := range cases {
		ids[i] = c.ID
	}
	out := make([]formRow, len(cases))
	if len(ids) == 0 {
		return out, nil
	}
	var sums []model.CaseAssignment
	if err := db.Where("campaign_id = ? AND phase = ? AND case_id IN ?", camp.ID, string(model.PhaseCalls), ids).Find(&sums).Error; err != nil {
		return nil, err
	}
	var excluded []uint64
	if err := db.Model(&model.CampaignExclusion{}).Where("campaign_id = ? AND status = ? AND case_id IN ?", camp.ID,
		model.ExclusionConfirmed, ids).Pluck("case_id", &excluded).Error; err != nil {
		return nil, err
	}
	var calls []model.Call
	if err := db.Where("campaign_id = ? AND case_id IN ?", camp.ID, ids).Order("called_at, id").Find(&calls).Error; err != nil {
		return nil, err
	}
	sumOf := map[uint64]model.CaseAssignment{}
	users := map[uint64]string{}
	for _, a := range sums {
		sumOf[a.CaseID] = a
		users[a.UserID] = ""
	}
	chosen := map[uint64]*model.Call{}
	counted := map[uint64]int{}
	for i := range calls {
		c := &calls[i]
		if !c.Extra {
			counted[c.CaseID]++
		}
		if prev := chosen[c.CaseID]; prev == nil || prev.Outcome != model.OutcomeReached {
			chosen[c.CaseID] = c
		}
		users[c.UserID] = ""
	}
	if err := displayNames(db, users); err != nil {
		return nil, err
	}
	isExcluded := map[uint64]bool{}
	for _, id := range excluded {
		isExcluded[id] = true
	}
	for i, k := range cases {
		r := formRow{Case: k, Call: chosen[k.ID], Status: model.AssignmentPending, Attempts: counted[k.ID]}
		if a, ok := sumOf[k.ID]; ok {
			r.Status, r.Attempts, r.Caller = a.Status, a.Attempts, users[a.UserID]
		}
		if r.Call != nil {
			r.Answers, r.Caller = callAnswers(r.Call), users[r.Call.UserID]
		}
		if isExcluded[k.ID] {
			r.Status = "excluded"
		}
		out[i] = r
	}
	return out, nil
}

// chineseDate writes a "YYYY-MM-DD" date the way the paper form does: 2024 年 5 月 23 日.
func chineseDate(day string) string {
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		return ""
	}
	return t.Format("2006 年 1 月 2 日")
}

package service

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"fayuan/internal/review"
	"fayuan/model"
)

var (
	resultHeader = []string{"案号", "承办人", "承办机构", "案卷得分", "最终得分", "等次", "结果状态", "一票否决", "扣分项及理由", "得分说明",
		"办案补贴（元）", "下浮金额（元）", "应兑付（元）", "列入奖励名单", "约谈整改", "不予兑付", "移送处理", "结果运用理由", "结果运用已确认",
		"异议", "异议处理"}
	resultStatusWords = map[string]string{model.ResultProvisional: "异议期", model.ResultObjected: "已提异议",
		model.ResultDecided: "异议已处理", model.ResultFinal: "已确认"}
)

// Export is the results export for finance (kind=results): one row per published result, every
// figure with its reasons beside it. A consequence not yet confirmed is marked as proposed: no
// money moves on it. Audited.
func (s *Results) Export(ctx context.Context, by model.Actor, campaignID model.ID) (string, []byte, error) {
	if !by.Is(model.RoleManager) {
		return "", nil, model.ErrRoleForbidden
	}
	db := s.db.WithContext(ctx)
	camp, err := campaignByID(db, uint64(campaignID))
	if err != nil {
		return "", nil, err
	}
	_, policy, err := resultSettings(db, camp.ID)
	if err != nil {
		return "", nil, err
	}
	var rows []model.CaseResult
	if err := db.Where("campaign_id = ?", camp.ID).Order("case_id").Find(&rows).Error; err != nil {
		return "", nil, err
	}
	sh, err := newSheet("评查结果", resultHeader)
	if err != nil {
		return "", nil, err
	}
	defer sh.close()
	for i := range rows {
		r, err := s.response(db, &rows[i], policy)
		if err != nil {
			return "", nil, err
		}
		if err := sh.add(resultLine(r)); err != nil {
			return "", nil, err
		}
	}
	b, err := sh.bytes()
	if err != nil {
		return "", nil, err
	}
	if err := s.audit.Record(db, by, Entry{Action: "campaign.export", ObjectType: "campaign", ObjectID: camp.ID,
		Reason: "results: " + strconv.Itoa(len(rows)) + " rows"}); err != nil {
		return "", nil, err
	}
	return "案卷评查结果及结果运用-" + camp.Name + "-" + s.clock.Now().In(model.Shanghai).Format("20060102") + ".xlsx", b, nil
}

// resultLine is one result's row.
func resultLine(r *model.ResultResponse) []any {
	var handler, org string
	if r.Handler != nil {
		handler, org = r.Handler.Name, r.Handler.OrgName
	}
	var deductions []string
	for _, d := range r.Deductions {
		deductions = append(deductions, fmt.Sprintf("%s %s 扣 %s 分：%s", d.Item, d.Label, d.Points, d.Reason))
	}
	yes := func(b bool) string {
		if b {
			return "是"
		}
		return "否"
	}
	line := []any{r.CaseNo, handler, org, r.FileScore.String(), r.Score.String(), review.Grade(r.Grade).Label(),
		resultStatusWords[r.Status], yes(r.Veto), strings.Join(deductions, "\n"), strings.Join(r.Reasons, "\n"), money(r.SubsidyCents)}
	if c := r.Consequence; c != nil {
		confirmed := "否（拟定，待确认后执行）"
		if r.ConsequenceConfirmed {
			confirmed = "是"
		}
		line = append(line, money(c.ReductionCents), money(c.PayableCents), yes(c.Reward), yes(c.Rectification), yes(c.Withheld),
			yes(c.Referral), strings.Join(c.Reasons, "\n"), confirmed)
	} else {
		line = append(line, "", "", "", "", "", "", "评查结果未定，不能确定结果运用", "否")
	}
	var objection, decision string
	if r.Objection != nil {
		objection = r.Objection.Reason
	}
	if r.Decision != nil {
		decision = map[string]string{model.DecisionUpheld: "维持：", model.DecisionAmended: "变更："}[r.Decision.Outcome] + r.Decision.Reason
	}
	return append(line, objection, decision)
}

// money writes cents as yuan with two decimals, as text so the sheet shows it exactly.
func money(cents int64) string {
	return fmt.Sprintf("%d.%02d", cents/100, cents%100)
}

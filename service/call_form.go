package service

import (
	"bytes"
	"context"
	"html/template"

	"fayuan/model"
)

// defaultFormIntro is the paragraph of the notice's attachment, used when the campaign has none.
const defaultFormIntro = "柞水县法律援助中心根据《中华人民共和国法律援助法》《司法部办理法律援助案件程序规定》要求对您进行回访，" +
	"对法律援助案件承办人提出监督意见，感谢您对我们工作的支持和帮助。"

// formTemplate lays out the registration form like the notice's attachment, on one A4 page,
// with no external resources. html/template escapes every value.
var formTemplate = template.Must(template.New("form").Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
@page { size: A4; margin: 20mm 18mm; }
body { font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", serif; font-size: 14pt; line-height: 1.8; color: #000; max-width: 174mm; margin: 0 auto; }
h1 { text-align: center; font-size: 20pt; margin: 0 0 1em; }
.fields { display: grid; grid-template-columns: 1fr 1fr; column-gap: 2em; }
.field span { display: inline-block; min-width: 8em; border-bottom: 1px solid #000; padding: 0 .3em; }
.field.wide { grid-column: 1 / 3; }
.intro { text-indent: 2em; margin: 1em 0; }
.q { margin: .8em 0; }
.a { margin-left: 2em; }
.note { margin-left: 2em; border-bottom: 1px solid #000; min-height: 1.8em; }
.meta { margin-top: 2em; font-size: 11pt; }
@media print { .noprint { display: none; } }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<div class="fields">
<div class="field wide">案由：<span id="cause">{{.Cause}}</span></div>
<div class="field">受援人姓名：<span id="recipient">{{.Recipient}}</span></div>
<div class="field">案件承办人：<span id="handler">{{.Handler}}</span></div>
<div class="field">结案时间：<span id="closed_on">{{.ClosedOn}}</span></div>
<div class="field">回访日期：<span id="call_date">{{.CallDate}}</span></div>
</div>
<p class="intro">{{.Intro}}</p>
<div class="q" id="q1">一、在法律援助案件代理过程中，案件代理人是否向您收费，或通过其他途径向您索要钱财物等行为。
<div class="a">是 ({{.Q1.Yes}}) 否 ({{.Q1.No}}) 不确定 ({{.Q1.Unsure}})</div>
<div class="note">{{.Q1.Note}}</div></div>
<div class="q" id="q2">二、案件承办人员有无故意长时间压案不办、门难进、脸难看等懈怠行为。
<div class="a">有 ({{.Q2.Yes}}) 无 ({{.Q2.No}}) 不确定 ({{.Q2.Unsure}})</div>
<div class="note">{{.Q2.Note}}</div></div>
<div class="q" id="q3">三、对案件的办理是否满意。
<div class="a">满意 ({{.Q3.Yes}}) 不满意 ({{.Q3.No}}){{if eq .Q3.Unsure "√"}} 不确定 (√){{end}}</div>
{{if .Q3.Note}}<div class="note">{{.Q3.Note}}</div>{{end}}</div>
<div class="q" id="q4">四、对法律援助工作的意见和建议。
<div class="note">{{.Suggestion}}</div></div>
<div class="meta">回访结果：{{.Outcome}}　回访人：{{.Caller}}{{if .AnsweredBy}}　回答人：{{.AnsweredBy}}{{end}}</div>
</body>
</html>
`))

// tick is one question's boxes: "√" in the box of the answer given, a blank in the others.
type tick struct{ Yes, No, Unsure, Note string }

func ticks(v, yes, no, note string) tick {
	t := tick{Yes: " ", No: " ", Unsure: " ", Note: note}
	switch v {
	case yes:
		t.Yes = "√"
	case no:
		t.No = "√"
	case model.AnswerUnsure:
		t.Unsure = "√"
	}
	return t
}

// formPage is what the form template shows.
type formPage struct {
	Title, Cause, Recipient, Handler, ClosedOn, CallDate, Intro string
	Q1, Q2, Q3                                                  tick
	Suggestion, Outcome, Caller, AnsweredBy                     string
}

// Form renders one case's registration form as a printable HTML page, filled from the case and
// its reached call (blank boxes when it has none): for a manager, or the caller assigned to
// call the case. Others see no such case (404). No phone or ID number is on the form.
func (s *Calls) Form(ctx context.Context, by model.Actor, campaignID, caseID model.ID) ([]byte, error) {
	manager := by.Is(model.RoleManager)
	if !manager && !by.Is(model.RoleStaff) {
		return nil, model.ErrRoleForbidden
	}
	db := s.db.WithContext(ctx)
	if !manager {
		mine, err := exists(db.Model(&model.CaseAssignment{}).Where("campaign_id = ? AND phase = ? AND case_id = ? AND user_id = ?",
			uint64(campaignID), string(model.PhaseCalls), uint64(caseID), by.UserID))
		if err != nil {
			return nil, err
		}
		if !mine {
			return nil, errCallCaseNotFound
		}
	}
	camp, err := visibleCampaign(db, by, uint64(campaignID))
	if err != nil {
		return nil, err
	}
	var kase model.Case
	if err := db.Take(&kase, uint64(caseID)).Error; err != nil {
		return nil, notFoundAs(err, errCallCaseNotFound)
	}
	rows, err := formRows(db, camp, []model.Case{kase})
	if err != nil {
		return nil, err
	}
	r := rows[0]
	p := formPage{Title: "柞水县法律援助案件电话回访登记表", Cause: kase.Cause, Recipient: kase.RecipientName, Handler: kase.HandlerName,
		Intro: camp.Intro, Caller: r.Caller, Outcome: statusWords[r.Status]}
	if p.Intro == "" {
		p.Intro = defaultFormIntro
	}
	if kase.ClosedOn != nil {
		p.ClosedOn = chineseDate(*kase.ClosedOn)
	}
	a := &model.Answers{}
	if r.Call != nil && r.Call.Outcome == model.OutcomeReached {
		p.CallDate = chineseDate(r.Call.CalledAt.In(model.Shanghai).Format("2006-01-02"))
		if r.Answers != nil {
			a = r.Answers
		}
	}
	if r.Call != nil {
		p.Outcome = model.OutcomeLabels[r.Call.Outcome]
	}
	p.Q1 = ticks(model.Str(a.ChargedFee), model.AnswerYes, model.AnswerNo, model.Str(a.ChargedFeeNote))
	p.Q2 = ticks(model.Str(a.Negligent), model.AnswerYes, model.AnswerNo, model.Str(a.NegligentNote))
	p.Q3 = ticks(model.Str(a.Satisfied), model.AnswerSatisfied, model.AnswerDissatisfied, aboutWords[model.Str(a.DissatisfiedAbout)])
	p.Suggestion = model.Str(a.Suggestion)
	switch model.Str(a.AnsweredBy) {
	case "recipient":
		p.AnsweredBy = "本人"
	case model.AnsweredByFamily:
		p.AnsweredBy = "家属（" + model.Str(a.Relationship) + "）"
	}
	var buf bytes.Buffer
	if err := formTemplate.Execute(&buf, p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

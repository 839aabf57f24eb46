package model

import "time"

// Call outcomes (电话回访结果); only reached carries answers.
const (
	OutcomeReached      = "reached"
	OutcomeNoAnswer     = "no_answer"
	OutcomeBusy         = "busy"
	OutcomePoweredOff   = "powered_off"
	OutcomeWrongNumber  = "wrong_number"
	OutcomeRefused      = "refused"
	OutcomeNotRecipient = "not_recipient"
)

// OutcomeLabels are the Chinese words for each outcome.
var OutcomeLabels = map[string]string{
	OutcomeReached: "接通并完成回访", OutcomeNoAnswer: "无人接听", OutcomeBusy: "占线", OutcomePoweredOff: "关机/停机",
	OutcomeWrongNumber: "空号/错号", OutcomeRefused: "拒绝回访", OutcomeNotRecipient: "非本人，无法转达",
}

// Follow-up statuses of a case in the calls phase, beside AssignmentPending.
const (
	AssignmentReached     = "reached"
	AssignmentRefused     = "refused"
	AssignmentUnreachable = "unreachable"
)

// Call is one phone attempt (电话回访) on a case of a campaign. ClientID is the phone's UUID:
// unique per user in this table, so a retried upload, even to another replica, stores one row;
// BodyHash tells a replay from a different record under the same id. Extra marks a contact
// after the case was already reached: kept, but it changes no counts.
type Call struct {
	ID           uint64    `gorm:"primaryKey"`
	CampaignID   uint64    `gorm:"not null;index:idx_calls_case,priority:1"`
	CaseID       uint64    `gorm:"not null;index:idx_calls_case,priority:2"`
	UserID       uint64    `gorm:"not null;uniqueIndex:idx_calls_client,priority:1"`
	ClientID     string    `gorm:"size:36;not null;uniqueIndex:idx_calls_client,priority:2"`
	BodyHash     string    `gorm:"size:64;not null"`
	CalledAt     time.Time `gorm:"not null;index:idx_calls_case,priority:3"`
	Outcome      string    `gorm:"size:16;not null"`
	AnswersJSON  string    `gorm:"column:answers;type:text"`
	Note         string    `gorm:"size:1000;not null;default:''"`
	DurationS    *int
	RecordingRef string    `gorm:"size:255;not null;default:''"`
	Late         bool      `gorm:"not null;default:false"`
	Flags        string    `gorm:"size:255;not null;default:''"` // comma-separated phase-engine flags
	Extra        bool      `gorm:"not null;default:false"`
	Version      int       `gorm:"not null;default:1"` // 1 as recorded, +1 per correction (optimistic locking)
	CreatedAt    time.Time `gorm:"not null"`
}

// Answers are the registration form's four questions as the recipient (or family) answered
// them. Every field is a pointer so a missing answer stays missing: it is never read as "no".
type Answers struct {
	ChargedFee        *string `json:"charged_fee"`
	ChargedFeeNote    *string `json:"charged_fee_note"`
	Negligent         *string `json:"negligent"`
	NegligentNote     *string `json:"negligent_note"`
	Satisfied         *string `json:"satisfied"`
	DissatisfiedAbout *string `json:"dissatisfied_about"`
	Suggestion        *string `json:"suggestion"`
	AnsweredBy        *string `json:"answered_by"`
	Relationship      *string `json:"relationship"`
}

// Answer values.
const (
	AnswerYes          = "yes"
	AnswerNo           = "no"
	AnswerUnsure       = "unsure"
	AnswerSatisfied    = "satisfied"
	AnswerDissatisfied = "dissatisfied"
	AnsweredByFamily   = "family"
)

// Str reads an optional answer field ("" when missing).
func Str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Problems names every missing or invalid answer, keyed "<prefix>.<field>", in Chinese.
func (a *Answers) Problems(prefix string) map[string]string {
	out := map[string]string{}
	oneOf := func(field string, v *string, msg string, allowed ...string) {
		if v == nil || *v == "" {
			out[prefix+field] = "必须回答：" + msg
			return
		}
		for _, x := range allowed {
			if *v == x {
				return
			}
		}
		out[prefix+field] = "取值应为 " + join(allowed)
	}
	needNote := func(field string, v *string) {
		if v == nil || len([]rune(*v)) == 0 {
			out[prefix+field] = "回答“是”时须记录具体情况"
		}
	}
	oneOf("charged_fee", a.ChargedFee, "是否收费或索要钱财物", AnswerYes, AnswerNo, AnswerUnsure)
	if Str(a.ChargedFee) == AnswerYes {
		needNote("charged_fee_note", a.ChargedFeeNote)
	}
	oneOf("negligent", a.Negligent, "有无懈怠行为", AnswerYes, AnswerNo, AnswerUnsure)
	if Str(a.Negligent) == AnswerYes {
		needNote("negligent_note", a.NegligentNote)
	}
	oneOf("satisfied", a.Satisfied, "是否满意", AnswerSatisfied, AnswerDissatisfied, AnswerUnsure)
	if Str(a.Satisfied) == AnswerDissatisfied {
		oneOf("dissatisfied_about", a.DissatisfiedAbout, "对哪方面不满意", "attitude", "result", "both")
	}
	if a.Suggestion == nil {
		out[prefix+"suggestion"] = "必须填写意见和建议（没有可填“无”）"
	}
	oneOf("answered_by", a.AnsweredBy, "由谁回答", "recipient", AnsweredByFamily)
	if Str(a.AnsweredBy) == AnsweredByFamily && Str(a.Relationship) == "" {
		out[prefix+"relationship"] = "家属代答时须填写与受援人的关系"
	}
	for field, v := range map[string]*string{"charged_fee_note": a.ChargedFeeNote, "negligent_note": a.NegligentNote,
		"suggestion": a.Suggestion, "relationship": a.Relationship} {
		if v != nil && len([]rune(*v)) > 1000 {
			out[prefix+field] = "不超过 1000 字"
		}
	}
	return out
}

func join(xs []string) string {
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += " / "
		}
		s += x
	}
	return s
}

// RecordCallRequest is one call attempt as the phone uploads it.
type RecordCallRequest struct {
	ClientID     string   `json:"client_id"`
	CalledAt     *Time    `json:"called_at"`
	Outcome      string   `json:"outcome"`
	Answers      *Answers `json:"answers"`
	Note         string   `json:"note"`
	DurationS    *int     `json:"duration_s"`
	RecordingRef string   `json:"recording_ref"`
}

// CallForm is the registration form's header (电话回访登记表), filled from the case and the call.
type CallForm struct {
	Cause         string  `json:"cause"`          // 案由
	RecipientName string  `json:"recipient_name"` // 受援人姓名, masked
	HandlerName   string  `json:"handler_name"`   // 案件承办人
	ClosedOn      *string `json:"closed_on"`      // 结案时间
	CallDate      string  `json:"call_date"`      // 回访日期, Asia/Shanghai
}

// CallResponse is a call on the wire.
type CallResponse struct {
	ID           ID       `json:"id"`
	ClientID     string   `json:"client_id"`
	CampaignID   ID       `json:"campaign_id"`
	CaseID       ID       `json:"case_id"`
	CallerID     ID       `json:"caller_id"`
	CalledAt     Time     `json:"called_at"`
	Outcome      string   `json:"outcome"`
	OutcomeLabel string   `json:"outcome_label"`
	Answers      *Answers `json:"answers"`
	Note         string   `json:"note"`
	DurationS    *int     `json:"duration_s"`
	RecordingRef string   `json:"recording_ref"`
	Late         bool     `json:"late"`
	Flags        []string `json:"flags"`
	Extra        bool     `json:"extra"`
	Form         CallForm `json:"form"`
	// Status and Attempts are the case's follow-up summary after this call.
	Status    string `json:"status"`
	Attempts  int    `json:"attempts"`
	CreatedAt Time   `json:"created_at"`
}

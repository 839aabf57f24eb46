package service

import (
	"context"
	"encoding/json"
	"fmt"

	"gorm.io/gorm"

	"fayuan/model"
)

// FlagSurveyFromStaff marks survey answers sent from a WeChat account bound to a staff user:
// a recipient's own answer should not come from the bureau's side.
const FlagSurveyFromStaff = "survey_from_staff"

// The recipient's own answer counts the case as reached in reached_any, never in the phone rate;
// one sent from a staff member's WeChat does not: it is not the recipient's.
func init() {
	RegisterContactSource(ContactSource{Table: "survey_answers", Cond: "staff_user_id IS NULL"})
}

// CaseHistory adds the case's survey answers, with their earlier versions, to its detail. Only
// managers and the staff assigned to the case learn of them: the survey is where a recipient
// may report their lawyer, so a handler (or anyone else reading the case) must not even learn
// that it was answered, nor when or how.
func (s *Surveys) CaseHistory(ctx context.Context, by model.Actor, c *model.Case, d *model.CaseDetailResponse) error {
	db := s.db.WithContext(ctx)
	full, err := seesAnswers(db, by, c.ID)
	if err != nil || !full {
		return err
	}
	var answers []model.SurveyAnswer
	if err := db.Where("case_id = ?", c.ID).Order("answered_at, id").Find(&answers).Error; err != nil {
		return err
	}
	for i := range answers {
		a := &answers[i]
		item := model.SurveyHistoryItem{ID: model.ID(a.ID), CampaignID: model.ID(a.CampaignID), AnsweredAt: model.NewTime(a.AnsweredAt),
			Verification: a.Verification, FromStaff: a.StaffUserID != nil, Version: a.Version, Versions: []model.SurveyVersionSummary{}}
		var versions []model.SurveyAnswerVersion
		if err := db.Where("answer_id = ?", a.ID).Order("version").Find(&versions).Error; err != nil {
			return err
		}
		for j := range versions {
			v := &versions[j]
			sum := model.SurveyVersionSummary{Version: v.Version, AnsweredAt: model.NewTime(v.AnsweredAt)}
			if v.Late {
				item.Late = true
			}
			sum.Answers = decodeAnswers(v.AnswersJSON)
			item.Versions = append(item.Versions, sum)
		}
		item.Answers = decodeAnswers(a.AnswersJSON)
		d.SurveyAnswers = append(d.SurveyAnswers, item)
	}
	return nil
}

func decodeAnswers(s string) *model.Answers {
	var a model.Answers
	if json.Unmarshal([]byte(s), &a) != nil {
		return nil
	}
	return &a
}

// CallFlags flags, per staff account, the survey answers sent from its WeChat: the managers'
// plausibility list is where a recipient's answer filled in by a caller shows up.
func (s *Surveys) CallFlags(tx *gorm.DB, campaignID uint64, _ model.FlagSettings) ([]model.PlausibilityFlag, error) {
	var rows []struct {
		StaffUserID uint64
		N           int
	}
	err := tx.Model(&model.SurveyAnswerVersion{}).Select("survey_answer_versions.staff_user_id, COUNT(*) AS n").
		Joins("JOIN survey_answers ON survey_answers.id = survey_answer_versions.answer_id").
		Where("survey_answers.campaign_id = ? AND survey_answer_versions.staff_user_id IS NOT NULL", campaignID).
		Group("survey_answer_versions.staff_user_id").Order("survey_answer_versions.staff_user_id").Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	var out []model.PlausibilityFlag
	for _, r := range rows {
		out = append(out, model.PlausibilityFlag{Kind: FlagSurveyFromStaff, CallerID: model.ID(r.StaffUserID), CallIDs: []model.ID{},
			Detail: fmt.Sprintf("%d 份受援人自评问卷由该工作人员绑定的微信提交", r.N)})
	}
	return out, nil
}

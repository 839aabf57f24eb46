package service

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	fdb "fayuan/internal/db"
	"fayuan/model"
)

// Answer stores the recipient's answer: one per case and campaign, judged on the submission
// time against the survey's window. Answering again replaces it (created false) and keeps the
// earlier version; the same client_id again changes nothing. Alerts open exactly as for a call,
// in the same transaction, and a later answer never closes or downgrades one. An answer sent
// from a WeChat account bound to a staff user is flagged for the managers.
func (s *Surveys) Answer(ctx context.Context, token, bearer string, req model.SurveyAnswerRequest, m Meta) (*model.SurveyAnswerResponse, bool, error) {
	link, err := s.openLink(ctx, token, m)
	if err != nil {
		return nil, false, err
	}
	claims, ok := s.bearer(link, bearer)
	if !ok {
		return nil, false, errSurveyNotVerified
	}
	bad := map[string]string{}
	if !uuidRE.MatchString(req.ClientID) {
		bad["client_id"] = "应为页面生成的 UUID"
	}
	if req.Answers == nil {
		bad["answers"] = "必须回答四个问题"
	} else {
		for k, v := range req.Answers.Problems("answers.") {
			bad[k] = v
		}
	}
	known := s.RecipientTemplates()
	if len(req.TemplateIDs) > 3 {
		bad["template_ids"] = "最多 3 个消息模板"
	}
	for _, t := range req.TemplateIDs {
		if !slices.Contains(known, t) {
			bad["template_ids"] = "消息模板不存在或未启用"
		}
	}
	if len(bad) > 0 {
		return nil, false, model.Invalid(bad)
	}
	req.ClientID = strings.ToLower(req.ClientID)
	hash := digest(req.Answers)
	now := s.clock.Now()
	by := recipientActor(m)
	var out *model.SurveyAnswerResponse
	var version model.SurveyAnswerVersion
	created, replayed := false, false
	err = fdb.Transact(s.db.WithContext(ctx), func(tx *gorm.DB) error {
		// The link row is the lock: one recipient's submissions on one case queue here.
		var l model.SurveyLink
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id").Take(&l, link.ID).Error; err != nil {
			return err
		}
		var prior model.SurveyAnswerVersion
		err := tx.Where("case_id = ? AND client_id = ?", link.CaseID, req.ClientID).Take(&prior).Error
		if err == nil {
			if prior.BodyHash != hash {
				return errClientIDConflict
			}
			replayed = true
			out = newSurveyAnswerResponse(&prior)
			return nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		c := &model.Campaign{}
		if err := tx.Take(c, link.CampaignID).Error; err != nil {
			return err
		}
		if err := judgeSurvey(c, now); err != nil {
			return err
		}
		var k model.Case
		if err := tx.Take(&k, link.CaseID).Error; err != nil {
			return err
		}
		staff, err := staffByOpenID(tx, claims.OpenID)
		if err != nil {
			return err
		}
		var ans model.SurveyAnswer
		err = tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("campaign_id = ? AND case_id = ?", c.ID, k.ID).Take(&ans).Error
		created = errors.Is(err, gorm.ErrRecordNotFound)
		if err != nil && !created {
			return err
		}
		b, _ := json.Marshal(req.Answers)
		version = model.SurveyAnswerVersion{AnswerID: ans.ID, CaseID: k.ID, ClientID: req.ClientID, BodyHash: hash,
			Version: ans.Version + 1, AnsweredAt: now, AnswersJSON: string(b), StaffUserID: staff, Verification: claims.Method}
		if err := tx.Create(&version).Error; err != nil {
			return err
		}
		ans.CampaignID, ans.CaseID, ans.LinkID, ans.VersionID, ans.Version = c.ID, k.ID, link.ID, version.ID, version.Version
		ans.AnsweredAt, ans.AnswersJSON, ans.UpdatedAt, ans.StaffUserID, ans.Verification = now, version.AnswersJSON, now, staff, claims.Method
		if created {
			ans.CreatedAt = now
		}
		if err := tx.Save(&ans).Error; err != nil {
			return err
		}
		if created {
			if err := tx.Model(&version).Update("answer_id", ans.ID).Error; err != nil {
				return err
			}
			version.AnswerID = ans.ID
		}
		if err := s.alerts.Open(tx, by, c, &k, model.ChannelSurvey, version.ID, req.Answers); err != nil {
			return err
		}
		if claims.OpenID != "" {
			for _, t := range dedupeValues(req.TemplateIDs) {
				if err := addSurveySubscription(tx, c.ID, k.ID, claims.OpenID, t, now); err != nil {
					return err
				}
			}
		}
		if err := s.campaigns.CaseChanged(tx, c.ID, k.ID); err != nil {
			return err
		}
		out = newSurveyAnswerResponse(&version)
		return s.audit.Record(tx, by, Entry{Action: "survey.answer", ObjectType: "survey_answer", ObjectID: ans.ID,
			Reason: "case " + strconv.FormatUint(k.ID, 10) + " version " + strconv.Itoa(version.Version), After: version})
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil, false, model.Conflict("survey_busy", "请稍后再提交一次")
	}
	if err != nil {
		return nil, false, err
	}
	if !replayed {
		s.thank(ctx, link, &version, claims.OpenID)
	}
	return out, created, nil
}

func newSurveyAnswerResponse(v *model.SurveyAnswerVersion) *model.SurveyAnswerResponse {
	out := &model.SurveyAnswerResponse{ID: model.ID(v.AnswerID), ClientID: v.ClientID, Version: v.Version, AnsweredAt: model.NewTime(v.AnsweredAt)}
	var a model.Answers
	if json.Unmarshal([]byte(v.AnswersJSON), &a) == nil {
		out.Answers = &a
	}
	return out
}

// staffByOpenID is the enabled or disabled account bound to openID, if any: an answer from it
// is no recipient's.
func staffByOpenID(tx *gorm.DB, openID string) (*uint64, error) {
	if openID == "" {
		return nil, nil
	}
	var u model.User
	err := tx.Select("id").Where("wechat_openid = ?", openID).Take(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &u.ID, nil
}

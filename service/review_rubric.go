package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fayuan/internal/review"
	"fayuan/model"
)

// EnsureDefaultRubrics stores the shipped templates (criminal, civil-administrative, hearing)
// under their key and version, once: a version already stored is left as it is.
func (s *Reviews) EnsureDefaultRubrics(ctx context.Context) error {
	all, err := review.Defaults()
	if err != nil {
		return err
	}
	db := s.db.WithContext(ctx)
	for _, rb := range all {
		row, err := templateRow(rb, nil, true)
		if err != nil {
			return err
		}
		row.CreatedAt = s.clock.Now()
		if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
			return err
		}
	}
	return nil
}

func templateRow(rb *review.Rubric, by *uint64, builtin bool) (model.RubricTemplate, error) {
	body, err := json.Marshal(rb)
	if err != nil {
		return model.RubricTemplate{}, err
	}
	return model.RubricTemplate{Key: rb.ID, Version: rb.Version, Title: rb.Title, AppliesTo: strings.Join(rb.AppliesTo, ","),
		Body: string(body), Builtin: builtin, CreatedBy: by}, nil
}

// invalidRubric turns the engine's problems into a 422 naming each field.
func invalidRubric(err error) error {
	var ie *review.InvalidError
	if !errors.As(err, &ie) {
		return err
	}
	bad := map[string]string{}
	for _, p := range ie.Problems {
		if old, ok := bad[p.Field]; ok {
			bad[p.Field] = old + "；" + p.Message
		} else {
			bad[p.Field] = p.Message
		}
	}
	return model.Invalid(bad)
}

// UploadRubric stores a bureau's own template (the JSON of review.Rubric) as the next version of
// its key, after review's validation: items must sum to 100, sections to their items, codes be
// unique. The version in the body is ignored; the stored one is answered. Audited.
func (s *Reviews) UploadRubric(ctx context.Context, by model.Actor, body []byte) (*model.RubricTemplateResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	// The version is the server's to give: a body without one must still validate.
	var probe map[string]json.RawMessage
	if json.Unmarshal(body, &probe) == nil {
		probe["version"] = json.RawMessage("1")
		body, _ = json.Marshal(probe)
	}
	rb, err := review.Load(bytes.NewReader(body))
	if err != nil {
		return nil, invalidRubric(err)
	}
	if len(rb.ID) > 64 {
		return nil, model.InvalidField("id", "编号最多 64 个字符")
	}
	var out *model.RubricTemplateResponse
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var latest int
		if err := tx.Model(&model.RubricTemplate{}).Where("rubric_key = ?", rb.ID).Select("COALESCE(MAX(version), 0)").Scan(&latest).Error; err != nil {
			return err
		}
		// A key keeps the categories it was first stored for: a new version is a revised table
		// for the same files, never a way to put another category's table under a default key.
		var first []model.RubricTemplate
		if err := tx.Where("rubric_key = ?", rb.ID).Order("version").Limit(1).Find(&first).Error; err != nil {
			return err
		}
		if len(first) == 1 && !sameCategories(strings.Split(first[0].AppliesTo, ","), rb.AppliesTo) {
			return model.InvalidField("applies_to", "评查表 "+rb.ID+" 已有的版本适用于 "+first[0].AppliesTo+
				"，新版本不能改变适用类别；其他类别的评查表请另用一个编号")
		}
		rb.Version = latest + 1
		uid := by.UserID
		row, err := templateRow(rb, &uid, false)
		if err != nil {
			return err
		}
		row.CreatedAt = s.clock.Now()
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return model.Conflict("rubric_version_taken", "同一评查表正在被另一次上传写入，请重试")
		}
		out = templateResponse(&row, rb)
		return s.audit.Record(tx, by, Entry{Action: "rubric.upload", ObjectType: "rubric_template", ObjectID: row.ID,
			After: row, Reason: row.Key + " v" + strconv.Itoa(row.Version)})
	})
	return out, err
}

func sameCategories(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// coversSlot reports whether a template applying to these categories may score a slot's files:
// non-litigation files are scored on the civil or the administrative table.
func coversSlot(applies []string, slot string) bool {
	if slot == string(model.CategoryNonLitigation) {
		return slices.Contains(applies, string(model.CategoryCivil)) || slices.Contains(applies, string(model.CategoryAdministrative))
	}
	return slices.Contains(applies, slot)
}

func templateResponse(row *model.RubricTemplate, rb *review.Rubric) *model.RubricTemplateResponse {
	applies := strings.Split(row.AppliesTo, ",")
	return &model.RubricTemplateResponse{Key: row.Key, Version: row.Version, Title: row.Title, AppliesTo: applies,
		Builtin: row.Builtin, CreatedAt: model.NewTime(row.CreatedAt), Rubric: rb}
}

// ListRubrics lists every stored template version, newest version of each key first; content
// only with full.
func (s *Reviews) ListRubrics(ctx context.Context, by model.Actor, full bool) ([]model.RubricTemplateResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	db := s.db.WithContext(ctx)
	var rows []model.RubricTemplate
	if err := db.Order("rubric_key, version DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := []model.RubricTemplateResponse{}
	for i := range rows {
		var rb *review.Rubric
		if full {
			var err error
			if rb, err = s.rubric(db, rows[i].Key, rows[i].Version); err != nil {
				return nil, err
			}
		}
		out = append(out, *templateResponse(&rows[i], rb))
	}
	return out, nil
}

// rubricFor resolves the template a file of this category is scored on in the campaign: the
// campaign's choice for the slot or the default, at its pinned version or the newest.
func rubricFor(tx *gorm.DB, campaignID uint64, slot string) (string, int, error) {
	key, version := model.DefaultRubricKeys[slot], 0
	var ch model.CampaignRubric
	err := tx.Where("campaign_id = ? AND slot = ?", campaignID, slot).Take(&ch).Error
	switch {
	case err == nil:
		key, version = ch.RubricKey, ch.RubricVersion
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return "", 0, err
	}
	// Only a version made for the slot's category: a stray upload under the same key (stored
	// before uploads had to keep their key's categories) never scores another category's files.
	q := tx.Select("version", "applies_to").Where("rubric_key = ?", key)
	if version != 0 {
		q = q.Where("version = ?", version)
	}
	var rows []model.RubricTemplate
	if err := q.Order("version DESC").Find(&rows).Error; err != nil {
		return "", 0, err
	}
	for _, r := range rows {
		if coversSlot(strings.Split(r.AppliesTo, ","), slot) {
			return key, r.Version, nil
		}
	}
	return "", 0, model.Conflict("rubric_not_found", "评查表 "+key+" 不存在或不适用于该类别，请先上传或在评查设置中另选")
}

// ReviewSettings answers a campaign's review settings (manager).
func (s *Reviews) ReviewSettings(ctx context.Context, by model.Actor, campaignID model.ID) (*model.ReviewSettingsResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	db := s.db.WithContext(ctx)
	var c model.Campaign
	if err := db.Take(&c, uint64(campaignID)).Error; err != nil {
		return nil, notFoundAs(err, errCampaignNotFound)
	}
	return settingsResponse(db, &c)
}

func settingsResponse(tx *gorm.DB, c *model.Campaign) (*model.ReviewSettingsResponse, error) {
	set, err := reviewSettings(tx, c.ID)
	if err != nil {
		return nil, err
	}
	out := &model.ReviewSettingsResponse{Rubrics: map[string]model.RubricChoice{}, HandInDays: set.HandInDays,
		HandInDue: handInDue(c, set), HandInDueSet: set.HandInDue, PerCase: set.PerCase,
		Triggers: model.ReviewTriggers{Divergence: review.Tenths(set.Divergence), DifferentGrades: set.ThirdOnGrades,
			Unqualified: set.ThirdOnUnqualified, Veto: true},
		GradeBands: model.GradeBands{Excellent: c.GradeExcellent, Good: c.GradeGood, Qualified: c.GradeQualified}}
	for _, slot := range model.RubricSlots {
		out.Rubrics[slot] = model.RubricChoice{Key: model.DefaultRubricKeys[slot]}
	}
	var chosen []model.CampaignRubric
	if err := tx.Where("campaign_id = ?", c.ID).Find(&chosen).Error; err != nil {
		return nil, err
	}
	for _, ch := range chosen {
		out.Rubrics[ch.Slot] = model.RubricChoice{Key: ch.RubricKey, Version: ch.RubricVersion}
	}
	return out, nil
}

// UpdateReviewSettings changes the named settings; a rubric choice must name a stored template
// (and version) that applies to the slot. Audited with before and after.
func (s *Reviews) UpdateReviewSettings(ctx context.Context, by model.Actor, campaignID model.ID, req model.ReviewSettingsRequest) (*model.ReviewSettingsResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	var out *model.ReviewSettingsResponse
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var c model.Campaign
		if err := lockCampaign(tx, uint64(campaignID), &c); err != nil {
			return err
		}
		before, err := settingsResponse(tx, &c)
		if err != nil {
			return err
		}
		set, err := reviewSettings(tx, c.ID)
		if err != nil {
			return err
		}
		bad := map[string]string{}
		if req.HandInDays != nil {
			if *req.HandInDays < 0 || *req.HandInDays > 62 {
				bad["hand_in_days"] = "上报期限应为评查阶段开始后 0–62 天"
			}
			set.HandInDays = *req.HandInDays
		}
		if req.HandInDue != nil {
			if d := *req.HandInDue; d != "" && !validDay(d) {
				bad["hand_in_due"] = "日期格式应为 YYYY-MM-DD"
			}
			set.HandInDue = *req.HandInDue
		}
		if req.PerCase != nil {
			if *req.PerCase < 2 || *req.PerCase > 3 {
				bad["per_case"] = "每份案卷应由 2 或 3 名评查人员评分"
			}
			set.PerCase = *req.PerCase
		}
		if t := req.Triggers; t != nil {
			if d := t.Divergence; d != nil {
				if *d < 0 || *d > review.FullMarks {
					bad["triggers.divergence"] = "分差应在 0–100 分之间"
				}
				set.Divergence = int64(*d)
			}
			if t.DifferentGrades != nil {
				set.ThirdOnGrades = *t.DifferentGrades
			}
			if t.Unqualified != nil {
				set.ThirdOnUnqualified = *t.Unqualified
			}
			// rubric.md: a veto makes the file 不合格 unless a third reviewer settles it (a veto
			// stands when two of three apply it); without the trigger one veto would vanish in a mean.
			if t.Veto != nil && !*t.Veto {
				bad["triggers.veto"] = "一票否决必须交由第三名评查人员复核，不能关闭"
			}
		}
		set.ThirdOnVeto = true
		var choices []model.CampaignRubric
		for slot, ch := range req.Rubrics {
			f := "rubrics." + slot
			if !slices.Contains(model.RubricSlots, slot) {
				bad[f] = "未知的类别，应为 criminal、civil、administrative、non_litigation 或 hearing"
				continue
			}
			var rows []model.RubricTemplate
			q := tx.Where("rubric_key = ?", ch.Key)
			if ch.Version != 0 {
				q = q.Where("version = ?", ch.Version)
			}
			if err := q.Order("version DESC").Limit(1).Find(&rows).Error; err != nil {
				return err
			}
			if len(rows) == 0 {
				bad[f] = "评查表 " + ch.Key + " 不存在或没有该版本"
				continue
			}
			if !coversSlot(strings.Split(rows[0].AppliesTo, ","), slot) {
				bad[f] = "评查表 " + ch.Key + " 不适用于该类别（适用：" + rows[0].AppliesTo + "）"
				continue
			}
			choices = append(choices, model.CampaignRubric{CampaignID: c.ID, Slot: slot, RubricKey: ch.Key, RubricVersion: ch.Version,
				UpdatedBy: &by.UserID, UpdatedAt: s.clock.Now()})
		}
		if len(bad) > 0 {
			return model.Invalid(bad)
		}
		set.UpdatedBy, set.UpdatedAt = &by.UserID, s.clock.Now()
		if err := tx.Save(&set).Error; err != nil {
			return err
		}
		for i := range choices {
			err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "campaign_id"}, {Name: "slot"}},
				DoUpdates: clause.AssignmentColumns([]string{"rubric_key", "rubric_version", "updated_by", "updated_at"})}).Create(&choices[i]).Error
			if err != nil {
				return err
			}
		}
		if out, err = settingsResponse(tx, &c); err != nil {
			return err
		}
		return s.audit.Record(tx, by, Entry{Action: "review.settings", ObjectType: "campaign", ObjectID: c.ID, Before: before, After: out})
	})
	return out, err
}

// RubricFor returns the template (at its resolved version) the campaign uses for a slot: a case
// category, or model.SlotHearing for hearing observations. For the features scoring on it.
func (s *Reviews) RubricFor(tx *gorm.DB, campaignID uint64, slot string) (*review.Rubric, error) {
	key, version, err := rubricFor(tx, campaignID, slot)
	if err != nil {
		return nil, err
	}
	return s.rubric(tx, key, version)
}

// Rubric returns one stored template version (cached; versions never change).
func (s *Reviews) Rubric(tx *gorm.DB, key string, version int) (*review.Rubric, error) {
	return s.rubric(tx, key, version)
}

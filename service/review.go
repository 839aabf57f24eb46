package service

// Case-file review (案卷评查): what a case's final result is made of, for the results,
// objections and consequences built on top of it.
//
// A campaign samples files from its review scope (review_files, one row per campaign × case,
// with the seed of the drawing in review_samples). Each file gets per_case (default 2) primary
// sheets (review_sheets with third = false) and, when their outcomes trigger it, one third sheet
// (third = true). A sheet is scored on one rubric version (rubric_key, rubric_version →
// rubric_templates), its entries are review_items (deduction in tenths, reason, not_applicable),
// its applied vetoes the JSON column vetoes, and its score, veto and grade are computed by
// internal/review when it is saved.
//
// The final result of a case = review.FinalScore over the SUBMITTED sheets, primary sheets in
// submission order, then the third:
//   - two primary sheets and no trigger: the mean, half up to 0.1;
//   - a trigger (campaign_review_settings: divergence, different grades, 不合格, veto): a third
//     reviewer; the final is the median of the three and a veto stands when two of three apply it;
//   - the grade from the campaign's grade bands (lower bounds), 不合格 when the veto stands.
// Reviews.FinalFor(tx, campaignID, caseID) computes it and returns every submitted sheet with its
// deductions and reasons (SheetView); the same figures are kept on review_files (final_score in
// tenths, final_grade, final_veto, final_at; needs_third and third_status) when the last sheet is
// submitted, so lists can read them without recomputing. Reviews.RubricFor(tx, campaignID, slot)
// gives the template a campaign uses for a category or for model.SlotHearing.

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"fayuan/internal/clock"
	"fayuan/internal/review"
	"fayuan/model"
)

// Reviews runs the case-file review: rubrics, sampling, files, assignment and scoresheets.
type Reviews struct {
	db        *gorm.DB
	clock     clock.Clock
	audit     *Audit
	campaigns *Campaigns
	rubrics   sync.Map // "key@version" → *review.Rubric; template versions never change
}

// NewReviews builds the review service.
func NewReviews(db *gorm.DB, c clock.Clock, audit *Audit, campaigns *Campaigns) *Reviews {
	return &Reviews{db: db, clock: c, audit: audit, campaigns: campaigns}
}

var (
	errSheetNotFound = model.NotFound("review_not_found", "评分表不存在")
	errFileNotFound  = model.NotFound("file_not_found", "该案卷不在本次评查的抽查范围内")
	errRubricMissing = model.NotFound("rubric_not_found", "评查表不存在")
)

// SheetDeduction is one item a sheet deducted points from or marked not applicable.
type SheetDeduction struct {
	Item          string        `json:"item"`
	Label         string        `json:"label"`
	Max           review.Tenths `json:"max"`
	Deduction     review.Tenths `json:"deduction"`
	Reason        string        `json:"reason"`
	NotApplicable bool          `json:"not_applicable"`
}

// SheetVetoView is a veto a sheet applied, with its label.
type SheetVetoView struct {
	Code   string `json:"code"`
	Label  string `json:"label"`
	Reason string `json:"reason"`
}

// SheetView is one submitted sheet as the results see it. ReviewerID is for managers; the
// handler must never be shown who scored.
type SheetView struct {
	SheetID     uint64           `json:"sheet_id"`
	ReviewerID  uint64           `json:"-"`
	Third       bool             `json:"third"`
	Rubric      model.RubricRef  `json:"rubric"`
	Score       review.Tenths    `json:"score"`
	Veto        bool             `json:"veto"`
	Grade       review.Grade     `json:"grade"`
	Deductions  []SheetDeduction `json:"deductions"`
	Vetoes      []SheetVetoView  `json:"vetoes"`
	Reasons     []string         `json:"reasons"`
	SubmittedAt time.Time        `json:"submitted_at"`
}

// FinalFor computes a case's final result in a campaign from its submitted sheets (see the top
// of this file). It returns nil Final while a primary sheet is still a draft (or there are none);
// a Final with NeedsThird while the third reviewer has not submitted. The views list every
// submitted sheet, primary sheets first in submission order.
func (s *Reviews) FinalFor(tx *gorm.DB, campaignID, caseID uint64) (*review.Final, []SheetView, error) {
	var camp model.Campaign
	if err := tx.Take(&camp, campaignID).Error; err != nil {
		return nil, nil, notFoundAs(err, errCampaignNotFound)
	}
	sheets, err := fileSheets(tx, campaignID, caseID)
	if err != nil {
		return nil, nil, err
	}
	set, err := reviewSettings(tx, campaignID)
	if err != nil {
		return nil, nil, err
	}
	var views []SheetView
	for i := range sheets {
		if sheets[i].Status != model.SheetSubmitted {
			continue
		}
		v, err := s.sheetView(tx, &sheets[i])
		if err != nil {
			return nil, nil, err
		}
		views = append(views, v)
	}
	f, err := decideFile(sheets, bandsOf(&camp), triggersOf(set))
	return f, views, err
}

// fileSheets loads a file's sheets, primary sheets first in submission order (drafts last), then
// the third.
func fileSheets(tx *gorm.DB, campaignID, caseID uint64) ([]model.ReviewSheet, error) {
	var sheets []model.ReviewSheet
	if err := tx.Where("campaign_id = ? AND case_id = ?", campaignID, caseID).Order("slot").Find(&sheets).Error; err != nil {
		return nil, err
	}
	sort.SliceStable(sheets, func(i, j int) bool {
		a, b := sheets[i], sheets[j]
		if a.Third != b.Third {
			return !a.Third
		}
		switch {
		case a.SubmittedAt == nil && b.SubmittedAt == nil:
			return a.Slot < b.Slot
		case a.SubmittedAt == nil || b.SubmittedAt == nil:
			return b.SubmittedAt == nil
		case !a.SubmittedAt.Equal(*b.SubmittedAt):
			return a.SubmittedAt.Before(*b.SubmittedAt)
		}
		return a.ID < b.ID
	})
	return sheets, nil
}

// decideFile applies review.FinalScore to a file's sheets (ordered by fileSheets): nil until
// every primary sheet is submitted; the two-sheet verdict (maybe NeedsThird) until the third is.
func decideFile(sheets []model.ReviewSheet, bands review.Bands, t review.Triggers) (*review.Final, error) {
	var primary []review.Outcome
	var third *model.ReviewSheet
	for i := range sheets {
		sh := &sheets[i]
		if sh.Third {
			third = sh
			continue
		}
		if sh.Status != model.SheetSubmitted {
			return nil, nil
		}
		primary = append(primary, review.Outcome{Score: review.Tenths(sh.Score), Veto: sh.Veto})
	}
	if len(primary) < 2 {
		return nil, nil
	}
	f, err := review.FinalScore(primary, bands, t)
	if err != nil || !f.NeedsThird || third == nil || third.Status != model.SheetSubmitted {
		return &f, err
	}
	three := append(primary, review.Outcome{Score: review.Tenths(third.Score), Veto: third.Veto})
	f3, err := review.FinalScore(three, bands, t)
	f3.Reasons = append(f.Reasons, f3.Reasons...)
	return &f3, err
}

// sheetView builds a submitted sheet's view from its rows and rubric.
func (s *Reviews) sheetView(tx *gorm.DB, sh *model.ReviewSheet) (SheetView, error) {
	rb, err := s.rubric(tx, sh.RubricKey, sh.RubricVersion)
	if err != nil {
		return SheetView{}, err
	}
	var items []model.ReviewItem
	if err := tx.Where("sheet_id = ?", sh.ID).Order("id").Find(&items).Error; err != nil {
		return SheetView{}, err
	}
	v := SheetView{SheetID: sh.ID, ReviewerID: sh.ReviewerID, Third: sh.Third,
		Rubric: model.RubricRef{Key: rb.ID, Version: rb.Version, Title: rb.Title},
		Score:  review.Tenths(sh.Score), Veto: sh.Veto, Grade: review.Grade(sh.Grade),
		Deductions: []SheetDeduction{}, Vetoes: []SheetVetoView{}}
	if sh.SubmittedAt != nil {
		v.SubmittedAt = *sh.SubmittedAt
	}
	res, err := review.Score(rb, sheetOf(items, vetoesOf(sh)), review.DefaultBands())
	if err == nil {
		v.Reasons = res.Reasons
	}
	for _, it := range items {
		if it.Deduction == 0 && !it.NotApplicable {
			continue
		}
		d := SheetDeduction{Item: it.Code, Deduction: review.Tenths(it.Deduction), Reason: it.Reason, NotApplicable: it.NotApplicable}
		if ri := rb.Item(it.Code); ri != nil {
			d.Label, d.Max = ri.Label, ri.Max
		}
		v.Deductions = append(v.Deductions, d)
	}
	for _, m := range vetoesOf(sh) {
		sv := SheetVetoView{Code: m.Code, Reason: m.Reason}
		if def := rb.VetoDef(m.Code); def != nil {
			sv.Label = def.Label
		}
		v.Vetoes = append(v.Vetoes, sv)
	}
	return v, nil
}

// sheetOf turns stored entries into the engine's sheet.
func sheetOf(items []model.ReviewItem, vetoes []review.VetoMark) review.Sheet {
	sh := review.Sheet{Vetoes: vetoes}
	for _, it := range items {
		sh.Entries = append(sh.Entries, review.Entry{Item: it.Code, Deduction: review.Tenths(it.Deduction), Reason: it.Reason, NA: it.NotApplicable})
	}
	return sh
}

func vetoesOf(sh *model.ReviewSheet) []review.VetoMark {
	var out []review.VetoMark
	if sh.VetoesJSON != "" {
		_ = json.Unmarshal([]byte(sh.VetoesJSON), &out)
	}
	return out
}

// bandsOf converts the campaign's grade bands (points) to tenths.
func bandsOf(c *model.Campaign) review.Bands {
	t := func(x float64) review.Tenths { return review.Tenths(math.Round(x * 10)) }
	return review.Bands{Excellent: t(c.GradeExcellent), Good: t(c.GradeGood), Qualified: t(c.GradeQualified)}
}

// triggersOf gives the campaign's triggers; the veto trigger is always on (settings refuse to
// switch it off; a row stored before that rule is read as on).
func triggersOf(s model.CampaignReviewSettings) review.Triggers {
	return review.Triggers{Divergence: review.Tenths(s.Divergence), DifferentGrades: s.ThirdOnGrades,
		Unqualified: s.ThirdOnUnqualified, Veto: true}
}

// reviewSettings reads a campaign's review settings, the defaults when it has none.
func reviewSettings(tx *gorm.DB, campaignID uint64) (model.CampaignReviewSettings, error) {
	var s model.CampaignReviewSettings
	err := tx.Take(&s, "campaign_id = ?", campaignID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return model.DefaultReviewSettings(campaignID), nil
	}
	return s, err
}

// rubric loads one template version, cached: versions are never changed once stored.
func (s *Reviews) rubric(tx *gorm.DB, key string, version int) (*review.Rubric, error) {
	ck := key + "@" + strconv.Itoa(version)
	if rb, ok := s.rubrics.Load(ck); ok {
		return rb.(*review.Rubric), nil
	}
	var row model.RubricTemplate
	if err := tx.Where("rubric_key = ? AND version = ?", key, version).Take(&row).Error; err != nil {
		return nil, notFoundAs(err, errRubricMissing)
	}
	rb, err := review.Load(strings.NewReader(row.Body))
	if err != nil {
		return nil, err
	}
	s.rubrics.Store(ck, rb)
	return rb, nil
}

// FinalForCtx is FinalFor outside a transaction.
func (s *Reviews) FinalForCtx(ctx context.Context, campaignID, caseID uint64) (*review.Final, []SheetView, error) {
	return s.FinalFor(s.db.WithContext(ctx), campaignID, caseID)
}

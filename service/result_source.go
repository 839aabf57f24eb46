package service

import (
	"context"
	"strconv"

	"gorm.io/gorm"

	"fayuan/internal/review"
	"fayuan/model"
)

// ResultSource is the file review as the results' source.
func (s *Reviews) ResultSource() ReviewSource { return reviewSource{s} }

type reviewSource struct{ r *Reviews }

// reviewedCases are the campaign's files that have sheets.
func reviewedCases(db *gorm.DB, campaignID uint64) ([]uint64, error) {
	var ids []uint64
	err := db.Model(&model.ReviewSheet{}).Where("campaign_id = ?", campaignID).Distinct("case_id").Order("case_id").Pluck("case_id", &ids).Error
	return ids, err
}

// CampaignFinals gives each file's final result with the deductions of its submitted sheets,
// numbered by sheet and never by reviewer; a file whose sheets are not all in has no grade.
func (x reviewSource) CampaignFinals(ctx context.Context, campaignID uint64) ([]CaseFinal, error) {
	db := x.r.db.WithContext(ctx)
	ids, err := reviewedCases(db, campaignID)
	if err != nil {
		return nil, err
	}
	var out []CaseFinal
	for _, id := range ids {
		f, views, err := x.r.FinalFor(db, campaignID, id)
		if err != nil {
			return nil, err
		}
		cf := CaseFinal{CaseID: id}
		if f != nil {
			cf.Final = *f
		} else {
			cf.Final.NeedsThird = true // the first two sheets are not both in yet
		}
		for i, v := range views {
			for _, d := range v.Deductions {
				if d.NotApplicable {
					continue
				}
				cf.Deductions = append(cf.Deductions, model.ResultDeduction{Sheet: i + 1, Item: d.Item, Label: d.Label, Points: d.Deduction, Reason: d.Reason})
			}
			for _, m := range v.Vetoes {
				cf.Deductions = append(cf.Deductions, model.ResultDeduction{Sheet: i + 1, Item: m.Code, Label: "一票否决：" + m.Label, Reason: m.Reason})
			}
		}
		out = append(out, cf)
	}
	return out, nil
}

// SubmittedRatings gives every file's submitted sheet scores in sheet order, by reviewer id.
func (x reviewSource) SubmittedRatings(ctx context.Context, campaignID uint64) ([]review.FileRatings, error) {
	db := x.r.db.WithContext(ctx)
	ids, err := reviewedCases(db, campaignID)
	if err != nil {
		return nil, err
	}
	var out []review.FileRatings
	for _, id := range ids {
		sheets, err := fileSheets(db, campaignID, id)
		if err != nil {
			return nil, err
		}
		fr := review.FileRatings{File: strconv.FormatUint(id, 10)}
		for _, sh := range sheets {
			if sh.Status == model.SheetSubmitted {
				fr.Ratings = append(fr.Ratings, review.Rating{Reviewer: strconv.FormatUint(sh.ReviewerID, 10), Score: review.Tenths(sh.Score)})
			}
		}
		out = append(out, fr)
	}
	return out, nil
}

// HearingRubric is the campaign's hearing template from the template store; the embedded
// default when the store holds none yet.
func (x reviewSource) HearingRubric(ctx context.Context, campaignID uint64) (*review.Rubric, error) {
	db := x.r.db.WithContext(ctx)
	key, version, err := rubricFor(db, campaignID, model.SlotHearing)
	if e, ok := model.AsError(err); ok && e.Code == "rubric_not_found" {
		return defaultHearingRubric()
	}
	if err != nil {
		return nil, err
	}
	return x.r.rubric(db, key, version)
}

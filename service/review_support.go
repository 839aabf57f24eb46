package service

import (
	"context"
	"errors"
	"math"

	"gorm.io/gorm"

	"fayuan/internal/review"
	"fayuan/model"
)

// CaseFinal is a reviewed file's final result as the file review gives it: the score, grade and
// veto of review.FinalScore and every deduction with its reason, never who made it.
type CaseFinal struct {
	CaseID     uint64
	Final      review.Final
	Deductions []model.ResultDeduction
}

// ReviewSource is what results need from the case-file review: each reviewed file's final
// result, and every submitted sheet's score by reviewer for the agreement figures.
type ReviewSource interface {
	CampaignFinals(ctx context.Context, campaignID uint64) ([]CaseFinal, error)
	SubmittedRatings(ctx context.Context, campaignID uint64) ([]review.FileRatings, error)
	HearingRubric(ctx context.Context, campaignID uint64) (*review.Rubric, error)
}

// defaultHearingRubric is the embedded hearing template, for when no review store is wired.
func defaultHearingRubric() (*review.Rubric, error) { return review.Default(review.AppliesHearing) }

// campaignBands converts a campaign's grade bands to tenths.
func campaignBands(c *model.Campaign) review.Bands {
	t := func(v float64) review.Tenths { return review.Tenths(math.Round(v * 10)) }
	b := review.Bands{Excellent: t(c.GradeExcellent), Good: t(c.GradeGood), Qualified: t(c.GradeQualified)}
	if b.Validate() != nil {
		return review.DefaultBands()
	}
	return b
}

// reviewInvalid turns the engine's validation error into the contract's 422, fields prefixed.
func reviewInvalid(err error, prefix string) error {
	var inv *review.InvalidError
	if !errors.As(err, &inv) {
		return err
	}
	bad := map[string]string{}
	for _, p := range inv.Problems {
		bad[prefix+p.Field] = p.Message
	}
	return model.Invalid(bad)
}

// campaignByID loads a campaign for the results features, whose readers (handlers among
// them) hold no assignment in it.
func campaignByID(tx *gorm.DB, id uint64) (*model.Campaign, error) {
	var c model.Campaign
	if err := tx.Take(&c, id).Error; err != nil {
		return nil, notFoundAs(err, errCampaignNotFound)
	}
	return &c, nil
}

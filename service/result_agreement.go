package service

import (
	"context"
	"strconv"

	"fayuan/internal/review"
	"fayuan/model"
)

// Agreement measures how far the campaign's reviewers agree over every submitted sheet: the
// mean absolute difference, ICC(2,1) and each reviewer's distance from the others, so the bureau
// can calibrate. Managers only.
func (s *Results) Agreement(ctx context.Context, by model.Actor, campaignID model.ID) (*model.AgreementResponse, error) {
	db, camp, err := s.reviewedCampaign(ctx, by, campaignID)
	if err != nil {
		return nil, err
	}
	files, err := s.source.SubmittedRatings(ctx, camp.ID)
	if err != nil {
		return nil, err
	}
	a, err := review.Measure(files)
	if err != nil {
		return nil, err
	}
	out := &model.AgreementResponse{Files: a.Files, Pairs: a.Pairs, MeanAbsDiff: a.MeanAbsDiff, ICC: a.ICC, Reviewers: []model.ReviewerAgreement{}}
	for _, r := range a.Reviewers {
		id, _ := strconv.ParseUint(r.Reviewer, 10, 64)
		var u model.User
		if err := db.Select("id", "display_name").Take(&u, id).Error; err != nil {
			return nil, err
		}
		out.Reviewers = append(out.Reviewers, model.ReviewerAgreement{ReviewerID: model.ID(id), Name: u.DisplayName, Files: r.Files,
			MeanSignedDiff: r.MeanSignedDiff})
	}
	return out, nil
}

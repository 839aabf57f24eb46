package service

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"fayuan/internal/clock"
	"fayuan/internal/review"
	"fayuan/model"
)

// Results publishes the file review's results, takes objections and decisions, and turns
// confirmed results into consequences (结果运用). No money decision is automatic: a consequence
// applies only once a manager confirms the result.
type Results struct {
	db       *gorm.DB
	clock    clock.Clock
	audit    *Audit
	source   ReviewSource // nil until the file review is wired
	notify   *Reminders
	hearings *Hearings
}

// NewResults builds the service; source may be nil (publishing then answers 409).
func NewResults(db *gorm.DB, c clock.Clock, audit *Audit, source ReviewSource, notify *Reminders, hearings *Hearings) *Results {
	return &Results{db: db, clock: c, audit: audit, source: source, notify: notify, hearings: hearings}
}

var (
	errResultNotFound = model.NotFound("result_not_found", "评查结果不存在")
	errReviewMissing  = model.Conflict("review_not_ready", "案卷评查尚未接入，无法公布结果")
)

// resultDetails are what a result keeps of its file review: the deductions and the reasons.
type resultDetails struct {
	Deductions []model.ResultDeduction `json:"deductions"`
	Reasons    []string                `json:"reasons"`
	Sheets     int                     `json:"sheets"`
}

// Publish turns every reviewed file with a final score into a provisional result, applies the
// campaign's weighting of hearings and opinions, opens the objection window and notifies the
// handlers. Files already published are left as they are. Audited.
func (s *Results) Publish(ctx context.Context, by model.Actor, campaignID model.ID) (*model.PublishResponse, error) {
	db, camp, err := s.reviewedCampaign(ctx, by, campaignID)
	if err != nil {
		return nil, err
	}
	finals, err := s.source.CampaignFinals(ctx, camp.ID)
	if err != nil {
		return nil, err
	}
	out := &model.PublishResponse{Waiting: []string{}}
	handlers := map[uint64]int{} // handler user → results published now
	var deadline string
	err = db.Transaction(func(tx *gorm.DB) error {
		// One publication at a time per campaign: a concurrent one waits, then finds the files published.
		if err := lockCampaign(tx, camp.ID, &model.Campaign{}); err != nil {
			return err
		}
		st, _, err := resultSettings(tx, camp.ID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		ends := objectionEnds(now, st.ObjectionDays)
		deadline = ends.In(model.Shanghai).Format("2006-01-02")
		bands := campaignBands(camp)
		for _, f := range finals {
			var k model.Case
			if err := tx.Take(&k, f.CaseID).Error; err != nil {
				return err
			}
			if f.Final.NeedsThird || f.Final.Grade == "" {
				out.Waiting = append(out.Waiting, k.CaseNo)
				continue
			}
			done, err := exists(tx.Model(&model.CaseResult{}).Where("campaign_id = ? AND case_id = ?", camp.ID, k.ID))
			if err != nil {
				return err
			}
			if done {
				continue
			}
			r := model.CaseResult{CampaignID: camp.ID, CaseID: k.ID, HandlerID: k.HandlerID, FileScore: int64(f.Final.Score),
				Veto: f.Final.Veto, Status: model.ResultProvisional, PublishedAt: now, WindowEndsAt: ends, CreatedAt: now, UpdatedAt: now, Version: 1}
			d := resultDetails{Deductions: f.Deductions, Reasons: append([]string(nil), f.Final.Reasons...), Sheets: f.Final.Sheets}
			score, why, err := weigh(tx, camp.ID, k.HandlerID, f.Final.Score, st)
			if err != nil {
				return err
			}
			r.Score, d.Reasons = int64(score), append(d.Reasons, why...)
			r.Grade = string(bands.Grade(score))
			if r.Veto {
				r.Grade = string(review.Unqualified)
			}
			b, _ := json.Marshal(d)
			r.DetailsJSON = string(b)
			if err := tx.Create(&r).Error; err != nil {
				return err
			}
			if err := s.audit.Record(tx, by, Entry{Action: "result.publish", ObjectType: "case_result", ObjectID: r.ID, After: r}); err != nil {
				return err
			}
			out.Published++
			if uid, err := handlerUser(tx, k.HandlerID); err != nil {
				return err
			} else if uid != 0 {
				handlers[uid]++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if s.notify != nil {
		out.Notified = s.notify.NotifyResults(ctx, camp, handlers, deadline)
	}
	return out, nil
}

// reviewedCampaign opens a manager's work on the campaign's file review: 403 for anyone else,
// 404 for no such campaign, 409 while the file review is not wired.
func (s *Results) reviewedCampaign(ctx context.Context, by model.Actor, campaignID model.ID) (*gorm.DB, *model.Campaign, error) {
	if !by.Is(model.RoleManager) {
		return nil, nil, model.ErrRoleForbidden
	}
	db := s.db.WithContext(ctx)
	camp, err := campaignByID(db, uint64(campaignID))
	if err != nil {
		return nil, nil, err
	}
	if s.source == nil {
		return nil, nil, errReviewMissing
	}
	return db, camp, nil
}

// objectionEnds is the last instant of the window: calendar days in Asia/Shanghai last until
// 23:59:59, so the window runs to the end of the days-th day after publishing, whatever the hour
// of publishing. The millisecond before midnight survives the databases' datetime(3) unrounded.
func objectionEnds(published time.Time, days int) time.Time {
	d := published.In(model.Shanghai)
	return time.Date(d.Year(), d.Month(), d.Day()+days+1, 0, 0, 0, 0, model.Shanghai).Add(-time.Millisecond)
}

// handlerUser is the account of a case's handler, 0 when none is linked.
func handlerUser(tx *gorm.DB, handlerID *uint64) (uint64, error) {
	if handlerID == nil {
		return 0, nil
	}
	var h model.Handler
	if err := tx.Where("id = ?", *handlerID).Limit(1).Find(&h).Error; err != nil || h.UserID == nil {
		return 0, err
	}
	return *h.UserID, nil
}

// weigh applies the campaign's weighting of the handler's hearings and organs' opinions to a
// file score; with the default settings (no weight) the file score stands.
func weigh(tx *gorm.DB, campaignID uint64, handlerID *uint64, file review.Tenths, st model.ResultSettings) (review.Tenths, []string, error) {
	score := file
	var why []string
	if handlerID == nil {
		return score, why, nil
	}
	if w := int64(st.HearingWeightPercent); w > 0 {
		var combined []int64
		if err := tx.Model(&model.Hearing{}).Where("campaign_id = ? AND handler_id = ? AND combined_score IS NOT NULL", campaignID, *handlerID).
			Order("id").Pluck("combined_score", &combined).Error; err != nil {
			return 0, nil, err
		}
		if len(combined) > 0 {
			ts := make([]review.Tenths, len(combined))
			for i, v := range combined {
				ts[i] = review.Tenths(v)
			}
			mean, _ := review.CombinedScore(ts)
			score = review.Tenths(halfUp(int64(file)*(100-w)+int64(mean)*w, 100))
			why = append(why, fmt.Sprintf("计入庭审旁听：案卷得分 %s × %d%% + 庭审旁听平均分 %s × %d%% = %s（四舍五入到 0.1 分）",
				file, 100-w, mean, w, score))
		}
	}
	if per := review.Tenths(st.OpinionPoorTenths); per > 0 {
		var poor int64
		if err := tx.Model(&model.OrganOpinion{}).Where("campaign_id = ? AND handler_id = ? AND rating = ?", campaignID, *handlerID, model.OpinionPoor).
			Count(&poor).Error; err != nil {
			return 0, nil, err
		}
		if poor > 0 {
			cut := per * review.Tenths(poor)
			next := max(score-cut, 0)
			why = append(why, fmt.Sprintf("司法机关评价为“差”%d 条，每条扣 %s 分：%s − %s = %s", poor, per, score, cut, next))
			score = next
		}
	}
	return score, why, nil
}

// halfUp divides non-negative a by b > 0, rounding half up.
func halfUp(a, b int64) int64 { return (2*a + b) / (2 * b) }

// weightingWords says how hearings and opinions count in this campaign.
func weightingWords(st model.ResultSettings) string {
	var parts []string
	if st.HearingWeightPercent > 0 {
		parts = append(parts, fmt.Sprintf("庭审旁听平均分占 %d%%", st.HearingWeightPercent))
	}
	if st.OpinionPoorTenths > 0 {
		parts = append(parts, fmt.Sprintf("司法机关“差”评每条扣 %s 分", review.Tenths(st.OpinionPoorTenths)))
	}
	if len(parts) == 0 {
		return "庭审旁听和司法机关意见仅作参考，不计入得分"
	}
	return strings.Join(parts, "；")
}

// ownHandlers are the handler ids whose account is by: a handler sees only these results.
func ownHandlers(tx *gorm.DB, by model.Actor) ([]uint64, error) {
	var ids []uint64
	err := tx.Model(&model.Handler{}).Where("user_id = ? AND org_id = ?", by.UserID, by.OrgID).Order("id").Pluck("id", &ids).Error
	return ids, err
}

// List reads the campaign's results: managers all (or one handler's with handler), a handler
// their own, with the hearings and organs' opinions about them beside the files.
func (s *Results) List(ctx context.Context, by model.Actor, campaignID model.ID, handler uint64, p model.Page) (*model.ResultsPage, error) {
	manager := by.Is(model.RoleManager)
	if !manager && !by.Is(model.RoleHandler) {
		return nil, model.ErrRoleForbidden
	}
	db := s.db.WithContext(ctx)
	camp, err := campaignByID(db, uint64(campaignID))
	if err != nil {
		return nil, err
	}
	st, policy, err := resultSettings(db, camp.ID)
	if err != nil {
		return nil, err
	}
	var mine []uint64
	switch {
	case manager && handler != 0:
		mine = []uint64{handler}
	case !manager:
		if mine, err = ownHandlers(db, by); err != nil {
			return nil, err
		}
		if handler != 0 && !slices.Contains(mine, handler) {
			mine = nil
		}
	}
	q := db.Model(&model.CaseResult{}).Where("campaign_id = ?", camp.ID)
	if !manager || handler != 0 {
		if len(mine) == 0 {
			mine = []uint64{0}
		}
		q = q.Where("handler_id IN ?", mine)
	}
	out := &model.ResultsPage{List: model.List[model.ResultResponse]{Items: []model.ResultResponse{}, Page: p.Page, PageSize: p.PageSize},
		Weighting: weightingWords(st)}
	if err := q.Count(&out.Total).Error; err != nil {
		return nil, err
	}
	var rows []model.CaseResult
	if err := q.Order("case_id").Offset(p.Offset()).Limit(p.PageSize).Find(&rows).Error; err != nil {
		return nil, err
	}
	for i := range rows {
		r, err := s.response(db, &rows[i], policy)
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, *r)
	}
	if !manager || handler != 0 {
		if err := s.beside(db, camp.ID, mine, !manager, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// beside adds the hearings and organs' opinions about the handlers; a handler reads the
// hearings without the observers' names.
func (s *Results) beside(db *gorm.DB, campaignID uint64, handlers []uint64, forHandler bool, out *model.ResultsPage) error {
	out.Hearings, out.Opinions = []model.HearingResponse{}, []model.OpinionResponse{}
	var hs []model.Hearing
	if err := db.Where("campaign_id = ? AND handler_id IN ?", campaignID, handlers).Order("heard_at, id").Find(&hs).Error; err != nil {
		return err
	}
	for i := range hs {
		r, err := hearingResponse(db, &hs[i], forHandler)
		if err != nil {
			return err
		}
		out.Hearings = append(out.Hearings, *r)
	}
	var ops []model.OrganOpinion
	if err := db.Where("campaign_id = ? AND handler_id IN ?", campaignID, handlers).Order("opinion_on, id").Find(&ops).Error; err != nil {
		return err
	}
	for i := range ops {
		r, err := opinionResponse(db, &ops[i])
		if err != nil {
			return err
		}
		out.Opinions = append(out.Opinions, *r)
	}
	return nil
}

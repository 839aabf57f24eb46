package service

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fayuan/internal/clock"
	"fayuan/internal/review"
	"fayuan/model"
)

// Hearings records hearing observations (庭审旁听) and judicial organs' opinions (征询司法机关意见),
// both shown beside the handler's file results.
type Hearings struct {
	db     *gorm.DB
	clock  clock.Clock
	audit  *Audit
	source ReviewSource // nil until the file review is wired: the embedded hearing template then
}

// NewHearings builds the service; source may be nil.
func NewHearings(db *gorm.DB, c clock.Clock, audit *Audit, source ReviewSource) *Hearings {
	return &Hearings{db: db, clock: c, audit: audit, source: source}
}

var (
	errHearingNotFound  = model.NotFound("hearing_not_found", "庭审旁听记录不存在")
	errObserverNotFound = model.NotFound("observer_not_found", "旁听人员不存在")
)

// hearingRubric is the campaign's hearing template.
func (s *Hearings) hearingRubric(ctx context.Context, campaignID uint64) (*review.Rubric, error) {
	if s.source != nil {
		return s.source.HearingRubric(ctx, campaignID)
	}
	return defaultHearingRubric()
}

// Create records a hearing observation with its observers and whatever sheets they have.
func (s *Hearings) Create(ctx context.Context, by model.Actor, campaignID model.ID, req model.HearingRequest) (*model.HearingResponse, error) {
	if !by.Is(model.RoleManager, model.RoleStaff) {
		return nil, model.ErrRoleForbidden
	}
	rb, err := s.hearingRubric(ctx, uint64(campaignID))
	if err != nil {
		return nil, err
	}
	var out *model.HearingResponse
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		camp, err := visibleCampaign(tx, by, uint64(campaignID))
		if err != nil {
			return err
		}
		now := s.clock.Now()
		h, err := s.hearingFromRequest(tx, camp, req, now)
		if err != nil {
			return err
		}
		h.RubricID, h.RubricVersion, h.CreatedBy, h.CreatedAt, h.UpdatedAt = rb.ID, rb.Version, by.UserID, now, now
		if !by.Is(model.RoleManager) {
			if rec, err := hearingRecused(tx, by.UserID, by.OrgID, h); err != nil || rec {
				return cmp.Or(err, error(errHearingRecused))
			}
		}
		bad := map[string]string{}
		if len(req.Observers) == 0 {
			bad["observers"] = "至少需要一名旁听人员"
		}
		var observers []model.HearingObserver
		for i, in := range req.Observers {
			o, err := s.observerFromInput(tx, rb, campaignBands(camp), h, in, fmt.Sprintf("observers[%d].", i), by, now, bad)
			if err != nil {
				return err
			}
			observers = append(observers, o)
		}
		if len(bad) > 0 {
			return model.Invalid(bad)
		}
		if err := tx.Create(h).Error; err != nil {
			return err
		}
		for i := range observers {
			observers[i].HearingID = h.ID
		}
		if err := tx.Create(&observers).Error; err != nil {
			return err
		}
		if err := s.combine(tx, h); err != nil {
			return err
		}
		if err := s.audit.Record(tx, by, Entry{Action: "hearing.create", ObjectType: "hearing", ObjectID: h.ID, After: h}); err != nil {
			return err
		}
		out, err = hearingResponse(tx, h, false)
		return err
	})
	return out, err
}

// hearingFromRequest checks the header of an observation.
func (s *Hearings) hearingFromRequest(tx *gorm.DB, camp *model.Campaign, req model.HearingRequest, now time.Time) (*model.Hearing, error) {
	bad := map[string]string{}
	h := &model.Hearing{CampaignID: camp.ID, Court: strings.TrimSpace(req.Court), Judges: strings.TrimSpace(req.Judges),
		Cause: strings.TrimSpace(req.Cause), Unannounced: req.Unannounced, Notes: strings.TrimSpace(req.Notes),
		CaseNos: strings.TrimSpace(req.CaseNos)}
	for _, x := range []struct {
		field, v string
		lo, hi   int
	}{{"court", h.Court, 1, 100}, {"judges", h.Judges, 0, 200}, {"cause", h.Cause, 0, 200}, {"notes", h.Notes, 0, 1000}, {"case_nos", h.CaseNos, 0, 200}} {
		if n := utf8.RuneCountInString(x.v); n < x.lo || n > x.hi {
			bad[x.field] = fmt.Sprintf("应为 %d–%d 个字", x.lo, x.hi)
		}
	}
	switch {
	case req.HeardAt == nil:
		bad["heard_at"] = "请填写开庭时间"
	case req.HeardAt.After(now.Add(time.Hour)):
		bad["heard_at"] = "开庭时间不能晚于现在：旁听记录在庭审之后填写"
	case req.HeardAt.Before(now.AddDate(-2, 0, 0)):
		bad["heard_at"] = "开庭时间过早"
	default:
		h.HeardAt = req.HeardAt.Time
	}
	var kase *model.Case
	switch {
	case req.CaseID != nil:
		var c model.Case
		if err := tx.Take(&c, uint64(*req.CaseID)).Error; err != nil {
			if !errors.Is(err, gorm.ErrRecordNotFound) {
				return nil, err
			}
			bad["case_id"] = "案件不存在；系统外的案件请填写案号 case_nos"
		} else {
			kase = &c
			id := c.ID
			h.CaseID = &id
			if h.CaseNos == "" {
				h.CaseNos = c.CaseNo
			}
			if h.Cause == "" {
				h.Cause = c.Cause
			}
		}
	case h.CaseNos == "":
		bad["case_id"] = "请选择案件，或填写系统外案件的案号 case_nos"
	}
	handlerID := req.HandlerID
	if handlerID == nil && kase != nil && kase.HandlerID != nil {
		id := model.ID(*kase.HandlerID)
		handlerID = &id
	}
	if handlerID == nil {
		bad["handler_id"] = "请选择承办人"
	} else {
		var hd model.Handler
		if err := tx.Take(&hd, uint64(*handlerID)).Error; err != nil {
			if !errors.Is(err, gorm.ErrRecordNotFound) {
				return nil, err
			}
			bad["handler_id"] = "承办人不存在"
		} else {
			h.HandlerID, h.HandlerOrgID = hd.ID, hd.OrgID
		}
	}
	if len(bad) > 0 {
		return nil, model.Invalid(bad)
	}
	return h, nil
}

// observerFromInput checks one observer and scores their sheet, if given; problems go to bad.
func (s *Hearings) observerFromInput(tx *gorm.DB, rb *review.Rubric, bands review.Bands, h *model.Hearing, in model.ObserverInput, f string,
	by model.Actor, now time.Time, bad map[string]string) (model.HearingObserver, error) {
	o := model.HearingObserver{Kind: in.Kind, Name: strings.TrimSpace(in.Name), CreatedAt: now}
	if !slices.Contains([]string{model.ObserverStaff, model.ObserverLawyer, model.ObserverDeputy}, in.Kind) {
		bad[f+"kind"] = "旁听人员类别应为 staff、lawyer 或 deputy"
	}
	switch {
	case in.UserID != nil:
		var u model.User
		if err := tx.Take(&u, uint64(*in.UserID)).Error; err != nil {
			if !errors.Is(err, gorm.ErrRecordNotFound) {
				return o, err
			}
			bad[f+"user_id"] = "账号不存在"
		} else if u.Disabled {
			bad[f+"user_id"] = "账号已停用"
		} else {
			if rec, err := hearingRecused(tx, u.ID, u.OrgID, h); err != nil || rec {
				return o, cmp.Or(err, error(errObserverRecused))
			}
			id := u.ID
			o.UserID, o.Name = &id, u.DisplayName
			if in.Kind == model.ObserverStaff && !u.Roles().Has(model.RoleStaff, model.RoleManager) {
				bad[f+"user_id"] = "工作人员旁听须为回访人员或管理人员账号"
			}
		}
	case in.Kind == model.ObserverStaff:
		bad[f+"user_id"] = "工作人员旁听须选择账号"
	case o.Name == "" || utf8.RuneCountInString(o.Name) > 64:
		bad[f+"name"] = "请填写旁听人员姓名（1–64 个字）或选择账号"
	}
	if in.Sheet != nil {
		if err := scoreObserver(&o, rb, bands, *in.Sheet, by, now); err != nil {
			var me *model.Error
			if errors.As(err, &me) {
				fields, _ := me.Details["fields"].(map[string]string)
				for k, v := range fields {
					bad[f+"sheet."+k] = v
				}
				return o, nil
			}
			return o, err
		}
	}
	return o, nil
}

// scoreObserver scores a sheet on the hearing template and keeps the version it was scored on.
func scoreObserver(o *model.HearingObserver, rb *review.Rubric, bands review.Bands, sheet review.Sheet, by model.Actor, now time.Time) error {
	res, err := review.Score(rb, sheet, bands)
	if err != nil {
		return reviewInvalid(err, "")
	}
	b, _ := json.Marshal(res)
	score := int64(res.Score)
	uid := by.UserID
	o.SheetJSON, o.Score, o.Grade, o.Veto, o.RubricID, o.RubricVersion, o.ScoredBy, o.ScoredAt =
		string(b), &score, string(res.Grade), res.Veto, rb.ID, rb.Version, &uid, &now
	return nil
}

// combine recomputes a hearing's combined score from its scored sheets.
func (s *Hearings) combine(tx *gorm.DB, h *model.Hearing) error {
	var scores []int64
	if err := tx.Model(&model.HearingObserver{}).Where("hearing_id = ? AND score IS NOT NULL", h.ID).
		Order("id").Pluck("score", &scores).Error; err != nil {
		return err
	}
	h.CombinedScore = nil
	if len(scores) > 0 {
		ts := make([]review.Tenths, len(scores))
		for i, v := range scores {
			ts[i] = review.Tenths(v)
		}
		c, err := review.CombinedScore(ts)
		if err != nil {
			return err
		}
		v := int64(c)
		h.CombinedScore = &v
	}
	h.UpdatedAt = s.clock.Now()
	return tx.Model(&model.Hearing{}).Where("id = ?", h.ID).
		Updates(map[string]any{"combined_score": h.CombinedScore, "updated_at": h.UpdatedAt}).Error
}

// AddObserver adds an observer (with or without a sheet) to a hearing.
func (s *Hearings) AddObserver(ctx context.Context, by model.Actor, campaignID, hearingID model.ID, in model.ObserverInput) (*model.HearingResponse, error) {
	return s.change(ctx, by, campaignID, hearingID, "hearing.observer_add", func(tx *gorm.DB, h *model.Hearing, rb *review.Rubric, bands review.Bands, now time.Time) (any, any, error) {
		bad := map[string]string{}
		o, err := s.observerFromInput(tx, rb, bands, h, in, "", by, now, bad)
		if err != nil {
			return nil, nil, err
		}
		if len(bad) > 0 {
			return nil, nil, model.Invalid(bad)
		}
		o.HearingID = h.ID
		return nil, &o, tx.Create(&o).Error
	})
}

// PutSheet adds or replaces an observer's sheet; the combined score follows.
func (s *Hearings) PutSheet(ctx context.Context, by model.Actor, campaignID, hearingID, observerID model.ID, sheet review.Sheet) (*model.HearingResponse, error) {
	return s.change(ctx, by, campaignID, hearingID, "hearing.sheet", func(tx *gorm.DB, h *model.Hearing, rb *review.Rubric, bands review.Bands, now time.Time) (any, any, error) {
		var o model.HearingObserver
		if err := tx.Where("id = ? AND hearing_id = ?", uint64(observerID), h.ID).Take(&o).Error; err != nil {
			return nil, nil, notFoundAs(err, errObserverNotFound)
		}
		if !mayScore(by, h, &o) {
			return nil, nil, errSheetNotYours
		}
		before := o
		if err := scoreObserver(&o, rb, bands, sheet, by, now); err != nil {
			return nil, nil, err
		}
		return before, o, tx.Save(&o).Error
	})
}

// change runs fn on a locked hearing of the campaign, recombines and audits before and after.
func (s *Hearings) change(ctx context.Context, by model.Actor, campaignID, hearingID model.ID, action string,
	fn func(*gorm.DB, *model.Hearing, *review.Rubric, review.Bands, time.Time) (any, any, error)) (*model.HearingResponse, error) {
	if !by.Is(model.RoleManager, model.RoleStaff) {
		return nil, model.ErrRoleForbidden
	}
	var out *model.HearingResponse
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		camp, err := visibleCampaign(tx, by, uint64(campaignID))
		if err != nil {
			return err
		}
		var h model.Hearing
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ? AND campaign_id = ?", uint64(hearingID), camp.ID).
			Take(&h).Error; err != nil {
			return notFoundAs(err, errHearingNotFound)
		}
		see, named, err := hearingAccess(tx, by, &h)
		if err != nil || !see {
			return cmp.Or(err, error(errHearingNotFound))
		}
		rb, err := s.hearingRubric(ctx, camp.ID)
		if err != nil {
			return err
		}
		before, after, err := fn(tx, &h, rb, campaignBands(camp), s.clock.Now())
		if err != nil {
			return err
		}
		if err := s.combine(tx, &h); err != nil {
			return err
		}
		if err := s.audit.Record(tx, by, Entry{Action: action, ObjectType: "hearing", ObjectID: h.ID, Before: before, After: after}); err != nil {
			return err
		}
		out, err = hearingResponse(tx, &h, !named)
		return err
	})
	return out, err
}

// Get reads one hearing of the campaign.
func (s *Hearings) Get(ctx context.Context, by model.Actor, campaignID, hearingID model.ID) (*model.HearingResponse, error) {
	if !by.Is(model.RoleManager, model.RoleStaff) {
		return nil, model.ErrRoleForbidden
	}
	db := s.db.WithContext(ctx)
	if _, err := visibleCampaign(db, by, uint64(campaignID)); err != nil {
		return nil, err
	}
	var h model.Hearing
	if err := db.Where("id = ? AND campaign_id = ?", uint64(hearingID), uint64(campaignID)).Take(&h).Error; err != nil {
		return nil, notFoundAs(err, errHearingNotFound)
	}
	see, named, err := hearingAccess(db, by, &h)
	if err != nil || !see {
		return nil, cmp.Or(err, error(errHearingNotFound))
	}
	return hearingResponse(db, &h, !named)
}

// List lists the campaign's hearings, latest first; handler filters by handler id.
func (s *Hearings) List(ctx context.Context, by model.Actor, campaignID model.ID, handler uint64, p model.Page) (*model.List[model.HearingResponse], error) {
	if !by.Is(model.RoleManager, model.RoleStaff) {
		return nil, model.ErrRoleForbidden
	}
	db := s.db.WithContext(ctx)
	if _, err := visibleCampaign(db, by, uint64(campaignID)); err != nil {
		return nil, err
	}
	q := visibleHearings(db, db.Model(&model.Hearing{}).Where("campaign_id = ?", uint64(campaignID)), by)
	if handler != 0 {
		q = q.Where("handler_id = ?", handler)
	}
	out := &model.List[model.HearingResponse]{Items: []model.HearingResponse{}, Page: p.Page, PageSize: p.PageSize}
	if err := q.Count(&out.Total).Error; err != nil {
		return nil, err
	}
	var rows []model.Hearing
	if err := q.Order("heard_at DESC, id DESC").Offset(p.Offset()).Limit(p.PageSize).Find(&rows).Error; err != nil {
		return nil, err
	}
	for i := range rows {
		_, named, err := hearingAccess(db, by, &rows[i])
		if err != nil {
			return nil, err
		}
		r, err := hearingResponse(db, &rows[i], !named)
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, *r)
	}
	return out, nil
}

// hearingResponse builds the wire shape; forHandler leaves out who observed.
func hearingResponse(db *gorm.DB, h *model.Hearing, forHandler bool) (*model.HearingResponse, error) {
	hd, err := handlerSummary(db, h.HandlerID)
	if err != nil {
		return nil, err
	}
	r := &model.HearingResponse{ID: model.ID(h.ID), CampaignID: model.ID(h.CampaignID), CaseNos: h.CaseNos, Court: h.Court,
		Judges: h.Judges, HeardAt: model.NewTime(h.HeardAt), Cause: h.Cause, Handler: hd, Unannounced: h.Unannounced,
		Mode: "预先通知", RubricID: h.RubricID, RubricVersion: h.RubricVersion, Notes: h.Notes, CreatedAt: model.NewTime(h.CreatedAt),
		Observers: []model.ObserverResponse{}}
	if h.Unannounced {
		r.Mode = "四不两直"
	}
	if h.CaseID != nil {
		id := model.ID(*h.CaseID)
		r.CaseID = &id
		var k model.Case
		if err := db.Select("id", "closed_on").Take(&k, *h.CaseID).Error; err != nil {
			return nil, err
		}
		open := k.ClosedOn == nil
		r.CaseOpen = &open
	}
	if h.CombinedScore != nil {
		c := review.Tenths(*h.CombinedScore)
		r.CombinedScore = &c
		var camp model.Campaign
		if err := db.Take(&camp, h.CampaignID).Error; err != nil {
			return nil, err
		}
		r.CombinedGrade = string(campaignBands(&camp).Grade(c))
	}
	var obs []model.HearingObserver
	if err := db.Where("hearing_id = ?", h.ID).Order("id").Find(&obs).Error; err != nil {
		return nil, err
	}
	for _, o := range obs {
		or := model.ObserverResponse{ID: model.ID(o.ID), Kind: o.Kind, Grade: o.Grade}
		if !forHandler {
			or.Name = o.Name
			if o.UserID != nil {
				id := model.ID(*o.UserID)
				or.UserID = &id
			}
		}
		if o.Score != nil {
			sc := review.Tenths(*o.Score)
			or.Score = &sc
			var res review.Result
			if json.Unmarshal([]byte(o.SheetJSON), &res) == nil {
				or.Sheet = &res
			}
		}
		r.Observers = append(r.Observers, or)
	}
	return r, nil
}

// handlerSummary names a handler and their organisation.
func handlerSummary(db *gorm.DB, id uint64) (model.HearingHandler, error) {
	var hd model.Handler
	if err := db.Take(&hd, id).Error; err != nil {
		return model.HearingHandler{}, err
	}
	var org model.Org
	if err := db.Take(&org, hd.OrgID).Error; err != nil {
		return model.HearingHandler{}, err
	}
	return model.HearingHandler{ID: model.ID(hd.ID), Name: hd.Name, OrgID: model.ID(hd.OrgID), OrgName: org.Name}, nil
}

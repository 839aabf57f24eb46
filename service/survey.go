package service

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fayuan/internal/clock"
	"fayuan/internal/pii"
	"fayuan/internal/signedurl"
	"fayuan/internal/wechat"
	"fayuan/model"
)

// SurveyWechat is what the survey needs of WeChat (wechat.Client does it).
type SurveyWechat interface {
	Code2Session(ctx context.Context, code string) (wechat.Session, error)
	PhoneNumber(ctx context.Context, code string) (string, error)
	WXACodeUnlimit(ctx context.Context, scene, page string) ([]byte, string, error)
}

// SurveyConfig are the survey's settings.
type SurveyConfig struct {
	PublicURL string // prefix of the web link and the code URL; empty: paths only
	Page      string // the mini-program page the code opens, e.g. pages/survey/index
	// ThanksTemplate and ConcludedTemplate are the recipients' subscribe-message templates.
	ThanksTemplate, ConcludedTemplate string
	// A client IP may meet IPMisses unknown, expired or revoked tokens per IPWindow; a token
	// may be used TokenHits times per TokenWindow.
	IPMisses    int
	IPWindow    time.Duration
	TokenHits   int
	TokenWindow time.Duration
}

func (c *SurveyConfig) defaults() {
	if c.Page == "" {
		c.Page = "pages/survey/index"
	}
	if c.IPMisses <= 0 {
		c.IPMisses = 1000
	}
	if c.IPWindow <= 0 {
		c.IPWindow = time.Hour
	}
	if c.TokenHits <= 0 {
		c.TokenHits = 60
	}
	if c.TokenWindow <= 0 {
		c.TokenWindow = 10 * time.Minute
	}
}

// Surveys runs the recipients' own survey (受援人自评): per-case links, the identity check, the
// answers and the messages that follow them.
type Surveys struct {
	db        *gorm.DB
	clock     clock.Clock
	audit     *Audit
	campaigns *Campaigns
	alerts    *Alerts
	vault     *pii.Vault
	wx        SurveyWechat // nil when WeChat is not configured
	signer    *signedurl.Signer
	tokens    *surveyTokens
	limiter   RateLimiter
	messages  *Reminders
	cfg       SurveyConfig
	log       *slog.Logger
}

// SurveyDeps are the survey service's collaborators.
type SurveyDeps struct {
	DB        *gorm.DB
	Clock     clock.Clock
	Audit     *Audit
	Campaigns *Campaigns
	Alerts    *Alerts
	Vault     *pii.Vault
	Wechat    SurveyWechat
	Signer    *signedurl.Signer
	JWTSecret []byte
	Limiter   RateLimiter // nil: in memory
	Messages  *Reminders
	Log       *slog.Logger
}

// NewSurveys builds the survey service.
func NewSurveys(d SurveyDeps, cfg SurveyConfig) *Surveys {
	cfg.defaults()
	if d.Limiter == nil {
		d.Limiter = NewMemoryLimiter(d.Clock)
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Surveys{db: d.DB, clock: d.Clock, audit: d.Audit, campaigns: d.Campaigns, alerts: d.Alerts, vault: d.Vault,
		wx: d.Wechat, signer: d.Signer, tokens: newSurveyTokens(d.JWTSecret, d.Clock.Now), limiter: d.Limiter,
		messages: d.Messages, cfg: cfg, log: d.Log}
}

var (
	errSurveyCaseNotFound = model.NotFound("case_not_found", "案件不存在或未分配给您")
	errSurveyNotFound     = model.NotFound("survey_not_found", "链接无效或已过期")
	errSurveyCodeNotFound = model.NotFound("survey_code_not_found", "小程序码不存在或已过期")
)

// surveyWindow is the recipient's own survey's window: from the first day of calls to the end
// of the last day of visits (the contract's Campaign shape).
func surveyWindow(c *model.Campaign) (start, end time.Time, ok bool) {
	start, _, ok1 := PhaseBounds(c, model.PhaseCalls)
	_, end, ok2 := PhaseBounds(c, model.PhaseVisits)
	return start, end, ok1 && ok2
}

// linkOpen reports until when the links of campaign id work: as long as the survey's current
// window, so extending (or moving) the visits phase moves every printed code with it. The
// stored expires_at is only what the window was when the link was made.
func linkOpen(db *gorm.DB, campaignID uint64, now time.Time) (time.Time, bool, error) {
	var c model.Campaign
	if err := db.Select("id", "calls_start", "calls_end", "visits_start", "visits_end").Take(&c, campaignID).Error; err != nil {
		return time.Time{}, false, err
	}
	_, end, ok := surveyWindow(&c)
	return end, ok && now.Before(end), nil
}

// judgeSurvey is the phase engine's judgement of an answer: the submission is the event, so it
// is never late nor flagged; outside the window it is refused with 409 phase_closed.
func judgeSurvey(c *model.Campaign, at time.Time) error {
	start, end, ok := surveyWindow(c)
	if !ok || at.Before(start) || !at.Before(end) {
		s, _ := c.Window(model.PhaseCalls)
		_, e := c.Window(model.PhaseVisits)
		return model.Conflict("phase_closed", "问卷开放时间为 "+s+" 至 "+e+"，现在不在开放时间内").
			WithDetails(map[string]any{"start": s, "end": e})
	}
	return nil
}

// surveyCase loads the campaign and the case by may make a link for: the staff assigned to the
// case for calls or visits, or a manager when the case is in the campaign's follow-up scope.
func surveyCase(tx *gorm.DB, by model.Actor, campaignID, caseID model.ID) (*model.Campaign, *model.Case, error) {
	if !by.Is(model.RoleManager, model.RoleStaff) {
		return nil, nil, model.ErrRoleForbidden
	}
	var c model.Campaign
	if err := tx.Take(&c, uint64(campaignID)).Error; err != nil {
		return nil, nil, notFoundAs(err, errSurveyCaseNotFound)
	}
	var k model.Case
	if err := tx.Take(&k, uint64(caseID)).Error; err != nil {
		return nil, nil, notFoundAs(err, errSurveyCaseNotFound)
	}
	q := tx.Model(&model.CaseAssignment{}).Where("campaign_id = ? AND case_id = ? AND phase IN ?", c.ID, k.ID, phonePhases)
	if !by.Is(model.RoleManager) {
		q = q.Where("user_id = ?", by.UserID)
	}
	assigned, err := exists(q)
	if err != nil {
		return nil, nil, err
	}
	if !assigned && !(by.Is(model.RoleManager) && InScope(c.Scope(model.PhaseCalls), &k)) {
		return nil, nil, errSurveyCaseNotFound
	}
	return &c, &k, nil
}

// CreateLink returns the case's live survey link, making one when there is none (created
// true): the same printed code keeps working until it expires with the visits phase or is
// revoked. The code image is fetched from WeChat after the commit; without it (WeChat not
// configured or down) code_url is empty and the image route fetches it later.
func (s *Surveys) CreateLink(ctx context.Context, by model.Actor, campaignID, caseID model.ID) (*model.SurveyLinkResponse, bool, error) {
	db := s.db.WithContext(ctx)
	now := s.clock.Now()
	var link model.SurveyLink
	var token string
	var end time.Time
	created := false
	err := db.Transaction(func(tx *gorm.DB) error {
		c, k, err := surveyCase(tx, by, campaignID, caseID)
		if err != nil {
			return err
		}
		var ok bool
		_, end, ok = surveyWindow(c)
		if !ok || !now.Before(end) {
			return judgeSurvey(c, now)
		}
		// Lock the case's links so two staff asking at once get one link.
		err = tx.Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("campaign_id = ? AND case_id = ? AND revoked_at IS NULL", c.ID, k.ID).
			Order("id DESC").Take(&link).Error
		if err == nil {
			token, err = s.vault.Decrypt(link.TokenEnc)
			return err
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		token = newSurveyToken()
		enc, err := s.vault.Encrypt(token)
		if err != nil {
			return err
		}
		link = model.SurveyLink{CampaignID: c.ID, CaseID: k.ID, TokenHash: hashSurveyToken(token), TokenEnc: enc,
			CreatedBy: by.UserID, CreatedAt: now, ExpiresAt: end}
		if err := tx.Create(&link).Error; err != nil {
			return err
		}
		created = true
		return s.audit.Record(tx, by, Entry{Action: "survey_link.create", ObjectType: "survey_link", ObjectID: link.ID,
			Reason: "case " + strconv.FormatUint(k.ID, 10)})
	})
	if err != nil {
		return nil, false, err
	}
	out := &model.SurveyLinkResponse{Token: token, URL: s.cfg.PublicURL + "/s/" + token, ExpiresAt: model.NewTime(end)}
	if s.wx != nil {
		if len(link.CodeImage) == 0 {
			_ = s.fetchCode(ctx, &link, token) // failure logged by the wechat client; the image route retries
		}
		signed, _ := s.signer.Sign(surveyCodePath(link.ID))
		out.CodeURL = s.cfg.PublicURL + signed
	}
	return out, created, nil
}

func surveyCodePath(linkID uint64) string {
	return "/api/v1/survey-codes/" + strconv.FormatUint(linkID, 10)
}

// fetchCode asks WeChat for the link's mini-program code and stores it.
func (s *Surveys) fetchCode(ctx context.Context, link *model.SurveyLink, token string) error {
	img, ctype, err := s.wx.WXACodeUnlimit(ctx, token, s.cfg.Page)
	if err != nil {
		return err
	}
	link.CodeImage, link.CodeType = img, ctype
	return s.db.WithContext(ctx).Model(&model.SurveyLink{}).Where("id = ?", link.ID).
		Updates(map[string]any{"code_image": img, "code_type": ctype}).Error
}

// CodeImage serves a live link's mini-program code to a signed URL, regenerating it from WeChat
// when it is missing.
func (s *Surveys) CodeImage(ctx context.Context, id model.ID, q url.Values) ([]byte, string, error) {
	if err := s.signer.Verify(surveyCodePath(uint64(id)), q); err != nil {
		return nil, "", model.Forbidden("url_signature_invalid", "链接已过期或无效")
	}
	var link model.SurveyLink
	db := s.db.WithContext(ctx)
	err := db.Where("id = ? AND revoked_at IS NULL", uint64(id)).Take(&link).Error
	if err != nil {
		return nil, "", notFoundAs(err, errSurveyCodeNotFound)
	}
	if _, open, err := linkOpen(db, link.CampaignID, s.clock.Now()); err != nil {
		return nil, "", notFoundAs(err, errSurveyCodeNotFound)
	} else if !open {
		return nil, "", errSurveyCodeNotFound
	}
	if len(link.CodeImage) == 0 {
		if s.wx == nil {
			return nil, "", ErrWechatNotConfigured
		}
		token, err := s.vault.Decrypt(link.TokenEnc)
		if err != nil {
			return nil, "", err
		}
		if err := s.fetchCode(ctx, &link, token); err != nil {
			return nil, "", WechatError(err)
		}
	}
	return link.CodeImage, link.CodeType, nil
}

// Revoke ends every live link of the case at once; a recipient's survey token ends with it.
func (s *Surveys) Revoke(ctx context.Context, by model.Actor, campaignID, caseID model.ID) (*model.SurveyLinksChange, error) {
	now := s.clock.Now()
	return s.changeLinks(ctx, by, campaignID, caseID, "survey_link.revoke", func(q *gorm.DB) *gorm.DB {
		return q.Where("revoked_at IS NULL").
			Updates(map[string]any{"revoked_at": now, "revoked_by": by.UserID})
	})
}

// Unlock lets the recipient try the identity check again after SurveyMaxFailures failures.
func (s *Surveys) Unlock(ctx context.Context, by model.Actor, campaignID, caseID model.ID) (*model.SurveyLinksChange, error) {
	return s.changeLinks(ctx, by, campaignID, caseID, "survey_link.unlock", func(q *gorm.DB) *gorm.DB {
		return q.Where("failures > 0 OR locked_at IS NOT NULL").
			Updates(map[string]any{"failures": 0, "locked_at": nil})
	})
}

func (s *Surveys) changeLinks(ctx context.Context, by model.Actor, campaignID, caseID model.ID, action string, apply func(*gorm.DB) *gorm.DB) (*model.SurveyLinksChange, error) {
	var out model.SurveyLinksChange
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		c, k, err := surveyCase(tx, by, campaignID, caseID)
		if err != nil {
			return err
		}
		res := apply(tx.Model(&model.SurveyLink{}).Where("campaign_id = ? AND case_id = ?", c.ID, k.ID))
		if res.Error != nil {
			return res.Error
		}
		out.Changed = int(res.RowsAffected)
		return s.audit.Record(tx, by, Entry{Action: action, ObjectType: "case", ObjectID: k.ID,
			Reason: "campaign " + strconv.FormatUint(c.ID, 10) + ": " + strconv.Itoa(out.Changed) + " link(s)"})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// RecipientTemplates are the subscribe-message templates a recipient may accept.
func (s *Surveys) RecipientTemplates() []string {
	var out []string
	for _, t := range []string{s.cfg.ThanksTemplate, s.cfg.ConcludedTemplate} {
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

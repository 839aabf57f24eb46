package service

import (
	"context"
	"crypto/subtle"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fayuan/internal/recipient"
	"fayuan/model"
)

// ErrSurveyRateLimited is a caller slowed down; RetryAfter says for how long.
type ErrSurveyRateLimited struct{ RetryAfter time.Duration }

func (e *ErrSurveyRateLimited) Error() string { return "survey: rate limited" }

// Unwrap lets the API answer it as the contract's 429.
func (e *ErrSurveyRateLimited) Unwrap() error {
	return model.TooMany("rate_limited", "请求过于频繁，请稍后再试").
		WithDetails(map[string]any{"retry_after_s": RetryAfterSeconds(e.RetryAfter)})
}

// RetryAfterSeconds rounds a wait up to whole seconds, at least 1.
func RetryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

var (
	errSurveyNotVerified   = model.Unauthorized("survey_not_verified", "请先核对身份")
	errSurveyLocked        = model.Locked("survey_locked", "核对失败次数过多，已锁定。请联系回访工作人员解锁")
	errSurveyVerifyPayload = model.Invalid(map[string]string{"name": "请填写姓名和身份证号后 4 位，或使用微信手机号核对"})
)

// recipientActor is who an audit row names for a recipient: nobody with an account.
func recipientActor(m Meta) model.Actor {
	return model.Actor{Username: "recipient", IP: m.IP, RequestID: m.RequestID}
}

// openLink finds the live link of a token, counting the request against the token's and,
// when the token is unknown, the client IP's budget. Every unknown, malformed, expired or
// revoked token is the same 404, so guessing tells nothing.
func (s *Surveys) openLink(ctx context.Context, token string, m Meta) (*model.SurveyLink, error) {
	ipKey := "survey:ip:" + m.IP
	n, left, err := s.limiter.Count(ctx, ipKey, s.cfg.IPWindow)
	if err != nil {
		return nil, err
	}
	if n >= s.cfg.IPMisses {
		return nil, &ErrSurveyRateLimited{RetryAfter: left}
	}
	miss := func() error {
		if _, _, err := s.limiter.Hit(ctx, ipKey, s.cfg.IPWindow); err != nil {
			return err
		}
		return errSurveyNotFound
	}
	if !surveyTokenRE.MatchString(token) {
		return nil, miss()
	}
	hash := hashSurveyToken(token)
	var link model.SurveyLink
	db := s.db.WithContext(ctx)
	err = db.Omit("code_image").Where("token_hash = ? AND revoked_at IS NULL", hash).Take(&link).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, miss()
	}
	if err != nil {
		return nil, err
	}
	if _, open, err := linkOpen(db, link.CampaignID, s.clock.Now()); err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, err
	} else if !open {
		return nil, miss()
	}
	// Only live tokens get a counter of their own: random guesses must not fill the limiter.
	if n, left, err := s.limiter.Hit(ctx, "survey:token:"+hash, s.cfg.TokenWindow); err != nil {
		return nil, err
	} else if n > s.cfg.TokenHits {
		return nil, &ErrSurveyRateLimited{RetryAfter: left}
	}
	return &link, nil
}

// bearer checks a survey token (the credential verify hands out) against the link.
func (s *Surveys) bearer(link *model.SurveyLink, b string) (*surveyClaims, bool) {
	if b == "" {
		return nil, false
	}
	c, ok := s.tokens.parse(b)
	if !ok || c.LinkID != link.ID {
		return nil, false
	}
	return c, true
}

// View shows the survey behind a token: before verifying only the bureau's name and the
// questions; with a survey token also the case's cause, handler and closing date, and whether
// it was answered.
func (s *Surveys) View(ctx context.Context, token, bearer string, m Meta) (*model.SurveyView, error) {
	link, err := s.openLink(ctx, token, m)
	if err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	var c model.Campaign
	if err := db.Take(&c, link.CampaignID).Error; err != nil {
		return nil, err
	}
	spec := c.Spec()
	out := &model.SurveyView{Intro: spec.Intro, Questions: spec.Questions}
	var org model.Org
	if err := db.Where("kind = ?", model.OrgBureau).Order("id").Take(&org).Error; err == nil {
		out.OrgName = org.Name
	}
	if _, ok := s.bearer(link, bearer); !ok {
		return out, nil
	}
	var k model.Case
	if err := db.Take(&k, link.CaseID).Error; err != nil {
		return nil, err
	}
	answered, err := exists(db.Model(&model.SurveyAnswer{}).Where("campaign_id = ? AND case_id = ?", link.CampaignID, link.CaseID))
	if err != nil {
		return nil, err
	}
	out.Verified, out.Cause, out.HandlerName, out.ClosedOn, out.Answered = true, k.Cause, k.HandlerName, k.ClosedOn, &answered
	out.Templates = s.RecipientTemplates()
	return out, nil
}

// Verify checks who is answering: the WeChat phone number (exchanged by the server; a phone
// never comes from the client) against the case's, or the name with the ID number's last 4
// characters. Each check reserves one of the SurveyMaxFailures attempts before it is judged, so
// parallel guesses cannot outrun the count; a mismatch keeps it and the last one locks the link
// (423) until the staff on the case or a manager unlocks it, a match gives it back. WeChat's own
// failures (a used code) happen before the reservation and do not count.
func (s *Surveys) Verify(ctx context.Context, token string, req model.SurveyVerifyRequest, m Meta) (*model.SurveyVerifyResponse, error) {
	link, err := s.openLink(ctx, token, m)
	if err != nil {
		return nil, err
	}
	if link.LockedAt != nil { // a cheap early answer; reserve decides
		return nil, errSurveyLocked
	}
	// The phone path is chosen by phone_code; wx_code may also come with the name, so that the
	// answer can be followed by subscribe messages.
	byPhone := req.PhoneCode != ""
	switch {
	case byPhone && (req.WxCode == "" || req.Name != "" || req.IDLast4 != ""):
		return nil, model.Invalid(map[string]string{"wx_code": "微信手机号核对需要 wx_code 和 phone_code，且不带姓名"})
	case !byPhone && (strings.TrimSpace(req.Name) == "" || len([]rune(req.Name)) > 64 || len([]rune(req.IDLast4)) != 4):
		return nil, errSurveyVerifyPayload
	}
	var k model.Case
	if err := s.db.WithContext(ctx).Take(&k, link.CaseID).Error; err != nil {
		return nil, err
	}
	var openID, method string
	var match bool
	if byPhone {
		if s.wx == nil {
			return nil, ErrWechatNotConfigured
		}
		sess, err := s.wx.Code2Session(ctx, req.WxCode)
		if err != nil {
			return nil, WechatError(err)
		}
		phone, err := s.wx.PhoneNumber(ctx, req.PhoneCode)
		if err != nil {
			return nil, WechatError(err)
		}
		if err := s.reserve(ctx, link.ID); err != nil {
			return nil, err
		}
		openID, method = sess.OpenID, "phone"
		if p, err := recipient.NormalizePhone(phone); err == nil && p != "" && k.RecipientPhoneHash != "" {
			match = subtle.ConstantTimeCompare([]byte(s.vault.Hash(p)), []byte(k.RecipientPhoneHash)) == 1
		}
	} else {
		if err := s.reserve(ctx, link.ID); err != nil {
			return nil, err
		}
		method = "id"
		match, err = s.nameMatches(&k, req.Name, req.IDLast4)
		if err != nil {
			return nil, err
		}
	}
	if !match {
		return nil, s.fail(ctx, link, m)
	}
	if err := s.passed(ctx, link.ID, method, m); err != nil {
		return nil, err
	}
	if !byPhone && req.WxCode != "" && s.wx != nil {
		sess, err := s.wx.Code2Session(ctx, req.WxCode)
		if err != nil {
			return nil, WechatError(err)
		}
		openID = sess.OpenID
	}
	bearer, err := s.tokens.sign(link.ID, openID, method)
	if err != nil {
		return nil, err
	}
	return &model.SurveyVerifyResponse{SurveyToken: bearer, ExpiresIn: int(surveyBearerTTL.Seconds())}, nil
}

// reserve counts a check as a failure before it is judged: one UPDATE that only succeeds while
// the link is unlocked and has attempts left (failures counts the checks in flight too), so at
// most SurveyMaxFailures checks are ever judged between unlocks.
func (s *Surveys) reserve(ctx context.Context, linkID uint64) error {
	res := s.db.WithContext(ctx).Model(&model.SurveyLink{}).
		Where("id = ? AND locked_at IS NULL AND failures < ?", linkID, model.SurveyMaxFailures).
		UpdateColumn("failures", gorm.Expr("failures + 1"))
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return errSurveyLocked
	}
	return nil
}

// passed clears the failures after a match, unless the link was locked meanwhile (by other
// guesses of the same moment): then the right answer is refused like any other.
func (s *Surveys) passed(ctx context.Context, linkID uint64, method string, m Meta) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cur model.SurveyLink
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Select("id", "locked_at").
			Take(&cur, linkID).Error; err != nil {
			return err
		}
		if cur.LockedAt != nil {
			return errSurveyLocked
		}
		if err := tx.Model(&model.SurveyLink{}).Where("id = ?", linkID).UpdateColumn("failures", 0).Error; err != nil {
			return err
		}
		return s.audit.Record(tx, recipientActor(m), Entry{Action: "survey.verify", ObjectType: "survey_link", ObjectID: linkID, Reason: method})
	})
}

// nameMatches compares the name (spaces ignored) and the ID number's last 4 characters (x as X)
// with the case's, in constant time.
func (s *Surveys) nameMatches(k *model.Case, name, last4 string) (bool, error) {
	if k.RecipientIDEnc == "" {
		return false, nil
	}
	id, err := s.vault.Decrypt(k.RecipientIDEnc)
	if err != nil {
		return false, err
	}
	if len(id) < 4 {
		return false, nil
	}
	squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
	okName := subtle.ConstantTimeCompare([]byte(squash(name)), []byte(squash(k.RecipientName))) == 1
	okID := subtle.ConstantTimeCompare([]byte(strings.ToUpper(last4)), []byte(id[len(id)-4:])) == 1
	return okName && okID, nil
}

// fail keeps the mismatch's reserved attempt and locks the link at the limit.
func (s *Surveys) fail(ctx context.Context, link *model.SurveyLink, m Meta) error {
	now := s.clock.Now()
	var after model.SurveyLink
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&model.SurveyLink{}).Where("id = ? AND locked_at IS NULL AND failures >= ?", link.ID, model.SurveyMaxFailures).
			UpdateColumn("locked_at", now).Error; err != nil {
			return err
		}
		if err := tx.Select("id", "failures", "locked_at").Take(&after, link.ID).Error; err != nil {
			return err
		}
		return s.audit.Record(tx, recipientActor(m), Entry{Action: "survey.verify", ObjectType: "survey_link", ObjectID: link.ID,
			Outcome: "failed", Reason: "failures " + strconv.Itoa(after.Failures)})
	})
	if err != nil {
		return err
	}
	if after.LockedAt != nil {
		return errSurveyLocked
	}
	return model.Unauthorized("survey_identity_mismatch", "信息核对不一致，请检查后重试").
		WithDetails(map[string]any{"attempts_left": model.SurveyMaxFailures - after.Failures})
}

// Check opens a token for the web page: the same limits and the same 404s as the API.
func (s *Surveys) Check(ctx context.Context, token string, m Meta) error {
	_, err := s.openLink(ctx, token, m)
	return err
}

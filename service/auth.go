package service

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fayuan/internal/clock"
	"fayuan/model"
)

// AuthConfig are the auth rules the configuration sets.
type AuthConfig struct {
	JWTSecret        []byte
	AccessTTL        time.Duration
	RefreshTTL       time.Duration
	RefreshGrace     time.Duration
	LockoutThreshold int
	LockoutWindow    time.Duration
	LockoutDuration  time.Duration
}

// Auth logs people in and keeps their sessions honest.
type Auth struct {
	db     *gorm.DB
	clock  clock.Clock
	audit  *Audit
	pw     *Passwords
	cfg    AuthConfig
	tok    *tokens
	wechat WechatSessions // nil when WeChat is not configured
}

// NewAuth builds the auth service; wx may be nil.
func NewAuth(db *gorm.DB, c clock.Clock, audit *Audit, pw *Passwords, cfg AuthConfig, wx WechatSessions) *Auth {
	return &Auth{db: db, clock: c, audit: audit, pw: pw, cfg: cfg, wechat: wx,
		tok: newTokens(cfg.JWTSecret, cfg.AccessTTL, c.Now)}
}

// Errors of logging in. Unknown user, wrong password and disabled account share one error, so
// the answer never tells whether an account exists.
var (
	ErrBadCredentials = model.Unauthorized("invalid_credentials", "用户名或密码错误")
	ErrLocked         = model.Locked("account_locked", "登录失败次数过多，账号已暂时锁定，请稍后再试")
	ErrRefreshInvalid = model.Unauthorized("refresh_invalid", "登录已失效，请重新登录")
)

// Meta is where a request came from, for the audit trail.
type Meta struct{ IP, RequestID string }

// Login checks a password, applying the lockout rule, and starts a session. A wx_code binds the
// caller's WeChat account on the way.
func (a *Auth) Login(ctx context.Context, req model.LoginRequest, m Meta) (*model.TokenResponse, error) {
	name := strings.ToLower(strings.TrimSpace(req.Username))
	if name == "" || req.Password == "" {
		return nil, model.Invalid(requiredFields(map[string]string{"username": name, "password": req.Password}))
	}
	if len(name) > 64 || len(req.Password) > 200 {
		return nil, ErrBadCredentials
	}
	now := a.clock.Now()
	db := a.db.WithContext(ctx)
	locked, err := a.locked(db, name, now)
	if err != nil {
		return nil, err
	}
	anon := model.Actor{Username: name, IP: m.IP, RequestID: m.RequestID}
	if locked {
		return nil, a.failLogin(db, anon, name, now, "locked", ErrLocked)
	}
	var u model.User
	// Usernames are unique regardless of case (MariaDB's collation already compares that way),
	// so SQLite must match the same way: one person, one lockout counter.
	err = db.Where("LOWER(username) = ?", name).Take(&u).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, err
	}
	if !a.pw.Match(u.PasswordHash, req.Password) || u.Disabled {
		return nil, a.failLogin(db, anon, name, now, "failure", ErrBadCredentials)
	}
	var openID string
	if req.WxCode != "" {
		openID, err = a.openID(ctx, req.WxCode)
		// The password login is the way in when WeChat is missing, down or throttling us, and the
		// mini-program always sends its wx_code: skip the binding then, not the login
		// (wechat_bound says so). A bad code is the caller's to fix and is refused.
		if errors.Is(err, ErrWechatNotConfigured) || errors.Is(err, ErrWechatUnavailable) || errors.Is(err, ErrWechatRateLimited) {
			openID, err = "", nil
		}
		if err != nil {
			return nil, err
		}
	}
	var out *model.TokenResponse
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&model.LoginAttempt{Username: name, At: now, Outcome: "success", IP: m.IP}).Error; err != nil {
			return err
		}
		if openID != "" {
			if err := a.bind(tx, &u, openID, m); err != nil {
				return err
			}
		}
		if err := a.audit.Record(tx, actorOf(&u, "", m), Entry{Action: "login.password", ObjectType: "user", ObjectID: u.ID}); err != nil {
			return err
		}
		out, err = a.startSession(tx, &u, now)
		return err
	})
	return out, err
}

// failLogin records a refused login (and its audit row) and returns the answer.
func (a *Auth) failLogin(db *gorm.DB, anon model.Actor, name string, now time.Time, outcome string, answer error) error {
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&model.LoginAttempt{Username: name, At: now, Outcome: outcome, IP: anon.IP}).Error; err != nil {
			return err
		}
		return a.audit.Record(tx, anon, Entry{Action: "login.password", ObjectType: "user", ObjectKey: name, Outcome: outcome})
	})
	if err != nil {
		return err
	}
	return answer
}

// locked applies the rule: Threshold failures since the last success, the newest Threshold of
// them within Window, lock until Duration after the newest. Attempts made while locked are not
// failures, so an attacker hammering a locked account cannot keep it locked forever.
func (a *Auth) locked(db *gorm.DB, name string, now time.Time) (bool, error) {
	var recent []model.LoginAttempt
	err := db.Where("username = ? AND at > ?", name, now.Add(-a.cfg.LockoutWindow-a.cfg.LockoutDuration)).
		Where("outcome IN ?", []string{"success", "failure"}).
		Order("at DESC, id DESC").Limit(a.cfg.LockoutThreshold).Find(&recent).Error
	if err != nil || len(recent) < a.cfg.LockoutThreshold {
		return false, err
	}
	for _, r := range recent {
		if r.Outcome == "success" {
			return false, nil
		}
	}
	newest, oldest := recent[0].At, recent[len(recent)-1].At
	return newest.Sub(oldest) <= a.cfg.LockoutWindow && now.Before(newest.Add(a.cfg.LockoutDuration)), nil
}

// startSession issues an access token and the first refresh token of a new family.
func (a *Auth) startSession(tx *gorm.DB, u *model.User, now time.Time) (*model.TokenResponse, error) {
	plain, family := newRefresh()
	if err := tx.Create(&model.RefreshToken{UserID: u.ID, FamilyID: family, TokenHash: hashToken(plain),
		ExpiresAt: now.Add(a.cfg.RefreshTTL), CreatedAt: now}).Error; err != nil {
		return nil, err
	}
	return a.pair(tx, u, plain, now)
}

// pair builds the answer for a refresh token and an access token issued at iat.
func (a *Auth) pair(tx *gorm.DB, u *model.User, refresh string, iat time.Time) (*model.TokenResponse, error) {
	access, err := a.tok.access(u.ID, u.AuthEpoch, iat)
	if err != nil {
		return nil, err
	}
	var org model.Org
	if err := tx.Take(&org, u.OrgID).Error; err != nil {
		return nil, err
	}
	return &model.TokenResponse{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer",
		ExpiresIn: int(a.cfg.AccessTTL / time.Second), User: model.NewMeResponse(u, &org)}, nil
}

// Refresh rotates a refresh token. Reused within the grace window (the answer was lost on a weak
// signal) it returns the same new pair; reused later it is treated as stolen and the whole family
// is revoked.
func (a *Auth) Refresh(ctx context.Context, req model.RefreshRequest, m Meta) (*model.TokenResponse, error) {
	if req.RefreshToken == "" {
		return nil, model.InvalidField("refresh_token", "不能为空")
	}
	now := a.clock.Now()
	var out *model.TokenResponse
	var reused *model.RefreshToken
	var found model.RefreshToken
	if err := a.db.WithContext(ctx).Select("id").Where("token_hash = ?", hashToken(req.RefreshToken)).Take(&found).Error; err != nil {
		return nil, notFoundAs(err, ErrRefreshInvalid)
	}
	err := a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var rt model.RefreshToken
		// A locking read by primary key, first in the transaction: concurrent retries of one
		// rotation queue here, and each then sees the latest rows (MySQL's REPEATABLE READ takes
		// its snapshot at the first plain read, after this). Locking through the token_hash index
		// instead takes a next-key lock that deadlocks with the insert of the child.
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&rt, found.ID).Error; err != nil {
			return notFoundAs(err, ErrRefreshInvalid)
		}
		if rt.RevokedAt != nil || !now.Before(rt.ExpiresAt) {
			return ErrRefreshInvalid
		}
		var u model.User
		if err := tx.Take(&u, rt.UserID).Error; err != nil {
			return err
		}
		if u.Disabled {
			return ErrRefreshInvalid
		}
		child := a.tok.childRefresh(req.RefreshToken)
		if rt.RotatedAt == nil {
			res := tx.Model(&model.RefreshToken{}).Where("id = ? AND rotated_at IS NULL", rt.ID).Update("rotated_at", now)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 1 {
				if err := tx.Create(&model.RefreshToken{UserID: u.ID, FamilyID: rt.FamilyID, TokenHash: hashToken(child),
					ExpiresAt: now.Add(a.cfg.RefreshTTL), CreatedAt: now}).Error; err != nil {
					return err
				}
				var err error
				out, err = a.pair(tx, &u, child, now)
				return err
			}
			if err := tx.Take(&rt, rt.ID).Error; err != nil { // a concurrent retry rotated it first
				return err
			}
		}
		if now.Sub(*rt.RotatedAt) > a.cfg.RefreshGrace {
			reused = &rt
			return ErrRefreshInvalid
		}
		var c model.RefreshToken
		if err := tx.Where("token_hash = ?", hashToken(child)).Take(&c).Error; err != nil {
			return notFoundAs(err, ErrRefreshInvalid)
		}
		if c.RevokedAt != nil {
			return ErrRefreshInvalid
		}
		var err error
		out, err = a.pair(tx, &u, child, *rt.RotatedAt)
		return err
	})
	if reused != nil {
		// Revoked outside the refused transaction so the revocation itself is kept.
		if rerr := a.revokeFamily(ctx, reused, m); rerr != nil {
			return nil, rerr
		}
	}
	return out, err
}

// revokeFamily revokes every token descended from the same login, and audits it.
func (a *Auth) revokeFamily(ctx context.Context, rt *model.RefreshToken, m Meta) error {
	return a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&model.RefreshToken{}).Where("family_id = ? AND revoked_at IS NULL", rt.FamilyID).
			Update("revoked_at", a.clock.Now()).Error; err != nil {
			return err
		}
		return a.audit.Record(tx, model.Actor{UserID: rt.UserID, IP: m.IP, RequestID: m.RequestID},
			Entry{Action: "session.reuse_revoked", ObjectType: "user", ObjectID: rt.UserID, Outcome: "revoked"})
	})
}

// Logout revokes the session the refresh token belongs to. An unknown or already revoked
// token answers the same success: logging out twice is not an error worth showing.
func (a *Auth) Logout(ctx context.Context, req model.RefreshRequest, m Meta) error {
	if req.RefreshToken == "" {
		return model.InvalidField("refresh_token", "不能为空")
	}
	var rt model.RefreshToken
	err := a.db.WithContext(ctx).Where("token_hash = ?", hashToken(req.RefreshToken)).Take(&rt).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&model.RefreshToken{}).Where("family_id = ? AND revoked_at IS NULL", rt.FamilyID).
			Update("revoked_at", a.clock.Now()).Error; err != nil {
			return err
		}
		return a.audit.Record(tx, model.Actor{UserID: rt.UserID, IP: m.IP, RequestID: m.RequestID},
			Entry{Action: "logout", ObjectType: "user", ObjectID: rt.UserID})
	})
}

// revokeUser ends every session of a user: refresh tokens revoked, access tokens outdated by
// the epoch. Used on password change, reset and disable.
func revokeUser(tx *gorm.DB, userID uint64, now time.Time) error {
	if err := tx.Model(&model.RefreshToken{}).Where("user_id = ? AND revoked_at IS NULL", userID).
		Update("revoked_at", now).Error; err != nil {
		return err
	}
	return tx.Model(&model.User{}).Where("id = ?", userID).UpdateColumn("auth_epoch", gorm.Expr("auth_epoch + 1")).Error
}

// requiredFields names the empty ones.
func requiredFields(fields map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range fields {
		if strings.TrimSpace(v) == "" {
			out[k] = "不能为空"
		}
	}
	return out
}

// notFoundAs turns "no row" into the given expected error.
func notFoundAs(err error, as error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return as
	}
	return err
}

// actorOf makes the actor of a user acting through a request.
func actorOf(u *model.User, kind model.OrgKind, m Meta) model.Actor {
	return model.Actor{UserID: u.ID, Username: u.Username, OrgID: u.OrgID, OrgKind: kind, Roles: u.Roles(),
		IP: m.IP, RequestID: m.RequestID}
}

package service

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"fayuan/internal/wechat"
	"fayuan/model"
)

// WechatSessions exchanges a wx.login code for the caller's openid (wechat.Client does).
type WechatSessions interface {
	Code2Session(ctx context.Context, code string) (wechat.Session, error)
}

// Errors of WeChat login.
var (
	ErrWechatNotConfigured = model.Unavailable("wechat_not_configured", "系统未配置微信小程序，请使用账号密码登录")
	ErrWechatNotBound      = model.Forbidden("wechat_not_bound", "此微信尚未绑定账号，请先用账号密码登录或输入绑定码")
	ErrWechatCodeInvalid   = model.Unauthorized("wechat_code_invalid", "微信登录凭证无效或已使用，请重新进入小程序")
	ErrWechatRateLimited   = model.TooMany("wechat_rate_limited", "微信接口调用过于频繁，请稍后再试")
	ErrWechatUnavailable   = model.Unavailable("wechat_unavailable", "暂时无法连接微信，请稍后再试或使用账号密码登录")
	ErrBindingCodeInvalid  = model.Unauthorized("binding_code_invalid", "绑定码无效或已过期，请联系管理员重新获取")
	ErrWechatBoundElse     = model.Conflict("wechat_bound_elsewhere", "此微信已绑定其他账号")
)

// WechatError turns a WeChat failure into the answer the mini-program shows. The wechat client
// has already logged the raw (redacted) error.
func WechatError(err error) error {
	switch {
	case errors.Is(err, wechat.ErrNotConfigured):
		return ErrWechatNotConfigured
	case errors.Is(err, wechat.ErrInvalidCode):
		return ErrWechatCodeInvalid
	case errors.Is(err, wechat.ErrRateLimited):
		return ErrWechatRateLimited
	}
	return ErrWechatUnavailable
}

// openID asks WeChat who the wx.login code belongs to. session_key stays inside the wechat
// package: nothing here could leak it.
func (a *Auth) openID(ctx context.Context, code string) (string, error) {
	if a.wechat == nil {
		return "", ErrWechatNotConfigured
	}
	if len(code) > 128 {
		return "", ErrWechatCodeInvalid
	}
	s, err := a.wechat.Code2Session(ctx, code)
	if err != nil {
		return "", WechatError(err)
	}
	return s.OpenID, nil
}

// bind ties openID to u, refusing one that already belongs to someone else.
func (a *Auth) bind(tx *gorm.DB, u *model.User, openID string, m Meta) error {
	if u.WechatOpenID != nil && *u.WechatOpenID == openID {
		return nil
	}
	var n int64
	if err := tx.Model(&model.User{}).Where("wechat_openid = ? AND id <> ?", openID, u.ID).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return ErrWechatBoundElse
	}
	if err := tx.Model(u).Update("wechat_openid", openID).Error; err != nil {
		return duplicateAs(err, ErrWechatBoundElse) // a concurrent binding of the same openid won
	}
	u.WechatOpenID = &openID
	return a.audit.Record(tx, actorOf(u, "", m), Entry{Action: "user.wechat_bind", ObjectType: "user", ObjectID: u.ID})
}

// WechatLogin logs a staff member in with wx.login's code. An unbound openid is refused unless a
// binding code an admin issued comes with it.
func (a *Auth) WechatLogin(ctx context.Context, req model.WechatLoginRequest, m Meta) (*model.TokenResponse, error) {
	if a.wechat == nil {
		return nil, ErrWechatNotConfigured
	}
	if strings.TrimSpace(req.Code) == "" {
		return nil, model.InvalidField("code", "不能为空")
	}
	openID, err := a.openID(ctx, req.Code)
	if err != nil {
		return nil, err
	}
	now := a.clock.Now()
	var out *model.TokenResponse
	err = a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var u model.User
		if req.BindingCode != "" {
			// The binding code names the account: an openid bound to someone else is a conflict,
			// never a login as that someone.
			if err := a.redeemBindingCode(tx, req.BindingCode, &u, now); err != nil {
				return err
			}
			if err := a.bind(tx, &u, openID, m); err != nil {
				return err
			}
		} else if err := tx.Where("wechat_openid = ?", openID).Take(&u).Error; err != nil {
			return notFoundAs(err, ErrWechatNotBound)
		}
		if u.Disabled {
			return ErrWechatNotBound
		}
		if err := a.audit.Record(tx, actorOf(&u, "", m), Entry{Action: "login.wechat", ObjectType: "user", ObjectID: u.ID}); err != nil {
			return err
		}
		out, err = a.startSession(tx, &u, now)
		return err
	})
	return out, err
}

// redeemBindingCode marks a valid code used and loads its user.
func (a *Auth) redeemBindingCode(tx *gorm.DB, code string, u *model.User, now time.Time) error {
	var bc model.WechatBindingCode
	if err := tx.Where("code_hash = ?", hashToken(strings.ToUpper(strings.TrimSpace(code)))).Take(&bc).Error; err != nil {
		return notFoundAs(err, ErrBindingCodeInvalid)
	}
	if bc.UsedAt != nil || !now.Before(bc.ExpiresAt) {
		return ErrBindingCodeInvalid
	}
	res := tx.Model(&model.WechatBindingCode{}).Where("id = ? AND used_at IS NULL", bc.ID).Update("used_at", now)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return ErrBindingCodeInvalid
	}
	return tx.Take(u, bc.UserID).Error
}

// bindingAlphabet leaves out 0/O and 1/I/L, which people misread when an admin reads a code aloud.
const bindingAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// IssueBindingCode gives an admin a one-time code (valid 24 hours) for a user to bind WeChat.
func (a *Auth) IssueBindingCode(ctx context.Context, by model.Actor, userID model.ID) (*model.BindingCodeResponse, error) {
	if !by.Is(model.RoleAdmin) {
		return nil, model.ErrRoleForbidden
	}
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	code := make([]byte, len(b))
	for i, x := range b {
		code[i] = bindingAlphabet[int(x)%len(bindingAlphabet)]
	}
	now := a.clock.Now()
	exp := now.Add(24 * time.Hour)
	err := a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var u model.User
		if err := tx.Take(&u, uint64(userID)).Error; err != nil {
			return notFoundAs(err, errUserNotFound)
		}
		if err := tx.Create(&model.WechatBindingCode{UserID: u.ID, CodeHash: hashToken(string(code)), ExpiresAt: exp, CreatedAt: now}).Error; err != nil {
			return err
		}
		return a.audit.Record(tx, by, Entry{Action: "user.wechat_binding_code", ObjectType: "user", ObjectID: u.ID})
	})
	if err != nil {
		return nil, err
	}
	return &model.BindingCodeResponse{Code: string(code), ExpiresAt: model.NewTime(exp)}, nil
}

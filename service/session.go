package service

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"gorm.io/gorm"

	"fayuan/model"
)

// principal is the user row and org kind an access token resolves to.
type principal struct {
	ID           uint64
	Username     string
	OrgID        uint64
	Roles        string
	Disabled     bool
	AuthEpoch    int
	DisplayName  string
	WechatOpenID *string `gorm:"column:wechat_openid"`
	OrgKind      model.OrgKind
	OrgName      string
}

const principalSQL = "SELECT users.id, users.username, users.org_id, users.roles, users.disabled, users.auth_epoch, users.display_name, " +
	"users.wechat_openid, orgs.kind, orgs.name FROM users JOIN orgs ON orgs.id = users.org_id WHERE users.id = ?"

// Authenticate resolves a bearer token to the acting user. It reads the user on every request,
// so a disabled account or a changed password stops its tokens at once, on every replica.
func (a *Auth) Authenticate(ctx context.Context, bearer string, m Meta) (model.Actor, error) {
	id, epoch, err := a.tok.parseAccess(bearer)
	if err != nil {
		return model.Actor{}, model.ErrTokenInvalid
	}
	var p principal
	// Scanned by hand from a fixed statement: it runs on every request, and gorm's statement
	// building and reflective scan cost more CPU than the query itself.
	err = a.db.WithContext(ctx).Raw(principalSQL, id).Row().
		Scan(&p.ID, &p.Username, &p.OrgID, &p.Roles, &p.Disabled, &p.AuthEpoch, &p.DisplayName, &p.WechatOpenID, &p.OrgKind, &p.OrgName)
	if errors.Is(err, sql.ErrNoRows) {
		return model.Actor{}, model.ErrTokenInvalid
	}
	if err != nil {
		return model.Actor{}, err
	}
	if p.Disabled || p.AuthEpoch != epoch {
		return model.Actor{}, model.ErrTokenInvalid
	}
	return model.Actor{UserID: p.ID, Username: p.Username, OrgID: p.OrgID, OrgKind: p.OrgKind,
		Roles: model.SplitRoles(p.Roles), IP: m.IP, RequestID: m.RequestID,
		Profile: &model.Profile{DisplayName: p.DisplayName, OrgName: p.OrgName, WechatBound: p.WechatOpenID != nil}}, nil
}

// Me returns the logged-in user from what authentication already read: one query per request
// for the route the mini-program calls on every start.
func (a *Auth) Me(ctx context.Context, by model.Actor) (*model.MeResponse, error) {
	if by.Profile == nil {
		return nil, model.ErrTokenInvalid
	}
	u := model.User{ID: by.UserID, Username: by.Username, DisplayName: by.Profile.DisplayName, RolesText: by.Roles.Join()}
	if by.Profile.WechatBound {
		u.WechatOpenID = new(string)
	}
	org := model.Org{ID: by.OrgID, Name: by.Profile.OrgName, Kind: by.OrgKind}
	return model.NewMeResponse(&u, &org), nil
}

// ChangePassword lets a user change their own password; every session ends, this one too.
func (a *Auth) ChangePassword(ctx context.Context, by model.Actor, req model.ChangePasswordRequest) error {
	if strings.TrimSpace(req.OldPassword) == "" {
		return model.InvalidField("old_password", "不能为空")
	}
	if err := policyError("new_password", req.NewPassword); err != nil {
		return err
	}
	var u model.User
	if err := a.db.WithContext(ctx).Take(&u, by.UserID).Error; err != nil {
		return err
	}
	if !a.pw.Match(u.PasswordHash, req.OldPassword) {
		return model.InvalidField("old_password", "原密码不正确")
	}
	hash, err := a.pw.Hash(req.NewPassword)
	if err != nil {
		return err
	}
	return a.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&u).Update("password_hash", hash).Error; err != nil {
			return err
		}
		if err := revokeUser(tx, u.ID, a.clock.Now()); err != nil {
			return err
		}
		return a.audit.Record(tx, by, Entry{Action: "user.password_change", ObjectType: "user", ObjectID: u.ID})
	})
}

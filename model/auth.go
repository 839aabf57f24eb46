package model

import "time"

// RefreshToken is one link of a rotation chain. Only its SHA-256 is stored; the plaintext of a
// child is derived from its parent's plaintext, so a parent reused within the grace window can
// give back the very same child without the server keeping any plaintext.
type RefreshToken struct {
	ID        uint64 `gorm:"primaryKey"`
	UserID    uint64 `gorm:"not null;index"`
	FamilyID  string `gorm:"size:32;not null;index"`
	TokenHash string `gorm:"size:64;not null;uniqueIndex"`
	ExpiresAt time.Time
	RotatedAt *time.Time // set when this token was exchanged for its child
	RevokedAt *time.Time
	CreatedAt time.Time
}

// LoginAttempt records one password login for the lockout rule. Username is what was typed,
// known or not, so an unknown name locks exactly like a known one.
type LoginAttempt struct {
	ID       uint64    `gorm:"primaryKey"`
	Username string    `gorm:"size:64;not null;index:idx_login_attempts_user_at,priority:1"`
	At       time.Time `gorm:"not null;index:idx_login_attempts_user_at,priority:2"`
	// Outcome is success, failure or locked; attempts made while locked do not extend the lock.
	Outcome string `gorm:"size:16;not null"`
	IP      string `gorm:"size:64"`
}

// WechatBindingCode is a one-time code an admin issues so a staff member can bind their WeChat.
type WechatBindingCode struct {
	ID        uint64    `gorm:"primaryKey"`
	UserID    uint64    `gorm:"not null;index"`
	CodeHash  string    `gorm:"size:64;not null;uniqueIndex"`
	ExpiresAt time.Time `gorm:"not null"`
	UsedAt    *time.Time
	CreatedAt time.Time
}

// LoginRequest is a password login; wx_code binds the WeChat account on the way.
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	WxCode   string `json:"wx_code,omitempty"`
}

// WechatLoginRequest is a login with a wx.login code; binding_code binds an unbound account.
type WechatLoginRequest struct {
	Code        string `json:"code"`
	BindingCode string `json:"binding_code,omitempty"`
}

// RefreshRequest carries a refresh token to rotate or revoke.
type RefreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

// TokenResponse is what a successful login or refresh answers.
type TokenResponse struct {
	AccessToken  string      `json:"access_token"`
	RefreshToken string      `json:"refresh_token"`
	TokenType    string      `json:"token_type"`
	ExpiresIn    int         `json:"expires_in"`
	User         *MeResponse `json:"user,omitempty"`
}

// MeResponse is the logged-in user, their roles and organisation.
type MeResponse struct {
	ID          ID         `json:"id"`
	Username    string     `json:"username"`
	DisplayName string     `json:"display_name"`
	Roles       Roles      `json:"roles"`
	RoleLabels  []string   `json:"role_labels"`
	Org         OrgSummary `json:"org"`
	WechatBound bool       `json:"wechat_bound"`
}

// NewMeResponse converts the logged-in user.
func NewMeResponse(u *User, org *Org) *MeResponse {
	r := &MeResponse{ID: ID(u.ID), Username: u.Username, DisplayName: u.DisplayName, Roles: u.Roles(),
		WechatBound: u.WechatOpenID != nil}
	for _, x := range r.Roles {
		r.RoleLabels = append(r.RoleLabels, RoleLabels[x])
	}
	if org != nil {
		r.Org = OrgSummary{ID: ID(org.ID), Name: org.Name, Kind: org.Kind}
	}
	return r
}

// BindingCodeResponse is a one-time WeChat binding code for a user.
type BindingCodeResponse struct {
	Code      string `json:"code"`
	ExpiresAt Time   `json:"expires_at"`
}

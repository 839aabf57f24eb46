package model

import (
	"slices"
	"strings"
	"time"
)

// Role is what a user may do, as the contract's table says.
type Role string

// The roles of the contract.
const (
	RoleAdmin    Role = "admin"
	RoleManager  Role = "manager"
	RoleStaff    Role = "staff"
	RoleReviewer Role = "reviewer"
	RoleHandler  Role = "handler"
	RoleAuditor  Role = "auditor"
)

// RoleOrgKinds says which organisation kinds each role may belong to.
var RoleOrgKinds = map[Role][]OrgKind{
	RoleAdmin:    {OrgBureau},
	RoleManager:  {OrgBureau, OrgAidCenter},
	RoleStaff:    {OrgAidCenter, OrgJudicialOffice, OrgLawFirm, OrgLegalServiceOffice},
	RoleReviewer: {OrgLawFirm, OrgLegalServiceOffice, OrgAidCenter},
	RoleHandler:  {OrgLawFirm, OrgLegalServiceOffice},
	RoleAuditor:  {OrgBureau},
}

// RoleLabels are the Chinese names of the roles.
var RoleLabels = map[Role]string{
	RoleAdmin: "系统管理员", RoleManager: "管理人员", RoleStaff: "回访人员",
	RoleReviewer: "评查人员", RoleHandler: "案件承办人", RoleAuditor: "审计人员",
}

// Roles is a set of roles, stored as a comma-separated column.
type Roles []Role

// Has reports whether r holds any of want.
func (r Roles) Has(want ...Role) bool {
	for _, w := range want {
		if slices.Contains(r, w) {
			return true
		}
	}
	return false
}

// Join stores roles as "manager,staff".
func (r Roles) Join() string {
	s := make([]string, len(r))
	for i, x := range r {
		s[i] = string(x)
	}
	return strings.Join(s, ",")
}

// SplitRoles reads the stored form.
func SplitRoles(s string) Roles {
	var r Roles
	for _, x := range strings.Split(s, ",") {
		if x != "" {
			r = append(r, Role(x))
		}
	}
	return r
}

// User is a staff account. Recipients are not users: they reach their survey by token.
type User struct {
	ID           uint64  `gorm:"primaryKey"`
	Username     string  `gorm:"size:64;not null;uniqueIndex"`
	DisplayName  string  `gorm:"size:64;not null"`
	PasswordHash string  `gorm:"size:255;not null"`
	OrgID        uint64  `gorm:"not null;index"`
	RolesText    string  `gorm:"column:roles;size:255;not null"`
	Disabled     bool    `gorm:"not null;default:false"`
	WechatOpenID *string `gorm:"column:wechat_openid;size:64;uniqueIndex"`
	// AuthEpoch is bumped when the password changes or the account is disabled; access tokens
	// carry it, so older ones stop working on the next request.
	AuthEpoch int `gorm:"not null;default:0"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Roles returns the user's roles.
func (u *User) Roles() Roles { return SplitRoles(u.RolesText) }

// UserResponse is an account on the wire; never the hash or the openid.
type UserResponse struct {
	ID          ID          `json:"id"`
	Username    string      `json:"username"`
	DisplayName string      `json:"display_name"`
	OrgID       ID          `json:"org_id"`
	Org         *OrgSummary `json:"org,omitempty"`
	Roles       Roles       `json:"roles"`
	Disabled    bool        `json:"disabled"`
	WechatBound bool        `json:"wechat_bound"`
	CreatedAt   Time        `json:"created_at"`
	UpdatedAt   Time        `json:"updated_at"`
}

// OrgSummary names an organisation inside another object.
type OrgSummary struct {
	ID   ID      `json:"id"`
	Name string  `json:"name"`
	Kind OrgKind `json:"kind"`
}

// NewUserResponse converts a user for the wire; org may be nil.
func NewUserResponse(u *User, org *Org) UserResponse {
	r := UserResponse{ID: ID(u.ID), Username: u.Username, DisplayName: u.DisplayName, OrgID: ID(u.OrgID),
		Roles: u.Roles(), Disabled: u.Disabled, WechatBound: u.WechatOpenID != nil,
		CreatedAt: NewTime(u.CreatedAt), UpdatedAt: NewTime(u.UpdatedAt)}
	if r.Roles == nil {
		r.Roles = Roles{}
	}
	if org != nil {
		r.Org = &OrgSummary{ID: ID(org.ID), Name: org.Name, Kind: org.Kind}
	}
	return r
}

// CreateUserRequest is what an admin sets on a new account.
type CreateUserRequest struct {
	Username    string `json:"username"`
	Password    string `json:"password"`
	DisplayName string `json:"display_name"`
	OrgID       ID     `json:"org_id"`
	Roles       Roles  `json:"roles"`
}

// UpdateUserRequest edits an account; absent fields stay.
type UpdateUserRequest struct {
	DisplayName *string `json:"display_name"`
	OrgID       *ID     `json:"org_id"`
	Roles       *Roles  `json:"roles"`
	Disabled    *bool   `json:"disabled"`
}

// ResetPasswordRequest sets a new password (admin).
type ResetPasswordRequest struct {
	Password string `json:"password"`
}

// ChangePasswordRequest is a user changing their own password.
type ChangePasswordRequest struct {
	OldPassword string `json:"old_password"`
	NewPassword string `json:"new_password"`
}

// Actor is who is acting, as the services need it: never the HTTP request itself.
type Actor struct {
	UserID    uint64
	Username  string
	OrgID     uint64
	OrgKind   OrgKind
	Roles     Roles
	IP        string
	RequestID string
	// Profile is filled by token authentication, so /me answers without another query.
	Profile *Profile
}

// Profile is what the logged-in user sees of themselves.
type Profile struct {
	DisplayName string
	OrgName     string
	WechatBound bool
}

// Is reports whether the actor holds any of the roles.
func (a Actor) Is(r ...Role) bool { return a.Roles.Has(r...) }

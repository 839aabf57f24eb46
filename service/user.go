package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"fayuan/internal/clock"
	"fayuan/model"
)

// Users manages accounts (admin only).
type Users struct {
	db    *gorm.DB
	clock clock.Clock
	audit *Audit
	pw    *Passwords
}

// NewUsers builds the account service.
func NewUsers(db *gorm.DB, c clock.Clock, audit *Audit, pw *Passwords) *Users {
	return &Users{db: db, clock: c, audit: audit, pw: pw}
}

var (
	errUserNotFound  = model.NotFound("user_not_found", "用户不存在")
	errUsernameTaken = model.Conflict("username_taken", "用户名已被使用")
	errOrgDisabled   = model.InvalidField("org_id", "机构已停用")
	usernameRE       = regexp.MustCompile(`^[A-Za-z0-9_.\-]{3,64}$`)
)

// UserFilter narrows the account list.
type UserFilter struct {
	OrgID model.ID
	Role  model.Role
	Q     string
	Page  model.Page
}

// List returns accounts, filtered.
func (s *Users) List(ctx context.Context, by model.Actor, f UserFilter) (*model.List[model.UserResponse], error) {
	if !by.Is(model.RoleAdmin) {
		return nil, model.ErrRoleForbidden
	}
	q := s.db.WithContext(ctx).Model(&model.User{})
	if f.OrgID != 0 {
		q = q.Where("org_id = ?", uint64(f.OrgID))
	}
	if f.Role != "" {
		q = q.Where(roleMatch(s.db), string(f.Role))
	}
	if f.Q != "" {
		like := "%" + escapeLike(f.Q) + "%"
		q = q.Where("username LIKE ? ESCAPE '!' OR display_name LIKE ? ESCAPE '!'", like, like)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, err
	}
	var rows []model.User
	if err := q.Order("id").Offset(f.Page.Offset()).Limit(f.Page.PageSize).Find(&rows).Error; err != nil {
		return nil, err
	}
	orgs, err := s.orgsOf(ctx, rows)
	if err != nil {
		return nil, err
	}
	out := &model.List[model.UserResponse]{Items: make([]model.UserResponse, len(rows)), Total: total, Page: f.Page.Page, PageSize: f.Page.PageSize}
	for i := range rows {
		out.Items[i] = model.NewUserResponse(&rows[i], orgs[rows[i].OrgID])
	}
	return out, nil
}

// orgsOf loads the organisations of a page of users in one query.
func (s *Users) orgsOf(ctx context.Context, users []model.User) (map[uint64]*model.Org, error) {
	ids := make([]uint64, 0, len(users))
	for _, u := range users {
		ids = append(ids, u.OrgID)
	}
	out := map[uint64]*model.Org{}
	if len(ids) == 0 {
		return out, nil
	}
	var orgs []model.Org
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&orgs).Error; err != nil {
		return nil, err
	}
	for i := range orgs {
		out[orgs[i].ID] = &orgs[i]
	}
	return out, nil
}

// Get returns one account.
func (s *Users) Get(ctx context.Context, by model.Actor, id model.ID) (*model.UserResponse, error) {
	if !by.Is(model.RoleAdmin) {
		return nil, model.ErrRoleForbidden
	}
	var u model.User
	if err := s.db.WithContext(ctx).Take(&u, uint64(id)).Error; err != nil {
		return nil, notFoundAs(err, errUserNotFound)
	}
	var o model.Org
	if err := s.db.WithContext(ctx).Take(&o, u.OrgID).Error; err != nil {
		return nil, err
	}
	r := model.NewUserResponse(&u, &o)
	return &r, nil
}

// Create adds an account; its roles must fit its organisation's kind.
func (s *Users) Create(ctx context.Context, by model.Actor, req model.CreateUserRequest) (*model.UserResponse, error) {
	if !by.Is(model.RoleAdmin) {
		return nil, model.ErrRoleForbidden
	}
	bad := map[string]string{}
	name := strings.TrimSpace(req.Username)
	if !usernameRE.MatchString(name) {
		bad["username"] = "用户名应为 3–64 位字母、数字或 _ . -"
	}
	if msg := CheckPolicy(req.Password); msg != "" {
		bad["password"] = msg
	}
	display := strings.TrimSpace(req.DisplayName)
	if n := utf8.RuneCountInString(display); n == 0 || n > 64 {
		bad["display_name"] = "姓名应为 1–64 个字"
	}
	if req.OrgID == 0 {
		bad["org_id"] = "不能为空"
	}
	if len(req.Roles) == 0 {
		bad["roles"] = "至少选择一个角色"
	}
	if len(bad) > 0 {
		return nil, model.Invalid(bad)
	}
	var org model.Org
	if err := s.db.WithContext(ctx).Take(&org, uint64(req.OrgID)).Error; err != nil {
		return nil, notFoundAs(err, model.InvalidField("org_id", "机构不存在"))
	}
	if err := checkRoles(req.Roles, &org); err != nil {
		return nil, err
	}
	if org.Disabled {
		return nil, errOrgDisabled
	}
	hash, err := s.pw.Hash(req.Password)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	u := model.User{Username: name, DisplayName: display, PasswordHash: hash, OrgID: org.ID, RolesText: dedupe(req.Roles).Join(),
		CreatedAt: now, UpdatedAt: now}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// MySQL's collation makes the unique index ignore case, SQLite's does not: ask the same
		// question on both, so "Staff" cannot sit beside "staff" on one backend only.
		var n int64
		if err := tx.Model(&model.User{}).Where("LOWER(username) = LOWER(?)", name).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return errUsernameTaken
		}
		if err := tx.Create(&u).Error; err != nil {
			return duplicateAs(err, errUsernameTaken)
		}
		return s.audit.Record(tx, by, Entry{Action: "user.create", ObjectType: "user", ObjectID: u.ID, After: auditUser(&u)})
	})
	if err != nil {
		return nil, err
	}
	r := model.NewUserResponse(&u, &org)
	return &r, nil
}

// Update edits an account. Disabling it ends its sessions at once.
func (s *Users) Update(ctx context.Context, by model.Actor, id model.ID, req model.UpdateUserRequest) (*model.UserResponse, error) {
	if !by.Is(model.RoleAdmin) {
		return nil, model.ErrRoleForbidden
	}
	var u model.User
	var org model.Org
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Take(&u, uint64(id)).Error; err != nil {
			return notFoundAs(err, errUserNotFound)
		}
		before := auditUser(&u)
		fromOrg := u.OrgID
		if req.DisplayName != nil {
			d := strings.TrimSpace(*req.DisplayName)
			if n := utf8.RuneCountInString(d); n == 0 || n > 64 {
				return model.InvalidField("display_name", "姓名应为 1–64 个字")
			}
			u.DisplayName = d
		}
		if req.OrgID != nil {
			u.OrgID = uint64(*req.OrgID)
		}
		if req.Roles != nil {
			if len(*req.Roles) == 0 {
				return model.InvalidField("roles", "至少选择一个角色")
			}
			u.RolesText = dedupe(*req.Roles).Join()
		}
		if err := tx.Take(&org, u.OrgID).Error; err != nil {
			return notFoundAs(err, model.InvalidField("org_id", "机构不存在"))
		}
		if err := checkRoles(u.Roles(), &org); err != nil {
			return err
		}
		// Only a move into a disabled organisation is refused: its own accounts stay manageable
		// (above all, they can still be disabled).
		if org.Disabled && u.OrgID != fromOrg {
			return errOrgDisabled
		}
		if by.UserID == u.ID && req.Disabled != nil && *req.Disabled {
			return model.InvalidField("disabled", "不能停用自己的账号")
		}
		disabling := req.Disabled != nil && *req.Disabled && !u.Disabled
		if req.Disabled != nil {
			u.Disabled = *req.Disabled
		}
		u.UpdatedAt = s.clock.Now()
		// UpdateColumns: Updates would overwrite updated_at with the wall clock, not the injected one.
		if err := tx.Select("display_name", "org_id", "roles", "disabled", "updated_at").UpdateColumns(&u).Error; err != nil {
			return err
		}
		if disabling {
			if err := revokeUser(tx, u.ID, s.clock.Now()); err != nil {
				return err
			}
		}
		return s.audit.Record(tx, by, Entry{Action: "user.update", ObjectType: "user", ObjectID: u.ID, Before: before, After: auditUser(&u)})
	})
	if err != nil {
		return nil, err
	}
	r := model.NewUserResponse(&u, &org)
	return &r, nil
}

// ResetPassword sets a new password for a user and ends their sessions.
func (s *Users) ResetPassword(ctx context.Context, by model.Actor, id model.ID, req model.ResetPasswordRequest) error {
	if !by.Is(model.RoleAdmin) {
		return model.ErrRoleForbidden
	}
	if err := policyError("password", req.Password); err != nil {
		return err
	}
	hash, err := s.pw.Hash(req.Password)
	if err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&model.User{}).Where("id = ?", uint64(id)).Updates(map[string]any{"password_hash": hash, "updated_at": s.clock.Now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errUserNotFound
		}
		if err := revokeUser(tx, uint64(id), s.clock.Now()); err != nil {
			return err
		}
		return s.audit.Record(tx, by, Entry{Action: "user.password_reset", ObjectType: "user", ObjectID: uint64(id)})
	})
}

// EnsureAdmin creates the bureau and the admin account on an empty database, returning the
// password it set (generated when none is given); on a database with users it does nothing.
func (s *Users) EnsureAdmin(ctx context.Context, password string) (created bool, pw string, err error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&model.User{}).Count(&n).Error; err != nil || n > 0 {
		return false, "", err
	}
	if password == "" {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		password = base64.RawURLEncoding.EncodeToString(b)
	}
	hash, err := s.pw.Hash(password)
	if err != nil {
		return false, "", err
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := s.clock.Now()
		org := model.Org{Name: "县司法局", Kind: model.OrgBureau, CreatedAt: now, UpdatedAt: now}
		if err := tx.Where("kind = ?", model.OrgBureau).FirstOrCreate(&org).Error; err != nil {
			return err
		}
		u := model.User{Username: "admin", DisplayName: "系统管理员", PasswordHash: hash, OrgID: org.ID, RolesText: string(model.RoleAdmin),
			CreatedAt: now, UpdatedAt: now}
		if err := tx.Create(&u).Error; err != nil {
			return err
		}
		return s.audit.Record(tx, model.Actor{Username: "system"}, Entry{Action: "user.create", ObjectType: "user", ObjectID: u.ID, After: auditUser(&u)})
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return false, "", nil // another replica created it first
	}
	return err == nil, password, err
}

// checkRoles applies the contract's table of which organisation kinds may hold which role.
func checkRoles(roles model.Roles, org *model.Org) error {
	for _, r := range roles {
		kinds, ok := model.RoleOrgKinds[r]
		if !ok {
			return model.InvalidField("roles", "未知角色："+string(r))
		}
		if !slices.Contains(kinds, org.Kind) {
			return model.InvalidField("roles", model.RoleLabels[r]+"不能属于"+model.OrgKindLabels[org.Kind])
		}
	}
	return nil
}

func dedupe(r model.Roles) model.Roles {
	var out model.Roles
	for _, x := range r {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// auditUser is what an account's audit hash covers: never the password hash.
func auditUser(u *model.User) map[string]any {
	return map[string]any{"username": u.Username, "display_name": u.DisplayName, "org_id": u.OrgID, "roles": u.RolesText, "disabled": u.Disabled}
}

// escapeLike makes user text literal inside a LIKE pattern with ESCAPE '!' (a backslash would
// need different quoting in SQLite and MySQL).
func escapeLike(s string) string {
	return strings.NewReplacer(`!`, `!!`, `%`, `!%`, `_`, `!_`).Replace(s)
}

// roleMatch is the condition "roles holds ?" as a whole word of the comma-separated column.
func roleMatch(db *gorm.DB) string {
	if db.Dialector.Name() == "mysql" {
		return "FIND_IN_SET(?, roles) > 0"
	}
	return "instr(',' || roles || ',', ',' || ? || ',') > 0"
}

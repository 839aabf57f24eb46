package db

import (
	"strings"
	"time"

	"gorm.io/gorm"
)

// Migrations is the schema's history, oldest first. Append; never edit a released one.
var Migrations = []Migration{
	{Version: 1, Name: "organisations, users, refresh tokens, audit log", Up: v1},
	{Version: 2, Name: "login attempts, wechat binding, token epochs, append-only audit", Up: v2},
	{Version: 3, Name: "cases, handlers, case assignments", Up: v3},
	{Version: 4, Name: "campaigns, exclusions, assignment runs and history", Up: v4},
	{Version: 5, Name: "calls and alerts", Up: v5},
	{Version: 6, Name: "progress indexes", Up: v6},
	{Version: 7, Name: "call corrections: calls.version, call_versions", Up: v7},
	{Version: 8, Name: "wechat subscriptions, notifications", Up: v8},
	{Version: 9, Name: "visits and their participants", Up: v9},
	{Version: 10, Name: "photos of field visits", Up: v10},
	{Version: 11, Name: "survey links, answers, subscriptions, messages", Up: v11},
	{Version: 12, Name: "case-file review: rubric templates, samples, files, scoresheets, conflicts", Up: v12},
	{Version: 13, Name: "hearings, opinions, results, rectifications, result settings", Up: v13},
	{Version: 14, Name: "progress counters", Up: v14},
	{Version: 15, Name: "work list order on the assignments: case keys, work bucket, index", Up: v15},
	{Version: 16, Name: "progress: visited cases", Up: v16},
}

// Snapshot types of version 1.
type orgV1 struct {
	ID        uint64  `gorm:"primaryKey"`
	Name      string  `gorm:"size:100;not null;uniqueIndex"`
	Kind      string  `gorm:"size:32;not null;index"`
	ParentID  *uint64 `gorm:"index"`
	Disabled  bool    `gorm:"not null;default:false"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (orgV1) TableName() string { return "orgs" }

type userV1 struct {
	ID           uint64 `gorm:"primaryKey"`
	Username     string `gorm:"size:64;not null;uniqueIndex"`
	DisplayName  string `gorm:"size:64;not null"`
	PasswordHash string `gorm:"size:255;not null"`
	OrgID        uint64 `gorm:"not null;index"`
	Roles        string `gorm:"size:255;not null"`
	Disabled     bool   `gorm:"not null;default:false"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (userV1) TableName() string { return "users" }

type refreshTokenV1 struct {
	ID        uint64 `gorm:"primaryKey"`
	UserID    uint64 `gorm:"not null;index"`
	FamilyID  string `gorm:"size:32;not null;index"`
	TokenHash string `gorm:"size:64;not null;uniqueIndex"`
	ExpiresAt time.Time
	RotatedAt *time.Time
	RevokedAt *time.Time
	CreatedAt time.Time
}

func (refreshTokenV1) TableName() string { return "refresh_tokens" }

type auditLogV1 struct {
	ID         uint64    `gorm:"primaryKey"`
	At         time.Time `gorm:"not null;index"`
	ActorID    *uint64   `gorm:"index"`
	ActorName  string    `gorm:"size:64"`
	ActorRoles string    `gorm:"size:255"`
	Action     string    `gorm:"size:64;not null;index"`
	ObjectType string    `gorm:"size:32;index:idx_audit_object,priority:1"`
	ObjectID   string    `gorm:"size:64;index:idx_audit_object,priority:2"`
	Outcome    string    `gorm:"size:32;not null"`
	IP         string    `gorm:"size:64"`
	RequestID  string    `gorm:"size:64;index"`
	BeforeHash string    `gorm:"size:64"`
	AfterHash  string    `gorm:"size:64"`
	Reason     string    `gorm:"size:500"`
}

func (auditLogV1) TableName() string { return "audit_logs" }

func v1(tx *gorm.DB) error {
	return tx.AutoMigrate(&orgV1{}, &userV1{}, &refreshTokenV1{}, &auditLogV1{})
}

// Snapshot types of version 2.
type userV2 struct {
	WechatOpenID *string `gorm:"column:wechat_openid;size:64;uniqueIndex"`
	AuthEpoch    int     `gorm:"not null;default:0"`
}

func (userV2) TableName() string { return "users" }

type loginAttemptV2 struct {
	ID       uint64    `gorm:"primaryKey"`
	Username string    `gorm:"size:64;not null;index:idx_login_attempts_user_at,priority:1"`
	At       time.Time `gorm:"not null;index:idx_login_attempts_user_at,priority:2"`
	Outcome  string    `gorm:"size:16;not null"`
	IP       string    `gorm:"size:64"`
}

func (loginAttemptV2) TableName() string { return "login_attempts" }

type wechatBindingCodeV2 struct {
	ID        uint64    `gorm:"primaryKey"`
	UserID    uint64    `gorm:"not null;index"`
	CodeHash  string    `gorm:"size:64;not null;uniqueIndex"`
	ExpiresAt time.Time `gorm:"not null"`
	UsedAt    *time.Time
	CreatedAt time.Time
}

func (wechatBindingCodeV2) TableName() string { return "wechat_binding_codes" }

func v2(tx *gorm.DB) error {
	m := tx.Migrator()
	for _, col := range []string{"WechatOpenID", "AuthEpoch"} {
		if !m.HasColumn(&userV2{}, col) {
			if err := m.AddColumn(&userV2{}, col); err != nil {
				return err
			}
		}
	}
	if !m.HasIndex(&userV2{}, "WechatOpenID") {
		if err := m.CreateIndex(&userV2{}, "WechatOpenID"); err != nil {
			return err
		}
	}
	if err := tx.AutoMigrate(&loginAttemptV2{}, &wechatBindingCodeV2{}); err != nil {
		return err
	}
	return appendOnly(tx, "audit_logs")
}

// appendOnly makes the database itself refuse UPDATE and DELETE on a table, so a bug or a
// careless script cannot rewrite the trail. TiDB has no triggers: there the service's own
// discipline (it never updates or deletes audit rows) and the grants remain.
func appendOnly(tx *gorm.DB, table string) error {
	var stmts []string
	switch tx.Dialector.Name() {
	case "sqlite":
		for _, op := range []string{"UPDATE", "DELETE"} {
			stmts = append(stmts, "CREATE TRIGGER IF NOT EXISTS "+table+"_no_"+strings.ToLower(op)+
				" BEFORE "+op+" ON "+table+" BEGIN SELECT RAISE(ABORT, '"+table+" is append-only'); END")
		}
	case "mysql":
		for _, op := range []string{"UPDATE", "DELETE"} {
			stmts = append(stmts, "CREATE TRIGGER "+table+"_no_"+strings.ToLower(op)+" BEFORE "+op+" ON "+table+
				" FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '"+table+" is append-only'")
		}
	}
	for _, s := range stmts {
		if err := tx.Exec(s).Error; err != nil {
			if strings.Contains(strings.ToLower(err.Error()), "not support") {
				return nil
			}
			return err
		}
	}
	return nil
}

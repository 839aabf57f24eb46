// Package service holds the use cases: the rules of the campaign, free of HTTP. Each service
// owns its transactions and writes its audit rows inside them.
package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"

	"gorm.io/gorm"

	"fayuan/internal/clock"
	"fayuan/model"
)

// Audit writes and reads the append-only trail.
type Audit struct {
	db    *gorm.DB
	clock clock.Clock
}

// NewAudit builds the audit service.
func NewAudit(db *gorm.DB, c clock.Clock) *Audit { return &Audit{db: db, clock: c} }

// Entry is one thing to record. Before and After are hashed, never stored.
type Entry struct {
	Action     string
	ObjectType string
	ObjectID   uint64
	ObjectKey  string // when the object has no numeric id (a username at login)
	Outcome    string // default "ok"
	Reason     string
	Before     any
	After      any
}

// Record appends e for by inside tx, so a write and its audit row commit or fail together.
func (a *Audit) Record(tx *gorm.DB, by model.Actor, e Entry) error {
	row := model.AuditLog{
		At: a.clock.Now(), ActorName: by.Username, ActorRoles: by.Roles.Join(), Action: e.Action,
		ObjectType: e.ObjectType, ObjectID: e.ObjectKey, Outcome: e.Outcome, IP: by.IP, RequestID: by.RequestID,
		BeforeHash: digest(e.Before), AfterHash: digest(e.After), Reason: truncate(e.Reason, 500),
	}
	if by.UserID != 0 {
		id := by.UserID
		row.ActorID = &id
	}
	if e.ObjectID != 0 {
		row.ObjectID = strconv.FormatUint(e.ObjectID, 10)
	}
	if row.Outcome == "" {
		row.Outcome = "ok"
	}
	return tx.Create(&row).Error
}

// List answers the auditor's query, newest first.
func (a *Audit) List(ctx context.Context, by model.Actor, f model.AuditFilter) (*model.List[model.AuditResponse], error) {
	if !by.Is(model.RoleAuditor) {
		return nil, model.ErrRoleForbidden
	}
	q := a.db.WithContext(ctx).Model(&model.AuditLog{})
	if f.ActorID != 0 {
		q = q.Where("actor_id = ?", uint64(f.ActorID))
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.ObjectType != "" {
		q = q.Where("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != "" {
		q = q.Where("object_id = ?", f.ObjectID)
	}
	if f.From != nil {
		q = q.Where("at >= ?", f.From.UTC())
	}
	if f.To != nil {
		q = q.Where("at < ?", f.To.UTC())
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, err
	}
	var rows []model.AuditLog
	if err := q.Order("id DESC").Offset(f.Page.Offset()).Limit(f.Page.PageSize).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := &model.List[model.AuditResponse]{Items: make([]model.AuditResponse, len(rows)), Total: total,
		Page: f.Page.Page, PageSize: f.Page.PageSize}
	for i := range rows {
		out.Items[i] = model.NewAuditResponse(&rows[i])
	}
	return out, nil
}

// digest is the SHA-256 of v's JSON, or empty for nil.
func digest(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n { // utf8mb4 columns count characters, not bytes
		return s
	}
	return string(r[:n])
}

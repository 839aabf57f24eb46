package model

import "time"

// AuditLog is one row of the append-only trail: every login attempt and every write. Before and
// after are kept as hashes, so the trail proves what changed without copying personal data.
type AuditLog struct {
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

// AuditResponse is an audit row on the wire.
type AuditResponse struct {
	ID         ID     `json:"id"`
	At         Time   `json:"at"`
	ActorID    *ID    `json:"actor_id"`
	ActorName  string `json:"actor_name"`
	ActorRoles Roles  `json:"actor_roles"`
	Action     string `json:"action"`
	ObjectType string `json:"object_type"`
	ObjectID   string `json:"object_id"`
	Outcome    string `json:"outcome"`
	IP         string `json:"ip"`
	RequestID  string `json:"request_id"`
	BeforeHash string `json:"before_hash"`
	AfterHash  string `json:"after_hash"`
	Reason     string `json:"reason,omitempty"`
}

// NewAuditResponse converts an audit row.
func NewAuditResponse(a *AuditLog) AuditResponse {
	r := AuditResponse{ID: ID(a.ID), At: NewTime(a.At), ActorName: a.ActorName, ActorRoles: SplitRoles(a.ActorRoles),
		Action: a.Action, ObjectType: a.ObjectType, ObjectID: a.ObjectID, Outcome: a.Outcome, IP: a.IP,
		RequestID: a.RequestID, BeforeHash: a.BeforeHash, AfterHash: a.AfterHash, Reason: a.Reason}
	if r.ActorRoles == nil {
		r.ActorRoles = Roles{}
	}
	if a.ActorID != nil {
		id := ID(*a.ActorID)
		r.ActorID = &id
	}
	return r
}

// AuditFilter narrows the audit log.
type AuditFilter struct {
	ActorID    ID
	Action     string
	ObjectType string
	ObjectID   string
	From, To   *time.Time
	Page       Page
}

// Page is a page request: 1-based, page_size at most 500.
type Page struct {
	Page     int
	PageSize int
}

// Offset is the number of rows before the page.
func (p Page) Offset() int { return (p.Page - 1) * p.PageSize }

// List is the contract's list envelope.
type List[T any] struct {
	Items    []T   `json:"items"`
	Total    int64 `json:"total"`
	Page     int   `json:"page"`
	PageSize int   `json:"page_size"`
	// TotalCapped is true where a list counts only up to a cap (the case list over very large
	// tables): Total is then the cap and the real number is larger.
	TotalCapped bool `json:"total_capped,omitempty"`
}

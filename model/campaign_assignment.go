package model

import "time"

// Assignment statuses of a case in a phase; "pending" until its first record.
const (
	AssignmentPending = "pending"
)

// Reasons a case cannot be assigned.
const (
	UnassignableRecused    = "recused"      // every listed staff member is recused from it (回避)
	UnassignableExcluded   = "excluded"     // a confirmed exclusion took it out of the follow-ups
	UnassignableOutOfScope = "out_of_scope" // not in the phase's scope
	UnassignableNotFound   = "not_found"    // no such case
)

// UnassignableLabels explain each reason in Chinese.
var UnassignableLabels = map[string]string{
	UnassignableRecused:    "所选人员均需回避（本人或本机构承办的案件）",
	UnassignableExcluded:   "已确认排除出回访范围",
	UnassignableOutOfScope: "不在本阶段的案件范围内",
	UnassignableNotFound:   "案件不存在",
}

// AssignmentRun is one press of "assign" by a manager: the rows it wrote carry its id, so a run
// knows exactly what it inserted even when another run raced it.
type AssignmentRun struct {
	ID           uint64    `gorm:"primaryKey"`
	CampaignID   uint64    `gorm:"not null;index"`
	Phase        string    `gorm:"size:16;not null"`
	ActorID      uint64    `gorm:"not null"`
	Mode         string    `gorm:"size:16;not null"` // auto or explicit
	Assigned     int       `gorm:"not null"`
	Reassigned   int       `gorm:"not null"`
	Unassignable int       `gorm:"not null"`
	At           time.Time `gorm:"not null"`
}

// AssignmentEvent is the history of a case's assignment: given to ToUserID, from FromUserID
// when it moved. Rows are only ever added.
type AssignmentEvent struct {
	ID         uint64    `gorm:"primaryKey"`
	RunID      uint64    `gorm:"not null;index"`
	CampaignID uint64    `gorm:"not null;index:idx_assign_events_case,priority:1;index:idx_assign_events_from,priority:1"`
	Phase      string    `gorm:"size:16;not null"`
	CaseID     uint64    `gorm:"not null;index:idx_assign_events_case,priority:2"`
	FromUserID *uint64   `gorm:"index:idx_assign_events_from,priority:2"`
	ToUserID   uint64    `gorm:"not null"`
	At         time.Time `gorm:"not null;index:idx_assign_events_from,priority:3"`
}

// AssignRequest shares a phase's unassigned in-scope cases (or the listed ones) among staff.
type AssignRequest struct {
	Phase    Phase `json:"phase"`
	StaffIDs []ID  `json:"staff_ids"`
	CaseIDs  []ID  `json:"case_ids"`
}

// AssignResponse says what a run did. Assigned counts the cases it gave (moves included);
// Reassigned the cases among them that moved from someone else.
type AssignResponse struct {
	RunID        ID             `json:"run_id"`
	Assigned     int            `json:"assigned"`
	Reassigned   int            `json:"reassigned"`
	Unassignable []Unassignable `json:"unassignable"`
	ByStaff      []StaffLoad    `json:"by_staff"`
}

// Unassignable is a case the run could not give to anyone, and why.
type Unassignable struct {
	CaseID  ID     `json:"case_id"`
	CaseNo  string `json:"case_no"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// StaffLoad is one staff member's share: what this run gave them, and their total in the phase.
type StaffLoad struct {
	StaffID  ID     `json:"staff_id"`
	Name     string `json:"name"`
	Assigned int    `json:"assigned"`
	Total    int64  `json:"total"`
}

// WorkRecipient is the recipient as the assigned staff member needs them: in full.
type WorkRecipient struct {
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Town    string `json:"town"`
	Village string `json:"village"`
}

// WorkItem is one case of a staff member's work list, complete enough to work offline.
type WorkItem struct {
	CaseID       ID             `json:"case_id"`
	CaseNo       string         `json:"case_no"`
	Status       string         `json:"status"`
	Attempts     int            `json:"attempts"`
	LastOutcome  *string        `json:"last_outcome"`
	Recipient    WorkRecipient  `json:"recipient"`
	AnswersSoFar map[string]any `json:"answers_so_far"`
	Cause        string         `json:"cause"`
	Category     Category       `json:"category"`
	ClosedOn     *string        `json:"closed_on"`
	HandlerName  string         `json:"handler_name"`
	UpdatedAt    Time           `json:"updated_at"`
	// Visited, in the visits phase's list, says whether the case has a recorded visit.
	Visited *bool `json:"visited,omitempty"`
}

// WorkList is the list envelope of the work list. With updated_since, RemovedCaseIDs lists the
// cases moved away from the caller since then, so an offline phone drops them; SyncedAt is the
// server's time to send as the next updated_since.
type WorkList struct {
	Items          []WorkItem `json:"items"`
	Total          int64      `json:"total"`
	Page           int        `json:"page"`
	PageSize       int        `json:"page_size"`
	RemovedCaseIDs []ID       `json:"removed_case_ids"`
	SyncedAt       Time       `json:"synced_at"`
}

package model

import (
	"time"

	"fayuan/internal/review"
)

// Result statuses: published results wait out the objection window as provisional; an
// objection makes them objected until a manager decides; a manager's confirmation makes them
// final, and only then does their consequence apply.
const (
	ResultProvisional = "provisional"
	ResultObjected    = "objected"
	ResultDecided     = "decided"
	ResultFinal       = "final"
)

// Decision outcomes on an objection.
const (
	DecisionUpheld  = "upheld"  // the result stands
	DecisionAmended = "amended" // the score is changed
)

// CaseResult is a reviewed file's published result (评查结果) in a campaign. Score is in tenths
// and already includes any weighting of hearings and opinions the campaign set; FileScore is the
// file review's own. Details hold the deductions with their reasons, never who made them.
type CaseResult struct {
	ID                     uint64    `gorm:"primaryKey"`
	CampaignID             uint64    `gorm:"not null;uniqueIndex:idx_results_case,priority:1"`
	CaseID                 uint64    `gorm:"not null;uniqueIndex:idx_results_case,priority:2"`
	HandlerID              *uint64   `gorm:"index"`
	FileScore              int64     `gorm:"not null"`
	Score                  int64     `gorm:"not null"`
	Grade                  string    `gorm:"size:16;not null"`
	Veto                   bool      `gorm:"not null;default:false"`
	DetailsJSON            string    `gorm:"column:details;type:text"`
	Status                 string    `gorm:"size:16;not null;index"`
	PublishedAt            time.Time `gorm:"not null"`
	WindowEndsAt           time.Time `gorm:"not null"`
	ObjectionReason        string    `gorm:"size:2000;not null;default:''"`
	ObjectedAt             *time.Time
	DecisionOutcome        string `gorm:"size:16;not null;default:''"`
	DecisionReason         string `gorm:"size:2000;not null;default:''"`
	DecidedBy              *uint64
	DecidedAt              *time.Time
	SeriouslyIrresponsible bool   `gorm:"not null;default:false"`
	ViolationsJSON         string `gorm:"column:violations;type:text"`
	ConsequenceJSON        string `gorm:"column:consequence;type:text"`
	ConfirmNote            string `gorm:"size:2000;not null;default:''"`
	ConfirmedBy            *uint64
	ConfirmedAt            *time.Time
	Version                int `gorm:"not null;default:1"`
	CreatedAt              time.Time
	UpdatedAt              time.Time
}

// Rectification steps of a 不合格 file (约谈整改): open → interviewed → submitted → closed.
const (
	RectOpen        = "open"
	RectInterviewed = "interviewed"
	RectSubmitted   = "submitted"
	RectClosed      = "closed"
)

// Rectification is the task a confirmed 不合格 result opens: the interview, the handler's written
// rectification and a manager's closing.
type Rectification struct {
	ID            uint64  `gorm:"primaryKey"`
	ResultID      uint64  `gorm:"not null;uniqueIndex"`
	CampaignID    uint64  `gorm:"not null;index"`
	CaseID        uint64  `gorm:"not null"`
	HandlerID     *uint64 `gorm:"index"`
	Status        string  `gorm:"size:16;not null"`
	InterviewOn   string  `gorm:"size:10;not null;default:''"`
	InterviewNote string  `gorm:"size:2000;not null;default:''"`
	HandlerText   string  `gorm:"size:4000;not null;default:''"`
	SubmittedAt   *time.Time
	ClosingNote   string `gorm:"size:2000;not null;default:''"`
	ClosedBy      *uint64
	ClosedAt      *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// ResultSettings are a campaign's rules for results: the objection window, whether hearings
// and organs' opinions weigh in, and the consequence policy (review.Policy as JSON).
type ResultSettings struct {
	CampaignID           uint64 `gorm:"primaryKey;autoIncrement:false"`
	ObjectionDays        int    `gorm:"not null"`
	HearingWeightPercent int    `gorm:"not null;default:0"`
	OpinionPoorTenths    int64  `gorm:"not null;default:0"`
	PolicyJSON           string `gorm:"column:policy;type:text"`
	Version              int    `gorm:"not null;default:1"`
	UpdatedAt            time.Time
}

// ResultDeduction is one deduction of a result with its reason, as the handler reads it.
type ResultDeduction struct {
	Sheet  int           `json:"sheet"` // first, second or third sheet; never who scored it
	Item   string        `json:"item"`
	Label  string        `json:"label"`
	Points review.Tenths `json:"points"`
	Reason string        `json:"reason"`
}

// NotifyResultsPublished is the notification kind telling a handler their results are out.
const NotifyResultsPublished = "results_published"
